"""The corrections of questionnaire 2026.15 (docs/legal-sources.md, "Differences from 2026.14"), each tested on 2026.15
and against 2026.14, which gave the other advice for the same answers."""

import pytest

from assessments.engine import validate_answers
from tests import advice_helpers as advice

CORRECTIONS = advice.Corrections(
    "2026.14", "2026.15", defaults=advice.NOT_LISTED, new_questions=("pd_special_only_id",)
)
V14, V15, V15_DIR = CORRECTIONS.old, CORRECTIONS.new, CORRECTIONS.folder
V14_DIR = advice.SCENARIOS / "v2026_14"
scored = CORRECTIONS.scored
# A procured generative chatbot residents write to and get answers from directly (2026.15: answered honestly).
CHATBOT = V15_DIR / "waste_chatbot.json"
# As the careful leader of 2026.14 answered it: "facts checked", "reviewed" (the knowledge base was checked).
SAID_CHECKED = {"gen_fact_check": "yes", "ho_human_review": "yes"}
LETTERS = V15_DIR / "translation_case_letters.json"  # decisions translated and sent to residents as attachments
PARKING = V14_DIR / "chatbot_parking_undisclosed.json"  # resident parking permits; the case system uses ID numbers
FEE = V14_DIR / "automated_fee_reduction_with_basis.json"  # automated decisions about residents' fees
YOUTH = V14_DIR / "youth_club_visitor_age_counting.json"  # a camera counting visitors by age group and sex
# Residents' inquiries sorted and summarised by a generative model for staff, who check each summary.
ROUTER = advice.SCENARIOS / "self_built_inquiry_router_cloud_api.json"
ID_ONLY = {"pd_special": "yes", "pd_basis": "no"}  # the ID number is answered here, the basis not yet written down
CHECK = "direct_generative_answers_said_checked"


def checks(result) -> set:
    return {check["id"] for check in result.to_dict()["consistency"]}


def test_scoring_changes_only_where_the_corrections_say():
    old, new = V14, V15
    assert set(new.questions) - set(old.questions) == {"pd_special_only_id"}
    for key, before in old.questions.items():
        after = new.questions[key]
        points = (after.risk, after.mitigation, after.need)
        assert points == (before.risk, before.mitigation, before.need), key
        # One type is widened (yes_no -> yes_no_unknown); "unknown" gets no mitigation points.
        assert after.type == before.type or (key, before.type, after.type) == (
            "fv_basis_auto",
            "yes_no",
            "yes_no_unknown",
        )
    only_id = new.questions["pd_special_only_id"]
    assert not (only_id.risk or only_id.mitigation or only_id.need)  # no points: pd_special carries the risk
    assert new.scoring == old.scoring
    assert [(r.id, r.effect) for r in new.rules] == [(r.id, r.effect) for r in old.rules]
    reading_more = {"special_categories_without_basis", "automated_decision_without_basis"}
    assert [(r.id, r.when) for r in new.rules if r.id not in reading_more] == [
        (r.id, r.when) for r in old.rules if r.id not in reading_more
    ]
    assert {c.id for c in new.consistency} - {c.id for c in old.consistency} == {CHECK, "biometrics_said_only_id"}


# 1. A chatbot answering residents directly cannot have its facts checked before use.


def test_a_chatbot_said_to_have_its_facts_checked_is_read_as_unchecked():
    before, after = scored(CHATBOT, V14, **SAID_CHECKED), scored(CHATBOT, **SAID_CHECKED)
    assert CHECK not in checks(before) and "unchecked_generated_output" not in before.obligation_codes
    assert CHECK in checks(after) and "unchecked_generated_output" in after.obligation_codes
    # The check takes away the fact check's mitigation points, nothing else: rules and verdict stay.
    assert (after.verdict, after.rule_ids) == (before.verdict, before.rule_ids)
    # The mitigation points fall by the fact check's 2; the score follows only where that crosses the 80 % mark.
    assert after.risk["mitigation"]["points"] == before.risk["mitigation"]["points"] - 2
    (check,) = [c for c in after.to_dict()["consistency"] if c["id"] == CHECK]
    assert check["worse"] == {"gen_fact_check": "no"}


def test_the_chatbot_answered_honestly_gets_the_duty_written_for_it_and_no_contradiction():
    result = scored(CHATBOT)
    assert CHECK not in checks(result)
    assert "unchecked_generated_output" in result.obligation_codes
    assert (
        "unchecked_generated_output" not in scored(CHATBOT, gen_fact_check="yes", citizen_facing="no").obligation_codes
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"citizen_free_text": "no"},  # residents choose from fixed options: the answers can be checked in advance
        {"citizen_facing": "no"},  # a staff member goes through what residents get
        {"ai_kind": ["integrated"], "generates_content": "no"},  # nothing generated
        {"gen_output_use": "case_work_basis"},  # the output goes to staff, not to the residents writing to it
    ],
    ids=["fixed_options", "checked_by_staff", "not_generative", "output_not_to_residents"],
)
def test_the_check_needs_generated_answers_to_residents_writing_freely(changes):
    assert CHECK not in checks(scored(CHATBOT, **SAID_CHECKED, **changes))


def test_an_inquiry_router_whose_residents_write_freely_but_never_get_the_output_is_not_flagged():
    # Residents write freely into the form the router reads ("Yes, and they can write freely to it" on the quick path),
    # but the summaries go to staff, who check each one: the fact check is real and keeps its points.
    written_to = {"citizen_facing": "yes", "citizen_free_text": "yes"}
    result = scored(ROUTER, **written_to)
    assert CHECK not in checks(result) and "unchecked_generated_output" not in result.obligation_codes
    assert result.risk == scored(ROUTER, **written_to, gen_fact_check="yes").risk
    assert result.risk != scored(ROUTER, **written_to, gen_fact_check="no").risk
    # The same use with its output sent to the residents is flagged.
    assert CHECK in checks(scored(ROUTER, **written_to, gen_output_use="published"))


def test_the_help_tells_a_chatbot_to_answer_no():
    for key in ("gen_fact_check", "ho_human_review"):
        question, older = V15.questions[key], V14.questions[key]
        assert "for eksempel som en chatbot, slik at ingen ser hvert svar før de får det, svar «Nei»" in question.help
        assert "so that no one sees each answer before they get it, answer 'No'" in question.help_en, key
        assert "slik at ingen ser hvert svar" not in older.help, key
    check = next(c for c in V15.consistency if c.id == CHECK)
    assert "er ikke en kontroll av hvert svar" in check.message
    assert "is not a check of each answer" in check.message_en
    assert "publiseres eller sendes til innbyggere" in check.message and "gen_output_use" in check.questions
    assert "forslag til svar som en saksbehandler godkjenner), svar «Nei» på om innbyggerne" in check.message
    assert "suggested replies that a caseworker approves), answer 'No' to whether residents" in check.message_en


def test_citizen_free_text_says_the_same_in_english():
    sentence = "Answer no if residents only choose from fixed options or do not write to the solution at all."
    assert V15.questions["citizen_free_text"].help_en.endswith(sentence)
    assert sentence not in V14.questions["citizen_free_text"].help_en
    assert V15.questions["citizen_free_text"].help == V14.questions["citizen_free_text"].help


# 2. What is sent to residents is archived.


def test_output_sent_to_residents_is_archived():
    assert "archive_records" not in scored(LETTERS, V14).obligation_codes
    assert "archive_records" in scored(LETTERS).obligation_codes
    assert "archive_records" not in scored(LETTERS, gen_output_use="internal_draft").obligation_codes


def test_the_archive_duty_says_what_is_sent_and_what_is_only_published():
    duty = V15.obligation("archive_records")
    assert "utgående saksdokumenter som skal journalføres og arkiveres" in duty.why
    assert "bare publiseres på nettsidene, følger virksomhetens rutiner" in duty.why
    assert "outgoing case document that must be registered in the journal and archived" in duty.why_en
    assert "Samtaler i en chatbot er ikke saksdokumenter bare fordi de finnes" in duty.why
    assert "(i Oslo kommune Byarkivet)" in duty.why and "(in Oslo kommune, the City Archives)" in duty.why_en
    assert duty.source == "Arkivlova (lov 2025) § 5; offentleglova §§ 3 og 10"
    help_nb, help_en = V15.questions["gen_output_use"].help, V15.questions["gen_output_use"].help_en
    assert "plikten til å arkivere" not in help_nb and "plikten til å arkivere" in V14.questions["gen_output_use"].help
    assert "the duty to archive" not in help_en
    # Internal documents that are a basis in a case are archived, not necessarily registered in the journal.
    assert "det som er grunnlag i en sak, skal arkiveres (interne dokumenter journalføres etter" in help_nb
    assert "what is a basis in a case must be archived (internal documents are registered according" in help_en
    assert "og det som er grunnlag i en sak, skal journalføres" not in help_nb


# 3. The agreement, not the sign-in.


def test_an_agreement_without_a_work_account_sign_in_is_answered_yes():
    question, older = V15.questions["gen_enterprise_agreement"], V14.questions["gen_enterprise_agreement"]
    assert (question.type, question.values, question.mitigation) == (older.type, older.values, older.mitigation)
    assert "Det som avgjør, er avtalen, ikke påloggingen" in question.help
    assert "integrasjon (API)" in question.help and "Svar «Nei» når ansatte bruker private kontoer" in question.help
    assert "What matters is the agreement, not the sign-in" in question.help_en
    assert "Answer 'No' when staff use personal accounts or free versions" in question.help_en
    assert "avtalen, ikke påloggingen" not in older.help
    assert question.label.startswith("Brukes tjenesten under en virksomhetsavtale kommunen eller virksomheten har")
    assert question.label_en.startswith("Is the service used under an enterprise agreement")
    # Standard terms clicked through for an account or an API key are not yet an enterprise agreement.
    assert "Standardvilkår som noen har godtatt ved å opprette en konto eller en API-nøkkel" in question.help
    assert "Standard terms someone accepted when creating an account or an API key" in question.help_en


# 4. pd_children says the same in both languages; employees are the next question.


def test_pd_children_leaves_employees_to_the_next_question_in_both_languages():
    question = V15.questions["pd_children"]
    assert "sårbar stilling overfor arbeidsgiveren" in V14.questions["pd_children"].help
    assert "sårbar stilling overfor arbeidsgiveren" not in question.help
    assert question.help.endswith("Opplysninger om ansatte spør vi om i neste spørsmål.")
    assert question.help_en.endswith("Data about employees is asked about in the next question.")
    keys = [q.key for q in V15.section("personal_data").questions]
    assert keys[keys.index("pd_children") + 1] == "pd_employees"


# 5. A national ID number alone is not a special category.


def test_an_id_number_alone_does_not_stop_but_the_missing_basis_holds_the_risk_high():
    before = scored(PARKING, V14, **ID_ONLY)
    assert "special_categories_without_basis" in before.rule_ids and before.verdict == "stop"
    assert "special_categories_marked_open" in checks(before)
    after = scored(PARKING, **ID_ONLY, pd_special_only_id="yes")
    assert "special_categories_without_basis" not in after.rule_ids and after.verdict != "stop"
    assert "special_categories_marked_open" not in checks(after)
    assert "personal_data_without_basis" in after.rule_ids


@pytest.mark.parametrize("answer", ["no", "unknown", None])
def test_more_than_an_id_number_or_not_known_keeps_the_strict_reading(answer):
    result = scored(PARKING, **ID_ONLY, pd_special_only_id=answer)
    assert "special_categories_without_basis" in result.rule_ids and result.verdict == "stop"
    assert "special_categories_marked_open" in checks(result)


def test_dont_know_on_special_categories_cannot_be_narrowed_to_an_id_number():
    # "Don't know" leaves nothing for the follow-up to narrow: it is hidden, its "yes" is dropped, and the stop stays.
    changes = {"pd_special": "unknown", "pd_basis": "no", "pd_special_only_id": "yes"}
    _answers, _errors, warnings = validate_answers(V15, advice.answers_of(PARKING, advice.NOT_LISTED, **changes))
    assert [(w.code, w.params) for w in warnings] == [("hidden_answer", {"key": "pd_special_only_id"})]
    result = scored(PARKING, **changes)
    assert "special_categories_without_basis" in result.rule_ids and result.verdict == "stop"
    assert "special_categories_marked_open" in checks(result)
    assert "pd_special_only_id" not in scored(PARKING, pd_special="unknown").missing  # hidden, not missing
    question = V15.questions["pd_special"]
    assert question.help.endswith("Behandler løsningen bare fødselsnummer, svar «Ja» her og «Ja» på neste spørsmål.")
    assert question.help_en.endswith("answer 'Yes' here and 'Yes' to the next question.")


def test_an_id_number_that_reveals_a_client_relationship_is_still_confidential():
    check = next(c for c in V15.consistency if c.id == "special_categories_marked_open")
    assert "røper at noen er klient eller mottar en tjeneste" in check.message
    assert "forvaltningsloven § 13 annet ledd" in check.message
    assert "reveals that someone is a client or receives a service" in check.message_en
    assert "fødselsnummer er ikke taushetsbelagt i seg selv." not in check.message
    question = V15.questions["pd_special_only_id"]
    assert "Røper nummeret at noen er klient eller mottar en tjeneste, er opplysningene likevel taushetsbelagte" in (
        question.help
    )
    assert "If the number reveals that someone is a client or receives a service" in question.help_en
    assert question.help.startswith("Svar «Ja» hvis løsningen bare behandler fødselsnummer (eller d-nummer) og ingen")
    rule = V15.rule("special_categories_without_basis")
    assert "sikker identifisering og metoden er nødvendig for det" in rule.explanation
    assert "secure identification and the method is necessary for it" in rule.explanation_en
    assert "oppfølgingsspørsmålet «Gjelder svaret bare fødselsnummer …?»" in rule.explanation


def test_the_dpia_criterion_still_reads_special_categories_with_an_id_number_only():
    # Datatilsynet's list and WP248 are not read as excluding ID numbers (docs/legal-sources.md); unchanged.
    with_id = scored(PARKING, pd_special="yes", pd_special_only_id="yes")
    assert "dpia" in with_id.obligation_codes
    assert "dpia" not in scored(PARKING).obligation_codes


def test_art_22_4_is_not_listed_for_an_id_number_alone():
    assert "automated_decision_special_categories" in scored(FEE, V14, pd_special="yes").obligation_codes
    assert (
        "automated_decision_special_categories"
        in scored(FEE, pd_special="yes", pd_special_only_id="no").obligation_codes
    )
    only_id = scored(FEE, pd_special="yes", pd_special_only_id="yes")
    assert "automated_decision_special_categories" not in only_id.obligation_codes


def test_biometric_recognition_cannot_be_answered_as_an_id_number_only():
    camera = V14_DIR / "face_recognition_staff_entrance_time_clock.json"
    result = scored(camera, bio_categorisation="no", pd_special_only_id="yes")
    assert "biometrics_said_only_id" in checks(result)
    assert "special_categories_without_basis" in result.rule_ids and result.verdict == "stop"


def test_the_new_question_is_asked_only_when_special_categories_are_answered():
    question = V15.questions["pd_special_only_id"]
    assert question.type == "yes_no_unknown"
    assert "fødselsnummer" in question.label and "national ID numbers" in question.label_en
    assert "pd_special_only_id" in scored(PARKING, pd_special="yes").missing
    assert "pd_special_only_id" not in scored(PARKING).missing  # pd_special "no": hidden, not missing


# 6. An adequacy decision covering the recipient is a basis on its own.


def test_the_receiving_country_is_assessed_for_standard_clauses_not_under_an_adequacy_decision():
    duty = V15.obligation("transfer_assessment")
    assert "beslutning fra EU-kommisjonen om tilstrekkelig beskyttelse som dekker mottakeren" in duty.why
    assert "etter art. 46 – og da også en vurdering av om mottakerlandets lover" in duty.why
    assert "adequacy decision of the European Commission that covers the recipient" in duty.why_en
    assert "under Art. 46 – and then also an assessment" in duty.why_en
    assert "og en vurdering av om mottakerlandets lover" in V14.obligation("transfer_assessment").why
    # The framework is named.
    assert "sertifisert under EU–US Data Privacy Framework" in duty.why
    assert "certified under the EU-US Data Privacy Framework" in duty.why_en
    rule = V15.rule("transfer_without_basis")
    assert "sertifisert under EU–US Data Privacy Framework" in rule.explanation
    assert "– når grunnlaget er standardavtaler – at vernet i mottakerlandet er vurdert" in rule.explanation
    assert "– where the basis is standard contractual clauses – that the protection" in rule.explanation_en
    assert rule.when == V14.rule("transfer_without_basis").when
    label = V15.questions["pd_transfer_basis"].label
    assert "(og ved standardavtaler vurderingen av mottakerlandet)" in label


# 7. bio_categorisation is required.


def test_an_unanswered_biometric_categorisation_is_a_missing_answer():
    assert "bio_categorisation" not in scored(YOUTH, V14, bio_categorisation=None).missing
    assert "bio_categorisation" in scored(YOUTH, bio_categorisation=None).missing
    assert "inform_biometric_exposure" in scored(YOUTH).obligation_codes


# 8. fv_basis_auto: don't know stops, and the basis must be documented.


def test_dont_know_whether_automated_decisions_have_a_basis_stops():
    result = scored(FEE, fv_basis_auto="unknown")
    assert "automated_decision_without_basis" in result.rule_ids and result.verdict == "stop"
    assert "automated_decision_without_basis" not in scored(FEE).rule_ids  # "yes"
    assert "automated_decision_without_basis" in scored(FEE, fv_basis_auto="no").rule_ids
    assert V14.questions["fv_basis_auto"].type == "yes_no"  # 2026.14 had no "don't know" to give


def test_dont_know_gets_no_mitigation_points_and_the_texts_say_not_clarified():
    question = V15.questions["fv_basis_auto"]
    assert question.mitigation == {"yes": 3}
    assert "dokumentert" in question.label and "documented" in question.label_en
    assert "svar «Vet ikke» til en jurist har bekreftet det" in question.help
    rule = V15.rule("automated_decision_without_basis")
    assert "ikke avklart og dokumentert at det finnes" in rule.explanation
    assert "not been clarified and documented that there is one" in rule.explanation_en
    # Art. 22(2)(b): the law lays down the safeguards; a right to human review is an example (recital 71).
    assert "loven skal ha tiltak som verner den det gjelder, for eksempel rett til å få avgjørelsen vurdert" in (
        question.help
    )
    assert "that law must lay down safeguards for the person concerned, such as the right" in question.help_en
    assert "the person concerned must be able to have the case assessed by a human" not in question.help_en
    # "Don't know" scores as "no": no mitigation points (the precaution rule of docs/questionnaire-format.md).
    unknown, no = scored(FEE, fv_basis_auto="unknown"), scored(FEE, fv_basis_auto="no")
    assert unknown.risk == no.risk
