"""What every part of the definition validator shares: the allowed fields, small helpers and the checks of
conditions (`ParserBase`). The validator collects every error instead of stopping at the first one, so an
administrator can fix an upload in one go; its messages are bokmål, for the administrators who publish.
"""

import re
from collections.abc import Mapping
from typing import Any

from assessments.engine import conditions
from assessments.engine.catalogue_fields import bool_word
from assessments.engine.conditions import Condition, referenced_keys, referenced_rules
from assessments.engine.definition import DEFAULT_SCORING, POINT_KINDS, Question, Rule

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
        "consistency",
        # The quick path's screening (screening.yaml; docs/quick-path.md), checked by `screening_check`.
        "screening",
        # Holds YAML anchors that rules and obligations share; the loader has expanded them, so it is not stored.
        "shared",
    }
)
# The web wizard's steps are the section keys plus its own last step, the summary (presentation/links.SUMMARY):
# a section with that key would take the summary's place.
RESERVED_SECTION_KEYS = frozenset({"summary"})
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
        "source_en",
        "measure",
        "required",
        "required_when",
        "scored_when",
        "shown_when",
        "min_items",
        "max_length",
        "choices",
        "catalogue_field",
        "catalogue_values",
        *POINT_KINDS,
    }
)
CHOICE_FIELDS = frozenset({"value", "label", "label_en"})
SCORING_FIELDS = frozenset(DEFAULT_SCORING)
RULE_FIELDS = frozenset(
    {"id", "effect", "title", "title_en", "explanation", "explanation_en", "source", "source_en", "when"}
)
NEED_CAP_FIELDS = frozenset({"id", "title", "title_en", "explanation", "explanation_en", "when"})
OBLIGATION_FIELDS = frozenset({"code", "title", "title_en", "why", "why_en", "source", "source_en", "when", "measure"})
CONSISTENCY_FIELDS = frozenset({"id", "questions", "title", "title_en", "message", "message_en", "when", "worse"})

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
INVALID_KEY = "key mangler eller er ugyldig (små bokstaver, tall og _)"


def is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def optional_texts(raw: Mapping[str, Any], *names: str) -> dict[str, str]:
    """An entry's optional texts (translations, explanations, sources): each as written, "" when left out."""
    return {name: raw.get(name) or "" for name in names}


def yaml_bool(value: Any) -> Any:
    """A YAML 1.1 loader turns unquoted yes/no into booleans; they always mean the answer values here."""
    return bool_word(value, ("yes", "no"))


def normalize_condition(cond: Any) -> Any:
    if not isinstance(cond, Mapping):
        return cond
    out: dict[str, Any] = {}
    for key, value in cond.items():
        if key in ("all", "any") and isinstance(value, list):
            out[key] = [normalize_condition(c) for c in value]
        elif key == "not":
            out[key] = normalize_condition(value)
        elif key in conditions.SCALAR_OPERATORS:
            out[key] = yaml_bool(value)
        elif key in conditions.LIST_OPERATORS and isinstance(value, list):
            out[key] = [yaml_bool(v) for v in value]
        else:
            out[key] = value
    return out


class ParserBase:
    """The state of one pass over a raw definition, and the checks every part of it uses."""

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

    def list_field(self, data: Mapping[str, Any], name: str) -> list[Any]:
        value = data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.err(f"{name} må være en liste")
            return []
        return value

    def unknown_fields(self, obj: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
        unknown = [str(k) for k in obj if k not in allowed]
        if unknown:
            self.err(f"{where}: ukjente felt {', '.join(unknown)}")

    # sections and questions

    def identify(
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
        if not (isinstance(value, str) and KEY_RE.match(value)):
            self.err(f"{where}: {invalid}")
            return None, where
        where = f"{label} «{value}»"
        if value in seen:
            self.err(f"{where}: {duplicate}")
        seen.add(value)
        return value, where

    # conditions

    def keys_with_rules(self, cond: Condition | None) -> set[str]:
        if not isinstance(cond, Mapping):
            return set()
        keys = set(referenced_keys(cond))
        for ref in referenced_rules(cond):
            keys |= self.rule_keys.get(ref, set())
        return keys

    def check_condition(
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
        for qform in q_forms(cond):
            self.check_q_form(qform, where, before_section, strict)
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
                    if self.too_late(key, before_section, strict):
                        self.err(
                            f"{where}: regelen «{ref}» bruker «{key}», som ikke kommer "
                            f"{'før' if strict else 'senest i'} denne seksjonen"
                        )

    def too_late(self, key: str, before_section: int, strict: bool) -> bool:
        index = self.section_order.get(key)
        if index is None:
            return False
        return index >= before_section if strict else index > before_section

    def check_q_form(self, qform: Mapping[str, Any], where: str, before_section: int | None, strict: bool) -> None:
        key = qform["q"]
        question = self.questions.get(key)
        if question is None:
            self.err(f"{where}: ukjent spørsmål «{key}»")
            return
        if before_section is not None and self.too_late(key, before_section, strict):
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
        if op in conditions.ANSWER_OPERATORS:
            self.check_other_answer(question, operand, where, before_section, strict)
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

    def check_other_answer(
        self, question: Question, operand: Mapping[str, Any], where: str, before_section: int | None, strict: bool
    ) -> None:
        """`above`: both questions single-valued, and `order` lists exactly the values of both."""
        other = self.questions.get(operand["q"])
        if other is None:
            self.err(f"{where}: ukjent spørsmål «{operand['q']}»")
            return
        if before_section is not None and self.too_late(other.key, before_section, strict):
            self.err(f"{where}: «{other.key}» hører til seksjon «{other.section}», som kommer for sent her")
        for q in (question, other):
            if q.type in ("multi", "text"):
                self.err(f"{where}: above sammenligner enkeltsvar; «{q.key}» er {q.type}")
                return
        order = operand["order"]
        wanted = set(question.values) | set(other.values)
        if set(order) != wanted:
            self.err(
                f"{where}: order må inneholde nøyaktig svarverdiene til «{question.key}» og «{other.key}» "
                f"(mangler: {sorted(map(str, wanted - set(order)))}, ukjente: {sorted(map(str, set(order) - wanted))})"
            )


def q_forms(cond: Any) -> list[Mapping[str, Any]]:
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
