"""Objects of agency A in each interesting state, for the permission matrix and the security tests.

Each kind of object has a builder in BUILDERS; `secrets()` lists strings that must never appear in a response to
a user who cannot see the object.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from assessments import services
from assessments.models import Assessment, CatalogueFlag, Report
from assessments.services import evidence_scan, plans
from tests.answers import PERSONAL_DATA, complete
from tests.assessment_helpers import PDF, make_assessment, upload
from tests.catalogue_helpers import make_tool, published_v3, screened


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


# name -> function(world) -> object, one for each kind of object below.
BUILDERS: dict = {}


def build_objects(world) -> Objects:
    return Objects({name: build(world) for name, build in BUILDERS.items()})


BUILDERS["draft"] = lambda world: make_assessment(world, "Hemmelig utkast i bydel A")
BUILDERS["draft_invited"] = lambda world: make_assessment(world, "Delt utkast i bydel A", invite=True)
BUILDERS["submitted"] = lambda world: make_assessment(
    world, "Innsendt vurdering i bydel A", answers=complete(), submit=True
)

# Submitted, and processing personal data: what the data protection officer reads.
BUILDERS["submitted_personal"] = lambda world: make_assessment(
    world, "Vurdering med personopplysninger i bydel A", answers=complete(pd_any="yes", **PERSONAL_DATA), submit=True
)


# --- Review: an approved assessment of agency A ----------------------------------------------


def _approved(world):
    assessment = make_assessment(world, "Godkjent vurdering i bydel A", answers=complete(), submit=True)
    services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    assessment.refresh_from_db()
    return assessment


# --- Reports: the approved assessment's signed report, ready for download ------------------------


def _approved_with_report(world):
    """`_approved`, with its signed report made ready. The file is a small stand-in, not a rendered PDF:
    the matrix checks access, and rendering here would run for every role of every row."""
    assessment = _approved(world)
    report = Report.objects.get(assessment=assessment, kind=Report.Kind.SIGNED)
    name = f"reports/{world.agency_a.slug}/{assessment.uuid}/v1-000000000000.pdf"
    name = default_storage.save(name, ContentFile(b"%PDF-1.7\n%%EOF\n"))
    Report.objects.filter(pk=report.pk).update(status=Report.Status.READY, storage_name=name)
    return assessment


BUILDERS["approved"] = _approved_with_report


# --- Action plan: evidence on an item of the approved assessment, and a stored status report ---------


def _approved_plan(world):
    return Assessment.objects.get(agency=world.agency_a, title="Godkjent vurdering i bydel A")


def _plan_evidence(world):
    """A PDF on the approved assessment's first plan item, stored through the service and scanned (no
    scanner configured: "not scanned", downloadable)."""
    item = _approved_plan(world).plan_items.order_by("pk").first()
    evidence = plans.evidence_add(item=item, user=world.users["leader_a"], upload=upload("dpia.pdf", PDF))
    evidence_scan.scan(evidence.pk)
    evidence.refresh_from_db()
    return evidence


def _plan_status_report(world):
    """A ready status report row with a stand-in file (sealing for every role of every row would be slow)."""
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
    return make_tool(world, slug="matrise-chat")


BUILDERS["tool"] = _tool


def _catalogue_flag(world):
    """A flag on a submitted assessment of agency A (its tool's entry got stricter), made directly."""
    tool = make_tool(world, slug="flagg-chat")
    assessment = BUILDERS["submitted"](world)
    return CatalogueFlag.objects.create(assessment=assessment, used_ref="flagg-chat@0", new_version=tool)


BUILDERS["catalogue_flag"] = _catalogue_flag


# --- The quick path: a draft of agency A started from a screening (questionnaire 2026.3) -------------------


def _screened(world):
    published_v3()
    assessment, _result = screened(world, "Hemmelig hurtigsjekk", tool=make_tool(world, slug="hurtig-chat").ref)
    return assessment


BUILDERS["screened"] = _screened
