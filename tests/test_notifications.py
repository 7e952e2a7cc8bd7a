"""E-mail notifications: reviewers on submission; the leader on return, approval and rejection; and
reminders when a review-by date approaches or has passed. All of them go through the outbox."""

import logging
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from assessments import services, tasks
from assessments.models import Assessment, AuditEvent, Membership, MunicipalRole, OutboxMessage, SentReminder
from assessments.notifications import messages as notifications
from assessments.notifications import outbox
from tests import review_helpers as h


@pytest.fixture
def no_report_rendering(monkeypatch):
    """Approval and rejection also queue the PDF; these tests are about the e-mail only."""
    monkeypatch.setattr(tasks.render_report, "apply_async", lambda *args, **kwargs: None)


def submitted_quietly(world, *args):
    """A submitted assessment whose own "submitted" e-mails are out of the way (the outbox keeps them
    for the next delivery otherwise, as it should)."""
    assessment = h.submitted(world, *args)
    OutboxMessage.objects.all().delete()
    return assessment


def recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def test_submission_tells_the_reviewers(world, mailoutbox, django_capture_on_commit_callbacks):
    extra = get_user_model().objects.create_user("reviewer2", email="reviewer2@example.org")
    MunicipalRole.objects.create(user=extra, role="reviewer")
    assessment = h.draft(world, "Chatbot for renovasjon")
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_submit(assessment=assessment, user=world.users["leader_a"])
    assert recipients(mailoutbox) == ["reviewer2@example.org", "reviewer@example.org"]
    message = mailoutbox[0]
    assert len(message.to) == 1  # one message each: nobody sees the other addresses
    assert "Chatbot for renovasjon" in message.subject
    assert world.agency_a.name in message.subject
    assert reverse("assessments:review_detail", args=[assessment.uuid]) in message.body
    assert "til behandling i UKE" in message.body


def test_a_reviewer_who_is_a_member_of_the_agency_is_not_told(world, mailoutbox, django_capture_on_commit_callbacks):
    Membership.objects.create(user=world.users["reviewer"], agency=world.agency_a, role="contributor")
    with django_capture_on_commit_callbacks(execute=True):
        h.submitted(world)
    assert recipients(mailoutbox) == []


def test_return_tells_the_leader_with_the_reason(world, mailoutbox, django_capture_on_commit_callbacks):
    assessment = submitted_quietly(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_return(
            assessment=assessment, user=world.users["reviewer"], reason="Beskriv databehandleravtalen."
        )
    assert recipients(mailoutbox) == ["leader_a@example.org"]
    assert "Returnert for endring" in mailoutbox[0].subject
    assert "Beskriv databehandleravtalen." in mailoutbox[0].body


@pytest.mark.parametrize(("decision", "subject"), [("approve", "Godkjent"), ("reject", "Avvist")])
def test_decisions_tell_the_leader(
    world, mailoutbox, django_capture_on_commit_callbacks, no_report_rendering, decision, subject
):
    assessment = submitted_quietly(world)
    with django_capture_on_commit_callbacks(execute=True):
        if decision == "approve":
            services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
        else:
            services.assessment_reject(assessment=assessment, user=world.users["reviewer"], reason="Nei.")
    assert recipients(mailoutbox) == ["leader_a@example.org"]
    assert mailoutbox[0].subject.startswith(subject)
    if decision == "approve":
        assessment.refresh_from_db()
        assert assessment.review_by is not None
        assert str(assessment.review_by.year) in mailoutbox[0].body


def test_a_rolled_back_change_sends_nothing(world, mailoutbox, django_capture_on_commit_callbacks):
    assessment = submitted_quietly(world)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                services.assessment_return(assessment=assessment, user=world.users["reviewer"], reason="x")
                raise RuntimeError("the request failed after the change")
        except RuntimeError:
            pass
    assert mailoutbox == []
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED


def test_a_broker_outage_keeps_the_change_and_the_message_for_the_periodic_delivery(
    world, mailoutbox, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("broker is down")

    monkeypatch.setattr(tasks.deliver_outbox, "apply_async", down)
    assessment = submitted_quietly(world)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        services.assessment_return(assessment=assessment, user=world.users["reviewer"], reason="Rett opp.")
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.RETURNED
    assert "Could not enqueue the outbox delivery" in caplog.text
    assert mailoutbox == []
    waiting = OutboxMessage.objects.get()
    assert (waiting.status, waiting.to, waiting.kind) == ("pending", "leader_a@example.org", "returned")
    # The broker is back: the periodic delivery (CELERY_BEAT_SCHEDULE) sends what waited.
    monkeypatch.undo()
    assert tasks.deliver_outbox.apply().get() == {"due": 1, "sent": 1, "retry": 0, "failed": 0}
    assert recipients(mailoutbox) == ["leader_a@example.org"]
    assert "Rett opp." in mailoutbox[0].body
    assert OutboxMessage.objects.get().status == "sent"


def test_users_without_an_address_or_inactive_are_skipped(world, mailoutbox):
    world.users["leader_a"].email = ""
    world.users["leader_a"].save()
    second = get_user_model().objects.create_user("leader_a2", email="a2@example.org", is_active=False)
    Membership.objects.create(user=second, agency=world.agency_a, role="leader")
    assessment = submitted_quietly(world)
    assert notifications.notify_on_commit("returned", assessment) == 0
    assert OutboxMessage.objects.count() == 0


def test_an_unknown_kind_is_refused(world):
    assessment = submitted_quietly(world)
    with pytest.raises(ValueError):
        notifications.notify_on_commit("nonsense", assessment)


def test_the_same_event_is_queued_once(world, mailoutbox, django_capture_on_commit_callbacks):
    assessment = submitted_quietly(world)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notify_on_commit("submitted", assessment) == 1
        assert notifications.notify_on_commit("submitted", assessment) == 0  # a retried task, a double call
    assert recipients(mailoutbox) == ["reviewer@example.org"]


def _approved_due_in(world, days: int, title: str) -> Assessment:
    assessment = submitted_quietly(world, title)
    Assessment.objects.filter(pk=assessment.pk).update(
        status=Assessment.Status.APPROVED, review_by=timezone.localdate() + timedelta(days=days)
    )
    return assessment


def test_reminders_go_once_when_the_date_is_near_and_once_when_it_has_passed(world, mailoutbox):
    soon = _approved_due_in(world, 10, "Snart forfalt")
    late = _approved_due_in(world, -3, "Allerede forfalt")
    _approved_due_in(world, 200, "Lenge til")
    summary = tasks.send_review_reminders()
    assert summary == {"review_due": 1, "review_overdue": 1, "messages": 2}
    subjects = sorted(m.subject for m in mailoutbox)
    assert subjects == [
        "Fristen for ny vurdering er passert: «Allerede forfalt»",
        "Snart frist for ny vurdering: «Snart forfalt»",
    ]
    assert "om 10 dager" in next(m.body for m in mailoutbox if "Snart" in m.subject)
    # Running again (a second beat, a retry) sends nothing twice.
    assert tasks.send_review_reminders() == {"review_due": 0, "review_overdue": 0, "messages": 0}
    assert len(mailoutbox) == 2
    events = AuditEvent.objects.filter(action=notifications.REMINDER_ACTION)
    assert {e.object_id for e in events} == {str(soon.uuid), str(late.uuid)}
    # When the near date passes, the overdue reminder follows once.
    later = timezone.localdate() + timedelta(days=11)
    assert notifications.send_review_reminders(today=later)["review_overdue"] == 1
    assert len(mailoutbox) == 3


def test_a_new_review_by_date_starts_the_reminders_afresh(world, mailoutbox):
    assessment = _approved_due_in(world, 5, "Fornyet")
    notifications.send_review_reminders()
    Assessment.objects.filter(pk=assessment.pk).update(review_by=timezone.localdate() + timedelta(days=20))
    assert notifications.send_review_reminders()["review_due"] == 1
    assert len(mailoutbox) == 2


def test_sent_reminders_are_their_own_rows_and_the_audit_log_is_not_read(world, mailoutbox, monkeypatch):
    soon = _approved_due_in(world, 10, "Egen tabell")
    notifications.send_review_reminders()
    (reminder,) = SentReminder.objects.all()
    assert (reminder.assessment_id, reminder.kind, reminder.review_by, reminder.recipients) == (
        soon.pk,
        SentReminder.Kind.DUE,
        Assessment.objects.get(pk=soon.pk).review_by,
        1,
    )

    def no_reading(*args, **kwargs):
        raise AssertionError("the audit log is read back to decide")

    monkeypatch.setattr(AuditEvent.objects, "filter", no_reading)
    assert notifications.send_review_reminders()["messages"] == 0
    assert len(mailoutbox) == 1


def test_one_reminder_per_assessment_kind_and_date_is_enforced_by_the_database(world):
    assessment = _approved_due_in(world, 10, "Unik")
    day = Assessment.objects.get(pk=assessment.pk).review_by
    SentReminder.objects.create(assessment=assessment, kind=SentReminder.Kind.DUE, review_by=day)
    with pytest.raises(IntegrityError), transaction.atomic():
        SentReminder.objects.create(assessment=assessment, kind=SentReminder.Kind.DUE, review_by=day)
    SentReminder.objects.create(assessment=assessment, kind=SentReminder.Kind.OVERDUE, review_by=day)


def test_the_default_console_backend_writes_to_stderr(world, settings, capsys):
    """Management commands print JSON on stdout; e-mail logged to the console must not end up in it."""
    settings.EMAIL_BACKEND = "assessments.notifications.mail.StderrEmailBackend"
    assessment = submitted_quietly(world, "Chatbot for renovasjon")
    assert notifications.notify_on_commit("submitted", assessment) == 1
    assert outbox.deliver_due()["sent"] == 1
    captured = capsys.readouterr()
    assert "Chatbot for renovasjon" in captured.err
    assert captured.out == ""


def test_a_message_about_an_english_assessment_is_in_english(world, mailoutbox, django_capture_on_commit_callbacks):
    assessment = submitted_quietly(world)
    Assessment.objects.filter(pk=assessment.pk).update(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_return(assessment=assessment, user=world.users["reviewer"], reason="Describe the DPA.")
    message = mailoutbox[0]
    assert message.body.startswith("Hello,") and "Hei," not in message.body
    assert "Returnert for endring" not in message.subject


def test_messages_not_about_an_assessment_stay_in_bokmål(world):
    assert notifications.email_language({}) == "nb"
    assert notifications.email_language({"assessment": Assessment(language="en")}) == "en"
    assert notifications.email_language({"assessment": Assessment(language="xx")}) == "nb"
