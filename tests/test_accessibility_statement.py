"""The accessibility statement: public, in both languages, linked from every page's footer, with a way to
report a problem."""

import pytest
from django.test import override_settings
from django.urls import reverse

URL = "/tilgjengelighetserklaering/"


def test_it_is_at_the_agreed_address():
    assert reverse("assessments:accessibility") == URL


def test_anyone_can_read_it_and_report_a_problem(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tilgjengelighetserklæring for KI-veileder" in body
    assert "WCAG 2.1" in body
    assert "Kjente mangler" in body
    assert 'href="mailto:ki-veileder@oslo.kommune.no"' in body
    assert "Diskrimineringsnemnda" in body


def test_it_is_in_english_too(client, db):
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert "Accessibility statement for KI-veileder" in body
    assert "Known gaps" in body
    assert "Report a problem" in body


@override_settings(
    KIV_ACCESSIBILITY_CONTACT="uu@example.org",
    KIV_ACCESSIBILITY_STATEMENT_URL="https://uustatus.no/nb/erklaringer/publisert/example",
)
def test_it_uses_the_configured_contact_and_links_the_published_statement(client, db):
    body = client.get(URL).content.decode()
    assert 'href="mailto:uu@example.org"' in body
    assert 'href="https://uustatus.no/nb/erklaringer/publisert/example"' in body


@pytest.mark.parametrize("role", ["anonymous", "leader_a", "reviewer"])
def test_every_page_links_it_from_the_footer(world, role):
    for url in ("/logg-inn/" if role == "anonymous" else "/", "/personvern/"):
        body = world.client(role).get(url).content.decode()
        footer = body.split('<footer class="site-footer">', 1)[1]
        assert f'href="{URL}"' in footer, url
