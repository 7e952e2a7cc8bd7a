"""What a submitted version asks of its action plan: one item per obligation of its result and per measure the
what-if names, with their texts in bokmål and English (`wanted_items`). Pure reading of the version and its
questionnaire; services/plans.py makes, refreshes and carries the items.
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _lazy

from assessments.engine.definition import Definition
from assessments.engine.loader import as_definition
from assessments.engine.wording import ENGLISH_QUOTES, without_rule_ids
from assessments.models import AssessmentVersion
from assessments.models.plans import PlanItem
from assessments.presentation.display import localized

WHAT_IF_SOURCE = "Hva om-analysen i KI-veilederen"
WHAT_IF_SOURCE_EN = "The what-if analysis in KI-veileder"


def _en(text: str) -> str:
    """An English text of the result, with English quotation marks (the stored sentences quote with «»)."""
    return (text or "").translate(ENGLISH_QUOTES)


def _obligation_fields(obligation: dict) -> dict:
    return {
        "kind": PlanItem.Kind.OBLIGATION,
        "title": obligation.get("title", obligation["code"])[:300],
        "why": obligation.get("why", ""),
        "source": (obligation.get("source") or "")[:300],
        "title_en": (obligation.get("title_en") or "")[:300],
        "why_en": _en(obligation.get("why_en", "")),
        "source_en": (obligation.get("source_en") or "")[:300],
        "measure_value": None,
        "measure_key": "",
    }


# A measure reads as a task: the answer to reach, then the question (not "question?: answer").
MEASURE_TITLE = _lazy("Sørg for at svaret blir «%(answer)s»: %(question)s")


def _measure_title(question, change: dict, lang: str) -> str:
    """The task in `lang`, labelled from the definition; a change whose question the definition lacks keeps the
    stored labels (in bokmål only: an English page then shows the bokmål title)."""
    if question is None or (lang == "en" and not question.label_en):
        if lang == "en":
            return ""
        labels = {"answer": change.get("to_label", ""), "question": change.get("label", change["key"])}
    else:
        labels = {
            "answer": question.value_label(change.get("to"), lang),
            "question": localized(question, "label", lang),
        }
    with translation.override(lang):
        return str(MEASURE_TITLE % labels)


def _measure_fields(change: dict, what_if: dict, defn: Definition) -> dict:
    """A measure: the question and the answer the what-if names, labelled from the definition in both languages."""
    question = defn.questions.get(change["key"])
    note, note_en = without_rule_ids(defn, what_if.get("note", "")), without_rule_ids(defn, what_if.get("note_en", ""))
    return {
        "kind": PlanItem.Kind.MEASURE,
        "title": _measure_title(question, change, "nb")[:300],
        "why": note,
        "source": WHAT_IF_SOURCE,
        "title_en": _measure_title(question, change, "en")[:300],
        "why_en": _en(note_en),
        "source_en": WHAT_IF_SOURCE_EN,
        "measure_value": change.get("to"),
        "measure_key": change["key"],
    }


# An obligation done by a measure the what-if names: its reason also says which answer lowers the risk.
DONE_BY_MEASURE = _lazy("Dette er også et tiltak fra hva om-analysen: %(task)s %(note)s")


def _done_by_measure(fields: dict, measure: dict) -> dict:
    """One item for an obligation and the measure that does it (`measure:` in the questionnaire): the obligation's
    key, title and source, the measure's answer, and both reasons, in each language."""
    whys = {}
    for lang, name in (("nb", "why"), ("en", "why_en")):
        task = measure["title"] if lang == "nb" else measure["title_en"]
        if not task or not fields[name]:
            # No English label for the question, or no English reason for the duty: the English reason stays as it
            # is (a blank one lets the page show the whole bokmål reason rather than half of it in English).
            whys[name] = fields[name]
            continue
        with translation.override(lang):
            added = str(DONE_BY_MEASURE % {"task": task, "note": measure[name]}).strip()
        whys[name] = f"{fields[name]}\n\n{added}"  # a paragraph of its own on the item's page
    return {**fields, **whys, "measure_value": measure["measure_value"], "measure_key": measure["measure_key"]}


def wanted_items(version: AssessmentVersion) -> dict[str, dict]:
    """key -> fields of the items the submitted result asks for: its obligations and the what-if's measures,
    with their texts in bokmål and, where the result or the definition has them, in English. A measure that an
    obligation of the result is done by is no item of its own: the obligation's item carries it."""
    result = version.result or {}
    what_if = result.get("what_if") or {}
    changes = {change["key"]: change for change in what_if.get("changes") or []}
    defn = as_definition(version.questionnaire.definition) if changes else None
    done_by = {o.code: o.measure for o in defn.obligations if o.measure} if defn else {}
    wanted = {}
    for obligation in result.get("obligations", []):
        fields = _obligation_fields(obligation)
        done_by_change = changes.pop(done_by.get(obligation["code"]), None)
        if done_by_change is not None:
            fields = _done_by_measure(fields, _measure_fields(done_by_change, what_if, defn))
        wanted[f"obligation:{obligation['code']}"] = fields
    for change in changes.values():
        wanted[f"measure:{change['key']}"] = _measure_fields(change, what_if, defn)
    return wanted
