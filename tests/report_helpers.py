"""Shared pieces for the report tests: the questionnaire, submitted versions scored for real, and a
throwaway sealing certificate (made once per session, never the default one in the data folder)."""

import contextlib
import io
from pathlib import Path

from django.contrib.auth import get_user_model
from pyhanko.pdf_utils.reader import PdfFileReader

from assessments import services
from assessments.demo.decided import COPILOT_LETTERS
from assessments.engine import scoring
from assessments.engine.answers import validate_answers
from assessments.models import Agency, Assessment, AssessmentVersion, Membership, MunicipalRole, Questionnaire, Report
from assessments.reports import signing
from tests.assessment_helpers import published_questionnaire

SEAL_PASSWORD = "seal-test-passphrase"
SEAL_NAME = "KI-veileder testsegl"


def questionnaire() -> Questionnaire:
    # The demo answer sets the report tests use are written for the newest version.
    return published_questionnaire("2026.3")


def draft(world, title: str = "Utkast til chatbot") -> Assessment:
    """A draft of agency A on the newest questionnaire with nothing but its title answered."""
    return Assessment.objects.create(
        agency=world.agency_a,
        questionnaire=questionnaire(),
        created_by=world.users["leader_a"],
        title=title,
        answers={"title": title},
    )


def ready_preview(world, capture_on_commit, title: str = "Utkast til chatbot") -> tuple[Assessment, object]:
    """A draft (title only) and its preview, rendered for real by the leader's request: (assessment, report)."""
    assessment = draft(world, title)
    with capture_on_commit(execute=True):
        report = services.report_request_preview(assessment=assessment, user=world.users["leader_a"])
    report.refresh_from_db()
    assert report.status == "ready", report.error
    return assessment, report


def approved_report(world, capture_on_commit=None) -> Report:
    """The signed report of an approved assessment of agency A: rendered when `capture_on_commit`
    (django_capture_on_commit_callbacks) runs the approval's callbacks, else still pending."""
    assessment = submitted(world.agency_a, world.users["leader_a"])
    with capture_on_commit(execute=True) if capture_on_commit else contextlib.nullcontext():
        services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    return Report.objects.get(assessment=assessment)


def agency_with_reviewer(agency_name: str, *, prefix: str = "") -> tuple:
    """A new agency with its leader (`<prefix>leader`) and a UKE reviewer (`<prefix>reviewer`): the fewest
    people an approval needs, for scripts that run without the `world` fixture. Returns (agency, leader,
    reviewer)."""
    agency = Agency.objects.create(name=agency_name, kind="bydel")
    users = get_user_model().objects
    leader = users.create_user(f"{prefix}leader", email="leader@example.org")
    Membership.objects.create(user=leader, agency=agency, role="leader")
    reviewer = users.create_user(f"{prefix}reviewer", email="reviewer@example.org")
    MunicipalRole.objects.create(user=reviewer, role="reviewer")
    return agency, leader, reviewer


def submitted(agency, leader, answers: dict | None = None, *, status: str = "submitted", **fields) -> Assessment:
    """An assessment with one submitted version whose result is computed by the scoring engine."""
    q = questionnaire()
    cleaned, errors, _warnings = validate_answers(q.definition, dict(answers or COPILOT_LETTERS))
    assert not errors, errors
    result = scoring.score(q.definition, cleaned)
    assessment = Assessment.objects.create(
        agency=agency,
        questionnaire=q,
        created_by=leader,
        title=cleaned["title"],
        answers=cleaned,
        status=status,
        **fields,
    )
    AssessmentVersion.objects.create(
        assessment=assessment,
        number=1,
        questionnaire=q,
        answers=cleaned,
        result=result.to_dict(),
        verdict=result.verdict,
        quadrant=result.quadrant,
        submitted_by=leader,
    )
    return assessment


_seal_path: list[Path] = []


def use_test_seal(settings, tmp_path_factory) -> Path:
    """Point the app at a throwaway sealing certificate, made once per session. Each test module wraps
    this in an autouse fixture, so nothing ever writes the default certificate into the data folder."""
    if not _seal_path:
        path = tmp_path_factory.mktemp("seal") / "seal.p12"
        p12 = signing.make_self_signed_p12(SEAL_NAME, password=SEAL_PASSWORD.encode(), key_size=2048)
        path.write_bytes(p12)
        _seal_path.append(path)
    settings.KIV_SIGNING_P12 = str(_seal_path[0])
    settings.KIV_SIGNING_P12_PASSWORD = SEAL_PASSWORD
    return _seal_path[0]


def flip_one_byte_in_signed_content(data: bytes) -> bytes:
    """Change one byte well inside the first signed range (the page content), not in the signature."""
    reader = PdfFileReader(io.BytesIO(data))
    byte_range = list(reader.embedded_signatures[0].sig_object["/ByteRange"])
    position = byte_range[1] // 2
    tampered = bytearray(data)
    tampered[position] ^= 0x01
    return bytes(tampered)
