"""A report of an assessment: the sealed PDF/A of a decision, an unsigned preview of a draft, or the sealed
status report of its action plan as of a date. All three are made by the report worker (reports/jobs.py)."""

import uuid

from django.db import models

from assessments.choices import ReportKind, ReportStatus
from assessments.models.assessments import Assessment, AssessmentVersion
from assessments.models.fields import user_reference


class Report(models.Model):
    Kind = ReportKind
    Status = ReportStatus

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="reports")
    version = models.ForeignKey(AssessmentVersion, on_delete=models.PROTECT, related_name="reports", null=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SIGNED)
    # The plan status report's date: the plan as its item history had it at the end of this day.
    as_of = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    storage_name = models.CharField(max_length=500, blank=True)
    signer = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    requested_by = user_reference(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    render_ms = models.PositiveIntegerField(null=True, blank=True)
    sign_ms = models.PositiveIntegerField(null=True, blank=True)
    # The rendering claim: who holds it (a task id) and until when. The holder renews the lease while it
    # works, so an expired lease means a dead holder and any run may take over (reports/jobs.py).
    claimed_by = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One signed report per submitted version: a task that runs twice cannot make a second.
            models.UniqueConstraint(
                fields=["version"], condition=models.Q(kind="signed"), name="one_signed_report_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.assessment} ({self.status})"
