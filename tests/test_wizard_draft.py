"""The wizard's formtools storage bound to the database draft (assessments/views/wizard_draft.py)."""

import pytest
from django.test import RequestFactory

from assessments.engine.loader import as_definition
from assessments.models import Assessment
from assessments.views.wizard import AssessmentWizard
from assessments.views.wizard_draft import DRAFT_ATTR, DraftStorage, WizardDraft, reachable_steps, shown_steps
from tests import answers as A
from tests.assessment_helpers import make_assessment

pytestmark = pytest.mark.django_db


def storage_for(world, assessment: Assessment, step: str, revision: int | None = None) -> DraftStorage:
    request = RequestFactory().post("/")
    request.user = world.users["leader_a"]
    draft = WizardDraft(assessment, as_definition(assessment.questionnaire.definition), step, revision)
    setattr(request, DRAFT_ATTR, draft)
    return DraftStorage("assessment_wizard", request)


def test_formtools_runs_its_own_dispatch_get_and_post():
    assert not {"dispatch", "get", "post"} & set(vars(AssessmentWizard))


def test_step_data_is_the_saved_answers_and_a_step_opens_unbound(world):
    assessment = make_assessment(world, "Lagret utkast", answers=A.INTRO)
    storage = storage_for(world, assessment, "intro")
    data = storage.get_step_data("intro")
    assert data["intro-title"] == "Lagret utkast"
    assert storage.current_step == "intro"
    assert storage.current_step_data is None


def test_a_saved_step_goes_through_the_service_and_reset_keeps_the_draft(world):
    assessment = make_assessment(world, "Utkast")
    storage = storage_for(world, assessment, "intro", revision=assessment.revision)
    storage.set_step_data("intro", {**A.INTRO, "title": "Nytt navn"})
    storage.reset()
    assessment.refresh_from_db()
    assert storage.outcome.assessment.revision == assessment.revision
    assert assessment.answers["title"] == "Nytt navn" and "intro" in assessment.visited_steps
    assert storage.get_step_data("intro")["intro-title"] == "Nytt navn"


def test_a_stale_save_keeps_the_other_writers_answer(world):
    assessment = make_assessment(world, "Utkast")
    seen = assessment.revision
    storage_for(world, assessment, "intro", revision=seen).set_step_data("intro", {**A.INTRO, "title": "Først"})
    late = storage_for(world, Assessment.objects.get(pk=assessment.pk), "intro", revision=seen)
    late.set_step_data("intro", {**A.INTRO, "title": "Sist"})
    assert late.outcome.conflicts == ["title"]
    assert Assessment.objects.get(pk=assessment.pk).answers["title"] == "Først"


def test_only_the_first_step_and_those_after_a_visited_one_are_reachable(world):
    assessment = make_assessment(world, "Utkast")
    keys = shown_steps(as_definition(assessment.questionnaire.definition), assessment.answers)
    assert reachable_steps(assessment, keys) == keys[:1]
    assessment.visited_steps = keys[:-1]
    assert reachable_steps(assessment, keys) == keys
