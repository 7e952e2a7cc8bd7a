"""Integration helpers (the fixtures `postgres` and `data_dir` are in tests/conftest.py)."""

from django.db import connection


def terminate_backends(database: str) -> int:
    """pg_terminate_backend every session of `database` except ours: the server's view of a network
    cut, a failover or an idle-timeout kill. Returns how many were dropped."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        return cursor.fetchone()[0]
