"""The quick path's writes (hurtigsjekk): start a draft from a screening, submit it as simplified, and UKE's
"require the full assessment". The reasoning is the engine's (assessments/engine/screening.py,
docs/quick-path.md); this module stores what it returns.

The screening answers are kept on the assessment as given; the carried answers become the draft's answers, so
the full wizard shows them answered and the leader can change them. The result is computed again from the
stored screening answers whenever it is shown: it is cheap and deterministic.
"""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from assessments import lifecycle
from assessments.audit import chain as audit
from assessments.engine.answers import validate_answers
from assessments.engine.catalogue import CHOICE_KEY, LISTED, NOT_LISTED, catalogue_answers
from assessments.engine.loader import as_definition
from assessments.engine.screening import (
    UNSURE,
    VERDICT_LOW_AFTER_SCREENING,
    ScreeningResult,
    clean_screening_answers,
    evaluate_screening,
    has_quick_path,
    screening_for,
)
from assessments.forms.answer_messages import answer_errors_text
from assessments.labels import CATALOGUE_REASONS, label
from assessments.models import Agency, Assessment, AssessmentVersion, CatalogueFlag, Questionnaire
from assessments.permissions import authorize
from assessments.queries.catalogue import resolve_ref
from assessments.services import MATERIAL_CHANGE_KINDS, assessment_create, assessment_return
from assessments.services.assessments import record_submitted
from assessments.services.locking import lock

SIMPLIFIED = "simplified"
FULL = "full"


def quick_questionnaire() -> Questionnaire | None:
    """The newest published version, when it has a screening (else None: no quick path to offer)."""
    latest = Questionnaire.latest()
    if latest is None or not has_quick_path(latest.definition):
        return None
    return latest


def tool_answers(defn, tool: str | None) -> dict[str, Any]:
    """The answers to the tool question: a chosen entry's facts (`given` keys), "not listed", or nothing.

    `tool` is an entry version's reference ("slug@number"), `not_listed`, `unsure` or empty. Only the current
    version of an entry can be picked, as in the wizard.
    """
    if tool in (None, "", UNSURE):
        return {}
    if tool == NOT_LISTED:
        return {CHOICE_KEY: NOT_LISTED}
    version = resolve_ref(tool)
    if version is None or version.entry.current().pk != version.pk:
        raise ValidationError({CHOICE_KEY: _("Velg et verktøy fra verktøyoversikten.")})
    facts, _problems = catalogue_answers(defn, version.as_entry())
    # Only the screening's `given` facts: what else the entry fills (where the tool comes from) the tool
    # question's own answer implies in the screening ("through the municipality's agreement": procured).
    given = set(screening_for(defn).given)
    return {**{k: v for k, v in facts.items() if k in given}, CHOICE_KEY: LISTED}


def _carried(defn, result: ScreeningResult) -> dict[str, Any]:
    """The carried answers as a draft's answers: checked like an import; answers to hidden steps are dropped."""
    cleaned, errors, _warnings = validate_answers(defn, result.carried_answers)
    if errors:  # pragma: no cover - a published screening only carries values of its own version
        raise ValidationError(answer_errors_text(defn, errors))
    return cleaned


def screening_start(
    *,
    agency: Agency,
    user,
    title: str,
    answers: dict[str, Any],
    tool: str | None = None,
    creation_token: uuid.UUID | None = None,
    language: str | None = None,
) -> tuple[Assessment, ScreeningResult]:
    """A new draft from a screening: the carried answers pre-fill it, the screening answers are kept with it.
    The same `creation_token` twice raises services.AlreadyCreated with the first draft (assessment_create)."""
    questionnaire = quick_questionnaire()
    if questionnaire is None:
        raise ValidationError(_("Den publiserte versjonen av spørreskjemaet har ingen hurtigsjekk."))
    defn = as_definition(questionnaire.definition)
    given = {k: v for k, v in answers.items() if k != CHOICE_KEY and v not in (None, "", UNSURE)}
    cleaned, errors = clean_screening_answers(defn, {**given, **tool_answers(defn, tool)})
    if errors:
        raise ValidationError(answer_errors_text(defn, errors))
    result = evaluate_screening(defn, cleaned)
    with transaction.atomic():
        assessment = assessment_create(
            agency=agency,
            user=user,
            title=title,
            questionnaire=questionnaire,
            answers=_carried(defn, result),
            source="screening",
            creation_token=creation_token,
            language=language,
        )
        assessment.screening_answers = cleaned
        assessment.save(update_fields=["screening_answers"])
        audit.record(
            user,
            "assessment.screened",
            assessment,
            agency,
            {"opens": result.opens_quick_path, "blocking": [f.id for f in result.blocking]},
        )
    return assessment, result


def screening_result(assessment: Assessment) -> ScreeningResult | None:
    """The screening's result for an assessment started with one (None otherwise)."""
    if not assessment.screening_answers or not has_quick_path(assessment.questionnaire.definition):
        return None
    return evaluate_screening(assessment.questionnaire.definition, assessment.screening_answers)


def quick_path_refusal(assessment: Assessment) -> ValidationError | None:
    """Why this assessment may not be sent in as simplified (None when it may): a material change requires the full
    assessment, or its quick check did not open the quick path (or UKE required the full one, which closes it)."""
    full_required = full_required_reasons(assessment)
    if full_required:
        return ValidationError(
            _("Etter en vesentlig endring må vurderingen gjøres i hele skjemaet: %(reasons)s.")
            % {"reasons": ", ".join(full_required)},
            code="full_required",
        )
    result = screening_result(assessment)
    if result is None or not result.opens_quick_path:
        return ValidationError(
            _("Hurtigsjekken åpner ikke for en forenklet vurdering. Fortsett i hele skjemaet."), code="closed"
        )
    return None


def quick_path_open(assessment: Assessment) -> bool:
    """May this draft still be sent in as a simplified assessment (the way back to its quick check is offered)?"""
    return assessment.is_editable and quick_path_refusal(assessment) is None


def full_required_reasons(assessment: Assessment) -> list[str]:
    """Why this assessment may not take the quick path: it follows a material change of the use it assesses.

    A change of the use, or of its tool in the tool overview, makes the next assessment a full one: the new
    draft that replaces the assessment (services.assessment_report_material_change). The reasons are what
    the leader reported and what the overview flagged on the replaced assessment (services/catalogue.py),
    in the user's language. Empty for an assessment that replaces none (no query then).
    """
    if not assessment.replaces_id:
        return []
    reasons = [label(MATERIAL_CHANGE_KINDS, kind) for kind in assessment.material_change_kinds]
    flagged = CatalogueFlag.objects.filter(assessment_id=assessment.replaces_id).values_list("reasons", flat=True)
    for codes in flagged:
        reasons += [label(CATALOGUE_REASONS, code) for code in codes]
    if not reasons:  # an old row without kinds: the change itself is the reason
        reasons.append(_("Vesentlig endring"))
    return list(dict.fromkeys(reasons))


def simplified_result(result: ScreeningResult, screening_answers: dict[str, Any]) -> dict[str, Any]:
    """What a simplified version stores as its result: the screening's conclusion, no risk or need score."""
    return {
        "kind": SIMPLIFIED,
        "verdict": VERDICT_LOW_AFTER_SCREENING,
        "complete": True,
        "screening": result.to_dict(),
        "screening_answers": screening_answers,
    }


def screening_submit(*, assessment: Assessment, user) -> AssessmentVersion:
    """Submit a screened draft as *forenklet*: freeze the carried answers and the screening's conclusion."""
    with transaction.atomic():
        current = lock(Assessment, assessment.pk, related=("questionnaire",))
        authorize(user, current, "lead")
        transition = lifecycle.check("submit", current)
        refusal = quick_path_refusal(current)
        if refusal is not None:
            raise refusal
        result = screening_result(current)
        defn = as_definition(current.questionnaire.definition)
        number = (current.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = AssessmentVersion.objects.create(
            assessment=current,
            number=number,
            questionnaire=current.questionnaire,
            answers={**_carried(defn, result), "title": current.title},
            result=simplified_result(result, current.screening_answers),
            verdict=VERDICT_LOW_AFTER_SCREENING,
            quadrant="",
            submitted_by=user,
        )
        current.status = transition.target
        current.path = SIMPLIFIED
        current.updated_by = user
        current.save(update_fields=["status", "path", "updated_by", "updated_at"])
        record_submitted(user, current, number, VERDICT_LOW_AFTER_SCREENING, path=SIMPLIFIED)
    return version


def screening_require_full(
    *, assessment: Assessment, user, reason: str, version_number: int | None = None
) -> AssessmentVersion:
    """UKE requires the full assessment: the simplified one goes back to the leader as a full draft.

    The draft keeps the carried answers; the leader completes the full wizard and submits as usual. Its screening
    answers are cleared, which closes the quick path for it (`quick_path_refusal`): the submitted version keeps them.
    """
    with transaction.atomic():
        version = assessment_return(assessment=assessment, user=user, reason=reason, version_number=version_number)
        Assessment.objects.filter(pk=assessment.pk).update(path=FULL, screening_answers={})
        audit.record(user, "assessment.full_required", assessment, assessment.agency_id, {"version": version.number})
    assessment.refresh_from_db()
    return version
