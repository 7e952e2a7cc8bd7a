"""The definition validator: `validate_definition` lists every problem, `compile_definition` also builds the
`Definition`. Sections and questions are in `validate_sections`, the shared checks in `validate_common`.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from assessments.engine import interpolate
from assessments.engine.conditions import referenced_keys, referenced_rules
from assessments.engine.definition import (
    DEFAULT_SCORING,
    RULE_EFFECTS,
    SCORING_METHODS,
    ConsistencyCheck,
    Definition,
    NeedCap,
    Obligation,
    Question,
    Rule,
    Scoring,
)
from assessments.engine.screening_check import screening_problems
from assessments.engine.validate_common import (
    CONSISTENCY_FIELDS,
    NEED_CAP_FIELDS,
    OBLIGATION_FIELDS,
    RULE_FIELDS,
    SCORING_FIELDS,
    TOP_LEVEL_FIELDS,
    is_text,
    normalize_condition,
    optional_texts,
    yaml_bool,
)
from assessments.engine.validate_sections import SectionParser


@dataclass(frozen=True)
class _EntryKind:
    """A list of rules, need caps, obligations or contradictions: each is checked the same way, only names
    differ."""

    list_name: str  # the top-level key, and `where` before the entry has a valid id
    id_field: str
    label: str  # `where` once the id is known: «{label} «{id}»»
    not_object: str
    duplicate: str
    fields: frozenset[str]
    texts: tuple[str, ...]  # fields that must hold a non-blank text
    optional: tuple[str, ...]  # texts that may be left out ("" then)


_RULES = _EntryKind(
    "rules",
    "id",
    "regel",
    "en regel må være et objekt",
    "dobbel regel-id",
    RULE_FIELDS,
    ("title", "source"),
    ("title_en", "explanation", "explanation_en", "source", "source_en"),
)
_NEED_CAPS = _EntryKind(
    "need_caps",
    "id",
    "behovstak",
    "et behovstak må være et objekt",
    "dobbel id",
    NEED_CAP_FIELDS,
    ("title",),
    ("title_en", "explanation", "explanation_en"),
)
_CONSISTENCY = _EntryKind(
    "consistency",
    "id",
    "motsigelse",
    "en motsigelse må være et objekt",
    "dobbel id",
    CONSISTENCY_FIELDS,
    ("title", "message"),
    ("message", "title_en", "message_en"),
)
_OBLIGATIONS = _EntryKind(
    "obligations",
    "code",
    "plikt",
    "en plikt må være et objekt",
    "dobbel kode",
    OBLIGATION_FIELDS,
    ("title", "why", "source"),
    ("why", "source", "title_en", "why_en", "source_en"),
)


def validate_definition(data: Any) -> list[str]:
    """Every problem in a raw definition (empty list: valid)."""
    if isinstance(data, Definition):
        return []
    return DefinitionParser(data).run()[1]


def compile_definition(data: Any) -> tuple[Definition | None, list[str]]:
    """The parsed definition and no errors, or None and every problem found."""
    return DefinitionParser(data).run()


class DefinitionParser(SectionParser):
    """One pass over a raw definition that collects every error instead of stopping at the first."""

    def run(self) -> tuple[Definition | None, list[str]]:
        data = self.data
        if not isinstance(data, Mapping):
            return None, ["Definisjonen må være et objekt (mapping) på toppnivå"]
        version = self.check_top_level(data)
        normalized: dict[str, Any] = {
            k: v for k, v in data.items() if k in TOP_LEVEL_FIELDS and k not in ("shared", "screening")
        }
        sections_raw = data.get("sections")
        if not isinstance(sections_raw, list) or not sections_raw:
            self.err("sections må være en ikke-tom liste")
            sections_raw = []

        # Rule ids first, so conditions anywhere can be checked against them.
        rules_raw = self.list_field(data, "rules")
        self.all_rule_ids = {r["id"] for r in rules_raw if isinstance(r, Mapping) and isinstance(r.get("id"), str)}

        sections_data = self.collect_sections(sections_raw)
        rules, rules_data = self.parse_rules(rules_raw)
        sections = self.finish_sections(sections_data)
        need_caps, caps_data = self.parse_need_caps(self.list_field(data, "need_caps"))
        obligations, obligations_data = self.parse_obligations(self.list_field(data, "obligations"))
        consistency, consistency_data = self.parse_consistency(self.list_field(data, "consistency"))
        scoring = self.parse_scoring(data.get("scoring"))

        normalized["sections"] = [s["normalized"] for s in sections_data]
        if "rules" in data:
            normalized["rules"] = rules_data
        if "need_caps" in data:
            normalized["need_caps"] = caps_data
        if "obligations" in data:
            normalized["obligations"] = obligations_data
        if "consistency" in data:
            normalized["consistency"] = consistency_data
        try:
            json_data = json.loads(json.dumps(normalized, ensure_ascii=False))
        except (TypeError, ValueError) as exc:
            self.err(f"definisjonen kan ikke lagres som JSON: {exc}")
            json_data = {}

        if self.errors or scoring is None:
            return None, self.errors
        parts = {
            "sections": sections,
            "rules": rules,
            "need_caps": need_caps,
            "obligations": obligations,
            "consistency": consistency,
        }
        return self.check_built(self.build(json_data, version, data["title"], scoring, parts), data)

    def check_built(self, definition: Definition, data: Mapping[str, Any]) -> tuple[Definition | None, list[str]]:
        """The checks that need the parsed definition: the obligations' measures (by the branching keys), then the
        screening (its rules are what it must not hide)."""
        problems = self.measure_problems(definition)
        if problems:
            return None, problems
        if "screening" in data:
            screening, errors = screening_problems(definition, data["screening"])
            if errors:
                return None, errors
            definition.data["screening"] = json.loads(json.dumps(screening, ensure_ascii=False))
        return definition, []

    def check_top_level(self, data: Mapping[str, Any]) -> Any:
        """Unknown top-level keys, the version and the title; returns the version as given."""
        for key in data:
            if key not in TOP_LEVEL_FIELDS:
                self.err(f"ukjent toppnøkkel «{key}»")
        version = data.get("version")
        if not is_text(version):
            self.err('version mangler eller er ikke en tekst (skriv den i anførselstegn, f.eks. "2026.1")')
        if not is_text(data.get("title")):
            self.err("title mangler")
        return version

    def build(self, json_data: dict[str, Any], version: str, title: str, scoring: Scoring, parts: dict) -> Definition:
        """The `Definition` of a raw definition found valid, with the keys the what-if needs to know."""
        branching: set[str] = set()
        for section in parts["sections"]:
            branching |= self.keys_with_rules(section.shown_when)
        for question in self.questions.values():
            branching |= self.keys_with_rules(question.scored_when)
            branching |= self.keys_with_rules(question.shown_when)
        rule_keys: set[str] = set()
        for keys in self.rule_keys.values():
            rule_keys |= keys
        return Definition(
            data=json_data,
            version=version,
            title=title,
            sections=tuple(parts["sections"]),
            questions=dict(self.questions),
            rules=tuple(parts["rules"]),
            need_caps=tuple(parts["need_caps"]),
            obligations=tuple(parts["obligations"]),
            scoring=scoring,
            consistency=tuple(parts["consistency"]),
            branching_keys=frozenset(branching),
            rule_keys=frozenset(rule_keys),
        )

    def parse_entries(
        self,
        entries_raw: list[Any],
        kind: _EntryKind,
        build: Callable[[dict[str, Any], Mapping[str, Any]], Any],
        *,
        check: Callable[[Mapping[str, Any], str], None] | None = None,
        identified: Callable[[str, Any], None] | None = None,
        earlier_rules: set[str] | None = None,
    ) -> tuple[list[Any], list[Any]]:
        """Check each entry of a rules, need-caps, obligations or consistency list; `check(raw, where)` adds the
        kind's own checks, `identified(id, when)` sees each entry with a valid id. Each entry with a valid id and
        condition becomes `build(fields, raw)`: `fields` are what every kind has (its id, title, condition and
        optional texts), `build` adds the kind's own or returns None. Returns the entries and the normalised list."""
        entries, normalized_all = [], []
        seen: set[str] = set()
        for index, raw in enumerate(entries_raw):
            where = f"{kind.list_name}[{index}]"
            if not isinstance(raw, Mapping):
                self.err(f"{where}: {kind.not_object}")
                normalized_all.append(raw)
                continue
            entry_id, where = self.identify(
                raw, kind.id_field, where, kind.label, seen, kind.duplicate,
                f"{kind.id_field} mangler eller er ugyldig",
            )  # fmt: skip
            self.unknown_fields(raw, kind.fields, where)
            if check is not None:
                check(raw, where)
            for name in kind.texts:
                if not is_text(raw.get(name)):
                    self.err(f"{where}: {name} mangler")
            when = normalize_condition(raw.get("when"))
            if "when" not in raw:
                self.err(f"{where}: when mangler")
            else:
                self.check_condition(when, f"{where}: when", earlier_rules=earlier_rules)
            normalized_all.append({**raw, "when": when})
            if entry_id is None:
                continue
            if identified is not None:
                identified(entry_id, when)
            if isinstance(when, Mapping):
                fields = {kind.id_field: entry_id, "title": raw.get("title") or entry_id, "when": when}
                entry = build({**fields, **optional_texts(raw, *kind.optional)}, raw)
                if entry is not None:
                    entries.append(entry)
        return entries, normalized_all

    def parse_rules(self, rules_raw: list[Any]) -> tuple[list[Rule], list[Any]]:
        earlier: set[str] = set()  # a rule may only name the rules before it

        def check(raw: Mapping[str, Any], where: str) -> None:
            effect = raw.get("effect")
            if effect not in RULE_EFFECTS:
                self.err(f"{where}: effect må være en av {', '.join(RULE_EFFECTS)}, ikke {effect!r}")
            for name in interpolate.TEXT_FIELDS:
                for key in interpolate.placeholders(raw.get(name) if isinstance(raw.get(name), str) else ""):
                    if key not in self.questions:
                        self.err(f"{where}: {name} nevner {{{key}}}, men det finnes ikke noe spørsmål «{key}»")

        def identified(rule_id: str, when: Any) -> None:
            keys = set(referenced_keys(when)) if isinstance(when, Mapping) else set()
            for ref in referenced_rules(when) if isinstance(when, Mapping) else ():
                keys |= self.rule_keys.get(ref, set())
            self.rule_keys[rule_id] = keys
            earlier.add(rule_id)

        def build(fields: dict[str, Any], raw: Mapping[str, Any]) -> Rule | None:
            return Rule(effect=raw["effect"], raw=raw, **fields) if raw.get("effect") in RULE_EFFECTS else None

        rules, normalized = self.parse_entries(
            rules_raw, _RULES, build, check=check, identified=identified, earlier_rules=earlier
        )
        self.rules = rules
        return rules, normalized

    def parse_need_caps(self, caps_raw: list[Any]) -> tuple[list[NeedCap], list[Any]]:
        return self.parse_entries(caps_raw, _NEED_CAPS, lambda fields, raw: NeedCap(**fields))

    def parse_obligations(self, obligations_raw: list[Any]) -> tuple[list[Obligation], list[Any]]:
        named: dict[str, str] = {}  # measure question -> the obligation that names it

        def check(raw: Mapping[str, Any], where: str) -> None:
            key = raw.get("measure")
            if key is None:
                return
            if not is_text(key) or key not in self.questions:
                self.err(f"{where}: measure nevner «{key}», men det finnes ikke noe spørsmål med den nøkkelen")
            elif key in named:
                # One task, one item: two duties done by the same answer would make the plan ambiguous.
                self.err(f"{where}: measure «{key}» er allerede tiltaket til plikten «{named[key]}»")
            else:
                named[key] = str(raw.get("code"))

        def build(fields: dict[str, Any], raw: Mapping[str, Any]) -> Obligation:
            measure = raw.get("measure") if isinstance(raw.get("measure"), str) else None
            return Obligation(raw=raw, measure=measure, **fields)

        return self.parse_entries(obligations_raw, _OBLIGATIONS, build, check=check)

    @staticmethod
    def measure_problems(definition: Definition) -> list[str]:
        """An obligation's `measure` must be a question the what-if may name (`Definition.may_suggest`); that needs
        the branching keys, so it is checked against the parsed definition."""
        return [
            f"plikt «{obligation.code}»: measure «{obligation.measure}» er ikke et tiltak hva om-analysen kan foreslå "
            "(et faktaspørsmål, et flervalg eller et svar som styrer hva som vises)"
            for obligation in definition.obligations
            if obligation.measure and not definition.may_suggest(definition.questions[obligation.measure])
        ]

    def parse_scoring(self, raw: Any) -> Scoring | None:
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            self.err("scoring må være et objekt")
            return None
        self.unknown_fields(raw, SCORING_FIELDS, "scoring")
        merged = {**DEFAULT_SCORING, **{k: v for k, v in raw.items() if k in SCORING_FIELDS}}
        parsed_levels = self.parse_risk_levels(merged["risk_levels"], merged["risk_high_at"])
        ok = parsed_levels is not None
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
        ok = self.check_method(merged["method"], merged["risk_scale"]) and ok
        if not ok:
            return None
        return Scoring(
            risk_levels=tuple(parsed_levels or ()),
            risk_high_at=merged["risk_high_at"],
            need_high_at=merged["need_high_at"],
            mitigation_share=merged["mitigation_share"],
            mitigation_factor=merged["mitigation_factor"],
            method=merged["method"],
            risk_scale=merged["risk_scale"],
        )

    def check_method(self, method: Any, risk_scale: Any) -> bool:
        if method not in SCORING_METHODS:
            self.err(f"scoring.method må være en av {', '.join(SCORING_METHODS)}, ikke {method!r}")
            return False
        scale_given = risk_scale is not None
        if method == "monotonic" and not (
            isinstance(risk_scale, int | float) and not isinstance(risk_scale, bool) and risk_scale > 0
        ):
            self.err("scoring.risk_scale må være et tall over 0 med metoden monotonic")
            return False
        if method != "monotonic" and scale_given:
            self.err("scoring.risk_scale brukes bare med metoden monotonic")
            return False
        return True

    def parse_consistency(self, checks_raw: list[Any]) -> tuple[list[ConsistencyCheck], list[Any]]:
        def check(raw: Mapping[str, Any], where: str) -> None:
            questions = raw.get("questions")
            if not (isinstance(questions, list) and len(questions) >= 2):
                self.err(f"{where}: questions må være en liste med minst to spørsmål")
            else:
                for key in questions:
                    if key not in self.questions:
                        self.err(f"{where}: ukjent spørsmål «{key}» i questions")
            self.check_worse(raw.get("worse"), where)
            if isinstance(raw.get("when"), Mapping) and referenced_rules(normalize_condition(raw["when"])):
                # Contradictions are resolved before the rules are evaluated, so they cannot depend on them.
                self.err(f"{where}: when kan ikke bruke regler")

        def build(fields: dict[str, Any], raw: Mapping[str, Any]) -> ConsistencyCheck | None:
            worse, questions = raw.get("worse"), raw.get("questions")
            if not (isinstance(worse, Mapping) and isinstance(questions, list)):
                return None
            answers = {key: yaml_bool(value) for key, value in worse.items()}
            return ConsistencyCheck(questions=tuple(questions), worse=answers, **fields)

        checks, normalized = self.parse_entries(checks_raw, _CONSISTENCY, build, check=check)
        for entry in normalized:
            if isinstance(entry, dict) and isinstance(entry.get("worse"), Mapping):
                entry["worse"] = {key: yaml_bool(value) for key, value in entry["worse"].items()}
        return checks, normalized

    def check_worse(self, worse: Any, where: str) -> None:
        """`worse` maps question keys to an answer each, valid for the question."""
        if not isinstance(worse, Mapping) or not worse:
            self.err(f"{where}: worse må være et objekt med minst ett svar")
            return
        for key, value in worse.items():
            question = self.questions.get(key)
            if question is None:
                self.err(f"{where}: ukjent spørsmål «{key}» i worse")
            elif not _is_answer(question, yaml_bool(value)):
                self.err(f"{where}: {value!r} er ikke et gyldig svar på «{key}»")

    # conditions

    def parse_risk_levels(self, levels: Any, risk_high_at: Any) -> list[tuple[float, str]] | None:
        """`[[threshold, name], ...]` checked against each other and `risk_high_at`; None when invalid."""
        parsed_levels: list[tuple[float, str]] = []
        if not isinstance(levels, list) or not levels:
            self.err("scoring.risk_levels må være en liste med [terskel, navn]")
            return None
        ok = True
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
        if ok and risk_high_at not in thresholds:
            # Otherwise the level and the risk axis could disagree.
            self.err("scoring.risk_high_at må være en av tersklene i risk_levels")
            ok = False
        return parsed_levels if ok else None


def _is_answer(question: Question, value: Any) -> bool:
    """Whether `value` is a possible answer to `question` (the shape `answers.clean_value` accepts)."""
    if question.type == "text":
        return isinstance(value, str)
    if question.type == "multi":
        return isinstance(value, list) and bool(value) and all(v in question.values for v in value)
    return not isinstance(value, bool | list | dict) and value in question.values
