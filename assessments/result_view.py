"""A scoring result made ready for display (templates/assessments/_result.html, and the report).

`present(defn, result)` takes the stored result dict (`engine.scoring.Result.to_dict()`) and the definition it was
scored with, and returns plain values with translated labels: what the template shows needs no lookups.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .engine.definition import Definition
from .engine.visibility import visible_sections
from .matrix import describe_point, point_from_result, result_matrix


def verdict_labels() -> dict[str, str]:
    return {
        "stop": _("Stopp"),
        "recommended": _("Anbefalt"),
        "low_priority": _("Lav prioritet"),
        "proceed_with_safeguards": _("Kun med tiltak"),
        "advise_against": _("Frarådes"),
    }


def verdict_texts() -> dict[str, str]:
    return {
        "stop": _(
            "Tiltaket kan ikke tas i bruk slik det er beskrevet nå. Minst én absolutt regel slo til "
            "(se under), og det som utløser regelen, må endres før tiltaket kan vurderes på nytt."
        ),
        "recommended": _("Lav risiko og høyt behov: tiltaket kan gjennomføres når pliktene under er fulgt opp."),
        "low_priority": _("Lav risiko, men også lavt behov: vurder om gevinsten forsvarer innsatsen."),
        "proceed_with_safeguards": _(
            "Høyt behov, men høy risiko: tiltaket bør bare gjennomføres med tiltakene og pliktene under på plass."
        ),
        "advise_against": _(
            "Høy risiko og lavt behov: risikoen står ikke i forhold til gevinsten, og tiltaket frarådes."
        ),
    }


def level_labels() -> dict[str, str]:
    return {
        "low": _("Lav"),
        "moderate": _("Moderat"),
        "significant": _("Betydelig"),
        "very_high": _("Svært høy"),
    }


def risk_axis_labels() -> dict[str, str]:
    return {"low": _("lav risiko"), "high": _("høy risiko")}


def need_axis_labels() -> dict[str, str]:
    return {"low": _("lavt behov"), "high": _("høyt behov")}


def kind_labels() -> dict[str, str]:
    return {"risk": _("Risiko"), "mitigation": _("Tiltak"), "need": _("Behov")}


def effect_labels() -> dict[str, str]:
    return {"stop": _("Stopper tiltaket"), "high_risk": _("Gir høy risiko")}


def _english() -> bool:
    return (get_language() or "nb").startswith("en")


def _pick(item: Mapping[str, Any], field: str) -> str:
    """`field`, or in English `field_en` when there is one (results stored before it was added have not)."""
    return (item.get(f"{field}_en") or item.get(field, "")) if _english() else item.get(field, "")


def contradictions(defn: Definition, result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answers that contradict each other, with their questions by label and where they are asked."""
    return [
        {
            "id": check["id"],
            "title": _pick(check, "title"),
            "message": _pick(check, "message"),
            "questions": [
                {"key": key, "label": question_label(defn, key), "section": defn.questions[key].section}
                for key in check.get("questions", [])
                if key in defn.questions
            ],
        }
        for check in result.get("consistency", [])
    ]


def _change_value(defn: Definition, change: Mapping[str, Any], end: str) -> str:
    """A what-if change's `from` or `to` value: the stored bokmål label, or the value labelled in English."""
    if _english() and end in change:
        return answer_label(defn, change["key"], change[end])
    return change.get(f"{end}_label", "")


def question_label(defn: Definition, key: str) -> str:
    question = defn.questions.get(key)
    if question is None:
        return key
    return (question.label_en or question.label) if _english() else question.label


def answer_label(defn: Definition, key: str, value: Any) -> str:
    question = defn.questions.get(key)
    if question is None:
        return str(value)
    return question.value_label(value, "en" if _english() else "nb")


def _answers(defn: Definition, answers: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"key": k, "label": question_label(defn, k), "value": answer_label(defn, k, v)} for k, v in answers.items()]


def present(defn: Definition, result: Mapping[str, Any], *, id_prefix: str = "matrix") -> dict[str, Any]:
    """Everything `_result.html` shows about one result."""
    risk, need = result["risk"], result["need"]
    caps = {cap.id: cap for cap in defn.need_caps}
    scoring = defn.scoring
    contributions = [
        {
            "label": question_label(defn, row["key"]),
            "section": _pick(vars(defn.section(row["section"])), "title") if row.get("section") else "",
            "kind": row["kind"],
            "kind_label": kind_labels().get(row["kind"], row["kind"]),
            "value": answer_label(defn, row["key"], row["value"]),
            "points": row["points"],
            "max_points": row["max_points"],
        }
        for row in result.get("contributions", [])
        if row["points"]
    ]
    what_if = result.get("what_if") or {}
    return {
        "verdict": result["verdict"],
        "verdict_label": verdict_labels().get(result["verdict"], result["verdict"]),
        "verdict_text": verdict_texts().get(result["verdict"], ""),
        "quadrant": result["quadrant"],
        "risk": {
            "score": risk["score"],
            "level": risk["level"],
            "level_label": level_labels().get(risk["level"], risk["level"]),
            "axis": risk["axis"],
            "axis_label": risk_axis_labels()[risk["axis"]],
            "mitigation_applied": (risk.get("mitigation") or {}).get("applied", False),
        },
        "need": {
            "score": need["score"],
            "axis": need["axis"],
            "axis_label": need_axis_labels()[need["axis"]],
            "capped_by": [
                {
                    "title": _pick(vars(caps[c]), "title") if c in caps else c,
                    "explanation": _pick(vars(caps[c]), "explanation") if c in caps else "",
                }
                for c in need.get("capped_by", [])
            ],
        },
        "complete": result.get("complete", False),
        "missing": [
            {
                "key": k,
                "label": question_label(defn, k),
                "section": defn.questions[k].section if k in defn.questions else "",
            }
            for k in result.get("missing", [])
        ],
        "hard_rules": [
            {
                "id": rule["id"],
                "title": _pick(rule, "title"),
                "effect": rule["effect"],
                "effect_label": effect_labels().get(rule["effect"], rule["effect"]),
                "explanation": _pick(rule, "explanation"),
                "source": _pick(rule, "source"),
                "triggered_by": _answers(defn, rule.get("triggered_by", {})),
            }
            for rule in result.get("hard_rules", [])
        ],
        "obligations": [
            {"code": o["code"], "title": _pick(o, "title"), "why": _pick(o, "why"), "source": _pick(o, "source")}
            for o in result.get("obligations", [])
        ],
        "contradictions": contradictions(defn, result),
        "contributions": contributions,
        "what_if": {
            "possible": what_if.get("possible", False),
            "note": _pick(what_if, "note"),
            "changes": [
                {
                    "label": question_label(defn, c["key"]),
                    "from": _change_value(defn, c, "from"),
                    "to": _change_value(defn, c, "to"),
                }
                for c in what_if.get("changes", [])
            ],
            "score": what_if.get("score"),
            "level_label": level_labels().get(what_if.get("level", ""), what_if.get("level", "")),
        },
        "position": describe_point(
            point_from_result(result, _("Tiltaket")), scoring.risk_high_at, scoring.need_high_at
        ),
        "svg": result_matrix(
            result, id_prefix=id_prefix, risk_high_at=scoring.risk_high_at, need_high_at=scoring.need_high_at
        ),
    }


def answer_sections(
    defn: Definition, answers: Mapping[str, Any], *, step_url=None, missing=frozenset()
) -> list[dict[str, Any]]:
    """The answers of the shown sections, by section, with readable values (and edit links when given)."""
    english = _english()
    out = []
    for section in visible_sections(defn, answers):
        rows = []
        for question in section.questions:
            value = answers.get(question.key)
            rows.append(
                {
                    "key": question.key,
                    "label": (question.label_en or question.label) if english else question.label,
                    "value": question.value_label(value, "en" if english else "nb") if value is not None else "",
                    "answered": value is not None,
                    "missing": question.key in missing,
                }
            )
        out.append(
            {
                "key": section.key,
                "title": (section.title_en or section.title) if english else section.title,
                "url": step_url(section.key) if step_url else "",
                "rows": rows,
            }
        )
    return out
