"""Properties of the `monotonic` scoring method over whole definitions (2026.2 and every later version).

Disclosing more risk never lowers the risk score or level: ticking one more AI kind or any other multi value,
answering a risk question with a riskier value, a larger scale, more affected groups. A stop rule always wins.
Answer sets are generated over every question of the definition, hidden ones included (they must not matter).
"""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.engine import as_definition, load_definition, score
from tests.strategies import any_value

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "questionnaire"
DEFINITIONS = [
    definition
    for definition in (as_definition(load_definition(folder)) for folder in sorted(FIXTURES.iterdir()))
    if definition.scoring.method == "monotonic"
]
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def value_strategy(question):
    return any_value(question, ["", "Tekst"])


def answer_sets(definition):
    questions = list(definition.questions.values())
    return st.fixed_dictionaries({}, optional={q.key: value_strategy(q) for q in questions})


def riskier_moves(definition, answers):
    """Every single change that discloses more risk: (key, new value)."""
    moves = []
    for question in definition.questions.values():
        current = answers.get(question.key)
        if question.type == "multi":
            chosen = [v for v in (current or []) if v != "none"]
            for value in question.values:
                if value != "none" and value not in chosen:
                    moves.append((question.key, [*chosen, value]))
        elif question.risk and question.type != "text":
            for value in question.values:
                more_risk = question.points("risk", value) >= question.points("risk", current)
                less_mitigation = question.points("mitigation", value) <= question.points("mitigation", current)
                if value != current and more_risk and less_mitigation:
                    moves.append((question.key, value))
    return moves


def level_rank(definition, result):
    return definition.scoring.level_rank(result.risk["level"])


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.version)
def test_there_is_a_monotonic_version(definition):
    assert definition.scoring.risk_scale > 0


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.version)
def test_disclosing_more_risk_never_lowers_the_score(definition):
    @PROPERTY
    @given(answer_sets(definition), st.data())
    def check(answers, data):
        moves = riskier_moves(definition, answers)
        if not moves:
            return
        key, value = data.draw(st.sampled_from(moves))
        before, after = score(definition, answers), score(definition, {**answers, key: value})
        assert after.risk["score"] >= before.risk["score"], (key, value)
        assert level_rank(definition, after) >= level_rank(definition, before), (key, value)
        if before.risk["axis"] == "high":
            assert after.risk["axis"] == "high", (key, value)

    check()


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.version)
def test_ticking_another_kind_of_ai_with_any_answers_in_the_new_step_never_lowers_the_score(definition):
    @PROPERTY
    @given(answer_sets(definition), st.sampled_from(definition.questions["ai_kind"].values))
    def check(answers, kind):
        kinds = [k for k in answers.get("ai_kind") or [] if k != kind]
        before = score(definition, {**answers, "ai_kind": kinds})
        after = score(definition, {**answers, "ai_kind": [*kinds, kind]})
        assert after.risk["score"] >= before.risk["score"]
        assert level_rank(definition, after) >= level_rank(definition, before)

    check()


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.version)
def test_a_stop_rule_always_wins(definition):
    stop_rules = {rule.id for rule in definition.rules if rule.effect == "stop"}

    @PROPERTY
    @given(answer_sets(definition))
    def check(answers):
        result = score(definition, answers)
        stopped = bool(stop_rules & set(result.rule_ids))
        assert (result.verdict == "stop") == stopped
        if stopped:
            assert result.risk["axis"] == "high"

    check()


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.version)
def test_the_what_if_only_suggests_measures(definition):
    @PROPERTY
    @given(answer_sets(definition))
    def check(answers):
        for change in score(definition, answers).what_if["changes"]:
            assert definition.questions[change["key"]].is_measure, change["key"]

    check()
