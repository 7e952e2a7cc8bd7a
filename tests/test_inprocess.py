"""Tasks without a broker (kiveileder/inprocess.py): after the response on a background thread of the web
process, the beat schedule kept by a scheduler thread, and never a kombu connection."""

import logging
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings

from assessments.models import Report
from assessments.reports import render as reports
from kiveileder import inprocess
from kiveileder.celery import app
from tests.integration.processes import ROOT
from tests.report_helpers import submitted, use_test_seal


@pytest.fixture
def no_kombu(monkeypatch):
    """Fail the test if anything reaches for a broker connection or a producer."""

    def refuse(*args, **kwargs):
        raise AssertionError("a kombu connection was made without a broker")

    monkeypatch.setattr(type(app), "producer_or_acquire", refuse)
    monkeypatch.setattr(type(app), "connection_for_write", refuse)
    monkeypatch.setattr(type(app), "send_task", refuse)


@pytest.fixture
def background_runner():
    inprocess.start(app, {})
    yield
    inprocess.stop(wait=True)


def wait_for(condition, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_approve_answers_first_and_the_report_follows_in_the_background(
    world, settings, tmp_path_factory, monkeypatch, no_kombu, background_runner, caplog
):
    use_test_seal(settings, tmp_path_factory)
    gate = threading.Event()
    real_build = reports.build_pdf

    def build_after_the_gate(report):
        assert gate.wait(60), "the test never opened the gate"
        return real_build(report)

    monkeypatch.setattr(reports, "build_pdf", build_after_the_gate)
    assessment = submitted(world.agency_a, world.users["leader_a"])
    reviewer = world.client("reviewer")
    with caplog.at_level(logging.WARNING):
        response = reviewer.post(
            f"/vurderinger/{assessment.uuid}/behandling/godkjenn/",
            {"approve-version": 1, "approve-reason": "", "confirmed": 1},
        )
    assert response.status_code == 302
    report = Report.objects.get(assessment=assessment)
    # The response came while the report was still waiting to be made: it did not wait for it.
    assert report.status in ("pending", "rendering")
    gate.set()
    assert wait_for(lambda: Report.objects.get(pk=report.pk).status in ("ready", "failed"))
    report.refresh_from_db()
    assert report.status == "ready", report.error
    assert "No hostname was supplied" not in caplog.text


def test_without_the_runner_tasks_run_at_once_and_without_kombu(db, no_kombu, mailoutbox):
    """Management commands and the tests: no background thread, the task has run when the call returns."""
    from assessments import tasks

    assert not inprocess.active()
    result = tasks.deliver_outbox.delay()
    assert result.successful()


def test_the_scheduler_starts_every_beat_entry_when_it_is_due(monkeypatch):
    started = []
    app.loader.import_default_modules()
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    for entry in schedule.values():
        task = app.tasks[entry["task"]]  # every scheduled task exists
        monkeypatch.setattr(task, "apply_async", lambda *a, _name=task.name, **k: started.append(_name))
    scheduler = inprocess.Scheduler(app, schedule)
    assert scheduler.tick() > 0 and started == []  # like beat: the first run is one interval after start
    for entry in scheduler.entries:
        entry["last_run"] = app.now() - timedelta(days=2)
    pause = scheduler.tick()
    assert sorted(started) == sorted(entry["task"] for entry in schedule.values())
    shortest = min(entry["schedule"].run_every.total_seconds() for entry in scheduler.entries)
    assert 0 < pause <= min(shortest, inprocess.MAX_SLEEP_SECONDS)
    started.clear()
    scheduler.tick()
    assert started == []  # nothing is due twice


@pytest.mark.parametrize("broker", [None, "redis://127.0.0.1:1/0"], ids=["embedded", "broker"])
def test_the_web_process_starts_the_runner_only_without_a_broker(tmp_path, broker):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KIV_", "DATABASE_", "CELERY_"))}
    env.update({"KIV_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "kiveileder.settings"})
    if broker:
        env["CELERY_BROKER_URL"] = broker
    code = "import kiveileder.wsgi; from kiveileder import inprocess; print(inprocess.active())"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("False" if broker else "True")
    assert "No hostname was supplied" not in result.stderr
