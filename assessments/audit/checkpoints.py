"""Signed checkpoints of the audit chain's head, kept outside the database (in report storage).

A checkpoint is one small JSON object per file: the head (count, hash, last event id, time, key id) and a
detached CMS signature over the head's canonical bytes, made with the municipality's seal (the same
certificate that seals reports). One self-contained file rather than a JSON + .p7s pair because report
storage may be S3, which has no rename: a pair could be left half-written, a single object cannot. Anyone
holding the certificate can check a checkpoint with standard tools (base64-decode `cms`, then
`openssl cms -verify -binary -inform DER -content head.json`).

Someone who can rewrite the database (even a superuser who disables the triggers) cannot move the chain
back behind a checkpoint without `verify_audit_log` naming it: the chain must pass through every
checkpoint's (last event, count, hash). Checkpoints are written periodically (beat) and after every
decision. A writer refuses to bless a chain that does not extend the previous checkpoint.
"""

import asyncio
import base64
import json
import logging
from datetime import UTC, datetime

from asn1crypto import cms
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko_certvalidator import ValidationContext

from assessments.audit import chain as audit
from assessments.models import AuditEvent
from assessments.reports import signing

log = logging.getLogger(__name__)

FOLDER = "audit-checkpoints"
HEAD_FIELDS = ("count", "hash", "last_event_id", "at", "key_id", "installation")


class CheckpointError(Exception):
    """A checkpoint cannot be read or its seal does not verify; the message says which file."""


def _head_bytes(head: dict) -> bytes:
    return json.dumps({k: head[k] for k in HEAD_FIELDS}, sort_keys=True, separators=(",", ":")).encode()


def _sign(data: bytes) -> bytes:
    identity = signing.seal_identity()
    sign = identity.signer.async_sign_general_data
    content_info = signing.outside_event_loop(lambda: asyncio.run(sign(data, "sha256", detached=True)))
    return content_info.dump()


def _verify_signature(data: bytes, cms_der: bytes) -> bool:
    # pyHanko's generic CMS validation; only our own seal certificate is trusted.
    identity = signing.seal_identity()
    signed_data = cms.ContentInfo.load(cms_der)["content"]
    context = ValidationContext(trust_roots=[identity.certificate])
    status = signing.outside_event_loop(
        lambda: asyncio.run(async_validate_detached_cms(data, signed_data, signer_validation_context=context))
    )
    return bool(status.intact and status.valid and status.trusted)


def _name(head: dict) -> str:
    # The count first (zero-padded) so the sorted listing ends with the largest checkpoint.
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{FOLDER}/{head['count']:015d}-{stamp}.json"


def _names() -> list[str]:
    try:
        _folders, files = default_storage.listdir(FOLDER)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(f"{FOLDER}/{name}" for name in files if name.endswith(".json"))


def read(name: str) -> dict:
    """One checkpoint's head, after checking its seal. Raises CheckpointError."""
    try:
        with default_storage.open(name, "rb") as handle:
            document = json.loads(handle.read(64 * 1024))
        head = document["head"]
        if not isinstance(head, dict) or not all(k in head for k in HEAD_FIELDS):
            raise ValueError("fields missing")
        if not isinstance(head["count"], int) or not isinstance(head["last_event_id"], int):
            raise ValueError("count and last_event_id must be integers")
        cms_der = base64.b64decode(document["cms"], validate=True)
    except Exception as exc:
        raise CheckpointError(f"checkpoint {name} cannot be read ({type(exc).__name__})") from None
    try:
        sealed = _verify_signature(_head_bytes(head), cms_der)
    except Exception as exc:  # a damaged signature container is a failed check, not a crash
        raise CheckpointError(f"checkpoint {name}: the seal cannot be checked ({type(exc).__name__})") from None
    if not sealed:
        raise CheckpointError(f"checkpoint {name} is not sealed with this installation's certificate")
    return {**head, "name": name}


def relevant() -> list[dict]:
    """The checkpoints to verify against: the largest (by count) and the newest (by time)."""
    names = _names()
    if not names:
        return []
    picked = {names[-1], max(names, key=lambda n: n.rsplit("-", 1)[-1])}
    return [read(name) for name in sorted(picked)]


def _extends(previous: dict, head: dict) -> str:
    """Blank when the current chain passes through the previous checkpoint, else why not."""
    if head["count"] < previous["count"]:
        return f"the head has {head['count']} events, the previous checkpoint {previous['count']}"
    event = AuditEvent.objects.filter(pk=previous["last_event_id"]).values_list("hash", flat=True).first()
    if event != previous["hash"]:
        return f"event #{previous['last_event_id']} of the previous checkpoint is missing or changed"
    before = AuditEvent.objects.filter(pk__lte=previous["last_event_id"]).count()
    if before != previous["count"]:
        return f"{before} events up to #{previous['last_event_id']}, the previous checkpoint had {previous['count']}"
    return ""


def write() -> dict:
    """Seal the current head into report storage, unless it is unchanged or does not extend the last one."""
    head = audit.head_snapshot()
    if head["count"] == 0:
        return {"written": False, "reason": "the audit log is empty"}
    names = _names()
    if names:
        try:
            previous = read(names[-1])
        except CheckpointError as exc:
            log.error("Audit checkpoint not written: %s", exc)
            return {"written": False, "reason": str(exc)}
        if (previous["count"], previous["hash"]) == (head["count"], head["hash"]):
            return {"written": False, "reason": "unchanged", "name": previous["name"]}
        problem = _extends(previous, head)
        if problem:
            log.error("Audit checkpoint not written, the chain does not extend the last one: %s", problem)
            return {"written": False, "reason": problem}
    document = {"head": {k: head[k] for k in HEAD_FIELDS}, "cms": base64.b64encode(_sign(_head_bytes(head))).decode()}
    name = default_storage.save(_name(head), ContentFile(json.dumps(document, indent=1).encode()))
    log.info("Audit checkpoint %s: %s events, head %s", name, head["count"], head["hash"][:12])
    return {"written": True, "name": name, "count": head["count"], "hash": head["hash"]}
