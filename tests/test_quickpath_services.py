"""The quick path's services: a screening starts a draft with the carried answers, an open one is submitted as
simplified (no score), a closed one refuses, and UKE's "require the full assessment" returns it as a full draft."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments.models import AuditEvent
from assessments.services import assessment_approve
from assessments.services import quickpath as service
from tests.catalogue_helpers import make_tool, published_v3, screened

pytestmark = pytest.mark.django_db


def start(world, tool, **changes):
    return screened(world, "Skriveassistent for brev", tool=tool, **changes)


def test_a_drafting_assistant_opens_and_is_submitted_as_simplified(world):
    published_v3()
    tool = make_tool(world)
    assessment, result = start(world, tool.ref)
    assert result.opens_quick_path and not result.blocking
    assert assessment.answers["cat_choice"] == "listed" and assessment.answers["sec_hosting"] == "cloud_eea"
    assert assessment.answers["p_manipulation"] == "no"  # implied by "none of these practices"
    assert assessment.screening_answers["scr_prohibited"] == "none"

    version = service.screening_submit(assessment=assessment, user=world.users["leader_a"])
    assessment.refresh_from_db()
    assert assessment.status == "submitted" and assessment.path == "simplified"
    assert version.verdict == "low_after_screening" and version.risk_score is None
    assert version.result["kind"] == "simplified" and version.result["screening"]["opens_quick_path"]
    assert AuditEvent.objects.filter(action="assessment.submitted", details__path="simplified").exists()

    assessment_approve(assessment=assessment, user=world.users["reviewer"])
    assessment.refresh_from_db()
    assert assessment.status == "approved" and assessment.reports.exists()


def test_childrens_data_goes_to_the_full_wizard_with_the_reason_and_answers(world):
    published_v3()
    tool = make_tool(world)
    assessment, result = start(world, tool.ref, scr_personal_data="children")
    assert not result.opens_quick_path
    reasons = {f.id: f for f in result.blocking}
    assert "children_or_vulnerable" in reasons
    assert "scr_personal_data" in reasons["children_or_vulnerable"].screening_keys
    assert assessment.answers["pd_children"] == "yes" and assessment.path == "full"
    with pytest.raises(ValidationError):
        service.screening_submit(assessment=assessment, user=world.users["leader_a"])


@pytest.mark.parametrize("changes", [{"decision_role": "decision_support"}, {"sec_classification": "unsure"}])
def test_a_decision_or_an_unsure_answer_closes_it(world, changes):
    published_v3()
    tool = make_tool(world)
    _assessment, result = start(world, tool.ref, **changes)
    assert not result.opens_quick_path


def test_an_unknown_tool_closes_it(world):
    published_v3()
    _assessment, result = start(world, "not_listed")
    assert not result.opens_quick_path and "tool_not_listed" in [f.id for f in result.blocking]


def test_a_tool_that_is_not_current_is_refused_and_nothing_is_stored(world):
    published_v3()
    with pytest.raises(ValidationError):
        start(world, "ukjent@1")
    assert not world.agency_a.assessments.exists()


def test_only_the_leader_submits(world):
    published_v3()
    assessment, _result = start(world, make_tool(world).ref)
    with pytest.raises(PermissionDenied):
        service.screening_submit(assessment=assessment, user=world.users["contributor_a"])


def test_uke_requires_the_full_assessment(world):
    published_v3()
    assessment, _result = start(world, make_tool(world).ref)
    service.screening_submit(assessment=assessment, user=world.users["leader_a"])
    service.screening_require_full(assessment=assessment, user=world.users["reviewer"], reason="Bruken er bred.")
    assessment.refresh_from_db()
    assert assessment.status == "returned" and assessment.path == "full"
    assert assessment.answers["cat_choice"] == "listed"
