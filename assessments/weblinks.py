"""Links people give to a document: an action plan item's evidence, a tool's guideline.

Django's URLValidator wants a host with a domain ending (`.no`), but inside Oslo kommune's network a host of one
label is normal: `https://intranett/sak/1`, `http://arkiv:8080/dok/2`, `https://sharepoint/sites/x`. So the
validator here takes Django's own pattern and makes only the ending optional; the rest stays Django's check
(no spaces, a port of digits, IPv4 and IPv6, the host's length), and the schemes are http and https only, so
no `javascript:`, `data:` or `file:` link reaches a page. Every link is still shown escaped, as an href.
"""

import re

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import URLValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

LINK_MESSAGE = _(
    "Skriv inn en lenke som begynner med https:// eller http:// og ikke har mellomrom, for eksempel "
    "https://intranett/sak/123."
)
SCHEMES = ["http", "https"]


def _intranet_pattern() -> str:
    """Django's URL pattern with the domain ending optional: a host of one label (`intranett`) matches too."""
    internet_host = URLValidator.host_re
    # Not digits and dots alone: a mistyped IP address (10.20.30.400) or a bare number is no intranet name, and
    # Django's IPv4 check before this alternative has already taken every valid address.
    not_a_number = r"(?![0-9.]+(?:[:/?#]|\Z))"
    intranet_host = f"({not_a_number}{URLValidator.hostname_re}{URLValidator.domain_re}(?:{URLValidator.tld_re})?)"
    pattern = URLValidator.regex.pattern
    if internet_host not in pattern:  # a Django upgrade changed the pattern: fail at start, not accept anything
        raise ImproperlyConfigured("URLValidator's pattern no longer contains its host_re")
    return pattern.replace(internet_host, intranet_host)


@deconstructible
class IntranetURLValidator(URLValidator):
    regex = re.compile(_intranet_pattern(), re.IGNORECASE)
    schemes = SCHEMES
    message = LINK_MESSAGE


class LinkFormField(forms.URLField):
    """A form's link field: an intranet host allowed, http(s) only, a missing scheme taken as https."""

    default_validators = [IntranetURLValidator()]
    default_error_messages = {"invalid": LINK_MESSAGE}

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class LinkField(models.URLField):
    """A model's link field: the same check as the forms when a model is cleaned (the tool overview's versions)."""

    default_validators = [IntranetURLValidator()]

    def deconstruct(self):
        # Migrations see a plain URLField: the column is the same, only the Python check differs, and a changed
        # field class would make SQLite rebuild the tables (and their triggers) for nothing.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.URLField", args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": LinkFormField, **kwargs})
