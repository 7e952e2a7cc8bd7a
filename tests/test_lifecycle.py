"""The lifecycle table: every status × every transition is either allowed or a StateConflict.

The expected table is written out here on its own, so a change to the rules in `assessments/lifecycle.py`
has to be made in both places on purpose. A few rows are then checked through the services, to show that
they ask the table and refuse with the one exception, changing nothing.
"""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation

from assessments import lifecycle, services
from assessments.lifecycle import StateConflict, Status
from assessments.models import Assessment
from tests import answers as A
from tests.assessment_helpers import make_assessment

D, S, R, AP, RJ, W, SU = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.RETURNED,
    Status.APPROVED,
    Status.REJECTED,
    Status.WITHDRAWN,
    Status.SUPERSEDED,
)
# transition -> (statuses it is allowed from, the status it leads to or None when the status stays)
EXPECTED = {
    "save": ({D, R}, None),
    "submit": ({D, R}, S),
    "recall": ({S}, D),
    "withdraw": ({D, R, S}, W),
    "report_material_change": ({AP}, None),
    "record_in_use": ({AP}, None),
    "comment": ({S}, None),
    "return": ({S}, R),
    "approve": ({S}, AP),
    "reject": ({S}, RJ),
    "supersede": ({AP}, SU),
}
CASES = [(name, status) for name in EXPECTED for status in Status.values]


def test_the_table_names_every_transition_and_nothing_else():
    assert set(lifecycle.TRANSITIONS) == set(EXPECTED)


@pytest.mark.parametrize(("name", "status"), CASES)
def test_each_status_and_transition(name, status):
    sources, target = EXPECTED[name]
    assessment = SimpleNamespace(status=status)
    if status in sources:
        assert lifecycle.allowed(name, status)
        assert lifecycle.check(name, assessment).target == target
    else:
        assert not lifecycle.allowed(name, status)
        with pytest.raises(StateConflict) as refused:
            lifecycle.check(name, assessment)
        assert refused.value.assessment is assessment
        assert str(refused.value)


def test_a_refusal_names_the_current_status_in_the_active_language():
    with translation.override("nb"), pytest.raises(StateConflict, match="«Godkjent»"):
        lifecycle.check("approve", SimpleNamespace(status=AP))
    with translation.override("en"), pytest.raises(StateConflict, match="Approved"):
        lifecycle.check("approve", SimpleNamespace(status=AP))


def test_the_status_sets_are_the_table_s_own():
    assert set(lifecycle.OPEN_STATUSES) == {D, S, R}
    assert set(lifecycle.EDITABLE_STATUSES) == {D, R}
    assert set(lifecycle.DECIDED_STATUSES) == {AP, RJ, SU}
    assert Assessment.Status is Status  # the model uses the table's choices, not a copy


def test_decisions_are_choices_of_their_own_that_lead_to_a_status():
    assert lifecycle.Decision is not Status
    assert {lifecycle.DECISION_STATUS[d] for d in lifecycle.Decision} == {R, AP, RJ}
    for decision, name in lifecycle.DECISION_TRANSITION.items():
        assert lifecycle.TRANSITIONS[name].target == lifecycle.DECISION_STATUS[decision]


@pytest.mark.parametrize("service", ["assessment_submit", "assessment_withdraw", "assessment_recall"])
def test_services_refuse_a_withdrawn_assessment_with_the_one_exception(world, questionnaire, service):
    leader = world.users["leader_a"]
    assessment = make_assessment(world, "Lagt bort", answers=A.complete())
    services.assessment_withdraw(assessment=assessment, user=leader)
    with pytest.raises(StateConflict):
        getattr(services, service)(assessment=assessment, user=leader)
    assert Assessment.objects.get(pk=assessment.pk).status == W


def test_a_reviewer_cannot_decide_on_a_recalled_draft(world, questionnaire):
    assessment = make_assessment(world, "Utkast", answers=A.complete(), submit=True)
    services.assessment_recall(assessment=assessment, user=world.users["leader_a"])
    with translation.override("nb"), pytest.raises(StateConflict, match="Utkast"):
        services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    assert Assessment.objects.get(pk=assessment.pk).status == D


def test_a_conflict_in_a_view_is_409_with_the_reason(world, questionnaire):
    assessment = make_assessment(world, "Trukket", answers=A.complete())
    client = world.client("leader_a")
    client.post(reverse("assessments:assessment_withdraw", args=[assessment.uuid]))
    response = client.post(reverse("assessments:assessment_withdraw", args=[assessment.uuid]))
    assert response.status_code == 409
    assert "kan ikke trekkes" in response.content.decode()
