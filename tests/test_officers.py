"""The data protection officer and the security officer: what they read (across agencies, nothing else),
their advice beside the answers for UKE, the report's note that advice was given, and what they cannot do."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from assessments import services
from assessments.accounts import group_roles
from assessments.models import AuditEvent, GroupMapping, OfficerAdvice, Report
from assessments.permissions import officer_assessments, roles_for
from assessments.reports import render as reports
from assessments.services import officers as officer_services
from tests.answers import PERSONAL_DATA, complete
from tests.assessment_helpers import make_assessment, published_questionnaire

ADVICE = "Gjennomfør DPIA før oppstart, og avklar lagringstiden for logger."


def _personal(world, agency_key="a", title="Personopplysninger A"):
    if agency_key == "a":
        return make_assessment(world, title, answers=complete(pd_any="yes", **PERSONAL_DATA), submit=True)
    published_questionnaire()
    leader = world.users["leader_b"]
    assessment = services.assessment_create(agency=world.agency_b, user=leader, title=title)
    assessment.answers = {**complete(pd_any="unknown", **PERSONAL_DATA), "title": title}
    assessment.save(update_fields=["answers"])
    services.assessment_submit(assessment=assessment, user=leader)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def cases(world):
    return {
        "personal_a": _personal(world),
        "personal_b": _personal(world, "b", "Personopplysninger B"),
        "plain_a": make_assessment(world, "Uten personopplysninger", answers=complete(), submit=True),
        "draft_a": make_assessment(world, "Utkast med personopplysninger", answers=complete(pd_any="yes")),
    }


def test_the_dpo_sees_assessments_with_personal_data_in_every_agency_and_nothing_else(world, cases):
    dpo = world.users["dpo"]
    assert set(officer_assessments(dpo, "dpo")) == {cases["personal_a"], cases["personal_b"]}
    assert not officer_assessments(dpo, "security_officer").exists()
    client = world.client("dpo")
    queue = client.get(reverse("assessments:officer_queue")).content.decode()
    assert "Personopplysninger A" in queue and "Personopplysninger B" in queue
    assert "Uten personopplysninger" not in queue and "Utkast med" not in queue
    for name in ("personal_a", "personal_b"):
        assert client.get(reverse("assessments:officer_detail", args=[cases[name].uuid, "dpo"])).status_code == 200
    for name in ("plain_a", "draft_a"):
        response = client.get(reverse("assessments:officer_detail", args=[cases[name].uuid, "dpo"]))
        assert response.status_code == 404
    # Every other page of an assessment is invisible to the DPO, even one they read on their own page.
    for page in ("assessments:assessment_detail", "assessments:review_detail", "assessments:report_status"):
        assert client.get(reverse(page, args=[cases["personal_a"].uuid])).status_code == 404, page
    assert client.get(reverse("assessments:review_queue")).status_code == 403
    assert client.get(reverse("assessments:auditor_search")).status_code == 403


def test_the_security_officer_reads_only_the_security_section_of_every_submitted_assessment(world, cases):
    officer = world.users["security_officer"]
    assert set(officer_assessments(officer, "security_officer")) == {
        cases["personal_a"],
        cases["personal_b"],
        cases["plain_a"],
    }
    client = world.client("security_officer")
    url = reverse("assessments:officer_detail", args=[cases["plain_a"].uuid, "security_officer"])
    body = client.get(url).content.decode()
    assert "Sikkerhet, arkiv og innsyn" in body
    assert "Behov og gevinst" not in body  # another section's title
    assert complete()["problem"] not in body  # another section's answer
    # The DPO's reading of the same assessment is not theirs.
    assert client.get(reverse("assessments:officer_detail", args=[cases["personal_a"].uuid, "dpo"])).status_code == 404


def test_advice_is_recorded_audited_with_ids_only_and_shown_to_uke_beside_the_answers(world, cases):
    assessment = cases["personal_a"]
    url = reverse("assessments:officer_detail", args=[assessment.uuid, "dpo"])
    response = world.client("dpo").post(url, {"text": ADVICE})
    assert response.status_code == 302
    advice = OfficerAdvice.objects.get(assessment=assessment)
    assert (advice.role, advice.author, advice.version.number, advice.text) == ("dpo", world.users["dpo"], 1, ADVICE)
    event = AuditEvent.objects.get(action="officer.advice_given")
    assert event.details == {"role": "dpo", "version": 1, "advice_id": advice.pk}
    assert ADVICE not in str(event.details)
    review = world.client("reviewer").get(reverse("assessments:review_detail", args=[assessment.uuid]))
    assert ADVICE in review.content.decode() and "Personvernombud" in review.content.decode()
    # The agency's own view of the review page does not carry the advice.
    leader = world.client("leader_a").get(reverse("assessments:review_detail", args=[assessment.uuid]))
    assert ADVICE not in leader.content.decode()


def test_empty_advice_is_refused_in_the_users_language_and_nothing_is_saved(world, cases):
    url = reverse("assessments:officer_detail", args=[cases["plain_a"].uuid, "security_officer"])
    response = world.client("security_officer").post(url, {"text": "   "})
    assert response.status_code == 400
    assert "Skriv rådet ditt." in response.content.decode()
    assert not OfficerAdvice.objects.exists()


@pytest.mark.parametrize(
    ("user", "role", "case"),
    [
        ("dpo", "dpo", "plain_a"),  # no personal data: outside the DPO's scope
        ("dpo", "security_officer", "personal_a"),  # a role the user does not hold
        ("leader_a", "dpo", "personal_a"),  # no officer at all
        ("dpo", "nobody", "personal_a"),  # no such role: refused, not an error
    ],
)
def test_the_advice_service_refuses_whoever_the_role_does_not_cover(world, cases, user, role, case):
    with pytest.raises(PermissionDenied):
        officer_services.officer_advice_record(assessment=cases[case], user=world.users[user], role=role, text="Råd")
    assert not OfficerAdvice.objects.exists()


def test_officers_cannot_change_answers_or_decide(world, cases):
    assessment = cases["personal_a"]
    for role in ("dpo", "security_officer"):
        client = world.client(role)
        for name in ("review_approve", "review_reject", "review_return", "review_comment"):
            assert client.post(reverse(f"assessments:{name}", args=[assessment.uuid])).status_code == 404
        step = reverse("assessments:assessment_step", args=[cases["draft_a"].uuid, "intro"])
        assert client.get(step).status_code == 404
    assessment.refresh_from_db()
    assert assessment.status == "submitted"


def test_the_report_states_that_advice_was_given_and_when(world, cases, django_capture_on_commit_callbacks):
    assessment = cases["personal_a"]
    advice = officer_services.officer_advice_record(
        assessment=assessment, user=world.users["dpo"], role="dpo", text=ADVICE
    )
    with django_capture_on_commit_callbacks():
        services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    report = Report.objects.get(assessment=assessment, kind=Report.Kind.SIGNED)
    context = reports.build_context(report)
    assert context["officer_advice"] == [{"role": "Personvernombud", "at": advice.created_at, "version": 1}]
    html = reports.render_html(context)
    assert "Personvernombud ga råd" in html
    assert ADVICE not in html  # the advice itself stays with UKE


def test_group_mappings_grant_and_revoke_the_officer_roles(world):
    GroupMapping.objects.create(group_id="grp-dpo", agency=None, role="dpo")
    GroupMapping.objects.create(group_id="grp-sec", agency=None, role="security_officer")
    user = world.users["leader_b"]
    group_roles.sync_roles(user, ["grp-dpo", "grp-sec"])
    roles = roles_for(user)
    assert roles.is_dpo and roles.is_security_officer
    group_roles.sync_roles(user, ["grp-sec"])
    roles = roles_for(user)
    assert not roles.is_dpo and roles.is_security_officer


def test_the_role_is_named_in_lower_case_mid_sentence_and_the_answers_stack_on_a_narrow_screen(world, cases):
    client = world.client("dpo")
    url = reverse("assessments:officer_detail", args=[cases["personal_a"].uuid, "dpo"])
    queue = client.get(reverse("assessments:officer_queue")).content.decode()
    assert "Som personvernombud" in queue and "Som Personvernombud" not in queue
    page = client.get(url).content.decode()
    assert "Du leser som personvernombud." in page
    # A table of question and answer pairs: app.css stacks it below 40rem instead of scrolling the answer away.
    assert '<table class="data pairs">' in page
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You are reading as data protection officer." in english
