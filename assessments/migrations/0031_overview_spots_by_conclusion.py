"""The overview's spots per agency are placed by the assessment's conclusion, not only by its scores.

A hard rule can hold the risk high while the score is below the line; the assessment's quadrant then says
"high risk", and the overview's table counts it there. Its marker was drawn at the score, in the field of
another conclusion (a "Kun med tiltak" in the green "Anbefalt" field). The markers drawn from the overview
cells are moved into the quadrant's field when drawn (presentation/overview.py, `placed_cells`); the spots
summed per agency (OverviewAgencySpot) have no quadrant to move them by, so their triggers place each cell
as they add it, by the same rule: a high axis at cell 27 (score 54) or more, a low one at cell 23 or
less. The triggers are made anew with the placed cells, and the sums rebuilt; unapplied, the old
triggers and sums come back.
"""

import importlib

from django.db import migrations

sums = importlib.import_module("assessments.migrations.0025_overview_sums_and_title_search")


def _placed(axis: str, high: str, low: str) -> str:
    """A cell's column `axis`, moved into the field its quadrant names (the quadrant's values listed)."""
    return (
        f"CASE WHEN quadrant IN ({high}) THEN GREATEST({axis}, 27) "
        f"WHEN quadrant IN ({low}) THEN LEAST({axis}, 23) ELSE {axis} END"
    )


NEED = _placed("need_cell", "'low_risk_high_need', 'high_risk_high_need'", "'low_risk_low_need', 'high_risk_low_need'")
RISK = _placed("risk_cell", "'high_risk_low_need', 'high_risk_high_need'", "'low_risk_low_need', 'low_risk_high_need'")


def add_to_placed_sums(changes: str) -> str:
    return sums.add_to_sums(changes, need=NEED, risk=RISK)


PLACED_SUMS, PLACED_SUMS_DROP = sums.sums_kept_by(add_to_placed_sums)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0030_plan_item_measure_key"),
    ]

    operations = [
        migrations.RunPython(
            sums.on_postgresql(sums.SUMS_DROP, PLACED_SUMS),
            sums.on_postgresql(PLACED_SUMS_DROP, sums.SUMS),
        ),
    ]
