"""The one set of realistic answer files under `fixtures/` (Django-free, like the engine), and its one loader.

- `fixtures/scenarios/<slug>.json`: planned uses whose expected advice the scenario suite checks
  (`<slug>.expected.json`); `seed_demo` shows them and the benchmarks score them.
- `fixtures/answers/<name>.json`: the baselines the tests vary with overrides (the low-risk integrated tool of
  the wizard and service tests, the all-harmless answers of the scoring tests, the browser journey's answers).

Both are answers files in the format `score_answers` and the import read (`{"questionnaire", "answers"}`), so a
question added to a new questionnaire version is answered in one place.
"""

import copy
import json
from functools import cache
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SCENARIOS = FIXTURES / "scenarios"
BASELINES = FIXTURES / "answers"


@cache
def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _answers(path: Path, overrides: dict) -> dict:
    return {**copy.deepcopy(_read(path)["answers"]), **overrides}


def scenario_answers(slug: str, **overrides) -> dict:
    """A fresh copy of the answers of scenario `slug` (e.g. "waste_chatbot" or "v2026_1/copilot_word_outlook"),
    with `overrides` (key -> value) applied."""
    return _answers(SCENARIOS / f"{slug}.json", overrides)


def scenario_questionnaire(slug: str) -> str:
    """The questionnaire version scenario `slug` was answered on."""
    return _read(SCENARIOS / f"{slug}.json")["questionnaire"]


def baseline_answers(name: str, **overrides) -> dict:
    """A fresh copy of the answers of baseline `name` (fixtures/answers/<name>.json), with `overrides` applied."""
    return _answers(BASELINES / f"{name}.json", overrides)


def baseline_questionnaire(name: str) -> str:
    """The questionnaire version baseline `name` is answered on."""
    return _read(BASELINES / f"{name}.json")["questionnaire"]
