"""The report panels that poll until the worker is done: the assessment page's (its signed reports and the
reader's latest draft preview) and the action plan's (its sealed status reports).

Shown by the `{% report_panel %}` tag on the assessment page and by the plan page, and polled through
`views/reports.report_status` (`?panel=plan` for the plan's); both templates extend reports/_polled.html.
Kept out of the views so the template tag needs no view module.
"""

from django.urls import reverse

from assessments.models import Assessment, Report
from assessments.permissions import can_make_status_report
from assessments.presentation.actions import available_actions

WORKING = (Report.Status.PENDING, Report.Status.RENDERING)
PLAN_PANEL = "plan"
# The plan page lists this many of the newest status reports.
PLAN_REPORTS_SHOWN = 10


def _polling(reports) -> bool:
    return any(r.status in WORKING for r in reports if r is not None)


def panel_context(request, assessment: Assessment) -> dict:
    """The signed reports of the assessment's decided versions, and the user's latest draft preview."""
    signed = list(
        assessment.reports.filter(kind=Report.Kind.SIGNED).select_related("version").order_by("-version__number")
    )
    may_preview = available_actions(request.user, assessment).preview
    preview = None
    if may_preview:
        preview = assessment.reports.filter(kind=Report.Kind.PREVIEW).order_by("-created_at").first()
    return {
        "assessment": assessment,
        "signed_reports": signed,
        "preview": preview,
        "may_preview": may_preview,
        "panel_id": "report-status",
        "poll_url": reverse("assessments:report_status", args=[assessment.uuid]),
        "polling": _polling([*signed, preview]),
        "next": request.get_full_path() if not request.htmx else "",
    }


def plan_panel_context(request, assessment: Assessment) -> dict:
    """The plan's sealed status reports, newest first, for those who may make and download them."""
    may_make = can_make_status_report(request.user, assessment)
    reports = []
    if may_make:
        reports = list(assessment.reports.filter(kind=Report.Kind.PLAN).order_by("-created_at")[:PLAN_REPORTS_SHOWN])
    return {
        "assessment": assessment,
        "plan_reports": reports,
        "may_make_status_report": may_make,
        "panel_id": "plan-report-status",
        "poll_url": reverse("assessments:report_status", args=[assessment.uuid]) + f"?panel={PLAN_PANEL}",
        "refresh_url": reverse("assessments:plan_detail", args=[assessment.uuid]) + "#status-reports",
        "polling": _polling(reports),
    }
