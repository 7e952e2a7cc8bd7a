"""The action plan (tiltaksplan) of an assessment: its items, their history, evidence and reminders.

An item is one obligation of the submitted result or one measure the what-if names (one item for both when the
obligation is done by that measure). The plan belongs to
the assessment; the submitted answers never change through it. Every change of an item writes a
`PlanItemHistory` row holding the item's state after the change, so the status report "as of a date" (a
`Report` of kind "plan") reads the newest row at or before that date (the audit log is written, never read
to decide).
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.choices import PlanItemKind, PlanItemStatus, PlanReminderKind, ScanStatus
from assessments.models.fields import user_reference
from assessments.text import LinkField


class PlanItem(models.Model):
    Kind = PlanItemKind
    Status = PlanItemStatus

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="plan_items")
    # What the item stands for: "obligation:<code>" or "measure:<question key>", stable across resubmissions except
    # where one task moves between the two (an obligation done by a measure, services/plans._same_task).
    key = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(_("tittel"), max_length=300)
    why = models.TextField(_("hvorfor"), blank=True)
    source = models.CharField(_("kilde"), max_length=300, blank=True)
    # The same texts in English, from the result's English texts (blank: the page shows the bokmål).
    title_en = models.CharField(_("tittel på engelsk"), max_length=300, blank=True)
    why_en = models.TextField(_("hvorfor på engelsk"), blank=True)
    source_en = models.CharField(_("kilde på engelsk"), max_length=300, blank=True)
    # For a measure, or an obligation done by one: the answer the what-if says would lower the risk (the
    # re-assessment sets it).
    measure_value = models.JSONField(null=True, blank=True)
    # The question that answer is for: a measure's own, or the measure an obligation is done by (`measure:` in the
    # questionnaire, 2026.7 on), which makes one item of the two. Stored, not looked up in the definition: the item
    # keeps what the version that wanted it said, also when it is carried to a replacement on another version.
    measure_key = models.CharField(max_length=100, blank=True)
    owner = user_reference(blank=True)
    due_date = models.DateField(_("frist"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    status_reason = models.TextField(_("begrunnelse"), blank=True)
    # False: the obligation no longer applies after a resubmission ("ikke lenger påkrevd"); kept, not deleted.
    required = models.BooleanField(default=True)
    # UKE's conditions on approval: done before the AI is taken into use, or within a deadline.
    before_use = models.BooleanField(default=False)
    condition_due = models.DateField(null=True, blank=True)
    condition_version = models.ForeignKey(
        "assessments.AssessmentVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    carried_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "key"], name="one_plan_item_per_key")]
        indexes = [models.Index(fields=["status", "due_date"], name="planitem_status_due")]
        verbose_name = _("tiltak")
        verbose_name_plural = _("tiltak")

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.title}"

    # Still to be done: neither done nor judged not relevant. One definition for the property and the queries
    # (`open_filter`): reminders, UKE's overdue list, the register's counts, the start page.
    OPEN_STATUSES = (PlanItemStatus.NOT_STARTED, PlanItemStatus.IN_PROGRESS)

    @classmethod
    def open_filter(cls, prefix: str = "") -> Q:
        """`is_open` as a query, on PlanItem or through a relation (`prefix="plan_items__"`)."""
        return Q(**{f"{prefix}required": True, f"{prefix}status__in": cls.OPEN_STATUSES})

    @classmethod
    def blocks_go_live_filter(cls, prefix: str = "") -> Q:
        """`blocks_go_live` as a query."""
        return Q(**{f"{prefix}before_use": True, f"{prefix}required": True}) & ~Q(
            **{f"{prefix}status": cls.Status.DONE}
        )

    @property
    def is_open(self) -> bool:
        return self.required and self.status in self.OPEN_STATUSES

    @property
    def documented(self) -> bool:
        """Evidence still there and not held back by the virus scan (a file waiting for its scan counts: it is checked
        within minutes), or a comment in the item's history. UKE's before-use condition counts as done only with one
        (services/plans.item_update, services/go_live), as it opens the go-live gate."""
        kept = self.evidence.filter(removed_at__isnull=True).exclude(scan_status__in=Evidence.HELD_BACK)
        return kept.exists() or self.history.exclude(comment="").exists()

    @property
    def blocks_go_live(self) -> bool:
        """A before-use condition of UKE not yet done: while any item does, the AI may not be recorded as in use. Only
        "done" lifts it: an item the agency judged not relevant still blocks until UKE's condition is met or changed."""
        return self.before_use and self.required and self.status != self.Status.DONE

    @property
    def kind_label(self) -> str:
        """The kind as pages and exports show it: an obligation that is done by a measure says so."""
        if self.kind == self.Kind.OBLIGATION and self.measure_key:
            return str(_("Plikt og tiltak for lavere risiko"))
        return self.get_kind_display()

    @property
    def effective_due(self):
        """The earlier of the agency's own date and UKE's deadline."""
        dates = [d for d in (self.due_date, self.condition_due) if d]
        return min(dates) if dates else None

    def state(self) -> dict:
        """The item as the status report reads it later: everything shown, evidence included (with the verdict
        when the virus scan held a file back; such a verdict writes a history row, one that passes a file does not)."""
        evidence = [
            {
                "name": e.file_name,
                "sha256": e.sha256,
                "url": e.url,
                "held_back": e.scan_status if e.scan_status in Evidence.HELD_BACK else "",
            }
            for e in self.evidence.filter(removed_at__isnull=True).order_by("added_at", "id")
        ]
        return {
            "title": self.title,
            "title_en": self.title_en,
            "kind": self.kind,
            "source": self.source,
            "source_en": self.source_en,
            "owner_id": self.owner_id,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "status": self.status,
            "status_reason": self.status_reason,
            "required": self.required,
            "before_use": self.before_use,
            "condition_due": self.condition_due.isoformat() if self.condition_due else None,
            "evidence": evidence,
        }

    def record_history(self, user, change: str, comment: str = "") -> "PlanItemHistory":
        """A history row holding the item's state after `change` (call inside the change's transaction)."""
        return PlanItemHistory.objects.create(
            item=self, at=timezone.now(), actor=user, change=change, comment=comment, state=self.state()
        )

    @classmethod
    def conditions_of(cls, version) -> list["PlanItem"]:
        """UKE's conditions set with the approval of `version` (for the decision and its report)."""
        if version is None:
            return []
        return list(cls.objects.filter(condition_version=version).order_by("-before_use", "condition_due", "id"))


class PlanItemHistory(models.Model):
    """One change of an item: what changed and the item's whole state after it (`state`)."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(db_index=True)
    actor = user_reference()
    change = models.CharField(max_length=40)
    comment = models.TextField(blank=True)
    state = models.JSONField(default=dict)

    class Meta:
        ordering = ["item", "at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.change} {self.at:%Y-%m-%d}"


class Evidence(models.Model):
    """A file (stored under evidence/<agency>/<assessment>/, served only through the permission layer) or a
    link. Removing it keeps the row (and the file), marked removed, so history and sealed reports still
    name what was there.

    A file is virus-scanned after upload (services/evidence_scan.py): `pending` until then and not
    downloadable; `quarantined` when the scanner found something (the file is moved under quarantine/ and
    never served); `refused` when the scanner would not check it (e.g. over its size limit; never served);
    `not_scanned` when no scanner is configured (and for rows older than the scan)."""

    Scan = ScanStatus
    # The verdicts that keep a file from being served for good; the item's history records them.
    HELD_BACK = (ScanStatus.QUARANTINED, ScanStatus.REFUSED)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="evidence")
    file_name = models.CharField(max_length=255, blank=True)
    storage_name = models.CharField(max_length=500, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    url = LinkField(max_length=1000, blank=True)
    added_by = user_reference()
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = user_reference(blank=True)
    scan_status = models.CharField(max_length=20, choices=Scan.choices, default=Scan.NOT_SCANNED)
    scan_signature = models.CharField(max_length=200, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "added_at", "id"]
        indexes = [models.Index(fields=["scan_status", "added_at"], name="evidence_scan_status")]

    def __str__(self) -> str:
        return self.file_name or self.url

    @property
    def downloadable(self) -> bool:
        return bool(self.storage_name) and self.scan_status in (self.Scan.CLEAN, self.Scan.NOT_SCANNED)

    @property
    def shown_name(self) -> str:
        """The name in lists and exports, with the scan's state when a stored file is not known clean."""
        name = self.file_name or self.url
        if self.storage_name and self.scan_status != self.Scan.CLEAN:
            return f"{name} ({str(self.get_scan_status_display()).lower()})"
        return name


class ReminderSent(models.Model):
    """A plan reminder that has gone out: one per item, kind and period (the due date for "due soon", the
    ISO week for "overdue"), so a second run or a second beat host sends nothing twice."""

    Kind = PlanReminderKind

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    period = models.CharField(max_length=20)
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "kind", "period"], name="one_plan_reminder_per_period")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} {self.period}"
