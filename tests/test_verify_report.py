"""`manage.py verify_report FILE`: 0 and a JSON line for a valid, stored report; 1 with the reason when it is
tampered, unsigned or unknown; 2 when the file cannot be read or is not a PDF."""

import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from assessments.models import Report
from assessments.reports import render as reports
from assessments.reports import signing
from tests.report_helpers import approved_report, flip_one_byte_in_signed_content, use_test_seal


@pytest.fixture(autouse=True)
def seal_file(settings, tmp_path_factory):
    return use_test_seal(settings, tmp_path_factory)


@pytest.fixture
def report(world, django_capture_on_commit_callbacks):
    report = approved_report(world, django_capture_on_commit_callbacks)
    assert report.status == "ready", report.error
    return report


def pdf_of(report) -> bytes:
    with default_storage.open(report.storage_name, "rb") as handle:
        return handle.read()


def verify(path) -> tuple[int, dict, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_report", str(path), stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, lines
    return code, json.loads(lines[0]), err.getvalue()


def test_a_stored_report_is_valid(report, tmp_path):
    path = tmp_path / "rapport.pdf"
    path.write_bytes(pdf_of(report))
    code, line, _ = verify(path)
    assert code == 0
    assert line["valid"] is True and line["report"] == str(report.uuid)
    assert line["assessment"] == str(report.assessment.uuid) and line["version"] == 1
    assert line["sha256"] == report.sha256 and line["agency"] == "bydel-testa"
    assert line["signer"] == "KI-veileder testsegl" and line["signing_time"]


def test_a_one_byte_change_is_rejected_as_tampered(report, tmp_path):
    path = tmp_path / "endret.pdf"
    path.write_bytes(flip_one_byte_in_signed_content(pdf_of(report)))
    code, line, err = verify(path)
    assert code == 1 and line["valid"] is False and line["intact"] is False
    assert "tampered" in line["reason"] and "tampered" in err
    assert line["assessment"] == str(report.assessment.uuid)  # still says which report it claims to be


def test_an_unsigned_pdf_is_rejected(tmp_path, db):
    path = tmp_path / "usignert.pdf"
    path.write_bytes(reports.write_pdf("<html><p>Hei</p></html>", {"answers": {}}, title="x"))
    code, line, _ = verify(path)
    assert code == 1 and line["reason"] == "unsigned"


def test_a_sealed_pdf_that_is_not_a_stored_report_is_unknown(report, tmp_path):
    other = signing.sign_pdf(reports.write_pdf("<html><p>Hei</p></html>", {"answers": {}}, title="x"), reason="test")
    path = tmp_path / "ukjent.pdf"
    path.write_bytes(other)
    code, line, _ = verify(path)
    assert code == 1 and line["intact"] and line["trusted"] and line["reason"].startswith("unknown")


def test_a_report_whose_row_is_gone_is_unknown(report, tmp_path):
    path = tmp_path / "rapport.pdf"
    path.write_bytes(pdf_of(report))
    Report.objects.filter(pk=report.pk).update(sha256="0" * 64)
    code, line, _ = verify(path)
    assert code == 1 and line["report"] is None and line["reason"].startswith("unknown")


def test_a_report_sealed_by_another_certificate_is_untrusted(report, tmp_path, settings):
    path = tmp_path / "rapport.pdf"
    path.write_bytes(pdf_of(report))
    other = tmp_path / "annen.p12"
    other.write_bytes(signing.make_self_signed_p12("Noen andre", key_size=2048))
    settings.KIV_SIGNING_P12, settings.KIV_SIGNING_P12_PASSWORD = str(other), None
    code, line, _ = verify(path)
    assert code == 1 and line["intact"] and not line["trusted"]


def test_not_a_pdf_exits_2(tmp_path, db):
    path = tmp_path / "rapport.pdf"
    path.write_text("<html>not a pdf</html>")
    code, line, _ = verify(path)
    assert code == 2 and line["reason"].startswith("not a PDF")


def test_a_missing_file_exits_2(tmp_path, db):
    code, line, _ = verify(tmp_path / "finnes-ikke.pdf")
    assert code == 2 and line["reason"].startswith("unreadable")


def test_a_broken_pdf_exits_2(tmp_path, db):
    path = tmp_path / "ødelagt.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<<garbage")
    code, line, _ = verify(path)
    assert code == 2


def test_a_damaged_compressed_cross_reference_exits_2(tmp_path, db):
    """Flipped bytes in a FlateDecode cross-reference stream make zlib fail: "not a readable PDF", no crash."""
    head = b"%PDF-1.7\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n2 0 obj <</Type/Pages/Kids[]/Count 0>> endobj\n"
    damaged = b"\x78\x9c" + b"\xff" * 8
    xref = b"3 0 obj <</Type/XRef/Size 4/W[1 2 1]/Root 1 0 R/Filter/FlateDecode/Length 10>>stream\n"
    path = tmp_path / "skadet.pdf"
    path.write_bytes(head + xref + damaged + b"\nendstream endobj\nstartxref\n%d\n%%%%EOF\n" % len(head))
    code, line, _ = verify(path)
    assert code == 2


@pytest.mark.parametrize(
    "meta",
    [
        {"assessment": ["x"], "version": "1"},
        {"assessment": "not-a-uuid", "version": 1},
        "not an object",
    ],
)
def test_a_document_that_claims_nonsense_is_unknown_not_a_crash(tmp_path, db, meta):
    pdf = reports.write_pdf("<html><p>Hei</p></html>", {"answers": {}, "meta": meta}, title="x")
    path = tmp_path / "rar.pdf"
    path.write_bytes(signing.sign_pdf(pdf, reason="test"))
    code, line, _ = verify(path)
    assert code == 1 and line["intact"] and line["reason"].startswith("unknown")
    assert line["assessment"] in (None, "not-a-uuid")
