"""The start-up checks in assessments/checks.py that concern the database (the signing check is in
test_signing.py)."""

import pytest
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from assessments.checks import squashed_migrations_complete

pytestmark = pytest.mark.django_db

SQUASHES = [
    "0001_squashed_0018_assessment_path",
    "0019_squashed_0024_catalogue_flag_closing",
    "0025_squashed_0032_user_and_agency_verbose_names",
]


def _replaced(squash: str) -> list[str]:
    return [name for _app, name in MigrationLoader(None).disk_migrations[("assessments", squash)].replaces]


def _forget(names) -> None:
    MigrationRecorder.Migration.objects.filter(app="assessments", name__in=names).delete()


def test_a_database_migrated_through_the_squashes_passes():
    assert squashed_migrations_complete(databases=["default"]) == []


@pytest.mark.parametrize("squash", SQUASHES)
def test_a_database_with_all_replaced_migrations_but_no_squash_row_passes(squash):
    # A database migrated by the separate files, before the squash existed (applying a squash records
    # the migrations it replaces too).
    assert set(_replaced(squash)) <= set(MigrationRecorder.Migration.objects.values_list("name", flat=True))
    _forget([squash])
    assert squashed_migrations_complete(databases=["default"]) == []


@pytest.mark.parametrize(("squash", "count"), zip(SQUASHES, ["17 of the 18", "5 of the 6", "7 of the 8"], strict=True))
def test_a_database_part_way_through_the_replaced_migrations_is_stopped_with_the_way_out(squash, count):
    _forget([squash, _replaced(squash)[-1]])
    errors = squashed_migrations_complete(databases=["default"])
    assert [error.id for error in errors] == ["kiveileder.E002"]
    assert count in errors[0].msg and squash in errors[0].msg
    assert "separate migration files" in errors[0].hint


def test_no_database_named_means_no_check():
    assert squashed_migrations_complete(databases=None) == []
