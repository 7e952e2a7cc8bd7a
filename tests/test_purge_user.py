"""`manage.py purge_user`: a departed user is pseudonymised, their name leaves the reviewers' free text,
and the audit chain still verifies (it chains ids, not names)."""

import json
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from assessments.audit.chain import verify_chain
from assessments.models import (
    AssessmentVersion,
    AuditEvent,
    Exemption,
    GroupRoles,
    Membership,
    OutboxMessage,
    ReviewComment,
)
from assessments.notifications import outbox
from tests import review_helpers


@pytest.fixture
def history(world):
    """leader_a ("Leader Test", leader_a@example.org) submitted; the reviewer wrote about them."""
    assessment = review_helpers.submitted(world)
    version = assessment.versions.get()
    reviewer = world.users["reviewer"]
    mention = ReviewComment.objects.create(
        version=version,
        author=reviewer,
        question_key="purpose",
        text="Avklart med Leader Test på telefon; leader_a@example.org sender avtalen. Takk, LEADER TEST!",
    )
    unrelated = ReviewComment.objects.create(
        version=version, author=reviewer, text="Leaderboard-funksjonen må beskrives. Spør Test-teamet."
    )
    reason = "Returnert etter møte med Test, Leader."
    AssessmentVersion.objects.filter(pk=version.pk).update(decision_reason=reason)
    exemption = Exemption.objects.create(
        assessment=assessment,
        target="section:security",
        basis="oftl24_3",
        reason="Leader Test ba om det; sikringstiltakene kan misbrukes.",
        created_by=reviewer,
    )
    leader = world.users["leader_a"]
    SocialAccount.objects.create(user=leader, provider="entra", uid="x1", extra_data={"id_token": {"name": "Leader"}})
    GroupRoles.objects.create(user=leader, managed_roles={"agencies": {}, "municipal": {}})
    EmailAddress.objects.create(user=leader, email=leader.email, primary=True)
    return {"mention": mention, "unrelated": unrelated, "version": version, "exemption": exemption}


def test_it_pseudonymises_the_user_and_the_chain_still_verifies(world, history):
    leader = world.users["leader_a"]
    client = world.client("leader_a")
    assert client.get("/").status_code == 200
    before = verify_chain()
    assert before.ok
    outbox.notification_enqueue(
        to="Leader_A@example.org", kind="returned", subject="Returnert", body="…", dedupe_key="purge-test"
    )

    out = StringIO()
    call_command("purge_user", "leader_a", "--actor", "reviewer", stdout=out)
    counts = json.loads(out.getvalue())

    leader.refresh_from_db()
    assert leader.username == f"slettet-{leader.pk}"
    assert (leader.first_name, leader.last_name, leader.email) == ("", "", "")
    assert not leader.has_usable_password() and not leader.is_active
    assert not Membership.objects.filter(user=leader).exists()
    assert not SocialAccount.objects.filter(user=leader).exists()
    assert not GroupRoles.objects.filter(user=leader).exists()
    assert not EmailAddress.objects.filter(user=leader).exists()

    mention = ReviewComment.objects.get(pk=history["mention"].pk).text
    assert "Leader Test" not in mention and "leader_a@example.org" not in mention and "LEADER" not in mention
    assert mention.count("[navn fjernet]") == 3
    assert "på telefon" in mention  # the rest of the comment stays
    # Words that merely contain the name, and single names, are not touched.
    assert ReviewComment.objects.get(pk=history["unrelated"].pk).text == history["unrelated"].text
    reason = AssessmentVersion.objects.get(pk=history["version"].pk).decision_reason
    assert reason == "Returnert etter møte med [navn fjernet]."
    exemption = Exemption.objects.get(pk=history["exemption"].pk).reason
    assert exemption == "[navn fjernet] ba om det; sikringstiltakene kan misbrukes."
    assert counts["comments_changed"] == 1 and counts["decisions_changed"] == 1
    assert counts["exemptions_changed"] == 1
    assert counts["roles_removed"] == 1 and counts["sessions_ended"] == 1
    assert counts["emails_removed"] == 1
    assert not OutboxMessage.objects.filter(to="leader_a@example.org").exists()

    # The purged user's session is gone.
    assert client.get("/").status_code == 302

    status = verify_chain()
    assert status.ok, status.reason
    assert status.count > before.count
    event = AuditEvent.objects.filter(action="user.purged").get()
    assert event.actor_id == world.users["reviewer"].pk and event.object_id == str(leader.pk)
    assert event.details == counts
    # The chain names nobody: no event anywhere holds the purged user's name, username or e-mail.
    for stored in AuditEvent.objects.values_list("details", flat=True):
        text = json.dumps(stored)
        assert "leader_a" not in text and "Leader Test" not in text


def test_the_users_history_keeps_pointing_at_the_pseudonym(world, history):
    leader = world.users["leader_a"]
    call_command("purge_user", str(leader.pk), stdout=StringIO())
    version = AssessmentVersion.objects.get(pk=history["version"].pk)
    assert version.submitted_by_id == leader.pk
    assert str(get_user_model().objects.get(pk=version.submitted_by_id)) == f"slettet-{leader.pk}"


def test_it_refuses_an_unknown_user_and_a_second_purge(world):
    with pytest.raises(CommandError) as unknown:
        call_command("purge_user", "nobody-here", stdout=StringIO())
    assert unknown.value.returncode == 2
    call_command("purge_user", "contributor_a", stdout=StringIO())
    with pytest.raises(CommandError, match="allerede"):
        call_command("purge_user", f"slettet-{world.users['contributor_a'].pk}", stdout=StringIO())
    assert AuditEvent.objects.filter(action="user.purged").count() == 1


def test_a_purged_user_cannot_sign_in(world):
    from tests.conftest import PASSWORD

    call_command("purge_user", "leader_b", stdout=StringIO())
    for username in ("leader_b", f"slettet-{world.users['leader_b'].pk}"):
        client = Client()
        client.post("/logg-inn/", {"username": username, "password": PASSWORD})
        assert "_auth_user_id" not in client.session


def test_the_privacy_page_says_what_is_stored_why_and_how_long(db):
    page = Client().get("/personvern/").content.decode()
    for heading in ("Hva vi lagrer", "Hvorfor", "Hvem ser opplysningene", "Hvor lenge", "Dine rettigheter"):
        assert f"<h2>{heading}</h2>" in page
    assert "pseudonymiseres" in page
