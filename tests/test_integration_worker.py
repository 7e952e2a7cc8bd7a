"""The real path of a report: approve -> enqueue after commit -> Redis -> a Celery worker process ->
stored, valid PDF; and the faults of that path: a pool process or a whole worker killed with SIGKILL
mid-render, and the database connection cut at the final write. Each ends with exactly one ready, sealed
report and no file that no row names. Each prints its recovery time (docs/benchmarks.md).

Needs PostgreSQL (the worker and this test share the test database) and a redis-server binary (a
throwaway Redis of our own, never the machine's shared one). In CI both are required; elsewhere the test
skips when they are missing.
"""

import os
import signal
import subprocess
import time

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from assessments import services, tasks
from assessments.models import Report
from assessments.reports import jobs as report_jobs
from assessments.reports import render as reports
from assessments.reports import signing
from tests.conftest import require_tool
from tests.integration.processes import (
    ThrowawayRedis,
    app_env,
    celery_broker,
    start_worker,
    wait_until,
)
from tests.report_helpers import SEAL_PASSWORD, submitted, use_test_seal

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seal_file(settings, tmp_path_factory):
    return use_test_seal(settings, tmp_path_factory)


@pytest.fixture
def broker(data_dir):
    require_tool("redis-server")
    with ThrowawayRedis(data_dir) as redis, celery_broker(redis.url):
        yield redis


@pytest.fixture
def worker_env(postgres, data_dir, broker, seal_file):
    return app_env(
        data_dir=data_dir,
        database=postgres,
        broker=broker.url,
        KIV_SIGNING_P12=str(seal_file),
        KIV_SIGNING_P12_PASSWORD=SEAL_PASSWORD,
    )


def status_of(report_id: int) -> str:
    return Report.objects.values_list("status", flat=True).get(pk=report_id)


def stored_reports(assessment) -> list[str]:
    folder = f"reports/{assessment.agency.slug}/{assessment.uuid}"
    return default_storage.listdir(folder)[1] if default_storage.exists(folder) else []


def test_an_approval_ends_as_a_stored_valid_report_made_by_a_real_worker(world, worker_env, data_dir):
    worker = start_worker(worker_env, data_dir)
    try:
        assessment = submitted(world.agency_a, world.users["leader_a"])
        services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
        report = Report.objects.get(assessment=assessment)
        wait_until(lambda: status_of(report.pk) in ("ready", "failed"), 60, "the report", worker, 0.05)
        report.refresh_from_db()
        assert report.status == "ready", report.error
        assert report.attempts == 1 and report.signer == "KI-veileder testsegl"
        assert stored_reports(assessment) == [report.storage_name.rsplit("/", 1)[1]]
        with default_storage.open(report.storage_name, "rb") as handle:
            outcome = reports.verify_document(handle.read())
        assert outcome["valid"] and outcome["matches"] and outcome["stored"].pk == report.pk
    finally:
        worker.stop()


def _approve_and_wait_for_the_claim(world, worker):
    assessment = submitted(world.agency_a, world.users["leader_a"])
    services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    report = Report.objects.get(assessment=assessment)
    wait_until(lambda: status_of(report.pk) != "pending", 60, "the worker to claim the report", worker, 0.01)
    return assessment, report


def pool_children(worker) -> list[int]:
    """The prefork pool's processes under the worker's main process."""
    found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(worker.pid)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def wait_ready(report, worker, timeout=90) -> float:
    """Seconds until the report is ready (or failed)."""
    began = time.monotonic()
    wait_until(lambda: status_of(report.pk) in ("ready", "failed"), timeout, "the report", worker, 0.05)
    report.refresh_from_db()
    return time.monotonic() - began


def assert_one_sealed_file_after_the_sweep(assessment, report) -> None:
    report_jobs.remove_orphan_files(grace_seconds=0)
    assert stored_reports(assessment) == [report.storage_name.rsplit("/", 1)[1]]
    with default_storage.open(report.storage_name, "rb") as handle:
        assert signing.verify_pdf(handle.read())["valid"]


def test_a_pool_process_killed_mid_render_is_redelivered_and_takes_its_claim_back(world, worker_env, data_dir):
    """The OOM killer (or a crash in a native library) takes the process rendering the report: Celery
    redelivers the task at once and the redelivery takes over its own claim, without waiting for a sweep."""
    worker = start_worker(worker_env, data_dir)
    try:
        for _ in range(3):  # the render may finish before the kill; try again with a new report
            assessment, report = _approve_and_wait_for_the_claim(world, worker)
            children = pool_children(worker)
            assert children, "no pool process found"
            for pid in children:
                os.kill(pid, signal.SIGKILL)
            killed_at = time.monotonic()
            report.refresh_from_db()
            if report.status == "rendering":
                break
        else:
            pytest.fail("the worker finished every report before it could be killed")
        wait_until(lambda: status_of(report.pk) in ("ready", "failed"), 90, "the redelivered report", worker, 0.05)
        recovery = time.monotonic() - killed_at
        report.refresh_from_db()
        assert report.status == "ready", report.error
        assert report.attempts == 2, "the redelivered task did not take the claim over"
        assert worker.alive(), "the worker itself should have survived its pool process"
        assert_one_sealed_file_after_the_sweep(assessment, report)
        print(f"\nrecovery after a killed pool process: {recovery:.1f} s")
    finally:
        worker.stop()


def test_a_whole_worker_killed_mid_render_is_taken_over_when_its_lease_runs_out(world, worker_env, data_dir):
    """The machine running the worker dies: its task stays unacknowledged in Redis for the visibility
    timeout, so the sweep requeues the report as soon as the dead worker's lease has run out."""
    worker_env = {**worker_env, "KIV_REPORT_LEASE_SECONDS": "5"}
    worker = start_worker(worker_env, data_dir, name="doomed")
    replacement = None
    try:
        for _ in range(3):
            assessment, report = _approve_and_wait_for_the_claim(world, worker)
            worker.kill()
            killed_at = time.monotonic()
            report.refresh_from_db()
            if report.status == "rendering":
                break
            worker = start_worker(worker_env, data_dir, name="doomed")
        else:
            pytest.fail("the worker finished every report before it could be killed")
        assert report.attempts == 1 and report.claimed_by
        replacement = start_worker(worker_env, data_dir, name="replacement")
        # A live lease is not taken: the sweep leaves the report until the lease runs out (beat runs the
        # sweep every 30 s; here it runs every half second).
        wait_until(
            lambda: report_jobs.requeue_stale(enqueue=tasks.enqueue_render)["requeued"],
            30,
            "the sweep to requeue the report",
            replacement,
            0.5,
        )
        wait_until(lambda: status_of(report.pk) in ("ready", "failed"), 90, "the requeued report", replacement, 0.05)
        recovery = time.monotonic() - killed_at
        report.refresh_from_db()
        assert report.status == "ready", report.error
        assert report.attempts == 2
        assert Report.objects.filter(assessment=assessment, status="ready").count() == 1
        assert_one_sealed_file_after_the_sweep(assessment, report)
        assert report_jobs.requeue_stale(older_than=0, enqueue=tasks.enqueue_render)["requeued"] == []
        print(f"\nrecovery after a killed worker (lease 5 s, sweep every 0.5 s): {recovery:.1f} s")
    finally:
        worker.stop()
        if replacement is not None:
            replacement.stop()


CUT_AT_THE_FINAL_WRITE = """
CREATE SEQUENCE kiv_test_cut_seq;
CREATE FUNCTION kiv_test_cut_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A sequence is not transactional: the count survives the rollback of the cut transaction.
    IF nextval('kiv_test_cut_seq') = 1 THEN
        PERFORM pg_terminate_backend(pg_backend_pid());
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER kiv_test_cut BEFORE UPDATE ON assessments_report FOR EACH ROW
    WHEN (OLD.status = 'rendering' AND NEW.status = 'ready') EXECUTE FUNCTION kiv_test_cut_once();
"""
UNDO_CUT = """
DROP TRIGGER IF EXISTS kiv_test_cut ON assessments_report;
DROP FUNCTION IF EXISTS kiv_test_cut_once();
DROP SEQUENCE IF EXISTS kiv_test_cut_seq;
"""


def test_a_database_cut_at_the_final_write_is_retried_and_leaves_no_orphan(world, worker_env, data_dir):
    """The worker's connection is terminated exactly at the UPDATE that records the stored file (as a
    failover would): the attempt is retried like any other, takes its claim back, and the file stored
    by the cut attempt is removed by the orphan sweep."""
    with connection.cursor() as cursor:
        cursor.execute(UNDO_CUT + CUT_AT_THE_FINAL_WRITE)
    worker = start_worker(worker_env, data_dir)
    try:
        assessment = submitted(world.agency_a, world.users["leader_a"])
        services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
        report = Report.objects.get(assessment=assessment)
        wait_until(lambda: "final write failed" in worker.log(200_000), 90, "the cut", worker, 0.05)
        cut_at = time.monotonic()
        wait_until(lambda: status_of(report.pk) in ("ready", "failed"), 90, "the retried report", worker, 0.05)
        recovery = time.monotonic() - cut_at
        report.refresh_from_db()
        assert report.status == "ready", report.error
        assert report.attempts == 2
        assert len(stored_reports(assessment)) == 2, "the cut attempt's file should be an orphan before the sweep"
        assert_one_sealed_file_after_the_sweep(assessment, report)
        print(f"\nrecovery after a database cut at the final write: {recovery:.1f} s")
    finally:
        worker.stop()
        with connection.cursor() as cursor:
            cursor.execute(UNDO_CUT)
