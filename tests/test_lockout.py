"""Sign-in lockouts (django-axes, assessments/accounts/lockout.py): every password path, by username and address
together, proxy-aware, audited once. The parallel burst on PostgreSQL is in
tests/integration/test_lockout_parallel.py."""

import os
import subprocess
import sys
from pathlib import Path

from axes.models import AccessAttempt
from django.db.models import Sum
from django.test import Client

from assessments.models import AuditEvent
from tests.conftest import PASSWORD, make_user

ROOT = Path(__file__).resolve().parent.parent


def _post(client: Client, url: str, username: str, password: str, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def test_the_admin_login_is_locked_too_and_the_right_password_then_fails(world, settings):
    settings.KIV_LOGIN_MAX_FAILURES = 3
    make_user("admin_x", is_staff=True, is_superuser=True)
    client = Client()
    statuses = [_post(client, "/admin/login/", "admin_x", f"guess-{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    locked = _post(client, "/admin/login/", "admin_x", PASSWORD)
    assert locked.status_code == 429
    assert "For mange mislykkede innlogginger" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The same account is locked on the sign-in page as well: one count for every path.
    assert _post(client, "/logg-inn/", "admin_x", PASSWORD).status_code == 429
    assert client.get("/admin/").status_code == 302


def test_the_right_password_after_a_lockout_does_not_get_in(world, settings):
    settings.KIV_LOGIN_MAX_FAILURES = 2
    client = Client()
    for _ in range(2):
        _post(client, "/logg-inn/", "leader_a", "wrong")
    response = _post(client, "/logg-inn/", "leader_a", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_one_address_cannot_lock_everyone_out(world, settings):
    """Guesses from one address lock that username there only: other people at that address, and the
    same person anywhere else, still get in."""
    settings.KIV_LOGIN_MAX_FAILURES = 2
    attacker = "203.0.113.66"
    for username in ("leader_a", "leader_b", "reviewer"):
        for _ in range(2):
            _post(Client(), "/logg-inn/", username, "wrong", REMOTE_ADDR=attacker)
        assert _post(Client(), "/logg-inn/", username, PASSWORD, REMOTE_ADDR=attacker).status_code == 429
    assert _post(Client(), "/logg-inn/", "auditor", PASSWORD, REMOTE_ADDR=attacker).status_code == 302
    for username in ("leader_a", "leader_b", "reviewer"):
        assert _post(Client(), "/logg-inn/", username, PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_behind_the_proxy_the_client_cannot_choose_its_address(world, settings):
    """Behind nginx (X-Forwarded-For "<whatever the client sent>, <client>"), the address counted is the one
    nginx saw: varying a forged header does not escape the lockout, and the real user elsewhere gets in."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR",)
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.IPWARE_STRICT = False
    settings.KIV_LOGIN_MAX_FAILURES = 3
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for n in range(5):
        forged = f"192.0.2.{n}, 10.9.8.{n}"
        _post(Client(), "/logg-inn/", "leader_a", "wrong", HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.9", **proxy)
    refused = _post(
        Client(), "/logg-inn/", "leader_a", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.9", **proxy
    )
    assert refused.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    ok = _post(Client(), "/logg-inn/", "leader_a", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert ok.status_code == 302


def _settings_value(env: dict, expression: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KIV_", "DATABASE_", "CELERY_"))}
    code = f"from kiveileder import settings as s; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_proxy_settings_map_onto_axes(tmp_path):
    expression = "s.AXES_IPWARE_META_PRECEDENCE_ORDER, getattr(s, 'AXES_IPWARE_PROXY_COUNT', None)"
    base = {"KIV_DATA_DIR": str(tmp_path)}
    assert _settings_value(base, expression) == "('REMOTE_ADDR',) None"
    behind = {**base, "KIV_BEHIND_PROXY": "True"}
    assert _settings_value(behind, expression) == "('HTTP_X_FORWARDED_FOR',) 0"
    assert _settings_value({**behind, "KIV_TRUSTED_PROXIES": "2"}, expression) == "('HTTP_X_FORWARDED_FOR',) 1"


def test_a_lockout_is_audited_once_and_refused_tries_add_nothing(world, settings):
    settings.KIV_LOGIN_MAX_FAILURES = 3
    client = Client()
    for _ in range(3):
        _post(client, "/logg-inn/", "leader_a", "wrong")
    for _ in range(10):
        _post(client, "/logg-inn/", "leader_a", "wrong")
        _post(client, "/logg-inn/", "LEADER_A", PASSWORD)
    locked = AuditEvent.objects.filter(action="auth.locked_out").get()
    assert locked.object_id == str(world.users["leader_a"].pk)
    assert locked.details == {"known_account": True}
    assert AuditEvent.objects.filter(action="auth.login_failed").count() <= 3
    assert AccessAttempt.objects.aggregate(n=Sum("failures_since_start"))["n"] == 3
