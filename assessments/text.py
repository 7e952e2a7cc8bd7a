r"""One normaliser for free text, and the form mixin that applies it to every form.

Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) let `abc\u202egnp.exe` render as
`abcexe.png` and reverse the rest of a paragraph in the signed PDF; zero-width characters (U+200B–U+200F,
U+2060–U+2064, U+FEFF) make two equal-looking titles differ and defeat search. Neither has a use in the
text people type here, so they are removed: from what is stored (every form, the answers import), and
again from every output (HTML and JSON responses, CSV/Excel/JSON exports, the PDF report), so rows stored
before this existed are shown clean too.

NUL characters and lone surrogates (`"\ud800"` in JSON) cannot be stored (PostgreSQL refuses NUL in text,
UTF-8 cannot encode a lone surrogate): forms refuse them with an error on the field instead of a 500.

The app's base forms (`Form`, `ModelForm`) apply it, word a choice not offered in the app's own way, and share
the date input every form uses (`DATE_INPUT`, `not_too_early`) and the required upload (`file_field`).

**Links** people give to a document (an action plan item's evidence, a tool's guideline; `LinkFormField`,
`LinkField`): Django's URLValidator wants a host with a domain ending (`.no`), but inside Oslo kommune's network a
host of one label is normal: `https://intranett/sak/1`, `http://arkiv:8080/dok/2`, `https://sharepoint/sites/x`. So
the validator here takes Django's own pattern and makes only the ending optional; the rest stays Django's check (no
spaces, a port of digits, IPv4 and IPv6, the host's length), and the schemes are http and https only, so no
`javascript:`, `data:` or `file:` link reaches a page. Every link is still shown escaped, as an href.
"""

import datetime
import re

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import URLValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

_INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
# The same characters in UTF-8, for whole response bodies (UTF-8 is self-synchronising, so this never
# matches inside another character).
INVISIBLE_UTF8_RE = re.compile(rb"\xe2\x80[\x8b-\x8f\xaa-\xae]|\xe2\x81[\xa0-\xa4\xa6-\xa9]|\xef\xbb\xbf")
_UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")
# A whole number as people and files write one: ASCII digits, short enough for a database integer.
_WHOLE_NUMBER_RE = re.compile("[0-9]{1,18}")

UNSTORABLE_MESSAGE = _("Teksten inneholder tegn som ikke kan lagres (nulltegn eller ugyldig Unicode).")


def clean_text(value: str) -> str:
    """The text without bidirectional controls and zero-width characters."""
    return INVISIBLE_RE.sub("", value)


def clean_bytes(body: bytes) -> bytes:
    return INVISIBLE_UTF8_RE.sub(b"", body)


def whole_number(value) -> int | None:
    """`value` as an int when it is ASCII digits only, else None. Not `str.isdigit()`: that also accepts
    superscripts ("²"), which int() then refuses with a ValueError."""
    if isinstance(value, str) and _WHOLE_NUMBER_RE.fullmatch(value):
        return int(value)
    return None


def unstorable(value: str) -> bool:
    """True when the text holds a NUL or a lone surrogate."""
    return bool(_UNSTORABLE_RE.search(value))


def _clean_value(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list | tuple):
        return type(value)(_clean_value(item) for item in value)
    return value


def _raw_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _raw_strings(item)


# Django's bokmål for a choice not offered misses a word ("Velg et gyldig valg. Valget er ikke av de tilgjengelige
# valgene"), and names no value for a model choice; every form of the app says this instead, unless its field
# has a message of its own.
INVALID_CHOICE = _("«%(value)s» er ikke et gyldig valg. Velg et av alternativene.")

# No date the app records lies before this: a year typed as 0001 or 1900 is a slip, not a plan or a status.
EARLIEST_DATE = datetime.date(2000, 1, 1)
DATE_INPUT = forms.DateInput(attrs={"type": "date", "min": EARLIEST_DATE.isoformat()}, format="%Y-%m-%d")


def file_field(label, *, choose, help_text="") -> forms.FileField:
    """A required upload whose messages say which file to choose: Django's own («Feltet er påkrevet») names no task."""
    return forms.FileField(
        label=label, help_text=help_text, error_messages={"required": choose, "empty": _("Filen er tom.")}
    )


def not_too_early(day) -> None:
    if day < EARLIEST_DATE:
        raise forms.ValidationError(_("Datoen kan ikke være før år 2000."), code="too_early")


def _djangos_own(field, key: str) -> bool:
    """Is the field's message `key` the one Django's own field classes give (not one set for this field)?"""
    message = field.error_messages.get(key)
    return message is not None and any(
        vars(klass).get("default_error_messages", {}).get(key) is message
        for klass in type(field).__mro__
        if klass.__module__.startswith("django.")
    )


class CleanTextFormMixin:
    """For every form: refuse unstorable characters on the field that holds them, and normalise the
    cleaned text of every field. Put it before forms.Form / forms.ModelForm in the bases."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if _djangos_own(field, "invalid_choice"):
                field.error_messages["invalid_choice"] = INVALID_CHOICE

    def _clean_fields(self):
        # Django's own loop (forms.Form._clean_fields), with unstorable text refused before a field or a
        # clean_<field> method can take it to the database, and every cleaned text normalised.
        for name, bf in self._bound_items():
            if not bf.field.disabled and any(unstorable(text) for text in _raw_strings(bf.data)):
                self.add_error(name, forms.ValidationError(UNSTORABLE_MESSAGE, code="unstorable"))
                continue
            try:
                self.cleaned_data[name] = _clean_value(bf.field._clean_bound_field(bf))
                if hasattr(self, f"clean_{name}"):
                    self.cleaned_data[name] = _clean_value(getattr(self, f"clean_{name}")())
            except forms.ValidationError as error:
                self.add_error(name, error)


class Form(CleanTextFormMixin, forms.Form):
    """The app's base form."""


class ModelForm(CleanTextFormMixin, forms.ModelForm):
    """The app's base model form."""


# --- Links ------------------------------------------------------------------------------------------------

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
