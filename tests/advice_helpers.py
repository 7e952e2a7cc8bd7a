"""What the tests of each questionnaire version's corrections (tests/test_advice_<version>.py) share: an answers
file read as answers with some changed (None removes one), and scored on a definition with no answer refused; and
`Corrections`, the version corrected and the one before it, which every such module compares."""

import json
from pathlib import Path

from assessments.engine import as_definition, load_definition, score, validate_answers

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "fixtures" / "scenarios"
NOT_LISTED = {"cat_choice": "not_listed"}  # older files do not answer it; the tool is not from the overview


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


class Corrections:
    """The corrections of questionnaire `new`, each tested on it and against `old`, the version before it, which gave
    the other advice for the same answers: both definitions, the folder of the scenario files made on `new`
    (fixtures/scenarios/v<new>/), and `scored`, which scores a file on `new` unless told `old`."""

    def __init__(self, old: str, new: str, defaults: dict | None = None, new_questions: tuple = ()):
        self.old, self.new = version(old), version(new)
        self.folder = SCENARIOS / f"v{new.replace('.', '_')}"
        # Answers a file gets where it leaves them open (an older file does not answer a later question).
        self.defaults = defaults
        # Questions new in `new`: a file made on it answers them, and `old`, which has no such question, refuses them.
        self.new_questions = new_questions

    def scored(self, path: Path, definition=None, **changes):
        """The file at `path` scored on `definition` (`new` if not given) with `changes`."""
        if definition is self.old:
            changes = {**dict.fromkeys(self.new_questions), **changes}
        return scored(path, self.new if definition is None else definition, self.defaults, **changes)

    def assert_scoring_unchanged(self, rules_reading_more: tuple[str, ...] = ()) -> None:
        """`new` scores as `old` did: the same questions with the same points, method, need caps and consistency
        checks, and every hard rule with its effect and condition, except that `rules_reading_more` (keeping their id
        and effect) may read other answers."""
        old, new = self.old, self.new
        assert set(new.questions) == set(old.questions)
        for key, before in old.questions.items():
            after = new.questions[key]
            points = (after.type, after.risk, after.mitigation, after.need)
            assert points == (before.type, before.risk, before.mitigation, before.need), key
        assert new.scoring == old.scoring
        assert [(r.id, r.effect) for r in new.rules] == [(r.id, r.effect) for r in old.rules]
        unchanged = [(r.id, r.when) for r in old.rules if r.id not in rules_reading_more]
        assert [(r.id, r.when) for r in new.rules if r.id not in rules_reading_more] == unchanged
        assert [(cap.id, cap.when) for cap in new.need_caps] == [(cap.id, cap.when) for cap in old.need_caps]
        assert [(c.id, c.when, c.worse) for c in new.consistency] == [(c.id, c.when, c.worse) for c in old.consistency]
