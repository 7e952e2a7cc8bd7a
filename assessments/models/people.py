"""Leavers: work that a deactivated user left behind, flagged until a leader hands it to someone else."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assessments.choices import ReassignmentKind


class ReassignmentFlag(models.Model):
    """A draft the user owned, or was invited to, when an administrator deactivated them."""

    Kind = ReassignmentKind

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="reassignment_flags"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("bruker")
    )
    kind = models.CharField(_("hva"), max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(_("løst"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "user", "kind"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_reassignment_flag",
            )
        ]
        # The admin's titles ("Velg overføringsflagg du ønsker å endre"); the plural has a context of its own, as
        # bokmål writes both the same and English does not.
        verbose_name = _("overføringsflagg")
        verbose_name_plural = pgettext_lazy("plural", "overføringsflagg")

    def __str__(self) -> str:
        return f"{self.assessment_id} – {self.user_id} ({self.kind})"
