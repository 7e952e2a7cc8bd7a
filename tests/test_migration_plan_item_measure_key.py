"""Migration 0025_squashed_0032 (its part 0030, the question of a measure): the measures there already are get
their question from their key; obligations, which had no measure before 2026.7, keep none."""

import importlib

from django.apps import apps

from assessments.models import PlanItem
from tests.answers import complete
from tests.assessment_helpers import make_assessment

migration = importlib.import_module("assessments.migrations.0025_squashed_0032_user_and_agency_verbose_names")


def test_a_measure_gets_its_question_from_its_key_and_an_obligation_none(world):
    assessment = make_assessment(world, "Før measure_key", answers=complete(), submit=True)
    measure = PlanItem.objects.create(
        assessment=assessment, key="measure:tr_disclose", kind="measure", title="Varsle", measure_value="yes"
    )
    PlanItem.objects.update(measure_key="")

    migration.fill_measure_keys(apps, None)

    measure.refresh_from_db()
    assert measure.measure_key == "tr_disclose"
    assert not assessment.plan_items.filter(kind="obligation").exclude(measure_key="").exists()
