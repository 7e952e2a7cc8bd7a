"""The one set of answer files (assessments/engine/answer_sets.py): the baselines in fixtures/answers/ are valid,
complete answers files for their questionnaire, and the loader hands out fresh copies with overrides applied.
The scenarios in fixtures/scenarios/ are checked by tests/test_scenarios.py."""

from pathlib import Path

import pytest

from assessments.engine import as_definition, load_definition, score, validate_answers
from assessments.engine.answer_sets import (
    BASELINES,
    baseline_answers,
    baseline_questionnaire,
    scenario_answers,
    scenario_questionnaire,
)

QUESTIONNAIRES = Path(__file__).resolve().parents[1] / "fixtures" / "questionnaire"
NAMES = sorted(path.stem for path in BASELINES.glob("*.json"))


def test_the_tests_baselines_are_there():
    assert {"benign", "integrated_low_risk", "journey_generative"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_a_baseline_is_a_complete_valid_answers_file_for_its_questionnaire(name):
    definition = as_definition(load_definition(QUESTIONNAIRES / baseline_questionnaire(name)))
    given = baseline_answers(name)
    assert set(given) <= set(definition.questions), set(given) - set(definition.questions)
    answers, errors, warnings = validate_answers(definition, given)
    assert errors == {}
    # Branch sections are answered on purpose (tests turn them on with an override); nothing else is off.
    assert {warning.code for warning in warnings} <= {"hidden_answer"}
    assert score(definition, answers).complete


def test_the_loader_returns_fresh_copies_with_the_overrides():
    first = baseline_answers("integrated_low_risk", title="Annen tittel")
    first["ai_kind"].append("generative")
    again = baseline_answers("integrated_low_risk")
    assert first["title"] == "Annen tittel" and again["title"] != "Annen tittel"
    assert again["ai_kind"] == ["integrated"]


def test_scenarios_come_through_the_same_loader():
    assert scenario_answers("waste_chatbot", mandate="no")["mandate"] == "no"
    assert scenario_questionnaire("v2026_1/copilot_word_outlook") == "2026.1"
