"""assessments/middleware.py: the page an action's address shows when it is opened as a link."""

from django.urls import reverse

from assessments.services import plans
from tests.answers import complete
from tests.assessment_helpers import PDF, make_assessment, upload


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


def test_the_page_carries_the_security_headers_of_every_page(world):
    assessment = make_assessment(world, "Hodene", answers=complete(), submit=True)
    response = world.client("leader_a").get(reverse("assessments:assessment_recall", args=[assessment.uuid]))
    assert response.status_code == 405
    assert "Content-Security-Policy" in response and response["X-Frame-Options"] == "DENY"


def test_a_file_above_the_action_is_passed_over_for_the_page_above_it(world):
    """Removing an evidence file sits below the file's download: the link leads to the plan, not to the file."""
    assessment = make_assessment(world, "Dokumentasjon", answers=complete(), submit=True)
    item = assessment.plan_items.first()
    evidence = plans.evidence_add(item=item, user=world.users["leader_a"], upload=upload("dpia.pdf", PDF))
    url = reverse("assessments:plan_evidence_remove", args=[assessment.uuid, evidence.uuid])
    page = world.client("leader_a").get(url).content.decode()
    assert f'href="{reverse("assessments:plan_detail", args=[assessment.uuid])}"' in page
