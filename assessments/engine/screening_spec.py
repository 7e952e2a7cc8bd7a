"""The screening (hurtigsjekk) of a questionnaire version: its data classes and its structural checks.

A version folder may hold `screening.yaml` with one top-level key, `screening` (format in docs/quick-path.md).
`parse_screening` checks it against the parsed full definition and returns the screening, its JSON-ready form
and every problem found (messages in bokmål, like the rest of the validator). Whether the screening can hide a
rule is checked by `screening_check`. Pure: no Django, no I/O.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from assessments.engine.conditions import referenced_keys, referenced_rules, structure_errors
from assessments.engine.definition import Definition, Question
from assessments.engine.validate_common import normalize_condition, yaml_bool

MAX_QUESTIONS = 12
UNSURE = "unsure"
UNSURE_LABEL, UNSURE_LABEL_EN = "Usikker", "Not sure"
DIRECT_TYPES = ("yes_no", "yes_no_unknown", "choice", "scale")

SCREENING_FIELDS = frozenset({"title", "title_en", "intro", "intro_en", "given", "questions", "escalate", "examples"})
QUESTION_FIELDS = frozenset({"key", "label", "label_en", "help", "help_en", "source", "source_en", "choices"})
CHOICE_FIELDS = frozenset({"value", "label", "label_en", "implies"})
ESCALATE_FIELDS = frozenset({"id", "when", "reason", "reason_en"})
EXAMPLE_FIELDS = frozenset({"name", "opens", "answers"})


def _first(items: tuple, attribute: str, value: Any) -> Any:
    """The first of `items` whose `attribute` equals `value`, or None."""
    for item in items:
        if getattr(item, attribute) == value:
            return item
    return None


@dataclass(frozen=True)
class ScreeningChoice:
    value: str | int
    label: str
    label_en: str
    implies: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScreeningQuestion:
    """One screening question. `direct`: its key is a full question's, so its answer carries over as is."""

    key: str
    label: str
    label_en: str
    choices: tuple[ScreeningChoice, ...]
    direct: bool
    help: str = ""
    help_en: str = ""
    source: str = ""
    source_en: str = ""

    def choice(self, value: Any) -> ScreeningChoice | None:
        return _first(self.choices, "value", value)

    @property
    def values(self) -> tuple[Any, ...]:
        return tuple(c.value for c in self.choices)

    @cached_property
    def carried_keys(self) -> frozenset[str]:
        """The full-questionnaire keys some answer to this question fills in."""
        keys = {self.key} if self.direct else set()
        for choice in self.choices:
            keys |= set(choice.implies)
        return frozenset(keys)


@dataclass(frozen=True)
class Escalation:
    """Answers that always send the leader to the full wizard, whatever the rules say."""

    id: str
    when: Mapping[str, Any]
    reason: str
    reason_en: str


@dataclass(frozen=True)
class Example:
    name: str
    opens: bool
    answers: Mapping[str, Any]


@dataclass(frozen=True)
class Screening:
    questions: tuple[ScreeningQuestion, ...]
    given: tuple[str, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    examples: tuple[Example, ...] = ()
    title: str = ""
    title_en: str = ""
    intro: str = ""
    intro_en: str = ""

    def question(self, key: str) -> ScreeningQuestion | None:
        return _first(self.questions, "key", key)

    def asked_for(self, full_key: str) -> list[str]:
        """The screening questions (or `given` key) whose answers fill `full_key`."""
        return self._fillers.get(full_key, [])

    @cached_property
    def _fillers(self) -> dict[str, list[str]]:
        fillers: dict[str, list[str]] = {key: [key] for key in self.given}
        for question in self.questions:
            for key in question.carried_keys:
                fillers.setdefault(key, []).append(question.key)
        return fillers


def valid_answer(question: Question, value: Any) -> bool:
    """Whether `value` is a possible (cleaned) answer to a full-questionnaire question."""
    if question.type == "text":
        return isinstance(value, str) and bool(value.strip())
    if question.type == "multi":
        if not isinstance(value, list) or not value or not all(v in question.values for v in value):
            return False
        return "none" not in value or value == ["none"]
    return not isinstance(value, bool | list | dict) and value in question.values


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    return value.strip() if isinstance(value, str) else ""


class _Parser:
    def __init__(self, defn: Definition, raw: Any):
        self.defn = defn
        self.raw = raw
        self.errors: list[str] = []

    def err(self, message: str) -> None:
        self.errors.append(f"screening: {message}")

    def unknown(self, raw: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
        for name in raw:
            if name not in allowed:
                self.err(f"{where}: ukjent felt «{name}»")

    def need_texts(self, raw: Mapping[str, Any], names: tuple[str, ...], where: str) -> None:
        for name in names:
            if not _text(raw, name):
                self.err(f"{where}: {name} mangler")

    def run(self) -> Screening | None:
        if not isinstance(self.raw, Mapping):
            self.err("må være et objekt")
            return None
        self.unknown(self.raw, SCREENING_FIELDS, "screening")
        questions_raw = self.raw.get("questions")
        if not isinstance(questions_raw, list) or not questions_raw:
            self.err("questions må være en ikke-tom liste")
            questions_raw = []
        if len(questions_raw) > MAX_QUESTIONS:
            self.err(f"høyst {MAX_QUESTIONS} spørsmål, fant {len(questions_raw)}")
        questions = [q for i, raw in enumerate(questions_raw) if (q := self.question(raw, f"questions[{i}]"))]
        self.check_overlaps(questions)
        given = self.given(self.raw.get("given", []), questions)
        screening = Screening(
            questions=tuple(questions),
            given=given,
            escalations=tuple(self.escalations(self.raw.get("escalate", []))),
            title=_text(self.raw, "title"),
            title_en=_text(self.raw, "title_en"),
            intro=_text(self.raw, "intro"),
            intro_en=_text(self.raw, "intro_en"),
        )
        examples = tuple(self.examples(self.raw.get("examples"), screening))
        return replace(screening, examples=examples)

    def question(self, raw: Any, where: str) -> ScreeningQuestion | None:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("key"), str) or not raw["key"]:
            self.err(f"{where}: et spørsmål må være et objekt med key")
            return None
        key = raw["key"]
        where = f"spørsmål «{key}»"
        self.unknown(raw, QUESTION_FIELDS, where)
        self.need_texts(raw, ("label", "label_en", "source", "source_en"), where)
        full = self.defn.questions.get(key)
        if full is not None and full.type not in DIRECT_TYPES:
            self.err(f"{where}: spørsmål av typen {full.type} kan ikke stilles direkte i hurtigsjekken")
            return None
        choices = self.choices(raw.get("choices"), full, where)
        return ScreeningQuestion(
            key=key,
            label=_text(raw, "label"),
            label_en=_text(raw, "label_en"),
            choices=choices,
            direct=full is not None,
            help=_text(raw, "help"),
            help_en=_text(raw, "help_en"),
            source=_text(raw, "source"),
            source_en=_text(raw, "source_en"),
        )

    def choices(self, raw: Any, full: Question | None, where: str) -> tuple[ScreeningChoice, ...]:
        if not isinstance(raw, list) or not raw:
            self.err(f"{where}: choices må være en ikke-tom liste")
            return (ScreeningChoice(UNSURE, UNSURE_LABEL, UNSURE_LABEL_EN),)
        out: list[ScreeningChoice] = []
        for index, item in enumerate(raw):
            choice = self.choice(item, full, f"{where}, choices[{index}]")
            if choice is None:
                continue
            if any(c.value == choice.value for c in out):
                self.err(f"{where}: svaret {choice.value!r} står to ganger")
                continue
            out.append(choice)
        if not any(c.value == UNSURE for c in out):
            # «Usikker» is always allowed, and it never implies anything.
            out.append(ScreeningChoice(UNSURE, UNSURE_LABEL, UNSURE_LABEL_EN))
        return tuple(out)

    def choice(self, raw: Any, full: Question | None, where: str) -> ScreeningChoice | None:
        if (
            not isinstance(raw, Mapping)
            or not isinstance(raw.get("value"), str | int)
            or isinstance(raw.get("value"), bool)
        ):
            self.err(f"{where}: et svar må være et objekt med value")
            return None
        self.unknown(raw, CHOICE_FIELDS, where)
        value = raw["value"]
        if full is not None and value != UNSURE and value not in full.values:
            self.err(f"{where}: {value!r} er ikke et svar på «{full.key}» i det fulle skjemaet")
        label, label_en = _text(raw, "label"), _text(raw, "label_en")
        if full is not None and value in full.values:
            label, label_en = label or full.choice_label(value), label_en or full.choice_label(value, "en")
        if value == UNSURE:
            label, label_en = label or UNSURE_LABEL, label_en or UNSURE_LABEL_EN
        if not label or not label_en:
            self.err(f"{where}: label og label_en må fylles ut")
        implies = self.implies(raw.get("implies", {}), where)
        if implies and value == UNSURE:
            self.err(f"{where}: «{UNSURE}» kan ikke bety noe om andre spørsmål")
        return ScreeningChoice(value, label, label_en, implies)

    def implies(self, raw: Any, where: str) -> dict[str, Any]:
        if not isinstance(raw, Mapping):
            self.err(f"{where}: implies må være et objekt spørsmål -> svar")
            return {}
        out: dict[str, Any] = {}
        for key, value in raw.items():
            value = yaml_bool(value)
            question = self.defn.questions.get(key)
            if question is None:
                self.err(f"{where}: implies nevner ukjent spørsmål «{key}»")
            elif not valid_answer(question, value):
                self.err(f"{where}: {value!r} er ikke et gyldig svar på «{key}»")
            else:
                out[key] = value
        return out

    def check_overlaps(self, questions: list[ScreeningQuestion]) -> None:
        """Each full key is filled by one screening question at most, so carried answers never disagree."""
        owner: dict[str, str] = {}
        seen: set[str] = set()
        for question in questions:
            if question.key in seen:
                self.err(f"spørsmålet «{question.key}» står to ganger")
                continue
            seen.add(question.key)
            for key in question.carried_keys:
                if key in owner and owner[key] != question.key:
                    self.err(f"«{key}» fylles ut av både «{owner[key]}» og «{question.key}»")
                owner.setdefault(key, question.key)

    def given(self, raw: Any, questions: list[ScreeningQuestion]) -> tuple[str, ...]:
        if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
            self.err("given må være en liste med spørsmålsnøkler")
            return ()
        carried = set().union(*(q.carried_keys for q in questions)) if questions else set()
        for key in raw:
            if key not in self.defn.questions:
                self.err(f"given nevner ukjent spørsmål «{key}»")
            elif key in carried:
                self.err(f"«{key}» står i given, men fylles også ut av et spørsmål i hurtigsjekken")
        return tuple(raw)

    def named_items(self, raw: list, list_name: str, name: str, label: str, fields: frozenset[str]) -> Iterator:
        """The entries of the list `list_name` that are objects with a text `name`, each with where it stands
        (`label «name»`) and checked for unknown fields; any other entry is reported and skipped."""
        for index, item in enumerate(raw):
            if not isinstance(item, Mapping) or not isinstance(item.get(name), str):
                self.err(f"{list_name}[{index}]: må være et objekt med {name}")
                continue
            where = f"{label} «{item[name]}»"
            self.unknown(item, fields, where)
            yield item, where

    def escalations(self, raw: Any) -> list[Escalation]:
        if not isinstance(raw, list):
            self.err("escalate må være en liste")
            return []
        out: list[Escalation] = []
        for item, where in self.named_items(raw, "escalate", "id", "escalate", ESCALATE_FIELDS):
            self.need_texts(item, ("reason", "reason_en"), where)
            when = normalize_condition(item.get("when"))
            problems = structure_errors(when, f"screening: {where}: when")
            self.errors.extend(problems)
            if problems:
                continue
            for key in sorted(referenced_keys(when) - set(self.defn.questions)):
                self.err(f"{where}: when nevner ukjent spørsmål «{key}»")
            if referenced_rules(when):
                self.err(f"{where}: when kan ikke bruke regler (reglene vurderes uansett)")
            out.append(Escalation(item["id"], when, _text(item, "reason"), _text(item, "reason_en")))
        if len({e.id for e in out}) != len(out):
            self.err("escalate: dobbel id")
        return out

    def examples(self, raw: Any, screening: Screening) -> list[Example]:
        if not isinstance(raw, list) or not any(isinstance(e, Mapping) and e.get("opens") is True for e in raw):
            # Without one, nothing shows that the quick path can ever open (docs/quick-path.md).
            self.err("examples må ha minst ett eksempel med opens: true")
            raw = raw if isinstance(raw, list) else []
        out: list[Example] = []
        for item, where in self.named_items(raw, "examples", "name", "eksempel", EXAMPLE_FIELDS):
            if not isinstance(item.get("opens"), bool):
                self.err(f"{where}: opens må være true eller false")
            answers = item.get("answers")
            if not isinstance(answers, Mapping):
                self.err(f"{where}: answers må være et objekt")
                continue
            answers = {key: yaml_bool(value) for key, value in answers.items()}
            self.example_answers(answers, screening, where)
            out.append(Example(item["name"], bool(item.get("opens")), answers))
        return out

    def example_answers(self, answers: Mapping[str, Any], screening: Screening, where: str) -> None:
        for key, value in answers.items():
            question = screening.question(key)
            if question is not None:
                if value not in question.values:
                    self.err(f"{where}: {value!r} er ikke et svar på «{key}» i hurtigsjekken")
            elif key in screening.given:
                if not valid_answer(self.defn.questions[key], value):
                    self.err(f"{where}: {value!r} er ikke et gyldig svar på «{key}»")
            else:
                self.err(f"{where}: «{key}» er verken et spørsmål i hurtigsjekken eller i given")


def parse_screening(defn: Definition, raw: Any) -> tuple[Screening | None, list[str]]:
    """The screening of `defn` and every structural problem (an empty list: valid)."""
    parser = _Parser(defn, raw)
    screening = parser.run()
    return (screening if not parser.errors else None), parser.errors


def screening_to_data(screening: Screening) -> dict[str, Any]:
    """The JSON-ready form stored with the definition (`unsure` written out, labels filled in)."""
    return {
        "title": screening.title,
        "title_en": screening.title_en,
        "intro": screening.intro,
        "intro_en": screening.intro_en,
        "given": list(screening.given),
        "questions": [
            {
                "key": q.key,
                "label": q.label,
                "label_en": q.label_en,
                "help": q.help,
                "help_en": q.help_en,
                "source": q.source,
                "source_en": q.source_en,
                "choices": [
                    {"value": c.value, "label": c.label, "label_en": c.label_en, "implies": dict(c.implies)}
                    for c in q.choices
                ],
            }
            for q in screening.questions
        ],
        "escalate": [
            {"id": e.id, "when": e.when, "reason": e.reason, "reason_en": e.reason_en} for e in screening.escalations
        ],
        "examples": [{"name": e.name, "opens": e.opens, "answers": dict(e.answers)} for e in screening.examples],
    }
