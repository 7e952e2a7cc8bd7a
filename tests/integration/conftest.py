"""Integration fixtures: the test database as a URL for other processes, and a folder for their files."""

import pytest
from django.db import connection

from tests.conftest import require_service
from tests.integration.processes import database_url


@pytest.fixture
def postgres(transactional_db) -> str:
    """The PostgreSQL test database, committed to (other processes must see the rows), as a URL."""
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    return database_url(connection.settings_dict)


@pytest.fixture
def data_dir(tmp_path, settings):
    """KIV_DATA_DIR of the processes a test starts; this process stores its files there too."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


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
