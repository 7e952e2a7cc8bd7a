"""Pages of long lists whose count does not read the whole list.

An exact count of a filtered list reads every matching row, which at 100,000 assessments costs more than
the page itself. On PostgreSQL a list is therefore counted only up to COUNT_CAP rows; beyond that the
pager shows the planner's estimate ("about N", from `kiv_count_estimate`, made by a migration), in the
same query. Pages keep their numbers and the filters, so links and bookmarks keep working; the rows of a
page are read one past the page, so "next" is right even where the total is an estimate. SQLite counts
exactly (it is for development and small installations).
"""

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

# Up to here a count is exact. Counting reads each matching row (about 5 ms for 1,000 at 100,000
# assessments), and beyond a few hundred an exact number tells the reader no more than "about".
COUNT_CAP = 500
# The last page a list with an estimated count may be asked for (page 1,000,000 of 50 rows is row 50,000,000).
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class Count:
    value: int
    estimated: bool = False

    def __add__(self, other: "Count") -> "Count":
        return Count(self.value + other.value, self.estimated or other.estimated)

    def __str__(self) -> str:
        return _("ca. %(count)s") % {"count": self.value} if self.estimated else str(self.value)


def _rounded(n: int) -> int:
    """An estimate to two significant figures: 12 345 -> 12 000 (more would pretend to a precision the
    planner does not have)."""
    digits = len(str(n))
    return round(n, 2 - digits) if digits > 2 else n


def _compiled(qs: QuerySet) -> tuple[str, tuple] | None:
    """The SQL and parameters that list the rows' keys; None for a filter Django knows matches nothing
    (`pk__in=[]`, a search for a user who does not exist), which it refuses to compile."""
    try:
        return qs.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return None


def bounded_counts(querysets: dict, cap: int | None = None) -> dict:
    """{key: Count} for each queryset, in one query whatever their number and size.

    The SQL is put together from the ORM's own compiled queries (their values stay parameters) and
    integers; no text from a request is formatted into it."""
    every = {k: _compiled(qs) for k, qs in querysets.items()}
    empty = {k: Count(0) for k, sql in every.items() if sql is None}
    keys = [k for k in querysets if k not in empty]
    if not keys:
        return empty
    cap = COUNT_CAP if cap is None else cap
    compiled = [every[k] for k in keys]
    params = [p for _sql, ps in compiled for p in ps]
    if connection.vendor != "postgresql":
        columns = [f"(SELECT COUNT(*) FROM ({sql}) AS c{i})" for i, (sql, _ps) in enumerate(compiled)]  # noqa: S608  # nosec B608 - ORM-compiled SQL
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(columns), params)
            counted = empty | {k: Count(n) for k, n in zip(keys, cursor.fetchone(), strict=True)}
            return {k: counted[k] for k in querysets}
    limit = cap + 1
    counted = [f"(SELECT COUNT(*) FROM ({sql} LIMIT {limit}) AS c{i}) AS n{i}" for i, (sql, _p) in enumerate(compiled)]  # noqa: S608  # nosec B608 - ORM-compiled SQL
    estimates = [f"n{i}, CASE WHEN n{i} > {cap} THEN kiv_count_estimate(%s) END" for i in range(len(keys))]
    estimate_params = [connection.ops.compose_sql(sql, ps) for sql, ps in compiled]
    # OFFSET 0 keeps the counts a subquery of their own: pulled up into the outer SELECT, each count would
    # run twice (once for its value and once for the CASE).
    query = "SELECT " + ", ".join(estimates) + " FROM (SELECT " + ", ".join(counted) + " OFFSET 0) AS counted"  # noqa: S608  # nosec B608 - ORM-compiled SQL
    with connection.cursor() as cursor:
        cursor.execute(query, estimate_params + params)
        row = cursor.fetchone()
    result = dict(empty)
    for i, key in enumerate(keys):
        exact, estimate = row[2 * i], row[2 * i + 1]
        result[key] = Count(_rounded(max(estimate, cap + 1)), True) if estimate is not None else Count(exact)
    return {k: result[k] for k in querysets}  # in the caller's order


def estimated_count(qs: QuerySet) -> Count:
    """The planner's estimate alone (PostgreSQL; exact elsewhere), for filters whose matches even a
    bounded count must find one by one (a title search that matches thousands): one query, no rows read.
    The pager makes it exact where a page shows the end of the list."""
    if connection.vendor != "postgresql":
        return Count(qs.count())
    compiled = _compiled(qs)
    if compiled is None:
        return Count(0)
    sql, params = compiled
    with connection.cursor() as cursor:
        cursor.execute("SELECT kiv_count_estimate(%s)", [connection.ops.compose_sql(sql, params)])
        return Count(_rounded(cursor.fetchone()[0] or 0), True)


def bounded_count(qs: QuerySet, cap: int | None = None) -> Count:
    return bounded_counts({"list": qs}, cap)["list"]


class EstimatedPage(Page):
    _has_more = False

    def has_next(self) -> bool:
        # The page was read one row past its end: exact, even where the total is an estimate.
        return self._has_more


class BoundedPaginator(Paginator):
    """A paginator whose count may be an estimate (`estimated`); `count` is given or bounded-counted."""

    def __init__(self, object_list, per_page, count: Count | None = None):
        super().__init__(object_list, per_page)
        self._given = count

    @cached_property
    def total(self) -> Count:
        return self._given if self._given is not None else bounded_count(self.object_list)

    @cached_property
    def count(self) -> int:
        return self.total.value

    @property
    def estimated(self) -> bool:
        return self.total.estimated

    def validate_number(self, number):
        if self.estimated:  # the last page is not known exactly: any page past the first may exist
            # up to a bound, so that the offset stays a number the database takes (a page past the end is empty)
            try:  # int() also refuses what str.isdigit() lets through ("²") and numbers of thousands of digits
                return min(max(1, int(str(number))), MAX_PAGE)
            except ValueError:
                return 1
        if _below_one(number):  # Django's get_page would show the last page for page 0 or -1
            return 1
        return super().validate_number(number)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        has_more = len(rows) > self.per_page
        if self.estimated:
            # What the page itself shows beats the estimate: the end of the list, or at least this far.
            if not has_more and (rows or number == 1):
                self._settle(Count(bottom + len(rows)))
            elif has_more and self.count <= bottom + self.per_page:
                self._settle(Count(bottom + self.per_page + 1, True))
        page = EstimatedPage(rows[: self.per_page], number, self)
        page._has_more = has_more
        return page

    def _settle(self, total: Count) -> None:
        for name in ("total", "count", "num_pages"):
            self.__dict__.pop(name, None)
        self._given = total


def _below_one(number) -> bool:
    try:
        return int(str(number)) < 1
    except ValueError:  # not a whole number: Django's own check turns it into page 1
        return False


def paginate(qs, per_page: int, number, count: Count | None = None) -> Page:
    """A page of `qs`. `count` when the caller already knows it (one query less)."""
    return BoundedPaginator(qs, per_page, count).get_page(number)


def querystring_without_page(request, **changes: str) -> str:
    """The list's current filters without the page number, for the pagination and download links; with
    `changes`, those filters set (a link to the first page of a narrower list)."""
    params = request.GET.copy()
    params.pop("page", None)
    for name, value in changes.items():
        params[name] = value  # replaces (QueryDict.update would add a second value)
    return params.urlencode()
