"""Sign-in with Entra ID: which group gives which role, and the roles a user's last sign-in brought."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.choices import GroupRole, MembershipRole
from assessments.models.agencies import Agency
from assessments.models.fields import role_field


class GroupMapping(models.Model):
    """Maps a group from the identity provider (an Entra ID group object id) to a role in the app.

    On each OIDC sign-in the user's groups claim is looked up here: agency roles need an agency;
    municipality roles (reviewer, auditor) apply to all agencies when the agency is blank, or are limited
    to the agencies of their mappings otherwise.
    """

    # A group grants a role in one agency (a membership) or a municipal role.
    Role = GroupRole
    AGENCY_ROLES = tuple(MembershipRole)

    group_id = models.CharField(
        _("gruppe-id"),
        max_length=200,
        db_index=True,
        help_text=_("Gruppens objekt-id i Entra ID, slik den står i gruppe-claimet i ID-tokenet."),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="group_mappings",
        verbose_name=_("virksomhet"),
    )
    role = role_field(Role)
    note = models.CharField(_("merknad"), max_length=200, blank=True)

    class Meta:
        ordering = ["group_id", "role"]
        constraints = [
            models.UniqueConstraint(fields=["group_id", "agency", "role"], name="unique_group_mapping"),
        ]
        verbose_name = _("gruppekobling")
        verbose_name_plural = _("gruppekoblinger")

    def __str__(self) -> str:
        scope = f" – {self.agency}" if self.agency_id else ""
        return f"{self.group_id} → {self.get_role_display()}{scope}"

    def clean(self) -> None:
        if self.role in self.AGENCY_ROLES and self.agency_id is None:
            raise ValidationError({"agency": _("Rollen gjelder i én virksomhet: velg virksomheten.")})


class GroupRoles(models.Model):
    """The roles that group mappings granted a user at their last sign-in with Entra ID.

    The identity link itself is allauth's SocialAccount (matched on `oid`, otherwise `sub`). This row lets
    the next sign-in revoke exactly the roles the groups granted when the person leaves a group, and never
    touch roles granted by hand.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_roles")
    managed_roles = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("roller fra grupper")
        verbose_name_plural = _("roller fra grupper")

    def __str__(self) -> str:
        return str(self.user_id)
