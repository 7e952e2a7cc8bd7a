"""services/go_live.py: the go-live ("tatt i bruk") recorded only on an approved assessment whose before-use items
are done, on a day from the approval (and the last before-use item done) until today, and corrected with a reason."""

import datetime as dt
from functools import partial

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import timezone

from assessments import services
from assessments.lifecycle import StateConflict
from assessments.models import AssessmentVersion, AuditEvent, PlanItem
from assessments.services import go_live, plans
from tests.assessment_helpers import PDF, upload


def test_approval_with_a_before_use_condition_gates_the_go_live(submitted, leader, world):
    item = submitted.plan_items.first()
    services.assessment_approve(
        assessment=submitted, user=world.users["reviewer"], conditions={"before_use": [item.pk], "deadline": []}
    )
    item.refresh_from_db()
    assert item.before_use and item.condition_version == submitted.latest_version()
    with pytest.raises(ValidationError):
        go_live.record_in_use(assessment=submitted, user=leader, since=dt.date.today())
    plans.evidence_add(item=item, user=leader, upload=upload("dpia.pdf", PDF))
    plans.item_update(item=item, user=leader, status="done")
    with pytest.raises(PermissionDenied):
        go_live.record_in_use(assessment=submitted, user=world.users["contributor_a"], since=dt.date.today())
    go_live.record_in_use(assessment=submitted, user=leader, since=dt.date.today())
    submitted.refresh_from_db()
    assert submitted.in_use_since == dt.date.today()
    assert AuditEvent.objects.filter(action="plan.in_use_recorded").exists()
    assert list(PlanItem.conditions_of(submitted.latest_version())) == [item]


def test_the_go_live_is_not_dated_before_the_approval(submitted, leader, world):
    services.assessment_approve(assessment=submitted, user=world.users["reviewer"], conditions=None)
    approved = dt.date.today() - dt.timedelta(days=10)
    decided = submitted.latest_version().decided_at - dt.timedelta(days=10)
    AssessmentVersion.objects.filter(assessment=submitted).update(decided_at=decided)
    assert go_live.approved_on(submitted) == approved
    for early in (dt.date(2001, 1, 1), approved - dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as refused:
            go_live.record_in_use(assessment=submitted, user=leader, since=early)
        assert "før vurderingen ble godkjent" in refused.value.message_dict["since"][0]
    submitted.refresh_from_db()
    assert submitted.in_use_since is None
    go_live.record_in_use(assessment=submitted, user=leader, since=approved)
    submitted.refresh_from_db()
    assert submitted.in_use_since == approved


def test_only_an_approved_assessment_is_recorded_in_use(submitted, leader):
    with pytest.raises(StateConflict, match="Bare en godkjent vurdering kan tas i bruk."):
        go_live.record_in_use(assessment=submitted, user=leader, since=dt.date.today())
    submitted.refresh_from_db()
    assert submitted.in_use_since is None


def test_a_wrong_go_live_day_is_corrected_with_a_reason_and_the_old_day_logged(submitted, leader, world):
    services.assessment_approve(assessment=submitted, user=world.users["reviewer"], conditions=None)
    today, yesterday = dt.date.today(), dt.date.today() - dt.timedelta(days=1)
    correct = partial(go_live.correct_in_use, assessment=submitted, reason="Feil dag", shown=today)
    with pytest.raises(StateConflict, match="ingen dato å rette"):
        correct(user=leader, since=today)
    AssessmentVersion.objects.filter(assessment=submitted).update(decided_at=submitted.latest_version().decided_at
                                                                  - dt.timedelta(days=5))  # fmt: skip
    go_live.record_in_use(assessment=submitted, user=leader, since=today)
    with pytest.raises(PermissionDenied):
        correct(user=world.users["contributor_a"], since=yesterday)
    refused = {today: "allerede er registrert", today + dt.timedelta(days=1): "fram i tid",
               dt.date(2001, 1, 1): "før vurderingen ble godkjent"}  # fmt: skip
    for day, message in refused.items():
        with pytest.raises(ValidationError) as error:
            correct(user=leader, since=day)
        assert message in error.value.message_dict["since"][0]
    # A page opened before a colleague's correction does not overwrite it unseen.
    with pytest.raises(ValidationError, match="endret av noen andre"):
        correct(user=leader, since=yesterday, shown=yesterday)
    correct(user=leader, since=yesterday, reason="Tastet feil dag")
    submitted.refresh_from_db()
    assert submitted.in_use_since == yesterday
    event = AuditEvent.objects.get(action="plan.in_use_corrected")
    assert event.details == {"since": yesterday.isoformat(), "previous_since": today.isoformat(),
                             "reason": "Tastet feil dag"}  # fmt: skip


def test_the_go_live_is_not_dated_before_the_last_before_use_item_was_done(submitted, leader, world):
    item = submitted.plan_items.first()
    services.assessment_approve(
        assessment=submitted, user=world.users["reviewer"], conditions={"before_use": [item.pk], "deadline": []}
    )
    AssessmentVersion.objects.filter(assessment=submitted).update(decided_at=timezone.now() - dt.timedelta(days=5))
    plans.evidence_add(item=item, user=leader, upload=upload("ros.pdf", PDF))
    plans.item_update(item=item, user=leader, status="done")
    assert go_live.conditions_met_on(submitted) == timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        go_live.record_in_use(assessment=submitted, user=leader, since=timezone.localdate() - dt.timedelta(days=2))
    assert "før det siste tiltaket UKE krevde før bruk, ble ferdig" in refused.value.message_dict["since"][0]
    go_live.record_in_use(assessment=submitted, user=leader, since=timezone.localdate())
    submitted.refresh_from_db()
    assert submitted.in_use_since == timezone.localdate()


def test_open_before_use_items_and_a_wrong_day_are_refused_together(submitted, leader, world):
    """Both reasons at once: the leader is not sent back twice."""
    item = submitted.plan_items.first()
    conditions = {"before_use": [item.pk], "deadline": []}
    services.assessment_approve(assessment=submitted, user=world.users["reviewer"], conditions=conditions)
    with pytest.raises(ValidationError) as refused:
        go_live.record_in_use(assessment=submitted, user=leader, since=dt.date(2001, 1, 1))
    errors = refused.value.message_dict
    assert "før vurderingen ble godkjent" in errors["since"][0]
    assert item.title in errors[NON_FIELD_ERRORS][0]
    submitted.refresh_from_db()
    assert submitted.in_use_since is None


@pytest.mark.parametrize(
    ("before_use", "required", "status", "blocks"),
    [
        (True, True, "not_started", True),
        (True, True, "in_progress", True),
        (True, True, "not_relevant", True),  # only "done" meets UKE's condition
        (True, True, "done", False),
        (True, False, "not_started", False),  # a version no longer asks for it
        (False, True, "not_started", False),  # no condition of UKE
    ],
)
def test_which_items_block_the_go_live(before_use, required, status, blocks):
    assert PlanItem(before_use=before_use, required=required, status=status).blocks_go_live is blocks


def test_a_before_use_condition_is_done_only_when_documented(submitted, leader, world):
    item, other = submitted.plan_items.all()[:2]
    services.assessment_approve(
        assessment=submitted, user=world.users["reviewer"], conditions={"before_use": [item.pk], "deadline": []}
    )
    item.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        plans.item_update(item=item, user=leader, status="done")
    assert "dokumentert" in refused.value.message_dict["status"][0]  # shown at the status field
    item.refresh_from_db()
    assert item.status != PlanItem.Status.DONE  # nothing saved
    assert plans.item_update(item=other, user=leader, status="done")  # no condition: done needs no record
    assert plans.item_update(item=item, user=leader, status="done", comment="DPIA godkjent av personvernombudet.")
    item.refresh_from_db()
    assert item.status == PlanItem.Status.DONE


def test_a_before_use_condition_with_only_a_removed_file_is_not_documented(submitted, leader, world):
    item = submitted.plan_items.first()
    services.assessment_approve(
        assessment=submitted, user=world.users["reviewer"], conditions={"before_use": [item.pk], "deadline": []}
    )
    item.refresh_from_db()
    evidence = plans.evidence_add(item=item, user=leader, upload=upload("dpia.pdf", PDF))
    plans.evidence_remove(evidence=evidence, user=leader)
    with pytest.raises(ValidationError):
        plans.item_update(item=item, user=leader, status="done")


def test_the_gate_refuses_a_condition_done_without_a_record(submitted, leader, world):
    """Done before UKE made it a condition (no record was needed then): the go-live waits for one."""
    item = submitted.plan_items.first()
    plans.item_update(item=item, user=leader, status="done")
    services.assessment_approve(
        assessment=submitted, user=world.users["reviewer"], conditions={"before_use": [item.pk], "deadline": []}
    )
    with pytest.raises(ValidationError) as refused:
        go_live.record_in_use(assessment=submitted, user=leader, since=dt.date.today())
    assert [e.code for e in refused.value.error_dict[NON_FIELD_ERRORS]] == ["before_use_undocumented"]
    item.refresh_from_db()
    plans.item_update(item=item, user=leader, status="done", comment="DPIA godkjent 1. desember.")
    go_live.record_in_use(assessment=submitted, user=leader, since=dt.date.today())
