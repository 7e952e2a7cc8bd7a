"""The scenario suite: realistic planned uses (fixtures/scenarios/) give the advice the law and Oslo's guide give.

Each `<slug>.json` is an answers file; its `<slug>.expected.json` holds the verdict, hard rules and obligations,
derived from the law and the rules' conditions by hand. Every file is scored on questionnaire 2026.2 by the engine
and through `score_answers`; files made on 2026.1 (`v2026_1/`) are scored on 2026.2 too, and files made on 2026.3
(`v2026_3/`, the tool overview) on 2026.3. Every 2026.2 file, with the tool marked as not in the tool overview, gets
the same result on 2026.3. Scenarios that describe the same use answered honestly in different ways must get the
same verdict and hard rules.
"""

import io
import json
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.management import call_command

from assessments.demo import seed_questionnaires
from assessments.engine import as_definition, load_definition, score, validate_answers

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "fixtures" / "scenarios"
DEFINITION = as_definition(load_definition(ROOT / "fixtures" / "questionnaire" / "2026.2"))
V2026_3 = as_definition(load_definition(ROOT / "fixtures" / "questionnaire" / "2026.3"))
FILES = sorted(path for path in SCENARIOS.rglob("*.json") if not path.name.endswith(".expected.json"))
# Families of the same use answered in different ways: the file name up to the first variant suffix.
FAMILIES = {
    "copilot_word_outlook": "copilot_word_outlook",
    "spelling_aid_open_web": "spelling_aid_open_web",
    "waste_chatbot": "waste_chatbot",
    "free_transcription_health": "free_transcription_health",
    "face_recognition_school_entrance": "face_recognition_school_entrance",
    "benefit_fraud_detection": "benefit_fraud_detection",
}


def expected(path: Path) -> dict:
    return json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))


def version(path: Path) -> str:
    return "2026.3" if path.parent.name == "v2026_3" else "2026.2"


def scored(path: Path, extra: dict | None = None):
    definition = V2026_3 if version(path) == "2026.3" or extra else DEFINITION
    data = json.loads(path.read_text(encoding="utf-8"))
    answers, errors, warnings = validate_answers(definition, {**data["answers"], **(extra or {})})
    assert not errors and not warnings, (errors, warnings)
    return score(definition, answers)


def name(path: Path) -> str:
    return str(path.relative_to(SCENARIOS).with_suffix(""))


def test_the_suite_has_at_least_forty_planned_uses():
    assert len([path for path in FILES if path.parent == SCENARIOS]) >= 40
    assert [path for path in FILES if path.parent.name == "v2026_1"]


@pytest.mark.parametrize("path", FILES, ids=name)
def test_each_scenario_gets_the_advice_the_law_gives(path):
    result, want = scored(path), expected(path)
    assert result.verdict == want["verdict"]
    assert sorted(result.rule_ids) == sorted(want["hard_rules"])
    assert sorted(result.obligation_codes) == sorted(want["obligations"])
    assert want["reasoning"].strip()


@pytest.mark.parametrize(
    "path", [p for p in FILES if p.parent.name != "v2026_1" and "old_keys" not in p.name], ids=name
)
def test_each_current_scenario_is_complete(path):
    assert scored(path).missing == []


def test_the_suite_has_the_tool_overview_cases():
    on_2026_3 = {path.stem: scored(path) for path in FILES if version(path) == "2026.3"}
    assert {r.verdict for r in on_2026_3.values()} >= {"stop", "advise_against", "proceed_with_safeguards"}
    fired = {rule for result in on_2026_3.values() for rule in result.rule_ids}
    assert {rule.id for rule in V2026_3.rules if rule.id.startswith("catalogue_")} - fired <= {
        "catalogue_special_categories_not_allowed"  # tests/test_catalogue_rules.py covers it
    }


@pytest.mark.parametrize("path", [p for p in FILES if version(p) == "2026.2"], ids=name)
def test_a_tool_not_in_the_overview_gets_the_2026_2_result_on_2026_3(path):
    """`not_listed` changes nothing: the agency answers as before, for its own systems (the guide's part 2)."""
    before, after = scored(path), scored(path, {"cat_choice": "not_listed"})
    assert after.questionnaire == "2026.3"
    assert (after.verdict, after.rule_ids, after.obligation_codes) == (
        before.verdict,
        before.rule_ids,
        before.obligation_codes,
    )
    assert (after.risk, after.need, after.quadrant) == (before.risk, before.need, before.quadrant)


def test_the_same_use_answered_in_different_ways_gets_the_same_advice():
    families = defaultdict(list)
    for path in FILES:
        family = next((f for stem, f in FAMILIES.items() if path.stem.startswith(stem)), None)
        if family:
            result = scored(path)
            families[family].append((result.verdict, sorted(result.rule_ids), name(path)))
    assert set(families) == set(FAMILIES.values())
    for family, results in families.items():
        assert len(results) >= 2, family
        assert len({(verdict, tuple(rules)) for verdict, rules, _ in results}) == 1, results


@pytest.mark.django_db
def test_score_answers_gives_the_same_advice_for_every_scenario():
    seed_questionnaires()
    for path in FILES:
        out, err = io.StringIO(), io.StringIO()
        call_command("score_answers", str(path), "--questionnaire", version(path), stdout=out, stderr=err)
        summary, want = json.loads(out.getvalue()), expected(path)
        assert summary["questionnaire"] == version(path)
        assert (summary["verdict"], sorted(summary["hard_rules"]), sorted(summary["obligations"])) == (
            want["verdict"],
            sorted(want["hard_rules"]),
            sorted(want["obligations"]),
        ), name(path)
