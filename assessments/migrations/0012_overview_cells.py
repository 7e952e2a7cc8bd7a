"""Counts per spot of the overview matrix, kept by PostgreSQL triggers (see models.OverviewCell).

Four triggers keep assessments_overviewcell equal to "the latest version of every assessment, counted
by the assessment's status and agency, the version's quadrant and its scores to the nearest 2 points":
versions added or removed (the previous latest leaves its spot, the new one enters), an assessment's
status or agency changed (it moves), an assessment deleted with its versions still there (it leaves;
Django deletes the versions first, the database's own cascade last). Each adds +1/-1 per spot in one upsert, spots in a
fixed order so that concurrent writers lock them in the same order. tests/test_overview_cells.py checks
the table against a fresh aggregate after every kind of change. `SELECT kiv_overview_rebuild()` fills it
from scratch (this migration does, for the assessments there are).
"""

import django.db.models.deletion
from django.db import migrations, models

FORWARDS = """
CREATE OR REPLACE FUNCTION kiv_overview_versions_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO assessments_overviewcell AS c (status, agency_id, quadrant, need_cell, risk_cell, count)
SELECT status, agency_id, quadrant, need_cell, risk_cell, SUM(delta) FROM (
    WITH touched AS (SELECT assessment_id, MIN(number) AS first_new FROM added GROUP BY assessment_id)
    SELECT a.status, a.agency_id, v.quadrant, COALESCE(ROUND(v.need_score / 2)::int, -1), COALESCE(ROUND(v.risk_score / 2)::int, -1), -1 FROM touched t
        JOIN assessments_assessment a ON a.id = t.assessment_id
        JOIN LATERAL (SELECT x.quadrant, x.need_score, x.risk_score FROM assessments_assessmentversion x WHERE x.assessment_id = t.assessment_id AND x.number < t.first_new ORDER BY x.number DESC LIMIT 1) v ON TRUE
    UNION ALL
    SELECT a.status, a.agency_id, v.quadrant, COALESCE(ROUND(v.need_score / 2)::int, -1), COALESCE(ROUND(v.risk_score / 2)::int, -1), 1 FROM touched t
        JOIN assessments_assessment a ON a.id = t.assessment_id
        JOIN LATERAL (SELECT x.quadrant, x.need_score, x.risk_score FROM assessments_assessmentversion x WHERE x.assessment_id = t.assessment_id  ORDER BY x.number DESC LIMIT 1) v ON TRUE
    )
    AS d (status, agency_id, quadrant, need_cell, risk_cell, delta)
GROUP BY status, agency_id, quadrant, need_cell, risk_cell
ORDER BY status, agency_id, quadrant, need_cell, risk_cell
ON CONFLICT (status, agency_id, quadrant, need_cell, risk_cell) DO UPDATE SET count = c.count + EXCLUDED.count
; RETURN NULL; END $$;
CREATE TRIGGER kiv_overview_versions_added AFTER INSERT ON assessments_assessmentversion
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION kiv_overview_versions_added();

CREATE OR REPLACE FUNCTION kiv_overview_versions_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO assessments_overviewcell AS c (status, agency_id, quadrant, need_cell, risk_cell, count)
SELECT status, agency_id, quadrant, need_cell, risk_cell, SUM(delta) FROM (
    WITH touched AS (SELECT DISTINCT assessment_id FROM removed)
    SELECT a.status, a.agency_id, v.quadrant, COALESCE(ROUND(v.need_score / 2)::int, -1), COALESCE(ROUND(v.risk_score / 2)::int, -1), -1 FROM touched t
        JOIN assessments_assessment a ON a.id = t.assessment_id
        JOIN LATERAL (
            SELECT u.quadrant, u.need_score, u.risk_score FROM (
                SELECT x.number, x.quadrant, x.need_score, x.risk_score FROM assessments_assessmentversion x
                WHERE x.assessment_id = t.assessment_id
                UNION ALL
                SELECT r.number, r.quadrant, r.need_score, r.risk_score FROM removed r
                WHERE r.assessment_id = t.assessment_id
            ) u ORDER BY u.number DESC LIMIT 1
        ) v ON TRUE
    UNION ALL
    SELECT a.status, a.agency_id, v.quadrant, COALESCE(ROUND(v.need_score / 2)::int, -1), COALESCE(ROUND(v.risk_score / 2)::int, -1), 1 FROM touched t
        JOIN assessments_assessment a ON a.id = t.assessment_id
        JOIN LATERAL (SELECT x.quadrant, x.need_score, x.risk_score FROM assessments_assessmentversion x WHERE x.assessment_id = t.assessment_id ORDER BY x.number DESC LIMIT 1) v ON TRUE
    )
    AS d (status, agency_id, quadrant, need_cell, risk_cell, delta)
GROUP BY status, agency_id, quadrant, need_cell, risk_cell
ORDER BY status, agency_id, quadrant, need_cell, risk_cell
ON CONFLICT (status, agency_id, quadrant, need_cell, risk_cell) DO UPDATE SET count = c.count + EXCLUDED.count
; RETURN NULL; END $$;
CREATE TRIGGER kiv_overview_versions_removed AFTER DELETE ON assessments_assessmentversion
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION kiv_overview_versions_removed();

CREATE OR REPLACE FUNCTION kiv_overview_assessments_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO assessments_overviewcell AS c (status, agency_id, quadrant, need_cell, risk_cell, count)
SELECT status, agency_id, quadrant, need_cell, risk_cell, SUM(delta) FROM (
    WITH moved AS (
        SELECT b.id, b.status AS old_status, b.agency_id AS old_agency, n.status AS new_status,
               n.agency_id AS new_agency
        FROM before b JOIN after n ON n.id = b.id
        WHERE b.status IS DISTINCT FROM n.status OR b.agency_id IS DISTINCT FROM n.agency_id
    )
    SELECT m.old_status, m.old_agency, v.quadrant, COALESCE(ROUND(v.need_score / 2)::int, -1), COALESCE(ROUND(v.risk_score / 2)::int, -1), -1 FROM moved m JOIN LATERAL (SELECT x.quadrant, x.need_score, x.risk_score FROM assessments_assessmentversion x WHERE x.assessment_id = m.id  ORDER BY x.number DESC LIMIT 1) v ON TRUE
    UNION ALL
    SELECT m.new_status, m.new_agency, v.quadrant, COALESCE(ROUND(v.need_score / 2)::int, -1), COALESCE(ROUND(v.risk_score / 2)::int, -1), 1 FROM moved m JOIN LATERAL (SELECT x.quadrant, x.need_score, x.risk_score FROM assessments_assessmentversion x WHERE x.assessment_id = m.id  ORDER BY x.number DESC LIMIT 1) v ON TRUE
    )
    AS d (status, agency_id, quadrant, need_cell, risk_cell, delta)
GROUP BY status, agency_id, quadrant, need_cell, risk_cell
ORDER BY status, agency_id, quadrant, need_cell, risk_cell
ON CONFLICT (status, agency_id, quadrant, need_cell, risk_cell) DO UPDATE SET count = c.count + EXCLUDED.count
; RETURN NULL; END $$;
CREATE TRIGGER kiv_overview_assessments_moved AFTER UPDATE ON assessments_assessment
    REFERENCING OLD TABLE AS before NEW TABLE AS after
    FOR EACH STATEMENT EXECUTE FUNCTION kiv_overview_assessments_moved();

CREATE OR REPLACE FUNCTION kiv_overview_assessment_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO assessments_overviewcell AS c (status, agency_id, quadrant, need_cell, risk_cell, count)
SELECT status, agency_id, quadrant, need_cell, risk_cell, SUM(delta) FROM (SELECT OLD.status, OLD.agency_id, v.quadrant, COALESCE(ROUND(v.need_score / 2)::int, -1), COALESCE(ROUND(v.risk_score / 2)::int, -1), -1 FROM (SELECT 1) AS one JOIN LATERAL (SELECT x.quadrant, x.need_score, x.risk_score FROM assessments_assessmentversion x WHERE x.assessment_id = OLD.id  ORDER BY x.number DESC LIMIT 1) v ON TRUE)
    AS d (status, agency_id, quadrant, need_cell, risk_cell, delta)
GROUP BY status, agency_id, quadrant, need_cell, risk_cell
ORDER BY status, agency_id, quadrant, need_cell, risk_cell
ON CONFLICT (status, agency_id, quadrant, need_cell, risk_cell) DO UPDATE SET count = c.count + EXCLUDED.count
; RETURN OLD; END $$;
CREATE TRIGGER kiv_overview_assessment_deleted BEFORE DELETE ON assessments_assessment
    FOR EACH ROW EXECUTE FUNCTION kiv_overview_assessment_deleted();

CREATE OR REPLACE FUNCTION kiv_overview_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN DELETE FROM assessments_overviewcell;
INSERT INTO assessments_overviewcell AS c (status, agency_id, quadrant, need_cell, risk_cell, count)
SELECT status, agency_id, quadrant, need_cell, risk_cell, SUM(delta) FROM (SELECT a.status, a.agency_id, v.quadrant, COALESCE(ROUND(v.need_score / 2)::int, -1), COALESCE(ROUND(v.risk_score / 2)::int, -1), 1 FROM assessments_assessment a JOIN LATERAL (SELECT x.quadrant, x.need_score, x.risk_score FROM assessments_assessmentversion x WHERE x.assessment_id = a.id  ORDER BY x.number DESC LIMIT 1) v ON TRUE)
    AS d (status, agency_id, quadrant, need_cell, risk_cell, delta)
GROUP BY status, agency_id, quadrant, need_cell, risk_cell
ORDER BY status, agency_id, quadrant, need_cell, risk_cell
ON CONFLICT (status, agency_id, quadrant, need_cell, risk_cell) DO UPDATE SET count = c.count + EXCLUDED.count
; END $$;
SELECT kiv_overview_rebuild();
"""

BACKWARDS = """
DROP TRIGGER IF EXISTS kiv_overview_versions_added ON assessments_assessmentversion;
DROP TRIGGER IF EXISTS kiv_overview_versions_removed ON assessments_assessmentversion;
DROP TRIGGER IF EXISTS kiv_overview_assessments_moved ON assessments_assessment;
DROP TRIGGER IF EXISTS kiv_overview_assessment_deleted ON assessments_assessment;
DROP FUNCTION IF EXISTS kiv_overview_versions_added(), kiv_overview_versions_removed(), kiv_overview_assessments_moved(),
    kiv_overview_assessment_deleted(), kiv_overview_rebuild();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARDS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0011_title_search_and_list_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="OverviewCell",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("status", models.CharField(max_length=20)),
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
                        fields=("status", "agency", "quadrant", "need_cell", "risk_cell"), name="one_overview_cell"
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
