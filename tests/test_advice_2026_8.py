"""The corrections of questionnaire 2026.8 (docs/legal-sources.md, "Differences from 2026.7"), each tested where a
leader meets it: the rules and duties an answer gives, the question that must be answered, or the wording of a duty."""

import pytest

from assessments.engine import score, validate_answers
from assessments.engine.visibility import is_required
from tests import advice_helpers as advice

CORRECTIONS = advice.Corrections("2026.7", "2026.8")
V7, V8, V8_DIR = CORRECTIONS.old, CORRECTIONS.new, CORRECTIONS.folder
SCENARIOS = advice.SCENARIOS


def scored(slug: str, definition=None, **changes):
    return CORRECTIONS.scored(V8_DIR / f"{slug}.json", definition, **changes)


def checks(result) -> set:
    return {check["id"] for check in result.to_dict()["consistency"]}


# 1. Confidential input without personal data.

TENDERS = "tender_evaluation_confidential_no_personal_data"


def test_confidential_input_without_personal_data_has_its_own_rule_that_managements_decision_lifts():
    undecided = scored(TENDERS, gen_management_decision="no")
    assert "confidential_input_managed_tool" in undecided.rule_ids
    assert "sensitive_input_managed_tool" not in undecided.rule_ids
    assert not {"dpia", "dpia_trigger"} & (set(undecided.obligation_codes) | set(undecided.rule_ids))
    assert "management_decision" in undecided.obligation_codes
    # The what-if finds the measure (2026.7 found none: its rule also wanted a DPIA, which is not asked here).
    changes = undecided.to_dict()["what_if"]["changes"]
    assert [(c["key"], c["to"]) for c in changes] == [("gen_management_decision", "yes")]
    decided = scored(TENDERS)
    assert not decided.rule_ids and decided.verdict == "recommended"


def test_2026_7_held_the_same_use_high_with_no_way_out():
    answers = advice.answers_of(V8_DIR / f"{TENDERS}.json", gen_management_decision="no")
    result = score(V7, validate_answers(V7, answers)[0])
    assert "sensitive_input_managed_tool" in result.rule_ids
    assert not result.to_dict()["what_if"]["possible"]


def test_the_personal_data_rule_still_needs_the_decision_and_the_dpia():
    path = SCENARIOS / "v2026_7" / "case_note_dictation_building_permits.json"
    for changes, fires in [
        ({}, True),
        ({"gen_management_decision": "yes"}, True),
        ({"gen_management_decision": "yes", "pd_dpia": "done_acceptable"}, False),
    ]:
        result = score(V8, validate_answers(V8, advice.answers_of(path, **changes))[0])
        assert ("sensitive_input_managed_tool" in result.rule_ids) is fires
        assert "confidential_input_managed_tool" not in result.rule_ids


@pytest.mark.parametrize(("pd_any", "sensitive", "required"), [("no", "yes", True), ("no", "no", False)])
def test_managements_decision_must_be_answered_for_confidential_input(pd_any, sensitive, required):
    answers = advice.answers_of(V8_DIR / f"{TENDERS}.json", pd_any=pd_any, gen_sensitive_input=sensitive)
    assert is_required(V8, V8.questions["gen_management_decision"], answers) is required
    assert "taushetsbelagt" in V8.questions["gen_management_decision"].label
    assert "confidential information" in V8.questions["gen_management_decision"].label_en


def test_the_confidential_rule_says_no_dpia_is_needed():
    confidential = V8.rule("confidential_input_managed_tool")
    assert "En DPIA trengs ikke" in confidential.explanation and "No DPIA is needed" in confidential.explanation_en
    assert "2.1.2" in confidential.source and "del 3" in confidential.source


# 2. The vendor trains on our personal data; a tool without a municipal agreement.


@pytest.mark.parametrize(
    ("answer", "stops", "held_high"), [("yes", True, False), ("unknown", False, True), ("no", False, False)]
)
def test_a_vendor_that_trains_on_our_personal_data_stops_the_use(answer, stops, held_high):
    """A "don't know" is no stop, but it holds the risk high until the contract is read: a leader who checks and finds
    "yes" must not fare worse than one who never checks and finds "recommended"."""
    result = scored("meeting_minutes_vendor_trains_on_input", pd_vendor_train=answer)
    assert ("vendor_trains_on_personal_data" in result.rule_ids) is stops
    assert (result.verdict == "stop") is stops
    assert ("vendor_training_unclarified" in result.rule_ids) is held_high
    if held_high:
        assert result.risk["axis"] == "high" and result.verdict != "recommended"
    source = V8.rule("vendor_trains_on_personal_data").source
    assert "art. 28 nr. 3 bokstav a" in source and "art. 28 nr. 10" in source and "2.1.1" in source


def test_2026_7_gave_the_vendor_training_no_rule():
    path = V8_DIR / "meeting_minutes_vendor_trains_on_input.json"
    result = score(V7, validate_answers(V7, advice.answers_of(path))[0])
    assert result.verdict != "stop"  # its other rules (no DPIA yet) only hold the risk high


@pytest.mark.parametrize(
    ("agreement", "sensitive", "stops"), [("no", "yes", True), ("yes", "yes", False), ("no", "no", False)]
)
def test_a_tool_used_without_a_municipal_agreement_is_like_a_tool_not_procured(agreement, sensitive, stops):
    changes = {"gen_enterprise_agreement": agreement, "gen_sensitive_input": sensitive}
    if sensitive == "no":
        changes["pd_any"] = "no"
    result = scored("transcription_app_without_municipal_agreement", **changes)
    assert ("sensitive_input_unmanaged_tool" in result.rule_ids) is stops


# 4. A DPIA for automated decisions without AI.

PARKING = "resident_parking_permits_not_ai"


@pytest.mark.parametrize(
    ("changes", "required"),
    [
        ({}, True),  # large scale and combined registers
        ({"pd_scale": 2, "pd_combine": "no"}, False),  # an automated decision alone
        ({"pd_scale": 2, "pd_combine": "no", "pd_special": "yes"}, True),
        ({"pd_scale": 2, "pd_combine": "no", "affected": ["residents", "vulnerable_groups"]}, True),
        ({"pd_scale": 2, "pd_combine": "no", "pd_children": "yes"}, True),
        ({"decision_role": "decision_support"}, False),  # a person decides, and it is not AI
    ],
    ids=["scale_and_registers", "decision_alone", "special", "vulnerable", "children", "decision_support"],
)
def test_an_automated_decision_without_ai_needs_a_dpia_with_one_more_criterion(changes, required):
    result = scored(PARKING, **changes)
    assert ("dpia" in result.obligation_codes) is required
    assert ("dpia_trigger" in result.rule_ids) is required


def test_2026_7_asked_no_dpia_of_the_parking_decisions():
    result = score(V7, validate_answers(V7, advice.answers_of(V8_DIR / f"{PARKING}.json"))[0])
    assert "dpia" not in result.obligation_codes


# 5. Input data for high-risk systems.


def test_the_high_risk_duties_name_the_input_data_of_art_26_4():
    monitor = V8.obligation("monitor_high_risk")
    assert "relevante og tilstrekkelig representative" in monitor.why and "art. 26 nr. 4" in monitor.why
    assert "sufficiently representative" in monitor.why_en and "26(4)" in monitor.source_en
    assert "4" in monitor.source.split("art. 26 nr.")[1]


# 6. Deployment duties while a prohibited practice stops the use.


def test_a_stop_lists_neither_high_risk_oversight_nor_high_risk_information():
    pupils = scored("emotion_recognition_pupils")
    assert "prohibited_practice" in pupils.rule_ids and "ai_act_high_risk" in pupils.rule_ids
    assert "human_oversight" not in pupils.obligation_codes
    housing = scored("social_scoring_housing")
    assert "inform_affected" not in housing.obligation_codes
    # The guide's branch stays: the housing ranking supports decisions about people.
    assert "human_oversight" in housing.obligation_codes
    # Without the ban, the same uses get the duties again.
    allowed = scored("social_scoring_housing", p_social_scoring="no")
    assert "inform_affected" in allowed.obligation_codes


def test_a_stop_does_not_ask_a_provider_to_document_the_exemption():
    path = SCENARIOS / "housing_ranking_dpia_acceptable.json"
    exempt = {"role": "build", "hr_exempt": "preparatory", "hr_profiling": "no", "pd_profiling": "no"}
    answers = {"cat_choice": "not_listed", **advice.answers_of(path, **exempt)}
    allowed = score(V8, validate_answers(V8, answers)[0])
    assert "document_exemption_assessment" in allowed.obligation_codes
    banned = score(V8, validate_answers(V8, {**answers, "p_social_scoring": "yes"})[0])
    assert "document_exemption_assessment" not in banned.obligation_codes


def test_an_automated_decision_is_still_explained_while_a_ban_stops_the_use():
    result = scored(PARKING, p_manipulation="yes")
    assert result.verdict == "stop"
    assert "inform_affected" in result.obligation_codes and "human_oversight" in result.obligation_codes


# 7. Automated decisions without personal data.


def test_an_automated_decision_without_personal_data_is_a_contradiction():
    answers = {**advice.answers_of(V8_DIR / f"{PARKING}.json"), "pd_any": "no"}
    answers.pop("fv_individual_decisions")
    result = score(V8, validate_answers(V8, answers)[0])
    assert "individual_decisions_without_personal_data" in checks(result)
    (check,) = [c for c in result.to_dict()["consistency"] if c["id"] == "individual_decisions_without_personal_data"]
    assert "decision_role" in check["questions"] and "pd_any" in check["questions"]
    # 2026.7 only looked at fv_individual_decisions.
    assert "individual_decisions_without_personal_data" not in checks(score(V7, validate_answers(V7, answers)[0]))


def test_an_automated_decision_about_no_one_needs_no_personal_data():
    """A flood gate that opens by itself decides about no person: the check asks for people among those affected."""
    answers = {**advice.answers_of(V8_DIR / f"{PARKING}.json"), "pd_any": "no", "affected": []}
    answers.pop("fv_individual_decisions")
    result = score(V8, validate_answers(V8, answers)[0])
    assert "individual_decisions_without_personal_data" not in checks(result)


# 9. The guide's remaining AI duties follow is_ai.

AI_ONLY_DUTIES = {"visual_identity", "incident_reporting", "interdisciplinary_team"}


@pytest.mark.parametrize("is_ai", ["no", "yes", "unknown"])
def test_the_guides_visual_identity_incident_and_team_duties_follow_is_ai(is_ai):
    changes = {"is_ai": is_ai, "gen_images": "yes", "gen_output_use": "published", "role": "buy_modify"}
    result = scored("citizen_letter_templates_not_ai", **changes)
    assert (AI_ONLY_DUTIES <= set(result.obligation_codes)) is (is_ai != "no")
    if is_ai == "no":
        assert not AI_ONLY_DUTIES & set(result.obligation_codes)


def test_2026_8_keeps_the_weights_of_2026_7():
    for key, question in V7.questions.items():
        for value in question.values:
            for axis in ("risk", "mitigation", "need"):
                assert V8.questions[key].points(axis, value) == question.points(axis, value), (key, value, axis)
