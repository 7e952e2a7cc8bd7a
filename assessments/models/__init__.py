import re
import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from assessments import lifecycle
from assessments.queries.search import title_trigrams, title_vector

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
    class Kind(models.TextChoices):
        BYDEL = "bydel", _("Bydel")
        ETAT = "etat", _("Etat")
        FORETAK = "foretak", _("Foretak")
        OTHER = "other", _("Annet")

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

    class Role(models.TextChoices):
        LEADER = "leader", _("Virksomhetsleder")
        CONTRIBUTOR = "contributor", _("Bidragsyter")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="one_membership_per_agency")]
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.agency}"


class MunicipalRole(models.Model):
    """A municipality-wide role: UKE reviewer or auditor, optionally limited to chosen agencies."""

    class Role(models.TextChoices):
        REVIEWER = "reviewer", _("Saksbehandler i UKE")
        AUDITOR = "auditor", _("Revisor")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="municipal_roles")
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
    agencies = models.ManyToManyField(
        Agency, blank=True, verbose_name=_("begrenset til"), help_text=_("Tom betyr alle virksomheter.")
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_municipal_role_each")]
        verbose_name = _("kommunal rolle")
        verbose_name_plural = _("kommunale roller")

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


class Questionnaire(models.Model):
    """A published, versioned questionnaire definition (see docs/questionnaire-format.md)."""

    version = models.CharField(_("versjon"), max_length=20, unique=True)
    title = models.CharField(_("tittel"), max_length=200)
    definition = models.JSONField(_("definisjon"))
    published_at = models.DateTimeField(_("publisert"), auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("spørreskjema")
        verbose_name_plural = _("spørreskjemaer")

    def __str__(self) -> str:
        return f"{self.version} – {self.title}"

    @classmethod
    def latest(cls) -> "Questionnaire | None":
        return cls.objects.order_by("-published_at", "-id").first()

    @property
    def in_use(self) -> bool:
        return self.pk is not None and self.assessments.exists()


PATH_CHOICES = [("full", _("Full vurdering")), ("simplified", _("Forenklet"))]


class Assessment(models.Model):
    Status = lifecycle.Status

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="assessments")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="assessments")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    contributors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="contributed_assessments")
    title = models.CharField(_("tittel"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    language = models.CharField(_("språk"), max_length=5, choices=settings.LANGUAGES, default="nb")
    # The draft: the database is the source of truth, saved on every wizard step.
    answers = models.JSONField(default=dict, blank=True)
    # The quick path (docs/quick-path.md): "simplified" once submitted with the screening's conclusion; the
    # screening answers as given (scr_* keys included), kept to show the result again and to carry them on.
    path = models.CharField(_("type vurdering"), max_length=12, choices=PATH_CHOICES, default="full")
    screening_answers = models.JSONField(default=dict, blank=True)
    visited_steps = models.JSONField(default=list, blank=True)
    # Optimistic lock: incremented on every draft save, checked against the value the form was shown with.
    revision = models.PositiveIntegerField(default=0)
    # Answer key -> the revision at which it last changed (removal included): tells a writer whose form
    # is stale exactly which answers changed meanwhile, so only real overlaps are conflicts.
    answer_revisions = models.JSONField(default=dict, blank=True)
    # A material change opens a new assessment that replaces the approved one on its approval.
    replaces = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_by")
    # What changed, when this assessment replaces an approved one (keys of services.MATERIAL_CHANGE_KINDS).
    material_change_kinds = models.JSONField(default=list, blank=True)
    review_by = models.DateField(_("ny vurdering innen"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who last saved answers, and when: a reviewer's decision updates the row (status), not the answers,
    # so "last saved by" must not name the reviewer.
    answers_saved_at = models.DateTimeField(null=True, blank=True)
    answers_saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["status", "agency"]),
            models.Index(fields=["review_by"]),
            # Counts per status for the queue, the register and the auditor search read only this index.
            models.Index(fields=["status", "agency", "id"], name="assessment_status_agency_id"),
            # Title search on PostgreSQL (assessments/queries/search.py); the migration skips them on SQLite.
            # An expression index rather than a stored search-vector column: the vector is derived from
            # one short column, the index alone answers `@@`, and a generated column of a PostgreSQL-only
            # type could not exist in the SQLite schema the same model also describes.
            GinIndex(title_vector(), name="assessment_title_search"),
            GinIndex(OpClass(title_trigrams(), name="gin_trgm_ops"), name="assessment_title_trigram"),
        ]
        verbose_name = _("vurdering")
        verbose_name_plural = _("vurderinger")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessments:assessment_detail", args=[self.uuid])

    @property
    def is_editable(self) -> bool:
        return self.status in lifecycle.EDITABLE_STATUSES

    def latest_version(self) -> "AssessmentVersion | None":
        return self.versions.order_by("-number").first()


class AssessmentVersion(models.Model):
    """An immutable snapshot made on each submission."""

    Decision = lifecycle.Decision

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField()
    result = models.JSONField()
    verdict = models.CharField(max_length=30, db_index=True)
    quadrant = models.CharField(max_length=30, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Copies of a few values inside the JSON, kept by the database itself, so that lists of thousands of
    # versions (the overview matrix, the register's filter by kind of AI) read small columns instead of
    # unpacking every stored result and answer set.
    risk_score = models.GeneratedField(
        expression=Cast(KT("result__risk__score"), models.FloatField()),
        output_field=models.FloatField(),
        db_persist=True,
    )
    need_score = models.GeneratedField(
        expression=Cast(KT("result__need__score"), models.FloatField()),
        output_field=models.FloatField(),
        db_persist=True,
    )
    ai_kind_text = models.GeneratedField(
        expression=KT("answers__ai_kind"),
        output_field=models.TextField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["assessment", "number"]
        constraints = [models.UniqueConstraint(fields=["assessment", "number"], name="unique_version_number")]
        # The queue pages by submission time, the register and the auditor search by decision time.
        indexes = [
            models.Index(fields=["submitted_at"], name="version_submitted_at"),
            models.Index(fields=["decided_at"], name="version_decided_at"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} v{self.number}"


class OverviewCell(models.Model):
    """How many assessments' latest versions lie on one spot of the overview matrix, per status, agency
    and quadrant (scores to the nearest 2 points, -1 for none; assessments/presentation/overview.py CELL).

    Kept by PostgreSQL triggers on the assessments and their versions (migration
    0012_overview_cells), in the same transaction as the change, so the overview reads a few hundred
    counts instead of every assessment. (Versions are never updated: an update of a version's scores
    would not be seen.) On SQLite the table stays empty and the overview aggregates the versions."""

    status = models.CharField(max_length=20)
    agency = models.ForeignKey(Agency, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    quadrant = models.CharField(max_length=30)
    need_cell = models.IntegerField()
    risk_cell = models.IntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["status", "agency", "quadrant", "need_cell", "risk_cell"], name="one_overview_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.status} {self.agency_id} {self.quadrant} ({self.need_cell}, {self.risk_cell}): {self.count}"


class ReviewComment(models.Model):
    """A reviewer's comment on a submitted version: on one question, or general (blank key)."""

    version = models.ForeignKey(AssessmentVersion, on_delete=models.CASCADE, related_name="comments")
    question_key = models.CharField(max_length=60, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    # The agency's answer to the comment, written while the assessment is returned; UKE reads it beside
    # the changes in the next version's review.
    reply = models.TextField(max_length=5000, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.version} {self.question_key or '(generelt)'}"


class Report(models.Model):
    class Kind(models.TextChoices):
        SIGNED = "signed", _("Signert rapport")
        PREVIEW = "preview", _("Forhåndsvisning")

    class Status(models.TextChoices):
        PENDING = "pending", _("I kø")
        RENDERING = "rendering", _("Lages")
        READY = "ready", _("Klar")
        FAILED = "failed", _("Feilet")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="reports")
    version = models.ForeignKey(AssessmentVersion, on_delete=models.PROTECT, related_name="reports", null=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SIGNED)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    storage_name = models.CharField(max_length=500, blank=True)
    signer = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    render_ms = models.PositiveIntegerField(null=True, blank=True)
    sign_ms = models.PositiveIntegerField(null=True, blank=True)
    # The rendering claim: who holds it (a task id) and until when. The holder renews the lease while it
    # works, so an expired lease means a dead holder and any run may take over (report_jobs.py).
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


class SentReminder(models.Model):
    """A review-by reminder that has gone out: at most one per assessment, kind and review-by date, so a
    second run (twice a day, two beat hosts) sends nothing twice and a new review-by date starts afresh."""

    class Kind(models.TextChoices):
        DUE = "review_due", _("Ny vurdering nærmer seg")
        OVERDUE = "review_overdue", _("Ny vurdering er forfalt")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sent_reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    review_by = models.DateField()
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "kind", "review_by"], name="one_reminder_per_review_date")
        ]

    def __str__(self) -> str:
        return f"{self.assessment} {self.kind} {self.review_by}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError("Audit events are append-only")

    def delete(self):
        raise ValidationError("Audit events are append-only")


class AuditEvent(models.Model):
    """Append-only, hash-chained log. Plain ids only: no names or e-mails in the chained fields."""

    actor_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    agency_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(db_index=True)
    details = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # Blank: a plain SHA-256 (events written before the chain was keyed). Otherwise the id of the HMAC key.
    key_id = models.CharField(max_length=16, blank=True, default="")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        # The audit log pages newest first; each filter walks its own index in that order.
        indexes = [
            models.Index(fields=["action", "id"], name="auditevent_action_id"),
            models.Index(fields=["agency_id", "id"], name="auditevent_agency_id"),
            models.Index(fields=["actor_id", "id"], name="auditevent_actor_id"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Audit events are append-only")


class AuditHead(models.Model):
    """The chain's head (one row): count and last hash, to detect removal of the newest events."""

    count = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    # On PostgreSQL a trigger lets the head move only forward, to this newest event (see audit.py).
    last_event_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("revisjonslogg-hode")

    def __str__(self) -> str:
        return f"{self.count} events, head {self.last_hash[:12]}"


class AuditWriteCap(models.Model):
    """One row per (bucket, time window) of capped anonymous audit writes (audit.record_capped).

    `bucket` is an HMAC of the action and, for sign-ins, the username and address: no names are stored.
    """

    bucket = models.CharField(max_length=64)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bucket", "window"], name="one_audit_write_per_window")]

    def __str__(self) -> str:
        return f"{self.bucket[:12]}@{self.window} ×{self.count}"


class GroupMapping(models.Model):
    """Maps a group from the identity provider (an Entra ID group object id) to a role in the app.

    On each OIDC sign-in the user's groups claim is looked up here: agency roles need an agency;
    municipality roles (reviewer, auditor) apply to all agencies when the agency is blank, or are limited
    to the agencies of their mappings otherwise.
    """

    class Role(models.TextChoices):
        LEADER = "leader", _("Virksomhetsleder")
        CONTRIBUTOR = "contributor", _("Bidragsyter")
        REVIEWER = "reviewer", _("Saksbehandler i UKE")
        AUDITOR = "auditor", _("Revisor")

    AGENCY_ROLES = (Role.LEADER, Role.CONTRIBUTOR)

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
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
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


class OutboxMessage(models.Model):
    """One e-mail waiting to be sent, or sent: written in the transaction of the change it tells about and
    delivered by a task (assessments/notifications/outbox.py), so a broker or mail outage delays a message, never
    loses it.
    `dedupe_key` makes enqueueing idempotent: the same event never produces two messages."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Venter")
        SENT = "sent", _("Sendt")
        FAILED = "failed", _("Feilet")

    dedupe_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=60)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.status})"


from assessments.models.catalogue import ApiToken, CatalogueFlag, ToolEntry, ToolEntryVersion  # noqa: E402, F401
