"""The municipality's AI register: approved AI uses of every agency, the overview matrix, and exports.

Signed-in users of every role see the register (approved entries only; no drafts, no names of people).
`KIV_PUBLIC_REGISTER=True` opens a sign-in-free copy with the fields fit for publication; what UKE exempted
from public access (presentation/public_access.py) is left out there and named with its legal basis.
"""

from datetime import date

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from assessments import exports, labels
from assessments.audit import chain as audit
from assessments.forms.review import OverviewForm, RegisterFilterForm
from assessments.models import Assessment
from assessments.permissions import public, roles_for, signed_in
from assessments.presentation import overview, public_access
from assessments.presentation.links import uuid_link
from assessments.queries import catalogue, search
from assessments.queries import lists as queries
from assessments.queries.paging import estimated_count, paginate, querystring_without_page
from assessments.views import plans as plan_views
from assessments.views.filters import NOTHING, refused_download

PAGE_SIZE = 50
EXPORT_CHUNK = 1000
# The fields of an entry, in export order; the public register leaves out `id` (no link into the app) and the
# action plan's columns (the agency's follow-up, as the signed-in register page shows it).
ENTRY_FIELDS = ["id", "title", "agency", "tool", "ai_kind", "verdict", "quadrant", "approved", "review_by", "overdue"]
PLAN_FIELDS = ["in_use_since", "measures_open", "measures_overdue"]
FIELDS = ENTRY_FIELDS + PLAN_FIELDS
PUBLIC_FIELDS = [f for f in ENTRY_FIELDS if f != "id"]


# The public register's filters that read a column UKE may exempt (presentation/public_access.py).
EXEMPTABLE_FILTERS = {"q": "title", "ai_kind": "ai_kind", "tool": "tool"}


def _filtered(request, public: bool = False):
    form = RegisterFilterForm(request.GET or None)
    if form.errors:  # an invalid filter lists nothing (views/filters.py)
        return form, queries.register().none(), NOTHING
    filters = form.cleaned_data if form.is_bound else {}
    used = [column for name, column in EXEMPTABLE_FILTERS.items() if filters.get(name)]
    if filters.get("group") == "tool":  # the summary counts and orders by the tool: an exempt one must not show
        used.append("tool")
    qs = queries.register(
        agency=filters.get("agency"),
        ai_kind=filters.get("ai_kind") or "",
        verdict=filters.get("verdict") or "",
        q=filters.get("q") or "",
        tool=filters.get("tool") or "",
        path=filters.get("path") or "",
        by_tool=filters.get("group") == "tool",
        hidden=public_access.exempt_from_filters(used) if public and used else None,
    )
    known = None
    if not any(filters.get(name) for name in ("ai_kind", "verdict", "q", "tool", "path")) and not (public and used):
        # One entry per approved assessment: count those instead of the joined list (not where the public
        # register leaves some out: grouped by tool, those whose tool is exempt).
        known = queries.submitted_count(Q(), statuses=[Assessment.Status.APPROVED], agency=filters.get("agency"))
    elif filters.get("q"):
        known = estimated_count(qs)
    return form, qs, known


def _entries(versions, today: date) -> list[dict]:
    """Register entries for a batch of approved versions."""
    entries = []
    items = queries.rows(versions)
    flagged = catalogue.flagged_ids([a.pk for a in items])
    ai_kind_label = labels.for_batch(labels.AI_KINDS)
    verdict_label = labels.for_batch(labels.VERDICTS)
    quadrant_label = labels.for_batch(labels.QUADRANTS)
    for a in items:
        ai_kind = a.v_ai_kind
        entries.append(
            {
                "id": str(a.uuid),
                "uuid": a.uuid,
                "version_id": a.v_id,
                "title": a.title,
                "agency": a.agency.name,
                "agency_id": a.agency_id,
                "tool": a.v_tool,
                "flagged": a.pk in flagged,
                "ai_kind": ai_kind,
                "ai_kind_labels": [ai_kind_label(kind) for kind in ai_kind],
                "verdict": a.v_verdict,
                "verdict_label": verdict_label(a.v_verdict),
                "quadrant": a.v_quadrant,
                "quadrant_label": quadrant_label(a.v_quadrant),
                "approved": timezone.localtime(a.v_decided_at).date() if a.v_decided_at else None,
                "review_by": a.review_by,
                "overdue": bool(a.review_by and a.review_by < today),
            }
        )
    return entries


def _batch(versions, today: date, public: bool, fields: list[str] = ()) -> list[dict]:
    """Entries for a batch (with the plan's columns when `fields` asks for them: two queries a batch); the
    public register's with what UKE exempted left out and named (offentleglova)."""
    entries = _entries(versions, today)
    if set(PLAN_FIELDS) & set(fields):
        plan_views.mark_register(entries)
    return public_access.redact_register(entries) if public else entries


def _iter_entries(qs, fields: list[str], public: bool):
    """The entries of an export, read a chunk at a time."""
    today = timezone.localdate()
    batch = []
    for item in qs.iterator(chunk_size=EXPORT_CHUNK):
        batch.append(item)
        if len(batch) == EXPORT_CHUNK:
            yield from _batch(batch, today, public, fields)
            batch = []
    yield from _batch(batch, today, public, fields)


# The register's choices the counts kept per tool can follow (they are kept per status, agency and tool; a tool
# filter is left out: it is written with the first "@" of the answer, the kept counts with the last).
KEPT_FILTERS = {"agency", "group"}


def _by_tool(form, qs, public: bool) -> list[dict]:
    """The "by tool" summary of a filtered register: each tool (every version together) with its count of
    approved uses and of reviews overdue, by name; the uses without a tool from the overview last. Unfiltered
    or by agency, it is counted from the counts kept per tool (queries.register_tools); the public register
    leaves out what UKE exempted, which those counts include."""
    names = form.tool_names()
    filters = form.cleaned_data
    whole = not public and {name for name, value in filters.items() if value} <= KEPT_FILTERS
    found = queries.register_tools(qs, timezone.localdate(), whole=whole, agency=filters.get("agency"), named=names)
    tools: dict[str, dict] = {}
    for slug, name, count, overdue in found:
        row = tools.setdefault(slug, {"slug": slug, "name": names.get(slug) or name, "count": 0, "overdue": 0})
        row["count"] += count
        row["overdue"] += overdue
    return sorted(tools.values(), key=lambda row: (not row["slug"], row["name"].casefold()))


def _page(request, qs, known, public: bool = False):
    page = paginate(qs, PAGE_SIZE, request.GET.get("page"), known)
    page.entries = _batch(page.object_list, timezone.localdate(), public)
    return page


@signed_in
def register(request):
    form, qs, known = _filtered(request)
    page = _page(request, qs, known)
    roles = roles_for(request.user)
    detail = uuid_link("assessments:review_detail")
    for entry in page.entries:
        # Only those who may open the assessment get a link to it (leaders of other agencies do not).
        entry["url"] = detail(entry["uuid"]) if roles.sees_submitted_of(entry["agency_id"]) else ""
    plan_views.mark_register(page.entries)
    return render(request, "register/register.html", _context(request, form, qs, page, public=False))


def _context(request, form, qs, page, *, public: bool) -> dict:
    context = {
        "form": form,
        "page": page,
        "querystring": querystring_without_page(request),
        "public": public,
        "similar_only": search.similar_only(qs),
    }
    if form.is_valid() and form.cleaned_data.get("group") == "tool":
        context["tools"] = _by_tool(form, qs, public)
        for row in context["tools"]:
            # Each tool links to the register filtered by it (the uses without a tool have no filter).
            row["query"] = querystring_without_page(request, tool=row["slug"]) if row["slug"] else ""
    return context


def _columns(fields: list[str]) -> list[exports.Column]:
    columns = {
        "id": exports.Column("id", _("ID"), width=38),
        "title": exports.Column("title", _("Tittel"), width=40),
        "agency": exports.Column("agency", _("Virksomhet"), width=30),
        "tool": exports.Column("tool", _("Verktøy"), width=30),
        "ai_kind": exports.Column("ai_kind", _("Type KI"), "list", width=30),
        "verdict": exports.Column("verdict", _("Konklusjon")),
        "quadrant": exports.Column("quadrant", _("Kvadrant")),
        "approved": exports.Column("approved", _("Godkjent"), "date", width=12),
        "review_by": exports.Column("review_by", _("Ny vurdering innen"), "date", width=12),
        "overdue": exports.Column("overdue", _("Fristen er passert"), "bool", width=10),
        "in_use_since": exports.Column("in_use_since", _("I bruk fra"), "date", width=12),
        "measures_open": exports.Column("measures_open", _("Åpne tiltak"), "int", width=10),
        "measures_overdue": exports.Column("measures_overdue", _("Tiltak forfalt"), "int", width=10),
    }
    return [columns[f] for f in fields]


def _export(fmt: str, qs, fields: list[str], stem: str, public: bool = False):
    # CSV and Excel show the labels, JSON the codes (for programs reading it).
    labelled = {} if fmt == "json" else {"ai_kind": "ai_kind_labels", "verdict": "verdict_label",
                                         "quadrant": "quadrant_label"}  # fmt: skip
    rows = ([entry[labelled.get(f, f)] for f in fields] for entry in _iter_entries(qs, fields, public))
    return exports.response(
        fmt, stem, _columns(fields), rows, sheet=_("KI-register"), key="entries", similar_titles=search.similar_only(qs)
    )


@signed_in
def register_export(request, fmt: str):
    form, qs, _known = _filtered(request)
    if form.errors:
        return refused_download(request, form)
    audit.record(request.user, "register.exported", details={"format": fmt})
    return _export(fmt, qs, FIELDS, pgettext("file name", "ki-register"))


@signed_in
def register_overview(request):
    """Every assessment the user may see, counted per spot (approved ones of all agencies for everyone)."""
    form = OverviewForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    group_by = filters.get("group") or "status"
    tool = filters.get("tool") or ""
    rows = queries.overview_cells(
        request.user, agency=filters.get("agency"), group_by=group_by, cell=overview.CELL, tool=tool
    )
    spots = queries.overview_spots(request.user, agency=filters.get("agency"), group_by=group_by, tool=tool)
    svg, groups, total = overview.render(rows, group_by=group_by, spots=spots)
    headers, table = overview.quadrant_table(rows, group_by)
    context = {
        "form": form,
        "svg": svg,
        "groups": groups,
        "total": total,
        "group_by": group_by,
        "headers": headers,
        "table": table,
    }
    return render(request, "register/overview.html", context)


def _public_enabled() -> None:
    if not settings.KIV_PUBLIC_REGISTER:
        raise Http404


@public
def public_register(request):
    _public_enabled()
    form, qs, known = _filtered(request, public=True)
    page = _page(request, qs, known, public=True)
    return render(request, "register/register.html", _context(request, form, qs, page, public=True))


@public
def public_register_export(request, fmt: str):
    _public_enabled()
    form, qs, _known = _filtered(request, public=True)
    if form.errors:
        return refused_download(request, form)
    return _export(fmt, qs, PUBLIC_FIELDS, pgettext("file name", "ki-register-oslo-kommune"), public=True)
