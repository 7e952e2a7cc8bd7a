"""The quick path (hurtigsjekk): the public API the web app calls. Format and reasoning in docs/quick-path.md.

- `screening_for(defn)`: the version's `Screening` (questions, choices, escalations), or None: no quick path;
- `clean_screening_answers(defn, answers)`: check answers from a form or a file, with `AnswerError` codes;
- `evaluate_screening(defn, answers)`: the `ScreeningResult` (opens or not, why, obligations, carried answers).

A version without `screening.yaml` has no quick path: `evaluate_screening` then raises `NoScreening`.
"""

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from assessments.engine.answers import AnswerError, clean_value
from assessments.engine.definition import Definition
from assessments.engine.loader import as_definition
from assessments.engine.screening_eval import VERDICT_LOW_AFTER_SCREENING, Finding, ScreeningResult, assess, carry
from assessments.engine.screening_spec import UNSURE, Screening, parse_screening

__all__ = [
    "UNSURE",
    "VERDICT_LOW_AFTER_SCREENING",
    "Finding",
    "NoScreening",
    "Screening",
    "ScreeningResult",
    "carry",
    "clean_screening_answers",
    "evaluate_screening",
    "has_quick_path",
    "screening_for",
]


class NoScreening(LookupError):
    """The questionnaire version has no screening, so no quick path."""


@lru_cache(maxsize=32)
def _parsed(defn: Definition) -> Screening | None:
    raw = defn.data.get("screening")
    if raw is None:
        return None
    # The stored form was checked when the version was parsed; parsing it again cannot fail.
    return parse_screening(defn, raw)[0]


def screening_for(defn: Definition | Mapping[str, Any]) -> Screening | None:
    """The screening of a questionnaire version, or None when it has none."""
    return _parsed(as_definition(defn))


def has_quick_path(defn: Definition | Mapping[str, Any]) -> bool:
    return screening_for(defn) is not None


def _screening_or_raise(defn: Definition) -> Screening:
    screening = _parsed(defn)
    if screening is None:
        raise NoScreening(defn.version)
    return screening


def clean_screening_answers(
    defn: Definition | Mapping[str, Any], answers: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, AnswerError]]:
    """`(cleaned, errors)` for screening answers; any error means nothing should be saved.

    Keys are the screening's question keys and its `given` keys. A screening answer must be one of the question's
    choices (a form's text "3" is read as the scale answer 3); a `given` answer is checked like any full answer.
    Blank values are dropped (unanswered counts as `unsure`).
    """
    d = as_definition(defn)
    screening = _screening_or_raise(d)
    cleaned: dict[str, Any] = {}
    errors: dict[str, AnswerError] = {}
    for key, value in answers.items():
        if value is None or value == "":
            continue
        question = screening.question(key)
        if question is not None:
            by_text = {str(v): v for v in question.values}
            if value in question.values:
                cleaned[key] = value
            elif isinstance(value, str) and value in by_text:
                cleaned[key] = by_text[value]
            else:
                errors[key] = AnswerError("invalid_value", {"value": value, "valid": list(question.values)})
        elif key in screening.given:
            cleaned_value, error = clean_value(d.questions[key], value)
            if error is not None:
                errors[key] = error
            elif cleaned_value is not None:
                cleaned[key] = cleaned_value
        else:
            errors[key] = AnswerError("unknown_question", {"key": key})
    return cleaned, errors


def evaluate_screening(defn: Definition | Mapping[str, Any], answers: Mapping[str, Any]) -> ScreeningResult:
    """Evaluate screening answers (cleaned by `clean_screening_answers`). Raises `NoScreening` without one.

    Deterministic and cheap (around ten milliseconds): call it again whenever the result is shown, rather than
    storing it; store the screening answers and `carried_answers`.
    """
    d = as_definition(defn)
    return assess(d, _screening_or_raise(d), answers)
