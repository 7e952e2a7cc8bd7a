"""The quick path's engine API (`assessments.engine.screening`): the cases that must go on to the full
questionnaire, a drafting assistant from the tool overview that may take the quick path, and the answers carried
over. On 2026.3 (its own screening) and 2026.2 with the test screening."""

import json

import pytest

from assessments.engine import as_definition, load_definition, score, validate_answers
from assessments.engine.screening import (
    UNSURE,
    VERDICT_LOW_AFTER_SCREENING,
    NoScreening,
    clean_screening_answers,
    evaluate_screening,
    has_quick_path,
    screening_for,
)
from tests.screening_helpers import FIXTURES, definition_2026_2

V3 = as_definition(load_definition(FIXTURES / "2026.3"))
V2 = definition_2026_2()
V4 = as_definition(load_definition(FIXTURES / "2026.4"))
V5 = as_definition(load_definition(FIXTURES / "2026.5"))
DRAFTING_V3 = dict(screening_for(V3).examples[0].answers)
DRAFTING_V2 = dict(screening_for(V2).examples[0].answers)
BOTH = [(V3, DRAFTING_V3), (V2, DRAFTING_V2)]
IDS = ["2026.3", "2026.2+test-screening"]


def blocking(result, kind=None):
    return {f.id: f for f in result.blocking if kind is None or f.kind == kind}


def test_a_drafting_assistant_from_the_overview_takes_the_quick_path():
    result = evaluate_screening(V3, DRAFTING_V3)
    assert result.opens_quick_path and result.verdict == VERDICT_LOW_AFTER_SCREENING
    assert result.blocking == []
    certain = {f.id for f in result.obligations_certain}
    assert {"ai_literacy_training", "tool_overview", "generative_guidelines", "ros_analysis"} <= certain
    possible = {f.id: f for f in result.obligations_possible}
    # Not asked in the quick check: whether the agency builds or adapts the tool decides these.
    assert "role" in possible["provider_role_check"].unasked
    assert "inform_employee_reps" in possible and possible["inform_employee_reps"].keys == ["affected"]
    assert not certain & set(possible)


def test_the_carried_answers_are_the_direct_answers_the_implications_and_the_overview_facts():
    carried = evaluate_screening(V3, DRAFTING_V3).carried_answers
    assert carried["cat_choice"] == "listed" and carried["tool_source"] == "procured"
    assert carried["pd_any"] == "no" and carried["hr_profiling"] == "no"
    assert carried["hr_area"] == ["none"] and carried["p_intimate_imagery"] == "no"
    assert carried["cat_status"] == "approved" and carried["sec_classification"] == "internal"
    assert not any(key.startswith("scr_") for key in carried)
    assert set(carried) <= set(V3.questions)
    # An ordinary answers file of the version: the full engine scores it (incomplete, no hard rule).
    result = score(V3, carried)
    assert not result.complete and result.hard_rules == []


def test_a_tool_from_the_overview_is_carried_as_ai_on_2026_4():
    """2026.4: the AI Act's duties follow `is_ai`; the overview lists AI services, so a listed tool is AI."""
    drafting = dict(screening_for(V4).examples[0].answers)
    assert drafting["cat_choice"] == "listed"
    carried = evaluate_screening(V4, drafting).carried_answers
    assert carried["is_ai"] == "yes" and carried["tool_source"] == "procured"
    assert "is_ai" not in evaluate_screening(V3, DRAFTING_V3).carried_answers


def test_no_high_risk_use_hides_the_remote_identification_question_on_2026_5():
    """2026.5: `scr_high_risk: none` implies `bio_recognition: none`, which hides `bio_remote`; nothing is missing."""
    drafting = dict(screening_for(V5).examples[0].answers)
    assert drafting["scr_high_risk"] == "none"
    carried = evaluate_screening(V5, drafting).carried_answers
    assert carried["bio_recognition"] == "none" and "bio_remote" not in carried
    assert "bio_remote" not in score(V5, carried).missing
    assert "bio_remote" in score(V5, {**carried, "bio_recognition": "identification"}).missing


@pytest.mark.parametrize("definition", [V5, V4, V3, V2], ids=["2026.5", "2026.4", *IDS])
def test_carried_answers_are_valid_answers_of_the_version(definition):
    for example in screening_for(definition).examples:
        carried = evaluate_screening(definition, example.answers).carried_answers
        cleaned, errors, _warnings = validate_answers(definition, carried)
        assert errors == {}, example.name
        # Answers to steps these answers hide (e.g. generative questions for a tool that creates nothing) are
        # dropped, as for an import; everything else is kept as it was carried.
        assert cleaned == {k: v for k, v in carried.items() if k in cleaned}


@pytest.mark.parametrize(("definition", "drafting"), BOTH, ids=IDS)
def test_personal_data_about_children_goes_on_to_the_full_wizard(definition, drafting):
    result = evaluate_screening(definition, {**drafting, "scr_personal_data": "children"})
    assert not result.opens_quick_path and result.verdict is None
    reason = blocking(result)["children_or_vulnerable"]
    assert reason.state == "true" and reason.screening_keys == ["scr_personal_data"]
    assert reason.title == "Opplysningene gjelder barn eller andre sårbare"
    assert result.carried_answers["pd_children"] == "yes"
    assert "personal_data_without_basis" in blocking(result, "rule")


@pytest.mark.parametrize(("definition", "drafting"), BOTH, ids=IDS)
@pytest.mark.parametrize("role", ["decision_support", "automated_decision", UNSURE])
def test_a_decision_about_people_goes_on_to_the_full_wizard(definition, drafting, role):
    result = evaluate_screening(definition, {**drafting, "decision_role": role})
    assert not result.opens_quick_path
    reason = blocking(result)["decisions_about_people"]
    assert reason.screening_keys == ["decision_role"]
    assert reason.state == ("unknown" if role == UNSURE else "true")


@pytest.mark.parametrize("choice", ["not_listed", UNSURE, None])
def test_a_tool_not_from_the_overview_goes_on_to_the_full_wizard(choice):
    answers = (
        {**DRAFTING_V3, "cat_choice": choice} if choice else {k: v for k, v in DRAFTING_V3.items() if k != "cat_choice"}
    )
    result = evaluate_screening(V3, answers)
    assert not result.opens_quick_path
    assert blocking(result)["tool_not_listed"].screening_keys == ["cat_choice"]
    # Without the overview the tool may be an unmanaged one; the rule on that cannot be ruled out.
    assert blocking(result, "rule")["sensitive_input_unmanaged_tool"].state == "unknown"
    assert "tool_source" not in result.carried_answers


def test_an_unknown_tool_in_2026_2_goes_on_to_the_full_wizard():
    result = evaluate_screening(V2, {**DRAFTING_V2, "tool_source": "employee_initiative"})
    assert not result.opens_quick_path
    assert blocking(result)["tool_not_procured"].state == "true"


def test_the_tool_overview_facts_decide_the_catalogue_rules():
    under = evaluate_screening(V3, {**DRAFTING_V3, "cat_status": "under_assessment"})
    assert list(blocking(under)) == ["catalogue_under_assessment"]
    finding = blocking(under)["catalogue_under_assessment"]
    assert finding.title == "Chat-assistenten er under vurdering i verktøyoversikten"
    assert finding.screening_keys == ["cat_choice", "cat_status"]
    assert finding.effect == "high_risk" and finding.text.startswith("UKE har ikke konkludert")
    assert finding.source_en.startswith("Oslo kommune's AI guide")
    exceeded = evaluate_screening(V3, {**DRAFTING_V3, "sec_classification": "confidential"})
    assert "catalogue_class_exceeded" in blocking(exceeded, "rule")
    missing_fact = evaluate_screening(V3, {k: v for k, v in DRAFTING_V3.items() if k != "cat_max_class"})
    assert blocking(missing_fact)["catalogue_class_exceeded"].state == "unknown"


# For the drafting assistant, what it creates, what that is used for and how many use it decide no hard rule:
# no answer to them closes the quick path. Every other question does matter.
DOES_NOT_MATTER = {"generates_content", "gen_output_use", "users_reached"}


@pytest.mark.parametrize(("definition", "drafting"), BOTH, ids=IDS)
def test_unsure_anywhere_that_matters_closes_the_quick_path(definition, drafting):
    for question in screening_for(definition).questions:
        result = evaluate_screening(definition, {**drafting, question.key: UNSURE})
        assert question.key in result.unsure
        if question.key in DOES_NOT_MATTER:
            assert result.opens_quick_path
            for value in question.values:
                assert evaluate_screening(definition, {**drafting, question.key: value}).opens_quick_path
        else:
            assert not result.opens_quick_path, question.key
            assert any(question.key in f.screening_keys for f in result.blocking), question.key


def test_a_contradiction_the_screening_leaves_open_keeps_the_quick_path_closed():
    # Residents writing freely while "no personal data" is a contradiction the full engine reads the worse way
    # (personal data may come in), so the personal-data rules cannot be ruled out.
    result = evaluate_screening(V2, {**DRAFTING_V2, "scr_citizens": "free_text"})
    assert not result.opens_quick_path
    assert "open_channel_without_personal_data" not in blocking(result)
    assert {"sensitive_input_managed_tool", "undisclosed_ai"} <= set(blocking(result, "rule"))


def test_clean_screening_answers_checks_choices_and_overview_facts():
    cleaned, errors = clean_screening_answers(
        V3,
        {
            "cat_choice": "listed",
            "cat_status": "approved",
            "cat_name": "  Chat  ",
            "scr_prohibited": "maybe",
            "title": "not a screening key",
            "mandate": "",
        },
    )
    assert cleaned == {"cat_choice": "listed", "cat_status": "approved", "cat_name": "Chat"}
    assert errors["scr_prohibited"].code == "invalid_value"
    assert errors["title"].code == "unknown_question"
    assert set(errors) == {"scr_prohibited", "title"}
    bad_fact = clean_screening_answers(V3, {"cat_status": "great"})[1]
    assert bad_fact["cat_status"].code == "invalid_value"


def test_every_screening_question_offers_unsure_in_plain_words_in_both_languages():
    for definition in (V3, V2):
        screening = screening_for(definition)
        assert len(screening.questions) <= 12
        for question in screening.questions:
            assert question.values[-1] == UNSURE, question.key
            assert question.label and question.label_en and question.source and question.source_en
            for choice in question.choices:
                assert choice.label and choice.label_en
            unsure = question.choice(UNSURE)
            assert (unsure.label, unsure.label_en, dict(unsure.implies)) == ("Usikker", "Not sure", {})


def test_a_version_without_a_screening_has_no_quick_path():
    v2 = as_definition(load_definition(FIXTURES / "2026.2"))
    assert not has_quick_path(v2) and screening_for(v2) is None
    with pytest.raises(NoScreening):
        evaluate_screening(v2, {})
    assert has_quick_path(V3)


def test_the_result_is_json_ready():
    data = evaluate_screening(V3, {**DRAFTING_V3, "scr_personal_data": "children"}).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert {"opens_quick_path", "verdict", "blocking", "obligations_certain", "obligations_possible"} <= set(data)


def test_a_title_names_the_answer_as_the_evaluation_read_it_and_the_draft_gets_the_answer_given():
    """Special categories overrule "internal information" with its worse reading, confidential: the rule that
    fires on it must say so, not "approved for up to internal, not internal"."""
    for personal_data, state in [("special", "true"), ("children", "unknown")]:  # surely, or it may hold
        result = evaluate_screening(V3, {**DRAFTING_V3, "scr_personal_data": personal_data})
        (exceeded,) = [f for f in result.blocking if f.id == "catalogue_class_exceeded"]
        assert exceeded.state == state
        assert "ikke «Taushetsbelagt" in exceeded.title and "not “Confidential" in exceeded.title_en
        assert result.carried_answers["sec_classification"] == DRAFTING_V3["sec_classification"]
