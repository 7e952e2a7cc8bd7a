import pytest
from django.test import Client

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


def test_sign_in_is_throttled_after_repeated_failures(world, settings):
    settings.KIV_LOGIN_MAX_FAILURES = 3
    client = Client()
    for _ in range(3):
        assert client.post("/logg-inn/", {"username": "leader_a", "password": "nope"}).status_code == 200
    blocked = client.post("/logg-inn/", {"username": "leader_a", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "For mange mislykkede innlogginger" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
