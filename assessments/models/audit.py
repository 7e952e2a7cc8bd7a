"""The audit log: append-only, hash-chained events, the chain's head and the caps on noisy events."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models.base import WriteOnce

APPEND_ONLY = "Audit events are append-only"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(APPEND_ONLY)

    def delete(self):
        raise ValidationError(APPEND_ONLY)


class AuditEvent(WriteOnce):
    """Append-only, hash-chained log. Plain ids only: no names or e-mails in the chained fields."""

    refusal = APPEND_ONLY
    refusal_error = ValidationError

    actor_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    agency_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(db_index=True)
    details = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # Blank: a plain SHA-256 (events written before the chain was keyed). Otherwise the id of the HMAC key.
    key_id = models.CharField(max_length=16, blank=True, default="")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        # The audit log pages newest first; each filter walks its own index in that order.
        indexes = [
            models.Index(fields=["action", "id"], name="auditevent_action_id"),
            models.Index(fields=["agency_id", "id"], name="auditevent_agency_id"),
            models.Index(fields=["actor_id", "id"], name="auditevent_actor_id"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action}"

    def delete(self, *args, **kwargs):
        raise ValidationError(APPEND_ONLY)


class AuditHead(models.Model):
    """The chain's head (one row): count and last hash, to detect removal of the newest events."""

    count = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    # On PostgreSQL a trigger lets the head move only forward, to this newest event (see audit.py).
    last_event_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("revisjonslogg-hode")

    def __str__(self) -> str:
        return f"{self.count} events, head {self.last_hash[:12]}"


class AuditWriteCap(models.Model):
    """One row per (bucket, time window) of capped anonymous audit writes (audit.record_capped).

    `bucket` is an HMAC of the action and, for sign-ins, the username and address: no names are stored.
    """

    bucket = models.CharField(max_length=64)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bucket", "window"], name="one_audit_write_per_window")]

    def __str__(self) -> str:
        return f"{self.bucket[:12]}@{self.window} ×{self.count}"
