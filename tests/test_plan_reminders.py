"""Plan reminders: 14 days before an item is due and weekly while overdue, once per item, kind and period,
through the outbox; run by the periodic task (also scheduled for the embedded default)."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail

from assessments.models import Assessment, OutboxMessage, PlanItem, ReminderSent
from assessments.services import plan_reminders
from assessments.tasks.plans import send_plan_reminders
from tests.answers import complete
from tests.assessment_helpers import make_assessment

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def item(world):
    assessment = make_assessment(world, "Påminnelser", answers=complete(), submit=True)
    item = assessment.plan_items.first()
    PlanItem.objects.filter(pk=item.pk).update(owner=world.users["contributor_a"])
    item.refresh_from_db()
    return item


def set_due(item, day):
    PlanItem.objects.filter(pk=item.pk).update(due_date=day)


def test_the_task_is_on_the_beat_schedule_that_the_embedded_default_also_reads():
    entry = settings.CELERY_BEAT_SCHEDULE["plan-reminders"]
    assert entry["task"] == send_plan_reminders.name


def test_due_soon_is_sent_once_to_owner_and_leader(item, world):
    set_due(item, TODAY + dt.timedelta(days=14))
    first = plan_reminders.send(TODAY)
    second = plan_reminders.send(TODAY + dt.timedelta(days=1))
    assert first == {"due": 1, "overdue": 0, "messages": 2}
    assert second["messages"] == 0
    assert {m.to for m in OutboxMessage.objects.filter(kind="plan_due")} == {
        "contributor_a@example.org",
        "leader_a@example.org",
    }
    assert len([m for m in mail.outbox if "Frist for tiltak" in m.subject]) == 2


def test_overdue_is_sent_once_a_week(item, monkeypatch):
    set_due(item, TODAY - dt.timedelta(days=1))
    monkeypatch.setattr(plan_reminders.timezone, "localdate", lambda: TODAY)
    send_plan_reminders.apply().get()
    send_plan_reminders.apply().get()  # the same week: nothing new
    assert ReminderSent.objects.filter(kind="overdue").count() == 1
    plan_reminders.send(TODAY + dt.timedelta(days=7))  # the next week: once more
    periods = set(ReminderSent.objects.values_list("period", flat=True))
    assert len(periods) == 2
    assert OutboxMessage.objects.filter(kind="plan_overdue").count() == 4


def test_done_items_and_far_dates_get_nothing(item):
    set_due(item, TODAY + dt.timedelta(days=30))
    assert plan_reminders.send(TODAY)["messages"] == 0
    set_due(item, TODAY - dt.timedelta(days=3))
    PlanItem.objects.filter(pk=item.pk).update(status="done")
    assert plan_reminders.send(TODAY)["messages"] == 0


def test_a_reminder_about_an_english_assessment_names_the_item_in_english(item):
    Assessment.objects.filter(pk=item.assessment_id).update(language="en")
    PlanItem.objects.filter(pk=item.pk).update(title="Lag en DPIA", title_en="Carry out a DPIA")
    set_due(item, TODAY + dt.timedelta(days=14))
    plan_reminders.send(TODAY)
    message = OutboxMessage.objects.filter(kind="plan_due").first()
    assert "Carry out a DPIA" in message.subject and "Lag en DPIA" not in message.body
    assert message.body.startswith("Hello,")
