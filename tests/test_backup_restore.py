"""deploy/backup.sh and deploy/restore.sh against the real PostgreSQL: data, audit chain and report files
survive a backup and a restore into a fresh database and an empty storage; a damaged backup is refused."""

import json
import os
import secrets
import subprocess
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from tests.conftest import require_service, require_tool

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.integration


def _server_url() -> str:
    """The PostgreSQL server of DATABASE_URL when it is one (CI), else the machine's shared server."""
    url = os.environ.get("DATABASE_URL", "")
    if urlparse(url).scheme not in ("postgres", "postgresql"):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return urlunparse(urlparse(url)._replace(path="/postgres"))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_server_url(), autocommit=True, connect_timeout=3) as connection:
        connection.execute(sql)


@pytest.fixture
def databases():
    try:
        _admin("SELECT 1")
        reachable = True
    except Exception:
        reachable = False
    require_service(reachable, "PostgreSQL")
    require_tool("pg_dump")
    require_tool("pg_restore")
    suffix = secrets.token_hex(4)
    names = [f"kiv_backup_src_{suffix}", f"kiv_backup_dst_{suffix}"]
    for name in names:
        _admin(f'CREATE DATABASE "{name}"')
    base = urlparse(_server_url())
    yield [urlunparse(base._replace(path=f"/{name}")) for name in names]
    for name in names:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(database_url: str, data_dir: Path) -> dict:
    ours = ("DJANGO_", "KIV_", "DATABASE_", "CELERY_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update({"DATABASE_URL": database_url, "KIV_DATA_DIR": str(data_dir), "KIV_PYTHON": str(_python())})
    # The audit key lives outside the backup, like the sealing key: the restored copy is given the same one.
    env["KIV_AUDIT_KEY"] = "backup-test-audit-key-" + "k" * 40
    return env


def _python() -> Path:
    import sys

    return Path(sys.executable)


def _run(args: list[str], env: dict, ok: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if ok:
        assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


def _shell(env: dict, code: str) -> dict:
    result = _run([str(_python()), "manage.py", "shell", "-c", code], env)
    return json.loads(result.stdout.strip().splitlines()[-1])


SEED = """
import json
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from assessments.audit import chain as audit
from assessments.models import Agency
agency = Agency.objects.create(name="Bydel Gamle Oslo", kind="bydel")
for n in range(3):
    audit.record(None, "test.event", agency, agency, {"n": n})
default_storage.save("reports/bydel-gamle-oslo/x/v1-abc.pdf", ContentFile(b"%PDF-1.7 report one"))
default_storage.save("previews/bydel-gamle-oslo/y.pdf", ContentFile(b"%PDF-1.7 preview"))
print(json.dumps({"head": audit.verify_chain().head_hash}))
"""

READ = """
import json
from django.core.files.storage import default_storage
from assessments.audit.chain import verify_chain
from assessments.models import Agency
status = verify_chain()
with default_storage.open("reports/bydel-gamle-oslo/x/v1-abc.pdf", "rb") as handle:
    report = handle.read().decode()
print(json.dumps({"agencies": list(Agency.objects.values_list("name", flat=True)), "ok": status.ok,
                  "count": status.count, "head": status.head_hash, "report": report,
                  "preview": default_storage.exists("previews/bydel-gamle-oslo/y.pdf")}))
"""


def test_a_backup_restores_into_a_fresh_database_and_storage(databases, tmp_path):
    source_url, target_url = databases
    source = _env(source_url, tmp_path / "source")
    _run([str(_python()), "manage.py", "migrate", "--noinput"], source)
    seeded = _shell(source, SEED)

    backup = Path(_run(["bash", "deploy/backup.sh", str(tmp_path / "backups")], source).stdout.strip())
    manifest = json.loads((backup / "MANIFEST.json").read_text())
    assert manifest["files"] == 2 and manifest["audit_head_hash"] == seeded["head"]
    assert not list((tmp_path / "backups").glob("*.partial"))

    target = _env(target_url, tmp_path / "target")
    refused = _run(["bash", "deploy/restore.sh", str(backup)], target, ok=False)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    restored = _run(["bash", "deploy/restore.sh", str(backup), "--yes"], target)
    assert "verified" in restored.stdout

    after = _shell(target, READ)
    assert after["agencies"] == ["Bydel Gamle Oslo"]
    assert (after["ok"], after["head"]) == (True, seeded["head"])
    assert after["count"] >= 3
    assert (after["report"], after["preview"]) == ("%PDF-1.7 report one", True)


def test_a_damaged_backup_is_refused_before_anything_changes(databases, tmp_path):
    source_url, target_url = databases
    source = _env(source_url, tmp_path / "source")
    _run([str(_python()), "manage.py", "migrate", "--noinput"], source)
    _shell(source, SEED)
    backup = Path(_run(["bash", "deploy/backup.sh", str(tmp_path / "backups")], source).stdout.strip())
    (backup / "files" / "reports/bydel-gamle-oslo/x/v1-abc.pdf").write_bytes(b"%PDF-1.7 forged")

    target = _env(target_url, tmp_path / "target")
    result = _run(["bash", "deploy/restore.sh", str(backup), "--yes"], target, ok=False)
    assert result.returncode != 0
    assert "does not match its sha256" in result.stderr
    # Nothing was restored: the target database is still empty.
    import psycopg

    with psycopg.connect(target_url) as connection:
        tables = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()[0]
    assert tables == 0
    assert not (tmp_path / "target" / "media").exists()


SEAL_SEED = """
import json
from assessments import services
from assessments.models import Report
from tests.report_helpers import agency_with_reviewer, submitted
agency, leader, reviewer = agency_with_reviewer("Bydel Gamle Oslo")
for _ in range(2):
    services.assessment_approve(assessment=submitted(agency, leader), user=reviewer)
ready = Report.objects.filter(kind="signed", status="ready")
print(json.dumps(sorted(ready.values_list("storage_name", flat=True))))
"""


def _verify(env: dict, data_dir: Path, name: str) -> subprocess.CompletedProcess:
    return _run([str(_python()), "manage.py", "verify_report", str(data_dir / "media" / name)], env, ok=False)


def test_a_restored_copy_verifies_every_sealed_report_and_never_makes_a_new_key(databases, tmp_path):
    """The default seal lives in the data folder: the backup carries it, a restore next to another
    certificate is refused, a restore into an empty data folder verifies every report with it (restore.sh
    checks the audit chain against the manifest), and a copy without it refuses to verify instead of
    making a new key."""
    from assessments.reports.signing import DEFAULT_P12_NAME, make_self_signed_p12

    source_url, target_url = databases
    source = _env(source_url, tmp_path / "source")
    _run([str(_python()), "manage.py", "migrate", "--noinput"], source)
    sealed = _shell(source, SEAL_SEED)
    assert len(sealed) == 2, "the reports were not made"
    backup = Path(_run(["bash", "deploy/backup.sh", str(tmp_path / "backups")], source).stdout.strip())
    manifest = json.loads((backup / "MANIFEST.json").read_text())
    assert manifest["seal_in_backup"] is True and len(manifest["seal_fingerprint_sha256"]) == 64
    assert len(list((backup / "seal").iterdir())) == 1, "the seal is not in the backup"

    # Another installation's certificate in the target data folder: refused before anything changes.
    target_dir = tmp_path / "target"
    target = _env(target_url, target_dir)
    other = target_dir / "signing" / DEFAULT_P12_NAME
    other.parent.mkdir(parents=True)
    other.write_bytes(make_self_signed_p12("Another seal", key_size=2048))
    refused = _run(["bash", "deploy/restore.sh", str(backup), "--yes"], target, ok=False)
    assert refused.returncode != 0 and "is not the one the reports were sealed with" in refused.stderr
    assert not (target_dir / "media").exists()

    # An empty data folder: the seal comes back with the data, and every report verifies.
    other.unlink()
    restored = _run(["bash", "deploy/restore.sh", str(backup), "--yes"], target)
    assert "verified" in restored.stdout and "pg_restore: error" not in restored.stderr
    for name in sealed:
        result = _verify(target, target_dir, name)
        assert result.returncode == 0, f"{name}: {result.stdout} {result.stderr}"
        assert json.loads(result.stdout)["valid"] is True

    # The copy without its seal (the database and files alone): verify_report says what is missing.
    other.unlink()
    result = _verify(target, target_dir, sealed[0])
    assert result.returncode == 2, result.stdout
    assert "KIV_SIGNING_P12" in result.stderr and "sealed reports exist" in result.stderr
    assert not other.exists(), "a new key was made"
