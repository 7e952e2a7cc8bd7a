"""docs/seed-coverage.md maps every requirement of Oslo's guide to something the newest definition has."""

import re
from pathlib import Path

import pytest

from assessments.engine import as_definition, load_definition

ROOT = Path(__file__).resolve().parents[1]
NEWEST = ROOT / "fixtures" / "questionnaire" / "2026.15"
DOC = ROOT / "docs" / "seed-coverage.md"


def rows() -> list[tuple[str, str]]:
    found = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| (G\d+) \|.*\| ([^|]*) \|$", line)
        if match:
            found.append((match.group(1), match.group(2)))
    return found


@pytest.fixture(scope="module")
def known():
    d = as_definition(load_definition(NEWEST))
    return (
        set(d.questions)
        | {rule.id for rule in d.rules}
        | {obligation.code for obligation in d.obligations}
        | {check.id for check in d.consistency}
        | {cap.id for cap in d.need_caps}
        | {section.key for section in d.sections}
    )


def test_the_items_are_numbered_without_gaps():
    numbers = [int(item[1:]) for item, _ in rows()]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= 60


def test_every_item_is_carried_by_something_that_exists(known):
    for item, carried_by in rows():
        names = re.findall(r"`([a-z0-9_]+)`", carried_by)
        assert names, f"{item} is carried by nothing"
        unknown = [name for name in names if name not in known]
        assert not unknown, f"{item} names {unknown}, which the definition does not have"
