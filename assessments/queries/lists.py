"""Read queries of the queue, the register, the auditor search and the overview.

All four list *latest versions*: a submitted assessment's latest version carries what these pages show
(verdict, quadrant, submitted and decided times), and for a decided assessment it is the deciding one
(approval and rejection decide the latest version; `superseded` keeps the approved one as its latest).
Filtering and sorting on the version's own indexed columns, with one anti-join to keep the latest, lets
the database stop after a page instead of computing a subquery for every assessment. The assessment's
status and agency are filtered by the version's copies of them (kept by triggers, models.AssessmentVersion),
so "one agency, by status, newest first" is one index range scan with a LIMIT; the wide JSON
columns (answers, result) are never read for a list. Each page is one query for its rows and one for
their count, whatever the number of assessments (the tests count queries at two sizes; bench/queries.py
times them at 100 and 100,000).
"""

import json

from django.db import connection
from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from assessments.lifecycle import DECIDED_STATUSES
from assessments.models import (
    Assessment,
    AssessmentVersion,
    AuditEvent,
    Exemption,
    OverviewAgencyQuadrant,
    OverviewAgencySpot,
    OverviewCell,
    OverviewScope,
    OverviewToolCell,
    Report,
    ToolEntryVersion,
)
from assessments.models.assessments import REGISTERED, TOOL_SLUG
from assessments.permissions import submitted_scope
from assessments.queries.paging import Count as Total
from assessments.queries.paging import bounded_count, bounded_counts
from assessments.queries.search import searched


def filtered_by(qs: QuerySet, **lookups) -> QuerySet:
    """`qs` filtered by each lookup that is given: a filter form's blank field (None, "", False) is no filter."""
    given = {lookup: value for lookup, value in lookups.items() if value not in (None, "", False)}
    return qs.filter(**given) if given else qs


LIST_FIELDS = (
    "number", "verdict", "quadrant", "submitted_at", "decision", "decided_at", "assessment_id",
    "assessment__uuid", "assessment__title", "assessment__status", "assessment__agency_id",
    "assessment__review_by", "assessment__agency__name", "ai_kind_text",
)  # fmt: skip


def visible_versions(user) -> Q:
    """The submitted versions the user may see: the permission layer's rule, applied to versions (by
    their copy of the assessment's agency, models.AssessmentVersion.assessment_agency)."""
    return submitted_scope(user, prefix="assessment_")


def submitted_assessments(user) -> QuerySet[Assessment]:
    """Assessments with at least one version that the user may see: one row per latest version, which
    makes their counts the counts of the lists above, taken from narrow indexes instead of the versions."""
    has_version = Exists(AssessmentVersion.objects.filter(assessment_id=OuterRef("pk")))
    return Assessment.objects.filter(has_version).filter(submitted_scope(user))


def latest_versions() -> QuerySet[AssessmentVersion]:
    later = AssessmentVersion.objects.filter(assessment_id=OuterRef("assessment_id"), number__gt=OuterRef("number"))
    return AssessmentVersion.objects.filter(~Exists(later))


def _list(qs: QuerySet[AssessmentVersion]) -> QuerySet[AssessmentVersion]:
    return qs.select_related("assessment__agency").only(*LIST_FIELDS)


def rows(versions) -> list[Assessment]:
    """A page of versions as their assessments, with the version's fields as v_* attributes."""
    items = []
    for version in versions:
        assessment = version.assessment
        assessment.v_id = version.pk
        assessment.v_number = version.number
        assessment.v_verdict = version.verdict
        assessment.v_quadrant = version.quadrant
        assessment.v_submitted_at = version.submitted_at
        assessment.v_decision = version.decision
        assessment.v_decided_at = version.decided_at
        assessment.v_ai_kind = _kinds(version.ai_kind_text)
        assessment.v_tool = getattr(version, "tool_name", None) or ""
        items.append(assessment)
    return items


def queue(
    user, *, status: str = "", agency=None, verdict: str = "", quadrant: str = "", q: str = "", sort: str = "oldest"
):
    """UKE's queue: every assessment submitted at least once that the user may see, by its latest version.
    Returns the versions to page through and the base for the counts per status."""
    qs = latest_versions().filter(visible_versions(user))
    if connection.vendor == "postgresql":  # the overview's counts, kept by triggers (status_counts)
        counts_base = OverviewCell.objects.filter(submitted_scope(user))
    else:
        counts_base = submitted_assessments(user)
    qs = filtered_by(qs, assessment_agency=agency, assessment_status=status, verdict=verdict, quadrant=quadrant)
    counts_base = filtered_by(counts_base, agency=agency)
    if q:
        qs = searched(qs, q)
    order = ("submitted_at", "pk") if sort != "newest" else ("-submitted_at", "-pk")
    return _list(qs).order_by(*order), counts_base


def public_access(*, agency=None, q: str = "") -> QuerySet[AssessmentVersion]:
    """Every submitted assessment by its latest version, newest first, with how many exemptions it has: where UKE
    and administrators start public-access work (both see every agency, so no scope)."""
    qs = filtered_by(latest_versions(), assessment_agency=agency)
    if q:
        qs = searched(qs, q)
    exempt = Exemption.objects.filter(assessment_id=OuterRef("assessment_id")).order_by().values("assessment_id")
    count = Subquery(exempt.annotate(n=Count("pk")).values("n"), output_field=IntegerField())
    return _list(qs).annotate(exemption_count=Coalesce(count, 0)).order_by("-submitted_at", "-pk")


def status_counts(assessments: QuerySet[Assessment]) -> dict:
    """{status: paging.Count} for every status but draft, in one query. On PostgreSQL `assessments` is
    the queue's cells (see queue): exact sums of the overview's counts, a few thousand rows at most
    whatever the number of assessments. Elsewhere each count reads at most paging.COUNT_CAP rows."""
    if assessments.model is OverviewCell:
        summed = assessments.order_by().values_list("status").annotate(n=Sum("count"))
        return {status: Total(n) for status, n in summed if n and status != Assessment.Status.DRAFT}
    statuses = [value for value in Assessment.Status.values if value != Assessment.Status.DRAFT]
    counted = bounded_counts({status: assessments.filter(status=status) for status in statuses})
    return {status: count for status, count in counted.items() if count.value}


def submitted_count(scope: Q, *, statuses, agency=None) -> Total:
    """How many assessments with a version, in `statuses` and the permission `scope` (a Q on status and
    agency_id), there are: the latest versions the register and the auditor search list before other
    filters. Exact from the overview's cells on PostgreSQL (kept by triggers); bounded elsewhere."""
    if connection.vendor == "postgresql":
        cells = OverviewCell.objects.filter(scope, status__in=statuses)
        if agency is not None:
            cells = cells.filter(agency=agency)
        return Total(cells.aggregate(n=Sum("count"))["n"] or 0)
    qs = submitted_assessments_in(scope).filter(status__in=statuses)
    return bounded_count(qs.filter(agency=agency) if agency is not None else qs)


def submitted_assessments_in(scope: Q) -> QuerySet[Assessment]:
    has_version = Exists(AssessmentVersion.objects.filter(assessment_id=OuterRef("pk")))
    return Assessment.objects.filter(has_version).filter(scope)


def _with_tool(qs: QuerySet[AssessmentVersion], tool: str = "") -> QuerySet[AssessmentVersion]:
    """Versions with the tool from the tool overview as they were answered (two keys of the answers), only
    those of the entry `tool` (a slug, any version; by the expression the index version_tool_decided holds)."""
    qs = qs.annotate(tool_name=KT("answers__cat_name"), tool_ref=KT("answers__cat_ref"))
    return qs.alias(tool_slug=TOOL_SLUG).filter(tool_slug=tool) if tool else qs


def register(
    *,
    agency=None,
    ai_kind: str = "",
    verdict: str = "",
    q: str = "",
    tool: str = "",
    path: str = "",
    by_tool: bool = False,
    hidden: QuerySet | None = None,
) -> QuerySet[AssessmentVersion]:
    """The AI register: every agency's approved AI uses, by the approved (latest) version, newest first
    (`by_tool`: by the tool's name first, the uses without a tool from the overview last). `hidden`: ids of
    assessments to leave out (the public register's exemptions), before the title search looks for a match,
    so that whether it falls back to similar titles tells nothing about a hidden one."""
    # REGISTERED is also the condition of the partial indexes the register's walks use: one definition of both.
    qs = latest_versions().filter(REGISTERED)
    qs = _with_tool(qs, tool)
    # path: full or simplified (the quick path), on the joined assessment row
    qs = filtered_by(qs, assessment_agency=agency, verdict=verdict, assessment__path=path)
    if ai_kind:
        # ai_kind is a list in the answers; its three values are no substrings of one another.
        qs = qs.filter(ai_kind_text__contains=f'"{ai_kind}"')
    if hidden is not None:
        qs = qs.exclude(assessment_id__in=hidden)
    if q:  # last, so that it looks for a matching title among the versions every other filter lets through
        qs = searched(qs, q)
    qs = _list(qs)
    if by_tool:  # on PostgreSQL a walk of version_register_by_tool, which holds these rows in this order
        return qs.order_by(F("tool_name").asc(nulls_last=True), "-decided_at", "-pk")
    return qs.order_by("-decided_at", "-pk")


def register_tools(
    qs: QuerySet[AssessmentVersion], today, *, whole: bool = False, agency=None, named=()
) -> list[tuple[str, str, int, int]]:
    """The register grouped by tool: (tool slug, name as answered, uses, reviews overdue) for the versions of a
    filtered `register()` (the slug is the part of the answer `cat_ref` before the last "@", "" for the uses
    without a tool from the overview; a slug may come in several rows, one per version of the tool).

    On PostgreSQL, for the `whole` register or one `agency`'s part of it (no other filter: the kept counts
    know nothing of the others), this reads no version's answers: see _kept_register_tools. The name as
    answered is then given only for the slugs not in `named` (those the overview no longer names)."""
    if whole and connection.vendor == "postgresql":
        return _kept_register_tools(qs, today, agency=agency, named=set(named))
    rows = (
        qs.order_by()
        .values_list("tool_ref", "tool_name")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(assessment__review_by__lt=today)))
    )
    return [((ref or "").rpartition("@")[0], name or "", n, overdue) for ref, name, n, overdue in rows]


# The uses per tool from the counts kept per tool, the overdue reviews counted from an index: one query.
_TOOLS = "SELECT tool, SUM(uses)::int, SUM(overdue)::int FROM (%s UNION ALL %s) AS counted GROUP BY tool"


def _kept_register_tools(qs, today, *, agency, named: set[str]) -> list[tuple[str, str, int, int]]:
    """register_tools for the whole register or one agency's part on PostgreSQL, in one query whatever the
    number of assessments (one more when a tool is one the overview does not name).

    - The uses: the counts kept per tool (models.OverviewToolCell) of the approved assessments, summed; an
      approved assessment's latest version is the one that approved it (approval decides the latest version,
      and an approved assessment only goes on to superseded), so they count the versions the register lists,
      as the register's total does (submitted_count).
    - The overdue reviews depend on today's date, which no kept count can follow: they are counted from
      version_overdue_by_tool, which holds each approved version's copy of the review date and its tool
      (models.AssessmentVersion.tool, the kept counts' slug) and nothing else to read, an index-only scan of
      the overdue ones. Every version with the register's decision is its assessment's latest (as above).

    Measured at 100,000 assessments (38,000 approved, 21,000 overdue): 0.2 ms for the kept counts and 3 ms for
    the overdue ones, against about 260 ms for reading every approved version's answers."""
    uses = filtered_by(OverviewToolCell.objects.filter(status=Assessment.Status.APPROVED), agency=agency)
    uses = uses.order_by().values_list("tool").annotate(uses=Sum("count"), overdue=Value(0))
    late = filtered_by(AssessmentVersion.objects.filter(REGISTERED), assessment_agency=agency)
    late = late.filter(assessment_review_by__lt=today).order_by().values_list("tool")
    late = late.annotate(uses=Value(0), overdue=Count("*"))
    (uses_sql, uses_params), (late_sql, late_params) = uses.query.sql_with_params(), late.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_TOOLS % (uses_sql, late_sql), (*uses_params, *late_params))
        counted = [(slug, n, overdue) for slug, n, overdue in cursor.fetchall() if n or overdue]
    unnamed = {slug for slug, _n, _overdue in counted if slug and slug not in named}
    answered = {}
    if unnamed:  # a tool the overview does not name: its name as answered, by its newest use
        newest = qs.filter(tool__in=unnamed).order_by("tool", "-decided_at", "-pk").distinct("tool")
        answered = dict(newest.values_list("tool", "tool_name"))
    return [(slug, answered.get(slug) or "", n, overdue) for slug, n, overdue in counted]


def _kinds(text: str | None) -> list[str]:
    """ai_kind as the database copied it out of the answers (a JSON list as text)."""
    try:
        kinds = json.loads(text) if text else []
    except ValueError:
        return []
    return [k for k in kinds if isinstance(k, str)] if isinstance(kinds, list) else []


def auditor_search(
    user, *, agency=None, status: str = "", verdict: str = "", q: str = "", date_from=None, date_to=None
) -> QuerySet[AssessmentVersion]:
    """Decided assessments the user may see (an auditor's scope applies), by the deciding version."""
    qs = latest_versions().filter(visible_versions(user), assessment_status__in=DECIDED_STATUSES,
                                  decision__in=[AssessmentVersion.Decision.APPROVED,
                                                AssessmentVersion.Decision.REJECTED])  # fmt: skip
    qs = filtered_by(qs, assessment_agency=agency, assessment_status=status, verdict=verdict,
                     decided_at__date__gte=date_from, decided_at__date__lte=date_to)  # fmt: skip
    # NULLs come first in a descending index: say there are none, so the walk starts at the newest decision.
    qs = qs.filter(decided_at__isnull=False)
    if q:  # last, so that it looks for a matching title among the versions every other filter lets through
        qs = searched(qs, q)
    return _list(qs).order_by("-decided_at", "-pk")


def signed_reports(version_ids: list[int]) -> dict[int, Report]:
    """The ready signed report of each of a page of versions (one query)."""
    found = Report.objects.filter(version_id__in=version_ids, kind=Report.Kind.SIGNED, status=Report.Status.READY).only(
        "uuid", "sha256", "version_id"
    )
    return {report.version_id: report for report in found}


def overview_cells(user, *, agency=None, group_by: str = "status", cell: float, tool: str = ""):
    """The matrix as counts, not points: rows of (status, agency id, agency name, quadrant, need cell,
    risk cell, count) for the latest version of every assessment the user may see, the scores to the
    nearest `cell` on each axis. Grouped by status, the agencies are summed up (id and name None).

    Everyone sees the approved AI uses of all agencies (the register); reviewers, auditors and the
    agency's own members also see what else was submitted that they may see. On PostgreSQL the counts
    are kept by triggers (models.OverviewCell; by agency their sums, models.OverviewAgencyQuadrant; by tool,
    `tool` a slug or grouped by tool, models.OverviewToolCell), so this reads a few hundred rows whatever the
    number of assessments; elsewhere the database aggregates the versions."""
    if connection.vendor != "postgresql":
        return _version_cells(user, agency=agency, tool=tool, group_by=group_by, cell=cell)
    if tool or group_by == "tool":
        return _tool_cells(user, agency=agency, tool=tool, group_by=group_by)
    if group_by == "agency":
        # One row per agency and quadrant, scored or not (the markers come from overview_spots).
        sums = _agency_sums(OverviewAgencyQuadrant, user, agency)
        rows = sums.values_list("agency_id", "agency__name", "quadrant", "scored", "count")
        return [
            (None, agency_id, name, quadrant, *((0, 0) if scored else (-1, -1)), n)
            for agency_id, name, quadrant, scored, n in rows
        ]
    rows = _visible_cells(user, agency).values_list("status", "quadrant", "need_cell", "risk_cell")
    rows = rows.annotate(n=Sum("count"))
    return [(status, None, None, quadrant, need, risk, n) for status, quadrant, need, risk, n in rows]


def _visible_cells(user, agency, model=OverviewCell) -> QuerySet:
    """The kept counts (OverviewCell or OverviewToolCell) the user may see: the approved ones of every
    agency, the rest as far as the permission layer lets the user see what was submitted."""
    qs = model.objects.filter(count__gt=0).filter(Q(status=Assessment.Status.APPROVED) | submitted_scope(user))
    return (qs.filter(agency=agency) if agency is not None else qs).order_by()


def _tool_cells(user, *, agency, tool: str, group_by: str) -> list[tuple]:
    """overview_cells from the counts kept per tool. Grouped by tool, the rows carry the tool's slug and
    name where the agency's id and name go ("" for no tool from the overview)."""
    qs = _visible_cells(user, agency, OverviewToolCell)
    if tool:
        qs = qs.filter(tool=tool)
    spot = ("quadrant", "need_cell", "risk_cell")
    if group_by == "tool":
        rows = list(qs.values_list("tool", *spot).annotate(n=Sum("count")))
        names = _tool_names({slug for slug, *_rest in rows if slug})
        return [(None, slug, names.get(slug, slug), *rest) for slug, *rest in rows]
    if group_by == "agency":
        return [(None, *row) for row in qs.values_list("agency_id", "agency__name", *spot).annotate(n=Sum("count"))]
    rows = qs.values_list("status", *spot).annotate(n=Sum("count"))
    return [(status, None, None, *rest) for status, *rest in rows]


def _tool_names(slugs: set[str]) -> dict[str, str]:
    """{slug: name} as the tool overview names each entry now (its newest version, as ToolEntry.current): a
    tool renamed between versions is one group, under its current name. Read after the counts are summed,
    not beside them: a name looked up per kept row would be looked up thousands of times."""
    if not slugs:
        return {}
    newer = ToolEntryVersion.objects.filter(entry_id=OuterRef("entry_id"), number__gt=OuterRef("number"))
    newest = ToolEntryVersion.objects.filter(~Exists(newer), entry__slug__in=slugs)
    return dict(newest.values_list("entry__slug", "name"))


def _agency_sums(model, user, agency) -> QuerySet:
    """The kept sums per agency (OverviewAgencyQuadrant or OverviewAgencySpot) the user may see, one scope
    per agency: all its assessments where the user sees what it submitted, its approved ones elsewhere."""
    seen = submitted_scope(user)
    qs = model.objects.filter(count__gt=0)
    qs = qs.filter(Q(scope=OverviewScope.ALL) & seen | Q(scope=OverviewScope.APPROVED) & ~seen)
    return (qs.filter(agency=agency) if agency is not None else qs).order_by()


# The agencies on each spot, summed in the database, the three largest named (presentation/overview.py);
# ties go by the agency's name, as the legend orders them.
_SPOTS = """
SELECT need_cell, risk_cell, SUM(n)::bigint, COUNT(*),
       (ARRAY_AGG(agency_id ORDER BY n DESC, agency_name, agency_id))[1:3],
       (ARRAY_AGG(n ORDER BY n DESC, agency_name, agency_id))[1:3]
FROM (%s) AS per_agency GROUP BY need_cell, risk_cell
"""


def overview_spots(user, *, agency=None, group_by: str = "status", tool: str = "") -> list[tuple] | None:
    """The overview by agency on PostgreSQL, one row per spot: (need cell, risk cell, assessments, agencies,
    the ids of the three agencies with most there, their counts), summed from the sums kept per agency and
    spot (models.OverviewAgencySpot): at most agencies × spots rows, whatever the number of assessments.
    None where overview_cells' rows carry the spots themselves (by status, by tool, and on SQLite)."""
    if group_by != "agency" or tool or connection.vendor != "postgresql":
        return None
    per_agency = _agency_sums(OverviewAgencySpot, user, agency).annotate(agency_name=F("agency__name"), n=F("count"))
    per_agency = per_agency.values_list("agency_id", "agency_name", "need_cell", "risk_cell", "n")
    sql, params = per_agency.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_SPOTS % sql, params)
        return cursor.fetchall()


def _cell_of(score: str, cell: float) -> Coalesce:
    """The cell of a score, rounded as the triggers that keep the cells round it: the double precision
    itself, whose ties go to even on PostgreSQL (65.0 / 2 is cell 32). Django's Round casts to numeric
    first, whose ties go away from zero, and would put such a version one cell over when the overview is
    drawn from the versions (on SQLite, and in the tests) rather than from the kept cells."""
    return Coalesce(Cast(Func(F(score) / cell, function="ROUND"), IntegerField()), -1)


def _scored(qs: QuerySet[AssessmentVersion], cell: float) -> QuerySet[AssessmentVersion]:
    return qs.order_by().annotate(need=_cell_of("need_score", cell), risk=_cell_of("risk_score", cell))


def _version_cells(user, *, agency, tool: str, group_by: str, cell: float) -> list[tuple]:
    """overview_cells aggregated from the versions. Grouped by tool, the rows carry the tool's slug and name
    where the agency's id and name go ("" for no tool from the overview)."""
    qs = latest_versions().filter(Q(assessment__status=Assessment.Status.APPROVED) | visible_versions(user))
    if agency is not None:
        qs = qs.filter(assessment__agency=agency)
    qs = _scored(_with_tool(qs, tool), cell)
    if group_by == "tool":
        rows = qs.values_list("tool_ref", "quadrant", "need", "risk").annotate(n=Count("pk"))
        rows = [((ref or "").rpartition("@")[0], *rest) for ref, *rest in rows]
        names = _tool_names({slug for slug, *_rest in rows if slug})
        return [(None, slug, names.get(slug, slug), *rest) for slug, *rest in rows]
    if group_by == "agency":
        fields = ("assessment__agency_id", "assessment__agency__name", "quadrant", "need", "risk")
        return [(None, *row) for row in qs.values_list(*fields).annotate(n=Count("pk"))]
    rows = qs.values_list("assessment__status", "quadrant", "need", "risk").annotate(n=Count("pk"))
    return [(status, None, None, quadrant, need, risk, n) for status, quadrant, need, risk, n in rows]


# A loose index scan: one probe of the (action, id) index per distinct action, instead of reading every
# event to find the few dozen kinds there are.
_DISTINCT_ACTIONS = """
WITH RECURSIVE found(action) AS (
    (SELECT action FROM assessments_auditevent ORDER BY action LIMIT 1)
    UNION ALL
    SELECT (SELECT e.action FROM assessments_auditevent e WHERE e.action > found.action ORDER BY e.action LIMIT 1)
    FROM found WHERE found.action IS NOT NULL
)
SELECT action FROM found WHERE action IS NOT NULL
"""


def audit_actions(events: QuerySet[AuditEvent], *, scoped: bool) -> list[str]:
    """The kinds of event there are in `events`, sorted. An agency's own events are few enough to read;
    the whole log is not, so on PostgreSQL it is probed through its index instead."""
    if scoped or connection.vendor != "postgresql":
        return sorted(events.order_by().values_list("action", flat=True).distinct())
    with connection.cursor() as cursor:
        cursor.execute(_DISTINCT_ACTIONS)
        return sorted(row[0] for row in cursor.fetchall())
