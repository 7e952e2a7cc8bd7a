"""Scoring against the method in docs/scoring.md: scenarios, formula, what-if,
and properties. Pure: no database.

Expectations come from the method's tables (which rule fires when, which obligation applies when), not from
running the code. Where a row asserts a risk or need axis that the weights decide, the answers are chosen so
the answer is plain: every risk answer at its harmless value (0 points), or nearly every one at its worst.
"""

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.engine.answer_sets import baseline_answers, scenario_answers
from assessments.engine.answers import clean_value, validate_answers
from assessments.engine.loader import as_definition, load_definition
from assessments.engine.scoring import QUADRANT_VERDICTS, Result, round_score, score, summary_json
from assessments.engine.visibility import visible_section_keys
from tests.strategies import any_value

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "questionnaire" / "2026.1"
DEFN = as_definition(load_definition(FIXTURE))
LEVELS = ["low", "moderate", "significant", "very_high"]
PROHIBITED = [question.key for question in DEFN.section("prohibited").questions]
ALWAYS = {"ai_literacy_training", "ros_analysis"}
DROP = object()

# Every question answered; every risk answer harmless, every mitigation at its best, every need answer at
# its strongest (the baseline `benign` in fixtures/answers/). Sections that these answers hide still have
# answers: hidden answers must count for nothing.
BENIGN = baseline_answers("benign")


def answers(**overrides):
    result = dict(BENIGN)
    for key, value in overrides.items():
        if value is DROP:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def test_the_benign_answers_are_valid_for_the_fixture():
    assert set(BENIGN) == set(DEFN.questions), set(BENIGN) ^ set(DEFN.questions)
    for key, value in BENIGN.items():
        _, errors, _ = validate_answers(DEFN, {key: value})
        assert errors == {}, (key, errors)


# --- the scenario table ----------------------------------------------------------------------------------


def row(name, answers, verdict, risk_axis, need_axis, rules=(), obligations=(), high_risk_obligations=False, **extra):
    """One row of tests/data/scoring_table.yaml as a test case: the overrides (null: no answer) and the result."""
    expected = {
        "verdict": verdict,
        "risk_axis": risk_axis,
        "need_axis": need_axis,
        "rules": set(rules),
        "obligations": set(obligations) | ALWAYS | (HIGH_RISK_OBLIGATIONS if high_risk_obligations else set()),
        **extra,
    }
    overrides = {key: DROP if value is None else value for key, value in answers.items()}
    return pytest.param(overrides, expected, id=name)


HIGH_RISK_OBLIGATIONS = {
    "fria",
    "human_oversight",
    "keep_logs",
    "eu_database_registration",
    "inform_affected",
}

# The table (answers, and the result the method gives for them) is data, so its rows read as a table.
TABLE = Path(__file__).resolve().parent / "data" / "scoring_table.yaml"
SCENARIOS = [row(**entry) for entry in yaml.safe_load(TABLE.read_text(encoding="utf-8"))]


@pytest.mark.parametrize(("overrides", "expected"), SCENARIOS)
def test_scenario(overrides, expected):
    result = score(DEFN, answers(**overrides))
    assert result.verdict == expected["verdict"]
    assert result.risk["axis"] == expected["risk_axis"]
    assert result.need["axis"] == expected["need_axis"]
    assert set(result.rule_ids) == expected["rules"]
    assert set(result.obligation_codes) == expected["obligations"]
    assert result.quadrant == f"{expected['risk_axis']}_risk_{expected['need_axis']}_need"
    for key in ("level",):
        if key in expected:
            assert result.risk[key] == expected[key]
    if "capped_by" in expected:
        assert result.need["capped_by"] == expected["capped_by"]
    if "complete" in expected:
        assert result.complete is expected["complete"]
    if "missing" in expected:
        assert result.missing == expected["missing"]


def test_the_table_covers_every_hard_rule_and_obligation():
    rules, obligations = set(), set()
    for param in SCENARIOS:
        expected = param.values[1]
        rules |= expected["rules"]
        obligations |= expected["obligations"]
    assert rules == {r.id for r in DEFN.rules}
    assert obligations == {o.code for o in DEFN.obligations}
    assert len(SCENARIOS) >= 25


# --- details of the result -------------------------------------------------------------------------------


def test_each_fired_rule_names_the_answers_that_triggered_it():
    result = score(
        DEFN,
        answers(hr_area=["public_services_benefits"], hr_profiling="yes", pd_any="yes", pd_profiling="yes"),
    )
    by_id = {r["id"]: r for r in result.hard_rules}
    assert by_id["ai_act_high_risk"]["triggered_by"] == {
        "hr_area": ["public_services_benefits"],
        "hr_exempt": "none",
        "hr_profiling": "yes",
    }
    assert by_id["ai_act_high_risk"]["effect"] == "high_risk"
    assert "art. 6" in by_id["ai_act_high_risk"]["source"]
    # Only the branches that hold are named.
    assert by_id["dpia_trigger"]["triggered_by"] == {
        "pd_profiling": "yes",
        "hr_profiling": "yes",
        "pd_any": "yes",
    }


def test_a_stop_rule_is_reported_with_its_effect():
    result = score(DEFN, answers(p_manipulation="yes", p_intimate_imagery="unknown"))
    (rule,) = result.hard_rules
    assert rule["effect"] == "stop"
    assert rule["triggered_by"] == {"p_manipulation": "yes", "p_intimate_imagery": "unknown"}


def test_obligations_say_why_they_apply_here():
    result = score(DEFN, answers(hr_area=["education"], pd_any="yes", affected=["employees"]))
    by_code = {o["code"]: o for o in result.obligations}
    dpia = by_code["dpia"]
    assert dpia["rules"] == ["ai_act_high_risk"]
    assert "Høyrisiko" in dpia["why"]  # the rule's title
    assert "pd_any" in dpia["triggered_by"] and "hr_area" in dpia["triggered_by"]
    assert dpia["source"].startswith("GDPR art. 35")
    employees = by_code["inform_employee_reps"]
    assert employees["triggered_by"] == {"affected": ["employees"]}
    assert employees["rules"] == []
    assert DEFN.questions["affected"].choice_label("employees") in employees["why"]
    assert "Gjelder alle KI-tiltak" in by_code["ros_analysis"]["why"]
    for obligation in result.obligations:
        assert obligation["title"] and obligation["source"] and obligation["why"]


def test_contributions_list_answered_visible_questions_by_impact():
    result = score(DEFN, answers(sec_hosting="outside_eea", pd_any="no", pd_special="yes", tool_source="not_decided"))
    rows = result.contributions
    keys = {(r["key"], r["kind"]) for r in rows}
    assert ("sec_hosting", "risk") in keys
    assert ("tool_source", "risk") in keys
    assert not any(r["key"] == "pd_special" for r in rows)  # hidden by pd_any = no
    assert not any(r["key"].startswith("gen_") for r in rows)  # generative not chosen
    risk_points = [r["points"] for r in rows if r["kind"] == "risk"]
    assert risk_points == sorted(risk_points, reverse=True)  # same axis, so impact order is points order
    first = rows[0]
    assert set(first) >= {"key", "section", "label", "kind", "points", "max_points"}
    assert sum(r["points"] for r in rows if r["kind"] == "risk") == result.risk["points"]
    assert sum(r["points"] for r in rows if r["kind"] == "need") == result.need["points"]


# The keys of summary_json, in order, as docs/scoring.md section 9 lists them (score_answers prints the same object).
SUMMARY_KEYS = [
    "questionnaire",
    "risk",
    "need",
    "quadrant",
    "verdict",
    "complete",
    "hard_rules",
    "obligations",
    "contributions",
    "what_if",
]


def test_summary_json_has_exactly_the_agreed_keys():
    summary = summary_json(score(DEFN, answers(mandate="unknown")))
    assert list(summary) == SUMMARY_KEYS
    assert set(summary["risk"]) == {"score", "level", "axis"}
    assert set(summary["need"]) == {"score", "axis", "capped_by"}
    assert summary["hard_rules"] == ["no_mandate"]
    assert summary["questionnaire"] == "2026.1"
    assert json.loads(json.dumps(summary)) == summary


def test_the_result_round_trips_through_json():
    result = score(DEFN, answers(decision_role="automated_decision"))
    stored = json.loads(json.dumps(result.to_dict()))
    again = Result.from_dict(stored)
    assert again.to_dict() == stored
    assert summary_json(stored) == summary_json(result)
    assert again.verdict == "proceed_with_safeguards"
    assert again.risk["level"] == "significant"


def test_a_stored_definition_scores_the_same():
    stored = json.loads(json.dumps(DEFN.data))
    given = answers(pd_any="yes", pd_scale=4, tr_explain=1)
    assert score(stored, given).to_dict() == score(DEFN, given).to_dict()


# --- the formula, on small definitions computed by hand ----------------------------------------------------


def one_section(version: str, questions: list, **extra) -> dict:
    """A definition with one section holding `questions`; `extra` adds top-level fields (rules, scoring)."""
    return {"version": version, "title": "T", "sections": [{"key": "s", "title": "S", "questions": questions}], **extra}


def small(extra_questions=(), rules=(), **scoring):
    return one_section(
        "t.1",
        [
            {"key": "q1", "type": "yes_no_unknown", "label": "Q1", "risk": {"yes": 3, "unknown": 3}},
            {
                "key": "q2",
                "type": "choice",
                "label": "Q2",
                "choices": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
                "risk": {"a": 1, "b": 4},
            },
            {
                "key": "q3",
                "type": "multi",
                "label": "Q3",
                "choices": [
                    {"value": "x", "label": "X"},
                    {"value": "y", "label": "Y"},
                    {"value": "none", "label": "Ingen"},
                ],
                "risk": {"x": 1, "y": 2},
            },
            {"key": "q4", "type": "scale", "label": "Q4", "risk": {2: 1, 4: 2}},
            {"key": "m1", "type": "yes_no", "label": "M1", "mitigation": {"yes": 2}},
            {"key": "m2", "type": "scale", "label": "M2", "mitigation": {4: 3}},
            {"key": "n1", "type": "yes_no", "label": "N1", "need": {"yes": 5}},
            {"key": "n2", "type": "scale", "label": "N2", "need": {4: 5, 2: 2}},
            *extra_questions,
        ],
        rules=list(rules),
        **({"scoring": scoring} if scoring else {}),
    )


def test_the_formula_by_hand():
    # risk max 3 + 4 + 3 + 2 = 12; mitigation max 2 + 3 = 5; need max 5 + 5 = 10.
    result = score(small(), {"q1": "unknown", "q2": "a", "q3": ["x", "y"], "q4": 2, "n1": "yes", "n2": 2})
    assert (result.risk["points"], result.risk["max_points"]) == (8, 12)
    assert result.risk["score"] == 66.7  # 8 / 12 = 66.666…
    assert result.risk["level"] == "significant"
    assert result.risk["axis"] == "high"
    assert result.risk["mitigation"] == {"points": 0, "max_points": 5, "applied": False}
    assert result.need["score"] == 70.0
    assert result.need["axis"] == "high"
    assert result.verdict == "proceed_with_safeguards"


def test_mitigation_at_80_percent_multiplies_by_085():
    base = {"q1": "unknown", "q2": "a", "q3": ["x", "y"], "q4": 2}
    # 4 of 5 mitigation points = exactly 80 %: 66.666… × 0.85 = 56.666… -> 56.7
    result = score(small(), {**base, "m2": 4, "m1": "no"})
    assert result.risk["mitigation"] == {"points": 3, "max_points": 5, "applied": False}
    result = score(
        small(extra_questions=[{"key": "m3", "type": "yes_no", "label": "M3", "mitigation": {"yes": 1}}]),
        {**base, "m2": 4, "m3": "yes"},  # 4 of 6 < 80 %
    )
    assert result.risk["mitigation"]["applied"] is False
    result = score(small(), {**base, "m1": "yes", "m2": 4})
    assert result.risk["mitigation"] == {"points": 5, "max_points": 5, "applied": True}
    assert result.risk["score"] == 56.7


def test_exactly_80_percent_of_mitigation_counts():
    extra = [{"key": f"k{i}", "type": "yes_no", "label": f"K{i}", "mitigation": {"yes": 1}} for i in range(5)]
    defn = {**small(extra), "sections": [{**small(extra)["sections"][0]}]}
    # m1 2 + m2 3 + k0..k4 5 = 10 max; m2 (3) + m1 (2) + k0..k2 (3) = 8 = 80 %.
    result = score(defn, {"q2": "b", "m1": "yes", "m2": 4, "k0": "yes", "k1": "yes", "k2": "yes"})
    assert result.risk["mitigation"] == {"points": 8, "max_points": 10, "applied": True}
    assert result.risk["score"] == round_score(4 / 12 * 100 * 0.85)


def test_unanswered_questions_score_zero_but_keep_their_maximum():
    result = score(small(), {"q2": "b"})
    assert (result.risk["points"], result.risk["max_points"]) == (4, 12)
    assert result.risk["score"] == 33.3
    assert result.risk["level"] == "moderate"
    assert result.need["score"] == 0.0


def test_scores_are_rounded_half_up_before_the_thresholds():
    defn = one_section(
        "t.2",
        [
            {"key": "a", "type": "yes_no", "label": "A", "risk": {"yes": 499}},
            {"key": "b", "type": "yes_no", "label": "B", "risk": {"yes": 1501}},
        ],
    )
    result = score(defn, {"a": "yes", "b": "no"})  # 499 / 2000 = 24.95 %
    assert result.risk["score"] == 25.0
    assert result.risk["level"] == "moderate"
    assert round_score(24.94) == 24.9
    assert round_score(0.05) == 0.1


def test_a_hard_rule_lifts_the_level_but_never_lowers_it():
    rule = {"id": "r", "effect": "high_risk", "title": "R", "source": "S", "when": {"q": "n1", "eq": "yes"}}
    low = score(small(rules=[rule]), {"n1": "yes"})
    assert (low.risk["score"], low.risk["level"], low.risk["axis"]) == (0.0, "significant", "high")
    very_high = score(small(rules=[rule]), {"n1": "yes", "q1": "yes", "q2": "b", "q3": ["x", "y"], "q4": 4})
    assert very_high.risk["level"] == "very_high"
    assert very_high.verdict == "proceed_with_safeguards"
    stop = {**rule, "effect": "stop"}
    assert score(small(rules=[stop]), {"n1": "yes"}).verdict == "stop"


def test_scoring_thresholds_come_from_the_definition():
    result = score(small(risk_high_at=25, risk_levels=[[0, "low"], [25, "moderate"]]), {"q2": "b"})
    assert result.risk["level"] == "moderate"
    assert result.risk["axis"] == "high"


# --- what-if ---------------------------------------------------------------------------------------------


def mitigations(points):
    return [{"key": f"m{i}", "type": "yes_no", "label": f"Tiltak {i}", "mitigation": {"yes": p}} for i, p in
            enumerate(points, 1)]  # fmt: skip


def whatif_defn(mitigation_points, rules=()):
    # 11 of 20 risk points = 55 (significant); with mitigation applied 46.75 -> 46.8 (moderate).
    return one_section(
        "w.1",
        [
            {"key": "r1", "type": "yes_no", "label": "R1", "risk": {"yes": 11}},
            {"key": "r2", "type": "yes_no", "label": "R2", "risk": {"yes": 9}},
            *mitigations(mitigation_points),
        ],
        title="W",
        rules=list(rules),
    )


def test_what_if_finds_a_single_change():
    result = score(whatif_defn([4, 1]), {"r1": "yes", "r2": "no", "m1": "no"})
    what_if = result.what_if
    assert what_if["possible"] is True
    assert [c["key"] for c in what_if["changes"]] == ["m1"]
    assert what_if["changes"][0]["from"] == "no" and what_if["changes"][0]["to"] == "yes"
    assert (what_if["level"], what_if["axis"], what_if["score"]) == ("moderate", "low", 46.8)


def test_what_if_finds_a_pair_when_no_single_change_is_enough():
    result = score(whatif_defn([1, 1, 3]), {"r1": "yes", "r2": "no", "m3": "yes"})  # needs 4 of 5
    assert [c["key"] for c in result.what_if["changes"]] in (["m1"], ["m2"])
    result = score(whatif_defn([1, 1]), {"r1": "yes", "r2": "no"})  # needs both
    assert [c["key"] for c in result.what_if["changes"]] == ["m1", "m2"]
    assert result.what_if["changes"][0]["from"] is None  # unanswered counts as not yet the best


def test_what_if_falls_back_to_greedy_for_larger_sets():
    result = score(whatif_defn([1, 1, 1, 1, 1]), {"r1": "yes", "r2": "no"})  # needs 4 of 5
    assert result.what_if["possible"] is True
    assert len(result.what_if["changes"]) == 4
    assert result.what_if["level"] == "moderate"


def test_what_if_removes_a_rule_when_a_mitigation_answer_is_its_trigger():
    result = score(DEFN, answers(citizen_facing="yes", tr_disclose="no"))
    assert result.risk["level"] == "significant"
    what_if = result.what_if
    assert what_if["possible"] is True
    assert [(c["key"], c["to"]) for c in what_if["changes"]] == [("tr_disclose", "yes")]
    assert what_if["axis"] == "low"


def test_what_if_says_which_rule_holds_the_risk_high():
    result = score(DEFN, answers(p_face_scraping="yes"))
    what_if = result.what_if
    assert what_if["possible"] is False
    assert what_if["changes"] == []
    assert "«Forbudt KI-praksis»" in what_if["note"] and "prohibited_practice" not in what_if["note"]
    assert "Forbudt KI-praksis" in what_if["note"]
    assert (what_if["level"], what_if["axis"]) == (result.risk["level"], "high")


def test_what_if_can_lower_a_very_high_level_while_a_rule_holds():
    rule = {
        "id": "held",
        "effect": "high_risk",
        "title": "Holdt",
        "source": "S",
        "when": {"q": "r2", "eq": "yes"},
    }
    # 20 of 20 = 100 (very high); with mitigation 85 (still very high): no change lowers it.
    result = score(whatif_defn([1], rules=[rule]), {"r1": "yes", "r2": "yes", "m1": "no"})
    assert result.what_if["possible"] is False
    assert "«Holdt»" in result.what_if["note"]


def test_what_if_never_suggests_changing_what_the_use_case_is():
    # Claiming the art. 6(3) exemption would end the high-risk rule, but it decides branching: no safeguard.
    result = score(DEFN, answers(hr_area=["education"], hr_exempt="none"))
    assert "ai_act_high_risk" in result.rule_ids
    assert result.what_if["possible"] is False
    assert "«Høyrisiko-KI etter KI-forordningen»" in result.what_if["note"]


def stop_defn(lifted_by_m1: bool):
    """whatif_defn with a stop on r1; m1 = yes lifts it when `lifted_by_m1`."""
    when = {"all": [{"q": "r1", "eq": "yes"}, {"q": "m1", "ne": "yes"}]} if lifted_by_m1 else {"q": "r1", "eq": "yes"}
    rule = {"id": "stopped", "effect": "stop", "title": "Stoppet", "source": "S", "when": when}
    return whatif_defn([4, 1], rules=[rule])


def test_what_if_names_no_measure_while_a_stop_holds_whatever_is_done():
    # A measure for a use that may not go ahead would read as if it might (the real case: the next test but one).
    result = score(stop_defn(lifted_by_m1=False), {"r1": "yes", "r2": "no", "m1": "no"})
    assert result.verdict == "stop"
    what_if = result.what_if
    assert what_if["possible"] is False and what_if["changes"] == []
    assert what_if["note"].startswith("Tiltak hjelper ikke her: regelen «Stoppet» stopper bruken")
    assert what_if["note_en"].startswith("No safeguard helps here: the rule «Stoppet» stops the use")


def test_what_if_names_the_measure_that_lifts_a_stop():
    result = score(stop_defn(lifted_by_m1=True), {"r1": "yes", "r2": "no", "m1": "no"})
    assert result.verdict == "stop"
    assert result.what_if["possible"] is True
    assert [c["key"] for c in result.what_if["changes"]] == ["m1"]


def test_what_if_names_no_measure_for_a_prohibited_practice():
    defn = as_definition(load_definition(FIXTURE.parent / "2026.7"))
    answers = scenario_answers("v2026_4/social_scoring_housing")
    clean, errors, _warnings = validate_answers(defn, answers)
    assert not errors
    result = score(defn, clean)
    assert "prohibited_practice" in result.rule_ids
    assert result.what_if["possible"] is False and result.what_if["changes"] == []
    assert "«Forbudt KI-praksis»" in result.what_if["note"]


def test_what_if_has_nothing_to_lower_at_low_risk():
    result = score(DEFN, answers())
    assert result.what_if["possible"] is False
    assert "allerede lavt" in result.what_if["note"]


# --- properties ------------------------------------------------------------------------------------------

QUESTIONS = list(DEFN.questions.values())
TEXTS = ["", "Tekst", "  mellomrom  ", "x" * 30]


def value_strategy(question):
    return any_value(question, TEXTS)


answer_sets = st.fixed_dictionaries(
    {}, optional={q.key: value_strategy(q) for q in QUESTIONS}
)  # optional keys: any subset answered

# Mostly harmless answers with a few changed: reaches the what-if and the rules one at a time.
near_benign = (
    st.lists(st.sampled_from(QUESTIONS), max_size=12, unique=True)
    .flatmap(lambda qs: st.fixed_dictionaries({q.key: value_strategy(q) for q in qs}))
    .map(lambda changed: {**BENIGN, **changed})
)
any_answers = st.one_of(answer_sets, near_benign)


def _worst(question, kind):
    if question.type == "multi":
        return [v for v in question.values if question.points(kind, [v]) > 0]
    return max(question.values, key=lambda v: question.points(kind, v))


# Harmless answers where some mitigations are missing and some risks at their worst: gives the what-if work.
MITIGATION_QUESTIONS = [q for q in QUESTIONS if q.mitigation and q.type != "multi"]
RISK_QUESTIONS = [q for q in QUESTIONS if q.risk and q.key not in DEFN.rule_keys]
risky = st.tuples(
    st.lists(st.sampled_from(MITIGATION_QUESTIONS), unique=True, min_size=5),
    st.lists(st.sampled_from(RISK_QUESTIONS), unique=True, min_size=3),
).map(
    lambda picked: {
        **BENIGN,
        **{q.key: min(q.values, key=lambda v: q.points("mitigation", v)) for q in picked[0]},
        **{q.key: _worst(q, "risk") for q in picked[1]},
    }
)

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def rank(result):
    return LEVELS.index(result.risk["level"])


@FAST
@given(any_answers)
def test_any_valid_answer_set_scores(given_answers):
    cleaned, errors, _ = validate_answers(DEFN, given_answers)
    assert errors == {}
    for answer_set in (cleaned, given_answers):
        result = score(DEFN, answer_set)
        summary = summary_json(result)
        assert json.loads(json.dumps(result.to_dict())) == result.to_dict()
        assert summary["verdict"] in {"stop", *QUADRANT_VERDICTS.values()}
        assert 0 <= result.risk["score"] <= 100
        assert 0 <= result.need["score"] <= 100
        assert result.risk["score"] == round(result.risk["score"], 1)
        # Level and axis never disagree.
        assert (result.risk["axis"] == "high") == (rank(result) >= LEVELS.index("significant"))
        if result.hard_rules:
            assert result.risk["axis"] == "high"
        assert result.verdict == "stop" or result.quadrant.startswith(result.risk["axis"])
        assert result.complete is (result.missing == [])
    # Hidden answers count for nothing: the same answers with the hidden ones left in score the same.
    everything = {key: clean_value(DEFN.questions[key], value)[0] for key, value in given_answers.items()}
    assert score(DEFN, cleaned).to_dict() == score(DEFN, everything).to_dict()


MITIGATION_YES_NO = [
    q.key
    for q in QUESTIONS
    if q.type in ("yes_no", "yes_no_unknown") and q.mitigation.get("yes", 0) > q.mitigation.get("no", 0)
]


@FAST
@given(any_answers, st.sampled_from(MITIGATION_YES_NO))
def test_a_mitigation_yes_never_raises_risk(given_answers, key):
    with_no = score(DEFN, {**given_answers, key: "no"})
    with_yes = score(DEFN, {**given_answers, key: "yes"})
    assert with_yes.risk["score"] <= with_no.risk["score"]
    assert rank(with_yes) <= rank(with_no)
    assert set(with_yes.rule_ids) <= set(with_no.rule_ids)


@FAST
@given(any_answers, st.sampled_from(PROHIBITED), st.sampled_from(["yes", "unknown"]))
def test_any_prohibited_practice_other_than_no_stops(given_answers, key, value):
    result = score(DEFN, {**given_answers, key: value})
    assert result.verdict == "stop"
    assert "prohibited_practice" in result.rule_ids


YES_NO_UNKNOWN = [q.key for q in QUESTIONS if q.type == "yes_no_unknown"]


@FAST
@given(any_answers, st.sampled_from(YES_NO_UNKNOWN))
def test_unknown_never_scores_better_than_the_worse_of_yes_and_no(given_answers, key):
    results = {v: score(DEFN, {**given_answers, key: v}) for v in ("yes", "no", "unknown")}
    shown = {v: visible_section_keys(DEFN, {**given_answers, key: v}) for v in results}
    unknown = results["unknown"]
    for value in ("yes", "no"):
        if shown[value] != shown["unknown"]:
            continue  # a branching answer changes which questions count; points are not comparable
        other = results[value]
        assert unknown.risk["score"] >= other.risk["score"]
        assert rank(unknown) >= rank(other)
        assert set(unknown.rule_ids) >= set(other.rule_ids)
        if other.verdict == "stop":
            assert unknown.verdict == "stop"


@FAST
@given(any_answers)
def test_the_fria_step_is_shown_exactly_when_the_high_risk_rule_fires(given_answers):
    shown = "fria" in visible_section_keys(DEFN, given_answers)
    assert shown == ("ai_act_high_risk" in score(DEFN, given_answers).rule_ids)


@FAST
@given(st.one_of(near_benign, risky))
def test_what_if_changes_do_what_they_promise(given_answers):
    result = score(DEFN, given_answers)
    what_if = result.what_if
    assert set(what_if) >= {"possible", "changes", "level", "axis", "note"}
    assert what_if["note"]
    if not what_if["possible"]:
        assert what_if["changes"] == []
        return
    changed = {**given_answers, **{c["key"]: c["to"] for c in what_if["changes"]}}
    after = score(DEFN, changed)
    assert (after.risk["level"], after.risk["axis"], after.risk["score"]) == (
        what_if["level"],
        what_if["axis"],
        what_if["score"],
    )
    assert rank(after) < rank(result)
    for change in what_if["changes"]:
        question = DEFN.questions[change["key"]]
        assert question.mitigation
        assert change["from"] != change["to"]
    if len(what_if["changes"]) > 1:
        # Smallest: none of the suggested changes is enough on its own.
        for change in what_if["changes"]:
            alone = score(DEFN, {**given_answers, change["key"]: change["to"]})
            assert rank(alone) >= rank(result)
