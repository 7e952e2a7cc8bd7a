"""The audit log in the app: scoped per role, filtered, exported, with the chain's status and head hash."""

import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from assessments import labels
from assessments.audit import chain as audit
from assessments.models import AssessmentVersion, AuditEvent, AuditHead, Evidence
from tests import review_helpers as h
from tests.responses import read_csv, table_cells

LOG = reverse("assessments:audit_log")


def event_ids(response) -> list[int]:
    return [int(n) for n in table_cells(response, r"<tr>\s*<td>(\d+)</td>")]


@pytest.fixture
def events(world):
    """A story in agency A (create, submit, return) and one event in agency B."""
    assessment = h.submitted(world, "Chatbot for renovasjon")
    world.client("reviewer").post(
        reverse("assessments:review_return", args=[assessment.uuid]),
        {"return-reason": "Mangler svar.", "return-version": 1},
    )
    other = audit.record(world.users["leader_b"], "test.other_agency", None, world.agency_b, {"n": 1})
    return {"assessment": assessment, "other": other}


def test_reviewers_and_auditors_see_every_event(world, events):
    for role in ("reviewer", "auditor"):
        ids = event_ids(world.client(role).get(LOG, {"action": "test.other_agency"}))
        assert ids == [events["other"].pk], role
        assert AuditEvent.objects.filter(action="assessment.returned").first().pk in event_ids(
            world.client(role).get(LOG, {"action": "assessment.returned"})
        )


def test_a_leader_sees_only_the_own_agencys_events(world, events):
    shown_a = set(event_ids(world.client("leader_a").get(LOG, {"page": 1})))
    a_events = set(AuditEvent.objects.filter(agency_id=world.agency_a.pk).values_list("pk", flat=True))
    assert shown_a and shown_a <= a_events
    assert events["other"].pk not in shown_a
    b_events = set(AuditEvent.objects.filter(agency_id=world.agency_b.pk).values_list("pk", flat=True))
    assert events["other"].pk in b_events
    assert set(event_ids(world.client("leader_b").get(LOG))) == b_events
    exported = read_csv(world.client("leader_b").get(reverse("assessments:audit_log_export")))
    assert {int(r["id"]) for r in exported} == b_events


def test_contributors_cannot_read_the_log(world, events):
    assert world.client("contributor_a").get(LOG).status_code == 403


def test_it_filters_by_action_actor_agency_and_dates(world, events):
    client = world.client("auditor")
    returned = AuditEvent.objects.get(action="assessment.returned")
    assert event_ids(client.get(LOG, {"action": "assessment.returned"})) == [returned.pk]
    by_reviewer = event_ids(client.get(LOG, {"actor": "reviewer", "agency": world.agency_a.pk}))
    assert returned.pk in by_reviewer
    assert all(AuditEvent.objects.get(pk=i).actor_id == world.users["reviewer"].pk for i in by_reviewer)
    assert events["other"].pk in event_ids(client.get(LOG, {"agency": world.agency_b.pk}))
    assert returned.pk not in event_ids(client.get(LOG, {"agency": world.agency_b.pk}))
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert event_ids(client.get(LOG, {"date_to": yesterday})) == []
    assert returned.pk in event_ids(
        client.get(LOG, {"date_from": timezone.localdate().isoformat(), "action": "assessment.returned"})
    )


def test_it_shows_names_on_screen_but_the_chain_holds_ids(world, events):
    body = world.client("auditor").get(LOG, {"action": "assessment.returned"}).content.decode()
    assert world.users["reviewer"].get_full_name() in body
    returned = AuditEvent.objects.get(action="assessment.returned")
    assert returned.actor_id == world.users["reviewer"].pk
    assert world.users["reviewer"].username not in json.dumps(returned.details)


def test_it_names_the_people_an_event_is_about(world, events):
    """An account the event is about and a detail's user id are shown by name, read in the page's own query:
    a page with such an event (and none about an assessment, none with an actor) costs as many queries as a
    page with the others."""
    auditor, member = world.client("auditor"), world.users["leader_a"]
    audit.record(None, "test.about_a_person", member, world.agency_b, {"user_id": member.pk, "n": 2})
    body = auditor.get(LOG, {"agency": world.agency_b.pk}).content.decode()
    assert f"Brukeren {member.get_full_name()}" in body and f"Person: {member.get_full_name()}" in body
    assert "<td>Systemet</td>" in body
    with CaptureQueriesContext(connection) as with_person:
        auditor.get(LOG, {"action": "test.about_a_person"})
    with CaptureQueriesContext(connection) as without:
        auditor.get(LOG, {"action": "assessment.returned"})  # an assessment and its actor, no one named
    assert len(with_person.captured_queries) == len(without.captured_queries)


def test_it_shows_the_chain_status_and_head_hash(world, events):
    body = world.client("auditor").get(LOG).content.decode()
    head = AuditHead.objects.get(pk=1)
    assert "Kjeden er kontrollert og hel." in body
    assert head.last_hash in body


def test_a_tampered_chain_is_reported(world, events):
    victim = AuditEvent.objects.filter(action="assessment.submitted").get()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE assessments_auditevent DISABLE TRIGGER kiv_audit_append_only")
        cursor.execute(
            "UPDATE assessments_auditevent SET details=%s WHERE id=%s",
            [json.dumps({"version": 99}), victim.pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE assessments_auditevent ENABLE TRIGGER kiv_audit_append_only")
    body = world.client("auditor").get(LOG).content.decode()
    assert "Kjeden er brutt!" in body
    assert f"#{victim.pk}" in body


def test_the_csv_export_is_complete_and_recorded(world, events):
    client = world.client("reviewer")
    exported = read_csv(client.get(reverse("assessments:audit_log_export"), {"agency": world.agency_a.pk}))
    expected = list(AuditEvent.objects.filter(agency_id=world.agency_a.pk).order_by("id"))
    assert [int(r["id"]) for r in exported] == [e.pk for e in expected]
    first = exported[0]
    assert first["hash"] == expected[0].hash and first["prev_hash"] == expected[0].prev_hash
    assert json.loads(first["details"]) == expected[0].details
    assert AuditEvent.objects.filter(action="audit_log.exported", actor_id=world.users["reviewer"].pk).exists()


def test_the_full_story_of_a_review_is_in_the_log(world, events):
    assessment = events["assessment"]
    actions = set(AuditEvent.objects.filter(object_id=str(assessment.uuid)).values_list("action", flat=True))
    assert {"assessment.created", "assessment.submitted", "assessment.returned"} <= actions


def test_the_whole_round_can_be_read_in_the_log(world, settings, tmp_path_factory, django_capture_on_commit_callbacks):
    """Submit, return with comments, resubmit, approve, report, download, verify: every step is an event
    the auditor can read, and the chain verifies afterwards."""

    from assessments.models import Report
    from tests.report_helpers import use_test_seal

    use_test_seal(settings, tmp_path_factory)
    reviewer, auditor = world.client("reviewer"), world.client("auditor")
    assessment = h.submitted(world, "Chatbot for renovasjon")
    review = reverse("assessments:review_detail", args=[assessment.uuid])
    reviewer.post(
        reverse("assessments:review_comment", args=[assessment.uuid]),
        {"question_key": "benefit", "text": "Hvordan måles gevinsten?", "version": 1},
    )
    reviewer.post(
        reverse("assessments:review_return", args=[assessment.uuid]),
        {"return-reason": "Se kommentaren.", "return-version": 1},
    )
    assert "Hvordan måles gevinsten?" in world.client("leader_a").get(review).content.decode()
    h.resubmit(world, assessment, benefit=4 if assessment.latest_version().answers.get("benefit") != 4 else 0)
    assert "Endret siden versjon 1" in reviewer.get(review).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            reviewer.post(
                reverse("assessments:review_approve", args=[assessment.uuid]), {"approve-version": 2, "confirmed": 1}
            ).status_code
            == 302
        )
    report = Report.objects.get(assessment=assessment, kind=Report.Kind.SIGNED)
    assert report.status == Report.Status.READY, report.error
    found = auditor.get(reverse("assessments:auditor_search"), {"q": "renovasjon"}).content.decode()
    download = reverse("assessments:report_download", args=[assessment.uuid, report.uuid])
    assert download in found
    data = b"".join(auditor.get(download).streaming_content)
    verified = auditor.post(reverse("assessments:report_verify"), {"pdf": io.BytesIO(data)})
    assert "identisk med en lagret rapport" in verified.content.decode()

    log = auditor.get(LOG, {"agency": world.agency_a.pk}).content.decode()
    for label in (
        "Vurdering opprettet",
        "Sendt inn",
        "Kommentar fra UKE",
        "Returnert for endring",
        "Godkjent",
        "Rapport lastet ned",
        "Rapport kontrollert",
    ):
        assert f"<td>{label}</td>" in log, label
    # Details in words: the commented question by its label, the decision's verdict by its label.
    assert "Gjelder spørsmålet «" in log
    assert f'<a href="{review}">Vurdering «Chatbot for renovasjon»</a>' in log  # the subject, by its title
    assert "Konklusjon: " in log
    visible = re.sub(r"<[^>]+>", " ", log)
    assert "benefit" not in visible and "assessment.approved" not in visible, visible
    assert "Kjeden er kontrollert og hel." in log


def test_the_event_filter_names_events_in_words(world, events):
    """The filter offers the same words as the table (the code is only the value); an unknown code is
    offered as is."""
    body = world.client("reviewer").get(LOG).content.decode()
    select = body[body.index('name="action"') : body.index("</select>", body.index('name="action"'))]
    assert '<option value="assessment.returned">Returnert for endring</option>' in select
    assert '<option value="test.other_agency">test.other_agency</option>' in select


def test_an_assessment_event_whose_id_is_no_uuid_is_shown_without_a_title(world):
    """An event restored or entered by hand may name an assessment by something that is not a UUID: the
    page shows it (PostgreSQL would refuse to cast the id, and the whole page with it)."""
    audit.record(world.users["reviewer"], "test.odd_reference", obj=("assessment", "not-a-uuid"))
    response = world.client("reviewer").get(LOG, {"action": "test.odd_reference"})
    assert response.status_code == 200
    assert len(event_ids(response)) == 1


# Every event type the code records, written out as a literal "area.action" (in a call of audit.record or a table
# of actions), the decisions ("assessment." + a decision), and the plan's history changes ("plan." + the code
# passed to services.plans._changed, or the held-back verdicts of the virus scan). labels.py itself is not read.
AREAS = "assessment|plan|report|auth|audit_log|auditor|register|role|user|archive|retention|questionnaire|" + (
    "notification|demo|admin|catalogue|public_access|review|officer"
)
ACTION_LITERAL = re.compile(rf'"((?:{AREAS})\.[a-z_]+)"')
PLAN_CHANGE = re.compile(r'_changed\(\w+, \w+, "(\w+)"|^\s+change = (.*)$', re.MULTILINE)


def recorded_event_types() -> set[str]:
    code = [p for p in Path("assessments").rglob("*.py") if "migrations" not in p.parts and p.name != "labels.py"]
    actions = set(ACTION_LITERAL.findall("".join(p.read_text() for p in code)))
    for literal, expression in PLAN_CHANGE.findall(Path("assessments/services/plans.py").read_text()):
        actions |= {f"plan.{change}" for change in [literal] + re.findall(r'"(\w+)"', expression) if change}
    actions |= {f"assessment.{decision}" for decision in AssessmentVersion.Decision.values}
    return actions | {f"plan.evidence_{status}" for status in Evidence.HELD_BACK}


def test_every_recorded_event_type_has_a_label_in_both_languages():
    actions = recorded_event_types()
    assert {"plan.item_created", "plan.status_changed", "plan.commented", "review.commented"} <= actions
    assert sorted(a for a in actions if a not in labels.EVENTS) == []
    with translation.override("nb"):
        bokmal = {a: str(labels.EVENTS[a]) for a in actions}
    with translation.override("en"):
        assert sorted(a for a in actions if str(labels.EVENTS[a]) == bokmal[a]) == []


def test_details_stored_as_a_flag_or_a_count_are_shown(world, events):
    """`changed` is a list of questions for a saved step, a flag for an exemption marked again and a count
    for an import of the tool overview; the page words each, and a detail of a shape it does not know (from
    an older version: the log is never rewritten) is left to the CSV, not a failed page."""
    a = world.agency_a
    audit.record(world.users["reviewer"], "public_access.exempted", None, a, {"target": "answer:x", "changed": True})
    audit.record(world.users["reviewer"], "catalogue.imported", None, a, {"created": 1, "changed": 2})
    audit.record(world.users["reviewer"], "review.material_change", None, a, {"kinds": 5, "changed": {"x": 1}})
    response = world.client("auditor").get(LOG)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Erstattet et unntak som var merket fra før" in body
    assert "Verktøy med ny versjon: 2" in body
    assert "Flere opplysninger står i CSV-eksporten." in body
    english = world.client("auditor").get(LOG, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Tools with a new version: 2" in english


def test_a_corrected_go_live_day_shows_both_days_and_the_reason(world, events):
    details = {"since": "2026-11-02", "previous_since": "2026-11-20", "reason": "Tastet <b>feil</b> dag"}
    audit.record(world.users["leader_a"], "plan.in_use_corrected", None, world.agency_a, details)
    body = world.client("auditor").get(LOG, {"action": "plan.in_use_corrected"}).content.decode()
    assert "Tatt i bruk fra 2. november 2026" in body and "Rettet fra 20. november 2026" in body
    assert "Begrunnelse: Tastet &lt;b&gt;feil&lt;/b&gt; dag" in body and "CSV-eksporten" not in body


def test_a_plan_items_id_and_key_are_internal_and_not_shown(world, events):
    details = {"item": 7, "key": "obligation:dpia", "previous_key": "measure:pd_dpia", "version": 2}
    audit.record(world.users["leader_a"], "plan.item_texts_updated", None, world.agency_a, details)
    body = world.client("auditor").get(LOG, {"action": "plan.item_texts_updated"}).content.decode()
    assert "Versjon 2" in body and "obligation:dpia" not in body and "CSV-eksporten" not in body


def test_the_tool_overviews_events_name_the_tools_and_the_counts(world, events):
    reviewer = world.users["reviewer"]
    audit.record(reviewer, "catalogue.created", None, None, {"ref": "kommunechat@1", "status": "approved"})
    changed = {"ref": "kommunechat@2", "from": "kommunechat@1", "note": "Ny <b>avtale</b>"}
    audit.record(reviewer, "catalogue.changed", None, None, changed)
    source = {"name": "oversikt.csv", "sha256": "ab" * 32, "rows_refused": 1}
    audit.record(reviewer, "catalogue.imported", None, None, {**source, "created": 2, "changed": 1, "refs": ["a@1"]})
    body = world.client("auditor").get(LOG).content.decode()
    for text in ("Verktøy: kommunechat@1", "Status: Godkjent", "Navn: oversikt.csv", "Nye verktøy: 2",
                 "Verktøy med ny versjon: 1", "Rader som ikke kunne leses: 1", "Verktøy: a@1",
                 "Forrige versjon: kommunechat@1", "Merknad: Ny &lt;b&gt;avtale&lt;/b&gt;"):  # fmt: skip
        assert text in body, text


def test_an_actor_no_one_has_and_a_huge_page_show_an_empty_log(world, events):
    for role in ("auditor", "leader_a"):
        client = world.client(role)
        response = client.get(LOG, {"actor": "ingen-slik-person"})
        assert response.status_code == 200 and event_ids(response) == []
        assert client.get(LOG, {"page": "99999999999999999999"}).status_code == 200


def test_an_invalid_filter_lists_no_events_and_exports_none(world, events):
    client = world.client("auditor")
    params = {"date_from": timezone.localdate().isoformat(), "date_to": "2000-01-01"}
    response = client.get(LOG, params)
    body = response.content.decode()
    assert event_ids(response) == []
    assert "Søket ble ikke brukt: rett feltene over." in body
    assert reverse("assessments:audit_log_export") not in body
    for name in ("audit_log_export", "audit_log_export_xlsx", "audit_log_export_json"):
        assert client.get(reverse(f"assessments:{name}"), params).status_code == 400, name
    assert not AuditEvent.objects.filter(action="audit_log.exported").exists()


def test_the_excel_log_shows_the_same_exact_time_as_the_csv(world, events):
    """A date Excel can sort and filter, in UTC to the second and saying so, as the CSV's ISO time."""
    client = world.client("auditor")
    csv_rows = read_csv(client.get(reverse("assessments:audit_log_export")))
    body = b"".join(client.get(reverse("assessments:audit_log_export_xlsx")).streaming_content)
    sheet = load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(min_row=2, max_row=len(csv_rows) + 1))  # the Excel file also lists the CSV export
    in_csv = [datetime.fromisoformat(row["created_at"]) for row in csv_rows]
    in_excel = [row[1].value.replace(tzinfo=UTC) for row in rows]
    assert len(in_excel) == len(in_csv) and all(row["created_at"].endswith("+00:00") for row in csv_rows)
    assert all(abs((a - b).total_seconds()) < 0.01 for a, b in zip(in_excel, in_csv, strict=True))
    assert all(row[1].number_format == 'yyyy-mm-dd hh:mm:ss "UTC"' for row in rows)


def test_the_export_adds_who_what_and_where_in_words_after_the_chained_fields(world, events):
    client = world.client("auditor")
    rows = {int(row["id"]): row for row in read_csv(client.get(reverse("assessments:audit_log_export")))}
    returned = AuditEvent.objects.get(action="assessment.returned")
    row = rows[returned.pk]
    reviewer = world.users["reviewer"]
    assert row["action"] == "assessment.returned" and row["Hendelse"] == labels.EVENTS["assessment.returned"]
    assert row["Utført av"] == (reviewer.get_full_name() or reviewer.username)
    assert row["Virksomhet"] == world.agency_a.name and row["Hendelse"] != row["action"]
    body = b"".join(client.get(reverse("assessments:audit_log_export_json")).streaming_content)
    listed = json.loads(body)["events"]
    other = next(e for e in listed if e["id"] == events["other"].pk)
    assert other["agency_name"] == world.agency_b.name and other["details"] == {"n": 1}


def test_the_export_reads_only_the_names_it_shows(world, events):
    """The export names the actor and the agency; the person an event names (shown on the page) is not read,
    which would be one more lookup per exported row."""
    client = world.client("auditor")
    with CaptureQueriesContext(connection) as queries:
        b"".join(client.get(reverse("assessments:audit_log_export_json")).streaming_content)
    event_queries = [
        q["sql"] for q in queries if 'FROM "assessments_auditevent"' in q["sql"] and "ORDER BY" in q["sql"]
    ]
    assert event_queries and all(sql.count('FROM "auth_user"') == 1 for sql in event_queries)
