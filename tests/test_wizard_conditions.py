"""A question whose condition reads answers of earlier steps, on the newest questionnaire: hidden on its step when
those answers rule it out; one whose condition is a comparison on its own step is shown and hidden by the browser."""

import json
import re

import pytest
from django.urls import reverse

from assessments import services
from assessments.engine.answer_sets import scenario_answers
from tests.assessment_helpers import published_questionnaire

pytestmark = pytest.mark.django_db


def question_tag(world, step: str, key: str, **overrides) -> str:
    """The opening tag of question `key` on `step` of a draft with the child-welfare answers and `overrides`."""
    published_questionnaire("2026.10")
    leader = world.users["leader_a"]
    draft = services.assessment_create(agency=world.agency_a, user=leader, title="Risikoskår i barnevernet")
    draft.answers = scenario_answers("v2026_9/child_welfare_risk_score_followed", **overrides)
    draft.visited_steps = [section["key"] for section in draft.questionnaire.definition["sections"]]
    draft.save(update_fields=["answers", "visited_steps"])
    response = world.client("leader_a").get(reverse("assessments:assessment_step", args=[draft.uuid, step]))
    assert response.status_code == 200
    return re.search(rf'<div class="field question[^"]*" id="q-{key}"[^>]*>', response.content.decode())[0]


def shown_when(tag: str) -> dict:
    return json.loads(re.search(r'data-shown-when="([^"]+)"', tag)[1].replace("&quot;", '"'))


def test_with_people_affected_by_decision_support_the_question_is_shown(world):
    tag = question_tag(world, "decisions", "fv_human_assessment")
    assert " hidden" not in tag and "data-shown-when" not in tag  # earlier answers decide it: nothing to follow


def test_when_no_people_are_affected_it_is_hidden(world):
    tag = question_tag(world, "decisions", "fv_human_assessment", affected=[])
    assert " hidden" in tag and "data-shown-when" not in tag


def test_a_condition_on_its_own_step_alone_is_left_to_the_browser(world):
    tag = question_tag(world, "generative", "gen_vendor_train", ai_kind=["generative"], generates_content="yes")
    assert " hidden" not in tag
    assert shown_when(tag) == {"name": "generative-gen_sensitive_input", "ne": ["no"]}
