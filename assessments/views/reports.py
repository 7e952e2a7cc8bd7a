"""Report status (polled with htmx), download, draft preview and the verification page."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from assessments import services
from assessments.accounts.redirects import is_local_path
from assessments.audit import chain as audit
from assessments.models import Assessment, Report, norwegian_slugify
from assessments.permissions import can_see_draft, can_verify, can_view, get_assessment, require, signed_in
from assessments.presentation.actions import available_actions
from assessments.presentation.report_panel import PLAN_PANEL, panel_context, plan_panel_context
from assessments.reports import render as reports
from assessments.reports import signing
from assessments.text import Form, file_field


@signed_in
@require_GET
@never_cache
def report_status(request, assessment_uuid):
    """The report panel: a fragment for htmx polling, a whole page without JavaScript."""
    assessment = get_assessment(request, assessment_uuid, "view")
    if request.GET.get("panel") == PLAN_PANEL:  # the plan page's status reports; the page itself without JS
        if not request.htmx:
            return redirect(reverse("assessments:plan_detail", args=[assessment.uuid]) + "#status-reports")
        return render(request, "plans/_status_reports.html", plan_panel_context(request, assessment))
    context = panel_context(request, assessment)
    template = "reports/_report_status.html" if request.htmx else "reports/status.html"
    return render(request, template, context)


def _filename(report: Report) -> str:
    assessment = report.assessment
    with translation.override(assessment.language):  # the report's language, not the reader's
        base = norwegian_slugify(f"{assessment.agency.slug} {assessment.title}")[:80].strip("-")
        base = base or pgettext("file name", "vurdering")
        if report.kind == Report.Kind.PREVIEW:
            return f"{pgettext('file name', 'utkast')}-{base}.pdf"
        return f"{pgettext('file name', 'ki-vurdering')}-{base}-v{report.version.number}.pdf"


@signed_in
@require_GET
def report_download(request, assessment_uuid, report_uuid):
    assessment = get_assessment(request, assessment_uuid, "download")
    report = get_object_or_404(
        Report.objects.select_related("version"),
        uuid=report_uuid,
        assessment=assessment,
        # a plan status report has its own download, behind its own rule (plans.plan_status_report_download)
        kind__in=[Report.Kind.SIGNED, Report.Kind.PREVIEW],
        status=Report.Status.READY,
    )
    # A preview shows the live draft: only the people who may see the draft may have it.
    if report.kind == Report.Kind.PREVIEW and not can_see_draft(request.user, assessment):
        raise Http404
    try:
        handle = default_storage.open(report.storage_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    audit.record(
        request.user,
        "report.downloaded",
        report,
        assessment.agency_id,
        {
            "assessment": str(assessment.uuid),
            "kind": report.kind,
            "version": report.version.number if report.version else None,
        },
    )
    return FileResponse(handle, as_attachment=True, filename=_filename(report), content_type="application/pdf")


def _back(request, assessment: Assessment) -> str:
    target = request.POST.get("next", "")
    if is_local_path(target):
        return target
    return reverse("assessments:report_status", args=[assessment.uuid])


@signed_in
@require_http_methods(["GET", "POST"])
def report_preview(request, assessment_uuid):
    """POST asks for an unsigned preview of the draft (leader and invited contributors). A refusal is shown at this
    URL, so a GET (a reload, the language switch) leads to the report's status page."""
    assessment = get_assessment(request, assessment_uuid, "view_draft")
    if request.method == "GET":
        return redirect("assessments:report_status", assessment_uuid=assessment.uuid)
    if not available_actions(request.user, assessment).preview:
        # Only a draft (or a returned one) has something to preview; a decided one has its signed report.
        raise PermissionDenied(_("Det finnes ikke noe utkast å forhåndsvise for en vurdering med denne statusen."))
    services.report_request_preview(assessment=assessment, user=request.user)
    if request.htmx:
        return render(request, "reports/_report_status.html", panel_context(request, assessment))
    messages.info(request, _("Forhåndsvisningen lages. Den dukker opp under «Rapport» når den er klar."))
    return HttpResponseRedirect(_back(request, assessment))


NOT_A_PDF = gettext_lazy("Filen er ikke en PDF som kan leses. Last opp rapporten slik du fikk den fra KI-veileder.")


class VerifyForm(Form):
    pdf = file_field(
        gettext_lazy("PDF-rapport"),
        choose=gettext_lazy("Velg PDF-filen du vil kontrollere."),
        help_text=gettext_lazy("Velg en rapport fra KI-veileder (PDF)."),
    )

    def clean_pdf(self) -> bytes:
        upload = self.cleaned_data["pdf"]
        limit = settings.KIV_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("Filen er for stor. Største tillatte størrelse er %(limit)s.") % {"limit": filesizeformat(limit)}
            )
        data = upload.read()
        if not data.lstrip()[:5] == b"%PDF-":
            raise forms.ValidationError(NOT_A_PDF)
        return data


def _match(request, outcome: dict) -> dict:
    """What the user may learn about the stored report: only what they could open themselves."""
    stored, claimed = outcome["stored"], outcome["claimed"]
    visible = stored is not None and can_view(request.user, stored.assessment)
    claimed_visible = claimed is not None and can_view(request.user, claimed.assessment)
    plan_report = outcome.get("plan_report")
    plan_visible = plan_report is not None and can_view(request.user, plan_report.assessment)
    return {
        "stored": stored if visible else None,
        "claimed": claimed if claimed_visible else None,
        "plan_report": plan_report if plan_visible else None,
        "hidden": (stored is not None and not visible)
        or (claimed is not None and not claimed_visible)
        or (plan_report is not None and not plan_visible),
    }


@require(can_verify)
@require_http_methods(["GET", "POST"])
def report_verify(request):
    """Upload a PDF: is the seal intact, who signed, when, and which stored report and version is it?"""
    form = VerifyForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = reports.verify_document(form.cleaned_data["pdf"])
        except signing.NotAPdfError:
            form.add_error("pdf", NOT_A_PDF)
        else:
            outcome.update(_match(request, outcome))
            stored = outcome["stored"] or outcome["plan_report"]
            agency_id = stored.assessment.agency_id if stored else None
            audit.record(
                request.user,
                "report.verified",
                stored,
                agency_id,
                {
                    "sha256": outcome["sha256"],
                    "valid": outcome["valid"],
                    "intact": outcome["intact"],
                    "matches": outcome["matches"],
                },
            )
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "reports/verify.html", {"form": form, "outcome": outcome}, status=status)
