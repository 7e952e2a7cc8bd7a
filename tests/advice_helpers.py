"""What the tests of each questionnaire version's corrections (tests/test_advice_<version>.py) share: an answers
file read as answers with some changed (None removes one), and scored on a definition with no answer refused."""

import json
from pathlib import Path

from assessments.engine import as_definition, load_definition, score, validate_answers

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "fixtures" / "scenarios"


def version(number: str):
    """Questionnaire `number` as the engine reads it, from fixtures/questionnaire/."""
    return as_definition(load_definition(ROOT / "fixtures" / "questionnaire" / number))


def answers_of(path: Path, defaults: dict | None = None, **changes) -> dict:
    """The answers of the file at `path` over `defaults`, then `changes`."""
    data = {**(defaults or {}), **json.loads(Path(path).read_text(encoding="utf-8"))["answers"]}
    return {key: value for key, value in {**data, **changes}.items() if value is not None}


def scored(path: Path, definition, defaults: dict | None = None, **changes):
    answers, errors, _warnings = validate_answers(definition, answers_of(path, defaults, **changes))
    assert errors == {}
    return score(definition, answers)
