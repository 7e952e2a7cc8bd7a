"""The sealed status report of an action plan: asked for in the request (a pending Report of kind "plan"),
made by the report worker from the item history as of a date (PDF/A, PAdES, like the decision report),
polled on the plan page, verified on the same verification page; and the decision report lists UKE's
conditions."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from pyhanko.pdf_utils.reader import PdfFileReader

from assessments.models import PlanItemHistory, Report
from assessments.reports import plan_status, signing
from assessments.reports import render as reports
from assessments.services import plan_report, plans
from tests.answers import complete
from tests.assessment_helpers import make_assessment
from tests.report_helpers import flip_one_byte_in_signed_content, use_test_seal


@pytest.fixture(autouse=True)
def seal_file(settings, tmp_path_factory):
    return use_test_seal(settings, tmp_path_factory)


@pytest.fixture
def assessment(world):
    return make_assessment(world, "Statusrapport i bydel A", answers=complete(), submit=True)


def test_state_as_of_reads_the_history_not_the_current_row(assessment, world):
    item = assessment.plan_items.first()
    plans.item_update(item=item, user=world.users["leader_a"], status="done")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # The item was made yesterday and finished today: as of yesterday it was not started.
    PlanItemHistory.objects.filter(item=item, change="item_created").update(at=timezone.now() - dt.timedelta(days=1))
    PlanItemHistory.objects.filter(item__assessment=assessment).exclude(item=item).update(
        at=timezone.now() - dt.timedelta(days=1)
    )
    states = {s["item_id"]: s for s in plan_status.state_as_of(assessment, yesterday)}
    assert states[item.pk]["status"] == "not_started"
    now = {s["item_id"]: s for s in plan_status.state_as_of(assessment, timezone.localdate())}
    assert now[item.pk]["status"] == "done"
    assert plan_status.state_as_of(assessment, yesterday - dt.timedelta(days=1)) == []


def test_an_english_status_report_names_the_items_in_english_and_older_history_in_bokmal(assessment):
    reps = assessment.plan_items.get(key="obligation:inform_employee_reps")
    older = assessment.plan_items.exclude(pk=reps.pk).first()
    for row in PlanItemHistory.objects.filter(item=older):  # a state written before the items had English
        row.state = {k: v for k, v in row.state.items() if not k.endswith("_en")}
        row.save(update_fields=["state"])
    items = plan_status.state_as_of(assessment, timezone.localdate())
    with translation.override("en"):
        html = render_to_string("plans/status_report.html", {"assessment": assessment, "items": items})
    assert reps.title_en in html and reps.title not in html
    assert older.title in html


def made(assessment, user, capture, as_of=None) -> Report:
    """Ask for the report and run the worker's task after the commit, as the embedded default does."""
    with capture(execute=True):
        report = plan_report.request_status_report(
            assessment=assessment, user=user, as_of=as_of or timezone.localdate()
        )
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.error
    return report


def test_the_report_is_sealed_lists_evidence_checksums_and_verifies(
    assessment, world, django_capture_on_commit_callbacks
):
    leader = world.users["leader_a"]
    item = assessment.plan_items.first()
    evidence = plans.evidence_add(item=item, user=leader, upload=SimpleUploadedFile("dpia.pdf", b"%PDF-1.7\n%%EOF\n"))
    report = made(assessment, world.users["auditor"], django_capture_on_commit_callbacks)
    data = default_storage.open(report.storage_name, "rb").read()
    outcome = reports.verify_document(data)
    assert outcome["valid"] and outcome["matches"] and outcome["plan_report"] == report
    assert outcome["assessment"] == str(assessment.uuid)
    meta = signing._embedded_answers(PdfFileReader(io.BytesIO(data), strict=False))
    assert meta["meta"]["kind"] == "plan_status"
    names = [e["sha256"] for s in meta["plan"] for e in s["evidence"]]
    assert evidence.sha256 in names
    tampered = reports.verify_document(flip_one_byte_in_signed_content(data))
    assert not tampered["valid"]


def test_an_auditor_gets_it_through_the_page_and_the_verification_page_names_it(
    assessment, world, django_capture_on_commit_callbacks
):
    auditor = world.client("auditor")
    url = reverse("assessments:plan_status_report", args=[assessment.uuid])
    plan_url = reverse("assessments:plan_detail", args=[assessment.uuid])
    with django_capture_on_commit_callbacks() as queued:
        response = auditor.post(url, {"as_of": timezone.localdate().isoformat()})
    # the request only records the report and queues the worker: the page says it is being made, and polls
    assert response.status_code == 302 and response["Location"] == plan_url + "#status-reports"
    report = Report.objects.get(assessment=assessment, kind=Report.Kind.PLAN)
    assert report.status == Report.Status.PENDING and len(queued) == 1
    page = auditor.get(plan_url).content.decode()
    assert "lages …" in page and 'hx-trigger="every 2s"' in page and "?panel=plan" in page
    download = reverse("assessments:plan_status_report_download", args=[assessment.uuid, report.uuid])
    assert download not in page and auditor.get(download).status_code == 404
    queued[0]()  # the worker's run, as the embedded default makes it after the response
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.error
    poll = auditor.get(
        reverse("assessments:report_status", args=[assessment.uuid]) + "?panel=plan", headers={"HX-Request": "true"}
    ).content.decode()
    assert download in poll and "hx-trigger" not in poll  # ready: the link, and the polling stops
    fetched = auditor.get(download, HTTP_ACCEPT_LANGUAGE="en")  # named in the report's language, not the reader's
    assert 'filename="tiltaksplan-' in fetched["Content-Disposition"]
    pdf = b"".join(fetched.streaming_content)
    page = auditor.post(reverse("assessments:report_verify"), {"pdf": SimpleUploadedFile("s.pdf", pdf)})
    body = page.content.decode()
    assert page.status_code == 200 and "Seglet er gyldig, og filen er identisk" in body
    assert "statusrapport for tiltaksplanen" in body
    # another agency's leader learns only that it belongs elsewhere
    other = world.client("leader_b").post(
        reverse("assessments:report_verify"), {"pdf": SimpleUploadedFile("s.pdf", pdf)}
    )
    assert assessment.title not in other.content.decode()


def test_a_date_before_the_plan_began_or_in_the_future_is_refused(assessment, world):
    leader, today = world.users["leader_a"], timezone.localdate()
    began = today - dt.timedelta(days=5)  # e.g. items carried over with their history from an earlier assessment
    PlanItemHistory.objects.filter(item__assessment=assessment).update(at=timezone.now() - dt.timedelta(days=5))
    assert plan_report.plan_began(assessment) == began
    for as_of, field_message in [
        (dt.date(2001, 1, 1), "Tiltaksplanen fantes ikke før"),
        (began - dt.timedelta(days=1), "Tiltaksplanen fantes ikke før"),
        (today + dt.timedelta(days=1), "fram i tid"),
    ]:
        with pytest.raises(ValidationError) as refused:
            plan_report.request_status_report(assessment=assessment, user=leader, as_of=as_of)
        assert field_message in refused.value.message_dict["as_of"][0]
    assert not Report.objects.filter(kind=Report.Kind.PLAN).exists()
    assert plan_report.request_status_report(assessment=assessment, user=leader, as_of=began).as_of == began


def test_the_page_refuses_a_date_before_the_plan_at_the_field_with_the_date_kept(assessment, world):
    response = world.client("leader_a").post(
        reverse("assessments:plan_status_report", args=[assessment.uuid]), {"as_of": "2001-01-01"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Tiltaksplanen fantes ikke før" in page and 'value="2001-01-01"' in page
    assert not Report.objects.filter(kind=Report.Kind.PLAN).exists()


def test_a_failing_render_is_retried_and_then_shown_as_failed(
    assessment, world, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.KIV_REPORT_MAX_ATTEMPTS = 2

    def broken(report):
        raise RuntimeError("WeasyPrint is away")

    monkeypatch.setattr(plan_status, "build_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        report = plan_report.request_status_report(
            assessment=assessment, user=world.users["leader_a"], as_of=timezone.localdate()
        )
    report.refresh_from_db()
    assert report.status == Report.Status.PENDING and report.attempts == 1  # back on the queue for the sweep
    from assessments import tasks

    assert tasks.render_report.apply(args=[report.pk]).get() == "failed"
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and "WeasyPrint is away" in report.error
    page = world.client("leader_a").get(reverse("assessments:plan_detail", args=[assessment.uuid])).content.decode()
    assert "kunne ikke lages" in page and 'hx-trigger="every 2s"' not in page


def test_a_double_click_gives_one_report(assessment, world, django_capture_on_commit_callbacks):
    user, today = world.users["leader_a"], timezone.localdate()
    with django_capture_on_commit_callbacks():
        first = plan_report.request_status_report(assessment=assessment, user=user, as_of=today)
        second = plan_report.request_status_report(assessment=assessment, user=user, as_of=today)
    assert first.pk == second.pk


def test_the_decision_report_lists_the_conditions(assessment, world, django_capture_on_commit_callbacks):
    from assessments import services
    from assessments.models import Report

    item = assessment.plan_items.first()
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_approve(
            assessment=assessment, user=world.users["reviewer"], conditions={"before_use": [item.pk]}
        )
    report = Report.objects.get(assessment=assessment, kind="signed")
    context = reports.build_context(report)
    assert [c.pk for c in context["conditions"]] == [item.pk]
    html = reports.render_html(context)
    assert "Vilkår i tiltaksplanen" in html and item.title in html


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("leader_a", True), ("contributor_a", True), ("reviewer", True), ("auditor", True), ("leader_b", False),
     ("dpo", False), ("security_officer", False)],
)  # fmt: skip
def test_who_may_make_the_status_report(assessment, world, role, allowed):
    from assessments.permissions import can_make_status_report

    assert can_make_status_report(world.users[role], assessment) is allowed


def test_an_officer_who_may_read_still_may_not_make_it_but_an_administrator_may(assessment, world, monkeypatch):
    """The rule names roles: reading (as an officer might, to advise) is not enough; administrators are
    named, and like everyone need to see the assessment."""
    from django.contrib.auth import get_user_model

    from assessments import permissions

    admin = get_user_model().objects.create_superuser("admin-plan", "admin@example.org", "x")
    assert not permissions.can_make_status_report(admin, assessment)  # sees no assessment by that alone
    monkeypatch.setattr(permissions, "can_view", lambda user, a: True)
    assert permissions.can_make_status_report(admin, assessment)
    for officer in ("dpo", "security_officer"):
        assert not permissions.can_make_status_report(world.users[officer], assessment)
    response = world.client("dpo").post(
        reverse("assessments:plan_status_report", args=[assessment.uuid]), {"as_of": timezone.localdate().isoformat()}
    )
    assert response.status_code == 403 and not Report.objects.filter(kind=Report.Kind.PLAN).exists()
