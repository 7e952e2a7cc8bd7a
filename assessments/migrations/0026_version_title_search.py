"""The versions' copy of their assessment's title and, on PostgreSQL, its stored search vector, with the
title search's indexes on the versions instead of the assessments.

The queue, the register and the auditor search list latest versions (assessments/queries/lists.py) and
search them by title. With the title only on the assessment, each version walked newest first was joined
to its assessment and its title's search vector computed again (the expression index cannot answer a
filter on rows reached through another index): at 100,000 assessments the register's search walked about
450 versions for a page of 50. Copied onto the version, the title is tested on the version row itself,
before any join, its vector read instead of computed, and the version's own GIN indexes can answer a rare
word without a walk. Nothing searches the assessments' own titles any more, so their two title indexes
go (and come back when the migration is unapplied).

The copies are kept as the status and agency copies of 0019_squashed_0024 are, by the same triggers, which
this migration replaces: a version takes its assessment's status, agency and title when inserted (or when
anything tries to write a copy), and an assessment whose status, agency or title changes passes them on.
On PostgreSQL the version's trigger also sets the search vector from the title, with the configuration of
queries.search.SEARCH_CONFIG. On SQLite the vector column stays empty (the search there is a substring of
the title copy). Note for later migrations: on SQLite, a migration that remakes the assessment or version
table drops these triggers; run `version_listed_triggers` of this migration again after it.
"""

import importlib

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.functions.text
from django.db import migrations, models

initial = importlib.import_module("assessments.migrations.0001_squashed_0018_assessment_path")
listed = importlib.import_module("assessments.migrations.0019_squashed_0024_catalogue_flag_closing")

VERSION_LISTED_POSTGRESQL = """
CREATE OR REPLACE FUNCTION kiv_version_listed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT a.status, a.agency_id, a.title INTO NEW.assessment_status, NEW.assessment_agency_id, NEW.assessment_title
    FROM assessments_assessment a WHERE a.id = NEW.assessment_id;
    NEW.title_search := to_tsvector('norwegian'::regconfig, COALESCE(NEW.assessment_title, ''));
    RETURN NEW;
END $$;
CREATE TRIGGER kiv_version_listed
    BEFORE INSERT OR UPDATE OF assessment_id, assessment_status, assessment_agency_id, assessment_title, title_search
    ON assessments_assessmentversion FOR EACH ROW EXECUTE FUNCTION kiv_version_listed();

CREATE OR REPLACE FUNCTION kiv_assessment_listed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE assessments_assessmentversion
    SET assessment_status = NEW.status, assessment_agency_id = NEW.agency_id, assessment_title = NEW.title
    WHERE assessment_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER kiv_assessment_listed AFTER UPDATE OF status, agency_id, title ON assessments_assessment
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.agency_id IS DISTINCT FROM NEW.agency_id
                       OR OLD.title IS DISTINCT FROM NEW.title)
    EXECUTE FUNCTION kiv_assessment_listed();
"""

# SQLite does not fire a trigger from within itself (recursive_triggers is off), so the UPDATE inside
# kiv_version_listed_update does not run it again.
_COPY_FROM_ASSESSMENT = """
    UPDATE assessments_assessmentversion SET
        assessment_status = (SELECT a.status FROM assessments_assessment a WHERE a.id = NEW.assessment_id),
        assessment_agency_id = (SELECT a.agency_id FROM assessments_assessment a WHERE a.id = NEW.assessment_id),
        assessment_title = (SELECT a.title FROM assessments_assessment a WHERE a.id = NEW.assessment_id)
    WHERE id = NEW.id;
"""
VERSION_LISTED_SQLITE = [
    f"CREATE TRIGGER kiv_version_listed_insert AFTER INSERT ON assessments_assessmentversion BEGIN "
    f"{_COPY_FROM_ASSESSMENT} END",
    "CREATE TRIGGER kiv_version_listed_update AFTER UPDATE OF assessment_id, assessment_status, "
    f"assessment_agency_id, assessment_title ON assessments_assessmentversion BEGIN {_COPY_FROM_ASSESSMENT} END",
    """CREATE TRIGGER kiv_assessment_listed AFTER UPDATE OF status, agency_id, title ON assessments_assessment
    WHEN OLD.status IS NOT NEW.status OR OLD.agency_id IS NOT NEW.agency_id OR OLD.title IS NOT NEW.title BEGIN
        UPDATE assessments_assessmentversion
        SET assessment_status = NEW.status, assessment_agency_id = NEW.agency_id, assessment_title = NEW.title
        WHERE assessment_id = NEW.id;
    END""",
]

# The triggers have the same names as those of 0019_squashed_0024, so its statements drop either.
_DROP = listed.on_each_backend([listed.VERSION_LISTED_POSTGRESQL_DROP], listed.VERSION_LISTED_SQLITE_DROP)
_CREATE = listed.on_each_backend([VERSION_LISTED_POSTGRESQL], VERSION_LISTED_SQLITE)


def version_listed_triggers(apps, schema_editor):
    _DROP(apps, schema_editor)
    _CREATE(apps, schema_editor)


def previous_version_listed_triggers(apps, schema_editor):
    _DROP(apps, schema_editor)
    listed.version_listed_triggers(apps, schema_editor)


class RemoveIndexOnPostgreSQL(migrations.RemoveIndex):
    """RemoveIndex for the indexes that AddIndexOnPostgreSQL made on PostgreSQL only."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def fill_version_titles(apps, schema_editor):
    """The title copies (and on PostgreSQL the search vectors) of the versions there already are."""
    if schema_editor.connection.vendor == "postgresql":
        # Writing the title runs the version's trigger, which sets the vector (and the other copies, again).
        schema_editor.execute(
            "UPDATE assessments_assessmentversion v SET assessment_title = a.title "
            "FROM assessments_assessment a WHERE a.id = v.assessment_id"
        )
        return
    owner = apps.get_model("assessments", "Assessment").objects.filter(pk=models.OuterRef("assessment_id"))
    apps.get_model("assessments", "AssessmentVersion").objects.update(
        assessment_title=models.Subquery(owner.values("title")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0025_overview_spot_sums"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessmentversion",
            name="assessment_title",
            field=models.CharField(editable=False, max_length=200, null=True),
        ),
        migrations.AddField(
            model_name="assessmentversion",
            name="title_search",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(version_listed_triggers, previous_version_listed_triggers),
        migrations.RunPython(fill_version_titles, migrations.RunPython.noop),
        # After the fill: one build of each index instead of an update per row.
        initial.AddIndexOnPostgreSQL(
            model_name="assessmentversion",
            index=django.contrib.postgres.indexes.GinIndex(fields=["title_search"], name="version_title_search"),
        ),
        initial.AddIndexOnPostgreSQL(
            model_name="assessmentversion",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("assessment_title"), name="gin_trgm_ops"
                ),
                name="version_title_trigram",
            ),
        ),
        RemoveIndexOnPostgreSQL(model_name="assessment", name="assessment_title_search"),
        RemoveIndexOnPostgreSQL(model_name="assessment", name="assessment_title_trigram"),
    ]
