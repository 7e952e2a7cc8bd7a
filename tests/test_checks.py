"""The start-up checks in assessments/checks.py that concern the database (the signing check is in
test_signing.py)."""

import pytest
from django.db.migrations.recorder import MigrationRecorder

from assessments.checks import squashed_migrations_complete

pytestmark = pytest.mark.django_db

SQUASH = "0001_squashed_0018_assessment_path"


def test_a_database_migrated_through_the_squash_passes():
    assert squashed_migrations_complete(databases=["default"]) == []


def test_a_database_with_all_replaced_migrations_but_no_squash_row_passes():
    # A database migrated by the eighteen separate files, before the squash existed.
    MigrationRecorder.Migration.objects.filter(app="assessments", name=SQUASH).delete()
    assert squashed_migrations_complete(databases=["default"]) == []


def test_a_database_part_way_through_the_replaced_migrations_is_stopped_with_the_way_out():
    MigrationRecorder.Migration.objects.filter(app="assessments", name=SQUASH).delete()
    MigrationRecorder.Migration.objects.filter(app="assessments", name="0018_assessment_path").delete()
    errors = squashed_migrations_complete(databases=["default"])
    assert [error.id for error in errors] == ["kiveileder.E002"]
    assert "17 of the 18" in errors[0].msg
    assert "separate migration files" in errors[0].hint


def test_no_database_named_means_no_check():
    assert squashed_migrations_complete(databases=None) == []
