"""Three-valued conditions: is a condition true, false or undecided when only some answers are known?

The quick path (docs/quick-path.md) evaluates the definition's conditions before the full questionnaire is
answered. Each question then has a *domain*: the set of answers it may still end up with. A known answer has a
domain of one value; an unanswered question may take any value of its type or stay unanswered (absent). A
condition is TRUE when it holds for every combination of values from the domains, FALSE when it holds for none,
and UNKNOWN otherwise, as far as this evaluation can tell: it is Kleene's logic over the leaves, so it may say
UNKNOWN where a cleverer analysis would decide, but it never says TRUE or FALSE wrongly. That one-sided error is
what makes the quick path sound.

Every result also carries the question keys that decide it (`why`), so the leader can be told which answers
matter. Each leaf is evaluated with `conditions.evaluate`, so a value means exactly what it means to the full
engine. Pure: no Django, no I/O.
"""

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from assessments.engine.conditions import Condition, evaluate, referenced_keys
from assessments.engine.definition import Question

LEAF_KEY = "_"  # the key a leaf comparison is rewritten to, so it can be evaluated for one candidate value


class Tri(Enum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Domain:
    """The answers a question may still end up with.

    `values` holds concrete candidates: None for absent (unanswered or hidden), scalars, and frozensets for a
    multi answer. `any_text` adds every non-blank text; `any_subset` adds every non-empty selection of these
    choices. `why` names the questions that decide whether the domain is what it is (a section that may be
    hidden, a contradiction that may overrule the answer).
    """

    values: frozenset = frozenset()
    any_text: bool = False
    any_subset: tuple = ()
    why: frozenset = frozenset()

    def __or__(self, other: "Domain") -> "Domain":
        return Domain(
            self.values | other.values,
            self.any_text or other.any_text,
            tuple(dict.fromkeys(self.any_subset + other.any_subset)),
            self.why | other.why,
        )

    def because(self, keys: frozenset) -> "Domain":
        return Domain(self.values, self.any_text, self.any_subset, self.why | keys)


ABSENT = Domain(frozenset({None}))


def freeze(value: Any) -> Any:
    """A hashable form of an answer value (a multi answer becomes a frozenset)."""
    if isinstance(value, list | tuple):
        return frozenset(value)
    return value


def thaw(value: Any) -> Any:
    """The answer value `conditions.evaluate` expects (a multi answer as a sorted list)."""
    if isinstance(value, frozenset):
        return sorted(value, key=str)
    return value


def known(value: Any) -> Domain:
    """The domain of a given answer."""
    return Domain(frozenset({freeze(value)}))


def open_domain(question: Question) -> Domain:
    """Every answer `question` may get, or none: the domain of an unanswered question."""
    if question.type == "text":
        return Domain(frozenset({None}), any_text=True)
    if question.type == "multi":
        return Domain(frozenset({None}), any_subset=tuple(question.values))
    return Domain(frozenset({None, *question.values}))


def _leaf(condition: Condition) -> dict[str, Any]:
    return {**condition, "q": LEAF_KEY}


def _text_outcomes(condition: Condition) -> set[bool]:
    if "empty" in condition:
        return {not condition["empty"]}
    return {True, False}  # a text can be anything: every comparison may go either way


def _subset_outcomes(leaf: dict[str, Any], choices: tuple) -> set[bool]:
    """Outcomes of a comparison over every non-empty selection of `choices` (reasoned, not enumerated)."""
    if "empty" in leaf:
        return {not leaf["empty"]}
    if "has" in leaf:
        return {True, False} if leaf["has"] in choices else {False}
    if "has_any" in leaf:
        return {True, False} if any(c in leaf["has_any"] for c in choices) else {False}
    if "has_other_than" in leaf:
        return {True, False} if any(c not in leaf["has_other_than"] for c in choices) else {False}
    # eq, ne, in, not_in, gte, lte compare a list with scalars: the outcome is the same for every selection.
    return {evaluate(leaf, {LEAF_KEY: [choices[0]]})}


# Both caches below hold the condition itself, so an id in them always stays the id of that condition.
_OUTCOMES_SIZE = 20000
_LEAF_KEYS: dict[int, tuple[Condition, tuple[str, ...]]] = {}


def leaf_keys(condition: Condition) -> tuple[str, ...]:
    """The keys a comparison reads: its own, then any other answer it compares with (`above`)."""
    hit = _LEAF_KEYS.get(id(condition))
    if hit is not None and hit[0] is condition:
        return hit[1]
    own = condition["q"]
    keys = (own, *sorted(referenced_keys(condition) - {own}))
    if len(_LEAF_KEYS) >= _OUTCOMES_SIZE:
        _LEAF_KEYS.clear()
    _LEAF_KEYS[id(condition)] = (condition, keys)
    return keys


# outcomes() is called for the same comparisons and domains again and again (a definition's conditions are
# long-lived objects): remember them by the condition's identity, holding the condition so the id stays its own.
_OUTCOMES: dict[tuple[int, tuple[Domain, ...]], tuple[Condition, frozenset[bool]]] = {}


def outcomes(condition: Condition, domains: tuple[Domain, ...]) -> frozenset[bool]:
    """The outcomes a comparison can have when the keys it reads (`leaf_keys`) range over `domains`."""
    key = (id(condition), domains)
    hit = _OUTCOMES.get(key)
    if hit is not None and hit[0] is condition:
        return hit[1]
    found = frozenset(_outcomes(condition, domains[0]) if len(domains) == 1 else _pair_outcomes(condition, domains))
    if len(_OUTCOMES) >= _OUTCOMES_SIZE:
        _OUTCOMES.clear()
    _OUTCOMES[key] = (condition, found)
    return found


def _outcomes(condition: Condition, domain: Domain) -> set[bool]:
    leaf = _leaf(condition)
    found = {evaluate(leaf, {LEAF_KEY: thaw(value)}) for value in domain.values}
    if domain.any_text:
        found |= _text_outcomes(condition)
    if domain.any_subset:
        found |= _subset_outcomes(leaf, domain.any_subset)
    return found


def _pair_outcomes(condition: Condition, domains: tuple[Domain, ...]) -> set[bool]:
    """A comparison of answers with each other: every combination of their concrete values."""
    keys = leaf_keys(condition)
    found = {
        evaluate(condition, {k: thaw(v) for k, v in zip(keys, combination, strict=True)})
        for combination in itertools.product(*(d.values for d in domains))
    }
    if any(d.any_text or d.any_subset for d in domains):
        found |= {True, False}  # free text or selections on either side: not reasoned about, either way
    return found


Verdict = tuple[Tri, frozenset]
TRUE_ALWAYS: Verdict = (Tri.TRUE, frozenset())


def _from_outcomes(found: frozenset[bool]) -> Tri:
    if found == {True}:
        return Tri.TRUE
    if found == {False} or not found:
        return Tri.FALSE
    return Tri.UNKNOWN


def _union(verdicts: list[Verdict]) -> frozenset:
    keys: frozenset = frozenset()
    for _, why in verdicts:
        keys |= why
    return keys


def eval3(condition: Condition | None, state: Mapping[str, Domain], rules: Mapping[str, Verdict]) -> Verdict:
    """The three-valued truth of `condition` and the keys that decide it.

    `state` maps question keys to domains (a missing key is absent); `rules` maps rule ids to their verdicts
    (a missing rule is FALSE, as for the full engine). For TRUE the keys are those that make it true, for
    UNKNOWN those still open, for FALSE those that make it false.
    """
    if condition is None:
        return TRUE_ALWAYS
    if "q" in condition:
        keys = leaf_keys(condition)
        domains = tuple(state.get(key, ABSENT) for key in keys)
        why = frozenset(keys).union(*(d.why for d in domains))
        return _from_outcomes(outcomes(condition, domains)), why
    if "not" in condition:
        tri, why = eval3(condition["not"], state, rules)
        flipped = {Tri.TRUE: Tri.FALSE, Tri.FALSE: Tri.TRUE, Tri.UNKNOWN: Tri.UNKNOWN}[tri]
        return flipped, why
    if "rule" in condition:
        return rules.get(condition["rule"], (Tri.FALSE, frozenset()))
    if "all" in condition:
        return _combine([eval3(c, state, rules) for c in condition["all"]], decisive=Tri.FALSE, neutral=Tri.TRUE)
    if "any" in condition:
        return _combine([eval3(c, state, rules) for c in condition["any"]], decisive=Tri.TRUE, neutral=Tri.FALSE)
    raise ValueError(f"Ukjent betingelse: {dict(condition)!r}")


def _combine(verdicts: list[Verdict], *, decisive: Tri, neutral: Tri) -> Verdict:
    """`all` (decisive FALSE) or `any` (decisive TRUE) of child verdicts."""
    settled = [v for v in verdicts if v[0] is decisive]
    if settled:
        return decisive, _union(settled)
    if any(v[0] is Tri.UNKNOWN for v in verdicts):
        # Undecided: the open children decide, and under `all` the ones that already hold are part of why it
        # may hold (under `any` the false ones are not).
        return Tri.UNKNOWN, _union([v for v in verdicts if v[0] is Tri.UNKNOWN or v[0] is Tri.TRUE])
    return neutral, _union(verdicts)
