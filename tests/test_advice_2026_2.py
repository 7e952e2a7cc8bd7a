"""The cases that 2026.1 got wrong, each decided by 2026.2 from facts its answers can state.

The answer sets are the scenario files (fixtures/scenarios/); each case here changes only what the case is about.
"""

from pathlib import Path

import pytest

from assessments.engine import as_definition, load_definition, score, validate_answers
from assessments.engine.answer_sets import scenario_answers

ROOT = Path(__file__).resolve().parents[1]
V2 = as_definition(load_definition(ROOT / "fixtures" / "questionnaire" / "2026.2"))
NEW_KEYS = {"generates_content", "citizen_free_text", "bio_recognition", "sec_credentials_input", "gen_images"}


def result_for(answers: dict):
    cleaned, errors, _warnings = validate_answers(V2, answers)
    assert errors == {}
    return score(V2, cleaned)


def without_new_questions(answers: dict) -> dict:
    """Only what 2026.1's keys can state: no fix may depend on a new question being answered."""
    return {key: value for key, value in answers.items() if key not in NEW_KEYS | {"gen_management_decision"}}


@pytest.mark.parametrize("old_keys_only", [False, True], ids=["2026.2-keys", "2026.1-keys"])
def test_face_recognition_of_pupils_without_a_clarified_basis_stops_and_needs_a_dpia(old_keys_only):
    answers = scenario_answers("face_recognition_school_entrance", p_biometric_categorisation="no")
    result = result_for(without_new_questions(answers) if old_keys_only else answers)
    assert result.verdict == "stop"
    assert "special_categories_without_basis" in result.rule_ids
    assert {"dpia", "dpo_advice"} <= set(result.obligation_codes)


@pytest.mark.parametrize(
    "variant",
    [
        "free_transcription_health_generative",
        "free_transcription_health_integrated_only",
        "free_transcription_health_no_sensitive_input",
    ],
)
def test_a_free_transcription_tool_fed_health_data_stops_however_the_kind_of_ai_is_ticked(variant):
    for answers in (scenario_answers(variant), without_new_questions(scenario_answers(variant))):
        result = result_for(answers)
        assert result.verdict == "stop"
        assert "sensitive_input_unmanaged_tool" in result.rule_ids


def test_the_generative_step_saying_no_sensitive_input_is_caught_as_a_contradiction():
    result = result_for(scenario_answers("free_transcription_health_no_sensitive_input"))
    assert [check["id"] for check in result.consistency] == ["special_categories_but_no_sensitive_input"]


@pytest.mark.parametrize("special", ["yes", "no"])
def test_profiling_childrens_welfare_data_without_a_legal_basis_stops(special):
    answers = scenario_answers("child_welfare_prioritisation", pd_special=special, pd_basis="no")
    result = result_for(without_new_questions(answers))
    assert result.verdict == "stop"
    assert "profiling_vulnerable_without_basis" in result.rule_ids


@pytest.mark.parametrize("scale", [0, 1, 2, 3, 4])
def test_a_citizen_chatbot_processing_childrens_data_needs_a_dpia_at_any_scale(scale):
    result = result_for(without_new_questions(scenario_answers("chatbot_children_culture_school", pd_scale=scale)))
    assert "dpia" in result.obligation_codes
    assert "dpo_advice" in result.obligation_codes


def test_a_product_component_is_high_risk_without_fria_or_eu_registration():
    result = result_for(scenario_answers("home_care_fall_detection_medical_device"))
    assert "ai_act_product_component" in result.rule_ids
    assert "ai_act_high_risk" not in result.rule_ids
    assert not {"fria", "eu_database_registration"} & set(result.obligation_codes)
    assert {"keep_logs", "human_oversight", "monitor_high_risk"} <= set(result.obligation_codes)


def test_critical_infrastructure_is_high_risk_without_fria_or_eu_registration():
    result = result_for(scenario_answers("flood_control_stormwater"))
    assert "ai_act_high_risk" in result.rule_ids
    assert not {"fria", "eu_database_registration"} & set(result.obligation_codes)


def test_an_annex_iii_system_needs_fria_registration_and_the_explanation_procedure():
    result = result_for(scenario_answers("cv_screening"))
    assert {"fria", "eu_database_registration", "inform_affected"} <= set(result.obligation_codes)


def test_ticking_generative_besides_integrated_with_good_measures_never_lowers_the_risk():
    integrated = scenario_answers("copilot_word_outlook_integrated_only")
    both = {**integrated, "ai_kind": ["integrated", "generative"]}
    for key in ("gen_enterprise_agreement", "gen_fact_check", "gen_copyright", "gen_pilot"):
        both[key] = "yes"
    both.setdefault("gen_sensitive_input", "no")
    both.setdefault("gen_output_use", "internal_draft")
    assert result_for(both).risk["score"] >= result_for(integrated).risk["score"]


def test_a_bought_chatbot_cites_the_deployer_duty_not_article_50_1():
    result = result_for(scenario_answers("waste_chatbot"))
    disclosure = next(o for o in result.obligations if o["code"] == "ai_disclosure")
    assert "50" not in disclosure["source"]
    assert "provider_transparency" not in result.obligation_codes


def test_a_commissioned_chatbot_carries_the_providers_article_50_duties():
    result = result_for(scenario_answers("kindergarten_chatbot_commissioned"))
    duty = next(o for o in result.obligations if o["code"] == "provider_transparency")
    assert "art. 50 nr. 1 og 2" in duty["source"]


def test_the_what_if_for_a_fact_driven_rule_names_no_fact_to_change():
    result = result_for(scenario_answers("cv_screening"))
    for change in result.what_if["changes"]:
        assert V2.questions[change["key"]].is_measure
    # No safeguard helps: the note sends the leader to what triggers the rule, not to a safeguard.
    assert "det som utløser regelen" in result.what_if["note"] or result.what_if["possible"]
