"""Answer sets for the tests of the wizard, the services and import/export (questionnaire 2026.1).

The answers are the baseline `integrated_low_risk` (fixtures/answers/, read through
`assessments.engine.answer_sets`): every question of 2026.1 answered for a low-risk integrated tool with no
personal data. `complete(**overrides)` is its base branch; `SECTIONS[step]` a section's answers (the branch
sections too, for tests that turn a branch on). `step_post()` turns one section's answers into the POST a
browser sends for that wizard step.
"""

from pathlib import Path

from assessments.engine.answer_sets import baseline_answers
from assessments.engine.loader import as_definition, load_definition

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "questionnaire" / "2026.1"
PREFIX = "assessment_wizard"
DEFINITION = as_definition(load_definition(FIXTURE))
ALL_ANSWERS = baseline_answers("integrated_low_risk")


def section_of(step: str, answers: dict) -> dict:
    """The answers in `answers` to the questions of section `step` (as the definition lists them)."""
    return {q.key: answers[q.key] for q in DEFINITION.section(step).questions if q.key in answers}


SECTIONS = {section.key: section_of(section.key, ALL_ANSWERS) for section in DEFINITION.sections}
INTRO = SECTIONS["intro"]
NEED = SECTIONS["need"]
PERSONAL_DATA = SECTIONS["personal_data"]
GENERATIVE = SECTIONS["generative"]
# The sections a low-risk integrated tool with no personal data is asked.
BASE_STEPS = [
    "intro",
    "need",
    "prohibited",
    "high_risk",
    "equality",
    "transparency",
    "security",
    "integrated",
]


def complete(**overrides) -> dict:
    """The base answers (every section of the base branch), then `overrides` (key -> value)."""
    answers = {}
    for key in BASE_STEPS:
        answers.update(SECTIONS[key])
    answers.update(overrides)
    return answers


def step_post(step: str, values: dict, revision: int, *, action: str = "next", **extra) -> dict:
    """What a browser posts for one wizard step."""
    data = {f"{PREFIX}-current_step": step, "revision": str(revision), "action": action, **extra}
    for key, value in values.items():
        data[f"{step}-{key}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data
