import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from kiveileder.settings import env_bool, env_int, parse_database_url
from tests.parallel import run_together

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("raw", "expected"), [("True", True), ("true", True), ("1", True), ("False", False), ("false", False), ("0", False)]
)
def test_it_accepts_the_documented_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", not expected) is expected


@pytest.mark.parametrize("raw", ["yes", "on", "TRUE ", "2"])
def test_it_rejects_other_booleans_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("X_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_it_rejects_a_non_integer(monkeypatch):
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env_int("X_NUM", 1)


def test_it_parses_database_urls():
    pg = parse_database_url("postgres://u:p@db.example:6543/kiv", pool=True)
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql",
        "kiv",
        "u",
        "p",
        "db.example",
        "6543",
    )
    assert pg["OPTIONS"]["pool"]["timeout"] == 10 and pg["CONN_MAX_AGE"] == 0
    assert parse_database_url("sqlite:////tmp/x.sqlite3", pool=False)["NAME"] == "/tmp/x.sqlite3"


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://", "postgres://host/", "nonsense"])
def test_it_rejects_bad_database_urls(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        parse_database_url(url, pool=False)


def _manage(env_overrides: dict, *args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KIV_", "DATABASE_", "CELERY_"))}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"DJANGO_DEBUG": "False"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_DEBUG": "False", "DJANGO_SECRET_KEY": "k" * 50}, "KIV_AUDIT_KEY"),
        ({"KIV_AUDIT_KEY": "too-short"}, "KIV_AUDIT_KEY"),
        ({"DATABASE_URL": "oracle://x/y"}, "DATABASE_URL"),
        ({"CELERY_BROKER_URL": "amqp://guest@localhost//"}, "CELERY_BROKER_URL"),
        ({"KIV_REPORT_LEASE_SECONDS": "1"}, "KIV_REPORT_LEASE_SECONDS"),
        ({"KIV_ARCHIVE_ADAPTER": "ftp"}, "KIV_ARCHIVE_ADAPTER"),
        ({"KIV_ARCHIVE_ADAPTER": "http"}, "KIV_ARCHIVE_URL"),
        ({"KIV_ARCHIVE_URL": "http://archive.example.org/"}, "KIV_ARCHIVE_URL"),
        ({"KIV_ACCESSIBILITY_CONTACT": "nobody"}, "KIV_ACCESSIBILITY_CONTACT"),
        ({"KIV_RETENTION_CLOSED_DAYS": "0"}, "KIV_RETENTION_CLOSED_DAYS"),
    ],
)
def test_a_bad_environment_is_one_clear_line(env, named, tmp_path):
    result = _manage({"KIV_DATA_DIR": str(tmp_path), **env}, "check")
    assert result.returncode == 2
    assert named in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_debug_off_is_secure_by_default(tmp_path):
    result = _manage(
        {
            "DJANGO_DEBUG": "False",
            "DJANGO_SECRET_KEY": "k" * 20 + "Q9!x" * 10,
            "KIV_AUDIT_KEY": "a" * 64,
            "DJANGO_ALLOWED_HOSTS": "kiv.example.org",
            "KIV_DATA_DIR": str(tmp_path),
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_a_redis_cache_degrades_instead_of_failing(tmp_path):
    """With KIV_CACHE_URL on a Redis that does not answer, reads miss and writes are dropped, no error."""
    code = (
        "from django.core.cache import cache; cache.set('k', 1); "
        "from django.core.cache import caches; print(cache.get('k', 'missing'), type(caches['default']).__module__)"
    )
    result = _manage({"KIV_DATA_DIR": str(tmp_path), "KIV_CACHE_URL": "redis://127.0.0.1:1/0"}, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["missing", "django_redis.cache"]


def test_sqlite_takes_the_write_lock_up_front_and_waits_for_it():
    config = parse_database_url("sqlite:///var/x.sqlite3", pool=False)
    assert config["OPTIONS"] == {"timeout": 20, "transaction_mode": "IMMEDIATE"}


def test_concurrent_sqlite_writers_wait_instead_of_failing(tmp_path, django_db_blocker):
    """Two threads read and then write in one transaction each (the shape of a decision). With DEFERRED
    transactions one of them fails with "database is locked"; with IMMEDIATE the second waits its turn."""
    import time

    from django.db.backends.sqlite3.base import DatabaseWrapper

    settings_dict = {**parse_database_url(f"sqlite:///{tmp_path / 'race.sqlite3'}", pool=False)}
    settings_dict.update({"ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False})
    settings_dict.update({"TIME_ZONE": None, "USER": "", "PASSWORD": "", "HOST": "", "PORT": "", "TEST": {}})
    django_db_blocker.unblock()  # bare connections to a file of this test's own, not the test database
    setup = DatabaseWrapper(settings_dict)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n integer)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    setup.close()
    errors = []

    def writer():
        connection = DatabaseWrapper(settings_dict, alias=f"race{threading.get_ident()}")
        try:
            for _ in range(10):
                with _atomic(connection):
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT n FROM counter")
                        (n,) = cursor.fetchone()
                        time.sleep(0.005)  # let the others read too: the race of a real decision
                        cursor.execute("UPDATE counter SET n = %s", [n + 1])
        except Exception as exc:  # collected: the assertion below names it
            errors.append(repr(exc))
        finally:
            connection.close()

    run_together(writer, writer, writer, writer, timeout=None)
    check = DatabaseWrapper(settings_dict)
    with check.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        assert cursor.fetchone() == (40,)
    check.close()
    django_db_blocker.restore()
    assert errors == []


class _atomic:
    """BEGIN (in the connection's transaction mode) ... COMMIT on a bare DatabaseWrapper."""

    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        # What transaction.atomic does on SQLite: BEGIN <transaction_mode> from the settings.
        self.connection.ensure_connection()
        self.connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.connection.commit()
        else:
            self.connection.rollback()
        self.connection.set_autocommit(True)
