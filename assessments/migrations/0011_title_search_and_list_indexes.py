"""Title search (Norwegian full text and trigrams), indexes for the audit log's filters, and a row estimate
for long lists, on PostgreSQL. SQLite has no to_tsvector, pg_trgm or EXPLAIN in SQL: there the two GIN
indexes exist in the model state only and the lists count exactly (assessments/queries/search.py, paging.py)."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.functions.text
from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

# The planner's row estimate of a query, without running it (assessments/queries/paging.py). Called only with
# SQL the ORM composed (values quoted by the driver), never with text from a request.
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


class AddIndexOnPostgreSQL(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class TrigramExtensionOnPostgreSQL(TrigramExtension):
    """Django's CreateExtension skips other databases going forwards, but not backwards (it asks
    pg_extension): unapplying the migration on SQLite would fail."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def create_count_estimate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COUNT_ESTIMATE)


def drop_count_estimate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS kiv_count_estimate(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0010_comment_reply_and_answers_saved_by"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        TrigramExtensionOnPostgreSQL(),  # does nothing on SQLite
        AddIndexOnPostgreSQL(
            model_name="assessment",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector("title", config="norwegian"),
                name="assessment_title_search",
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
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["action", "id"], name="auditevent_action_id"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["agency_id", "id"], name="auditevent_agency_id"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor_id", "id"], name="auditevent_actor_id"),
        ),
        migrations.RunPython(create_count_estimate, drop_count_estimate),
    ]
