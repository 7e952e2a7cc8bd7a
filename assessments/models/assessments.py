"""Questionnaire versions, assessments and their submitted versions, review comments, sent reminders and
the overview's cells."""

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Left, StrIndex
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessments import lifecycle
from assessments.choices import PATH_CHOICES, AssessmentStatus, OverviewScope, ReviewDecision, ReviewReminderKind
from assessments.models.agencies import Agency
from assessments.models.fields import user_reference
from assessments.queries.search import title_trigrams


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


class Assessment(models.Model):
    Status = AssessmentStatus

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="assessments")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="assessments")
    created_by = user_reference()
    contributors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="contributed_assessments")
    title = models.CharField(_("tittel"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    language = models.CharField(_("språk"), max_length=5, choices=settings.LANGUAGES, default="nb")
    # The draft: the database is the source of truth, saved on every wizard step.
    answers = models.JSONField(default=dict, blank=True)
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
    # The quick path (docs/quick-path.md): "simplified" once submitted with the screening's conclusion; the
    # screening answers as given (scr_* keys included), kept to show the result again and to carry them on.
    path = models.CharField(_("type vurdering"), max_length=12, choices=PATH_CHOICES, default="full")
    screening_answers = models.JSONField(default=dict, blank=True)
    # The leader's "tatt i bruk": set only when every before-use item of the plan is done (services/plans.py).
    in_use_since = models.DateField(_("tatt i bruk"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = user_reference(blank=True)
    # Who last saved answers, and when: a reviewer's decision updates the row (status), not the answers,
    # so "last saved by" must not name the reviewer.
    answers_saved_at = models.DateTimeField(null=True, blank=True)
    answers_saved_by = user_reference(blank=True)
    # The one-time value of the form that created the draft (forms.LeaderAgencyForm): unique (the constraint in
    # Meta), so the database refuses a second draft from the same form sent twice in parallel
    # (services.assessment_create). NULL for drafts made without one (a material change, a command, the demo).
    creation_token = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["status", "agency"]),
            models.Index(fields=["review_by"]),
            # Counts per status for the queue, the register and the auditor search read only this index.
            models.Index(fields=["status", "agency", "id"], name="assessment_status_agency_id"),
        ]
        constraints = [
            # A partial unique index rather than unique=True: it holds only the few tokens (most rows have none),
            # and SQLite adds it without rebuilding the table, which its triggers on this table would not survive.
            models.UniqueConstraint(
                fields=["creation_token"],
                condition=models.Q(creation_token__isnull=False),
                name="assessment_creation_token_once",
            ),
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

    def approved_version(self) -> "AssessmentVersion | None":
        """The newest version UKE approved (what a material change starts from, and the go-live's earliest day)."""
        return self.versions.filter(decision=AssessmentVersion.Decision.APPROVED).order_by("-number").first()


# The tool from the tool overview a version was answered with: its entry's slug, the part of the answer `cat_ref`
# ("slug@number") before the "@" (a slug has none, so the first "@" is the last one the overview's counts cut
# at), NULL without one. An expression, not a column: a version's
# answers never change, and the register filtered by one tool walks the index built on it (version_tool_decided),
# which PostgreSQL uses when the filter is written with this same expression (queries/lists.py).
_TOOL_REF = KT("answers__cat_ref")
TOOL_SLUG = models.Case(
    models.When(
        GreaterThan(StrIndex(_TOOL_REF, models.Value("@")), 0),
        then=Left(_TOOL_REF, StrIndex(_TOOL_REF, models.Value("@")) - 1),
    ),
    default=None,
    output_field=models.CharField(),
)


# The versions the register lists: the latest version of an approved assessment is the one that approved it.
# decided_at is never NULL for them; saying so lets a walk of a descending index on it start at the newest
# decision (NULLs come first there).
REGISTERED = models.Q(
    assessment_status=AssessmentStatus.APPROVED, decision=ReviewDecision.APPROVED, decided_at__isnull=False
)


class AssessmentVersion(models.Model):
    """An immutable snapshot made on each submission."""

    Decision = ReviewDecision

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField()
    result = models.JSONField()
    verdict = models.CharField(max_length=30, db_index=True)
    quadrant = models.CharField(max_length=30, db_index=True)
    submitted_by = user_reference()
    submitted_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = user_reference(blank=True)
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
    # Copies of the assessment's status and agency, kept by database triggers on both backends (migrations
    # 0019_squashed_0024 and 0025_squashed_0032), whoever changes the assessment (a service, a data fix, a test): the
    # lists filter by them together with their sort key on one index of the versions, so that "one agency, newest first"
    # is an index range scan that stops after a page instead of a walk over every agency's versions. Never written by
    # the app (the triggers overwrite what it would write); null only for a moment.
    assessment_status = models.CharField(max_length=20, null=True, editable=False)  # noqa: DJ001
    assessment_agency = models.ForeignKey(
        Agency, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, null=True, editable=False,
        related_name="+",
    )  # fmt: skip
    # A copy of the assessment's title and, on PostgreSQL, its search vector (null on SQLite), kept by the
    # same triggers (migration 0025_squashed_0032, part 0025): the lists' title search tests the version row
    # it walks, reading the stored vector, before joining the assessment, and the GIN indexes below answer a
    # rare word.
    assessment_title = models.CharField(max_length=200, null=True, editable=False)  # noqa: DJ001
    title_search = SearchVectorField(null=True, editable=False)
    # For the register grouped by tool (migration 0025_squashed_0032, part 0027): a copy of the assessment's review
    # date, kept by the same triggers on both backends, and, on PostgreSQL only (null on SQLite), the tool's slug as the
    # counts kept per tool hold it (OverviewToolCell: the part of `cat_ref` before the last "@", "" without one), set
    # from the answers by the version's trigger. Columns, not expressions, so that the overdue reviews per tool are
    # counted from an index alone (version_overdue_by_tool).
    assessment_review_by = models.DateField(null=True, editable=False)
    tool = models.TextField(null=True, editable=False)  # noqa: DJ001

    class Meta:
        ordering = ["assessment", "number"]
        constraints = [models.UniqueConstraint(fields=["assessment", "number"], name="unique_version_number")]
        # The queue pages by submission time, the register and the auditor search by decision time; each
        # also by agency, by status and by both (assessments/queries/lists.py).
        indexes = [
            models.Index(fields=["submitted_at"], name="version_submitted_at"),
            models.Index(fields=["decided_at"], name="version_decided_at"),
            models.Index(fields=["assessment_status", "submitted_at", "id"], name="version_status_submitted"),
            models.Index(fields=["assessment_agency", "submitted_at", "id"], name="version_agency_submitted"),
            models.Index(
                fields=["assessment_agency", "assessment_status", "submitted_at", "id"],
                name="version_agency_stat_submitted",
            ),
            models.Index(fields=["assessment_status", "decided_at", "id"], name="version_status_decided"),
            models.Index(fields=["assessment_agency", "decided_at", "id"], name="version_agency_decided"),
            models.Index(
                fields=["assessment_agency", "assessment_status", "decided_at", "id"],
                name="version_agency_status_decided",
            ),
            # The register filtered by one tool (TOOL_SLUG above, an expression of the answers).
            models.Index(TOOL_SLUG, F("assessment_status"), F("decided_at"), F("id"), name="version_tool_decided"),
            # The register grouped by tool (queries/lists.py): its page in its order, and its overdue reviews
            # per tool, both of the approved versions; the migration skips them on SQLite.
            models.Index(
                KT("answers__cat_name"),
                F("decided_at").desc(),
                F("id").desc(),
                condition=REGISTERED,
                name="version_register_by_tool",
            ),
            models.Index(
                fields=["assessment_review_by", "tool", "assessment_agency"],
                condition=REGISTERED,
                name="version_overdue_by_tool",
            ),
            # The lists' title search (queries/search.py); the migration skips them on SQLite.
            GinIndex(fields=["title_search"], name="version_title_search"),
            GinIndex(OpClass(title_trigrams(), name="gin_trgm_ops"), name="version_title_trigram"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} v{self.number}"


class SpotCount(models.Model):
    """How many assessments' latest versions of one status and agency lie on one spot of the overview
    matrix, in one quadrant: what OverviewCell and OverviewToolCell both count."""

    status = models.CharField(max_length=20)
    agency = models.ForeignKey(Agency, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    quadrant = models.CharField(max_length=30)
    need_cell = models.IntegerField()
    risk_cell = models.IntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        abstract = True


class OverviewCell(SpotCount):
    """How many assessments' latest versions lie on one spot of the overview matrix, per status, agency
    and quadrant (scores to the nearest 2 points, -1 for none; assessments/presentation/overview.py CELL).

    Kept by PostgreSQL triggers on the assessments and their versions (OVERVIEW_CELLS in the
    first migration), in the same transaction as the change, so the overview reads a few hundred
    counts instead of every assessment. (Versions are never updated: an update of a version's scores
    would not be seen.) On SQLite the table stays empty and the overview aggregates the versions."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["status", "agency", "quadrant", "need_cell", "risk_cell"], name="one_overview_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.status} {self.agency_id} {self.quadrant} ({self.need_cell}, {self.risk_cell}): {self.count}"


class OverviewToolCell(SpotCount):
    """The overview cells (OverviewCell) split by the tool from the tool overview that the latest version
    answers: its entry's slug, the part of `cat_ref` ("slug@number") before the last "@", "" for none. The
    overview grouped by tool or filtered by a tool reads these counts instead of every version's answers.
    Kept by PostgreSQL triggers on the same changes as the cells (migration
    0025_squashed_0032, part 0025); empty on SQLite, where the overview aggregates the versions."""

    # Text, not a slug field: whatever an answer holds must not make the version's insert fail.
    tool = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["status", "agency", "tool", "quadrant", "need_cell", "risk_cell"],
                name="one_overview_tool_cell",
            )
        ]

    def __str__(self) -> str:
        spot = f"({self.need_cell}, {self.risk_cell})"
        return f"{self.status} {self.agency_id} {self.tool or '-'} {self.quadrant} {spot}: {self.count}"


class AgencySum(models.Model):
    """A sum of overview cells kept for one agency in one scope (OverviewScope: the approved assessments,
    which everyone sees, or all of them, which reviewers and the auditors of every agency see). Kept from
    the cells by PostgreSQL triggers (migration 0025_squashed_0032, part 0025); empty on SQLite."""

    scope = models.CharField(max_length=10, choices=OverviewScope.choices)
    # No index of its own: the unique constraint, which starts with the scope and the agency, serves every read.
    agency = models.ForeignKey(
        Agency, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    count = models.IntegerField(default=0)

    class Meta:
        abstract = True


class OverviewAgencyQuadrant(AgencySum):
    """The overview cells summed per scope, agency, quadrant and whether the scores place them (the overview
    by agency's table and legend)."""

    quadrant = models.CharField(max_length=30)
    scored = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "agency", "quadrant", "scored"], name="one_overview_agency_quadrant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.agency_id} {self.quadrant} (scored: {self.scored}): {self.count}"


class OverviewAgencySpot(AgencySum):
    """The scored overview cells summed per scope, agency and spot: which agencies are on a spot and how many
    assessments each has there. A spot is the cell moved into the field of its quadrant (migration
    0025_squashed_0032, part 0031; presentation/overview.placed_cells), so a rule-raised assessment stands in the
    field of its conclusion."""

    need_cell = models.IntegerField()
    risk_cell = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "agency", "need_cell", "risk_cell"], name="one_overview_agency_spot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.agency_id} ({self.need_cell}, {self.risk_cell}): {self.count}"


class ReviewComment(models.Model):
    """A reviewer's comment on a submitted version: on one question, or general (blank key)."""

    version = models.ForeignKey(AssessmentVersion, on_delete=models.CASCADE, related_name="comments")
    question_key = models.CharField(max_length=60, blank=True)
    author = user_reference()
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    # The agency's answer to the comment, written while the assessment is returned; UKE reads it beside
    # the changes in the next version's review.
    reply = models.TextField(max_length=5000, blank=True)
    replied_by = user_reference(blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.version} {self.question_key or '(generelt)'}"


class SentReminder(models.Model):
    """A review-by reminder that has gone out: at most one per assessment, kind and review-by date, so a
    second run (twice a day, two beat hosts) sends nothing twice and a new review-by date starts afresh."""

    Kind = ReviewReminderKind

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
