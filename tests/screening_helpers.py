"""Definitions with a screening for the quick-path tests: 2026.2 with the test screening, and every fixture version
that has its own `screening.yaml`."""

import copy
from functools import cache
from pathlib import Path

from assessments.engine.loader import as_definition, parse_definition, read_definition_data

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "questionnaire"
TEST_SCREENING = Path(__file__).resolve().parent / "data" / "screening_2026_2.yaml"


@cache
def _read(path: Path) -> dict:
    # Reading the YAML costs far more than checking it: read each file once per test run.
    return read_definition_data(path)


def screening_data() -> dict:
    """The test screening for 2026.2, raw (the `screening` mapping), a fresh copy each time."""
    return copy.deepcopy(_read(TEST_SCREENING)["screening"])


def raw_2026_2_with(screening: dict) -> dict:
    data = copy.deepcopy(_read(FIXTURES / "2026.2"))
    data["screening"] = screening
    return data


def definition_2026_2():
    """2026.2 with the test screening, parsed (and so checked)."""
    return as_definition(parse_definition(raw_2026_2_with(screening_data())))


def versions_with_screening() -> list:
    """Every fixture version that ships a screening, parsed."""
    return [
        as_definition(parse_definition(read_definition_data(folder)))
        for folder in sorted(FIXTURES.iterdir())
        if (folder / "screening.yaml").exists()
    ]


def screened_definitions() -> list:
    return [definition_2026_2(), *versions_with_screening()]
