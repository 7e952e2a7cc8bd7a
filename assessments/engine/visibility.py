"""Visibility: which sections are shown, which answers count and which questions are required.

Branching means the same thing in the wizard, the import and the scoring because they all call these
functions. `visibility(defn, answers)` returns both the shown sections and their answers in one pass.
"""

from collections.abc import Callable, Mapping
from typing import Any

from assessments.engine.conditions import evaluate, is_empty
from assessments.engine.definition import Definition, Question, Section
from assessments.engine.loader import as_definition


class RuleEvaluator:
    """Lazily evaluates hard rules over a set of answers, each at most once (a `{rule: ID}` lookup)."""

    def __init__(self, defn: Definition, answers: Mapping[str, Any]):
        self.defn = defn
        self.answers = answers
        self._by_id = {r.id: r for r in defn.rules}
        self._fired: dict[str, bool] = {}

    def __call__(self, rule_id: str) -> bool:
        fired = self._fired.get(rule_id)
        if fired is None:
            rule = self._by_id.get(rule_id)
            fired = rule is not None and evaluate(rule.when, self.answers, self)
            self._fired[rule_id] = fired
        return fired


def visibility(
    defn: Definition | Mapping[str, Any], answers: Mapping[str, Any]
) -> tuple[list[Section], dict[str, Any]]:
    """Visible sections and the answers that belong to them, in questionnaire order.

    A section's `shown_when` names only keys of earlier sections (the validator enforces it), so it is
    evaluated over the answers of the earlier *visible* sections, in order.
    """
    defn = as_definition(defn)
    shown: list[Section] = []
    visible: dict[str, Any] = {}
    for section in defn.sections:
        if section.shown_when is not None and not evaluate(section.shown_when, visible, RuleEvaluator(defn, visible)):
            continue
        shown.append(section)
        for question in section.questions:
            value = answers.get(question.key)
            if value is not None and question_shown(question, visible):
                visible[question.key] = value
    return shown, visible


def question_shown(question: Question, visible: Mapping[str, Any]) -> bool:
    """Is the question shown, given the answers that count so far? Its `shown_when` names only earlier
    questions (the validator enforces it), so the visible answers of a whole draft answer it too."""
    return question.shown_when is None or evaluate(question.shown_when, visible)


def keys_on_screen(shown: list[Section], visible: Mapping[str, Any]) -> frozenset[str]:
    """The keys of the questions on screen: those shown in the `shown` sections, given their `visible` answers."""
    return frozenset(q.key for section in shown for q in section.questions if question_shown(q, visible))


def visible_sections(defn: Definition | Mapping[str, Any], answers: Mapping[str, Any]) -> list[Section]:
    """The sections shown for these answers, in order."""
    return visibility(as_definition(defn), answers)[0]


def visible_section_keys(defn: Definition | Mapping[str, Any], answers: Mapping[str, Any]) -> list[str]:
    return [s.key for s in visible_sections(defn, answers)]


def visible_answers(defn: Definition | Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to questions of shown sections (hidden sections' and unknown keys' answers dropped)."""
    return visibility(as_definition(defn), answers)[1]


def is_required(
    defn: Definition,
    question: Question,
    answers: Mapping[str, Any],
    rules: Callable[[str], bool] | None = None,
) -> bool:
    if question.required:
        return True
    if question.required_when is None:
        return False
    return evaluate(question.required_when, answers, rules or RuleEvaluator(defn, answers))


def missing_in(defn: Definition, shown: list[Section], visible: Mapping[str, Any]) -> list[str]:
    """Required, unanswered questions of the `shown` sections, given their `visible` answers (see `visibility`)."""
    rules = RuleEvaluator(defn, visible)
    return [
        q.key
        for section in shown
        for q in section.questions
        if is_empty(visible.get(q.key)) and question_shown(q, visible) and is_required(defn, q, visible, rules)
    ]


def missing_required(defn: Definition | Mapping[str, Any], answers: Mapping[str, Any]) -> list[str]:
    """Keys of shown questions that are required (or required_when holds) and not answered, in order."""
    d = as_definition(defn)
    shown, visible = visibility(d, answers)
    return missing_in(d, shown, visible)
