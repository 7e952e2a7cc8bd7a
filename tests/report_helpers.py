"""Shared pieces for the report tests: the questionnaire, submitted versions scored for real, and a
throwaway sealing certificate (made once per session, never the default one in the data folder)."""

from functools import cache
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from assessments import scoring, signing
from assessments.demo_reports import COPILOT_LETTERS
from assessments.models import Assessment, AssessmentVersion, Questionnaire
from assessments.questionnaire import load_definition, validate_answers

SEAL_PASSWORD = "seal-test-passphrase"


@cache
def _definition() -> dict:
    return load_definition(Path(django_settings.BASE_DIR) / "fixtures" / "questionnaire" / "2026.1")


def questionnaire() -> Questionnaire:
    definition = _definition()
    found, _ = Questionnaire.objects.get_or_create(
        version=definition["version"], defaults={"title": definition["title"], "definition": definition}
    )
    return found


def submitted(agency, leader, answers: dict | None = None, *, status: str = "submitted",
              **fields) -> Assessment:
    """An assessment with one submitted version whose result is computed by the scoring engine."""
    q = questionnaire()
    cleaned, errors, _warnings = validate_answers(q.definition, dict(answers or COPILOT_LETTERS))
    assert not errors, errors
    result = scoring.score(q.definition, cleaned)
    assessment = Assessment.objects.create(
        agency=agency, questionnaire=q, created_by=leader, title=cleaned["title"], answers=cleaned,
        status=status, **fields,
    )
    AssessmentVersion.objects.create(
        assessment=assessment, number=1, questionnaire=q, answers=cleaned, result=result.to_dict(),
        verdict=result.verdict, quadrant=result.quadrant, submitted_by=leader,
    )
    return assessment


@pytest.fixture(scope="session")
def seal_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seal") / "seal.p12"
    path.write_bytes(
        signing.make_self_signed_p12("KI-veileder testsegl", password=SEAL_PASSWORD.encode(), key_size=2048)
    )
    return path


@pytest.fixture
def seal(settings, seal_file) -> Path:
    """Sign with the session's throwaway certificate."""
    settings.KIV_SIGNING_P12 = str(seal_file)
    settings.KIV_SIGNING_P12_PASSWORD = SEAL_PASSWORD
    return seal_file
