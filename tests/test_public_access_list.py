"""Where public-access work starts: the list of submitted assessments for UKE and administrators
(views/public_access.public_access_list), reached from the menu and from an administrator's start page."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessments.services import public_access as service
from tests import review_helpers as h
from tests.conftest import make_user
from tests.responses import table_body

pytestmark = pytest.mark.django_db

LIST = reverse("assessments:public_access_list")


@pytest.fixture
def admin():
    client = Client()
    client.force_login(make_user("admin_z", is_superuser=True, is_staff=True))
    return client


def test_the_menu_and_start_pages_lead_uke_and_administrators_there_and_nobody_else(world, questionnaire, admin):
    home = reverse("assessments:home")
    assert f'<li><a href="{LIST}">Offentlighet</a></li>' in admin.get(home).content.decode()
    # UKE's menu is full at 1280 px: its start page links the list beside the queue.
    reviewer_home = world.client("reviewer").get(home).content.decode()
    assert f'<a href="{LIST}">Offentlighet og innsyn: unntak og innsynskopi</a>' in reviewer_home
    for role in ("leader_a", "contributor_a", "auditor", "dpo", "security_officer"):
        assert LIST not in world.client(role).get(home).content.decode(), role
    # An administrator starts on the home page, which names the page beside the Django admin.
    assert "Offentlighet og innsyn: unntak og innsynskopi" in admin.get(home).content.decode()


def test_it_lists_every_submitted_assessment_linked_to_its_exemptions_page(world, questionnaire, admin):
    submitted = h.submitted(world, title="Innsendt <b>chat</b>")
    h.approved(world, title="Godkjent oversetter")
    draft = h.draft(world, title="Bare et utkast")
    reviewer = world.users["reviewer"]
    service.exemption_mark(assessment=submitted, user=reviewer, target="section:security", basis="oftl24_3", reason="x")
    response = admin.get(LIST)
    assert response.status_code == 200
    cells = re.findall(r"<tr>\s*<td><a href=\"([^\"]+)\"[^>]*>([^<]+)</a></td>.*?<td>(\d+)</td>\s*</tr>",
                       table_body(response), re.S)  # fmt: skip
    exemptions_page = reverse("assessments:exemptions", args=[submitted.uuid])
    assert (exemptions_page, "Innsendt &lt;b&gt;chat&lt;/b&gt;", "1") in cells  # escaped, with its one exemption
    assert [title for _url, title, n in cells] == ["Godkjent oversetter", "Innsendt &lt;b&gt;chat&lt;/b&gt;"]
    assert draft.title not in response.content.decode()  # a draft is the agency's own: nothing to exempt yet
    assert admin.get(exemptions_page).status_code == 200
    assert "<tbody>" not in admin.get(LIST, {"q": "finnes ikke"}).content.decode()
    searched = table_body(world.client("reviewer").get(LIST, {"q": "oversetter"}))
    assert "Godkjent oversetter" in searched and "Innsendt" not in searched
    refused = admin.get(LIST, {"q": "Innsendt\x00"})  # would match a row if the NUL were let through
    assert "<tbody>" not in refused.content.decode()  # an invalid filter lists nothing and says why
    assert "Søket ble ikke brukt: rett feltene over." in refused.content.decode()
