"""Assessments for the review, register and auditor tests, made through the real services.

Answers are the baseline `integrated_low_risk` (fixtures/answers/, the same answers the wizard tests use) with
the changes a test names, then scored for real when submitted.
"""

from assessments import services
from assessments.engine.answer_sets import baseline_answers
from assessments.engine.loader import as_definition
from assessments.engine.visibility import visible_answers
from assessments.models import Assessment, Questionnaire
from tests.assessment_helpers import fixture_definition, published_questionnaire


def questionnaire() -> Questionnaire:
    return published_questionnaire()


def answers(**changes) -> dict:
    # A clear, harmless case: no hard rule, so the verdict follows the scores.
    data = baseline_answers("integrated_low_risk", **changes)
    return visible_answers(as_definition(fixture_definition()), data)


STOP = {"p_manipulation": "yes"}


def draft(world, title: str = "Chatbot for renovasjon", **changes) -> Assessment:
    questionnaire()
    leader = world.users["leader_a"]
    assessment = services.assessment_create(agency=world.agency_a, user=leader, title=title)
    data = answers(**changes)
    data["title"] = title
    Assessment.objects.filter(pk=assessment.pk).update(answers=data)
    assessment.refresh_from_db()
    return assessment


def _submit(world, assessment: Assessment) -> Assessment:
    services.assessment_submit(assessment=assessment, user=world.users["leader_a"])
    assessment.refresh_from_db()
    return assessment


def submitted(world, title: str = "Chatbot for renovasjon", **changes) -> Assessment:
    """A draft of agency A, filled in and submitted by its leader (version 1)."""
    return _submit(world, draft(world, title, **changes))


def resubmit(world, assessment: Assessment, **changes) -> Assessment:
    """The leader revises a returned assessment and submits it again (the next version)."""
    current = dict(assessment.answers)
    current.update(changes)
    Assessment.objects.filter(pk=assessment.pk).update(answers=current, revision=assessment.revision + 1)
    assessment.refresh_from_db()
    return _submit(world, assessment)


def approved(world, title: str = "Copilot i Word", **changes) -> Assessment:
    assessment = submitted(world, title, **changes)
    services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    assessment.refresh_from_db()
    return assessment


def returned_and_approved(world):
    """A version UKE commented on and returned, the agency's reply, and the second version approved."""
    assessment = submitted(world, "Chat for barnehageplass")
    reviewer, leader = world.users["reviewer"], world.users["leader_a"]
    comment = services.review_comment_add(
        assessment=assessment, user=reviewer, question_key="benefit", text="Hvordan skal gevinsten måles?"
    )
    services.review_comment_add(assessment=assessment, user=reviewer, text="Beskriv stikkprøvene.")
    services.assessment_return(assessment=assessment, user=reviewer, reason="Mangler en plan for stikkprøver.")
    services.review_comment_reply(comment=comment, user=leader, text="Vi teller saker per uke før og etter.")
    assessment = resubmit(world, assessment)
    services.review_comment_add(assessment=assessment, user=reviewer, text="Ny kommentar til versjon 2.")
    services.assessment_approve(assessment=assessment, user=reviewer, comment="Stikkprøverutinen må følges.")
    assessment.refresh_from_db()
    return assessment
