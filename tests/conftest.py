"""Shared fixtures: two agencies and a user for every role, so every view gets a permission test."""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import translation

from assessments.models import Agency, Membership, MunicipalRole
from tests.answers import complete
from tests.assessment_helpers import make_assessment, published_questionnaire
from tests.integration.processes import database_url

PASSWORD = "test-password-2026"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true")


def require_tool(name: str) -> str:
    """An external tool: in CI its absence fails the test, elsewhere the test skips with what to install."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install {TOOL_PACKAGES.get(name, name)})"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def pytest_sessionstart(session):
    """Compile the translation catalogue when it is missing or older than its source, so a plain `pytest`
    on a fresh checkout tests the English pages. Only the controller compiles (xdist workers start after it).
    """
    if hasattr(session.config, "workerinput"):
        return
    from django.core.management import call_command

    locale = Path(__file__).resolve().parent.parent / "locale"
    stale = [
        po
        for po in locale.glob("*/LC_MESSAGES/django.po")
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        call_command(
            "compilemessages",
            locale=[po.parent.parent.name for po in stale],
            ignore_patterns=[".venv", "node_modules", "var"],
            verbosity=0,
        )


TOOL_PACKAGES = {"pdfsig": "poppler-utils", "qpdf": "qpdf", "chromium": "chromium", "redis-server": "redis-server"}


def require_service(condition: bool, what: str) -> None:
    if not condition:
        if IN_CI:
            pytest.fail(f"{what} is required in CI")
        pytest.skip(f"{what} is not available here")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Django empties the tables between transactional tests with TRUNCATE, which the audit log's trigger
    refuses: drop that trigger in the test database only (tests/test_audit_faults.py checks it on its own)."""
    with django_db_blocker.unblock():
        drop_truncate_guards(connection)


def drop_truncate_guards(connection) -> None:
    """Also for tests that migrate the test database back and forth (the migration re-creates the guards)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS kiv_audit_no_truncate ON assessments_auditevent")
            cursor.execute("DROP TRIGGER IF EXISTS kiv_audit_head_no_truncate ON assessments_audithead")


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in bokmål: a request in English leaves the thread's language active after it."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media_and_tasks(settings, tmp_path):
    """Files go to a temporary folder; tasks run in-process unless a test asks for the real worker."""
    from django.core.cache import cache

    cache.clear()
    # Password hashing is deliberately slow; tests only need it to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KIV_DATA_DIR_TEST = tmp_path
    from kiveileder.celery import app

    eager, propagates = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = eager, propagates


@dataclass
class World:
    agency_a: Agency
    agency_b: Agency
    users: dict

    def client(self, role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(self.users[role])
        return client


ROLES = ["leader_a", "contributor_a", "leader_b", "reviewer", "auditor", "dpo", "security_officer", "anonymous"]


def make_user(username: str, **extra):
    user = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.org",
        first_name=username.split("_")[0].title(),
        last_name="Test",
        **extra,
    )
    return user


@pytest.fixture
def world(db) -> World:
    agency_a = Agency.objects.create(name="Bydel Testå", kind="bydel")
    agency_b = Agency.objects.create(name="Testetaten", kind="etat")
    users = {
        "leader_a": make_user("leader_a"),
        "contributor_a": make_user("contributor_a"),
        "leader_b": make_user("leader_b"),
        "reviewer": make_user("reviewer"),
        "auditor": make_user("auditor"),
        # Usernames that no page text could contain by chance (tests look for names in bodies).
        "dpo": make_user("ombud_personvern"),
        "security_officer": make_user("ombud_sikkerhet"),
    }
    Membership.objects.create(user=users["leader_a"], agency=agency_a, role="leader")
    Membership.objects.create(user=users["contributor_a"], agency=agency_a, role="contributor")
    Membership.objects.create(user=users["leader_b"], agency=agency_b, role="leader")
    MunicipalRole.objects.create(user=users["reviewer"], role="reviewer")
    MunicipalRole.objects.create(user=users["auditor"], role="auditor")
    MunicipalRole.objects.create(user=users["dpo"], role="dpo")
    MunicipalRole.objects.create(user=users["security_officer"], role="security_officer")
    return World(agency_a, agency_b, users)


@pytest.fixture
def questionnaire(db):
    """Questionnaire 2026.1 published from fixtures/ (the parsed definition is cached per test run)."""
    return published_questionnaire()


@pytest.fixture
def leader(world):
    """The leader of agency A, who makes and submits the assessments of `submitted`."""
    return world.users["leader_a"]


@pytest.fixture
def submitted(world):
    """A complete assessment of agency A, submitted to UKE: its plan holds an item for each obligation.
    (Modules that need another submitted assessment define their own `submitted`.)"""
    return make_assessment(world, "Tiltak i bydel A", answers=complete(), submit=True)


# --- Other processes (a Celery worker, gunicorn) that share this test's database and files ---------------
@pytest.fixture
def postgres(transactional_db) -> str:
    """The PostgreSQL test database, committed to (other processes must see the rows), as a URL."""
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    return database_url(connection.settings_dict)


@pytest.fixture
def data_dir(tmp_path):
    """KIV_DATA_DIR of the processes a test starts; this process stores its files there too (its MEDIA_ROOT
    is tmp_path / "media", set for every test by `_media_and_tasks`)."""
    return tmp_path
