"""The corrections of questionnaire 2026.6 (docs/legal-sources.md, "Differences from 2026.5"), each tested where a
leader meets it: the wording of a question or a duty, or the rules and duties an answer gives."""

import pytest

from assessments.engine.screening import screening_for
from tests import advice_helpers as advice

CORRECTIONS = advice.Corrections("2026.5", "2026.6")
V5, V6, SCENARIOS = CORRECTIONS.old, CORRECTIONS.new, CORRECTIONS.folder


def answers_of(slug: str, **changes) -> dict:
    return advice.answers_of(SCENARIOS / f"{slug}.json", **changes)


def scored(slug: str, definition=None, **changes):
    return CORRECTIONS.scored(SCENARIOS / f"{slug}.json", definition, **changes)


def obligation(code):
    return next(o for o in V6.obligations if o.code == code)


def choice(key, value):
    return next(c for c in V6.questions[key].choices if c.value == value)


def test_the_annex_iii_areas_name_what_the_solution_does():
    benefits = choice("hr_area", "public_services_benefits")
    assert "vurdere om noen har rett til dem" in benefits.label and "eligible" in benefits.label_en
    elections = choice("hr_area", "justice_democracy")
    assert "påvirke utfallet av valg" in elections.label and "not the practical running" in elections.label_en
    assert "triage" in choice("hr_area", "emergency_services").label_en
    assert "tildeling av skoleplass" in choice("hr_area", "education").label
    assert "avslutning av arbeidsforhold" in choice("hr_area", "employment").label
    help_text = V6.questions["hr_area"].help
    assert "journalnotater i hjemmetjenesten" in help_text and "stemmesedler" in help_text


def test_credit_scoring_is_an_annex_iii_area_of_its_own():
    assert "creditworthiness" not in V5.questions["hr_area"].values
    result = scored("start_loan_creditworthiness")
    assert "ai_act_high_risk" in result.rule_ids
    assert {"fria", "eu_database_registration"} <= set(result.obligation_codes)
    assert "ai_act_high_risk" not in scored("start_loan_creditworthiness", hr_area=["none"]).rule_ids


def test_credit_scoring_is_a_dpia_criterion_like_benefits():
    """The DPIA guidelines give screening people against a credit database as an example of high-risk processing."""
    plain = {"hr_profiling": "no", "pd_profiling": "no", "pd_combine": "no", "pd_scale": 2, "pd_dpia": "not_started",
             "fv_individual_decisions": "no"}  # fmt: skip
    for area, fires in [("creditworthiness", True), ("public_services_benefits", True), ("none", False)]:
        assert ("dpia_trigger" in scored("start_loan_creditworthiness", hr_area=[area], **plain).rule_ids) is fires


def screening_question(key):
    return next(q for q in screening_for(V6).questions if q.key == key)


# What a leader reads where 2026.6 rewords a question: (the text, phrases in bokmål, phrases in English).
REWORDED = {
    # A "no" to the quick check's high-risk question sets hr_area to "none": it must name credit scoring and
    # emotion recognition, or a leader could rule them out without being asked.
    "quick check": (lambda: screening_question("scr_high_risk"), ["kredittverdighet", "tolke følelser"],
                    ["creditworthiness", "reading emotions"]),
    "emotion ban": (lambda: V6.questions["p_emotion_workplace_school"],
                    ["biometriske data", "medisinsk eller sikkerhetsmessig", "jobbsøkere"],
                    ["biometric data", "not medical or safety", "job applicants"]),
    "categorisation ban": (lambda: V6.questions["p_biometric_categorisation"], ["livssyn", "seksualliv"],
                           ["philosophical beliefs", "sex life"]),
    "pattern exemption": (lambda: choice("hr_exempt", "detects_patterns_no_replace"), ["i ettertid"],
                          ["already made"]),
}  # fmt: skip


@pytest.mark.parametrize("name", REWORDED)
def test_the_reworded_questions_say_what_the_articles_say(name):
    text, bokmal, english = REWORDED[name]
    for phrase in bokmal:
        assert phrase in text().label, phrase
    for phrase in english:
        assert phrase in text().label_en, phrase


def test_the_helps_draw_the_lines_the_articles_draw():
    emotion = V6.questions["p_emotion_workplace_school"]
    assert "art. 3 nr. 39" in emotion.source and "medarbeiderundersøkelse" in emotion.help
    assert "før de avgjøres" in V6.questions["hr_exempt"].help


AI_ONLY_RULES = {"undisclosed_ai", "sensitive_input_managed_tool"}
AI_ONLY_DUTIES = {"ai_disclosure", "management_decision", "generative_guidelines", "pilot_first"}


@pytest.mark.parametrize("is_ai", ["no", "yes", "unknown"])
def test_the_guides_ai_duties_follow_is_ai(is_ai):
    """The letter generator answered as not AI is told none of them; the same answers as AI (or "don't know") are."""
    result = scored("citizen_letter_templates_not_ai", is_ai=is_ai)
    is_ai_or_unknown = is_ai != "no"
    assert (AI_ONLY_RULES <= set(result.rule_ids)) is is_ai_or_unknown
    assert (AI_ONLY_DUTIES <= set(result.obligation_codes)) is is_ai_or_unknown
    assert ("shared_system_responsibility" in result.obligation_codes) is is_ai_or_unknown
    if not is_ai_or_unknown:
        assert not (AI_ONLY_RULES & set(result.rule_ids)) and not (AI_ONLY_DUTIES & set(result.obligation_codes))


def test_2026_5_gave_the_letter_generator_the_ai_duties():
    result = scored("citizen_letter_templates_not_ai", definition=V5)
    assert AI_ONLY_RULES <= set(result.rule_ids)


@pytest.mark.parametrize("recognition", ["identification", "verification", "none", "unknown"])
def test_art_50_3_follows_the_biometrics_area_whatever_the_recognition(recognition):
    changes = {"bio_recognition": recognition, "bio_remote": "yes" if recognition == "identification" else None}
    result = scored("service_desk_camera_identification_and_mood", **changes)
    assert "inform_biometric_exposure" in result.obligation_codes
    untouched = scored("service_desk_camera_identification_and_mood", hr_area=["none"], **changes)
    assert "inform_biometric_exposure" not in untouched.obligation_codes
    assert "bare igjen hvem folk er" in obligation("inform_biometric_exposure").why


def test_the_texts_say_what_the_articles_say():
    monitor = obligation("monitor_high_risk")
    assert "markedstilsynsmyndigheten" in monitor.why and "stanse bruken" in monitor.why
    assert "market surveillance authority" in monitor.why_en and "suspend the use" in monitor.why_en
    provider = obligation("provider_duties_high_risk")
    assert "vedlegg I registreres ikke" in provider.why and "not registered" in provider.why_en
    assert "43 nr. 3" in provider.source and "43(3)" in provider.source_en
    role = obligation("provider_role_check")
    assert "For høyrisiko-KI" in role.why and "For high-risk AI" in role.why_en
    affected = obligation("inform_affected")
    assert "Treffes avgjørelsen automatisk" in affected.why and "Where the decision is automated" in affected.why_en
    training = V6.questions["ho_training"]
    assert "gjør tiltak" in training.help and "take measures" in training.help_en


def test_2026_6_keeps_the_weights_of_2026_5():
    for key, question in V5.questions.items():
        assert V6.questions[key].points("risk", None) == question.points("risk", None)
        for value in question.values:
            for axis in ("risk", "mitigation", "need"):
                assert V6.questions[key].points(axis, value) == question.points(axis, value), (key, value, axis)
