"""Sign-in with Entra ID (django-allauth's OpenID Connect flow, assessments/accounts/provider.py and entra.py)
against a fake provider served by the test itself (deploy/fake_oidc.py in a thread): discovery, JWKS and
token endpoint over real HTTP, RS256 ID tokens signed with a key made here."""

import http.client
import importlib.util
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from assessments.models import AuditEvent, GroupMapping, GroupRoles, Membership, MunicipalRole

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("fake_oidc", ROOT / "deploy" / "fake_oidc.py")
fake_oidc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fake_oidc)

CLIENT_ID = "kiv-test-client"
CLIENT_SECRET = "fake-client-secret"
KARI = {
    "oid": "00000000-0000-0000-0000-00000000ka71",
    "sub": "pairwise-subject-kari",
    "preferred_username": "kari.nordmann@oslo.kommune.no",
    "given_name": "Kari",
    "family_name": "Nordmann",
    "groups": ["grp-leaders-a", "grp-uke"],
}
REFUSED_TOKEN = "ikke kunne verifiseres"


@pytest.fixture(scope="module")
def fake_provider():
    provider = fake_oidc.FakeProvider(client_id=CLIENT_ID, client_secret=CLIENT_SECRET).start()
    yield provider
    provider.stop()


@pytest.fixture
def provider(fake_provider, settings):
    fake_provider.spoil = {}
    fake_provider.next_user = dict(KARI)
    settings.KIV_OIDC_ENABLED = True
    settings.KIV_OIDC_CLIENT_ID = CLIENT_ID
    settings.KIV_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.KIV_OIDC_DISCOVERY_URL = fake_provider.discovery_url
    settings.KIV_OIDC_ISSUER = None
    settings.KIV_OIDC_AUTHORIZATION_ENDPOINT = None
    settings.KIV_OIDC_TOKEN_ENDPOINT = None
    settings.KIV_OIDC_JWKS_URI = None
    settings.KIV_OIDC_REDIRECT_URI = None
    return fake_provider


@pytest.fixture
def mappings(world):
    GroupMapping.objects.create(group_id="grp-leaders-a", agency=world.agency_a, role="leader")
    GroupMapping.objects.create(group_id="grp-contrib-b", agency=world.agency_b, role="contributor")
    GroupMapping.objects.create(group_id="grp-uke", agency=None, role="reviewer")
    GroupMapping.objects.create(group_id="grp-audit-b", agency=world.agency_b, role="auditor")


def _authorize(url: str) -> str:
    """Visit the provider's authorization URL like a browser would, without following its redirect."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", f"{parts.path}?{parts.query}")
    response = connection.getresponse()
    location = response.getheader("Location")
    body = response.read()
    connection.close()
    assert response.status == 302, body
    return location


def sign_in(client: Client, tamper_state: bool = False):
    start = client.post(reverse("assessments:oidc_start"))
    assert start.status_code == 302, start
    callback = urllib.parse.urlsplit(_authorize(start["Location"]))
    params = dict(urllib.parse.parse_qsl(callback.query))
    if tamper_state:
        params["state"] = params["state"][::-1]
    assert callback.path == reverse("assessments:oidc_callback")
    return client.get(callback.path, params)


def signed_in_user_id(client: Client):
    return client.session.get("_auth_user_id")


def test_it_signs_in_a_new_user_and_maps_groups_to_roles(provider, mappings, world):
    client = Client()
    response = sign_in(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:home")
    identity = SocialAccount.objects.get(uid=KARI["oid"])
    user = identity.user
    assert identity.provider == "entra"
    assert str(user.pk) == signed_in_user_id(client)
    assert (user.username, user.first_name, user.last_name, user.email) == (
        "kari.nordmann@oslo.kommune.no",
        "Kari",
        "Nordmann",
        "kari.nordmann@oslo.kommune.no",
    )
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).agency == world.agency_a
    assert Membership.objects.get(user=user).role == "leader"
    reviewer = MunicipalRole.objects.get(user=user)
    assert (reviewer.role, list(reviewer.agencies.all())) == ("reviewer", [])
    assert GroupRoles.objects.get(user=user).managed_roles == {
        "agencies": {str(world.agency_a.pk): "leader"},
        "municipal": {"reviewer": "all"},
    }
    event = AuditEvent.objects.filter(action="auth.oidc_login").get()
    assert event.actor_id == user.pk and event.details["user_created"] is True
    # The sign-in event names the user by id only.
    assert "Kari" not in str(event.details) and "kari" not in str(event.details)
    # The provider got our client secret and a PKCE verifier.
    assert provider.token_requests[-1]["client_secret"] == CLIENT_SECRET
    assert provider.token_requests[-1]["code_verifier"]
    # The home page works for the new user.
    assert client.get(reverse("assessments:home")).status_code == 200


def test_a_second_sign_in_matches_on_oid_and_follows_group_changes(provider, mappings, world):
    sign_in(Client())
    user = SocialAccount.objects.get(uid=KARI["oid"]).user
    # A role granted by hand, which the groups never mentioned, must survive.
    Membership.objects.create(user=user, agency=world.agency_b, role="contributor")
    provider.next_user = {
        **KARI,
        "preferred_username": "kari.n@oslo.kommune.no",
        "family_name": "Hansen",
        "groups": ["grp-audit-b"],
    }
    client = Client()
    assert sign_in(client).status_code == 302
    user.refresh_from_db()
    assert get_user_model().objects.filter(socialaccount__uid=KARI["oid"]).count() == 1
    assert str(user.pk) == signed_in_user_id(client)
    assert user.last_name == "Hansen"
    assert set(Membership.objects.filter(user=user).values_list("agency_id", "role")) == {
        (world.agency_b.pk, "contributor")
    }
    auditor = MunicipalRole.objects.get(user=user)
    assert auditor.role == "auditor"
    assert list(auditor.agencies.all()) == [world.agency_b]


def test_it_never_takes_over_a_local_account_with_the_same_name(provider, world):
    local = get_user_model().objects.create_user(username=KARI["preferred_username"], password="x-local-pw-1")
    client = Client()
    sign_in(client)
    user = SocialAccount.objects.get(uid=KARI["oid"]).user
    assert user.pk != local.pk
    assert user.username == KARI["preferred_username"] + "-2"


def _assert_refused(client, response, message: str, reason: str, status: int = 400):
    assert response.status_code == status
    assert message in response.content.decode()
    assert signed_in_user_id(client) is None
    assert not SocialAccount.objects.exists()
    assert AuditEvent.objects.filter(action="auth.oidc_refused").latest("id").details == {"reason": reason}


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        ({"aud": "someone-else"}, "audience"),
        ({"aud": ["someone-else", CLIENT_ID]}, "audience"),  # several audiences and no azp for us
        ({"iss": "https://login.example.org/other-tenant/v2.0"}, "issuer"),
        ({"sign_with_other_key": True}, "signature"),
        ({"iat": int(time.time()) + 3600, "nbf": int(time.time()) + 3600}, "not_yet_valid"),
    ],
)
def test_it_refuses_a_token_that_does_not_verify(provider, db, spoil, reason):
    provider.spoil = spoil
    client = Client()
    _assert_refused(client, sign_in(client), REFUSED_TOKEN, reason)


def test_it_refuses_an_expired_token(provider, db):
    provider.spoil = {"iat": int(time.time()) - 7200, "nbf": int(time.time()) - 7200, "exp": int(time.time()) - 3600}
    client = Client()
    _assert_refused(client, sign_in(client), "svaret fra innloggingstjenesten var utløpt", "expired")


def test_it_refuses_a_state_that_does_not_match(provider, db):
    client = Client()
    response = sign_in(client, tamper_state=True)
    _assert_refused(client, response, "forespørselen var utløpt eller ikke hørte til", "state")
    # The code was never exchanged.
    assert provider.codes


def test_a_callback_cannot_be_replayed(provider, db):
    client = Client()
    start = client.post(reverse("assessments:oidc_start"))
    callback = _authorize(start["Location"])
    assert client.get(callback).status_code == 302
    client.logout()
    response = client.get(callback)
    assert response.status_code == 400
    assert signed_in_user_id(client) is None


def test_a_callback_without_a_started_sign_in_is_refused(provider, db):
    client = Client()
    response = client.get(reverse("assessments:oidc_callback"), {"code": "stolen", "state": "guess"})
    _assert_refused(client, response, "forespørselen var utløpt", "state")


def test_the_provider_cancelling_is_a_clear_message(provider, db):
    client = Client()
    start = client.post(reverse("assessments:oidc_start"))
    state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(start["Location"]).query))["state"]
    response = client.get(reverse("assessments:oidc_callback"), {"error": "access_denied", "state": state})
    _assert_refused(client, response, "Innloggingstjenesten avbrøt innloggingen", "provider_error")


def test_an_unreachable_provider_is_a_clear_message(provider, settings, db):
    settings.KIV_OIDC_DISCOVERY_URL = "http://127.0.0.1:9/tenant/v2.0/.well-known/openid-configuration"
    client = Client()
    response = client.post(reverse("assessments:oidc_start"))
    _assert_refused(client, response, "svarer ikke akkurat nå", "provider_unavailable", status=502)


def test_configured_endpoints_work_without_discovery(provider, mappings):
    from django.conf import settings

    settings.KIV_OIDC_DISCOVERY_URL = None
    settings.KIV_OIDC_ISSUER = provider.issuer
    settings.KIV_OIDC_AUTHORIZATION_ENDPOINT = provider.base_url + "/authorize"
    settings.KIV_OIDC_TOKEN_ENDPOINT = provider.base_url + "/token"
    settings.KIV_OIDC_JWKS_URI = provider.base_url + "/keys"
    client = Client()
    assert sign_in(client).status_code == 302
    assert signed_in_user_id(client) is not None


def test_a_deactivated_user_cannot_sign_in(provider, db):
    sign_in(Client())
    get_user_model().objects.filter(socialaccount__uid=KARI["oid"]).update(is_active=False)
    client = Client()
    response = sign_in(client)
    assert response.status_code == 400
    assert "deaktivert" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_the_sign_in_page_offers_the_municipality_account_when_configured(provider, db):
    page = Client().get(reverse("assessments:login")).content.decode()
    assert "Logg inn med Oslo kommune-konto" in page
    assert reverse("assessments:oidc_start") in page


def test_the_sign_in_page_has_no_oidc_button_when_not_configured(db):
    assert "Oslo kommune-konto" not in Client().get(reverse("assessments:login")).content.decode()


def test_password_sign_in_can_be_limited_to_administrators(settings, world):
    from tests.conftest import PASSWORD, make_user

    def password_sign_in(username: str) -> bool:
        client = Client()
        client.post(reverse("assessments:login"), {"username": username, "password": PASSWORD})
        return "_auth_user_id" in client.session

    settings.KIV_PASSWORD_LOGIN = "staff"
    assert not password_sign_in("leader_a")
    make_user("admin_x", is_staff=True)
    assert password_sign_in("admin_x")
    settings.KIV_PASSWORD_LOGIN = "all"
    assert password_sign_in("leader_a")


def test_an_agency_role_mapping_needs_an_agency(db):
    with pytest.raises(ValidationError):
        GroupMapping(group_id="g", role="leader").full_clean()
    GroupMapping(group_id="g", role="reviewer").full_clean()


def _check(env: dict) -> subprocess.CompletedProcess:
    ours = ("DJANGO_", "KIV_", "DATABASE_", "CELERY_")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        (
            {"KIV_OIDC_CLIENT_ID": "x", "KIV_OIDC_DISCOVERY_URL": "https://login.example.org/.well-known/x"},
            "KIV_OIDC_CLIENT_SECRET",
        ),
        ({"KIV_OIDC_CLIENT_ID": "x", "KIV_OIDC_CLIENT_SECRET": "y"}, "KIV_OIDC_DISCOVERY_URL"),
        ({"KIV_OIDC_DISCOVERY_URL": "http://login.example.org/.well-known/x"}, "KIV_OIDC_DISCOVERY_URL"),
    ],
)
def test_a_half_configured_provider_stops_start_up(env, named, tmp_path):
    result = _check({"KIV_DATA_DIR": str(tmp_path), **env})
    assert result.returncode == 2
    assert named in result.stderr
    assert "Traceback" not in result.stderr


def test_too_many_groups_leaves_the_roles_as_they_were(provider, mappings, world):
    sign_in(Client())
    user = SocialAccount.objects.get(uid=KARI["oid"]).user
    # Entra ID leaves the groups out above its limit and points to Graph instead ("overage").
    overage = {k: v for k, v in KARI.items() if k != "groups"}
    provider.next_user = {
        **overage,
        "_claim_names": {"groups": "src1"},
        "_claim_sources": {"src1": {"endpoint": "https://graph.example.org/x"}},
    }
    assert sign_in(Client()).status_code == 302
    assert Membership.objects.get(user=user).role == "leader"
    assert MunicipalRole.objects.get(user=user).role == "reviewer"
    # Without the groups claim and without overage, the person is in no mapped group: mapped roles go.
    provider.next_user = overage
    assert sign_in(Client()).status_code == 302
    assert not Membership.objects.filter(user=user).exists()
    assert not MunicipalRole.objects.filter(user=user).exists()


def test_a_get_does_not_start_a_sign_in(provider, db):
    """Only the sign-in page's POST (with its CSRF token) sends the browser to the provider."""
    client = Client()
    response = client.get(reverse("assessments:oidc_start"))
    assert response.status_code == 302 and response["Location"] == reverse("assessments:login")
    assert "socialaccount_states" not in client.session  # no state stashed: no flow was started
    started = client.post(reverse("assessments:oidc_start"))
    assert started["Location"].startswith(provider.base_url)
    assert client.session["socialaccount_states"]


def test_the_start_needs_the_csrf_token(provider, db):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("assessments:oidc_start")).status_code == 403
    page = client.get(reverse("assessments:login"))
    token = page.cookies["csrftoken"].value
    assert client.post(reverse("assessments:oidc_start"), {"csrfmiddlewaretoken": token}).status_code == 302


@pytest.mark.parametrize(
    "path",
    ["/accounts/signup/", "/accounts/login/", "/accounts/password/reset/", "/accounts/email/", "/accounts/3rdparty/"],
)
def test_allauths_other_pages_are_not_reachable(provider, db, path):
    assert Client().get(path).status_code == 404


def test_a_signed_in_person_is_not_sent_to_the_provider_again(provider, world):
    client = world.client("leader_a")
    response = client.post(reverse("assessments:oidc_start"))
    assert response.status_code == 302 and response["Location"] == reverse("assessments:home")
