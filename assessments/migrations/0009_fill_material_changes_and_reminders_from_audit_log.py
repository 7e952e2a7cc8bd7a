"""Fill the new tables once from the audit log, where this data used to be read back from.

Before this, the kinds of a material change lived only in the `assessment.created` event of the new
assessment, and sent reminders only as `notification.review_reminder_sent` events. The log itself is
left as it is (it is append-only and hash-chained); from now on the services write both.
"""

from django.db import migrations

REMINDER_ACTION = "notification.review_reminder_sent"
REMINDER_KINDS = ("review_due", "review_overdue")


def fill(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    AuditEvent = apps.get_model("assessments", "AuditEvent")
    SentReminder = apps.get_model("assessments", "SentReminder")
    created = AuditEvent.objects.filter(action="assessment.created", object_type="assessment").order_by("id")
    for object_id, details in created.values_list("object_id", "details").iterator():
        kinds = (details or {}).get("material_change")
        if kinds:
            Assessment.objects.filter(uuid=object_id, material_change_kinds=[]).update(material_change_kinds=kinds)
    reminders = AuditEvent.objects.filter(action=REMINDER_ACTION).order_by("id")
    if not reminders.exists():
        return
    by_uuid = {str(uuid): pk for uuid, pk in Assessment.objects.values_list("uuid", "pk")}
    rows = []
    for object_id, details in reminders.values_list("object_id", "details").iterator():
        details = details or {}
        if object_id in by_uuid and details.get("kind") in REMINDER_KINDS and details.get("review_by"):
            rows.append(
                SentReminder(
                    assessment_id=by_uuid[object_id],
                    kind=details["kind"],
                    review_by=details["review_by"],
                    recipients=details.get("recipients") or 0,
                )
            )
    SentReminder.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0008_material_change_kinds_and_sent_reminders"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
