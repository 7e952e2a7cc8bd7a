"""The action plan pages: the plan, one item (edit, evidence, history), the go-live, exports, the sealed
status report and UKE's overview of overdue measures. Every view asks the permission layer first; an
assessment of another agency is 404 (get_assessment), and so are its items and evidence."""

from datetime import timedelta
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods

from assessments import exports
from assessments.audit import chain as audit
from assessments.forms.plans import (
    EvidenceForm,
    InUseCorrectionForm,
    InUseForm,
    ItemForm,
    OverdueFilterForm,
    StatusReportForm,
)
from assessments.models import Assessment, Report, norwegian_slugify
from assessments.models.plans import Evidence, PlanItem
from assessments.permissions import (
    acts,
    can_edit_plan,
    can_view,
    get_assessment,
    is_auditor_or_reviewer,
    is_leader_of,
    require,
    signed_in,
    submitted_scope,
)
from assessments.presentation.display import localized
from assessments.presentation.plan_items import mark_answered_in_place
from assessments.presentation.report_panel import plan_panel_context
from assessments.queries.lists import filtered_by
from assessments.services import go_live, plan_reminders, plan_report, plans
from assessments.services import plan_reassess as reassess
from assessments.views import downloads
from assessments.views.filters import unless_invalid

OVERDUE_LIMIT = 500


def _plan_url(assessment, anchor: str = "") -> str:
    return reverse("assessments:plan_detail", args=[assessment.uuid]) + (f"#{anchor}" if anchor else "")


def _items(assessment):
    return (
        assessment.plan_items.select_related("owner")
        .prefetch_related("evidence")
        .order_by("-required", "-before_use", "kind", "id")
    )


def _handover(request, assessment: Assessment, items) -> dict:
    """After a material change: the replacement that holds the open items now, whether this user may open
    it, and each carried item's copy there (`item.moved_to`)."""
    replacement = plans.replacement_of(assessment)
    copies = plans.carried_copies(replacement, items)
    for item in items:
        item.moved_to = copies.get(item.pk)
    visible = replacement is not None and can_view(request.user, replacement)
    return {"replacement": replacement, "replacement_visible": visible}


def plan_context(request, assessment: Assessment, **extra) -> dict:
    items = list(_items(assessment))
    mark_answered_in_place(assessment, items)
    today = timezone.localdate()
    closed = plans.is_closed(assessment)
    handover = _handover(request, assessment, items)
    leads_approved = is_leader_of(request.user, assessment) and assessment.status == Assessment.Status.APPROVED
    may_go_live = leads_approved and not assessment.in_use_since
    return {
        "assessment": assessment,
        "items": items,
        "today": today,
        "closed": closed,
        **handover,
        "may_edit": can_edit_plan(request.user, assessment) and not closed and not handover["replacement"],
        "may_go_live": may_go_live,
        "may_correct_go_live": leads_approved and bool(assessment.in_use_since),
        "blocking": [i for i in items if i.blocks_go_live],
        # Said before the leader presses "Registrer tatt i bruk", which refuses them (services/go_live.py).
        "undocumented": go_live.undocumented_items(assessment) if may_go_live else [],
        "overdue": [i for i in items if i.is_open and i.effective_due and i.effective_due < today],
        "in_use_form": extra.pop("in_use_form", None) or InUseForm(initial={"since": today}),
        "correction_form": extra.pop("correction_form", None)
        or InUseCorrectionForm(initial={"shown": assessment.in_use_since}),
        "report_form": extra.pop("report_form", None) or StatusReportForm(initial={"as_of": today}),
        "held_back": Evidence.objects.filter(
            item__assessment=assessment, removed_at__isnull=True, scan_status__in=Evidence.HELD_BACK
        ).select_related("item"),
        **plan_panel_context(request, assessment),
        **extra,
    }


@signed_in
@require_GET
def plan_detail(request, assessment_uuid):
    assessment = get_assessment(request, assessment_uuid, "view")
    return render(request, "plans/detail.html", plan_context(request, assessment))


def _item(request, assessment_uuid, item_id, action: str = "view") -> PlanItem:
    assessment = get_assessment(request, assessment_uuid, action)
    return get_object_or_404(PlanItem.objects.select_related("owner"), pk=item_id, assessment=assessment)


def _item_page(request, item: PlanItem, *, form=None, evidence_form=None, status: int = 200):
    assessment = item.assessment
    handover = _handover(request, assessment, [item])
    mark_answered_in_place(assessment, [item])
    closed = plans.is_closed(assessment)
    may_edit = can_edit_plan(request.user, assessment) and not closed and not handover["replacement"]
    initial = {"owner": item.owner_id, "due_date": item.due_date, "status": item.status,
               "status_reason": item.status_reason}  # fmt: skip
    context = {
        "assessment": assessment,
        "item": item,
        "may_edit": may_edit,
        "closed": closed,
        **handover,
        "form": form or ItemForm(initial=initial, agency_id=assessment.agency_id, condition_due=item.condition_due),
        "evidence_form": evidence_form or EvidenceForm(),
        "evidence": item.evidence.select_related("added_by", "removed_by"),
        "history": item.history.select_related("actor").order_by("-at", "-id"),
        "may_reassess": is_leader_of(request.user, assessment) and reassess.may_reassess(item),
    }
    return render(request, "plans/item.html", context, status=status)


@acts("GET", "POST")
def plan_item(request, assessment_uuid, item_id):
    if request.method == "GET":
        return _item_page(request, _item(request, assessment_uuid, item_id))
    item = _item(request, assessment_uuid, item_id, "edit_plan")
    form = ItemForm(request.POST, agency_id=item.assessment.agency_id, condition_due=item.condition_due)
    if not form.is_valid():
        return _item_page(request, item, form=form, status=400)
    try:
        saved = plans.item_update(item=item, user=request.user, changed=form.changed_fields(), **form.cleaned_data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _item_page(request, item, form=form, status=400)
    if not saved:
        messages.info(request, _("Ingenting var endret, så tiltaket er ikke lagret på nytt."))
    else:
        messages.success(request, _("Tiltaket er oppdatert."))
    item.refresh_from_db()
    if is_leader_of(request.user, item.assessment) and reassess.may_reassess(item):
        # Done with evidence: the next step, a re-assessment with the answer, is offered on the item's page.
        messages.info(request, _("Tiltaket er ferdig og dokumentert. Du kan nå starte en ny vurdering med svaret."))
        return redirect(reverse("assessments:plan_item", args=[item.assessment.uuid, item.pk]) + "#reassess")
    return redirect(_plan_url(item.assessment, f"item-{item.pk}"))


@acts("GET", "POST")
def plan_evidence_add(request, assessment_uuid, item_id):
    """POST adds a file or a link; a refusal is shown at this URL, so a GET (a reload, the language switch)
    leads back to the item's page."""
    if request.method == "GET":
        item = _item(request, assessment_uuid, item_id)
        return redirect(reverse("assessments:plan_item", args=[item.assessment.uuid, item.pk]))
    item = _item(request, assessment_uuid, item_id, "edit_plan")
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _item_page(request, item, evidence_form=form, status=400)
    try:
        plans.evidence_add(item=item, user=request.user, upload=form.cleaned_data["file"], url=form.cleaned_data["url"])
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return _item_page(request, item, evidence_form=form, status=400)
    messages.success(request, _("Dokumentasjonen er lagt til."))
    return redirect(reverse("assessments:plan_item", args=[item.assessment.uuid, item.pk]))


def _evidence(request, assessment_uuid, evidence_uuid, action: str) -> Evidence:
    assessment = get_assessment(request, assessment_uuid, action)
    return get_object_or_404(Evidence.objects.select_related("item__assessment"), uuid=evidence_uuid,
                             item__assessment=assessment)  # fmt: skip


@acts("POST")
def plan_evidence_remove(request, assessment_uuid, evidence_uuid):
    evidence = _evidence(request, assessment_uuid, evidence_uuid, "edit_plan")
    plans.evidence_remove(evidence=evidence, user=request.user)
    messages.success(request, _("Dokumentasjonen er fjernet fra tiltaket. Den står fortsatt i historikken."))
    return redirect(reverse("assessments:plan_item", args=[assessment_uuid, evidence.item_id]))


def _refuse_download(request, evidence: Evidence):
    """A file not yet scanned, quarantined or refused by the scanner is never served: the item page says why."""
    if evidence.scan_status == Evidence.Scan.QUARANTINED:
        messages.error(request, _("Filen «%(name)s» ble stoppet av virussjekken og kan ikke lastes ned.")
                       % {"name": evidence.file_name})  # fmt: skip
    elif evidence.scan_status == Evidence.Scan.REFUSED:
        messages.error(request, _("Virussjekken kunne ikke kontrollere filen «%(name)s», så den kan ikke lastes ned.")
                       % {"name": evidence.file_name})  # fmt: skip
    else:
        messages.warning(request, _("Filen «%(name)s» venter på virussjekk. Prøv igjen om litt.")
                         % {"name": evidence.file_name})  # fmt: skip
    return redirect(reverse("assessments:plan_item", args=[evidence.item.assessment.uuid, evidence.item_id]))


@signed_in
@require_GET
def plan_evidence_download(request, assessment_uuid, evidence_uuid):
    evidence = _evidence(request, assessment_uuid, evidence_uuid, "download")
    if not evidence.storage_name:
        raise Http404
    if not evidence.downloadable:
        return _refuse_download(request, evidence)
    try:
        handle = default_storage.open(evidence.storage_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    assessment = evidence.item.assessment
    audit.record(request.user, "plan.evidence_downloaded", assessment, assessment.agency_id,
                 {"evidence": str(evidence.uuid), "sha256": evidence.sha256})  # fmt: skip
    return FileResponse(handle, as_attachment=True, filename=evidence.file_name, content_type=evidence.content_type)


@acts("POST")
def plan_reassess(request, assessment_uuid, item_id):
    """Start a re-assessment with a done measure answered (the leader; the usual review follows)."""
    item = _item(request, assessment_uuid, item_id, "lead")
    try:
        new = reassess.start_reassessment(item=item, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("assessments:plan_item", args=[assessment_uuid, item.pk]))
    messages.success(request, _("Ny vurdering er startet med tiltaket besvart. Les gjennom og send inn til UKE."))
    return redirect(reverse("assessments:assessment_detail", args=[new.uuid]))


def _refused(request, assessment: Assessment, form, context_key: str, act):
    """A plan form's POST: `act(**cleaned_data)` calls the service once the form is valid, and a value the service
    refuses (a date before the approval, say) is shown at the form's field: the services key such a refusal by the
    form's own field name (`since`, `as_of`), which `add_error` requires. The plan page with the errors (400), or
    None when the service acted."""
    if form.is_valid():
        try:
            act(**form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
    if not form.errors:
        return None
    return render(request, "plans/detail.html", plan_context(request, assessment, **{context_key: form}), status=400)


@acts("GET", "POST")
def plan_in_use(request, assessment_uuid):
    """POST records the go-live day."""
    done = _("Det er registrert at løsningen er tatt i bruk.")
    return _go_live(request, assessment_uuid, InUseForm, "in_use_form", go_live.record_in_use, done)


@acts("GET", "POST")
def plan_in_use_correct(request, assessment_uuid):
    """POST corrects the recorded go-live day, with a reason."""
    done = _("Datoen for når løsningen ble tatt i bruk, er rettet.")
    return _go_live(request, assessment_uuid, InUseCorrectionForm, "correction_form", go_live.correct_in_use, done)


def _go_live(request, assessment_uuid, form_class, context_key: str, act, done: str):
    """The leader's two go-live forms: `act` (services/go_live.py) with the form's values, then back to the plan's
    go-live section. A refusal is shown at the form's URL, so a GET there (a reload) leads back to the section."""
    if request.method == "GET":
        return redirect(_plan_url(get_assessment(request, assessment_uuid, "view"), "go-live"))
    assessment = get_assessment(request, assessment_uuid, "lead")
    act_here = partial(act, assessment=assessment, user=request.user)
    refused = _refused(request, assessment, form_class(request.POST), context_key, act_here)
    if refused:
        return refused
    messages.success(request, done)
    return redirect(_plan_url(assessment, "go-live"))


# --- Exports and the sealed status report ------------------------------------------------------------

# The headers in the user's language, as the values are (gettext_lazy: looked up when the file is written).
COLUMNS = [
    exports.Column("title", gettext_lazy("Tiltak")),
    exports.Column("kind", gettext_lazy("Type")),
    exports.Column("source", gettext_lazy("Kilde")),
    exports.Column("owner", gettext_lazy("Ansvarlig")),
    exports.Column("due_date", gettext_lazy("Frist"), "date"),
    exports.Column("status", gettext_lazy("Status")),
    exports.Column("required", gettext_lazy("Påkrevd")),
    exports.Column("before_use", gettext_lazy("Før bruk")),
    exports.Column("condition_due", gettext_lazy("Frist fra UKE"), "date"),
    exports.Column("evidence", gettext_lazy("Dokumentasjon")),
]


def _rows(assessment):
    for item in _items(assessment):
        evidence = [e.shown_name for e in item.evidence.all() if e.removed_at is None]
        owner = (item.owner.get_full_name() or item.owner.get_username()) if item.owner else ""
        yield [localized(item, "title"), item.kind_label, localized(item, "source"), owner, item.due_date,
               item.get_status_display(), _("Ja") if item.required else _("Ikke lenger påkrevd"),
               _("Ja") if item.before_use else "", item.condition_due, "; ".join(evidence)]  # fmt: skip


def _plan_file_name(assessment) -> str:
    return f"{pgettext('file name', 'tiltaksplan')}-" + (
        norwegian_slugify(assessment.title)[:60] or pgettext("file name", "vurdering")
    )


@signed_in
@require_GET
def plan_export(request, assessment_uuid, fmt: str):
    assessment = get_assessment(request, assessment_uuid, "view")
    stem = _plan_file_name(assessment)
    audit.record(request.user, "plan.exported", assessment, assessment.agency_id, {"format": fmt})
    return exports.response(fmt, stem, COLUMNS, _rows(assessment), sheet=_("Tiltaksplan"), key="items")


@signed_in
@require_http_methods(["GET", "POST"])
def plan_status_report(request, assessment_uuid):
    """Ask for the sealed status report of the plan as of a date: the worker makes it after the response
    (as it makes the decision report), and the plan page polls until it is ready. A refusal is shown at this
    URL, so a GET (a reload, the language switch) leads back to the plan's status reports."""
    if request.method == "GET":
        return redirect(_plan_url(get_assessment(request, assessment_uuid, "view"), "status-reports"))
    assessment = get_assessment(request, assessment_uuid, "status_report")
    ask = partial(plan_report.request_status_report, assessment=assessment, user=request.user)
    refused = _refused(request, assessment, StatusReportForm(request.POST), "report_form", ask)
    if refused:
        return refused
    messages.info(request, _("Statusrapporten lages. Lenken til den kommer under «Statusrapporter» når den er klar."))
    return redirect(_plan_url(assessment, "status-reports"))


@signed_in
@require_GET
def plan_status_report_download(request, assessment_uuid, report_uuid):
    assessment = get_assessment(request, assessment_uuid, "status_report")
    report = get_object_or_404(
        Report, uuid=report_uuid, assessment=assessment, kind=Report.Kind.PLAN, status=Report.Status.READY
    )
    try:
        handle = default_storage.open(report.storage_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    audit.record(request.user, "plan.status_report_downloaded", assessment, assessment.agency_id,
                 {"report": str(report.uuid), "sha256": report.sha256})  # fmt: skip
    with translation.override(assessment.language):  # the report's language, not the reader's
        name = f"{_plan_file_name(assessment)}-{report.as_of.isoformat()}.pdf"
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")


# --- UKE: overdue measures across agencies --------------------------------------------------------------


def overdue_items(user, *, agency=None, before_use: bool = False, kind: str = ""):
    today = timezone.localdate()
    qs = PlanItem.objects.filter(
        submitted_scope(user, "assessment__"),
        PlanItem.open_filter(),
        assessment__status__in=[Assessment.Status.APPROVED, Assessment.Status.SUBMITTED, Assessment.Status.RETURNED],
    ).filter(Q(due_date__lt=today) | Q(condition_due__lt=today))
    qs = filtered_by(qs, assessment__agency=agency, before_use=before_use)
    if kind == PlanItem.Kind.MEASURE:  # an obligation done by a measure (2026.7 on) is listed as a measure too
        return qs.filter(Q(kind=kind) | ~Q(measure_key=""))
    return filtered_by(qs, kind=kind)


@require(is_auditor_or_reviewer)
@require_GET
def plan_overdue(request):
    form = OverdueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = overdue_items(
        request.user,
        agency=filters.get("agency"),
        before_use=bool(filters.get("before_use")),
        kind=filters.get("kind") or "",
    )
    qs = unless_invalid(form, qs)  # an invalid filter lists nothing (views/filters.py)
    counts = qs.values("assessment__agency__name").annotate(n=Count("id")).order_by("-n", "assessment__agency__name")
    items = qs.select_related("assessment__agency", "owner").order_by("due_date", "condition_due", "id")
    context = {"form": form, "items": items[:OVERDUE_LIMIT], "total": qs.count(), "counts": counts,
               "limit": OVERDUE_LIMIT, "today": timezone.localdate()}  # fmt: skip
    return render(request, "plans/overdue.html", context)


# Included by assessments/urls.py (one line there), so the plan's routes live beside their views.
P = "vurderinger/<uuid:assessment_uuid>/tiltak/"
urlpatterns = [
    path(P, plan_detail, name="plan_detail"),
    path(P + "<int:item_id>/", plan_item, name="plan_item"),
    path(P + "<int:item_id>/dokumentasjon/", plan_evidence_add, name="plan_evidence_add"),
    path(P + "dokumentasjon/<uuid:evidence_uuid>/", plan_evidence_download, name="plan_evidence_download"),
    path(P + "dokumentasjon/<uuid:evidence_uuid>/fjern/", plan_evidence_remove, name="plan_evidence_remove"),
    path(P + "<int:item_id>/ny-vurdering/", plan_reassess, name="plan_reassess"),
    path(P + "tatt-i-bruk/", plan_in_use, name="plan_in_use"),
    path(P + "tatt-i-bruk/rett/", plan_in_use_correct, name="plan_in_use_correct"),
    *downloads(P + "tiltaksplan", plan_export, csv="plan_export_csv", xlsx="plan_export_xlsx"),
    path(P + "statusrapport/", plan_status_report, name="plan_status_report"),
    path(P + "statusrapport/<uuid:report_uuid>/", plan_status_report_download, name="plan_status_report_download"),
    path("tiltak/forfalt/", plan_overdue, name="plan_overdue"),
]


def home_context(user, roles) -> dict:
    """The start page's part: plan items near or past their due date for their owner and the agency's
    leader; the leader's approved uses not yet in use, with what stands before go-live; the count of overdue items
    for UKE."""
    context = {}
    if roles.leader_of or roles.member_of:
        today = timezone.localdate()
        limit = today + timedelta(days=plan_reminders.REMIND_DAYS_BEFORE)
        mine = Q(owner=user) | Q(assessment__agency_id__in=roles.leader_of)
        items = plan_reminders.due_items(today).filter(mine)
        items = [i for i in items[:200] if i.effective_due and i.effective_due <= limit]
        context["plan_due"] = sorted(items, key=lambda i: i.effective_due)[:50]
        context["today"] = today
    if roles.leader_of:
        context["before_use"] = _approved_not_in_use(roles.leader_of)
    if roles.is_reviewer:
        context["plan_overdue_count"] = overdue_items(user).count()
    return context


def _approved_not_in_use(agency_ids) -> list[Assessment]:
    """The leader's approved uses not yet recorded as in use, with what stands before it: UKE's before-use conditions
    not done (they block "tatt i bruk") and open items nobody owns (approval is where the plan's work starts)."""
    return list(
        Assessment.objects.filter(
            agency_id__in=agency_ids, status=Assessment.Status.APPROVED, in_use_since__isnull=True
        )
        .annotate(
            blocking=Count("plan_items", filter=PlanItem.blocks_go_live_filter("plan_items__")),
            unowned=Count(
                "plan_items", filter=PlanItem.open_filter("plan_items__") & Q(plan_items__owner__isnull=True)
            ),
        )
        .order_by("-updated_at")[:20]
    )


def mark_register(entries: list[dict]) -> None:
    """The register's entries (a page, or a chunk of an export) get "in use since" and their counts of open and
    overdue required plan items (two queries whatever the number of entries)."""
    uuids = [entry["uuid"] for entry in entries]
    if not uuids:
        return
    in_use = dict(Assessment.objects.filter(uuid__in=uuids).values_list("uuid", "in_use_since"))
    today = timezone.localdate()
    counted = (
        PlanItem.objects.filter(PlanItem.open_filter(), assessment__uuid__in=uuids)
        .values("assessment__uuid")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today) | Q(condition_due__lt=today)))
    )
    counts = {row["assessment__uuid"]: row for row in counted}
    for entry in entries:
        row = counts.get(entry["uuid"]) or {}
        entry["in_use_since"] = in_use.get(entry["uuid"])
        entry["measures_open"] = row.get("n", 0)
        entry["measures_overdue"] = row.get("overdue", 0)
