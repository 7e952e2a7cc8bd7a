"""The one-off migration that fills the new tables from the audit log, where the data used to be read."""

import importlib

import pytest
from django.apps import apps

from assessments.audit import chain as audit
from assessments.models import Assessment, SentReminder
from tests import review_helpers as h

fill = importlib.import_module("assessments.migrations.0009_fill_material_changes_and_reminders_from_audit_log").fill

pytestmark = pytest.mark.django_db


def test_material_change_kinds_and_sent_reminders_come_over_from_old_events(world):
    old = h.submitted(world, "Gammel")
    new = h.submitted(world, "Ny etter endring")
    Assessment.objects.filter(pk=new.pk).update(replaces=old)
    created = {"replaces": str(old.uuid), "material_change": ["vendor"]}
    audit.record(None, "assessment.created", new, new.agency_id, created)
    reminder = {"kind": "review_due", "review_by": "2027-01-31", "recipients": 2}
    audit.record(None, "notification.review_reminder_sent", old, old.agency_id, reminder)
    audit.record(None, "notification.review_reminder_sent", old, old.agency_id, reminder)  # a duplicate

    fill(apps, None)
    fill(apps, None)  # running twice changes nothing

    assert Assessment.objects.get(pk=new.pk).material_change_kinds == ["vendor"]
    assert Assessment.objects.get(pk=old.pk).material_change_kinds == []
    (row,) = SentReminder.objects.all()
    assert (row.assessment_id, row.kind, row.review_by.isoformat(), row.recipients) == (
        old.pk,
        "review_due",
        "2027-01-31",
        2,
    )
