"""The PDF report: render -> seal -> validate, the embedded answers file, PDF metadata, and the fetcher that
keeps user text from reaching the network or the disk."""

import hashlib
import io
import json
import socket
import subprocess
import threading

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from assessments import services
from assessments.demo.decided import COPILOT_LETTERS, FREE_CHATBOT, HOUSING_RANKING
from assessments.engine.answers import validate_answers_file
from assessments.models import AuditEvent, Report, ReviewComment
from assessments.reports import render as reports
from assessments.reports import signing
from assessments.templatetags.report_tags import css_string
from tests import review_helpers
from tests.conftest import require_tool
from tests.report_helpers import (
    SEAL_PASSWORD,
    flip_one_byte_in_signed_content,
    ready_preview,
    submitted,
    use_test_seal,
)


@pytest.fixture(autouse=True)
def seal_file(settings, tmp_path_factory):
    return use_test_seal(settings, tmp_path_factory)


def approve(world, assessment, capture, comment="Godkjent etter gjennomgang."):
    with capture(execute=True):
        services.assessment_approve(assessment=assessment, user=world.users["reviewer"], comment=comment)
    return assessment.reports.get(kind="signed")


def stored_bytes(report) -> bytes:
    with default_storage.open(report.storage_name, "rb") as handle:
        return handle.read()


def trust_root_from(seal_file):
    """The trust root, read from the .p12 independently of the app's signing module."""
    _key, cert, _ = pkcs12.load_key_and_certificates(seal_file.read_bytes(), SEAL_PASSWORD.encode())
    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


@pytest.fixture
def approved(world, django_capture_on_commit_callbacks):
    assessment = submitted(world.agency_a, world.users["leader_a"])
    ReviewComment.objects.create(
        version=assessment.latest_version(),
        question_key="benefit",
        author=world.users["reviewer"],
        text="Hvordan skal gevinsten måles?",
    )
    report = approve(world, assessment, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    return assessment, report


def test_it_renders_seals_and_validates_and_a_flipped_byte_breaks_the_seal(approved, seal_file):
    assessment, report = approved
    assert report.status == "ready", report.error
    data = stored_bytes(report)
    assert data.startswith(b"%PDF-")
    root = trust_root_from(seal_file)

    status = validate_pdf_signature(
        PdfFileReader(io.BytesIO(data)).embedded_signatures[0], ValidationContext(trust_roots=[root])
    )
    assert status.bottom_line and status.intact and status.trusted
    assert signing.verify_pdf(data)["valid"]

    tampered = flip_one_byte_in_signed_content(data)
    status = validate_pdf_signature(
        PdfFileReader(io.BytesIO(tampered)).embedded_signatures[0], ValidationContext(trust_roots=[root])
    )
    assert not status.intact
    outcome = signing.verify_pdf(tampered)
    assert not outcome["valid"] and not outcome["intact"]
    assert "tampered" in outcome["problem"]


def test_it_is_a_pades_seal_recorded_on_the_row_and_stored_under_the_agency(approved):
    assessment, report = approved
    data = stored_bytes(report)
    signature = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert report.signer == "KI-veileder testsegl"
    assert report.sha256 == hashlib.sha256(data).hexdigest() and report.size == len(data)
    assert report.storage_name == f"reports/bydel-testa/{assessment.uuid}/v1-{report.sha256[:12]}.pdf"
    assert report.render_ms is not None and report.sign_ms is not None and report.attempts == 1


def test_the_answers_file_is_attached_and_the_pdf_has_title_language_tags_and_pdfa_id(approved):
    assessment, report = approved
    reader = PdfFileReader(io.BytesIO(stored_bytes(report)))
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    assert str(names[0]) == "svar.json"
    data = json.loads(names[1].get_object()["/EF"]["/F"].get_object().data)
    assert validate_answers_file(data) == {}
    assert data["questionnaire"] == assessment.questionnaire.version
    assert data["answers"] == assessment.latest_version().answers
    assert data["meta"]["assessment"] == str(assessment.uuid)
    assert data["meta"]["version"] == 1
    assert data["meta"]["decision"] == "approved"

    assert str(reader.root["/Lang"]) == "nb"
    assert str(reader.trailer["/Info"]["/Title"]) == f"KI-vurdering: {assessment.title}"
    assert "/StructTreeRoot" in reader.root
    metadata = reader.root["/Metadata"].get_object().data
    assert b"pdfaid:part" in metadata


def test_the_report_shows_what_the_design_asks_for(world, approved):
    assessment, report = approved
    context = reports.build_context(report)
    html = reports.render_html(context)
    version = assessment.latest_version()
    for expected in [
        "Bydel Testå",
        assessment.title,
        "Anbefalt",
        "<svg",
        "Opplæring i KI-kompetanse",
        "Kilde",  # an obligation with its source
        "Hvor stor gevinst venter dere",  # a question label from the answers section
        "Hvordan skal gevinsten måles?",  # the reviewer's comment on a question
        "Godkjent etter gjennomgang.",
        "Reviewer Test",  # the decision: reason and who
        "Vær varsom",
        str(assessment.uuid),
        "versjon 1",
    ]:
        assert expected in html, expected
    assert context["result"] == version.result


def test_an_english_assessment_gets_an_english_report(world, approved):
    assessment, report = approved
    assessment.language = "en"
    assessment.save(update_fields=["language"])
    html = reports.render_html(reports.build_context(report))
    obligation = next(o for o in assessment.latest_version().result["obligations"] if o.get("why_en"))
    assert '<html lang="en"' in html
    # The reason the scoring wrote in English is what the English report shows.
    # (with English quotation marks: the stored sentence quotes with «»)
    english_quotes = str.maketrans({"«": "“", "»": "”"})
    assert obligation["why_en"].split(".")[-2].strip().translate(english_quotes) in html


def test_a_stop_verdict_lists_its_hard_rule(world, django_capture_on_commit_callbacks):
    assessment = submitted(world.agency_a, world.users["leader_a"], FREE_CHATBOT)
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_reject(assessment=assessment, user=world.users["reviewer"], reason="Kan ikke brukes slik.")
    report = assessment.reports.get()
    html = reports.render_html(reports.build_context(report))
    assert "Personopplysninger eller intern informasjon i et verktøy uten avtale" in html
    assert "Stopp" in html and "Kan ikke brukes slik." in html
    assert report.status == "ready" and signing.verify_pdf(stored_bytes(report))["valid"]


def test_a_long_high_risk_report_renders(world, django_capture_on_commit_callbacks):
    assessment = submitted(world.agency_a, world.users["leader_a"], HOUSING_RANKING)
    report = approve(world, assessment, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.status == "ready", report.error
    html = reports.render_html(reports.build_context(report))
    assert "Vurdering av grunnleggende rettigheter" in html  # the FRIA section and obligation


# --- Previews ------------------------------------------------------------------------------------


def test_a_preview_is_unsigned_watermarked_and_stored_under_previews(world, django_capture_on_commit_callbacks):
    assessment, report = ready_preview(world, django_capture_on_commit_callbacks)
    assert report.storage_name.startswith(f"previews/bydel-testa/{assessment.uuid}/utkast-")
    assert report.signer == ""
    outcome = signing.verify_pdf(stored_bytes(report))
    assert outcome["signed"] is False and outcome["problem"] == "unsigned"
    html = reports.render_html(reports.build_context(report))
    assert f"background: url({css_string('reports/watermark-nb.svg')})" in html  # UTKAST as the page background


# --- User text and URL fetching ----------------------------------------------------------------------


class Listener:
    """A TCP listener on loopback that records every connection made to it."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def test_the_listener_does_see_a_request(listener):
    """The control: the listener is real, so silence in the tests below means something."""
    socket.create_connection(("127.0.0.1", listener.port), timeout=1).close()
    for _ in range(50):
        if listener.connections:
            break
        threading.Event().wait(0.05)
    assert listener.connections == 1


def test_html_in_an_answer_fetches_nothing_and_renders_as_text(world, listener, django_capture_on_commit_callbacks):
    payload = f'<img src="http://127.0.0.1:{listener.port}/x">'
    css = f'<link rel="stylesheet" href="http://127.0.0.1:{listener.port}/s.css">'
    answers = {**COPILOT_LETTERS, "description": f"Beskrivelse {payload} {css}"}
    assessment = submitted(world.agency_a, world.users["leader_a"], answers)
    report = approve(world, assessment, django_capture_on_commit_callbacks, comment=payload)
    report.refresh_from_db()
    assert report.status == "ready", report.error
    threading.Event().wait(0.3)
    assert listener.connections == 0
    html = reports.render_html(reports.build_context(report))
    assert payload not in html and "&lt;img src=&quot;http://127.0.0.1" in html
    pdftotext = require_tool("pdftotext")
    text = subprocess.run([pdftotext, "-", "-"], input=stored_bytes(report), capture_output=True, check=True).stdout
    assert f'<img src="http://127.0.0.1:{listener.port}/x">'.encode() in text.replace(b"\n", b"")


def test_even_unescaped_html_cannot_make_the_renderer_fetch(listener):
    """Defence in depth: if escaping ever failed, the fetcher still refuses the request."""
    html = (
        f'<html><body><img src="http://127.0.0.1:{listener.port}/img.png">'
        f'<link rel="stylesheet" href="http://127.0.0.1:{listener.port}/s.css">'
        '<img src="file:///etc/passwd">'
        '<p style="background: url(data:image/png;base64,AAAA)">x</p></body></html>'
    )
    pdf = reports.write_pdf(html, {"answers": {}}, title="x")
    threading.Event().wait(0.3)
    assert pdf.startswith(b"%PDF-") and listener.connections == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "https://example.org/x.css",
        "file:///etc/passwd",
        "data:text/css,body{}",
        reports.STATIC_ORIGIN + "../../etc/passwd",
        reports.STATIC_ORIGIN + "reports/%2e%2e/%2e%2e/%2e%2e/kiveileder/settings.py",
        reports.STATIC_ORIGIN + "reports/report.css?x=1",
        reports.STATIC_ORIGIN + "does/not/exist.css",
        "https://static.kiveileder.invalid.example.org/reports/report.css",
    ],
)
def test_the_fetcher_refuses_everything_but_static_files(url):
    with pytest.raises(reports.URLRefused):
        reports.FETCHER.fetch(url)


def test_the_fetcher_serves_the_report_stylesheet():
    response = reports.FETCHER.fetch(reports.STATIC_ORIGIN + "reports/report.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


# --- Independent checks (Debian tools; required in CI) -------------------------------------------------


def test_pdfsig_calls_the_signature_valid_and_qpdf_finds_no_errors(approved, tmp_path):
    _assessment, report = approved
    path = tmp_path / "rapport.pdf"
    path.write_bytes(stored_bytes(report))
    pdfsig = require_tool("pdfsig")
    out = subprocess.run([pdfsig, str(path)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid" in out, out
    assert "ETSI.CAdES.detached" in out
    qpdf = require_tool("qpdf")
    checked = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "No syntax or stream encoding errors" in checked.stdout

    tampered = tmp_path / "endret.pdf"
    tampered.write_bytes(flip_one_byte_in_signed_content(path.read_bytes()))
    out = subprocess.run([pdfsig, str(tampered)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid" not in out


def test_a_signed_report_carries_the_audit_chains_head_at_signing(world, django_capture_on_commit_callbacks):
    from assessments.models import AuditHead

    assessment = submitted(world.agency_a, world.users["leader_a"])
    report = approve(world, assessment, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    reader = PdfFileReader(io.BytesIO(stored_bytes(report)))
    head = signing._embedded_answers(reader)["meta"]["audit_head"]
    approved_event = AuditEvent.objects.get(action="assessment.approved")
    assert head["last_event_id"] >= approved_event.pk  # the decision is inside what the report vouches for
    assert AuditEvent.objects.get(pk=head["last_event_id"]).hash == head["hash"]
    assert AuditEvent.objects.filter(pk__lte=head["last_event_id"]).count() == head["count"]
    assert head["count"] <= AuditHead.objects.get().count


def test_a_norwegian_source_in_an_english_report_is_marked_as_norwegian():
    """The hard rules are one partial for the result page and the PDF: a source with no English text is
    marked `lang="nb"` in both, so a screen reader and the PDF's language tags read it as Norwegian."""
    rule = {"title": "Rule", "effect_label": "Stops", "source": "Forvaltningsloven § 12", "source_is_nb": True}
    with translation.override("en"):
        html = render_to_string("assessments/_hard_rules.html", {"rules": [rule]})
    assert '<span lang="nb">Forvaltningsloven § 12</span>' in html
    with translation.override("nb"):
        assert 'lang="nb"' not in render_to_string("assessments/_hard_rules.html", {"rules": [rule]})


def test_the_report_shows_the_earlier_rounds_of_review_with_the_agencys_replies(world):
    assessment = review_helpers.returned_and_approved(world)
    version = assessment.latest_version()
    context = reports.build_context(Report(assessment=assessment, version=version, kind=Report.Kind.SIGNED))
    [first] = context["history"]  # version 2's own comments are not history
    assert first["number"] == 1 and first["reason"] == "Mangler en plan for stikkprøver."
    html = reports.render_html(context)
    section = html.split("Tidligere behandling i UKE", 1)[1]
    for expected in [
        "Versjon 1, sendt inn",
        "Returnert",
        "Mangler en plan for stikkprøver.",
        "Kommentar fra UKE til «Hvor stor gevinst venter dere",
        "Hvordan skal gevinsten måles?",
        "Svar fra virksomheten",
        "Vi teller saker per uke før og etter.",
        "Generell kommentar fra UKE",
        "Beskriv stikkprøvene.",
    ]:
        assert expected in section, expected
    assert "Ny kommentar til versjon 2." not in section


def test_a_report_on_a_first_version_has_no_earlier_rounds(world, approved):
    _assessment, report = approved
    context = reports.build_context(report)
    assert context["history"] == []
    assert "Tidligere behandling i UKE" not in reports.render_html(context)


def test_the_earlier_rounds_in_an_english_report(world):
    assessment = review_helpers.returned_and_approved(world)
    assessment.language = "en"
    assessment.save(update_fields=["language"])
    context = reports.build_context(Report(assessment=assessment, version=assessment.latest_version(), kind="signed"))
    html = reports.render_html(context)
    assert "Earlier review in UKE" in html and "Version 1, submitted" in html and "Reply from the agency" in html
    assert "Tidligere behandling" not in html


def test_a_preview_of_a_returned_draft_does_not_repeat_the_latest_versions_comments_as_history(world):
    assessment = review_helpers.submitted(world, "Chat for barnehageplass")
    reviewer = world.users["reviewer"]
    services.review_comment_add(assessment=assessment, user=reviewer, text="Beskriv stikkprøvene.")
    services.assessment_return(assessment=assessment, user=reviewer, reason="Mangler en plan.")
    assessment.refresh_from_db()
    context = reports.build_context(Report(assessment=assessment, kind=Report.Kind.PREVIEW))
    assert context["history"] == []  # version 1's comments stand at their questions and under the general ones
    assert [c["text"] for c in context["general_comments"]] == ["Beskriv stikkprøvene."]


def test_a_version_taken_back_before_uke_decided_says_so(world):
    assessment = review_helpers.submitted(world, "Chat for barnehageplass")
    services.assessment_recall(assessment=assessment, user=world.users["leader_a"])
    assessment = review_helpers.resubmit(world, assessment)
    services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    assessment.refresh_from_db()
    context = reports.build_context(Report(assessment=assessment, version=assessment.latest_version(), kind="signed"))
    assert [(r["number"], r["decision"]) for r in context["history"]] == [(1, "Hentet tilbake av virksomheten")]
