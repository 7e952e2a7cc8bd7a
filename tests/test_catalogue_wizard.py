"""Step 1 of the wizard with the tool overview, as a browser posts it: a <select> of the entries, the facts shown
"fra verktøyoversikten" and locked on every step, a deviation field, and a stop naming the tool above its class."""

import re

import pytest
from django.urls import reverse

from assessments.engine.loader import as_definition
from tests import answers as A
from tests.catalogue_helpers import make_tool, v3_assessment, v3_definition

pytestmark = pytest.mark.django_db


def step_url(assessment, step):
    return reverse("assessments:assessment_step", args=[assessment.uuid, step])


def intro_post(assessment, **values):
    defn = as_definition(v3_definition())
    current = {q.key: assessment.answers.get(q.key) for q in defn.section("intro").questions}
    current.update(values)
    current = {k: v for k, v in current.items() if v is not None}
    return A.step_post("intro", current, assessment.revision)


def test_step_one_offers_the_overview_and_a_pick_fills_and_locks(world):
    version = make_tool(world, personal_data_allowed=True)
    make_tool(world, slug="gratischat", name="Gratis chat", status="not_approved")
    assessment = v3_assessment(world)
    client = world.client("leader_a")
    page = client.get(step_url(assessment, "intro")).content.decode()
    assert '<select name="intro-cat_ref"' in page and "Kommunechat – Godkjent" in page
    assert "Gratis chat – Ikke godkjent" in page
    assert 'name="intro-cat_name"' not in page  # the facts are not shown before a tool is chosen

    response = client.post(
        step_url(assessment, "intro"), intro_post(assessment, cat_choice="listed", cat_ref=version.ref)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assessment.refresh_from_db()
    assert assessment.answers["sec_hosting"] == "cloud_eea"

    page = client.get(step_url(assessment, "intro")).content.decode()
    assert "fra verktøyoversikten" in page and "Intern informasjon" in page
    assert 'name="intro-cat_deviation"' in page
    section = as_definition(v3_definition()).questions["sec_hosting"].section
    page = client.get(step_url(assessment, section)).content.decode()
    assert "fra verktøyoversikten" in page
    assert f'name="{section}-sec_hosting"' not in page  # shown as text, not as an input


def test_the_locked_facts_read_as_question_and_answer_with_one_note_on_the_deviation(world):
    """Step 1 lists the facts as terms and values, and says once, for the whole list, that a deviation is
    explained in the field further down the same page; a later step says once that it is explained in step 1."""
    version = make_tool(world, personal_data_allowed=True)
    assessment = v3_assessment(world)
    client = world.client("leader_a")
    client.post(step_url(assessment, "intro"), intro_post(assessment, cat_choice="listed", cat_ref=version.ref))
    page = client.get(step_url(assessment, "intro")).content.decode()
    assert page.count('<dl class="locked-list">') == 1 and page.count("question--locked") >= 5
    assert re.search(r'<dt id="id_intro-cat_name">[^<]+</dt>\s*<dd>Kommunechat <span', page)
    assert page.count("kan ikke endres her") == 1
    assert "i første steg" not in page
    assert '<a href="#id_intro-cat_deviation">«Avviker bruken dere planlegger' in page

    section = as_definition(v3_definition()).questions["sec_hosting"].section
    page = client.get(step_url(assessment, section)).content.decode()
    assert page.count("kan ikke endres her") == 1 and "forklar avviket i første steg" in page


def test_listed_without_a_pick_is_refused_with_the_input_kept(world):
    make_tool(world)
    assessment = v3_assessment(world)
    response = world.client("leader_a").post(step_url(assessment, "intro"), intro_post(assessment, cat_choice="listed"))
    assert response.status_code == 400
    assert "Velg verktøyet fra listen" in response.content.decode()


def test_a_pick_not_in_the_list_keeps_the_pickers_own_message(world):
    """Every form names a choice not offered in the app's words (text.py), unless the field has its own."""
    make_tool(world)
    assessment = v3_assessment(world)
    post = intro_post(assessment, cat_choice="listed", cat_ref="finnes-ikke@9")
    body = world.client("leader_a").post(step_url(assessment, "intro"), post).content.decode()
    assert "Velg verktøyet fra listen" in body and "ikke et gyldig valg" not in body


def test_above_the_class_the_summary_stops_naming_the_tool(world):
    version = make_tool(world, personal_data_allowed=True)
    assessment = v3_assessment(world)
    client = world.client("leader_a")
    client.post(step_url(assessment, "intro"), intro_post(assessment, cat_choice="listed", cat_ref=version.ref))
    assessment.refresh_from_db()
    assessment.answers["sec_classification"] = "confidential"
    assessment.save(update_fields=["answers"])
    page = client.get(step_url(assessment, "summary")).content.decode()
    assert "Kommunechat er godkjent for inntil" in page
