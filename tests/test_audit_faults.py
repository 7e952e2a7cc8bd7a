"""Fault tests on a throwaway PostgreSQL database: what a superuser can do to the audit log, and what
`verify_audit_log` says about it. The app runs as its own processes (migrate, write events and signed
checkpoints, verify); the attacker is a superuser connection that disables the triggers first."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("KIV_FAULT_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
# Its own database per run: the slow tests run on two workers, and a fixed name would be shared by them.
DB_NAME = f"kiv_audit_fault_{secrets.token_hex(4)}"

WRITE = """
import django, json, sys
django.setup()
from assessments.audit import chain as audit
from assessments.audit import checkpoints as audit_checkpoints
for i in range(int(sys.argv[1])):
    audit.record(None, "fault.event", details={"n": i})
print(json.dumps(audit_checkpoints.write()))
"""


def _superuser():
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        require_service(False, "PostgreSQL as superuser postgres on 127.0.0.1:5432")


@pytest.fixture
def fault_db(tmp_path):
    admin = _superuser()
    admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    admin.execute(f"CREATE DATABASE {DB_NAME}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KIV_", "DATABASE_", "CELERY_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kiveileder.settings",
            "DATABASE_URL": f"{SERVER}/{DB_NAME}",
            "KIV_DATA_DIR": str(tmp_path),
            "KIV_AUDIT_KEY": "fault-test-key-" + "k" * 40,
        }
    )
    _run(env, "manage.py", "migrate", "-v", "0")
    yield env
    admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    admin.close()


def _run(env, *args, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    if check:
        assert result.returncode == 0, result.stderr[-2000:]
    return result


def _as_superuser(*statements: str, replica: bool = True) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/{DB_NAME}", autocommit=True) as conn:
        if replica:  # what a superuser does to get past the triggers
            conn.execute("SET session_replication_role = replica")
        for statement in statements:
            conn.execute(statement)


def _verify(env) -> subprocess.CompletedProcess:
    return _run(env, "manage.py", "verify_audit_log", check=False)


@pytest.mark.integration
def test_the_triggers_refuse_truncate_and_a_head_moved_back(fault_db):
    import psycopg

    _run(fault_db, "-c", WRITE, "3")
    with pytest.raises(psycopg.errors.RaiseException, match="TRUNCATE refused"):
        _as_superuser("TRUNCATE assessments_auditevent", replica=False)
    with pytest.raises(psycopg.errors.RaiseException, match="only move forward"):
        _as_superuser("UPDATE assessments_audithead SET count = 1", replica=False)
    with pytest.raises(psycopg.errors.RaiseException, match="DELETE refused"):
        _as_superuser("DELETE FROM assessments_audithead", replica=False)
    assert _verify(fault_db).returncode == 0


@pytest.mark.integration
def test_a_rollback_and_a_truncation_by_a_superuser_are_named(fault_db):
    _run(fault_db, "-c", WRITE, "5")
    written = _run(fault_db, "-c", WRITE, "2")  # a second checkpoint: 7 events
    assert '"written": true' in written.stdout
    assert _verify(fault_db).returncode == 0

    # Delete the two newest events and make the head agree with what is left.
    _as_superuser(
        "DELETE FROM assessments_auditevent"
        " WHERE id IN (SELECT id FROM assessments_auditevent ORDER BY id DESC LIMIT 2)",
        "UPDATE assessments_audithead SET count = 5, last_event_id = (SELECT max(id) FROM assessments_auditevent),"
        " last_hash = (SELECT hash FROM assessments_auditevent ORDER BY id DESC LIMIT 1)",
    )
    result = _verify(fault_db)
    assert result.returncode == 1
    assert "rolled back" in result.stderr and "records 7 events" in result.stderr
    assert "Traceback" not in result.stderr
    # The app refuses to seal the rolled-back head as a new checkpoint.
    refused = _run(fault_db, "-c", WRITE, "0")
    assert '"written": false' in refused.stdout

    _as_superuser(
        "TRUNCATE assessments_auditevent",
        "UPDATE assessments_audithead SET count = 0, last_event_id = 0, last_hash = repeat('0', 64)",
    )
    result = _verify(fault_db)
    assert result.returncode == 1
    assert "truncated" in result.stderr and "Traceback" not in result.stderr
