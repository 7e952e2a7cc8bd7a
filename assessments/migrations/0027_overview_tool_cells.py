"""The overview cells per tool (models.OverviewToolCell), kept by PostgreSQL triggers.

Grouped by tool or filtered by a tool, the overview aggregated the latest versions themselves, reading the
tool's reference out of each one's answers (about 13 kB of JSON a row): at 100,000 assessments that took
16 times as long as at 100. These counts are the overview cells (models.OverviewCell, OVERVIEW_CELLS in the
first migration) with the tool's slug as one more key, kept the same way: statement triggers on versions
inserted and deleted, on assessments whose status or agency changes, and a row trigger on a deleted
assessment each take the old latest version's cell away and add the new one's, as a difference
(`count = count + d`), in the same transaction. The slug is the part of the answer `cat_ref` ("slug@number")
before the last "@", "" where there is none, so the versions of one tool share a cell. The table is filled
from the assessments there are; kiv_overview_tools_rebuild() recounts it from scratch (the tests compare).
SQLite keeps the table empty: the overview aggregates the versions there.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

# The first migration's RunPython helper for SQL on PostgreSQL only.
on_postgresql = importlib.import_module("assessments.migrations.0001_squashed_0018_assessment_path").on_postgresql


def version_of(alias: str) -> str:
    """A version's columns that place it: quadrant, scores and its tool's slug (greedy: up to the last "@")."""
    tool = f"COALESCE(substring({alias}.answers ->> 'cat_ref' from '^(.*)@'), '')"
    return f"{alias}.quadrant, {alias}.need_score, {alias}.risk_score, {tool} AS tool"


def latest(assessment_id: str, before: str = "") -> str:
    """The assessment's latest version (`before`: of those numbered below it) as `v`."""
    return (
        f"JOIN LATERAL (SELECT {version_of('x')} FROM assessments_assessmentversion x "
        f"WHERE x.assessment_id = {assessment_id}{before} ORDER BY x.number DESC LIMIT 1) v ON TRUE"  # nosec B608 - built from this migration's own constants, no input
    )


PLACED = "v.tool, v.quadrant, v.need_score, v.risk_score"

# Adds {deltas}, rows of (status, agency_id, tool, quadrant, need score, risk score, delta), to the kept
# counts, the scores rounded to cells of 2 points as the overview cells round them (ties to even).
ADD_DELTAS = """
INSERT INTO assessments_overviewtoolcell AS c (status, agency_id, tool, quadrant, need_cell, risk_cell, count)
SELECT status, agency_id, tool, quadrant, COALESCE(ROUND(need_score / 2)::int, -1),
       COALESCE(ROUND(risk_score / 2)::int, -1), SUM(delta)
FROM ({deltas}) AS d (status, agency_id, tool, quadrant, need_score, risk_score, delta)
GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(delta) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT (status, agency_id, tool, quadrant, need_cell, risk_cell) DO UPDATE SET count = c.count + EXCLUDED.count
"""

# New versions: each touched assessment leaves the cell of its latest version before them for its newest's.
ADDED = f"""
WITH touched AS (SELECT assessment_id, MIN(number) AS first_new FROM added GROUP BY assessment_id)
SELECT a.status, a.agency_id, {PLACED}, -1 FROM touched t JOIN assessments_assessment a ON a.id = t.assessment_id
    {latest("t.assessment_id", " AND x.number < t.first_new")}
UNION ALL
SELECT a.status, a.agency_id, {PLACED}, 1 FROM touched t JOIN assessments_assessment a ON a.id = t.assessment_id
    {latest("t.assessment_id")}
"""  # nosec B608 - built from this migration's own constants, no input

# Deleted versions: the latest one before the delete is the newest of those left and those removed.
REMOVED = f"""
WITH touched AS (SELECT DISTINCT assessment_id FROM removed)
SELECT a.status, a.agency_id, {PLACED}, -1 FROM touched t JOIN assessments_assessment a ON a.id = t.assessment_id
    JOIN LATERAL (
        SELECT u.* FROM (
            SELECT x.number, {version_of("x")} FROM assessments_assessmentversion x WHERE x.assessment_id = t.assessment_id
            UNION ALL
            SELECT r.number, {version_of("r")} FROM removed r WHERE r.assessment_id = t.assessment_id
        ) u ORDER BY u.number DESC LIMIT 1
    ) v ON TRUE
UNION ALL
SELECT a.status, a.agency_id, {PLACED}, 1 FROM touched t JOIN assessments_assessment a ON a.id = t.assessment_id
    {latest("t.assessment_id")}
"""  # nosec B608 - built from this migration's own constants, no input

MOVED = f"""
WITH moved AS (
    SELECT b.id, b.status AS old_status, b.agency_id AS old_agency, n.status AS new_status, n.agency_id AS new_agency
    FROM before b JOIN after n ON n.id = b.id
    WHERE b.status IS DISTINCT FROM n.status OR b.agency_id IS DISTINCT FROM n.agency_id
)
SELECT m.old_status, m.old_agency, {PLACED}, -1 FROM moved m {latest("m.id")}
UNION ALL
SELECT m.new_status, m.new_agency, {PLACED}, 1 FROM moved m {latest("m.id")}
"""  # nosec B608 - built from this migration's own constants, no input

DELETED = f"SELECT OLD.status, OLD.agency_id, {PLACED}, -1 FROM (SELECT 1) AS one {latest('OLD.id')}"  # nosec B608 - built from this migration's own constants, no input

EVERY_ASSESSMENT = f"SELECT a.status, a.agency_id, {PLACED}, 1 FROM assessments_assessment a {latest('a.id')}"  # nosec B608 - built from this migration's own constants, no input

TOOL_CELLS = f"""
CREATE OR REPLACE FUNCTION kiv_overview_tools_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {ADD_DELTAS.format(deltas=ADDED)}; RETURN NULL; END $$;
CREATE TRIGGER kiv_overview_tools_added AFTER INSERT ON assessments_assessmentversion
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION kiv_overview_tools_added();

CREATE OR REPLACE FUNCTION kiv_overview_tools_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {ADD_DELTAS.format(deltas=REMOVED)}; RETURN NULL; END $$;
CREATE TRIGGER kiv_overview_tools_removed AFTER DELETE ON assessments_assessmentversion
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION kiv_overview_tools_removed();

CREATE OR REPLACE FUNCTION kiv_overview_tools_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {ADD_DELTAS.format(deltas=MOVED)}; RETURN NULL; END $$;
CREATE TRIGGER kiv_overview_tools_moved AFTER UPDATE ON assessments_assessment
    REFERENCING OLD TABLE AS before NEW TABLE AS after
    FOR EACH STATEMENT EXECUTE FUNCTION kiv_overview_tools_moved();

CREATE OR REPLACE FUNCTION kiv_overview_tools_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {ADD_DELTAS.format(deltas=DELETED)}; RETURN OLD; END $$;
CREATE TRIGGER kiv_overview_tools_deleted BEFORE DELETE ON assessments_assessment
    FOR EACH ROW EXECUTE FUNCTION kiv_overview_tools_deleted();

CREATE OR REPLACE FUNCTION kiv_overview_tools_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN DELETE FROM assessments_overviewtoolcell; {ADD_DELTAS.format(deltas=EVERY_ASSESSMENT)}; END $$;
SELECT kiv_overview_tools_rebuild();
"""  # nosec B608 - built from this migration's own constants, no input

TOOL_CELLS_DROP = """
DROP TRIGGER IF EXISTS kiv_overview_tools_added ON assessments_assessmentversion;
DROP TRIGGER IF EXISTS kiv_overview_tools_removed ON assessments_assessmentversion;
DROP TRIGGER IF EXISTS kiv_overview_tools_moved ON assessments_assessment;
DROP TRIGGER IF EXISTS kiv_overview_tools_deleted ON assessments_assessment;
DROP FUNCTION IF EXISTS kiv_overview_tools_added(), kiv_overview_tools_removed(), kiv_overview_tools_moved(),
    kiv_overview_tools_deleted(), kiv_overview_tools_rebuild();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0026_version_title_search"),
    ]

    operations = [
        migrations.CreateModel(
            name="OverviewToolCell",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("status", models.CharField(max_length=20)),
                ("tool", models.TextField()),
                ("quadrant", models.CharField(max_length=30)),
                ("need_cell", models.IntegerField()),
                ("risk_cell", models.IntegerField()),
                ("count", models.IntegerField(default=0)),
                (
                    "agency",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="assessments.agency",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("status", "agency", "tool", "quadrant", "need_cell", "risk_cell"),
                        name="one_overview_tool_cell",
                    )
                ],
            },
        ),
        migrations.RunPython(on_postgresql(TOOL_CELLS), on_postgresql(TOOL_CELLS_DROP)),
    ]
