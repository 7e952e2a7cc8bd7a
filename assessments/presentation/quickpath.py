"""The quick path's result made ready for the pages and the report: the screening's findings in the user's
language, with the screening questions that decided them ("which answer sent you there")."""

from collections.abc import Mapping
from typing import Any

from assessments import labels
from assessments.engine.definition import Definition
from assessments.engine.screening import screening_for
from assessments.presentation.display import localized


def question_label(defn: Definition, key: str) -> str:
    # As result_view.question_label; repeated because result_view shows simplified results through this module.
    question = defn.questions.get(key)
    return localized(question, "label") if question is not None else key


def _screening_label(defn: Definition, key: str) -> str:
    screening = screening_for(defn)
    question = screening.question(key) if screening is not None else None
    return localized(question, "label") if question is not None else question_label(defn, key)


def _answer_label(defn: Definition, key: str, answers: Mapping[str, Any]) -> str:
    screening = screening_for(defn)
    question = screening.question(key) if screening is not None else None
    value = answers.get(key)
    if question is None:
        return "" if value is None else str(value)
    for choice in question.choices:
        if str(choice.value) == str(value if value is not None else "unsure"):
            return localized(choice, "label")
    return str(value)


def _finding(defn: Definition, finding: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": finding["id"],
        "kind": finding["kind"],
        "certain": finding["state"] == "true",
        "title": localized(finding, "title"),
        "text": localized(finding, "text"),
        "source": localized(finding, "source"),
        "because": [
            {"label": _screening_label(defn, key), "answer": _answer_label(defn, key, answers)}
            for key in finding.get("screening_keys", [])
        ],
        "unasked": [question_label(defn, key) for key in finding.get("unasked", [])],
    }


def _deciding(defn: Definition, blocking: list, answers: Mapping[str, Any]) -> list[dict[str, str]]:
    """The leader's own answers that sent them on, each once (the tool overview's facts are not answers they
    gave): the short "why" a phone shows before the details."""
    screening = screening_for(defn)
    keys = [key for f in blocking for key in f.get("screening_keys", []) if screening and screening.question(key)]
    return [
        {"label": _screening_label(defn, key), "answer": _answer_label(defn, key, answers)}
        for key in dict.fromkeys(keys)
    ]


def present_screening(
    defn: Definition, result: Mapping[str, Any], screening_answers: Mapping[str, Any]
) -> dict[str, Any]:
    """What the quick path's result page, the review page and the short report show of a screening result."""
    verdict = result.get("verdict")
    blocking = [
        _finding(defn, f, screening_answers)
        for f in sorted(result["blocking"], key=lambda f: (f["kind"] != "escalation", f["state"] != "true"))
    ]
    return {
        "simplified": True,
        "complete": True,
        "opens": result["opens_quick_path"],
        "verdict": verdict or "",
        "verdict_label": labels.label(labels.VERDICTS, verdict) if verdict else "",
        "verdict_text": labels.label(labels.VERDICT_TEXTS, verdict) if verdict else "",
        # The escalations first (they name the reason in plain words), then what holds for certain.
        "blocking": blocking,
        "deciding": _deciding(defn, result["blocking"], screening_answers),
        "obligations_certain": [_finding(defn, f, screening_answers) for f in result["obligations_certain"]],
        "obligations_possible": [_finding(defn, f, screening_answers) for f in result["obligations_possible"]],
        "unsure": [_screening_label(defn, key) for key in result.get("unsure", [])],
    }


def screening_rows(defn: Definition, result: Mapping[str, Any]) -> list[dict[str, str]]:
    """Every screening question with its answer, for a stored simplified result (empty for any other)."""
    screening = screening_for(defn)
    if result.get("kind") != "simplified" or screening is None:
        return []
    answers = result.get("screening_answers", {})
    return [
        {"key": q.key, "label": localized(q, "label"), "answer": _answer_label(defn, q.key, answers)}
        for q in screening.questions
    ]
