import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from kiveileder.settings import env_bool, env_int, parse_database_url

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
        ({"DATABASE_URL": "oracle://x/y"}, "DATABASE_URL"),
        ({"CELERY_BROKER_URL": "amqp://guest@localhost//"}, "CELERY_BROKER_URL"),
        ({"KIV_REPORT_LEASE_SECONDS": "1"}, "KIV_REPORT_LEASE_SECONDS"),
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
