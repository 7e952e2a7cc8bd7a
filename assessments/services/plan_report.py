"""Asking for the sealed status report of an action plan as of a date. Like the decision report, the request
only records a pending `Report` (kind "plan") and queues the worker after the commit; the worker renders and
seals it (reports/plan_status.py, reports/jobs.py), and the plan page polls until it is ready."""

import datetime as dt

from django.db import transaction

from assessments.audit import chain as audit
from assessments.models import Assessment, Report
from assessments.permissions import authorize
from assessments.services.locking import lock
from assessments.services.reports import enqueue_report_on_commit

WORKING = (Report.Status.PENDING, Report.Status.RENDERING)


def request_status_report(*, assessment: Assessment, user, as_of: dt.date) -> Report:
    """A pending status report of the plan as of `as_of`. The same report still in the making (a double
    click, two tabs) is returned instead of a second one."""
    authorize(user, assessment, "status_report")
    with transaction.atomic():
        locked = lock(Assessment, assessment.pk)
        waiting = Report.objects.filter(
            assessment=locked, kind=Report.Kind.PLAN, as_of=as_of, status__in=WORKING
        ).first()
        if waiting is not None:
            return waiting
        report = Report.objects.create(assessment=locked, kind=Report.Kind.PLAN, as_of=as_of, requested_by=user)
        audit.record(user, "plan.status_report_requested", locked, locked.agency_id,
                     {"report": str(report.uuid), "as_of": as_of.isoformat()})  # fmt: skip
        enqueue_report_on_commit(report)
    return report
