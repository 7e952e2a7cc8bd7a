"""The tool overview's daily check (CELERY_BEAT_SCHEDULE; in-process in the embedded default too)."""

from celery import shared_task

from assessments.notifications import outbox
from assessments.services import catalogue


@shared_task(acks_late=True, ignore_result=True)
def expire_catalogue_entries() -> dict:
    """Approvals and data processing agreements whose end date has passed: a new, stricter version of the entry,
    which flags the assessments that use it. Safe to run twice: an expired entry is changed once."""
    summary = catalogue.expire_due()
    outbox.deliver_due()
    return summary
