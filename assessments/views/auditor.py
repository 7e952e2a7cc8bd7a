"""The auditor's portal: decided assessments and their signed reports, and the audit log in the app.

Auditors see the agencies in their scope (all when unrestricted), reviewers all of them. The audit log
follows `permissions.audit_agency_scope`: leaders read their own agency's events only.
"""

import json
import logging

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from assessments import exports, labels
from assessments.audit import chain as audit
from assessments.audit import checkpoints as audit_checkpoints
from assessments.forms.review import AuditLogFilterForm, AuditorSearchForm
from assessments.lifecycle import DECIDED_STATUSES
from assessments.models import Agency, AuditEvent, AuditHead
from assessments.permissions import (
    audit_agency_scope,
    is_auditor_or_reviewer,
    may_read_audit_log,
    require,
    roles_for,
    submitted_scope,
)
from assessments.presentation.audit_display import EventReader
from assessments.presentation.links import uuid_link
from assessments.queries import lists as queries
from assessments.queries import search
from assessments.queries.paging import estimated_count, paginate, querystring_without_page
from assessments.views.filters import NOTHING, refused_download, unless_invalid, used_filters

log = logging.getLogger(__name__)

PAGE_SIZE = 50
CHAIN_CACHE_SECONDS = 60


def _scoped_agencies(user):
    roles = roles_for(user)
    if roles.is_auditor and roles.auditor_scope and not roles.is_reviewer:
        return Agency.objects.filter(pk__in=roles.auditor_scope)
    return Agency.objects.all()


def _search(request):
    form = AuditorSearchForm(request.GET or None)
    form.fields["agency"].queryset = _scoped_agencies(request.user)
    if form.errors:  # an invalid filter lists nothing (views/filters.py)
        return form, queries.auditor_search(request.user).none(), NOTHING
    filters = form.cleaned_data if form.is_bound else {}
    known = None
    if not any(filters.get(k) for k in ("verdict", "q", "date_from", "date_to")):
        # One row per decided assessment in scope: count those instead of the joined list.
        # (a decided assessment always has its deciding version as its latest)
        statuses = [filters["status"]] if filters.get("status") else DECIDED_STATUSES
        known = queries.submitted_count(submitted_scope(request.user), statuses=statuses, agency=filters.get("agency"))
    qs = queries.auditor_search(
        request.user,
        agency=filters.get("agency"),
        status=filters.get("status") or "",
        verdict=filters.get("verdict") or "",
        q=filters.get("q") or "",
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    if filters.get("q"):  # a title search may match thousands: estimate rather than count them
        known = estimated_count(qs)
    return form, qs, known


def _with_reports(items: list) -> list:
    """Labels, links and the ready signed report of each row (one query for the whole list)."""
    reports = queries.signed_reports([a.v_id for a in items])
    detail, download = uuid_link("assessments:review_detail"), uuid_link("assessments:report_download", 2)
    # Not get_status_display(): Django hashes every translated choice on each call, most of a row's time.
    status_label, verdict_label = labels.for_batch(labels.STATUSES), labels.for_batch(labels.VERDICTS)
    for item in items:
        item.status_label = status_label(item.status)
        item.verdict_label = verdict_label(item.v_verdict)
        item.report = reports.get(item.v_id)
        item.url = detail(item.uuid)
        item.download_url = download(item.uuid, item.report.uuid) if item.report else ""
    return items


def _batches(qs, size: int = 1000):
    """Every row of a search, a thousand at a time (an export can be long)."""
    batch = []
    for version in qs.iterator(chunk_size=size):
        batch.append(version)
        if len(batch) == size:
            yield from _with_reports(queries.rows(batch))
            batch = []
    yield from _with_reports(queries.rows(batch))


@require(is_auditor_or_reviewer)
def auditor_search(request):
    form, qs, known = _search(request)
    page = paginate(qs, PAGE_SIZE, request.GET.get("page"), known)
    page.object_list = _with_reports(queries.rows(page.object_list))
    context = {
        "form": form,
        "page": page,
        "querystring": querystring_without_page(request),
        "exports": "assessments:auditor_export",
        "similar_only": search.similar_only(qs),
        "columns": [_("Tittel"), _("Virksomhet"), _("Status"), _("Konklusjon"), _("Avgjort"), _("Rapport")],
    }
    return render(request, "auditor/search.html", context)


def _search_columns() -> list[exports.Column]:
    return [
        exports.Column("id", _("ID"), width=38),
        exports.Column("title", _("Tittel"), width=40),
        exports.Column("agency", _("Virksomhet"), width=30),
        exports.Column("status", _("Status")),
        exports.Column("version", _("Versjon"), "int", width=8),
        exports.Column("verdict", _("Konklusjon")),
        exports.Column("decided_at", _("Avgjort"), "datetime"),
        exports.Column("review_by", _("Ny vurdering innen"), "date", width=12),
        exports.Column("report_sha256", _("Rapport (SHA-256)"), width=66),
    ]


@require(is_auditor_or_reviewer)
def auditor_export(request, fmt: str):
    form, qs, _known = _search(request)
    if form.errors:
        return refused_download(request, form)
    rows = (
        [str(a.uuid), a.title, a.agency.name, a.status_label, a.v_number, a.verdict_label, a.v_decided_at,
         a.review_by, a.report.sha256 if a.report else ""]
        for a in _batches(qs)
    )  # fmt: skip
    filters = used_filters(request, form)
    audit.record(request.user, "auditor.exported", details={"filters": filters, "format": fmt})
    return exports.response(
        fmt,
        pgettext("file name", "vurderinger"),
        _search_columns(),
        rows,
        sheet=_("Vurderinger"),
        key="assessments",
        similar_titles=search.similar_only(qs),
    )


# --- The audit log ---------------------------------------------------------------------------------


def chain_status() -> dict:
    """The chain's verification, cached while the head is unchanged (and for a minute at most):
    walking every event on each page view would cost more as the log grows."""
    head = AuditHead.objects.filter(pk=1).values_list("count", "last_hash").first() or (0, audit.GENESIS)
    key = f"kiv-audit-chain:{head[0]}:{head[1]}"
    status = cache.get(key)
    if status is None:
        status = {**audit.verify_chain(_checkpoints()).as_dict(), "checked_at": timezone.now()}
        cache.set(key, status, CHAIN_CACHE_SECONDS)
    return status


def _checkpoints() -> list[dict]:
    """The signed checkpoints to compare with; a storage problem is logged, and the page still shows."""
    try:
        return audit_checkpoints.relevant()
    except Exception:
        log.exception("Audit checkpoints cannot be read")
        return []


def _log_events(request):
    scope = audit_agency_scope(request.user)
    events = AuditEvent.objects.all()
    agencies = Agency.objects.all()
    if scope is not None:
        events = events.filter(agency_id__in=scope)
        agencies = agencies.filter(pk__in=scope)
    actions = queries.audit_actions(events, scoped=scope is not None)
    # The filter shows the same words as the table (the chained code is in the CSV export).
    choices = sorted(((a, labels.label(labels.EVENTS, a, a)) for a in actions), key=lambda c: c[1])
    form = AuditLogFilterForm(request.GET or None, actions=choices, agencies=agencies)
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("actor"):
        term = filters["actor"].strip()
        users = get_user_model().objects.filter(
            Q(username__iexact=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term)
        )
        events = events.filter(actor_id__in=list(users.values_list("pk", flat=True)[:500]))
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("agency"):
        events = events.filter(agency_id=filters["agency"].pk)
    if filters.get("date_from"):
        events = events.filter(created_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        events = events.filter(created_at__date__lte=filters["date_to"])
    return form, unless_invalid(form, events).order_by("-id")


@require(may_read_audit_log)
def audit_log(request):
    form, events = _log_events(request)
    page = paginate(EventReader.with_names(events), PAGE_SIZE, request.GET.get("page"))
    reader = EventReader(request.user, page.object_list)
    for event in page.object_list:
        event.actor_name = _actor_name(event)
        event.agency_name = event.agency_name or ""
        event.label = labels.label(labels.EVENTS, event.action, event.action)
        event.subject = reader.subject(event)
        event.lines = reader.details(event)
    context = {
        "form": form,
        "page": page,
        "querystring": querystring_without_page(request),
        "chain": chain_status(),
        "scoped": audit_agency_scope(request.user) is not None,
        "exports": "assessments:audit_log_export",
        "columns": ["#", _("Tidspunkt"), _("Utført av"), _("Hendelse"), _("Gjelder"), _("Virksomhet")]
        + [_("Detaljer"), _("Kontrollsum")],
    }
    return render(request, "auditor/audit_log.html", context)


def _actor_name(event) -> str:
    """Who did it, as the page and the export say it: a person, a deleted account or the system."""
    return (event.actor_name or _("slettet bruker")) if event.actor_id else _("Systemet")


LOG_COLUMNS = [
    exports.Column("id", "id", "int", width=10),
    exports.Column("created_at", "created_at", "utc_datetime"),
    exports.Column("actor_id", "actor_id", "int", width=10),
    exports.Column("action", "action", width=30),
    exports.Column("object_type", "object_type"),
    exports.Column("object_id", "object_id", width=38),
    exports.Column("agency_id", "agency_id", "int", width=10),
    exports.Column("details", "details", width=50),
    exports.Column("request_id", "request_id", width=34),
    exports.Column("prev_hash", "prev_hash", width=66),
    exports.Column("hash", "hash", width=66),
    exports.Column("key_id", "key_id", width=18),
    # Words for a reader, after the chained fields (which keep their names, as a verification reads them).
    exports.Column("actor_name", gettext_lazy("Utført av"), width=24),
    exports.Column("event", gettext_lazy("Hendelse"), width=36),
    exports.Column("agency_name", gettext_lazy("Virksomhet"), width=24),
]


@require(may_read_audit_log)
def audit_log_export(request, fmt: str):
    form, events = _log_events(request)
    if form.errors:
        return refused_download(request, form)
    # The exact time that was chained, in UTC to the second: CSV as ISO text, Excel as a date that says UTC.
    rows = (
        [e.pk, e.created_at.isoformat() if fmt == "csv" else e.created_at, e.actor_id, e.action, e.object_type,
         e.object_id, e.agency_id, json.dumps(e.details, ensure_ascii=False, sort_keys=True) if fmt != "json"
         else e.details, e.request_id, e.prev_hash, e.hash, e.key_id, _actor_name(e),
         labels.label(labels.EVENTS, e.action, e.action), e.agency_name or ""]
        for e in EventReader.with_names(events, person=False).order_by("id").iterator(chunk_size=2000)
    )  # fmt: skip
    filters = used_filters(request, form)
    audit.record(request.user, "audit_log.exported", details={"filters": filters, "format": fmt})
    return exports.response(
        fmt, pgettext("file name", "revisjonslogg"), LOG_COLUMNS, rows, sheet=_("Revisjonslogg"), key="events"
    )
