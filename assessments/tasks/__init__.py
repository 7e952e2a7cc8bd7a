"""Celery tasks: thin wrappers that fetch by id, call the domain code, and own the retry policy.

The tasks call the services and the report jobs. A few services start a job after their commit and import this
package for it (`services.reports`, `services.decisions`, `services.evidence_scan`: `tasks.enqueue_render(...)` in
an on-commit callback), so the two packages import each other at module level. That is safe because neither uses
the other while it loads, only inside functions at call time; no import is hidden inside a function. Other domain
code says so with a signal (outbox.queued) or is given the enqueue function (reports.jobs.requeue_stale).

Reports: the `Report` row is the durable record. A task may run twice (late acks, a redelivery, the sweep),
so the work starts with a conditional claim and a second run changes nothing; see reports/jobs.py.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import DatabaseError, transaction
from django.dispatch import receiver

from assessments.audit import checkpoints as audit_checkpoints
from assessments.notifications import messages as notifications
from assessments.notifications import outbox
from assessments.reports import jobs as report_jobs
from assessments.reports import signing

log = logging.getLogger(__name__)

# Retry delays grow 10 s, 20 s, 40 s, ... and never exceed this.
RETRY_MAX_SECONDS = 300


def retry_countdown(attempts: int) -> int:
    """Seconds to wait before the next attempt, after `attempts` failed ones (exponential backoff)."""
    return min(RETRY_MAX_SECONDS, 10 * 2 ** max(0, attempts - 1))


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def render_report(self, report_id: int) -> str:
    """Render (and for a decision, seal) one report. Attempts are counted on the row, not by Celery, so a
    redelivered or requeued task counts too and a report that keeps failing ends as `failed`. The task id
    owns the claim: a redelivery of this task (its worker died) takes the claim back at once."""
    try:
        return report_jobs.produce_report(report_id, owner=self.request.id)
    except report_jobs.AttemptFailed as exc:
        if exc.final:
            return "failed"
        attempts, error = exc.attempts, exc
    except DatabaseError as exc:  # the claim itself could not be made: the database is away
        log.warning("Report %s: database error before the claim (%s); retrying", report_id, exc)
        attempts, error = 1, exc
    if self.request.is_eager:
        # In-process (no broker): there is no queue to retry on later. The row is `pending` again (or
        # its lease runs out), so the sweep makes the next attempt.
        return "pending"
    raise self.retry(countdown=retry_countdown(attempts), exc=error)


@shared_task(acks_late=True, ignore_result=True)
def requeue_stale_reports(older_than: int = report_jobs.STALE_AFTER_SECONDS) -> dict:
    """Periodic sweep (CELERY_BEAT_SCHEDULE): a broker outage or a dead worker loses no report."""
    return report_jobs.requeue_stale(older_than=older_than, enqueue=enqueue_render)


@shared_task(acks_late=True, ignore_result=True)
def remove_orphan_report_files(grace_seconds: int = report_jobs.ORPHAN_GRACE_SECONDS) -> dict:
    """Periodic sweep: stored report files that no row names (a run died between storing and recording)."""
    return report_jobs.remove_orphan_files(grace_seconds=grace_seconds)


def enqueue_render(report_id: int) -> bool:
    """Put a report on the queue. With the broker down this raises after the commit: the row is saved as
    `pending`, so log it and let the sweep pick it up instead of failing the request."""
    try:
        render_report.apply_async(
            (report_id,),
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5},
        )
    except Exception:
        log.exception("Could not enqueue report %s; it stays pending for the sweep", report_id)
        return False
    return True


@shared_task(acks_late=True, ignore_result=True)
def write_audit_checkpoint() -> dict:
    """Periodic (CELERY_BEAT_SCHEDULE) and after each decision: the audit chain's head, sealed, in storage."""
    return audit_checkpoints.write()


def _enqueue_checkpoint() -> None:
    # After the commit: a broker that is down or a storage error must not turn a saved decision into a 500.
    try:
        write_audit_checkpoint.delay()
    except Exception:
        log.exception("Could not write or enqueue an audit checkpoint; the periodic one will follow")


def checkpoint_audit_on_commit() -> None:
    """Seal the audit head once the current transaction (a decision) has committed."""
    transaction.on_commit(_enqueue_checkpoint)


@worker_ready.connect
def _check_seal_on_start(**kwargs) -> None:
    """Say at start-up, not at the first approval, that the signing certificate cannot be used."""
    status = signing.check_configuration(create_default=True)
    if status["ok"]:
        log.info("Report seal: %s", status["detail"])
    else:
        log.error("Report seal is not usable: %s", status["detail"])


# --- Notifications: the outbox ------------------------------------------------------------------------


@shared_task(acks_late=True, ignore_result=True)
def deliver_outbox() -> dict:
    """Send the e-mails the outbox holds: after each commit that queued some, and every minute
    (CELERY_BEAT_SCHEDULE) for those a broker or mail outage held back."""
    return outbox.deliver_due()


@receiver(outbox.queued)
def _deliver_after_commit(**kwargs) -> None:
    try:
        deliver_outbox.apply_async(retry=False)
    except Exception:  # the broker is down: the messages wait in the outbox for the periodic delivery
        log.warning("Could not enqueue the outbox delivery; the periodic delivery sends the messages")


@shared_task(acks_late=True, ignore_result=True)
def send_review_reminders() -> dict:
    """Daily (CELERY_BEAT_SCHEDULE): remind leaders of review-by dates that are near or have passed."""
    return notifications.send_review_reminders()


# The tool overview's daily check; imported here so the worker registers it.
from assessments.tasks import (  # noqa: E402, F401  (registers these tasks with Celery)
    archive,
    evidence,
    plans,  # noqa: E402,F401  (registers the action plan's task)
    retention,
)
from assessments.tasks import catalogue as catalogue_tasks  # noqa: E402, F401
