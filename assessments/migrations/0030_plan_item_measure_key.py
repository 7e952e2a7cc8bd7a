"""Plan items name the question of their measure (`measure_key`), so the re-assessment reads it from one field for
a measure and for an obligation that is done by a measure (2026.7 on) alike.

The measures there already are get it from their key ("measure:<question key>"); obligations made before had none.
"""

from django.db import migrations, models

CHUNK = 500


def fill_measure_keys(apps, schema_editor):
    PlanItem = apps.get_model("assessments", "PlanItem")
    changed = []
    for item in PlanItem.objects.filter(kind="measure", measure_key="").iterator(chunk_size=CHUNK):
        item.measure_key = item.key.split(":", 1)[1][:100]
        changed.append(item)
    PlanItem.objects.bulk_update(changed, ["measure_key"], batch_size=CHUNK)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0029_reassignmentflag_verbose_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="planitem",
            name="measure_key",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.RunPython(fill_measure_keys, migrations.RunPython.noop, elidable=True),
    ]
