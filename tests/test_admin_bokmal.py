"""locale/nb: the admin in bokmål where Django's and django-axes' own catalogues leave English or a wrong word."""

import pytest

from assessments.models import Agency

pytestmark = pytest.mark.django_db


def test_a_refused_admin_form_says_what_to_do_in_bokmal(admin_client):
    agency = Agency.objects.create(name="Bydel Test")
    page = admin_client.post(
        "/admin/assessments/membership/add/", {"user": "", "agency": str(agency.pk), "role": "nonsense"}
    ).content.decode()
    assert "Rett feilene nedenfor." in page and "Please correct" not in page


def test_the_admin_names_fields_and_models_in_bokmal(admin_client):
    listing = admin_client.get("/admin/assessments/membership/").content.decode()
    assert "Bruker" in listing and "Virksomhet" in listing
    assert "Skriv for å filtrere" in listing and "Start typing" not in listing  # the sidebar's filter
    assert "Vis antall" in listing and "Show counts" not in listing
    index = admin_client.get("/admin/").content.decode()
    assert "Innloggingsforsøk" in index and "Access attempts" not in index
    add = admin_client.get("/admin/assessments/questionnaire/add/").content.decode()
    assert "Legg til spørreskjema" in add and "ny spørreskjema" not in add
