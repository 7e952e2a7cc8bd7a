"""assessments/middleware.py: the page an action's address shows when it is opened as a link."""

from django.urls import reverse

from tests.answers import complete
from tests.assessment_helpers import make_assessment


def test_an_action_opened_as_a_link_says_nothing_changed_and_leads_to_its_page(world):
    assessment = make_assessment(world, "Hentes ikke tilbake", answers=complete(), submit=True)
    response = world.client("leader_a").get(reverse("assessments:assessment_recall", args=[assessment.uuid]))
    page = response.content.decode()
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "Ingenting er endret." in page and f'href="{assessment.get_absolute_url()}"' in page
    assessment.refresh_from_db()
    assert assessment.status == assessment.Status.SUBMITTED


def test_without_a_page_above_it_leads_to_the_start_page(world):
    response = world.client("leader_a").get(reverse("assessments:logout"))
    assert response.status_code == 405
    assert f'href="{reverse("assessments:home")}"' in response.content.decode()


def test_a_refused_post_keeps_djangos_answer(world):
    assessment = make_assessment(world, "Plan", answers=complete(), submit=True)
    response = world.client("leader_a").post(reverse("assessments:plan_detail", args=[assessment.uuid]))
    assert response.status_code == 405 and response.content == b""
