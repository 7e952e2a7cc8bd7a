"""Speaking the reader's language: definition texts and dates in the active language.

- `localized(obj, "label")` is the one accessor for a text of the questionnaire definition (a question's
  label, a section's title, a rule's explanation in a stored result): `label_en` in English when the
  definition has it, otherwise the bokmål text. Objects and dicts both work.
- `english()` is the one test of the active language outside the engine.
- `format_datetime` / `format_date` are the one way a date is written for a person: "1. desember 2026
  22:26" in bokmål, "1 December 2026, 22:26" in English (24-hour clock, no "p.m." that ends a sentence in
  a double stop). The machine-readable form (`<time datetime>`) stays ISO 8601.
"""

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from django.utils import dateformat, timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

DATETIME_FORMATS = {"nb": "j. F Y H:i", "en": "j F Y, H:i"}
DATE_FORMATS = {"nb": "j. F Y", "en": "j F Y"}


def english() -> bool:
    return (get_language() or "nb").startswith("en")


def language() -> str:
    """The active language as the definition names it: "en" or "nb"."""
    return "en" if english() else "nb"


def quoted(text: str) -> str:
    """A quotation in the active language's marks: «…» in bokmål, “…” in English."""
    return f"“{text}”" if english() else f"«{text}»"


def quoted_list(texts) -> str:
    return ", ".join(quoted(t) for t in texts)


def html_message(text: str, **values: Any) -> SafeString:
    """A translated %-style sentence filled with `values` as HTML: the sentence and every value are escaped
    unless already safe (a link built with `format_html`). Messages carry HTML only through here."""
    escaped = {name: conditional_escape(value) for name, value in values.items()}
    return mark_safe(conditional_escape(text) % escaped)  # noqa: S308  # nosec B308, B703 - all parts escaped above


def localized(obj: Any, field: str, lang: str | None = None) -> str:
    """`field` of a definition object or stored dict in `lang` (default: the active language), falling back
    to bokmål."""
    if english() if lang is None else lang == "en":
        return _text(obj, f"{field}_en") or _text(obj, field)
    return _text(obj, field)


def has_english(obj: Any, field: str) -> bool:
    """Does `obj` carry an English text for `field` (so English pages show it rather than the bokmål)?"""
    return bool(_text(obj, f"{field}_en"))


def _text(obj: Any, name: str) -> str:
    value = obj.get(name, "") if isinstance(obj, Mapping) else getattr(obj, name, "")
    return value or ""


def format_datetime(value: dt.datetime | str | None) -> str:
    """A moment for a person; an ISO 8601 string (as stored in a verification outcome) is read first."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, DATETIME_FORMATS[language()])


def format_date(value: dt.date | dt.datetime | None) -> str:
    if value in (None, ""):  # "" is what a template passes for a missing value
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if isinstance(value, dt.datetime):
        value = value.date()  # the format has no time of day
    return _date_text(value, language(), get_language())


@functools.lru_cache(maxsize=4096)
def _date_text(value: dt.date, language: str, active: str | None) -> str:
    """A day written out, remembered: a list page writes the same few days many times, and Django's
    formatter parses its format and looks up the month's name each time. `language` picks the format;
    `active` (Django's active translation, None when it is switched off) translates the month's name, so
    both are part of the key."""
    return dateformat.format(value, DATE_FORMATS[language])


def format_time(value: dt.datetime) -> str:
    return dateformat.format(timezone.localtime(value) if timezone.is_aware(value) else value, "H:i:s")
