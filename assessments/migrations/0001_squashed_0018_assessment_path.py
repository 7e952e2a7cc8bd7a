"""The whole schema up to 0018_assessment_path in one migration (squashed on 2026-12-02).

A fresh database runs this one file. A database that has applied all of 0001-0018 already is marked as having
applied it (`replaces`); the data migrations among them (identities moved onto allauth, material-change kinds and
sent reminders filled from the audit log, the audit head pointed at the newest event) had work only on data that
existed then, so they are not repeated here. A deployment still below 0018 must first upgrade to the release that
has the separate files (docs/deployment.md, "Upgrade").

PostgreSQL gets, beside Django's tables: the title-search indexes (full text and trigrams; in the model state
only on SQLite, which has neither), a row-estimate function for long lists (assessments/queries/paging.py),
the audit log's append-only and forward-only triggers (assessments/audit/), and the triggers that keep the
overview matrix's per-cell counts (models.OverviewCell; tests/test_overview_cells.py checks them).
"""

import uuid

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
import django.db.models.fields.json
import django.db.models.functions.comparison
import django.db.models.functions.text
from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

import assessments.models.agencies

COUNT_ESTIMATE = """
CREATE OR REPLACE FUNCTION kiv_count_estimate(query text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::bigint;
END
$$;
"""

AUDIT_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION kiv_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'assessments_auditevent is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER kiv_audit_append_only
    BEFORE UPDATE OR DELETE ON assessments_auditevent
    FOR EACH ROW EXECUTE FUNCTION kiv_audit_append_only();
"""

AUDIT_APPEND_ONLY_DROP = """
DROP TRIGGER IF EXISTS kiv_audit_append_only ON assessments_auditevent;
DROP FUNCTION IF EXISTS kiv_audit_append_only();
"""

AUDIT_GUARDS = """
CREATE OR REPLACE FUNCTION kiv_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (TRUNCATE refused)', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER kiv_audit_no_truncate
    BEFORE TRUNCATE ON assessments_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION kiv_audit_no_truncate();
CREATE TRIGGER kiv_audit_head_no_truncate
    BEFORE TRUNCATE ON assessments_audithead
    FOR EACH STATEMENT EXECUTE FUNCTION kiv_audit_no_truncate();

CREATE OR REPLACE FUNCTION kiv_audit_head_forward_only() RETURNS trigger AS $$
DECLARE
    newest_id bigint;
    newest_hash varchar;
    added bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'assessments_audithead: DELETE refused';
    END IF;
    SELECT id, hash INTO newest_id, newest_hash FROM assessments_auditevent ORDER BY id DESC LIMIT 1;
    IF NEW.id <> OLD.id OR newest_id IS NULL OR NEW.last_event_id <> newest_id
       OR NEW.last_hash <> newest_hash OR NEW.last_event_id <= OLD.last_event_id THEN
        RAISE EXCEPTION 'assessments_audithead may only move forward to the newest event';
    END IF;
    SELECT count(*) INTO added FROM assessments_auditevent
        WHERE id > OLD.last_event_id AND id <= NEW.last_event_id;
    IF NEW.count <> OLD.count + added THEN
        RAISE EXCEPTION 'assessments_audithead: the count must grow by the events added';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER kiv_audit_head_forward_only
    BEFORE UPDATE OR DELETE ON assessments_audithead
    FOR EACH ROW EXECUTE FUNCTION kiv_audit_head_forward_only();
"""

AUDIT_GUARDS_DROP = """
DROP TRIGGER IF EXISTS kiv_audit_head_forward_only ON assessments_audithead;
DROP FUNCTION IF EXISTS kiv_audit_head_forward_only();
DROP TRIGGER IF EXISTS kiv_audit_head_no_truncate ON assessments_audithead;
DROP TRIGGER IF EXISTS kiv_audit_no_truncate ON assessments_auditevent;
DROP FUNCTION IF EXISTS kiv_audit_no_truncate();
"""

OVERVIEW_CELLS = """
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

OVERVIEW_CELLS_DROP = """
DROP TRIGGER IF EXISTS kiv_overview_versions_added ON assessments_assessmentversion;
DROP TRIGGER IF EXISTS kiv_overview_versions_removed ON assessments_assessmentversion;
DROP TRIGGER IF EXISTS kiv_overview_assessments_moved ON assessments_assessment;
DROP TRIGGER IF EXISTS kiv_overview_assessment_deleted ON assessments_assessment;
DROP FUNCTION IF EXISTS kiv_overview_versions_added(), kiv_overview_versions_removed(), kiv_overview_assessments_moved(),
    kiv_overview_assessment_deleted(), kiv_overview_rebuild();
"""


class OnPostgreSQL:
    """Makes an operation's database work, both ways, PostgreSQL's only; the model state changes everywhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AddIndexOnPostgreSQL(OnPostgreSQL, migrations.AddIndex):
    pass


class TrigramExtensionOnPostgreSQL(OnPostgreSQL, TrigramExtension):
    """Django's CreateExtension skips other databases going forwards, but not backwards (it asks
    pg_extension): unapplying the migration on SQLite would fail."""


def on_postgresql(*sql_parts: str):
    """A reversible RunPython pair that runs SQL on PostgreSQL only. params=None: the SQL holds literal
    % signs (RAISE's placeholder) that psycopg must not parse."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in sql_parts:
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("assessments", "0001_initial"),
        ("assessments", "0002_audit_append_only_trigger"),
        ("assessments", "0003_oidc_group_mapping_and_identity"),
        ("assessments", "0004_assessment_answer_revisions"),
        ("assessments", "0005_review_list_indexes"),
        ("assessments", "0006_version_scores_for_lists"),
        ("assessments", "0007_identity_link_on_allauth"),
        ("assessments", "0008_material_change_kinds_and_sent_reminders"),
        ("assessments", "0009_fill_material_changes_and_reminders_from_audit_log"),
        ("assessments", "0010_comment_reply_and_answers_saved_by"),
        ("assessments", "0011_title_search_and_list_indexes"),
        ("assessments", "0012_overview_cells"),
        ("assessments", "0013_report_claim_lease_and_outbox"),
        ("assessments", "0014_audit_keyed_chain_and_guards"),
        ("assessments", "0015_plans"),
        ("assessments", "0016_tool_overview"),
        ("assessments", "0017_officers_leavers_archive"),
        ("assessments", "0018_assessment_path"),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        TrigramExtensionOnPostgreSQL(),  # does nothing on SQLite
        migrations.CreateModel(
            name="Agency",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, unique=True, verbose_name="navn")),
                (
                    "kind",
                    models.CharField(
                        choices=[("bydel", "Bydel"), ("etat", "Etat"), ("foretak", "Foretak"), ("other", "Annet")],
                        max_length=20,
                        verbose_name="type",
                    ),
                ),
                ("slug", models.SlugField(blank=True, max_length=200, unique=True, verbose_name="kortnavn")),
                (
                    "org_number",
                    models.CharField(
                        blank=True,
                        max_length=9,
                        validators=[assessments.models.agencies.validate_org_number],
                        verbose_name="organisasjonsnummer",
                    ),
                ),
            ],
            options={
                "verbose_name": "virksomhet",
                "verbose_name_plural": "virksomheter",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("count", models.BigIntegerField(default=0)),
                (
                    "last_hash",
                    models.CharField(
                        default="0000000000000000000000000000000000000000000000000000000000000000", max_length=64
                    ),
                ),
                ("last_event_id", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "revisjonslogg-hode",
            },
        ),
        migrations.CreateModel(
            name="Questionnaire",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.CharField(max_length=20, unique=True, verbose_name="versjon")),
                ("title", models.CharField(max_length=200, verbose_name="tittel")),
                ("definition", models.JSONField(verbose_name="definisjon")),
                ("published_at", models.DateTimeField(auto_now_add=True, verbose_name="publisert")),
            ],
            options={
                "verbose_name": "spørreskjema",
                "verbose_name_plural": "spørreskjemaer",
                "ordering": ["-published_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ToolEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(max_length=80, unique=True, verbose_name="kjennetegn")),
                ("is_demo", models.BooleanField(default=False, verbose_name="demooppføring")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "verbose_name": "verktøy i verktøyoversikten",
                "verbose_name_plural": "verktøyoversikten",
                "ordering": ["slug"],
            },
        ),
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, verbose_name="navn")),
                ("token_hash", models.CharField(max_length=64, unique=True)),
                ("prefix", models.CharField(max_length=8)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("last_used_at", models.DateTimeField(blank=True, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "API-nøkkel",
                "verbose_name_plural": "API-nøkler",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="Assessment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("title", models.CharField(max_length=200, verbose_name="tittel")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Utkast"),
                            ("submitted", "Sendt inn"),
                            ("returned", "Returnert for endring"),
                            ("approved", "Godkjent"),
                            ("rejected", "Avvist"),
                            ("withdrawn", "Trukket"),
                            ("superseded", "Erstattet"),
                        ],
                        default="draft",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("nb", "Norsk bokmål"), ("en", "English")],
                        default="nb",
                        max_length=5,
                        verbose_name="språk",
                    ),
                ),
                ("answers", models.JSONField(blank=True, default=dict)),
                ("visited_steps", models.JSONField(blank=True, default=list)),
                ("revision", models.PositiveIntegerField(default=0)),
                ("answer_revisions", models.JSONField(blank=True, default=dict)),
                ("material_change_kinds", models.JSONField(blank=True, default=list)),
                ("review_by", models.DateField(blank=True, null=True, verbose_name="ny vurdering innen")),
                (
                    "path",
                    models.CharField(
                        choices=[("full", "Full vurdering"), ("simplified", "Forenklet")],
                        default="full",
                        max_length=12,
                        verbose_name="type vurdering",
                    ),
                ),
                ("screening_answers", models.JSONField(blank=True, default=dict)),
                ("in_use_since", models.DateField(blank=True, null=True, verbose_name="tatt i bruk")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("answers_saved_at", models.DateTimeField(blank=True, null=True)),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="assessments", to="assessments.agency"
                    ),
                ),
                (
                    "answers_saved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "contributors",
                    models.ManyToManyField(
                        blank=True, related_name="contributed_assessments", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "replaces",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="replaced_by",
                        to="assessments.assessment",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "questionnaire",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assessments",
                        to="assessments.questionnaire",
                    ),
                ),
            ],
            options={
                "verbose_name": "vurdering",
                "verbose_name_plural": "vurderinger",
                "ordering": ["-updated_at"],
            },
        ),
        migrations.CreateModel(
            name="AssessmentVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField()),
                ("answers", models.JSONField()),
                ("result", models.JSONField()),
                ("verdict", models.CharField(db_index=True, max_length=30)),
                ("quadrant", models.CharField(db_index=True, max_length=30)),
                ("submitted_at", models.DateTimeField(auto_now_add=True)),
                (
                    "decision",
                    models.CharField(
                        blank=True,
                        choices=[("returned", "Returnert"), ("approved", "Godkjent"), ("rejected", "Avvist")],
                        max_length=20,
                    ),
                ),
                ("decision_reason", models.TextField(blank=True)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "risk_score",
                    models.GeneratedField(
                        db_persist=True,
                        expression=django.db.models.functions.comparison.Cast(
                            django.db.models.fields.json.KeyTextTransform(
                                "score", django.db.models.fields.json.KeyTextTransform("risk", "result")
                            ),
                            models.FloatField(),
                        ),
                        output_field=models.FloatField(),
                    ),
                ),
                (
                    "need_score",
                    models.GeneratedField(
                        db_persist=True,
                        expression=django.db.models.functions.comparison.Cast(
                            django.db.models.fields.json.KeyTextTransform(
                                "score", django.db.models.fields.json.KeyTextTransform("need", "result")
                            ),
                            models.FloatField(),
                        ),
                        output_field=models.FloatField(),
                    ),
                ),
                (
                    "ai_kind_text",
                    models.GeneratedField(
                        db_persist=True,
                        expression=django.db.models.fields.json.KeyTextTransform("ai_kind", "answers"),
                        output_field=models.TextField(),
                    ),
                ),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="versions",
                        to="assessments.assessment",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "questionnaire",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="assessments.questionnaire"
                    ),
                ),
            ],
            options={
                "ordering": ["assessment", "number"],
            },
        ),
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("actor_id", models.BigIntegerField(blank=True, null=True)),
                ("action", models.CharField(db_index=True, max_length=60)),
                ("object_type", models.CharField(blank=True, max_length=60)),
                ("object_id", models.CharField(blank=True, max_length=64)),
                ("agency_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
                ("created_at", models.DateTimeField(db_index=True)),
                ("details", models.JSONField(blank=True, default=dict)),
                ("request_id", models.CharField(blank=True, max_length=64)),
                ("prev_hash", models.CharField(max_length=64)),
                ("hash", models.CharField(max_length=64, unique=True)),
                ("key_id", models.CharField(blank=True, default="", max_length=16)),
            ],
            options={
                "ordering": ["id"],
                "indexes": [
                    models.Index(fields=["action", "id"], name="auditevent_action_id"),
                    models.Index(fields=["agency_id", "id"], name="auditevent_agency_id"),
                    models.Index(fields=["actor_id", "id"], name="auditevent_actor_id"),
                ],
            },
        ),
        migrations.CreateModel(
            name="AuditWriteCap",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("bucket", models.CharField(max_length=64)),
                ("window", models.BigIntegerField()),
                ("count", models.PositiveIntegerField(default=1)),
                ("created_at", models.DateTimeField(db_index=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("bucket", "window"), name="one_audit_write_per_window")
                ],
            },
        ),
        migrations.CreateModel(
            name="GroupRoles",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("managed_roles", models.JSONField(blank=True, default=dict)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="group_roles",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "roller fra grupper",
                "verbose_name_plural": "roller fra grupper",
            },
        ),
        migrations.CreateModel(
            name="OutboxMessage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("dedupe_key", models.CharField(max_length=200, unique=True)),
                ("kind", models.CharField(max_length=60)),
                ("to", models.CharField(max_length=254)),
                ("subject", models.CharField(max_length=300)),
                ("body", models.TextField()),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "Venter"), ("sent", "Sendt"), ("failed", "Feilet")],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("next_attempt_at", models.DateTimeField()),
                ("last_error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "ordering": ["created_at", "pk"],
                "indexes": [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")],
            },
        ),
        migrations.CreateModel(
            name="PlanItem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=120)),
                ("kind", models.CharField(choices=[("obligation", "Plikt"), ("measure", "Tiltak")], max_length=20)),
                ("title", models.CharField(max_length=300, verbose_name="tittel")),
                ("why", models.TextField(blank=True, verbose_name="hvorfor")),
                ("source", models.CharField(blank=True, max_length=300, verbose_name="kilde")),
                ("measure_value", models.JSONField(blank=True, null=True)),
                ("due_date", models.DateField(blank=True, null=True, verbose_name="frist")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("not_started", "Ikke startet"),
                            ("in_progress", "Pågår"),
                            ("done", "Ferdig"),
                            ("not_relevant", "Ikke relevant"),
                        ],
                        default="not_started",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("status_reason", models.TextField(blank=True, verbose_name="begrunnelse")),
                ("required", models.BooleanField(default=True)),
                ("before_use", models.BooleanField(default=False)),
                ("condition_due", models.DateField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="plan_items",
                        to="assessments.assessment",
                    ),
                ),
                (
                    "carried_from",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="assessments.planitem",
                    ),
                ),
                (
                    "condition_version",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="assessments.assessmentversion",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "tiltak",
                "verbose_name_plural": "tiltak",
                "ordering": ["assessment", "kind", "id"],
            },
        ),
        migrations.CreateModel(
            name="Evidence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("file_name", models.CharField(blank=True, max_length=255)),
                ("storage_name", models.CharField(blank=True, max_length=500)),
                ("content_type", models.CharField(blank=True, max_length=100)),
                ("size", models.PositiveIntegerField(blank=True, null=True)),
                ("sha256", models.CharField(blank=True, max_length=64)),
                ("url", models.URLField(blank=True, max_length=1000)),
                ("added_at", models.DateTimeField(auto_now_add=True)),
                ("removed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "added_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "removed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="evidence", to="assessments.planitem"
                    ),
                ),
            ],
            options={
                "ordering": ["item", "added_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="PlanItemHistory",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(db_index=True)),
                ("change", models.CharField(max_length=40)),
                ("comment", models.TextField(blank=True)),
                ("state", models.JSONField(default=dict)),
                (
                    "actor",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="history", to="assessments.planitem"
                    ),
                ),
            ],
            options={
                "ordering": ["item", "at", "id"],
            },
        ),
        migrations.CreateModel(
            name="PlanStatusReport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("as_of", models.DateField()),
                ("sha256", models.CharField(db_index=True, max_length=64)),
                ("size", models.PositiveIntegerField()),
                ("storage_name", models.CharField(max_length=500)),
                ("signer", models.CharField(blank=True, max_length=300)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="assessments.assessment"
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="ReassignmentFlag",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("owner", "Eier av utkastet"), ("contributor", "Invitert bidragsyter")],
                        max_length=20,
                        verbose_name="hva",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("resolved_at", models.DateTimeField(blank=True, null=True, verbose_name="løst")),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reassignment_flags",
                        to="assessments.assessment",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "verbose_name": "må overføres",
                "verbose_name_plural": "må overføres",
                "ordering": ["-created_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="ReminderSent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("due", "Frist nærmer seg"), ("overdue", "Frist er passert")], max_length=20
                    ),
                ),
                ("period", models.CharField(max_length=20)),
                ("recipients", models.PositiveIntegerField(default=0)),
                ("sent_at", models.DateTimeField(auto_now_add=True)),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="reminders", to="assessments.planitem"
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Report",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[("signed", "Signert rapport"), ("preview", "Forhåndsvisning")],
                        default="signed",
                        max_length=10,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "I kø"), ("rendering", "Lages"), ("ready", "Klar"), ("failed", "Feilet")],
                        db_index=True,
                        default="pending",
                        max_length=12,
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("sha256", models.CharField(blank=True, db_index=True, max_length=64)),
                ("size", models.PositiveIntegerField(blank=True, null=True)),
                ("storage_name", models.CharField(blank=True, max_length=500)),
                ("signer", models.CharField(blank=True, max_length=300)),
                ("error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("render_ms", models.PositiveIntegerField(blank=True, null=True)),
                ("sign_ms", models.PositiveIntegerField(blank=True, null=True)),
                ("claimed_by", models.CharField(blank=True, max_length=64)),
                ("lease_until", models.DateTimeField(blank=True, null=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="reports", to="assessments.assessment"
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reports",
                        to="assessments.assessmentversion",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="ReviewComment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("question_key", models.CharField(blank=True, max_length=60)),
                ("text", models.TextField(max_length=5000)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("reply", models.TextField(blank=True, max_length=5000)),
                ("replied_at", models.DateTimeField(blank=True, null=True)),
                (
                    "author",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "replied_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="comments",
                        to="assessments.assessmentversion",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="SentReminder",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("review_due", "Ny vurdering nærmer seg"),
                            ("review_overdue", "Ny vurdering er forfalt"),
                        ],
                        max_length=20,
                    ),
                ),
                ("review_by", models.DateField()),
                ("recipients", models.PositiveIntegerField(default=0)),
                ("sent_at", models.DateTimeField(auto_now_add=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sent_reminders",
                        to="assessments.assessment",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="ToolEntryVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField(verbose_name="versjon")),
                ("name", models.CharField(max_length=200, verbose_name="navn")),
                ("vendor", models.CharField(blank=True, max_length=200, verbose_name="leverandør")),
                ("edition", models.CharField(blank=True, max_length=200, verbose_name="utgave eller lisens")),
                ("description", models.TextField(blank=True, max_length=2000, verbose_name="hva verktøyet gjør")),
                ("generates_content", models.BooleanField(default=True, verbose_name="lager innhold (generativ KI)")),
                (
                    "hosting",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("municipal_platform", "Kommunens egen plattform"),
                            ("cloud_eea", "Skytjeneste i EU/EØS"),
                            ("outside_eea", "Utenfor EU/EØS"),
                            ("unknown", "Ukjent"),
                        ],
                        max_length=30,
                        verbose_name="lagring og drift",
                    ),
                ),
                ("dpa", models.BooleanField(blank=True, null=True, verbose_name="databehandleravtale")),
                ("dpa_reference", models.CharField(blank=True, max_length=200, verbose_name="avtalereferanse")),
                ("dpa_valid_until", models.DateField(blank=True, null=True, verbose_name="avtalen gjelder til")),
                (
                    "vendor_trains_on_inputs",
                    models.BooleanField(
                        blank=True, null=True, verbose_name="leverandøren kan trene på det som legges inn"
                    ),
                ),
                (
                    "enterprise_agreement",
                    models.BooleanField(blank=True, null=True, verbose_name="brukes med kommunens avtale og jobbkonto"),
                ),
                (
                    "max_class",
                    models.CharField(
                        choices=[
                            ("open", "Åpen informasjon"),
                            ("internal", "Intern informasjon"),
                            ("confidential", "Taushetsbelagt eller unntatt offentlighet"),
                            ("classified", "Skjermingsverdig eller gradert"),
                        ],
                        max_length=20,
                        verbose_name="høyeste informasjonsklasse",
                    ),
                ),
                (
                    "personal_data_allowed",
                    models.BooleanField(default=False, verbose_name="godkjent for personopplysninger"),
                ),
                (
                    "special_categories_allowed",
                    models.BooleanField(default=False, verbose_name="godkjent for særlige kategorier"),
                ),
                ("guideline_url", models.URLField(blank=True, verbose_name="lenke til retningslinje")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("approved", "Godkjent"),
                            ("under_assessment", "Under vurdering"),
                            ("not_approved", "Ikke godkjent"),
                            ("withdrawn", "Trukket tilbake"),
                        ],
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("status_since", models.DateField(verbose_name="status fra")),
                ("approved_until", models.DateField(blank=True, null=True, verbose_name="godkjent til")),
                ("note", models.TextField(blank=True, max_length=4000, verbose_name="merknad fra UKE")),
                ("change_note", models.CharField(blank=True, max_length=500, verbose_name="hva er endret")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="versions", to="assessments.toolentry"
                    ),
                ),
            ],
            options={
                "verbose_name": "versjon i verktøyoversikten",
                "verbose_name_plural": "versjoner i verktøyoversikten",
                "ordering": ["entry", "-number"],
            },
        ),
        migrations.CreateModel(
            name="CatalogueFlag",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("used_ref", models.CharField(max_length=100)),
                ("reasons", models.JSONField(default=list)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="catalogue_flags",
                        to="assessments.assessment",
                    ),
                ),
                (
                    "new_version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="flags",
                        to="assessments.toolentryversion",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="ArchiveHandover",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "Venter"), ("delivered", "Arkivert")], default="pending", max_length=10
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("next_attempt_at", models.DateTimeField()),
                ("last_error", models.TextField(blank=True)),
                ("journalpost_id", models.CharField(blank=True, max_length=200, verbose_name="journalpost-id")),
                ("package_sha256", models.CharField(blank=True, max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("delivered_at", models.DateTimeField(blank=True, null=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="assessments.assessment"
                    ),
                ),
                (
                    "version",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="archive_handover",
                        to="assessments.assessmentversion",
                    ),
                ),
            ],
            options={
                "verbose_name": "arkivering",
                "verbose_name_plural": "arkiveringer",
                "indexes": [models.Index(fields=["status", "next_attempt_at"], name="archive_due")],
            },
        ),
        migrations.CreateModel(
            name="GroupMapping",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "group_id",
                    models.CharField(
                        db_index=True,
                        help_text="Gruppens objekt-id i Entra ID, slik den står i gruppe-claimet i ID-tokenet.",
                        max_length=200,
                        verbose_name="gruppe-id",
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("leader", "Virksomhetsleder"),
                            ("contributor", "Bidragsyter"),
                            ("reviewer", "Saksbehandler i UKE"),
                            ("auditor", "Revisor"),
                            ("dpo", "Personvernombud"),
                            ("security_officer", "Sikkerhetsleder"),
                        ],
                        max_length=20,
                        verbose_name="rolle",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="merknad")),
                (
                    "agency",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="group_mappings",
                        to="assessments.agency",
                        verbose_name="virksomhet",
                    ),
                ),
            ],
            options={
                "verbose_name": "gruppekobling",
                "verbose_name_plural": "gruppekoblinger",
                "ordering": ["group_id", "role"],
                "constraints": [
                    models.UniqueConstraint(fields=("group_id", "agency", "role"), name="unique_group_mapping")
                ],
            },
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "role",
                    models.CharField(
                        choices=[("leader", "Virksomhetsleder"), ("contributor", "Bidragsyter")],
                        max_length=20,
                        verbose_name="rolle",
                    ),
                ),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to="assessments.agency"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "medlemskap",
                "verbose_name_plural": "medlemskap",
                "constraints": [models.UniqueConstraint(fields=("user", "agency"), name="one_membership_per_agency")],
            },
        ),
        migrations.CreateModel(
            name="MunicipalRole",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("reviewer", "Saksbehandler i UKE"),
                            ("auditor", "Revisor"),
                            ("dpo", "Personvernombud"),
                            ("security_officer", "Sikkerhetsleder"),
                        ],
                        max_length=20,
                        verbose_name="rolle",
                    ),
                ),
                (
                    "agencies",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Tom betyr alle virksomheter.",
                        to="assessments.agency",
                        verbose_name="begrenset til",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="municipal_roles",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "kommunal rolle",
                "verbose_name_plural": "kommunale roller",
                "constraints": [models.UniqueConstraint(fields=("user", "role"), name="one_municipal_role_each")],
            },
        ),
        migrations.CreateModel(
            name="OfficerAdvice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "role",
                    models.CharField(
                        choices=[("dpo", "Personvernombud"), ("security_officer", "Sikkerhetsleder")],
                        max_length=20,
                        verbose_name="rolle",
                    ),
                ),
                ("text", models.TextField(verbose_name="råd")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="officer_advice",
                        to="assessments.assessment",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="assessments.assessmentversion",
                    ),
                ),
            ],
            options={
                "verbose_name": "råd fra ombud",
                "verbose_name_plural": "råd fra ombud",
                "ordering": ["created_at", "pk"],
                "indexes": [models.Index(fields=["assessment", "role"], name="officer_advice_by_role")],
            },
        ),
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
        migrations.AddIndex(
            model_name="planitem",
            index=models.Index(fields=["status", "due_date"], name="planitem_status_due"),
        ),
        migrations.AddConstraint(
            model_name="planitem",
            constraint=models.UniqueConstraint(fields=("assessment", "key"), name="one_plan_item_per_key"),
        ),
        migrations.AddIndex(
            model_name="assessmentversion",
            index=models.Index(fields=["submitted_at"], name="version_submitted_at"),
        ),
        migrations.AddIndex(
            model_name="assessmentversion",
            index=models.Index(fields=["decided_at"], name="version_decided_at"),
        ),
        migrations.AddConstraint(
            model_name="assessmentversion",
            constraint=models.UniqueConstraint(fields=("assessment", "number"), name="unique_version_number"),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(fields=["status", "agency"], name="assessments_status_ab0dbb_idx"),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(fields=["review_by"], name="assessments_review__52bd24_idx"),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(fields=["status", "agency", "id"], name="assessment_status_agency_id"),
        ),
        AddIndexOnPostgreSQL(
            model_name="assessment",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector("title", config="norwegian"), name="assessment_title_search"
            ),
        ),
        AddIndexOnPostgreSQL(
            model_name="assessment",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("title"), name="gin_trgm_ops"
                ),
                name="assessment_title_trigram",
            ),
        ),
        migrations.AddConstraint(
            model_name="reassignmentflag",
            constraint=models.UniqueConstraint(
                condition=models.Q(("resolved_at__isnull", True)),
                fields=("assessment", "user", "kind"),
                name="one_open_reassignment_flag",
            ),
        ),
        migrations.AddConstraint(
            model_name="remindersent",
            constraint=models.UniqueConstraint(fields=("item", "kind", "period"), name="one_plan_reminder_per_period"),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "signed")), fields=("version",), name="one_signed_report_per_version"
            ),
        ),
        migrations.AddConstraint(
            model_name="sentreminder",
            constraint=models.UniqueConstraint(
                fields=("assessment", "kind", "review_by"), name="one_reminder_per_review_date"
            ),
        ),
        migrations.AddConstraint(
            model_name="toolentryversion",
            constraint=models.UniqueConstraint(fields=("entry", "number"), name="one_number_per_tool_version"),
        ),
        migrations.AddConstraint(
            model_name="catalogueflag",
            constraint=models.UniqueConstraint(
                fields=("assessment", "new_version"), name="one_flag_per_assessment_version"
            ),
        ),
        migrations.RunPython(
            on_postgresql(COUNT_ESTIMATE, AUDIT_APPEND_ONLY, AUDIT_GUARDS, OVERVIEW_CELLS),
            on_postgresql(
                OVERVIEW_CELLS_DROP,
                AUDIT_GUARDS_DROP,
                AUDIT_APPEND_ONLY_DROP,
                "DROP FUNCTION IF EXISTS kiv_count_estimate(text)",
            ),
        ),
    ]
