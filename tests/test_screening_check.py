"""Publishing refuses a screening that could hide a rule, naming the rule (`engine.screening_check`, run by the
definition validator and so by `publish_questionnaire`, the admin upload and every parse)."""

import io
import shutil

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments.engine import DefinitionError, parse_definition, read_definition_data
from assessments.engine.screening import screening_for
from tests.screening_helpers import FIXTURES, raw_2026_2_with, screening_data


def problems(screening) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(raw_2026_2_with(screening))
    return caught.value.errors


def question(screening, key):
    return next(q for q in screening["questions"] if q["key"] == key)


def choice(screening, key, value):
    return next(c for c in question(screening, key)["choices"] if c["value"] == value)


def test_the_test_screening_and_the_2026_3_screening_are_accepted():
    assert screening_for(parse_definition(raw_2026_2_with(screening_data()))) is not None
    assert screening_for(parse_definition(read_definition_data(FIXTURES / "2026.3"))) is not None


def test_a_missing_question_for_a_rule_is_refused_with_the_rule_named():
    screening = screening_data()
    screening["questions"] = [q for q in screening["questions"] if q["key"] != "mandate"]
    for example in screening["examples"]:
        example["answers"].pop("mandate", None)
    found = problems(screening)
    assert any("«no_mandate»" in p and "drafting_assistant" in p and "mandate" in p for p in found), found
    assert any("«outside_mandate»" in p for p in found)


def test_an_implication_that_leaves_a_prohibited_practice_open_is_refused_with_the_rule_named():
    screening = screening_data()
    del choice(screening, "scr_prohibited", "none")["implies"]["p_intimate_imagery"]
    found = problems(screening)
    assert any("«prohibited_practice»" in p and "p_intimate_imagery" in p for p in found), found


def test_an_implication_the_full_answers_can_overrule_is_refused_with_the_rule_named():
    # "No personal data" without "so no profiling": in the full questionnaire a profiling answer makes the engine
    # read personal data in (a contradiction it resolves the worse way), and the rule on personal data in
    # generative AI could fire. The quick path would have hidden it; the example shows it cannot open.
    screening = screening_data()
    del choice(screening, "scr_personal_data", "none")["implies"]["hr_profiling"]
    found = problems(screening)
    assert any("«sensitive_input_managed_tool»" in p and "hr_profiling" in p for p in found), found


def test_implications_the_definition_calls_contradictory_are_refused_with_the_rules_named():
    screening = screening_data()
    choice(screening, "scr_personal_data", "ordinary")["implies"]["affected"] = ["children"]
    found = problems(screening)
    assert any("children_affected_not_in_data" in p and "«profiling_vulnerable_without_basis»" in p for p in found)


def test_an_example_that_should_stay_closed_but_opens_is_refused():
    screening = screening_data()
    drafting = screening["examples"][0]["answers"]
    screening["examples"].append({"name": "few_users", "opens": False, "answers": {**drafting, "users_reached": "few"}})
    found = problems(screening)
    assert found == ["screening: eksempel «few_users» skal ikke åpne hurtigsporet, men gjør det"]


ESCALATION = {"id": "x", "reason": "Grunn", "reason_en": "Reason"}


def add_choice(screening, key, new):
    question(screening, key)["choices"].append(new)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["questions"].extend(s["questions"][:1] * 1), "står to ganger"),
        (lambda s: s["questions"].append(question(s, "scr_prohibited")), "«scr_prohibited» står to ganger"),
        (lambda s: s["questions"].extend({**q, "key": f"x{i}"} for i, q in enumerate(s["questions"][:1])), "høyst 12"),
        (lambda s: choice(s, "scr_high_risk", "none")["implies"].update({"no_such_key": "no"}), "ukjent spørsmål"),
        (lambda s: choice(s, "scr_high_risk", "none")["implies"].update({"hr_product": "maybe"}), "gyldig svar"),
        (lambda s: add_choice(s, "scr_prohibited", {"value": "unsure", "implies": {"p_face_scraping": "no"}}), "bety"),
        (lambda s: choice(s, "scr_personal_data", "none")["implies"].update({"mandate": "yes"}), "fylles ut av både"),
        (lambda s: add_choice(s, "mandate", {"value": "perhaps", "label": "K", "label_en": "P"}), "svar på «mandate»"),
        (lambda s: s.update({"examples": []}), "opens: true"),
        (lambda s: s["escalate"].append({**ESCALATION, "when": {"q": "nope", "eq": 1}}), "ukjent spørsmål «nope»"),
        (lambda s: question(s, "mandate").pop("label_en"), "label_en mangler"),
        (lambda s: s.update({"colour": "blue"}), "ukjent felt «colour»"),
    ],
    ids=[
        "duplicate", "duplicate-screening-only", "thirteen", "unknown-key", "invalid-value", "unsure-implies",
        "overlap", "foreign-choice", "no-example", "escalation-key", "no-english", "unknown-field",
    ],
)  # fmt: skip
def test_structural_problems_are_refused(change, expected):
    screening = screening_data()
    change(screening)
    found = problems(screening)
    assert any(expected in p for p in found), found


def test_more_than_twelve_questions_are_refused():
    screening = screening_data()
    extra = {
        **question(screening, "mandate"),
        "key": "scr_extra",
        "choices": [{"value": "a", "label": "A", "label_en": "A"}],
    }
    screening["questions"].append(extra)
    assert any("høyst 12 spørsmål, fant 13" in p for p in problems(screening))


def test_publish_questionnaire_refuses_a_folder_whose_screening_hides_a_rule(tmp_path):
    folder = tmp_path / "2026.9"
    folder.mkdir()
    for name in ("sections.yaml", "rules.yaml"):
        shutil.copy(FIXTURES / "2026.2" / name, folder / name)
    screening = screening_data()
    del choice(screening, "scr_prohibited", "none")["implies"]["p_manipulation"]
    (folder / "screening.yaml").write_text(yaml.safe_dump({"screening": screening}, allow_unicode=True), "utf-8")
    stderr = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("publish_questionnaire", str(folder), stderr=stderr)
    assert caught.value.returncode == 2
    assert "«prohibited_practice»" in stderr.getvalue()
