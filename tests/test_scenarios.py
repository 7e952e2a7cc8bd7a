"""The scenario suite: realistic planned uses (fixtures/scenarios/) give the advice the law and Oslo's guide give.

Each `<slug>.json` is an answers file; its `<slug>.expected.json` holds the verdict, hard rules and obligations,
derived from the law and the rules' conditions by hand. Every file is scored on questionnaire 2026.2 by the engine
and through `score_answers`; files made on 2026.1 (`v2026_1/`) are scored on 2026.2 too, and files made on 2026.3
(`v2026_3/`, the tool overview) on 2026.3. Every 2026.2 file, with the tool marked as not in the tool overview, gets
the same result on 2026.3. Files made on 2026.4 (`v2026_4/`, the fixes of docs/legal-sources.md "Differences from
2026.3") are scored on 2026.4, and every older file gets its 2026.3 result on 2026.4 too, except the few the fixes
change, each of which has a `v2026_4/` copy with its new expected result. Files made on 2026.5 (`v2026_5/`, the fixes
of "Differences from 2026.4") are scored on 2026.5, and every 2026.2, 2026.3 and 2026.4 file gets its 2026.4 result on
2026.5 too. None of those files answers the new question `bio_remote` (whether a biometric identification happens
without the person taking part). It is not filled in for them: a file that answers `bio_recognition` "identification"
leaves `bio_remote` unanswered on 2026.5, and an unanswered `bio_remote` counts as remote identification (like
"don't know"), so such a file keeps its 2026.4 result and only reports `bio_remote` as missing. No older file therefore
changes on 2026.5; the corrections show in the `v2026_5/` files and the tests below. Files made on 2026.6 (`v2026_6/`,
the fixes of "Differences from 2026.5") are scored on 2026.6, and every older file gets its 2026.5 result on 2026.6
too, except the few the fixes change (`CHANGED_ON_2026_6`; tests/test_advice_2026_6.py has the rest). 2026.7 changes
no result, only which obligations are done by a measure (`measure:`, for the action plan): every older file gets
exactly its 2026.6 result on 2026.7, and a `v2026_7/` file's expected result also names its plan's items (`plan`: item
key -> the measure question an obligation's item carries). Files made on 2026.8 (`v2026_8/`, the fixes of "Differences
from 2026.7") are scored on 2026.8, and every older file gets its 2026.7 advice on 2026.8 too, except the few the fixes
change (`CHANGED_ON_2026_8`), each of which has a `v2026_8/` copy with its new expected result;
tests/test_advice_2026_8.py has the rest. Files made on 2026.9 (`v2026_9/`, "Differences from 2026.8") are scored on
2026.9, and every older file gets its 2026.8 advice on 2026.9 (`CHANGED_ON_2026_9` is empty: the new questions are
unanswered there and fire nothing; tests/test_advice_2026_9.py has the rest). Files made on 2026.10 (`v2026_10/`,
"Differences from 2026.9") are scored on 2026.10, and every older file gets its 2026.9 advice on 2026.10, except the
few the fixes change (`CHANGED_ON_2026_10`), each of which has a `v2026_10/` copy with its new expected result (a
file whose prompts may hold confidential information without personal data reports the new `gen_vendor_train` as
missing); tests/test_advice_2026_10.py has the rest. Files made on 2026.11 to 2026.15 (`v2026_11/` to `v2026_15/`)
follow the same pattern (`CHANGED_ON_2026_11` to `CHANGED_ON_2026_15`; tests/test_advice_2026_11.py to
tests/test_advice_2026_15.py). Scenarios that describe the same use answered honestly in different ways must get the
same verdict and hard rules.
"""

import io
import json
from collections import defaultdict
from collections.abc import Set
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command

from assessments.demo import seed_questionnaires
from assessments.engine import as_definition, load_definition, score, validate_answers, visible_section_keys
from assessments.models import AssessmentVersion, Questionnaire
from assessments.services import plan_wanted

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "fixtures" / "scenarios"
# Every version a scenario file can be made on, oldest first.
VERSIONS = tuple(f"2026.{minor}" for minor in range(2, 16))
BY_VERSION = {
    number: as_definition(load_definition(ROOT / "fixtures" / "questionnaire" / number)) for number in VERSIONS
}
DEFINITION, V2026_3, V2026_4, V2026_5 = (BY_VERSION[number] for number in VERSIONS[:4])
# The versions that hide the FRIA step while a prohibited practice stops the use (2026.4 on).
FROM_2026_4 = VERSIONS[VERSIONS.index("2026.4") :]
FILES = sorted(path for path in SCENARIOS.rglob("*.json") if not path.name.endswith(".expected.json"))
# Families of the same use answered in different ways: the file name up to the first variant suffix.
FAMILIES = {
    "copilot_word_outlook": "copilot_word_outlook",
    "spelling_aid_open_web": "spelling_aid_open_web",
    "waste_chatbot": "waste_chatbot",
    "free_transcription_health": "free_transcription_health",
    "face_recognition_school_entrance": "face_recognition_school_entrance",
    "benefit_fraud_detection": "benefit_fraud_detection",
    # 2026.4: an automated decision cannot claim the art. 6(3) exemption (consistency check).
    "automated_fee_reduction_with_basis": "automated_fee_reduction_with_basis",
}
# Files whose advice 2026.4 changes (a stop no longer lists the high-risk deployment duties; an image generator gets
# the supplier check). Each has a copy with the same answers in v2026_4/ holding the new expected result.
CHANGED_ON_2026_4 = {"social_scoring_housing", "emotion_recognition_pupils", "campaign_image_generation"}


def expected(path: Path) -> dict:
    return json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))


def version(path: Path) -> str:
    folders = {
        "v2026_3": "2026.3",
        "v2026_4": "2026.4",
        "v2026_5": "2026.5",
        "v2026_6": "2026.6",
        "v2026_7": "2026.7",
        "v2026_8": "2026.8",
        "v2026_9": "2026.9",
        "v2026_10": "2026.10",
        "v2026_11": "2026.11",
        "v2026_12": "2026.12",
        "v2026_13": "2026.13",
        "v2026_14": "2026.14",
        "v2026_15": "2026.15",
    }
    return folders.get(path.parent.name, "2026.2")


def scored(path: Path, extra: dict | None = None, on: str | None = None):
    definition = BY_VERSION[on or ("2026.3" if extra and version(path) == "2026.2" else version(path))]
    data = json.loads(path.read_text(encoding="utf-8"))
    answers, errors, warnings = validate_answers(definition, {**data["answers"], **(extra or {})})
    if on in FROM_2026_4 and version(path) not in FROM_2026_4:
        # An older file may answer a step 2026.4 hides (the FRIA step while a prohibited practice stops the use).
        warnings = [w for w in warnings if w.code != "hidden_answer"]
    assert not errors and not warnings, (errors, warnings)
    return score(definition, answers)


def advice(result) -> tuple:
    """What a leader is told: the verdict, the rules and duties, and where the scores put the use."""
    return (result.verdict, result.rule_ids, result.obligation_codes, result.risk, result.need, result.quadrant)


def hidden_on_2026_4(answers: dict) -> set:
    _, _, warnings = validate_answers(V2026_4, answers)
    return {w.params["key"] for w in warnings if w.code == "hidden_answer"}


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
    assert advice(after) == advice(before)


def test_the_same_use_answered_in_different_ways_gets_the_same_advice():
    """On one questionnaire version: a later version may add a rule to the whole family (2026.8's
    vendor_training_unclarified to free_transcription_health_*), and its copies then agree among themselves."""
    families = defaultdict(list)
    for path in FILES:
        family = next((f for stem, f in FAMILIES.items() if path.stem.startswith(stem)), None)
        if family:
            result = scored(path)
            families[family, result.questionnaire].append((result.verdict, sorted(result.rule_ids), name(path)))
    assert {family for family, _version in families} == set(FAMILIES.values())
    for family in FAMILIES.values():
        assert sum(len(results) for (f, _v), results in families.items() if f == family) >= 2, family
    for results in families.values():
        assert len({(verdict, tuple(rules)) for verdict, rules, _ in results}) == 1, results


@pytest.mark.parametrize("path", [p for p in FILES if version(p) in ("2026.2", "2026.3")], ids=name)
def test_an_older_file_gets_its_2026_3_result_on_2026_4_unless_a_fix_changes_it(path):
    extra = {"cat_choice": "not_listed"} if version(path) == "2026.2" else {}
    before, after = scored(path, extra, on="2026.3"), scored(path, extra, on="2026.4")
    assert after.questionnaire == "2026.4"
    assert (after.risk, after.need, after.quadrant) == (before.risk, before.need, before.quadrant)
    if path.stem in CHANGED_ON_2026_4 and version(path) == "2026.2":
        copy = SCENARIOS / "v2026_4" / path.name
        answers = {"cat_choice": "not_listed", **json.loads(path.read_text(encoding="utf-8"))["answers"]}
        hidden = hidden_on_2026_4(answers)
        assert json.loads(copy.read_text(encoding="utf-8"))["answers"] == {
            key: value for key, value in answers.items() if key not in hidden
        }
        assert (after.verdict, after.rule_ids) == (before.verdict, before.rule_ids)
        assert after.obligation_codes != before.obligation_codes
    else:
        assert advice(after) == advice(before)


def test_the_suite_has_the_2026_4_fixes():
    on_2026_4 = {path.stem: scored(path) for path in FILES if version(path) == "2026.4"}
    fired = {code for result in on_2026_4.values() for code in result.obligation_codes}
    assert {"automated_decision_special_categories", "image_generator_safeguards"} <= fired
    checks = {check["id"] for result in on_2026_4.values() for check in result.to_dict()["consistency"]}
    assert "automated_decision_claims_exemption" in checks
    not_ai = on_2026_4["rule_based_fee_calculator_not_ai"]
    assert not {"ai_act_high_risk", "prohibited_practice"} & set(not_ai.rule_ids)
    assert "automated_decision" in not_ai.rule_ids
    assert "ai_act_high_risk" in on_2026_4["rule_based_fee_calculator_ai_unknown"].rule_ids
    # "Not AI" with a prohibited practice not ruled out: the check reads is_ai as "don't know", and the stop stays.
    practice = on_2026_4["rule_based_fee_calculator_not_ai_practice_unknown"]
    assert "prohibited_practice_said_not_ai" in {check["id"] for check in practice.to_dict()["consistency"]}
    assert practice.verdict == "stop" and "prohibited_practice" in practice.rule_ids


V4_DIR = SCENARIOS / "v2026_4"
NOT_AI = V4_DIR / "rule_based_fee_calculator_not_ai.json"
AI_UNKNOWN = V4_DIR / "rule_based_fee_calculator_ai_unknown.json"


def checks(result) -> set:
    return {check["id"] for check in result.to_dict()["consistency"]}


@pytest.mark.parametrize(("path", "is_ai"), [(NOT_AI, False), (AI_UNKNOWN, True)], ids=["not_ai", "ai_unknown"])
def test_the_ai_act_rules_and_duties_follow_is_ai_on_2026_4(path, is_ai):
    """Each AI Act condition of 2026.4 is gated by is_ai: off for "no", on for "don't know" (the same use)."""
    product = scored(path, {"hr_product": "yes"}, on="2026.4")
    assert ("ai_act_product_component" in product.rule_ids) is is_ai
    provider = scored(path, {"role": "commission", "citizen_facing": "yes"}, on="2026.4")
    assert ("provider_transparency" in provider.obligation_codes) is is_ai
    assert ("provider_role_check" in provider.obligation_codes) is is_ai
    # Generated content that is published (ai_kind stays "integrated", so no check reads is_ai differently).
    content = scored(path, {"generates_content": "yes", "gen_output_use": "published"}, on="2026.4")
    assert ("label_ai_content" in content.obligation_codes) is is_ai
    answers = json.loads(path.read_text(encoding="utf-8"))["answers"]
    assert ("fria" in visible_section_keys(V2026_4, answers)) is is_ai
    identification = {**answers, "bio_recognition": "identification"}
    assert ("fria" in visible_section_keys(V2026_4, identification)) is is_ai


def test_a_generative_tool_said_not_ai_is_read_as_ai_on_2026_4():
    result = scored(V4_DIR / "campaign_image_generation.json", {"is_ai": "no"}, on="2026.4")
    assert "generative_ai_said_not_ai" in checks(result)
    assert "label_ai_content" in result.obligation_codes


@pytest.mark.parametrize("practice", ["yes", "unknown"])
def test_not_ai_does_not_drop_a_prohibited_practice_on_2026_4(practice):
    result = scored(NOT_AI, {"p_manipulation": practice}, on="2026.4")
    assert "prohibited_practice_said_not_ai" in checks(result)
    assert result.verdict == "stop" and "prohibited_practice" in result.rule_ids
    assert "prohibited_practice_said_not_ai" not in checks(scored(NOT_AI, on="2026.4"))
    # The contradiction names the answers that make it, not every practice the check looks at (the wizard
    # shows it at those questions only).
    (check,) = [c for c in result.to_dict()["consistency"] if c["id"] == "prohibited_practice_said_not_ai"]
    assert check["questions"] == ["is_ai", "p_manipulation"]


def test_a_stop_hides_the_fria_step_on_2026_4():
    for stem in (
        "social_scoring_housing",
        "emotion_recognition_pupils",
        "rule_based_fee_calculator_not_ai_practice_unknown",
    ):
        answers = json.loads((V4_DIR / f"{stem}.json").read_text(encoding="utf-8"))["answers"]
        assert "fria" not in visible_section_keys(V2026_4, answers), stem
        assert "prohibited_practice" in score(V2026_4, answers).rule_ids


def test_the_art_6_3_check_needs_an_annex_iii_area_on_2026_4():
    claimed = {"hr_exempt": "narrow_procedural"}
    assert "automated_decision_claims_exemption" in checks(scored(NOT_AI, claimed, on="2026.4"))
    no_area = scored(NOT_AI, {**claimed, "hr_area": ["none"]}, on="2026.4")
    assert "automated_decision_claims_exemption" not in checks(no_area)


def test_art_22_4_covers_special_categories_not_ruled_out_on_2026_4():
    path = V4_DIR / "automated_transport_card_health_data.json"
    assert (
        "automated_decision_special_categories" in scored(path, {"pd_special": "unknown"}, on="2026.4").obligation_codes
    )


@pytest.mark.parametrize("path", [p for p in FILES if version(p) in ("2026.2", "2026.3", "2026.4")], ids=name)
def test_an_older_file_gets_its_2026_4_result_on_2026_5(path):
    """No older file answers `bio_remote`; unanswered, it counts as remote identification (the module docstring)."""
    extra = {"cat_choice": "not_listed"} if version(path) == "2026.2" else {}
    before, after = scored(path, extra, on="2026.4"), scored(path, extra, on="2026.5")
    assert after.questionnaire == "2026.5"
    assert advice(after) == advice(before)
    identifies = json.loads(path.read_text(encoding="utf-8"))["answers"].get("bio_recognition") == "identification"
    assert set(after.missing) - set(before.missing) == ({"bio_remote"} if identifies else set())


def test_the_suite_has_the_2026_5_fixes():
    on_2026_5 = {path.stem: scored(path) for path in FILES if version(path) == "2026.5"}
    # A fingerprint reader the employee puts a finger on identifies, but not remotely: no Annex III point 1(a),
    # no FRIA; the special-category consequences of the GDPR stay.
    fingerprint = on_2026_5["fingerprint_time_clock_identification"]
    assert "ai_act_high_risk" not in fingerprint.rule_ids
    assert not {"fria", "eu_database_registration"} & set(fingerprint.obligation_codes)
    assert "special_categories_without_basis" in fingerprint.rule_ids and "dpia" in fingerprint.obligation_codes
    # A camera that recognises employees as they pass: remote identification, high-risk, FRIA shown.
    camera = on_2026_5["face_recognition_staff_entrance_time_clock"]
    assert "ai_act_high_risk" in camera.rule_ids and "fria" in camera.obligation_codes
    answers = json.loads((SCENARIOS / "v2026_5" / "face_recognition_staff_entrance_time_clock.json").read_text())
    assert "fria" in visible_section_keys(V2026_5, answers["answers"])
    # Software that is itself a medical device: art. 6(1).
    assert "ai_act_product_component" in on_2026_5["wound_assessment_medical_device_software"].rule_ids


# Files whose advice 2026.6 changes, each by one obligation (docs/legal-sources.md, "Differences from 2026.5"): the
# school-entrance camera with the biometrics area ticked (both copies) is told of art. 50(3) (it may also read
# emotions), and the rule-based fee calculator (not AI) is no longer asked who is responsible for AI in a shared system.
CHANGED_ON_2026_6 = {
    "face_recognition_school_entrance_old_keys": ({"inform_biometric_exposure"}, set()),
    "v2026_1/face_recognition_school_entrance": ({"inform_biometric_exposure"}, set()),
    "v2026_4/rule_based_fee_calculator_not_ai": (set(), {"shared_system_responsibility"}),
}


@pytest.mark.parametrize("path", [p for p in FILES if version(p) in ("2026.2", "2026.3", "2026.4", "2026.5")], ids=name)
def test_an_older_file_gets_its_2026_5_result_on_2026_6_unless_a_fix_changes_it(path):
    extra = {"cat_choice": "not_listed"} if version(path) == "2026.2" else {}
    before, after = scored(path, extra, on="2026.5"), scored(path, extra, on="2026.6")
    assert after.questionnaire == "2026.6"
    added, dropped = CHANGED_ON_2026_6.get(name(path), (set(), set()))
    assert set(after.obligation_codes) - set(before.obligation_codes) == added
    assert set(before.obligation_codes) - set(after.obligation_codes) == dropped
    assert advice(after)[:2] == advice(before)[:2] and advice(after)[3:] == advice(before)[3:]
    assert after.missing == before.missing


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in FILES
        if version(p)
        not in ("2026.7", "2026.8", "2026.9", "2026.10", "2026.11", "2026.12", "2026.13", "2026.14", "2026.15")
    ],
    ids=name,
)
def test_an_older_file_gets_exactly_its_2026_6_result_on_2026_7(path):
    extra = {"cat_choice": "not_listed"} if version(path) == "2026.2" else {}
    before, after = scored(path, extra, on="2026.6").to_dict(), scored(path, extra, on="2026.7").to_dict()
    assert (before.pop("questionnaire"), after.pop("questionnaire")) == ("2026.6", "2026.7")
    assert after == before


@pytest.mark.parametrize("path", [p for p in FILES if "plan" in expected(p)], ids=name)
def test_the_plan_has_one_item_for_an_obligation_and_the_measure_that_does_it(path):
    """The items the plan makes of the result (services/plan_wanted.wanted_items), as the expected file names them."""
    questionnaire = Questionnaire(version=version(path), definition=BY_VERSION[version(path)].data)
    wanted = plan_wanted.wanted_items(AssessmentVersion(questionnaire=questionnaire, result=scored(path).to_dict()))
    assert {key: fields["measure_key"] for key, fields in wanted.items()} == expected(path)["plan"]


def test_the_suite_has_a_2026_7_plan_with_merged_items():
    merged = [key for path in FILES for key in expected(path).get("plan", {}).values() if key]
    assert len(merged) >= 2


# Files whose advice 2026.8 changes (docs/legal-sources.md, "Differences from 2026.7"), each with a copy of the same
# answers in v2026_8/ (the FRIA step left out as 2026.4 hides it, gen_management_decision answered) holding its 2026.8
# result: confidential input without personal data has its own rule and asks for management's decision; a stop no
# longer lists the high-risk branches of human oversight and informing the people affected; a solution that is not AI
# is not told the guide's bullet on reporting AI-made fraud.
CHANGED_ON_2026_8 = {
    "classified_preparedness_plans": "classified_preparedness_plans",
    "tool_not_decided_internal_reports": "tool_not_decided_internal_reports",
    "emotion_recognition_pupils": "emotion_recognition_pupils",
    "v2026_4/emotion_recognition_pupils": "emotion_recognition_pupils",
    "social_scoring_housing": "social_scoring_housing",
    "v2026_4/social_scoring_housing": "social_scoring_housing",
    "v2026_6/citizen_letter_templates_not_ai": "citizen_letter_templates_not_ai",
    # The vendor's training not known: vendor_training_unclarified.
    "free_transcription_health_generative": "free_transcription_health_generative",
    "free_transcription_health_integrated_only": "free_transcription_health_integrated_only",
    "v2026_1/free_transcription_health_integrated_only": "free_transcription_health_integrated_only_old_keys",
    "free_transcription_health_no_sensitive_input": "free_transcription_health_no_sensitive_input",
    "honest_unknowns_building_permits": "honest_unknowns_building_permits",
}
# The fixes that add a required question: an older file leaves gen_management_decision unanswered.
NEWLY_MISSING_ON_2026_8 = {"classified_preparedness_plans": ["gen_management_decision"]}
NEWLY_MISSING_ON_2026_8["tool_not_decided_internal_reports"] = ["gen_management_decision"]


def consistency_ids(result) -> list:
    return sorted(check["id"] for check in result.to_dict()["consistency"])


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in FILES
        if version(p) not in ("2026.8", "2026.9", "2026.10", "2026.11", "2026.12", "2026.13", "2026.14", "2026.15")
    ],
    ids=name,
)
def test_an_older_file_gets_its_2026_7_advice_on_2026_8_unless_a_fix_changes_it(path):
    extra = {"cat_choice": "not_listed"} if version(path) == "2026.2" else {}
    before, after = scored(path, extra, on="2026.7"), scored(path, extra, on="2026.8")
    assert after.questionnaire == "2026.8"
    assert advice(after)[3:] == advice(before)[3:]
    assert consistency_ids(after) == consistency_ids(before)
    assert after.missing == before.missing + NEWLY_MISSING_ON_2026_8.get(name(path), [])
    if name(path) in CHANGED_ON_2026_8:
        copy = SCENARIOS / "v2026_8" / f"{CHANGED_ON_2026_8[name(path)]}.json"
        want = expected(copy)
        assert after.verdict == before.verdict == want["verdict"]
        assert (sorted(after.rule_ids), sorted(after.obligation_codes)) == (want["hard_rules"], want["obligations"])
        assert advice(after)[1:3] != advice(before)[1:3]
        answers = {**extra, **json.loads(path.read_text(encoding="utf-8"))["answers"]}
        copied = json.loads(copy.read_text(encoding="utf-8"))["answers"]
        hidden = hidden_on_2026_4(answers)
        assert {key: value for key, value in answers.items() if key not in hidden}.items() <= copied.items()
    else:
        assert advice(after)[:3] == advice(before)[:3]


@dataclass(frozen=True)
class Fixes:
    """What the fixes of questionnaire `newer` ("Differences from" the version before it) may change in an older
    file's advice."""

    newer: str
    # The older files whose advice a fix changes (by name()), each with the name of its copy in v<newer>/, which
    # holds the same answers and the new expected result.
    changed: dict[str, str]
    # The rules a fix adds to a changed file, and those it may take away.
    added_rules: Set[str] = frozenset()
    dropped_rules: Set[str] = frozenset()
    # The obligations a fix adds to a changed file without adding a rule (2026.13: an obligation reads one more answer).
    added_obligations: Set[str] = frozenset()
    # Questions new in `newer` that an older file leaves unanswered where they are required (unanswered, they fire
    # nothing), and consistency checks that may flag an older file without changing its advice.
    new_questions: Set[str] = frozenset()
    new_checks: Set[str] = frozenset()
    # New consistency checks whose worse reading takes mitigation points away (check id -> the answers a copy of a file
    # it flags gives instead of the older file's, as the new help texts say is honest; 2026.15: a chatbot's fact check
    # and review). A file they flag keeps its rules and verdict, but its risk score may rise (never fall).
    reanswered: dict[str, dict] = field(default_factory=dict)

    @property
    def older(self) -> str:
        """The version before `newer`, whose advice an older file keeps unless a fix changes it."""
        versions = list(BY_VERSION)
        return versions[versions.index(self.newer) - 1]


def assert_advice_kept_unless_fixed(path: Path, fixes: Fixes) -> tuple:
    """The file at `path` gets its advice on `fixes.older` on `fixes.newer` too, unless a fix changes it: then only by
    the rules the fixes add (or may take away), and its copy holds its answers and the new result. Returns the result
    on the older version and on the newer."""
    extra = {"cat_choice": "not_listed"} if version(path) == "2026.2" else {}
    before, after = scored(path, extra, on=fixes.older), scored(path, extra, on=fixes.newer)
    assert after.questionnaire == fixes.newer
    assert set(before.missing) <= set(after.missing)
    assert set(after.missing) - set(before.missing) <= fixes.new_questions
    assert set(consistency_ids(before)) <= set(consistency_ids(after))
    assert set(consistency_ids(after)) - set(consistency_ids(before)) <= fixes.new_checks
    if name(path) not in fixes.changed:
        assert advice(after) == advice(before)
        return before, after
    assert advice(after)[:3] != advice(before)[:3]
    added, dropped = set(after.rule_ids) - set(before.rule_ids), set(before.rule_ids) - set(after.rule_ids)
    assert added <= fixes.added_rules
    assert dropped <= fixes.dropped_rules
    # A fix that changes a file adds a rule, except one that adds only a duty (2026.13: label_ai_content; 2026.14:
    # privacy_notice, label_ai_content and unchecked_generated_output).
    assert added or fixes.added_obligations
    if not added and not dropped:
        # Only the duties change: by those a fix adds without a rule, and the verdict and scores stay (2026.15: the
        # risk score may rise where a new check takes mitigation points away).
        gained = set(after.obligation_codes) - set(before.obligation_codes)
        assert gained and gained <= fixes.added_obligations
        assert set(before.obligation_codes) <= set(after.obligation_codes)
        assert after.verdict == before.verdict
        if set(fixes.reanswered) & (set(consistency_ids(after)) - set(consistency_ids(before))):
            assert after.risk["score"] >= before.risk["score"] and advice(after)[4] == advice(before)[4]
        else:
            assert advice(after)[3:] == advice(before)[3:]
    copy = SCENARIOS / f"v{fixes.newer.replace('.', '_')}" / f"{fixes.changed[name(path)]}.json"
    answers = {**extra, **json.loads(path.read_text(encoding="utf-8"))["answers"]}
    answers = reanswer(answers, after, fixes)
    want = assert_copy_holds(path, answers, copy, before, after)
    # A rule a fix takes away is not in the new expected result.
    assert not dropped & set(want["hard_rules"])
    return before, after


# Files whose advice 2026.9 changes ("Differences from 2026.8"): none. Both corrections read a new question no older
# file answers, and an unanswered question fires nothing; the uses they change are the new files in v2026_9/. Only
# fv_human_assessment becomes missing, where decision support concerns people (its required_when).
CHANGED_ON_2026_9: dict[str, str] = {}
FIXES_2026_9 = Fixes("2026.9", CHANGED_ON_2026_9, new_questions={"fv_human_assessment"})
PEOPLE = {"employees", "residents", "children", "vulnerable_groups"}


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in FILES
        if version(p) not in ("2026.9", "2026.10", "2026.11", "2026.12", "2026.13", "2026.14", "2026.15")
    ],
    ids=name,
)
def test_an_older_file_gets_its_2026_8_advice_on_2026_9(path):
    before, after = assert_advice_kept_unless_fixed(path, FIXES_2026_9)
    assert consistency_ids(after) == consistency_ids(before)
    answers = json.loads(path.read_text(encoding="utf-8"))["answers"]
    about_people = answers.get("decision_role") == "decision_support" and PEOPLE & set(answers.get("affected") or [])
    assert set(after.missing) - set(before.missing) == ({"fv_human_assessment"} if about_people else set())


# Files whose advice 2026.10 changes ("Differences from 2026.9"), each with a copy of the same answers in v2026_10/
# (the newest copy of the use, with cat_choice answered; honest_unknowns_building_permits also answers 2026.9's
# fv_human_assessment and tool_not_decided_internal_reports 2026.10's gen_vendor_train, both "don't know") holding its
# 2026.10 result: a data processing agreement answered as missing (no_data_processing_agreement), a tool not chosen
# yet that no longer stops (tool_not_chosen), and unknown hosting with personal data (hosting_unclarified).
CHANGED_ON_2026_10 = {
    "free_transcription_health_generative": "free_transcription_health_generative",
    "v2026_8/free_transcription_health_generative": "free_transcription_health_generative",
    "free_transcription_health_integrated_only": "free_transcription_health_integrated_only",
    "v2026_8/free_transcription_health_integrated_only": "free_transcription_health_integrated_only",
    "v2026_1/free_transcription_health_integrated_only": "free_transcription_health_integrated_only_old_keys",
    "v2026_8/free_transcription_health_integrated_only_old_keys": "free_transcription_health_integrated_only_old_keys",
    "free_transcription_health_no_sensitive_input": "free_transcription_health_no_sensitive_input",
    "v2026_8/free_transcription_health_no_sensitive_input": "free_transcription_health_no_sensitive_input",
    "v2026_8/transcription_app_without_municipal_agreement": "transcription_app_without_municipal_agreement",
    "v2026_7/case_note_dictation_building_permits": "case_note_dictation_building_permits",
    "mail_sorting_hosting_unknown": "mail_sorting_hosting_unknown",
    "honest_unknowns_building_permits": "honest_unknowns_building_permits",
    "v2026_8/honest_unknowns_building_permits": "honest_unknowns_building_permits",
    "tool_not_decided_internal_reports": "tool_not_decided_internal_reports",
    "v2026_8/tool_not_decided_internal_reports": "tool_not_decided_internal_reports",
}
NEW_ON_2026_10 = {"no_data_processing_agreement", "tool_not_chosen", "hosting_unclarified"}
# The only rule a fix takes away is the stop for a tool not chosen. The one new question, gen_vendor_train, is required
# where prompts may hold confidential information without personal data.
FIXES_2026_10 = Fixes(
    "2026.10",
    CHANGED_ON_2026_10,
    added_rules=NEW_ON_2026_10,
    dropped_rules={"sensitive_input_unmanaged_tool"},
    new_questions={"gen_vendor_train"},
)


@pytest.mark.parametrize(
    "path",
    [p for p in FILES if version(p) not in ("2026.10", "2026.11", "2026.12", "2026.13", "2026.14", "2026.15")],
    ids=name,
)
def test_an_older_file_gets_its_2026_9_advice_on_2026_10_unless_a_fix_changes_it(path):
    before, after = assert_advice_kept_unless_fixed(path, FIXES_2026_10)
    assert consistency_ids(after) == consistency_ids(before)
    answers = json.loads(path.read_text(encoding="utf-8"))["answers"]
    asked = answers.get("pd_any") == "no" and answers.get("gen_sensitive_input", "no") != "no"
    assert set(after.missing) - set(before.missing) == ({"gen_vendor_train"} if asked else set())


def reanswer(answers: dict, after, fixes: Fixes) -> dict:
    """The older file's answers as its copy must hold them: where a check of `fixes.reanswered` flags the file, with
    the answers the copy gives instead."""
    out = dict(answers)
    for check in consistency_ids(after):
        out.update(fixes.reanswered.get(check, {}))
    return out


def assert_copy_holds(path: Path, answers: dict, copy: Path, before, after) -> dict:
    """The copy of an older file whose advice a fix changes: it holds the older file's answers (less the FRIA step
    2026.4 hides, plus answers the older file leaves open), and its expected result has what the fix added; where
    it adds no answer, the expected result is the older file's result on the new version. Returns that result."""
    copied = json.loads(copy.read_text(encoding="utf-8"))["answers"]
    hidden = hidden_on_2026_4(answers) if version(path) not in FROM_2026_4 else set()
    assert {key: value for key, value in answers.items() if key not in hidden}.items() <= copied.items()
    want = expected(copy)
    assert set(after.rule_ids) - set(before.rule_ids) <= set(want["hard_rules"])
    assert set(after.obligation_codes) - set(before.obligation_codes) <= set(want["obligations"])
    if set(copied) - set(answers) - hidden <= {"cat_choice"}:
        assert (after.verdict, sorted(after.rule_ids), sorted(after.obligation_codes)) == (
            want["verdict"],
            want["hard_rules"],
            want["obligations"],
        )
    return want


def test_the_suite_has_the_2026_10_fixes():
    on_2026_10 = {path.stem: scored(path) for path in FILES if version(path) == "2026.10"}
    fired = {rule for result in on_2026_10.values() for rule in result.rule_ids}
    assert NEW_ON_2026_10 <= fired
    assert {"choose_tool_under_agreement"} <= {c for r in on_2026_10.values() for c in r.obligation_codes}
    # A tool not chosen, a model run on the municipal platform: no stop.
    for stem in (
        "tool_not_decided_internal_reports",
        "hearing_submissions_summary_tool_not_chosen",
        "maintenance_forecast_platform_not_chosen",
        "self_built_inquiry_router_municipal_platform",
    ):
        assert on_2026_10[stem].verdict != "stop", stem
        assert "sensitive_input_unmanaged_tool" not in on_2026_10[stem].rule_ids, stem
    # A vendor that trains on confidential input without personal data: stop.
    tender = on_2026_10["tender_evaluation_vendor_trains_on_input"]
    assert tender.verdict == "stop" and "vendor_trains_on_confidential_input" in tender.rule_ids
    assert "vendor_training_confidential_unclarified" in on_2026_10["tool_not_decided_internal_reports"].rule_ids


# Files whose advice 2026.11 changes ("Differences from 2026.10"), each with a copy of the same answers in v2026_11/
# (the newest copy of the use, with cat_choice answered) holding its 2026.11 result. The value names the copy.
# Personal data that may be processed outside the EU/EEA with no documented transfer basis (transfer_without_basis);
# copies whose older file leaves pd_transfer_basis open answer it "unknown".
CHANGED_ON_2026_11 = {
    "copilot_word_outlook": "copilot_word_outlook",
    "copilot_word_outlook_integrated_only": "copilot_word_outlook_integrated_only",
    "free_transcription_health_generative": "free_transcription_health_generative",
    "free_transcription_health_integrated_only": "free_transcription_health_integrated_only",
    "free_transcription_health_no_sensitive_input": "free_transcription_health_no_sensitive_input",
    "honest_unknowns_building_permits": "honest_unknowns_building_permits",
    "mail_sorting_hosting_unknown": "mail_sorting_hosting_unknown",
    "v2026_1/copilot_word_outlook": "v2026_1__copilot_word_outlook",
    "v2026_1/free_transcription_health_integrated_only": "v2026_1__free_transcription_health_integrated_only",
    "v2026_10/building_application_sorting_hosting_unknown": "v2026_10__building_application_sorting_hosting_unknown",
    "v2026_10/free_transcription_health_generative": "v2026_10__free_transcription_health_generative",
    "v2026_10/free_transcription_health_integrated_only": "v2026_10__free_transcription_health_integrated_only",
    "v2026_10/free_transcription_health_integrated_only_old_keys": "v2026_10__free_transcription_health_integrated_only_old_keys",  # noqa: E501
    "v2026_10/free_transcription_health_no_sensitive_input": "v2026_10__free_transcription_health_no_sensitive_input",
    "v2026_10/hearing_submissions_summary_tool_not_chosen": "v2026_10__hearing_submissions_summary_tool_not_chosen",
    "v2026_10/honest_unknowns_building_permits": "v2026_10__honest_unknowns_building_permits",
    "v2026_10/mail_sorting_hosting_unknown": "v2026_10__mail_sorting_hosting_unknown",
    "v2026_3/chat_listed_personal_data_not_allowed": "v2026_3__chat_listed_personal_data_not_allowed",
    "v2026_3/copilot_listed_confidential_above_class": "v2026_3__copilot_listed_confidential_above_class",
    "v2026_3/copilot_listed_withdrawn": "v2026_3__copilot_listed_withdrawn",
    "v2026_3/copilot_listed_within_class": "v2026_3__copilot_listed_within_class",
    "v2026_3/copilot_word_outlook_not_listed": "v2026_3__copilot_word_outlook_not_listed",
    "v2026_8/free_transcription_health_generative": "v2026_8__free_transcription_health_generative",
    "v2026_8/free_transcription_health_integrated_only": "v2026_8__free_transcription_health_integrated_only",
    "v2026_8/free_transcription_health_integrated_only_old_keys": "v2026_8__free_transcription_health_integrated_only_old_keys",  # noqa: E501
    "v2026_8/free_transcription_health_no_sensitive_input": "v2026_8__free_transcription_health_no_sensitive_input",
    "v2026_8/honest_unknowns_building_permits": "v2026_8__honest_unknowns_building_permits",
}
# No fix takes a rule away; the new consistency check may flag an older file without changing its advice.
FIXES_2026_11 = Fixes(
    "2026.11",
    CHANGED_ON_2026_11,
    added_rules={"transfer_without_basis"},
    new_questions={"pd_transfer_basis"},
    new_checks={"personal_data_but_no_sensitive_input"},
)


@pytest.mark.parametrize(
    "path", [p for p in FILES if version(p) not in ("2026.11", "2026.12", "2026.13", "2026.14", "2026.15")], ids=name
)
def test_an_older_file_gets_its_2026_10_advice_on_2026_11_unless_a_fix_changes_it(path):
    assert_advice_kept_unless_fixed(path, FIXES_2026_11)


# Files whose advice 2026.12 changes ("Differences from 2026.11"), each with a copy of the same answers in v2026_12/
# (one copy per use: the answers of all its older files, which agree, with cat_choice and the new pd_employees
# answered) holding its 2026.12 result. A generative tool not chosen yet gets the rule a procured one gets
# (sensitive_input_managed_tool with personal data, confidential_input_managed_tool without). No older file answers
# bio_categorisation "unknown" with pd_any "no", and none loses the employee criterion: an older file leaves
# pd_employees unanswered, and while it is unanswered, employees in `affected` are read as before (precaution).
CHANGED_ON_2026_12 = {
    "honest_unknowns_building_permits": "honest_unknowns_building_permits",
    "v2026_8/honest_unknowns_building_permits": "honest_unknowns_building_permits",
    "v2026_10/honest_unknowns_building_permits": "honest_unknowns_building_permits",
    "v2026_11/honest_unknowns_building_permits": "honest_unknowns_building_permits",
    "v2026_11/v2026_8__honest_unknowns_building_permits": "honest_unknowns_building_permits",
    "v2026_11/v2026_10__honest_unknowns_building_permits": "honest_unknowns_building_permits",
    "tool_not_decided_internal_reports": "tool_not_decided_internal_reports",
    "v2026_8/tool_not_decided_internal_reports": "tool_not_decided_internal_reports",
    "v2026_10/tool_not_decided_internal_reports": "tool_not_decided_internal_reports",
    "v2026_10/hearing_submissions_summary_tool_not_chosen": "hearing_submissions_summary_tool_not_chosen",
    "v2026_11/v2026_10__hearing_submissions_summary_tool_not_chosen": "hearing_submissions_summary_tool_not_chosen",
}
# The rules a fix of 2026.12 widens: no rule is new, and no fix takes a rule away.
WIDENED_ON_2026_12 = {"sensitive_input_managed_tool", "confidential_input_managed_tool"}
NEW_CHECKS_ON_2026_12 = {"biometric_categorisation_unknown_without_personal_data"}
FIXES_2026_12 = Fixes(
    "2026.12",
    CHANGED_ON_2026_12,
    added_rules=WIDENED_ON_2026_12,
    new_questions={"pd_employees"},
    new_checks=NEW_CHECKS_ON_2026_12,
)


@pytest.mark.parametrize(
    "path", [p for p in FILES if version(p) not in ("2026.12", "2026.13", "2026.14", "2026.15")], ids=name
)
def test_an_older_file_gets_its_2026_11_advice_on_2026_12_unless_a_fix_changes_it(path):
    assert_advice_kept_unless_fixed(path, FIXES_2026_12)


def test_the_suite_has_the_2026_12_fixes():
    on_2026_12 = {path.stem: scored(path) for path in FILES if version(path) == "2026.12"}
    fired = {rule for result in on_2026_12.values() for rule in result.rule_ids}
    assert WIDENED_ON_2026_12 <= fired
    assert NEW_CHECKS_ON_2026_12 <= {check for result in on_2026_12.values() for check in consistency_ids(result)}
    # Employees who only use the tool on residents' data: no DPIA on their account; data about employees: DPIA.
    archive = on_2026_12["archive_case_summaries_used_by_caseworkers"]
    assert "dpia_trigger" not in archive.rule_ids and "dpia" not in archive.obligation_codes
    assert "inform_employee_reps" in archive.obligation_codes
    personnel = on_2026_12["personnel_file_archiving_suggestions"]
    assert "dpia_trigger" in personnel.rule_ids and "dpia" in personnel.obligation_codes
    # A generative model not chosen yet: at least the rule a procured one gets.
    assert "sensitive_input_managed_tool" in on_2026_12["self_built_inquiry_router_model_not_decided"].rule_ids


# Files whose advice 2026.13 changes ("Differences from 2026.12"), each with a copy of the same answers in v2026_13/
# (one copy per use: the answers of all its older files, which agree, with cat_choice and pd_employees answered where
# they were open) holding its 2026.13 result. A generative tool whose output is a basis in case work gains
# label_ai_content (the guide's part 2.1.2 is not limited to published content); no rule, verdict or score changes.
# No older file is a buyer whose art. 6(3) exemption holds, so none gains provider_exemption_assessment.
CHANGED_ON_2026_13 = {
    **{
        f"{prefix}{use}": use
        for use in ("free_transcription_health_generative", "free_transcription_health_no_sensitive_input")
        for prefix in ("", "v2026_8/", "v2026_10/", "v2026_11/", "v2026_11/v2026_8__", "v2026_11/v2026_10__")
    },
    **{
        f"{prefix}honest_unknowns_building_permits": "honest_unknowns_building_permits"
        for prefix in (
            "",
            "v2026_8/",
            "v2026_10/",
            "v2026_11/",
            "v2026_11/v2026_8__",
            "v2026_11/v2026_10__",
            "v2026_12/",
        )
    },
    "procured_chat_personal_data": "procured_chat_personal_data",
    "self_built_inquiry_router_cloud_api": "self_built_inquiry_router_cloud_api",
    "v2026_10/self_built_inquiry_router_municipal_platform": "self_built_inquiry_router_municipal_platform",
    "v2026_11/generative_fee_reduction_decides_alone": "generative_fee_reduction_decides_alone",
    "v2026_11/writing_assistant_private_accounts_personal_data": "writing_assistant_private_accounts_personal_data",
    "v2026_11/writing_assistant_private_accounts_tender_documents": "writing_assistant_private_accounts_tender_documents",  # noqa: E501
    "v2026_12/self_built_inquiry_router_model_not_decided": "self_built_inquiry_router_model_not_decided",
}
NEW_OBLIGATIONS_ON_2026_13 = {"provider_exemption_assessment"}
FIXES_2026_13 = Fixes("2026.13", CHANGED_ON_2026_13, added_obligations={"label_ai_content"})


@pytest.mark.parametrize("path", [p for p in FILES if version(p) not in ("2026.13", "2026.14", "2026.15")], ids=name)
def test_an_older_file_gets_its_2026_12_advice_on_2026_13_unless_a_fix_changes_it(path):
    assert_advice_kept_unless_fixed(path, FIXES_2026_13)


def test_the_suite_has_the_2026_13_fixes():
    on_2026_13 = {path.stem: scored(path) for path in FILES if version(path) == "2026.13"}
    listed = {code for result in on_2026_13.values() for code in result.obligation_codes}
    assert NEW_OBLIGATIONS_ON_2026_13 | FIXES_2026_13.added_obligations <= listed
    # A bought Annex III system held exempt: the supplier's assessment, and no high-risk rule on the leader's claim.
    bought = on_2026_13["social_assistance_attachment_indexing_bought"]
    assert "provider_exemption_assessment" in bought.obligation_codes and "ai_act_high_risk" not in bought.rule_ids
    assert "document_exemption_assessment" not in bought.obligation_codes
    # Output used as a basis in case work is labelled.
    assert "label_ai_content" in on_2026_13["procured_chat_personal_data"].obligation_codes


# Files whose advice 2026.14 changes ("Differences from 2026.13"), each with a copy of the same answers in v2026_14/
# (one copy per use: the answers of all its older files, which agree, with cat_choice answered where it was open; the
# few older files of a use whose free texts differ get a copy of their own, "v2026_1__<use>"). Answers the copy must
# give to be complete on 2026.14 keep the advice the older file got: pd_employees "unknown" where employees are among
# those affected and "no" where they are not (as an unanswered pd_employees was read), and fv_human_assessment
# "independent", bio_remote "unknown" or gen_vendor_train "no" where the older file leaves them open (each copy's
# reasoning names them). No rule, verdict or score changes: a file with personal data gains privacy_notice (GDPR art.
# 12-14), generative output used as an internal draft gains label_ai_content (the guide's part 2.1.2), and generative
# output used without a fact check in a case, in public or by residents directly gains unchecked_generated_output. No
# older file has a generative tool whose proposals caseworkers follow in practice (generative_ai_decides_alone), and
# none makes images that are used but not published (visual_identity); tests/test_advice_2026_14.py covers both.
CHANGED_ON_2026_14 = {
    "v2026_12/archive_case_summaries_used_by_caseworkers": "archive_case_summaries_used_by_caseworkers",
    "v2026_10/archive_key_suggestions_dpa_not_covering_ai": "archive_key_suggestions_dpa_not_covering_ai",
    "v2026_11/archive_key_suggestions_dpa_unknown": "archive_key_suggestions_dpa_unknown",
    "v2026_11/archive_key_suggestions_hosted_outside_eea": "archive_key_suggestions_hosted_outside_eea",
    "automated_fee_reduction_with_basis": "automated_fee_reduction_with_basis",
    "v2026_4/automated_fee_reduction_with_basis_exemption_claimed": "automated_fee_reduction_with_basis_exemption_claimed",  # noqa: E501
    "automated_fee_reduction_without_basis": "automated_fee_reduction_without_basis",
    "v2026_4/automated_transport_card_health_data": "automated_transport_card_health_data",
    "benefit_fraud_detection": "benefit_fraud_detection",
    "benefit_fraud_detection_exemption_claimed": "benefit_fraud_detection_exemption_claimed",
    "v2026_10/building_application_sorting_hosting_unknown": "building_application_sorting_hosting_unknown",
    "v2026_11/v2026_10__building_application_sorting_hosting_unknown": "building_application_sorting_hosting_unknown",
    "v2026_10/case_note_dictation_building_permits": "case_note_dictation_building_permits",
    "v2026_7/case_note_dictation_building_permits": "case_note_dictation_building_permits",
    "v2026_11/v2026_3__chat_listed_personal_data_not_allowed": "chat_listed_personal_data_not_allowed",
    "v2026_3/chat_listed_personal_data_not_allowed": "chat_listed_personal_data_not_allowed",
    "chatbot_children_culture_school": "chatbot_children_culture_school",
    "chatbot_parking_undisclosed": "chatbot_parking_undisclosed",
    "child_welfare_prioritisation": "child_welfare_prioritisation",
    "child_welfare_prioritisation_no_special": "child_welfare_prioritisation_no_special",
    "v2026_9/child_welfare_risk_score_followed": "child_welfare_risk_score_followed",
    "classified_preparedness_plans": "classified_preparedness_plans",
    "v2026_8/classified_preparedness_plans": "classified_preparedness_plans",
    "v2026_11/v2026_3__copilot_listed_confidential_above_class": "copilot_listed_confidential_above_class",
    "v2026_3/copilot_listed_confidential_above_class": "copilot_listed_confidential_above_class",
    "v2026_11/v2026_3__copilot_listed_withdrawn": "copilot_listed_withdrawn",
    "v2026_3/copilot_listed_withdrawn": "copilot_listed_withdrawn",
    "v2026_11/v2026_3__copilot_listed_within_class": "copilot_listed_within_class",
    "v2026_3/copilot_listed_within_class": "copilot_listed_within_class",
    "copilot_word_outlook": "copilot_word_outlook",
    "v2026_11/copilot_word_outlook": "copilot_word_outlook",
    "copilot_word_outlook_integrated_only": "copilot_word_outlook_integrated_only",
    "v2026_11/copilot_word_outlook_integrated_only": "copilot_word_outlook_integrated_only",
    "v2026_11/v2026_3__copilot_word_outlook_not_listed": "copilot_word_outlook_not_listed",
    "v2026_3/copilot_word_outlook_not_listed": "copilot_word_outlook_not_listed",
    "cv_screening": "cv_screening",
    "employee_productivity_monitoring": "employee_productivity_monitoring",
    "excel_formula_helper": "excel_formula_helper",
    "face_recognition_school_entrance": "face_recognition_school_entrance",
    "face_recognition_school_entrance_old_keys": "face_recognition_school_entrance_old_keys",
    "v2026_5/face_recognition_staff_entrance_time_clock": "face_recognition_staff_entrance_time_clock",
    "v2026_5/fingerprint_time_clock_identification": "fingerprint_time_clock_identification",
    "fingerprint_time_registration": "fingerprint_time_registration",
    "v2026_3/formula_helper_listed_under_assessment": "formula_helper_listed_under_assessment",
    "free_transcription_health_generative": "free_transcription_health_generative",
    "v2026_10/free_transcription_health_generative": "free_transcription_health_generative",
    "v2026_11/free_transcription_health_generative": "free_transcription_health_generative",
    "v2026_11/v2026_10__free_transcription_health_generative": "free_transcription_health_generative",
    "v2026_11/v2026_8__free_transcription_health_generative": "free_transcription_health_generative",
    "v2026_13/free_transcription_health_generative": "free_transcription_health_generative",
    "v2026_8/free_transcription_health_generative": "free_transcription_health_generative",
    "free_transcription_health_integrated_only": "free_transcription_health_integrated_only",
    "v2026_10/free_transcription_health_integrated_only": "free_transcription_health_integrated_only",
    "v2026_11/free_transcription_health_integrated_only": "free_transcription_health_integrated_only",
    "v2026_11/v2026_10__free_transcription_health_integrated_only": "free_transcription_health_integrated_only",
    "v2026_11/v2026_8__free_transcription_health_integrated_only": "free_transcription_health_integrated_only",
    "v2026_8/free_transcription_health_integrated_only": "free_transcription_health_integrated_only",
    "v2026_10/free_transcription_health_integrated_only_old_keys": "free_transcription_health_integrated_only_old_keys",
    "v2026_11/v2026_10__free_transcription_health_integrated_only_old_keys": "free_transcription_health_integrated_only_old_keys",  # noqa: E501
    "v2026_11/v2026_8__free_transcription_health_integrated_only_old_keys": "free_transcription_health_integrated_only_old_keys",  # noqa: E501
    "v2026_8/free_transcription_health_integrated_only_old_keys": "free_transcription_health_integrated_only_old_keys",
    "free_transcription_health_no_sensitive_input": "free_transcription_health_no_sensitive_input",
    "v2026_10/free_transcription_health_no_sensitive_input": "free_transcription_health_no_sensitive_input",
    "v2026_11/free_transcription_health_no_sensitive_input": "free_transcription_health_no_sensitive_input",
    "v2026_11/v2026_10__free_transcription_health_no_sensitive_input": "free_transcription_health_no_sensitive_input",
    "v2026_11/v2026_8__free_transcription_health_no_sensitive_input": "free_transcription_health_no_sensitive_input",
    "v2026_13/free_transcription_health_no_sensitive_input": "free_transcription_health_no_sensitive_input",
    "v2026_8/free_transcription_health_no_sensitive_input": "free_transcription_health_no_sensitive_input",
    "v2026_11/generative_fee_reduction_decides_alone": "generative_fee_reduction_decides_alone",
    "v2026_13/generative_fee_reduction_decides_alone": "generative_fee_reduction_decides_alone",
    "v2026_10/hearing_submissions_summary_tool_not_chosen": "hearing_submissions_summary_tool_not_chosen",
    "v2026_11/v2026_10__hearing_submissions_summary_tool_not_chosen": "hearing_submissions_summary_tool_not_chosen",
    "v2026_12/hearing_submissions_summary_tool_not_chosen": "hearing_submissions_summary_tool_not_chosen",
    "home_care_fall_detection_medical_device": "home_care_fall_detection_medical_device",
    "honest_unknowns_building_permits": "honest_unknowns_building_permits",
    "v2026_10/honest_unknowns_building_permits": "honest_unknowns_building_permits",
    "v2026_11/honest_unknowns_building_permits": "honest_unknowns_building_permits",
    "v2026_11/v2026_10__honest_unknowns_building_permits": "honest_unknowns_building_permits",
    "v2026_11/v2026_8__honest_unknowns_building_permits": "honest_unknowns_building_permits",
    "v2026_12/honest_unknowns_building_permits": "honest_unknowns_building_permits",
    "v2026_13/honest_unknowns_building_permits": "honest_unknowns_building_permits",
    "v2026_8/honest_unknowns_building_permits": "honest_unknowns_building_permits",
    "housing_ranking_dpia_acceptable": "housing_ranking_dpia_acceptable",
    "housing_ranking_dpia_high_residual": "housing_ranking_dpia_high_residual",
    "kindergarten_chatbot_commissioned": "kindergarten_chatbot_commissioned",
    "library_recommendations_no_basis": "library_recommendations_no_basis",
    "v2026_12/library_visitor_counting_categorisation_unknown": "library_visitor_counting_categorisation_unknown",
    "machine_translation_web": "machine_translation_web",
    "v2026_11/machine_translation_web_universal_design_unknown": "machine_translation_web_universal_design_unknown",
    "mail_sorting_hosting_unknown": "mail_sorting_hosting_unknown",
    "v2026_10/mail_sorting_hosting_unknown": "mail_sorting_hosting_unknown",
    "v2026_11/mail_sorting_hosting_unknown": "mail_sorting_hosting_unknown",
    "v2026_11/v2026_10__mail_sorting_hosting_unknown": "mail_sorting_hosting_unknown",
    "v2026_8/meeting_minutes_vendor_trains_on_input": "meeting_minutes_vendor_trains_on_input",
    "meeting_transcription_procured": "meeting_transcription_procured",
    "outside_mandate_private_credit_checks": "outside_mandate_private_credit_checks",
    "v2026_12/personnel_file_archiving_suggestions": "personnel_file_archiving_suggestions",
    "procured_chat_personal_data": "procured_chat_personal_data",
    "v2026_13/procured_chat_personal_data": "procured_chat_personal_data",
    "v2026_11/pupil_support_proposals_assessment_unknown": "pupil_support_proposals_assessment_unknown",
    "pupil_writing_feedback": "pupil_writing_feedback",
    "v2026_4/rule_based_fee_calculator_ai_unknown": "rule_based_fee_calculator_ai_unknown",
    "self_built_inquiry_router_cloud_api": "self_built_inquiry_router_cloud_api",
    "v2026_13/self_built_inquiry_router_cloud_api": "self_built_inquiry_router_cloud_api",
    "v2026_12/self_built_inquiry_router_model_not_decided": "self_built_inquiry_router_model_not_decided",
    "v2026_13/self_built_inquiry_router_model_not_decided": "self_built_inquiry_router_model_not_decided",
    "v2026_10/self_built_inquiry_router_municipal_platform": "self_built_inquiry_router_municipal_platform",
    "v2026_13/self_built_inquiry_router_municipal_platform": "self_built_inquiry_router_municipal_platform",
    "v2026_6/service_desk_camera_identification_and_mood": "service_desk_camera_identification_and_mood",
    "v2026_13/social_assistance_attachment_indexing_bought": "social_assistance_attachment_indexing_bought",
    "spelling_aid_open_web_generative": "spelling_aid_open_web_generative",
    "v2026_6/start_loan_creditworthiness": "start_loan_creditworthiness",
    "v2026_8/tender_evaluation_confidential_no_personal_data": "tender_evaluation_confidential_no_personal_data",
    "v2026_10/tender_evaluation_vendor_trains_on_input": "tender_evaluation_vendor_trains_on_input",
    "tool_not_decided_internal_reports": "tool_not_decided_internal_reports",
    "v2026_10/tool_not_decided_internal_reports": "tool_not_decided_internal_reports",
    "v2026_12/tool_not_decided_internal_reports": "tool_not_decided_internal_reports",
    "v2026_8/tool_not_decided_internal_reports": "tool_not_decided_internal_reports",
    "traffic_number_plate_recognition": "traffic_number_plate_recognition",
    "v2026_10/transcription_app_without_municipal_agreement": "transcription_app_without_municipal_agreement",
    "v2026_8/transcription_app_without_municipal_agreement": "transcription_app_without_municipal_agreement",
    "translation_case_letters": "translation_case_letters",
    "v2026_1/child_welfare_prioritisation": "v2026_1__child_welfare_prioritisation",
    "v2026_1/copilot_word_outlook": "v2026_1__copilot_word_outlook",
    "v2026_11/v2026_1__copilot_word_outlook": "v2026_1__copilot_word_outlook",
    "v2026_1/face_recognition_school_entrance": "v2026_1__face_recognition_school_entrance",
    "v2026_1/free_transcription_health_integrated_only": "v2026_1__free_transcription_health_integrated_only",
    "v2026_11/v2026_1__free_transcription_health_integrated_only": "v2026_1__free_transcription_health_integrated_only",
    "waste_chatbot": "waste_chatbot",
    "waste_chatbot_integrated_kind": "waste_chatbot_integrated_kind",
    "waste_chatbot_no_personal_data_claimed": "waste_chatbot_no_personal_data_claimed",
    "v2026_5/wound_assessment_medical_device_software": "wound_assessment_medical_device_software",
    "v2026_11/writing_assistant_private_accounts_personal_data": "writing_assistant_private_accounts_personal_data",
    "v2026_13/writing_assistant_private_accounts_personal_data": "writing_assistant_private_accounts_personal_data",
    "v2026_9/youth_club_visitor_age_counting": "youth_club_visitor_age_counting",
}
NEW_OBLIGATIONS_ON_2026_14 = {"privacy_notice", "unchecked_generated_output"}
FIXES_2026_14 = Fixes(
    "2026.14",
    CHANGED_ON_2026_14,
    added_obligations=NEW_OBLIGATIONS_ON_2026_14 | {"label_ai_content"},
)


@pytest.mark.parametrize("path", [p for p in FILES if version(p) not in ("2026.14", "2026.15")], ids=name)
def test_an_older_file_gets_its_2026_13_advice_on_2026_14_unless_a_fix_changes_it(path):
    assert_advice_kept_unless_fixed(path, FIXES_2026_14)


def test_the_suite_has_the_2026_14_fixes():
    on_2026_14 = {path.stem: scored(path) for path in FILES if version(path) == "2026.14"}
    listed = {code for result in on_2026_14.values() for code in result.obligation_codes}
    assert FIXES_2026_14.added_obligations <= listed
    # Remote face identification of pupils: the pupils are told about the processing, though no decision is made.
    school = on_2026_14["face_recognition_school_entrance"]
    assert "privacy_notice" in school.obligation_codes and "inform_affected" not in school.obligation_codes
    # No personal data, no privacy notice; but "no" contradicted by another answer is read the worse way (a check's
    # `worse`), and then the duty is listed as for personal data.
    for stem, result in on_2026_14.items():
        if advice_answers(stem).get("pd_any") == "no":
            read_worse = any("pd_any" in (check.get("worse") or {}) for check in result.to_dict()["consistency"])
            assert ("privacy_notice" in result.obligation_codes) is read_worse, stem
    assert "privacy_notice" in on_2026_14["waste_chatbot_no_personal_data_claimed"].obligation_codes


def advice_answers(stem: str) -> dict:
    return json.loads((SCENARIOS / "v2026_14" / f"{stem}.json").read_text(encoding="utf-8"))["answers"]


# Files whose advice 2026.15 changes ("Differences from 2026.14"), each with a copy in v2026_15/ (the newest copy of the
# use, with bio_categorisation "no", now required, and pd_employees or pd_special_only_id where 2026.15 requires them).
# Output published or sent to residents gains archive_records. A generative chatbot that residents or pupils write to
# and get answers from directly, answered "facts checked before use", is flagged by the check
# direct_generative_answers_said_checked: gen_fact_check is read as "no", so it gains unchecked_generated_output and
# loses that answer's mitigation points; its copy answers gen_fact_check and ho_human_review "no", as the new help
# texts say. No rule or verdict changes. Older files leave bio_categorisation (and, with special categories,
# pd_special_only_id) unanswered, which fires nothing: both only show as missing.
CHANGED_ON_2026_15 = {
    "campaign_image_generation": "campaign_image_generation",
    "v2026_4/campaign_image_generation": "campaign_image_generation",
    "chatbot_children_culture_school": "chatbot_children_culture_school",
    "v2026_14/chatbot_children_culture_school": "chatbot_children_culture_school",
    "v2026_6/citizen_letter_templates_not_ai": "citizen_letter_templates_not_ai",
    "v2026_8/citizen_letter_templates_not_ai": "citizen_letter_templates_not_ai",
    "kindergarten_chatbot_commissioned": "kindergarten_chatbot_commissioned",
    "v2026_14/kindergarten_chatbot_commissioned": "kindergarten_chatbot_commissioned",
    "machine_translation_web": "machine_translation_web",
    "v2026_14/machine_translation_web": "machine_translation_web",
    "v2026_11/machine_translation_web_universal_design_unknown": "machine_translation_web_universal_design_unknown",
    "v2026_14/machine_translation_web_universal_design_unknown": "machine_translation_web_universal_design_unknown",
    "pupil_writing_feedback": "pupil_writing_feedback",
    "v2026_14/pupil_writing_feedback": "pupil_writing_feedback",
    "translation_case_letters": "translation_case_letters",
    "v2026_14/translation_case_letters": "translation_case_letters",
    "waste_chatbot": "waste_chatbot",
    "v2026_14/waste_chatbot": "waste_chatbot",
    "waste_chatbot_integrated_kind": "waste_chatbot_integrated_kind",
    "v2026_14/waste_chatbot_integrated_kind": "waste_chatbot_integrated_kind",
    "waste_chatbot_no_personal_data_claimed": "waste_chatbot_no_personal_data_claimed",
    "v2026_14/waste_chatbot_no_personal_data_claimed": "waste_chatbot_no_personal_data_claimed",
}
FIXES_2026_15 = Fixes(
    "2026.15",
    CHANGED_ON_2026_15,
    added_obligations={"archive_records", "unchecked_generated_output"},
    new_questions={"bio_categorisation", "pd_special_only_id"},
    new_checks={"direct_generative_answers_said_checked"},
    reanswered={"direct_generative_answers_said_checked": {"gen_fact_check": "no", "ho_human_review": "no"}},
)


@pytest.mark.parametrize("path", [p for p in FILES if version(p) != "2026.15"], ids=name)
def test_an_older_file_gets_its_2026_14_advice_on_2026_15_unless_a_fix_changes_it(path):
    assert_advice_kept_unless_fixed(path, FIXES_2026_15)


def test_the_suite_has_the_2026_15_fixes():
    on_2026_15 = {path.stem: scored(path) for path in FILES if version(path) == "2026.15"}
    listed = {code for result in on_2026_15.values() for code in result.obligation_codes}
    assert FIXES_2026_15.added_obligations <= listed
    # Each chatbot copy answers the fact check honestly, so the check no longer flags it, and gets the duty written for
    # chatbots.
    for stem in ("waste_chatbot", "chatbot_children_culture_school", "kindergarten_chatbot_commissioned"):
        assert "direct_generative_answers_said_checked" not in consistency_ids(on_2026_15[stem]), stem
        assert "unchecked_generated_output" in on_2026_15[stem].obligation_codes, stem
    # A letter sent to residents in a case is archived.
    assert "archive_records" in on_2026_15["translation_case_letters"].obligation_codes


V5_DIR = SCENARIOS / "v2026_5"
FINGERPRINT = V5_DIR / "fingerprint_time_clock_identification.json"


@pytest.mark.parametrize(
    ("changes", "remote"),
    [
        ({"bio_remote": "no"}, False),  # the person takes part: not Annex III point 1(a)
        ({"bio_remote": "yes"}, True),
        ({"bio_remote": "unknown"}, True),  # "don't know" counts as remote (precaution)
        ({"bio_remote": None}, True),  # unanswered: as "don't know"
        ({"bio_recognition": "unknown", "bio_remote": None}, True),  # recognition unknown, unanswered: cautious
        ({"bio_recognition": "unknown", "bio_remote": "no"}, False),  # verification or not remote: neither is 1(a)
    ],
    ids=["not_remote", "remote", "remote_unknown", "remote_unanswered", "recognition_unknown", "unknown_not_remote"],
)
def test_only_remote_biometric_identification_is_annex_iii_on_2026_5(changes, remote):
    data = json.loads(FINGERPRINT.read_text(encoding="utf-8"))["answers"]
    answers = {key: value for key, value in {**data, **changes}.items() if value is not None}
    result = score(V2026_5, validate_answers(V2026_5, answers)[0])
    assert ("ai_act_high_risk" in result.rule_ids) is remote
    assert ("fria" in result.obligation_codes) is remote
    assert ("fria" in visible_section_keys(V2026_5, answers)) is remote
    # GDPR: biometric data used to recognise someone is special-category data, remote or not.
    assert {"special_categories_without_basis", "dpia_trigger"} <= set(result.rule_ids)
    without_special = score(V2026_5, validate_answers(V2026_5, {**answers, "pd_special": "no"})[0])
    assert "biometrics_not_special_category" in checks(without_special)


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


HOUSING = SCENARIOS / "housing_ranking_dpia_acceptable.json"
EXEMPT = {"hr_exempt": "preparatory", "hr_profiling": "no", "pd_profiling": "no"}


@pytest.mark.parametrize(
    ("changes", "documented"),
    [
        ({"role": "build", **EXEMPT}, True),  # a provider holding its Annex III system exempt: art. 6(4)
        ({"role": "buy", **EXEMPT}, False),  # a deployer: the provider documents
        ({"role": "build", **EXEMPT, "hr_profiling": "yes", "pd_profiling": "yes"}, False),  # high-risk after all
    ],
    ids=["provider", "deployer", "profiling"],
)
def test_a_provider_documents_why_its_annex_iii_system_is_exempt_on_2026_4(changes, documented):
    result = scored(HOUSING, changes, on="2026.4")
    assert ("document_exemption_assessment" in result.obligation_codes) is documented
    assert ("ai_act_high_risk" in result.rule_ids) is (changes["hr_profiling"] == "yes")


@pytest.mark.parametrize(
    ("changes", "told"),
    [
        ({"p_emotion_workplace_school": "no"}, True),  # emotion recognition elsewhere than work or school: art. 50(3)
        ({}, False),  # at school: prohibited, and a stop lists no duties of use
        ({"p_emotion_workplace_school": "no", "bio_recognition": "identification"}, False),  # who someone is
    ],
    ids=["elsewhere", "prohibited", "identification"],
)
def test_the_people_exposed_to_emotion_recognition_are_told_on_2026_4(changes, told):
    result = scored(SCENARIOS / "emotion_recognition_pupils.json", changes, on="2026.4")
    assert ("inform_biometric_exposure" in result.obligation_codes) is told
