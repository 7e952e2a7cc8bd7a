"""The quick path's services: a screening starts a draft with the carried answers, an open one is submitted as
simplified (no score), a closed one refuses, and UKE's "require the full assessment" returns it as a full draft."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments.models import Assessment, AuditEvent
from assessments.services import assessment_approve, assessment_report_material_change
from assessments.services import catalogue as catalogue_service
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
    # The quick path is closed for it: no way back to the quick check, and sending it in as simplified is refused.
    assert not service.quick_path_open(assessment)
    with pytest.raises(ValidationError) as refused:
        service.screening_submit(assessment=assessment, user=world.users["leader_a"])
    assert refused.value.code == "closed"
    assert assessment.versions.get(number=1).result["screening_answers"]  # the submitted version keeps them


def approved_simplified(world):
    """An approved simplified assessment of a drafting assistant, and its tool."""
    published_v3()
    tool = make_tool(world)
    assessment, _result = start(world, tool.ref)
    service.screening_submit(assessment=assessment, user=world.users["leader_a"])
    assessment_approve(assessment=assessment, user=world.users["reviewer"])
    assessment.refresh_from_db()
    return assessment, tool


def next_assessment(world, old, kinds, *, screened=True):
    """The draft a material change opens. `screened`: it also holds the old screening's answers, as if the leader
    had run the quick check again, so that only the change itself can keep the quick path closed."""
    new = assessment_report_material_change(assessment=old, user=world.users["leader_a"], kinds=kinds)
    if screened:
        Assessment.objects.filter(pk=new.pk).update(screening_answers=old.screening_answers)
        new.refresh_from_db()
    return new


def assert_quick_path_refused(world, new, reason):
    assert service.screening_result(new).opens_quick_path  # the screening alone would open it
    with pytest.raises(ValidationError) as refused:
        service.screening_submit(assessment=new, user=world.users["leader_a"])
    assert refused.value.code == "full_required" and reason in refused.value.messages[0]
    new.refresh_from_db()
    assert new.status == "draft" and new.path == "full" and not new.versions.exists()


def test_a_change_of_the_use_makes_the_next_assessment_a_full_one(world):
    old, _tool = approved_simplified(world)
    assert service.full_required_reasons(old) == []
    new = next_assessment(world, old, ["purpose", "data"])
    assert service.full_required_reasons(new) == ["Nytt formål", "Nye data eller nye kilder"]
    assert_quick_path_refused(world, new, "Nytt formål")


def test_a_change_of_its_tool_in_the_overview_makes_the_next_assessment_a_full_one(world):
    old, tool = approved_simplified(world)
    catalogue_service.tool_change(entry=tool.entry, data={"max_class": "open"}, actor=world.users["reviewer"])
    assert old.catalogue_flags.count() == 1
    # The leader named another change; the overview's flag on the old assessment is a reason all the same.
    new = next_assessment(world, old, ["vendor"])
    reasons = service.full_required_reasons(new)
    assert reasons == ["Ny leverandør", "Verktøyet er godkjent for mindre følsom informasjon enn før"]
    assert_quick_path_refused(world, new, "mindre følsom informasjon")
