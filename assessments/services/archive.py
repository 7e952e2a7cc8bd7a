"""Handing decisions to the archive, once each (arkivlova; docs/archive.md).

Every decided version whose sealed report is ready gets an ArchiveHandover row; delivery is retried with a
growing pause until the archive takes the package, so an archive outage delays the hand-over, never loses it.
Like the e-mail outbox, a periodic task drives it (tasks/archive.py); the archive's reference is stored back.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from assessments.archive.adapters import ArchiveUnavailable, configured_adapter
from assessments.archive.noark import NotArchivable, build_package
from assessments.audit import chain as audit
from assessments.models import ArchiveHandover, AssessmentVersion, Report

log = logging.getLogger(__name__)


def retry_after(attempts: int) -> timedelta:
    """One minute after the first failure, doubling up to six hours."""
    return timedelta(seconds=min(6 * 3600, 60 * 2 ** max(0, attempts - 1)))


def archive_enqueue_decided(*, limit: int = 500) -> int:
    """A hand-over row for every decided version with a ready sealed report that has none yet."""
    ready = Report.objects.filter(version=OuterRef("pk"), kind=Report.Kind.SIGNED, status=Report.Status.READY)
    versions = (
        AssessmentVersion.objects.filter(decided_at__isnull=False)
        .exclude(decision="")
        .filter(Exists(ready))
        .filter(archive_handover__isnull=True)
        .order_by("decided_at")[:limit]
    )
    created = 0
    for version in versions:
        _row, made = ArchiveHandover.objects.get_or_create(
            version=version,
            defaults={"assessment_id": version.assessment_id, "next_attempt_at": timezone.now()},
        )
        created += made
    return created


def archive_deliver_due(*, adapter=None, limit: int = 50) -> dict:
    """Try every due hand-over once. Returns how many were delivered and how many wait for a retry."""
    adapter = adapter or configured_adapter()
    summary = {"delivered": 0, "waiting": 0}
    if adapter is None:
        return summary
    due = ArchiveHandover.objects.filter(
        status=ArchiveHandover.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).values_list("pk", flat=True)[:limit]
    for pk in list(due):
        summary["delivered" if _deliver_one(pk, adapter) else "waiting"] += 1
    return summary


def _deliver_one(pk: int, adapter) -> bool:
    with transaction.atomic():
        row = ArchiveHandover.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
        if row is None or row.status != ArchiveHandover.Status.PENDING:
            return False  # another worker has it, or it is done
        version = AssessmentVersion.objects.select_related("assessment__agency", "questionnaire").get(pk=row.version_id)
        try:
            package = build_package(version)
            reference = adapter.deliver(package)
        except (ArchiveUnavailable, NotArchivable, OSError) as exc:
            row.attempts += 1
            row.last_error = str(exc)[:2000]
            row.next_attempt_at = timezone.now() + retry_after(row.attempts)
            row.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            log.warning("Archive hand-over of version %s failed (attempt %s): %s", version.pk, row.attempts, exc)
            return False
        row.status = ArchiveHandover.Status.DELIVERED
        row.journalpost_id = reference
        row.package_sha256 = package.sha256
        row.delivered_at = timezone.now()
        row.last_error = ""
        row.save(update_fields=["status", "journalpost_id", "package_sha256", "delivered_at", "last_error"])
        audit.record(
            None,
            "archive.delivered",
            version.assessment,
            version.assessment.agency_id,
            {"version": version.number, "journalpost_id": reference, "package_sha256": package.sha256},
        )
    return True
