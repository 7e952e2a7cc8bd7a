"""The hand-over of each decision to the municipality's archive (arkivlova; docs/archive.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.choices import ArchiveStatus


class ArchiveHandover(models.Model):
    """One decided version, to be handed to the archive exactly once. The row is written before any attempt,
    so an archive outage delays the hand-over, never loses it (services/archive.py retries it)."""

    Status = ArchiveStatus

    version = models.OneToOneField(
        "assessments.AssessmentVersion", on_delete=models.PROTECT, related_name="archive_handover"
    )
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    # The archive's reference for the registry entry (journalpost-id), or the package folder of the file drop.
    journalpost_id = models.CharField(_("journalpost-id"), max_length=200, blank=True)
    package_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="archive_due")]
        verbose_name = _("arkivering")
        verbose_name_plural = _("arkiveringer")

    def __str__(self) -> str:
        return f"{self.version} ({self.status})"
