"""Bulk writes for the synthetic seeding: PostgreSQL's COPY, bulk_create elsewhere.

Django's bulk_create on PostgreSQL sends each column as one array parameter (`UNNEST`), and psycopg
quotes an array of JSON texts character by character in Python: for the versions' 13 kB results that
was nearly all of the 37 minutes 100,000 assessments took to seed. COPY takes the rows as text, and the
few answer sets and results the rows share are serialised and escaped once. The ids are reserved from the
tables' own sequences first, so the rows can point at one another (and the audit events keep their chain
order) without reading anything back.
"""

import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.db import connection, models

BATCH = 1000
_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def reserve_ids(model: type[models.Model], n: int) -> list[int] | None:
    """n new primary keys, ascending, from the table's sequence (PostgreSQL); None elsewhere (the rows
    then get theirs from bulk_create)."""
    if connection.vendor != "postgresql" or n == 0:
        return None
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, n])
        return sorted(row[0] for row in cursor.fetchall())


class _Text:
    """COPY's text format for one value; JSON values seen before (by identity) are not serialised again."""

    def __init__(self):
        self.memo: dict[int, tuple[object, str]] = {}

    def __call__(self, value) -> str:
        kind = type(value)
        if kind is str:  # most values: tested first, before the isinstance chain below
            return value.translate(_ESCAPES)
        if kind is int:
            return str(value)
        if value is None:
            return "\\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        if isinstance(value, int | float | Decimal | UUID):
            return str(value)
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, dict | list):
            if not value:  # the empty defaults every row has its own copy of
                return "{}" if isinstance(value, dict) else "[]"
            held = self.memo.get(id(value))
            if held is None or held[0] is not value:
                held = (value, json.dumps(value, ensure_ascii=False).translate(_ESCAPES))
                self.memo[id(value)] = held
            return held[1]
        return str(value).translate(_ESCAPES)


def insert(model: type[models.Model], objects: list[models.Model], shared: list | None = None) -> None:
    """Insert the objects (their primary keys already set on PostgreSQL, see reserve_ids). Generated
    columns are left to the database.

    `shared`: JSON values that many rows hold (by identity). A JSON column whose every value is one of
    them is sent as a number into a staging table and filled in from a table of the shared values, so
    PostgreSQL parses and checks each of those documents once, not once per row."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=BATCH)
        return
    fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
    index = {id(value): i for i, value in enumerate(shared or [])}
    pooled = {
        f.attname
        for f in fields
        if isinstance(f, models.JSONField) and index and all(id(getattr(o, f.attname)) in index for o in objects)
    }
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    text = _Text()
    with connection.cursor() as cursor:
        target = quote(model._meta.db_table)
        if pooled:
            _copy_pool(cursor, shared)
            types = ", ".join(
                f"{quote(f.column)} {'integer' if f.attname in pooled else f.db_type(connection)}" for f in fields
            )
            cursor.execute(f"DROP TABLE IF EXISTS kiv_stage; CREATE TEMP TABLE kiv_stage ({types})")
            target = "kiv_stage"
        # (attribute, pooled?) per column; the values are read from the instances' __dict__, where Django
        # keeps the concrete fields of a new object (a foreign key under its attname).
        columns_of = [(f.attname, f.attname in pooled) for f in fields]
        with cursor.cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
            for chunk in _chunks(objects):
                lines = (
                    "\t".join(
                        str(index[id(values[name])]) if is_pooled else text(values[name])
                        for name, is_pooled in columns_of
                    )
                    for values in (obj.__dict__ for obj in chunk)
                )
                copy.write("\n".join(lines) + "\n")
        if pooled:
            # Table and column names come from the model and are quoted; no value is formatted into the SQL.
            pool_doc = "(SELECT doc FROM kiv_pool WHERE i = s.{})"  # noqa: S608  # nosec B608 - model column names only
            picked = ", ".join(
                pool_doc.format(quote(f.column)) if f.attname in pooled else f"s.{quote(f.column)}" for f in fields
            )
            table = quote(model._meta.db_table)
            sql = f"INSERT INTO {table} ({columns}) SELECT {picked} FROM kiv_stage s"  # noqa: S608  # nosec B608 - model names only
            cursor.execute(sql)
            cursor.execute("DROP TABLE kiv_stage")


def fast_compression() -> None:
    """Compress what this transaction stores with lz4 instead of PostgreSQL's default pglz, where the
    server has it: every version stores two JSON documents of about 13 kB, and pglz compressing (and
    the generated columns decompressing) them was most of the time the versions took to insert. Only
    the values written in this transaction are affected; lz4 values read like any others."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute("SET LOCAL default_toast_compression = 'lz4'")


def _copy_pool(cursor, shared: list) -> None:
    """The shared JSON values, numbered by their place in `shared`, in a temporary table."""
    cursor.execute("DROP TABLE IF EXISTS kiv_pool; CREATE TEMP TABLE kiv_pool (i integer PRIMARY KEY, doc jsonb)")
    text = _Text()
    with cursor.cursor.copy("COPY kiv_pool (i, doc) FROM STDIN") as copy:
        copy.write("".join(f"{i}\t{text(value)}\n" for i, value in enumerate(shared)))


def _chunks(objects: list, size: int = BATCH) -> Iterable[list]:
    for start in range(0, len(objects), size):
        yield objects[start : start + size]
