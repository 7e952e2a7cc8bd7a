"""The AI register: approved AI uses of every agency, the overview matrix, CSV/JSON, the public copy."""

import datetime as dt
import io
import json
import re
from collections import defaultdict
from html import escape

import pytest
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments.demo.synthetic import seed_bulk_assessments
from assessments.models import Assessment, AssessmentVersion, OverviewToolCell, PlanItem
from assessments.models.assessments import TOOL_SLUG
from assessments.queries import catalogue as catalogue_queries
from assessments.queries import lists as queries
from assessments.services import catalogue
from tests import catalogue_helpers as cat
from tests import review_helpers as h
from tests.responses import read_csv, read_json, table_cells
from tests.test_quickpath_services import approved_simplified

REGISTER = reverse("assessments:register")


def rows(response) -> list[str]:
    return table_cells(response, r"<tr>\s*<td[^>]*>(?:<a [^>]+>|<span[^>]*>)?([^<]+)")


@pytest.fixture
def register_world(world):
    """Agency A: one approved (generative), one submitted, one draft, one rejected."""
    approved = h.approved(world, "Copilot i Word", ai_kind=["integrated", "generative"])
    h.submitted(world, "Venter på UKE")
    h.draft(world, "Hemmelig utkast")
    rejected = h.submitted(world, "Avvist løsning", **h.STOP)
    world.client("reviewer").post(
        reverse("assessments:review_reject", args=[rejected.uuid]),
        {"reject-reason": "Forbudt.", "reject-version": 1, "confirmed": 1},
    )
    return approved


def test_every_signed_in_role_sees_approved_uses_only(world, register_world):
    for role in ("leader_a", "contributor_a", "leader_b", "reviewer", "auditor"):
        response = world.client(role).get(REGISTER)
        assert response.status_code == 200
        assert rows(response) == ["Copilot i Word"], role
        body = response.content.decode()
        for hidden in ("Venter på UKE", "Hemmelig utkast", "Avvist løsning"):
            assert hidden not in body


def test_an_entry_shows_agency_kind_verdict_quadrant_and_dates(world, register_world):
    body = world.client("leader_b").get(REGISTER).content.decode()
    version = register_world.latest_version()
    assert world.agency_a.name in body
    assert "Integrert i verktøy vi har, Generativ" in body
    assert register_world.review_by.strftime("%Y") in body
    expected_verdict = {
        "recommended": "Anbefalt",
        "low_priority": "Lav prioritet",
        "proceed_with_safeguards": "Kun med tiltak",
        "advise_against": "Frarådes",
    }[version.verdict]
    assert expected_verdict in body


def test_only_those_who_may_open_the_assessment_get_a_link(world, register_world):
    link = reverse("assessments:review_detail", args=[register_world.uuid])
    assert link in world.client("leader_a").get(REGISTER).content.decode()
    assert link in world.client("reviewer").get(REGISTER).content.decode()
    assert link not in world.client("leader_b").get(REGISTER).content.decode()


def test_it_filters(world, register_world):
    client = world.client("reviewer")
    assert rows(client.get(REGISTER, {"ai_kind": "generative"})) == ["Copilot i Word"]
    assert rows(client.get(REGISTER, {"ai_kind": "self_developed"})) == []
    assert rows(client.get(REGISTER, {"agency": world.agency_b.pk})) == []
    assert rows(client.get(REGISTER, {"q": "copilot"})) == ["Copilot i Word"]
    assert rows(client.get(REGISTER, {"q": "finnes ikke"})) == []


def test_superseded_uses_leave_the_register(world, register_world):
    Assessment.objects.filter(pk=register_world.pk).update(status=Assessment.Status.SUPERSEDED)
    assert rows(world.client("reviewer").get(REGISTER)) == []


def test_csv_and_json_exports(world, register_world):
    client = world.client("leader_b")
    entries = read_csv(client.get(reverse("assessments:register_csv")))
    assert [e["Tittel"] for e in entries] == ["Copilot i Word"]
    assert entries[0]["Virksomhet"] == world.agency_a.name
    data = read_json(client.get(reverse("assessments:register_json")))
    assert [e["title"] for e in data["entries"]] == ["Copilot i Word"]
    entry = data["entries"][0]
    assert entry["ai_kind"] == ["integrated", "generative"]
    assert entry["review_by"] == register_world.review_by.isoformat()
    assert entry["id"] == str(register_world.uuid)
    # No names of people anywhere.
    for user in world.users.values():
        assert user.username not in json.dumps(data)


def test_the_public_register_is_off_by_default(client, world, register_world):
    assert client.get(reverse("assessments:public_register")).status_code == 404
    assert client.get(reverse("assessments:public_register_json")).status_code == 404


def test_the_public_register_shows_only_fields_fit_for_publication(client, settings, world, register_world):
    settings.KIV_PUBLIC_REGISTER = True
    response = client.get(reverse("assessments:public_register"))
    assert response.status_code == 200
    assert rows(response) == ["Copilot i Word"]
    body = response.content.decode()
    assert reverse("assessments:review_detail", args=[register_world.uuid]) not in body
    assert str(register_world.uuid) not in body
    data = read_json(client.get(reverse("assessments:public_register_json")))
    assert set(data["entries"][0]) == {
        "title",
        "agency",
        "tool",  # the tool's name from the tool overview (empty when none was chosen)
        "ai_kind",
        "verdict",
        "quadrant",
        "approved",
        "review_by",
        "overdue",
    }
    public_csv = read_csv(client.get(reverse("assessments:public_register_csv")))
    assert "ID" not in public_csv[0]
    for user in world.users.values():
        assert user.get_full_name() not in body and user.username not in body


def test_the_overview_draws_every_visible_assessment(world, register_world):
    reviewer = world.client("reviewer").get(reverse("assessments:register_overview"))
    assert reviewer.status_code == 200
    body = reviewer.content.decode()
    assert "<svg" in body
    # The reviewer sees approved, submitted and rejected ones (3), never the draft.
    assert "3 vurderinger" in body
    for label in ("Godkjent (1)", "Sendt inn (1)", "Avvist (1)"):
        assert label in body
    # A leader of another agency sees the approved use only.
    other = world.client("leader_b").get(reverse("assessments:register_overview")).content.decode()
    assert "1 vurdering" in other and "Sendt inn (1)" not in other
    by_agency = (
        world.client("reviewer").get(reverse("assessments:register_overview"), {"group": "agency"}).content.decode()
    )
    assert f"{world.agency_a.name} (3)" in by_agency


def test_agencies_on_one_spot_share_a_marker_and_keep_their_table_rows(world):
    """By agency, the agencies on one spot are one marker naming them (summed per spot by the database on
    PostgreSQL, in Python elsewhere); the table beside the figure keeps each agency's count."""
    h.approved(world, "Copilot i Word")
    moved = h.approved(world, "Copilot i Excel")
    Assessment.objects.filter(pk=moved.pk).update(agency=world.agency_b)
    body = world.client("reviewer").get(reverse("assessments:register_overview"), {"group": "agency"}).content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert svg.count("<title>2 virksomheter: ") == 1, svg
    for agency in (world.agency_a, world.agency_b):
        assert f"{escape(agency.name)} (1)" in svg
        assert re.search(rf">{re.escape(escape(agency.name))}</th>(<td>\d+</td>)+<td>1</td></tr>", body), agency.name
    assert "2 vurderinger" in body


def test_overview_markers_differ_by_shape_not_only_colour(world, register_world):
    body = world.client("reviewer").get(reverse("assessments:register_overview")).content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert "<circle" in svg  # approved
    assert "<rect" in svg  # submitted (quadrant backgrounds are rects too, so check the legend as well)
    legend = body[body.index('class="legend"') :]
    assert "sirkel" in legend and "firkant" in legend and "kryss" in legend


def test_the_legend_shows_each_status_as_the_figure_draws_it(world, register_world):
    """Each legend entry carries the marker's shape and colour (hidden from screen readers, which read the
    shape's name instead)."""
    body = world.client("reviewer").get(reverse("assessments:register_overview")).content.decode()
    legend = body[body.index('class="legend"') : body.index("</ul>", body.index('class="legend"'))]
    entries = re.findall(r"<li>(.*?)</li>", legend, re.S)
    assert entries
    for entry in entries:
        glyph = re.search(r'<svg class="legend-glyph"[^>]*aria-hidden="true"[^>]*>(.*?)</svg>', entry, re.S)
        assert glyph, entry
        assert 'class="visually-hidden"' in entry
    approved = next(e for e in entries if "Godkjent" in e)
    assert "<circle" in approved and 'fill="#034b45"' in approved


# Two of them are the tool overview's: its entries for the filter, and which rows are flagged.
QUERY_LIMIT = 11


@pytest.mark.parametrize(
    "name, params",
    [
        ("assessments:register", {}),
        ("assessments:register_overview", {}),
        ("assessments:register", {"path": "full"}),
        ("assessments:register", {"path": "simplified"}),
    ],
)
def test_it_runs_a_constant_number_of_queries(world, django_assert_max_num_queries, name, params):
    h.questionnaire()
    client = world.client("leader_b")
    for size in (30, 400):
        seed_bulk_assessments(size)
        with django_assert_max_num_queries(QUERY_LIMIT):
            response = client.get(reverse(name), params)
        assert response.status_code == 200
    if name == "assessments:register" and params.get("path") != "simplified":  # the bulk uses are all full
        assert len(rows(response)) == 50  # paginated
        shown = re.search(r"\((\d+) treff\)", response.content.decode())
        assert shown and int(shown.group(1)) == queries.register(**params).count()


def test_it_filters_by_path_full_or_simplified_on_the_page_and_in_the_exports(world, register_world):
    simplified, _tool = approved_simplified(world)
    client = world.client("reviewer")
    assert sorted(rows(client.get(REGISTER))) == ["Copilot i Word", simplified.title]
    assert rows(client.get(REGISTER, {"path": "simplified"})) == [simplified.title]
    assert rows(client.get(REGISTER, {"path": "full"})) == ["Copilot i Word"]
    assert "Type vurdering" in client.get(REGISTER).content.decode()
    entries = read_csv(client.get(reverse("assessments:register_csv"), {"path": "simplified"}))
    assert [e["Tittel"] for e in entries] == [simplified.title]
    data = read_json(client.get(reverse("assessments:register_json"), {"path": "full"}))
    assert [e["title"] for e in data["entries"]] == ["Copilot i Word"]
    # An unknown path is a form error, not a 500: the filter is left out.
    assert client.get(REGISTER, {"path": "quick"}).status_code == 200


# --- by tool, and the action plan's columns in the exports ---


@pytest.fixture
def tool_world(world):
    """Approved uses: two with Kommunechat (one answered with each of its two versions), one with another tool,
    and one without a tool from the overview (2026.1)."""
    chat = cat.make_tool(world, personal_data_allowed=True)
    other = cat.make_tool(world, slug="annet", name="Annet verktøy", personal_data_allowed=True)

    first = cat.approved_with(world, chat, "Chat i bydelen")
    catalogue.tool_change(entry=chat.entry, data={"name": "Kommunechat 2"}, actor=world.users["reviewer"])
    cat.approved_with(world, chat.entry.current(), "Chat i etaten")
    cat.approved_with(world, other, "Annet i bydelen")
    h.approved(world, "Uten verktøy")
    return first


def by_tool(response) -> list[tuple[str, str]]:
    body = response.content.decode()
    section = body[body.index('class="by-tool"') : body.index("</section>", body.index('class="by-tool"'))]
    names = re.findall(r'<th scope="row">(?:<a [^>]+>)?([^<]+)', section)
    counts = re.findall(r"</th>\s*<td>(\d+)</td>", section)
    return list(zip(names, counts, strict=True))


def test_the_register_groups_by_tool_with_a_summary_and_filters_by_it(world, tool_world):
    client = world.client("leader_b")
    response = client.get(REGISTER, {"group": "tool"})
    # Every version of a tool counts as the tool, named as the overview names it now; no tool comes last.
    assert by_tool(response) == [("Annet verktøy", "1"), ("Kommunechat 2", "2"), ("Uten verktøy fra oversikten", "1")]
    assert rows(response)[-1] == "Uten verktøy"
    assert sorted(rows(response)[1:3]) == ["Chat i bydelen", "Chat i etaten"]
    assert "?group=tool&amp;tool=kommunechat" in response.content.decode()
    filtered = client.get(REGISTER, {"group": "tool", "tool": "kommunechat"})
    assert sorted(rows(filtered)) == ["Chat i bydelen", "Chat i etaten"]
    assert by_tool(filtered) == [("Kommunechat 2", "2")]
    assert 'class="by-tool"' not in client.get(REGISTER).content.decode()  # a choice, not the default


def recount_by_tool(agency=None) -> dict:
    """The summary by tool counted one approved assessment at a time from its latest version's answers and
    its own review date: {slug: (name as answered, uses, reviews overdue)}, the name for the tools the
    overview does not name."""
    today = timezone.localdate()
    named = {version.entry.slug for version in catalogue_queries.current_versions()}
    counted = defaultdict(lambda: ["", 0, 0])
    approved = Assessment.objects.filter(status=Assessment.Status.APPROVED)
    for assessment in approved.filter(agency=agency) if agency else approved:
        answers = assessment.latest_version().answers
        slug = answers.get("cat_ref", "").rpartition("@")[0]
        row = counted[slug]
        row[0] = answers.get("cat_name") if slug and slug not in named else ""
        row[1] += 1
        row[2] += bool(assessment.review_by and assessment.review_by < today)
    return {slug: tuple(row) for slug, row in counted.items()}


def answered(assessment: Assessment, **changes) -> Assessment:
    """A data fix of the approved version's answers, after which the counts kept per tool are rebuilt (they
    follow new and deleted versions, not a version's answers changed in place)."""
    version = assessment.latest_version()
    AssessmentVersion.objects.filter(pk=version.pk).update(answers={**version.answers, **changes})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT kiv_overview_tools_rebuild()")
    return assessment


def summary_by_tool(client, **params) -> dict:
    """The page's summary by tool, as recount_by_tool gives it (the overview's names left out)."""
    response = client.get(REGISTER, {"group": "tool", **params})
    named = {version.name for version in catalogue_queries.current_versions()}
    return {
        row["slug"]: ("" if not row["slug"] or row["name"] in named else row["name"], row["count"], row["overdue"])
        for row in response.context["tools"]
    }


def test_the_summary_by_tool_equals_a_recount_of_the_approved_assessments(world, tool_world):
    """Grouped by tool, the uses and overdue reviews the page shows (on PostgreSQL from the counts kept per
    tool and the versions' copies of the review date) are those of a recount, before and after the review
    dates, the agencies and the statuses change; on PostgreSQL a drifted kept count shows."""
    past, today = dt.date(2020, 1, 1), timezone.localdate()
    # Answers the questionnaire would refuse, written by a data fix: a tool the overview does not name, a slug
    # up to the last "@", a reference without one (no tool).
    gone = answered(h.approved(world, "Verktøy som er borte"), cat_ref="borte@3", cat_name="Borte")
    answered(h.approved(world, "Krøll i navnet"), cat_ref="alt@b@2", cat_name="Alternativ")
    answered(h.approved(world, "Uten krøll"), cat_ref="uten-krøll", cat_name="Uten krøll")
    Assessment.objects.filter(title__in=["Chat i bydelen", "Uten verktøy", "Krøll i navnet"]).update(review_by=past)
    Assessment.objects.filter(pk=gone.pk).update(review_by=today)  # due today: not overdue yet
    Assessment.objects.filter(title="Chat i etaten").update(agency=world.agency_b)
    client = world.client("leader_b")
    expected = recount_by_tool()
    assert expected["kommunechat"] == ("", 2, 1) and expected["alt@b"] == ("Alternativ", 1, 1)
    assert expected["borte"] == ("Borte", 1, 0) and expected[""] == ("", 2, 1)
    assert summary_by_tool(client) == expected
    assert summary_by_tool(client, agency=world.agency_b.pk) == recount_by_tool(world.agency_b) != {}

    Assessment.objects.filter(title="Chat i bydelen").update(review_by=today + dt.timedelta(days=30))
    Assessment.objects.filter(pk=gone.pk).update(review_by=past)
    Assessment.objects.filter(title="Annet i bydelen").update(status=Assessment.Status.SUPERSEDED)
    assert summary_by_tool(client) == recount_by_tool()
    assert summary_by_tool(client, agency=world.agency_a.pk) == recount_by_tool(world.agency_a)

    if connection.vendor == "postgresql":  # the page reads the kept counts: one that drifted would show
        OverviewToolCell.objects.filter(status=Assessment.Status.APPROVED, tool="kommunechat").update(
            count=F("count") + 1
        )
        assert summary_by_tool(client) != recount_by_tool()


def test_the_tool_index_expression_is_the_slug_of_the_tool_and_none_without_one(world, tool_world):
    versions = AssessmentVersion.objects.annotate(tool_slug=TOOL_SLUG)
    stored = dict(versions.values_list("answers__cat_ref", "tool_slug").distinct())
    assert stored.pop(None) is None  # answered without a tool from the overview
    assert stored and all(slug == ref.rpartition("@")[0] for ref, slug in stored.items())
    assert {"kommunechat", "annet"} <= set(stored.values())


def test_the_exports_carry_the_tool_filter_grouping_and_the_plans_columns(world, tool_world):
    Assessment.objects.filter(pk=tool_world.pk).update(in_use_since=dt.date(2026, 3, 1))
    items = PlanItem.objects.filter(assessment=tool_world, required=True).order_by("pk")
    assert items.count() >= 2
    items.filter(pk=items[0].pk).update(due_date=dt.date(2020, 1, 1), status=PlanItem.Status.IN_PROGRESS)
    open_count = items.filter(status__in=[PlanItem.Status.NOT_STARTED, PlanItem.Status.IN_PROGRESS]).count()
    client = world.client("reviewer")

    data = read_json(client.get(reverse("assessments:register_json"), {"tool": "kommunechat", "group": "tool"}))
    entries = {e["title"]: e for e in data["entries"]}
    assert set(entries) == {"Chat i bydelen", "Chat i etaten"}
    first = entries["Chat i bydelen"]
    assert first["tool"] == "Kommunechat" and entries["Chat i etaten"]["tool"] == "Kommunechat 2"
    assert first["in_use_since"] == "2026-03-01"
    assert (first["measures_open"], first["measures_overdue"]) == (open_count, 1)
    assert entries["Chat i etaten"]["in_use_since"] is None and entries["Chat i etaten"]["measures_overdue"] == 0

    grouped = read_csv(client.get(reverse("assessments:register_csv"), {"group": "tool"}))
    assert [row["Verktøy"] for row in grouped] == ["Annet verktøy", "Kommunechat", "Kommunechat 2", ""]
    row = next(r for r in grouped if r["Tittel"] == "Chat i bydelen")
    assert (row["I bruk fra"], row["Åpne tiltak"], row["Tiltak forfalt"]) == ("2026-03-01", str(open_count), "1")

    xlsx = client.get(reverse("assessments:register_xlsx"), {"tool": "annet"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    header = [cell.value for cell in next(sheet.iter_rows())]
    assert {"Verktøy", "I bruk fra", "Åpne tiltak", "Tiltak forfalt"} <= set(header)
    assert [r[header.index("Tittel")].value for r in list(sheet.iter_rows())[1:]] == ["Annet i bydelen"]


def test_the_public_exports_leave_out_the_plans_columns(client, settings, world, tool_world):
    settings.KIV_PUBLIC_REGISTER = True
    data = read_json(client.get(reverse("assessments:public_register_json"), {"tool": "annet"}))
    assert [e["title"] for e in data["entries"]] == ["Annet i bydelen"]
    assert not {"in_use_since", "measures_open", "measures_overdue"} & set(data["entries"][0])


def test_the_overview_filters_and_groups_by_tool(world, tool_world):
    client = world.client("reviewer")
    url = reverse("assessments:register_overview")
    grouped = client.get(url, {"group": "tool"})
    table = grouped.context["table"]
    assert {label: total for label, _values, total in table} == {
        "Annet verktøy": 1,
        "Kommunechat 2": 2,
        "Uten verktøy fra oversikten": 1,
    }
    assert "Antall per verktøy og felt i matrisen" in grouped.content.decode()
    filtered = client.get(url, {"tool": "kommunechat"})
    assert filtered.context["total"] == 2
    assert client.get(url, {"tool": "kommunechat", "group": "agency"}).context["total"] == 2


EXPORT_QUERY_LIMIT = 14


def test_by_tool_the_register_export_and_overview_run_constant_queries(world, django_assert_max_num_queries):
    h.questionnaire()
    cat.make_tool(world)
    client = world.client("leader_b")
    for size in (30, 400):
        seed_bulk_assessments(size)
        # One more than the list: the summary by tool.
        with django_assert_max_num_queries(QUERY_LIMIT + 1):
            assert client.get(REGISTER, {"group": "tool"}).status_code == 200
        with django_assert_max_num_queries(QUERY_LIMIT):
            overview = client.get(reverse("assessments:register_overview"), {"group": "tool", "tool": "kommunechat"})
            assert overview.status_code == 200
        # The export's audit event, the filter's tools, the rows, and two for the plans' columns per chunk.
        with django_assert_max_num_queries(EXPORT_QUERY_LIMIT):
            exported = read_csv(client.get(reverse("assessments:register_csv"), {"group": "tool"}))
        assert len(exported) == queries.register().count()


def test_an_invalid_filter_lists_nothing_and_exports_nothing(client, settings, world, register_world):
    settings.KIV_PUBLIC_REGISTER = True
    params = {"q": "Copilot\x00"}
    signed_in = world.client("reviewer")
    for user, page, csv in ((signed_in, REGISTER, "register_csv"), (client, "public_register", "public_register_csv")):
        url = page if page.startswith("/") else reverse(f"assessments:{page}")
        response = user.get(url, params)
        body = response.content.decode()
        assert rows(response) == [], page
        assert "Søket ble ikke brukt: rett feltene over." in body
        assert reverse(f"assessments:{csv}") not in body
        for fmt in ("csv", "xlsx", "json"):
            refused = user.get(reverse(f"assessments:{csv[:-3]}{fmt}"), params)
            assert refused.status_code == 400, (page, fmt)
    assert rows(signed_in.get(REGISTER, {"q": "Copilot"})) == ["Copilot i Word"]
