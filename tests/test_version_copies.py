"""The versions' copies of their assessment's status, agency and title (models.AssessmentVersion), kept by
the triggers of migrations 0019_squashed_0024 and 0025_squashed_0032 on both backends and filled there for
existing rows: after every kind of change they equal the assessment's own values, and the lists filtered by
them find what moved."""

import datetime as dt
import importlib

from django.apps import apps
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.urls import reverse

from assessments import services
from assessments.models import Assessment, AssessmentVersion
from assessments.queries.search import SEARCH_CONFIG
from tests import review_helpers as h

migration = importlib.import_module("assessments.migrations.0019_squashed_0024_catalogue_flag_closing")
squash = importlib.import_module("assessments.migrations.0025_squashed_0032_user_and_agency_verbose_names")


def stale() -> list:
    """Versions whose copies differ from their assessment's values, or on PostgreSQL whose tool differs from
    the one its answers name (none, when the triggers work)."""
    return [
        (v.pk, copies, own)
        for v in AssessmentVersion.objects.select_related("assessment")
        if (copies := (v.assessment_status, v.assessment_agency_id, v.assessment_title, v.assessment_review_by, v.tool))
        != (own := (v.assessment.status, v.assessment.agency_id, v.assessment.title, v.assessment.review_by, tool(v)))
    ]


def tool(version: AssessmentVersion) -> str | None:
    """The slug the counts kept per tool give the version (up to the last "@"); SQLite keeps none."""
    if connection.vendor != "postgresql":
        return None
    ref = version.answers.get("cat_ref")
    return ref.rpartition("@")[0] if isinstance(ref, str) else ""


def vectors_match(words: str) -> bool:
    """Whether a version's stored search vector (PostgreSQL) matches `words`."""
    return AssessmentVersion.objects.filter(title_search=SearchQuery(words, config=SEARCH_CONFIG)).exists()


def test_every_review_step_keeps_the_copies(world):
    returned = h.submitted(world, "Returneres")
    assert AssessmentVersion.objects.get(assessment=returned).assessment_status == Assessment.Status.SUBMITTED
    services.assessment_return(assessment=returned, user=world.users["reviewer"], reason="Mangler svar.")
    assert not stale()
    h.resubmit(world, Assessment.objects.get(pk=returned.pk))  # a second version
    assert AssessmentVersion.objects.filter(assessment=returned).count() == 2
    assert not stale()
    approved = h.approved(world, "Godkjennes")
    rejected = h.submitted(world, "Avvises", **h.STOP)
    services.assessment_reject(assessment=rejected, user=world.users["reviewer"], reason="Forbudt.")
    services.assessment_withdraw(assessment=Assessment.objects.get(pk=returned.pk), user=world.users["leader_a"])
    assert not stale()
    statuses = set(AssessmentVersion.objects.values_list("assessment_status", flat=True))
    assert statuses == {Assessment.Status.APPROVED, Assessment.Status.REJECTED, Assessment.Status.WITHDRAWN}
    assert AssessmentVersion.objects.get(assessment=approved).assessment_review_by == approved.review_by is not None
    # A change outside the services (a data fix) is copied too.
    Assessment.objects.filter(pk=approved.pk).update(review_by=dt.date(2020, 1, 1))
    assert not stale()
    Assessment.objects.filter(pk=approved.pk).update(agency=world.agency_b, status=Assessment.Status.SUPERSEDED)
    assert not stale()
    assert AssessmentVersion.objects.get(assessment=approved).assessment_agency_id == world.agency_b.pk


def test_the_copies_cannot_be_written_past_the_assessment(world):
    submitted = h.submitted(world, "Innsendt")
    AssessmentVersion.objects.filter(assessment=submitted).update(
        assessment_status=Assessment.Status.APPROVED, assessment_agency_id=world.agency_b.pk
    )
    AssessmentVersion.objects.filter(assessment=submitted).update(assessment_title="Noe annet")
    AssessmentVersion.objects.filter(assessment=submitted).update(assessment_review_by=dt.date(2020, 1, 1))
    if connection.vendor == "postgresql":  # the tool is set from the answers (SQLite keeps none)
        AssessmentVersion.objects.filter(assessment=submitted).update(tool="x")
    assert not stale()


def test_the_title_copy_follows_a_new_title(world):
    approved = h.approved(world, "Chatbot for renovasjon")
    returned = h.submitted(world, "Kodeassistent")
    services.assessment_return(assessment=returned, user=world.users["reviewer"], reason="Mangler svar.")
    h.resubmit(world, Assessment.objects.get(pk=returned.pk))  # two versions of one assessment
    Assessment.objects.filter(pk=approved.pk).update(title="Oversettelse av brev")
    Assessment.objects.filter(title="Kodeassistent").update(title="Kodeassistenter for utviklere")
    assert not stale()
    titles = set(AssessmentVersion.objects.values_list("assessment_title", flat=True))
    assert titles == {"Oversettelse av brev", "Kodeassistenter for utviklere"}
    if connection.vendor == "postgresql":  # the stored search vector follows the title
        assert vectors_match("brevene") and not vectors_match("renovasjon")


def test_the_register_search_follows_a_new_title(world):
    approved = h.approved(world, "Chatbot for renovasjon")
    client = world.client("leader_b")
    register = reverse("assessments:register")
    Assessment.objects.filter(pk=approved.pk).update(title="Oversettelse av brev")
    assert "Oversettelse av brev" in client.get(register, {"q": "brev"}).content.decode()
    assert "Oversettelse av brev" not in client.get(register, {"q": "renovasjon"}).content.decode()


def test_the_queue_by_agency_follows_an_assessment_that_moved(world):
    moved = h.submitted(world, "Flyttet vurdering")
    client = world.client("reviewer")
    queue = reverse("assessments:review_queue")
    assert "Flyttet vurdering" in client.get(queue, {"status": "", "agency": moved.agency_id}).content.decode()
    Assessment.objects.filter(pk=moved.pk).update(agency=world.agency_b)
    assert "Flyttet vurdering" not in client.get(queue, {"status": "", "agency": moved.agency_id}).content.decode()
    assert "Flyttet vurdering" in client.get(queue, {"status": "", "agency": world.agency_b.pk}).content.decode()


class _Editor:
    """What the migration's function uses of a schema editor."""

    connection = connection

    def execute(self, sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def fill_as_before(old_triggers, triggers, fill, **empty) -> None:
    """Run a migration's fill on the two versions made by the caller, with their copies `empty` as they were
    before the migration (set under the `old_triggers`, then the migration's `triggers`): afterwards no copy
    differs from its assessment."""
    old_triggers(apps, _Editor())
    AssessmentVersion.objects.update(**empty)
    triggers(apps, _Editor())
    assert len(stale()) == 2

    fill(apps, _Editor())

    assert not stale()


def test_the_data_migration_fills_the_copies_of_existing_versions(world):
    h.submitted(world, "Før kopiene")
    services.assessment_return(
        assessment=h.submitted(world, "Returnert før kopiene"), user=world.users["reviewer"], reason="Mangler."
    )
    fill_as_before(
        migration.drop_version_listed_triggers,
        migration.version_listed_triggers,
        migration.fill_version_listed_copies,
        assessment_status=None,
        assessment_agency_id=None,
    )
    assert set(AssessmentVersion.objects.values_list("assessment_status", flat=True)) == {"submitted", "returned"}


def test_the_data_migration_fills_the_title_copies_of_existing_versions(world):
    h.submitted(world, "Før tittelkopien")
    h.approved(world, "Godkjent før tittelkopien")
    fill_as_before(
        squash.previous_version_listed_triggers,
        squash.title_listed_triggers,
        squash.fill_version_titles,
        assessment_title=None,
        title_search=None,
    )
    if connection.vendor == "postgresql":
        assert vectors_match("godkjent")


def test_the_data_migration_fills_the_review_dates_and_tools_of_existing_versions(world):
    h.approved(world, "Godkjent før datokopien")
    h.approved(world, "Også godkjent før datokopien")
    empty = {"assessment_review_by": None, "tool": None}
    fill_as_before(
        squash.title_listed_triggers,
        squash.version_listed_triggers,
        squash.fill_review_dates,
        **empty,
    )
    assert None not in AssessmentVersion.objects.values_list("assessment_review_by", flat=True)
