"""The overview's counts per spot (models.OverviewCell), their sums per agency and spot
(OverviewAgencyQuadrant, OverviewAgencySpot) and the counts per tool (OverviewToolCell), kept by
PostgreSQL triggers: after every kind of change they equal a count made from scratch, and the overview
page shows them."""

from collections import Counter, defaultdict

from django.db import connection
from django.db.models import Q
from django.urls import reverse

from assessments import services
from assessments.demo.synthetic import seed_bulk_assessments
from assessments.models import (
    Assessment,
    AssessmentVersion,
    OverviewAgencyQuadrant,
    OverviewAgencySpot,
    OverviewCell,
    OverviewToolCell,
)
from assessments.presentation.overview import CELL, placed_cells
from assessments.queries import lists
from assessments.services import catalogue
from tests import catalogue_helpers as cat
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


def kept_sums() -> tuple[dict, dict]:
    """The two kept sums, without the rows that went back to 0."""
    quadrants = {
        (q.scope, q.agency_id, q.quadrant, q.scored): q.count for q in OverviewAgencyQuadrant.objects.exclude(count=0)
    }
    agency_spots = {
        (s.scope, s.agency_id, s.need_cell, s.risk_cell): s.count for s in OverviewAgencySpot.objects.exclude(count=0)
    }
    return quadrants, agency_spots


def sums_of(cells: dict) -> tuple[dict, dict]:
    """The two sums added up one cell at a time: each cell in scope "all", and in "approved" if it is; a spot
    in the field of the cell's quadrant (placed_cells)."""
    quadrants, agency_spots = Counter(), Counter()
    for (status, agency, quadrant, need, risk), count in cells.items():
        for scope in ("all", "approved") if status == Assessment.Status.APPROVED else ("all",):
            quadrants[(scope, agency, quadrant, need >= 0 and risk >= 0)] += count
            if need >= 0 and risk >= 0:
                agency_spots[(scope, agency, *placed_cells(quadrant, need, risk))] += count
    return dict(quadrants), dict(agency_spots)


def assert_kept_right():
    before, rebuilt = from_scratch()
    assert before == rebuilt
    assert kept_sums() == sums_of(rebuilt)  # passed on from the cells as they changed, and as they were rebuilt
    with connection.cursor() as cursor:
        cursor.execute("SELECT kiv_overview_sums_rebuild()")
    assert kept_sums() == sums_of(rebuilt)
    assert_tools_right()


def kept_tools() -> dict:
    return {
        (c.status, c.agency_id, c.tool, c.quadrant, c.need_cell, c.risk_cell): c.count
        for c in OverviewToolCell.objects.filter(count__gt=0)
    }


def tools_counted_one_by_one() -> dict:
    """The counts per tool from every assessment's latest version, its tool read from its answers."""
    counted = Counter()
    for version in lists.latest_versions().select_related("assessment"):
        ref = version.answers.get("cat_ref")
        slug = ref.rpartition("@")[0] if isinstance(ref, str) else ""
        counted[
            (version.assessment.status, version.assessment.agency_id, slug, version.quadrant, *cell_of(version))
        ] += 1
    return dict(counted)


def assert_tools_right():
    """The kept counts per tool equal a count of the versions, and a rebuild from scratch."""
    before = kept_tools()
    assert before == tools_counted_one_by_one()
    with connection.cursor() as cursor:
        cursor.execute("SELECT kiv_overview_tools_rebuild()")
    assert kept_tools() == before


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
        spot = placed_cells(cell.quadrant, cell.need_cell, cell.risk_cell)
        expected[spot][(cell.agency_id, cell.agency.name)] += cell.count
    spots = lists.overview_spots(user, group_by="agency")
    assert {(need, risk): (total, found) for need, risk, total, found, _, _ in spots} == {
        spot: (sum(agencies.values()), len(agencies)) for spot, agencies in expected.items()
    }
    assert any(found > 1 for _, _, _, found, _, _ in spots), "no spot shared by agencies: nothing to order"
    for need, risk, _, _, ids, counts in spots:
        largest = sorted(expected[(need, risk)].items(), key=lambda item: (-item[1], item[0][1], item[0][0]))[:3]
        assert (list(ids), list(counts)) == ([agency for (agency, _), _ in largest], [n for _, n in largest])


def counted_one_by_one(user, agency) -> list[tuple]:
    """overview_cells' rows by agency, one per latest version the user may see. The scores are rounded to
    the cell as the triggers round them (a double precision's ties to even, as Python's round)."""
    latest = lists.latest_versions().filter(
        Q(assessment__status=Assessment.Status.APPROVED) | lists.visible_versions(user)
    )
    if agency is not None:
        latest = latest.filter(assessment__agency=agency)
    return [
        (None, v.assessment.agency_id, v.assessment.agency.name, v.quadrant, *cell_of(v), 1)
        for v in latest.select_related("assessment__agency")
    ]


def cell_of(version) -> tuple[int, int]:
    return tuple(-1 if score is None else round(score / CELL) for score in (version.need_score, version.risk_score))


def direct_spots(rows) -> dict:
    """overview_spots' rows added up from overview_cells' rows, each moved into its quadrant's field."""
    per_spot = defaultdict(Counter)
    for _status, agency_id, name, quadrant, need, risk, count in rows:
        if need >= 0 and risk >= 0:
            per_spot[placed_cells(quadrant, need, risk)][(agency_id, name)] += count
    spots = {}
    for spot, agencies in per_spot.items():
        largest = sorted(agencies.items(), key=lambda item: (-item[1], item[0][1], item[0][0]))[:3]
        ids, counts = [agency for (agency, _), _ in largest], [n for _, n in largest]
        spots[spot] = (sum(agencies.values()), len(agencies), ids, counts)
    return spots


def assert_overview_right(world, agency=None):
    """For a reviewer, an auditor of every agency, an agency's leader and someone who sees only the approved
    assessments: the overview by agency from the kept sums equals a count of the latest versions."""
    for role in ("reviewer", "auditor", "leader_a", "dpo"):
        user = world.users[role]
        direct = counted_one_by_one(user, agency)
        table = Counter()
        for _status, agency_id, name, quadrant, need, risk, count in direct:
            table[(agency_id, name, quadrant, need >= 0 and risk >= 0)] += count
        kept_rows = lists.overview_cells(user, agency=agency, group_by="agency", cell=CELL)
        assert Counter({(a, name, q, need >= 0): n for _s, a, name, q, need, _r, n in kept_rows}) == table, role
        spots = lists.overview_spots(user, agency=agency, group_by="agency")
        kept = {
            (need, risk): (total, found, list(ids), list(counts)) for need, risk, total, found, ids, counts in spots
        }
        assert kept == direct_spots(direct), role


def test_the_overview_by_agency_counts_right_after_every_kind_of_change(world):
    """Created, submitted, returned, approved, superseded, rejected, withdrawn and moved: the overview by
    agency read from the kept sums shows what counting the versions shows, for every kind of viewer."""
    postgresql()
    h.questionnaire()
    seed_bulk_assessments(80)
    assert_overview_right(world)
    old = h.approved(world, "Erstattes")
    returned = h.submitted(world, "Returneres")
    services.assessment_return(assessment=returned, user=world.users["reviewer"], reason="Mangler svar.")
    assert_overview_right(world)
    replacement = h.submitted(world, "Erstatter", **h.STOP)
    services.assessment_reject(assessment=replacement, user=world.users["reviewer"], reason="Forbudt.")
    newer = h.submitted(world, "Erstatter igjen")
    Assessment.objects.filter(pk=newer.pk).update(replaces=old)
    services.assessment_approve(assessment=Assessment.objects.get(pk=newer.pk), user=world.users["reviewer"])
    assert Assessment.objects.get(pk=old.pk).status == Assessment.Status.SUPERSEDED
    services.assessment_withdraw(assessment=Assessment.objects.get(pk=returned.pk), user=world.users["leader_a"])
    Assessment.objects.filter(pk=newer.pk).update(agency=world.agency_b)  # moved to another agency
    assert_overview_right(world)
    assert_overview_right(world, agency=world.agency_a)
    assert_kept_right()


def test_a_score_halfway_between_cells_lands_alike_by_tool_and_by_status(world):
    """65.0 and 33.0 lie halfway between two cells. The overview by status reads the kept cells, by tool the
    counts kept per tool, and on SQLite it counts the versions: all must round the tie the same way, or the
    marker moves with the grouping or the database."""
    postgresql()
    h.questionnaire()
    seed_bulk_assessments(6)
    version = AssessmentVersion.objects.order_by("pk").first()
    result = version.result | {"need": version.result["need"] | {"score": 65.0}}
    result["risk"] = result["risk"] | {"score": 33.0}
    AssessmentVersion.objects.filter(pk=version.pk).update(result=result)
    with connection.cursor() as cursor:
        cursor.execute("SELECT kiv_overview_rebuild()")
        cursor.execute("SELECT kiv_overview_tools_rebuild()")
    reviewer = world.users["reviewer"]

    def spots(group_by: str) -> Counter:
        placed = Counter()
        for *_, need, risk, count in lists.overview_cells(reviewer, group_by=group_by, cell=CELL):
            placed[(need, risk)] += count
        return placed

    by_status = spots("status")
    assert by_status[(round(65.0 / CELL), round(33.0 / CELL))] >= 1
    assert spots("tool") == by_status
    counted = Counter()
    for *_, need, risk, count in lists._version_cells(reviewer, agency=None, tool="", group_by="tool", cell=CELL):
        counted[(need, risk)] += count
    assert counted == by_status


def submitted_with(world, title: str, ref: str) -> Assessment:
    """A 2026.3 assessment of agency A answered with the overview's tool `ref`, submitted by its leader."""
    draft = cat.pick(world, cat.v3_assessment(world, title=title), ref)
    services.assessment_submit(assessment=draft, user=world.users["leader_a"])
    return Assessment.objects.get(pk=draft.pk)


def summed(rows) -> Counter:
    counted = Counter()
    for *key, count in rows:
        counted[tuple(key)] += count
    return counted


def assert_tool_overview_right(world, agency=None):
    """By tool, and filtered by a tool in every grouping, the kept counts give the rows the versions give."""
    for role in ("reviewer", "auditor", "leader_a", "dpo"):
        user = world.users[role]
        for tool, group_by in (("", "tool"), ("kommunechat", "tool"), ("kommunechat", "status"), ("annet", "agency")):
            options = {"agency": agency, "tool": tool, "group_by": group_by, "cell": CELL}
            kept_rows = lists.overview_cells(user, **options)
            assert summed(kept_rows) == summed(lists._version_cells(user, **options)), (role, tool, group_by)


def test_the_counts_per_tool_follow_every_kind_of_change(world):
    """Created, submitted, returned and sent in with another tool, approved, superseded, withdrawn, moved and
    deleted: the counts kept per tool equal a rebuild and a count of the versions, and the overview by tool
    or filtered by a tool shows what counting the versions shows."""
    postgresql()
    h.questionnaire()
    seed_bulk_assessments(40)
    chat = cat.make_tool(world, personal_data_allowed=True)
    other = cat.make_tool(world, slug="annet", name="Annet verktøy", personal_data_allowed=True)
    first = submitted_with(world, "Chat", chat.ref)
    submitted_with(world, "Chat med første versjon", chat.ref)  # stays on version 1 when version 2 comes
    assert_kept_right()
    services.assessment_return(assessment=first, user=world.users["reviewer"], reason="Mangler svar.")
    h.resubmit(world, Assessment.objects.get(pk=first.pk), cat_ref=other.ref, cat_name=other.name)  # another tool
    assert_kept_right()
    services.assessment_approve(assessment=Assessment.objects.get(pk=first.pk), user=world.users["reviewer"])
    catalogue.tool_change(entry=chat.entry, data={"name": "Kommunechat 2"}, actor=world.users["reviewer"])
    newer = submitted_with(world, "Erstatter", chat.entry.current().ref)
    Assessment.objects.filter(pk=newer.pk).update(replaces=first)
    services.assessment_approve(assessment=Assessment.objects.get(pk=newer.pk), user=world.users["reviewer"])
    assert Assessment.objects.get(pk=first.pk).status == Assessment.Status.SUPERSEDED
    assert_kept_right()
    withdrawn = submitted_with(world, "Trekkes", chat.entry.current().ref)
    services.assessment_withdraw(assessment=withdrawn, user=world.users["leader_a"])
    gone = submitted_with(world, "Slettes", other.ref)
    Assessment.objects.filter(pk=newer.pk).update(agency=world.agency_b)  # moved to another agency
    assert_kept_right()
    assert_tool_overview_right(world)
    assert_tool_overview_right(world, agency=world.agency_a)
    Assessment.objects.filter(pk=gone.pk).delete()
    assert_kept_right()
    assert {tool for _s, _a, tool, *_rest in kept_tools()} == {"", "kommunechat", "annet"}
    assert_tool_overview_right(world)
