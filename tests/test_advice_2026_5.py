"""The texts 2026.5 corrects (docs/legal-sources.md, "Differences from 2026.4"), and the new question `bio_remote`.

2026.4 asked only whether the solution is a safety component of a regulated product (AI Act art. 6(1) also covers
an AI system that is itself such a product), stated the ROS analysis as a duty Oslo's guide does not state, and stated
the guide's "never let AI decide alone" as a flat rule in an obligation that also fires for solutions that are not AI.
"""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from assessments import services
from assessments.demo import seed_questionnaires
from assessments.engine import as_definition, load_definition, score, visible_section_keys
from assessments.engine.screening import screening_for
from assessments.models import Questionnaire
from tests import answers as A

ROOT = Path(__file__).resolve().parents[1]
V4 = as_definition(load_definition(ROOT / "fixtures" / "questionnaire" / "2026.4"))
V5 = as_definition(load_definition(ROOT / "fixtures" / "questionnaire" / "2026.5"))


def test_bio_remote_follows_bio_recognition_and_is_asked_for_identification_or_dont_know():
    questions = [q.key for q in V5.section(V5.questions["bio_recognition"].section).questions]
    assert questions[questions.index("bio_recognition") + 1] == "bio_remote"
    question = V5.questions["bio_remote"]
    assert question.type == "yes_no_unknown"
    # Required only with identification or "don't know": the wizard shows it beside bio_recognition whatever that
    # answer is. With "don't know", a "no" here still rules out remote identification.
    assert not question.required
    assert question.shown_when == question.required_when
    assert question.shown_when == {"q": "bio_recognition", "in": ["identification", "unknown"]}
    assert question.source == "KI-forordningen art. 3 nr. 41 og vedlegg III nr. 1 bokstav a"
    assert all([question.label, question.label_en, question.help, question.help_en])
    # Identification with the person taking part is still special-category data: the weight stays on bio_recognition.
    assert V5.questions["bio_recognition"].risk == V4.questions["bio_recognition"].risk


@pytest.mark.parametrize(("attribute", "itself"), [("label", "selv"), ("label_en", "itself")])
def test_hr_product_asks_whether_the_solution_is_itself_a_regulated_product(attribute, itself):
    assert itself in getattr(V5.questions["hr_product"], attribute)
    assert itself not in getattr(V4.questions["hr_product"], attribute)
    assert "medisinsk utstyr" in V5.questions["hr_product"].help
    assert "medical device" in V5.questions["hr_product"].help_en


@pytest.mark.parametrize(("attribute", "body"), [("label", "meldt organ"), ("label_en", "notified body")])
def test_hr_product_asks_for_the_third_party_assessment_art_6_1_requires(attribute, body):
    assert body in getattr(V5.questions["hr_product"], attribute)
    help_text = V5.questions["hr_product"].help
    assert "klasse I)" in help_text and "maskiner" not in help_text


@pytest.mark.parametrize(
    ("extra", "holds"),
    [
        ({"hr_area": ["biometrics"]}, True),  # the file's identification with bio_remote "no"
        ({"hr_area": ["biometrics"], "bio_recognition": "verification"}, True),
        ({"hr_area": ["biometrics"], "bio_remote": "yes"}, False),
        ({}, False),
    ],
)
def test_a_biometrics_tick_without_remote_identification_is_a_contradiction(extra, holds):
    path = ROOT / "fixtures" / "scenarios" / "v2026_5" / "fingerprint_time_clock_identification.json"
    answers = {**json.loads(path.read_text(encoding="utf-8"))["answers"], **extra}
    checks = {check["id"] for check in score(V5, answers).to_dict()["consistency"]}
    assert ("biometrics_area_without_remote_identification" in checks) is holds


@pytest.mark.parametrize(("remote", "annex_iii"), [("no", False), ("yes", True), ("unknown", True), (None, True)])
def test_bio_remote_counts_when_bio_recognition_is_dont_know(remote, annex_iii):
    path = ROOT / "fixtures" / "scenarios" / "v2026_5" / "fingerprint_time_clock_identification.json"
    answers = {**json.loads(path.read_text(encoding="utf-8"))["answers"], "bio_recognition": "unknown"}
    answers = {**answers, "bio_remote": remote} if remote else {k: v for k, v in answers.items() if k != "bio_remote"}
    assert ("ai_act_high_risk" in score(V5, answers).rule_ids) is annex_iii


def test_the_rule_and_the_quick_check_name_a_regulated_product_too():
    assert "Regulert produkt" in V5.rule("ai_act_product_component").title
    scr = next(q for q in screening_for(V5).questions if q.key == "scr_high_risk")
    assert "selv et regulert produkt" in scr.label and "itself a regulated product" in scr.label_en


def test_the_ros_analysis_names_oslo_s_own_routines_and_claims_no_legal_duty():
    old, new = V4.obligation("ros_analysis"), V5.obligation("ros_analysis")
    assert "skal virksomheten gjøre" in old.why
    assert "skal virksomheten" not in new.why and "must carry out" not in new.why_en
    assert "egne rutiner og retningslinjer for risikovurdering" in new.why
    assert "own routines and guidelines for risk assessment" in new.why_en
    assert "særlige for KI" in new.why and "particular to AI" in new.why_en
    # The guide reports Digdir's suggestions; the GDPR's security duty is the one legal duty named.
    assert "Digdirs forslag" in new.why and "GDPR art. 32" in new.source and "GDPR Art. 32" in new.source_en
    assert new.source.startswith(old.source)


def test_human_oversight_attributes_never_deciding_alone_to_the_guide():
    old, new = V4.obligation("human_oversight"), V5.obligation("human_oversight")
    assert "KI skal aldri alene" in old.why
    assert "KI skal aldri alene" not in new.why
    # Only for AI does the guide's rule apply; the oversight itself is advice for any solution that decides.
    assert "Er løsningen KI, sier kommunens KI-veileder at du aldri skal bruke bare KI" in new.why
    assert "If the solution is AI, the municipality's AI guide says that you must never use AI alone" in new.why_en
    assert new.when == old.when and new.source == old.source


@pytest.mark.django_db
def test_the_wizard_asks_bio_remote_in_both_languages_and_a_non_remote_identification_is_not_annex_iii(world):
    """The high-risk step of 2026.5 renders the new question (bokmål and English), and an identification
    the person takes part in, saved through the wizard, gives no Annex III high risk."""
    seed_questionnaires()
    path = ROOT / "fixtures" / "scenarios" / "v2026_5" / "fingerprint_time_clock_identification.json"
    answers = json.loads(path.read_text(encoding="utf-8"))["answers"]
    assessment = services.assessment_create(agency=world.agency_a, user=world.users["leader_a"], title="Fingeravtrykk")
    # A draft on 2026.5 (made before a newer version was published).
    assessment.questionnaire = Questionnaire.objects.get(version="2026.5")
    assessment.answers = {key: value for key, value in answers.items() if key != "bio_remote"}
    assessment.visited_steps = list(visible_section_keys(V5, assessment.answers))
    assessment.save(update_fields=["questionnaire", "answers", "visited_steps"])
    client = world.client("leader_a")
    url = reverse("assessments:assessment_step", args=[assessment.uuid, "high_risk"])
    page = client.get(url).content.decode()
    assert "skjer gjenkjenningen uten at personen selv medvirker" in page
    # Identification is saved, so the question is marked as one that must be answered.
    assert "må besvares" in page.split('id="q-bio_remote"', 1)[1].split("</legend>", 1)[0]

    values = {
        q.key: assessment.answers[q.key] for q in V5.section("high_risk").questions if q.key in assessment.answers
    }
    response = client.post(url, A.step_post("high_risk", {**values, "bio_remote": "no"}, assessment.revision))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.answers["bio_remote"] == "no"
    assert "ai_act_high_risk" not in score(V5, assessment.answers).rule_ids

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(url).content.decode()
    assert "does the recognition happen without the person taking part" in page
    assert "Is the solution itself a regulated product" in page
