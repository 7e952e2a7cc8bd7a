"""A question whose condition reads answers of earlier steps, on the newest questionnaire: hidden on its step when
those answers rule it out, and shown and hidden by the browser when one comparison on the step is left open."""

import json
import re

import pytest
from django.urls import reverse

from assessments import services
from assessments.engine.answer_sets import scenario_answers
from tests.assessment_helpers import published_questionnaire

pytestmark = pytest.mark.django_db


def generative_step(world, **overrides) -> str:
    published_questionnaire("2026.10")
    leader = world.users["leader_a"]
    draft = services.assessment_create(agency=world.agency_a, user=leader, title="Anbudsvurdering")
    draft.answers = scenario_answers("v2026_10/tender_evaluation_vendor_trains_on_input", **overrides)
    draft.visited_steps = [section["key"] for section in draft.questionnaire.definition["sections"]]
    draft.save(update_fields=["answers", "visited_steps"])
    url = reverse("assessments:assessment_step", args=[draft.uuid, "generative"])
    response = world.client("leader_a").get(url)
    assert response.status_code == 200
    return re.search(r'<div class="field question[^"]*" id="q-gen_vendor_train"[^>]*>', response.content.decode())[0]


def test_without_personal_data_the_question_follows_the_one_comparison_left_on_the_step(world):
    tag = generative_step(world)
    assert " hidden" not in tag
    shown_when = json.loads(re.search(r'data-shown-when="([^"]+)"', tag)[1].replace("&quot;", '"'))
    assert shown_when == {"name": "generative-gen_sensitive_input", "ne": ["no"]}


def test_with_personal_data_it_is_hidden_and_asked_in_the_personal_data_step_instead(world):
    tag = generative_step(world, pd_any="yes")
    assert " hidden" in tag and "data-shown-when" not in tag
