"""One input-hardening layer for the JSON files people upload or pass to commands (answers files).

Python's json module recurses once per nesting level (a file of 100,000 `[` raises RecursionError), turns
a 5,000-digit number into a ValueError (int_max_str_digits), and accepts `"\\ud800"` (a lone surrogate that
cannot be stored) and `"\\u0000"` (which PostgreSQL refuses in text). So the limits are checked before and
while parsing, and every failure is one `InputError` with a sentence naming the place: the web shows it
as a 400 form error, `score_answers` prints it and exits 2. A UTF-8 byte order mark is accepted by both.
PDF parsing (the verification page, `verify_report`) is hardened in assessments/reports/signing.py.
"""

import json
import re
from typing import Any

from django.utils.translation import gettext as _

from assessments.text import clean_text, unstorable

MAX_JSON_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_NUMBER_CHARS = 40
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET_RE = re.compile(r"[\[\]{}]")


class InputError(ValueError):
    """Input refused before or while parsing; str() is the sentence to show."""


def _depth(text: str) -> int:
    """The deepest nesting of arrays and objects, outside strings (no recursion, no parsing)."""
    depth = deepest = 0
    for match in _BRACKET_RE.finditer(_STRING_RE.sub("", text)):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _number(kind):
    def parse(literal: str):
        if len(literal) > MAX_NUMBER_CHARS:
            raise InputError(
                _("Tallet som begynner med %(start)s… er for langt (%(length)s tegn, høyst %(limit)s).")
                % {"start": literal[:10], "length": len(literal), "limit": MAX_NUMBER_CHARS}
            )
        return kind(literal)

    return parse


def _constant(name: str):
    raise InputError(_("%(name)s er ikke et tall i JSON.") % {"name": name})


def _checked(value: Any, path: str) -> Any:
    """Refuse NUL and lone surrogates, naming the place; normalise the text of every string."""
    if isinstance(value, str):
        if unstorable(value):
            raise InputError(
                _("«%(field)s» inneholder tegn som ikke kan lagres (nulltegn eller ugyldig Unicode).")
                % {"field": path or "(rot)"}
            )
        return clean_text(value)
    if isinstance(value, list):
        return [_checked(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, dict):
        checked = {}
        for key, item in value.items():
            place = f"{path}.{key}" if path else str(key)
            if unstorable(key):
                raise InputError(
                    _("En nøkkel i «%(field)s» inneholder tegn som ikke kan lagres.") % {"field": path or "(rot)"}
                )
            checked[clean_text(key)] = _checked(item, place)
        return checked
    return value


def parse_json(raw: bytes | str, *, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """Parse an uploaded JSON document within the limits. Raises InputError with a sentence to show."""
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > max_bytes:
        raise InputError(_("Filen er for stor (%(size)s byte, høyst %(limit)s).") % {"size": size, "limit": max_bytes})
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(_("Filen er ikke UTF-8-tekst.")) from None
    text = raw.removeprefix("\ufeff")
    if _depth(text) > MAX_DEPTH:
        raise InputError(_("Filen er nøstet for dypt (mer enn %(limit)s nivåer).") % {"limit": MAX_DEPTH})
    try:
        data = json.loads(text, parse_int=_number(int), parse_float=_number(float), parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            _("Filen er ikke gyldig JSON (linje %(line)s, kolonne %(column)s: %(message)s).")
            % {"line": exc.lineno, "column": exc.colno, "message": exc.msg}
        ) from None
    except RecursionError:  # the depth check makes this unreachable; kept so no input can crash the caller
        raise InputError(_("Filen er nøstet for dypt (mer enn %(limit)s nivåer).") % {"limit": MAX_DEPTH}) from None
    return _checked(data, "")
