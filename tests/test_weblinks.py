"""Links to documents (assessments/text.py): intranet hosts of one label are accepted, only http and https, and
spaces and other garbage are refused in words a leader understands."""

import pytest
from django.core.exceptions import ValidationError

from assessments.models.catalogue import ToolEntryVersion
from assessments.models.plans import Evidence
from assessments.text import IntranetURLValidator, LinkFormField

ACCEPTED = [
    "https://intranett/sak/1",
    "http://arkiv:8080/dok/2",
    "https://sharepoint/sites/x",
    "https://www.oslo.kommune.no/ki?side=2#retningslinje",
    "http://10.20.30.40/dpia",
    "http://[::1]:8000/dpia",
    "HTTPS://Intranett/Sak/1",
]
REFUSED = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "ftp://arkiv/dok",
    "https://intra nett/sak/1",
    "https://intranett/sak 1",
    "https://",
    "https://-arkiv/dok",
    "https://arkiv:port/dok",
    "intranett",
    "https://intranett/sak\n1",
    "http://999.999.999.999/",  # no IPv4 address, and no intranet name either
    "http://10.20.30.400/",
    "http://1",
]


@pytest.mark.parametrize("url", ACCEPTED)
def test_a_web_address_with_or_without_a_domain_ending_is_accepted(url):
    IntranetURLValidator()(url)
    assert LinkFormField().clean(url) == url


@pytest.mark.parametrize("url", REFUSED)
def test_anything_else_is_refused_with_a_clear_message(url):
    with pytest.raises(ValidationError) as refused:
        IntranetURLValidator()(url)
    assert refused.value.messages == [
        "Skriv inn en lenke som begynner med https:// eller http:// og ikke har mellomrom, for eksempel "
        "https://intranett/sak/123."
    ]


def test_a_form_takes_an_address_without_a_scheme_as_https():
    assert LinkFormField().clean("intranett/sak/1") == "https://intranett/sak/1"
    assert LinkFormField().clean("  https://sharepoint/sites/x ") == "https://sharepoint/sites/x"
    with pytest.raises(ValidationError):
        LinkFormField().clean("arkiv:8080/dok/2")  # "arkiv:" reads as a scheme: it must be written with http://


@pytest.mark.parametrize(("model", "name"), [(Evidence, "url"), (ToolEntryVersion, "guideline_url")])
def test_the_models_check_links_the_same_way(model, name):
    field = model._meta.get_field(name)
    field.run_validators("https://intranett/sak/1")
    with pytest.raises(ValidationError):
        field.run_validators("javascript:alert(1)")
    assert isinstance(field.formfield(), LinkFormField)
    assert field.deconstruct()[1] == "django.db.models.URLField"  # no migration for a check in Python
