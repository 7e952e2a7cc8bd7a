"""The assessment's status and agency copied onto its versions, kept by triggers (models.AssessmentVersion).

The lists (assessments/queries/lists.py) filter the latest versions by the assessment's status and agency
and sort them by the version's submission or decision time. With the status and agency only on the
assessment no index serves both, so a list of one agency walked every agency's versions by time. Copied
onto the version, (agency, status, time) is one index and a page is a range scan with a LIMIT.

The copies are kept by the database, in the same transaction as the change, on both backends: a version
takes its assessment's values when it is inserted (or when anything tries to write the copies), and an
assessment whose status or agency changes passes them on to its versions. Whoever changes an assessment
(a service, QuerySet.update, a data fix in the shell) cannot leave them stale. PostgreSQL sets the
inserted row itself (BEFORE); SQLite has no such trigger and updates the row just inserted (AFTER).
Note for later migrations: on SQLite, a migration that remakes the assessment or version table drops
these triggers; run `forwards` again after it. 0020 fills the copies of the rows there already are.
"""

from django.db import migrations, models

POSTGRESQL = """
CREATE OR REPLACE FUNCTION kiv_version_listed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT a.status, a.agency_id INTO NEW.assessment_status, NEW.assessment_agency_id
    FROM assessments_assessment a WHERE a.id = NEW.assessment_id;
    RETURN NEW;
END $$;
CREATE TRIGGER kiv_version_listed
    BEFORE INSERT OR UPDATE OF assessment_id, assessment_status, assessment_agency_id
    ON assessments_assessmentversion FOR EACH ROW EXECUTE FUNCTION kiv_version_listed();

CREATE OR REPLACE FUNCTION kiv_assessment_listed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE assessments_assessmentversion SET assessment_status = NEW.status, assessment_agency_id = NEW.agency_id
    WHERE assessment_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER kiv_assessment_listed AFTER UPDATE OF status, agency_id ON assessments_assessment
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.agency_id IS DISTINCT FROM NEW.agency_id)
    EXECUTE FUNCTION kiv_assessment_listed();
"""

POSTGRESQL_BACKWARDS = """
DROP TRIGGER IF EXISTS kiv_version_listed ON assessments_assessmentversion;
DROP TRIGGER IF EXISTS kiv_assessment_listed ON assessments_assessment;
DROP FUNCTION IF EXISTS kiv_version_listed(), kiv_assessment_listed();
"""

# SQLite does not fire a trigger from within itself (recursive_triggers is off), so the UPDATE inside
# kiv_version_listed_update does not run it again.
_COPY_FROM_ASSESSMENT = """
    UPDATE assessments_assessmentversion SET
        assessment_status = (SELECT a.status FROM assessments_assessment a WHERE a.id = NEW.assessment_id),
        assessment_agency_id = (SELECT a.agency_id FROM assessments_assessment a WHERE a.id = NEW.assessment_id)
    WHERE id = NEW.id;
"""
SQLITE = [
    f"CREATE TRIGGER kiv_version_listed_insert AFTER INSERT ON assessments_assessmentversion BEGIN "
    f"{_COPY_FROM_ASSESSMENT} END",
    "CREATE TRIGGER kiv_version_listed_update AFTER UPDATE OF assessment_id, assessment_status, "
    f"assessment_agency_id ON assessments_assessmentversion BEGIN {_COPY_FROM_ASSESSMENT} END",
    """CREATE TRIGGER kiv_assessment_listed AFTER UPDATE OF status, agency_id ON assessments_assessment
    WHEN OLD.status IS NOT NEW.status OR OLD.agency_id IS NOT NEW.agency_id BEGIN
        UPDATE assessments_assessmentversion SET assessment_status = NEW.status, assessment_agency_id = NEW.agency_id
        WHERE assessment_id = NEW.id;
    END""",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS kiv_version_listed_insert",
    "DROP TRIGGER IF EXISTS kiv_version_listed_update",
    "DROP TRIGGER IF EXISTS kiv_assessment_listed",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_BACKWARDS)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARDS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0020_public_access_exemptions"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessmentversion",
            name="assessment_agency",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=models.deletion.DO_NOTHING,
                related_name="+",
                to="assessments.agency",
            ),
        ),
        migrations.AddField(
            model_name="assessmentversion",
            name="assessment_status",
            field=models.CharField(editable=False, max_length=20, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
