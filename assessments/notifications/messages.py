"""E-mail notifications: who is told what, and when.

Services call `notify_on_commit(kind, assessment)` inside their transaction: it writes one message per
recipient into the outbox (assessments/notifications/outbox.py), which delivers them after the commit. A rolled-back
change sends nothing; a broker or mail-relay outage delays the messages, never loses them.

Messages go one per recipient (nobody sees the other addresses), in the assessment's language (bokmål
unless its leader made it in English; `email_language`), from the templates in templates/emails/. They carry
the assessment's title, agency and a link, never answers.
Every sender (these notifications, the plan reminders, the leaver notice, the evidence scan) renders its
message with `render_email` and its links with `absolute_url`.
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from assessments.audit import chain as audit
from assessments.models import Assessment, Membership, MunicipalRole, SentReminder
from assessments.notifications import outbox

log = logging.getLogger(__name__)

# kind -> who gets it
TO_REVIEWERS = {"submitted"}
TO_LEADERS = {
    "returned",
    "approved",
    "rejected",
    "review_due",
    "review_overdue",
    "catalogue_changed",
    "catalogue_changed_draft",
}
KINDS = TO_REVIEWERS | TO_LEADERS

# A reminder goes out once when the review-by date is this close, and once when it has passed.
REMIND_DAYS_BEFORE = 30
REMINDER_ACTION = "notification.review_reminder_sent"


def notify_on_commit(kind: str, assessment: Assessment) -> int:
    """Queue `kind` about `assessment` for every recipient; sent once the surrounding transaction commits.
    Returns how many messages were queued. The same event (kind, version, recipient) is queued once."""
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    # As the transaction has it now: services change rows with UPDATEs, not through this instance.
    assessment = Assessment.objects.select_related("agency").get(pk=assessment.pk)
    version = assessment.latest_version()
    event = f"{kind}:{assessment.uuid}:v{version.number if version else 0}"
    return _queue(kind, assessment, event)


def queue_event(kind: str, assessment: Assessment, event: str, extra: dict | None = None) -> int:
    """Queue `kind` for an event of its own (`event` names it once: the same event is queued once)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    return _queue(kind, assessment, event, extra)


def _queue(kind: str, assessment: Assessment, event: str, extra: dict | None = None) -> int:
    subject, body, users = build_message(kind, assessment, extra)
    queued = 0
    for user in users:
        queued += outbox.notification_enqueue(
            to=user.email, kind=kind, subject=subject, body=body, dedupe_key=f"{event}:{user.pk}"
        )
    return queued


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


def absolute_url(path: str) -> str:
    """`path` (a `reverse()` or `get_absolute_url()`) as a link that works outside the app, under KIV_BASE_URL."""
    return settings.KIV_BASE_URL.rstrip("/") + path


def email_language(context: dict) -> str:
    """A message about an assessment is written in the assessment's language (the one its report is in, chosen by
    the leader who made it); any other message in bokmål. Users have no language of their own to go by."""
    assessment = context.get("assessment")
    language = getattr(assessment, "language", "") or "nb"
    return language if language in dict(settings.LANGUAGES) else "nb"


def render_email(template: str, context: dict) -> tuple[str, str]:
    """The subject and body of templates/emails/<template>_subject.txt and <template>.txt, in `email_language`.
    The subject comes as rendered: the outbox collapses its whitespace (`outbox.notification_enqueue`)."""
    with translation.override(email_language(context)):
        subject = render_to_string(f"emails/{template}_subject.txt", context)
        body = render_to_string(f"emails/{template}.txt", context)
    return subject, body


def _link(assessment: Assessment) -> str:
    return absolute_url(reverse("assessments:review_detail", args=[assessment.uuid]))


def build_message(kind: str, assessment: Assessment, extra: dict | None = None) -> tuple[str, str, list]:
    """The subject and body of `kind` about `assessment` (in its language), and who gets it."""
    context = {
        "assessment": assessment,
        "agency": assessment.agency,
        "version": assessment.latest_version(),
        "link": _link(assessment),
        **(extra or {}),
    }
    subject, body = render_email(kind, context)
    return subject, body, recipients(kind, assessment)


def send_review_reminders(today: date | None = None) -> dict:
    """Remind leaders once when an approved assessment's review-by date is near, and once when it has passed.

    Each reminder is a SentReminder row (unique per assessment, kind and review-by date), and its messages go
    into the outbox in the same transaction, so running this twice a day, or on two beat hosts, sends nothing
    twice; a new review-by date (after a new approval) starts afresh. The audit log records it too, but is not
    read. The messages queued are delivered before this returns (it runs in a task already)."""
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
            event = f"{kind}:{assessment.uuid}:{assessment.review_by.isoformat()}"
            queued = _queue(kind, assessment, event, {"days_left": days, "days_over": -days})
            reminder.recipients = queued
            reminder.save(update_fields=["recipients"])
            audit.record(
                None,
                REMINDER_ACTION,
                assessment,
                assessment.agency,
                {"kind": kind, "review_by": assessment.review_by.isoformat(), "recipients": queued},
            )
        summary[kind] += 1
        summary["messages"] += queued
    outbox.deliver_due()
    return summary
