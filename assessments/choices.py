"""The coded values the models store, with their labels: one `TextChoices` per column that takes a fixed set
of codes (bokmål msgids, English in the catalogue).

Defined here, in one module free of the models, so that the lifecycle (`lifecycle.Status`), the models and
`labels` all read the same class without importing each other. A model names its choices as a class attribute
(`Report.Kind = ReportKind`), so callers write `Report.Kind.SIGNED` as before. The database stores the codes:
changing a code or a label here changes the migration state, so `makemigrations --check` must stay clean.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Agencies and roles (models/agencies.py, models/officers.py)


class AgencyKind(models.TextChoices):
    BYDEL = "bydel", _("Bydel")
    ETAT = "etat", _("Etat")
    FORETAK = "foretak", _("Foretak")
    OTHER = "other", _("Annet")


class MembershipRole(models.TextChoices):
    """A person's role inside one agency."""

    LEADER = "leader", _("Virksomhetsleder")
    CONTRIBUTOR = "contributor", _("Bidragsyter")


class MunicipalRoleKind(models.TextChoices):
    """A municipality-wide role."""

    REVIEWER = "reviewer", _("Saksbehandler i UKE")
    AUDITOR = "auditor", _("Revisor")
    DPO = "dpo", _("Personvernombud")
    SECURITY_OFFICER = "security_officer", _("Sikkerhetsleder")


# `GroupMapping.Role`: an Entra ID group grants a role in one agency (a membership) or a municipal role.
GroupRole = models.TextChoices(
    "GroupRole", [(role.name, (role.value, role.label)) for role in (*MembershipRole, *MunicipalRoleKind)]
)


# `OfficerAdvice.Role`: the officers who advise on a submitted assessment, the municipal roles of the same codes
# and labels.
OfficerRole = models.TextChoices(
    "OfficerRole",
    [
        (name, (role.value, role.label))
        for name, role in (("DPO", MunicipalRoleKind.DPO), ("SECURITY", MunicipalRoleKind.SECURITY_OFFICER))
    ],
)


# The assessment and its lifecycle (lifecycle.py, models/assessments.py, models/people.py)


class AssessmentStatus(models.TextChoices):
    """`lifecycle.Status` and `Assessment.Status`: the transitions between them are in lifecycle.py."""

    DRAFT = "draft", _("Utkast")
    SUBMITTED = "submitted", _("Sendt inn")
    RETURNED = "returned", _("Returnert for endring")
    APPROVED = "approved", _("Godkjent")
    REJECTED = "rejected", _("Avvist")
    WITHDRAWN = "withdrawn", _("Trukket")
    SUPERSEDED = "superseded", _("Erstattet")


class ReviewDecision(models.TextChoices):
    """`AssessmentVersion.Decision`: a reviewer's decision on one submitted version."""

    RETURNED = "returned", _("Returnert")
    APPROVED = "approved", _("Godkjent")
    REJECTED = "rejected", _("Avvist")


# `Assessment.path`: the full assessment or the quick path (docs/quick-path.md).
PATH_CHOICES = [("full", _("Full vurdering")), ("simplified", _("Forenklet"))]


class ReviewReminderKind(models.TextChoices):
    """`SentReminder.Kind`: the review-by date comes near or has passed."""

    DUE = "review_due", _("Ny vurdering nærmer seg")
    OVERDUE = "review_overdue", _("Ny vurdering er forfalt")


class ReassignmentKind(models.TextChoices):
    """`ReassignmentFlag.Kind`: how a deactivated user was tied to a draft."""

    OWNER = "owner", _("Eier av utkastet")
    CONTRIBUTOR = "contributor", _("Invitert bidragsyter")


# The action plan (models/plans.py)


class PlanItemKind(models.TextChoices):
    OBLIGATION = "obligation", _("Plikt")
    MEASURE = "measure", pgettext_lazy("plan item kind", "Tiltak")  # one measure ("Tiltak" is also the plural)


class PlanItemStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Ikke startet")
    IN_PROGRESS = "in_progress", _("Pågår")
    DONE = "done", _("Ferdig")
    NOT_RELEVANT = "not_relevant", _("Ikke relevant")


class ScanStatus(models.TextChoices):
    """`Evidence.Scan`: the virus scan of an uploaded file (services/evidence_scan.py)."""

    PENDING = "pending", _("Venter på virussjekk")
    CLEAN = "clean", _("Virussjekket")
    NOT_SCANNED = "not_scanned", _("Ikke virussjekket")
    QUARANTINED = "quarantined", _("I karantene")
    REFUSED = "refused", _("Avvist av virussjekken")


class PlanReminderKind(models.TextChoices):
    """`ReminderSent.Kind`: an item's due date comes near or has passed."""

    DUE = "due", _("Frist nærmer seg")
    OVERDUE = "overdue", _("Frist er passert")


# Jobs: reports, the archive hand-over and e-mail (models/reports.py, models/archive.py, models/outbox.py)


class ReportKind(models.TextChoices):
    SIGNED = "signed", _("Signert rapport")
    PREVIEW = "preview", _("Forhåndsvisning")
    PLAN = "plan", _("Statusrapport for tiltaksplan")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("I kø")
    RENDERING = "rendering", _("Lages")
    READY = "ready", _("Klar")
    FAILED = "failed", _("Feilet")


class ArchiveStatus(models.TextChoices):
    PENDING = "pending", _("Venter")
    DELIVERED = "delivered", _("Arkivert")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Venter")
    SENT = "sent", _("Sendt")
    FAILED = "failed", _("Feilet")


# The tool overview (models/catalogue.py)


class ToolStatus(models.TextChoices):
    APPROVED = "approved", _("Godkjent")
    UNDER_ASSESSMENT = "under_assessment", _("Under vurdering")
    NOT_APPROVED = "not_approved", _("Ikke godkjent")
    WITHDRAWN = "withdrawn", _("Trukket tilbake")


class InfoClass(models.TextChoices):
    """The values of the questionnaire's `sec_classification`, from least to most sensitive."""

    OPEN = "open", _("Åpen informasjon")
    INTERNAL = "internal", _("Intern informasjon")
    CONFIDENTIAL = "confidential", _("Taushetsbelagt eller unntatt offentlighet")
    CLASSIFIED = "classified", _("Skjermingsverdig eller gradert")


class Hosting(models.TextChoices):
    """The values of the questionnaire's `sec_hosting`."""

    MUNICIPAL = "municipal_platform", _("Kommunens egen plattform")
    CLOUD_EEA = "cloud_eea", _("Skytjeneste i EU/EØS")
    OUTSIDE_EEA = "outside_eea", _("Utenfor EU/EØS")
    UNKNOWN = "unknown", _("Ukjent")


class FlagClosing(models.TextChoices):
    """`CatalogueFlag.Closed`: how a flag on an assessment was closed."""

    REASSESSED = "reassessed", _("Vurdert på nytt med gjeldende versjon")
    DISMISSED = "dismissed", _("Avsluttet av UKE")


class OverviewScope(models.TextChoices):
    """Which assessments a kept sum counts: the approved ones (everyone sees them) or all of them (the
    reviewers and the auditors of every agency see them)."""

    APPROVED = "approved"
    ALL = "all"
