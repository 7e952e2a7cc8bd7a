"""The one set of realistic answer files, `fixtures/scenarios/<slug>.json` (Django-free, like the engine).

`seed_demo`, the tests, the browser tests and the benchmarks all read their answers from here, so a question
added to a new questionnaire version is answered in one place, and the demo shows the same planned uses whose
expected advice the scenario suite checks (`<slug>.expected.json`).
"""

import copy
import json
from functools import cache
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parents[2] / "fixtures" / "scenarios"


@cache
def _read(slug: str) -> dict:
    return json.loads((SCENARIOS / f"{slug}.json").read_text(encoding="utf-8"))


def scenario_answers(slug: str, **overrides) -> dict:
    """A fresh copy of the answers of scenario `slug` (e.g. "waste_chatbot" or "v2026_1/copilot_word_outlook"),
    with `overrides` (key -> value) applied."""
    return {**copy.deepcopy(_read(slug)["answers"]), **overrides}


def scenario_questionnaire(slug: str) -> str:
    """The questionnaire version scenario `slug` was answered on."""
    return _read(slug)["questionnaire"]
