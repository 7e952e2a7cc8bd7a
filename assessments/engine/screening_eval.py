"""Evaluating a screening: the answers it carries into the full questionnaire and whether the quick path opens.

`carry` turns screening answers into full-questionnaire answers (a direct question's answer as is, plus the
`implies` of each chosen answer; `unsure` carries nothing). `assess` evaluates every hard rule, escalation and
obligation three-valued over those answers (`partial.evaluate_partial`): the quick path opens only when every
hard rule is FALSE and no escalation may hold. Pure: no Django, no I/O.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from assessments.engine.definition import Definition
from assessments.engine.interpolate import fill
from assessments.engine.partial import evaluate_partial
from assessments.engine.screening_spec import UNSURE, Screening
from assessments.engine.threeval import Domain, Tri, Verdict, eval3, freeze, thaw

VERDICT_LOW_AFTER_SCREENING = "low_after_screening"


@dataclass
class Finding:
    """A rule, escalation or obligation that is TRUE or UNKNOWN after the screening, and what decides it.

    `keys`: the full-questionnaire questions that decide it; `screening_keys`: the screening questions (or
    `given` keys) that fill any of those in; `unasked`: deciding keys the screening neither asks nor implies.
    """

    kind: str  # "rule", "escalation" or "obligation"
    id: str
    state: str  # "true" or "unknown"
    title: str
    title_en: str
    keys: list[str] = field(default_factory=list)
    screening_keys: list[str] = field(default_factory=list)
    unasked: list[str] = field(default_factory=list)
    effect: str = ""  # a rule's effect (stop, high_risk)
    # What it means and where it comes from: a rule's explanation, an obligation's why (empty for escalations).
    text: str = ""
    text_en: str = ""
    source: str = ""
    source_en: str = ""

    @property
    def certain(self) -> bool:
        return self.state == Tri.TRUE.value


@dataclass
class ScreeningResult:
    """The outcome of a screening. `to_dict()` is JSON-ready."""

    questionnaire: str
    opens_quick_path: bool
    verdict: str | None  # VERDICT_LOW_AFTER_SCREENING when the quick path opens
    blocking: list[Finding]  # rules and escalations that keep the quick path closed, in definition order
    obligations_certain: list[Finding]
    obligations_possible: list[Finding]
    carried_answers: dict[str, Any]
    unsure: list[str]  # screening questions answered `unsure` or not at all

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def carry(screening: Screening, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The full-questionnaire answers that screening `answers` stand for, in screening order.

    Answers outside the screening's choices, and `unsure`, carry nothing; `given` keys carry as they are.
    """
    carried: dict[str, Any] = {}
    for question in screening.questions:
        choice = question.choice(answers.get(question.key))
        if choice is None or choice.value == UNSURE:
            continue
        if question.direct:
            carried[question.key] = choice.value
        carried.update(choice.implies)
    for key in screening.given:
        if answers.get(key) is not None:
            carried[key] = answers[key]
    return carried


def _finding(kind: str, item_id: str, verdict: Verdict, titles: tuple[str, str], screening: Screening) -> Finding:
    tri, why = verdict
    keys = sorted(why)
    screening_keys: list[str] = []
    unasked: list[str] = []
    for key in keys:
        found = screening.asked_for(key)
        if not found:
            unasked.append(key)
        for screening_key in found:
            if screening_key not in screening_keys:
                screening_keys.append(screening_key)
    return Finding(kind, item_id, tri.value, titles[0], titles[1], keys, screening_keys, unasked)


def _as_read(carried: Mapping[str, Any], state: Mapping[str, Domain]) -> dict[str, Any]:
    """The carried answers as a rule that fires reads them: where a contradiction may put in its worse reading
    (special categories of personal data read as confidential information), a title names that reading, as the
    full result does, not the answer it may overrule ("approved for up to internal, not internal" otherwise)."""
    read = dict(carried)
    for key, given in carried.items():
        domain = state.get(key)
        if domain is None or domain.any_text or domain.any_subset:
            continue
        others = [value for value in domain.values if value is not None and value != freeze(given)]
        if len(others) == 1:
            read[key] = thaw(others[0])
    return read


def assess(defn: Definition, screening: Screening, answers: Mapping[str, Any]) -> ScreeningResult:
    """Evaluate screening `answers` (assumed checked against the screening's choices)."""
    carried = carry(screening, answers)
    partial = evaluate_partial(defn, carried)
    read = _as_read(carried, partial.state)
    blocking: list[Finding] = []
    for rule in defn.rules:
        verdict = partial.rules[rule.id]
        if verdict[0] is not Tri.FALSE:
            # `{key}` in a title becomes the answer as read, as on the result page (`interpolate`).
            titles = (fill(rule.title, defn, read), fill(rule.title_en, defn, read, "en"))
            finding = _finding("rule", rule.id, verdict, titles, screening)
            finding.effect = rule.effect
            finding.text = fill(rule.explanation, defn, read).strip()
            finding.text_en = fill(rule.explanation_en, defn, read, "en").strip()
            finding.source, finding.source_en = rule.source, rule.source_en
            blocking.append(finding)
    # Escalations read the answers as the rules do (a hidden question has no answer); one that may hold closes
    # the quick path too.
    for escalation in screening.escalations:
        verdict = eval3(escalation.when, partial.state, partial.rules)
        if verdict[0] is not Tri.FALSE:
            titles = (escalation.reason, escalation.reason_en)
            blocking.append(_finding("escalation", escalation.id, verdict, titles, screening))
    certain: list[Finding] = []
    possible: list[Finding] = []
    for obligation in defn.obligations:
        verdict = partial.obligations[obligation.code]
        if verdict[0] is Tri.FALSE:
            continue
        finding = _finding("obligation", obligation.code, verdict, (obligation.title, obligation.title_en), screening)
        finding.text, finding.text_en = obligation.why.strip(), (obligation.why_en or obligation.why).strip()
        finding.source, finding.source_en = obligation.source, obligation.source_en
        (certain if verdict[0] is Tri.TRUE else possible).append(finding)
    opens = not blocking
    return ScreeningResult(
        questionnaire=defn.version,
        opens_quick_path=opens,
        verdict=VERDICT_LOW_AFTER_SCREENING if opens else None,
        blocking=blocking,
        obligations_certain=certain,
        obligations_possible=possible,
        carried_answers=carried,
        unsure=[q.key for q in screening.questions if answers.get(q.key) in (None, UNSURE)],
    )
