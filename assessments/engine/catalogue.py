"""Catalogue facts as ordinary answers: what picking a tool from the tool overview fills in.

The tool overview (UKE's catalogue of AI tools) lives in the database, outside the engine. When a leader picks
an entry, `catalogue_answers(defn, entry)` turns it into answers to the questions that name an entry field with
`catalogue_field` (docs/catalogue.md): `cat_choice` = `listed`, the entry's reference and facts, and the
hosting, agreement and training questions. They are stored like any other answer, so an answers file scores on
its own (`score_answers FILE`) and an old assessment keeps the entry version it was answered with. Pure: no
Django, no I/O.
"""

from collections.abc import Mapping
from typing import Any

from assessments.engine.answers import clean_value
from assessments.engine.catalogue_fields import entry_key
from assessments.engine.definition import Definition, Question
from assessments.engine.loader import as_definition

CHOICE_KEY = "cat_choice"
LISTED = "listed"
NOT_LISTED = "not_listed"
DEVIATION_KEY = "cat_deviation"


def entry_ref(entry: Mapping[str, Any]) -> str | None:
    """The entry's reference "slug@version" (its own `ref`, or made from `slug` and `version`)."""
    if entry.get("ref"):
        return str(entry["ref"])
    if entry.get("slug") and entry.get("version") not in (None, ""):
        return f"{entry['slug']}@{entry['version']}"
    return None


def catalogue_questions(defn: Definition | Mapping[str, Any]) -> list[Question]:
    """The questions filled (and locked in the wizard) from an entry, in questionnaire order."""
    return [q for q in as_definition(defn).questions.values() if q.catalogue_field]


def locked_keys(defn: Definition | Mapping[str, Any], answers: Mapping[str, Any]) -> set[str]:
    """Keys the wizard shows as "fra verktøyoversikten" and locks: only while a listed tool is chosen."""
    if answers.get(CHOICE_KEY) != LISTED:
        return set()
    return {q.key for q in catalogue_questions(defn)}


def _answer_for(question: Question, entry: Mapping[str, Any]) -> tuple[Any, str | None]:
    """The answer an entry gives `question`: `(value, None)`, `(None, None)` when the entry is silent, or a problem."""
    field = question.catalogue_field
    value = entry_ref(entry) if field == "ref" else entry.get(field)
    if value is None or value == "":
        return None, None
    if question.catalogue_values:
        key = entry_key(value)
        if key not in question.catalogue_values:
            return None, f"{field}: {value!r} er ikke en gyldig verdi"
        value = question.catalogue_values[key]
    cleaned, error = clean_value(question, value)
    if error is not None:
        return None, f"{field}: {value!r} passer ikke spørsmålet «{question.key}» ({error.code})"
    return cleaned, None


def catalogue_answers(
    defn: Definition | Mapping[str, Any], entry: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers an entry fills in, and the problems `{question key: text}` (unknown field values).

    The entry is a mapping of the fields in `catalogue_fields.ENTRY_FIELDS` (extra fields are ignored). Fields the
    entry leaves empty fill nothing: the leader answers those questions as usual.
    """
    d = as_definition(defn)
    answers: dict[str, Any] = {}
    problems: dict[str, str] = {}
    if CHOICE_KEY in d.questions:
        answers[CHOICE_KEY] = LISTED
    for question in catalogue_questions(d):
        value, problem = _answer_for(question, entry)
        if problem:
            problems[question.key] = problem
        elif value is not None:
            answers[question.key] = value
    return answers, problems


def apply_choice(
    defn: Definition | Mapping[str, Any], answers: Mapping[str, Any], entry: Mapping[str, Any] | None
) -> dict[str, Any]:
    """`answers` after the leader picks `entry` (None: "not in the overview").

    When a listed tool was chosen before, every answer its entry filled is cleared first, so no fact of another
    entry stays behind: a new entry fills its own, and "not in the overview" leaves those questions for the leader
    to answer (and drops the deviation note, which was about the entry). Answers the leader gave without an entry
    are kept.
    """
    d = as_definition(defn)
    out = dict(answers)
    if answers.get(CHOICE_KEY) == LISTED:
        for question in catalogue_questions(d):
            out.pop(question.key, None)
        out.pop(DEVIATION_KEY, None)
    if entry is None:
        out[CHOICE_KEY] = NOT_LISTED
        return out
    filled, _problems = catalogue_answers(d, entry)
    out.update(filled)
    return out
