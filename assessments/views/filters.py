"""Lists filtered by a GET form: the review queue, the register (also the public one), the auditor's search, the
audit log and the overdue measures.

A filter that does not validate (a to-date before the from-date, a NUL byte in the search) is never used as no
filter: the list shows nothing and says why (templates/lists/_invalid_filter.html), its download links are left
out, and the downloads themselves answer 400 with what is wrong instead of every row. `form.errors` is the test
everywhere: a form left unbound (no query string) has none, and lists everything.
"""

from django.db.models import QuerySet
from django.shortcuts import render

from assessments.queries.paging import Count

NOTHING = Count(0)


def unless_invalid(form, qs: QuerySet) -> QuerySet:
    """`qs`, or no rows when the filter was given and does not validate."""
    return qs.none() if form.errors else qs


def used_filters(request, form) -> list[str]:
    """The names of the filters a download used, for its audit event: only the form's own fields, so a query
    string of made-up names (of any length, with NUL bytes) is never written to the log."""
    return sorted(name for name in form.fields if request.GET.get(name))


def refused_download(request, form):
    """The answer to a download asked for with an invalid filter."""
    return render(request, "lists/invalid_filter.html", {"form": form}, status=400)
