"""The risk arithmetic scoring and what-if share: which questions count, their points, the risk position.

`compute_core` evaluates one set of answers once (visibility, hard rules, points, per group of sections);
`raw_risk` applies the definition's method to the points; `risk_position` turns that into a score, a level and
an axis. Pure: no Django, no I/O.

Two methods (docs/scoring.md), named in the definition's `scoring.method`:

- `share_of_shown` (2026.1): risk points over the maximum of the shown questions; 80 % of the shown mitigation
  maximum multiplies the score by 0.85. A step that a risky answer opens raises the maximum, so disclosing more
  could lower the score.
- `monotonic` (2026.2): risk points over a fixed `risk_scale`, with the same mitigation rule, and measures in a step
  that only appears because of what was disclosed can never bring the score below what it would be without that
  step: the score is the highest over the ways of leaving such steps out. Disclosing more never lowers it.
"""

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assessments.engine.conditions import evaluate
from assessments.engine.definition import Definition, Question, Scoring, Section
from assessments.engine.visibility import visibility

KINDS = ("risk", "mitigation", "need")
CORE_GROUP = ""  # the sections that are always shown; every other shown section is a group of its own

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
    # Per group (CORE_GROUP first, then the shown branch sections in order): risk and mitigation points and
    # maxima. The `monotonic` method needs them; `share_of_shown` only uses their sums.
    groups: tuple[str, ...] = ()
    group_points: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def fired_ids(self) -> list[str]:
        return [rule_id for rule_id, fired in self.fired.items() if fired]


def fire_rules(defn: Definition, answers: Mapping[str, Any]) -> dict[str, bool]:
    # In order: a rule may only name earlier rules (the validator enforces it).
    fired: dict[str, bool] = {}
    for rule in defn.rules:
        fired[rule.id] = evaluate(rule.when, answers, fired)
    return fired


def compute_core(
    defn: Definition, answers: Mapping[str, Any], seen: tuple[list[Section], dict[str, Any]] | None = None
) -> Core:
    """`seen`: the `visibility` of these same answers, when the caller has it already."""
    shown, visible = seen if seen is not None else visibility(defn, answers)
    fired = fire_rules(defn, visible)
    scored: list[Question] = []
    shown_keys: list[str] = []
    points = dict.fromkeys(KINDS, 0)
    max_points = dict.fromkeys(KINDS, 0)
    group_points: dict[str, dict[str, float]] = {}
    for section in shown:
        group = CORE_GROUP if section.shown_when is None else section.key
        tally = group_points.setdefault(group, {"risk": 0, "mitigation": 0, "mitigation_max": 0})
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
            if counts:
                tally["risk"] += question.points("risk", value)
                tally["mitigation"] += question.points("mitigation", value)
            tally["mitigation_max"] += question.max_points("mitigation")
    return Core(
        shown=shown,
        visible=visible,
        fired=fired,
        scored=scored,
        scored_keys=frozenset(q.key for q in scored),
        shown_keys=frozenset(shown_keys),
        points=points,
        max_points=max_points,
        groups=tuple(group_points),
        group_points=group_points,
    )


def raw_risk(
    scoring: Scoring,
    risk: Sequence[float],
    mitigation: Sequence[float],
    mitigation_max: Sequence[float],
    shown_risk_max: float,
) -> tuple[float, bool]:
    """The unrounded risk score and whether the mitigation factor applied, by the definition's method.

    The sequences hold one entry per group, the core group first.
    """
    if scoring.method == "monotonic":
        return _monotonic(scoring, risk, mitigation, mitigation_max)
    raw = sum(risk) / shown_risk_max * 100 if shown_risk_max else 0.0
    applied = _mitigation_applies(scoring, sum(mitigation), sum(mitigation_max))
    return (raw * scoring.mitigation_factor if applied else raw), applied


def _mitigation_applies(scoring: Scoring, mitigation: float, mitigation_max: float) -> bool:
    return mitigation_max > 0 and mitigation + EPSILON >= scoring.mitigation_share * mitigation_max


def _monotonic(
    scoring: Scoring, risk: Sequence[float], mitigation: Sequence[float], mitigation_max: Sequence[float]
) -> tuple[float, bool]:
    total_risk, total_mitigation, total_max = sum(risk), sum(mitigation), sum(mitigation_max)
    if not _mitigation_applies(scoring, total_mitigation, total_max):
        # Counting every group gives the most risk points and no reduction: no subset can score higher.
        return total_risk / scoring.risk_scale * 100, False
    # The reduction applies with every group counted. Leaving out a branch group whose measures tipped the share
    # over the limit may score higher; only groups with mitigation points can do that, and there are few (the
    # branch steps with measures), so every combination of them is tried.
    best = total_risk * scoring.mitigation_factor
    best_applied = True
    optional = [i for i in range(1, len(risk)) if mitigation[i] > 0]
    for count in range(1, len(optional) + 1):
        for left_out in itertools.combinations(optional, count):
            points = total_risk - sum(risk[i] for i in left_out)
            applied = _mitigation_applies(
                scoring,
                total_mitigation - sum(mitigation[i] for i in left_out),
                total_max - sum(mitigation_max[i] for i in left_out),
            )
            if applied:
                points *= scoring.mitigation_factor
            if points > best:
                best, best_applied = points, applied
    return best / scoring.risk_scale * 100, best_applied


@dataclass(frozen=True)
class RiskPosition:
    score: float
    level: str
    rank: int
    axis: str
    mitigation_applied: bool
    fired: tuple[str, ...]


def risk_position(defn: Definition, raw: float, applied: bool, fired: tuple[str, ...]) -> RiskPosition:
    """The score, level and axis of an unrounded risk score (`raw_risk`) with the fired hard rules."""
    scoring = defn.scoring
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


def group_vectors(core: Core) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
    """Risk, mitigation and mitigation maximum per group, the core group first (an empty core counts as 0)."""
    names = [CORE_GROUP, *(g for g in core.groups if g != CORE_GROUP)]
    empty = {"risk": 0, "mitigation": 0, "mitigation_max": 0}
    rows = [core.group_points.get(name, empty) for name in names]
    return (
        tuple(row["risk"] for row in rows),
        tuple(row["mitigation"] for row in rows),
        tuple(row["mitigation_max"] for row in rows),
    )


def group_names(core: Core) -> list[str]:
    """The group order of `group_vectors`."""
    return [CORE_GROUP, *(g for g in core.groups if g != CORE_GROUP)]


def core_risk(defn: Definition, core: Core) -> RiskPosition:
    risk, mitigation, mitigation_max = group_vectors(core)
    raw, applied = raw_risk(defn.scoring, risk, mitigation, mitigation_max, core.max_points["risk"])
    return risk_position(defn, raw, applied, tuple(core.fired_ids))
