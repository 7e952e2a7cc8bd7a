"""Decisions on a submitted version: return for revision, approve, reject; the signed report of a final one."""

import calendar
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import labels, lifecycle, tasks
from assessments.audit import chain as audit
from assessments.lifecycle import StateConflict
from assessments.models import (
    Assessment,
    AssessmentVersion,
    Report,
)
from assessments.notifications import messages as notifications
from assessments.permissions import authorize
from assessments.services import catalogue_flags, plans
from assessments.services.reports import enqueue_report_on_commit
from assessments.services.review import REVIEW_REASON_MAX_LENGTH, lock_for_review, required_text


def assessment_return(
    *, assessment: Assessment, user, reason: str, version_number: int | None = None
) -> AssessmentVersion:
    """Return a submitted assessment to its agency for revision; the reason is required."""
    return _decide(assessment, user, AssessmentVersion.Decision.RETURNED, reason, version_number)


REVIEW_MONTHS = 12
REVIEW_MONTHS_HIGH_RISK = 6


def _months_later(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter (31 Aug + 6 -> 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def review_by_for(version: AssessmentVersion, today: dt.date) -> dt.date:
    """Approved uses are assessed again within 12 months; within 6 when the risk axis is high."""
    high = (version.result or {}).get("risk", {}).get("axis") == "high"
    return _months_later(today, REVIEW_MONTHS_HIGH_RISK if high else REVIEW_MONTHS)


def _supersede(user, approved: Assessment, version: AssessmentVersion, now) -> None:
    """An approved re-assessment takes the place of the assessment it replaces."""
    supersede = lifecycle.TRANSITIONS["supersede"]
    old = Assessment.objects.filter(pk=approved.replaces_id, status__in=supersede.sources).first()
    if old is None:
        return
    Assessment.objects.filter(pk=old.pk, status__in=supersede.sources).update(status=supersede.target, updated_at=now)
    # The re-assessment in force now answers for the tool: flags on the old one are resolved by it.
    catalogue_flags.close_resolved(old, version.answers, user, by=approved, version=version.number)
    audit.record(
        user,
        "assessment.superseded",
        old,
        old.agency_id,
        {"by_assessment": str(approved.uuid), "by_version": version.number},
    )


# What the reviewer writes with each decision: the field it is checked as, and what is said when it is
# blank (None: it may be, as an approval's comment).
_DECISION_TEXT = {
    AssessmentVersion.Decision.RETURNED: ("reason", gettext_lazy("Skriv hvorfor vurderingen returneres.")),
    AssessmentVersion.Decision.APPROVED: ("comment", None),
    AssessmentVersion.Decision.REJECTED: ("reason", gettext_lazy("Skriv hvorfor vurderingen avvises.")),
}


def _decide(
    assessment: Assessment, user, decision: str, text: str, version_number: int | None, conditions: dict | None = None
) -> AssessmentVersion:
    """A reviewer's decision on the latest submitted version: returned, approved or rejected. Approval and
    rejection are final and get a signed report; a return sends the assessment back for revision."""
    field, required_message = _DECISION_TEXT[decision]
    reason = required_text(text, field=field, limit=REVIEW_REASON_MAX_LENGTH, required_message=required_message)
    authorize(user, assessment, "review")
    with transaction.atomic():
        locked, version = lock_for_review(assessment, version_number, lifecycle.DECISION_TRANSITION[decision])
        approved = decision == AssessmentVersion.Decision.APPROVED
        if approved and version.verdict == lifecycle.STOP_VERDICT:
            raise ValidationError(
                labels.STOP_NOT_APPROVABLE,
                code="stop_verdict",
            )
        now = timezone.now()
        # Compare-and-set on both rows as well as the row lock (SQLite has no SELECT ... FOR UPDATE):
        # a second approval from another tab finds nothing left to change.
        decided = AssessmentVersion.objects.filter(pk=version.pk, decision="").update(
            decision=decision, decision_reason=reason, decided_by=user, decided_at=now
        )
        fields = {"status": lifecycle.DECISION_STATUS[decision], "updated_by": user, "updated_at": now}
        if approved:
            fields["review_by"] = review_by_for(version, timezone.localdate())
        sources = lifecycle.TRANSITIONS[lifecycle.DECISION_TRANSITION[decision]].sources
        moved = Assessment.objects.filter(pk=locked.pk, status__in=sources).update(**fields)
        if decided != 1 or moved != 1:
            raise StateConflict(_("Vurderingen er allerede behandlet. Ingenting ble endret."), locked)
        details = {"version": version.number, "verdict": version.verdict}
        report = None
        if decision == AssessmentVersion.Decision.RETURNED:
            details["comments"] = version.comments.count()
        else:
            report = Report.objects.create(
                assessment=locked, version=version, kind=Report.Kind.SIGNED, requested_by=user
            )
            details.update(
                {"report": str(report.uuid), "review_by": fields["review_by"].isoformat() if approved else None}
            )
        audit.record(user, f"assessment.{decision}", locked, locked.agency_id, details)
        plans.on_decided(user, locked, version, decision, conditions)
        if approved and locked.replaces_id:
            _supersede(user, locked, version, now)
        notifications.notify_on_commit(decision, locked)
        tasks.checkpoint_audit_on_commit()
        if report is not None:
            enqueue_report_on_commit(report)
    version.refresh_from_db()
    assessment.refresh_from_db()
    return version


def assessment_approve(
    *,
    assessment: Assessment,
    user,
    comment: str = "",
    version_number: int | None = None,
    conditions: dict | None = None,
) -> AssessmentVersion:
    """Approve the submitted version (not for verdict `stop`): sets the review-by date, supersedes the
    assessment this one replaces, and creates the signed report (made by a task after the commit)."""
    return _decide(assessment, user, AssessmentVersion.Decision.APPROVED, comment, version_number, conditions)


def assessment_reject(
    *, assessment: Assessment, user, reason: str, version_number: int | None = None
) -> AssessmentVersion:
    """Reject the submitted version; the reason is required. The decision gets a signed report too."""
    return _decide(assessment, user, AssessmentVersion.Decision.REJECTED, reason, version_number)
