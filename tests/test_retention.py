"""Retention: names in closed assessments' answers and comments, and old sign-in records, are removed when
due; the run is audited and the audit chain still verifies."""

import json
from datetime import timedelta
from io import StringIO

from axes.models import AccessAttempt
from django.core.management import call_command
from django.utils import timezone

from assessments import services
from assessments.models import Assessment, AssessmentVersion, AuditEvent, ReviewComment
from assessments.services.retention import REMOVED, apply_retention
from tests.review_helpers import approved, submitted

OWNER = "Kari Nordmann, seksjonsleder"


def _rejected(world, title: str, days_ago: int) -> Assessment:
    assessment = submitted(world, title, owner=OWNER)
    services.review_comment_add(assessment=assessment, user=world.users["reviewer"], text="Snakk med Kari.")
    services.assessment_reject(assessment=assessment, user=world.users["reviewer"], reason="Ikke lov.")
    Assessment.objects.filter(pk=assessment.pk).update(updated_at=timezone.now() - timedelta(days=days_ago))
    return Assessment.objects.get(pk=assessment.pk)


def _verify_audit_log() -> int:
    out = StringIO()
    try:
        call_command("verify_audit_log", stdout=out, stderr=StringIO())
    except SystemExit as exc:
        return exc.code
    assert json.loads(out.getvalue())
    return 0


def test_it_removes_names_from_closed_assessments_when_due_and_the_audit_chain_still_verifies(settings, world):
    settings.KIV_RETENTION_CLOSED_DAYS = 365
    old = _rejected(world, "Gammel avvist", days_ago=400)
    recent = _rejected(world, "Nylig avvist", days_ago=10)
    live = approved(world, "Godkjent og i bruk", owner=OWNER)
    Assessment.objects.filter(pk=live.pk).update(updated_at=timezone.now() - timedelta(days=800))

    counts = apply_retention()

    assert counts["assessments"] == 1 and counts["comments"] == 1 and counts["answers"] == 2
    old.refresh_from_db()
    assert old.answers["owner"] == REMOVED
    assert AssessmentVersion.objects.get(assessment=old).answers["owner"] == REMOVED
    comment = ReviewComment.objects.get(version__assessment=old)
    assert (comment.text, comment.author) == (REMOVED, None)
    for kept in (recent, live):
        assert AssessmentVersion.objects.get(assessment=kept).answers["owner"] == OWNER
    assert ReviewComment.objects.get(version__assessment=recent).text == "Snakk med Kari."
    event = AuditEvent.objects.get(action="retention.applied")
    assert event.details["assessment_ids"] == [old.pk]
    assert OWNER not in json.dumps(event.details)
    assert _verify_audit_log() == 0
    # Nothing is due a second time.
    assert not any(apply_retention().values())
    assert AuditEvent.objects.filter(action="retention.applied").count() == 1


def test_it_removes_failed_sign_in_records_after_their_period(settings, db):
    settings.KIV_RETENTION_SIGNIN_DAYS = 90
    fields = {"user_agent": "x", "ip_address": "10.0.0.1", "http_accept": "*/*", "path_info": "/logg-inn/"}
    fields |= {"get_data": "", "post_data": "", "failures_since_start": 1}
    old = AccessAttempt.objects.create(username="kari", **fields)
    new = AccessAttempt.objects.create(username="ola", **fields)
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - timedelta(days=91))
    counts = apply_retention()
    assert counts["failed_sign_ins"] == 1
    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [new.pk]
    assert _verify_audit_log() == 0


def test_the_privacy_page_states_the_periods(settings, client, db):
    settings.KIV_RETENTION_CLOSED_DAYS = 400
    settings.KIV_RETENTION_SIGNIN_DAYS = 30
    body = client.get("/personvern/").content.decode()
    assert "400 dager" in body and "30 dager" in body
