"""The report task: one report however often it runs, retries with backoff, an attempt cap, the sweep that
requeues stale rows, and a broker outage that loses nothing."""

import io
import json
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from kombu.exceptions import OperationalError

from assessments import reports, services, tasks
from assessments.models import AuditEvent, Report
from tests.report_helpers import submitted, use_test_seal


@pytest.fixture(autouse=True)
def seal_file(settings, tmp_path_factory):
    return use_test_seal(settings, tmp_path_factory)


@pytest.fixture
def pending(world):
    """An approved assessment whose signed report is `pending` (the enqueue after commit never ran)."""
    assessment = submitted(world.agency_a, world.users["leader_a"])
    services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    return Report.objects.get(assessment=assessment)


def stored_files(folder: str = "reports") -> list[str]:
    found = []

    def walk(path):
        dirs, files = default_storage.listdir(path)
        found.extend(f"{path}/{name}" for name in files)
        for name in dirs:
            walk(f"{path}/{name}")

    if default_storage.exists(folder):
        walk(folder)
    return found


def failing_build(times: int):
    """build_pdf that raises for the first `times` calls, then works."""
    real = reports.build_pdf
    calls = {"n": 0}

    def build(report):
        calls["n"] += 1
        if calls["n"] <= times:
            raise RuntimeError(f"renderer crashed (call {calls['n']})")
        return real(report)

    return build


def test_it_makes_the_report_once_however_often_it_runs(pending):
    assert reports.produce_report(pending.pk) == "ready"
    pending.refresh_from_db()
    first = (pending.sha256, pending.storage_name, pending.attempts)
    assert reports.produce_report(pending.pk) == "already_ready"
    assert tasks.render_report.apply(args=(pending.pk,)).get() == "already_ready"
    pending.refresh_from_db()
    assert (pending.sha256, pending.storage_name, pending.attempts) == first == (first[0], first[1], 1)
    assert stored_files() == [pending.storage_name]
    assert AuditEvent.objects.filter(action="report.ready").count() == 1


def test_a_run_finds_a_report_in_another_workers_hands_busy(pending):
    Report.objects.filter(pk=pending.pk).update(status="rendering", attempts=1, started_at=timezone.now())
    assert reports.produce_report(pending.pk) == "busy"
    pending.refresh_from_db()
    assert pending.status == "rendering" and pending.attempts == 1 and stored_files() == []


def test_a_missing_row_is_no_error(db):
    assert reports.produce_report(999999) == "missing"


def test_it_retries_with_backoff_after_a_failure(pending, monkeypatch):
    """As in a worker: the failure puts the row back to pending and schedules a retry, which succeeds."""
    monkeypatch.setattr(reports, "build_pdf", failing_build(1))
    # Run the task body as a worker would (not eager), so it takes the retry path; the retry itself is
    # sent with apply_async, which the test settings run in-process.
    tasks.render_report.push_request(
        called_directly=False, is_eager=False, retries=0, id="t-1", args=[pending.pk], kwargs={}
    )
    try:
        with pytest.raises(Retry) as retry:
            tasks.render_report.run(pending.pk)
    finally:
        tasks.render_report.pop_request()
    assert retry.value.when == tasks.retry_countdown(1) == 10
    pending.refresh_from_db()
    assert pending.status == "ready" and pending.attempts == 2 and pending.error == ""


def test_the_backoff_grows_and_is_capped():
    assert [tasks.retry_countdown(n) for n in (1, 2, 3, 4, 5, 6, 10)] == [10, 20, 40, 80, 160, 300, 300]


def test_in_process_a_failed_attempt_waits_pending_for_the_sweep(pending, monkeypatch):
    monkeypatch.setattr(reports, "build_pdf", failing_build(1))
    assert tasks.render_report.apply(args=(pending.pk,)).get() == "pending"
    pending.refresh_from_db()
    assert pending.status == "pending" and pending.attempts == 1 and "renderer crashed" in pending.error
    summary = reports.requeue_stale(older_than=0)
    pending.refresh_from_db()
    assert summary["requeued"] == [str(pending.uuid)] and pending.status == "ready" and pending.attempts == 2


def test_attempts_are_capped_and_the_row_ends_failed(pending, monkeypatch, settings):
    settings.KIV_REPORT_MAX_ATTEMPTS = 3
    monkeypatch.setattr(reports, "build_pdf", failing_build(100))
    for attempt in (1, 2):
        with pytest.raises(reports.AttemptFailed) as failed:
            reports.produce_report(pending.pk)
        assert failed.value.attempts == attempt and not failed.value.final
    with pytest.raises(reports.AttemptFailed) as failed:
        reports.produce_report(pending.pk)
    assert failed.value.final
    pending.refresh_from_db()
    assert pending.status == "failed" and pending.attempts == 3
    assert "renderer crashed (call 3)" in pending.error
    assert reports.produce_report(pending.pk) == "failed"
    assert AuditEvent.objects.filter(action="report.failed").count() == 1
    assert stored_files() == []


def test_a_redelivered_task_over_the_cap_fails_without_rendering(pending, monkeypatch, settings):
    """A task that killed its worker comes back again and again: the cap ends it at the claim."""
    settings.KIV_REPORT_MAX_ATTEMPTS = 2
    Report.objects.filter(pk=pending.pk).update(attempts=2)
    monkeypatch.setattr(reports, "build_pdf", failing_build(100))
    assert tasks.render_report.apply(args=(pending.pk,)).get() == "failed"
    pending.refresh_from_db()
    assert pending.status == "failed" and pending.attempts == 2


def test_a_slow_run_overtaken_by_the_sweep_leaves_exactly_one_report(pending, monkeypatch):
    """The sweep hands a slow run's report to another run; when the slow one finishes, it gives way."""
    real = reports.build_pdf
    outcomes = []

    def slow_build(report):
        if not outcomes:
            outcomes.append("slow run started")
            Report.objects.filter(pk=report.pk).update(started_at=timezone.now() - timedelta(hours=1))
            summary = reports.requeue_stale(
                older_than=300, enqueue=lambda pk: outcomes.append(reports.produce_report(pk)) or True
            )
            assert summary["requeued"] == [str(report.uuid)]
        return real(report)

    monkeypatch.setattr(reports, "build_pdf", slow_build)
    assert reports.produce_report(pending.pk) == "superseded"
    assert outcomes == ["slow run started", "ready"]
    pending.refresh_from_db()
    assert pending.status == "ready" and pending.attempts == 2
    assert stored_files() == [pending.storage_name]


# --- The sweep ------------------------------------------------------------------------------------------


def _age(report, *, status, minutes, attempts=0):
    when = timezone.now() - timedelta(minutes=minutes)
    Report.objects.filter(pk=report.pk).update(status=status, attempts=attempts, started_at=when, updated_at=when)


def test_the_sweep_requeues_stale_rows_fails_those_over_the_cap_and_leaves_fresh_ones(world, settings):
    settings.KIV_REPORT_MAX_ATTEMPTS = 3
    made = []
    for _ in range(4):
        assessment = submitted(world.agency_a, world.users["leader_a"])
        services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
        made.append(Report.objects.get(assessment=assessment))
    stale_rendering, stale_pending, fresh_rendering, worn_out = made
    _age(stale_rendering, status="rendering", minutes=10, attempts=1)
    _age(stale_pending, status="pending", minutes=10)
    _age(fresh_rendering, status="rendering", minutes=1, attempts=1)
    _age(worn_out, status="rendering", minutes=10, attempts=3)
    enqueued = []

    summary = reports.requeue_stale(older_than=300, enqueue=lambda pk: enqueued.append(pk) or True)

    assert sorted(summary["requeued"]) == sorted([str(stale_rendering.uuid), str(stale_pending.uuid)])
    assert summary["failed"] == [str(worn_out.uuid)] and summary["checked"] == 3
    assert sorted(enqueued) == sorted([stale_rendering.pk, stale_pending.pk])
    statuses = {r.pk: r.status for r in Report.objects.all()}
    assert statuses == {
        stale_rendering.pk: "pending",
        stale_pending.pk: "pending",
        fresh_rendering.pk: "rendering",
        worn_out.pk: "failed",
    }


def test_the_requeue_command_prints_a_summary_and_runs_the_reports_in_process(pending):
    _age(pending, status="rendering", minutes=10, attempts=1)
    out = io.StringIO()
    call_command("requeue_reports", "--older-than", "60", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["requeued"] == [str(pending.uuid)] and summary["older_than"] == 60
    pending.refresh_from_db()
    assert pending.status == "ready" and pending.attempts == 2


def test_the_requeue_command_default_leaves_recent_rows(pending):
    out = io.StringIO()
    call_command("requeue_reports", stdout=out)
    assert json.loads(out.getvalue()) == {
        "older_than": 300,
        "checked": 0,
        "requeued": [],
        "failed": [],
        "enqueue_errors": [],
    }


# --- Enqueueing after the commit ----------------------------------------------------------------------


def test_the_decision_survives_a_broker_outage_and_the_sweep_recovers(
    world, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    assessment = submitted(world.agency_a, world.users["leader_a"])

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.render_report, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    assessment.refresh_from_db()
    report = Report.objects.get(assessment=assessment)
    assert assessment.status == "approved" and report.status == "pending"
    assert "stays pending for the sweep" in caplog.text

    summary = reports.requeue_stale(older_than=0)
    assert summary["enqueue_errors"] == [str(report.uuid)]  # still down: nothing lost, nothing changed
    monkeypatch.undo()
    summary = reports.requeue_stale(older_than=0)
    report.refresh_from_db()
    assert summary["requeued"] == [str(report.uuid)] and report.status == "ready"
