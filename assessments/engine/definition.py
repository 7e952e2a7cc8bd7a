"""The parsed questionnaire definition: plain, frozen data classes and the constants of the format.

`loader.as_definition` builds a `Definition` from a stored or raw dict (docs/questionnaire-format.md);
everything else in the engine reads these objects. Pure: no Django, no I/O.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from assessments.engine.conditions import Condition

QUESTION_TYPES = ("yes_no", "yes_no_unknown", "choice", "multi", "scale", "text")
POINT_KINDS = ("risk", "mitigation", "need")
SCALE_VALUES = (0, 1, 2, 3, 4)
DEFAULT_TEXT_MAX_LENGTH = 5000
DEFAULT_CHOICE_LABELS = {"yes": "Ja", "no": "Nei", "unknown": "Vet ikke"}
DEFAULT_CHOICE_LABELS_EN = {"yes": "Yes", "no": "No", "unknown": "Don't know"}
RULE_EFFECTS = ("stop", "high_risk")
# How the risk score is computed (docs/scoring.md): a version names its method, so results made on an older
# version never change when a newer one scores differently.
SCORING_METHODS = ("share_of_shown", "monotonic")
EXCLUSIVE_VALUE = "none"  # in a multi question, `none` stands alone

DEFAULT_SCORING: dict[str, Any] = {
    "risk_levels": [[0, "low"], [25, "moderate"], [50, "significant"], [75, "very_high"]],
    "risk_high_at": 50,
    "need_high_at": 50,
    "mitigation_share": 0.8,
    "mitigation_factor": 0.85,
    "method": "share_of_shown",
    "risk_scale": None,
}


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
    source_en: str = ""
    required: bool = False
    required_when: Condition | None = None
    scored_when: Condition | None = None
    # Shown (and its answer counted) only while this holds over the earlier questions' answers (2026.3 on).
    shown_when: Condition | None = None
    max_length: int | None = None
    min_items: int = 0
    choices: tuple[Choice, ...] = ()
    risk: Mapping[Any, float] = field(default_factory=dict)
    mitigation: Mapping[Any, float] = field(default_factory=dict)
    need: Mapping[Any, float] = field(default_factory=dict)
    measure: bool | None = None  # None: decided by the points (see `is_measure`)
    # Filled (and locked) from this field of a tool-overview entry; `catalogue_values` maps the entry's value
    # to the answer value where they differ (docs/catalogue.md).
    catalogue_field: str | None = None
    catalogue_values: Mapping[Any, Any] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_measure(self) -> bool:
        """A measure can be put in place (and so suggested by the what-if); a fact describes the use itself.

        Without an explicit `measure` in the definition: a question with mitigation points and no risk points.
        """
        if self.measure is not None:
            return self.measure
        return bool(self.mitigation) and not self.risk

    @property
    def values(self) -> tuple[Any, ...]:
        """The allowed answer values (empty for text)."""
        if self.type == "scale":
            return SCALE_VALUES
        return tuple(c.value for c in self.choices)

    def points_map(self, kind: str) -> Mapping[Any, float]:
        return getattr(self, kind)

    def max_points(self, kind: str) -> float:
        return self._maxima[kind]

    @cached_property
    def _maxima(self) -> dict[str, float]:
        # Scoring asks for these for every shown question, many times per result: work them out once.
        out = {}
        for kind in POINT_KINDS:
            pmap = self.points_map(kind)
            if not pmap:
                out[kind] = 0
            elif self.type == "multi":
                out[kind] = sum(p for p in pmap.values() if p > 0)
            else:
                out[kind] = max(pmap.values())
        return out

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
    source_en: str = ""
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
    source_en: str = ""
    # The measure question this duty is done by (2026.7 on): bringing it to the answer the what-if names is the
    # same task, so the action plan makes one item of the two (services/plans.py).
    measure: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class ConsistencyCheck:
    """Two answers that cannot both hold. While `when` holds, scoring reads the answers in `worse` instead."""

    id: str
    questions: tuple[str, ...]
    title: str
    message: str
    when: Condition
    worse: Mapping[str, Any]
    title_en: str = ""
    message_en: str = ""


@dataclass(frozen=True)
class Scoring:
    risk_levels: tuple[tuple[float, str], ...]
    risk_high_at: float
    need_high_at: float
    mitigation_share: float
    mitigation_factor: float
    method: str = "share_of_shown"
    risk_scale: float | None = None  # the `monotonic` method: risk points that make a score of 100

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
    consistency: tuple[ConsistencyCheck, ...] = ()
    # Question keys whose answers can change which sections are shown or which questions count,
    # directly or through a rule; and keys any hard rule looks at. Scoring's what-if uses them to
    # know when a changed answer needs a full re-evaluation.
    branching_keys: frozenset[str] = frozenset()
    rule_keys: frozenset[str] = frozenset()

    @property
    def title_en(self) -> str:
        return self.data.get("title_en", "")

    def may_suggest(self, question: Question) -> bool:
        """Whether the what-if may name a change of `question`: never a multi question or an answer that decides
        branching (that changes what the use is, not how well it is safeguarded). With the `monotonic` method only
        measures (`Question.is_measure`); older definitions any mitigation question, as when they were released."""
        if question.type == "multi" or question.key in self.branching_keys:
            return False
        if self.scoring.method == "monotonic":
            return question.is_measure
        return bool(question.mitigation)

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

    def obligation(self, code: str) -> Obligation:
        for o in self.obligations:
            if o.code == code:
                return o
        raise KeyError(code)
