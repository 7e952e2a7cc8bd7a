"""The rules of questionnaire 2026.3 that compare the planned use with the tool's approval in the tool overview.

Above the approved information class, personal data or special categories on a tool not approved for them, or a
tool that is not approved or withdrawn: stop, with a title naming the tool (and the class). A tool under
assessment holds the risk axis high. A tool not in the overview changes nothing (tests/test_scenarios.py checks
every scenario for that); nor do stale catalogue answers once the leader says the tool is not in the overview.
"""

from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from assessments.engine import as_definition, load_definition, score
from assessments.engine.answer_sets import scenario_answers
from assessments.engine.conditions import evaluate
from tests.test_monotonic_properties import PROPERTY, answer_sets

ROOT = Path(__file__).resolve().parents[1]
V3 = as_definition(load_definition(ROOT / "fixtures" / "questionnaire" / "2026.3"))
WITHIN = scenario_answers("v2026_3/copilot_listed_within_class")
CATALOGUE_RULES = [rule.id for rule in V3.rules if rule.id.startswith("catalogue_")]


def fired(answers: dict) -> list[str]:
    return [rule for rule in score(V3, answers).rule_ids if rule.startswith("catalogue_")]


def hard_rule(result, rule_id: str) -> dict:
    return next(rule for rule in result.hard_rules if rule["id"] == rule_id)


def test_the_rules_are_the_designed_ones():
    assert CATALOGUE_RULES == [
        "catalogue_tool_not_approved",
        "catalogue_class_exceeded",
        "catalogue_personal_data_not_allowed",
        "catalogue_special_categories_not_allowed",
        "catalogue_under_assessment",
    ]
    effects = {rule.id: rule.effect for rule in V3.rules}
    assert [effects[r] for r in CATALOGUE_RULES] == ["stop"] * 4 + ["high_risk"]


def test_an_approved_tool_used_within_its_approval_fires_none():
    assert fired(WITHIN) == []


@pytest.mark.parametrize(
    ("planned", "max_class", "stops"),
    [
        ("open", "open", False),
        ("internal", "open", True),
        ("internal", "internal", False),
        ("confidential", "internal", True),
        ("confidential", "confidential", False),
        ("classified", "confidential", True),
        ("open", "classified", False),
    ],
)
def test_more_sensitive_information_than_the_tool_is_approved_for_stops(planned, max_class, stops):
    answers = {**WITHIN, "sec_classification": planned, "cat_max_class": max_class}
    assert ("catalogue_class_exceeded" in fired(answers)) is stops


def test_the_class_stop_names_the_tool_and_both_classes_in_both_languages():
    result = score(V3, {**WITHIN, "sec_classification": "confidential"})
    assert result.verdict == "stop"
    rule = hard_rule(result, "catalogue_class_exceeded")
    assert rule["title"] == (
        "Microsoft 365 Copilot er godkjent for inntil «Intern informasjon», "
        "ikke «Taushetsbelagt eller unntatt offentlighet»"
    )
    assert rule["title_en"] == (
        "Microsoft 365 Copilot is approved for up to “Internal information”, "
        "not “Confidential or exempt from public access”"
    )
    assert rule["triggered_by"] == {
        "cat_choice": "listed",
        "sec_classification": "confidential",
        "cat_max_class": "internal",
    }


@pytest.mark.parametrize(("pd_any", "stops"), [("yes", True), ("unknown", True), ("no", False)])
def test_personal_data_on_a_tool_approved_for_none_stops(pd_any, stops):
    answers = {**WITHIN, "cat_personal_data": "no", "pd_any": pd_any}
    assert ("catalogue_personal_data_not_allowed" in fired(answers)) is stops
    if stops:
        rule = hard_rule(score(V3, answers), "catalogue_personal_data_not_allowed")
        assert rule["title"] == "Microsoft 365 Copilot er ikke godkjent for personopplysninger"


@pytest.mark.parametrize(
    ("pd_special", "allowed", "stops"),
    [("yes", "no", True), ("unknown", "no", True), ("no", "no", False), ("yes", "yes", False)],
)
def test_special_categories_on_a_tool_not_approved_for_them_stop(pd_special, allowed, stops):
    answers = {**WITHIN, "pd_special": pd_special, "cat_special_categories": allowed}
    assert ("catalogue_special_categories_not_allowed" in fired(answers)) is stops


@pytest.mark.parametrize(
    ("status", "rule"),
    [
        ("approved", None),
        ("not_approved", "catalogue_tool_not_approved"),
        ("withdrawn", "catalogue_tool_not_approved"),
        ("under_assessment", "catalogue_under_assessment"),
    ],
)
def test_the_status_of_the_tool(status, rule):
    result = score(V3, {**WITHIN, "cat_status": status})
    assert fired({**WITHIN, "cat_status": status}) == ([rule] if rule else [])
    if status in ("not_approved", "withdrawn"):
        assert result.verdict == "stop"
        assert hard_rule(result, rule)["title"].startswith("Microsoft 365 Copilot har status «")


def test_a_tool_under_assessment_forces_the_risk_axis_high():
    low = {**WITHIN, "pd_any": "no", "ai_kind": ["integrated"], "generates_content": "no"}
    assert score(V3, low).risk["axis"] == "low"
    result = score(V3, {**low, "cat_status": "under_assessment"})
    assert result.risk["axis"] == "high" and result.rule_ids == ["catalogue_under_assessment"]


def test_stale_catalogue_answers_fire_nothing_once_the_tool_is_not_in_the_overview():
    stale = {
        **WITHIN,
        "cat_status": "withdrawn",
        "cat_max_class": "open",
        "cat_personal_data": "no",
        "cat_special_categories": "no",
        "pd_special": "yes",
    }
    assert set(fired(stale)) >= {"catalogue_tool_not_approved", "catalogue_class_exceeded"}
    assert fired({**stale, "cat_choice": "not_listed"}) == []


def test_a_missing_answer_fires_no_catalogue_rule_but_leaves_the_assessment_incomplete():
    answers = {k: v for k, v in WITHIN.items() if k not in ("cat_max_class", "cat_name")}
    result = score(V3, {**answers, "sec_classification": "confidential"})
    assert "catalogue_class_exceeded" not in result.rule_ids
    assert {"cat_max_class", "cat_name"} <= set(result.missing)


def test_a_stop_without_the_tools_name_still_reads():
    answers = {k: v for k, v in WITHIN.items() if k != "cat_name"}
    rule = hard_rule(score(V3, {**answers, "cat_status": "withdrawn"}), "catalogue_tool_not_approved")
    assert rule["title"] == "(ikke oppgitt) har status «Trukket tilbake» i verktøyoversikten"


def test_the_deviation_is_an_obligation_uke_sees():
    assert "catalogue_deviation_review" not in score(V3, WITHIN).obligation_codes
    result = score(V3, {**WITHIN, "cat_deviation": "Virksomheten har en egen databehandleravtale."})
    assert "catalogue_deviation_review" in result.obligation_codes
    assert result.rule_ids == score(V3, WITHIN).rule_ids


@pytest.mark.parametrize("rule_id", CATALOGUE_RULES)
def test_every_catalogue_rule_needs_a_listed_tool(rule_id):
    rule = V3.rule(rule_id)
    worst = {
        **WITHIN,
        "cat_status": "withdrawn" if rule_id != "catalogue_under_assessment" else "under_assessment",
        "cat_max_class": "open",
        "cat_personal_data": "no",
        "cat_special_categories": "no",
        "pd_special": "yes",
    }
    assert evaluate(rule.when, worst)
    assert not evaluate(rule.when, {**worst, "cat_choice": "not_listed"})


# --- a stricter entry never gives milder advice (the monotonic promise, for the overview's facts) ------------

STRICTER = {
    "cat_max_class": ["classified", "confidential", "internal", "open"],
    "cat_personal_data": ["yes", "no"],
    "cat_special_categories": ["yes", "no"],
    # Withdrawn last: the rules treat it as not approved (a stop), so nothing is stricter than either. Left out,
    # a withdrawn entry counted as the mildest and "became stricter" by turning approved.
    "cat_status": ["approved", "under_assessment", "not_approved", "withdrawn"],
}


def stricter_moves(answers):
    moves = []
    for key, scale in STRICTER.items():
        current = answers.get(key)
        start = scale.index(current) + 1 if current in scale else 0
        moves += [(key, value) for value in scale[start:]]
    return moves


@PROPERTY
@given(answer_sets(V3), st.data())
def test_a_stricter_entry_never_lowers_the_risk_or_lifts_a_stop(answers, data):
    answers = {**answers, "cat_choice": "listed"}
    moves = stricter_moves(answers)
    assume(moves)  # an entry already at its strictest has nothing stricter to become
    key, value = data.draw(st.sampled_from(moves))
    before, after = score(V3, answers), score(V3, {**answers, key: value})
    assert after.risk["score"] >= before.risk["score"]
    assert V3.scoring.level_rank(after.risk["level"]) >= V3.scoring.level_rank(before.risk["level"])
    assert after.risk["axis"] == "high" or before.risk["axis"] == "low"
    assert after.verdict == "stop" or before.verdict != "stop"
