"""On PostgreSQL the database itself refuses UPDATE and DELETE on audit events, not just the ORM."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION kiv_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'assessments_auditevent is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER kiv_audit_append_only
    BEFORE UPDATE OR DELETE ON assessments_auditevent
    FOR EACH ROW EXECUTE FUNCTION kiv_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS kiv_audit_append_only ON assessments_auditevent;
DROP FUNCTION IF EXISTS kiv_audit_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the SQL holds a literal % (RAISE's placeholder) that psycopg must not parse.
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
