"""Agencies and who belongs to them: memberships (leader, contributor) and the municipal roles (UKE, auditors)."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from assessments.choices import AgencyKind, MembershipRole, MunicipalRoleKind
from assessments.models.fields import role_field

_TRANSLITERATION = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})


def norwegian_slugify(text: str) -> str:
    """slugify() drops æ/ø/å ("Søndre" -> "sndre"); transliterate them first."""
    return slugify(text.translate(_TRANSLITERATION))


def validate_org_number(value: str) -> None:
    """A Norwegian organisation number: nine digits, the last a mod-11 check digit."""
    if not re.fullmatch(r"\d{9}", value or ""):
        raise ValidationError(_("Organisasjonsnummeret må ha nøyaktig ni sifre."), code="format")
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    remainder = sum(int(d) * w for d, w in zip(value[:8], weights, strict=True)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    if check == 10 or check != int(value[8]):
        raise ValidationError(_("Organisasjonsnummeret har feil kontrollsiffer."), code="checksum")


class Agency(models.Model):
    Kind = AgencyKind

    name = models.CharField(_("navn"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    slug = models.SlugField(_("kortnavn"), max_length=200, unique=True, blank=True)
    org_number = models.CharField(_("organisasjonsnummer"), max_length=9, blank=True, validators=[validate_org_number])

    class Meta:
        ordering = ["name"]
        verbose_name = _("virksomhet")
        verbose_name_plural = _("virksomheter")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = norwegian_slugify(self.name)
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A person's role inside one agency."""

    Role = MembershipRole

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("bruker")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("virksomhet")
    )
    role = role_field(Role)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="one_membership_per_agency")]
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.agency}"


class MunicipalRole(models.Model):
    """A municipality-wide role: UKE reviewer or auditor, optionally limited to chosen agencies."""

    Role = MunicipalRoleKind

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="municipal_roles", verbose_name=_("bruker")
    )
    role = role_field(Role)
    agencies = models.ManyToManyField(
        Agency, blank=True, verbose_name=_("begrenset til"), help_text=_("Tom betyr alle virksomheter.")
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_municipal_role_each")]
        verbose_name = _("kommunal rolle")
        verbose_name_plural = _("kommunale roller")

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"
