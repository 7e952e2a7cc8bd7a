"""assessment_approve, assessment_reject and report_request_preview: state checks, review-by dates,
superseding, audit events, and a second click that changes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments import services
from assessments.demo.decided import FREE_CHATBOT, HOUSING_RANKING
from assessments.lifecycle import StateConflict
from assessments.models import Assessment, AuditEvent, Membership, Report
from assessments.services import decisions
from assessments.services.decisions import _months_later
from tests.report_helpers import draft, submitted


@pytest.fixture
def reviewer(world):
    return world.users["reviewer"]


@pytest.fixture
def copilot(world):
    return submitted(world.agency_a, world.users["leader_a"])


def test_it_approves_sets_the_decision_and_a_12_month_review_date(copilot, reviewer, monkeypatch):
    monkeypatch.setattr(decisions.timezone, "localdate", lambda: dt.date(2026, 3, 31))
    version = services.assessment_approve(assessment=copilot, user=reviewer, comment="  Fint.  ")
    copilot.refresh_from_db()
    assert copilot.status == "approved" and copilot.review_by == dt.date(2027, 3, 31)
    assert version.decision == "approved" and version.decided_by == reviewer and version.decided_at
    assert version.decision_reason == "Fint."
    report = Report.objects.get(assessment=copilot)
    assert (report.kind, report.status, report.version_id, report.requested_by) == (
        "signed",
        "pending",
        version.pk,
        reviewer,
    )
    event = AuditEvent.objects.get(action="assessment.approved")
    assert event.details == {
        "version": 1,
        "verdict": "recommended",
        "report": str(report.uuid),
        "review_by": "2027-03-31",
    }
    assert event.actor_id == reviewer.pk and event.agency_id == copilot.agency_id


def test_high_risk_gets_six_months(world, reviewer, monkeypatch):
    monkeypatch.setattr(decisions.timezone, "localdate", lambda: dt.date(2026, 8, 31))
    assessment = submitted(world.agency_a, world.users["leader_a"], HOUSING_RANKING)
    assert assessment.latest_version().result["risk"]["axis"] == "high"
    services.assessment_approve(assessment=assessment, user=reviewer)
    assessment.refresh_from_db()
    assert assessment.review_by == dt.date(2027, 2, 28)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),
        (dt.date(2026, 12, 15), 12, dt.date(2027, 12, 15)),
        (dt.date(2026, 7, 1), 6, dt.date(2027, 1, 1)),
    ],
)
def test_months_later(day, months, expected):
    assert _months_later(day, months) == expected


def test_a_second_approval_from_another_tab_changes_nothing(copilot, reviewer):
    services.assessment_approve(assessment=copilot, user=reviewer)
    stale_tab = Assessment.objects.get(pk=copilot.pk)
    stale_tab.status = "submitted"  # what the other tab still believes
    with pytest.raises(StateConflict, match="allerede behandlet|kan ikke behandles"):
        services.assessment_approve(assessment=stale_tab, user=reviewer)
    with pytest.raises(StateConflict):
        services.assessment_reject(assessment=stale_tab, user=reviewer, reason="Nei")
    assert Report.objects.filter(assessment=copilot).count() == 1
    assert AuditEvent.objects.filter(action__in=["assessment.approved", "assessment.rejected"]).count() == 1
    copilot.refresh_from_db()
    assert copilot.status == "approved"


def test_a_stop_verdict_cannot_be_approved_but_can_be_rejected(world, reviewer):
    assessment = submitted(world.agency_a, world.users["leader_a"], FREE_CHATBOT)
    with pytest.raises(ValidationError) as refused:
        services.assessment_approve(assessment=assessment, user=reviewer)
    assert refused.value.code == "stop_verdict"
    assessment.refresh_from_db()
    assert assessment.status == "submitted" and not Report.objects.exists()

    version = services.assessment_reject(assessment=assessment, user=reviewer, reason="Ulovlig bruk.")
    assessment.refresh_from_db()
    assert assessment.status == "rejected" and assessment.review_by is None
    assert version.decision == "rejected" and version.decision_reason == "Ulovlig bruk."
    assert Report.objects.get(assessment=assessment).kind == "signed"
    assert AuditEvent.objects.filter(action="assessment.rejected").exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejection_needs_a_reason(copilot, reviewer, reason):
    with pytest.raises(ValidationError):
        services.assessment_reject(assessment=copilot, user=reviewer, reason=reason)
    copilot.refresh_from_db()
    assert copilot.status == "submitted"


@pytest.mark.parametrize("status", ["draft", "returned", "approved", "rejected", "withdrawn"])
def test_only_a_submitted_assessment_can_be_decided(world, reviewer, status):
    assessment = submitted(world.agency_a, world.users["leader_a"], status=status)
    with pytest.raises(StateConflict):
        services.assessment_approve(assessment=assessment, user=reviewer)
    assert not Report.objects.exists()


@pytest.mark.parametrize("role", ["leader_a", "contributor_a", "leader_b", "auditor"])
def test_only_reviewers_decide(world, copilot, role):
    with pytest.raises(PermissionDenied):
        services.assessment_approve(assessment=copilot, user=world.users[role])
    with pytest.raises(PermissionDenied):
        services.assessment_reject(assessment=copilot, user=world.users[role], reason="x")


def test_a_reviewer_who_is_a_member_of_the_agency_may_not_decide(world, copilot, reviewer):
    Membership.objects.create(user=reviewer, agency=world.agency_a, role="contributor")
    reviewer.__dict__.pop("_kiv_roles", None)  # roles are cached per user object
    with pytest.raises(PermissionDenied):
        services.assessment_approve(assessment=copilot, user=reviewer)


def test_approving_a_replacement_supersedes_the_old_assessment(world, reviewer):
    old = submitted(world.agency_a, world.users["leader_a"])
    services.assessment_approve(assessment=old, user=reviewer)
    new = submitted(world.agency_a, world.users["leader_a"], replaces=old)
    services.assessment_approve(assessment=new, user=reviewer)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == ("superseded", "approved")
    event = AuditEvent.objects.get(action="assessment.superseded")
    assert event.object_id == str(old.uuid) and event.details["by_assessment"] == str(new.uuid)


def test_the_version_under_review_must_be_the_one_the_reviewer_saw(copilot, reviewer):
    with pytest.raises(StateConflict):
        services.assessment_approve(assessment=copilot, user=reviewer, version_number=2)
    services.assessment_approve(assessment=copilot, user=reviewer, version_number=1)


def test_a_preview_request_makes_one_pending_preview_for_draft_readers(world):
    assessment = draft(world, "Utkast")
    first = services.report_request_preview(assessment=assessment, user=world.users["leader_a"])
    again = services.report_request_preview(assessment=assessment, user=world.users["leader_a"])
    assert first.pk == again.pk and (first.kind, first.status, first.version) == ("preview", "pending", None)
    assert AuditEvent.objects.filter(action="report.preview_requested").count() == 1
    for role in ("contributor_a", "leader_b", "reviewer", "auditor"):  # the contributor is not invited
        with pytest.raises(PermissionDenied):
            services.report_request_preview(assessment=assessment, user=world.users[role])
    assessment.contributors.add(world.users["contributor_a"])
    Report.objects.filter(pk=first.pk).update(status="ready")
    third = services.report_request_preview(assessment=assessment, user=world.users["contributor_a"])
    assert third.pk != first.pk
