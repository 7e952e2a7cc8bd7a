"""Questionnaire definitions: load, validate, and the helpers the wizard and the scoring share.

A definition is data (docs/questionnaire-format.md): `load_definition` reads a version folder or a file,
`parse_definition` checks it and returns a `Definition`, raising `DefinitionError` with *every* problem at
once so an administrator can fix an upload in one go. The helpers below (`visible_sections`,
`visible_answers`, `validate_answers`, `missing_required`) are what the wizard, the import and the scoring
engine call, so branching means the same thing everywhere.

Pure: no ORM and no I/O except in `load_definition` / `read_definition_data`.
"""

import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assessments import conditions
from assessments.conditions import Condition, evaluate, is_empty, referenced_keys, referenced_rules

QUESTION_TYPES = ("yes_no", "yes_no_unknown", "choice", "multi", "scale", "text")
POINT_KINDS = ("risk", "mitigation", "need")
SCALE_VALUES = (0, 1, 2, 3, 4)
DEFAULT_TEXT_MAX_LENGTH = 5000
DEFAULT_CHOICE_LABELS = {"yes": "Ja", "no": "Nei", "unknown": "Vet ikke"}
DEFAULT_CHOICE_LABELS_EN = {"yes": "Yes", "no": "No", "unknown": "Don't know"}
RULE_EFFECTS = ("stop", "high_risk")
EXCLUSIVE_VALUE = "none"  # in a multi question, `none` stands alone

DEFAULT_SCORING: dict[str, Any] = {
    "risk_levels": [[0, "low"], [25, "moderate"], [50, "significant"], [75, "very_high"]],
    "risk_high_at": 50,
    "need_high_at": 50,
    "mitigation_share": 0.8,
    "mitigation_factor": 0.85,
}

TOP_LEVEL_FIELDS = frozenset(
    {
        "version",
        "title",
        "title_en",
        "description",
        "description_en",
        "sections",
        "scoring",
        "need_caps",
        "rules",
        "obligations",
    }
)
SECTION_FIELDS = frozenset({"key", "title", "title_en", "description", "description_en", "shown_when", "questions"})
QUESTION_FIELDS = frozenset(
    {
        "key",
        "type",
        "label",
        "label_en",
        "help",
        "help_en",
        "source",
        "required",
        "required_when",
        "scored_when",
        "min_items",
        "max_length",
        "choices",
        *POINT_KINDS,
    }
)
CHOICE_FIELDS = frozenset({"value", "label", "label_en"})
SCORING_FIELDS = frozenset(DEFAULT_SCORING)
RULE_FIELDS = frozenset({"id", "effect", "title", "title_en", "explanation", "explanation_en", "source", "when"})
NEED_CAP_FIELDS = frozenset({"id", "title", "title_en", "explanation", "explanation_en", "when"})
OBLIGATION_FIELDS = frozenset({"code", "title", "title_en", "why", "why_en", "source", "when"})

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_INVALID_KEY = "key mangler eller er ugyldig (små bokstaver, tall og _)"


@dataclass(frozen=True)
class _EntryKind:
    """A list of rules, need caps or obligations: each is checked the same way, only names differ."""

    list_name: str  # the top-level key, and `where` before the entry has a valid id
    id_field: str
    label: str  # `where` once the id is known: «{label} «{id}»»
    not_object: str
    duplicate: str
    fields: frozenset[str]
    texts: tuple[str, ...]  # fields that must hold a non-blank text


_RULES = _EntryKind(
    "rules", "id", "regel", "en regel må være et objekt", "dobbel regel-id", RULE_FIELDS, ("title", "source")
)
_NEED_CAPS = _EntryKind(
    "need_caps", "id", "behovstak", "et behovstak må være et objekt", "dobbel id", NEED_CAP_FIELDS, ("title",)
)
_OBLIGATIONS = _EntryKind(
    "obligations",
    "code",
    "plikt",
    "en plikt må være et objekt",
    "dobbel kode",
    OBLIGATION_FIELDS,
    ("title", "why", "source"),
)


class DefinitionError(ValueError):
    """A questionnaire definition is invalid; `errors` lists every problem found."""

    def __init__(self, errors: Iterable[str]):
        self.errors = list(errors)
        super().__init__("Ugyldig spørreskjemadefinisjon:\n" + "\n".join(f"- {e}" for e in self.errors))


# --- the parsed definition ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str | int
    label: str
    label_en: str = ""


@dataclass(frozen=True, eq=False)
class Question:
    key: str
    type: str
    section: str
    order: int  # position in the whole questionnaire
    label: str
    label_en: str = ""
    help: str = ""
    help_en: str = ""
    source: str = ""
    required: bool = False
    required_when: Condition | None = None
    scored_when: Condition | None = None
    max_length: int | None = None
    min_items: int = 0
    choices: tuple[Choice, ...] = ()
    risk: Mapping[Any, float] = field(default_factory=dict)
    mitigation: Mapping[Any, float] = field(default_factory=dict)
    need: Mapping[Any, float] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def values(self) -> tuple[Any, ...]:
        """The allowed answer values (empty for text)."""
        if self.type == "scale":
            return SCALE_VALUES
        return tuple(c.value for c in self.choices)

    def points_map(self, kind: str) -> Mapping[Any, float]:
        return getattr(self, kind)

    def max_points(self, kind: str) -> float:
        pmap = self.points_map(kind)
        if not pmap:
            return 0
        if self.type == "multi":
            return sum(p for p in pmap.values() if p > 0)
        return max(pmap.values())

    def points(self, kind: str, value: Any) -> float:
        """Points of `kind` for the answer `value` (0 when unanswered or unscored)."""
        pmap = self.points_map(kind)
        if not pmap or value is None:
            return 0
        if self.type == "multi":
            return sum(pmap.get(v, 0) for v in value) if isinstance(value, list) else 0
        try:
            return pmap.get(value, 0)
        except TypeError:  # an unhashable value for a scalar question scores nothing
            return 0

    def choice_label(self, value: Any, lang: str = "nb") -> str:
        for choice in self.choices:
            if choice.value == value:
                return (choice.label_en or choice.label) if lang == "en" else choice.label
        return str(value)

    def value_label(self, value: Any, lang: str = "nb") -> str:
        """A readable rendering of an answer value (labels for choices, joined for multi)."""
        if value is None:
            return "ikke besvart" if lang != "en" else "not answered"
        if self.type == "multi" and isinstance(value, list):
            return ", ".join(self.choice_label(v, lang) for v in value) or ("ingen" if lang != "en" else "none")
        if self.type == "text":
            return str(value)
        return self.choice_label(value, lang)


@dataclass(frozen=True, eq=False)
class Section:
    key: str
    order: int
    title: str
    title_en: str = ""
    description: str = ""
    description_en: str = ""
    shown_when: Condition | None = None
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True, eq=False)
class Rule:
    id: str
    effect: str
    title: str
    when: Condition
    title_en: str = ""
    explanation: str = ""
    explanation_en: str = ""
    source: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class NeedCap:
    id: str
    title: str
    when: Condition
    title_en: str = ""
    explanation: str = ""
    explanation_en: str = ""


@dataclass(frozen=True, eq=False)
class Obligation:
    code: str
    title: str
    why: str
    source: str
    when: Condition
    title_en: str = ""
    why_en: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scoring:
    risk_levels: tuple[tuple[float, str], ...]
    risk_high_at: float
    need_high_at: float
    mitigation_share: float
    mitigation_factor: float

    def level_for(self, score: float) -> str:
        level = self.risk_levels[0][1]
        for threshold, name in self.risk_levels:
            if score >= threshold:
                level = name
        return level

    def level_rank(self, level: str) -> int:
        return [name for _, name in self.risk_levels].index(level)

    @property
    def high_level(self) -> str:
        """The first level at or above `risk_high_at`: a fired hard rule raises the level to this."""
        return self.level_for(self.risk_high_at)


@dataclass(frozen=True, eq=False)
class Definition:
    """A validated questionnaire version. `data` is the JSON-ready form to store."""

    data: dict[str, Any]
    version: str
    title: str
    sections: tuple[Section, ...]
    questions: dict[str, Question]  # in questionnaire order
    rules: tuple[Rule, ...]
    need_caps: tuple[NeedCap, ...]
    obligations: tuple[Obligation, ...]
    scoring: Scoring
    # Question keys whose answers can change which sections are shown or which questions count,
    # directly or through a rule; and keys any hard rule looks at. Scoring's what-if uses them to
    # know when a changed answer needs a full re-evaluation.
    branching_keys: frozenset[str] = frozenset()
    rule_keys: frozenset[str] = frozenset()

    @property
    def title_en(self) -> str:
        return self.data.get("title_en", "")

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


# --- loading -----------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """YAML with YAML 1.2 booleans: `yes`, `no`, `on`, `off` stay strings (they are answer values)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(text: str) -> Any:
    """Parse YAML the way definitions are parsed (`yes`/`no` are strings)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506  # nosec B506 - _Loader is a SafeLoader


def _read_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DefinitionError([f"{path}: kan ikke leses ({exc.strerror or exc})"]) from exc
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return load_yaml(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise DefinitionError([f"{path}: ugyldig {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}"]) from exc


def read_definition_data(path: str | Path) -> dict[str, Any]:
    """The raw definition dict from a version folder (sections.yaml + rules.yaml) or one YAML/JSON file."""
    path = Path(path)
    if not path.is_dir():
        data = _read_file(path)
        if not isinstance(data, dict):
            raise DefinitionError([f"{path}: filen må inneholde et objekt (mapping) på toppnivå"])
        return data
    sections_file = path / "sections.yaml"
    if not sections_file.exists():
        raise DefinitionError([f"{path}: mangler sections.yaml"])
    merged: dict[str, Any] = {}
    errors: list[str] = []
    for file in (sections_file, path / "rules.yaml"):
        if not file.exists():
            continue
        part = _read_file(file)
        if part is None:
            continue
        if not isinstance(part, dict):
            errors.append(f"{file}: filen må inneholde et objekt (mapping) på toppnivå")
            continue
        for key, value in part.items():
            if key in merged:
                errors.append(f"{file}: toppnøkkelen «{key}» finnes også i en annen fil")
            merged[key] = value
    if errors:
        raise DefinitionError(errors)
    return merged


def load_definition(path: str | Path) -> dict[str, Any]:
    """Read and validate a definition; returns the JSON-ready dict to store (see `parse_definition`)."""
    return parse_definition(read_definition_data(path))


# --- validation ----------------------------------------------------------------------------------------


def validate_definition(data: Any) -> list[str]:
    """Every problem in a raw definition (empty list: valid)."""
    if isinstance(data, Definition):
        return []
    return _Parser(data).run()[1]


def parse_definition(data: Any) -> dict[str, Any]:
    """Validate a raw definition and return its normalised, JSON-ready form: the dict to store.

    Raises `DefinitionError` listing every problem. Normalising turns points keys into strings (as JSON
    stores them) and unquoted YAML `yes`/`no` into the answer values. Use `as_definition` for the parsed
    object; the result of this call is already in its cache.
    """
    if isinstance(data, Definition):
        return data.data
    return _compile(data).data


def _compile(data: Any) -> "Definition":
    definition, errors = _Parser(data).run()
    if errors or definition is None:
        raise DefinitionError(errors)
    _remember(definition.data, definition)
    return definition


# Parsing costs a few milliseconds, scoring a fraction of one: keep parsed definitions, looked up first
# by the identity of the dict (the entry holds the dict, so its id cannot be reused) and then by content
# (a definition read again from the database is a new dict with the same content).
_BY_ID: dict[int, tuple[Any, "Definition"]] = {}
_BY_CONTENT: dict[str, "Definition"] = {}
_CACHE_SIZE = 32


def _content_key(data: Any) -> str | None:
    try:
        return json.dumps(data)
    except (TypeError, ValueError):
        return None


_CACHE_LOCK = threading.Lock()  # threaded servers: eviction iterates the dicts


def _remember(data: Any, definition: "Definition", content_key: str | None = None) -> None:
    key = content_key or _content_key(data)
    with _CACHE_LOCK:
        if len(_BY_ID) >= _CACHE_SIZE:
            _BY_ID.pop(next(iter(_BY_ID)))
        _BY_ID[id(data)] = (data, definition)
        if key is not None:
            if len(_BY_CONTENT) >= _CACHE_SIZE:
                _BY_CONTENT.pop(next(iter(_BY_CONTENT)))
            _BY_CONTENT[key] = definition


def as_definition(defn: "Definition | Mapping[str, Any]") -> "Definition":
    """The parsed `Definition` for a stored (or raw) definition dict; raises `DefinitionError`.

    Cached, so call it freely. Stored definitions are immutable: do not mutate a dict after using it.
    """
    if isinstance(defn, Definition):
        return defn
    hit = _BY_ID.get(id(defn))
    if hit is not None and hit[0] is defn:
        return hit[1]
    key = _content_key(defn)
    definition = _BY_CONTENT.get(key) if key is not None else None
    if definition is None:
        definition = _compile(defn)
    _remember(defn, definition, key)
    return definition


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _yaml_bool(value: Any) -> Any:
    """A YAML 1.1 loader turns unquoted yes/no into booleans; they always mean the answer values here."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


def _normalize_condition(cond: Any) -> Any:
    if not isinstance(cond, Mapping):
        return cond
    out: dict[str, Any] = {}
    for key, value in cond.items():
        if key in ("all", "any") and isinstance(value, list):
            out[key] = [_normalize_condition(c) for c in value]
        elif key == "not":
            out[key] = _normalize_condition(value)
        elif key in conditions.SCALAR_OPERATORS:
            out[key] = _yaml_bool(value)
        elif key in conditions.LIST_OPERATORS and isinstance(value, list):
            out[key] = [_yaml_bool(v) for v in value]
        else:
            out[key] = value
    return out


class _Parser:
    """One pass over a raw definition that collects every error instead of stopping at the first."""

    def __init__(self, data: Any):
        self.data = data
        self.errors: list[str] = []
        self.questions: dict[str, Question] = {}
        self.section_order: dict[str, int] = {}  # question key -> index of its section
        self.rules: list[Rule] = []
        self.rule_keys: dict[str, set[str]] = {}  # rule id -> question keys it depends on, transitively
        self.all_rule_ids: set[str] = set()

    def err(self, message: str) -> None:
        self.errors.append(message)

    def run(self) -> tuple[Definition | None, list[str]]:
        data = self.data
        if not isinstance(data, Mapping):
            return None, ["Definisjonen må være et objekt (mapping) på toppnivå"]
        for key in data:
            if key not in TOP_LEVEL_FIELDS:
                self.err(f"ukjent toppnøkkel «{key}»")
        version = data.get("version")
        if not _text(version):
            self.err('version mangler eller er ikke en tekst (skriv den i anførselstegn, f.eks. "2026.1")')
        if not _text(data.get("title")):
            self.err("title mangler")

        normalized: dict[str, Any] = {k: v for k, v in data.items() if k in TOP_LEVEL_FIELDS}
        sections_raw = data.get("sections")
        if not isinstance(sections_raw, list) or not sections_raw:
            self.err("sections må være en ikke-tom liste")
            sections_raw = []

        # Rule ids first, so conditions anywhere can be checked against them.
        rules_raw = self._list(data, "rules")
        self.all_rule_ids = {r["id"] for r in rules_raw if isinstance(r, Mapping) and isinstance(r.get("id"), str)}

        sections_data = self._collect_sections(sections_raw)
        rules, rules_data = self._parse_rules(rules_raw)
        sections = self._finish_sections(sections_data)
        need_caps, caps_data = self._parse_need_caps(self._list(data, "need_caps"))
        obligations, obligations_data = self._parse_obligations(self._list(data, "obligations"))
        scoring = self._parse_scoring(data.get("scoring"))

        normalized["sections"] = [s["normalized"] for s in sections_data]
        if "rules" in data:
            normalized["rules"] = rules_data
        if "need_caps" in data:
            normalized["need_caps"] = caps_data
        if "obligations" in data:
            normalized["obligations"] = obligations_data
        try:
            json_data = json.loads(json.dumps(normalized, ensure_ascii=False))
        except (TypeError, ValueError) as exc:
            self.err(f"definisjonen kan ikke lagres som JSON: {exc}")
            json_data = {}

        if self.errors or scoring is None:
            return None, self.errors

        branching: set[str] = set()
        for section in sections:
            branching |= self._keys_with_rules(section.shown_when)
        for question in self.questions.values():
            branching |= self._keys_with_rules(question.scored_when)
        rule_keys: set[str] = set()
        for keys in self.rule_keys.values():
            rule_keys |= keys
        definition = Definition(
            data=json_data,
            version=version,
            title=data["title"],
            sections=tuple(sections),
            questions=dict(self.questions),
            rules=tuple(rules),
            need_caps=tuple(need_caps),
            obligations=tuple(obligations),
            scoring=scoring,
            branching_keys=frozenset(branching),
            rule_keys=frozenset(rule_keys),
        )
        return definition, []

    def _list(self, data: Mapping[str, Any], name: str) -> list[Any]:
        value = data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.err(f"{name} må være en liste")
            return []
        return value

    def _unknown_fields(self, obj: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
        unknown = [str(k) for k in obj if k not in allowed]
        if unknown:
            self.err(f"{where}: ukjente felt {', '.join(unknown)}")

    # sections and questions

    def _collect_sections(self, sections_raw: list[Any]) -> list[dict[str, Any]]:
        collected = []
        seen: set[str] = set()
        for si, raw in enumerate(sections_raw):
            where = f"sections[{si}]"
            if not isinstance(raw, Mapping):
                self.err(f"{where}: en seksjon må være et objekt")
                continue
            key, where = self._identify(raw, "key", where, "seksjon", seen, "dobbel seksjonsnøkkel", _INVALID_KEY)
            key = key or f"#{si}"
            self._unknown_fields(raw, SECTION_FIELDS, where)
            if not _text(raw.get("title")):
                self.err(f"{where}: title mangler")
            questions_raw = raw.get("questions")
            if not isinstance(questions_raw, list) or not questions_raw:
                self.err(f"{where}: questions må være en ikke-tom liste")
                questions_raw = []
            normalized = {k: v for k, v in raw.items() if k != "questions"}
            normalized["shown_when"] = _normalize_condition(raw.get("shown_when"))
            normalized_questions = []
            questions = []
            for qi, qraw in enumerate(questions_raw):
                question, qnorm = self._parse_question(qraw, f"{where}, questions[{qi}]", key, si)
                normalized_questions.append(qnorm)
                if question is not None:
                    questions.append(question)
            normalized["questions"] = normalized_questions
            collected.append(
                {
                    "raw": raw,
                    "key": key,
                    "index": si,
                    "where": where,
                    "questions": questions,
                    "normalized": normalized,
                }
            )
        return collected

    def _parse_question(
        self, raw: Any, where: str, section_key: str, section_index: int
    ) -> tuple[Question | None, Any]:
        if not isinstance(raw, Mapping):
            self.err(f"{where}: et spørsmål må være et objekt")
            return None, raw
        key = raw.get("key")
        if isinstance(key, str) and _KEY_RE.match(key):
            where = f"spørsmål «{key}»"
            if key in self.questions:
                self.err(f"{where}: dobbel spørsmålsnøkkel (også i seksjon «{self.questions[key].section}»)")
                key = None
        else:
            self.err(f"{where}: {_INVALID_KEY}")
            key = None
        self._unknown_fields(raw, QUESTION_FIELDS, where)
        qtype = raw.get("type")
        if qtype not in QUESTION_TYPES:
            self.err(f"{where}: ukjent spørsmålstype {qtype!r} (gyldige: {', '.join(QUESTION_TYPES)})")
        if not _text(raw.get("label")):
            self.err(f"{where}: label mangler")
        required = raw.get("required", False)
        if not isinstance(required, bool):
            self.err(f"{where}: required må være true eller false")
            required = False
        for name in ("help", "help_en", "source", "label_en"):
            if name in raw and not isinstance(raw[name], str):
                self.err(f"{where}: {name} må være en tekst")

        max_length = None
        if qtype == "text":
            max_length = raw.get("max_length", DEFAULT_TEXT_MAX_LENGTH)
            if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 1:
                self.err(f"{where}: max_length må være et positivt heltall")
                max_length = DEFAULT_TEXT_MAX_LENGTH
        elif "max_length" in raw:
            self.err(f"{where}: max_length gjelder bare tekstspørsmål")
        min_items = raw.get("min_items", 0)
        if qtype != "multi" and "min_items" in raw:
            self.err(f"{where}: min_items gjelder bare flervalg (multi)")
        if not isinstance(min_items, int) or isinstance(min_items, bool) or min_items < 0:
            self.err(f"{where}: min_items må være et heltall ≥ 0")
            min_items = 0

        choices = self._parse_choices(raw, qtype, where)
        values = SCALE_VALUES if qtype == "scale" else tuple(c.value for c in choices)
        normalized = dict(raw)
        points: dict[str, dict[Any, float]] = {}
        for kind in POINT_KINDS:
            if kind not in raw or qtype not in QUESTION_TYPES:
                points[kind] = {}
                continue
            pmap = self._parse_points(raw[kind], qtype, values, f"{where}: {kind}")
            points[kind] = pmap
            normalized[kind] = {str(k): v for k, v in pmap.items()}
        if qtype == "yes_no_unknown":
            risk, mitigation = points["risk"], points["mitigation"]
            worst = max(risk.get("yes", 0), risk.get("no", 0))
            if risk.get("unknown", 0) < worst:
                self.err(
                    f"{where}: føre-var-regelen: risk.unknown ({risk.get('unknown', 0)}) må være minst "
                    "like høy "
                    f"som det verste av yes/no ({worst})"
                )
            if mitigation.get("unknown", 0) != 0:
                self.err(f"{where}: føre-var-regelen: mitigation.unknown må være 0")
        for name in ("required_when", "scored_when"):
            if name in raw:
                normalized[name] = _normalize_condition(raw[name])
        if "scored_when" in raw and points["risk"]:
            # Withholding risk points would reward whatever answer switches them off.
            self.err(f"{where}: scored_when kan bare brukes på spørsmål uten risk-poeng")

        if key is None or qtype not in QUESTION_TYPES:
            return None, normalized
        question = Question(
            key=key,
            type=qtype,
            section=section_key,
            order=len(self.questions),
            label=raw.get("label") or key,
            label_en=raw.get("label_en") or "",
            help=raw.get("help") or "",
            help_en=raw.get("help_en") or "",
            source=raw.get("source") or "",
            required=required,
            required_when=normalized.get("required_when"),
            scored_when=normalized.get("scored_when"),
            max_length=max_length,
            min_items=min_items,
            choices=choices,
            risk=points["risk"],
            mitigation=points["mitigation"],
            need=points["need"],
            raw=normalized,
        )
        self.questions[key] = question
        self.section_order[key] = section_index
        return question, normalized

    def _parse_choices(self, raw: Mapping[str, Any], qtype: Any, where: str) -> tuple[Choice, ...]:
        choices_raw = raw.get("choices")
        if qtype in ("yes_no", "yes_no_unknown"):
            base = ("yes", "no") if qtype == "yes_no" else ("yes", "no", "unknown")
            labels = {v: (DEFAULT_CHOICE_LABELS[v], DEFAULT_CHOICE_LABELS_EN[v]) for v in base}
            allowed: tuple[Any, ...] | None = base
        elif qtype == "scale":
            base = SCALE_VALUES
            labels = {v: (str(v), str(v)) for v in base}
            allowed = base
        elif qtype in ("choice", "multi"):
            base, labels, allowed = (), {}, None
            if not isinstance(choices_raw, list) or not choices_raw:
                self.err(f"{where}: choices må være en ikke-tom liste for {qtype}")
                return ()
        else:
            if choices_raw is not None:
                self.err(f"{where}: choices gjelder ikke for type {qtype}")
            return ()
        if choices_raw is None:
            return tuple(Choice(v, *labels[v]) for v in base)
        if not isinstance(choices_raw, list):
            self.err(f"{where}: choices må være en liste")
            return tuple(Choice(v, *labels[v]) for v in base)
        seen: list[Any] = []
        given: dict[Any, tuple[str, str]] = {}
        for ci, choice in enumerate(choices_raw):
            cwhere = f"{where}, choices[{ci}]"
            if not isinstance(choice, Mapping):
                self.err(f"{cwhere}: et valg må være et objekt med value og label")
                continue
            self._unknown_fields(choice, CHOICE_FIELDS, cwhere)
            value = _yaml_bool(choice.get("value"))
            if allowed is not None:
                if value not in allowed or isinstance(value, bool):
                    self.err(f"{cwhere}: verdien {value!r} er ikke gyldig for {qtype}")
                    continue
            elif not isinstance(value, str) or not _KEY_RE.match(value):
                self.err(f"{cwhere}: value må være en nøkkel (små bokstaver, tall og _), ikke {value!r}")
                continue
            if value in seen:
                self.err(f"{cwhere}: dobbel verdi «{value}»")
                continue
            seen.append(value)
            if not _text(choice.get("label")):
                self.err(f"{cwhere}: valget «{value}» mangler label")
            given[value] = (choice.get("label") or str(value), choice.get("label_en") or "")
        if allowed is None:
            return tuple(Choice(v, *given[v]) for v in seen)
        labels.update(given)
        return tuple(Choice(v, *labels[v]) for v in base)

    def _parse_points(self, pmap: Any, qtype: Any, values: tuple[Any, ...], where: str) -> dict[Any, float]:
        if qtype == "text":
            self.err(f"{where}: tekstspørsmål kan ikke gi poeng")
            return {}
        if not isinstance(pmap, Mapping):
            self.err(f"{where}: må være et objekt svarverdi -> poeng")
            return {}
        out: dict[Any, float] = {}
        for key, points in pmap.items():
            value = _yaml_bool(key)
            if qtype == "scale" and isinstance(value, str) and value.strip().isdigit():
                value = int(value)  # JSON object keys are strings
            if value not in values or isinstance(value, bool):
                self.err(f"{where}: «{key}» er ikke en svarverdi for spørsmålet")
                continue
            if not isinstance(points, int | float) or isinstance(points, bool) or points < 0:
                self.err(f"{where}: poeng for «{key}» må være et tall ≥ 0")
                continue
            out[value] = points
        return out

    # rules, caps, obligations, scoring

    def _identify(
        self,
        raw: Mapping[str, Any],
        id_field: str,
        where: str,
        label: str,
        seen: set[str],
        duplicate: str,
        invalid: str,
    ) -> tuple[str | None, str]:
        """The entry's key or id (None when missing or malformed) and where to report its problems."""
        value = raw.get(id_field)
        if not (isinstance(value, str) and _KEY_RE.match(value)):
            self.err(f"{where}: {invalid}")
            return None, where
        where = f"{label} «{value}»"
        if value in seen:
            self.err(f"{where}: {duplicate}")
        seen.add(value)
        return value, where

    def _parse_entries(
        self,
        entries_raw: list[Any],
        kind: _EntryKind,
        build: Callable[[str, Mapping[str, Any], Any], None],
        *,
        check: Callable[[Mapping[str, Any], str], None] | None = None,
        earlier_rules: set[str] | None = None,
    ) -> list[Any]:
        """Check each entry of a rules, need-caps or obligations list; `build(id, raw, when)` each one with
        a valid id, in order. `check(raw, where)` adds the kind's own checks. Returns the normalised list."""
        normalized_all = []
        seen: set[str] = set()
        for index, raw in enumerate(entries_raw):
            where = f"{kind.list_name}[{index}]"
            if not isinstance(raw, Mapping):
                self.err(f"{where}: {kind.not_object}")
                normalized_all.append(raw)
                continue
            entry_id, where = self._identify(
                raw, kind.id_field, where, kind.label, seen, kind.duplicate,
                f"{kind.id_field} mangler eller er ugyldig",
            )  # fmt: skip
            self._unknown_fields(raw, kind.fields, where)
            if check is not None:
                check(raw, where)
            for name in kind.texts:
                if not _text(raw.get(name)):
                    self.err(f"{where}: {name} mangler")
            when = _normalize_condition(raw.get("when"))
            if "when" not in raw:
                self.err(f"{where}: when mangler")
            else:
                self._check_condition(when, f"{where}: when", earlier_rules=earlier_rules)
            normalized_all.append({**raw, "when": when})
            if entry_id is not None:
                build(entry_id, raw, when)
        return normalized_all

    def _parse_rules(self, rules_raw: list[Any]) -> tuple[list[Rule], list[Any]]:
        rules: list[Rule] = []
        earlier: set[str] = set()  # a rule may only name the rules before it

        def check(raw: Mapping[str, Any], where: str) -> None:
            effect = raw.get("effect")
            if effect not in RULE_EFFECTS:
                self.err(f"{where}: effect må være en av {', '.join(RULE_EFFECTS)}, ikke {effect!r}")

        def build(rule_id: str, raw: Mapping[str, Any], when: Any) -> None:
            keys = set(referenced_keys(when)) if isinstance(when, Mapping) else set()
            for ref in referenced_rules(when) if isinstance(when, Mapping) else ():
                keys |= self.rule_keys.get(ref, set())
            self.rule_keys[rule_id] = keys
            earlier.add(rule_id)
            if raw.get("effect") in RULE_EFFECTS and isinstance(when, Mapping):
                rules.append(
                    Rule(
                        id=rule_id,
                        effect=raw["effect"],
                        title=raw.get("title") or rule_id,
                        when=when,
                        title_en=raw.get("title_en") or "",
                        explanation=raw.get("explanation") or "",
                        explanation_en=raw.get("explanation_en") or "",
                        source=raw.get("source") or "",
                        raw=raw,
                    )
                )

        normalized = self._parse_entries(rules_raw, _RULES, build, check=check, earlier_rules=earlier)
        self.rules = rules
        return rules, normalized

    def _finish_sections(self, sections_data: list[dict[str, Any]]) -> list[Section]:
        """Check the conditions of sections and questions (they need all keys and rules) and build them."""
        sections = []
        for s in sections_data:
            raw, index, where = s["raw"], s["index"], s["where"]
            shown_when = s["normalized"]["shown_when"]
            if shown_when is not None:
                self._check_condition(shown_when, f"{where}: shown_when", before_section=index, strict=True)
            for question in s["questions"]:
                for name in ("required_when", "scored_when"):
                    cond = getattr(question, name)
                    if name in question.raw:
                        self._check_condition(
                            cond, f"spørsmål «{question.key}»: {name}", before_section=index, strict=False
                        )
            sections.append(
                Section(
                    key=s["key"],
                    order=index,
                    title=raw.get("title") or s["key"],
                    title_en=raw.get("title_en") or "",
                    description=raw.get("description") or "",
                    description_en=raw.get("description_en") or "",
                    shown_when=shown_when if isinstance(shown_when, Mapping) else None,
                    questions=tuple(s["questions"]),
                )
            )
        return sections

    def _parse_need_caps(self, caps_raw: list[Any]) -> tuple[list[NeedCap], list[Any]]:
        caps: list[NeedCap] = []

        def build(cap_id: str, raw: Mapping[str, Any], when: Any) -> None:
            if isinstance(when, Mapping):
                caps.append(
                    NeedCap(
                        id=cap_id,
                        title=raw.get("title") or cap_id,
                        when=when,
                        title_en=raw.get("title_en") or "",
                        explanation=raw.get("explanation") or "",
                        explanation_en=raw.get("explanation_en") or "",
                    )
                )

        return caps, self._parse_entries(caps_raw, _NEED_CAPS, build)

    def _parse_obligations(self, obligations_raw: list[Any]) -> tuple[list[Obligation], list[Any]]:
        obligations: list[Obligation] = []

        def build(code: str, raw: Mapping[str, Any], when: Any) -> None:
            if isinstance(when, Mapping):
                obligations.append(
                    Obligation(
                        code=code,
                        title=raw.get("title") or code,
                        why=raw.get("why") or "",
                        source=raw.get("source") or "",
                        when=when,
                        title_en=raw.get("title_en") or "",
                        why_en=raw.get("why_en") or "",
                        raw=raw,
                    )
                )

        return obligations, self._parse_entries(obligations_raw, _OBLIGATIONS, build)

    def _parse_scoring(self, raw: Any) -> Scoring | None:
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            self.err("scoring må være et objekt")
            return None
        self._unknown_fields(raw, SCORING_FIELDS, "scoring")
        merged = {**DEFAULT_SCORING, **{k: v for k, v in raw.items() if k in SCORING_FIELDS}}
        ok = True
        levels = merged["risk_levels"]
        parsed_levels: list[tuple[float, str]] = []
        if not isinstance(levels, list) or not levels:
            self.err("scoring.risk_levels må være en liste med [terskel, navn]")
            ok = False
        else:
            for level in levels:
                if (
                    not isinstance(level, list | tuple)
                    or len(level) != 2
                    or not isinstance(level[0], int | float)
                    or isinstance(level[0], bool)
                    or not isinstance(level[1], str)
                ):
                    self.err(f"scoring.risk_levels: {level!r} er ikke [terskel, navn]")
                    ok = False
                    continue
                parsed_levels.append((level[0], level[1]))
            thresholds = [t for t, _ in parsed_levels]
            if ok and (thresholds[0] != 0 or thresholds != sorted(set(thresholds))):
                self.err("scoring.risk_levels: tersklene må starte på 0 og stige")
                ok = False
            if ok and len({n for _, n in parsed_levels}) != len(parsed_levels):
                self.err("scoring.risk_levels: nivånavnene må være unike")
                ok = False
            if ok and merged["risk_high_at"] not in thresholds:
                # Otherwise the level and the risk axis could disagree.
                self.err("scoring.risk_high_at må være en av tersklene i risk_levels")
                ok = False
        for name, low, high in (
            ("risk_high_at", 0, 100),
            ("need_high_at", 0, 100),
            ("mitigation_share", 0, 1),
            ("mitigation_factor", 0, 1),
        ):
            value = merged[name]
            if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
                self.err(f"scoring.{name} må være et tall fra {low} til {high}")
                ok = False
        if not ok:
            return None
        return Scoring(
            risk_levels=tuple(parsed_levels),
            risk_high_at=merged["risk_high_at"],
            need_high_at=merged["need_high_at"],
            mitigation_share=merged["mitigation_share"],
            mitigation_factor=merged["mitigation_factor"],
        )

    # conditions

    def _keys_with_rules(self, cond: Condition | None) -> set[str]:
        if not isinstance(cond, Mapping):
            return set()
        keys = set(referenced_keys(cond))
        for ref in referenced_rules(cond):
            keys |= self.rule_keys.get(ref, set())
        return keys

    def _check_condition(
        self,
        cond: Any,
        where: str,
        *,
        earlier_rules: set[str] | None = None,
        before_section: int | None = None,
        strict: bool = True,
    ) -> None:
        """Shape, keys, values and rule references of a condition.

        `earlier_rules`: for a rule's own condition, the rules it may name (those defined before it).
        `before_section`: for branching, the section index the named keys must come before (`strict`)
        or not after; rules named must likewise only depend on such keys.
        """
        shape = conditions.structure_errors(cond, where)
        if shape:
            self.errors.extend(shape)
            return
        for qform in _q_forms(cond):
            self._check_q_form(qform, where, before_section, strict)
        for ref in sorted(referenced_rules(cond)):
            if ref not in self.all_rule_ids:
                self.err(f"{where}: ukjent regel «{ref}»")
                continue
            if earlier_rules is not None and ref not in earlier_rules:
                self.err(
                    f"{where}: regelen «{ref}» er ikke definert før denne (regler kan bare bruke tidligere regler)"
                )
                continue
            if before_section is not None:
                for key in sorted(self.rule_keys.get(ref, set())):
                    if self._too_late(key, before_section, strict):
                        self.err(
                            f"{where}: regelen «{ref}» bruker «{key}», som ikke kommer "
                            f"{'før' if strict else 'senest i'} denne seksjonen"
                        )

    def _too_late(self, key: str, before_section: int, strict: bool) -> bool:
        index = self.section_order.get(key)
        if index is None:
            return False
        return index >= before_section if strict else index > before_section

    def _check_q_form(self, qform: Mapping[str, Any], where: str, before_section: int | None, strict: bool) -> None:
        key = qform["q"]
        question = self.questions.get(key)
        if question is None:
            self.err(f"{where}: ukjent spørsmål «{key}»")
            return
        if before_section is not None and self._too_late(key, before_section, strict):
            if strict:
                rule = "shown_when kan bare bruke svar fra tidligere seksjoner"
            else:
                rule = "betingelsen kan bare bruke svar fra denne eller tidligere seksjoner"
            self.err(f"{where}: «{key}» hører til seksjon «{question.section}»; {rule}")
        op = next(k for k in qform if k != "q")
        operand = qform[op]
        qtype = question.type
        if op in ("eq", "ne", "in", "not_in") and qtype == "multi":
            self.err(f"{where}: {op} passer ikke for flervalget «{key}» (bruk has, has_any eller has_other_than)")
            return
        if op in ("has", "has_any", "has_other_than") and qtype != "multi":
            self.err(f"{where}: {op} gjelder bare flervalg, ikke «{key}» ({qtype})")
            return
        if op in ("gte", "lte") and qtype != "scale":
            self.err(f"{where}: {op} gjelder bare skala, ikke «{key}» ({qtype})")
            return
        if op == "empty":
            return
        operands = operand if isinstance(operand, list) else [operand]
        for value in operands:
            if qtype == "text":
                if not isinstance(value, str):
                    self.err(f"{where}: «{key}» er tekst; {value!r} er ikke en tekst")
            elif qtype == "scale" and op in ("gte", "lte"):
                continue
            elif value not in question.values:
                self.err(f"{where}: {value!r} er ikke en svarverdi for «{key}»")


def _q_forms(cond: Any) -> list[Mapping[str, Any]]:
    out: list[Mapping[str, Any]] = []

    def walk(c: Any) -> None:
        if not isinstance(c, Mapping):
            return
        if "q" in c:
            out.append(c)
        for name in ("all", "any"):
            for child in c.get(name) or ():
                walk(child)
        if "not" in c:
            walk(c["not"])

    walk(cond)
    return out


# --- helpers for the wizard, the import and the scoring --------------------------------------------------


def questions(defn: Definition | Mapping[str, Any]) -> list[Question]:
    """Every question in order; `question.section` is its section key."""
    return list(as_definition(defn).questions.values())


class RuleEvaluator:
    """Lazily evaluates hard rules over a set of answers, each at most once (a `{rule: ID}` lookup)."""

    def __init__(self, defn: Definition, answers: Mapping[str, Any]):
        self.defn = defn
        self.answers = answers
        self._by_id = {r.id: r for r in defn.rules}
        self._fired: dict[str, bool] = {}

    def __call__(self, rule_id: str) -> bool:
        fired = self._fired.get(rule_id)
        if fired is None:
            rule = self._by_id.get(rule_id)
            fired = rule is not None and evaluate(rule.when, self.answers, self)
            self._fired[rule_id] = fired
        return fired


def _visibility(defn: Definition, answers: Mapping[str, Any]) -> tuple[list[Section], dict[str, Any]]:
    """Visible sections and the answers that belong to them, in questionnaire order.

    A section's `shown_when` names only keys of earlier sections (the validator enforces it), so it is
    evaluated over the answers of the earlier *visible* sections, in order.
    """
    shown: list[Section] = []
    visible: dict[str, Any] = {}
    for section in defn.sections:
        if section.shown_when is not None and not evaluate(section.shown_when, visible, RuleEvaluator(defn, visible)):
            continue
        shown.append(section)
        for question in section.questions:
            value = answers.get(question.key)
            if value is not None:
                visible[question.key] = value
    return shown, visible


def visible_sections(defn: Definition | Mapping[str, Any], answers: Mapping[str, Any]) -> list[Section]:
    """The sections shown for these answers, in order."""
    return _visibility(as_definition(defn), answers)[0]


def visible_section_keys(defn: Definition | Mapping[str, Any], answers: Mapping[str, Any]) -> list[str]:
    return [s.key for s in visible_sections(defn, answers)]


def visible_answers(defn: Definition | Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to questions of shown sections (hidden sections' and unknown keys' answers dropped)."""
    return _visibility(as_definition(defn), answers)[1]


def is_required(
    defn: Definition,
    question: Question,
    answers: Mapping[str, Any],
    rules: Callable[[str], bool] | None = None,
) -> bool:
    if question.required:
        return True
    if question.required_when is None:
        return False
    return evaluate(question.required_when, answers, rules or RuleEvaluator(defn, answers))


def _missing(defn: Definition, shown: list[Section], visible: Mapping[str, Any]) -> list[str]:
    rules = RuleEvaluator(defn, visible)
    return [
        q.key
        for section in shown
        for q in section.questions
        if is_empty(visible.get(q.key)) and is_required(defn, q, visible, rules)
    ]


def missing_required(defn: Definition | Mapping[str, Any], answers: Mapping[str, Any]) -> list[str]:
    """Keys of shown questions that are required (or required_when holds) and not answered, in order."""
    d = as_definition(defn)
    shown, visible = _visibility(d, answers)
    return _missing(d, shown, visible)


# --- answers --------------------------------------------------------------------------------------------

_TYPE_NAMES = {
    "yes_no": "«yes» eller «no»",
    "yes_no_unknown": "«yes», «no» eller «unknown»",
    "choice": "én verdi (tekst)",
    "multi": "en liste med verdier",
    "scale": "et heltall fra 0 til 4",
    "text": "en tekst",
}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "et tall"
    if isinstance(value, str):
        return "en tekst"
    if isinstance(value, list):
        return "en liste"
    if isinstance(value, dict):
        return "et objekt"
    return type(value).__name__


def clean_value(question: Question, value: Any) -> tuple[Any, str | None]:
    """Check and normalise one answer. Returns `(cleaned, None)` or `(None, Norwegian error)`.

    A blank text cleans to None (not answered); multi values are de-duplicated into choice order.
    """
    qtype = question.type
    wrong_type = f"Feil type: forventet {_TYPE_NAMES[qtype]}, fikk {_json_type(value)}."
    if qtype == "text":
        if not isinstance(value, str):
            return None, wrong_type
        text = value.strip()
        limit = question.max_length or DEFAULT_TEXT_MAX_LENGTH
        if len(text) > limit:
            return None, f"Teksten er for lang ({len(text)} tegn, maks {limit})."
        return (text or None), None
    if qtype == "scale":
        if not isinstance(value, int) or isinstance(value, bool):
            return None, wrong_type
        if value not in SCALE_VALUES:
            return None, f"Verdien {value} er utenfor skalaen; den må være et heltall fra 0 til 4."
        return value, None
    valid = ", ".join(str(v) for v in question.values)
    if qtype == "multi":
        if not isinstance(value, list):
            return None, wrong_type
        bad = [v for v in value if not isinstance(v, str)]
        if bad:
            return None, f"Feil type: listen må bare inneholde tekstverdier, fikk {bad[0]!r}."
        unknown = [v for v in value if v not in question.values]
        if unknown:
            return None, f"Ugyldig verdi «{unknown[0]}». Gyldige verdier: {valid}."
        selected = [v for v in question.values if v in value]
        if EXCLUSIVE_VALUE in selected and len(selected) > 1:
            return None, f"«{EXCLUSIVE_VALUE}» kan ikke kombineres med andre valg."
        if selected and len(selected) < question.min_items:
            return None, f"Velg minst {question.min_items}."
        return selected, None
    if not isinstance(value, str):
        return None, wrong_type
    if value not in question.values:
        return None, f"Ugyldig verdi «{value}». Gyldige verdier: {valid}."
    return value, None


def validate_answers(
    defn: Definition | Mapping[str, Any], answers: Any
) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """Check answers in the answers-file format.

    Returns `(cleaned, errors, warnings)`: `cleaned` holds the valid answers of shown questions in
    questionnaire order (texts trimmed; blank texts and nulls dropped as unanswered); `errors` maps each
    offending key to a Norwegian message (unknown key, wrong type, value outside the list, text too long,
    `none` combined, scale outside 0..4): any error makes the file invalid. `warnings` names answers to
    questions that these answers hide; those are dropped. Missing answers are not errors.
    """
    d = as_definition(defn)
    if not isinstance(answers, Mapping):
        return {}, {"answers": "Svarene må være et objekt (nøkkel: svar)."}, []
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in answers.items():
        question = d.questions.get(key) if isinstance(key, str) else None
        if question is None:
            errors[str(key)] = f"Ukjent spørsmål «{key}»."
            continue
        if value is None:
            continue
        value, error = clean_value(question, value)
        if error:
            errors[key] = error
        elif value is not None:
            cleaned[key] = value
    visible = _visibility(d, cleaned)[1]
    warnings = [
        f"Svaret på «{key}» er ignorert: spørsmålet vises ikke med de andre svarene i filen."
        for key in cleaned
        if key not in visible
    ]
    return visible, errors, warnings


ANSWERS_FILE_FIELDS = ("questionnaire", "answers", "meta")


def validate_answers_file(data: Any) -> dict[str, str]:
    """Problems with the top level of an answers file, keyed by top-level key (empty dict: fine).

    `answers` (object) is required; `questionnaire` (string) and `meta` (object) are optional; nothing else.
    """
    if not isinstance(data, Mapping):
        return {"fil": "Filen må inneholde ett JSON-objekt."}
    errors: dict[str, str] = {}
    for key in data:
        if key not in ANSWERS_FILE_FIELDS:
            errors[str(key)] = f"Ukjent toppnøkkel «{key}» (tillatt: {', '.join(ANSWERS_FILE_FIELDS)})."
    if "answers" not in data:
        errors["answers"] = "Mangler «answers»."
    elif not isinstance(data["answers"], Mapping):
        errors["answers"] = "«answers» må være et objekt (nøkkel: svar)."
    if "questionnaire" in data and not (isinstance(data["questionnaire"], str) and data["questionnaire"].strip()):
        errors["questionnaire"] = '«questionnaire» må være en versjon som tekst, f.eks. "2026.1".'
    if "meta" in data and not isinstance(data["meta"], Mapping):
        errors["meta"] = "«meta» må være et objekt."
    return errors
