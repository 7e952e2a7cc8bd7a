"""The tamper-evident audit log.

Each event stores the previous event's hash and a SHA-256 over a canonical serialisation of its own
fields. A single head row (count + last hash), updated in the same transaction, detects removal of
the newest events, which a chain alone cannot. Writers are serialised by a row lock on the head.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import models, transaction
from django.utils import timezone

from .middleware import current_request_id
from .models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _json_default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def canonical(event: AuditEvent) -> bytes:
    payload = {
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "agency_id": event.agency_id,
        "created_at": event.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "details": event.details,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
    ).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


def _object_ref(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, models.Model):
        ident = getattr(obj, "uuid", None) or obj.pk
        return obj._meta.model_name, str(ident)
    return type(obj).__name__.lower(), str(obj)


def _agency_id(agency) -> int | None:
    if agency is None:
        return None
    return agency if isinstance(agency, int) else agency.pk


def record(actor, action: str, obj=None, agency=None, details: dict | None = None) -> AuditEvent:
    """Append one event. Call inside the service's transaction so the event and the change commit together."""
    object_type, object_id = _object_ref(obj)
    # Round-trip details through JSON so the stored value equals what was hashed.
    clean_details = json.loads(json.dumps(details or {}, default=_json_default))
    with transaction.atomic():
        head, _ = AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=head.pk)
        event = AuditEvent(
            actor_id=getattr(actor, "pk", actor) if actor is not None else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            agency_id=_agency_id(agency),
            created_at=timezone.now(),
            details=clean_details,
            request_id=current_request_id() or "",
            prev_hash=head.last_hash,
        )
        event.hash = compute_hash(event)
        event.save()
        AuditHead.objects.filter(pk=head.pk).update(count=models.F("count") + 1, last_hash=event.hash)
    return event


@dataclass
class ChainStatus:
    ok: bool
    count: int
    head_hash: str
    bad_event_id: int | None = None
    reason: str = ""

    def as_dict(self) -> dict:
        data = {"ok": self.ok, "count": self.count, "head_hash": self.head_hash}
        if not self.ok:
            data.update({"bad_event_id": self.bad_event_id, "reason": self.reason})
        return data


def verify_chain() -> ChainStatus:
    """Walk the chain in id order; report the first event whose link or hash does not hold."""
    prev = GENESIS
    count = 0
    last_id = None
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if event.prev_hash != prev:
            return ChainStatus(False, count - 1, prev, event.pk, "prev_hash does not match the previous event")
        if compute_hash(event) != event.hash:
            return ChainStatus(False, count - 1, prev, event.pk, "hash does not match the event's content")
        prev = event.hash
        last_id = event.pk
    head = AuditHead.objects.filter(pk=1).first()
    head_count, head_hash = (head.count, head.last_hash) if head else (0, GENESIS)
    if head_count != count or head_hash != prev:
        return ChainStatus(
            False,
            count,
            prev,
            last_id,
            f"head records {head_count} events ending in {head_hash[:12]}, the table has {count} ending in {prev[:12]}",
        )
    return ChainStatus(True, count, prev)
