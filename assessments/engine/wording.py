"""`Wording`: the sentences a result explains itself with, in one language (made by scoring and what-if), and the
helpers that turn the stored sentences into what a person reads (`ENGLISH_QUOTES`, `without_rule_ids`, used by the
presentation and by the action plan's service)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessments.engine.definition import Definition
from assessments.engine.interpolate import fill

# The result's sentences quote with «»; English text shown to a person uses English quotation marks.
ENGLISH_QUOTES = str.maketrans({"«": "“", "»": "”"})


def without_rule_ids(defn: Definition, text: str) -> str:
    """Stored notes name rules as «Title» (rule_id); a person reads the title only."""
    for rule in defn.rules:
        text = text.replace(f" ({rule.id})", "")
    return text


@dataclass(frozen=True)
class Wording:
    """The sentences a result explains itself with, in one language: `why` of obligations, what-if notes.

    The result carries both: `why`/`note` in bokmål (as always) and `why_en`/`note_en` in English, built
    from the definition's `*_en` texts where it has them (its bokmål texts where it does not).
    """

    english: bool
    and_: str
    levels: Mapping[str, str]
    rule: tuple[str, str]  # singular, plural
    answer: tuple[str, str]
    fired: str
    because: str
    always: str
    changes: tuple[str, str]
    lowers: str
    ends: tuple[str, str]  # singular, plural: the hard rules the change ends, which held the level up
    axis_low: str
    still: tuple[str, str]  # singular, plural
    already_low: str
    held: tuple[str, str]
    stops: tuple[str, str]  # a stop that no safeguard lifts
    all_best: str
    from_the_case: str

    def rule_title(self, rule: Any, defn: Definition | None = None, answers: Mapping[str, Any] | None = None) -> str:
        """The rule's title in this language, with the answers it names (`{key}`) filled in when given."""
        title = (rule.title_en or rule.title) if self.english else rule.title
        if defn is None or answers is None:
            return title
        return fill(title, defn, answers, "en" if self.english else "nb")

    def answer_phrase(self, defn: Definition, key: str, value: Any) -> str:
        question = defn.questions.get(key)
        if question is None:
            return f"«{key}»"
        label = (question.label_en or question.label) if self.english else question.label
        return f"«{label}»: {question.value_label(value, 'en' if self.english else 'nb')}"

    def join(self, parts: list[str]) -> str:
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" {self.and_} " + parts[-1]

    def rules(self, plural: bool) -> dict[str, str]:
        """`{rules}` and, to start a sentence, `{Rules}` for a template."""
        word = self.rule[plural]
        return {"rules": word, "Rules": word.capitalize()}

    def level(self, level: str) -> str:
        return self.levels.get(level, level)
