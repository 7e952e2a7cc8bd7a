"""The report task: one report however often it runs, retries with backoff, an attempt cap, the sweep that
requeues stale rows, and a broker outage that loses nothing."""

import io
import json
import time
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import OperationalError as DatabaseOperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError

from assessments import services, tasks
from assessments.models import AuditEvent, Report
from assessments.reports import jobs as report_jobs
from assessments.reports import render as reports
from tests.report_helpers import approved_report, submitted, use_test_seal


@pytest.fixture(autouse=True)
def seal_file(settings, tmp_path_factory):
    return use_test_seal(settings, tmp_path_factory)


@pytest.fixture
def pending(world):
    """An approved assessment whose signed report is `pending` (the enqueue after commit never ran)."""
    return approved_report(world)


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
    assert report_jobs.produce_report(pending.pk) == "ready"
    pending.refresh_from_db()
    first = (pending.sha256, pending.storage_name, pending.attempts)
    assert report_jobs.produce_report(pending.pk) == "already_ready"
    assert tasks.render_report.apply(args=(pending.pk,)).get() == "already_ready"
    pending.refresh_from_db()
    assert (pending.sha256, pending.storage_name, pending.attempts) == first == (first[0], first[1], 1)
    assert stored_files() == [pending.storage_name]
    assert AuditEvent.objects.filter(action="report.ready").count() == 1


def _claimed(report, *, owner: str, lease_seconds: int, attempts: int = 1) -> None:
    now = timezone.now()
    Report.objects.filter(pk=report.pk).update(
        status="rendering",
        attempts=attempts,
        claimed_by=owner,
        started_at=now,
        lease_until=now + timedelta(seconds=lease_seconds),
    )


def test_a_run_finds_a_report_in_another_live_workers_hands_busy(pending):
    _claimed(pending, owner="task-of-a-live-worker", lease_seconds=30)
    assert report_jobs.produce_report(pending.pk, owner="another-task") == "busy"
    pending.refresh_from_db()
    assert pending.status == "rendering" and pending.attempts == 1 and stored_files() == []


def test_a_redelivered_task_takes_its_own_claim_back_at_once(pending):
    """Its worker died mid-render; Celery delivers the same task (same id) again: no waiting for a sweep."""
    _claimed(pending, owner="task-1", lease_seconds=30)
    assert report_jobs.produce_report(pending.pk, owner="task-1") == "ready"
    pending.refresh_from_db()
    assert pending.status == "ready" and pending.attempts == 2 and pending.claimed_by == ""
    assert stored_files() == [pending.storage_name]


def test_any_run_takes_over_a_claim_whose_lease_ran_out(pending):
    _claimed(pending, owner="task-of-a-dead-worker", lease_seconds=-1)
    assert report_jobs.produce_report(pending.pk, owner="task-2") == "ready"
    pending.refresh_from_db()
    assert pending.status == "ready" and pending.attempts == 2


def test_a_takeover_at_the_attempt_cap_ends_failed(pending, settings):
    settings.KIV_REPORT_MAX_ATTEMPTS = 2
    _claimed(pending, owner="task-1", lease_seconds=30, attempts=2)
    assert report_jobs.produce_report(pending.pk, owner="task-1") == "failed"
    pending.refresh_from_db()
    assert pending.status == "failed" and stored_files() == []


def test_a_failed_final_write_is_retried_and_its_file_swept(pending, monkeypatch):
    """The database goes away at the final write: the attempt fails (not finally), the claim stays with the
    task, its retry (same task id) makes the report, and the first file, named by no row, is swept."""
    real_finish = report_jobs._finish
    calls = []

    def finish_once_broken(*args):
        calls.append(1)
        if len(calls) == 1:
            raise DatabaseOperationalError("terminating connection due to administrator command")
        return real_finish(*args)

    monkeypatch.setattr(report_jobs, "_finish", finish_once_broken)
    with pytest.raises(report_jobs.AttemptFailed) as failed:
        report_jobs.produce_report(pending.pk, owner="task-1")
    assert not failed.value.final and failed.value.attempts == 1
    pending.refresh_from_db()
    assert pending.status == "rendering" and pending.claimed_by == "task-1"
    orphan = stored_files()
    assert len(orphan) == 1

    assert report_jobs.produce_report(pending.pk, owner="task-1") == "ready"
    pending.refresh_from_db()
    assert pending.attempts == 2 and sorted(stored_files()) == sorted([*orphan, pending.storage_name])
    # A young orphan is left alone (a run may be about to name it); past the grace period it goes.
    assert report_jobs.remove_orphan_files()["removed"] == []
    summary = report_jobs.remove_orphan_files(grace_seconds=0)
    assert summary["removed"] == orphan
    assert stored_files() == [pending.storage_name]


def test_the_orphan_sweep_touches_only_report_files(pending):
    default_storage.save("checkpoints/audit-head.json", ContentFile(b"{}"))
    default_storage.save("reports/x/y/v1-aaaaaaaaaaaa.pdf", ContentFile(b"%PDF-1.7 orphan"))
    assert report_jobs.produce_report(pending.pk) == "ready"
    pending.refresh_from_db()
    summary = call_orphan_command()
    assert summary["removed"] == ["reports/x/y/v1-aaaaaaaaaaaa.pdf"]
    assert default_storage.exists("checkpoints/audit-head.json")
    assert stored_files() == [pending.storage_name]


def call_orphan_command() -> dict:
    out = io.StringIO()
    call_command("remove_orphan_reports", "--grace", "0", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_renews_the_lease_while_the_owner_works(pending, settings):
    settings.KIV_REPORT_LEASE_SECONDS = 3  # a renewal every second
    _claimed(pending, owner="task-1", lease_seconds=3)
    first = Report.objects.get(pk=pending.pk).lease_until
    with report_jobs.Heartbeat(pending.pk, "task-1"):
        time.sleep(2.5)
    renewed = Report.objects.get(pk=pending.pk).lease_until
    assert renewed > first
    # Someone else's claim is not renewed.
    _claimed(pending, owner="task-2", lease_seconds=3)
    before = Report.objects.get(pk=pending.pk).lease_until
    with report_jobs.Heartbeat(pending.pk, "task-1"):
        time.sleep(1.5)
    assert Report.objects.get(pk=pending.pk).lease_until == before


def test_a_missing_row_is_no_error(db):
    assert report_jobs.produce_report(999999) == "missing"


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
    summary = report_jobs.requeue_stale(older_than=0, enqueue=tasks.enqueue_render)
    pending.refresh_from_db()
    assert summary["requeued"] == [str(pending.uuid)] and pending.status == "ready" and pending.attempts == 2


def test_attempts_are_capped_and_the_row_ends_failed(pending, monkeypatch, settings):
    settings.KIV_REPORT_MAX_ATTEMPTS = 3
    monkeypatch.setattr(reports, "build_pdf", failing_build(100))
    for attempt in (1, 2):
        with pytest.raises(report_jobs.AttemptFailed) as failed:
            report_jobs.produce_report(pending.pk)
        assert failed.value.attempts == attempt and not failed.value.final
    with pytest.raises(report_jobs.AttemptFailed) as failed:
        report_jobs.produce_report(pending.pk)
    assert failed.value.final
    pending.refresh_from_db()
    assert pending.status == "failed" and pending.attempts == 3
    assert "renderer crashed (call 3)" in pending.error
    assert report_jobs.produce_report(pending.pk) == "failed"
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


def test_a_run_whose_lease_ran_out_gives_way_to_the_run_that_took_over(pending, monkeypatch):
    """A run that stopped renewing its lease (frozen, cut off) loses its claim to the sweep; when it
    finishes after all, it gives way and its file goes."""
    real = reports.build_pdf
    outcomes = []

    def slow_build(report):
        if not outcomes:
            outcomes.append("slow run started")
            Report.objects.filter(pk=report.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
            summary = report_jobs.requeue_stale(
                older_than=300, enqueue=lambda pk: outcomes.append(report_jobs.produce_report(pk)) or True
            )
            assert summary["requeued"] == [str(report.uuid)]
        return real(report)

    monkeypatch.setattr(reports, "build_pdf", slow_build)
    assert report_jobs.produce_report(pending.pk) == "superseded"
    assert outcomes == ["slow run started", "ready"]
    pending.refresh_from_db()
    assert pending.status == "ready" and pending.attempts == 2
    assert stored_files() == [pending.storage_name]


# --- The sweep ------------------------------------------------------------------------------------------


def _age(report, *, status, minutes, attempts=0):
    when = timezone.now() - timedelta(minutes=minutes)
    Report.objects.filter(pk=report.pk).update(status=status, attempts=attempts, started_at=when, updated_at=when)


def test_the_sweep_requeues_stale_rows_fails_those_over_the_cap_and_leaves_live_ones(world, settings):
    settings.KIV_REPORT_MAX_ATTEMPTS = 3
    made = []
    for _ in range(6):
        assessment = submitted(world.agency_a, world.users["leader_a"])
        services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
        made.append(Report.objects.get(assessment=assessment))
    stale_rendering, stale_pending, fresh_rendering, worn_out, dead_lease, live_lease = made
    _age(stale_rendering, status="rendering", minutes=10, attempts=1)  # no lease: claimed before leases
    _age(stale_pending, status="pending", minutes=10)
    _age(fresh_rendering, status="rendering", minutes=1, attempts=1)
    _age(worn_out, status="rendering", minutes=10, attempts=3)
    _claimed(dead_lease, owner="dead", lease_seconds=-5)  # started just now, but its holder stopped renewing
    _claimed(live_lease, owner="alive", lease_seconds=30)
    Report.objects.filter(pk=live_lease.pk).update(started_at=timezone.now() - timedelta(hours=1))  # slow, alive
    enqueued = []

    summary = report_jobs.requeue_stale(older_than=300, enqueue=lambda pk: enqueued.append(pk) or True)

    requeued = [stale_rendering, stale_pending, dead_lease]
    assert sorted(summary["requeued"]) == sorted(str(r.uuid) for r in requeued)
    assert summary["failed"] == [str(worn_out.uuid)] and summary["checked"] == 4
    assert sorted(enqueued) == sorted(r.pk for r in requeued)
    statuses = {r.pk: (r.status, r.claimed_by) for r in Report.objects.all()}
    assert statuses == {
        stale_rendering.pk: ("pending", ""),
        stale_pending.pk: ("pending", ""),
        fresh_rendering.pk: ("rendering", ""),
        worn_out.pk: ("failed", ""),
        dead_lease.pk: ("pending", ""),
        live_lease.pk: ("rendering", "alive"),
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

    summary = report_jobs.requeue_stale(older_than=0, enqueue=tasks.enqueue_render)
    assert summary["enqueue_errors"] == [str(report.uuid)]  # still down: nothing lost, nothing changed
    monkeypatch.undo()
    summary = report_jobs.requeue_stale(older_than=0, enqueue=tasks.enqueue_render)
    report.refresh_from_db()
    assert summary["requeued"] == [str(report.uuid)] and report.status == "ready"


# --- Structure ------------------------------------------------------------------------------------------

JOB_MODULES = {"tasks", "reports.render", "reports.jobs", "notifications.messages", "notifications.outbox"}


def test_the_job_modules_never_import_each_other_inside_a_function():
    """tasks sits on top (it imports the others); the others start jobs through a signal or a function they
    are given, so no import hides a cycle inside a function."""
    import ast
    import importlib
    from pathlib import Path

    hidden = []
    for module in sorted(JOB_MODULES):
        source = Path(importlib.import_module(f"assessments.{module}").__file__).read_text()
        tree = ast.parse(source)
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("assessments")):
                    package = (node.module or "").removeprefix("assessments").lstrip(".")
                    names = {package} | {f"{package}.{alias.name}".lstrip(".") for alias in node.names}
                    hidden += [f"{module}.{function.name} imports {name}" for name in names & JOB_MODULES]
    assert hidden == []
