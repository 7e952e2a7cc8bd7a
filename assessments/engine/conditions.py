"""The one condition grammar of a questionnaire definition.

Branching (`shown_when`, `required_when`, `scored_when`), need caps, hard rules and obligations are all
written in this grammar and evaluated by this module, so the wizard and the scoring engine can never
disagree about what a condition means. Pure: no Django, no I/O. The grammar is documented in
docs/questionnaire-format.md ("Conditions").

An answer that is absent (hidden by branching, or not yet given) makes every comparison false except
`empty`: a question that was not answered fires no rule.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Condition = Mapping[str, Any]
# How `{rule: ID}` is answered: a mapping rule id -> fired, or a function of the rule id.
RuleLookup = Mapping[str, bool] | Callable[[str], bool] | None

SCALAR_OPERATORS = ("eq", "ne", "has")
LIST_OPERATORS = ("in", "not_in", "has_any", "has_other_than")
NUMBER_OPERATORS = ("gte", "lte")
# Compares two answers: `{q: K, above: {q: K2, order: [v1, v2, ...]}}` holds when K's value comes later in
# `order` than K2's (the information planned is more sensitive than the tool is approved for).
ANSWER_OPERATORS = ("above",)
OPERATORS = SCALAR_OPERATORS + LIST_OPERATORS + NUMBER_OPERATORS + ANSWER_OPERATORS + ("empty",)
COMBINATORS = ("all", "any", "not")


def is_empty(value: Any) -> bool:
    """True for an absent answer, a blank text or an empty list."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return not value
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _rule_fired(rules: RuleLookup, rule_id: str) -> bool:
    if rules is None:
        return False
    if callable(rules):
        return bool(rules(rule_id))
    return bool(rules.get(rule_id, False))


def _above(value: Any, other: Any, order: list[Any]) -> bool:
    """`value` comes later in `order` than `other`; false when either is absent or not in the order."""
    if value is None or other is None or value not in order or other not in order:
        return False
    return order.index(value) > order.index(other)


def _compare(cond: Condition, value: Any, answers: Mapping[str, Any]) -> bool:
    """Evaluate a `{q: K, <op>: V}` form against the answer `value` (None when absent)."""
    if "empty" in cond:
        return is_empty(value) == bool(cond["empty"])
    if value is None:
        return False
    if "above" in cond:
        other = cond["above"]
        return _above(value, answers.get(other["q"]), other["order"])
    if "eq" in cond:
        return value == cond["eq"]
    if "ne" in cond:
        return value != cond["ne"]
    if "in" in cond:
        return value in cond["in"]
    if "not_in" in cond:
        return value not in cond["not_in"]
    if "has" in cond:
        return isinstance(value, list) and cond["has"] in value
    if "has_any" in cond:
        return isinstance(value, list) and any(v in value for v in cond["has_any"])
    if "has_other_than" in cond:
        return isinstance(value, list) and any(v not in cond["has_other_than"] for v in value)
    if "gte" in cond:
        return _is_number(value) and value >= cond["gte"]
    if "lte" in cond:
        return _is_number(value) and value <= cond["lte"]
    raise ValueError(f"Ukjent betingelse: {dict(cond)!r}")


def evaluate(condition: Condition | None, answers: Mapping[str, Any], rules: RuleLookup = None) -> bool:
    """Is `condition` true for `answers`? `None` (no condition) is true.

    `rules` answers `{rule: ID}`: a mapping of rule id -> fired, or a callable taking the rule id.
    """
    if condition is None:
        return True
    if "q" in condition:
        return _compare(condition, answers.get(condition["q"]), answers)
    if "all" in condition:
        return all(evaluate(c, answers, rules) for c in condition["all"])
    if "any" in condition:
        return any(evaluate(c, answers, rules) for c in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], answers, rules)
    if "rule" in condition:
        return _rule_fired(rules, condition["rule"])
    raise ValueError(f"Ukjent betingelse: {dict(condition)!r}")


def explain(
    condition: Condition | None,
    answers: Mapping[str, Any],
    rules: RuleLookup = None,
    rule_triggers: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Which answers, and which rules, make `condition` true.

    Returns `({key: value}, [rule ids])`, both empty when the condition is false (or true without
    depending on any answer, like `{all: []}`). Under `any` only the branches that hold count; under
    `not` the answers that make the negated condition fail (under a negated `all`, only its failing branches).
    A `{rule: ID}` that fires contributes ID and, when `rule_triggers` is given, that rule's answers.
    """
    reasons = _Reasons(answers, rules, rule_triggers or {})
    if evaluate(condition, answers, rules):
        reasons.holds(condition)
    return reasons.found, reasons.fired_rules


def triggered_by(
    condition: Condition | None,
    answers: Mapping[str, Any],
    rules: RuleLookup = None,
    rule_triggers: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The answers `{key: value}` that make `condition` true (empty when it is false)."""
    return explain(condition, answers, rules, rule_triggers)[0]


@dataclass
class _Reasons:
    """The answers (`found`) and fired rules that explain a condition's value, gathered by walking it."""

    answers: Mapping[str, Any]
    rules: RuleLookup
    rule_triggers: Mapping[str, Mapping[str, Any]]
    found: dict[str, Any] = field(default_factory=dict)
    fired_rules: list[str] = field(default_factory=list)

    def holds(self, condition: Condition | None) -> None:
        """For a condition known to be true: the answers (and rules) that make it hold."""
        if condition is None:
            return
        if "q" in condition:
            self.found[condition["q"]] = self.answers.get(condition["q"])
            if "above" in condition:
                other = condition["above"]["q"]
                self.found[other] = self.answers.get(other)
        elif "all" in condition:
            for c in condition["all"]:
                self.holds(c)
        elif "any" in condition:
            for c in condition["any"]:
                if evaluate(c, self.answers, self.rules):
                    self.holds(c)
        elif "not" in condition:
            self.fails(condition["not"])
        elif "rule" in condition:
            rule_id = condition["rule"]
            if rule_id not in self.fired_rules:
                self.fired_rules.append(rule_id)
            for key, value in self.rule_triggers.get(rule_id, {}).items():
                self.found.setdefault(key, value)

    def fails(self, condition: Condition) -> None:
        """For a condition known to be false (the part under a `not` that holds): the answers that make it fail.
        Under `all` that is the branches that fail, not every branch; under `any`, every branch fails. A rule that
        does not fire names no answer: nothing in the answers made it fire."""
        if "q" in condition:
            for key in (condition["q"], condition.get("above", {}).get("q")):
                if key in self.answers:
                    self.found.setdefault(key, self.answers[key])
        elif "all" in condition:
            for c in condition["all"]:
                if not evaluate(c, self.answers, self.rules):
                    self.fails(c)
        elif "any" in condition:
            for c in condition["any"]:
                self.fails(c)
        elif "not" in condition:
            self.holds(condition["not"])


def referenced_keys(condition: Condition | None) -> set[str]:
    """Question keys named anywhere in `condition` (not through `{rule: ID}`)."""
    keys: set[str] = set()
    _walk(condition, keys, None)
    return keys


def referenced_rules(condition: Condition | None) -> set[str]:
    """Rule ids named by `{rule: ID}` anywhere in `condition`."""
    rule_ids: set[str] = set()
    _walk(condition, None, rule_ids)
    return rule_ids


def _walk(condition: Any, keys: set[str] | None, rule_ids: set[str] | None) -> None:
    if not isinstance(condition, Mapping):
        return
    if "q" in condition and keys is not None and isinstance(condition["q"], str):
        keys.add(condition["q"])
        other = condition.get("above")
        if isinstance(other, Mapping) and isinstance(other.get("q"), str):
            keys.add(other["q"])
    if "rule" in condition and rule_ids is not None and isinstance(condition["rule"], str):
        rule_ids.add(condition["rule"])
    for combinator in ("all", "any"):
        children = condition.get(combinator)
        if isinstance(children, list):
            for child in children:
                _walk(child, keys, rule_ids)
    if "not" in condition:
        _walk(condition["not"], keys, rule_ids)


def structure_errors(condition: Any, where: str) -> list[str]:
    """Problems with the shape of a condition (not with the keys it names), each prefixed by `where`."""
    errors: list[str] = []
    _check(condition, where, errors)
    return errors


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _check_other_answer(op: str, operand: Any, where: str, errors: list[str]) -> None:
    shape = "{q: SPØRSMÅL, order: [verdi, ...]}"
    if not isinstance(operand, Mapping) or set(operand) != {"q", "order"}:
        errors.append(f"{where}: {op} må være {shape}, ikke {operand!r}")
        return
    if not isinstance(operand["q"], str) or not operand["q"]:
        errors.append(f"{where}: {op}.q må være en spørsmålsnøkkel")
    order = operand["order"]
    if not isinstance(order, list) or len(order) < 2 or not all(_is_scalar(v) for v in order):
        errors.append(f"{where}: {op}.order må være en liste med minst to verdier, ikke {order!r}")
    elif len(set(order)) != len(order):
        errors.append(f"{where}: {op}.order har en verdi to ganger")


def _check(condition: Any, where: str, errors: list[str]) -> None:
    if not isinstance(condition, Mapping):
        errors.append(f"{where}: en betingelse må være et objekt, ikke {condition!r}")
        return
    forms = [k for k in ("q", *COMBINATORS, "rule") if k in condition]
    if len(forms) != 1:
        errors.append(f"{where}: en betingelse må ha nøyaktig én av q, all, any, not, rule (fant {sorted(condition)})")
        return
    form = forms[0]
    if form == "q":
        if not isinstance(condition["q"], str) or not condition["q"]:
            errors.append(f"{where}: q må være en spørsmålsnøkkel")
        ops = [k for k in condition if k != "q"]
        unknown = [k for k in ops if k not in OPERATORS]
        if unknown:
            errors.append(f"{where}: ukjent operator {', '.join(map(str, unknown))}")
            return
        if len(ops) != 1:
            errors.append(f"{where}: q må ha nøyaktig én operator (fant {ops or 'ingen'})")
            return
        op = ops[0]
        operand = condition[op]
        if op in SCALAR_OPERATORS and not _is_scalar(operand):
            errors.append(f"{where}: {op} må ha én verdi, ikke {operand!r}")
        elif op in LIST_OPERATORS and (not isinstance(operand, list) or not all(_is_scalar(v) for v in operand)):
            errors.append(f"{where}: {op} må ha en liste med verdier, ikke {operand!r}")
        elif op in NUMBER_OPERATORS and not _is_number(operand):
            errors.append(f"{where}: {op} må ha et tall, ikke {operand!r}")
        elif op == "empty" and not isinstance(operand, bool):
            errors.append(f"{where}: empty må være true eller false")
        elif op in ANSWER_OPERATORS:
            _check_other_answer(op, operand, where, errors)
        return
    extra = [k for k in condition if k != form]
    if extra:
        errors.append(f"{where}: ukjente felt ved siden av {form}: {', '.join(map(str, extra))}")
    if form in ("all", "any"):
        children = condition[form]
        if not isinstance(children, list):
            errors.append(f"{where}: {form} må være en liste med betingelser")
            return
        for i, child in enumerate(children):
            _check(child, f"{where}.{form}[{i}]", errors)
    elif form == "not":
        _check(condition["not"], f"{where}.not", errors)
    elif not isinstance(condition["rule"], str) or not condition["rule"]:
        errors.append(f"{where}: rule må være en regel-id")
