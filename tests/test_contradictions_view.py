"""Contradictions between answers: a warning at both questions, linked to each other; listed on the summary and
on UKE's review page."""

import pytest
from django.conf import settings

from assessments import services
from assessments.demo import seed_questionnaires
from assessments.engine import visible_section_keys
from assessments.engine.answer_sets import scenario_answers
from assessments.models import Questionnaire


@pytest.fixture
def contradicting_draft(world):
    seed_questionnaires()
    answers = scenario_answers("free_transcription_health_no_sensitive_input")
    draft = services.assessment_create(
        agency=world.agency_a,
        user=world.users["leader_a"],
        title=answers["title"],
        questionnaire=Questionnaire.objects.get(version="2026.2"),
    )
    draft.answers = answers
    draft.visited_steps = visible_section_keys(draft.questionnaire.definition, answers)
    draft.save(update_fields=["answers", "visited_steps"])
    return draft


def test_each_question_of_a_contradiction_warns_and_links_to_the_other(world, contradicting_draft):
    client = world.client("leader_a")
    base = f"/vurderinger/{contradicting_draft.uuid}/steg"
    personal = client.get(f"{base}/personal_data/").content.decode()
    assert "Motsigelse:" in personal and "Særlige kategorier, men ingen sensitive opplysninger" in personal
    assert f'href="{base}/generative/#q-gen_sensitive_input"' in personal
    generative = client.get(f"{base}/generative/").content.decode()
    assert f'href="{base}/personal_data/#q-pd_special"' in generative
    # A step without either question says nothing about it.
    assert "Motsigelse:" not in client.get(f"{base}/need/").content.decode()


def test_the_summary_lists_the_contradiction(world, contradicting_draft):
    page = world.client("leader_a").get(f"/vurderinger/{contradicting_draft.uuid}/steg/summary/").content.decode()
    assert "Svar som motsier hverandre" in page
    assert "Særlige kategorier, men ingen sensitive opplysninger i ledetekstene" in page


def test_ukes_review_page_lists_the_contradiction(world, contradicting_draft):
    services.assessment_submit(assessment=contradicting_draft, user=world.users["leader_a"])
    page = world.client("reviewer").get(f"/vurderinger/{contradicting_draft.uuid}/behandling/").content.decode()
    assert "Svar som motsier hverandre" in page
    assert "Særlige kategorier, men ingen sensitive opplysninger i ledetekstene" in page


def test_english_pages_word_the_contradiction_in_english(world, contradicting_draft):
    client = world.client("leader_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/vurderinger/{contradicting_draft.uuid}/steg/personal_data/").content.decode()
    assert "Contradiction:" in page and "Special categories, but no sensitive information in the prompts" in page
