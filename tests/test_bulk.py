"""`seed_demo --assessments N`: synthetic assessments at scale, written in bulk, with real results."""

import pytest
from django.core.management import call_command

from assessments.demo.synthetic import SYNTHETIC_PREFIX, seed_bulk_assessments
from assessments.engine import scoring
from assessments.engine.loader import as_definition
from assessments.models import Agency, Assessment, AssessmentVersion, Report
from tests.catalogue_helpers import make_tool, published_v3
from tests.review_helpers import questionnaire


@pytest.fixture
def published(db):
    return questionnaire()


def test_it_makes_n_assessments_across_60_agencies_in_every_state(published, django_assert_max_num_queries):
    with django_assert_max_num_queries(150):  # bulk inserts and a few updates, not one query per row
        summary = seed_bulk_assessments(300)
    assert summary["created"] == 300
    synthetic = Assessment.objects.filter(title__startswith=SYNTHETIC_PREFIX)
    assert synthetic.count() == 300
    assert Agency.objects.count() >= 60
    assert synthetic.values("agency").distinct().count() == 60
    statuses = set(synthetic.values_list("status", flat=True))
    assert {"draft", "submitted", "returned", "approved", "rejected", "superseded"} <= statuses
    # Drafts have no version; everything else has at least one; no PDF is made.
    assert not AssessmentVersion.objects.filter(assessment__status="draft").exists()
    assert not synthetic.exclude(status="draft").filter(versions__isnull=True).exists()
    assert Report.objects.count() == 0


def test_stored_results_are_the_real_results_of_the_stored_answers(published):
    seed_bulk_assessments(60)
    defn = as_definition(published.definition)
    versions = list(AssessmentVersion.objects.order_by("?")[:10])
    assert versions
    for version in versions:
        result = scoring.score(defn, version.answers)
        assert result.complete, result.missing
        assert (result.verdict, result.quadrant) == (version.verdict, version.quadrant)
        assert version.result["risk"]["score"] == result.risk["score"]


def test_decisions_follow_the_rules(published):
    seed_bulk_assessments(400)
    # A stop verdict is never approved; approved ones carry a review-by date; decided versions a time.
    assert not AssessmentVersion.objects.filter(decision="approved", verdict="stop").exists()
    assert not Assessment.objects.filter(status="approved", review_by__isnull=True).exists()
    assert not AssessmentVersion.objects.exclude(decision="").filter(decided_at__isnull=True).exists()
    latest_undecided = AssessmentVersion.objects.filter(assessment__status="submitted", decision="")
    assert latest_undecided.count() == Assessment.objects.filter(status="submitted").count()
    # Submissions are spread over time, so "oldest first" means something.
    days = {v.date() for v in AssessmentVersion.objects.values_list("submitted_at", flat=True)}
    assert len(days) > 5


def test_it_tops_up_instead_of_doubling(published):
    seed_bulk_assessments(50)
    assert seed_bulk_assessments(50)["created"] == 0
    assert seed_bulk_assessments(80)["created"] == 30
    assert Assessment.objects.filter(title__startswith=SYNTHETIC_PREFIX).count() == 80


def test_it_needs_a_published_questionnaire(db):
    with pytest.raises(RuntimeError, match="questionnaire"):
        seed_bulk_assessments(5)


def test_seed_demo_refuses_a_negative_count(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_demo", "--assessments", "-1")


def test_answers_from_the_tool_overview_name_a_current_entry_and_carry_its_facts(world):
    published_v3()
    tools = {make_tool(world, slug="kommunechat").ref, make_tool(world, slug="motetekst", name="Møtetekst").ref}
    seed_bulk_assessments(200)
    listed = Assessment.objects.filter(title__startswith=SYNTHETIC_PREFIX, answers__cat_choice="listed")
    refs = set(listed.values_list("answers__cat_ref", flat=True))
    assert refs == tools  # every listed answer set names one of them, and both are used
    for answers in listed.values_list("answers", flat=True)[:20]:
        assert answers["cat_name"] in {"Kommunechat", "Møtetekst"} and answers["sec_hosting"] == "cloud_eea"
    unlisted = Assessment.objects.filter(title__startswith=SYNTHETIC_PREFIX).exclude(answers__cat_choice="listed")
    assert unlisted.exists() and not unlisted.filter(answers__has_key="cat_ref").exists()
