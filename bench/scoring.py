"""How long scoring one full assessment takes (target: under 1 ms).

    .venv/bin/python bench/scoring.py [--runs N]

Scores complete, realistic answer sets (every shown question answered, most sections branched in) against
the 2026.1 fixture, one for each path of the what-if search, and prints the median of many single runs of
each; then every scenario of fixtures/scenarios/ against 2026.2 (the median and the slowest). The definition
is parsed once, as the app does (`as_definition` caches it); parsing is not part of the figure. The figures go
into docs/benchmarks.md under "Scoring".
"""

import argparse
import json
import platform
import statistics
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assessments.engine.answers import validate_answers  # noqa: E402
from assessments.engine.loader import as_definition, load_definition  # noqa: E402
from assessments.engine.scoring import score  # noqa: E402

NO = "no"
ANSWERS = {
    "title": "Chatbot for søknader om bostøtte",
    "description": "Svarer søkere og lager utkast til saksframlegg for saksbehandlerne.",
    "owner": "Avdelingsdirektør",
    "ai_kind": ["integrated", "generative", "self_developed"],
    "role": "buy_modify",
    "is_ai": "yes",
    "tool_source": "procured",
    "stage": "pilot",
    "citizen_facing": "yes",
    "decision_role": "decision_support",
    "affected": ["employees", "residents", "vulnerable_groups"],
    "pd_any": "yes",
    "problem": "Lange svartider for søkere.",
    "goals": "Svar innen ett døgn.",
    "benefit": 3,
    "users_reached": "many_residents",
    "no_go": "slow",
    "alternatives": "yes",
    "evidence": "test",
    "mandate": "yes",
    **dict.fromkeys(
        [
            "p_manipulation",
            "p_exploit_vulnerability",
            "p_social_scoring",
            "p_crime_prediction",
            "p_face_scraping",
            "p_emotion_workplace_school",
            "p_biometric_categorisation",
            "p_intimate_imagery",
        ],
        NO,
    ),
    "hr_area": ["none"],
    "hr_profiling": NO,
    "hr_exempt": "none",
    "hr_product": NO,
    "pd_special": "unknown",
    "pd_children": NO,
    "pd_scale": 2,
    "pd_profiling": NO,
    "pd_monitoring": NO,
    "pd_combine": "yes",
    "pd_basis": "yes",
    "pd_minimise": NO,
    "pd_vendor_train": NO,
    "pd_transfer": NO,
    "pd_dpa": "yes",
    "pd_dpia": "in_progress",
    "fv_individual_decisions": "yes",
    "fv_discretion": NO,
    "fv_basis_auto": NO,
    "fv_explain": "yes",
    "fv_document": NO,
    "fv_reversibility": 1,
    "fv_duration": 2,
    "fv_severity": 2,
    "fv_error_cost": 2,
    "eq_protected_attributes": "unknown",
    "eq_proxy_checked": NO,
    "eq_groups_tested": "partly",
    "eq_representative_data": "unknown",
    "eq_universal_design": "yes",
    "eq_consulted": NO,
    "tr_disclose": NO,
    "tr_label": "yes",
    "tr_explain": 2,
    "ho_human_review": "yes",
    "ho_override": "yes",
    "ho_training": NO,
    "ho_complaints": "yes",
    "ho_owner": "yes",
    "sec_classification": "confidential",
    "sec_hosting": "cloud_eea",
    "sec_abuse": "unknown",
    "sec_access_control": "yes",
    "arc_records_kept": NO,
    "arc_access_requests": NO,
    "sec_fallback": NO,
    "gen_sensitive_input": NO,
    "gen_enterprise_agreement": "yes",
    "gen_fact_check": NO,
    "gen_copyright": NO,
    "gen_pilot": "yes",
    "gen_output_use": "case_work_basis",
    "dev_training_data_source": "mixed",
    "dev_training_data_notes": "Egne saker fra 2019–2024.",
    "dev_data_quality": NO,
    "dev_accuracy_known": NO,
    "dev_continuous_learning": NO,
    "dev_versioning": "yes",
    "dev_ownership_agreed": "yes",
    "int_central_control": "yes",
    "int_vendor_docs": NO,
    "int_permissions_cleaned": NO,
    "int_change_notice": NO,
    "int_dpa_covers": "yes",
}


# The what-if search is the part whose cost varies: one answer set for each of its paths.
CASES = {
    "what-if finds one change": ANSWERS,
    "what-if needs a pair": {**ANSWERS, "sec_hosting": "outside_eea", "eq_protected_attributes": "yes"},
    "what-if needs a greedy search": {
        **ANSWERS,
        "tr_disclose": "yes",
        "sec_hosting": "outside_eea",
        "eq_protected_attributes": "yes",
        "pd_vendor_train": "yes",
    },
    "what-if impossible (a stop rule)": {**ANSWERS, "p_social_scoring": "unknown"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5000)
    args = parser.parse_args()

    definition = as_definition(load_definition(ROOT / "fixtures" / "questionnaire" / "2026.1"))
    print(f"Python {platform.python_version()} on {platform.machine()}, median of {args.runs} runs each")
    for name, given in CASES.items():
        answers, errors, warnings = validate_answers(definition, given)
        assert not errors and not warnings, (errors, warnings)
        result = score(definition, answers)
        assert result.complete, result.missing
        times = timeit.repeat(lambda answers=answers: score(definition, answers), number=1, repeat=args.runs)
        median_ms = statistics.median(times) * 1000
        summary = {
            "answers": len(answers),
            "verdict": result.verdict,
            "risk_level": result.risk["level"],
            "hard_rules": result.rule_ids,
            "what_if_changes": len(result.what_if["changes"]),
        }
        print(f"{name:36} {median_ms:6.3f} ms  {json.dumps(summary, ensure_ascii=False)}")
    scenario_suite(max(args.runs // 10, 50))


def scenario_suite(runs: int) -> None:
    """Every scenario of fixtures/scenarios/ on the newest version (2026.2: contradictions, monotonic method)."""
    definition = as_definition(load_definition(ROOT / "fixtures" / "questionnaire" / "2026.2"))
    medians = []
    for path in sorted((ROOT / "fixtures" / "scenarios").glob("*.json")):
        if path.name.endswith(".expected.json"):
            continue
        answers, errors, _warnings = validate_answers(definition, json.loads(path.read_text("utf-8"))["answers"])
        assert not errors, errors
        times = timeit.repeat(lambda answers=answers: score(definition, answers), number=1, repeat=runs)
        medians.append((statistics.median(times) * 1000, path.stem))
    medians.sort()
    middle = statistics.median(ms for ms, _ in medians)
    slowest, name = medians[-1]
    print(
        f"2026.2, {len(medians)} scenarios ({runs} runs each): "
        f"median {middle:.3f} ms, slowest {slowest:.3f} ms ({name})"
    )


if __name__ == "__main__":
    main()
