"""The corrections of questionnaire 2026.12 (docs/legal-sources.md, "Differences from 2026.11"), each tested on 2026.12
and against 2026.11, which gave the other advice for the same answers."""

import pytest

from assessments.engine import score, validate_answers
from tests import advice_helpers as advice

CORRECTIONS = advice.Corrections("2026.11", "2026.12", defaults=advice.NOT_LISTED, new_questions=("pd_employees",))
V11, V12, V12_DIR = CORRECTIONS.old, CORRECTIONS.new, CORRECTIONS.folder
scored = CORRECTIONS.scored
SCENARIOS = advice.SCENARIOS
ARCHIVE = V12_DIR / "archive_case_summaries_used_by_caseworkers.json"
PERSONNEL = V12_DIR / "personnel_file_archiving_suggestions.json"
ROUTER_NOT_DECIDED = V12_DIR / "self_built_inquiry_router_model_not_decided.json"
ROUTER_PLATFORM = SCENARIOS / "v2026_10" / "self_built_inquiry_router_municipal_platform.json"
REPORTS = V12_DIR / "tool_not_decided_internal_reports.json"
LIBRARY = V12_DIR / "library_visitor_counting_categorisation_unknown.json"
DPIA = {"dpia_trigger"}
DPIA_DUTIES = {"dpia", "dpo_advice"}


def checks(result) -> list:
    return [check["id"] for check in result.to_dict()["consistency"]]


# 1. Employees who only use the tool are not data subjects: the DPIA criterion and control measures read pd_employees.


def test_the_new_question_asks_whose_data_is_processed_and_has_no_points():
    question = V12.questions["pd_employees"]
    assert "pd_employees" not in V11.questions
    assert question.type == "yes_no_unknown" and question.section == "personal_data"
    assert question.required and not question.risk and not question.mitigation
    assert "bare bruker" in question.help and "only use" in question.help_en
    assert "WP248" in question.source and "§ 9-1" in question.source
    # `affected` says who is affected, and that users are not thereby data subjects.
    assert "under personopplysninger" in V12.questions["affected"].help
    assert "personal data step" in V12.questions["affected"].help_en


def test_employees_using_the_tool_on_residents_data_need_no_dpia_on_their_account():
    before, after = scored(ARCHIVE, V11), scored(ARCHIVE)
    assert before.verdict == "proceed_with_safeguards" and DPIA <= set(before.rule_ids)
    assert DPIA_DUTIES <= set(before.obligation_codes)
    assert after.verdict == "recommended" and not after.rule_ids
    assert not DPIA_DUTIES & set(after.obligation_codes)
    # Their representatives are still informed: the tool changes their work (arbeidsmiljøloven § 4-2).
    assert "inform_employee_reps" in after.obligation_codes


@pytest.mark.parametrize(("answer", "dpia"), [("yes", True), ("unknown", True), ("no", False)])
def test_data_about_employees_meets_the_criterion_and_dont_know_counts_as_yes(answer, dpia):
    for path in (ARCHIVE, PERSONNEL):
        result = scored(path, pd_employees=answer)
        assert (DPIA <= set(result.rule_ids)) is dpia, path.name
        assert (DPIA_DUTIES <= set(result.obligation_codes)) is dpia, path.name


def test_data_about_employees_needs_a_dpia_even_when_they_are_not_ticked_as_affected():
    # The personnel system's documents concern the employees; on 2026.11 only `affected` counted.
    result = scored(PERSONNEL, affected=["residents"])
    assert DPIA <= set(result.rule_ids)
    assert not DPIA <= set(scored(PERSONNEL, V11, affected=["residents"]).rule_ids)


def test_the_non_ai_branch_reads_employees_data_too():
    # A rule-based automated decision: the employee criterion counts with the automated decision (2026.8 branch).
    changes = {"is_ai": "no", "decision_role": "automated_decision", "fv_basis_auto": "yes"}
    on_residents = scored(ARCHIVE, **changes)
    assert "dpia" not in on_residents.obligation_codes
    assert "dpia" in scored(ARCHIVE, **changes, pd_employees="yes").obligation_codes
    assert "dpia" in scored(ARCHIVE, V11, **changes).obligation_codes


@pytest.mark.parametrize(
    ("changes", "owed"),
    [
        ({"pd_monitoring": "yes", "pd_employees": "no"}, False),  # monitoring of residents, employees only use it
        ({"pd_monitoring": "yes", "pd_employees": "yes"}, True),
        ({"pd_monitoring": "unknown", "pd_employees": "unknown"}, True),
        ({"pd_monitoring": "no", "pd_employees": "yes"}, False),  # employees' data, but nothing monitors them
    ],
    ids=["residents_monitored", "employees_monitored", "both_unknown", "not_monitored"],
)
def test_control_measures_concern_monitoring_of_employees_data(changes, owed):
    assert ("employee_control_measures" in scored(ARCHIVE, **changes).obligation_codes) is owed
    # On 2026.11 ticking employees as affected was enough, whoever was monitored.
    before = scored(ARCHIVE, V11, pd_monitoring=changes["pd_monitoring"])
    assert ("employee_control_measures" in before.obligation_codes) is (changes["pd_monitoring"] != "no")


def test_an_older_answer_set_without_the_new_question_keeps_its_reading_and_reports_it_missing():
    answers = advice.answers_of(ARCHIVE, advice.NOT_LISTED, pd_employees=None)
    cleaned, errors, _ = validate_answers(V12, answers)
    assert errors == {}
    result = score(V12, cleaned)
    assert "pd_employees" in result.missing
    # Unanswered, employees in `affected` are read as before (precaution), until the question is answered.
    assert DPIA <= set(result.rule_ids)
    assert not DPIA & set(score(V12, validate_answers(V12, {**answers, "affected": ["residents"]})[0]).rule_ids)


def test_workers_are_still_informed_of_a_high_risk_system_they_operate():
    # AI Act art. 26(7) is kept on `affected` (docs/legal-sources.md, "Differences from 2026.11", point 1).
    duty = V12.obligation("inform_workers_high_risk")
    assert duty.when == V11.obligation("inform_workers_high_risk").when


# 2. A generative tool not chosen yet gets the rule a procured one gets.


def test_the_self_built_router_not_decided_is_at_least_as_strict_as_procured():
    procured, not_decided = scored(ROUTER_NOT_DECIDED, tool_source="procured"), scored(ROUTER_NOT_DECIDED)
    before = scored(ROUTER_NOT_DECIDED, V11)
    assert before.verdict == "recommended" and not before.rule_ids and "dpia" not in before.obligation_codes
    assert not_decided.verdict == procured.verdict == "proceed_with_safeguards"
    assert set(procured.rule_ids) <= set(not_decided.rule_ids) == {"sensitive_input_managed_tool"}
    assert set(procured.obligation_codes) <= set(not_decided.obligation_codes)
    assert not_decided.risk["score"] >= procured.risk["score"]
    # The older file, answered procured, has the same rule on both versions.
    assert scored(ROUTER_PLATFORM, V11).rule_ids == scored(ROUTER_PLATFORM, pd_employees="no").rule_ids


def test_the_rule_is_lifted_for_a_tool_not_chosen_as_for_a_procured_one():
    lifted = scored(ROUTER_NOT_DECIDED, gen_management_decision="yes", pd_dpia="done_acceptable")
    assert "sensitive_input_managed_tool" not in lifted.rule_ids


def test_confidential_information_in_a_tool_not_chosen_needs_managements_decision():
    before, after = scored(REPORTS, V11), scored(REPORTS)
    assert "confidential_input_managed_tool" not in before.rule_ids
    assert "confidential_input_managed_tool" in after.rule_ids
    assert "confidential_input_managed_tool" not in scored(REPORTS, gen_management_decision="yes").rule_ids


@pytest.mark.parametrize("code", ["sensitive_input_managed_tool", "confidential_input_managed_tool"])
def test_the_texts_say_a_tool_not_chosen_yet(code):
    rule = V12.rule(code)
    assert "ikke valgt ennå" in rule.explanation and "not chosen yet" in rule.explanation_en


def test_a_tool_staff_use_on_their_own_still_stops_rather_than_getting_the_managed_rule():
    result = scored(ROUTER_NOT_DECIDED, tool_source="employee_initiative")
    assert "sensitive_input_managed_tool" not in result.rule_ids


# 3. "Don't know" about biometric categorisation without personal data is a contradiction as "yes" is.


def test_dont_know_about_biometric_categorisation_no_longer_scores_better_than_yes():
    check = next(c for c in V12.consistency if c.id == "biometric_categorisation_unknown_without_personal_data")
    assert check.worse == {"pd_any": "unknown"} and set(check.questions) == {"bio_categorisation", "pd_any"}
    before_unknown, before_yes = scored(LIBRARY, V11), scored(LIBRARY, V11, bio_categorisation="yes")
    assert before_unknown.risk["score"] < before_yes.risk["score"]
    after_unknown, after_yes = scored(LIBRARY), scored(LIBRARY, bio_categorisation="yes")
    assert after_unknown.risk["score"] >= after_yes.risk["score"]
    assert "biometric_categorisation_unknown_without_personal_data" in checks(after_unknown)
    assert not checks(before_unknown)
    assert "data_processing_agreement" in after_unknown.obligation_codes
    assert "data_processing_agreement" not in before_unknown.obligation_codes


@pytest.mark.parametrize("changes", [{"bio_categorisation": "no"}, {"pd_any": "unknown"}], ids=["no", "pd_unknown"])
def test_the_check_clears_when_either_answer_is_cleared_up(changes):
    assert "biometric_categorisation_unknown_without_personal_data" not in checks(scored(LIBRARY, **changes))


# 4. The provider's duties cite the conformity assessment for every high-risk system.


def test_the_provider_duties_cite_art_43_paragraphs_1_to_3():
    before, after = V11.obligation("provider_duties_high_risk"), V12.obligation("provider_duties_high_risk")
    assert before.source == "KI-forordningen art. 16, 43 nr. 3 og 49 nr. 1 og 5"
    assert after.source == "KI-forordningen art. 16, 43 nr. 1–3 og 49 nr. 1 og 5"
    assert after.source_en == "AI Act Art. 16, 43(1) to (3), 49(1) and 49(5)"
    assert after.when == before.when
