"""docs/legal-sources.md has one row for every hard rule, obligation and consistency check of the newest version."""

import re
from pathlib import Path

import pytest

from assessments.engine import as_definition, load_definition

ROOT = Path(__file__).resolve().parents[1]
NEWEST = ROOT / "fixtures" / "questionnaire" / "2026.15"
DOC = ROOT / "docs" / "legal-sources.md"


def table_ids(heading: str) -> list[str]:
    """The backticked ids in the first column of the table under `heading`."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z0-9_]+)` \|", section, flags=re.MULTILINE)


@pytest.fixture(scope="module")
def definition():
    return as_definition(load_definition(NEWEST))


@pytest.mark.parametrize(
    ("heading", "ids"),
    [
        ("Hard rules (2026.15)", lambda d: [rule.id for rule in d.rules]),
        ("Obligations (2026.15)", lambda d: [obligation.code for obligation in d.obligations]),
        ("Consistency checks (2026.15)", lambda d: [check.id for check in d.consistency]),
    ],
)
def test_it_has_exactly_one_row_per_entry(definition, heading, ids):
    rows = table_ids(heading)
    expected = ids(definition)
    assert sorted(rows) == sorted(expected), "rows differ from the definition"
    assert len(rows) == len(set(rows)), "an entry has two rows"


def test_every_row_names_a_source():
    text = DOC.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            assert all(cells), f"an empty cell in: {line}"
