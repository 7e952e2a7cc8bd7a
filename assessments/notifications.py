"""E-mail notifications: who is told what, and when.

Services call `notify_on_commit(kind, assessment)` inside their transaction; after the commit a Celery
task (`assessments.tasks.send_notification`) builds and sends the messages, so a slow mail server never
holds up a request and a rolled-back change sends nothing. With the broker down the enqueue fails after
the commit: the change is kept, the failure is logged, and the notification is lost (it is a courtesy;
the start pages show the same work to do).

Messages go one per recipient (nobody sees the other addresses) in Norwegian bokmål, from the
templates in templates/emails/. They carry the assessment's title, agency and a link, never answers.
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import audit
from .models import Assessment, Membership, MunicipalRole, SentReminder

log = logging.getLogger(__name__)

# kind -> who gets it
TO_REVIEWERS = {"submitted"}
TO_LEADERS = {"returned", "approved", "rejected", "review_due", "review_overdue"}
KINDS = TO_REVIEWERS | TO_LEADERS

# A reminder goes out once when the review-by date is this close, and once when it has passed.
REMIND_DAYS_BEFORE = 30
REMINDER_ACTION = "notification.review_reminder_sent"


def notify_on_commit(kind: str, assessment: Assessment) -> None:
    """Send `kind` about `assessment` once the surrounding transaction commits."""
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    assessment_id = assessment.pk
    transaction.on_commit(lambda: enqueue(kind, assessment_id))


def enqueue(kind: str, assessment_id: int) -> None:
    from .tasks import send_notification

    try:
        send_notification.delay(kind, assessment_id)
    except Exception:  # the broker is down: the data is committed, the notification is a courtesy
        log.exception("Could not enqueue the %s notification for assessment %s", kind, assessment_id)


def recipients(kind: str, assessment: Assessment) -> list:
    """Active users with an e-mail address who should hear about this."""
    User = get_user_model()
    users = User.objects.filter(is_active=True).exclude(email="")
    if kind in TO_REVIEWERS:
        # A reviewer who is a member of the agency may not review it (conflict of interest).
        members = Membership.objects.filter(agency_id=assessment.agency_id).values("user_id")
        reviewers = MunicipalRole.objects.filter(role=MunicipalRole.Role.REVIEWER).values("user_id")
        users = users.filter(pk__in=reviewers).exclude(pk__in=members)
    else:
        leaders = Membership.objects.filter(agency_id=assessment.agency_id, role=Membership.Role.LEADER)
        users = users.filter(pk__in=leaders.values("user_id"))
    return list(users.order_by("pk"))


def _link(assessment: Assessment) -> str:
    return settings.KIV_BASE_URL.rstrip("/") + reverse("review_detail", args=[assessment.uuid])


def build_messages(kind: str, assessment: Assessment, extra: dict | None = None) -> list[EmailMessage]:
    version = assessment.latest_version()
    context = {
        "assessment": assessment,
        "agency": assessment.agency,
        "version": version,
        "link": _link(assessment),
        **(extra or {}),
    }
    messages = []
    with translation.override("nb"):
        subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", context).split())
        body = render_to_string(f"emails/{kind}.txt", context)
    for user in recipients(kind, assessment):
        messages.append(
            EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email])
        )
    return messages


def send(kind: str, assessment_id: int, extra: dict | None = None) -> int:
    """Build and send one notification; returns how many messages went out."""
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    assessment = Assessment.objects.select_related("agency").filter(pk=assessment_id).first()
    if assessment is None:
        return 0
    messages = build_messages(kind, assessment, extra)
    if not messages:
        log.info("No recipients for the %s notification of assessment %s", kind, assessment_id)
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def send_review_reminders(today: date | None = None) -> dict:
    """Remind leaders once when an approved assessment's review-by date is near, and once when it has passed.

    Each reminder is a SentReminder row (unique per assessment, kind and review-by date) written before
    the mail goes out, so running this twice a day, or on two beat hosts, sends nothing twice; a new
    review-by date (after a new approval) starts afresh. The audit log records it too, but is not read."""
    today = today or timezone.localdate()
    candidates = (
        Assessment.objects.filter(
            status=Assessment.Status.APPROVED,
            review_by__isnull=False,
            review_by__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
        )
        .select_related("agency")
        .order_by("review_by", "pk")
    )
    summary = {"review_due": 0, "review_overdue": 0, "messages": 0}
    for assessment in candidates:
        kind = SentReminder.Kind.OVERDUE if assessment.review_by < today else SentReminder.Kind.DUE
        days = (assessment.review_by - today).days
        with transaction.atomic():
            reminder, created = SentReminder.objects.get_or_create(
                assessment=assessment, kind=kind, review_by=assessment.review_by
            )
            if not created:
                continue
            messages = build_messages(kind, assessment, {"days_left": days, "days_over": -days})
            reminder.recipients = len(messages)
            reminder.save(update_fields=["recipients"])
            audit.record(
                None,
                REMINDER_ACTION,
                assessment,
                assessment.agency,
                {"kind": kind, "review_by": assessment.review_by.isoformat(), "recipients": len(messages)},
            )
        if messages:
            with get_connection() as connection:
                summary["messages"] += connection.send_messages(messages) or 0
        summary[kind] += 1
    return summary
