"""The quick path: an assessment's kind (full / simplified) and the screening answers it was started with.

On SQLite (the fast tests) Django would remake the whole table for a NOT NULL column, and the remade table
would try to create the PostgreSQL-only title-search indexes of 0011; a plain ADD COLUMN with a constant default
is what SQLite supports, so it gets that. PostgreSQL gets Django's usual AddField.
"""

from django.db import migrations, models

SQLITE_COLUMNS = {
    "path": "varchar(12) NOT NULL DEFAULT 'full'",
    "screening_answers": "text NOT NULL DEFAULT '{}' CHECK (JSON_VALID(\"screening_answers\"))",
}


class AddFieldPlainOnSQLite(migrations.AddField):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        schema_editor.execute(
            f'ALTER TABLE "assessments_assessment" ADD COLUMN "{self.name}" {SQLITE_COLUMNS[self.name]}'
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        schema_editor.execute(f'ALTER TABLE "assessments_assessment" DROP COLUMN "{self.name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0017_officers_leavers_archive"),
    ]

    operations = [
        AddFieldPlainOnSQLite(
            model_name="assessment",
            name="path",
            field=models.CharField(
                choices=[("full", "Full vurdering"), ("simplified", "Forenklet")],
                default="full",
                max_length=12,
                verbose_name="type vurdering",
            ),
        ),
        AddFieldPlainOnSQLite(
            model_name="assessment",
            name="screening_answers",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
