"""Questionnaire 2026.7 (docs/legal-sources.md, "Differences from 2026.6"): 2026.6 with `measure:` on the obligations
that are the same task as a measure question, and nothing else. Tested where a leader meets it: the action plan of a
submitted assessment has one item for such a pair, which reads as both and starts the re-assessment."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from assessments import services
from assessments.demo import seed_questionnaires
from assessments.engine import as_definition, load_definition
from assessments.models import Questionnaire

ROOT = Path(__file__).resolve().parents[1]
V6 = as_definition(load_definition(ROOT / "fixtures" / "questionnaire" / "2026.6"))
V7 = as_definition(load_definition(ROOT / "fixtures" / "questionnaire" / "2026.7"))
DICTATION = ROOT / "fixtures" / "scenarios" / "v2026_7" / "case_note_dictation_building_permits.json"
# Each pair read in both texts: the obligation asks for exactly what the answer the what-if names says is done.
DONE_BY = {
    "dpia": "pd_dpia",
    "clarify_legal_basis": "pd_basis",
    "data_processing_agreement": "pd_dpa",
    "ai_disclosure": "tr_disclose",
    "label_ai_content": "tr_label",
    "archive_records": "arc_records_kept",
    "management_decision": "gen_management_decision",
    "pilot_first": "gen_pilot",
    "ai_literacy_training": "ho_training",
}


def without_measures(data: dict) -> dict:
    obligations = [{k: v for k, v in o.items() if k != "measure"} for o in data["obligations"]]
    return {**data, "obligations": obligations, "version": None}


def test_2026_7_is_2026_6_with_the_obligations_measures_only():
    assert without_measures(V7.data) == without_measures(V6.data)
    assert {o.code: o.measure for o in V7.obligations if o.measure} == DONE_BY


def test_each_measure_is_one_the_what_if_may_name():
    assert all(V7.may_suggest(V7.questions[key]) for key in DONE_BY.values())


@pytest.fixture
def submitted(world):
    """The dictation scenario answered on 2026.7 and submitted by the leader."""
    seed_questionnaires()
    leader = world.users["leader_a"]
    assessment = services.assessment_create(agency=world.agency_a, user=leader, title="Tale til tekst")
    # A draft on 2026.7 (made before a newer version was published).
    assessment.questionnaire = Questionnaire.objects.get(version="2026.7")
    assessment.answers = json.loads(DICTATION.read_text(encoding="utf-8"))["answers"]
    assessment.save(update_fields=["questionnaire", "answers"])
    services.assessment_submit(assessment=assessment, user=leader)
    assessment.refresh_from_db()
    return assessment


@pytest.mark.django_db
def test_the_leader_gets_one_item_for_the_dpia_and_one_for_managements_decision(submitted):
    items = {item.key: item for item in submitted.plan_items.all()}
    assert not [key for key in items if key.startswith("measure:")]
    assert (items["obligation:dpia"].measure_key, items["obligation:dpia"].measure_value) == (
        "pd_dpia",
        "done_acceptable",
    )
    assert items["obligation:management_decision"].measure_key == "gen_management_decision"
    assert items["obligation:data_processing_agreement"].measure_key == ""


@pytest.mark.django_db
def test_the_plan_page_and_the_export_say_the_item_is_an_obligation_and_a_measure(submitted, world):
    client = world.client("leader_a")
    dpia = submitted.plan_items.get(key="obligation:dpia")
    page = client.get(reverse("assessments:plan_item", args=[submitted.uuid, dpia.pk])).content.decode()
    assert "Plikt og tiltak for lavere risiko" in page
    assert "Dette er også et tiltak fra hva om-analysen: Sørg for at svaret blir" in page.replace("&#x27;", "'")
    english = client.get(reverse("assessments:plan_item", args=[submitted.uuid, dpia.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Obligation and measure for lower risk" in english.content.decode()
    csv = client.get(reverse("assessments:plan_export_csv", args=[submitted.uuid]))
    rows = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    dpia_row = next(row for row in rows if "Vurdering av personvernkonsekvenser (DPIA)" in row)
    assert "Plikt og tiltak for lavere risiko" in dpia_row
