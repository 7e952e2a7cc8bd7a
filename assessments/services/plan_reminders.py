"""Reminders of the action plan: once when an item's due date is 14 days away, and once a week while it is
overdue, by e-mail through the notification outbox (assessments/notifications/outbox.py) to the item's owner and the
agency's leaders. A ReminderSent row (unique per item, kind and period: the due date, or the ISO week of an
overdue item) and the outbox's dedupe key (item, kind, period, recipient) make a second run, or a second
beat host, send nothing twice."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from assessments.audit import chain as audit
from assessments.models import Assessment, Membership
from assessments.models.plans import PlanItem, ReminderSent
from assessments.notifications import outbox
from assessments.notifications.messages import absolute_url, render_email

REMIND_DAYS_BEFORE = 14
ACTIVE_STATUSES = (Assessment.Status.SUBMITTED, Assessment.Status.RETURNED, Assessment.Status.APPROVED)


def due_items(today: dt.date):
    """Open items of live plans whose due date (theirs or UKE's) is within the reminder window or past."""
    limit = today + dt.timedelta(days=REMIND_DAYS_BEFORE)
    return (
        PlanItem.objects.filter(PlanItem.open_filter(), assessment__status__in=ACTIVE_STATUSES)
        .filter(Q(due_date__lte=limit) | Q(condition_due__lte=limit))
        .select_related("assessment__agency", "owner")
        .order_by("pk")
    )


def reminder_for(item: PlanItem, today: dt.date) -> tuple[str, str] | None:
    """(kind, period) of the reminder this item is due, or None."""
    due = item.effective_due
    if due is None:
        return None
    if due < today:
        year, week, _day = today.isocalendar()
        return ReminderSent.Kind.OVERDUE, f"{year}-W{week:02d}"
    if due <= today + dt.timedelta(days=REMIND_DAYS_BEFORE):
        return ReminderSent.Kind.DUE, due.isoformat()
    return None


def recipients(item: PlanItem) -> list:
    leaders = Membership.objects.filter(agency_id=item.assessment.agency_id, role=Membership.Role.LEADER)
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    return list(users.filter(Q(pk__in=leaders.values("user_id")) | Q(pk=item.owner_id)).order_by("pk"))


def _message(kind: str, item: PlanItem) -> tuple[str, str]:
    link = absolute_url(reverse("assessments:plan_item", args=[item.assessment.uuid, item.pk]))
    context = {"item": item, "assessment": item.assessment, "due": item.effective_due, "link": link}
    return render_email(f"plan_{kind}", context)


def _send_one(item: PlanItem, kind: str, period: str) -> int | None:
    """Record and queue one reminder; None when it was sent before."""
    try:
        with transaction.atomic():
            reminder, created = ReminderSent.objects.get_or_create(item=item, kind=kind, period=period)
            if not created:
                return None
            subject, body = _message(kind, item)
            queued = 0
            for user in recipients(item):
                queued += outbox.notification_enqueue(
                    to=user.email,
                    kind=f"plan_{kind}",
                    subject=subject,
                    body=body,
                    dedupe_key=f"plan_{kind}:{item.pk}:{period}:{user.pk}",
                )
            reminder.recipients = queued
            reminder.save(update_fields=["recipients"])
            audit.record(None, "notification.plan_reminder_sent", item.assessment, item.assessment.agency_id,
                         {"item": item.pk, "kind": kind, "period": period, "recipients": queued})  # fmt: skip
    except IntegrityError:  # another run recorded the same reminder at the same moment
        return None
    return queued


def send(today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    summary = {"due": 0, "overdue": 0, "messages": 0}
    for item in due_items(today):
        wanted = reminder_for(item, today)
        if wanted is None:
            continue
        queued = _send_one(item, *wanted)
        if queued is None:
            continue
        summary[wanted[0]] += 1
        summary["messages"] += queued
    outbox.deliver_due()
    return summary
