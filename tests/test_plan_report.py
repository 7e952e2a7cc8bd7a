"""The sealed status report of an action plan: made from the item history as of a date (PDF/A, PAdES, like
the decision report), verified on the same verification page, and the decision report lists UKE's
conditions."""

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader

from assessments.models import PlanItemHistory
from assessments.reports import render as reports
from assessments.reports import signing
from assessments.services import plan_report, plans
from tests.answers import complete
from tests.objects import make_assessment
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
    states = {s["item_id"]: s for s in plan_report.state_as_of(assessment, yesterday)}
    assert states[item.pk]["status"] == "not_started"
    now = {s["item_id"]: s for s in plan_report.state_as_of(assessment, timezone.localdate())}
    assert now[item.pk]["status"] == "done"
    assert plan_report.state_as_of(assessment, yesterday - dt.timedelta(days=1)) == []


def test_the_report_is_sealed_lists_evidence_checksums_and_verifies(assessment, world):
    leader = world.users["leader_a"]
    item = assessment.plan_items.first()
    evidence = plans.evidence_add(item=item, user=leader, upload=SimpleUploadedFile("dpia.pdf", b"%PDF-1.7\n%%EOF\n"))
    report = plan_report.make(assessment=assessment, user=world.users["auditor"], as_of=timezone.localdate())
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


def test_an_auditor_gets_it_through_the_page_and_the_verification_page_names_it(assessment, world):
    auditor = world.client("auditor")
    url = reverse("assessments:plan_status_report", args=[assessment.uuid])
    response = auditor.post(url, {"as_of": timezone.localdate().isoformat()})
    assert response.status_code == 302
    pdf = b"".join(auditor.get(response["Location"]).streaming_content)
    page = auditor.post(reverse("assessments:report_verify"), {"pdf": SimpleUploadedFile("s.pdf", pdf)})
    body = page.content.decode()
    assert page.status_code == 200 and "Seglet er gyldig, og filen er identisk" in body
    assert "statusrapport for tiltaksplanen" in body
    # another agency's leader learns only that it belongs elsewhere
    other = world.client("leader_b").post(
        reverse("assessments:report_verify"), {"pdf": SimpleUploadedFile("s.pdf", pdf)}
    )
    assert assessment.title not in other.content.decode()


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
