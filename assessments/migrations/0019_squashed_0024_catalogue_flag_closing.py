"""Migrations 0019-0024 in one (squashed on 2026-12-02): they came out in one release, so no database holds
only some of them, and one file reads more easily than six small ones.

A database that applied all six is marked as having applied this one (`replaces`); one at 0018 runs it. The
operations are those of the six files, in their order, the data steps included, because a database at 0018
has rows they must carry over:

- evidence gets its virus-scan status;
- exemptions from public access (offentleglova) for assessments and for tool overview fields;
- every version gets a copy of its assessment's status and agency, kept by triggers, filled for the versions
  there already are, then indexed for the lists (after the fill: one build of each index instead of an
  update of six per row);
- the plan status report becomes a `Report` of kind "plan", made by the report worker like the decision
  report: every stored status report moves to a Report row with the same uuid (the audit events name it),
  checksum and file, as ready, and its own table goes (and back again when unapplied);
- a catalogue flag records how, when and by whom it was closed.

The version copies. The lists (assessments/queries/lists.py) filter the latest versions by the assessment's
status and agency and sort them by the version's submission or decision time. With the status and agency
only on the assessment no index serves both, so a list of one agency walked every agency's versions by time.
Copied onto the version, (agency, status, time) is one index and a page is a range scan with a LIMIT. The
copies are kept by the database, in the same transaction as the change, on both backends: a version takes
its assessment's values when it is inserted (or when anything tries to write the copies), and an assessment
whose status or agency changes passes them on to its versions. Whoever changes an assessment (a service,
QuerySet.update, a data fix in the shell) cannot leave them stale. PostgreSQL sets the inserted row itself
(BEFORE); SQLite has no such trigger and updates the row just inserted (AFTER). Note for later migrations: on
SQLite, a migration that remakes the assessment or version table drops these triggers; run
`version_listed_triggers` again after it (since 0025_squashed_0032_user_and_agency_verbose_names, that migration's, which
replaces these triggers).

On PostgreSQL the whole migration is one transaction, and a table with pending trigger events (such as the
deferred foreign key checks of rows just written) cannot be altered or indexed in it. The data steps stand
where they stood in the six files: the plan reports are written after the last change of the report table,
and the fill of the copies, which the version indexes follow, queues no such events (the copies' triggers
run BEFORE, the agency copy has no foreign key constraint and the update changes no other key).
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

VERSION_LISTED_POSTGRESQL = """
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

VERSION_LISTED_POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS kiv_version_listed ON assessments_assessmentversion;
DROP TRIGGER IF EXISTS kiv_assessment_listed ON assessments_assessment;
DROP FUNCTION IF EXISTS kiv_version_listed(), kiv_assessment_listed();
"""

# The versions' copies of their assessment's columns (the version's column: the assessment's).
LISTED_COPIES = {"assessment_status": "status", "assessment_agency_id": "agency_id"}


def version_listed_sqlite(copies: dict[str, str]) -> list[str]:
    """SQLite's triggers that keep the versions' `copies`: a version inserted, or whose copies anything tries
    to write, takes them from its assessment; an assessment passes a change of them on to its versions.
    SQLite does not fire a trigger from within itself (recursive_triggers is off), so the UPDATE inside
    kiv_version_listed_update does not run it again."""
    taken = ", ".join(
        f"{copy} = (SELECT a.{column} FROM assessments_assessment a WHERE a.id = NEW.assessment_id)"  # nosec B608 - column names from the migrations' own constants, no input
        for copy, column in copies.items()
    )
    take = f"UPDATE assessments_assessmentversion SET {taken} WHERE id = NEW.id;"  # nosec B608 - column names from the migrations' own constants, no input
    passed_on = ", ".join(f"{copy} = NEW.{column}" for copy, column in copies.items())
    changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in copies.values())
    return [
        f"CREATE TRIGGER kiv_version_listed_insert AFTER INSERT ON assessments_assessmentversion BEGIN {take} END",
        f"CREATE TRIGGER kiv_version_listed_update AFTER UPDATE OF assessment_id, {', '.join(copies)} "
        f"ON assessments_assessmentversion BEGIN {take} END",
        f"CREATE TRIGGER kiv_assessment_listed AFTER UPDATE OF {', '.join(copies.values())} ON assessments_assessment "
        f"WHEN {changed} BEGIN UPDATE assessments_assessmentversion SET {passed_on} WHERE assessment_id = NEW.id; END",  # nosec B608 - column names from the migrations' own constants, no input
    ]


VERSION_LISTED_SQLITE = version_listed_sqlite(LISTED_COPIES)
VERSION_LISTED_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS kiv_version_listed_insert",
    "DROP TRIGGER IF EXISTS kiv_version_listed_update",
    "DROP TRIGGER IF EXISTS kiv_assessment_listed",
]

# The lists' indexes on the copies: (status, time, id), (agency, time, id) and (agency, status, time, id),
# for the submission and the decision time. name: fields.
VERSION_LIST_INDEXES = {
    "version_status_submitted": ["assessment_status", "submitted_at", "id"],
    "version_agency_submitted": ["assessment_agency", "submitted_at", "id"],
    "version_agency_stat_submitted": ["assessment_agency", "assessment_status", "submitted_at", "id"],
    "version_status_decided": ["assessment_status", "decided_at", "id"],
    "version_agency_decided": ["assessment_agency", "decided_at", "id"],
    "version_agency_status_decided": ["assessment_agency", "assessment_status", "decided_at", "id"],
}


def on_each_backend(postgresql: list[str], sqlite: list[str]):
    """A RunPython function that runs the statements written for the database's backend."""

    def run(apps, schema_editor):
        statements = {"postgresql": postgresql, "sqlite": sqlite}.get(schema_editor.connection.vendor, [])
        for statement in statements:
            schema_editor.execute(statement)

    return run


version_listed_triggers = on_each_backend([VERSION_LISTED_POSTGRESQL], VERSION_LISTED_SQLITE)
drop_version_listed_triggers = on_each_backend([VERSION_LISTED_POSTGRESQL_DROP], VERSION_LISTED_SQLITE_DROP)


def fill_version_copies(**copies: str):
    """A RunPython function that fills the `copies` (the version's column: the assessment's) of the versions
    there already are (the triggers keep those made from now on)."""

    def fill(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # One join instead of a subquery per row and copy (the BEFORE trigger sets the same values again).
            sets = ", ".join(f"{copy} = a.{column}" for copy, column in copies.items())
            schema_editor.execute(
                f"UPDATE assessments_assessmentversion v SET {sets} "
                "FROM assessments_assessment a WHERE a.id = v.assessment_id"  # nosec B608 - column names from the migrations' own constants, no input
            )
            return
        owner = apps.get_model("assessments", "Assessment").objects.filter(pk=OuterRef("assessment_id"))
        apps.get_model("assessments", "AssessmentVersion").objects.update(
            **{copy: Subquery(owner.values(column)[:1]) for copy, column in copies.items()}
        )

    return fill


fill_version_listed_copies = fill_version_copies(**LISTED_COPIES)


def plan_status_reports_to_reports(apps, schema_editor):
    PlanStatusReport = apps.get_model("assessments", "PlanStatusReport")
    Report = apps.get_model("assessments", "Report")
    for old in PlanStatusReport.objects.all().iterator():
        report = Report.objects.create(
            uuid=old.uuid,
            assessment_id=old.assessment_id,
            version=None,
            kind="plan",
            as_of=old.as_of,
            status="ready",
            attempts=1,
            sha256=old.sha256,
            size=old.size,
            storage_name=old.storage_name,
            signer=old.signer,
            requested_by_id=old.requested_by_id,
        )
        # auto_now_add set them to now: keep when the report was made
        Report.objects.filter(pk=report.pk).update(
            created_at=old.created_at, updated_at=old.created_at, started_at=old.created_at, finished_at=old.created_at
        )


def reports_to_plan_status_reports(apps, schema_editor):
    PlanStatusReport = apps.get_model("assessments", "PlanStatusReport")
    Report = apps.get_model("assessments", "Report")
    for report in Report.objects.filter(kind="plan", status="ready").iterator():
        PlanStatusReport.objects.create(
            uuid=report.uuid,
            assessment_id=report.assessment_id,
            as_of=report.as_of,
            sha256=report.sha256,
            size=report.size or 0,
            storage_name=report.storage_name,
            signer=report.signer,
            requested_by_id=report.requested_by_id,
        )
    Report.objects.filter(kind="plan").delete()


def user_reference(**options):
    """A reference to the user who did something, kept as null when the user is deleted."""
    return models.ForeignKey(
        null=True,
        on_delete=models.deletion.SET_NULL,
        related_name="+",
        to=settings.AUTH_USER_MODEL,
        **options,
    )


def add_fields(model_name: str, **fields) -> list:
    """An AddField for each field, in the order given."""
    return [migrations.AddField(model_name=model_name, name=name, field=field) for name, field in fields.items()]


def exemption(name, *, what: tuple, owner: str, owner_model: str, verbose_name: str, ordering: list, unique_name: str):
    """An exemption from public access: what of its owner is exempted (one row for each), on what basis, why,
    by whom and when."""
    relations = [
        (owner, models.ForeignKey(on_delete=models.deletion.CASCADE, related_name="exemptions", to=owner_model)),
        ("created_by", user_reference()),
    ]
    return migrations.CreateModel(
        name=name,
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            what,
            ("basis", models.CharField(max_length=40, verbose_name="hjemmel")),
            ("reason", models.CharField(max_length=500, verbose_name="begrunnelse")),
            ("created_at", models.DateTimeField(auto_now_add=True)),
            # The relations in name order, as makemigrations wrote them (the tables' column order).
            *sorted(relations, key=lambda field: field[0]),
        ],
        options={
            "verbose_name": verbose_name,
            "verbose_name_plural": verbose_name,
            "ordering": ordering,
            "constraints": [models.UniqueConstraint(fields=(owner, what[0]), name=unique_name)],
        },
    )


class Migration(migrations.Migration):
    replaces = [
        ("assessments", "0019_evidence_scan_status"),
        ("assessments", "0020_public_access_exemptions"),
        ("assessments", "0021_version_listed_copies"),
        ("assessments", "0022_fill_version_listed_copies"),
        ("assessments", "0023_plan_status_reports_made_by_the_worker"),
        ("assessments", "0024_catalogue_flag_closing"),
    ]

    dependencies = [
        ("assessments", "0001_squashed_0018_assessment_path"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # 0019: the virus scan of evidence
        *add_fields(
            "evidence",
            scan_signature=models.CharField(blank=True, max_length=200),
            scan_status=models.CharField(
                choices=[
                    ("pending", "Venter på virussjekk"),
                    ("clean", "Virussjekket"),
                    ("not_scanned", "Ikke virussjekket"),
                    ("quarantined", "I karantene"),
                ],
                default="not_scanned",
                max_length=20,
            ),
            scanned_at=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="evidence",
            index=models.Index(fields=["scan_status", "added_at"], name="evidence_scan_status"),
        ),
        # 0020: exemptions from public access
        exemption(
            "Exemption",
            owner="assessment",
            owner_model="assessments.assessment",
            what=("target", models.CharField(max_length=120, verbose_name="hva som er unntatt")),
            verbose_name="unntak fra offentlighet",
            ordering=["created_at", "pk"],
            unique_name="one_exemption_per_target",
        ),
        exemption(
            "ToolExemption",
            owner="entry",
            owner_model="assessments.toolentry",
            what=("field", models.CharField(max_length=40, verbose_name="felt")),
            verbose_name="unntak fra offentlighet i verktøyoversikten",
            ordering=["entry", "field"],
            unique_name="one_exemption_per_tool_field",
        ),
        # 0021, 0022: the versions' copies of their assessment's status and agency
        *add_fields(
            "assessmentversion",
            assessment_agency=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=models.deletion.DO_NOTHING,
                related_name="+",
                to="assessments.agency",
            ),
            assessment_status=models.CharField(editable=False, max_length=20, null=True),
        ),
        migrations.RunPython(version_listed_triggers, drop_version_listed_triggers),
        migrations.RunPython(fill_version_listed_copies, migrations.RunPython.noop),
        *[
            migrations.AddIndex(model_name="assessmentversion", index=models.Index(fields=fields, name=name))
            for name, fields in VERSION_LIST_INDEXES.items()
        ],
        # 0023: plan status reports made by the report worker
        *add_fields(
            "report",
            as_of=models.DateField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="report",
            name="kind",
            field=models.CharField(
                choices=[
                    ("signed", "Signert rapport"),
                    ("preview", "Forhåndsvisning"),
                    ("plan", "Statusrapport for tiltaksplan"),
                ],
                default="signed",
                max_length=10,
            ),
        ),
        migrations.RunPython(plan_status_reports_to_reports, reports_to_plan_status_reports),
        migrations.DeleteModel(name="PlanStatusReport"),
        # 0024: how a catalogue flag was closed
        *add_fields(
            "catalogueflag",
            close_note=models.TextField(blank=True, max_length=2000),
            closed_at=models.DateTimeField(blank=True, null=True),
            closed_by=user_reference(blank=True),
            closed_how=models.CharField(
                blank=True,
                choices=[("reassessed", "Vurdert på nytt med gjeldende versjon"), ("dismissed", "Avsluttet av UKE")],
                max_length=20,
            ),
        ),
    ]
