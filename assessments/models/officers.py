"""Advice from the data protection officer and the security officer on a submitted assessment.

They read and advise; they never change answers or decide (docs/permissions.md). Advice is kept per version,
so UKE sees what the advice was about, and the sealed report states that advice was given and when.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.choices import OfficerRole
from assessments.models.fields import role_field, user_reference


class OfficerAdvice(models.Model):
    Role = OfficerRole

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="officer_advice")
    version = models.ForeignKey("assessments.AssessmentVersion", on_delete=models.CASCADE, related_name="+")
    role = role_field(Role)
    author = user_reference()
    text = models.TextField(_("råd"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["assessment", "role"], name="officer_advice_by_role")]
        verbose_name = _("råd fra ombud")
        verbose_name_plural = _("råd fra ombud")

    def __str__(self) -> str:
        return f"{self.get_role_display()} – {self.assessment_id} v{self.version_id}"


def officer_advice_for(assessment) -> list[OfficerAdvice]:
    """All advice on an assessment, oldest first, for UKE's page and the report."""
    return list(OfficerAdvice.objects.filter(assessment=assessment).select_related("author", "version"))
