"""The life of a `Report` row: claim, render (render.py; plan_status.py for an action plan's status report),
store, finish; and the sweeps that recover from dead workers and remove files no row names.

A task can run twice (late acks, a redelivery, the sweep) and a worker can die at any point, so every step
is a conditional UPDATE:

    pending --claim--> rendering --finish--> ready
       ^                  | error (attempts left)        | error at the attempt cap, or the cap was
       +------------------+                              v  reached before a claim: failed

The claim has an owner (the Celery task id) and a lease. While it renders, the owner renews the lease
every third of its length (a heartbeat thread), so:
- a redelivered task (same task id: its worker died) takes over its own claim at once;
- any run takes over a claim whose lease has run out (its holder stopped renewing: it is dead);
- a live claim with time left is someone else's work in progress: the run answers "busy".

Storage has no rename (S3), so a file is written first, under a content-addressed name, and the row names
it afterwards. A run that dies between the two, or whose final write fails, leaves a file no row names:
`remove_orphan_files` deletes those once they are older than a grace period (longer than any run).
"""

import logging
import threading
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from assessments.audit import chain as audit
from assessments.models import Report
from assessments.reports import plan_status
from assessments.reports import render as reports

log = logging.getLogger(__name__)

# Rows stuck in `pending` this long go back on the queue (the enqueue after the commit may have failed).
STALE_AFTER_SECONDS = 300
# A stored file no row names is removed once it is this old; a run stores its file seconds before the
# row names it, and a task is killed after CELERY_TASK_TIME_LIMIT (300 s).
ORPHAN_GRACE_SECONDS = 3600
# The folders of report storage that hold report files; anything else there (checkpoints) is not ours.
REPORT_FOLDERS = ("reports", "previews", "plan-reports")


class AttemptFailed(Exception):
    """One attempt failed. `final` when the attempt cap is reached and the row is now `failed`."""

    def __init__(self, report_id: int, attempts: int, final: bool, error: str):
        self.report_id, self.attempts, self.final = report_id, attempts, final
        super().__init__(f"report {report_id}, attempt {attempts}: {error}")


def lease_seconds() -> int:
    return settings.KIV_REPORT_LEASE_SECONDS


# --- The claim ------------------------------------------------------------------------------------------


def _claimable(owner: str, now) -> Q:
    """Pending, or rendering under a claim that is ours (a redelivery) or whose holder is gone."""
    legacy = Q(lease_until__isnull=True, started_at__lt=now - timedelta(seconds=STALE_AFTER_SECONDS))
    taken_over = Q(status=Report.Status.RENDERING) & (Q(claimed_by=owner) | Q(lease_until__lt=now) | legacy)
    return Q(status=Report.Status.PENDING) | taken_over


def _claim(report_id: int, owner: str, max_attempts: int) -> bool:
    now = timezone.now()
    rows = Report.objects.filter(_claimable(owner, now), pk=report_id, attempts__lt=max_attempts)
    claimed = rows.update(
        status=Report.Status.RENDERING,
        attempts=F("attempts") + 1,
        claimed_by=owner,
        lease_until=now + timedelta(seconds=lease_seconds()),
        started_at=now,
        finished_at=None,
        updated_at=now,
    )
    return claimed == 1


def _not_claimed(report_id: int, owner: str, max_attempts: int) -> str:
    """Why a claim failed: already done, in someone else's live hands, gone, or out of attempts."""
    report = Report.objects.filter(pk=report_id).select_related("assessment").first()
    if report is None:
        return "missing"
    claimable = Report.objects.filter(_claimable(owner, timezone.now()), pk=report_id).exists()
    if claimable and report.attempts >= max_attempts:
        _mark_failed(report, "Avbrutt: for mange forsøk.", from_status=report.status)
        return "failed"
    return {"ready": "already_ready", "rendering": "busy"}.get(report.status, report.status)


def _mark_failed(report: Report, error: str, *, from_status: str) -> bool:
    with transaction.atomic():
        rows = Report.objects.filter(pk=report.pk, status=from_status, attempts=report.attempts)
        done = rows.update(
            status=Report.Status.FAILED,
            error=error[:2000],
            claimed_by="",
            lease_until=None,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if done:
            audit.record(
                None,
                "report.failed",
                report,
                report.assessment.agency_id,
                {"kind": report.kind, "attempts": report.attempts},
            )
    return bool(done)


class Heartbeat:
    """Renews the claim's lease while the owner works, from a thread of its own (rendering holds the GIL
    in long stretches, but a renewal every third of the lease leaves plenty of room).

    Not started inside a transaction: nobody else can see the claim before it commits, and the renewal
    would wait on the row lock the transaction holds (only tests render inside one)."""

    def __init__(self, report_id: int, owner: str):
        self.report_id, self.owner = report_id, owner
        self._stop = threading.Event()
        self._thread = None

    def __enter__(self):
        if not connection.in_atomic_block:
            self._thread = threading.Thread(target=self._run, name=f"lease-{self.report_id}", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        interval = max(1.0, lease_seconds() / 3)
        try:
            while not self._stop.wait(interval):
                try:
                    renewed = Report.objects.filter(
                        pk=self.report_id, status=Report.Status.RENDERING, claimed_by=self.owner
                    ).update(lease_until=timezone.now() + timedelta(seconds=lease_seconds()))
                except DatabaseError:
                    # The database is away: the next beat tries again; if it stays away, the lease runs
                    # out and the claim passes to another run, which is the point.
                    log.warning("Could not renew the lease of report %s", self.report_id)
                    connection.close_if_unusable_or_obsolete()
                    continue
                if not renewed:
                    return  # the claim was taken over; the owner finds out at its final write
        finally:
            connection.close()


# --- One run ----------------------------------------------------------------------------------------


def produce_report(report_id: int, *, owner: str | None = None) -> str:
    """Make one report, exactly once. `owner` is the task id (a redelivery of the same task takes its
    claim back). Returns what happened: ready, already_ready, busy, failed, missing, or superseded (the
    claim passed to another run while this one was slow). Raises AttemptFailed when an attempt fails."""
    owner = owner or uuid.uuid4().hex
    max_attempts = settings.KIV_REPORT_MAX_ATTEMPTS
    if not _claim(report_id, owner, max_attempts):
        return _not_claimed(report_id, owner, max_attempts)
    report = Report.objects.select_related(
        "assessment__agency",
        "assessment__questionnaire",
        "version__questionnaire",
        "version__decided_by",
        "version__submitted_by",
    ).get(pk=report_id)
    with Heartbeat(report_id, owner):
        try:
            build = plan_status.build_pdf if report.kind == Report.Kind.PLAN else reports.build_pdf
            made = build(report)
            name, sha256 = reports.store(report, made["pdf"])
        except Exception as exc:
            _give_back(report, owner, max_attempts, exc)
    try:
        finished = _finish(report, owner, made, name, sha256)
    except DatabaseError as exc:
        # The row still shows our claim: a retry of this task takes it back, or the lease runs out. The
        # stored file may be named by no row now; the orphan sweep removes it.
        log.exception("Report %s: the final write failed on attempt %s", report.uuid, report.attempts)
        _drop_broken_connection()
        raise AttemptFailed(report_id, report.attempts, False, f"{type(exc).__name__}: {exc}") from exc
    if not finished:
        # The lease ran out and another run took over: its file is the one on record.
        if not Report.objects.filter(storage_name=name).exists():
            default_storage.delete(name)
        return "superseded"
    if report.kind == Report.Kind.PREVIEW:
        _drop_older_previews(report)
    return "ready"


def _give_back(report: Report, owner: str, max_attempts: int, exc: Exception) -> None:
    """Record a failed attempt (pending again, or failed at the cap) and raise AttemptFailed."""
    error = f"{type(exc).__name__}: {exc}"
    attempt = report.attempts
    log.exception("Report %s failed on attempt %s", report.uuid, attempt)
    final = attempt >= max_attempts
    try:
        if final:
            _mark_failed(report, error, from_status=Report.Status.RENDERING)
        else:
            Report.objects.filter(pk=report.pk, status=Report.Status.RENDERING, claimed_by=owner).update(
                status=Report.Status.PENDING,
                claimed_by="",
                lease_until=None,
                error=error[:2000],
                updated_at=timezone.now(),
            )
    except DatabaseError:
        # The claim stays ours until its lease runs out; a retry or the sweep carries on from there.
        log.exception("Report %s: could not record the failed attempt", report.uuid)
        _drop_broken_connection()
        final = False
    raise AttemptFailed(report.pk, attempt, final, error) from exc


def _finish(report: Report, owner: str, made: dict, name: str, sha256: str) -> bool:
    with transaction.atomic():
        rows = Report.objects.filter(pk=report.pk, status=Report.Status.RENDERING, claimed_by=owner)
        finished = rows.update(
            status=Report.Status.READY,
            sha256=sha256,
            size=len(made["pdf"]),
            storage_name=name,
            signer=made["signer"],
            error="",
            claimed_by="",
            lease_until=None,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
            render_ms=made["render_ms"],
            sign_ms=made["sign_ms"],
        )
        if finished:
            audit.record(
                None,
                "report.ready",
                report,
                report.assessment.agency_id,
                {
                    "kind": report.kind,
                    "version": report.version.number if report.version else None,
                    "sha256": sha256,
                    "attempts": report.attempts,
                },
            )
    return bool(finished)


def _drop_older_previews(report: Report) -> None:
    """A draft preview is a working copy: keep only the newest one per assessment."""
    older = Report.objects.filter(
        assessment_id=report.assessment_id,
        kind=Report.Kind.PREVIEW,
        status=Report.Status.READY,
        created_at__lt=report.created_at,
    ).exclude(pk=report.pk)
    for old in older:
        shared = Report.objects.filter(storage_name=old.storage_name).exclude(pk=old.pk).exists()
        if old.storage_name and not shared:
            default_storage.delete(old.storage_name)
        old.delete()


# --- Sweeps -------------------------------------------------------------------------------------------


def requeue_stale(*, enqueue, older_than: int = STALE_AFTER_SECONDS) -> dict:
    """Put back on the queue (with `enqueue(report_id) -> bool`) the reports pending for more than
    `older_than` seconds and those rendering under a lease that has run out; those already at the attempt
    cap become `failed`. Returns a JSON-ready summary."""
    max_attempts = settings.KIV_REPORT_MAX_ATTEMPTS
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than)
    dead_claim = Q(lease_until__lt=now) | Q(lease_until__isnull=True, started_at__lt=cutoff)
    stale = (
        Report.objects.filter(
            Q(status=Report.Status.PENDING, updated_at__lt=cutoff) | (Q(status=Report.Status.RENDERING) & dead_claim)
        )
        .select_related("assessment")
        .order_by("created_at")
    )
    summary = {"older_than": older_than, "checked": 0, "requeued": [], "failed": [], "enqueue_errors": []}
    for report in stale:
        summary["checked"] += 1
        if report.attempts >= max_attempts:
            if _mark_failed(report, "Avbrutt: for mange forsøk.", from_status=report.status):
                summary["failed"].append(str(report.uuid))
            continue
        released = Report.objects.filter(pk=report.pk, status=report.status, attempts=report.attempts).update(
            status=Report.Status.PENDING, claimed_by="", lease_until=None, updated_at=timezone.now()
        )
        if not released:
            continue  # it moved on while we looked
        summary["requeued"].append(str(report.uuid))
        if not enqueue(report.pk):
            summary["enqueue_errors"].append(str(report.uuid))
    return summary


def stored_names(storage, folder: str = ""):
    """Every file name under `folder`, depth first (listdir works for FileSystemStorage and S3Storage)."""
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(dirs):
        yield from stored_names(storage, f"{folder}/{name}" if folder else name)


def remove_orphan_files(*, grace_seconds: int = ORPHAN_GRACE_SECONDS, batch: int = 500) -> dict:
    """Delete report files that no row names and that are older than `grace_seconds` (a run names its
    file seconds after storing it). Returns a JSON-ready summary."""
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    summary = {"grace_seconds": grace_seconds, "checked": 0, "removed": []}
    names = [name for folder in REPORT_FOLDERS for name in stored_names(default_storage, folder)]
    for start in range(0, len(names), batch):
        chunk = names[start : start + batch]
        named = set(Report.objects.filter(storage_name__in=chunk).values_list("storage_name", flat=True))
        for name in chunk:
            summary["checked"] += 1
            if name in named or default_storage.get_modified_time(name) > cutoff:
                continue
            # Checked once more just before deleting: a run may have named it meanwhile.
            if not Report.objects.filter(storage_name=name).exists():
                default_storage.delete(name)
                summary["removed"].append(name)
    if summary["removed"]:
        log.warning("Removed %s report files that no report names", len(summary["removed"]))
    return summary


def _drop_broken_connection() -> None:
    """After a database error, let the next query reconnect. Never inside a transaction someone else opened
    (a caller's atomic block, as in tests): closing there would break that transaction instead."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()
