"""Contradictions: answers that cannot both be true, and the worse reading scoring takes until they are resolved.

A definition lists its checks under `consistency` (docs/questionnaire-format.md). Each check's `when` is evaluated
over the answers as given (only those the leader can see count); while it holds, the answers in its `worse` map
replace the given ones for scoring, so a contradiction can never make the advice milder. The wizard shows each
contradiction at the questions whose answers make it hold (`involved`), and the summary and UKE's review list
them. Pure: no Django, no I/O.
"""

from collections.abc import Mapping
from typing import Any

from assessments.engine.conditions import evaluate, triggered_by
from assessments.engine.definition import ConsistencyCheck, Definition


def contradictions(defn: Definition, visible: Mapping[str, Any]) -> list[ConsistencyCheck]:
    """The checks that hold for these (visible) answers, in definition order."""
    return [check for check in defn.consistency if evaluate(check.when, visible)]


def worse_reading(visible: Mapping[str, Any], checks: list[ConsistencyCheck]) -> dict[str, Any]:
    """The answers with every fired check's `worse` answers in place of the given ones.

    Checks never depend on each other's readings: they are all evaluated on the answers as given, so the order
    of the checks cannot change the outcome. Two checks that set the same key agree by construction (both name
    the worse answer); if they ever did not, the later one wins, as listed in the definition.
    """
    effective = dict(visible)
    for check in checks:
        effective.update(check.worse)
    return effective


def involved(check: ConsistencyCheck, visible: Mapping[str, Any]) -> list[str]:
    """The check's questions whose answers make it hold, in the check's order: of a check over "not AI" and
    eight prohibited practices, "not AI" and the practices not ruled out, not all nine."""
    keys = triggered_by(check.when, visible)
    return [key for key in check.questions if key in keys] or list(check.questions)


def as_dicts(checks: list[ConsistencyCheck], visible: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The JSON-ready form a result stores (`visible`: the answers the checks were evaluated on)."""
    return [
        {
            "id": check.id,
            "title": check.title,
            "title_en": check.title_en,
            "message": check.message,
            "message_en": check.message_en,
            "questions": involved(check, visible),
            "worse": dict(check.worse),
        }
        for check in checks
    ]
