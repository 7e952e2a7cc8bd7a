import pytest
from django.test import Client
from django.utils import translation

from assessments.accounts.redirects import is_local_path
from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    ("role", "heading"),
    [
        ("leader_a", "Din virksomhet"),
        ("contributor_a", "Din virksomhet"),
        ("reviewer", "Til behandling i UKE"),
        ("auditor", "Siste avgjørelser"),
    ],
)
def test_each_role_lands_on_its_start_page(world, role, heading):
    client = Client()
    response = client.post("/logg-inn/", {"username": role, "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert heading in response.content.decode()


def test_anonymous_is_sent_to_sign_in(db, client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/logg-inn/")


def test_page_has_language_and_skip_link(world):
    body = world.client("leader_a").get("/").content.decode()
    assert '<html lang="nb">' in body
    assert 'href="#main"' in body and 'id="main"' in body


def test_sign_in_is_locked_after_repeated_failures(world, settings):
    settings.KIV_LOGIN_MAX_FAILURES = 3
    client = Client()
    for _ in range(2):
        assert client.post("/logg-inn/", {"username": "leader_a", "password": "nope"}).status_code == 200
    # The failure that reaches the limit already gets the lockout page.
    assert client.post("/logg-inn/", {"username": "leader_a", "password": "nope"}).status_code == 429
    blocked = client.post("/logg-inn/", {"username": "leader_a", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "For mange mislykkede innlogginger" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_is_translated(world, settings):
    settings.KIV_LOGIN_MAX_FAILURES = 1
    client = Client()
    client.cookies["django_language"] = "en"
    with translation.override(None):  # the request activates English; it must not outlive this test
        response = client.post("/logg-inn/", {"username": "leader_a", "password": "nope"})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_an_old_pbkdf2_hash_is_upgraded_to_argon2_at_sign_in(world, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    from django.contrib.auth.hashers import make_password

    user = world.users["leader_a"]
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    client = Client()
    response = client.post("/logg-inn/", {"username": "leader_a", "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    # And the upgraded hash still lets the person in.
    assert Client().post("/logg-inn/", {"username": "leader_a", "password": PASSWORD}).status_code == 302


def test_argon2_is_the_first_password_hasher():
    from kiveileder import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize(
    ("target", "lands_on"),
    [
        ("/vurderinger/", "/vurderinger/"),
        ("abc", "/"),  # relative text would go on to /logg-inn/abc, a 404
        ("//evil.example.org/", "/"),
        ("/\\evil.example.org/", "/"),
        ("https://evil.example.org/", "/"),
    ],
)
def test_sign_in_follows_next_only_to_a_path_on_this_site(world, target, lands_on):
    client = Client()
    page = client.get("/logg-inn/", {"next": target}).content.decode()
    assert (f'value="{target}"' in page) is (target == lands_on)
    response = client.post("/logg-inn/", {"username": "leader_a", "password": PASSWORD, "next": target})
    assert response.status_code == 302 and response["Location"] == lands_on


@pytest.mark.parametrize(
    ("target", "lands_on"),
    [("/vurderinger/?side=2", "/vurderinger/?side=2"), ("abc", "/"), ("//evil.example.org/", "/")],
)
def test_the_entra_sign_in_follows_next_only_to_a_path_on_this_site(world, target, lands_on):
    # Signed in already, the Entra ID start sends on to `next` through allauth's adapter check.
    response = world.client("leader_a").get("/logg-inn/oidc/", {"next": target})
    assert response.status_code == 302 and response["Location"] == lands_on


@pytest.mark.parametrize("url", ["", None, "abc", "https://evil.example.org/x"])
def test_only_a_path_is_a_local_path(url):
    assert not is_local_path(url)


@pytest.mark.parametrize("url", ["/", "/vurderinger/?side=2", "/logg-inn/"])
def test_a_path_on_this_site_is_a_local_path(url):
    assert is_local_path(url)


@pytest.mark.parametrize("url", ["//evil.example.org/", "/\\evil.example.org/"])
def test_a_path_that_browsers_read_as_another_site_is_not_local(url):
    assert not is_local_path(url)


@pytest.mark.parametrize(("target", "lands_on"), [("/vurderinger/", "/vurderinger/"), ("abc", "/logg-inn/")])
def test_sign_out_follows_next_only_to_a_path_on_this_site(world, target, lands_on):
    response = world.client("leader_a").post("/logg-ut/", {"next": target})
    assert response.status_code == 302 and response["Location"] == lands_on


@pytest.mark.parametrize(
    ("data", "shown", "field"),
    [
        (
            {"username": "", "password": ""},
            ["Brukernavn – Skriv brukernavnet ditt.", "Passord – Skriv passordet ditt."],
            "id_username",
        ),
        ({"username": "leader_a", "password": ""}, ["Passord – Skriv passordet ditt."], "id_password"),
        ({"username": "a\x00b", "password": "x"}, ["Brukernavn – "], "id_username"),
    ],
)
def test_an_empty_or_unreadable_sign_in_says_what_is_wrong_at_the_field(world, data, shown, field):
    response = Client().post("/logg-inn/", data)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="login-errors"' in page
    for text in shown:
        assert text in page
    assert f'aria-describedby="{field}_error" aria-invalid="true"' in page


def test_the_sign_in_messages_in_english(world):
    response = Client().post("/logg-inn/", {"username": "", "password": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Enter your username." in response.content.decode()
