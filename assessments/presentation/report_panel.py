"""The report panel of an assessment page: its signed reports and the reader's latest draft preview.

Shown by the `{% report_panel %}` tag on the assessment page and polled through `views/reports.py`; kept out of
the views so the template tag needs no view module (it imported one inside the function before).
"""

from assessments.models import Assessment, Report
from assessments.presentation.actions import available_actions

WORKING = (Report.Status.PENDING, Report.Status.RENDERING)


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
        "polling": any(r.status in WORKING for r in [*signed, preview] if r is not None),
        "next": request.get_full_path() if not request.htmx else "",
    }
