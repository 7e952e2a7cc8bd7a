"""Writes that span models or start jobs.

Each validates, saves in a transaction and records an audit event.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import lifecycle, tasks
from assessments.audit import chain as audit
from assessments.engine.answers import validate_answers, validate_answers_file
from assessments.engine.conditions import is_empty
from assessments.engine.definition import Definition
from assessments.engine.loader import as_definition, parse_definition
from assessments.engine.scoring import score
from assessments.engine.visibility import question_shown, visible_answers, visible_section_keys, visible_sections
from assessments.forms.answer_messages import answer_errors_text, answer_warnings_text
from assessments.lifecycle import StateConflict
from assessments.models import (
    Agency,
    Assessment,
    AssessmentVersion,
    Membership,
    OutboxMessage,
    Questionnaire,
    Report,
    ReviewComment,
)
from assessments.notifications import messages as notifications
from assessments.permissions import can_review, can_see_draft, is_leader_of, roles_for
from assessments.services import catalogue


def questionnaire_publish(*, definition: dict, actor) -> Questionnaire:
    """Validate and store a new questionnaire version (raises DefinitionError listing every problem)."""
    parsed = parse_definition(definition)
    with transaction.atomic():
        questionnaire = Questionnaire.objects.create(
            version=parsed["version"], title=parsed.get("title", parsed["version"]), definition=parsed
        )
        audit.record(actor, "questionnaire.published", questionnaire, details={"version": questionnaire.version})
    return questionnaire


def questionnaire_replace(*, questionnaire: Questionnaire, definition: dict, actor) -> Questionnaire:
    """Replace the definition of a version no assessment uses yet (a version in use is immutable)."""
    parsed = parse_definition(definition)
    with transaction.atomic():
        locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if locked.in_use:
            raise ValidationError(_("Versjonen brukes av vurderinger og kan ikke endres."))
        old_version = locked.version
        locked.version, locked.title, locked.definition = (
            parsed["version"],
            parsed.get("title", parsed["version"]),
            parsed,
        )
        locked.save(update_fields=["version", "title", "definition"])
        audit.record(
            actor,
            "questionnaire.replaced",
            locked,
            details={"version": locked.version, "replaced_version": old_version},
        )
    return locked


# --- Review: comments, return for revision, material change ---------------------------------------

REVIEW_COMMENT_MAX_LENGTH = 2000
REVIEW_REASON_MAX_LENGTH = 5000
MATERIAL_CHANGE_KINDS = {
    "vendor": gettext_lazy("Ny leverandør"),
    "purpose": gettext_lazy("Nytt formål"),
    "data": gettext_lazy("Nye data eller nye kilder"),
    "model": gettext_lazy("Ny eller endret modell"),
    "tool": gettext_lazy("Endring i verktøyoversikten"),
}


def _clean_text(value: str, *, field: str, limit: int, required_message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: required_message}, code="required")
    if len(text) > limit:
        raise ValidationError(
            {
                field: _("Teksten er for lang (%(length)s tegn, maks %(limit)s).")
                % {"length": len(text), "limit": limit}
            },
            code="max_length",
        )
    return text


def _lock_for_review(
    assessment: Assessment, version_number: int | None, action: str
) -> tuple[Assessment, AssessmentVersion]:
    """Lock the assessment and its undecided latest version, or explain why the action is stale."""
    # Lock the assessment row only (of=self): locking the joined agency row as well deadlocks with
    # concurrent inserts, whose deferred foreign-key checks take a share lock on it at commit.
    rows = Assessment.objects.select_for_update(of=("self",))
    locked = rows.select_related("agency").get(pk=assessment.pk)
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
    if not can_review(user, assessment):
        raise PermissionDenied
    text = _clean_text(text, field="text", limit=REVIEW_COMMENT_MAX_LENGTH, required_message=_("Skriv en kommentar."))
    question_key = (question_key or "").strip()
    with transaction.atomic():
        locked, version = _lock_for_review(assessment, version_number, "comment")
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
    _require_leader(user, assessment)
    text = _clean_text(text, field="reply", limit=REVIEW_COMMENT_MAX_LENGTH, required_message=_("Skriv et svar."))
    with transaction.atomic():
        locked = Assessment.objects.select_for_update(of=("self",)).get(pk=assessment.pk)
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


def assessment_return(
    *, assessment: Assessment, user, reason: str, version_number: int | None = None
) -> AssessmentVersion:
    """Return a submitted assessment to its agency for revision; the reason is required."""
    reason = _clean_text(
        reason,
        field="reason",
        limit=REVIEW_REASON_MAX_LENGTH,
        required_message=_("Skriv hvorfor vurderingen returneres."),
    )
    return _decide(
        assessment=assessment,
        user=user,
        decision=AssessmentVersion.Decision.RETURNED,
        reason=reason,
        version_number=version_number,
    )


def assessment_report_material_change(*, assessment: Assessment, user, kinds: list[str]) -> Assessment:
    """The leader reports a material change to an approved AI use: a new draft, prefilled from the approved
    version, that replaces the old assessment when it is approved in its turn."""
    if not is_leader_of(user, assessment):
        raise PermissionDenied
    kinds = [kind for kind in MATERIAL_CHANGE_KINDS if kind in set(kinds or [])]
    if not kinds:
        raise ValidationError({"kinds": _("Velg hva som er endret.")}, code="required")
    with transaction.atomic():
        # Lock the assessment row only (of=self): locking the joined agency row as well deadlocks with
        # concurrent inserts, whose deferred foreign-key checks take a share lock on it at commit.
        rows = Assessment.objects.select_for_update(of=("self",))
        locked = rows.select_related("agency").get(pk=assessment.pk)
        lifecycle.check("report_material_change", locked)
        if Assessment.objects.filter(replaces=locked, status__in=lifecycle.OPEN_STATUSES).exists():
            raise StateConflict(_("Det finnes allerede en ny vurdering for denne endringen. Fortsett med den."), locked)
        approved = locked.versions.filter(decision=AssessmentVersion.Decision.APPROVED)
        version = approved.order_by("-number").first()
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


# --- Assessments: drafts, submission and the lifecycle around them (the wizard) -------------------------


class StaleDraft(Exception):
    """The draft changed since the writer's form was shown, and the writer would overwrite those changes.

    `assessment` is the current row; `changed` every answer key changed since the writer's revision (in
    questionnaire order), `conflicts` the ones the writer's form would overwrite with a different value.
    """

    def __init__(self, assessment: Assessment, changed: list[str], conflicts: list[str]):
        self.assessment = assessment
        self.changed = changed
        self.conflicts = conflicts
        super().__init__(f"stale draft: {', '.join(conflicts or changed)}")


class AnswersFileError(Exception):
    """An answers file that cannot be imported: `errors` maps each offending key to a Norwegian message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()))


@dataclass
class StepSaved:
    assessment: Assessment
    changed: list[str]  # keys this save changed
    merged: list[str]  # keys others changed since the writer's revision (kept, not overwritten)


def _ordered_keys(defn: Definition, keys) -> list[str]:
    keys = set(keys)
    return [key for key in defn.questions if key in keys] + sorted(k for k in keys if k not in defn.questions)


def changed_since(assessment: Assessment, revision: int, defn: Definition | None = None) -> list[str]:
    """Answer keys changed after `revision`, in questionnaire order."""
    defn = defn or as_definition(assessment.questionnaire.definition)
    return _ordered_keys(defn, (k for k, rev in assessment.answer_revisions.items() if rev > revision))


def _require_leader(user, assessment: Assessment) -> None:
    if not is_leader_of(user, assessment):
        raise PermissionDenied(_("Bare virksomhetslederen kan gjøre dette."))


def _assessment_language(language: str | None) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    candidate = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return candidate if candidate in supported else settings.LANGUAGE_CODE


def assessment_create(
    *,
    agency: Agency,
    user,
    title: str,
    questionnaire: Questionnaire | None = None,
    answers: dict | None = None,
    source: str = "new",
    language: str | None = None,
) -> Assessment:
    """A new draft in `agency`, made by its leader and pinned to `questionnaire` (default: the latest).

    The assessment's language (which the report follows) is the one the leader works in, unless given."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Gi vurderingen et navn.")})
    if len(title) > 200:
        raise ValidationError({"title": _("Navnet kan ha høyst 200 tegn.")})
    if agency.pk not in roles_for(user).leader_of:
        raise PermissionDenied(_("Bare virksomhetslederen kan opprette vurderinger for virksomheten."))
    questionnaire = questionnaire or Questionnaire.latest()
    if questionnaire is None:
        raise ValidationError(_("Ingen versjon av spørreskjemaet er publisert ennå."))
    defn = as_definition(questionnaire.definition)
    answers = {**(answers or {}), "title": title}
    visited = visible_section_keys(defn, answers) if source == "import" else []
    with transaction.atomic():
        assessment = Assessment.objects.create(
            agency=agency,
            questionnaire=questionnaire,
            created_by=user,
            updated_by=user,
            answers_saved_by=user,
            answers_saved_at=timezone.now(),
            title=title,
            answers=answers,
            visited_steps=visited,
            answer_revisions={},
            language=_assessment_language(language),
        )
        audit.record(
            user, "assessment.created", assessment, agency, {"questionnaire": questionnaire.version, "source": source}
        )
    return assessment


def assessment_import(*, agency: Agency, user, data, title: str = "") -> tuple[Assessment, list[str]]:
    """A new draft from an answers file (the format in docs/questionnaire-format.md). Returns it and the warnings.

    Raises AnswersFileError naming every offending key; nothing is stored from a rejected file.
    """
    errors = validate_answers_file(data)
    if errors:
        raise AnswersFileError(answer_errors_text(None, errors))
    version = data.get("questionnaire")
    if version:
        questionnaire = Questionnaire.objects.filter(version=version.strip()).first()
    else:
        questionnaire = Questionnaire.latest()
    if questionnaire is None:
        raise AnswersFileError(
            {"questionnaire": _("Ukjent versjon av spørreskjemaet: «%(version)s».") % {"version": version or "–"}}
        )
    defn = as_definition(questionnaire.definition)
    cleaned, errors, warnings = validate_answers(defn, data["answers"])
    if errors:
        raise AnswersFileError(answer_errors_text(defn, errors))
    title = (title or "").strip() or cleaned.get("title", "")
    if not title:
        raise AnswersFileError({"title": _("Filen har ikke noe svar på «title»: gi vurderingen et navn.")})
    assessment = assessment_create(
        agency=agency, user=user, title=title, questionnaire=questionnaire, answers=cleaned, source="import"
    )
    return assessment, answer_warnings_text(warnings)


def newer_questionnaire(assessment: Assessment) -> Questionnaire | None:
    """The newest published version, when an editable draft is on an older one (else None)."""
    if not assessment.is_editable:
        return None
    newest = Questionnaire.latest()
    if newest is None or newest.pk == assessment.questionnaire_id:
        return None
    return newest if newest.published_at > assessment.questionnaire.published_at else None


def assessment_move_questionnaire(*, assessment: Assessment, user) -> tuple[Assessment, list[str]]:
    """Move an editable draft to the newest questionnaire version. Returns it and the new questions now shown.

    Every version keeps the keys and values of the ones before it, so the answers carry over as they are; the new
    questions start unanswered (the summary lists the required ones). Submitted and decided versions keep the
    questionnaire they were made on: only the draft moves.
    """
    with transaction.atomic():
        current = (
            Assessment.objects.select_for_update(of=("self",)).select_related("questionnaire").get(pk=assessment.pk)
        )
        _require_leader(user, current)
        if not current.is_editable:
            raise StateConflict(_("Bare utkast kan flyttes til en ny versjon av spørreskjemaet."), current)
        target = newer_questionnaire(current)
        if target is None:
            raise ValidationError(_("Utkastet bruker allerede den nyeste versjonen av spørreskjemaet."))
        old, new = as_definition(current.questionnaire.definition), as_definition(target.definition)
        _cleaned, errors, _warnings = validate_answers(new, current.answers)
        if errors:  # pragma: no cover - a published version never drops or changes a key of the one before
            raise ValidationError(_("Svarene kan ikke flyttes til den nye versjonen."))
        kept = {key: value for key, value in current.answers.items() if key in new.questions}
        shown = {q.key for s in visible_sections(new, kept) for q in s.questions if question_shown(q, kept)}
        added = [key for key in new.questions if key not in old.questions and key in shown]
        previous = current.questionnaire.version
        current.questionnaire = target
        current.answers = kept
        current.revision += 1
        current.updated_by = user
        current.save(update_fields=["questionnaire", "answers", "revision", "updated_by", "updated_at"])
        audit.record(
            user,
            "assessment.questionnaire_moved",
            current,
            current.agency_id,
            {"from": previous, "to": target.version, "new_questions": added},
        )
    return current, added


def assessment_save_step(
    *, assessment: Assessment, section: str, values: dict, expected_revision: int, user
) -> StepSaved:
    """Save one wizard step's answers into the draft, checked against the revision the form was shown with.

    Answers others changed since `expected_revision` are kept: when this form would overwrite one of them
    with a different value, StaleDraft is raised and nothing is saved. Blank values remove the answer.
    """
    with transaction.atomic():
        # Lock the assessment row only (of=self): locking the joined questionnaire row as well deadlocks with
        # concurrent inserts, whose deferred foreign-key checks take a share lock on it at commit.
        rows = Assessment.objects.select_for_update(of=("self",))
        current = rows.select_related("questionnaire").get(pk=assessment.pk)
        lifecycle.check("save", current)
        if expected_revision > current.revision or expected_revision < 0:
            raise ValidationError(_("Skjemaet har en ukjent revisjon. Last siden på nytt."))
        defn = as_definition(current.questionnaire.definition)
        if section not in visible_section_keys(defn, current.answers):
            raise ValidationError(_("Dette steget vises ikke med svarene som er lagret, og ble ikke lagret."))
        keys = [q.key for q in defn.section(section).questions]
        new_values = {key: (None if is_empty(values.get(key)) else values.get(key)) for key in keys}
        # The tool overview: a chosen entry fills answers on any step; answers it filled stay locked.
        new_values = catalogue.step_values(defn, current.answers, new_values)
        keys = list(new_values)
        others = changed_since(current, expected_revision, defn)
        conflicts = [k for k in others if k in new_values and new_values[k] != current.answers.get(k)]
        if conflicts:
            raise StaleDraft(current, others, conflicts)
        answers = dict(current.answers)
        changed = [k for k in keys if new_values[k] != answers.get(k)]
        for key in changed:
            if new_values[key] is None:
                answers.pop(key, None)
            else:
                answers[key] = new_values[key]
        visited = list(current.visited_steps)
        if section not in visited:
            visited.append(section)
        if not changed and visited == current.visited_steps:
            return StepSaved(current, [], others)
        revision = current.revision + 1
        fields = {
            "answers": answers,
            "visited_steps": visited,
            "revision": revision,
            "updated_by": user,
            "updated_at": timezone.now(),
            "answers_saved_by": user,
            "answers_saved_at": timezone.now(),
            "answer_revisions": {**current.answer_revisions, **dict.fromkeys(changed, revision)},
        }
        if answers.get("title") and answers["title"] != current.title:
            fields["title"] = answers["title"]
        # Compare-and-swap on the revision as well as the row lock: SQLite has no SELECT ... FOR UPDATE.
        if Assessment.objects.filter(pk=current.pk, revision=current.revision).update(**fields) != 1:
            current.refresh_from_db()
            raise StaleDraft(current, changed_since(current, expected_revision, defn), keys)
        if changed:
            audit.record(
                user,
                "assessment.step_saved",
                current,
                current.agency_id,
                {"section": section, "revision": revision, "changed": changed},
            )
    current.refresh_from_db()
    return StepSaved(current, changed, others)


def assessment_submit(*, assessment: Assessment, user, expected_revision: int | None = None) -> AssessmentVersion:
    """Freeze the draft into an immutable version (answers of shown questions, result) and submit it."""
    with transaction.atomic():
        # Lock the assessment row only (of=self): locking the joined questionnaire row as well deadlocks with
        # concurrent inserts, whose deferred foreign-key checks take a share lock on it at commit.
        rows = Assessment.objects.select_for_update(of=("self",))
        current = rows.select_related("questionnaire").get(pk=assessment.pk)
        _require_leader(user, current)
        transition = lifecycle.check("submit", current)
        defn = as_definition(current.questionnaire.definition)
        if expected_revision is not None and expected_revision != current.revision:
            changed = changed_since(current, expected_revision, defn)
            raise StaleDraft(current, changed, changed)
        cleaned, errors, _warnings = validate_answers(defn, current.answers)
        if errors:
            raise ValidationError(_("Utkastet har ugyldige svar: %(keys)s.") % {"keys": ", ".join(errors)})
        result = score(defn, cleaned)
        if not result.complete:
            raise ValidationError(
                _("Vurderingen kan ikke sendes inn før alle påkrevde spørsmål er besvart (%(count)s mangler).")
                % {"count": len(result.missing)},
                code="incomplete",
            )
        number = (current.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = AssessmentVersion.objects.create(
            assessment=current,
            number=number,
            questionnaire=current.questionnaire,
            answers=cleaned,
            result=result.to_dict(),
            verdict=result.verdict,
            quadrant=result.quadrant,
            submitted_by=user,
        )
        current.status = transition.target
        current.updated_by = user
        current.save(update_fields=["status", "updated_by", "updated_at"])
        audit.record(
            user,
            "assessment.submitted",
            current,
            current.agency_id,
            {
                "version": number,
                "questionnaire": current.questionnaire.version,
                "verdict": result.verdict,
                "quadrant": result.quadrant,
            },
        )
        notifications.notify_on_commit("submitted", current)
    return version


def _transition(assessment: Assessment, user, name: str, action: str, details: dict | None = None) -> Assessment:
    """A leader's transition from the lifecycle table that changes the status and nothing else."""
    with transaction.atomic():
        current = Assessment.objects.select_for_update().get(pk=assessment.pk)
        _require_leader(user, current)
        transition = lifecycle.check(name, current)
        current.status = transition.target
        current.updated_by = user
        current.save(update_fields=["status", "updated_by", "updated_at"])
        audit.record(user, action, current, current.agency_id, details or {})
    return current


def assessment_recall(*, assessment: Assessment, user) -> Assessment:
    """The leader takes a submitted assessment back to draft, before UKE has decided on it."""
    latest = assessment.latest_version()
    if latest is not None and latest.decision:
        raise StateConflict(_("UKE har allerede behandlet vurderingen; den kan ikke hentes tilbake."), assessment)
    return _transition(
        assessment, user, "recall", "assessment.recalled", {"version": latest.number if latest else None}
    )


def assessment_withdraw(*, assessment: Assessment, user) -> Assessment:
    """The plan is abandoned: the assessment is kept for the record as `withdrawn` (terminal)."""
    return _transition(assessment, user, "withdraw", "assessment.withdrawn", {"from": assessment.status})


def assessment_invite_contributor(*, assessment: Assessment, user, contributor) -> None:
    """Let a contributor of the same agency edit the draft."""
    _require_leader(user, assessment)
    if not Membership.objects.filter(
        user=contributor, agency_id=assessment.agency_id, role=Membership.Role.CONTRIBUTOR
    ).exists():
        raise ValidationError(_("Bare bidragsytere i samme virksomhet kan inviteres."))
    with transaction.atomic():
        if assessment.contributors.filter(pk=contributor.pk).exists():
            return
        assessment.contributors.add(contributor)
        audit.record(
            user, "assessment.contributor_added", assessment, assessment.agency_id, {"user_id": contributor.pk}
        )


def assessment_remove_contributor(*, assessment: Assessment, user, contributor) -> None:
    _require_leader(user, assessment)
    with transaction.atomic():
        if not assessment.contributors.filter(pk=contributor.pk).exists():
            return
        assessment.contributors.remove(contributor)
        audit.record(
            user, "assessment.contributor_removed", assessment, assessment.agency_id, {"user_id": contributor.pk}
        )


def assessment_export(*, assessment: Assessment, user, draft: bool) -> dict:
    """The answers file (design format with `meta`): the draft's shown answers, or the latest version's."""
    if draft:
        defn = as_definition(assessment.questionnaire.definition)
        answers, version_number = visible_answers(defn, assessment.answers), None
        questionnaire = assessment.questionnaire
    else:
        version = assessment.latest_version()
        if version is None:
            raise ValidationError(_("Vurderingen har ingen innsendt versjon."))
        answers, version_number, questionnaire = version.answers, version.number, version.questionnaire
    data = {
        "questionnaire": questionnaire.version,
        "answers": answers,
        "meta": {
            "agency": assessment.agency.name,
            "assessment": str(assessment.uuid),
            "version": version_number,
            "source": "draft" if draft else "version",
            "exported_at": timezone.now().isoformat(timespec="seconds"),
        },
    }
    audit.record(
        user,
        "assessment.exported",
        assessment,
        assessment.agency_id,
        {"source": data["meta"]["source"], "version": version_number},
    )
    return data


# --- Decisions and reports: approve, reject, preview ----------------------------------------------------

REVIEW_MONTHS = 12
REVIEW_MONTHS_HIGH_RISK = 6


def _months_later(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter (31 Aug + 6 -> 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def review_by_for(version: AssessmentVersion, today: dt.date) -> dt.date:
    """Approved uses are assessed again within 12 months; within 6 when the risk axis is high."""
    high = (version.result or {}).get("risk", {}).get("axis") == "high"
    return _months_later(today, REVIEW_MONTHS_HIGH_RISK if high else REVIEW_MONTHS)


def _enqueue_report_on_commit(report: Report) -> None:
    report_id = report.pk
    transaction.on_commit(lambda: tasks.enqueue_render(report_id))


def _decide(*, assessment: Assessment, user, decision: str, reason: str,
            version_number: int | None) -> AssessmentVersion:  # fmt: skip
    """A reviewer's decision on the latest submitted version: returned, approved or rejected. Approval and
    rejection are final and get a signed report; a return sends the assessment back for revision."""
    if not can_review(user, assessment):
        raise PermissionDenied
    with transaction.atomic():
        locked, version = _lock_for_review(assessment, version_number, lifecycle.DECISION_TRANSITION[decision])
        approved = decision == AssessmentVersion.Decision.APPROVED
        if approved and version.verdict == lifecycle.STOP_VERDICT:
            raise ValidationError(
                _("En vurdering med konklusjonen «Stopp» kan ikke godkjennes. Returner eller avvis den."),
                code="stop_verdict",
            )
        now = timezone.now()
        # Compare-and-set on both rows as well as the row lock (SQLite has no SELECT ... FOR UPDATE):
        # a second approval from another tab finds nothing left to change.
        decided = AssessmentVersion.objects.filter(pk=version.pk, decision="").update(
            decision=decision, decision_reason=reason, decided_by=user, decided_at=now
        )
        fields = {"status": lifecycle.DECISION_STATUS[decision], "updated_by": user, "updated_at": now}
        if approved:
            fields["review_by"] = review_by_for(version, timezone.localdate())
        sources = lifecycle.TRANSITIONS[lifecycle.DECISION_TRANSITION[decision]].sources
        moved = Assessment.objects.filter(pk=locked.pk, status__in=sources).update(**fields)
        if decided != 1 or moved != 1:
            raise StateConflict(_("Vurderingen er allerede behandlet. Ingenting ble endret."), locked)
        details = {"version": version.number, "verdict": version.verdict}
        report = None
        if decision == AssessmentVersion.Decision.RETURNED:
            details["comments"] = version.comments.count()
        else:
            report = Report.objects.create(
                assessment=locked, version=version, kind=Report.Kind.SIGNED, requested_by=user
            )
            details.update(
                {"report": str(report.uuid), "review_by": fields["review_by"].isoformat() if approved else None}
            )
        audit.record(user, f"assessment.{decision}", locked, locked.agency_id, details)
        if approved and locked.replaces_id:
            supersede = lifecycle.TRANSITIONS["supersede"]
            old = Assessment.objects.filter(pk=locked.replaces_id, status__in=supersede.sources).first()
            if old is not None:
                Assessment.objects.filter(pk=old.pk, status__in=supersede.sources).update(
                    status=supersede.target, updated_at=now
                )
                audit.record(
                    user,
                    "assessment.superseded",
                    old,
                    old.agency_id,
                    {"by_assessment": str(locked.uuid), "by_version": version.number},
                )
        notifications.notify_on_commit(decision, locked)
        tasks.checkpoint_audit_on_commit()
        if report is not None:
            _enqueue_report_on_commit(report)
    version.refresh_from_db()
    assessment.refresh_from_db()
    return version


def assessment_approve(*, assessment: Assessment, user, comment: str = "",
                       version_number: int | None = None) -> AssessmentVersion:  # fmt: skip
    """Approve the submitted version (not for verdict `stop`): sets the review-by date, supersedes the
    assessment this one replaces, and creates the signed report (made by a task after the commit)."""
    comment = (comment or "").strip()
    if len(comment) > REVIEW_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "comment": _("Teksten er for lang (%(length)s tegn, maks %(limit)s).")
                % {"length": len(comment), "limit": REVIEW_REASON_MAX_LENGTH}
            },
            code="max_length",
        )
    return _decide(
        assessment=assessment,
        user=user,
        decision=AssessmentVersion.Decision.APPROVED,
        reason=comment,
        version_number=version_number,
    )


def assessment_reject(*, assessment: Assessment, user, reason: str,
                      version_number: int | None = None) -> AssessmentVersion:  # fmt: skip
    """Reject the submitted version; the reason is required. The decision gets a signed report too."""
    reason = _clean_text(
        reason, field="reason", limit=REVIEW_REASON_MAX_LENGTH, required_message=_("Skriv hvorfor vurderingen avvises.")
    )
    return _decide(
        assessment=assessment,
        user=user,
        decision=AssessmentVersion.Decision.REJECTED,
        reason=reason,
        version_number=version_number,
    )


def report_request_preview(*, assessment: Assessment, user) -> Report:
    """An unsigned preview of the draft as it stands, watermarked UTKAST, stored under previews/.
    A preview still in the making is returned instead of a second one (double clicks, two tabs)."""
    if not can_see_draft(user, assessment):
        raise PermissionDenied
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        waiting = Report.objects.filter(
            assessment=locked,
            kind=Report.Kind.PREVIEW,
            status__in=[Report.Status.PENDING, Report.Status.RENDERING],
        ).first()
        if waiting is not None:
            return waiting
        report = Report.objects.create(assessment=locked, kind=Report.Kind.PREVIEW, requested_by=user)
        audit.record(
            user,
            "report.preview_requested",
            report,
            locked.agency_id,
            {"assessment": str(locked.uuid), "revision": locked.revision},
        )
        _enqueue_report_on_commit(report)
    return report


# --- Privacy: a departed user ------------------------------------------------------------------------

PURGED_PREFIX = "slettet-"
NAME_REMOVED = "[navn fjernet]"


def _mention_pattern(user):
    """The ways free text names this person: full name (both orders), username, e-mail and its local part.
    Single first or last names are left alone: they would hit colleagues with the same name."""
    import re

    first, last = user.first_name.strip(), user.last_name.strip()
    forms = {user.username, user.email}
    if first and last:
        forms |= {f"{first} {last}", f"{last}, {first}", f"{last} {first}"}
    local = user.email.split("@")[0] if "@" in user.email else ""
    if "." in local or "_" in local:
        forms.add(local)
    forms = sorted((f for f in forms if f and len(f) >= 3), key=len, reverse=True)
    if not forms:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(f) for f in forms) + r")(?!\w)", re.IGNORECASE)


def user_purge(*, user, actor=None) -> dict:
    """Pseudonymise a departed user: `slettet-<id>`, names and e-mail emptied, no usable password, inactive,
    roles, OIDC link and sessions removed, and their name replaced in reviewers' free text. The audit log
    chains ids, never names, so it is not touched and still verifies. Returns counts (ids only)."""
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    from assessments.models import GroupRoles, MunicipalRole

    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.username == f"{PURGED_PREFIX}{user.pk}":
            raise ValidationError(_("Brukeren er allerede pseudonymisert."), code="already_purged")
        pattern = _mention_pattern(user)
        comments, decisions = [], []
        if pattern is not None:
            for comment in ReviewComment.objects.only("id", "text").iterator():
                new = pattern.sub(NAME_REMOVED, comment.text)
                if new != comment.text:
                    comment.text = new
                    comments.append(comment)
            reasons = AssessmentVersion.objects.exclude(decision_reason="").only("id", "decision_reason")
            for version in reasons:
                new = pattern.sub(NAME_REMOVED, version.decision_reason)
                if new != version.decision_reason:
                    version.decision_reason = new
                    decisions.append(version)
        ReviewComment.objects.bulk_update(comments, ["text"])
        AssessmentVersion.objects.bulk_update(decisions, ["decision_reason"])
        roles_removed = 0
        for role in [*Membership.objects.filter(user=user), *MunicipalRole.objects.filter(user=user)]:
            role.delete()  # one by one, so each removal is audited by the signals
            roles_removed += 1
        # The Entra ID link (allauth's social account, with the last ID token's claims) and what it held.
        identities = SocialAccount.objects.filter(user=user).delete()[0]
        GroupRoles.objects.filter(user=user).delete()
        EmailAddress.objects.filter(user=user).delete()
        sessions = [
            s.pk
            for s in Session.objects.filter(expire_date__gt=timezone.now())
            if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)
        ]
        Session.objects.filter(pk__in=sessions).delete()
        # E-mails to them, sent or waiting, carry their address: a departed user gets none anyway.
        mails = OutboxMessage.objects.filter(to__iexact=user.email).delete()[0] if user.email else 0
        user.username = f"{PURGED_PREFIX}{user.pk}"
        user.first_name = user.last_name = user.email = ""
        user.set_unusable_password()
        user.is_active = user.is_staff = user.is_superuser = False
        user.save()
        counts = {
            "user_id": user.pk,
            "comments_changed": len(comments),
            "decisions_changed": len(decisions),
            "roles_removed": roles_removed,
            "identities_removed": identities,
            "sessions_ended": len(sessions),
            "emails_removed": mails,
        }
        audit.record(actor, "user.purged", user, details=counts)
    return counts
