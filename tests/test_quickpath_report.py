"""The short sealed report of a simplified assessment: made by the same pipeline (PDF/A + PAdES seal) after
UKE approves it, and it verifies like the others."""

import pytest
from django.core.files.storage import default_storage

from assessments import services
from assessments.models import Report
from assessments.reports import render as reports
from assessments.services import quickpath
from tests.catalogue_helpers import published_v3, screened
from tests.report_helpers import use_test_seal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def seal_file(settings, tmp_path_factory):
    return use_test_seal(settings, tmp_path_factory)


def test_an_approved_simplified_assessment_gets_a_short_sealed_report(world, django_capture_on_commit_callbacks):
    published_v3()
    assessment, _result = screened(world, "Skriveassistent")
    quickpath.screening_submit(assessment=assessment, user=world.users["leader_a"])
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    report = Report.objects.get(assessment=assessment)
    assert report.status == "ready", report.error

    html = reports.render_html(reports.build_context(report))
    assert "Forenklet vurdering" in html and "Lav risiko etter hurtigsjekk" in html
    assert "Svarene i hurtigsjekken" in html and "Risiko- og behovsmatrisen" not in html
    # It names the tool as the full report does (the same cover facts): its entry version and approval status.
    assert "Kommunechat, oppføring kommunechat@1 i verktøyoversikten: Godkjent" in html
    assert "Vær varsom" in html and "Vedtak i UKE" in html

    with default_storage.open(report.storage_name, "rb") as handle:
        outcome = reports.verify_document(handle.read())
    assert outcome["valid"] is True, outcome
