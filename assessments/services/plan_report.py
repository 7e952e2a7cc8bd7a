"""Asking for the sealed status report of an action plan as of a date. Like the decision report, the request
only records a pending `Report` (kind "plan") and queues the worker after the commit; the worker renders and
seals it (reports/plan_status.py, reports/jobs.py), and the plan page polls until it is ready."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.audit import chain as audit
from assessments.models import Assessment, Report
from assessments.models.plans import PlanItemHistory
from assessments.permissions import authorize
from assessments.presentation.display import format_date
from assessments.services.locking import lock
from assessments.services.reports import enqueue_report_on_commit

WORKING = (Report.Status.PENDING, Report.Status.RENDERING)


def plan_began(assessment: Assessment) -> dt.date | None:
    """The first day (in Oslo) the plan has anything to report: its items' first history (a carried item's
    starts in the assessment it came from), else the assessment's first submission; None before either."""
    first = PlanItemHistory.objects.filter(item__assessment=assessment).aggregate(first=Min("at"))["first"]
    if first is None:
        first = assessment.versions.aggregate(first=Min("submitted_at"))["first"]
    return timezone.localdate(first) if first else None


def _check_as_of(assessment: Assessment, as_of: dt.date) -> None:
    """A report as of a day before the plan began would only say it had no items, sealed as if that were so."""
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": _("Datoen kan ikke være fram i tid.")})
    began = plan_began(assessment)
    if began is None:
        raise ValidationError({"as_of": _("Vurderingen er ikke sendt inn, så den har ingen tiltaksplan ennå.")})
    if as_of < began:
        message = _("Tiltaksplanen fantes ikke før %(date)s. Velg en dato fra og med den, til og med i dag.")
        raise ValidationError({"as_of": message % {"date": format_date(began)}})


def request_status_report(*, assessment: Assessment, user, as_of: dt.date) -> Report:
    """A pending status report of the plan as of `as_of`, a day from the plan's start until today. The same
    report still in the making (a double click, two tabs) is returned instead of a second one."""
    authorize(user, assessment, "status_report")
    with transaction.atomic():
        locked = lock(Assessment, assessment.pk)
        _check_as_of(locked, as_of)
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
