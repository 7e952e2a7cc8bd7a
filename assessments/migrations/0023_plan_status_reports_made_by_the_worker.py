"""The plan status report becomes a `Report` of kind "plan", made by the report worker like the decision
report. Every stored status report moves to a Report row with the same uuid (the audit events name it),
checksum and file, as ready; then its own table goes."""

from django.db import migrations, models


def to_reports(apps, schema_editor):
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


def to_plan_status_reports(apps, schema_editor):
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


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0022_fill_version_listed_copies"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="as_of",
            field=models.DateField(blank=True, null=True),
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
        migrations.RunPython(to_reports, to_plan_status_reports),
        migrations.DeleteModel(name="PlanStatusReport"),
    ]
