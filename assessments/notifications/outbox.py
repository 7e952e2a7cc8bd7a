"""The notification outbox: every e-mail the app sends goes through here.

`notification_enqueue` stores a message in the caller's transaction, so it exists exactly when the change
it tells about is committed: a rolled-back change sends nothing, and a broker or mail-relay outage delays
a message instead of losing it. After the commit the `queued` signal starts a delivery task
(assessments.tasks), and a periodic delivery sends whatever is still due, like the report sweep.

Delivery is at least once: a row is claimed (its next attempt pushed past the claim lease) before it is
sent and marked sent afterwards; a process that dies in between sends that message again after the lease.
A failed send is tried again with a growing pause, and given up (status `failed`, logged) after
MAX_ATTEMPTS. The `dedupe_key` is unique: the same event queued twice (a retried task, two beat hosts)
is stored once.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from assessments.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A claimed message is not offered to another delivery for this long (a send takes seconds).
CLAIM_SECONDS = 300
# Sent after each commit that stored messages; assessments.tasks starts the delivery task on it.
queued = Signal()


def notification_enqueue(*, to: str, kind: str, subject: str, body: str, dedupe_key: str) -> bool:
    """Store one e-mail for delivery after the surrounding transaction commits. Returns False, and stores
    nothing, when a message with this `dedupe_key` was queued before."""
    if not to:
        raise ValueError("A notification needs a recipient address")
    _message, created = OutboxMessage.objects.get_or_create(
        dedupe_key=dedupe_key[:200],
        defaults={
            "to": to,
            "kind": kind,
            "subject": " ".join(subject.split())[:300],
            "body": body,
            "next_attempt_at": timezone.now(),
        },
    )
    if created:
        transaction.on_commit(lambda: queued.send(sender=OutboxMessage), robust=True)
    return created


def retry_after(attempts: int) -> timedelta:
    """One minute after the first failure, doubling up to an hour."""
    return timedelta(seconds=min(3600, 60 * 2 ** max(0, attempts - 1)))


def _claim(message: OutboxMessage, now) -> bool:
    return bool(
        OutboxMessage.objects.filter(
            pk=message.pk, status=OutboxMessage.Status.PENDING, attempts=message.attempts
        ).update(attempts=F("attempts") + 1, next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
    )


def _record_failure(message: OutboxMessage, exc: Exception, now) -> str:
    attempts = message.attempts + 1
    final = attempts >= MAX_ATTEMPTS
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.FAILED if final else OutboxMessage.Status.PENDING,
        next_attempt_at=now + retry_after(attempts),
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
    )
    outcome = "given up" if final else "will be tried again"
    log.warning("E-mail %s (%s) failed on attempt %s, %s", message.pk, message.kind, attempts, outcome)
    return "failed" if final else "retry"


def deliver_due(*, limit: int = 200) -> dict:
    """Send the messages that are due, each claimed first. Returns a JSON-ready summary."""
    now = timezone.now()
    due = list(OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)[:limit])
    summary = {"due": len(due), "sent": 0, "retry": 0, "failed": 0}
    if not due:
        return summary
    # Not opened up front: each send opens the relay connection itself, so a relay that is down fails
    # one message at a time (recorded for a later attempt) instead of the whole delivery.
    mailer = get_connection()
    for message in due:
        if not _claim(message, now):
            continue  # another delivery has it
        email = EmailMessage(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to])
        try:
            mailer.send_messages([email])
        except Exception as exc:  # the relay refused or is down: try again later
            summary[_record_failure(message, exc, now)] += 1
            continue
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxMessage.Status.SENT, sent_at=timezone.now(), last_error=""
        )
        summary["sent"] += 1
    return summary
