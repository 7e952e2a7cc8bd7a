"""Public access (offentleglova): what UKE has exempted from public access, and on what legal basis.

An `Exemption` covers one part of an assessment: a whole section of the questionnaire, one answer, or a free
text outside the answers (UKE's reasons, UKE's comments, the quick path's answers). A `ToolExemption` covers one
field of a tool overview entry, for every version of it. Each row names its legal basis (a code of
labels.EXEMPTION_BASIS_CHOICES), a short reason, who made it and when; lifting an exemption deletes the row, and
both are in the audit chain (services/public_access.py). The public register, the public tool overview JSON and
the innsyn copy read these rows and leave the content out (presentation/public_access.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models.fields import user_reference

# Targets of an assessment exemption: "section:<key>", "question:<key>" or "field:<code>".
SECTION, QUESTION, FIELD = "section", "question", "field"


class ExemptionBase(models.Model):
    """What every exemption records: the legal basis, why, who and when."""

    basis = models.CharField(_("hjemmel"), max_length=40)
    reason = models.CharField(_("begrunnelse"), max_length=500)
    created_by = user_reference()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Exemption(ExemptionBase):
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="exemptions")
    target = models.CharField(_("hva som er unntatt"), max_length=120)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "target"], name="one_exemption_per_target")]
        verbose_name = _("unntak fra offentlighet")
        verbose_name_plural = _("unntak fra offentlighet")

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.target} ({self.basis})"

    @property
    def kind(self) -> str:
        return self.target.partition(":")[0]

    @property
    def key(self) -> str:
        return self.target.partition(":")[2]


class ToolExemption(ExemptionBase):
    entry = models.ForeignKey("assessments.ToolEntry", on_delete=models.CASCADE, related_name="exemptions")
    field = models.CharField(_("felt"), max_length=40)

    class Meta:
        ordering = ["entry", "field"]
        constraints = [models.UniqueConstraint(fields=["entry", "field"], name="one_exemption_per_tool_field")]
        verbose_name = _("unntak fra offentlighet i verktøyoversikten")
        verbose_name_plural = _("unntak fra offentlighet i verktøyoversikten")

    def __str__(self) -> str:
        return f"{self.entry_id} {self.field} ({self.basis})"
