"""The condition grammar (docs/questionnaire-format.md, "Conditions"): one table per form."""

import pytest

from assessments.engine.answer_sets import baseline_answers
from assessments.engine.conditions import (
    evaluate,
    explain,
    is_empty,
    referenced_keys,
    referenced_rules,
    structure_errors,
    triggered_by,
)

# The low-risk baseline (fixtures/answers/) with the values the forms below are tried on: a blank text, an
# empty list, an "unknown" and a scale at 3. `owner` is left unanswered.
ANSWERS = {
    key: value
    for key, value in baseline_answers(
        "integrated_low_risk",
        pd_any="unknown",
        ai_kind=["integrated", "generative"],
        pd_scale=3,
        problem="   ",
        affected=[],
        decision_role="decision_support",
    ).items()
    if key != "owner"
}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        pytest.param({"q": "mandate", "eq": "yes"}, True, id="eq-true"),
        pytest.param({"q": "mandate", "eq": "no"}, False, id="eq-false"),
        pytest.param({"q": "pd_any", "ne": "no"}, True, id="ne-unknown-fires-precaution"),
        pytest.param({"q": "mandate", "ne": "yes"}, False, id="ne-false"),
        pytest.param({"q": "decision_role", "in": ["decision_support", "automated_decision"]}, True, id="in"),
        pytest.param({"q": "decision_role", "in": ["none"]}, False, id="in-false"),
        pytest.param({"q": "decision_role", "not_in": ["none"]}, True, id="not_in"),
        pytest.param({"q": "decision_role", "not_in": ["decision_support"]}, False, id="not_in-false"),
        pytest.param({"q": "ai_kind", "has": "generative"}, True, id="has"),
        pytest.param({"q": "ai_kind", "has": "self_developed"}, False, id="has-false"),
        pytest.param({"q": "ai_kind", "has_any": ["self_developed", "integrated"]}, True, id="has_any"),
        pytest.param({"q": "ai_kind", "has_any": ["self_developed"]}, False, id="has_any-false"),
        pytest.param({"q": "hr_area", "has_other_than": ["none"]}, False, id="has_other_than-only-none"),
        pytest.param({"q": "ai_kind", "has_other_than": ["integrated"]}, True, id="has_other_than"),
        pytest.param({"q": "affected", "has_other_than": ["none"]}, False, id="has_other_than-empty-list"),
        pytest.param({"q": "pd_scale", "gte": 3}, True, id="gte-equal"),
        pytest.param({"q": "pd_scale", "gte": 4}, False, id="gte-false"),
        pytest.param({"q": "pd_scale", "lte": 3}, True, id="lte-equal"),
        pytest.param({"q": "pd_scale", "lte": 2}, False, id="lte-false"),
        pytest.param({"q": "problem", "empty": True}, True, id="empty-blank-text"),
        pytest.param({"q": "goals", "empty": True}, False, id="empty-false-for-text"),
        pytest.param({"q": "affected", "empty": True}, True, id="empty-empty-list"),
        pytest.param({"q": "owner", "empty": True}, True, id="empty-absent"),
        pytest.param({"q": "goals", "empty": False}, True, id="not-empty"),
        pytest.param({"all": []}, True, id="all-empty-is-always"),
        pytest.param({"any": []}, False, id="any-empty-is-never"),
        pytest.param({"all": [{"q": "mandate", "eq": "yes"}, {"q": "pd_scale", "gte": 3}]}, True, id="all"),
        pytest.param({"all": [{"q": "mandate", "eq": "yes"}, {"q": "pd_scale", "gte": 4}]}, False, id="all-false"),
        pytest.param({"any": [{"q": "mandate", "eq": "no"}, {"q": "pd_scale", "gte": 3}]}, True, id="any"),
        pytest.param({"not": {"q": "mandate", "eq": "yes"}}, False, id="not"),
        pytest.param({"not": {"q": "mandate", "eq": "no"}}, True, id="not-true"),
        pytest.param(None, True, id="no-condition-is-always"),
    ],
)
def test_it_evaluates_each_form(condition, expected):
    assert evaluate(condition, ANSWERS) is expected


@pytest.mark.parametrize(
    "condition",
    [
        pytest.param({"q": "owner", "eq": "x"}, id="eq"),
        pytest.param({"q": "owner", "ne": "no"}, id="ne"),
        pytest.param({"q": "owner", "in": ["a"]}, id="in"),
        pytest.param({"q": "owner", "not_in": ["a"]}, id="not_in"),
        pytest.param({"q": "owner", "has": "a"}, id="has"),
        pytest.param({"q": "owner", "has_any": ["a"]}, id="has_any"),
        pytest.param({"q": "owner", "has_other_than": ["a"]}, id="has_other_than"),
        pytest.param({"q": "owner", "gte": 0}, id="gte"),
        pytest.param({"q": "owner", "lte": 4}, id="lte"),
    ],
)
def test_an_absent_answer_makes_every_comparison_false(condition):
    # "a question that was not answered fires no rule" — even `ne` and `not_in`.
    assert evaluate(condition, ANSWERS) is False


def test_it_answers_rules_from_a_mapping_or_a_callable():
    cond = {"any": [{"rule": "r1"}, {"rule": "r2"}]}
    assert evaluate(cond, {}, {"r1": False, "r2": True}) is True
    assert evaluate(cond, {}, {"r1": False}) is False
    assert evaluate(cond, {}, lambda rule_id: rule_id == "r1") is True
    assert evaluate({"rule": "r1"}, {}) is False  # no lookup: no rule fires


def test_it_rejects_a_condition_it_does_not_know():
    with pytest.raises(ValueError, match="Ukjent"):
        evaluate({"frobnicate": 1}, {})


def test_triggered_by_names_only_the_branches_that_hold():
    cond = {"any": [{"q": "mandate", "eq": "no"}, {"q": "pd_any", "ne": "no"}, {"q": "pd_scale", "gte": 3}]}
    assert triggered_by(cond, ANSWERS) == {"pd_any": "unknown", "pd_scale": 3}


def test_triggered_by_is_empty_when_the_condition_is_false():
    assert triggered_by({"q": "mandate", "eq": "no"}, ANSWERS) == {}


NOT_EXEMPT = {
    "all": [
        {"q": "hr_area", "has_other_than": ["none"]},
        {"not": {"all": [{"q": "hr_exempt", "ne": "none"}, {"q": "hr_profiling", "eq": "no"}]}},
    ]
}


def test_triggered_by_under_a_negated_all_names_only_the_branches_that_fail():
    # The exemption is claimed (that branch holds); profiling not ruled out is why it does not apply.
    answers = {"hr_area": ["education"], "hr_exempt": "preparatory", "hr_profiling": "unknown"}
    assert triggered_by(NOT_EXEMPT, answers) == {"hr_area": ["education"], "hr_profiling": "unknown"}
    answers = {"hr_area": ["education"], "hr_exempt": "none", "hr_profiling": "yes"}
    assert triggered_by(NOT_EXEMPT, answers) == {
        "hr_area": ["education"],
        "hr_exempt": "none",
        "hr_profiling": "yes",
    }


def test_triggered_by_under_a_negated_any_names_every_branch():
    cond = {"not": {"any": [{"q": "a", "eq": "x"}, {"q": "b", "eq": "x"}]}}
    assert triggered_by(cond, {"a": "y", "b": "z"}) == {"a": "y", "b": "z"}
    assert triggered_by({"not": {"not": {"q": "a", "eq": "y"}}}, {"a": "y", "b": "z"}) == {"a": "y"}


def test_explain_reports_rules_and_their_answers():
    cond = {"any": [{"rule": "dpia_trigger"}, {"all": [{"rule": "high"}, {"q": "pd_any", "ne": "no"}]}]}
    fired = {"dpia_trigger": False, "high": True}
    found, rules = explain(cond, ANSWERS, fired, {"high": {"hr_area": ["education"]}})
    assert rules == ["high"]
    assert found == {"hr_area": ["education"], "pd_any": "unknown"}


def test_an_always_condition_has_no_triggers():
    assert explain({"all": []}, ANSWERS) == ({}, [])


def test_referenced_keys_and_rules_walk_every_branch():
    cond = {
        "any": [
            {"q": "a", "eq": "yes"},
            {"all": [{"rule": "r1"}, {"not": {"q": "b", "has": "x"}}]},
            {"not": {"any": [{"rule": "r2"}, {"q": "c", "empty": True}]}},
        ]
    }
    assert referenced_keys(cond) == {"a", "b", "c"}
    assert referenced_rules(cond) == {"r1", "r2"}
    assert referenced_keys(None) == set()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, True),
        ("", True),
        ("  \n", True),
        ([], True),
        ("x", False),
        (["a"], False),
        (0, False),
        ("no", False),
    ],
)
def test_is_empty(value, expected):
    assert is_empty(value) is expected


@pytest.mark.parametrize(
    ("condition", "fragment"),
    [
        pytest.param(["q", "a"], "må være et objekt", id="not-a-mapping"),
        pytest.param({"q": "a", "eq": "x", "ne": "y"}, "nøyaktig én operator", id="two-operators"),
        pytest.param({"q": "a"}, "nøyaktig én operator", id="no-operator"),
        pytest.param({"q": "a", "equals": "x"}, "ukjent operator equals", id="unknown-operator"),
        pytest.param({"q": "a", "in": "x"}, "liste", id="in-needs-list"),
        pytest.param({"q": "a", "eq": ["x"]}, "én verdi", id="eq-needs-scalar"),
        pytest.param({"q": "a", "gte": "3"}, "tall", id="gte-needs-number"),
        pytest.param({"q": "a", "empty": "yes"}, "true eller false", id="empty-needs-bool"),
        pytest.param({"all": {"q": "a", "eq": "x"}}, "liste", id="all-needs-list"),
        pytest.param({"all": [], "any": []}, "nøyaktig én av", id="two-forms"),
        pytest.param({"rule": "r", "q": "a", "eq": 1}, "nøyaktig én av", id="rule-and-q"),
        pytest.param({"rule": ""}, "regel-id", id="empty-rule"),
        pytest.param({"not": {"rule": "r"}, "extra": 1}, "ukjente felt", id="extra-field"),
        pytest.param({"any": [{"q": "a", "eq": "x"}, {"bogus": 1}]}, "where.any[1]", id="nested-path"),
    ],
)
def test_structure_errors(condition, fragment):
    errors = structure_errors(condition, "where")
    assert errors, condition
    assert any(fragment in e for e in errors), errors


def test_a_well_formed_condition_has_no_structure_errors():
    cond = {
        "any": [
            {"q": "a", "ne": "no"},
            {"all": [{"q": "b", "has_other_than": ["none"]}, {"not": {"q": "c", "gte": 3}}]},
            {"rule": "r"},
            {"all": []},
        ]
    }
    assert structure_errors(cond, "w") == []


# --- `above`: one answer later in an order than another (the class planned against the class approved) --------

ORDER = ["open", "internal", "confidential", "classified"]
ABOVE = {"q": "planned", "above": {"q": "approved", "order": ORDER}}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        pytest.param({"planned": "confidential", "approved": "internal"}, True, id="above"),
        pytest.param({"planned": "internal", "approved": "internal"}, False, id="equal"),
        pytest.param({"planned": "open", "approved": "classified"}, False, id="below"),
        pytest.param({"planned": "classified"}, False, id="approved-absent"),
        pytest.param({"approved": "open"}, False, id="planned-absent"),
        pytest.param({"planned": "secret", "approved": "open"}, False, id="value-outside-the-order"),
    ],
)
def test_above(answers, expected):
    assert evaluate(ABOVE, answers) is expected


def test_above_names_both_answers():
    answers = {"planned": "confidential", "approved": "internal", "other": "x"}
    assert referenced_keys({"all": [ABOVE]}) == {"planned", "approved"}
    assert triggered_by(ABOVE, answers) == {"planned": "confidential", "approved": "internal"}
    assert triggered_by({"not": ABOVE}, {"planned": "open", "approved": "internal"}) == {
        "planned": "open",
        "approved": "internal",
    }


@pytest.mark.parametrize(
    ("operand", "fragment"),
    [
        pytest.param("approved", "må være {q: SPØRSMÅL", id="not-a-mapping"),
        pytest.param({"q": "approved"}, "må være {q: SPØRSMÅL", id="no-order"),
        pytest.param({"q": "", "order": ORDER}, "above.q må være en spørsmålsnøkkel", id="empty-key"),
        pytest.param({"q": "approved", "order": ["open"]}, "minst to verdier", id="short-order"),
        pytest.param({"q": "approved", "order": ["open", "open"]}, "to ganger", id="duplicate"),
        pytest.param({"q": "approved", "order": [["open"], "x"]}, "minst to verdier", id="not-scalars"),
    ],
)
def test_above_structure_errors(operand, fragment):
    errors = structure_errors({"q": "planned", "above": operand}, "where")
    assert any(fragment in e for e in errors), errors
