"""The real path of a report: approve -> enqueue after commit -> Redis -> a Celery worker process ->
stored, valid PDF; and a worker killed with SIGKILL mid-render still ends, after the sweep, with exactly one
ready report.

Needs PostgreSQL (the worker and this test share the test database) and a redis-server binary (a
throwaway Redis of our own, never the machine's shared one). In CI both are required; elsewhere the test
skips when they are missing.
"""

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from assessments import report_jobs, reports, services, signing, tasks
from assessments.models import Report
from tests.conftest import require_service, require_tool
from tests.integration.processes import (
    ThrowawayRedis,
    app_env,
    celery_broker,
    database_url,
    start_worker,
    wait_until,
)
from tests.report_helpers import SEAL_PASSWORD, submitted, use_test_seal

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seal_file(settings, tmp_path_factory):
    return use_test_seal(settings, tmp_path_factory)


@pytest.fixture
def shared_db(transactional_db) -> str:
    """The PostgreSQL test database as a URL: the worker process reads and writes the same rows."""
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    return database_url(connection.settings_dict)


@pytest.fixture
def data_dir(tmp_path, settings):
    """KIV_DATA_DIR of the worker; this process reads the stored reports from the same media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def broker(data_dir):
    require_tool("redis-server")
    with ThrowawayRedis(data_dir) as redis, celery_broker(redis.url):
        yield redis


@pytest.fixture
def worker_env(shared_db, data_dir, broker, seal_file):
    return app_env(
        data_dir=data_dir,
        database=shared_db,
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


def _approve_and_kill_mid_render(world, worker):
    """Approve, wait until the worker has claimed the report, SIGKILL it. None if it finished first."""
    assessment = submitted(world.agency_a, world.users["leader_a"])
    services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    report = Report.objects.get(assessment=assessment)
    wait_until(lambda: status_of(report.pk) != "pending", 60, "the worker to claim the report", worker, 0.01)
    worker.kill()
    report.refresh_from_db()
    return (assessment, report) if report.status == "rendering" else None


def test_a_worker_killed_mid_render_ends_with_exactly_one_ready_report(world, worker_env, data_dir):
    worker = start_worker(worker_env, data_dir, name="doomed")
    replacement = None
    try:
        caught = None
        for _ in range(3):  # the first render in a fresh worker takes long enough; retry if it did not
            caught = _approve_and_kill_mid_render(world, worker)
            if caught:
                break
            worker = start_worker(worker_env, data_dir, name="doomed")
        assert caught, "the worker finished every report before it could be killed"
        assessment, report = caught
        assert not worker.alive() and report.attempts == 1

        replacement = start_worker(worker_env, data_dir, name="replacement")
        # The killed task stays unacknowledged in Redis until the visibility timeout (an hour): recovery
        # in time comes from the sweep, which requeues the stale `rendering` row.
        summary = report_jobs.requeue_stale(older_than=0, enqueue=tasks.enqueue_render)
        assert summary["requeued"] == [str(report.uuid)]
        wait_until(lambda: status_of(report.pk) in ("ready", "failed"), 60, "the requeued report", replacement, 0.05)
        report.refresh_from_db()
        assert report.status == "ready", report.error
        assert report.attempts == 2
        assert Report.objects.filter(assessment=assessment, status="ready").count() == 1
        assert stored_reports(assessment) == [report.storage_name.rsplit("/", 1)[1]]
        with default_storage.open(report.storage_name, "rb") as handle:
            assert signing.verify_pdf(handle.read())["valid"]
        # A second sweep finds nothing to do: the report is made once.
        assert report_jobs.requeue_stale(older_than=0, enqueue=tasks.enqueue_render)["requeued"] == []
    finally:
        worker.stop()
        if replacement is not None:
            replacement.stop()
