"""The outbox (assessments/notifications/outbox.py): stored with the change, delivered by a task, retried when the relay
fails, given up after a cap, and never stored twice for one event."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from assessments.models import OutboxMessage
from assessments.notifications import outbox


def queue(key: str = "test:1", to: str = "someone@example.org") -> bool:
    return outbox.notification_enqueue(
        to=to, kind="test", subject="Emne\n med  linjeskift", body="Tekst", dedupe_key=key
    )


def due_now() -> None:
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


class RelayDown:
    """An e-mail backend whose relay refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("relay down")


def test_a_message_is_stored_once_and_sent_once(db, mailoutbox):
    assert queue() is True
    assert queue() is False  # the same event again
    message = OutboxMessage.objects.get()
    assert (message.status, message.subject) == ("pending", "Emne med linjeskift")
    assert outbox.deliver_due() == {"due": 1, "sent": 1, "retry": 0, "failed": 0}
    assert [m.to for m in mailoutbox] == [["someone@example.org"]]
    assert outbox.deliver_due()["due"] == 0
    message.refresh_from_db()
    assert message.status == "sent" and message.sent_at is not None and message.attempts == 1


def test_a_failed_send_waits_longer_each_time_and_is_given_up_at_the_cap(db, settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.test_outbox.RelayDown"
    monkeypatch.setattr(outbox, "MAX_ATTEMPTS", 3)
    queue()
    pauses = []
    for expected in ("retry", "retry", "failed"):
        due_now()
        before = timezone.now()
        summary = outbox.deliver_due()
        assert summary[expected] == 1
        message = OutboxMessage.objects.get()
        pauses.append((message.next_attempt_at - before).total_seconds())
    assert message.status == "failed" and message.attempts == 3 and "relay down" in message.last_error
    assert 55 < pauses[0] < pauses[1]  # one minute, then two
    due_now()
    assert outbox.deliver_due()["due"] == 0  # given up: not tried again


def test_a_message_claimed_by_another_delivery_is_not_sent_twice(db, mailoutbox):
    queue()
    message = OutboxMessage.objects.get()
    assert outbox._claim(message, timezone.now())  # another delivery took it a moment ago
    assert outbox.deliver_due()["due"] == 0  # its claim pushed the next attempt out
    assert mailoutbox == []
    assert mail.outbox == []


def test_a_message_needs_an_address(db):
    with pytest.raises(ValueError):
        queue(to="")
