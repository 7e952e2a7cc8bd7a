"""Objects of agency A in each interesting state, for the permission matrix and the security tests.

Features add builders here as they add models; `secrets()` lists strings that must never appear in
a response to a user who cannot see the object.
"""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from assessments.engine.loader import load_definition


@dataclass
class Objects:
    items: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.items[name]
        except KeyError:
            raise AttributeError(name) from None

    def secrets(self) -> list[str]:
        return [getattr(obj, "title", "") for obj in self.items.values() if getattr(obj, "title", "")]


# name -> function(world) -> object; filled in by feature modules below.
BUILDERS: dict = {}


def build_objects(world) -> Objects:
    return Objects({name: build(world) for name, build in BUILDERS.items()})


# --- Assessments: drafts and a submitted assessment of agency A ----------------------------------

QUESTIONNAIRES = Path(__file__).resolve().parents[1] / "fixtures" / "questionnaire"


@cache
def fixture_definition(version: str = "2026.1") -> dict:
    """Questionnaire `version` from fixtures/, loaded and validated once per test run."""
    return load_definition(QUESTIONNAIRES / version)


def published_questionnaire(version: str = "2026.1"):
    """Questionnaire `version` in the database. Stored directly (the definition was validated when loaded):
    the permission matrix builds it for every case. tests/test_questionnaire_admin.py covers publishing."""
    from assessments.models import Questionnaire

    definition = fixture_definition(version)
    return Questionnaire.objects.get_or_create(
        version=definition["version"], defaults={"title": definition["title"], "definition": definition}
    )[0]


def make_assessment(world, title: str, *, answers: dict | None = None, invite: bool = False, submit: bool = False):
    """An assessment of agency A made through the services, as the leader would."""
    from assessments import services

    published_questionnaire()
    leader = world.users["leader_a"]
    assessment = services.assessment_create(agency=world.agency_a, user=leader, title=title)
    if answers is not None:
        assessment.answers = {**answers, "title": title}
        assessment.save(update_fields=["answers"])
    if invite:
        services.assessment_invite_contributor(
            assessment=assessment, user=leader, contributor=world.users["contributor_a"]
        )
    if submit:
        services.assessment_submit(assessment=assessment, user=leader)
        assessment.refresh_from_db()
    return assessment


def recalled_and_changed(world, title: str, problem: str):
    """A submitted assessment (version 1) that its leader recalled and changed: the draft's `problem` is new."""
    from assessments import services
    from tests import answers as A

    assessment = make_assessment(world, title, answers=A.complete(), submit=True)
    leader = world.users["leader_a"]
    services.assessment_recall(assessment=assessment, user=leader)
    assessment.refresh_from_db()
    services.assessment_save_step(
        assessment=assessment,
        section="need",
        user=leader,
        values=A.section_of("need", A.complete(problem=problem)),
        expected_revision=assessment.revision,
    )
    return assessment


def _complete_answers() -> dict:
    from tests.answers import complete

    return complete()


BUILDERS["draft"] = lambda world: make_assessment(world, "Hemmelig utkast i bydel A")
BUILDERS["draft_invited"] = lambda world: make_assessment(world, "Delt utkast i bydel A", invite=True)
BUILDERS["submitted"] = lambda world: make_assessment(
    world, "Innsendt vurdering i bydel A", answers=_complete_answers(), submit=True
)

# Submitted, and processing personal data: what the data protection officer reads.
BUILDERS["submitted_personal"] = lambda world: make_assessment(
    world, "Vurdering med personopplysninger i bydel A", answers=_complete_personal_answers(), submit=True
)


def _complete_personal_answers() -> dict:
    from tests.answers import PERSONAL_DATA, complete

    return complete(pd_any="yes", **PERSONAL_DATA)


# --- Review: an approved assessment of agency A ----------------------------------------------


def _approved(world):
    from assessments import services

    assessment = make_assessment(world, "Godkjent vurdering i bydel A", answers=_complete_answers(), submit=True)
    services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    assessment.refresh_from_db()
    return assessment


# The report feature may register its own "approved" builder: either serves the rows that use it.
BUILDERS.setdefault("approved", _approved)


# --- Reports: the approved assessment's signed report, ready for download ------------------------


def _approved_with_report(world):
    """`_approved`, with its signed report made ready. The file is a small stand-in, not a rendered PDF:
    the matrix checks access, and rendering here would run for every role of every row."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from assessments.models import Report

    assessment = _approved(world)
    report = Report.objects.get(assessment=assessment, kind=Report.Kind.SIGNED)
    name = f"reports/{world.agency_a.slug}/{assessment.uuid}/v1-000000000000.pdf"
    name = default_storage.save(name, ContentFile(b"%PDF-1.7\n%%EOF\n"))
    Report.objects.filter(pk=report.pk).update(status=Report.Status.READY, storage_name=name)
    return assessment


BUILDERS["approved"] = _approved_with_report


# --- Action plan: evidence on an item of the approved assessment, and a stored status report ---------


def _approved_plan(world):
    from assessments.models import Assessment

    return Assessment.objects.get(agency=world.agency_a, title="Godkjent vurdering i bydel A")


def _plan_evidence(world):
    """A PDF on the approved assessment's first plan item, stored through the service and scanned (no
    scanner configured: "not scanned", downloadable)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments.services import evidence_scan, plans

    item = _approved_plan(world).plan_items.order_by("pk").first()
    upload = SimpleUploadedFile("dpia.pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n", "application/pdf")
    evidence = plans.evidence_add(item=item, user=world.users["leader_a"], upload=upload)
    evidence_scan.scan(evidence.pk)
    evidence.refresh_from_db()
    return evidence


def _plan_status_report(world):
    """A ready status report row with a stand-in file (sealing for every role of every row would be slow)."""
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from assessments.models import Report

    assessment = _approved_plan(world)
    name = default_storage.save(f"plan-reports/{world.agency_a.slug}/x.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
    return Report.objects.create(
        assessment=assessment,
        kind=Report.Kind.PLAN,
        as_of=dt.date(2026, 1, 1),
        status=Report.Status.READY,
        sha256="0" * 64,
        size=15,
        storage_name=name,
    )


BUILDERS["plan_evidence"] = _plan_evidence
BUILDERS["plan_status_report"] = _plan_status_report


# --- The tool overview: one approved entry ----------------------------------------------------------------


def _tool(world):
    from tests.catalogue_helpers import make_tool

    return make_tool(world, slug="matrise-chat")


BUILDERS["tool"] = _tool


def _catalogue_flag(world):
    """A flag on a submitted assessment of agency A (its tool's entry got stricter), made directly."""
    from assessments.models import CatalogueFlag
    from tests.catalogue_helpers import make_tool

    tool = make_tool(world, slug="flagg-chat")
    assessment = BUILDERS["submitted"](world)
    return CatalogueFlag.objects.create(assessment=assessment, used_ref="flagg-chat@0", new_version=tool)


BUILDERS["catalogue_flag"] = _catalogue_flag


# --- The quick path: a draft of agency A started from a screening (questionnaire 2026.3) -------------------


def _screened(world):
    from tests.catalogue_helpers import make_tool, published_v3, screened

    published_v3()
    assessment, _result = screened(world, "Hemmelig hurtigsjekk", tool=make_tool(world, slug="hurtig-chat").ref)
    return assessment


BUILDERS["screened"] = _screened
