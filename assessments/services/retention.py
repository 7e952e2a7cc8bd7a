"""Retention: personal data that has been kept long enough is removed (docs/privacy.md states the periods).

- Closed assessments (rejected, withdrawn or superseded longer than KIV_RETENTION_CLOSED_DAYS): the name
  of the person responsible (the `owner` answer) in the draft and every version, and UKE's comments and the
  agency's replies (their text and who wrote them). The decision's record itself went to the archive.
- Sign-in data older than KIV_RETENTION_SIGNIN_DAYS: django-axes' failed attempts (user name, address,
  browser) and expired sessions.

The audit log chains ids only, so nothing in it changes and `verify_audit_log` still passes; each run that
removes something records one `retention.applied` event with counts and ids.
"""

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from assessments.audit import chain as audit
from assessments.models import Assessment, AssessmentVersion, ReviewComment

CLOSED_STATUSES = (Assessment.Status.REJECTED, Assessment.Status.WITHDRAWN, Assessment.Status.SUPERSEDED)
NAME_QUESTIONS = ("owner",)
REMOVED = "[fjernet etter oppbevaringstiden]"


def apply_retention(now=None) -> dict:
    """Remove what is due; return the counts (also in the audit event)."""
    now = now or timezone.now()
    with transaction.atomic():
        assessments = _closed_assessments_due(now)
        answers, named = _strip_names(assessments)
        comments, commented = _strip_comments(assessments)
        touched = sorted(named | commented)
        counts = {"assessments": len(touched), "answers": answers, "comments": comments, **_sign_in_data(now)}
        if any(counts.values()):
            audit.record(None, "retention.applied", details={**counts, "assessment_ids": touched})
    return counts


def _closed_assessments_due(now) -> list[Assessment]:
    cutoff = now - timedelta(days=settings.KIV_RETENTION_CLOSED_DAYS)
    return list(
        Assessment.objects.select_for_update().filter(status__in=CLOSED_STATUSES, updated_at__lt=cutoff).order_by("pk")
    )


def _strip_names(assessments: list[Assessment]) -> tuple[int, set[int]]:
    """Replace the name answers in the draft and in every frozen version: how many answer sets changed, and
    in which assessments."""
    changed, touched = 0, set()
    for assessment in assessments:
        if _strip(assessment.answers):
            Assessment.objects.filter(pk=assessment.pk).update(answers=assessment.answers)
            changed += 1
            touched.add(assessment.pk)
        for version in AssessmentVersion.objects.filter(assessment=assessment).only("pk", "answers"):
            if _strip(version.answers):
                AssessmentVersion.objects.filter(pk=version.pk).update(answers=version.answers)
                changed += 1
                touched.add(assessment.pk)
    return changed, touched


def _strip(answers: dict) -> bool:
    found = [key for key in NAME_QUESTIONS if answers.get(key) not in (None, "", REMOVED)]
    for key in found:
        answers[key] = REMOVED
    return bool(found)


def _strip_comments(assessments: list[Assessment]) -> tuple[int, set[int]]:
    comments = ReviewComment.objects.filter(version__assessment__in=assessments)
    due = comments.exclude(text=REMOVED, author__isnull=True)
    touched = set(due.values_list("version__assessment_id", flat=True))
    changed = due.update(text=REMOVED, author=None)
    comments.exclude(reply="").exclude(reply=REMOVED).update(reply=REMOVED)
    comments.filter(replied_by__isnull=False).update(replied_by=None)
    return changed, touched


def _sign_in_data(now) -> dict:
    cutoff = now - timedelta(days=settings.KIV_RETENTION_SIGNIN_DAYS)
    return {
        "failed_sign_ins": AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()[0]
        + AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0],
        "sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
    }
