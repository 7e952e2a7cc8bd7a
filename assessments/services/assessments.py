"""Drafts, the wizard's saves, submission and the leader's transitions (recall, withdraw, contributors)."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments import lifecycle
from assessments.audit import chain as audit
from assessments.engine.answers import validate_answers, validate_answers_file
from assessments.engine.conditions import is_empty
from assessments.engine.definition import Definition
from assessments.engine.loader import as_definition
from assessments.engine.scoring import score
from assessments.engine.visibility import question_shown, visible_answers, visible_section_keys, visible_sections
from assessments.forms.answer_messages import answer_errors_text, answer_warnings_text
from assessments.lifecycle import StateConflict
from assessments.models import (
    Agency,
    Assessment,
    AssessmentVersion,
    Questionnaire,
)
from assessments.notifications import messages as notifications
from assessments.permissions import authorize, roles_for
from assessments.queries.catalogue import REF_KEY, newer_version
from assessments.services import catalogue, catalogue_flags, plans
from assessments.services.locking import lock
from assessments.services.questionnaires import newer_questionnaire


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


class AlreadyCreated(Exception):
    """The form that creates a draft was sent again with the same one-time token: `assessment` is the draft the
    first request made, where the caller sends the user instead of creating a second one."""

    def __init__(self, assessment: Assessment):
        self.assessment = assessment
        super().__init__(f"already created: {assessment.uuid}")


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
    creation_token: uuid.UUID | None = None,
) -> Assessment:
    """A new draft in `agency`, made by its leader and pinned to `questionnaire` (default: the latest).

    The assessment's language (which the report follows) is the one the leader works in, unless given.
    `creation_token` (the form's one-time value): a second call with it raises AlreadyCreated with the first draft."""
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
        try:
            # The unique token is the guard, not a look-up first: two parallel requests would both find nothing.
            # The second insert waits for the first's commit and then fails; the savepoint keeps the caller's
            # transaction usable for reading the draft the first one made.
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
                    creation_token=creation_token,
                )
        except IntegrityError:
            _raise_already_created(creation_token, user)
            raise
        audit.record(
            user, "assessment.created", assessment, agency, {"questionnaire": questionnaire.version, "source": source}
        )
    return assessment


def _raise_already_created(token: uuid.UUID | None, user) -> None:
    """After a refused insert: AlreadyCreated when `user` made a draft with this token; a form error when the token
    is someone else's (only an edited page sends one); else the caller re-raises (another constraint).

    The look-up sees the first draft because PostgreSQL reads committed rows (READ COMMITTED, Django's default):
    under REPEATABLE READ it would not, and the insert's error would stand."""
    if token is None:
        return
    first = Assessment.objects.filter(creation_token=token).first()
    if first is not None and first.created_by_id == user.pk:
        raise AlreadyCreated(first)
    if first is not None:
        raise ValidationError(_("Skjemaet kunne ikke sendes. Last siden på nytt og prøv igjen."), code="token_taken")


def assessment_import(
    *,
    agency: Agency,
    user,
    data,
    title: str = "",
    creation_token: uuid.UUID | None = None,
    language: str | None = None,
) -> tuple[Assessment, list[str]]:
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
    cleaned, tool_errors = catalogue.imported_answers(defn, cleaned)
    if tool_errors:
        raise AnswersFileError(tool_errors)
    title = (title or "").strip() or cleaned.get("title", "")
    if not title:
        raise AnswersFileError({"title": _("Filen har ikke noe svar på «title»: gi vurderingen et navn.")})
    assessment = assessment_create(
        agency=agency,
        user=user,
        title=title,
        questionnaire=questionnaire,
        answers=cleaned,
        source="import",
        creation_token=creation_token,
        language=language,
    )
    return assessment, answer_warnings_text(warnings)


def assessment_move_questionnaire(*, assessment: Assessment, user) -> tuple[Assessment, list[str]]:
    """Move an editable draft to the newest questionnaire version. Returns it and the new questions now shown.

    Every version keeps the keys and values of the ones before it, so the answers carry over as they are; the new
    questions start unanswered (the summary lists the required ones). Submitted and decided versions keep the
    questionnaire they were made on: only the draft moves.
    """
    with transaction.atomic():
        current = lock(Assessment, assessment.pk, related=("questionnaire",))
        authorize(user, current, "lead")
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


def _merge_step(current: Assessment, defn: Definition, section: str, values: dict, expected_revision: int):
    """The draft's answers with this step's values merged in: (answers, keys changed, keys others changed
    since `expected_revision`, the step's keys). StaleDraft when the step would overwrite another's change."""
    keys = [q.key for q in defn.section(section).questions]
    new_values = {key: (None if is_empty(values.get(key)) else values.get(key)) for key in keys}
    # An entry changed since the draft picked it: its facts come up to the current version on this save.
    refreshed = catalogue.refresh_values(defn, current.answers)
    base = {k: v for k, v in {**current.answers, **refreshed}.items() if v is not None}
    if refreshed and new_values.get(REF_KEY) == current.answers.get(REF_KEY):
        new_values[REF_KEY] = base.get(REF_KEY)  # the form still shows the version it was drawn with
    # The tool overview: a chosen entry fills answers on any step; answers it filled stay locked.
    new_values = {**refreshed, **catalogue.step_values(defn, base, new_values)}
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
    return answers, changed, others, keys


def _step_fields(current: Assessment, user, answers: dict, visited: list, changed: list[str]) -> dict:
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
    return fields


def assessment_save_step(
    *, assessment: Assessment, section: str, values: dict, expected_revision: int, user
) -> StepSaved:
    """Save one wizard step's answers into the draft, checked against the revision the form was shown with.

    Answers others changed since `expected_revision` are kept: when this form would overwrite one of them
    with a different value, StaleDraft is raised and nothing is saved. Blank values remove the answer.
    """
    with transaction.atomic():
        current = lock(Assessment, assessment.pk, related=("questionnaire",))
        # Who may work on the draft is the permission layer's; when it can change is the lifecycle's.
        authorize(user, current, "view_draft")
        lifecycle.check("save", current)
        if expected_revision > current.revision or expected_revision < 0:
            raise ValidationError(_("Skjemaet har en ukjent revisjon. Last siden på nytt."))
        defn = as_definition(current.questionnaire.definition)
        if section not in visible_section_keys(defn, current.answers):
            raise ValidationError(_("Dette steget vises ikke med svarene som er lagret, og ble ikke lagret."))
        answers, changed, others, keys = _merge_step(current, defn, section, values, expected_revision)
        visited = list(current.visited_steps)
        if section not in visited:
            visited.append(section)
        if not changed and visited == current.visited_steps:
            return StepSaved(current, [], others)
        fields = _step_fields(current, user, answers, visited, changed)
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
                {"section": section, "revision": fields["revision"], "changed": changed},
            )
    current.refresh_from_db()
    return StepSaved(current, changed, others)


def _refuse_an_outdated_tool(answers: dict) -> None:
    """A draft still holding an older version of its tool's entry is not sent in: saving a step brings the
    entry's facts up to date, and the leader should see the result of them first."""
    newer = newer_version(answers)
    if newer is not None:
        raise ValidationError(
            _(
                "UKE har endret «%(name)s» i verktøyoversikten siden utkastet ble lagret (nå %(ref)s). Lagre et "
                "steg, så hentes de nye opplysningene, og se over resultatet før du sender inn."
            )
            % {"name": newer.name, "ref": newer.ref},
            code="catalogue_changed",
        )


def record_submitted(user, current: Assessment, number: int, verdict: str, **details) -> None:
    """The audit entry and the notification of a version sent in, by either path (`details` names it)."""
    audit.record(
        user,
        "assessment.submitted",
        current,
        current.agency_id,
        {"version": number, "questionnaire": current.questionnaire.version, "verdict": verdict, **details},
    )
    notifications.notify_on_commit("submitted", current)


def assessment_submit(*, assessment: Assessment, user, expected_revision: int | None = None) -> AssessmentVersion:
    """Freeze the draft into an immutable version (answers of shown questions, result) and submit it."""
    with transaction.atomic():
        current = lock(Assessment, assessment.pk, related=("questionnaire",))
        authorize(user, current, "lead")
        transition = lifecycle.check("submit", current)
        defn = as_definition(current.questionnaire.definition)
        if expected_revision is not None and expected_revision != current.revision:
            changed = changed_since(current, expected_revision, defn)
            raise StaleDraft(current, changed, changed)
        cleaned, errors, _warnings = validate_answers(defn, current.answers)
        if errors:
            raise ValidationError(_("Utkastet har ugyldige svar: %(keys)s.") % {"keys": ", ".join(errors)})
        _refuse_an_outdated_tool(current.answers)
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
        plans.on_submitted(user, current, version)
        # A flagged assessment sent in again with the entry as it is now: its flags are resolved.
        catalogue_flags.close_resolved(current, cleaned, user, by=current, version=number)
        current.status = transition.target
        current.updated_by = user
        current.save(update_fields=["status", "updated_by", "updated_at"])
        record_submitted(user, current, number, result.verdict, quadrant=result.quadrant)
    return version


def _transition(assessment: Assessment, user, name: str, action: str, details: dict | None = None) -> Assessment:
    """A leader's transition from the lifecycle table that changes the status and nothing else."""
    with transaction.atomic():
        current = lock(Assessment, assessment.pk)
        authorize(user, current, "lead")
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
    with transaction.atomic():
        withdrawn = _transition(assessment, user, "withdraw", "assessment.withdrawn", {"from": assessment.status})
        plans.on_closed(user, withdrawn)
    return withdrawn


def assessment_export(*, assessment: Assessment, user, draft: bool) -> dict:
    """The answers file (design format with `meta`): the draft's shown answers, or the latest version's."""
    authorize(user, assessment, "view_draft" if draft else "view")
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
