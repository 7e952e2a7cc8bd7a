"""The corrections of questionnaire 2026.13 (docs/legal-sources.md, "Differences from 2026.12"), each tested on 2026.13
and against 2026.12, which gave the other advice for the same answers."""

import pytest

from tests import advice_helpers as advice

CORRECTIONS = advice.Corrections("2026.12", "2026.13", defaults=advice.NOT_LISTED)
V12, V13, V13_DIR = CORRECTIONS.old, CORRECTIONS.new, CORRECTIONS.folder
scored = CORRECTIONS.scored
BOUGHT = V13_DIR / "social_assistance_attachment_indexing_bought.json"
CHAT = V13_DIR / "procured_chat_personal_data.json"
DEPLOYER_DUTIES = {"fria", "eu_database_registration", "monitor_high_risk", "keep_logs"}
NEW_DUTY = "provider_exemption_assessment"


def test_scoring_is_unchanged():
    CORRECTIONS.assert_scoring_unchanged()


# 1. A bought Annex III system claimed exempt rests on the provider's documented assessment (AI Act art. 6(3)-(4)).


def test_a_buyer_holding_its_annex_iii_system_exempt_gets_the_suppliers_assessment():
    before, after = scored(BOUGHT, V12), scored(BOUGHT)
    assert "public_services_benefits" in advice.answers_of(BOUGHT)["hr_area"]
    assert NEW_DUTY in after.obligation_codes and NEW_DUTY not in before.obligation_codes
    # The exemption still removes the high-risk rule as answered; the duty is to get the provider's assessment.
    assert "ai_act_high_risk" not in after.rule_ids and "ai_act_high_risk" not in before.rule_ids
    assert "document_exemption_assessment" not in after.obligation_codes
    assert (after.verdict, after.risk, after.need) == (before.verdict, before.risk, before.need)
    assert set(after.obligation_codes) - set(before.obligation_codes) == {NEW_DUTY}


def test_a_buyer_who_adapts_the_system_gets_it_too():
    assert NEW_DUTY in scored(BOUGHT, role="buy_modify").obligation_codes


@pytest.mark.parametrize("role", ["build", "commission"])
def test_a_builder_documents_the_assessment_itself_instead(role):
    result = scored(BOUGHT, role=role)
    assert NEW_DUTY not in result.obligation_codes
    assert "document_exemption_assessment" in result.obligation_codes


def test_a_buyer_answering_none_gets_the_high_risk_duties_instead():
    result = scored(BOUGHT, hr_exempt="none")
    assert NEW_DUTY not in result.obligation_codes
    assert "ai_act_high_risk" in result.rule_ids
    assert DEPLOYER_DUTIES <= set(result.obligation_codes)


def test_profiling_blocks_the_exemption_and_the_new_duty():
    result = scored(BOUGHT, hr_profiling="yes", pd_profiling="yes")
    assert NEW_DUTY not in result.obligation_codes
    assert "ai_act_high_risk" in result.rule_ids
    assert DEPLOYER_DUTIES <= set(result.obligation_codes)


def test_a_proposal_that_settles_the_outcome_blocks_it_too():
    result = scored(BOUGHT, fv_human_assessment="follows_proposal")
    assert NEW_DUTY not in result.obligation_codes and "ai_act_high_risk" in result.rule_ids


def test_no_annex_iii_area_no_duty():
    # The exemption as answered, but no Annex III area: nothing to be exempt from.
    assert NEW_DUTY not in scored(BOUGHT, hr_area=["none"]).obligation_codes


def test_an_unanswered_exemption_claims_none():
    result = scored(BOUGHT, hr_exempt=None)
    assert NEW_DUTY not in result.obligation_codes and "hr_exempt" in result.missing


def test_a_prohibited_practice_stops_the_use_before_any_duty_of_use():
    result = scored(BOUGHT, p_social_scoring="yes")
    assert result.verdict == "stop" and NEW_DUTY not in result.obligation_codes


def test_critical_infrastructure_gets_the_duty_without_promising_art_27():
    """Art. 6(3)-(4) cover every area of Annex III; art. 27 and 49(3) leave out point 2, and the text says so."""
    assert NEW_DUTY in scored(BOUGHT, hr_area=["critical_infrastructure"]).obligation_codes
    duty = V13.obligation(NEW_DUTY)
    assert "utenom kritisk infrastruktur også art. 27 og 49 nr. 3" in duty.why
    assert "outside critical infrastructure also Art. 27 and 49(3)" in duty.why_en


def test_the_duty_says_who_assesses_and_cites_art_6_and_25():
    duty = V13.obligation(NEW_DUTY)
    assert duty.title == "Få leverandørens dokumenterte vurdering av at systemet ikke er høyrisiko"
    assert duty.source == "KI-forordningen art. 6 nr. 3 og 4 og art. 25 nr. 1 bokstav c"
    assert duty.source_en == "AI Act Art. 6(3) and 6(4) and Art. 25(1)(c)"
    for phrase in ("tilbyderen", "ikke en forhandler", "«Ingen»", "art. 49 nr. 2", "ikke avklart", "2027"):
        assert phrase in duty.why, phrase
    for phrase in ("provider", "not a reseller", '"None"', "Art. 49(2)", "not been settled", "2027"):
        assert phrase in duty.why_en, phrase
    # Art. 6(4) is a duty to document, not a condition of the exemption: the text does not say it fails.
    assert "kan dere ikke bygge på unntaket" in duty.why and "gjelder ikke unntaket" not in duty.why
    assert "cannot rely on the exemption" in duty.why_en and "does not hold" not in duty.why_en
    help_nb, help_en = V13.questions["hr_exempt"].help, V13.questions["hr_exempt"].help_en
    assert "leverandøren" in help_nb and "be om vurderingen" in help_nb
    assert "supplier" in help_en and "ask for the assessment" in help_en
    assert "leverandøren" not in V12.questions["hr_exempt"].help


# 2. Content made with generative AI is labelled also when it is a basis in case work (the guide's part 2.1.2).


@pytest.mark.parametrize(
    ("use", "labelled", "before"),
    [("case_work_basis", True, False), ("internal_draft", False, False), ("published", True, True)],
)
def test_labelling_follows_the_guide_for_case_work_and_published_content(use, labelled, before):
    assert ("label_ai_content" in scored(CHAT, gen_output_use=use).obligation_codes) is labelled
    assert ("label_ai_content" in scored(CHAT, V12, gen_output_use=use).obligation_codes) is before


def test_the_labelling_text_separates_the_guide_from_art_50_4():
    duty = V13.obligation("label_ai_content")
    assert "grunnlag i en sak" in duty.why and "publiseres" in duty.why
    # Art. 50(4): deep fakes whether published or not, and text published to inform the public.
    assert "(deepfakes)" in duty.why and "tekst som publiseres for å informere allmennheten" in duty.why
    assert "basis in a case" in duty.why_en and "(deep fakes)" in duty.why_en
    assert "text published to inform the public" in duty.why_en
    assert duty.source == V12.obligation("label_ai_content").source
    # Archiving is as it was.
    assert V13.obligation("archive_records").when == V12.obligation("archive_records").when


def test_the_output_question_says_what_to_choose_when_both_apply():
    question = V13.questions["gen_output_use"]
    assert question.type == V12.questions["gen_output_use"].type == "choice"
    assert "«Grunnlag i saksbehandling»" in question.help and "velg den som går lengst" not in question.help
    assert '"Basis for case work"' in question.help_en and "furthest-reaching" not in question.help_en
    assert "velg den som går lengst" in V12.questions["gen_output_use"].help


# 3. Lawful emotion recognition is high-risk (Annex III point 1(c)) and those exposed are told (art. 50(3)).


def test_the_emotion_help_says_lawful_emotion_recognition_is_high_risk():
    question, before = V13.questions["p_emotion_workplace_school"], V12.questions["p_emotion_workplace_school"]
    assert "vedlegg III nr. 1 bokstav c" in question.help and "«Biometri»" in question.help
    assert "art. 50 nr. 3" in question.help and "kan være høyrisiko" not in question.help
    assert "Annex III point 1(c)" in question.help_en and "Art. 50(3)" in question.help_en
    assert "kan være høyrisiko" in before.help
    # The label keeps "emotions or intentions" (Open point 19).
    assert question.label == before.label and "følelser eller intensjoner" in question.label


# 4. Texts checked against the articles.


def test_keep_logs_says_other_law_may_provide_otherwise():
    duty, before = V13.obligation("keep_logs"), V12.obligation("keep_logs")
    assert "med mindre annen EU-rett eller norsk lov" in duty.why and "personvernreglene" in duty.why
    assert "unless other EU or national law" in duty.why_en and "personal data" in duty.why_en
    assert "med mindre" not in before.why and duty.when == before.when


def test_human_oversight_names_training_and_support():
    duty, before = V13.obligation("human_oversight"), V12.obligation("human_oversight")
    assert "opplæring" in duty.why and "støtten" in duty.why
    assert "training" in duty.why_en and "support" in duty.why_en
    assert "opplæring" not in before.why and duty.when == before.when


@pytest.mark.parametrize("key", ["p_manipulation", "p_exploit_vulnerability"])
def test_the_manipulation_bans_require_significant_harm(key):
    question, before = V13.questions[key], V12.questions[key]
    assert "betydelig skade" in question.label and "betydelig skade" in question.help
    assert "significant harm" in question.label_en and "significant harm" in question.help_en
    # "Reasonably likely", not "probably" (trolig), as art. 5(1)(a) and (b) say.
    assert "med rimelig sannsynlighet" in question.label and "trolig" not in question.label
    assert "reasonably likely" in question.label_en
    assert "betydelig" not in before.label and "significant" not in before.label_en
    assert question.type == before.type == "yes_no_unknown"


def test_the_biometric_categorisation_exception_is_not_only_for_the_police():
    question, before = V13.questions["p_biometric_categorisation"], V12.questions["p_biometric_categorisation"]
    assert "lovlig innhentede biometriske datasett" in question.help
    assert "ikke begrenset til politiet" in question.help and "i hovedsak politiets" not in question.help
    assert (
        "lawfully acquired biometric datasets" in question.help_en and "not limited to the police" in question.help_en
    )
    assert "i hovedsak politiets" in before.help
