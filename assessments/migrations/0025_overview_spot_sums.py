"""The overview by agency's sums, kept by PostgreSQL from the overview cells (models.OverviewCell).

The overview grouped by agency summed every cell the user may see, twice (once per agency and quadrant for the
table, once per agency and spot for the markers): about 10,900 cells at 100,000 assessments, against a few
dozen at 100. Two tables now hold those sums, each for two scopes, the approved assessments (what everyone
sees) and all of them (what reviewers and the auditors of every agency see):

- OverviewAgencyQuadrant: per agency, quadrant and whether the scores place the assessment (table, legend);
- OverviewAgencySpot: per agency and spot (at most agencies × spots rows, about 2,800, whatever the number
  of assessments); the overview sums them per spot when it is drawn.

Statement triggers on the cells pass every change of a cell's count on as a difference (`count = count + d`,
as the cells themselves are kept), in the same transaction: concurrent changes add up instead of one
overwriting the other's recount. Every row belongs to one agency, as the cells do, so a change in one
agency never waits on another agency's transaction. A kept row per spot shared by all agencies was tried and
dropped: two reviewers deciding in different agencies would have taken turns on it, and could deadlock when
one decision moved two assessments across two spots in the opposite order of the other.
The rows are filled from the cells there are. SQLite keeps the tables empty: the overview aggregates the
versions there.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

# The first migration's RunPython helper for SQL on PostgreSQL only.
on_postgresql = importlib.import_module("assessments.migrations.0001_squashed_0018_assessment_path").on_postgresql

# Adds each changed cell's difference to the sums, in both scopes where the cell is approved. {changes}: the
# cells' differences, (status, agency_id, quadrant, need_cell, risk_cell, delta), from the transition tables.
ADD_CHANGES = """
WITH changes (status, agency_id, quadrant, need_cell, risk_cell, delta) AS ({changes}
), scoped AS (
    SELECT 'all' AS scope, c.* FROM changes c
    UNION ALL
    SELECT 'approved', c.* FROM changes c WHERE c.status = 'approved'
), quadrants AS (
    INSERT INTO assessments_overviewagencyquadrant AS q (scope, agency_id, quadrant, scored, count)
    SELECT scope, agency_id, quadrant, need_cell >= 0 AND risk_cell >= 0, SUM(delta) FROM scoped
    GROUP BY 1, 2, 3, 4 HAVING SUM(delta) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (scope, agency_id, quadrant, scored) DO UPDATE SET count = q.count + EXCLUDED.count
), spot_deltas AS (
    SELECT scope, agency_id, need_cell, risk_cell, SUM(delta) AS delta FROM scoped
    WHERE need_cell >= 0 AND risk_cell >= 0 GROUP BY 1, 2, 3, 4 HAVING SUM(delta) <> 0
)
INSERT INTO assessments_overviewagencyspot AS s (scope, agency_id, need_cell, risk_cell, count)
SELECT * FROM spot_deltas ORDER BY 1, 2, 3, 4
ON CONFLICT (scope, agency_id, need_cell, risk_cell) DO UPDATE SET count = s.count + EXCLUDED.count
"""

# (trigger, event, transition tables, the differences they hold): an updated cell adds its new count and
# takes away its old one.
TRIGGERS = [
    (
        "added",
        "INSERT",
        "NEW TABLE AS new_cells",
        "SELECT status, agency_id, quadrant, need_cell, risk_cell, count FROM new_cells",
    ),
    (
        "updated",
        "UPDATE",
        "OLD TABLE AS old_cells NEW TABLE AS new_cells",
        "SELECT status, agency_id, quadrant, need_cell, risk_cell, count FROM new_cells UNION ALL "
        "SELECT status, agency_id, quadrant, need_cell, risk_cell, -count FROM old_cells",
    ),
    (
        "removed",
        "DELETE",
        "OLD TABLE AS old_cells",
        "SELECT status, agency_id, quadrant, need_cell, risk_cell, -count FROM old_cells",
    ),
]

FUNCTION = """
CREATE OR REPLACE FUNCTION kiv_overview_sums_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {body}; RETURN NULL; END $$;
CREATE TRIGGER kiv_overview_sums_{name} AFTER {event} ON assessments_overviewcell
    REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION kiv_overview_sums_{name}();
"""

# The sums from scratch, from the cells there are (also what the tests compare the kept ones with).
REBUILD = """
CREATE OR REPLACE FUNCTION kiv_overview_sums_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
DELETE FROM assessments_overviewagencyquadrant;
DELETE FROM assessments_overviewagencyspot;
{body};
END $$;
SELECT kiv_overview_sums_rebuild();
"""
EVERY_CELL = "SELECT status, agency_id, quadrant, need_cell, risk_cell, count FROM assessments_overviewcell"

SUMS = "\n".join(
    FUNCTION.format(name=name, event=event, tables=tables, body=ADD_CHANGES.format(changes=changes))
    for name, event, tables, changes in TRIGGERS
) + REBUILD.format(body=ADD_CHANGES.format(changes=EVERY_CELL))

SUMS_DROP = (
    "\n".join(
        f"DROP TRIGGER IF EXISTS kiv_overview_sums_{name} ON assessments_overviewcell;\n"
        f"DROP FUNCTION IF EXISTS kiv_overview_sums_{name}();"
        for name, *_ in TRIGGERS
    )
    + "\nDROP FUNCTION IF EXISTS kiv_overview_sums_rebuild();"
)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0019_squashed_0024_catalogue_flag_closing"),
    ]

    operations = [
        migrations.CreateModel(
            name="OverviewAgencyQuadrant",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("scope", models.CharField(choices=[("approved", "Approved"), ("all", "All")], max_length=10)),
                (
                    "agency",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="assessments.agency",
                    ),
                ),
                ("count", models.IntegerField(default=0)),
                ("quadrant", models.CharField(max_length=30)),
                ("scored", models.BooleanField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("scope", "agency", "quadrant", "scored"), name="one_overview_agency_quadrant"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="OverviewAgencySpot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("scope", models.CharField(choices=[("approved", "Approved"), ("all", "All")], max_length=10)),
                (
                    "agency",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="assessments.agency",
                    ),
                ),
                ("count", models.IntegerField(default=0)),
                ("need_cell", models.IntegerField()),
                ("risk_cell", models.IntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("scope", "agency", "need_cell", "risk_cell"), name="one_overview_agency_spot"
                    )
                ],
            },
        ),
        migrations.RunPython(on_postgresql(SUMS), on_postgresql(SUMS_DROP)),
    ]
