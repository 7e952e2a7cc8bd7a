"""The overview's counts per spot (models.OverviewCell), kept by PostgreSQL triggers: after every kind of
change they equal a count made from scratch, and the overview page shows them."""

from collections import Counter, defaultdict

from django.db import connection
from django.urls import reverse

from assessments import services
from assessments.demo.synthetic import seed_bulk_assessments
from assessments.models import Assessment, OverviewCell
from assessments.queries import lists
from tests import review_helpers as h
from tests.conftest import require_service


def postgresql():
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL): the triggers are PostgreSQL's")


def kept() -> dict:
    return {
        (c.status, c.agency_id, c.quadrant, c.need_cell, c.risk_cell): c.count
        for c in OverviewCell.objects.filter(count__gt=0)
    }


def from_scratch() -> dict:
    before = kept()
    with connection.cursor() as cursor:
        cursor.execute("SELECT kiv_overview_rebuild()")
    rebuilt = kept()
    assert rebuilt, "nothing to compare"
    return before, rebuilt


def assert_kept_right():
    before, rebuilt = from_scratch()
    assert before == rebuilt


def test_bulk_inserts_with_several_versions_per_assessment_are_counted_once(db):
    postgresql()
    h.questionnaire()
    seed_bulk_assessments(150)  # some submitted ones have two versions, inserted in one statement
    assert_kept_right()
    total = sum(kept().values())
    assert total == Assessment.objects.filter(versions__isnull=False).distinct().count()


def test_every_review_step_keeps_the_counts(world):
    postgresql()
    returned = h.submitted(world, "Returneres")
    assert_kept_right()
    services.assessment_return(assessment=returned, user=world.users["reviewer"], reason="Mangler svar.")
    assert_kept_right()
    h.resubmit(world, Assessment.objects.get(pk=returned.pk))  # a new latest version
    assert_kept_right()
    approved = h.approved(world, "Godkjennes")
    assert_kept_right()
    rejected = h.submitted(world, "Avvises", **h.STOP)
    services.assessment_reject(assessment=rejected, user=world.users["reviewer"], reason="Forbudt.")
    assert_kept_right()
    services.assessment_withdraw(assessment=Assessment.objects.get(pk=returned.pk), user=world.users["leader_a"])
    assert_kept_right()
    Assessment.objects.filter(pk=approved.pk).update(agency=world.agency_b)  # moved to another agency
    assert_kept_right()
    statuses = {status for status, *_rest in kept()}
    assert statuses >= {Assessment.Status.APPROVED, Assessment.Status.REJECTED}


def test_a_deleted_assessment_leaves_its_spot(world):
    postgresql()
    gone = h.submitted(world, "Slettes")
    h.submitted(world, "Blir")
    assert sum(kept().values()) == 2
    Assessment.objects.filter(pk=gone.pk).delete()
    assert sum(kept().values()) == 1
    assert_kept_right()


def test_the_overview_shows_the_kept_counts(world):
    h.questionnaire()
    seed_bulk_assessments(120)
    body = world.client("reviewer").get(reverse("assessments:register_overview")).content.decode()
    seen = Assessment.objects.filter(versions__isnull=False).distinct().count()
    assert f"{seen} vurderinger" in body
    approved = Assessment.objects.filter(status=Assessment.Status.APPROVED).count()
    assert f"Godkjent ({approved})" in body


def test_the_agencies_on_each_spot_are_summed_from_the_kept_counts(world):
    """The overview by agency reads its markers summed per spot in the database: the same totals, agencies
    and three largest (ties by the agency's name) as adding up the kept counts one by one."""
    postgresql()
    h.questionnaire()
    seed_bulk_assessments(150)
    user = world.users["reviewer"]
    expected = defaultdict(Counter)
    for cell in lists._visible_cells(user, None).filter(need_cell__gte=0, risk_cell__gte=0).select_related("agency"):
        expected[(cell.need_cell, cell.risk_cell)][(cell.agency_id, cell.agency.name)] += cell.count
    spots = lists.overview_spots(user, group_by="agency")
    assert {(need, risk): (total, found) for need, risk, total, found, _, _ in spots} == {
        spot: (sum(agencies.values()), len(agencies)) for spot, agencies in expected.items()
    }
    assert any(found > 1 for _, _, _, found, _, _ in spots), "no spot shared by agencies: nothing to order"
    for need, risk, _, _, ids, counts in spots:
        largest = sorted(expected[(need, risk)].items(), key=lambda item: (-item[1], item[0][1], item[0][0]))[:3]
        assert (list(ids), list(counts)) == ([agency for (agency, _), _ in largest], [n for _, n in largest])
