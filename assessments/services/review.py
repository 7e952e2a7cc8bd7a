"""UKE's review: comments and replies, and the leader's report of a material change."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import lifecycle
from assessments.audit import chain as audit
from assessments.engine.answers import validate_answers
from assessments.engine.loader import as_definition
from assessments.lifecycle import StateConflict
from assessments.models import (
    Assessment,
    AssessmentVersion,
    Questionnaire,
    ReviewComment,
)
from assessments.permissions import authorize
from assessments.services import plans
from assessments.services.locking import lock
from assessments.text import UNSTORABLE_MESSAGE, unstorable

REVIEW_COMMENT_MAX_LENGTH = 2000
REVIEW_REASON_MAX_LENGTH = 5000
MATERIAL_CHANGE_KINDS = {
    "vendor": gettext_lazy("Ny leverandør"),
    "purpose": gettext_lazy("Nytt formål"),
    "data": gettext_lazy("Nye data eller nye kilder"),
    "model": gettext_lazy("Ny eller endret modell"),
    # A measure of the action plan is done: assessed again with it answered (services/plan_reassess.py).
    "measure": gettext_lazy("Et tiltak er gjennomført"),
    "tool": gettext_lazy("Endring i verktøyoversikten"),
}


def required_text(value: str, *, field: str, limit: int, required_message: str | None) -> str:
    """The text stripped, within `limit`; blank only where there is no `required_message`."""
    text = (value or "").strip()
    if not text and required_message is not None:
        raise ValidationError({field: required_message}, code="required")
    if unstorable(text):  # forms refuse it already; a caller without a form must not reach the database with it
        raise ValidationError({field: UNSTORABLE_MESSAGE}, code="unstorable")
    if len(text) > limit:
        raise ValidationError(
            {
                field: _("Teksten er for lang (%(length)s tegn, maks %(limit)s).")
                % {"length": len(text), "limit": limit}
            },
            code="max_length",
        )
    return text


def lock_for_review(
    assessment: Assessment, version_number: int | None, action: str
) -> tuple[Assessment, AssessmentVersion]:
    """Lock the assessment and its undecided latest version, or explain why the action is stale."""
    locked = lock(Assessment, assessment.pk, related=("agency",))
    version = locked.versions.order_by("-number").first()
    lifecycle.check(action, locked)
    if version is None or version.decision:
        raise StateConflict(_("Vurderingen er allerede behandlet. Ingenting ble endret."), locked)
    if version_number is not None and version.number != version_number:
        raise StateConflict(
            _(
                "Vurderingen er sendt inn på nytt (versjon %(new)s) etter at du åpnet versjon %(old)s. "
                "Ingenting ble endret; les den nye versjonen først."
            )
            % {"new": version.number, "old": version_number},
            locked,
        )
    return locked, version


def review_comment_add(
    *, assessment: Assessment, user, text: str, question_key: str = "", version_number: int | None = None
) -> ReviewComment:
    """A reviewer's comment on one question of the version under review, or a general one (blank key)."""
    authorize(user, assessment, "review")
    text = required_text(text, field="text", limit=REVIEW_COMMENT_MAX_LENGTH, required_message=_("Skriv en kommentar."))
    question_key = (question_key or "").strip()
    with transaction.atomic():
        locked, version = lock_for_review(assessment, version_number, "comment")
        if question_key and question_key not in as_definition(version.questionnaire.definition).questions:
            raise ValidationError({"question_key": _("Ukjent spørsmål «%(key)s».") % {"key": question_key[:60]}})
        comment = ReviewComment.objects.create(version=version, question_key=question_key, author=user, text=text)
        audit.record(
            user,
            "review.commented",
            locked,
            locked.agency_id,
            {"version": version.number, "question_key": question_key, "comment_id": comment.pk},
        )
    return comment


def review_comment_reply(*, comment: ReviewComment, user, text: str) -> ReviewComment:
    """The leader's answer to one of UKE's comments, while the assessment is back with the agency.

    One reply per comment, which the leader may rewrite until the assessment is submitted again."""
    assessment = comment.version.assessment
    authorize(user, assessment, "lead")
    text = required_text(text, field="reply", limit=REVIEW_COMMENT_MAX_LENGTH, required_message=_("Skriv et svar."))
    with transaction.atomic():
        locked = lock(Assessment, assessment.pk)
        latest = locked.versions.order_by("-number").first()
        if locked.status != Assessment.Status.RETURNED or latest is None or comment.version_id != latest.pk:
            raise StateConflict(
                _("Kommentarer kan bare besvares mens vurderingen er returnert. Ingenting ble lagret."), locked
            )
        comment.reply, comment.replied_by, comment.replied_at = text, user, timezone.now()
        comment.save(update_fields=["reply", "replied_by", "replied_at"])
        audit.record(
            user,
            "review.comment_replied",
            locked,
            locked.agency_id,
            {"version": latest.number, "question_key": comment.question_key, "comment_id": comment.pk},
        )
    return comment


def assessment_report_material_change(*, assessment: Assessment, user, kinds: list[str]) -> Assessment:
    """The leader reports a material change to an approved AI use: a new draft, prefilled from the approved
    version, that replaces the old assessment when it is approved in its turn."""
    authorize(user, assessment, "lead")
    kinds = [kind for kind in MATERIAL_CHANGE_KINDS if kind in set(kinds or [])]
    if not kinds:
        raise ValidationError({"kinds": _("Velg hva som er endret.")}, code="required")
    with transaction.atomic():
        locked = lock(Assessment, assessment.pk, related=("agency",))
        lifecycle.check("report_material_change", locked)
        if Assessment.objects.filter(replaces=locked, status__in=lifecycle.OPEN_STATUSES).exists():
            raise StateConflict(_("Det finnes allerede en ny vurdering for denne endringen. Fortsett med den."), locked)
        version = locked.approved_version()
        questionnaire = Questionnaire.latest() or locked.questionnaire
        answers = dict(version.answers) if version else dict(locked.answers)
        if version is not None and questionnaire.pk != version.questionnaire_id:
            # A newer questionnaire keeps every key (keys are never renamed or dropped), but values
            # it no longer accepts are left for the leader to answer again.
            answers = validate_answers(questionnaire.definition, answers)[0]
        new = Assessment.objects.create(
            agency=locked.agency,
            questionnaire=questionnaire,
            created_by=user,
            updated_by=user,
            title=locked.title,
            language=locked.language,
            answers=answers,
            replaces=locked,
            material_change_kinds=kinds,
        )
        new.contributors.set(locked.contributors.all())
        plans.on_material_change(user, locked, new)
        audit.record(
            user,
            "assessment.material_change_reported",
            locked,
            locked.agency_id,
            {"kinds": kinds, "new_assessment": str(new.uuid)},
        )
        audit.record(
            user,
            "assessment.created",
            new,
            new.agency_id,
            {
                "replaces": str(locked.uuid),
                "material_change": kinds,
                "from_version": version.number if version else None,
            },
        )
    return new
