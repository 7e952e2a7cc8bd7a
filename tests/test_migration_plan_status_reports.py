"""A database at 0018 with data, brought forward by 0019_squashed_0024: stored plan status reports become
`Report` rows of kind "plan" (the same uuid, which the audit events name, checksum, file and date, ready) and
back again; the versions there already are get their copies of the assessment's status and agency."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import drop_truncate_guards

BEFORE = [("assessments", "0001_squashed_0018_assessment_path")]
AFTER = [("assessments", "0019_squashed_0024_catalogue_flag_closing")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_stored_status_reports_become_ready_plan_reports_and_back_and_versions_get_their_copies():
    old = _migrate(BEFORE)
    user = old.get_model("auth", "User").objects.create(username="revisor", password="!")
    agency = old.get_model("assessments", "Agency").objects.create(name="Bydel Migrering", kind="district", slug="bm")
    questionnaire = old.get_model("assessments", "Questionnaire").objects.create(
        version="2000.1", title="Q", definition={}
    )
    assessment = old.get_model("assessments", "Assessment").objects.create(
        agency=agency, questionnaire=questionnaire, created_by=user, title="Plan"
    )
    old.get_model("assessments", "AssessmentVersion").objects.create(
        assessment=assessment, number=1, questionnaire=questionnaire, answers={}, result={}, verdict="ok",
        quadrant="low",
    )  # fmt: skip
    stored = old.get_model("assessments", "PlanStatusReport").objects.create(
        assessment=assessment, as_of=dt.date(2026, 3, 1), sha256="a" * 64, size=1234,
        storage_name="plan-reports/bm/x.pdf", signer="KI-veileder", requested_by=user,
    )  # fmt: skip
    try:
        new = _migrate(AFTER)
        report = new.get_model("assessments", "Report").objects.get()
        assert (report.uuid, report.kind, report.status, report.as_of) == (stored.uuid, "plan", "ready", stored.as_of)
        assert (report.sha256, report.size, report.storage_name) == ("a" * 64, 1234, "plan-reports/bm/x.pdf")
        assert report.version_id is None and report.requested_by_id == user.pk
        assert report.created_at == stored.created_at == report.finished_at
        version = new.get_model("assessments", "AssessmentVersion").objects.get()
        assert (version.assessment_status, version.assessment_agency_id) == ("draft", agency.pk)

        back = _migrate(BEFORE)
        again = back.get_model("assessments", "PlanStatusReport").objects.get()
        assert (again.uuid, again.sha256, again.as_of) == (stored.uuid, "a" * 64, stored.as_of)
        assert not back.get_model("assessments", "Report").objects.exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        drop_truncate_guards(connection)  # the test database is emptied with TRUNCATE after the test
