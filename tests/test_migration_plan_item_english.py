"""Migration 0025_squashed_0032 (its part 0028, plan items in English): the items there already are get their
English texts from the stored results (an obligation from the newest version whose result lists it, a measure
its why and source from the what-if)."""

import importlib

from django.apps import apps

from assessments.models import AssessmentVersion, PlanItem
from tests.answers import complete
from tests.assessment_helpers import make_assessment

migration = importlib.import_module("assessments.migrations.0025_squashed_0032_user_and_agency_verbose_names")


def test_the_backfill_takes_the_english_from_the_newest_version_that_lists_the_item(world):
    assessment = make_assessment(world, "Før engelsk", answers=complete(), submit=True)
    first = assessment.latest_version()
    result = dict(first.result)
    result["obligations"] = [
        {**o, "title_en": "Newer title"} for o in result["obligations"] if o["code"] != "inform_employee_reps"
    ]
    result["what_if"] = {"changes": [{"key": "pd_any"}], "note_en": "With «No» the risk is low."}
    AssessmentVersion.objects.create(
        assessment=assessment, number=2, questionnaire=first.questionnaire, answers=first.answers,
        result=result, verdict=first.verdict, quadrant=first.quadrant,
    )  # fmt: skip
    PlanItem.objects.create(assessment=assessment, key="measure:pd_any", kind="measure", title="Personopplysninger")
    PlanItem.objects.update(title_en="", why_en="", source_en="")

    migration.fill_english(apps, None)

    items = {item.key: item for item in assessment.plan_items.all()}
    reps = next(o for o in first.result["obligations"] if o["code"] == "inform_employee_reps")
    assert items["obligation:inform_employee_reps"].title_en == reps["title_en"]  # only version 1 lists it
    assert items["obligation:inform_employee_reps"].why_en == reps["why_en"].replace("«", "“").replace("»", "”")
    assert items["obligation:ai_literacy_training"].title_en == "Newer title"
    measure = items["measure:pd_any"]
    assert (measure.title_en, measure.why_en) == ("", "With “No” the risk is low.")
    assert measure.source_en == migration.WHAT_IF_SOURCE_EN


def test_an_item_carried_to_a_replacement_without_a_version_gets_the_texts_of_its_source(world):
    assessment = make_assessment(world, "Før engelsk, vesentlig endret", answers=complete(), submit=True)
    source = assessment.plan_items.get(key="obligation:inform_employee_reps")
    replacement = make_assessment(world, "Erstatning uten versjon")
    copy = PlanItem.objects.create(
        assessment=replacement, key=source.key, kind=source.kind, title=source.title, carried_from=source
    )
    copy_of_copy = PlanItem.objects.create(
        assessment=make_assessment(world, "Erstatning av erstatningen"), key=source.key, kind=source.kind,
        title=source.title, carried_from=copy,
    )  # fmt: skip
    PlanItem.objects.update(title_en="", why_en="", source_en="")

    migration.fill_english(apps, None)

    source.refresh_from_db()
    assert source.title_en
    for carried in (copy, copy_of_copy):
        carried.refresh_from_db()
        assert (carried.title_en, carried.why_en, carried.source_en) == (
            source.title_en,
            source.why_en,
            source.source_en,
        )


def test_a_result_without_obligations_or_what_if_leaves_the_items_blank(world):
    assessment = make_assessment(world, "Før engelsk, tomt resultat", answers=complete(), submit=True)
    AssessmentVersion.objects.filter(assessment=assessment).update(result={"obligations": None, "what_if": None})
    PlanItem.objects.update(title_en="", why_en="", source_en="")

    migration.fill_english(apps, None)

    assert not assessment.plan_items.exclude(title_en="", why_en="", source_en="").exists()
