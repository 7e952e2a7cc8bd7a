"""assessments/presentation/plan_items.py: the plan names the answer that already says an obligation's measure is
in place, and the item stays open until the leader records it."""

from django.urls import reverse

from assessments import services
from assessments.models import PlanItem
from tests import advice_helpers as advice
from tests.assessment_helpers import published_questionnaire

SCENARIO = advice.SCENARIOS / "v2026_13" / "procured_chat_personal_data.json"


def submitted(world, **changes):
    questionnaire = published_questionnaire("2026.13")
    answers = advice.answers_of(SCENARIO, advice.NOT_LISTED, **changes)
    leader = world.users["leader_a"]
    assessment = services.assessment_create(
        agency=world.agency_a, user=leader, title="Chat", questionnaire=questionnaire, answers=answers
    )
    services.assessment_submit(assessment=assessment, user=leader)
    assessment.refresh_from_db()
    return assessment


def item_page(world, assessment, code):
    item = assessment.plan_items.get(key=f"obligation:{code}")
    url = reverse("assessments:plan_item", args=[assessment.uuid, item.pk])
    return item, world.client("leader_a").get(url).content.decode()


def test_an_obligation_whose_measure_is_answered_in_place_says_so_and_stays_open(world):
    assessment = submitted(world, pd_dpa="yes")
    item, page = item_page(world, assessment, "data_processing_agreement")
    assert item.status == PlanItem.Status.NOT_STARTED  # an answer is a claim; the record makes it done
    assert 'id="answered-in-place"' in page and "Dere har svart «Ja» på «" in page
    plan = world.client("leader_a").get(reverse("assessments:plan_detail", args=[assessment.uuid])).content.decode()
    row = plan.split(f'id="item-{item.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Legg ved dokumentasjonen og merk tiltaket som utført." in row


def test_an_obligation_whose_measure_is_not_in_place_says_nothing(world):
    assessment = submitted(world, pd_dpa="no")
    _item, page = item_page(world, assessment, "data_processing_agreement")
    assert 'id="answered-in-place"' not in page


def test_an_item_marked_done_no_longer_shows_the_hint(world):
    assessment = submitted(world, pd_dpa="yes")
    item = assessment.plan_items.get(key="obligation:data_processing_agreement")
    PlanItem.objects.filter(pk=item.pk).update(status=PlanItem.Status.DONE)
    _item, page = item_page(world, assessment, "data_processing_agreement")
    assert 'id="answered-in-place"' not in page


def test_the_hint_in_english(world):
    assessment = submitted(world, pd_dpa="yes")
    item = assessment.plan_items.get(key="obligation:data_processing_agreement")
    client = world.client("leader_a")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("assessments:plan_item", args=[assessment.uuid, item.pk])).content.decode()
    assert "You have answered “Yes” to “" in page and "Attach the documentation" in page


def test_those_who_cannot_edit_the_plan_are_not_told_to_record_it(world):
    assessment = submitted(world, pd_dpa="yes")
    item = assessment.plan_items.get(key="obligation:data_processing_agreement")
    for role in ("reviewer", "auditor"):
        page = world.client(role).get(reverse("assessments:plan_item", args=[assessment.uuid, item.pk]))
        assert page.status_code == 200 and 'id="answered-in-place"' not in page.content.decode(), role
