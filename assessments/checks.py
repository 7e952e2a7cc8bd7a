"""Start-up checks (`manage.py check`, runserver, migrate) that also feed /healthz."""

from django.core.checks import Error, Tags, register
from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from assessments import health
from assessments.reports import signing


@register("kiveileder")
def signing_certificate(app_configs=None, **kwargs) -> list[Error]:
    """A configured sealing certificate that cannot be opened stops the start, with the reason."""
    status = signing.check_configuration()
    if status["ok"]:
        return []
    return [
        Error(
            f"The report signing certificate cannot be used: {status['detail']}",
            hint="Fix KIV_SIGNING_P12 and KIV_SIGNING_P12_PASSWORD(_FILE), or unset KIV_SIGNING_P12 to use "
            "the generated test certificate.",
            id="kiveileder.E001",
        )
    ]


@register(Tags.database)
def squashed_migrations_complete(app_configs=None, databases=None, **kwargs) -> list[Error]:
    """A database that applied only some of the migrations a squash replaces cannot be brought forward by
    this release: the replaced files are gone, and Django would then plan nothing and leave the schema
    short. `migrate` runs database checks first, so it stops here with the way out instead."""
    errors = []
    for alias in databases or []:
        connection = connections[alias]
        try:
            applied = set(MigrationRecorder(connection).applied_migrations())
        except DatabaseError:
            continue  # no migration table yet: a fresh database
        loader = MigrationLoader(None, ignore_no_migrations=True)
        for key, migration in loader.replacements.items():
            done = [name for name in migration.replaces if tuple(name) in applied]
            if done and len(done) < len(migration.replaces) and key not in applied:
                errors.append(
                    Error(
                        f"Database {alias!r} has applied {len(done)} of the {len(migration.replaces)} migrations "
                        f"that {key[1]} replaces.",
                        hint="Upgrade first with a release that still has the separate migration files, "
                        "then with this one (docs/deployment.md, Upgrade).",
                        id="kiveileder.E002",
                    )
                )
    return errors


health.register("signing", signing.health)
