"""The wizard step's form (forms/__init__.py): what it tells the page about a question shown by another answer on
the same step, which static/js/app.js reads to hide it (the browser side is in
tests/browser/test_wizard_question_branching.py)."""

import json

import pytest

from assessments.engine.loader import as_definition
from assessments.forms import section_form_class
from tests.assessment_helpers import fixture_definition

DEFN = as_definition(fixture_definition("2026.6"))


def shown_when(defn, section: str, **kwargs) -> dict[str, str]:
    form = section_form_class(defn, section)(prefix=section, **kwargs)
    return {row["question"].key: row["shown_when"] for row in form.items()}


@pytest.mark.django_db
def test_a_question_shown_by_an_answer_on_its_step_names_the_input_and_the_values():
    conditions = shown_when(DEFN, "high_risk")
    rule = json.loads(conditions["bio_remote"])
    assert rule == {"name": "high_risk-bio_recognition", "in": ["identification", "unknown"]}
    assert {key for key, value in conditions.items() if value} == {"bio_remote"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("condition", "passed"),
    [
        ({"q": "bio_recognition", "eq": "identification"}, {"eq": ["identification"]}),
        ({"q": "bio_recognition", "not_in": ["none"]}, {"not_in": ["none"]}),
        ({"q": "bio_recognition", "empty": False}, None),  # the page cannot read it: shown, as without JavaScript
        ({"any": [{"q": "bio_recognition", "eq": "identification"}]}, None),
        ({"q": "pd_any", "ne": "no"}, None),  # a question of another step: the server hides it, not the page
    ],
)
def test_only_one_comparison_with_a_question_of_the_step_is_passed_to_the_page(condition, passed):
    raw = json.loads(json.dumps(fixture_definition("2026.6")))
    section = next(s for s in raw["sections"] if s["key"] == "high_risk")
    next(q for q in section["questions"] if q["key"] == "bio_remote")["shown_when"] = condition
    value = shown_when(as_definition(raw), "high_risk")["bio_remote"]
    expected = {"name": "high_risk-bio_recognition", **passed} if passed else None
    assert (json.loads(value) if value else None) == expected
