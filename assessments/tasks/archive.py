"""Periodic hand-over of decisions to the archive (services/archive.py); beat runs it (settings)."""

from celery import shared_task

from assessments.services.archive import archive_deliver_due, archive_enqueue_decided


@shared_task(acks_late=True, ignore_result=True)
def archive_pending() -> dict:
    """New decisions with a sealed report get a hand-over row; every due hand-over is tried once."""
    queued = archive_enqueue_decided()
    return {"queued": queued, **archive_deliver_due()}
