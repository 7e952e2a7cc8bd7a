"""Sign-in lockouts under parallel guessing on PostgreSQL (django-axes counts in the database, row-locked):
threads stand in for the server's workers, so "handled at once" is the pool size."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from axes.models import AccessAttempt
from django.db import connections
from django.db.models import Sum
from django.test import Client

from assessments.accounts.auth_backends import PasswordBackend
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.integration]


def _post(client: Client, url: str, username: str, password: str, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def test_parallel_guesses_on_postgresql_stay_within_the_limit(postgres, world, settings, monkeypatch):
    """Six bursts of 30 parallel sign-ins from one address (the right password in each of the last five):
    at most the limit plus the number of requests handled at once are ever checked, every checked failure
    is counted, nothing answers 500, and nobody gets in once the lockout holds."""
    limit, at_once, bursts, per_burst = 5, 10, 6, 30
    settings.KIV_LOGIN_MAX_FAILURES = limit
    checked = {"wrong": 0, "right": 0}
    lock = threading.Lock()
    original = PasswordBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        with lock:
            checked["right" if password == PASSWORD else "wrong"] += 1
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(PasswordBackend, "authenticate", counting)

    def attempt(password: str) -> tuple[int, bool]:
        try:
            client = Client(REMOTE_ADDR="203.0.113.5")
            response = _post(client, "/logg-inn/", "leader_a", password)
            return response.status_code, "_auth_user_id" in client.session
        finally:
            connections.close_all()

    results = []
    with ThreadPoolExecutor(max_workers=at_once) as pool:
        for burst in range(bursts):
            passwords = ["wrong"] * per_burst
            if burst > 0:
                passwords[per_burst // 2] = PASSWORD
            results += list(pool.map(attempt, passwords))

    statuses = {status for status, _ in results}
    assert statuses <= {200, 429}, statuses
    assert 429 in statuses
    assert checked["wrong"] + checked["right"] <= limit + at_once
    assert checked["right"] == 0 and not any(signed_in for _, signed_in in results)
    counted = AccessAttempt.objects.filter(username="leader_a").aggregate(n=Sum("failures_since_start"))["n"]
    assert counted == checked["wrong"]
    assert checked["wrong"] >= limit
