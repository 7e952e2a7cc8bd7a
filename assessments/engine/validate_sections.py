"""Validating the sections and questions of a definition (`SectionParser`), and building them."""

from collections.abc import Mapping
from typing import Any

from assessments.engine import catalogue_fields
from assessments.engine.conditions import referenced_keys, referenced_rules
from assessments.engine.definition import (
    DEFAULT_CHOICE_LABELS,
    DEFAULT_CHOICE_LABELS_EN,
    DEFAULT_TEXT_MAX_LENGTH,
    POINT_KINDS,
    QUESTION_TYPES,
    SCALE_VALUES,
    Choice,
    Question,
    Section,
)
from assessments.engine.validate_common import (
    CHOICE_FIELDS,
    INVALID_KEY,
    KEY_RE,
    QUESTION_FIELDS,
    RESERVED_SECTION_KEYS,
    SECTION_FIELDS,
    ParserBase,
    is_text,
    normalize_condition,
    optional_texts,
    yaml_bool,
)


class SectionParser(ParserBase):
    """Sections and their questions: collected first, their conditions checked once all keys are known."""

    def collect_sections(self, sections_raw: list[Any]) -> list[dict[str, Any]]:
        collected = []
        seen: set[str] = set()
        for si, raw in enumerate(sections_raw):
            where = f"sections[{si}]"
            if not isinstance(raw, Mapping):
                self.err(f"{where}: en seksjon må være et objekt")
                continue
            key, where = self.identify(raw, "key", where, "seksjon", seen, "dobbel seksjonsnøkkel", INVALID_KEY)
            if key in RESERVED_SECTION_KEYS:
                self.err(f"{where}: nøkkelen er reservert (veiviserens siste steg heter «{key}»)")
            key = key or f"#{si}"
            self.unknown_fields(raw, SECTION_FIELDS, where)
            if not is_text(raw.get("title")):
                self.err(f"{where}: title mangler")
            questions_raw = raw.get("questions")
            if not isinstance(questions_raw, list) or not questions_raw:
                self.err(f"{where}: questions må være en ikke-tom liste")
                questions_raw = []
            normalized = {k: v for k, v in raw.items() if k != "questions"}
            normalized["shown_when"] = normalize_condition(raw.get("shown_when"))
            normalized_questions = []
            questions = []
            for qi, qraw in enumerate(questions_raw):
                question, qnorm = self.parse_question(qraw, f"{where}, questions[{qi}]", key, si)
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

    def parse_question(self, raw: Any, where: str, section_key: str, section_index: int) -> tuple[Question | None, Any]:
        if not isinstance(raw, Mapping):
            self.err(f"{where}: et spørsmål må være et objekt")
            return None, raw
        key, where = self.question_key(raw, where)
        self.unknown_fields(raw, QUESTION_FIELDS, where)
        qtype = raw.get("type")
        if qtype not in QUESTION_TYPES:
            self.err(f"{where}: ukjent spørsmålstype {qtype!r} (gyldige: {', '.join(QUESTION_TYPES)})")
        required, measure = self.question_flags(raw, where)
        max_length, min_items = self.question_limits(raw, qtype, where)
        choices = self.parse_choices(raw, qtype, where)
        normalized = dict(raw)
        points = self.question_points(raw, qtype, choices, where, normalized)
        for name in ("required_when", "scored_when", "shown_when"):
            if name in raw:
                normalized[name] = normalize_condition(raw[name])
        values = tuple(c.value for c in choices)
        catalogue_field, catalogue_values, problems = catalogue_fields.check_mapping(raw, qtype, values, where)
        self.errors.extend(problems)
        if "catalogue_values" in raw and catalogue_values:
            normalized["catalogue_values"] = catalogue_values
        self.check_conditional_points(raw, points, where)
        if key is None or qtype not in QUESTION_TYPES:
            return None, normalized
        question = Question(
            key=key,
            type=qtype,
            section=section_key,
            order=len(self.questions),
            label=raw.get("label") or key,
            **optional_texts(raw, "label_en", "help", "help_en", "source", "source_en"),
            required=required,
            required_when=normalized.get("required_when"),
            scored_when=normalized.get("scored_when"),
            shown_when=normalized.get("shown_when"),
            max_length=max_length,
            min_items=min_items,
            choices=choices,
            risk=points["risk"],
            mitigation=points["mitigation"],
            need=points["need"],
            measure=measure,
            catalogue_field=catalogue_field,
            catalogue_values=catalogue_values,
            raw=normalized,
        )
        self.questions[key] = question
        self.section_order[key] = section_index
        return question, normalized

    def check_conditional_points(self, raw: Mapping[str, Any], points: dict, where: str) -> None:
        """A question's own conditions may not switch its points on and off."""
        if "scored_when" in raw and points["risk"]:
            # Withholding risk points would reward whatever answer switches them off.
            self.err(f"{where}: scored_when kan bare brukes på spørsmål uten risk-poeng")
        if "shown_when" in raw and any(points.values()):
            # Hiding a scored question would change what its section's points mean; branching with points
            # belongs to sections.
            self.err(f"{where}: shown_when på et spørsmål kan bare brukes på spørsmål uten poeng")

    def question_flags(self, raw: Mapping[str, Any], where: str) -> tuple[bool, bool | None]:
        """Check the label and the plain fields; return (required, measure), each reset when malformed."""
        if not is_text(raw.get("label")):
            self.err(f"{where}: label mangler")
        required = raw.get("required", False)
        if not isinstance(required, bool):
            self.err(f"{where}: required må være true eller false")
            required = False
        for name in ("help", "help_en", "source", "source_en", "label_en"):
            if name in raw and not isinstance(raw[name], str):
                self.err(f"{where}: {name} må være en tekst")
        measure = raw.get("measure")
        if measure is not None and not isinstance(measure, bool):
            self.err(f"{where}: measure må være true eller false")
            measure = None
        return required, measure

    def question_key(self, raw: Mapping[str, Any], where: str) -> tuple[str | None, str]:
        """The question's key (None when malformed or taken) and where to report its problems."""
        key = raw.get("key")
        if not (isinstance(key, str) and KEY_RE.match(key)):
            self.err(f"{where}: {INVALID_KEY}")
            return None, where
        where = f"spørsmål «{key}»"
        if key in self.questions:
            self.err(f"{where}: dobbel spørsmålsnøkkel (også i seksjon «{self.questions[key].section}»)")
            return None, where
        return key, where

    def question_limits(self, raw: Mapping[str, Any], qtype: Any, where: str) -> tuple[int | None, int]:
        """`max_length` (texts only) and `min_items` (multi only), checked."""
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
        return max_length, min_items

    def question_points(
        self, raw: Mapping[str, Any], qtype: Any, choices: tuple[Choice, ...], where: str, normalized: dict[str, Any]
    ) -> dict[str, dict[Any, float]]:
        """The points maps per kind; their JSON form (string keys) goes into `normalized`."""
        values = SCALE_VALUES if qtype == "scale" else tuple(c.value for c in choices)
        points: dict[str, dict[Any, float]] = {}
        for kind in POINT_KINDS:
            if kind not in raw or qtype not in QUESTION_TYPES:
                points[kind] = {}
                continue
            pmap = self.parse_points(raw[kind], qtype, values, f"{where}: {kind}")
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
        return points

    def parse_choices(self, raw: Mapping[str, Any], qtype: Any, where: str) -> tuple[Choice, ...]:
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
            self.unknown_fields(choice, CHOICE_FIELDS, cwhere)
            value = yaml_bool(choice.get("value"))
            if allowed is not None:
                if value not in allowed or isinstance(value, bool):
                    self.err(f"{cwhere}: verdien {value!r} er ikke gyldig for {qtype}")
                    continue
            elif not isinstance(value, str) or not KEY_RE.match(value):
                self.err(f"{cwhere}: value må være en nøkkel (små bokstaver, tall og _), ikke {value!r}")
                continue
            if value in seen:
                self.err(f"{cwhere}: dobbel verdi «{value}»")
                continue
            seen.append(value)
            if not is_text(choice.get("label")):
                self.err(f"{cwhere}: valget «{value}» mangler label")
            given[value] = (choice.get("label") or str(value), choice.get("label_en") or "")
        if allowed is None:
            return tuple(Choice(v, *given[v]) for v in seen)
        labels.update(given)
        return tuple(Choice(v, *labels[v]) for v in base)

    def parse_points(self, pmap: Any, qtype: Any, values: tuple[Any, ...], where: str) -> dict[Any, float]:
        if qtype == "text":
            self.err(f"{where}: tekstspørsmål kan ikke gi poeng")
            return {}
        if not isinstance(pmap, Mapping):
            self.err(f"{where}: må være et objekt svarverdi -> poeng")
            return {}
        out: dict[Any, float] = {}
        for key, points in pmap.items():
            value = yaml_bool(key)
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

    def finish_sections(self, sections_data: list[dict[str, Any]]) -> list[Section]:
        """Check the conditions of sections and questions (they need all keys and rules) and build them."""
        sections = []
        for s in sections_data:
            raw, index, where = s["raw"], s["index"], s["where"]
            shown_when = s["normalized"]["shown_when"]
            if shown_when is not None:
                self.check_condition(shown_when, f"{where}: shown_when", before_section=index, strict=True)
            for question in s["questions"]:
                for name in ("required_when", "scored_when", "shown_when"):
                    cond = getattr(question, name)
                    if name in question.raw:
                        self.check_condition(
                            cond, f"spørsmål «{question.key}»: {name}", before_section=index, strict=False
                        )
                if "shown_when" in question.raw:
                    self.check_question_shown_when(question)
            sections.append(
                Section(
                    key=s["key"],
                    order=index,
                    title=raw.get("title") or s["key"],
                    **optional_texts(raw, "title_en", "description", "description_en"),
                    shown_when=shown_when if isinstance(shown_when, Mapping) else None,
                    questions=tuple(s["questions"]),
                )
            )
        return sections

    def check_question_shown_when(self, question: Question) -> None:
        """A question's `shown_when` names only questions asked before it, and no rules: visibility is then
        decided in one pass, question by question."""
        where = f"spørsmål «{question.key}»: shown_when"
        if referenced_rules(question.shown_when):
            self.err(f"{where}: kan ikke bruke regler (bare svar på tidligere spørsmål)")
        for key in sorted(referenced_keys(question.shown_when)):
            other = self.questions.get(key)
            if other is not None and other.order >= question.order:
                self.err(f"{where}: «{key}» kommer ikke før dette spørsmålet")
