"""The files in deploy/ as far as this machine can check them (no Docker engine, no systemd running),
the environment table in docs/deployment.md, and deploy/smoke.sh: the scaled-out shape run for real."""

import configparser
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import require_service
from tests.integration.processes import run_in_repo

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent


def test_the_compose_file_has_the_scaled_out_shape():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "redis", "s3", "web1", "web2", "worker", "beat", "nginx", "upgrade"} <= set(services)
    beats = [name for name, s in services.items() if "beat" in " ".join(map(str, s.get("command", [])))]
    assert beats == ["beat"], "exactly one Celery beat"
    for name in ("web1", "web2", "worker", "beat", "upgrade"):
        env = services[name]["environment"]
        assert env["DJANGO_DEBUG"] == "False" and env["KIV_LOG_JSON"] == "True"
        assert env["CELERY_BROKER_URL"].startswith("redis://") and env["KIV_S3_BUCKET"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
    for secret in compose["secrets"].values():
        assert secret["file"].startswith("./secrets/")
    for volume in services["nginx"]["volumes"]:
        source = volume.split(":")[0]
        if not source.startswith("./secrets"):
            assert (DEPLOY / source).exists(), source
    assert (ROOT / services["web1"]["build"]["dockerfile"]).exists()


def _units() -> list[Path]:
    return sorted((DEPLOY / "systemd").glob("kiveileder-*"))


def test_the_systemd_units_parse_and_name_real_commands():
    for unit in _units():
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str
        parser.read_string(unit.read_text())
        assert "Unit" in parser, unit.name
        if unit.suffix == ".service":
            exec_start = parser["Service"]["ExecStart"]
            command = exec_start.split()[0].replace("/opt/kiveileder", str(ROOT))
            if "/.venv/bin/" not in command:
                assert Path(command).is_file(), f"{unit.name}: {command}"


def test_the_systemd_units_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (the structural test above still ran)")
    copies = []
    for unit in _units():
        text = unit.read_text().replace("/opt/kiveileder/.venv/bin", str(BIN)).replace("/opt/kiveileder", str(ROOT))
        name = unit.name.replace("@.service", "@8001.service")
        (tmp_path / name).write_text(text)
        copies.append(str(tmp_path / name))
    result = subprocess.run(
        [analyze, "verify", "--man=no", *copies], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    problems = [
        line for line in (result.stdout + result.stderr).splitlines() if "kiveileder" in line and "User" not in line
    ]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


def test_the_gunicorn_config_loads_with_json_logs():
    env = {**os.environ, "KIV_LOG_JSON": "True", "KIV_BIND": "127.0.0.1:0", "GUNICORN_WORKERS": "1"}
    result = run_in_repo(
        [str(BIN / "gunicorn"), "--check-config", "-c", "deploy/gunicorn.conf.py", "kiveileder.wsgi"], env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    namespace: dict = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    assert namespace["control_socket_disable"] is True  # two instances on one machine must not collide


@pytest.mark.parametrize("script", ["backup.sh", "restore.sh", "upgrade.sh", "smoke.sh"])
def test_the_scripts_are_valid_bash(script):
    path = DEPLOY / script
    assert os.access(path, os.X_OK), f"{script} is not executable"
    result = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_environment_table_lists_every_setting():
    # settings.py is the entry point; it imports the parsing helpers (env.py) and the product's settings.
    files = ("settings.py", "env.py", "product.py")
    settings_text = "".join((ROOT / "kiveileder" / name).read_text() for name in files)
    names = set(re.findall(r'"((?:KIV|DJANGO|DATABASE|CELERY)_[A-Z0-9_]+)"', settings_text))
    names.discard("DJANGO_SETTINGS_MODULE")
    doc = (ROOT / "docs" / "deployment.md").read_text()
    missing = sorted(name for name in names if name not in doc)
    assert not missing, f"add these to the environment table in docs/deployment.md: {missing}"


def _answers(command: list[str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.integration
def test_the_smoke_script_runs_the_scaled_out_shape():
    require_service(_answers(["pg_isready", "-h", "127.0.0.1", "-p", "5432"]), "PostgreSQL")
    require_service(_answers([sys.executable, "-c", "import redis; redis.Redis(socket_timeout=2).ping()"]), "Redis")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KIV_", "DATABASE_", "CELERY_"))}
    env["KIV_SMOKE_DB"] = f"kiv_smoke_{secrets.token_hex(3)}"
    result = run_in_repo(["bash", "deploy/smoke.sh"], env, timeout=600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "smoke journey:" in result.stdout and "0 failed" in result.stdout
    assert "== smoke passed" in result.stdout


def test_production_settings_pass_check_deploy(tmp_path):
    """The production shape's environment (PostgreSQL, Redis, S3, Entra ID, JSON logs, secrets from files)
    passes `check --deploy --fail-level WARNING`. Nothing is contacted: settings are only parsed."""
    for name, value in {"secret": "k" * 30 + "Q9!x" * 10, "s3": "s3-secret", "oidc": "oidc-secret"}.items():
        (tmp_path / name).write_text(value + "\n")
    ours = ("DJANGO_", "KIV_", "DATABASE_", "CELERY_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update(
        {
            "DJANGO_DEBUG": "False",
            "DJANGO_SECRET_KEY_FILE": str(tmp_path / "secret"),
            "KIV_AUDIT_KEY": "a" * 64,
            "DJANGO_ALLOWED_HOSTS": "ki-veileder.oslo.kommune.no",
            "DJANGO_CSRF_TRUSTED_ORIGINS": "https://ki-veileder.oslo.kommune.no",
            "DATABASE_URL": "postgres://kiv:pw@db.example.org:5432/kiveileder",
            "KIV_DB_POOL": "True",
            "CELERY_BROKER_URL": "redis://redis.example.org:6379/0",
            "KIV_CACHE_URL": "redis://redis.example.org:6379/1",
            "KIV_BEHIND_PROXY": "True",
            "KIV_LOG_JSON": "True",
            "KIV_DATA_DIR": str(tmp_path / "data"),
            "KIV_S3_BUCKET": "kiv-reports",
            "KIV_S3_ENDPOINT_URL": "https://s3.example.org",
            "KIV_S3_ACCESS_KEY_ID": "kiv",
            "KIV_S3_SECRET_ACCESS_KEY_FILE": str(tmp_path / "s3"),
            "KIV_OIDC_CLIENT_ID": "kiv",
            "KIV_OIDC_CLIENT_SECRET_FILE": str(tmp_path / "oidc"),
            "KIV_OIDC_DISCOVERY_URL": "https://login.example.org/tenant/v2.0/.well-known/openid-configuration",
            "KIV_PASSWORD_LOGIN": "staff",
        }
    )
    result = run_in_repo([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("conf", ["kiveileder.conf", "compose.conf"])
def test_the_nginx_config_passes_nginx_t(conf, tmp_path):
    """Optional: runs where Debian's nginx is installed (not a CI requirement; the app does not need it)."""
    nginx = shutil.which("nginx") or (shutil.which("nginx", path="/usr/sbin:/sbin"))
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light) — optional syntax check")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from tests.certs import self_signed

    key = ec.generate_private_key(ec.SECP256R1())
    cert = self_signed(key, "localhost")
    (tmp_path / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "privkey.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    site = (DEPLOY / "nginx" / conf).read_text().replace("/etc/ssl/kiveileder", str(tmp_path))
    # nginx -t resolves upstream names: point the example hosts at loopback.
    site = re.sub(r"server (web\d)(\.kiveileder\.internal)?:(\d+)", r"server 127.0.0.1:\3", site)
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ access_log off; include {tmp_path}/site.conf; }}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
