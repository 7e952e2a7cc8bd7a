"""Assessments of agency A made as a user would make them (through the services), and the questionnaire
fixtures they are answered on; shared by the feature tests, the permission matrix's objects and the browser tests."""

from functools import cache
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import services
from assessments.engine.loader import load_definition
from assessments.models import Questionnaire
from tests import answers as A

QUESTIONNAIRES = Path(__file__).resolve().parents[1] / "fixtures" / "questionnaire"

# The smallest file the evidence upload accepts as a PDF (its type is read from the content).
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    """A file as a browser uploads it; the declared type is not trusted, so it says nothing."""
    return SimpleUploadedFile(name, data, "application/octet-stream")


@cache
def fixture_definition(version: str = "2026.1") -> dict:
    """Questionnaire `version` from fixtures/, loaded and validated once per test run."""
    return load_definition(QUESTIONNAIRES / version)


def published_questionnaire(version: str = "2026.1"):
    """Questionnaire `version` in the database. Stored directly (the definition was validated when loaded):
    the permission matrix builds it for every case. tests/test_questionnaire_admin.py covers publishing."""
    definition = fixture_definition(version)
    return Questionnaire.objects.get_or_create(
        version=definition["version"], defaults={"title": definition["title"], "definition": definition}
    )[0]


def make_assessment(world, title: str, *, answers: dict | None = None, invite: bool = False, submit: bool = False):
    """An assessment of agency A made through the services, as the leader would."""
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
