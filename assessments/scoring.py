"""Scoring: (questionnaire definition, answers) -> result. Pure: no ORM, no I/O.

The method is in docs/scoring.md; the rules it follows are in ../shared/design/questionnaire.md ("Scoring").
All weights, thresholds, hard rules, need caps and obligations come from the definition; nothing about a
particular question is written here.
"""

import bisect
import math
from collections.abc import Callable, Iterable, Mapping
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
LEVEL_LABELS_EN = {
    "low": "Low",
    "moderate": "Moderate",
    "significant": "Significant",
    "very_high": "Very high",
}
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


@dataclass(frozen=True)
class _Wording:
    """The sentences a result explains itself with, in one language: `why` of obligations, what-if notes.

    The result carries both: `why`/`note` in bokmål (as always) and `why_en`/`note_en` in English, built
    from the definition's `*_en` texts where it has them (its bokmål texts where it does not).
    """

    english: bool
    and_: str
    levels: Mapping[str, str]
    rule: tuple[str, str]  # singular, plural
    answer: tuple[str, str]
    fired: str
    because: str
    always: str
    changes: tuple[str, str]
    lowers: str
    axis_low: str
    still: tuple[str, str]  # singular, plural
    already_low: str
    held: tuple[str, str]
    all_best: str
    from_the_case: str

    def rule_title(self, rule: Any) -> str:
        return (rule.title_en or rule.title) if self.english else rule.title

    def answer_phrase(self, defn: Definition, key: str, value: Any) -> str:
        question = defn.questions.get(key)
        if question is None:
            return f"«{key}»"
        label = (question.label_en or question.label) if self.english else question.label
        return f"«{label}»: {question.value_label(value, 'en' if self.english else 'nb')}"

    def join(self, parts: list[str]) -> str:
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" {self.and_} " + parts[-1]

    def rules(self, plural: bool) -> dict[str, str]:
        """`{rules}` and, to start a sentence, `{Rules}` for a template."""
        word = self.rule[plural]
        return {"rules": word, "Rules": word.capitalize()}

    def level(self, level: str) -> str:
        return self.levels.get(level, level)


_NB = _Wording(
    english=False,
    and_="og",
    levels=LEVEL_LABELS,
    rule=("regelen", "reglene"),
    answer=("svaret", "svarene"),
    fired="{rules} {titles} slo til",
    because="Gjelder her fordi {reasons}.",
    always="Gjelder alle KI-tiltak.",
    changes=("denne endringen", "disse {count} endringene"),
    lowers="Med {what} går risikonivået fra «{old}» til «{new}»",
    axis_low=", og risikoen blir lav i matrisen",
    still=(" {Rules} {titles} gjelder fortsatt.",) * 2,
    already_low="Risikonivået er allerede lavt; det er ikke noe lavere nivå å nå.",
    held=(
        "Ingen tiltak senker risikonivået: {Rules} {titles} holder risikoen høy uansett hva som svares på "
        "tiltaksspørsmålene. Det som utløser regelen, må endres.",
    )
    * 2,
    all_best=("Alle tiltaksspørsmål har allerede det beste svaret; risikoen kommer fra egenskaper ved tiltaket."),
    from_the_case=(
        "Selv det beste svaret på alle tiltaksspørsmålene senker ikke risikonivået; risikoen kommer fra "
        "egenskaper ved tiltaket, ikke fra manglende tiltak."
    ),
)
_EN = _Wording(
    english=True,
    and_="and",
    levels=LEVEL_LABELS_EN,
    rule=("the rule", "the rules"),
    answer=("the answer", "the answers"),
    fired="{rules} {titles} fired",
    because="Applies here because {reasons}.",
    always="Applies to every AI initiative.",
    changes=("this change", "these {count} changes"),
    lowers="With {what} the risk level goes from «{old}» to «{new}»",
    axis_low=", and the risk becomes low in the matrix",
    still=(" {Rules} {titles} still applies.", " {Rules} {titles} still apply."),
    already_low="The risk level is already low; there is no lower level to reach.",
    held=(
        "No safeguard lowers the risk level: {rules} {titles} holds the risk high whatever the answers to "
        "the safeguard questions. What triggers the rule has to change.",
        "No safeguard lowers the risk level: {rules} {titles} hold the risk high whatever the answers to "
        "the safeguard questions. What triggers the rules has to change.",
    ),
    all_best="Every safeguard question already has the best answer; the risk comes from the initiative itself.",
    from_the_case=(
        "Even the best answer to every safeguard question does not lower the risk level; the risk comes from "
        "the initiative itself, not from missing safeguards."
    ),
)

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
        what_if=_WhatIf(d, core, risk).run(),
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
                "explanation_en": rule.explanation_en,
                "source": rule.source,
                "triggered_by": triggers[rule.id],
            }
        )
    return out, triggers


def _reason(
    defn: Definition, w: _Wording, direct: Mapping[str, Any], rule_ids: list[str], rules: Mapping[str, Any]
) -> str:
    """Why an obligation applies here: the rules that fired and the answers, by their question labels."""
    reasons = []
    if rule_ids:
        titles = w.join([f"«{w.rule_title(rules[r])}»" for r in rule_ids])
        reasons.append(w.fired.format(rules=w.rule[len(rule_ids) > 1], titles=titles))
    if direct:
        phrases = "; ".join(w.answer_phrase(defn, k, v) for k, v in direct.items())
        reasons.append(f"{w.answer[len(direct) > 1]} {phrases}")
    return w.because.format(reasons=f" {w.and_} ".join(reasons)) if reasons else w.always


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
        triggered_by = dict(direct)
        for rule_id in rule_ids:
            for key, value in rule_triggers.get(rule_id, {}).items():
                triggered_by.setdefault(key, value)
        why_en = (obligation.why_en or obligation.why).strip()
        out.append(
            {
                "code": obligation.code,
                "title": obligation.title,
                "title_en": obligation.title_en,
                "why": f"{obligation.why.strip()} {_reason(defn, _NB, direct, rule_ids, rules)}",
                "why_en": f"{why_en} {_reason(defn, _EN, direct, rule_ids, rules)}",
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


@dataclass(frozen=True, eq=False)
class _Candidate:
    question: Question
    best: Any
    d_risk: float  # change in risk points against the current answer
    d_mitigation: float
    touches_rules: bool  # a hard rule looks at this answer

    @property
    def key(self) -> str:
        return self.question.key


@dataclass(frozen=True, eq=False)
class _Trial:
    rank: int
    score: float
    risk_points: float
    mitigation_points: float
    fired: tuple[str, ...]
    members: tuple[_Candidate, ...]

    @property
    def key(self) -> tuple[Any, ...]:
        # Lowest level, then score, then the most mitigation and the least risk.
        return (self.rank, self.score, -self.mitigation_points, self.risk_points)


class _WhatIf:
    """The smallest set of mitigation answers that, set to their best value, lowers the risk level.

    Candidates are the shown mitigation questions whose answer is not yet the best, except answers that
    decide branching (such as the art. 6(3) exemption): changing those changes what the use case is, not
    how well it is safeguarded. Every candidate set is re-scored in full: the points change by the
    difference of the answers, and the hard rules are evaluated again when one looks at a changed answer
    (tr_disclose = yes ends undisclosed_ai). Search: single changes, then pairs, then greedily adding the
    change that helps most. When even changing every candidate does not lower the level, nothing does
    (best values never add risk points or fire rules), and the note says which hard rule holds the level.
    """

    def __init__(self, defn: Definition, core: _Core, risk: _Risk):
        self.defn = defn
        self.base = core
        self.risk = risk
        scoring = defn.scoring
        self.thresholds = [threshold for threshold, _ in scoring.risk_levels]
        self.high_rank = scoring.level_rank(scoring.high_level)
        self.risk_max = core.max_points["risk"]
        mitigation_max = core.max_points["mitigation"]
        # Mitigation applies from this many points (never, without mitigation questions).
        self.mitigation_needed = scoring.mitigation_share * mitigation_max - _EPSILON if mitigation_max else math.inf
        self.factor = scoring.mitigation_factor
        self.fired_cache: dict[frozenset[tuple[str, Any]], tuple[str, ...]] = {frozenset(): risk.fired}
        self.candidates = self._candidates()

    def _candidates(self) -> list[_Candidate]:
        out = []
        visible = self.base.visible
        for question in self.base.scored:
            if not question.mitigation or question.type == "multi" or question.key in self.defn.branching_keys:
                continue
            best = _best_value(question)
            current = visible.get(question.key)
            if current is not None and question.points("mitigation", current) >= question.points("mitigation", best):
                continue
            out.append(
                _Candidate(
                    question=question,
                    best=best,
                    d_risk=question.points("risk", best) - question.points("risk", current),
                    d_mitigation=question.points("mitigation", best) - question.points("mitigation", current),
                    touches_rules=question.key in self.defn.rule_keys,
                )
            )
        return out

    def _quick(self, risk: float, mitigation: float, fired: bool) -> tuple[int, float]:
        # The arithmetic of `_risk` without building a result: the search calls this hundreds of times.
        raw = risk / self.risk_max * 100 if self.risk_max else 0.0
        if mitigation >= self.mitigation_needed:
            raw *= self.factor
        score = min(100.0, max(0.0, round_score(raw)))
        rank = bisect.bisect_right(self.thresholds, score) - 1
        if fired and rank < self.high_rank:
            rank = self.high_rank
        return rank, score

    def _fired(self, members: Iterable[_Candidate]) -> tuple[str, ...]:
        changes = frozenset((c.key, c.best) for c in members if c.touches_rules)
        fired = self.fired_cache.get(changes)
        if fired is None:
            hits = _fire_rules(self.defn, {**self.base.visible, **dict(changes)})
            fired = self.fired_cache[changes] = tuple(rule_id for rule_id, hit in hits.items() if hit)
        return fired

    def _start(self) -> _Trial:
        base, risk = self.base, self.risk
        return _Trial(risk.rank, risk.score, base.points["risk"], base.points["mitigation"], risk.fired, ())

    def _extend(self, prefix: _Trial, c: _Candidate) -> _Trial:
        members = (*prefix.members, c)
        fired = self._fired(members) if c.touches_rules else prefix.fired
        risk = prefix.risk_points + c.d_risk
        mitigation = prefix.mitigation_points + c.d_mitigation
        rank, score = self._quick(risk, mitigation, bool(fired))
        return _Trial(rank, score, risk, mitigation, fired, members)

    def _best_extension(self, prefix: _Trial, pool: Iterable[_Candidate], success_only: bool) -> _Trial | None:
        # `pool` is in questionnaire order, so on equal keys the first one found wins. The inner loop of
        # the search: a trial is only built for the winner.
        best_key, best = None, None
        limit = self.risk.rank if success_only else math.inf
        for c in pool:
            fired = self._fired((*prefix.members, c)) if c.touches_rules else prefix.fired
            risk = prefix.risk_points + c.d_risk
            mitigation = prefix.mitigation_points + c.d_mitigation
            rank, score = self._quick(risk, mitigation, bool(fired))
            if rank >= limit:
                continue
            key = (rank, score, -mitigation, risk)
            if best_key is None or key < best_key:
                best_key, best = key, (rank, score, risk, mitigation, fired, c)
        if best is None:
            return None
        rank, score, risk, mitigation, fired, c = best
        return _Trial(rank, score, risk, mitigation, fired, (*prefix.members, c))

    def run(self) -> dict[str, Any]:
        current = self.risk
        if current.rank == 0:
            return self._result(None, lambda w: w.already_low)
        candidates = self.candidates
        start = self._start()
        found = self._best_extension(start, candidates, success_only=True)
        if found is not None:
            return self._result(found, lambda w: self._possible_note(found, w))
        everything = start
        for c in candidates:
            everything = self._extend(everything, c)
        if everything.rank >= current.rank:
            return self._result(None, lambda w: self._impossible_note(everything, w))
        if self._pairs_may_work(everything.fired):
            for i, first in enumerate(candidates):
                pair = self._best_extension(self._extend(start, first), candidates[i + 1 :], success_only=True)
                if pair is not None and (found is None or pair.key < found.key):
                    found = pair
        if found is None:
            found = self._greedy(start)
        return self._result(found, lambda w: self._possible_note(found, w))

    def _pairs_may_work(self, held: tuple[str, ...]) -> bool:
        """An optimistic bound: the two largest gains of each kind together, with only the rules that hold."""
        risk_gain = sum(sorted(c.d_risk for c in self.candidates)[:2])
        mitigation_gain = sum(sorted((c.d_mitigation for c in self.candidates), reverse=True)[:2])
        rank, _ = self._quick(
            self.base.points["risk"] + risk_gain, self.base.points["mitigation"] + mitigation_gain, bool(held)
        )
        return rank < self.risk.rank

    def _greedy(self, start: _Trial) -> _Trial:
        trial = start
        remaining = list(self.candidates)
        while remaining and trial.rank >= self.risk.rank:
            trial = self._best_extension(trial, remaining, success_only=False)
            remaining.remove(trial.members[-1])
        return trial

    def _rule_titles(self, rule_ids: Iterable[str], w: _Wording) -> str:
        return w.join([f"«{w.rule_title(self.defn.rule(r))}» ({r})" for r in rule_ids])

    def _result(self, found: _Trial | None, note: Callable[[_Wording], str]) -> dict[str, Any]:
        """The `what_if` dict; `note(wording)` writes the note in one language (`note`, `note_en`)."""
        if found is None:
            risk, changes = self.risk, []
        else:
            base = self.base
            risk = _risk(
                self.defn,
                found.risk_points,
                base.max_points["risk"],
                found.mitigation_points,
                base.max_points["mitigation"],
                found.fired,
            )
            changes = [
                {
                    "key": c.key,
                    "label": c.question.label,
                    "from": base.visible.get(c.key),
                    "to": c.best,
                    "from_label": c.question.value_label(base.visible.get(c.key)),
                    "to_label": c.question.value_label(c.best),
                }
                for c in sorted(found.members, key=lambda c: c.question.order)
            ]
        return {
            "possible": found is not None,
            "changes": changes,
            "score": risk.score,
            "level": risk.level,
            "axis": risk.axis,
            "note": note(_NB),
            "note_en": note(_EN),
        }

    def _possible_note(self, found: _Trial, w: _Wording) -> str:
        current = self.risk
        level = self.defn.scoring.risk_levels[found.rank][1]
        count = len(found.members)
        what = w.changes[0] if count == 1 else w.changes[1].format(count=count)
        note = w.lowers.format(what=what, old=w.level(current.level), new=w.level(level))
        if current.axis == "high" and found.rank < self.high_rank:
            note += w.axis_low
        note += "."
        if found.fired:
            plural = len(found.fired) > 1
            note += w.still[plural].format(**w.rules(plural), titles=self._rule_titles(found.fired, w))
        return note

    def _impossible_note(self, everything: _Trial, w: _Wording) -> str:
        if everything.fired:
            plural = len(everything.fired) > 1
            return w.held[plural].format(**w.rules(plural), titles=self._rule_titles(everything.fired, w))
        if not self.candidates:
            return w.all_best
        return w.from_the_case


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
        # The English texts (`note_en`) are for the UI; the agreed output stays as it was.
        "what_if": {key: value for key, value in r["what_if"].items() if key != "note_en"},
    }
