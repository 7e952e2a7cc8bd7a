"""How long scoring one full assessment takes (target: under 1 ms).

    .venv/bin/python bench/scoring.py [--runs N]

Scores a complete, realistic answer set from the scenario suite (the one with the most branches on) and
weaker answers to it against 2026.2, and prints the median of many single runs of each; then every
scenario of fixtures/scenarios/ against 2026.2 (the median and the slowest). The definition is parsed
once, as the app does (`as_definition` caches it); parsing is not part of the figure. The figures go
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

from assessments.engine.answer_sets import scenario_answers  # noqa: E402
from assessments.engine.answers import validate_answers  # noqa: E402
from assessments.engine.loader import as_definition, load_definition  # noqa: E402
from assessments.engine.scoring import score  # noqa: E402

# A commissioned chatbot built on a language model, with personal data: the generative and self-developed
# branches are both on, so the most rules and the largest what-if search run. From the scenario suite.
ANSWERS = scenario_answers("kindergarten_chatbot_commissioned")


# The what-if search is the part whose cost varies: the scenario as answered, then weaker answers.
CASES = {
    "as answered": ANSWERS,
    "hosting abroad, protected attributes": {**ANSWERS, "sec_hosting": "outside_eea", "eq_protected_attributes": "yes"},
    "four weak answers": {
        **ANSWERS,
        "tr_disclose": "yes",
        "sec_hosting": "outside_eea",
        "eq_protected_attributes": "yes",
        "pd_vendor_train": "yes",
    },
    "a prohibited practice unknown (stop)": {**ANSWERS, "p_social_scoring": "unknown"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5000)
    args = parser.parse_args()

    definition = as_definition(load_definition(ROOT / "fixtures" / "questionnaire" / "2026.2"))
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
        answers, errors, _warnings = validate_answers(definition, scenario_answers(path.stem))
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
