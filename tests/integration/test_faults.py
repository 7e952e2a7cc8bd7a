"""Faults as production meets them, with real processes: gunicorn, a Celery worker, Redis, PostgreSQL.

Never the machine's shared services: Redis outages use a throwaway redis-server this test starts and
stops; database outages drop this test database's connections with pg_terminate_backend, or refuse
new ones to this test database only (ALTER DATABASE ... ALLOW_CONNECTIONS).
"""

import time

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.conftest import require_tool
from tests.integration.conftest import terminate_backends
from tests.integration.processes import app_env, start_gunicorn

pytestmark = [pytest.mark.integration]


def signed_in(base: str, user) -> requests.Session:
    """A requests session carrying a real session of `user` (made as Client.force_login makes it:
    the processes under test use the production password hashers, the test users a fast one)."""
    client = Client()
    client.force_login(user)
    http = requests.Session()
    http.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value,
                     domain="127.0.0.1")
    return http


def _allow_connections(database: str, allowed: bool) -> None:
    """Refuse or allow new connections to the test database (from the maintenance database: a database
    cannot refuse connections while you are connected to it yourself)."""
    import psycopg

    params = connection.settings_dict
    with psycopg.connect(host=params["HOST"] or "127.0.0.1", port=params["PORT"] or 5432,
                         user=params["USER"] or None, password=params["PASSWORD"] or None,
                         dbname="postgres", autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {"true" if allowed else "false"}')


@pytest.mark.parametrize("pool", ["False", "True"], ids=["persistent", "pool"])
def test_the_app_recovers_from_dropped_database_connections(postgres, data_dir, world, pool):
    database = connection.settings_dict["NAME"]
    env = app_env(data_dir=data_dir, database=postgres, KIV_DB_POOL=pool, KIV_DB_POOL_TIMEOUT="3")
    server, base = start_gunicorn(env, data_dir)
    try:
        http = signed_in(base, world.users["leader_a"])
        assert http.get(f"{base}/", timeout=10).status_code == 200
        assert http.get(f"{base}/healthz", timeout=10).json()["checks"]["database"]["ok"] is True

        # 1. Every connection of the app is cut (a failover, a network blip): the very next request works.
        assert terminate_backends(database) >= 1, "the app held no database connection to drop"
        home = http.get(f"{base}/", timeout=10)
        assert home.status_code == 200 and "Din virksomhet" in home.text
        assert http.get(f"{base}/healthz", timeout=10).status_code == 200

        # 2. The database refuses connections for a while: /healthz says so, and recovers on its own.
        _allow_connections(database, False)
        try:
            terminate_backends(database)
            began = time.monotonic()
            down = http.get(f"{base}/healthz", timeout=20)
            assert time.monotonic() - began < 8, "/healthz must answer while the database is down"
            assert down.status_code == 503
            assert down.json()["checks"]["database"]["ok"] is False
        finally:
            _allow_connections(database, True)
        up = http.get(f"{base}/healthz", timeout=20)
        assert up.status_code == 200, up.text
        again = http.get(f"{base}/", timeout=10)
        assert again.status_code == 200 and "Din virksomhet" in again.text, "the session did not survive"
        assert server.alive(), "gunicorn died instead of recovering"
    finally:
        server.stop()


def test_redis_server_is_available_for_the_outage_tests():
    require_tool("redis-server")
