"""A scoring result made ready for display (templates/assessments/_result.html, and the report).

`present(defn, result)` takes the stored result dict (`engine.scoring.Result.to_dict()`) and the definition it was
scored with, and returns plain values with translated labels: what the template shows needs no lookups.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from assessments import labels
from assessments.engine.definition import Definition
from assessments.engine.visibility import question_shown, visible_sections
from assessments.engine.wording import ENGLISH_QUOTES, without_rule_ids
from assessments.lifecycle import STOP_VERDICT
from assessments.presentation.display import english, language, localized
from assessments.presentation.matrix import describe_point, point_from_result, result_matrix
from assessments.presentation.quickpath import present_screening


def _pick(item: Mapping[str, Any], field: str) -> str:
    """`field` of a stored result item in the active language (older results have no English texts).
    The stored sentences quote with «»; an English page shows English quotation marks."""
    text = localized(item, field)
    return text.translate(ENGLISH_QUOTES) if english() and item.get(f"{field}_en") else text


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
    if english() and end in change:
        return answer_label(defn, change["key"], change[end])
    return change.get(f"{end}_label", "")


def question_label(defn: Definition, key: str) -> str:
    question = defn.questions.get(key)
    if question is None:
        return key
    return localized(question, "label")


def answer_label(defn: Definition, key: str, value: Any) -> str:
    question = defn.questions.get(key)
    if question is None:
        return str(value)
    return question.value_label(value, language())


def _answers(defn: Definition, answers: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"key": k, "label": question_label(defn, k), "value": answer_label(defn, k, v)} for k, v in answers.items()]


def _contributions(defn: Definition, result: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "label": question_label(defn, row["key"]),
            "section": _pick(vars(defn.section(row["section"])), "title") if row.get("section") else "",
            "kind": row["kind"],
            "kind_label": labels.label(labels.CONTRIBUTION_KINDS, row["kind"]),
            "value": answer_label(defn, row["key"], row["value"]),
            "points": row["points"],
            "max_points": row["max_points"],
        }
        for row in result.get("contributions", [])
        if row["points"]
    ]


def _risk(risk: Mapping[str, Any], scoring) -> dict[str, Any]:
    applied = (risk.get("mitigation") or {}).get("applied", False)
    return {
        "score": risk["score"],
        "level": risk["level"],
        "level_label": labels.label(labels.LEVELS, risk["level"]),
        "axis": risk["axis"],
        "axis_label": labels.label(labels.RISK_AXES, risk["axis"]),
        "mitigation_applied": applied,
        # The version's own share and cut (rules.yaml `scoring`), the same sentence on the page and in the PDF.
        "mitigation_note": _(
            "Tiltakene som er på plass, dekker minst %(share)s prosent av det som er mulig, så risikopoengene er "
            "redusert med %(cut)s prosent."
        )
        % {"share": round(scoring.mitigation_share * 100), "cut": round((1 - scoring.mitigation_factor) * 100)}
        if applied
        else "",
    }


def _need(defn: Definition, need: Mapping[str, Any]) -> dict[str, Any]:
    caps = {cap.id: cap for cap in defn.need_caps}
    return {
        "score": need["score"],
        "axis": need["axis"],
        "axis_label": labels.label(labels.NEED_AXES, need["axis"]),
        "capped_by": [
            {
                "title": _pick(vars(caps[c]), "title") if c in caps else c,
                "explanation": _pick(vars(caps[c]), "explanation") if c in caps else "",
            }
            for c in need.get("capped_by", [])
        ],
    }


def _missing(defn: Definition, result: Mapping[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "key": k,
            "label": question_label(defn, k),
            "section": defn.questions[k].section if k in defn.questions else "",
        }
        for k in result.get("missing", [])
    ]


def _stopped_by(result: Mapping[str, Any]) -> list[str]:
    """The titles of the absolute rules that stop the use, when they decide the conclusion (a provisional
    result has none yet)."""
    if result["verdict"] != STOP_VERDICT or not result.get("complete", False):
        return []
    return [_pick(rule, "title") for rule in result.get("hard_rules", []) if rule["effect"] == "stop"]


def _hard_rules(defn: Definition, result: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": rule["id"],
            "title": _pick(rule, "title"),
            "effect": rule["effect"],
            "effect_label": labels.label(labels.RULE_EFFECTS, rule["effect"]),
            "explanation": _pick(rule, "explanation"),
            "source": _pick(rule, "source"),
            "source_is_nb": not (english() and rule.get("source_en")),
            "triggered_by": _answers(defn, rule.get("triggered_by", {})),
        }
        for rule in result.get("hard_rules", [])
    ]


def _obligations(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "code": o["code"],
            "title": _pick(o, "title"),
            "why": _pick(o, "why"),
            "source": _pick(o, "source"),
            "source_is_nb": not (english() and o.get("source_en")),
            "keys": sorted(o.get("triggered_by", {})),  # the answers the reason quotes (the innsyn copy)
        }
        for o in result.get("obligations", [])
    ]


def _what_if(defn: Definition, result: Mapping[str, Any]) -> dict[str, Any]:
    what_if = result.get("what_if") or {}
    return {
        "possible": what_if.get("possible", False),
        "note": without_rule_ids(defn, _pick(what_if, "note")),
        "changes": [
            {
                "key": c["key"],
                "label": question_label(defn, c["key"]),
                "from": _change_value(defn, c, "from"),
                "to": _change_value(defn, c, "to"),
            }
            for c in what_if.get("changes", [])
        ],
        "score": what_if.get("score"),
        "level_label": labels.label(labels.LEVELS, what_if.get("level", "")),
    }


def present(defn: Definition, result: Mapping[str, Any], *, id_prefix: str = "matrix") -> dict[str, Any]:
    """Everything `_result.html` shows about one result."""
    if result.get("kind") == "simplified":  # the quick path: no scores, the screening's findings
        return present_screening(defn, result["screening"], result.get("screening_answers", {}))
    risk = result["risk"]
    scoring = defn.scoring
    stopped_by = _stopped_by(result)
    # The absolute rules that put the risk on the high side although the score is below the line.
    raised_by = (
        [_pick(rule, "title") for rule in result.get("hard_rules", [])]
        if risk["axis"] == "high" and float(risk["score"]) < scoring.risk_high_at
        else []
    )
    return {
        "verdict": result["verdict"],
        "verdict_label": labels.label(labels.VERDICTS, result["verdict"]),
        "verdict_text": labels.label(labels.VERDICT_TEXTS, result["verdict"]),
        "quadrant_label": labels.label(labels.QUADRANTS, result["quadrant"]),
        "quadrant": result["quadrant"],
        "risk": _risk(risk, scoring),
        "need": _need(defn, result["need"]),
        "complete": result.get("complete", False),
        "missing": _missing(defn, result),
        "hard_rules": _hard_rules(defn, result),
        "stopped_by": stopped_by,
        "held_high_by": [
            _pick(rule, "title") for rule in result.get("hard_rules", []) if rule["effect"] == "high_risk"
        ],
        "obligations": _obligations(result),
        "contradictions": contradictions(defn, result),
        "contributions": _contributions(defn, result),
        "what_if": _what_if(defn, result),
        "raised_by": raised_by,
        "position": describe_point(
            point_from_result(result, _("Tiltaket"), raised_by=raised_by, stopped_by=stopped_by),
            scoring.risk_high_at,
            scoring.need_high_at,
        ),
        "svg": result_matrix(
            result,
            id_prefix=id_prefix,
            risk_high_at=scoring.risk_high_at,
            need_high_at=scoring.need_high_at,
            raised_by=raised_by,
            stopped_by=stopped_by,
        ),
    }


def answer_row(question, answers: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """One answer for a reader in `lang`: the question's label and the readable value."""
    value = answers.get(question.key)
    return {
        "key": question.key,
        "label": localized(question, "label", lang),
        "value": question.value_label(value, lang) if value is not None else "",
        "answered": value is not None,
        "is_text": question.type == "text",  # typed by a person: Norwegian on English pages
    }


def shown_questions(defn: Definition, answers: Mapping[str, Any]):
    """The shown sections, each with its shown questions (a tool's facts are hidden when it is not in the
    overview), in order."""
    for section in visible_sections(defn, answers):
        yield section, [q for q in section.questions if question_shown(q, answers)]


def answer_sections(
    defn: Definition, answers: Mapping[str, Any], *, step_url=None, missing=frozenset()
) -> list[dict[str, Any]]:
    """The answers of the shown sections, by section, with readable values (and edit links when given)."""
    out = []
    lang = language()
    for section, questions in shown_questions(defn, answers):
        rows = [{**answer_row(q, answers, lang), "missing": q.key in missing} for q in questions]
        out.append(
            {
                "key": section.key,
                "title": localized(section, "title"),
                "url": step_url(section.key) if step_url else "",
                "rows": rows,
            }
        )
    return out
