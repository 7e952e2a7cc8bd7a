"""Actions by state only: for every status and role, the assessment page offers exactly what the table in
assessments/presentation/actions.py allows, and the table matches the lifecycle (a table-driven test).

E = edit ("Fortsett utfyllingen" / "Rett svarene"), P = draft preview, R = recall, W = withdraw,
C = contributors, M = material change, A = reply to UKE's comments.
"""

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Assessment
from assessments.presentation.actions import available_actions
from tests import review_helpers as h

STATUSES = ["draft", "submitted", "returned", "approved", "rejected", "withdrawn", "superseded"]
ROLES = ["leader_a", "contributor_a", "reviewer", "auditor", "leader_b"]

# status -> role -> the actions offered (letters as in the module docstring). The contributor is invited.
EXPECTED = {
    "draft": {"leader_a": "EPWCL", "contributor_a": "EP"},
    "submitted": {"leader_a": "RW"},
    "returned": {"leader_a": "EPWCLA", "contributor_a": "EP"},
    "approved": {"leader_a": "M"},
    "rejected": {},
    "withdrawn": {},
    "superseded": {},
}
LETTERS = {
    "E": "edit",
    "P": "preview",
    "R": "recall",
    "W": "withdraw",
    "C": "contributors",
    "L": "language",
    "M": "material_change",
    "A": "reply",
}
# What each action looks like on the assessment page.
PAGE_TEXT = {
    "edit": ("Fortsett utfyllingen", "Rett svarene"),
    "preview": ("Lag forhåndsvisning av utkastet",),
    "recall": ("Hent tilbake til utkast",),
    "withdraw": ("Trekk vurderingen",),
    "contributors": ("Bidragsytere</a>",),
    "language": ("Endre språket",),
    "material_change": ("Meld vesentlig endring",),
}


def _in_status(world, status: str) -> Assessment:
    leader, reviewer = world.users["leader_a"], world.users["reviewer"]
    if status == "draft":
        assessment = h.draft(world)
    else:
        assessment = h.submitted(world)
    if status in ("returned", "withdrawn"):
        services.assessment_return(assessment=assessment, user=reviewer, reason="Se over svarene.")
    if status == "withdrawn":
        services.assessment_withdraw(assessment=Assessment.objects.get(pk=assessment.pk), user=leader)
    if status in ("approved", "superseded"):
        services.assessment_approve(assessment=assessment, user=reviewer)
    if status == "rejected":
        services.assessment_reject(assessment=assessment, user=reviewer, reason="Ikke forsvarlig.")
    if status == "superseded":
        Assessment.objects.filter(pk=assessment.pk).update(status=status)  # what a later approval does
    if status in ("draft", "returned"):
        services.assessment_invite_contributor(
            assessment=Assessment.objects.get(pk=assessment.pk), user=leader, contributor=world.users["contributor_a"]
        )
    assessment.refresh_from_db()
    assert assessment.status == status
    return assessment


@pytest.mark.parametrize("status", STATUSES)
def test_each_status_and_role_is_offered_exactly_its_actions(world, status):
    assessment = _in_status(world, status)
    for role in ROLES:
        offered = available_actions(world.users[role], assessment)
        expected = {LETTERS[letter] for letter in EXPECTED[status].get(role, "")}
        got = {name for name, on in vars(offered).items() if on}
        assert got == expected, f"{status} / {role}: offered {sorted(got)}, expected {sorted(expected)}"

        response = world.client(role).get(reverse("assessments:assessment_detail", args=[assessment.uuid]))
        if response.status_code == 404:
            assert not expected, f"{status} / {role} cannot open the page but would be offered {expected}"
            continue
        html = response.content.decode()
        for action, texts in PAGE_TEXT.items():
            shown = any(text in html for text in texts)
            assert shown == (action in expected), f"{status} / {role}: {action} shown={shown}"


def test_a_contributor_not_invited_is_offered_nothing_on_a_returned_assessment(world):
    assessment = h.submitted(world)
    services.assessment_return(assessment=assessment, user=world.users["reviewer"], reason="Se over.")
    assessment.refresh_from_db()
    assert not available_actions(world.users["contributor_a"], assessment).any
    html = (
        world.client("contributor_a").get(reverse("assessments:review_detail", args=[assessment.uuid])).content.decode()
    )
    assert "Rett svarene" not in html  # a link the contributor could not follow (403) is not shown


def test_a_decided_assessment_refuses_a_draft_preview(world):
    assessment = h.approved(world)
    response = world.client("leader_a").post(reverse("assessments:report_preview", args=[assessment.uuid]))
    assert response.status_code == 403
    assert not assessment.reports.filter(kind="preview").exists()
