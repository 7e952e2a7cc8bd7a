"""The tool overview's pages: the list with search, UKE's forms (a change is a new version), withdrawing, the JSON for
signed-in users and API tokens, and the public JSON."""

import datetime as dt
import json
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from assessments.models import AuditEvent
from assessments.models.catalogue import ToolEntry
from assessments.services import catalogue
from tests.catalogue_helpers import APPROVED_CHAT, make_tool

pytestmark = pytest.mark.django_db


def form_data(**changes):
    data = {**APPROVED_CHAT, **changes}
    for key in ("dpa", "vendor_trains_on_inputs", "enterprise_agreement", "generates_content"):
        value = data.get(key)
        data[key] = "true" if value is True else ("false" if value is False else "")
    if data["generates_content"] == "false":
        data.pop("generates_content")
    return {k: ("" if v is None else str(v)) for k, v in data.items()}


def test_the_list_searches_by_name(world):
    make_tool(world)
    make_tool(world, slug="annet", name="Transkribering")
    client = world.client("contributor_a")
    page = client.get(reverse("assessments:catalogue_list"), {"q": "transk"}).content.decode()
    assert "Transkribering" in page and "Kommunechat" not in page
    assert "Legg til verktøy" not in page  # only UKE and administrators


def test_a_tool_not_approved_shows_no_limit_that_reads_as_granted(world):
    make_tool(world, slug="gratischat", name="Gratis chat", status="not_approved", max_class="open")
    client = world.client("contributor_a")
    row = client.get(reverse("assessments:catalogue_list")).content.decode().split("Gratis chat", 1)[1]
    row = row.split("</tr>", 1)[0]
    assert "Åpen informasjon" not in row and "Tillatt" not in row and row.count("<td>–</td>") == 2
    detail = client.get(reverse("assessments:catalogue_detail", args=["gratischat"])).content.decode()
    assert "Åpen informasjon (gjelder bare når verktøyet er godkjent)" in detail


def test_an_unknown_status_in_the_link_is_said_and_lists_all(world):
    make_tool(world)
    client, url = world.client("contributor_a"), reverse("assessments:catalogue_list")
    body = client.get(url, {"status": "xyz"}).content.decode()
    assert "Lenken hadde en status som ikke finnes" in body and "Kommunechat" in body
    assert "Lenken hadde en status" not in client.get(url, {"status": "approved"}).content.decode()


def test_uke_adds_and_changes_an_entry_as_new_versions(world):
    client = world.client("reviewer")
    response = client.post(reverse("assessments:catalogue_create"), {**form_data(), "slug": "ny-chat"})
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = ToolEntry.objects.get(slug="ny-chat")
    response = client.post(
        reverse("assessments:catalogue_change", args=["ny-chat"]),
        {**form_data(max_class="open"), "change_note": "Bare åpen informasjon"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [v.max_class for v in entry.versions.order_by("number")] == ["internal", "open"]
    page = client.get(reverse("assessments:catalogue_detail", args=["ny-chat"])).content.decode()
    assert "ny-chat@2" in page and "ny-chat@1" in page and "Bare åpen informasjon" in page


def test_a_guideline_on_the_intranet_is_accepted_and_linked(world):
    make_tool(world, slug="intern")
    client = world.client("reviewer")
    url = reverse("assessments:catalogue_change", args=["intern"])
    guideline = "https://sharepoint/sites/ki/retningslinje"
    changed = client.post(url, {**posted_from(client.get(url).content.decode()), "guideline_url": guideline,
                                "change_note": "Retningslinje på intranettet"})  # fmt: skip
    assert changed.status_code == 302, changed.content.decode()[:3000]
    page = client.get(reverse("assessments:catalogue_detail", args=["intern"])).content.decode()
    assert f'<a href="{guideline}">{guideline}</a>' in page
    refused = client.post(url, {**posted_from(client.get(url).content.decode()), "guideline_url": "javascript:x()"})
    assert refused.status_code == 400 and "begynner med https://" in refused.content.decode()


class _FormValues(HTMLParser):
    """What a browser would post from a page's form: inputs (ticked boxes only), text areas."""

    def __init__(self):
        super().__init__()
        self.values, self._area = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and (attrs.get("type") not in ("radio", "checkbox") or "checked" in attrs):
            self.values[name] = attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")
        elif tag == "textarea" and name:
            self._area, self.values[name] = name, ""

    def handle_data(self, data):
        if self._area:
            self.values[self._area] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._area = None


def posted_from(page: str) -> dict[str, str]:
    parser = _FormValues()
    parser.feed(page.split('<form method="post" novalidate>', 1)[1].split("</form>", 1)[0])
    values = {k: v.removeprefix("\n") for k, v in parser.values.items()}  # Django starts a textarea with a newline
    values.pop("csrfmiddlewaretoken", None)
    return values


def test_a_change_made_meanwhile_is_not_undone_by_an_older_form(world):
    make_tool(world, slug="delt")
    url = reverse("assessments:catalogue_change", args=["delt"])
    first, second = world.client("reviewer"), world.client("reviewer")  # two tabs or two people
    older = posted_from(second.get(url).content.decode())
    assert older["seen_number"] == "1"
    assert first.post(url, {**older, "note": "Gjelder bare UKE", "change_note": "Merknad"}).status_code == 302
    refused = second.post(url, {**older, "vendor": "Ny leverandør AS", "change_note": "Ny leverandør"})
    entry = ToolEntry.objects.get(slug="delt")
    assert refused.status_code == 409 and entry.versions.count() == 2  # nothing saved over the note
    page = refused.content.decode()
    assert "Noen andre lagret en ny versjon" in page
    shown = posted_from(page)
    # The page now shows the other's note beside this person's vendor, and builds on version 2.
    assert (shown["note"], shown["vendor"], shown["seen_number"]) == ("Gjelder bare UKE", "Ny leverandør AS", "2")
    assert second.post(url, shown).status_code == 302
    newest = entry.current()
    assert (newest.number, newest.note, newest.vendor) == (3, "Gjelder bare UKE", "Ny leverandør AS")


def test_a_field_both_changed_meanwhile_is_named_and_keeps_this_persons_value(world):
    make_tool(world, slug="delt")
    url = reverse("assessments:catalogue_change", args=["delt"])
    first, second = world.client("reviewer"), world.client("reviewer")
    older = posted_from(second.get(url).content.decode())
    assert first.post(url, {**older, "note": "Første", "change_note": "A"}).status_code == 302
    refused = second.post(url, {**older, "note": "Andre", "change_note": "B"})
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "bortsett fra der dere begge har endret: «Merknad fra UKE»" in page
    assert posted_from(page)["note"] == "Andre"


def test_a_bad_form_keeps_the_input_and_says_what_is_wrong(world):
    response = world.client("reviewer").post(
        reverse("assessments:catalogue_create"), {**form_data(name=""), "slug": "Ikke gyldig!"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ikke gyldig!" in page
    # The error summary names each field with an error and links to it.
    summary = page.split("data-error-summary")[1].split("</div>")[0]
    assert 'href="#id_slug"' in summary and 'href="#id_name"' in summary


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"approved_until": "2020-01-01"}, "approved_until", "«Godkjent til» kan ikke være før «Status fra»."),
        ({"dpa": None}, "dpa_valid_until", "Velg «Ja» for databehandleravtalen"),
        ({"dpa": False}, "dpa_valid_until", "Velg «Ja» for databehandleravtalen"),  # 2030: still running
        ({"dpa_valid_until": "1900-01-01"}, "dpa_valid_until", "Datoen kan ikke være før år 2000."),
        ({"status_since": "0001-01-01"}, "status_since", "Datoen kan ikke være før år 2000."),
    ],
)
def test_dates_that_contradict_each_other_or_the_agreement_are_refused_at_their_field(world, changes, field, message):
    response = world.client("reviewer").post(
        reverse("assessments:catalogue_create"), {**form_data(**changes), "slug": "datoer"}
    )
    assert response.status_code == 400 and not ToolEntry.objects.filter(slug="datoer").exists()
    errors = response.context["form"].errors
    assert list(errors) == [field] and errors[field][0].startswith(message)


def test_a_slug_in_capitals_or_with_letters_outside_a_z_is_explained_in_norwegian(world):
    client = world.client("reviewer")
    message = "Bruk bare små bokstaver a–z, tall og bindestrek (ikke mellomrom eller æ, ø, å), f.eks. «copilot-chat»."
    for slug in ("Kommune-Chat", "kø chat", "kommune_chat"):
        refused = client.post(reverse("assessments:catalogue_create"), {**form_data(), "slug": slug})
        assert refused.status_code == 400 and refused.context["form"].errors["slug"] == [message], slug
    reserved = client.post(reverse("assessments:catalogue_create"), {**form_data(), "slug": "ny"})
    assert reserved.context["form"].errors["slug"] == ["Kjennetegnet er reservert. Velg et annet."]
    assert not ToolEntry.objects.exists()


def test_an_entry_whose_slug_differs_only_in_capitals_is_refused(world):
    make_tool(world, slug="Kommunechat")  # made before the form refused capitals
    response = world.client("reviewer").post(
        reverse("assessments:catalogue_create"), {**form_data(), "slug": "kommunechat"}
    )
    assert response.status_code == 400 and "Kjennetegnet er allerede i bruk." in response.content.decode()
    assert ToolEntry.objects.count() == 1


def test_what_the_daily_check_leaves_can_still_be_changed(world):
    """A withdrawn approval keeps its end date and an agreement gone keeps its own: not a contradiction."""
    make_tool(world, slug="utgaatt", status_since=dt.date(2025, 1, 1), approved_until=dt.date(2025, 6, 1),
              dpa_valid_until=dt.date(2025, 6, 1))  # fmt: skip
    catalogue.expire_due(dt.date(2025, 7, 1))
    entry = ToolEntry.objects.get(slug="utgaatt")
    current = entry.current()
    assert current.status == "withdrawn" and current.dpa is False
    data = form_data(**{name: getattr(current, name) for name in APPROVED_CHAT} | {"vendor": "Ny leverandør AS"})
    data |= {"change_note": "Ny leverandør.", "seen_number": str(current.number)}
    response = world.client("reviewer").post(reverse("assessments:catalogue_change", args=[entry.slug]), data)
    assert response.status_code == 302, response.context["form"].errors
    assert entry.current().vendor == "Ny leverandør AS"


def test_withdrawing_from_the_page_makes_a_version_and_an_audit_event(world):
    version = make_tool(world)
    response = world.client("reviewer").post(
        reverse("assessments:catalogue_withdraw", args=[version.entry.slug]),
        {"note": "Avtalen er sagt opp", "confirm": "on"},
    )
    assert response.status_code == 302
    assert version.entry.current().status == "withdrawn"
    assert version.entry.current().change_note == "Avtalen er sagt opp"
    assert AuditEvent.objects.filter(action="catalogue.changed").exists()


@pytest.mark.parametrize(
    ("data", "kept", "error"),
    [
        ({"note": "  ", "confirm": "on"}, None, "Skriv hvorfor godkjenningen trekkes tilbake."),
        ({"note": "Avtalen er sagt opp"}, "Avtalen er sagt opp", "Bekreft at du forstår hva som skjer"),
    ],
)
def test_withdrawing_needs_a_reason_and_the_confirmation(world, data, kept, error):
    version = make_tool(world)
    url = reverse("assessments:catalogue_withdraw", args=[version.entry.slug])
    response = world.client("reviewer").post(url, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert version.entry.current().status == "approved"
    assert "<title>Feil:" in page  # the page's title says there is something to correct
    summary = page.split("data-error-summary")[1].split("</div>")[0]
    assert error in summary
    # A single checkbox's error links to the checkbox itself (only groups of choices number their inputs).
    assert 'href="#id_confirm_0"' not in summary
    if kept:
        assert f'value="{kept}"' in page


def test_the_withdraw_form_shows_on_approved_tools_only(world):
    approved = make_tool(world)
    make_tool(world, slug="under", name="Under vurdering", status="under_assessment")
    client = world.client("reviewer")
    detail = reverse("assessments:catalogue_detail", args=["under"])
    assert (
        "Jeg forstår at vurderinger"
        in client.get(reverse("assessments:catalogue_detail", args=[approved.entry.slug])).content.decode()
    )
    assert "Jeg forstår at vurderinger" not in client.get(detail).content.decode()
    response = client.post(reverse("assessments:catalogue_withdraw", args=["under"]), {"note": "Feil", "confirm": "on"})
    assert response.status_code == 302
    assert ToolEntry.objects.get(slug="under").current().status == "under_assessment"


def test_the_json_for_signed_in_users_and_tokens_only(world, client, django_user_model):
    make_tool(world)
    url = reverse("assessments:catalogue_json")
    data = json.loads(world.client("leader_b").get(url).content)
    entry = data["entries"][0]
    assert entry["ref"] == "kommunechat@1" and entry["max_class"] == "internal" and entry["dpa"] is True
    assert client.get(url).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    token, raw = catalogue.api_token_issue(name="Sak", actor=admin)
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    catalogue.api_token_revoke(token=token, actor=admin)
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_administrators_issue_tokens_shown_once(world, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    client = Client()
    client.force_login(admin)
    page = client.post(reverse("assessments:catalogue_tokens"), {"name": "Saksbehandlingssystemet"})
    body = page.content.decode()
    assert page.status_code == 200 and "vises ikke igjen" in body
    token = body.split('<code id="issued-token">')[1].split("</code>")[0]
    assert catalogue.api_token_check(token) is not None
    assert token not in client.get(reverse("assessments:catalogue_tokens")).content.decode()


@pytest.mark.parametrize("revoke", ["²", "-1", "9" * 40, "abc"])
def test_revoking_a_token_that_is_no_number_is_not_found(world, django_user_model, revoke):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    client = Client()
    client.force_login(admin)
    assert client.post(reverse("assessments:catalogue_tokens"), {"revoke": revoke}).status_code == 404


def test_the_public_json_lists_approved_tools_only(world, client, settings):
    make_tool(world)
    make_tool(world, slug="gratis", name="Gratis", status="not_approved")
    url = reverse("assessments:public_catalogue_json")
    assert client.get(url).status_code == 404
    settings.KIV_PUBLIC_REGISTER = True
    entries = json.loads(client.get(url).content)["entries"]
    assert [e["name"] for e in entries] == ["Kommunechat"]
    assert "note" not in entries[0] and "dpa_reference" not in entries[0]


def test_the_token_form_shows_the_error_summary(world, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    client = Client()
    client.force_login(admin)
    response = client.post(reverse("assessments:catalogue_tokens"), {"name": ""})
    assert response.status_code == 400
    summary = response.content.decode().split("data-error-summary")[1].split("</div>")[0]
    assert 'href="#id_name"' in summary and "Gi nøkkelen et navn." in summary


def test_a_second_withdrawal_is_refused_and_a_get_of_the_withdraw_url_opens_the_tool(world):
    approved = make_tool(world)
    slug = approved.entry.slug
    client = world.client("reviewer")
    url = reverse("assessments:catalogue_withdraw", args=[slug])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:catalogue_detail", args=[slug]) + "#withdraw"
    assert client.post(url, {"note": "Avtalen er sagt opp", "confirm": "on"}).status_code == 302
    versions = approved.entry.versions.count()
    # The service refuses under the entry's lock too, whoever calls it (a second tab, a command).
    with pytest.raises(ValidationError) as refused:
        catalogue.tool_withdraw(entry=approved.entry, actor=world.users["reviewer"], note="Igjen")
    assert refused.value.code == "not_approved"
    assert approved.entry.versions.count() == versions
