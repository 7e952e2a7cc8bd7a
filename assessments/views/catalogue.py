"""The tool overview (Verktøyoversikten): the list with search, an entry with its version history, UKE's forms,
the JSON for other systems, and the API tokens administrators issue.

Everyone signed in reads the catalogue; UKE (reviewers) and administrators change it (permissions.may_edit_catalogue).
The JSON also answers a bearer token (`Authorization: Bearer <token>`) from another municipal system; its keys are
documented in docs/catalogue.md.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments.choices import ToolStatus
from assessments.forms.catalogue import ApiTokenForm, ToolChangeForm, ToolCreateForm, WithdrawForm
from assessments.forms.review import FlagDismissForm
from assessments.labels import TOOL_STATUSES
from assessments.models.catalogue import VERSION_FIELDS, ApiToken, CatalogueFlag, ToolEntry
from assessments.permissions import (
    can_view,
    is_superuser,
    may_edit_catalogue,
    public,
    require,
    roles_for,
    signed_in,
)
from assessments.presentation import public_access
from assessments.presentation.catalogue import version_json
from assessments.queries import catalogue as reads
from assessments.services import catalogue as service
from assessments.services import catalogue_flags as flags_service
from assessments.text import whole_number
from assessments.views import flash_form_errors
from assessments.views.review import rerender


@signed_in
def catalogue_list(request):
    q = (request.GET.get("q") or "").strip()[:100]
    status = request.GET.get("status") or ""
    versions = reads.current_versions([status] if status in TOOL_STATUSES else None)
    if q:
        needle = q.casefold()
        versions = [v for v in versions if needle in f"{v.name} {v.vendor} {v.edition} {v.entry.slug}".casefold()]
    context = {
        "versions": versions,
        "q": q,
        "status": status,
        "unknown_status": bool(status) and status not in TOOL_STATUSES,  # an old or edited link: said, not hidden
        "statuses": list(ToolStatus.choices),
        "may_edit": may_edit_catalogue(roles_for(request.user)),
    }
    return render(request, "catalogue/list.html", context)


def _detail(request, entry: ToolEntry, withdraw_form: WithdrawForm | None = None):
    versions = list(entry.versions.select_related("created_by").order_by("-number"))
    context = {
        "entry": entry,
        "current": versions[0] if versions else None,
        "versions": versions,
        "uses": reads.uses_of(entry),
        "may_edit": may_edit_catalogue(roles_for(request.user)),
        "form": withdraw_form or WithdrawForm(),  # "form": base.html marks the title of a page with errors
    }
    status = 400 if withdraw_form is not None and withdraw_form.errors else 200
    return render(request, "catalogue/detail.html", context, status=status)


@signed_in
def catalogue_detail(request, slug):
    return _detail(request, get_object_or_404(ToolEntry, slug=slug))


@require(may_edit_catalogue)
def catalogue_create(request):
    form = ToolCreateForm(request.POST or None, initial={"status_since": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        slug = form.cleaned_data["slug"]
        try:
            version = service.tool_create(slug=slug, data=form.data_for_service(), actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("«%(name)s» er lagt til i verktøyoversikten.") % {"name": version.name})
            return redirect("assessments:catalogue_detail", slug=slug)
    status = 400 if form.errors else 200
    return render(request, "catalogue/form.html", {"form": form, "entry": None}, status=status)


@require(may_edit_catalogue)
def catalogue_change(request, slug):
    entry = get_object_or_404(ToolEntry, slug=slug)
    current = entry.current()
    initial = {name: getattr(current, name) for name in VERSION_FIELDS} | {"seen_number": current.number}
    form = ToolChangeForm(request.POST or None, initial=initial)
    status = 400 if form.errors else 200
    if request.method == "POST" and form.is_valid():
        try:
            version = service.tool_change(
                entry=entry,
                data=form.data_for_service(),
                actor=request.user,
                change_note=form.cleaned_data["change_note"],
                seen_number=form.cleaned_data["seen_number"],
            )
        except service.ChangedMeanwhile as stale:
            form.take_newer(stale.seen, stale.current)
            current, status = stale.current, 409
        else:
            messages.success(request, _("Ny versjon lagret: %(ref)s.") % {"ref": version.ref})
            return redirect("assessments:catalogue_detail", slug=slug)
    return render(request, "catalogue/form.html", {"form": form, "entry": entry, "current": current}, status=status)


def _json(entries: list[dict]) -> JsonResponse:
    body = {"generated_at": timezone.now(), "entries": entries}
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})


def _bearer(request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@public
def catalogue_json(request):
    """Signed-in users, or another system with a read-only API token (401 otherwise: an API is not redirected)."""
    token = None
    if not request.user.is_authenticated:
        token = service.api_token_check(_bearer(request))
        if token is None:
            response = JsonResponse({"error": "authentication required"}, status=401)
            response["WWW-Authenticate"] = 'Bearer realm="kiv-catalogue"'
            return response
    return _json([version_json(v) for v in reads.current_versions()])


@public
def public_catalogue_json(request):
    """With KIV_PUBLIC_REGISTER on: approved tools and what they are approved for, without sign-in."""
    if not settings.KIV_PUBLIC_REGISTER:
        raise Http404
    approved = [v for v in reads.current_versions([ToolStatus.APPROVED]) if not v.entry.is_demo or settings.DEBUG]
    # What UKE exempted from public access is left out, and `exempt` names it with its legal basis.
    notices = public_access.tool_notices(v.entry_id for v in approved)
    return _json([public_access.redact_tool(version_json(v, public_only=True), notices.get(v.entry_id, {}))
                  for v in approved])  # fmt: skip


@require(is_superuser)
def catalogue_tokens(request):
    form = ApiTokenForm()
    issued = None
    if request.method == "POST":
        if request.POST.get("revoke"):
            token = get_object_or_404(ApiToken, pk=whole_number(request.POST["revoke"]) or 0)
            service.api_token_revoke(token=token, actor=request.user)
            messages.success(request, _("Nøkkelen «%(name)s» er trukket tilbake.") % {"name": token.name})
            return redirect("assessments:catalogue_tokens")
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            _token, issued = service.api_token_issue(name=form.cleaned_data["name"], actor=request.user)
            form = ApiTokenForm()
    context = {
        "form": form,
        "issued": issued,
        "tokens": ApiToken.objects.select_related("created_by"),
        "json_url": request.build_absolute_uri(reverse("assessments:catalogue_json")),
    }
    return render(request, "catalogue/tokens.html", context, status=400 if form.errors else 200)


@require(may_edit_catalogue)
@require_http_methods(["GET", "POST"])
def catalogue_withdraw(request, slug):
    """A refused withdrawal is shown at this URL, so a GET here (a reload, the language switch) opens the tool."""
    entry = get_object_or_404(ToolEntry, slug=slug)
    if request.method == "GET":
        return redirect(reverse("assessments:catalogue_detail", args=[slug]) + "#withdraw")
    if entry.current().status != ToolStatus.APPROVED:
        messages.info(request, service.NOT_APPROVED)
        return redirect("assessments:catalogue_detail", slug=slug)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _detail(request, entry, form)
    try:
        version = service.tool_withdraw(entry=entry, actor=request.user, note=form.cleaned_data["note"])
    except ValidationError as exc:  # withdrawn meanwhile (another tab)
        messages.info(request, " ".join(exc.messages))
        return redirect("assessments:catalogue_detail", slug=slug)
    messages.success(
        request,
        _("Godkjenningen er trukket tilbake (%(ref)s). %(count)s vurderinger er merket for ny vurdering.")
        % {"ref": version.ref, "count": version.flags.count()},
    )
    return redirect("assessments:catalogue_detail", slug=slug)


@require(may_edit_catalogue)
@require_POST
def catalogue_flag_dismiss(request, pk):
    """UKE closes a flag with a reason. A refused reason is shown at its field on the review page, where the form
    is (400, the text kept); closed, or closed meanwhile in another tab, back to that page."""
    flag = get_object_or_404(CatalogueFlag.objects.select_related("assessment", "new_version__entry"), pk=pk)
    # An administrator may close a flag but reads no review page: back to the tool's page instead.
    readable = can_view(request.user, flag.assessment)
    if readable:
        detail = redirect("assessments:review_detail", assessment_uuid=flag.assessment.uuid)
    else:
        detail = redirect("assessments:catalogue_detail", slug=flag.new_version.entry.slug)
    form = FlagDismissForm(request.POST, flag_pk=flag.pk)
    if form.is_valid():
        try:
            flags_service.flag_dismiss(flag=flag, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            if getattr(exc, "code", None) == "closed":  # closed meanwhile: nothing to correct in the form
                messages.info(request, " ".join(exc.messages))
                return detail
            form.add_error(None, exc)  # the service's own check of the reason, put on its field
        else:
            messages.success(request, _("Flagget for %(ref)s er avsluttet.") % {"ref": flag.new_version.ref})
            return detail
    if not readable:
        flash_form_errors(request, form)
        return detail
    return rerender(request, flag.assessment, status=400, forms={"flag_dismiss": form})
