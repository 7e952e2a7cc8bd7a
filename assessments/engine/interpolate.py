"""Answers in rule texts: `{key}` in a hard rule's title or explanation becomes the answer to question `key`.

A stop named after the tool and the class ("Copilot er godkjent for inntil «Intern informasjon» …") needs the
answers in its title; the title is then stored with the result, as the record of what was advised. Only
question keys are replaced (the validator refuses any other `{name}`), in one pass (an answer containing
`{…}` is never expanded again), with the choice's label in the page's language and a text answer as plain,
shortened text; pages escape it like any other text. Pure: no Django.
"""

import re
from collections.abc import Mapping
from typing import Any

from assessments.engine.conditions import is_empty
from assessments.engine.definition import Definition

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
TEXT_FIELDS = ("title", "title_en", "explanation", "explanation_en")
MAX_VALUE_LENGTH = 120
NOT_GIVEN = {"nb": "(ikke oppgitt)", "en": "(not given)"}


def placeholders(text: str) -> list[str]:
    """The keys named by `{key}` in `text`, in order."""
    return PLACEHOLDER.findall(text or "")


def _value_text(defn: Definition, key: str, answers: Mapping[str, Any], lang: str) -> str:
    value = answers.get(key)
    if is_empty(value):
        return NOT_GIVEN[lang]
    text = " ".join(defn.questions[key].value_label(value, lang).split())
    return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "…"


def fill(
    text: str, defn: Definition, answers: Mapping[str, Any], lang: str = "nb", given: Mapping[str, str] | None = None
) -> str:
    """`text` with every `{key}` of a known question replaced by that answer (unknown names are left as they are).
    `given` holds texts that stand instead of some answers (an exempt answer's notice in the innsyn copy)."""
    if not text or "{" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if given and key in given:
            return given[key]
        if key not in defn.questions:
            return match.group(0)
        return _value_text(defn, key, answers, lang)

    return PLACEHOLDER.sub(replace, text)
