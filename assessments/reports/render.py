"""The report: a Django template with its own print stylesheet, rendered by WeasyPrint as PDF/A-3 with the
answers file embedded, sealed by signing.py, and stored per agency through Django's storage API.

WeasyPrint runs in a long-lived process (the worker), so the parsed stylesheet and the font configuration
are made once per process. User text reaches the HTML only through the template's auto-escaping, and
WeasyPrint fetches through `StaticFilesFetcher`, which serves the app's own static files and refuses
everything else: no network, no file outside the static folders, no data: URLs.

The life of a `Report` row (claiming, finishing, the sweeps) is in jobs.py; this module makes and
stores the file and verifies one. WeasyPrint is imported at the top like everything else: the verification page
and the innsyn copy use this module in the web process, and pdf_structure needs WeasyPrint anyway, so a lazy import
saved nothing.
"""

import hashlib
import json
import logging
import mimetypes
import posixpath
import threading
import time
from collections import defaultdict
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from assessments.audit import chain as audit
from assessments.engine.answers import validate_answers
from assessments.engine.loader import as_definition
from assessments.engine.scoring import score
from assessments.models import Assessment, PlanItem, Report
from assessments.models.officers import officer_advice_for
from assessments.presentation import result_view
from assessments.presentation.display import localized
from assessments.presentation.quickpath import screening_rows
from assessments.reports import pdf_structure, signing
from assessments.text import clean_text

log = logging.getLogger(__name__)

# A made-up origin (the .invalid top-level domain never resolves): URLs under it name static files.
STATIC_ORIGIN = "https://static.kiveileder.invalid/"
STYLESHEET = "reports/report.css"
ATTACHMENT_NAME = signing.ATTACHMENT_NAME
_FONT_TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf"}


# --- Fetching: the app's static files, nothing else ----------------------------------------------------


class URLRefused(ValueError):
    """WeasyPrint asked for something other than one of the app's static files."""


def static_path_for(url: str) -> Path | None:
    """The file on disk that `url` names, when it is one of the app's static files; otherwise None."""
    if not isinstance(url, str) or not url.startswith(STATIC_ORIGIN):
        return None
    parts = urlsplit(url)
    if parts.query or parts.username or parts.password or parts.port:
        return None
    relative = unquote(parts.path).lstrip("/")
    if not relative or "\x00" in relative or "\\" in relative:
        return None
    normal = posixpath.normpath(relative)
    if normal in (".", "..") or normal.startswith(("../", "/")):
        return None
    found = finders.find(normal)
    if not found:
        return None
    path = Path(found)
    return path if path.is_file() else None


class StaticFilesFetcher(URLFetcher):
    """Serves files under STATIC_ORIGIN from the static folders; refuses every other URL."""

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols=("https",), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url, headers=None):
        path = static_path_for(url)
        if path is None:
            log.warning("Report rendering refused to fetch %.200s", url)
            raise URLRefused(f"refused: {url[:200]}")
        content_type = _FONT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
        headers = {"Content-Type": content_type or "application/octet-stream"}
        return URLFetcherResponse(url, path.read_bytes(), headers)


FETCHER = StaticFilesFetcher()


@cache
def _styles():
    """One parsed stylesheet and one font configuration per process (parsing and font loading are slow)."""
    font_config = FontConfiguration()
    stylesheet = CSS(url=STATIC_ORIGIN + STYLESHEET, url_fetcher=FETCHER, font_config=font_config)
    return stylesheet, font_config


# One render at a time per process: the shared font configuration is not documented as thread-safe.
_render_lock = threading.Lock()


# --- What goes into the report ---------------------------------------------------------------------------


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def answers_file(assessment: Assessment, *, questionnaire_version: str, answers: dict, version=None,
                 report: Report | None = None) -> dict:  # fmt: skip
    """The answers file (format in docs/questionnaire-format.md, with `meta`) that the report embeds as svar.json."""
    return {
        "questionnaire": questionnaire_version,
        "answers": answers,
        "meta": {
            "agency": assessment.agency.name,
            "assessment": str(assessment.uuid),
            "version": version.number if version is not None else None,
            "source": "version" if version is not None else "draft",
            "decision": version.decision if version is not None else "",
            "report": str(report.uuid) if report is not None else None,
            "exported_at": timezone.now().isoformat(timespec="seconds"),
        },
    }


def build_context(report: Report) -> dict:
    """Everything the template shows, from the version (a decision) or the live draft (a preview), with
    every label in the assessment's language."""
    with translation.override(report.assessment.language or "nb"):
        return _context(report)


def _comments(version) -> dict[str, list[dict]]:
    """The version's review comments by question key (blank: the general ones)."""
    comments = defaultdict(list)
    for comment in version.comments.select_related("author").all() if version else []:
        comments[comment.question_key].append(
            {"author": _person(comment.author), "at": comment.created_at, "text": comment.text}
        )
    return comments


def _history(assessment: Assessment, version, defn, lang: str) -> list[dict]:
    """The rounds of review before this version (a preview: every version so far): UKE's decision and reason, its
    comments and the agency's replies. A decision often builds on them ("the sampling routine must be followed"
    refers to a reply), and the sealed report is what an auditor reads."""
    earlier = assessment.versions.select_related("submitted_by", "decided_by").prefetch_related(
        "comments__author", "comments__replied_by"
    )
    if version is not None:
        earlier = earlier.filter(number__lt=version.number)
    elif latest := assessment.latest_version():  # a preview: the latest version's comments stand in the rows
        earlier = earlier.filter(number__lt=latest.number)
    rounds = []
    for old in earlier.order_by("number"):
        rounds.append(
            {
                "number": old.number,
                "submitted_at": old.submitted_at,
                "submitted_by": _person(old.submitted_by),
                # A version with no decision before a later one was taken back by the agency before UKE decided.
                "decision": old.get_decision_display() if old.decision else gettext("Hentet tilbake av virksomheten"),
                "decided_at": old.decided_at,
                "decided_by": _person(old.decided_by),
                "reason": old.decision_reason,
                "comments": [_history_comment(comment, defn, lang) for comment in old.comments.all()],
            }
        )
    return rounds


def _history_comment(comment, defn, lang: str) -> dict:
    question = defn.questions.get(comment.question_key) if comment.question_key else None
    return {
        "key": comment.question_key,
        "question": localized(question, "label", lang) if question else "",
        "general": not comment.question_key,
        "author": _person(comment.author),
        "at": comment.created_at,
        "text": comment.text,
        "reply": comment.reply,
        "replied_by": _person(comment.replied_by),
        "replied_at": comment.replied_at,
    }


def _sections(defn, answers: dict, comments: dict, lang: str) -> list[dict]:
    sections = []
    for section, questions in result_view.shown_questions(defn, answers):
        rows = [{**result_view.answer_row(q, answers, lang), "comments": comments.get(q.key, [])} for q in questions]
        sections.append({"key": section.key, "title": localized(section, "title", lang), "rows": rows})
    return sections


def _context(report: Report) -> dict:
    assessment = report.assessment
    lang = assessment.language or "nb"
    preview = report.kind == Report.Kind.PREVIEW
    if preview:
        questionnaire = assessment.questionnaire
        defn = as_definition(questionnaire.definition)
        answers = validate_answers(defn, assessment.answers)[0]
        result = score(defn, answers).to_dict()
        version = None
        comment_version = assessment.latest_version()
    else:
        version = report.version
        questionnaire = version.questionnaire
        defn = as_definition(questionnaire.definition)
        answers = version.answers
        result = version.result
        comment_version = version

    comments = _comments(comment_version)
    sections = _sections(defn, answers, comments, lang)
    data = answers_file(
        assessment, questionnaire_version=questionnaire.version, answers=answers, version=version, report=report
    )
    return {
        "report": report,
        "assessment": assessment,
        "agency": assessment.agency,
        "version": version,
        "preview": preview,
        "lang": lang,
        "questionnaire": questionnaire,
        "title": answers.get("title") or assessment.title,
        "result": result,
        "shown": result_view.present(defn, result, id_prefix="report-matrix"),
        "sections": sections,
        "screening_rows": screening_rows(defn, result),  # the quick path's short report
        "general_comments": comments.get("", []),
        "history": _history(assessment, version, defn, lang),
        "officer_advice": _officer_advice(assessment, version),
        "decision": {
            "label": version.get_decision_display() if version and version.decision else "",
            "code": version.decision if version else "",
            "by": _person(version.decided_by) if version else "",
            "at": version.decided_at if version else None,
            "reason": version.decision_reason if version else "",
        },
        "submitted_by": _person(version.submitted_by) if version else "",
        "conditions": PlanItem.conditions_of(version),
        "running_footer": _running_footer(assessment, version),
        # a page background, so it is drawn as an artifact and never read out as content
        "watermark": f"reports/watermark-{'en' if lang == 'en' else 'nb'}.svg",
        "generated_at": timezone.now(),
        "answers_file": data,
    }


def _officer_advice(assessment: Assessment, version) -> list[dict]:
    """That the DPO or the security officer gave advice, and when (the advice itself stays with UKE).
    A decision's report lists the advice given up to the decision."""
    advice = officer_advice_for(assessment)
    if version is not None and version.decided_at:
        advice = [a for a in advice if a.created_at <= version.decided_at]
    return [{"role": a.get_role_display(), "at": a.created_at, "version": a.version.number} for a in advice]


def _running_footer(assessment: Assessment, version) -> str:
    """The footer text on every page after the cover (a page-margin box: an artifact, not content)."""
    state = f"{gettext('versjon')} {version.number}" if version else gettext("utkast, ikke innsendt")
    return f"{gettext('KI-veileder')} · {gettext('vurdering')} {assessment.uuid} · {state}"


def render_html(context: dict) -> str:
    with translation.override(context["lang"]):
        # No bidirectional overrides or zero-width characters reach the PDF, whenever the text was stored.
        simplified = context.get("shown", {}).get("simplified")
        template = "reports/report_simplified.html" if simplified else "reports/report.html"
        return clean_text(render_to_string(template, context))


def write_pdf(html: str, answers: dict | None, *, title: str) -> bytes:
    """HTML -> PDF/A-3b, tagged, with the answers file attached as svar.json (none when `answers` is None: the
    innsyn copy, whose exempt answers must not travel in an attachment)."""

    stylesheet, font_config = _styles()
    attachments = []
    if answers is not None:
        attachments.append(
            Attachment(
                string=json.dumps(answers, ensure_ascii=False, indent=2),
                name=ATTACHMENT_NAME,
                description=f"Svarene i vurderingen «{title}» (kan importeres i KI-veileder)",
                relationship="Data",
                url_fetcher=FETCHER,
            )
        )
    with _render_lock:
        document = HTML(string=html, base_url=STATIC_ORIGIN, url_fetcher=FETCHER)
        return document.write_pdf(
            stylesheets=[stylesheet],
            font_config=font_config,
            pdf_variant="pdf/a-3b",
            pdf_tags=True,
            attachments=attachments,
        )


def signature_reason(report: Report) -> str:
    version = report.version
    decision = version.get_decision_display().lower() if version.decision else "behandlet"
    return f"KI-veileder: vurdering {report.assessment.uuid} versjon {version.number} {decision}"


def storage_name(report: Report, sha256: str) -> str:
    assessment = report.assessment
    if report.kind == Report.Kind.PREVIEW:
        return f"previews/{assessment.agency.slug}/{assessment.uuid}/utkast-{sha256[:12]}.pdf"
    if report.kind == Report.Kind.PLAN:
        return f"plan-reports/{assessment.agency.slug}/{assessment.uuid}/{report.as_of.isoformat()}-{sha256[:12]}.pdf"
    return f"reports/{assessment.agency.slug}/{assessment.uuid}/v{report.version.number}-{sha256[:12]}.pdf"


def build_pdf(report: Report) -> dict:
    """Render (and, for a decision, seal) the report. Returns the bytes and what to record about them."""
    started = time.perf_counter()
    sealed = report.kind == Report.Kind.SIGNED
    context = build_context(report)
    if sealed:
        # The audit chain's head at signing time travels sealed inside the report: a later rollback of
        # the chain behind this point shows against any copy of the report.
        head = audit.head_snapshot()
        context["answers_file"]["meta"]["audit_head"] = {k: head[k] for k in ("count", "hash", "last_event_id", "at")}
    pdf = write_pdf(render_html(context), context["answers_file"], title=context["title"])
    with translation.override(context["lang"]):
        pdf = pdf_structure.finish(
            pdf,
            producer=pdf_structure.producer(sealed=sealed),
            signature_field=signing.FIELD_NAME if sealed else "",
            signature_label=gettext("Oslo kommunes elektroniske segl på rapporten") if sealed else "",
        )
    render_ms = round((time.perf_counter() - started) * 1000)
    sign_ms, signer = None, ""
    if sealed:
        started = time.perf_counter()
        pdf = signing.sign_pdf(pdf, reason=signature_reason(report))
        sign_ms = round((time.perf_counter() - started) * 1000)
        signer = signing.seal_identity().common_name
    return {"pdf": pdf, "render_ms": render_ms, "sign_ms": sign_ms, "signer": signer}


def store(report: Report, pdf: bytes) -> tuple[str, str]:
    """Save under a content-addressed name; a second save of the same bytes reuses the file."""
    sha256 = hashlib.sha256(pdf).hexdigest()
    name = storage_name(report, sha256)
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(pdf))
        if saved != name:  # a concurrent writer stored the same name first; keep one copy
            default_storage.delete(saved)
    return name, sha256


# --- Verification: which stored report is this? -------------------------------------------------------


def verify_document(data: bytes) -> dict:
    """Check the seal (signing.verify_pdf; raises NotAPdfError) and find the stored report: by the SHA-256
    of the bytes (the same file), and by the assessment id and version written inside the document."""
    outcome = signing.verify_pdf(data)
    outcome["stored"] = (
        Report.objects.filter(sha256=outcome["sha256"], kind=Report.Kind.SIGNED, status=Report.Status.READY)
        .select_related("assessment__agency", "version")
        .first()
    )
    outcome["claimed"] = None
    claimed_id, claimed_version = outcome.get("assessment"), outcome.get("version")
    if claimed_id and isinstance(claimed_version, int):
        try:
            outcome["claimed"] = (
                Report.objects.filter(
                    assessment__uuid=claimed_id, version__number=claimed_version, kind=Report.Kind.SIGNED
                )
                .select_related("assessment__agency", "version")
                .first()
            )
        except ValidationError:  # not a UUID
            outcome["claimed"] = None
    # A sealed status report of an action plan (plan_status.py) is found by its checksum too.
    outcome["plan_report"] = (
        Report.objects.filter(sha256=outcome["sha256"], kind=Report.Kind.PLAN, status=Report.Status.READY)
        .select_related("assessment__agency")
        .first()
    )
    outcome["matches"] = bool(
        outcome["valid"]
        and outcome["stored"] is not None
        and (outcome["claimed"] is None or outcome["claimed"].pk == outcome["stored"].pk)
    ) or bool(outcome["valid"] and outcome["plan_report"] is not None)
    if outcome["valid"] and not outcome["matches"]:
        outcome["problem"] = "unknown: the seal is ours, but no stored report has these exact bytes"
    return outcome
