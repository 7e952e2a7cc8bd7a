"""seed_demo on a fresh database, as `make run` does it: no broker, SQLite in a new data folder."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO_USERS = {"leder", "bidragsyter", "leder.grorud", "uke", "revisor", "personvernombud", "sikkerhetsleder", "admin"}


def manage(data_dir: Path, *args, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KIV_", "DATABASE_", "CELERY_"))}
    env.update({"KIV_DATA_DIR": str(data_dir), **(extra_env or {})})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("seed")
    assert manage(data_dir, "migrate", "--noinput").returncode == 0
    first = manage(data_dir, "seed_demo")
    assert first.returncode == 0, first.stderr
    return data_dir, json.loads(first.stdout)


def rows(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "kiveileder.sqlite3") as db:
        return db.execute(sql).fetchall()


def test_it_creates_agencies_users_and_a_populated_app(seeded):
    data_dir, summary = seeded
    assert DEMO_USERS <= set(summary["users"])
    names = {name for (name,) in rows(data_dir, "SELECT name FROM assessments_agency")}
    assert {"Bydel Frogner", "Bydel Søndre Nordstrand", "Utviklings- og kompetanseetaten"} <= names
    assert len([n for n in names if n.startswith("Bydel ")]) == 15
    statuses = {s for (s,) in rows(data_dir, "SELECT status FROM assessments_assessment")}
    assert {"draft", "submitted", "returned", "approved", "rejected"} <= statuses
    ready = rows(data_dir, "SELECT storage_name FROM assessments_report WHERE kind='signed' AND status='ready'")
    assert ready and all((data_dir / "media" / name).is_file() for (name,) in ready)


def test_demo_users_sign_in_with_the_documented_password(seeded):
    data_dir, _ = seeded
    check = (
        "from django.contrib.auth import authenticate; from django.test import RequestFactory; import sys; "
        "r = RequestFactory().post('/logg-inn/'); "  # django-axes counts each try by its request
        f"sys.exit(0 if all(authenticate(r, username=u, password='kiv-demo-2026') for u in {sorted(DEMO_USERS)!r})"
        " else 1)"
    )
    assert manage(data_dir, "shell", "-c", check).returncode == 0


def test_a_second_run_creates_nothing_new(seeded):
    data_dir, _ = seeded
    before = rows(
        data_dir,
        "SELECT (SELECT count(*) FROM assessments_agency), (SELECT count(*) FROM auth_user), "
        "(SELECT count(*) FROM assessments_assessment), (SELECT count(*) FROM assessments_report)",
    )
    again = manage(data_dir, "seed_demo")
    assert again.returncode == 0, again.stderr
    after = rows(
        data_dir,
        "SELECT (SELECT count(*) FROM assessments_agency), (SELECT count(*) FROM auth_user), "
        "(SELECT count(*) FROM assessments_assessment), (SELECT count(*) FROM assessments_report)",
    )
    assert after == before


def test_the_audit_log_verifies_after_seeding_and_fails_after_a_direct_change(seeded, tmp_path):
    data_dir, _ = seeded
    ok = manage(data_dir, "verify_audit_log")
    assert ok.returncode == 0, ok.stderr
    status = json.loads(ok.stdout)
    assert status["ok"] is True and status["count"] > 10
    # Tamper with a copy, so the other tests keep an intact database.
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "kiveileder.sqlite3").write_bytes((data_dir / "kiveileder.sqlite3").read_bytes())
    # The same audit key (kept outside the database), so only the tampering shows.
    shutil.copytree(data_dir / "audit", copy / "audit")
    (event_id,) = rows(copy, "SELECT id FROM assessments_auditevent ORDER BY id LIMIT 1 OFFSET 5")[0]
    with sqlite3.connect(copy / "kiveileder.sqlite3") as db:
        db.execute("UPDATE assessments_auditevent SET action='tampered' WHERE id=?", (event_id,))
    broken = manage(copy, "verify_audit_log")
    assert broken.returncode == 1
    assert json.loads(broken.stdout)["bad_event_id"] == event_id
    assert str(event_id) in broken.stderr


def test_it_refuses_to_run_with_debug_off_unless_forced(tmp_path):
    result = manage(
        tmp_path,
        "seed_demo",
        extra_env={"DJANGO_DEBUG": "False", "DJANGO_SECRET_KEY": "x" * 50, "KIV_AUDIT_KEY": "a" * 64},
    )
    assert result.returncode != 0
    assert "--force" in result.stderr
