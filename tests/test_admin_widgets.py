"""The admin's autocomplete fields: a posted value that is no id gives the form back with its error, not a 500."""

import pytest

from assessments.models import Agency, Membership

pytestmark = pytest.mark.django_db

NOT_IDS = ["a\x00b", "NaN", "1e309", "9" * 30, "-1", "1" * 5000]


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_membership_with_a_user_that_is_no_id_is_refused_with_the_form(admin_client, value):
    agency = Agency.objects.create(name="Bydel Test")
    response = admin_client.post(
        "/admin/assessments/membership/add/", {"user": value, "agency": str(agency.pk), "role": "nonsense"}
    )
    assert response.status_code == 200  # Django admin shows a refused form with 200
    assert "errornote" in response.content.decode()
    assert not Membership.objects.exists()


@pytest.mark.parametrize("value", NOT_IDS[:3])
def test_an_agency_inline_with_a_user_that_is_no_id_is_refused_with_the_form(admin_client, value):
    response = admin_client.post(
        "/admin/assessments/agency/add/",
        {
            "name": "",
            "kind": "bydel",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": value,
            "memberships-0-role": "leader",
        },
    )
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert not Agency.objects.exists()
