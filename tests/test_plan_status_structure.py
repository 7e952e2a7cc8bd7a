"""The plan status report's PDF, checked as the decision report's is (tests/test_report_structure.py, with
its readers): PDF/A-3B and PDF/UA identification after the seal, one Producer, header cells with a /Scope,
the running footer as artifacts with everything marked in the tag tree, the tagged signature widget inside
the signed revision, and poppler's and qpdf's view of the file. Made by the report worker's job, as users
get it."""

import io
import subprocess

import pikepdf
import pytest
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader

from assessments.models import Report
from assessments.reports import pdf_structure, signing
from assessments.services import plan_report, plans
from tests.answers import complete
from tests.assessment_helpers import make_assessment
from tests.conftest import require_tool
from tests.report_helpers import use_test_seal
from tests.test_report_structure import (
    PDFAID,
    artifacts_with_all_else_in_tree,
    header_scopes,
    stored,
    struct_elements,
    xmp,
    xmp_values,
)

SEAL_LABEL = "Oslo kommunes elektroniske segl på rapporten"


@pytest.fixture(autouse=True)
def seal_file(settings, tmp_path_factory):
    return use_test_seal(settings, tmp_path_factory)


@pytest.fixture
def status_pdf(world, django_capture_on_commit_callbacks) -> bytes:
    assessment = make_assessment(world, "Statusrapportens struktur", answers=complete(), submit=True)
    leader = world.users["leader_a"]
    plans.item_update(item=assessment.plan_items.first(), user=leader, status="in_progress", comment="I gang")
    with django_capture_on_commit_callbacks(execute=True):
        report = plan_report.request_status_report(assessment=assessment, user=leader, as_of=timezone.localdate())
    report.refresh_from_db()
    assert report.kind == Report.Kind.PLAN and report.status == Report.Status.READY, report.error
    return stored(report)


def test_xmp_declares_pdfa_3b_and_pdfua_1_after_the_seal_with_one_producer(status_pdf):
    with pikepdf.open(io.BytesIO(status_pdf)) as pdf:
        assert xmp_values(pdf, PDFAID, "part") == ["3"]
        assert xmp_values(pdf, PDFAID, "conformance") == ["B"]
        assert xmp_values(pdf, pdf_structure.PDFUAID, "part") == ["1"]
        producers = xmp_values(pdf, pdf_structure.PDF_NS, "Producer")
        assert producers == [str(pdf.docinfo["/Producer"])] and "pyHanko" in producers[0]
        schemas = xmp(pdf).iter(f"{{{pdf_structure.PDFA_SCHEMA}}}namespaceURI")
        assert [s.text for s in schemas] == [pdf_structure.PDFUAID]
        assert str(pdf.Root.Lang) == "nb" and pdf.Root.MarkInfo.Marked
        # PDF/A-3: the plan's data rides along as an associated file
        assert signing.ATTACHMENT_NAME in {str(f.filename) for f in pdf.attachments.values()}


def test_header_cells_have_a_scope_and_the_footer_is_an_artifact(status_pdf):
    with pikepdf.open(io.BytesIO(status_pdf)) as pdf:
        scopes = header_scopes(pdf)
        assert len(scopes) >= 8  # the facts, the column headers and one row header per item
        assert set(scopes) == {"/Row", "/Column"}
        assert artifacts_with_all_else_in_tree(pdf) >= len(pdf.pages)  # the page numbers and the footer


def test_the_signature_widget_is_described_tagged_and_inside_the_signed_revision(status_pdf):
    with pikepdf.open(io.BytesIO(status_pdf)) as pdf:
        fields = [f for f in pdf.Root.AcroForm.Fields if f.get("/FT") == "/Sig"]
        assert len(fields) == 1 and str(fields[0].T) == signing.FIELD_NAME and "/V" in fields[0]
        assert str(fields[0].TU) == SEAL_LABEL
        forms = [e for e in struct_elements(pdf) if e.get("/S") == "/Form"]
        assert len(forms) == 1 and forms[0].K.Obj.objgen == fields[0].objgen
    signature = signing.verify_pdf(status_pdf)
    assert signature["valid"], signature["problem"]
    reader = PdfFileReader(io.BytesIO(status_pdf))
    assert reader.xrefs.total_revisions == 2  # the rendered report, then the seal
    field = reader.get_historical_root(0)["/AcroForm"]["/Fields"][0]
    assert str(field["/TU"]) == SEAL_LABEL and "/V" not in field


def test_pdfsig_calls_the_seal_valid_pdfinfo_sees_pdfa_and_qpdf_finds_no_errors(status_pdf, tmp_path):
    path = tmp_path / "statusrapport.pdf"
    path.write_bytes(status_pdf)
    out = subprocess.run([require_tool("pdfsig"), str(path)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid" in out and "Total document signed" in out, out
    info = subprocess.run([require_tool("pdfinfo"), "-meta", str(path)], capture_output=True, text=True).stdout
    assert 'pdfaid:part="3"' in info or "<pdfaid:part>3</pdfaid:part>" in info, info
    checked = subprocess.run([require_tool("qpdf"), "--check", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
