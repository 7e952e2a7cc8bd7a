"""E-mail waiting to be sent, written in the transaction of the change it tells about."""

from django.db import models

from assessments.choices import OutboxStatus


class OutboxMessage(models.Model):
    """One e-mail waiting to be sent, or sent: written in the transaction of the change it tells about and
    delivered by a task (assessments/notifications/outbox.py), so a broker or mail outage delays a message, never
    loses it.
    `dedupe_key` makes enqueueing idempotent: the same event never produces two messages."""

    Status = OutboxStatus

    dedupe_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=60)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.status})"
