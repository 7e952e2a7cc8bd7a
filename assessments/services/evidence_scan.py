"""The virus scan of an evidence file, after its upload (assessments/scanning.py holds the scanners).

`evidence_add` stores the file as `pending` and, after its commit, queues `tasks.evidence.scan_evidence`;
a sweep (CELERY_BEAT_SCHEDULE "scan-pending-evidence") picks up files whose scan could not run (the
scanner or the broker was away). The verdict is written to every row naming the same stored file (a
carried-over item names the file of the item it replaced):

- clean, or not scanned (no scanner configured): the file may be downloaded;
- found: the file is moved to `quarantine/` through the storage API, never served again, and the uploader
  is told through the notification outbox; the plan page shows it too;
- refused (the scanner would not check this file, e.g. over its size limit): the file stays where it is but
  is never served, and the uploader is told, so it is not retried by every sweep for nothing.

Every verdict is an audit event. A verdict that holds a file back for good also enters the history of each
item naming it, so a status report as of a later date marks the file. A second run of the same scan changes
nothing (the rows are pending no more).
"""

import datetime as dt
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments import scanning, tasks
from assessments.audit import chain as audit
from assessments.models.plans import Evidence, PlanItem
from assessments.notifications import outbox
from assessments.notifications.messages import absolute_url, render_email
from assessments.services.locking import lock

log = logging.getLogger(__name__)

QUARANTINE_PREFIX = "quarantine/"
# The sweep leaves a fresh upload to the scan its commit queued.
SWEEP_AFTER = dt.timedelta(minutes=2)
SWEEP_LIMIT = 100
VERDICT_STATUS = {
    scanning.CLEAN: Evidence.Scan.CLEAN,
    scanning.FOUND: Evidence.Scan.QUARANTINED,
    scanning.NOT_SCANNED: Evidence.Scan.NOT_SCANNED,
    scanning.REFUSED: Evidence.Scan.REFUSED,
}


def scan_on_commit(evidence: Evidence) -> None:
    """Queue the scan of a newly stored file once the upload's transaction has committed."""
    evidence_id = evidence.pk
    transaction.on_commit(lambda: tasks.evidence.enqueue_scan(evidence_id))


def scan(evidence_id: int, scanner=None) -> str:
    """Scan one pending file and record the verdict. Returns the new status ("" when nothing was pending).
    Raises scanning.ScannerUnavailable when the scanner could not answer; the file stays pending."""
    evidence = Evidence.objects.filter(pk=evidence_id, scan_status=Evidence.Scan.PENDING).first()
    if evidence is None or not evidence.storage_name:
        return ""
    try:
        with default_storage.open(evidence.storage_name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        log.error("Evidence %s: stored file %s is missing; left pending", evidence.uuid, evidence.storage_name)
        return ""
    result = (scanner or scanning.get_scanner()).scan(data)
    return _record(evidence_id, result, data)


def _record(evidence_id: int, result: scanning.ScanResult, data: bytes) -> str:
    moved = ""
    try:
        with transaction.atomic():
            # The items first, as the plan's own writes lock them (services/plans.py), so a verdict and a change of
            # an item take turns and each history row holds the item as it then is.
            items = _lock_items(evidence_id)
            evidence = lock(Evidence, evidence_id, related=("item__assessment", "added_by"))
            if evidence.scan_status != Evidence.Scan.PENDING:
                return ""
            original = evidence.storage_name
            fields = {"scanned_at": timezone.now(), "scan_signature": result.signature,
                      "scan_status": VERDICT_STATUS[result.outcome]}  # fmt: skip
            if result.outcome == scanning.FOUND:
                moved = default_storage.save(QUARANTINE_PREFIX + original, ContentFile(data))
                fields["storage_name"] = moved
            Evidence.objects.filter(storage_name=original, scan_status=Evidence.Scan.PENDING).update(**fields)
            evidence.refresh_from_db()
            _audit(evidence, result, original)
            if evidence.scan_status in Evidence.HELD_BACK:
                for item in items:
                    item.record_history(None, f"evidence_{evidence.scan_status}")
                if evidence.removed_at is None:
                    _tell_uploader(evidence)
            if moved:
                transaction.on_commit(lambda: default_storage.delete(original))
    except Exception:
        if moved:
            default_storage.delete(moved)
        raise
    return evidence.scan_status


def _lock_items(evidence_id: int) -> list[PlanItem]:
    """The items that show the stored file of `evidence` (a carried-over item names the file of the item it
    replaced), locked in the order of their ids."""
    stored = Evidence.objects.filter(pk=evidence_id).values("storage_name")
    showing = Evidence.objects.filter(storage_name__in=stored, storage_name__gt="", removed_at__isnull=True)
    # By ids: PostgreSQL locks no rows of a DISTINCT, which the join to the evidence would need.
    ids = PlanItem.objects.filter(evidence__in=showing).values("pk")
    return list(PlanItem.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _audit(evidence: Evidence, result: scanning.ScanResult, original: str) -> None:
    assessment = evidence.item.assessment
    details = {"evidence": str(evidence.uuid), "item": evidence.item_id, "sha256": evidence.sha256,
               "status": evidence.scan_status, "scanner": result.scanner}  # fmt: skip
    if evidence.scan_status == Evidence.Scan.QUARANTINED:
        details.update(signature=result.signature, moved_from=original, moved_to=evidence.storage_name)
    elif evidence.scan_status == Evidence.Scan.REFUSED:
        details["reason"] = result.signature
    held_back = evidence.scan_status in Evidence.HELD_BACK
    action = f"plan.evidence_{evidence.scan_status}" if held_back else "plan.evidence_scanned"
    audit.record(None, action, assessment, assessment.agency_id, details)


def _tell_uploader(evidence: Evidence) -> None:
    user = evidence.added_by
    if user is None or not user.is_active or not user.email:
        return
    assessment = evidence.item.assessment
    path = reverse("assessments:plan_item", args=[assessment.uuid, evidence.item_id])
    context = {"evidence": evidence, "item": evidence.item, "assessment": assessment, "link": absolute_url(path)}
    kind = f"plan_evidence_{evidence.scan_status}"
    subject, body = render_email(kind, context)
    outbox.notification_enqueue(to=user.email, kind=kind, subject=subject, body=body,
                                dedupe_key=f"evidence_{evidence.scan_status}:{evidence.uuid}:{user.pk}")  # fmt: skip


def scan_pending(*, scanner=None, older_than: dt.timedelta = SWEEP_AFTER, limit: int = SWEEP_LIMIT) -> dict:
    """The sweep: scan files left pending. Stops at the first unavailable scanner (the next sweep retries); a
    file clamd answers ERROR for stays pending and the sweep goes on, so one such file cannot hold up the rest."""
    cutoff = timezone.now() - older_than
    ids = Evidence.objects.filter(scan_status=Evidence.Scan.PENDING, added_at__lt=cutoff).order_by("added_at")
    summary = {"scanned": 0, "quarantined": 0, "refused": 0, "failed": 0, "unavailable": False}
    scanner = scanner or scanning.get_scanner()
    for evidence_id in ids.values_list("pk", flat=True)[:limit]:
        try:
            status = scan(evidence_id, scanner)
        except scanning.ScanError as exc:
            log.warning("Evidence scan: file %s not scanned (%s); it stays pending", evidence_id, exc)
            summary["failed"] += 1
            continue
        except scanning.ScannerUnavailable as exc:
            log.warning("Evidence scan: %s; pending files wait for the next sweep", exc)
            summary["unavailable"] = True
            break
        summary["scanned"] += bool(status)
        summary["quarantined"] += status == Evidence.Scan.QUARANTINED
        summary["refused"] += status == Evidence.Scan.REFUSED
    return summary
