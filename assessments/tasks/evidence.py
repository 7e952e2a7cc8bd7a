"""The virus scan of evidence files (services/evidence_scan.py): one task per upload, and a sweep."""

import logging

from celery import shared_task

from assessments import scanning
from assessments.services import evidence_scan

log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=5)
def scan_evidence(self, evidence_id: int) -> str:
    """Scan one uploaded file. With the scanner away: retried with a broker; in-process the sweep retries."""
    try:
        return evidence_scan.scan(evidence_id)
    except scanning.ScannerUnavailable as exc:
        if self.request.is_eager:
            log.warning("Evidence %s not scanned yet (%s); the sweep retries", evidence_id, exc)
            return "pending"
        raise self.retry(countdown=60 * (self.request.retries + 1), exc=exc) from exc


@shared_task(acks_late=True, ignore_result=True)
def scan_pending_evidence() -> dict:
    """Periodic (CELERY_BEAT_SCHEDULE): files still pending because the scanner or the broker was away."""
    return evidence_scan.scan_pending()


def enqueue_scan(evidence_id: int) -> None:
    """After the upload's commit. A broker that is down must not fail the upload: the sweep scans it."""
    try:
        scan_evidence.apply_async((evidence_id,), retry=False)
    except Exception:
        log.exception("Could not enqueue the scan of evidence %s; the sweep scans it", evidence_id)
