"""Scoring: (questionnaire definition, answers) -> result. Pure: no ORM, no I/O.

The method is in docs/scoring.md; the rules it follows are in ../shared/design/questionnaire.md ("Scoring").
All weights, thresholds, hard rules, need caps and obligations come from the definition; nothing about a
particular question is written here.
"""

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from assessments.conditions import evaluate, explain
from assessments.questionnaire import (
    Definition,
    Question,
    Section,
    _missing,
    _visibility,
    as_definition,
)

VERDICT_LABELS = {
    "stop": "Stopp",
    "recommended": "Anbefalt",
    "low_priority": "Lav prioritet",
    "proceed_with_safeguards": "Kun med tiltak",
    "advise_against": "Frarådes",
}
VERDICT_LABELS_EN = {
    "stop": "Stop",
    "recommended": "Recommended",
    "low_priority": "Low priority",
    "proceed_with_safeguards": "Only with safeguards",
    "advise_against": "Advised against",
}
LEVEL_LABELS = {"low": "Lav", "moderate": "Moderat", "significant": "Betydelig", "very_high": "Svært høy"}
LEVEL_LABELS_EN = {"low": "Low", "moderate": "Moderate", "significant": "Significant", "very_high": "Very high"}
AXIS_LABELS = {"low": "Lav", "high": "Høy"}
QUADRANT_LABELS = {
    "low_risk_high_need": "Lav risiko, høyt behov",
    "low_risk_low_need": "Lav risiko, lavt behov",
    "high_risk_high_need": "Høy risiko, høyt behov",
    "high_risk_low_need": "Høy risiko, lavt behov",
}
EFFECT_LABELS = {"stop": "Stopp", "high_risk": "Høy risiko"}
KIND_LABELS = {"risk": "Risiko", "mitigation": "Tiltak", "need": "Behov"}

QUADRANT_VERDICTS = {
    "low_risk_high_need": "recommended",
    "low_risk_low_need": "low_priority",
    "high_risk_high_need": "proceed_with_safeguards",
    "high_risk_low_need": "advise_against",
}
KINDS = ("risk", "mitigation", "need")

# Comparisons of sums of points against a share of a maximum must not trip over 0.8 * 35 = 28.000000000000004.
_EPSILON = 1e-9


@dataclass
class Result:
    """The result of scoring one set of answers. `to_dict()` is JSON-ready and is what gets stored."""

    questionnaire: str
    risk: dict[str, Any]
    need: dict[str, Any]
    quadrant: str
    verdict: str
    complete: bool
    missing: list[str] = field(default_factory=list)
    hard_rules: list[dict[str, Any]] = field(default_factory=list)
    obligations: list[dict[str, Any]] = field(default_factory=list)
    contributions: list[dict[str, Any]] = field(default_factory=list)
    what_if: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Result":
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.risk["level"], self.risk["level"])

    @property
    def quadrant_label(self) -> str:
        return QUADRANT_LABELS[self.quadrant]

    @property
    def rule_ids(self) -> list[str]:
        return [r["id"] for r in self.hard_rules]

    @property
    def obligation_codes(self) -> list[str]:
        return [o["code"] for o in self.obligations]

    @property
    def stopped(self) -> bool:
        return self.verdict == "stop"


def round_score(value: float) -> float:
    """One decimal, halves up (24.95 -> 25.0), as the thresholds are applied to the rounded score."""
    return math.floor(value * 10 + 0.5 + _EPSILON) / 10


@dataclass
class _Core:
    """Everything about one set of answers that the what-if search needs to re-use."""

    shown: list[Section]
    visible: dict[str, Any]
    fired: dict[str, bool]
    scored: list[Question]
    scored_keys: frozenset[str]
    shown_keys: frozenset[str]
    points: dict[str, float]
    max_points: dict[str, float]

    @property
    def fired_ids(self) -> list[str]:
        return [rule_id for rule_id, fired in self.fired.items() if fired]


def _fire_rules(defn: Definition, answers: Mapping[str, Any]) -> dict[str, bool]:
    # In order: a rule may only name earlier rules (the validator enforces it).
    fired: dict[str, bool] = {}
    for rule in defn.rules:
        fired[rule.id] = evaluate(rule.when, answers, fired)
    return fired


def _core(defn: Definition, answers: Mapping[str, Any]) -> _Core:
    shown, visible = _visibility(defn, answers)
    fired = _fire_rules(defn, visible)
    scored: list[Question] = []
    shown_keys: list[str] = []
    points = dict.fromkeys(KINDS, 0)
    max_points = dict.fromkeys(KINDS, 0)
    for section in shown:
        for question in section.questions:
            shown_keys.append(question.key)
            if question.scored_when is not None and not evaluate(question.scored_when, visible, fired):
                continue
            scored.append(question)
            value = visible.get(question.key)
            for kind in KINDS:
                if question.points_map(kind):
                    max_points[kind] += question.max_points(kind)
                    points[kind] += question.points(kind, value)
    return _Core(
        shown=shown,
        visible=visible,
        fired=fired,
        scored=scored,
        scored_keys=frozenset(q.key for q in scored),
        shown_keys=frozenset(shown_keys),
        points=points,
        max_points=max_points,
    )


@dataclass(frozen=True)
class _Risk:
    score: float
    level: str
    rank: int
    axis: str
    mitigation_applied: bool
    fired: tuple[str, ...]


def _risk(defn: Definition, points: float, max_points: float, mitigation: float, mitigation_max: float,
          fired: tuple[str, ...]) -> _Risk:  # fmt: skip
    scoring = defn.scoring
    raw = points / max_points * 100 if max_points else 0.0
    applied = mitigation_max > 0 and mitigation + _EPSILON >= scoring.mitigation_share * mitigation_max
    if applied:
        raw *= scoring.mitigation_factor
    score = min(100.0, max(0.0, round_score(raw)))
    level = scoring.level_for(score)
    rank = scoring.level_rank(level)
    if fired:
        # A hard rule holds the axis high, so it also lifts the level: level and axis never disagree.
        high_rank = scoring.level_rank(scoring.high_level)
        if rank < high_rank:
            level, rank = scoring.high_level, high_rank
    axis = "high" if score >= scoring.risk_high_at or fired else "low"
    return _Risk(score, level, rank, axis, applied, fired)


def _core_risk(defn: Definition, core: _Core) -> _Risk:
    return _risk(
        defn,
        core.points["risk"],
        core.max_points["risk"],
        core.points["mitigation"],
        core.max_points["mitigation"],
        tuple(core.fired_ids),
    )


def score(defn: Definition | Mapping[str, Any], answers: Mapping[str, Any]) -> Result:
    """Score `answers` (cleaned, as from `validate_answers`) against a questionnaire definition."""
    d = as_definition(defn)
    core = _core(d, answers)
    visible, fired = core.visible, core.fired
    risk = _core_risk(d, core)

    need_points, need_max = core.points["need"], core.max_points["need"]
    need_score = min(100.0, round_score(need_points / need_max * 100)) if need_max else 0.0
    capped_by = [cap.id for cap in d.need_caps if evaluate(cap.when, visible, fired)]
    need_axis = "high" if need_score >= d.scoring.need_high_at and not capped_by else "low"

    quadrant = f"{risk.axis}_risk_{need_axis}_need"
    stop = any(fired[r.id] and r.effect == "stop" for r in d.rules)
    verdict = "stop" if stop else QUADRANT_VERDICTS[quadrant]

    hard_rules, rule_triggers = _hard_rules(d, visible, fired)
    return Result(
        questionnaire=d.version,
        risk={
            "score": risk.score,
            "level": risk.level,
            "axis": risk.axis,
            "points": core.points["risk"],
            "max_points": core.max_points["risk"],
            "mitigation": {
                "points": core.points["mitigation"],
                "max_points": core.max_points["mitigation"],
                "applied": risk.mitigation_applied,
            },
        },
        need={
            "score": need_score,
            "axis": need_axis,
            "capped_by": capped_by,
            "points": need_points,
            "max_points": need_max,
        },
        quadrant=quadrant,
        verdict=verdict,
        complete=not (missing := _missing(d, core.shown, visible)),
        missing=missing,
        hard_rules=hard_rules,
        obligations=_obligations(d, visible, fired, rule_triggers),
        contributions=_contributions(core),
        what_if=_WhatIf(d, answers, core, risk).run(),
    )


def _hard_rules(
    defn: Definition, visible: Mapping[str, Any], fired: Mapping[str, bool]
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    out: list[dict[str, Any]] = []
    triggers: dict[str, dict[str, Any]] = {}
    for rule in defn.rules:
        if not fired[rule.id]:
            continue
        triggers[rule.id] = explain(rule.when, visible, fired, triggers)[0]
        out.append(
            {
                "id": rule.id,
                "title": rule.title,
                "title_en": rule.title_en,
                "effect": rule.effect,
                "explanation": rule.explanation,
                "source": rule.source,
                "triggered_by": triggers[rule.id],
            }
        )
    return out, triggers


def _answer_phrase(defn: Definition, key: str, value: Any) -> str:
    question = defn.questions.get(key)
    if question is None:
        return f"«{key}»"
    return f"«{question.label}»: {question.value_label(value)}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " og " + parts[-1]


def _obligations(
    defn: Definition,
    visible: Mapping[str, Any],
    fired: Mapping[str, bool],
    rule_triggers: Mapping[str, Mapping[str, Any]],
) -> list[dict[str, Any]]:
    rules = {r.id: r for r in defn.rules}
    out = []
    for obligation in defn.obligations:
        if not evaluate(obligation.when, visible, fired):
            continue
        direct, rule_ids = explain(obligation.when, visible, fired)
        reasons = []
        if rule_ids:
            titles = [f"«{rules[r].title}»" for r in rule_ids]
            reasons.append(f"{'regelen' if len(titles) == 1 else 'reglene'} {_join(titles)} slo til")
        if direct:
            reasons.append("svarene " + "; ".join(_answer_phrase(defn, k, v) for k, v in direct.items()))
        reason = f"Gjelder her fordi {' og '.join(reasons)}." if reasons else "Gjelder alle KI-tiltak."
        triggered_by = dict(direct)
        for rule_id in rule_ids:
            for key, value in rule_triggers.get(rule_id, {}).items():
                triggered_by.setdefault(key, value)
        out.append(
            {
                "code": obligation.code,
                "title": obligation.title,
                "title_en": obligation.title_en,
                "why": f"{obligation.why.strip()} {reason}",
                "source": obligation.source,
                "rules": rule_ids,
                "triggered_by": triggered_by,
            }
        )
    return out


def _contributions(core: _Core) -> list[dict[str, Any]]:
    """Every answered question's points per kind, largest share of its axis first."""
    rows = []
    for question in core.scored:
        value = core.visible.get(question.key)
        if value is None:
            continue
        for kind_index, kind in enumerate(KINDS):
            if not question.points_map(kind):
                continue
            points = question.points(kind, value)
            total = core.max_points[kind]
            impact = points / total if total else 0.0
            rows.append(
                (
                    -impact,
                    kind_index,
                    question.order,
                    {
                        "key": question.key,
                        "section": question.section,
                        "label": question.label,
                        "kind": kind,
                        "value": value,
                        "points": points,
                        "max_points": question.max_points(kind),
                    },
                )
            )
    rows.sort(key=lambda row: row[:3])
    return [row[3] for row in rows]


@lru_cache(maxsize=4096)
def _best_value(question: Question) -> Any:
    """The answer with the most mitigation points (ties: the least risk, then the first listed)."""
    return max(
        question.values,
        key=lambda v: (question.points("mitigation", v), -question.points("risk", v)),
    )


class _WhatIf:
    """The smallest set of mitigation answers that, set to their best value, lowers the risk level.

    Every candidate set is re-scored in full. Answers that can change branching (or which questions count)
    get a full re-evaluation of visibility and rules, cached per distinct set of such changes; the other
    changes are applied as differences in points, re-evaluating the hard rules when the changed key is one
    they look at. Search: single changes, then pairs, then greedily adding the change that lowers the score
    most. When even changing every candidate does not lower the level, nothing does (best values never add
    risk points), and the note says which hard rule holds the level.
    """

    def __init__(self, defn: Definition, answers: Mapping[str, Any], core: _Core, risk: _Risk):
        self.defn = defn
        self.answers = answers
        self.base = core
        self.risk = risk
        self.cores: dict[frozenset[tuple[str, Any]], _Core] = {frozenset(): core}

    def candidates(self) -> list[Question]:
        out = []
        for question in self.base.scored:
            if not question.mitigation or question.type == "multi":
                continue
            best = _best_value(question)
            current = self.base.visible.get(question.key)
            if current is None or question.points("mitigation", current) < question.points("mitigation", best):
                out.append(question)
        return out

    def outcome(self, changed: Iterable[Question]) -> _Risk:
        defn = self.defn
        branching = frozenset((q.key, _best_value(q)) for q in changed if q.key in defn.branching_keys)
        core = self.cores.get(branching)
        if core is None:
            core = _core(defn, {**self.answers, **dict(branching)})
            self.cores[branching] = core
        risk, mitigation = core.points["risk"], core.points["mitigation"]
        rule_changes: dict[str, Any] = {}
        for question in changed:
            key = question.key
            if key in defn.branching_keys or key not in core.shown_keys:
                continue
            best = _best_value(question)
            if key in core.scored_keys:
                old = core.visible.get(key)
                risk += question.points("risk", best) - question.points("risk", old)
                mitigation += question.points("mitigation", best) - question.points("mitigation", old)
            if key in defn.rule_keys:
                rule_changes[key] = best
        if rule_changes:
            fired = _fire_rules(defn, {**core.visible, **rule_changes})
            fired_ids = tuple(rule_id for rule_id, hit in fired.items() if hit)
        else:
            fired_ids = tuple(core.fired_ids)
        return _risk(defn, risk, core.max_points["risk"], mitigation, core.max_points["mitigation"], fired_ids)

    def _rule_titles(self, rule_ids: Iterable[str]) -> str:
        return _join([f"«{self.defn.rule(r).title}» ({r})" for r in rule_ids])

    def result(self, possible: bool, changed: list[Question], outcome: _Risk, note: str) -> dict[str, Any]:
        changes = []
        for question in sorted(changed, key=lambda q: q.order):
            current = self.base.visible.get(question.key)
            best = _best_value(question)
            changes.append(
                {
                    "key": question.key,
                    "label": question.label,
                    "from": current,
                    "to": best,
                    "from_label": question.value_label(current),
                    "to_label": question.value_label(best),
                }
            )
        return {
            "possible": possible,
            "changes": changes,
            "score": outcome.score,
            "level": outcome.level,
            "axis": outcome.axis,
            "note": note,
        }

    def run(self) -> dict[str, Any]:
        current = self.risk
        if current.rank == 0:
            return self.result(False, [], current, "Risikonivået er allerede lavt; det er ikke noe lavere nivå å nå.")
        candidates = self.candidates()

        def better(a: tuple[_Risk, list[Question]], b: tuple[_Risk, list[Question]]) -> bool:
            return (a[0].rank, a[0].score) < (b[0].rank, b[0].score)

        def first_success(sets: Iterable[tuple[Question, ...]]) -> tuple[_Risk, list[Question]] | None:
            found = None
            for changed in sets:
                outcome = self.outcome(changed)
                if outcome.rank < current.rank and (found is None or better((outcome, list(changed)), found)):
                    found = (outcome, list(changed))
            return found

        found = first_success((c,) for c in candidates)
        if found is None:
            everything = self.outcome(candidates)
            if everything.rank >= current.rank:
                return self.result(False, [], current, self._impossible_note(candidates, everything))
            found = first_success(itertools.combinations(candidates, 2))
        if found is None:
            found = self._greedy(candidates)
        outcome, changed = found
        return self.result(True, changed, outcome, self._possible_note(outcome, len(changed)))

    def _greedy(self, candidates: list[Question]) -> tuple[_Risk, list[Question]]:
        chosen: list[Question] = []
        remaining = list(candidates)
        outcome = self.risk
        while remaining and outcome.rank >= self.risk.rank:
            best_pick = None
            for question in remaining:
                trial = self.outcome([*chosen, question])
                if best_pick is None or (trial.rank, trial.score) < (best_pick[0].rank, best_pick[0].score):
                    best_pick = (trial, question)
            outcome, question = best_pick
            chosen.append(question)
            remaining.remove(question)
        return outcome, chosen

    def _possible_note(self, outcome: _Risk, count: int) -> str:
        current = self.risk
        what = "denne endringen" if count == 1 else f"disse {count} endringene"
        note = (
            f"Med {what} går risikonivået fra «{LEVEL_LABELS.get(current.level, current.level)}» "
            f"til «{LEVEL_LABELS.get(outcome.level, outcome.level)}»"
        )
        if current.axis == "high" and outcome.axis == "low":
            note += ", og risikoen blir lav i matrisen"
        note += "."
        held = [r for r in outcome.fired if r in current.fired]
        if held:
            note += f" Regelen {self._rule_titles(held)} gjelder fortsatt."
        return note

    def _impossible_note(self, candidates: list[Question], everything: _Risk) -> str:
        if everything.fired:
            rules = self._rule_titles(everything.fired)
            word = "Regelen" if len(everything.fired) == 1 else "Reglene"
            return (
                f"Ingen tiltak senker risikonivået: {word} {rules} holder risikoen høy uansett hva som "
                "svares på tiltaksspørsmålene. Det som utløser regelen, må endres."
            )
        if not candidates:
            return "Alle tiltaksspørsmål har allerede det beste svaret; risikoen kommer fra egenskaper ved tiltaket."
        return (
            "Selv det beste svaret på alle tiltaksspørsmålene senker ikke risikonivået; risikoen kommer fra "
            "egenskaper ved tiltaket, ikke fra manglende tiltak."
        )


def summary_json(result: Result | Mapping[str, Any]) -> dict[str, Any]:
    """The `score_answers` output: exactly the agreed top-level keys."""
    r = result.to_dict() if isinstance(result, Result) else result
    return {
        "questionnaire": r["questionnaire"],
        "risk": {key: r["risk"][key] for key in ("score", "level", "axis")},
        "need": {key: r["need"][key] for key in ("score", "axis", "capped_by")},
        "quadrant": r["quadrant"],
        "verdict": r["verdict"],
        "complete": r["complete"],
        "hard_rules": [rule["id"] for rule in r["hard_rules"]],
        "obligations": [obligation["code"] for obligation in r["obligations"]],
        "contributions": r["contributions"],
        "what_if": r["what_if"],
    }
