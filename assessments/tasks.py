"""Celery tasks: thin wrappers that fetch by id, call the domain code, and own the retry policy.

Reports: the `Report` row is the durable record. A task may run twice (late acks, the sweep), so the work
starts with a conditional state transition and a second run changes nothing; see assessments/reports.py.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import transaction

from . import audit_checkpoints, reports

log = logging.getLogger(__name__)

# Retry delays grow 10 s, 20 s, 40 s, ... and never exceed this.
RETRY_MAX_SECONDS = 300


def retry_countdown(attempts: int) -> int:
    """Seconds to wait before the next attempt, after `attempts` failed ones (exponential backoff)."""
    return min(RETRY_MAX_SECONDS, 10 * 2 ** max(0, attempts - 1))


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def render_report(self, report_id: int) -> str:
    """Render (and for a decision, seal) one report. Attempts are counted on the row, not by Celery, so a
    redelivered or requeued task counts too and a report that keeps failing ends as `failed`."""
    try:
        return reports.produce_report(report_id)
    except reports.AttemptFailed as exc:
        if exc.final:
            return "failed"
        if self.request.is_eager:
            # In-process (no broker): there is no queue to retry on later. The row is `pending` again,
            # so `manage.py requeue_reports` (or the next sweep) makes the next attempt.
            return "pending"
        raise self.retry(countdown=retry_countdown(exc.attempts), exc=exc) from exc


@shared_task(acks_late=True, ignore_result=True)
def requeue_stale_reports(older_than: int = reports.STALE_AFTER_SECONDS) -> dict:
    """Periodic sweep (CELERY_BEAT_SCHEDULE): a broker outage or a killed worker loses no report."""
    return reports.requeue_stale(older_than=older_than)


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
    from . import signing

    status = signing.check_configuration(create_default=True)
    if status["ok"]:
        log.info("Report seal: %s", status["detail"])
    else:
        log.error("Report seal is not usable: %s", status["detail"])


# --- Notifications --------------------------------------------------------------------------------------


@shared_task(acks_late=True, ignore_result=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=3)
def send_notification(kind: str, assessment_id: int, extra: dict | None = None) -> int:
    """E-mail about one event (see assessments/notifications.py); a mail server that is down is retried."""
    from . import notifications

    return notifications.send(kind, assessment_id, extra)


@shared_task(acks_late=True, ignore_result=True)
def send_review_reminders() -> dict:
    """Daily (CELERY_BEAT_SCHEDULE): remind leaders of review-by dates that are near or have passed."""
    from . import notifications

    return notifications.send_review_reminders()
