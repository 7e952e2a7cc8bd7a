"""What-if: the smallest set of measures that, put in place, lowers the risk level.

It never suggests answering a fact differently. For a definition scored with the `monotonic` method, candidates are
the questions that are measures (`Question.is_measure`); for older definitions, every mitigation question that does
not decide branching, as when they were released. Only questions the leader is shown for the answers as given are
candidates: where a consistency check scores the worse reading of a contradiction, the questions that reading
shows are not on the leader's screen, and an answer to them would be refused as hidden.

A stop the measures can lift outranks the level: among the sets one step of the search compares (the single
changes, the pairs, each greedy addition), one that ends a stop (a documented legal basis, say) is chosen over one
that only lowers the points while the use stays stopped.
"""

import bisect
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from assessments.engine.catalogue import locked_keys
from assessments.engine.definition import Definition, Question
from assessments.engine.risk import (
    EPSILON,
    Core,
    RiskPosition,
    fire_rules,
    group_names,
    group_vectors,
    raw_risk,
    risk_position,
    round_score,
)
from assessments.engine.wording import Wording


@lru_cache(maxsize=4096)
def best_value(question: Question) -> Any:
    """The answer with the most mitigation points (ties: the least risk, then the first listed): the answer a
    measure is done with (the what-if proposes it; the action plan reads it as "in place")."""
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
    group: int  # index of the question's group in `group_vectors`

    @property
    def key(self) -> str:
        return self.question.key


@dataclass(frozen=True, eq=False)
class _Trial:
    rank: int
    score: float
    risk: tuple[float, ...]  # points per group
    mitigation: tuple[float, ...]
    fired: tuple[str, ...]
    members: tuple[_Candidate, ...]
    stopped: bool = False  # a stop rule still fires

    @property
    def key(self) -> tuple[Any, ...]:
        # No stop left, then the lowest level, then score, then the most mitigation and the least risk.
        return (self.stopped, self.rank, self.score, -sum(self.mitigation), sum(self.risk))


def _add(vector: tuple[float, ...], index: int, delta: float) -> tuple[float, ...]:
    if not delta:
        return vector
    if len(vector) == 1:
        return (vector[0] + delta,)
    return (*vector[:index], vector[index] + delta, *vector[index + 1 :])


class WhatIf:
    """The smallest set of mitigation answers that, set to their best value, lowers the risk level.

    Candidates are the shown mitigation questions whose answer is not yet the best, except answers that
    decide branching (such as the art. 6(3) exemption): changing those changes what the use case is, not
    how well it is safeguarded. Every candidate set is re-scored in full: the points change by the
    difference of the answers, and the hard rules are evaluated again when one looks at a changed answer
    (tr_disclose = yes ends undisclosed_ai). Search: single changes, then pairs, then greedily adding the
    change that helps most (one that ends a stop first). When even changing every candidate does not lower the
    level, nothing does (best values never add risk points or fire rules), and the note says which hard rule
    holds the level.
    """

    def __init__(
        self, defn: Definition, core: Core, risk: RiskPosition, nb: Wording, en: Wording, on_screen: frozenset[str]
    ):
        """`on_screen`: the questions shown for the answers as given (`core` may be of a worse reading)."""
        self.defn = defn
        self.on_screen = on_screen
        self.stop_ids = frozenset(rule.id for rule in defn.rules if rule.effect == "stop")
        self.wordings = (nb, en)  # the notes are written in both: `note` (bokmål) and `note_en`
        self.base = core
        self.risk = risk
        scoring = defn.scoring
        self.thresholds = [threshold for threshold, _ in scoring.risk_levels]
        self.high_rank = scoring.level_rank(scoring.high_level)
        self.risk_max = core.max_points["risk"]
        if scoring.method == "monotonic":
            self.risk_points, self.mitigation_points, self.mitigation_max = group_vectors(core)
            self.group_index = {name: i for i, name in enumerate(group_names(core))}
        else:
            # One group is all the older method needs: the search then does the arithmetic it always did.
            self.risk_points = (core.points["risk"],)
            self.mitigation_points = (core.points["mitigation"],)
            self.mitigation_max = (core.max_points["mitigation"],)
            self.group_index = {}
        self.single_group = scoring.method != "monotonic"
        mitigation_max = core.max_points["mitigation"]
        # With one group, mitigation applies from this many points (never, without mitigation questions).
        self.mitigation_needed = scoring.mitigation_share * mitigation_max - EPSILON if mitigation_max else math.inf
        self.factor = scoring.mitigation_factor
        self.fired_cache: dict[frozenset[tuple[str, Any]], tuple[str, ...]] = {frozenset(): risk.fired}
        self.candidates = self._candidates()

    def _candidates(self) -> list[_Candidate]:
        out = []
        visible = self.base.visible
        sections = {section.key: section for section in self.base.shown}
        # Facts filled from the tool overview are the entry's, not the leader's to change: never suggested.
        locked = locked_keys(self.defn, visible)
        for question in self.base.scored:
            if not self.defn.may_suggest(question) or question.key in locked or question.key not in self.on_screen:
                continue
            best = best_value(question)
            current = visible.get(question.key)
            if current is not None and question.points("mitigation", current) >= question.points("mitigation", best):
                if not self._ends_a_rule_without_points(question, current):
                    continue
                best = "yes"
            out.append(
                _Candidate(
                    question=question,
                    best=best,
                    d_risk=question.points("risk", best) - question.points("risk", current),
                    d_mitigation=question.points("mitigation", best) - question.points("mitigation", current),
                    touches_rules=question.key in self.defn.rule_keys,
                    group=self.group_index.get(
                        "" if sections[question.section].shown_when is None else question.section, 0
                    ),
                )
            )
        return out

    def _ends_a_rule_without_points(self, question: Question, current: Any) -> bool:
        """A yes/no measure with no points that a hard rule reads, not yet in place, whose «Ja» ends a rule and
        starts none (a documented transfer basis ends `transfer_without_basis`). Its best answer by points is
        undecided; checking the rules keeps true what the search relies on: a best answer never fires a rule."""
        if question.type not in ("yes_no", "yes_no_unknown") or question.mitigation or current == "yes":
            return False
        if question.key not in self.defn.rule_keys:
            return False
        now = {rule_id for rule_id, hit in self.base.fired.items() if hit}
        with_yes = fire_rules(self.defn, {**self.base.visible, question.key: "yes"})
        return {rule_id for rule_id, hit in with_yes.items() if hit} < now

    def _quick(self, risk: tuple[float, ...], mitigation: tuple[float, ...], fired: bool) -> tuple[int, float]:
        # The arithmetic of `risk_position` without building a result: the search calls this hundreds of times.
        if self.single_group:
            return self._quick_total(risk[0], mitigation[0], fired)
        raw, _ = raw_risk(self.defn.scoring, risk, mitigation, self.mitigation_max, self.risk_max)
        return self._rank(raw, fired)

    def _quick_total(self, risk: float, mitigation: float, fired: bool) -> tuple[int, float]:
        raw = risk / self.risk_max * 100 if self.risk_max else 0.0
        if mitigation >= self.mitigation_needed:
            raw *= self.factor
        return self._rank(raw, fired)

    def _rank(self, raw: float, fired: bool) -> tuple[int, float]:
        score = min(100.0, max(0.0, round_score(raw)))
        rank = bisect.bisect_right(self.thresholds, score) - 1
        if fired and rank < self.high_rank:
            rank = self.high_rank
        return rank, score

    def _fired(self, members: Iterable[_Candidate]) -> tuple[str, ...]:
        changes = frozenset((c.key, c.best) for c in members if c.touches_rules)
        fired = self.fired_cache.get(changes)
        if fired is None:
            hits = fire_rules(self.defn, {**self.base.visible, **dict(changes)})
            fired = self.fired_cache[changes] = tuple(rule_id for rule_id, hit in hits.items() if hit)
        return fired

    def _stopped(self, fired: tuple[str, ...]) -> bool:
        return any(rule_id in self.stop_ids for rule_id in fired)

    def _start(self) -> _Trial:
        risk = self.risk
        return _Trial(
            risk.rank, risk.score, self.risk_points, self.mitigation_points, risk.fired, (), self._stopped(risk.fired)
        )

    def _extend(self, prefix: _Trial, c: _Candidate) -> _Trial:
        members = (*prefix.members, c)
        fired = self._fired(members) if c.touches_rules else prefix.fired
        risk = _add(prefix.risk, c.group, c.d_risk)
        mitigation = _add(prefix.mitigation, c.group, c.d_mitigation)
        rank, score = self._quick(risk, mitigation, bool(fired))
        return _Trial(rank, score, risk, mitigation, fired, members, self._stopped(fired))

    def _best_extension(self, prefix: _Trial, pool: Iterable[_Candidate], success_only: bool) -> _Trial | None:
        # `pool` is in questionnaire order, so on equal keys the first one found wins. The inner loop of
        # the search: a trial is only built for the winner, and with one group the arithmetic stays scalar.
        best_key, best = None, None
        limit = self.risk.rank if success_only else math.inf
        risk_total, mitigation_total = sum(prefix.risk), sum(prefix.mitigation)
        for c in pool:
            fired = self._fired((*prefix.members, c)) if c.touches_rules else prefix.fired
            if self.single_group:
                rank, score = self._quick_total(risk_total + c.d_risk, mitigation_total + c.d_mitigation, bool(fired))
            else:
                rank, score = self._quick(
                    _add(prefix.risk, c.group, c.d_risk), _add(prefix.mitigation, c.group, c.d_mitigation), bool(fired)
                )
            if rank >= limit:
                continue
            stopped = self._stopped(fired)
            key = (stopped, rank, score, -(mitigation_total + c.d_mitigation), risk_total + c.d_risk)
            if best_key is None or key < best_key:
                best_key, best = key, (rank, score, fired, c, stopped)
        if best is None:
            return None
        rank, score, fired, c, stopped = best
        risk, mitigation = _add(prefix.risk, c.group, c.d_risk), _add(prefix.mitigation, c.group, c.d_mitigation)
        return _Trial(rank, score, risk, mitigation, fired, (*prefix.members, c), stopped)

    def run(self) -> dict[str, Any]:
        current = self.risk
        if current.rank == 0:
            return self._result(None, lambda w: w.already_low)
        candidates = self.candidates
        start = self._start()
        held_stops = self._held_stops(start)
        if held_stops:
            return self._result(None, lambda w: self._stopped_note(held_stops, w))
        found = self._best_extension(start, candidates, success_only=True)
        if found is not None:
            return self._result(found, lambda w: self._possible_note(found, w))
        everything = self._everything
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

    @cached_property
    def _everything(self) -> _Trial:
        """Every candidate at its best answer: no set of measures does better."""
        trial = self._start()
        for c in self.candidates:
            trial = self._extend(trial, c)
        return trial

    def _held_stops(self, start: _Trial) -> tuple[str, ...]:
        """The stop rules that fire now and still fire with every measure in place. While one holds, the use may
        not go ahead at all (a prohibited practice, a tool the municipality has no agreement for), so measures that
        lower the points would only suggest it might: the what-if names none, and the action plan gets none."""
        stops = [rule_id for rule_id in start.fired if self.defn.rule(rule_id).effect == "stop"]
        if not stops:
            return ()
        still = set(self._everything.fired)
        return tuple(rule_id for rule_id in stops if rule_id in still)

    def _pairs_may_work(self, held: tuple[str, ...]) -> bool:
        """An optimistic bound: in every group at once, the two largest gains of each kind, with only the rules
        that hold. No pair can do better, since the score never rises with less risk or more mitigation."""
        risk, mitigation = self.risk_points, self.mitigation_points
        for index in range(len(risk)):
            here = [c for c in self.candidates if c.group == index]
            risk = _add(risk, index, sum(sorted(c.d_risk for c in here)[:2]))
            mitigation = _add(mitigation, index, sum(sorted((c.d_mitigation for c in here), reverse=True)[:2]))
        rank, _ = self._quick(risk, mitigation, bool(held))
        return rank < self.risk.rank

    def _greedy(self, start: _Trial) -> _Trial:
        trial = start
        remaining = list(self.candidates)
        while remaining and trial.rank >= self.risk.rank:
            trial = self._best_extension(trial, remaining, success_only=False)
            remaining.remove(trial.members[-1])
        return trial

    def _rule_titles(self, rule_ids: Iterable[str], w: Wording) -> str:
        return w.join([f"«{w.rule_title(self.defn.rule(r), self.defn, self.base.visible)}»" for r in rule_ids])

    def _result(self, found: _Trial | None, note: Callable[[Wording], str]) -> dict[str, Any]:
        """The `what_if` dict; `note(wording)` writes the note in one language (`note`, `note_en`)."""
        if found is None:
            risk, changes = self.risk, []
        else:
            base = self.base
            raw, applied = raw_risk(self.defn.scoring, found.risk, found.mitigation, self.mitigation_max, self.risk_max)
            risk = risk_position(self.defn, raw, applied, found.fired)
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
            "note": note(self.wordings[0]),
            "note_en": note(self.wordings[1]),
        }

    def _possible_note(self, found: _Trial, w: Wording) -> str:
        current = self.risk
        level = self.defn.scoring.risk_levels[found.rank][1]
        count = len(found.members)
        what = w.changes[0] if count == 1 else w.changes[1].format(count=count)
        note = w.lowers.format(what=what, old=w.level(current.level), new=w.level(level))
        # A rule that ends lowers the level without a point changing; without naming it, the note and the
        # unchanged score that follows it would read as a contradiction.
        ended = [rule_id for rule_id in current.fired if rule_id not in found.fired]
        if ended:
            plural = len(ended) > 1
            note += w.ends[plural].format(**w.rules(plural), titles=self._rule_titles(ended, w))
        if current.axis == "high" and found.rank < self.high_rank:
            note += w.axis_low
        note += "."
        if found.fired:
            plural = len(found.fired) > 1
            note += w.still[plural].format(**w.rules(plural), titles=self._rule_titles(found.fired, w))
        return note

    def _stopped_note(self, held: tuple[str, ...], w: Wording) -> str:
        plural = len(held) > 1
        return w.stops[plural].format(**w.rules(plural), titles=self._rule_titles(held, w))

    def _impossible_note(self, everything: _Trial, w: Wording) -> str:
        if everything.fired:
            plural = len(everything.fired) > 1
            return w.held[plural].format(**w.rules(plural), titles=self._rule_titles(everything.fired, w))
        if not self.candidates:
            return w.all_best
        return w.from_the_case
