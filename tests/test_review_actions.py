"""The review page and its actions: comments, return, approve, reject, material change.

Wrong-state actions (a draft, an approved one, a second tab, a resubmission meanwhile) are refused with a
clear message and change nothing."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.demo.in_review import PARKING_CHATBOT, SUMMARY_ASSISTANT
from assessments.models import Assessment, AssessmentVersion, AuditEvent, Membership, ReviewComment
from tests import review_helpers as h
from tests.responses import forms_left_to_the_browser


def url(name: str, assessment) -> str:
    return reverse(name, args=[assessment.uuid])


def snapshot(assessment) -> tuple:
    """Everything an action could change."""
    assessment.refresh_from_db()
    versions = list(assessment.versions.values_list("number", "decision", "decision_reason", "decided_by_id"))
    events = AuditEvent.objects.exclude(action__startswith="auth.").count()  # signing in is an event too
    return assessment.status, assessment.review_by, versions, ReviewComment.objects.count(), events


@pytest.fixture
def submitted(world):
    return h.submitted(world)


def test_it_shows_the_submitted_version_with_its_result_and_answers(world, submitted):
    response = world.client("reviewer").get(url("assessments:review_detail", submitted))
    assert response.status_code == 200
    body = response.content.decode()
    version = submitted.latest_version()
    assert submitted.title in body
    assert "<svg" in body or str(version.result["risk"]["score"]).replace(".", ",") in body or str(
        version.result["risk"]["score"]) in body  # fmt: skip
    # Each answered question is shown with an anchor to comment on it.
    for key in ("ai_kind", "pd_any", "benefit"):
        if key in version.answers:
            assert f'id="q-{key}"' in body
    assert url("assessments:review_return", submitted) in body
    assert url("assessments:review_approve", submitted) in body


def test_it_returns_with_a_reason_and_the_leader_reads_it(world, submitted):
    client = world.client("reviewer")
    response = client.post(
        url("assessments:review_return", submitted),
        {"return-reason": "Beskriv databehandleravtalen.", "return-version": 1},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.RETURNED
    version = submitted.latest_version()
    assert version.decision == AssessmentVersion.Decision.RETURNED
    assert version.decision_reason == "Beskriv databehandleravtalen."
    assert version.decided_by == world.users["reviewer"]
    event = AuditEvent.objects.filter(action="assessment.returned", object_id=str(submitted.uuid)).get()
    assert event.actor_id == world.users["reviewer"].pk and event.details["version"] == 1

    page = world.client("leader_a").get(url("assessments:review_detail", submitted)).content.decode()
    assert "Beskriv databehandleravtalen." in page
    assert url("assessments:review_return", submitted) not in page  # the leader cannot act as reviewer


def test_return_needs_a_reason_and_changes_nothing_without_one(world, submitted):
    before = snapshot(submitted)
    response = world.client("reviewer").post(
        url("assessments:review_return", submitted), {"return-reason": "   ", "return-version": 1}
    )
    assert response.status_code == 400
    assert "Skriv en begrunnelse" in response.content.decode()
    assert snapshot(submitted) == before


def test_an_empty_reason_is_answered_by_the_apps_error_summary_not_the_browsers(world, submitted):
    """The decision forms leave the check to the server (novalidate), which names the missing reason in the
    error summary and beside the field, in the user's language."""
    client = world.client("reviewer")
    assert forms_left_to_the_browser(client.get(url("assessments:review_detail", submitted))) == []
    response = client.post(url("assessments:review_return", submitted), {"return-reason": "", "return-version": 1})
    assert response.status_code == 400
    body = response.content.decode()
    assert "data-error-summary" in body and 'href="#id_return-reason"' in body
    assert 'id="id_return-reason_error"' in body
    assert forms_left_to_the_browser(response) == []


def test_reject_needs_a_reason(world, submitted):
    before = snapshot(submitted)
    response = world.client("reviewer").post(url("assessments:review_reject", submitted), {"reject-version": 1})
    assert response.status_code == 400
    assert snapshot(submitted) == before


def test_it_stores_comments_per_question_and_general(world, submitted):
    client = world.client("reviewer")
    r1 = client.post(
        url("assessments:review_comment", submitted),
        {"question_key": "pd_any", "text": "Hvilke personopplysninger?", "version": 1},
    )
    r2 = client.post(
        url("assessments:review_comment", submitted), {"question_key": "", "text": "Ellers greit.", "version": 1}
    )
    assert r1.status_code == r2.status_code == 302
    comments = {c.question_key: c for c in ReviewComment.objects.filter(version=submitted.latest_version())}
    assert comments["pd_any"].text == "Hvilke personopplysninger?"
    assert comments[""].text == "Ellers greit."
    assert comments["pd_any"].author == world.users["reviewer"]
    assert AuditEvent.objects.filter(action="review.commented", object_id=str(submitted.uuid)).count() == 2
    page = client.get(url("assessments:review_detail", submitted)).content.decode()
    assert "Hvilke personopplysninger?" in page and "Ellers greit." in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"question_key": "pd_any", "text": "x" * (services.REVIEW_COMMENT_MAX_LENGTH + 1)}, "høyst"),
        ({"question_key": "pd_any", "text": ""}, "Skriv en kommentar"),
        ({"question_key": "no_such_question", "text": "Hei"}, "Ukjent spørsmål"),
    ],
    ids=["too-long", "empty", "unknown-question"],
)
def test_bad_comments_are_refused_and_nothing_is_stored(world, submitted, data, message):
    before = snapshot(submitted)
    response = world.client("reviewer").post(url("assessments:review_comment", submitted), {**data, "version": 1})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(submitted) == before


def test_the_approval_form_names_the_review_deadlines_the_service_sets(world, submitted):
    page = world.client("reviewer").get(url("assessments:review_detail", submitted)).content.decode()
    months, high = services.REVIEW_MONTHS, services.REVIEW_MONTHS_HIGH_RISK
    assert f"frist for ny vurdering ({months} måneder, {high} ved høy risiko)" in page


def test_an_approval_is_confirmed_on_its_own_page_before_anything_is_sealed(world, submitted):
    """The first post shows what the decision will say and carries the fields; only the confirmation decides."""
    client = world.client("reviewer")
    before = snapshot(submitted)
    item = submitted.plan_items.filter(required=True).first()
    data = {"approve-version": 1, "approve-reason": "Følg <b>rutinen</b>.", "conditions-before_use": item.pk}
    page = client.post(url("assessments:review_approve", submitted), data)
    assert page.status_code == 200 and snapshot(submitted) == before
    body = page.content.decode()
    assert "Godkjenne vurderingen?" in body and "Bekreft og godkjenn" in body
    assert "Følg &lt;b&gt;rutinen&lt;/b&gt;." in body and item.title in body
    assert f'<input type="hidden" name="conditions-before_use" value="{item.pk}">' in body
    assert client.post(url("assessments:review_approve", submitted), {**data, "confirmed": 1}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.APPROVED
    assert list(submitted.plan_items.filter(before_use=True).values_list("pk", flat=True)) == [item.pk]


def test_going_back_from_the_confirmation_keeps_what_was_written_and_decides_nothing(world, submitted):
    client = world.client("reviewer")
    before = snapshot(submitted)
    data = {"reject-version": 1, "reject-reason": "Mangler grunnlag i lov.", "edit": 1}
    page = client.post(url("assessments:review_reject", submitted), data)
    assert page.status_code == 200 and snapshot(submitted) == before
    assert "Mangler grunnlag i lov.</textarea>" in page.content.decode()  # the review page, the reason kept


def test_a_return_needs_no_confirmation(world, submitted):
    data = {"return-version": 1, "return-reason": "Se kommentaren."}
    assert world.client("reviewer").post(url("assessments:review_return", submitted), data).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.RETURNED


def test_approve_twice_from_two_tabs_changes_nothing_the_second_time(world, submitted):
    client = world.client("reviewer")
    assert (
        client.post(url("assessments:review_approve", submitted), {"approve-version": 1, "confirmed": 1}).status_code
        == 302
    )
    after_first = snapshot(submitted)
    assert after_first[0] == Assessment.Status.APPROVED
    second = client.post(url("assessments:review_approve", submitted), {"approve-version": 1, "confirmed": 1})
    assert second.status_code == 409
    assert "Ingenting ble endret" in second.content.decode()
    assert snapshot(submitted) == after_first


def test_returning_an_approved_assessment_is_refused(world, submitted):
    client = world.client("reviewer")
    client.post(url("assessments:review_approve", submitted), {"approve-version": 1, "confirmed": 1})
    before = snapshot(submitted)
    response = client.post(
        url("assessments:review_return", submitted), {"return-reason": "For sent", "return-version": 1}
    )
    assert response.status_code == 409
    assert "Godkjent" in response.content.decode()
    assert snapshot(submitted) == before


def test_approving_a_recalled_draft_is_refused(world, submitted):
    services.assessment_recall(assessment=submitted, user=world.users["leader_a"])
    before = snapshot(submitted)
    assert before[0] == Assessment.Status.DRAFT
    response = world.client("reviewer").post(
        url("assessments:review_approve", submitted), {"approve-version": 1, "confirmed": 1}
    )
    assert response.status_code == 409
    assert "Utkast" in response.content.decode()
    assert snapshot(submitted) == before


def test_a_decision_on_a_version_replaced_meanwhile_is_refused(world, submitted):
    reviewer = world.client("reviewer")
    reviewer.post(url("assessments:review_return", submitted), {"return-reason": "Rett svarene.", "return-version": 1})
    h.resubmit(world, submitted, benefit=4)
    before = snapshot(submitted)
    # A tab still showing version 1 approves: version 2 is under review now.
    response = reviewer.post(url("assessments:review_approve", submitted), {"approve-version": 1, "confirmed": 1})
    assert response.status_code == 409
    assert "versjon 2" in response.content.decode()
    assert snapshot(submitted) == before


def test_a_stop_verdict_cannot_be_approved(world):
    stopped = h.submitted(world, "Følelsesgjenkjenning i klasserom", **h.STOP)
    assert stopped.latest_version().verdict == "stop"
    client = world.client("reviewer")
    page = client.get(url("assessments:review_detail", stopped)).content.decode()
    assert url("assessments:review_approve", stopped) not in page
    assert "konklusjonen «Stopp» kan ikke godkjennes, bare returneres eller avvises" in page
    before = snapshot(stopped)
    response = client.post(url("assessments:review_approve", stopped), {"approve-version": 1, "confirmed": 1})
    assert response.status_code == 400
    assert "Stopp" in response.content.decode()
    assert snapshot(stopped) == before
    # It can be rejected, with a reason.
    assert (
        client.post(
            url("assessments:review_reject", stopped),
            {"reject-reason": "Forbudt praksis.", "reject-version": 1, "confirmed": 1},
        ).status_code
        == 302
    )
    stopped.refresh_from_db()
    assert stopped.status == Assessment.Status.REJECTED


def test_a_reviewer_who_is_a_member_of_the_agency_cannot_act(world, submitted):
    Membership.objects.create(user=world.users["reviewer"], agency=world.agency_a, role="contributor")
    client = world.client("reviewer")
    page = client.get(url("assessments:review_detail", submitted))
    assert page.status_code == 200
    assert "habilitet" in page.content.decode()
    assert url("assessments:review_approve", submitted) not in page.content.decode()
    before = snapshot(submitted)
    for name, data in [("assessments:review_approve", {"approve-version": 1, "confirmed": 1}),
                       ("assessments:review_return", {"return-reason": "x", "return-version": 1}),
                       ("assessments:review_comment", {"text": "x", "version": 1})]:  # fmt: skip
        assert client.post(url(name, submitted), data).status_code == 403
    assert snapshot(submitted) == before


def test_a_resubmission_shows_what_changed_with_the_earlier_comments(world, submitted):
    reviewer = world.client("reviewer")
    reviewer.post(
        url("assessments:review_comment", submitted),
        {"question_key": "benefit", "text": "Er gevinsten målt?", "version": 1},
    )
    reviewer.post(
        url("assessments:review_return", submitted), {"return-reason": "Se kommentaren.", "return-version": 1}
    )
    old_benefit = submitted.latest_version().answers["benefit"]
    new_benefit = 4 if old_benefit != 4 else 0
    h.resubmit(world, submitted, benefit=new_benefit)
    assert submitted.latest_version().number == 2

    body = reviewer.get(url("assessments:review_detail", submitted)).content.decode()
    changes = body[body.index('id="changes"') : body.index('id="result"')]
    assert "Endret siden versjon 1" in changes
    assert "1 svar er endret" in changes
    assert 'href="#q-benefit"' in changes
    assert "Er gevinsten målt?" in changes  # the earlier comment beside the change
    # An unchanged question is not listed as changed.
    assert 'href="#q-pd_any"' not in changes


def test_material_change_opens_a_prefilled_draft_that_supersedes_on_approval(world):
    old = h.approved(world)
    assert old.status == Assessment.Status.APPROVED and old.review_by
    leader = world.client("leader_a")
    assert leader.get(url("assessments:material_change", old)).status_code == 200
    response = leader.post(url("assessments:material_change", old), {"kinds": ["vendor", "model"]})
    assert response.status_code == 302
    new = Assessment.objects.get(replaces=old)
    assert new.status == Assessment.Status.DRAFT
    assert new.answers == old.latest_version().answers
    assert new.agency == old.agency
    assert new.material_change_kinds == ["vendor", "model"]  # stored on the assessment, not only in the log
    event = AuditEvent.objects.get(action="assessment.material_change_reported", object_id=str(old.uuid))
    assert event.details["kinds"] == ["vendor", "model"]

    # A second report while the first is open is refused.
    before = Assessment.objects.count()
    again = leader.post(url("assessments:material_change", old), {"kinds": ["data"]})
    assert again.status_code == 409
    assert Assessment.objects.count() == before

    # The new one is submitted; the reviewer sees it compared with the approved one, then approves it.
    services.assessment_submit(assessment=new, user=world.users["leader_a"])
    page = world.client("reviewer").get(url("assessments:review_detail", new)).content.decode()
    assert "Ny leverandør" in page and "Ny eller endret modell" in page
    services.assessment_approve(assessment=new, user=world.users["reviewer"])
    old.refresh_from_db()
    assert old.status == Assessment.Status.SUPERSEDED


def test_material_change_needs_an_approved_assessment_and_a_kind(world, submitted):
    leader = world.client("leader_a")
    assert leader.post(url("assessments:material_change", submitted), {"kinds": ["vendor"]}).status_code == 409
    approved = h.approved(world, "Oversettelse av brev")
    assert leader.post(url("assessments:material_change", approved), {}).status_code == 400
    assert not Assessment.objects.filter(replaces__isnull=False).exists()


def test_only_the_leader_reports_material_change(world):
    approved = h.approved(world)
    for role, status in [("contributor_a", 403), ("reviewer", 403), ("leader_b", 404)]:
        response = world.client(role).post(url("assessments:material_change", approved), {"kinds": ["vendor"]})
        assert response.status_code == status, role
    assert not Assessment.objects.filter(replaces=approved).exists()


def test_the_demo_has_a_returned_and_a_resubmitted_assessment_with_comments(db):
    from assessments import demo

    demo.seed_agencies()
    users = demo.seed_users()
    demo.seed_questionnaires()
    assert demo.seed_review(users) == {"returned": 1, "resubmitted": 1}
    assert demo.seed_review(users) == {"returned": 0, "resubmitted": 0}  # idempotent
    returned = Assessment.objects.get(title=PARKING_CHATBOT["title"])
    assert returned.status == Assessment.Status.RETURNED
    assert returned.latest_version().comments.count() == 3
    resubmitted = Assessment.objects.get(title=SUMMARY_ASSISTANT["title"])
    assert resubmitted.status == Assessment.Status.SUBMITTED
    assert resubmitted.versions.count() == 2
    from django.test import Client

    client = Client()
    client.force_login(users["uke"])
    body = client.get(url("assessments:review_detail", resubmitted)).content.decode()
    changes = body[body.index('id="changes"') : body.index('id="result"')]
    assert 'href="#q-ho_human_review"' in changes
    assert "en saksbehandler må lese" in changes  # the earlier comment beside the change


@pytest.mark.parametrize("name", ["review_comment", "review_return", "review_approve", "review_reject"])
def test_a_get_of_a_review_form_url_opens_the_case(world, submitted, name):
    """A refused comment or decision is shown at its POST URL; a reload or the language switch there is a GET,
    which must open the case rather than answer 405, and only for those who may review it."""
    response = world.client("reviewer").get(url(f"assessments:{name}", submitted))
    assert response.status_code == 302
    assert response["Location"].startswith(url("assessments:review_detail", submitted))
    assert world.client("leader_b").get(url(f"assessments:{name}", submitted)).status_code == 404
    assert snapshot(submitted)[0] == Assessment.Status.SUBMITTED
