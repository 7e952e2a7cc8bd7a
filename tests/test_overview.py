"""presentation/overview.py: the markers of the municipality's matrix stand in the field of each assessment's
conclusion, also where a hard rule and not the score put it there."""

import re

import pytest

from assessments.presentation.overview import HIGH_FROM, LOW_UP_TO, build, placed_cells, render


@pytest.mark.parametrize(
    ("quadrant", "cells", "placed"),
    [
        ("high_risk_high_need", (30, 9), (30, HIGH_FROM)),  # risk held high by a rule: moved up into the field
        ("high_risk_low_need", (10, 40), (10, 40)),  # the score is in the field already
        ("low_risk_low_need", (30, 30), (LOW_UP_TO, LOW_UP_TO)),
        ("low_risk_high_need", (25, 25), (HIGH_FROM, LOW_UP_TO)),  # on the lines: into the field on each axis
        ("", (30, 9), (30, 9)),  # no quadrant: drawn by the scores
    ],
)
def test_a_marker_is_placed_in_its_quadrants_field(quadrant, cells, placed):
    assert placed_cells(quadrant, *cells) == placed


def test_the_markers_stand_where_the_table_counts_them():
    rows = [
        ("returned", None, None, "high_risk_high_need", 35, 9, 2),  # a rule holds the risk high
        ("approved", None, None, "low_risk_high_need", 35, 9, 1),
    ]
    _groups, bins = build(rows, "status")
    assert bins == {("returned", 35, HIGH_FROM): 2, ("approved", 35, 9): 1}


def test_groups_on_one_spot_stand_side_by_side():
    rows = [
        ("draft", None, None, "high_risk_high_need", 35, 30, 1),  # both drawn as squares of one size
        ("submitted", None, None, "high_risk_high_need", 35, 30, 1),
    ]
    svg, _groups, total = render(rows)
    assert total == 2
    xs = re.findall(r'<g><title>[^<]*</title><path d="M([\d.]+) ', svg)
    assert len(xs) == 2 and xs[0] != xs[1]
