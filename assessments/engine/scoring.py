"""Scoring: (questionnaire definition, answers) -> result. Pure: no Django, no I/O.

The method is in docs/scoring.md. All weights, thresholds, hard rules, need caps and obligations come from
the definition; nothing about a particular question is written here. The shared arithmetic is in `risk`,
the what-if search in `whatif`.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from assessments.engine.conditions import evaluate, explain
from assessments.engine.consistency import as_dicts, contradictions, worse_reading
from assessments.engine.definition import Definition
from assessments.engine.interpolate import fill
from assessments.engine.loader import as_definition
from assessments.engine.risk import KINDS, Core, compute_core, core_risk, round_score
from assessments.engine.visibility import keys_on_screen, missing_in, visibility
from assessments.engine.whatif import WhatIf
from assessments.engine.wording import Wording

# The level words of the what-if note, which the result stores as sentences in both languages (a decided version's
# note must read the same later). They are the words of labels.LEVELS and its English translation; a test
# (tests/test_labels.py) keeps them equal, since the engine cannot read Django's catalogue.
LEVEL_LABELS = {"low": "Lav", "moderate": "Moderat", "significant": "Betydelig", "very_high": "Svært høy"}
LEVEL_LABELS_EN = {
    "low": "Low",
    "moderate": "Moderate",
    "significant": "Significant",
    "very_high": "Very high",
}

QUADRANT_VERDICTS = {
    "low_risk_high_need": "recommended",
    "low_risk_low_need": "low_priority",
    "high_risk_high_need": "proceed_with_safeguards",
    "high_risk_low_need": "advise_against",
}

NB = Wording(
    english=False,
    and_="og",
    levels=LEVEL_LABELS,
    rule=("regelen", "reglene"),
    answer=("svaret", "svarene"),
    fired="{rules} {titles} slo til",
    because="Gjelder her fordi {reasons}.",
    always="Gjelder alle KI-tiltak.",
    changes=("denne endringen", "disse {count} endringene"),
    lowers="Med {what} går risikonivået fra «{old}» til «{new}»",
    ends=(" fordi {rules} {titles} ikke lenger slår til",) * 2,
    axis_low=", og risikoen blir lav i matrisen",
    still=(" {Rules} {titles} gjelder fortsatt.",) * 2,
    already_low="Risikonivået er allerede lavt; det er ikke noe lavere nivå å nå.",
    # Not "only a change of the use": a stop such as a missing legal basis ends once the basis is documented.
    held=(
        "Ingen tiltak senker risikonivået: {Rules} {titles} holder risikoen høy uansett hvilke tiltak som er på "
        "plass. Risikoen kan bare gå ned når det som utløser regelen, er endret eller avklart.",
        "Ingen tiltak senker risikonivået: {Rules} {titles} holder risikoen høy uansett hvilke tiltak som er på "
        "plass. Risikoen kan bare gå ned når det som utløser reglene, er endret eller avklart.",
    ),
    stops=(
        "Tiltak hjelper ikke her: {rules} {titles} stopper bruken uansett hvilke tiltak som er på plass. Det som "
        "utløser regelen, må endres eller avklares først; først da har det noe for seg å vurdere tiltak.",
        "Tiltak hjelper ikke her: {rules} {titles} stopper bruken uansett hvilke tiltak som er på plass. Det som "
        "utløser reglene, må endres eller avklares først; først da har det noe for seg å vurdere tiltak.",
    ),
    all_best=("Alle tiltaksspørsmål har allerede det beste svaret; risikoen kommer fra egenskaper ved tiltaket."),
    from_the_case=(
        "Selv det beste svaret på alle tiltaksspørsmålene senker ikke risikonivået; risikoen kommer fra "
        "egenskaper ved tiltaket, ikke fra manglende tiltak."
    ),
)
EN = Wording(
    english=True,
    and_="and",
    levels=LEVEL_LABELS_EN,
    rule=("the rule", "the rules"),
    answer=("the answer", "the answers"),
    fired="{rules} {titles} fired",
    because="Applies here because {reasons}.",
    always="Applies to every AI initiative.",
    changes=("this change", "these {count} changes"),
    lowers="With {what} the risk level goes from «{old}» to «{new}»",
    ends=(" because {rules} {titles} no longer fires", " because {rules} {titles} no longer fire"),
    axis_low=", and the risk becomes low in the matrix",
    still=(" {Rules} {titles} still applies.", " {Rules} {titles} still apply."),
    already_low="The risk level is already low; there is no lower level to reach.",
    held=(
        "No safeguard lowers the risk level: {rules} {titles} holds the risk high whatever safeguards are in "
        "place. The risk can only go down once what triggers the rule has been changed or cleared up.",
        "No safeguard lowers the risk level: {rules} {titles} hold the risk high whatever safeguards are in "
        "place. The risk can only go down once what triggers the rules has been changed or cleared up.",
    ),
    stops=(
        "No safeguard helps here: {rules} {titles} stops the use whatever safeguards are in place. What triggers "
        "the rule must be changed or cleared up first; only then are safeguards worth weighing.",
        "No safeguard helps here: {rules} {titles} stop the use whatever safeguards are in place. What triggers "
        "the rules must be changed or cleared up first; only then are safeguards worth weighing.",
    ),
    all_best="Every safeguard question already has the best answer; the risk comes from the initiative itself.",
    from_the_case=(
        "Even the best answer to every safeguard question does not lower the risk level; the risk comes from "
        "the initiative itself, not from missing safeguards."
    ),
)


@dataclass
class Result:
    """The result of scoring one set of answers. `to_dict()` is JSON-ready and is what gets stored."""

    questionnaire: str
    risk: dict[str, Any]
    need: dict[str, Any]
    quadrant: str
    verdict: str
    complete: bool
    missing: list[str] = field(default_factory=list)
    hard_rules: list[dict[str, Any]] = field(default_factory=list)
    obligations: list[dict[str, Any]] = field(default_factory=list)
    contributions: list[dict[str, Any]] = field(default_factory=list)
    what_if: dict[str, Any] = field(default_factory=dict)
    # Contradictions between answers (the definition's `consistency` checks that hold); scoring has used the
    # worse reading of each.
    consistency: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Result":
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})

    @property
    def rule_ids(self) -> list[str]:
        return [r["id"] for r in self.hard_rules]

    @property
    def obligation_codes(self) -> list[str]:
        return [o["code"] for o in self.obligations]

    @property
    def stopped(self) -> bool:
        return self.verdict == "stop"


def score(defn: Definition | Mapping[str, Any], answers: Mapping[str, Any]) -> Result:
    """Score `answers` (cleaned, as from `validate_answers`) against a questionnaire definition."""
    d = as_definition(defn)
    shown_as_given, given = visibility(d, answers)
    checks = contradictions(d, given)
    # The leader answers what is shown for the answers as given; scoring reads the worse side of a contradiction.
    if checks:
        core = compute_core(d, worse_reading(given, checks))
    else:
        core = compute_core(d, answers, (shown_as_given, given))
    visible, fired = core.visible, core.fired
    risk = core_risk(d, core)

    need_points, need_max = core.points["need"], core.max_points["need"]
    need_score = min(100.0, round_score(need_points / need_max * 100)) if need_max else 0.0
    capped_by = [cap.id for cap in d.need_caps if evaluate(cap.when, visible, fired)]
    need_axis = "high" if need_score >= d.scoring.need_high_at and not capped_by else "low"

    quadrant = f"{risk.axis}_risk_{need_axis}_need"
    stop = any(fired[r.id] and r.effect == "stop" for r in d.rules)
    verdict = "stop" if stop else QUADRANT_VERDICTS[quadrant]

    hard_rules, rule_triggers = _hard_rules(d, visible, fired)
    return Result(
        questionnaire=d.version,
        risk={
            "score": risk.score,
            "level": risk.level,
            "axis": risk.axis,
            "points": core.points["risk"],
            "max_points": d.scoring.risk_scale if d.scoring.method == "monotonic" else core.max_points["risk"],
            "mitigation": {
                "points": core.points["mitigation"],
                "max_points": core.max_points["mitigation"],
                "applied": risk.mitigation_applied,
            },
        },
        need={
            "score": need_score,
            "axis": need_axis,
            "capped_by": capped_by,
            "points": need_points,
            "max_points": need_max,
        },
        quadrant=quadrant,
        verdict=verdict,
        complete=not (missing := missing_in(d, shown_as_given, given)),
        missing=missing,
        hard_rules=hard_rules,
        obligations=_obligations(d, visible, fired, rule_triggers),
        contributions=_contributions(core),
        what_if=WhatIf(d, core, risk, NB, EN, keys_on_screen(shown_as_given, given)).run(),
        consistency=as_dicts(checks, given),
    )


def _hard_rules(
    defn: Definition, visible: Mapping[str, Any], fired: Mapping[str, bool]
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    out: list[dict[str, Any]] = []
    triggers: dict[str, dict[str, Any]] = {}
    for rule in defn.rules:
        if not fired[rule.id]:
            continue
        triggers[rule.id] = explain(rule.when, visible, fired, triggers)[0]
        out.append(
            {
                "id": rule.id,
                # `{key}` in a rule's texts names an answer (the tool, the class): the stored result keeps them.
                "title": fill(rule.title, defn, visible),
                "title_en": fill(rule.title_en, defn, visible, "en"),
                "effect": rule.effect,
                "explanation": fill(rule.explanation, defn, visible),
                "explanation_en": fill(rule.explanation_en, defn, visible, "en"),
                "source": rule.source,
                "source_en": rule.source_en,
                "triggered_by": triggers[rule.id],
            }
        )
    return out, triggers


def _reason(
    defn: Definition,
    w: Wording,
    direct: Mapping[str, Any],
    rule_ids: list[str],
    rules: Mapping[str, Any],
    visible: Mapping[str, Any],
) -> str:
    """Why an obligation applies here: the rules that fired and the answers, by their question labels."""
    reasons = []
    if rule_ids:
        titles = w.join([f"«{w.rule_title(rules[r], defn, visible)}»" for r in rule_ids])
        reasons.append(w.fired.format(rules=w.rule[len(rule_ids) > 1], titles=titles))
    if direct:
        phrases = "; ".join(w.answer_phrase(defn, k, v) for k, v in direct.items())
        reasons.append(f"{w.answer[len(direct) > 1]} {phrases}")
    return w.because.format(reasons=f" {w.and_} ".join(reasons)) if reasons else w.always


def _obligations(
    defn: Definition,
    visible: Mapping[str, Any],
    fired: Mapping[str, bool],
    rule_triggers: Mapping[str, Mapping[str, Any]],
) -> list[dict[str, Any]]:
    rules = {r.id: r for r in defn.rules}
    out = []
    for obligation in defn.obligations:
        if not evaluate(obligation.when, visible, fired):
            continue
        direct, rule_ids = explain(obligation.when, visible, fired)
        triggered_by = dict(direct)
        for rule_id in rule_ids:
            for key, value in rule_triggers.get(rule_id, {}).items():
                triggered_by.setdefault(key, value)
        why_en = (obligation.why_en or obligation.why).strip()
        out.append(
            {
                "code": obligation.code,
                "title": obligation.title,
                "title_en": obligation.title_en,
                "why": f"{obligation.why.strip()} {_reason(defn, NB, direct, rule_ids, rules, visible)}",
                "why_en": f"{why_en} {_reason(defn, EN, direct, rule_ids, rules, visible)}",
                "source": obligation.source,
                "source_en": obligation.source_en,
                "rules": rule_ids,
                "triggered_by": triggered_by,
            }
        )
    return out


def _contributions(core: Core) -> list[dict[str, Any]]:
    """Every answered question's points per kind, largest share of its axis first."""
    rows = []
    for question in core.scored:
        value = core.visible.get(question.key)
        if value is None:
            continue
        for kind_index, kind in enumerate(KINDS):
            if not question.points_map(kind):
                continue
            points = question.points(kind, value)
            total = core.max_points[kind]
            impact = points / total if total else 0.0
            rows.append(
                (
                    -impact,
                    kind_index,
                    question.order,
                    {
                        "key": question.key,
                        "section": question.section,
                        "label": question.label,
                        "kind": kind,
                        "value": value,
                        "points": points,
                        "max_points": question.max_points(kind),
                    },
                )
            )
    rows.sort(key=lambda row: row[:3])
    return [row[3] for row in rows]


def summary_json(result: Result | Mapping[str, Any]) -> dict[str, Any]:
    """The `score_answers` output: exactly the keys docs/scoring.md lists (section 9, "The result")."""
    r = result.to_dict() if isinstance(result, Result) else result
    return {
        "questionnaire": r["questionnaire"],
        "risk": {key: r["risk"][key] for key in ("score", "level", "axis")},
        "need": {key: r["need"][key] for key in ("score", "axis", "capped_by")},
        "quadrant": r["quadrant"],
        "verdict": r["verdict"],
        "complete": r["complete"],
        "hard_rules": [rule["id"] for rule in r["hard_rules"]],
        "obligations": [obligation["code"] for obligation in r["obligations"]],
        "contributions": r["contributions"],
        # The English texts (`note_en`) are for the UI; the output keeps the keys docs/scoring.md section 9 lists.
        "what_if": {key: value for key, value in r["what_if"].items() if key != "note_en"},
    }
