"""Leavers: a deactivated user is signed out at once, their unfinished work is flagged for reassignment and
their leaders are told through the outbox. (Roles from groups follow every sign-in: tests/test_oidc.py and
tests/test_officers.py show a removed group removing its role.)"""

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client

from assessments.models import AuditEvent, OutboxMessage, ReassignmentFlag
from assessments.services.people import user_deactivate
from tests.answers import complete
from tests.assessment_helpers import make_assessment
from tests.conftest import PASSWORD


def _signed_in(username: str) -> Client:
    client = Client()
    response = client.post("/logg-inn/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password sign-in failed"
    assert client.get("/").status_code == 200
    return client


def test_unticking_active_in_the_admin_signs_the_user_out_on_the_next_request(world):
    client = _signed_in("contributor_a")
    user = world.users["contributor_a"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/logg-inn/")


def test_deactivating_ends_sessions_flags_unfinished_work_and_tells_the_leader(world):
    client = _signed_in("contributor_a")
    other = _signed_in("leader_b")
    owned = make_assessment(world, "Eid av bidragsyteren")
    owned.created_by = world.users["contributor_a"]
    owned.save(update_fields=["created_by"])
    invited = make_assessment(world, "Delt utkast", invite=True)
    make_assessment(world, "Allerede sendt inn", answers=complete(), invite=True, submit=True)

    result = user_deactivate(user=world.users["contributor_a"], actor=world.users["leader_b"])

    assert result == {"sessions_ended": 1, "flagged": 2, "messages": 1}
    assert not get_user_model().objects.get(username="contributor_a").is_active
    assert client.get("/").status_code == 302
    assert other.get("/").status_code == 200  # nobody else is signed out
    flags = {(f.assessment, f.kind) for f in ReassignmentFlag.objects.filter(resolved_at=None)}
    assert flags == {(owned, "owner"), (invited, "contributor")}
    message = OutboxMessage.objects.get(kind="left_work")
    assert message.to == "leader_a@example.org"
    assert "Eid av bidragsyteren" in message.body and "Delt utkast" in message.body
    assert "Allerede sendt inn" not in message.body
    event = AuditEvent.objects.get(action="user.deactivated")
    assert event.details == {"sessions_ended": 1, "flagged": sorted([owned.pk, invited.pk])}


def test_deactivating_twice_flags_and_tells_nothing_twice(world):
    make_assessment(world, "Delt utkast", invite=True)
    user_deactivate(user=world.users["contributor_a"], actor=None)
    user = world.users["contributor_a"]
    user.is_active = True
    user.save(update_fields=["is_active"])
    user_deactivate(user=user, actor=None)
    assert ReassignmentFlag.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="left_work").count() == 2  # one per deactivation event


def test_an_administrator_deactivates_from_the_user_list(world):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client = Client()
    client.force_login(admin)
    target = world.users["contributor_a"]
    _signed_in("contributor_a")
    response = client.post("/admin/auth/user/", {"action": "deactivate", "_selected_action": [target.pk]}, follow=True)
    assert response.status_code == 200
    assert "1 bruker er deaktivert" in response.content.decode()
    target.refresh_from_db()
    assert not target.is_active
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(target.pk)]


def test_the_admin_names_the_flags_with_a_noun_in_both_languages(world):
    """The admin's titles read "Velg overføringsflagg du ønsker å endre" (not "Velg må overføres …")."""
    admin = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/assessments/reassignmentflag/").content.decode()
    assert "Velg overføringsflagg du ønsker å endre" in page and "må overføres" not in page
    english = client.get("/admin/assessments/reassignmentflag/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Select reassignment flag to change" in english
    assert "Reassignment flags" in client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
