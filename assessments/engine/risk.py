"""The risk arithmetic scoring and what-if share: which questions count, their points, the risk position.

`compute_core` evaluates one set of answers once (visibility, hard rules, points); `risk_position` turns
points into a score, a level and an axis. Pure: no Django, no I/O.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessments.engine.conditions import evaluate
from assessments.engine.definition import Definition, Question, Section
from assessments.engine.visibility import visibility

KINDS = ("risk", "mitigation", "need")

# Comparisons of sums of points against a share of a maximum must not trip over 0.8 * 35 = 28.000000000000004.
EPSILON = 1e-9


def round_score(value: float) -> float:
    """One decimal, halves up (24.95 -> 25.0), as the thresholds are applied to the rounded score."""
    return math.floor(value * 10 + 0.5 + EPSILON) / 10


@dataclass
class Core:
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


def fire_rules(defn: Definition, answers: Mapping[str, Any]) -> dict[str, bool]:
    # In order: a rule may only name earlier rules (the validator enforces it).
    fired: dict[str, bool] = {}
    for rule in defn.rules:
        fired[rule.id] = evaluate(rule.when, answers, fired)
    return fired


def compute_core(defn: Definition, answers: Mapping[str, Any]) -> Core:
    shown, visible = visibility(defn, answers)
    fired = fire_rules(defn, visible)
    scored: list[Question] = []
    shown_keys: list[str] = []
    points = dict.fromkeys(KINDS, 0)
    max_points = dict.fromkeys(KINDS, 0)
    for section in shown:
        for question in section.questions:
            shown_keys.append(question.key)
            # `scored_when` withholds a shown question's points; its maximum still counts, so an answer
            # that switches the points off can never make the share of mitigation look better.
            counts = question.scored_when is None or evaluate(question.scored_when, visible, fired)
            if counts:
                scored.append(question)
            value = visible.get(question.key)
            for kind in KINDS:
                if question.points_map(kind):
                    max_points[kind] += question.max_points(kind)
                    if counts:
                        points[kind] += question.points(kind, value)
    return Core(
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
class RiskPosition:
    score: float
    level: str
    rank: int
    axis: str
    mitigation_applied: bool
    fired: tuple[str, ...]


def risk_position(defn: Definition, points: float, max_points: float, mitigation: float, mitigation_max: float,
          fired: tuple[str, ...]) -> RiskPosition:  # fmt: skip
    scoring = defn.scoring
    raw = points / max_points * 100 if max_points else 0.0
    applied = mitigation_max > 0 and mitigation + EPSILON >= scoring.mitigation_share * mitigation_max
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
    return RiskPosition(score, level, rank, axis, applied, fired)


def core_risk(defn: Definition, core: Core) -> RiskPosition:
    return risk_position(
        defn,
        core.points["risk"],
        core.max_points["risk"],
        core.points["mitigation"],
        core.max_points["mitigation"],
        tuple(core.fired_ids),
    )
