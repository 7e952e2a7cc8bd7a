"""The tamper-evident audit log.

Each event stores the previous event's hash and a digest over a canonical serialisation of its own
fields. A single head row (count, last hash, last event id), updated in the same transaction, detects
removal of the newest events, which a chain alone cannot. Writers are serialised by a row lock on the head.

Two kinds of digest share one chain:
- the first events (written before the chain was keyed) carry a plain SHA-256 (`key_id` blank);
- every later event carries an HMAC-SHA256 under `KIV_AUDIT_KEY` (`key_id` names the key). The first
  keyed event links to the last plain one, so the keyed segment is anchored at the old head and the old
  events are never re-hashed; someone with database access alone cannot recompute a keyed digest.
On PostgreSQL, triggers refuse UPDATE, DELETE and TRUNCATE of events, and let the head move only forward
to the newest event. What a superuser can still do (disable the triggers) is caught by the signed
checkpoints outside the database (assessments/audit/checkpoints.py).
"""

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from assessments.audit import key as audit_key
from assessments.middleware import current_request_id, valid_request_id
from assessments.models import AuditEvent, AuditHead, AuditWriteCap

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
    if event.key_id:
        # Only keyed events name their key: the plain events' serialisation stays what it always was.
        payload["key_id"] = event.key_id
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
    ).encode()


def compute_hash(event: AuditEvent) -> str:
    """The event's digest: HMAC under the configured key for keyed events, plain SHA-256 for the old ones."""
    if event.key_id:
        return hmac.new(audit_key.key(), canonical(event), hashlib.sha256).hexdigest()
    return hashlib.sha256(canonical(event)).hexdigest()


def _object_ref(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, tuple):  # (type, id) of an object that may already be gone
        return str(obj[0]), str(obj[1])
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
            object_id=object_id[:64],
            agency_id=_agency_id(agency),
            created_at=timezone.now(),
            details=clean_details,
            request_id=valid_request_id(current_request_id()),
            prev_hash=head.last_hash,
            key_id=audit_key.key_id(),
        )
        event.hash = compute_hash(event)
        event.save()
        AuditHead.objects.filter(pk=head.pk).update(
            count=models.F("count") + 1, last_hash=event.hash, last_event_id=event.pk
        )
    return event


def record_capped(action: str, *, bucket: str, window_seconds: int, obj=None, details: dict | None = None):
    """Record an event raised by an anonymous caller at most once per window per bucket.

    For failed or throttled sign-ins: the bucket is the (username, address) pair, so someone varying the
    username or hammering one account adds one chained event per window, not one per request (every
    chained write takes the head's lock). Later attempts in the window only raise the cap row's counter,
    which the bucket's next event reports as `repeats_before` (the attempts since its previous event that were
    not recorded one by one), if it comes before the row is cleaned up (rows older than two windows, at least
    two hours, are deleted whenever any bucket opens a new window). The bucket is stored as an
    HMAC under the audit key, never as the username itself. Returns the event, or None when the window already
    has one.
    """
    now = timezone.now()
    window = int(now.timestamp()) // max(1, window_seconds)
    digest = hmac.new(audit_key.key(), f"{action}\x00{bucket}".encode(), hashlib.sha256).hexdigest()
    with transaction.atomic():
        cap, created = AuditWriteCap.objects.get_or_create(bucket=digest, window=window, defaults={"created_at": now})
        if not created:
            AuditWriteCap.objects.filter(pk=cap.pk).update(count=models.F("count") + 1)
            return None
        AuditWriteCap.objects.filter(created_at__lt=now - timedelta(seconds=max(window_seconds, 3600) * 2)).delete()
        details = {**(details or {}), "window_seconds": window_seconds}
        # Locked while read and deleted, so a repeat counted in the previous window cannot slip in between the sum
        # and the delete. (A request that reaches its get_or_create after the delete finds no row for its window
        # and records an event of its own, as the first of that window would.)
        earlier = list(AuditWriteCap.objects.select_for_update().filter(bucket=digest, window__lt=window))
        repeats = sum(row.count - 1 for row in earlier)
        AuditWriteCap.objects.filter(pk__in=[row.pk for row in earlier]).delete()  # reported once: counting restarts
        if repeats:
            details["repeats_before"] = repeats
        return record(None, action, obj, details=details)


# --- Verification ------------------------------------------------------------------------------------


@dataclass
class ChainStatus:
    ok: bool
    count: int
    head_hash: str
    bad_event_id: int | None = None
    reason: str = ""
    keyed_from: int | None = None
    checkpoint: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = {"ok": self.ok, "count": self.count, "head_hash": self.head_hash, "keyed_from": self.keyed_from}
        if self.checkpoint:
            data["checkpoint"] = {k: self.checkpoint.get(k) for k in ("count", "hash", "last_event_id", "at")}
        if not self.ok:
            data.update({"bad_event_id": self.bad_event_id, "reason": self.reason})
        return data


class _ChainBroken(Exception):
    def __init__(self, event_id: int | None, reason: str):
        super().__init__(reason)
        self.event_id, self.reason = event_id, reason


class _Walk:
    """State of one walk over the chain, in id order."""

    def __init__(self, checkpoints: list[dict]):
        self.prev = GENESIS
        self.count = 0
        self.last_id = None
        self.keyed_from = None
        self.by_event = {cp["last_event_id"]: cp for cp in checkpoints}
        self.seen: set[int] = set()

    def step(self, event: AuditEvent) -> None:
        if self.keyed_from is not None and not event.key_id:
            raise _ChainBroken(event.pk, "an unkeyed event follows keyed ones (the key was stripped)")
        if event.key_id and event.key_id != audit_key.key_id():
            raise _ChainBroken(event.pk, f"written with key {event.key_id}, the configured key is {audit_key.key_id()}")
        if event.prev_hash != self.prev:
            raise _ChainBroken(event.pk, "prev_hash does not match the previous event")
        if not hmac.compare_digest(compute_hash(event), str(event.hash)):
            raise _ChainBroken(event.pk, "hash does not match the event's content")
        if event.key_id and self.keyed_from is None:
            self.keyed_from = event.pk
        self.count += 1
        self.prev, self.last_id = event.hash, event.pk
        checkpoint = self.by_event.get(event.pk)
        if checkpoint is not None:
            self.seen.add(event.pk)
            if checkpoint["count"] != self.count or checkpoint["hash"] != event.hash:
                raise _ChainBroken(
                    event.pk,
                    f"rolled back or rewritten: the checkpoint of {checkpoint['at']} records {checkpoint['count']} "
                    f"events ending in {checkpoint['hash'][:12]} at this event, the table has {self.count} "
                    f"ending in {event.hash[:12]}",
                )


def _unseen_checkpoint(walk: _Walk, checkpoints: list[dict]) -> str:
    for checkpoint in checkpoints:
        if checkpoint["last_event_id"] in walk.seen:
            continue
        recorded = f"the checkpoint of {checkpoint['at']} records {checkpoint['count']} events up to event "
        recorded += f"#{checkpoint['last_event_id']}"
        if walk.count == 0:
            return f"truncated: the table is empty, but {recorded}"
        return f"rolled back: {recorded}, the table has {walk.count} ending at event #{walk.last_id}"
    return ""


def verify_chain(checkpoints: list[dict] | None = None) -> ChainStatus:
    """Walk the chain in id order; report the first event whose link or digest does not hold, then compare
    the end of the chain with the head row and with the signed checkpoints (newest and largest) given."""
    checkpoints = checkpoints or []
    walk = _Walk(checkpoints)
    try:
        for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
            walk.step(event)
    except _ChainBroken as broken:
        return _broken(walk, broken.event_id, broken.reason, checkpoints)
    except Exception as exc:  # a malformed row (a value the ORM cannot read) is reported, never a traceback
        return _broken(walk, None, f"the event after #{walk.last_id} cannot be read ({_one_line(exc)})", checkpoints)
    missed = _unseen_checkpoint(walk, checkpoints)
    if missed:
        return _broken(walk, walk.last_id, missed, checkpoints)
    head = AuditHead.objects.filter(pk=1).first()
    head_count, head_hash = (head.count, head.last_hash) if head else (0, GENESIS)
    if head_count != walk.count or head_hash != walk.prev:
        reason = f"head records {head_count} events ending in {head_hash[:12]}, "
        reason += f"the table has {walk.count} ending in {walk.prev[:12]}"
        return _broken(walk, walk.last_id, reason, checkpoints)
    return ChainStatus(True, walk.count, walk.prev, keyed_from=walk.keyed_from, checkpoint=_latest(checkpoints))


def _latest(checkpoints: list[dict]) -> dict:
    return max(checkpoints, key=lambda cp: cp["count"], default={})


def _broken(walk: _Walk, event_id, reason: str, checkpoints: list[dict]) -> ChainStatus:
    return ChainStatus(False, walk.count, walk.prev, event_id, reason, walk.keyed_from, _latest(checkpoints))


def _one_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__


def head_snapshot() -> dict:
    """The chain's head as it stands: what checkpoints and signed reports record."""
    head = AuditHead.objects.filter(pk=1).values("count", "last_hash", "last_event_id").first()
    head = head or {"count": 0, "last_hash": GENESIS, "last_event_id": 0}
    return {
        "count": head["count"],
        "hash": head["last_hash"],
        "last_event_id": head["last_event_id"],
        "at": timezone.now().astimezone(UTC).isoformat(timespec="seconds"),
        "key_id": audit_key.key_id(),
        "installation": settings.KIV_BASE_URL,
    }
