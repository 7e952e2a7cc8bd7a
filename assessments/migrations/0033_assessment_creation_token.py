"""The one-time token of the form that created a draft: one draft per form, however often it is sent."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0025_squashed_0032_user_and_agency_verbose_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="creation_token",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("creation_token__isnull", False)),
                fields=("creation_token",),
                name="assessment_creation_token_once",
            ),
        ),
    ]
