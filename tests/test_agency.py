import pytest
from django.core.exceptions import ValidationError

from assessments.models import Agency, norwegian_slugify, validate_org_number


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Bydel Søndre Nordstrand", "bydel-sondre-nordstrand"),
        ("Bydel Østensjø", "bydel-ostensjo"),
        ("Bydel Grünerløkka", "bydel-grunerlokka"),
        ("Bymiljøetaten", "bymiljoetaten"),
        ("Æresbydel Å", "aeresbydel-a"),
    ],
)
def test_it_transliterates_norwegian_letters(name, slug):
    assert norwegian_slugify(name) == slug


@pytest.mark.parametrize("number", ["974778807", "958935420", "923609016"])
def test_it_accepts_valid_org_numbers(number):
    validate_org_number(number)


@pytest.mark.parametrize("number", ["974778806", "12345678", "97477880a", "9747788071"])
def test_it_rejects_invalid_org_numbers(number):
    with pytest.raises(ValidationError):
        validate_org_number(number)


@pytest.mark.django_db
def test_agency_gets_its_slug_and_validates_in_admin(admin_client):
    response = admin_client.post(
        "/admin/assessments/agency/add/",
        {
            "name": "Bydel Ærlig Å",
            "kind": "bydel",
            "org_number": "974778806",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "kontrollsiffer" in response.content.decode()
    assert not Agency.objects.filter(name="Bydel Ærlig Å").exists()
    admin_client.post(
        "/admin/assessments/agency/add/",
        {
            "name": "Bydel Ærlig Å",
            "kind": "bydel",
            "org_number": "974778807",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert Agency.objects.get(name="Bydel Ærlig Å").slug == "bydel-aerlig-a"
