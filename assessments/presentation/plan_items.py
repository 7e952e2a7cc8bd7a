"""What the action plan shows beside an item that is not stored on it: the answer that already says it is done.

An obligation done by a measure (`measure:` in the questionnaire: a DPIA, a data processing agreement, telling
residents) is listed whenever its condition holds, also when the leader has answered that the measure is in place.
The item still starts "not started": an answer is a claim, and UKE's conditions count as done only with a record
(services/go_live). The plan says which answer claims it, so the leader records the evidence instead of wondering
why a finished task is listed."""

from assessments.engine.loader import as_definition
from assessments.engine.whatif import best_value
from assessments.models import Assessment
from assessments.presentation.display import language, localized

OBLIGATION_PREFIX = "obligation:"


def mark_answered_in_place(assessment: Assessment, items: list) -> None:
    """Set `item.answered_in_place` to {"question", "answer"} on each open obligation item whose measure the latest
    version answers with its best answer (None elsewhere)."""
    version = assessment.latest_version()
    defn = as_definition(version.questionnaire.definition) if version else None
    measures = {o.code: o.measure for o in defn.obligations if o.measure} if defn else {}
    lang = language()
    for item in items:
        item.answered_in_place = None
        code = item.key.removeprefix(OBLIGATION_PREFIX) if item.key.startswith(OBLIGATION_PREFIX) else None
        question = defn.questions.get(measures.get(code, "")) if defn else None
        if question is None or not item.is_open:
            continue
        answer = version.answers.get(question.key)
        if answer is not None and answer == _in_place(question):
            item.answered_in_place = {
                "question": localized(question, "label", lang),
                "answer": question.value_label(answer, lang),
            }


def _in_place(question) -> object:
    # A yes/no measure may carry no points (a documented transfer basis only ends a rule): «Ja» is in place.
    return "yes" if question.type in ("yes_no", "yes_no_unknown") else best_value(question)
