"""Daily removal of personal data past its retention period (services/retention.py); beat runs it."""

from celery import shared_task

from assessments.services.retention import apply_retention


@shared_task(acks_late=True, ignore_result=True)
def apply_retention_task() -> dict:
    return apply_retention()
