"""What exemptions from public access (models/public_access.py) leave out, for the public register, the public
tool overview JSON, UKE's exemption page and the innsyn copy. Reads only; every write is in
services/public_access.py.

One rule everywhere: exempt content is left out and the place where it stood says so, with the legal basis
(labels.exemption_notice), so a reader knows that something was withheld and why.
"""

from collections.abc import Iterable

from assessments.engine.definition import Definition
from assessments.engine.loader import as_definition
from assessments.labels import EXEMPT_FIELDS, EXEMPTION_BASES, TOOL_EXEMPT_FIELDS, exemption_notice, label
from assessments.models import AssessmentVersion, Exemption, Questionnaire, ToolExemption
from assessments.models.public_access import FIELD, QUESTION, SECTION
from assessments.presentation.display import localized
from assessments.presentation.result_view import question_label

# The public register's columns that come from answers, by the question that holds them.
REGISTER_QUESTIONS = {"title": "title", "tool": "cat_name", "ai_kind": "ai_kind"}
# The tool overview answers travel together: withholding the name withholds the entry it points at.
TOOL_QUESTIONS = ("cat_choice", "cat_ref", "cat_name")


def question_notices(defn: Definition, exemptions: Iterable[Exemption]) -> dict[str, str]:
    """Question key -> the notice to show instead of its answer (a section's exemption covers its questions)."""
    notices = {}
    sections = {section.key: section for section in defn.sections}
    for exemption in exemptions:
        if exemption.kind == SECTION and exemption.key in sections:
            for question in sections[exemption.key].questions:
                notices.setdefault(question.key, exemption_notice(exemption.basis))
        elif exemption.kind == QUESTION:
            notices[exemption.key] = exemption_notice(exemption.basis)
    if any(key in notices for key in TOOL_QUESTIONS):
        first = next(notices[key] for key in TOOL_QUESTIONS if key in notices)
        for key in TOOL_QUESTIONS:
            notices.setdefault(key, first)
    return notices


def field_notices(exemptions: Iterable[Exemption]) -> dict[str, str]:
    """Free-text field code (labels.EXEMPT_FIELDS) -> the notice to show instead of it."""
    return {e.key: exemption_notice(e.basis) for e in exemptions if e.kind == FIELD}


def redact_answers(answers: dict, notices: dict[str, str]) -> dict:
    return {key: value for key, value in answers.items() if key not in notices}


def describe(defn: Definition | None, exemption: Exemption) -> str:
    """What an exemption covers, in words, for UKE's page and the audit display."""
    if exemption.kind == FIELD:
        return label(EXEMPT_FIELDS, exemption.key)
    sections = {section.key: section for section in defn.sections} if defn is not None else {}
    if exemption.kind == SECTION and exemption.key in sections:
        return localized(sections[exemption.key], "title")
    if defn is not None and exemption.kind == QUESTION:
        return question_label(defn, exemption.key)
    return exemption.target


def _row(exemption, target: str, what: str) -> dict:
    who = exemption.created_by
    return {
        "target": target,
        "what": what,
        "basis": label(EXEMPTION_BASES, exemption.basis),
        "reason": exemption.reason,
        "by": (who.get_full_name() or who.get_username()) if who else "",
        "at": exemption.created_at,
    }


def exemption_rows(defn: Definition | None, exemptions: Iterable[Exemption]) -> list[dict]:
    return [_row(e, e.target, describe(defn, e)) for e in exemptions]


def tool_exemption_rows(exemptions: Iterable[ToolExemption]) -> list[dict]:
    return [_row(e, e.field, label(TOOL_EXEMPT_FIELDS, e.field)) for e in exemptions]


# --- The public register ----------------------------------------------------------------------------------


def register_notices(entries: list[dict]) -> dict[str, dict[str, str]]:
    """For a batch of register entries (with "uuid" and "version_id"): assessment uuid -> {register column ->
    notice} for the columns whose answers are exempt. Two queries for a batch, plus the definitions of the
    versions that have exemptions (cached by content)."""
    by_assessment: dict = {}
    for exemption in Exemption.objects.filter(assessment__uuid__in=[e["uuid"] for e in entries]).select_related(
        "assessment"
    ):
        by_assessment.setdefault(exemption.assessment.uuid, []).append(exemption)
    if not by_assessment:
        return {}
    version_ids = [e["version_id"] for e in entries if e["uuid"] in by_assessment]
    definitions = dict(
        AssessmentVersion.objects.filter(pk__in=version_ids).values_list("pk", "questionnaire__definition")
    )
    result = {}
    for entry in entries:
        exemptions = by_assessment.get(entry["uuid"])
        if not exemptions:
            continue
        notices = question_notices(as_definition(definitions[entry["version_id"]]), exemptions)
        columns = {column: notices[key] for column, key in REGISTER_QUESTIONS.items() if key in notices}
        if columns:
            result[entry["uuid"]] = columns
    return result


def exempt_from_filters(columns: Iterable[str]):
    """The assessments a public filter on these register columns must leave out: those whose column is exempt.
    Otherwise a search for a withheld title or tool would confirm it by finding the entry."""
    keys = {REGISTER_QUESTIONS[column] for column in columns}
    if "cat_name" in keys:
        keys |= set(TOOL_QUESTIONS)
    targets = {f"{QUESTION}:{key}" for key in keys}
    for definition in Questionnaire.objects.values_list("definition", flat=True):
        for section in as_definition(definition).sections:
            if keys & {question.key for question in section.questions}:
                targets.add(f"{SECTION}:{section.key}")
    return Exemption.objects.filter(target__in=targets).values("assessment_id")


def redact_register(entries: list[dict]) -> list[dict]:
    """The public register's entries with exempt columns replaced by their notice; `exempt` lists them."""
    notices = register_notices(entries)
    for entry in entries:
        columns = notices.get(entry["uuid"], {})
        entry["exempt"] = columns
        for column, notice in columns.items():
            entry[column] = notice
            if column == "ai_kind":
                entry["ai_kind_labels"] = [notice]
    return entries


# --- The tool overview ------------------------------------------------------------------------------------


def tool_notices(entry_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Tool entry id -> {field -> notice}, for a list of entries (one query)."""
    result: dict[int, dict[str, str]] = {}
    for exemption in ToolExemption.objects.filter(entry_id__in=list(entry_ids)):
        result.setdefault(exemption.entry_id, {})[exemption.field] = exemption_notice(exemption.basis)
    return result


def redact_tool(data: dict, notices: dict[str, str]) -> dict:
    """A tool's JSON with exempt fields set to null (and their labels), and `exempt` saying which and why."""
    for field in notices:
        for key in (field, f"{field}_label"):
            if key in data:
                data[key] = None
    data["exempt"] = {field: notice for field, notice in notices.items()}
    return data
