"""Public access (offentleglova), UKE's pages: which parts of an assessment or fields of a tool overview entry
are exempt and on what legal basis, the innsyn copy of an assessment, and the tool entry's export for a request
for access. UKE (reviewers) and administrators only; every change and every copy is audited by the service.
How it works: docs/public-access.md.
"""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import labels
from assessments.audit import chain as audit
from assessments.forms.public_access import ExemptionForm, LiftForm, PublicAccessFilterForm, ToolExemptionForm
from assessments.models import Exemption, ToolEntry
from assessments.permissions import (
    can_view,
    get_assessment_for_exemptions,
    may_edit_catalogue,
    may_manage_exemptions,
    require,
    signed_in,
)
from assessments.presentation import public_access as presentation
from assessments.presentation.catalogue import version_json
from assessments.presentation.links import uuid_link
from assessments.queries import lists as queries
from assessments.queries.paging import paginate, querystring_without_page
from assessments.services import public_access as service
from assessments.views.filters import unless_invalid

PAGE_SIZE = 50


def _error_list(form) -> list[dict]:
    return [
        {"label": form.fields[name].label if name in form.fields else "", "anchor": f"id_{name}", "message": message}
        for name, errors in form.errors.items()
        for message in errors
    ]


def _marked(request, form, mark, done: str) -> bool:
    """Run the service's mark on a valid POST; its refusals become the form's errors."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        mark(**form.cleaned_data)
    except ValidationError as exc:
        for field, problems in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return False
    messages.success(request, done)
    return True


@require(may_manage_exemptions)
def public_access_list(request):
    """Where public-access work starts (the menu's «Offentlighet»): every submitted assessment, newest first, each
    linked to its exemptions and innsyn copy. Administrators read no review page, where UKE finds the same link."""
    form = PublicAccessFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = unless_invalid(form, queries.public_access(agency=filters.get("agency"), q=filters.get("q") or ""))
    page = paginate(qs, PAGE_SIZE, request.GET.get("page"))
    link, status_label = uuid_link("assessments:exemptions"), labels.for_batch(labels.STATUSES)
    for row in page.object_list:
        row.url = link(row.assessment.uuid)
        row.status_label = status_label(row.assessment.status)
    context = {
        "form": form,
        "page": page,
        "querystring": querystring_without_page(request),
        "columns": [_("Tittel"), _("Virksomhet"), _("Status"), _("Sendt inn"), _("Unntak")],
    }
    return render(request, "public_access/list.html", context)


@signed_in
def exemptions(request, assessment_uuid):
    assessment = get_assessment_for_exemptions(request, assessment_uuid)
    defn = service.definition_of(assessment)
    rows = Exemption.objects.filter(assessment=assessment).select_related("created_by")
    exempt = frozenset(e.target for e in rows)
    form = ExemptionForm(request.POST or None, definition=defn, exempt=exempt)
    mark = partial(service.exemption_mark, assessment=assessment, user=request.user)
    if _marked(request, form, mark, _("Unntaket er lagret. Det gjelder i det offentlige registeret og i kopier.")):
        return redirect("assessments:exemptions", assessment_uuid=assessment.uuid)
    context = {
        "assessment": assessment,
        # An administrator works here without reading the assessment itself: its title is then not a link.
        "may_open": can_view(request.user, assessment),
        "version": service.latest_version(assessment),
        "rows": presentation.exemption_rows(defn, rows),
        "lift_url": reverse("assessments:exemption_lift", args=[assessment.uuid]),
        "form": form,
        "error_list": _error_list(form),
    }
    return render(request, "public_access/assessment.html", context, status=400 if form.errors else 200)


@signed_in
@require_POST
def exemption_lift(request, assessment_uuid):
    assessment = get_assessment_for_exemptions(request, assessment_uuid)
    target = LiftForm(request.POST).named()
    if service.exemption_lift(assessment=assessment, user=request.user, target=target):
        messages.success(request, _("Unntaket er opphevet."))
    else:
        messages.info(request, _("Det var ikke noe unntak å oppheve."))
    return redirect("assessments:exemptions", assessment_uuid=assessment.uuid)


@signed_in
@require_POST
def innsyn_copy(request, assessment_uuid):
    """The innsyn copy as a download, made now with today's exemptions (a POST: it is audited)."""
    assessment = get_assessment_for_exemptions(request, assessment_uuid)
    version, pdf = service.innsyn_copy_make(assessment=assessment, user=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    # Named by the assessment's id, not its title: the title may be exempt, and the file goes to the requester.
    name = f"innsynskopi-{assessment.uuid}-v{version.number}-{timezone.localdate().isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- The tool overview --------------------------------------------------------------------------------------


@require(may_edit_catalogue)
def tool_exemptions(request, slug):
    entry = get_object_or_404(ToolEntry, slug=slug)
    form = ToolExemptionForm(request.POST or None)
    mark = partial(service.tool_exemption_mark, entry=entry, actor=request.user)
    if _marked(request, form, mark, _("Unntaket er lagret. Det gjelder i den offentlige oversikten og i uttrekk.")):
        return redirect("assessments:tool_exemptions", slug=slug)
    context = {
        "entry": entry,
        "current": entry.current(),
        "rows": presentation.tool_exemption_rows(entry.exemptions.select_related("created_by")),
        "lift_url": reverse("assessments:tool_exemption_lift", args=[slug]),
        "form": form,
        "error_list": _error_list(form),
    }
    return render(request, "public_access/tool.html", context, status=400 if form.errors else 200)


@require(may_edit_catalogue)
@require_POST
def tool_exemption_lift(request, slug):
    entry = get_object_or_404(ToolEntry, slug=slug)
    field = LiftForm(request.POST).named()
    if service.tool_exemption_lift(entry=entry, actor=request.user, field=field):
        messages.success(request, _("Unntaket er opphevet."))
    else:
        messages.info(request, _("Det var ikke noe unntak å oppheve."))
    return redirect("assessments:tool_exemptions", slug=slug)


@require(may_edit_catalogue)
def tool_innsyn_json(request, slug):
    """Every version of one entry, for a request for access, with the exempt fields left out and named."""
    entry = get_object_or_404(ToolEntry, slug=slug)
    notices = presentation.tool_notices([entry.pk]).get(entry.pk, {})
    versions = [presentation.redact_tool(version_json(v), notices) for v in entry.versions.order_by("number")]
    audit.record(request.user, "public_access.tool_innsyn_exported", entry, None, {"exempt": sorted(notices)})
    body = {"generated_at": timezone.now(), "entries": versions}
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="innsyn-verktoy-{entry.slug}.json"'
    return response
