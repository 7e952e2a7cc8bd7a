"""The corrections of questionnaire 2026.9 (docs/legal-sources.md, "Differences from 2026.8"), each tested where a
leader meets it: the question and when it must be answered, the rules and duties an answer gives, the contradiction
it raises, and what the what-if can and cannot name."""

import calendar
import re
from collections import Counter

import pytest

from assessments.engine import score, validate_answers
from assessments.engine.screening import evaluate_screening, screening_for
from assessments.engine.visibility import is_required, question_shown
from tests import advice_helpers as advice

CORRECTIONS = advice.Corrections("2026.8", "2026.9")
V8, V9, V9_DIR = CORRECTIONS.old, CORRECTIONS.new, CORRECTIONS.folder
scored = CORRECTIONS.scored
SCENARIOS = advice.SCENARIOS
CHILD_WELFARE = V9_DIR / "child_welfare_risk_score_followed.json"
YOUTH_CLUB = V9_DIR / "youth_club_visitor_age_counting.json"
ART_22_DUTIES = {"explain_decision", "human_review_right", "inform_affected", "automated_decision_special_categories"}


def checks(result) -> set:
    return {check["id"] for check in result.to_dict()["consistency"]}


# 1. Decision support whose proposal settles the outcome in practice.


def test_the_question_says_when_it_applies_and_is_asked_only_of_decision_support_about_people():
    question = V9.questions["fv_human_assessment"]
    assert question.label.startswith("Hvis KI-en gir beslutningsstøtte i saker om personer")
    assert question.label_en.startswith("If the AI gives decision support in cases about people")
    assert [c.value for c in question.choices] == ["independent", "follows_proposal", "unknown"]
    assert "C-634/21" in question.source and "WP251" in question.source and "2.1.2" in question.source
    for role, affected, asked in [
        ("decision_support", ["children"], True),
        ("decision_support", [], False),  # decides about no one
        ("automated_decision", ["residents"], False),  # automated already: decision_role says so
        ("internal_support", ["residents"], False),
    ]:
        answers = {"decision_role": role, "affected": affected}
        assert question_shown(question, answers) is asked
        assert is_required(V9, question, answers) is asked


@pytest.mark.parametrize(
    ("answer", "fires"), [("follows_proposal", True), ("unknown", True), ("independent", False), (None, False)]
)
def test_a_proposal_that_settles_the_outcome_is_read_as_an_automated_decision(answer, fires):
    result = scored(CHILD_WELFARE, fv_human_assessment=answer)
    assert ("decision_support_settles_outcome" in result.rule_ids) is fires
    assert (ART_22_DUTIES <= set(result.obligation_codes)) is fires
    if not fires:
        assert not {"explain_decision", "human_review_right"} & set(result.obligation_codes)
    # High risk, never a stop of its own: the verdict follows the other rules and the scores.
    assert result.verdict != "stop"
    assert "automated_decision" not in result.rule_ids  # the system does not decide alone


def test_2026_8_read_the_same_answers_as_a_person_deciding():
    answers = advice.answers_of(CHILD_WELFARE, fv_human_assessment=None)
    result = score(V8, validate_answers(V8, answers)[0])
    assert not {"explain_decision", "human_review_right"} & set(result.obligation_codes)
    assert "automated_decision_special_categories" not in result.obligation_codes


def test_art_22_needs_personal_data_about_the_people_affected():
    # Without personal data (and without individual decisions or profiling, whose checks read personal data in).
    result = scored(CHILD_WELFARE, pd_any="no", fv_individual_decisions="no", hr_profiling="no", pd_profiling="no")
    assert "decision_support_settles_outcome" not in result.rule_ids
    # Personal data not known: counts (the precautionary reading of pd_any).
    assert "decision_support_settles_outcome" in scored(CHILD_WELFARE, pd_any="unknown").rule_ids


def test_special_categories_in_a_proposal_that_settles_the_outcome_bring_art_22_4():
    assert "automated_decision_special_categories" in scored(CHILD_WELFARE).obligation_codes
    assert "automated_decision_special_categories" not in scored(CHILD_WELFARE, pd_special="no").obligation_codes


def test_the_rule_names_what_lifts_it_and_the_what_if_names_no_measure_for_it():
    rule = V9.rule("decision_support_settles_outcome")
    assert rule.effect == "high_risk"
    assert "art. 22 nr. 2 bokstav b" in rule.explanation and "Art. 22(2)(b)" in rule.explanation_en
    assert "myndighet til å gå imot forslaget" in rule.explanation
    # A fact about practice without points (it has shown_when): the what-if cannot suggest it, and says which rule
    # holds the level.
    assert not V9.may_suggest(V9.questions["fv_human_assessment"])
    what_if = scored(CHILD_WELFARE).to_dict()["what_if"]
    assert "fv_human_assessment" not in {change["key"] for change in what_if["changes"]}
    assert "Beslutningsstøtte som i praksis kan avgjøre utfallet" in what_if["note"]


def test_the_duties_say_they_also_cover_a_proposal_that_settles_the_outcome():
    assert "forslaget fra løsningen i praksis avgjør utfallet" in V9.obligation("explain_decision").why
    assert "settles the outcome in practice" in V9.obligation("explain_decision").why_en
    assert "gjøres reell" in V9.obligation("human_review_right").why
    assert "settles the outcome in practice" in V9.obligation("inform_affected").why_en


HOUSING = SCENARIOS / "housing_ranking_dpia_acceptable.json"
EXEMPT = {"cat_choice": "not_listed", "hr_exempt": "preparatory", "hr_profiling": "no", "pd_profiling": "no"}


@pytest.mark.parametrize(
    ("answer", "contradicts"), [("follows_proposal", True), ("unknown", False), ("independent", False)]
)
def test_an_exemption_claimed_for_a_proposal_that_settles_the_outcome_is_a_contradiction(answer, contradicts):
    result = scored(HOUSING, **EXEMPT, fv_human_assessment=answer)
    assert ("decision_support_settles_claims_exemption" in checks(result)) is contradicts
    # The worse reading ("no exemption") makes the Annex III area count.
    assert ("ai_act_high_risk" in result.rule_ids) is contradicts
    if contradicts:
        (check,) = [
            c for c in result.to_dict()["consistency"] if c["id"] == "decision_support_settles_claims_exemption"
        ]
        assert check["questions"] == ["fv_human_assessment", "hr_exempt"]


# 2. Biometric categorisation by traits such as age or sex.


@pytest.mark.parametrize(("answer", "told"), [("yes", True), ("unknown", True), ("no", False), (None, False)])
def test_people_sorted_by_age_or_sex_are_told_of_the_system(answer, told):
    result = scored(YOUTH_CLUB, bio_categorisation=answer)
    assert ("inform_biometric_exposure" in result.obligation_codes) is told
    assert "ai_act_high_risk" not in result.rule_ids  # not an Annex III area unless the leader ticks it


def test_2026_8_had_no_question_and_no_duty_for_the_youth_club_camera():
    answers = advice.answers_of(YOUTH_CLUB, bio_categorisation=None)
    assert "inform_biometric_exposure" not in score(V8, validate_answers(V8, answers)[0]).obligation_codes


@pytest.mark.parametrize(
    ("changes", "told"), [({"is_ai": "no"}, False), ({"p_biometric_categorisation": "yes"}, False)]
)
def test_the_duty_follows_is_ai_and_gives_way_to_a_prohibited_practice(changes, told):
    assert ("inform_biometric_exposure" in scored(YOUTH_CLUB, **changes).obligation_codes) is told


def test_categorisation_by_age_is_not_special_category_data_by_itself():
    result = scored(YOUTH_CLUB)
    assert not {"biometrics_not_special_category", "biometrics_without_personal_data"} & checks(result)
    assert "special_categories_without_basis" not in result.rule_ids
    help_nb, help_en = V9.questions["bio_categorisation"].help, V9.questions["bio_categorisation"].help_en
    assert "art. 9 nr. 1" in help_nb and "Art. 9(1)" in help_en
    assert "ikke avklart" in help_nb and "vedlegg III nr. 1 bokstav b" in help_nb
    assert "not settled" in help_en


def test_categorisation_without_personal_data_is_a_contradiction():
    result = scored(YOUTH_CLUB, pd_any="no")
    assert "biometric_categorisation_without_personal_data" in checks(result)
    assert {"dpia", "data_processing_agreement"} <= set(result.obligation_codes)  # personal data read in


def test_the_duty_names_sorting_by_age_and_its_sources():
    duty = V9.obligation("inform_biometric_exposure")
    assert "anslått alder eller kjønn" in duty.why and "estimated age or sex" in duty.why_en
    assert "art. 3 nr. 40" in duty.source and "50 nr. 3" in duty.source and "Art. 3(40)" in duty.source_en


def test_the_quick_path_reads_none_of_the_high_risk_uses_as_no_categorisation():
    screening = screening_for(V9)
    example = next(e for e in screening.examples if e.name == "drafting_assistant")
    result = evaluate_screening(V9, example.answers)
    assert result.opens_quick_path
    assert result.carried_answers["bio_categorisation"] == "no"


# The version as a whole.


def test_the_new_questions_carry_no_points_and_2026_9_keeps_the_weights_of_2026_8():
    for key in ("fv_human_assessment", "bio_categorisation"):
        question = V9.questions[key]
        assert not (question.risk or question.mitigation or question.need), key
    for key, question in V8.questions.items():
        for value in question.values:
            for axis in ("risk", "mitigation", "need"):
                assert V9.questions[key].points(axis, value) == question.points(axis, value), (key, value, axis)


# Every question's source in English (English pages showed the bokmål source, marked lang="nb").

# English names of the months, read as their numbers: the bokmål "1.7.2024" is "1 July 2024" in English.
MONTHS = {name: str(number) for number, name in enumerate(calendar.month_name) if name}
# Where the English repeats an article number that the bokmål leaves implied, the numbers it adds:
# "art. 50 nr. 1 … og nr. 3 og 4" is "Art. 50(1) … and 50(3) and (4)", "art. 6 nr. 1 og 2" is "Art. 6(1) and 6(2)".
REPEATED_IN_ENGLISH = {("section", "tr_disclose"): ["50"], ("screening", "scr_high_risk"): ["6"]}
SOURCED = [("section", q) for q in V9.questions.values() if q.source] + [
    ("screening", q) for q in screening_for(V9).questions if q.source
]


def cited_numbers(text: str) -> Counter:
    for name, number in MONTHS.items():
        text = text.replace(f" {name} ", f".{number}.")
    return Counter(re.findall(r"\d+", text))


def test_the_check_below_reads_the_sourced_questions():
    assert len(SOURCED) > 100  # a parametrised test over an empty list would pass unseen


@pytest.mark.parametrize(("kind", "question"), SOURCED, ids=lambda value: getattr(value, "key", value))
def test_every_source_has_an_english_source_citing_the_same_numbers(kind, question):
    assert question.source_en, f"{question.key} has no source_en"
    extra = Counter(REPEATED_IN_ENGLISH.get((kind, question.key), []))
    assert cited_numbers(question.source_en) == cited_numbers(question.source) + extra
