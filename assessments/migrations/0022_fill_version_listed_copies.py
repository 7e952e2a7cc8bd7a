"""Fill the copies of 0019 for the versions there already are, then index them (after the fill: one
build of each index instead of an update of six per row)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    AssessmentVersion = apps.get_model("assessments", "AssessmentVersion")
    if schema_editor.connection.vendor == "postgresql":
        # One join instead of two subqueries per row (the BEFORE trigger sets the same values again).
        schema_editor.execute(
            "UPDATE assessments_assessmentversion v SET assessment_status = a.status, "
            "assessment_agency_id = a.agency_id FROM assessments_assessment a WHERE a.id = v.assessment_id"
        )
        return
    owner = Assessment.objects.filter(pk=OuterRef("assessment_id"))
    AssessmentVersion.objects.update(
        assessment_status=Subquery(owner.values("status")[:1]),
        assessment_agency_id=Subquery(owner.values("agency_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0021_version_listed_copies"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="assessmentversion",
            index=models.Index(fields=["assessment_status", "submitted_at", "id"], name="version_status_submitted"),
        ),
        migrations.AddIndex(
            model_name="assessmentversion",
            index=models.Index(fields=["assessment_agency", "submitted_at", "id"], name="version_agency_submitted"),
        ),
        migrations.AddIndex(
            model_name="assessmentversion",
            index=models.Index(
                fields=["assessment_agency", "assessment_status", "submitted_at", "id"],
                name="version_agency_stat_submitted",
            ),
        ),
        migrations.AddIndex(
            model_name="assessmentversion",
            index=models.Index(fields=["assessment_status", "decided_at", "id"], name="version_status_decided"),
        ),
        migrations.AddIndex(
            model_name="assessmentversion",
            index=models.Index(fields=["assessment_agency", "decided_at", "id"], name="version_agency_decided"),
        ),
        migrations.AddIndex(
            model_name="assessmentversion",
            index=models.Index(
                fields=["assessment_agency", "assessment_status", "decided_at", "id"],
                name="version_agency_status_decided",
            ),
        ),
    ]
