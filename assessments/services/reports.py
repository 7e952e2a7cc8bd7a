"""Reports requested by people: the unsigned preview of a draft."""

from django.db import transaction

from assessments import tasks
from assessments.audit import chain as audit
from assessments.models import (
    Assessment,
    Report,
)
from assessments.permissions import authorize
from assessments.services.locking import lock


def enqueue_report_on_commit(report: Report) -> None:
    report_id = report.pk
    transaction.on_commit(lambda: tasks.enqueue_render(report_id))


def report_request_preview(*, assessment: Assessment, user) -> Report:
    """An unsigned preview of the draft as it stands, watermarked UTKAST, stored under previews/.
    A preview still in the making is returned instead of a second one (double clicks, two tabs)."""
    authorize(user, assessment, "view_draft")
    with transaction.atomic():
        locked = lock(Assessment, assessment.pk)
        waiting = Report.objects.filter(
            assessment=locked,
            kind=Report.Kind.PREVIEW,
            status__in=[Report.Status.PENDING, Report.Status.RENDERING],
        ).first()
        if waiting is not None:
            return waiting
        report = Report.objects.create(assessment=locked, kind=Report.Kind.PREVIEW, requested_by=user)
        audit.record(
            user,
            "report.preview_requested",
            report,
            locked.agency_id,
            {"assessment": str(locked.uuid), "revision": locked.revision},
        )
        enqueue_report_on_commit(report)
    return report
