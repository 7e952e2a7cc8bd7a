"""The tool overview's daily task, run as Celery runs it (CELERY_BEAT_SCHEDULE; eager here, as in the embedded
default): an expired approval becomes a new, withdrawn version, every approved assessment using the tool is
flagged, and its leader's e-mail leaves the outbox."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from assessments.models import OutboxMessage
from assessments.models.catalogue import CatalogueFlag
from assessments.tasks.catalogue import expire_catalogue_entries
from tests.catalogue_helpers import approved_with, make_tool

pytestmark = pytest.mark.django_db


def test_the_beat_schedule_runs_it_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["catalogue-expiry"]
    assert entry["task"] == expire_catalogue_entries.name and entry["schedule"] == 24 * 3600.0


def test_an_expired_approval_flags_its_assessments_and_tells_the_leader(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    version = make_tool(world, personal_data_allowed=True, approved_until=yesterday)
    approved = approved_with(world, version)
    mail.outbox.clear()

    summary = expire_catalogue_entries.delay().get()

    assert summary == {"approvals": 1, "agreements": 0}
    assert version.entry.current().status == "withdrawn"
    assert CatalogueFlag.objects.get(assessment=approved).reasons == ["status"]
    sent = OutboxMessage.objects.get(kind="catalogue_changed")
    assert sent.status == OutboxMessage.Status.SENT
    # (the delivery also sends what the submission and approval queued)
    changed = [m for m in mail.outbox if "verktøyoversikten" in m.subject]
    assert [m.to for m in changed] == [["leader_a@example.org"]]
    assert expire_catalogue_entries.delay().get() == {"approvals": 0, "agreements": 0}
