"""The full engine's steps on partly known answers: visibility, contradictions, hard rules and obligations.

`evaluate_partial(defn, known)` follows `scoring.score` step by step, but on domains (`threeval`) instead of
values: every question not in `known` may take any answer of its type or stay unanswered. Each step
over-approximates the one it mirrors:

1. visibility of the answers as given (`visibility.visibility`): a section or question whose `shown_when` is
   undecided may be shown or hidden, so its questions may also be absent;
2. contradictions (`consistency`): a check that may hold may replace an answer with its worse reading;
3. visibility again, over the answers scoring reads (as `risk.compute_core` does);
4. hard rules in order (`risk.fire_rules`), then obligations (`scoring._obligations`).

So a rule or obligation found FALSE here is false for every way of completing the answers. Pure: no Django, no
I/O; nothing here imports the loader, so the definition validator can use it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessments.engine.conditions import referenced_rules
from assessments.engine.definition import Definition, Question
from assessments.engine.threeval import ABSENT, Domain, Tri, Verdict, eval3, known, open_domain


@dataclass(frozen=True)
class PartialResult:
    """Verdicts over every completion of some known answers."""

    rules: dict[str, Verdict]  # rule id -> verdict, in definition order
    obligations: dict[str, Verdict]  # obligation code -> verdict, in definition order
    state: dict[str, Domain]  # the domains scoring would read (after visibility and contradictions)


def initial_state(defn: Definition, answers: Mapping[str, Any]) -> dict[str, Domain]:
    """Known answers as single values; every other question open (any answer, or none)."""
    state: dict[str, Domain] = {}
    for key, question in defn.questions.items():
        value = answers.get(key)
        state[key] = known(value) if value is not None else open_domain(question)
    return state


def fire_rules(defn: Definition, state: Mapping[str, Domain]) -> dict[str, Verdict]:
    """Every hard rule's verdict, in order (a rule may only name the rules before it)."""
    verdicts: dict[str, Verdict] = {}
    for rule in defn.rules:
        verdicts[rule.id] = eval3(rule.when, state, verdicts)
    return verdicts


def visible_state(defn: Definition, raw: Mapping[str, Domain]) -> dict[str, Domain]:
    """The domains of the answers that count: those of shown sections (see `visibility.visibility`)."""
    visible: dict[str, Domain] = {}
    for section in defn.sections:
        shown, why = Tri.TRUE, frozenset()
        if section.shown_when is not None:
            # As in the full engine, rules named here are evaluated over the sections before this one.
            rules = fire_rules(defn, visible) if referenced_rules(section.shown_when) else {}
            shown, why = eval3(section.shown_when, visible, rules)
        if shown is Tri.FALSE:
            continue
        for question in section.questions:
            domain = _question_domain(question, raw.get(question.key, ABSENT), visible)
            if domain is not None and shown is Tri.UNKNOWN:
                domain = (domain | ABSENT).because(why)
            if domain is not None and domain != ABSENT:
                visible[question.key] = domain
    return visible


def _question_domain(question: Question, domain: Domain, visible: Mapping[str, Domain]) -> Domain | None:
    """A question's own `shown_when` (over the answers that count so far, without rules, as
    `visibility.question_shown` reads it): None when surely hidden, else the domain, maybe also absent."""
    if question.shown_when is None:
        return domain
    shown, why = eval3(question.shown_when, visible, {})
    if shown is Tri.FALSE:
        return None
    return domain if shown is Tri.TRUE else (domain | ABSENT).because(why)


def read_worse(defn: Definition, given: Mapping[str, Domain]) -> dict[str, Domain] | None:
    """The domains after the contradictions that may hold have put in their worse readings (None: none may)."""
    effective = dict(given)
    replaced: dict[str, Domain] = {}
    certain: set[str] = set()
    for check in defn.consistency:
        tri, why = eval3(check.when, given, {})
        if tri is Tri.FALSE:
            continue
        for key, value in check.worse.items():
            replaced[key] = replaced.get(key, Domain()) | known(value).because(why)
            if tri is Tri.TRUE:
                certain.add(key)
    if not replaced:
        return None
    for key, domain in replaced.items():
        if key in certain:
            # Some check surely replaces the answer: only the worse readings remain possible.
            effective[key] = domain
        else:
            effective[key] = given.get(key, ABSENT) | domain
    return effective


def evaluate_partial(defn: Definition, answers: Mapping[str, Any]) -> PartialResult:
    """Three-valued rules and obligations for `answers` (full-questionnaire keys) and every completion."""
    given = visible_state(defn, initial_state(defn, answers))
    worse = read_worse(defn, given)
    # With no contradiction that may hold, scoring reads the answers as given (as `scoring.score` does).
    state = visible_state(defn, worse) if worse is not None else given
    rules = fire_rules(defn, state)
    obligations = {o.code: eval3(o.when, state, rules) for o in defn.obligations}
    return PartialResult(rules=rules, obligations=obligations, state=state)
