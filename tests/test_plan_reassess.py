"""services/plan_reassess.py and its page: a done, documented measure starts a re-assessment with the
measure answered, as a new draft through the usual review; never silently, never before it is done. An obligation
that is done by a measure (2026.7, one item for both) does the same."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import services
from assessments.models import AuditEvent, PlanItem
from assessments.services import plan_reassess, plans
from tests.answers import complete
from tests.assessment_helpers import make_assessment


@pytest.fixture
def measure(world):
    """An approved assessment whose plan names the measure "tell the users" (as a what-if would)."""
    assessment = make_assessment(world, "Tiltak gir ny vurdering", answers=complete(tr_disclose="no"), submit=True)
    item = PlanItem.objects.create(
        assessment=assessment, key="measure:tr_disclose", kind="measure", title="Varsle brukerne", measure_value="yes",
        measure_key="tr_disclose",
    )  # fmt: skip
    services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    item.refresh_from_db()
    return item


def finish(item, user):
    plans.evidence_add(item=item, user=user, upload=SimpleUploadedFile("varsel.png", b"\x89PNG\r\n\x1a\n0000"))
    plans.item_update(item=item, user=user, status="done")
    item.refresh_from_db()


def test_not_before_the_measure_is_done_with_evidence(measure, world):
    assert not plan_reassess.may_reassess(measure)
    with pytest.raises(ValidationError):
        plan_reassess.start_reassessment(item=measure, user=world.users["leader_a"])


def test_a_done_measure_starts_a_draft_with_it_answered(measure, world):
    leader = world.users["leader_a"]
    finish(measure, leader)
    with pytest.raises(PermissionDenied):
        plan_reassess.start_reassessment(item=measure, user=world.users["contributor_a"])
    new = plan_reassess.start_reassessment(item=measure, user=leader)
    assert new.status == "draft" and new.replaces == measure.assessment
    assert new.answers["tr_disclose"] == "yes" and new.material_change_kinds == ["measure"]
    assert AuditEvent.objects.filter(action="plan.reassessment_started").exists()
    measure.assessment.refresh_from_db()
    assert measure.assessment.status == "approved"  # the approved one stands until the new one is approved


def test_the_page_offers_it_and_starts_it(measure, world):
    finish(measure, world.users["leader_a"])
    client = world.client("leader_a")
    page = client.get(reverse("assessments:plan_item", args=[measure.assessment.uuid, measure.pk]))
    assert "Start ny vurdering" in page.content.decode()
    response = client.post(reverse("assessments:plan_reassess", args=[measure.assessment.uuid, measure.pk]))
    assert response.status_code == 302


def test_marking_it_done_leads_the_leader_to_the_offer(measure, world):
    plans.evidence_add(
        item=measure, user=world.users["leader_a"], upload=SimpleUploadedFile("v.png", b"\x89PNG\r\n\x1a\n00")
    )
    url = reverse("assessments:plan_item", args=[measure.assessment.uuid, measure.pk])
    done = world.client("leader_a").post(url, {"status": "done"}, follow=True)
    assert done.redirect_chain[-1][0] == url + "#reassess"
    assert "Du kan nå starte en ny vurdering med svaret." in done.content.decode()
    # Not done yet: back to the plan, as for any change.
    other = world.client("leader_a").post(url, {"status": "in_progress"})
    assert other["Location"].endswith(f"/tiltak/#item-{measure.pk}")


@pytest.fixture
def obligation(world):
    """An approved assessment whose plan has the obligation "tell the residents", done by the measure tr_disclose."""
    assessment = make_assessment(world, "Plikt med tiltak", answers=complete(tr_disclose="no"), submit=True)
    item = PlanItem.objects.create(
        assessment=assessment, key="obligation:ai_disclosure", kind="obligation", title="Fortell innbyggerne",
        measure_value="yes", measure_key="tr_disclose",
    )  # fmt: skip
    services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    item.refresh_from_db()
    return item


def test_an_obligation_done_by_a_measure_starts_a_draft_with_the_measure_answered(obligation, world):
    leader = world.users["leader_a"]
    assert not plan_reassess.may_reassess(obligation)
    finish(obligation, leader)
    assert plan_reassess.may_reassess(obligation)
    new = plan_reassess.start_reassessment(item=obligation, user=leader)
    assert new.answers["tr_disclose"] == "yes" and new.material_change_kinds == ["measure"]
    event = AuditEvent.objects.get(action="plan.reassessment_started")
    assert event.details["question"] == "tr_disclose" and event.details["item"] == obligation.pk


def test_an_obligation_without_a_measure_never_starts_one(obligation, world):
    PlanItem.objects.filter(pk=obligation.pk).update(measure_key="", measure_value=None)
    obligation.refresh_from_db()
    finish(obligation, world.users["leader_a"])
    assert not plan_reassess.may_reassess(obligation)


def test_the_obligations_page_says_it_is_a_measure_too_and_offers_the_reassessment(obligation, world):
    finish(obligation, world.users["leader_a"])
    client = world.client("leader_a")
    page = client.get(reverse("assessments:plan_item", args=[obligation.assessment.uuid, obligation.pk])).content
    assert "Plikt og tiltak for lavere risiko" in page.decode() and "Start ny vurdering" in page.decode()
    plan = client.get(reverse("assessments:plan_detail", args=[obligation.assessment.uuid])).content.decode()
    assert "Plikt og tiltak for lavere risiko" in plan
