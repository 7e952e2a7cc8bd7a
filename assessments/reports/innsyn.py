"""The innsyn copy: an assessment's report as it may be given to someone who asks for access under
offentleglova, with the parts UKE exempted (models/public_access.py) left out and the legal basis named where
they stood.

It is the decision report itself: the same context (render.build_context, the same presentation functions) and
the same template (reports/report.html or report_simplified.html, whose `innsyn` switch shows the notices),
redacted after the context is built, so no exempt value can reach the HTML. WeasyPrint fetches through the
report's StaticFilesFetcher (nothing outside the static files).

The copy is not sealed, and it carries no svar.json. The sealed report stays the record of the decision; a
second seal on an extract would need a stored copy for the verification page to recognise, and the copy is an
extract made for one request, not a record. The audit event keeps the SHA-256 of what was handed out and the
exemptions applied, so a copy can be matched later.
"""

from html import escape

from django.utils import translation
from django.utils.translation import gettext

from assessments.engine import interpolate
from assessments.engine.definition import Definition
from assessments.engine.loader import as_definition
from assessments.models import AssessmentVersion, Exemption, Report
from assessments.presentation import public_access as presentation
from assessments.presentation.display import english
from assessments.reports import pdf_structure
from assessments.reports import render as reports


def _redact_sections(sections: list[dict], notices: dict[str, str]) -> None:
    for section in sections:
        for row in section["rows"]:
            if row["key"] in notices:
                row.update(exempt=notices[row["key"]], value="", answered=True, comments=[])


def _first_notice(keys, notices: dict[str, str]) -> str:
    return next((notices[key] for key in keys if key in notices), "")


def _template(defn: Definition, rule: dict, field: str) -> str:
    """A rule's `field` as the questionnaire words it, with its `{key}` placeholders ("" for an unknown rule)."""
    try:
        source = defn.rule(rule["id"])
    except KeyError:  # not a rule of this version: nothing to fill
        return ""
    return (getattr(source, f"{field}_en") or getattr(source, field)) if english() else getattr(source, field)


def _title_with_notices(defn: Definition, rule: dict, answers: dict, notices: dict[str, str]) -> str:
    """A rule's title filled in anew from the questionnaire's text, with each exempt answer it names
    (`{sec_classification}`) replaced by the notice where the answer stood, and nowhere else."""
    template = _template(defn, rule, "title")
    if not any(key in notices for key in interpolate.placeholders(template)):
        return rule["title"]
    return interpolate.fill(template, defn, answers, "en" if english() else "nb", given=notices)


def _redact_shown(shown: dict, notices: dict[str, str], defn: Definition, answers: dict) -> None:
    """The findings quote answers too: a rule's explanation and an obligation's reason name the answers that
    set them off, and the what-if names answers with their values. Where one of those is exempt, the text
    gives way to the notice. Titles and sources are the questionnaire's, except where a title names an answer
    (`{sec_classification}`): that answer gives way to the notice in the title, and wherever the title is
    repeated (the short list under the conclusion, the matrix's text)."""
    retitled: dict[str, str] = {}
    for rule in shown.get("hard_rules", []):
        keys = [answer.get("key") for answer in rule.get("triggered_by", [])]
        keys += interpolate.placeholders(_template(defn, rule, "explanation"))  # answers quoted in the text itself
        if notice := _first_notice(keys, notices):
            rule["explanation"] = notice
        title = _title_with_notices(defn, rule, answers, notices)
        if title != rule["title"]:
            retitled[rule["title"]], rule["title"] = title, title
        rule["triggered_by"] = [
            {**answer, "value": notices[answer["key"]]} if answer.get("key") in notices else answer
            for answer in rule.get("triggered_by", [])
        ]
    for obligation in shown.get("obligations", []):
        if notice := _first_notice(obligation.get("keys", []), notices):
            obligation["why"] = notice
    for change in shown.get("what_if", {}).get("changes", []):
        if change.get("key") in notices:
            change["from"] = change["to"] = notices[change["key"]]
    for field in ("stopped_by", "held_high_by", "raised_by"):
        shown[field] = [retitled.get(title, title) for title in shown.get(field, [])]
    for old, new in retitled.items():
        shown["position"] = shown.get("position", "").replace(old, new)
        shown["svg"] = shown.get("svg", "").replace(escape(old, quote=False), escape(new, quote=False))
    # The per-answer points name answers without their keys; the report does not show them, the copy drops them.
    shown["contributions"] = []


def redact(context: dict, exemptions: list[Exemption]) -> dict:
    """The report context with every exempt answer and free text replaced by its notice (in place)."""
    defn = as_definition(context["questionnaire"].definition)
    notices = presentation.question_notices(defn, exemptions)
    fields = presentation.field_notices(exemptions)
    _redact_sections(context["sections"], notices)
    for earlier in context["history"]:  # a comment on an exempt question, and the reply to it, may quote the answer
        earlier["comments"] = [
            {**comment, "text": notices[comment["key"]], "reply": ""} if comment["key"] in notices else comment
            for comment in earlier["comments"]
        ]
    for row in context.get("screening_rows", []):  # the quick path's answers: the same keys as the questionnaire
        if row.get("key") in notices:
            row["answer"] = notices[row["key"]]
    _redact_shown(context["shown"], notices, defn, context["answers_file"]["answers"])
    context["answers_file"]["answers"] = presentation.redact_answers(context["answers_file"]["answers"], notices)
    if "title" in notices:
        # The cover's heading and the file's title name the copy, not the notice: a heading that reads "Unntatt
        # offentlighet – hjemmel: …" looks like the document's name. The cover's list of exemptions gives the basis.
        context["title"] = gettext("Innsynskopi – tittelen er unntatt offentlighet")
    if "decision_reason" in fields:
        context["decision"]["reason"] = ""
        context["decision_exempt"] = fields["decision_reason"]
        context["conditions"] = []
        for earlier in context["history"]:  # the earlier rounds' reasons are UKE's reasons too
            earlier["reason"], earlier["reason_exempt"] = "", fields["decision_reason"]
    if "comments" in fields:
        context["general_comments"] = []
        context["comments_exempt"] = fields["comments"]
        for section in context["sections"]:
            for row in section["rows"]:
                row["comments"] = []
        for earlier in context["history"]:  # a reply quotes and answers its comment, so it goes with it
            earlier["comments"], earlier["comments_exempt"] = [], fields["comments"]
    if "screening" in fields:
        context["screening_rows"] = []
        context["screening_exempt"] = fields["screening"]
    context["innsyn"] = True
    context["exemptions"] = presentation.exemption_rows(defn, exemptions)
    return context


def build_pdf(version: AssessmentVersion, exemptions: list[Exemption]) -> bytes:
    """The innsyn copy of a submitted version, as PDF/A-3b bytes."""
    assessment = version.assessment
    # An unsaved row: build_context reads a report's assessment, version and kind, nothing stored.
    report = Report(assessment=assessment, version=version, kind=Report.Kind.SIGNED)
    context = reports.build_context(report)
    with translation.override(context["lang"]):
        redact(context, exemptions)
        context["running_footer"] = f"{context['running_footer']} · {gettext('innsynskopi')}"
        html = reports.render_html(context)
    pdf = reports.write_pdf(html, None, title=context["title"])
    return pdf_structure.finish(pdf, producer=pdf_structure.producer(sealed=False))
