"""The tool overview (Verktøyoversikten): UKE's catalogue of AI tools, versioned, and the API tokens that read it.

A `ToolEntry` is the stable identity of a tool (its slug); every change UKE makes is a new `ToolEntryVersion`, an
immutable snapshot. An assessment refers to one version through its answers (`cat_ref` = "slug@number"), so it
keeps the facts it was answered with whatever UKE changes later. Writes go through services/catalogue.py.
"""

import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.choices import FlagClosing, Hosting, InfoClass, ToolStatus
from assessments.models.base import WriteOnce
from assessments.models.fields import user_reference
from assessments.text import LinkField

CLASS_ORDER = [c.value for c in InfoClass]
# Version fields a change copies forward unless given anew (everything but bookkeeping).
VERSION_FIELDS = [
    "name",
    "vendor",
    "edition",
    "description",
    "generates_content",
    "hosting",
    "dpa",
    "dpa_reference",
    "dpa_valid_until",
    "vendor_trains_on_inputs",
    "enterprise_agreement",
    "max_class",
    "personal_data_allowed",
    "special_categories_allowed",
    "guideline_url",
    "status",
    "status_since",
    "approved_until",
    "note",
]


class ToolEntry(models.Model):
    slug = models.SlugField(_("kjennetegn"), max_length=80, unique=True)
    # Demo entries (seed_demo) are marked so nobody mistakes them for UKE's real decisions.
    is_demo = models.BooleanField(_("demooppføring"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("verktøy i verktøyoversikten")
        verbose_name_plural = _("verktøyoversikten")

    def __str__(self) -> str:
        return self.slug

    def current(self) -> "ToolEntryVersion | None":
        return self.versions.order_by("-number").first()


class ToolEntryVersion(WriteOnce):
    """One immutable snapshot of an entry. Never updated: a change is a new version (services/catalogue.py)."""

    refusal = "A tool overview version is never changed; make a new version"

    entry = models.ForeignKey(ToolEntry, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("versjon"))
    name = models.CharField(_("navn"), max_length=200)
    vendor = models.CharField(_("leverandør"), max_length=200, blank=True)
    edition = models.CharField(_("utgave eller lisens"), max_length=200, blank=True)
    description = models.TextField(_("hva verktøyet gjør"), max_length=2000, blank=True)
    generates_content = models.BooleanField(_("lager innhold (generativ KI)"), default=True)
    hosting = models.CharField(_("lagring og drift"), max_length=30, choices=Hosting.choices, blank=True)
    dpa = models.BooleanField(_("databehandleravtale"), null=True, blank=True)
    dpa_reference = models.CharField(_("avtalereferanse"), max_length=200, blank=True)
    dpa_valid_until = models.DateField(_("avtalen gjelder til"), null=True, blank=True)
    vendor_trains_on_inputs = models.BooleanField(
        _("leverandøren kan trene på det som legges inn"), null=True, blank=True
    )
    enterprise_agreement = models.BooleanField(_("brukes med kommunens avtale og jobbkonto"), null=True, blank=True)
    max_class = models.CharField(_("høyeste informasjonsklasse"), max_length=20, choices=InfoClass.choices)
    personal_data_allowed = models.BooleanField(_("godkjent for personopplysninger"), default=False)
    special_categories_allowed = models.BooleanField(_("godkjent for særlige kategorier"), default=False)
    guideline_url = LinkField(_("lenke til retningslinje"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ToolStatus.choices)
    status_since = models.DateField(_("status fra"))
    approved_until = models.DateField(_("godkjent til"), null=True, blank=True)
    note = models.TextField(_("merknad fra UKE"), max_length=4000, blank=True)
    change_note = models.CharField(_("hva er endret"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = user_reference()

    class Meta:
        ordering = ["entry", "-number"]
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="one_number_per_tool_version")]
        verbose_name = _("versjon i verktøyoversikten")
        verbose_name_plural = _("versjoner i verktøyoversikten")

    def __str__(self) -> str:
        return f"{self.name} ({self.ref})"

    @property
    def ref(self) -> str:
        return f"{self.entry.slug}@{self.number}"

    def as_entry(self) -> dict:
        """The entry fields of engine/catalogue_fields.py, for engine.catalogue.apply_choice."""
        return {
            "slug": self.entry.slug,
            "version": str(self.number),
            "name": self.name,
            "status": self.status,
            "max_class": self.max_class,
            "personal_data_allowed": self.personal_data_allowed,
            "special_categories_allowed": self.special_categories_allowed,
            "hosting": self.hosting or None,
            "dpa": self.dpa,
            "vendor_trains_on_inputs": self.vendor_trains_on_inputs,
            "enterprise_agreement": self.enterprise_agreement,
        }


# VERSION_FIELDS by the kind of value they hold, read from the model, so the forms and the import treat a new
# field by its type: yes/no, yes/no/not stated (null: the forms offer the three as radio buttons), and dates.
_VERSION_META = [ToolEntryVersion._meta.get_field(name) for name in VERSION_FIELDS]
BOOL_FIELDS = tuple(f.name for f in _VERSION_META if f.get_internal_type() == "BooleanField")
OPTIONAL_BOOL_FIELDS = tuple(f.name for f in _VERSION_META if f.get_internal_type() == "BooleanField" and f.null)
DATE_FIELDS = tuple(f.name for f in _VERSION_META if f.get_internal_type() == "DateField")


class CatalogueFlag(models.Model):
    """An approved or submitted assessment whose tool entry changed for the worse: a material change to re-assess.

    One row per assessment and new entry version; the leader is told, UKE's queue and the register show it while
    it is open. It is closed (never deleted: it stays in the assessment's history) when a new version or a
    re-assessment answered with the entry as it is now replaces the flagged one, or when UKE dismisses it with a
    reason (services/catalogue_flags.py).
    """

    Closed = FlagClosing

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="catalogue_flags")
    used_ref = models.CharField(max_length=100)
    new_version = models.ForeignKey(ToolEntryVersion, on_delete=models.PROTECT, related_name="flags")
    reasons = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_how = models.CharField(max_length=20, choices=Closed.choices, blank=True)
    closed_by = user_reference(blank=True)
    # UKE's reason for a dismissal, or which assessment and version resolved it.
    close_note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "new_version"], name="one_flag_per_assessment_version")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.used_ref} -> {self.new_version_id}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A read-only token for other municipal systems to read the catalogue JSON.

    Hand-made rather than djangorestframework's TokenAuthentication, which stores the token itself: here only
    the SHA-256 of a `secrets.token_urlsafe(32)` value is kept (a random 256-bit token needs no slow hash), so a
    copy of the database gives nobody a working token. Shown once when issued; revoked by setting `revoked_at`.
    """

    name = models.CharField(_("navn"), max_length=200)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = user_reference()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API-nøkkel")
        verbose_name_plural = _("API-nøkler")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
