"""The corrections of questionnaire 2026.14 (docs/legal-sources.md, "Differences from 2026.13"), each tested on 2026.14
and against 2026.13, which gave the other advice for the same answers."""

import pytest

from tests import advice_helpers as advice

CORRECTIONS = advice.Corrections("2026.13", "2026.14", defaults=advice.NOT_LISTED)
V13, V14, V14_DIR = CORRECTIONS.old, CORRECTIONS.new, CORRECTIONS.folder
scored = CORRECTIONS.scored
FEE = V14_DIR / "generative_fee_reduction_decides_alone.json"  # generative, automated, residents and children
CHAT = V14_DIR / "procured_chat_personal_data.json"  # generative, case_work_basis, facts checked, personal data
TRANSLATION = V14_DIR / "machine_translation_web.json"  # generative, published, residents read it directly, no check
SCHOOL = V14_DIR / "face_recognition_school_entrance.json"  # remote identification of pupils, no decision
IMAGES = advice.SCENARIOS / "campaign_image_generation.json"  # generative images, published
STOP = "generative_ai_decides_alone"
SETTLES = "decision_support_settles_outcome"
FOLLOWED = {"decision_role": "decision_support", "fv_human_assessment": "follows_proposal"}


def test_scoring_is_unchanged():
    # One rule reads more answers (generative_ai_decides_alone).
    CORRECTIONS.assert_scoring_unchanged(rules_reading_more=(STOP,))


# 1. Generative AI whose proposals caseworkers follow in practice decides alone (the guide's part 2.1.2).


def test_a_generative_proposal_caseworkers_follow_in_practice_stops():
    before, after = scored(FEE, V13, **FOLLOWED), scored(FEE, **FOLLOWED)
    assert before.verdict != "stop" and STOP not in before.rule_ids and SETTLES in before.rule_ids
    assert after.verdict == "stop" and STOP in after.rule_ids and SETTLES in after.rule_ids
    assert (after.risk, after.need) == (before.risk, before.need)


def test_dont_know_whether_caseworkers_follow_stays_high_risk_without_a_stop():
    for definition in (V13, V14):
        result = scored(FEE, definition, decision_role="decision_support", fv_human_assessment="unknown")
        assert STOP not in result.rule_ids and SETTLES in result.rule_ids and result.verdict != "stop"


def test_a_real_human_assessment_gets_neither():
    result = scored(FEE, decision_role="decision_support", fv_human_assessment="independent")
    assert STOP not in result.rule_ids and SETTLES not in result.rule_ids


def test_a_tool_that_is_not_generative_is_not_stopped():
    result = scored(FEE, ai_kind=["integrated"], generates_content="no", **FOLLOWED)
    assert STOP not in result.rule_ids and SETTLES in result.rule_ids


def test_an_automated_generative_decision_still_stops():
    assert STOP in scored(FEE).rule_ids and STOP in scored(FEE, V13).rule_ids


def test_the_stop_says_it_covers_proposals_followed_in_practice():
    stop = V14.rule(STOP)
    assert stop.title == "Generativ KI avgjør i praksis saker som påvirker personer betydelig"
    assert stop.title_en == "Generative AI in practice decides cases that significantly affect people"
    assert "foreslår avgjørelser som saksbehandlerne i praksis følger" in stop.explanation
    # How the stop is lifted names both answers: a leader who chose automated decision never sees the second question.
    assert "KI-ens rolle er besvart som beslutningsstøtte" in stop.explanation
    assert "tid, kompetanse og myndighet til å gå imot forslaget" in stop.explanation
    assert "proposes decisions that caseworkers follow in practice" in stop.explanation_en
    assert "the AI's role is answered as decision support" in stop.explanation_en
    assert stop.source == V13.rule(STOP).source


# 2. The stop reads the generative anchor, as every other duty for generative AI does.


def test_a_tool_ticked_only_as_integrated_that_generates_content_is_generative():
    changes = {"ai_kind": ["integrated"], "generates_content": "yes"}
    assert STOP in scored(FEE, **changes).rule_ids
    assert STOP not in scored(FEE, V13, **changes).rule_ids


def test_dont_know_whether_it_generates_content_does_not_stop_but_the_risk_stays_high():
    """«Vet ikke» does not show that the tool is generative, as «Vet ikke» on the human assessment does not show
    that the proposal decides: the automated decision holds the risk high, without a stop."""
    unsure = scored(FEE, ai_kind=["integrated"], generates_content="unknown")
    assert STOP not in unsure.rule_ids and unsure.verdict != "stop"
    assert "automated_decision" in unsure.rule_ids and unsure.risk["axis"] == "high"


# 3. Content made with generative AI is labelled whatever it is used for (the guide's part 2.1.2).


@pytest.mark.parametrize(
    ("use", "before"), [("internal_draft", False), ("case_work_basis", True), ("published", True), (None, False)]
)
def test_every_use_of_generative_output_is_labelled(use, before):
    assert "label_ai_content" in scored(CHAT, gen_output_use=use).obligation_codes
    assert ("label_ai_content" in scored(CHAT, V13, gen_output_use=use).obligation_codes) is before


def test_output_that_no_generative_ai_made_is_not_labelled():
    result = scored(CHAT, ai_kind=["integrated"], generates_content="no", gen_output_use="internal_draft")
    assert "label_ai_content" not in result.obligation_codes


def test_the_labelling_text_covers_internal_drafts():
    duty, question = V14.obligation("label_ai_content"), V14.questions["gen_output_use"]
    assert "uansett hva det brukes til" in duty.why and "internt utkast" in duty.why
    assert "whatever it is used for" in duty.why_en and "internal draft" in duty.why_en
    assert "(deepfakes)" in duty.why and "(Art. 50(4))" in duty.why_en
    assert "uansett hva det brukes til" in question.help and "whatever it is used for" in question.help_en
    assert "både når det brukes i en sak og når det publiseres" in V13.questions["gen_output_use"].help
    assert (
        question.type == V13.questions["gen_output_use"].type and question.risk == V13.questions["gen_output_use"].risk
    )


# 4. The visual identity applies to every image made with the tool that is used, not only published ones.


@pytest.mark.parametrize("use", ["case_work_basis", "internal_draft"])
def test_images_that_are_used_follow_the_visual_identity_whether_published_or_not(use):
    assert "visual_identity" in scored(IMAGES, gen_output_use=use).obligation_codes
    assert "visual_identity" not in scored(IMAGES, V13, gen_output_use=use).obligation_codes


def test_no_images_no_visual_identity():
    assert "visual_identity" not in scored(IMAGES, gen_images="no").obligation_codes
    assert "visual_identity" in scored(IMAGES).obligation_codes  # published, as before


def test_the_visual_identity_text_is_not_limited_to_publishing():
    duty, question = V14.obligation("visual_identity"), V14.questions["gen_images"]
    assert "også når de ikke publiseres" in duty.why and "Mediebanken" in duty.why
    assert "also when they are not published" in duty.why_en
    assert "også når de ikke publiseres" in question.help and "also when not published" in question.help_en


# 5. The people whose data the AI processes are told about the processing (GDPR art. 12-14).


def test_remote_face_identification_of_pupils_tells_the_pupils():
    before, after = scored(SCHOOL, V13, pd_basis="yes"), scored(SCHOOL, pd_basis="yes")
    assert "privacy_notice" in after.obligation_codes and "privacy_notice" not in before.obligation_codes
    # No decision about the pupils: inform_affected (decisions, art. 22 and 26(11)) is not listed on either.
    assert "inform_affected" not in after.obligation_codes and "inform_affected" not in before.obligation_codes
    assert set(after.obligation_codes) - set(before.obligation_codes) == {"privacy_notice"}
    assert (after.verdict, after.rule_ids, after.risk, after.need) == (
        before.verdict,
        before.rule_ids,
        before.risk,
        before.need,
    )


def test_no_personal_data_no_privacy_notice():
    assert "privacy_notice" not in scored(IMAGES).obligation_codes
    assert "privacy_notice" in scored(IMAGES, pd_any="unknown").obligation_codes


def test_a_prohibited_practice_lists_no_privacy_notice():
    result = scored(SCHOOL, pd_basis="yes", p_social_scoring="yes")
    assert result.verdict == "stop" and "privacy_notice" not in result.obligation_codes


def test_no_ai_no_privacy_notice():
    assert "privacy_notice" not in scored(SCHOOL, pd_basis="yes", is_ai="no").obligation_codes


def test_the_privacy_notice_cites_art_12_to_14_and_does_not_repeat_inform_affected():
    duty = V14.obligation("privacy_notice")
    assert duty.title == "Fortell de registrerte om behandlingen"
    assert duty.title_en == "Tell the data subjects about the processing"
    assert (duty.source, duty.source_en) == ("GDPR art. 12–14", "GDPR Art. 12–14")
    for phrase in (
        "(art. 13)",
        "senest innen én måned",
        "(art. 14)",
        "art. 14 nr. 5",
        "personvernerklæring",
        "EU/EØS",
        "art. 13 nr. 3 og 14 nr. 4",
        "klage til Datatilsynet",
        "behandler eller kan behandle",
    ):
        assert phrase in duty.why, phrase
    for phrase in (
        "(Art. 13)",
        "at the latest within one month",
        "(Art. 14)",
        "Art. 14(5)",
        "privacy notice",
        "Art. 13(3) and 14(4)",
        "complain to the Data Protection Authority",
    ):
        assert phrase in duty.why_en, phrase
    assert "26 nr. 11" not in duty.why and "art. 22" not in duty.why and "Art. 22" not in duty.why_en


# 6. Generative output used in a case, in public or by residents directly is checked by a person (the guide's 2.1.2).

UNCHECKED = "unchecked_generated_output"


def test_a_chatbot_whose_answers_no_one_checks_must_make_up_for_it():
    before, after = scored(TRANSLATION, V13), scored(TRANSLATION)
    assert UNCHECKED in after.obligation_codes and UNCHECKED not in before.obligation_codes
    # No new points.
    assert (after.verdict, after.rule_ids, after.risk, after.need) == (
        before.verdict,
        before.rule_ids,
        before.risk,
        before.need,
    )


@pytest.mark.parametrize(
    ("changes", "listed"),
    [
        ({"gen_fact_check": "no"}, True),  # a basis in case work, not checked
        ({"gen_fact_check": "no", "gen_output_use": "published"}, True),
        ({"gen_fact_check": "no", "gen_output_use": "internal_draft"}, True),  # «sjekk alltid fakta»: drafts too
        ({"gen_fact_check": "no", "gen_output_use": "internal_draft", "citizen_facing": "yes"}, True),
        ({"gen_fact_check": "yes"}, False),  # checked
        ({"gen_fact_check": "yes", "citizen_facing": "yes"}, False),
        ({"gen_fact_check": "no", "ai_kind": ["integrated"], "generates_content": "no"}, False),  # not generative
    ],
)
def test_unchecked_output_is_listed_where_it_is_used_unchecked(changes, listed):
    assert (UNCHECKED in scored(CHAT, **changes).obligation_codes) is listed
    assert UNCHECKED not in scored(CHAT, V13, **changes).obligation_codes


def test_the_fact_check_duty_is_done_by_the_fact_check_measure_and_says_how_to_make_up_for_a_chatbot():
    duty = V14.obligation(UNCHECKED)
    assert duty.measure == "gen_fact_check"
    assert duty.title == "Kontroller fakta i det KI-en lager før det brukes"
    assert duty.title_en == "Check facts in AI output before it is used"
    # The measures for a chatbot are ours, and the text says so rather than presenting them as the guide's duty.
    assert "veilederen ikke hvordan det skal veies opp. Vi anbefaler" in duty.why
    assert "the guide does not say how to make up for it. We recommend" in duty.why_en
    assert "KI-veilederens anbefaling (chatbot)" in duty.source
    for phrase in ("kommunens egne kontrollerte kilder", "testes med realistiske spørsmål", "et utvalg", "et menneske"):
        assert phrase in duty.why, phrase
    for phrase in ("own checked sources", "tested on realistic questions", "samples", "reach a person"):
        assert phrase in duty.why_en, phrase
    assert "2.1.1 (prinsipp 2)" in duty.source and "2.1.2" in duty.source
    # The measure question has the points it had.
    assert V14.questions["gen_fact_check"].mitigation == V13.questions["gen_fact_check"].mitigation


# 7. Predicting criminal fraud from profiling alone may be prohibited; a later check is not the exception.


def test_the_crime_prediction_help_covers_benefit_fraud_scores():
    question, before = V14.questions["p_crime_prediction"], V13.questions["p_crime_prediction"]
    for phrase in (
        "mottakere av stønader",
        "er ikke i seg selv nok for unntaket",
        "allerede bygger på objektive og etterprøvbare fakta",
        "tiltaket stoppes til det er avklart",
    ):
        assert phrase in question.help, phrase
    assert "vedlegg III nr. 5 bokstav a" in question.help and "«Vet ikke»" in question.help
    for phrase in (
        "recipients of benefits",
        "is not in itself enough for the exception",
        "already based on objective and verifiable facts",
        "stopped until it is cleared up",
    ):
        assert phrase in question.help_en, phrase
    assert "Annex III point 5(a)" in question.help_en
    assert "stønader" not in before.help
    # «straffbar handling» as the article's "criminal offence", not «lovbrudd», which also covers what is not a crime.
    assert "straffbar handling" in question.label and "lovbrudd" in before.label
    assert "criminal offence" in question.label_en
    assert (question.type, question.source) == (before.type, before.source)
    # No condition changes: the prohibited-practice rule reads what it read.
    assert V14.rule("prohibited_practice").when == V13.rule("prohibited_practice").when
