"""Periodic task of the action plan (CELERY_BEAT_SCHEDULE "plan-reminders"; the embedded default's
scheduler reads the same schedule)."""

from celery import shared_task

from assessments.services import plan_reminders


@shared_task(name="assessments.tasks.send_plan_reminders", acks_late=True, ignore_result=True)
def send_plan_reminders() -> dict:
    """Daily: remind owners and leaders of plan items near their due date, and weekly while overdue."""
    return plan_reminders.send()
