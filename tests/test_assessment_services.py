"""The assessment services: every state change validated, saved in one transaction and audited."""

import json
import uuid
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse

from assessments import services
from assessments.lifecycle import StateConflict
from assessments.models import Assessment, AssessmentVersion, AuditEvent, Questionnaire
from assessments.services import StaleDraft
from tests import answers as A
from tests.assessment_helpers import make_assessment
from tests.conftest import require_service
from tests.parallel import run_together

pytestmark = pytest.mark.django_db


def events(assessment, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(assessment.uuid)))


@pytest.fixture
def leader(world, questionnaire):
    return world.users["leader_a"]


def save(assessment, section: str, answers: dict, user, revision: int | None = None):
    values = A.section_of(section, answers)
    return services.assessment_save_step(
        assessment=assessment,
        section=section,
        values=values,
        expected_revision=assessment.revision if revision is None else revision,
        user=user,
    )


# --- create ---


def test_it_creates_a_draft_pinned_to_the_latest_questionnaire(world, leader, questionnaire):
    assessment = services.assessment_create(agency=world.agency_a, user=leader, title="  Ny chatbot  ")
    assert assessment.status == Assessment.Status.DRAFT
    assert assessment.questionnaire == questionnaire
    assert assessment.title == "Ny chatbot" and assessment.answers == {"title": "Ny chatbot"}
    (event,) = events(assessment, "assessment.created")
    assert event.actor_id == leader.pk and event.agency_id == world.agency_a.pk
    assert event.details == {"questionnaire": "2026.1", "source": "new"}


@pytest.mark.parametrize(("active", "expected"), [("nb", "nb"), ("en", "en"), ("en-gb", "en"), ("de", "nb")])
def test_the_assessment_takes_the_leaders_language_which_the_report_follows(world, leader, active, expected):
    from django.utils import translation

    with translation.override(active):
        assessment = services.assessment_create(agency=world.agency_a, user=leader, title="Språk")
    assert assessment.language == expected


def test_a_new_version_published_later_does_not_move_existing_drafts(world, leader, questionnaire):
    assessment = services.assessment_create(agency=world.agency_a, user=leader, title="Før ny versjon")
    newer = Questionnaire.objects.create(version="2099.1", title="Neste", definition=questionnaire.definition)
    later = services.assessment_create(agency=world.agency_a, user=leader, title="Etter ny versjon")
    assessment.refresh_from_db()
    assert assessment.questionnaire == questionnaire and later.questionnaire == newer


@pytest.mark.parametrize("role", ["contributor_a", "leader_b", "reviewer", "auditor"])
def test_only_the_agencys_leader_creates(world, questionnaire, role):
    with pytest.raises(PermissionDenied):
        services.assessment_create(agency=world.agency_a, user=world.users[role], title="Ikke min")
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(("title", "message"), [("   ", "navn"), ("x" * 201, "200 tegn")])
def test_it_refuses_a_bad_title(world, leader, title, message):
    with pytest.raises(ValidationError, match=message):
        services.assessment_create(agency=world.agency_a, user=leader, title=title)
    assert not Assessment.objects.exists()


def test_it_refuses_without_any_questionnaire(world):
    with pytest.raises(ValidationError, match="spørreskjemaet"):
        services.assessment_create(agency=world.agency_a, user=world.users["leader_a"], title="Tidlig")


# --- save a step ---


def test_saving_a_step_stores_the_answers_and_bumps_the_revision(world, leader):
    assessment = make_assessment(world, "Steg for steg")
    saved = save(assessment, "intro", A.complete(title="Nytt navn"), leader)
    assert saved.assessment.revision == 1
    assert saved.changed[0] == "title" and "pd_any" in saved.changed
    assert saved.assessment.answers["role"] == "buy"
    assert saved.assessment.title == "Nytt navn"
    assert saved.assessment.visited_steps == ["intro"]
    assert saved.assessment.updated_by == leader
    (event,) = events(assessment, "assessment.step_saved")
    assert event.details["section"] == "intro" and event.details["revision"] == 1
    assert "Nytt navn" not in json.dumps(event.details)  # keys in the log, never the answers


def test_a_blank_value_removes_the_answer(world, leader):
    assessment = make_assessment(world, "Blanke svar")
    save(assessment, "intro", A.complete(), leader)
    assessment.refresh_from_db()
    saved = save(assessment, "intro", A.complete(owner="  ", affected=[]), leader)
    assert "owner" not in saved.assessment.answers and "affected" not in saved.assessment.answers
    assert saved.changed == ["owner", "affected"]


def test_saving_nothing_new_changes_nothing(world, leader):
    assessment = make_assessment(world, "Uendret")
    first = save(assessment, "intro", A.complete(), leader).assessment
    again = save(first, "intro", A.complete(), leader)
    assert again.changed == [] and again.assessment.revision == first.revision
    assert len(events(assessment, "assessment.step_saved")) == 1


def changed_since_read(world, leader, title: str, problem: str):
    """Two writers: both read a draft whose intro is saved (at revision `seen`); the first then saves the need
    step with `problem`. Returns (assessment, seen) for the second, who still holds `seen`."""
    assessment = make_assessment(world, title)
    save(assessment, "intro", A.complete(), leader)
    assessment.refresh_from_db()
    seen = assessment.revision
    save(assessment, "need", A.complete(problem=problem), leader, revision=seen)
    return assessment, seen


def test_a_stale_writer_overwriting_a_changed_answer_gets_stale_draft(world, leader):
    assessment, seen = changed_since_read(world, leader, "To skrivere", "Første")
    assessment.refresh_from_db()
    with pytest.raises(StaleDraft) as caught:
        save(assessment, "need", A.complete(problem="Andre"), world.users["leader_a"], revision=seen)
    assert "problem" in caught.value.conflicts
    assessment.refresh_from_db()
    assert assessment.answers["problem"] == "Første"


def test_a_stale_writer_on_other_answers_is_merged(world, leader):
    assessment, seen = changed_since_read(world, leader, "Fletting", "Fra den ene")
    merged = save(assessment, "prohibited", A.complete(), leader, revision=seen)
    assert "problem" in merged.merged
    assert merged.assessment.answers["problem"] == "Fra den ene"
    assert merged.assessment.answers["p_manipulation"] == "no"


def test_saving_a_hidden_or_unknown_section_is_refused(world, leader):
    assessment = make_assessment(world, "Skjult")
    save(assessment, "intro", A.complete(pd_any="no"), leader)
    assessment.refresh_from_db()
    with pytest.raises(ValidationError, match="vises ikke"):
        save(assessment, "personal_data", A.complete(**A.PERSONAL_DATA), leader)
    assessment.refresh_from_db()
    assert "pd_special" not in assessment.answers


def test_a_submitted_assessment_cannot_be_saved_into(world, leader):
    assessment = make_assessment(world, "Låst", answers=A.complete(), submit=True)
    with pytest.raises(StateConflict):
        save(assessment, "intro", A.complete(title="Endret"), leader)


# --- submit ---


def test_submit_freezes_a_version_with_the_shown_answers_and_the_result(world, leader):
    answers = A.complete(pd_special="yes")  # hidden: pd_any is "no"
    assessment = make_assessment(world, "Innsending", answers=answers)
    version = services.assessment_submit(assessment=assessment, user=leader)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert version.number == 1 and version.questionnaire == assessment.questionnaire
    assert "pd_special" not in version.answers and version.answers["title"] == "Innsending"
    assert version.result["verdict"] == version.verdict == "recommended"
    assert version.result["quadrant"] == version.quadrant == "low_risk_high_need"
    (event,) = events(assessment, "assessment.submitted")
    assert event.details == {
        "version": 1,
        "questionnaire": "2026.1",
        "verdict": "recommended",
        "quadrant": "low_risk_high_need",
    }


def test_a_stop_verdict_can_be_submitted(world, leader):
    answers = A.complete(p_emotion_workplace_school="yes")
    version = services.assessment_submit(assessment=make_assessment(world, "Stopp", answers=answers), user=leader)
    assert version.verdict == "stop"


def test_submit_refuses_an_incomplete_draft(world, leader):
    answers = A.complete()
    del answers["mandate"]
    assessment = make_assessment(world, "Mangler svar", answers=answers)
    with pytest.raises(ValidationError, match="påkrevde"):
        services.assessment_submit(assessment=assessment, user=leader)
    assert not AssessmentVersion.objects.exists()
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.DRAFT


def test_only_the_leader_submits(world, leader):
    assessment = make_assessment(world, "Bidragsyter prøver", answers=A.complete(), invite=True)
    with pytest.raises(PermissionDenied):
        services.assessment_submit(assessment=assessment, user=world.users["contributor_a"])
    assert not AssessmentVersion.objects.exists()


def test_submit_refuses_a_stale_revision(world, leader):
    assessment = make_assessment(world, "Foreldet", answers=A.complete())
    save(assessment, "need", A.complete(problem="Endret"), leader)
    with pytest.raises(StaleDraft):
        services.assessment_submit(assessment=assessment, user=leader, expected_revision=0)
    assert not AssessmentVersion.objects.exists()


def test_a_returned_assessment_is_resubmitted_as_version_two(world, leader):
    assessment = make_assessment(world, "Returnert", answers=A.complete(), submit=True)
    services.assessment_return(assessment=assessment, user=world.users["reviewer"], reason="Mangler ROS.")
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.RETURNED
    save(assessment, "need", A.complete(goals="Med ROS-analyse."), leader)
    version = services.assessment_submit(assessment=assessment, user=leader)
    assert version.number == 2 and version.answers["goals"] == "Med ROS-analyse."
    assert assessment.versions.get(number=1).answers["goals"] == A.NEED["goals"]


# --- recall and withdraw ---


def test_the_leader_recalls_before_review(world, leader):
    assessment = make_assessment(world, "Hentes tilbake", answers=A.complete(), submit=True)
    services.assessment_recall(assessment=assessment, user=leader)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT
    assert events(assessment, "assessment.recalled")[0].details == {"version": 1}
    # The version stays on record; the next submission is version 2.
    assert services.assessment_submit(assessment=assessment, user=leader).number == 2


def test_recall_is_refused_after_a_decision_or_for_others(world, leader):
    assessment = make_assessment(world, "Behandlet", answers=A.complete(), submit=True)
    with pytest.raises(PermissionDenied):
        services.assessment_recall(assessment=assessment, user=world.users["contributor_a"])
    services.assessment_return(assessment=assessment, user=world.users["reviewer"], reason="Se over.")
    with pytest.raises(StateConflict):
        services.assessment_recall(assessment=assessment, user=leader)
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.RETURNED


def test_recall_of_a_draft_is_refused(world, leader):
    with pytest.raises(StateConflict):
        services.assessment_recall(assessment=make_assessment(world, "Utkast"), user=leader)


@pytest.mark.parametrize("submit", [False, True])
def test_withdraw_is_terminal(world, leader, submit):
    assessment = make_assessment(world, "Lagt bort", answers=A.complete(), submit=submit)
    services.assessment_withdraw(assessment=assessment, user=leader)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.WITHDRAWN and not assessment.is_editable
    assert events(assessment, "assessment.withdrawn")
    with pytest.raises(StateConflict):
        services.assessment_withdraw(assessment=assessment, user=leader)
    with pytest.raises(StateConflict):
        services.assessment_submit(assessment=assessment, user=leader)


def test_only_the_leader_withdraws(world, leader):
    assessment = make_assessment(world, "Ikke din", invite=True)
    with pytest.raises(PermissionDenied):
        services.assessment_withdraw(assessment=assessment, user=world.users["contributor_a"])


# --- contributors ---


def test_the_leader_invites_and_removes_a_contributor_of_the_agency(world, leader):
    assessment = make_assessment(world, "Samarbeid")
    contributor = world.users["contributor_a"]
    services.assessment_invite_contributor(assessment=assessment, user=leader, contributor=contributor)
    services.assessment_invite_contributor(assessment=assessment, user=leader, contributor=contributor)
    assert list(assessment.contributors.all()) == [contributor]
    (added,) = events(assessment, "assessment.contributor_added")
    assert added.details == {"user_id": contributor.pk}
    services.assessment_remove_contributor(assessment=assessment, user=leader, contributor=contributor)
    assert not assessment.contributors.exists()
    assert events(assessment, "assessment.contributor_removed")


@pytest.mark.parametrize("person", ["leader_b", "reviewer", "auditor"])
def test_only_contributors_of_the_same_agency_can_be_invited(world, leader, person):
    assessment = make_assessment(world, "Lukket")
    with pytest.raises(ValidationError):
        services.assessment_invite_contributor(assessment=assessment, user=leader, contributor=world.users[person])
    assert not assessment.contributors.exists()


def test_a_contributor_cannot_invite(world, leader):
    assessment = make_assessment(world, "Invitasjon", invite=True)
    with pytest.raises(PermissionDenied):
        services.assessment_invite_contributor(
            assessment=assessment, user=world.users["contributor_a"], contributor=world.users["contributor_a"]
        )


# --- the demo ---


def test_seed_demo_makes_drafts_and_submitted_assessments_across_agencies_once(db):
    from assessments import demo
    from assessments.demo.drafts import (
        BENEFIT_RANKING,
        DEMO_ASSESSMENTS,
        TEAMS_MINUTES,
        WASTE_CHATBOT,
        seed_demo_assessments,
    )
    from assessments.engine.answer_sets import SCENARIOS

    with_questionnaire = {
        "agencies": demo.seed_agencies(),
        "users": demo.seed_users(),
        "q": demo.seed_questionnaires(),
    }
    first = seed_demo_assessments(with_questionnaire["users"])
    assert first == {"created": len(DEMO_ASSESSMENTS), "submitted": 2}
    assert seed_demo_assessments(with_questionnaire["users"]) == {"created": 0, "submitted": 0}

    made = Assessment.objects.filter(title__in=[row[2]["title"] for row in DEMO_ASSESSMENTS])
    assert {a.agency.name for a in made} >= {
        "Bydel Frogner",
        "Bydel Grorud",
        "Renovasjons- og gjenvinningsetaten",
    }
    # The submitted demo cases get the advice their scenario files expect.
    for slug, answers in [("benefit_fraud_detection", BENEFIT_RANKING), ("waste_chatbot", WASTE_CHATBOT)]:
        result = made.get(title=answers["title"]).versions.get().result
        want = json.loads((SCENARIOS / f"{slug}.expected.json").read_text(encoding="utf-8"))
        assert sorted(r["id"] for r in result["hard_rules"]) == sorted(want["hard_rules"]), slug
        assert result["verdict"] == want["verdict"], slug
    minutes = made.get(title=TEAMS_MINUTES["title"])
    assert minutes.status == Assessment.Status.DRAFT and minutes.visited_steps == ["intro", "need"]
    assert minutes.contributors.filter(username="bidragsyter").exists()


# --- real concurrency (PostgreSQL) ---


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_writers_of_one_revision_never_both_win(world, questionnaire):
    require_service(connection.vendor == "postgresql", "PostgreSQL (row locks)")
    assessment = make_assessment(world, "Samtidig", answers=A.complete(), invite=True)
    seen = assessment.revision
    outcomes: dict[str, object] = {}

    def write(name: str, problem: str, user) -> None:
        try:
            current = Assessment.objects.get(pk=assessment.pk)
            services.assessment_save_step(
                assessment=current,
                section="need",
                user=user,
                expected_revision=seen,
                values=A.section_of("need", A.complete(problem=problem)),
            )
            outcomes[name] = "saved"
        except StaleDraft as exc:
            outcomes[name] = exc

    run_together(
        partial(write, "leader", "Lederens tekst", world.users["leader_a"]),
        partial(write, "contributor", "Bidragsyterens tekst", world.users["contributor_a"]),
    )
    assert sorted(map(type, outcomes.values()), key=str) == sorted([str, StaleDraft], key=str)
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    assessment.refresh_from_db()
    assert assessment.answers["problem"] == {"leader": "Lederens tekst", "contributor": "Bidragsyterens tekst"}[winner]
    assert assessment.revision == seen + 1


# --- one draft per form (creation_token) ---


def test_a_creation_token_used_again_gives_the_first_draft_not_a_second(world, leader):
    token = uuid.uuid4()
    first = services.assessment_create(agency=world.agency_a, user=leader, title="Første", creation_token=token)
    with transaction.atomic():  # the caller's transaction stays usable: the refused insert was a savepoint
        with pytest.raises(services.AlreadyCreated) as caught:
            services.assessment_create(agency=world.agency_a, user=leader, title="Andre", creation_token=token)
        assert Assessment.objects.count() == 1
    assert caught.value.assessment == first
    assert len(events(first, "assessment.created")) == 1
    other = services.assessment_create(agency=world.agency_a, user=leader, title="Uten token")
    again = services.assessment_create(agency=world.agency_a, user=leader, title="Uten token igjen")
    assert other.creation_token is None and again.creation_token is None  # no token: created as before


def test_someone_elses_creation_token_is_not_followed_to_their_draft(world, leader):
    token = uuid.uuid4()
    services.assessment_create(agency=world.agency_a, user=leader, title="Lederens", creation_token=token)
    with pytest.raises(ValidationError) as refused:
        services.assessment_create(
            agency=world.agency_b, user=world.users["leader_b"], title="Lånt token", creation_token=token
        )
    assert refused.value.code == "token_taken" and Assessment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_parallel_posts_of_one_new_assessment_form_create_one_draft(world, questionnaire):
    require_service(connection.vendor == "postgresql", "PostgreSQL (a unique insert waits for the other)")
    data = {"agency": world.agency_a.pk, "title": "Dobbeltklikk", "creation_token": str(uuid.uuid4())}
    clients = [world.client("leader_a") for _ in range(2)]  # signed in before, so the posts go at once
    answers: list[int] = []

    def post(client) -> None:
        answers.append(client.post(reverse("assessments:assessment_new"), data).status_code)

    run_together(*(partial(post, client) for client in clients))
    assert answers == [302, 302]
    assert Assessment.objects.filter(title="Dobbeltklikk").count() == 1
