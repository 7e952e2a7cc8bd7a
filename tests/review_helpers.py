"""Assessments for the review, register and auditor tests, made through the real services.

Answers are generated from the questionnaire definition (assessments.demo.synthetic.synthetic_answers with a
fixed seed and no risky answers), then scored for real when submitted.
"""

import random
from functools import cache
from pathlib import Path

from django.conf import settings as django_settings

from assessments import services
from assessments.demo.synthetic import synthetic_answers
from assessments.engine.loader import as_definition, load_definition
from assessments.engine.visibility import visible_answers
from assessments.models import Assessment, Questionnaire


@cache
def _definition() -> dict:
    return load_definition(Path(django_settings.BASE_DIR) / "fixtures" / "questionnaire" / "2026.1")


def questionnaire() -> Questionnaire:
    definition = _definition()
    found, _ = Questionnaire.objects.get_or_create(
        version=definition["version"], defaults={"title": definition["title"], "definition": definition}
    )
    return found


@cache
def _base_answers() -> dict:
    answers = synthetic_answers(as_definition(_definition()), random.Random(7), risky=0.0, shown_only=False)
    # A clear, harmless case: no hard rule, so the verdict follows the scores.
    answers.update({"mandate": "yes", "sec_classification": "internal", "hr_area": ["none"]})
    return answers


def answers(**changes) -> dict:
    data = {**_base_answers(), **changes}
    return visible_answers(as_definition(_definition()), data)


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


def submitted(world, title: str = "Chatbot for renovasjon", **changes) -> Assessment:
    """A draft of agency A, filled in and submitted by its leader (version 1)."""
    assessment = draft(world, title, **changes)
    services.assessment_submit(assessment=assessment, user=world.users["leader_a"])
    assessment.refresh_from_db()
    return assessment


def resubmit(world, assessment: Assessment, **changes) -> Assessment:
    """The leader revises a returned assessment and submits it again (the next version)."""
    current = dict(assessment.answers)
    current.update(changes)
    Assessment.objects.filter(pk=assessment.pk).update(answers=current, revision=assessment.revision + 1)
    assessment.refresh_from_db()
    services.assessment_submit(assessment=assessment, user=world.users["leader_a"])
    assessment.refresh_from_db()
    return assessment


def approved(world, title: str = "Copilot i Word", **changes) -> Assessment:
    assessment = submitted(world, title, **changes)
    services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    assessment.refresh_from_db()
    return assessment
