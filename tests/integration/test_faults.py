"""Faults as production meets them, with real processes: gunicorn, a Celery worker, Redis, PostgreSQL.

Never the machine's shared services: Redis outages use a throwaway redis-server this test starts and
stops; database outages drop this test database's connections with pg_terminate_backend, or refuse
new ones to this test database only (ALTER DATABASE ... ALLOW_CONNECTIONS).
"""

import json
import time

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from tests.assessment_helpers import make_assessment
from tests.conftest import require_tool
from tests.integration.conftest import terminate_backends
from tests.integration.processes import (
    BIN,
    ThrowawayRedis,
    app_env,
    celery_broker,
    run_in_repo,
    start_gunicorn,
    start_worker,
    wait_until,
)
from tests.report_helpers import SEAL_PASSWORD, use_test_seal

pytestmark = [pytest.mark.integration]


def signed_in(base: str, user) -> requests.Session:
    """A requests session carrying a real session of `user` (made as Client.force_login makes it:
    the processes under test use the production password hashers, the test users a fast one)."""
    client = Client()
    client.force_login(user)
    http = requests.Session()
    name = django_settings.SESSION_COOKIE_NAME
    http.cookies.set(name, client.cookies[name].value, domain="127.0.0.1")
    return http


def _allow_connections(database: str, allowed: bool) -> None:
    """Refuse or allow new connections to the test database (from the maintenance database: a database
    cannot refuse connections while you are connected to it yourself)."""
    import psycopg

    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
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


# --- Redis down while people submit and approve ----------------------------------------------------


def post_form(http: requests.Session, base: str, page: str, action: str, data: dict) -> requests.Response:
    """Open `page` and POST its form to `action` as a browser does (the CSRF token from the cookie the
    page set), without following the redirect."""
    assert http.get(f"{base}{page}", timeout=10).status_code == 200, page
    token = http.cookies.get(django_settings.CSRF_COOKIE_NAME)
    began = time.monotonic()
    response = http.post(
        f"{base}{action}", data={**data, "csrfmiddlewaretoken": token}, timeout=30, allow_redirects=False
    )
    response.elapsed_s = time.monotonic() - began
    return response


def draft_ready_to_submit(world):
    """A complete draft of agency A whose steps are all visited, so its summary can be submitted."""
    from assessments.engine.loader import as_definition
    from assessments.engine.visibility import visible_section_keys
    from tests.answers import complete

    assessment = make_assessment(world, "Innsending mens Redis er nede", answers=complete())
    defn = as_definition(assessment.questionnaire.definition)
    assessment.visited_steps = visible_section_keys(defn, assessment.answers)
    assessment.save(update_fields=["visited_steps"])
    return assessment


def password_user(settings, world, username="leader_a") -> tuple[object, str]:
    """A user whose password the app processes (production hashers) can check."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = world.users[username]
    password = "redis-is-down-2026"  # noqa: S105  # nosec B105 - a test user's password
    user.set_password(password)
    user.save()
    return user, password


def sign_in_with_password(base: str, username: str, password: str) -> requests.Response:
    http = requests.Session()
    assert http.get(f"{base}/logg-inn/", timeout=10).status_code == 200
    token = http.cookies.get(django_settings.CSRF_COOKIE_NAME)
    response = http.post(
        f"{base}/logg-inn/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        timeout=30,
        allow_redirects=False,
    )
    response.session = http
    return response


def test_while_redis_is_down_nothing_fails_and_nothing_is_lost(postgres, data_dir, world, settings, tmp_path_factory):
    """Redis (broker and cache) goes away: sign-in, the audit-log page, submitting and approving answer
    without a 500; the report and the e-mails of that window wait in the database and go out once Redis
    is back."""
    from assessments.models import Assessment, OutboxMessage, Report
    from tests.answers import PREFIX

    require_tool("redis-server")
    seal = use_test_seal(settings, tmp_path_factory)
    leader_user, password = password_user(settings, world)
    with ThrowawayRedis(data_dir) as redis:
        env = app_env(
            data_dir=data_dir,
            database=postgres,
            broker=redis.url,
            KIV_CACHE_URL=redis.url.replace("/0", "/1"),
            KIV_SIGNING_P12=str(seal),
            KIV_SIGNING_P12_PASSWORD=SEAL_PASSWORD,
        )
        server, base = start_gunicorn(env, data_dir)
        worker = start_worker(env, data_dir)
        try:
            draft = draft_ready_to_submit(world)
            reviewer = signed_in(base, world.users["reviewer"])
            assert reviewer.get(f"{base}/healthz", timeout=10).status_code == 200

            redis.down()
            health = reviewer.get(f"{base}/healthz", timeout=20)
            assert health.status_code == 503 and health.json()["checks"]["broker"]["ok"] is False

            # Sign-in with a password and the audit-log page (both use the cache) still work.
            signed = sign_in_with_password(base, leader_user.username, password)
            assert signed.status_code == 302, signed.text[-2000:]
            leader = signed.session
            audit_log = leader.get(f"{base}/revisjonslogg/", timeout=20)
            assert audit_log.status_code == 200, audit_log.text[-2000:]

            # The leader submits: the request succeeds quickly and the version is stored.
            summary = f"/vurderinger/{draft.uuid}/steg/summary/"
            submit = post_form(
                leader,
                base,
                summary,
                summary,
                {
                    f"{PREFIX}-current_step": "summary",
                    "revision": draft.revision,
                    "action": "submit",
                },
            )
            assert submit.status_code == 302, submit.text[-2000:]
            assert submit.elapsed_s < 15, f"submitting took {submit.elapsed_s:.1f} s with Redis down"
            draft.refresh_from_db()
            assert draft.status == Assessment.Status.SUBMITTED and draft.versions.count() == 1

            # The reviewer approves: the decision is stored and the report waits as `pending`.
            review = f"/vurderinger/{draft.uuid}/behandling/"
            approve = post_form(
                reviewer,
                base,
                review,
                f"{review}godkjenn/",
                {"approve-version": 1, "approve-reason": "", "confirmed": 1},
            )
            assert approve.status_code == 302, approve.text[-2000:]
            assert approve.elapsed_s < 15, f"approving took {approve.elapsed_s:.1f} s with Redis down"
            draft.refresh_from_db()
            assert draft.status == Assessment.Status.APPROVED
            report = Report.objects.get(assessment=draft, kind=Report.Kind.SIGNED)
            time.sleep(1)
            report.refresh_from_db()
            assert report.status == Report.Status.PENDING and report.attempts == 0
            # The e-mails of the window (to the reviewer on submission, to the leader on approval) wait.
            waiting = {(m.kind, m.to) for m in OutboxMessage.objects.filter(status="pending")}
            assert waiting == {("submitted", "reviewer@example.org"), ("approved", "leader_a@example.org")}

            # Redis is back; the sweeps (beat runs them every 30 s and every minute) requeue the report
            # and deliver the outbox. Here: the command operators run, and the delivery task sent by hand.
            redis.up()
            wait_until(lambda: leader.get(f"{base}/healthz", timeout=10).status_code == 200, 30, "/healthz to recover")
            sweep = run_in_repo([str(BIN / "python"), "manage.py", "requeue_reports", "--older-than", "0"], env)
            assert sweep.returncode == 0, sweep.stderr[-2000:]
            assert json.loads(sweep.stdout.strip().splitlines()[-1])["requeued"] == [str(report.uuid)]
            with celery_broker(redis.url) as app:
                app.send_task("assessments.tasks.deliver_outbox")
            wait_until(
                lambda: Report.objects.get(pk=report.pk).status in ("ready", "failed"),
                90,
                "the report after Redis came back",
                worker,
                0.1,
            )
            report.refresh_from_db()
            assert report.status == Report.Status.READY, report.error
            assert report.attempts == 1, "the report was made more than once"
            assert Report.objects.filter(assessment=draft, kind=Report.Kind.SIGNED).count() == 1
            wait_until(
                lambda: not OutboxMessage.objects.filter(status="pending").exists(), 60, "the outbox", worker, 0.1
            )
            assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
            assert "Godkjent" in worker.log(200_000) and "reviewer@example.org" in worker.log(200_000)
            assert server.alive() and worker.alive()
            assert "Internal Server Error" not in server.log(200_000)
        finally:
            worker.stop()
            server.stop()


def _pooled_query_after_a_cut(config: dict) -> int:
    """Check out a pooled connection, return it, cut it while idle, then run a query on the next checkout."""
    from django.db.utils import ConnectionHandler

    pooled = ConnectionHandler({"default": config})["default"]
    try:
        with pooled.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        pooled.close()  # back into the pool, idle
        # Every pooled connection (the pool may have opened more than one meanwhile), as a failover would.
        assert terminate_backends(connection.settings_dict["NAME"]) >= 1
        time.sleep(0.2)
        with pooled.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            new_pid = cursor.fetchone()[0]
        assert new_pid != pid
        return new_pid
    finally:
        pooled.close()
        pooled.close_pool()


def test_the_pool_replaces_a_cut_connection_at_checkout(postgres):
    """KIV_DB_POOL=True: a pooled connection cut while idle (a failover, an idle-timeout kill) is found by
    the pool's check at checkout and replaced, instead of failing the request or waiting out the timeout."""
    from django.db import OperationalError

    from kiveileder.settings import parse_database_url

    config = parse_database_url(postgres, pool=True)
    assert config["CONN_HEALTH_CHECKS"] is True  # Django then passes check=ConnectionPool.check_connection
    assert _pooled_query_after_a_cut(config)
    # Without the check the pool hands out the dead connection and the query fails.
    with pytest.raises(OperationalError):
        _pooled_query_after_a_cut({**config, "CONN_HEALTH_CHECKS": False})
