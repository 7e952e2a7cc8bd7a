"""The keyed audit chain (key_id per event), the head's last event, the cap on anonymous audit writes, and on
PostgreSQL: TRUNCATE of the audit tables refused, and the head row allowed to move only forward to the newest
event (never back, never to a made-up hash). Existing events keep their plain SHA-256; nothing is re-hashed."""

from django.db import migrations, models

CREATE = """
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
DROP = """
DROP TRIGGER IF EXISTS kiv_audit_head_forward_only ON assessments_audithead;
DROP FUNCTION IF EXISTS kiv_audit_head_forward_only();
DROP TRIGGER IF EXISTS kiv_audit_head_no_truncate ON assessments_audithead;
DROP TRIGGER IF EXISTS kiv_audit_no_truncate ON assessments_auditevent;
DROP FUNCTION IF EXISTS kiv_audit_no_truncate();
"""


def head_points_at_newest_event(apps, schema_editor):
    AuditEvent = apps.get_model("assessments", "AuditEvent")
    AuditHead = apps.get_model("assessments", "AuditHead")
    newest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    AuditHead.objects.filter(pk=1).update(last_event_id=newest or 0)


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the SQL holds a literal % (RAISE's placeholder) that psycopg must not parse.
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0013_report_claim_lease_and_outbox")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.AddField(
            model_name="audithead",
            name="last_event_id",
            field=models.BigIntegerField(default=0),
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
        migrations.RunPython(head_points_at_newest_event, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
