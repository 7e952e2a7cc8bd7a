"""The one way a service locks a row for the rest of its transaction.

`lock(model, pk, related=...)` selects one row of `model` by its primary key, FOR UPDATE of that row only
(`of=("self",)`), with any `related` rows joined but not locked: locking a joined row (the agency, the
questionnaire) as well deadlocks with concurrent inserts, whose deferred foreign-key checks take a share
lock on that row at commit. SQLite has no SELECT ... FOR UPDATE and ignores it; the services that must be
safe there too compare-and-set on a revision or a status in their UPDATE as well.

Call it inside `transaction.atomic()`: the lock lasts until the transaction ends. It locks one row by its
primary key; a service that locks a set of rows (a plan's items, a sweep's batch) selects them FOR UPDATE
through its own queryset.
"""

from django.db import models


def lock(model: type[models.Model], pk, *, related: tuple[str, ...] = ()) -> models.Model:
    """The row `pk` of `model`, locked until the end of the transaction; `related` rows joined, unlocked."""
    rows = model.objects.select_for_update(of=("self",))
    if related:
        rows = rows.select_related(*related)
    return rows.get(pk=pk)
