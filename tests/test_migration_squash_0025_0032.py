"""A database at 0024 with data, brought forward by 0025_squashed_0032 in one migration (one transaction on
PostgreSQL, where a row updated twice in it queues checks that would stop the next change of its table): the
versions get their title, review date and (on PostgreSQL) tool copies, the plan items their English texts (a
carried item: from its own results, then from the item it was copied from) and their measure's question, the
kept counts per tool are filled; unapplied and applied again, the data stays."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import drop_truncate_guards

BEFORE = [("assessments", "0019_squashed_0024_catalogue_flag_closing")]
AFTER = [("assessments", "0025_squashed_0032_user_and_agency_verbose_names")]
OBLIGATION = {"code": "dpia", "title_en": "Carry out a DPIA", "why_en": "It says «high risk».", "source_en": "GDPR"}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _assessment_at_0024(old):
    user = old.get_model("auth", "User").objects.create(username="leder", password="!")
    agency = old.get_model("assessments", "Agency").objects.create(name="Bydel Squash", kind="district", slug="bs")
    questionnaire = old.get_model("assessments", "Questionnaire").objects.create(
        version="2000.1", title="Q", definition={}
    )
    assessment = old.get_model("assessments", "Assessment").objects.create(
        agency=agency, questionnaire=questionnaire, created_by=user, title="Chatbot for innbyggere",
        status="approved", review_by=dt.date(2027, 6, 1),
    )  # fmt: skip
    old.get_model("assessments", "AssessmentVersion").objects.create(
        assessment=assessment, number=1, questionnaire=questionnaire, answers={"cat_ref": "chat-bot@3"},
        result={"obligations": [OBLIGATION], "what_if": {}}, verdict="ok", quadrant="low_risk_high_need",
        need_score=60, risk_score=20,
    )  # fmt: skip
    items = old.get_model("assessments", "PlanItem").objects
    source = items.create(assessment=assessment, key="obligation:dpia", kind="obligation", title="Gjennomfør en DPIA")
    items.create(assessment=assessment, key="measure:tr_disclose", kind="measure", title="Varsle", measure_value="yes")
    # A replacement whose stored result is older than the English texts: its carried item is updated twice.
    replacement = old.get_model("assessments", "Assessment").objects.create(
        agency=agency, questionnaire=questionnaire, created_by=user, title="Chatbot, ny vurdering"
    )
    old.get_model("assessments", "AssessmentVersion").objects.create(
        assessment=replacement, number=1, questionnaire=questionnaire, answers={},
        result={"obligations": [{"code": "dpia"}], "what_if": {}}, verdict="ok", quadrant="low_risk_high_need",
    )  # fmt: skip
    items.create(
        assessment=replacement,
        key="obligation:dpia",
        kind="obligation",
        title="Gjennomfør en DPIA",
        carried_from=source,
    )
    return assessment


@pytest.mark.django_db(transaction=True)
def test_a_database_at_0024_with_data_is_brought_forward_by_the_squash_and_back():
    assessment = _assessment_at_0024(_migrate(BEFORE))
    try:
        new = _migrate(AFTER)
        _assert_brought_forward(new, assessment)
        back = _migrate(BEFORE)
        assert back.get_model("assessments", "AssessmentVersion").objects.filter(assessment_id=assessment.pk).exists()
        assert back.get_model("assessments", "PlanItem").objects.count() == 3
        _assert_brought_forward(_migrate(AFTER), assessment)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        drop_truncate_guards(connection)  # the test database is emptied with TRUNCATE after the test


def _assert_brought_forward(new, assessment):
    version = new.get_model("assessments", "AssessmentVersion").objects.get(assessment_id=assessment.pk)
    copies = (version.assessment_status, version.assessment_title, version.assessment_review_by)
    assert copies == ("approved", "Chatbot for innbyggere", dt.date(2027, 6, 1))
    items = new.get_model("assessments", "PlanItem").objects
    obligation = items.get(kind="obligation", carried_from=None)
    assert (obligation.title_en, obligation.why_en) == ("Carry out a DPIA", "It says “high risk”.")
    assert obligation.measure_key == ""
    assert items.get(kind="measure").measure_key == "tr_disclose"
    if connection.vendor == "postgresql":
        assert version.tool == "chat-bot"
        cell = new.get_model("assessments", "OverviewToolCell").objects.get(status="approved")
        assert (cell.tool, cell.agency_id, cell.count) == ("chat-bot", assessment.agency_id, 1)
    carried = items.get(carried_from__isnull=False)
    assert (carried.title_en, carried.source_en) == ("Carry out a DPIA", "GDPR")
