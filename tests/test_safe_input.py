"""Hostile files, table-driven: each gives a 400 page with a message on the web and exit 2 with a message (no
traceback) from the command line, for answers files (import, `score_answers`) and PDFs (the verification
page, `verify_report`). A byte order mark is accepted the same way by both."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from assessments.forms import safe_input
from assessments.models import Assessment
from assessments.text import clean_text

HOSTILE_JSON = {
    "nested": (b'{"answers": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nøstet for dypt"),
    "huge-integer": (b'{"answers": {"title": "x", "users": ' + b"9" * 5000 + b"}}", "for langt"),
    "nul": (b'{"answers": {"title": "a\\u0000b"}}', "«answers.title» inneholder tegn som ikke kan lagres"),
    "lone-surrogate": (b'{"answers": {"title": "\\ud800"}}', "«answers.title» inneholder tegn som ikke kan lagres"),
    "nan": (b'{"answers": {"title": "x", "users": NaN}}', "NaN er ikke et tall"),
    "not-utf8": (b'{"answers": {"title": "\xff"}}', "ikke UTF-8"),
    "not-json": (b'{"answers": ', "ikke gyldig JSON"),
}


def _pdf(objects: list[bytes]) -> bytes:
    """A minimal PDF with a correct cross-reference table around the given objects (1 = the catalog)."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


_PAGES = [b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"]
HOSTILE_PDF = {
    "nested-fields": _pdf(
        [b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [" + b"[" * 50_000 + b"]" * 50_000 + b"] >> >>", *_PAGES]
    ),
    "nested-names": _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names "
            + b"[" * 50_000
            + b"]" * 50_000
            + b" >> >> >>",
            *_PAGES,
        ]
    ),  # fmt: skip
    "integer-signature-value": _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
            *_PAGES,
            b"<< /FT /Sig /T (Signatur) /V 42 /Rect [0 0 0 0] >>",
        ]
    ),  # fmt: skip
    "truncated": b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog",
}


def _import(world, body: bytes):
    return world.client("leader_a").post(
        reverse("assessments:assessment_import"),
        {"agency": world.agency_a.pk, "title": "", "file": SimpleUploadedFile("svar.json", body, "application/json")},
    )


def _score(tmp_path, body: bytes) -> tuple[int, str, str]:
    path = tmp_path / "answers.json"
    path.write_bytes(body)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("score_answers", str(path), stdout=out, stderr=err)
        return 0, out.getvalue(), err.getvalue()
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("body", "message"), HOSTILE_JSON.values(), ids=HOSTILE_JSON.keys())
def test_a_hostile_answers_file_is_a_400_on_the_web(world, questionnaire, body, message):
    response = _import(world, body)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(("body", "message"), HOSTILE_JSON.values(), ids=HOSTILE_JSON.keys())
def test_a_hostile_answers_file_exits_2_from_score_answers(questionnaire, tmp_path, body, message):
    code, out, err = _score(tmp_path, body)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_byte_order_mark_is_accepted_by_the_web_and_the_command(world, questionnaire, tmp_path):
    body = "\ufeff".encode() + json.dumps({"answers": {"title": "Med BOM"}}).encode()
    assert _import(world, body).status_code == 302
    code, out, err = _score(tmp_path, body)
    assert code == 0, err


@pytest.mark.parametrize("pdf", HOSTILE_PDF.values(), ids=HOSTILE_PDF.keys())
def test_a_hostile_pdf_is_a_400_on_the_verification_page(world, pdf):
    response = world.client("auditor").post(
        reverse("assessments:report_verify"), {"pdf": SimpleUploadedFile("r.pdf", pdf)}
    )
    assert response.status_code == 400
    assert "Filen er ikke en PDF som kan leses" in response.content.decode()


@pytest.mark.parametrize("pdf", HOSTILE_PDF.values(), ids=HOSTILE_PDF.keys())
def test_a_hostile_pdf_exits_2_from_verify_report(db, tmp_path, pdf):
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_report", str(path), stdout=out, stderr=err)
    assert exit_info.value.code == 2
    assert "not a PDF" in json.loads(out.getvalue())["reason"] and "Traceback" not in err.getvalue()


def test_text_in_answers_is_normalised_on_parse():
    data = safe_input.parse_json('{"answers": {"title": "abc\\u202egnp.exe\\u200b"}}')
    assert data["answers"]["title"] == "abcgnp.exe" == clean_text("abc\u202egnp.exe\u200b")


def test_a_nul_in_any_form_field_is_a_form_error(world):
    response = world.client("leader_a").post(
        reverse("assessments:assessment_new"), {"agency": world.agency_a.pk, "title": "x\x00y"}
    )
    assert response.status_code == 400
    assert "tegn som ikke kan lagres" in response.content.decode()
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("language", "title"), [("nb", "Forespørselen kan ikke behandles"), ("en", "The request cannot be handled")]
)
def test_a_form_body_that_is_not_utf8_is_refused_and_nothing_is_saved(world, questionnaire, language, title):
    body = f"agency={world.agency_a.pk}&title=abc%ff%fedef"
    response = world.client("leader_a").post(
        reverse("assessments:assessment_new"),
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400 and title in response.content.decode()
    assert "Content-Security-Policy" in response and "no-store" in response["Cache-Control"]
    assert not Assessment.objects.exists()


def test_a_form_body_in_utf8_passes_also_with_a_replacement_character_typed(world, questionnaire):
    body = f"agency={world.agency_a.pk}&title=Bl%C3%A5%EF%BF%BD+plan"
    response = world.client("leader_a").post(
        reverse("assessments:assessment_new"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    assert Assessment.objects.get().title == "Blå\ufffd plan"


@pytest.mark.parametrize("charset", ["iso-8859-1", "us-ascii", "utf-16", "windows-1252"])
def test_a_form_body_that_names_another_charset_gets_the_400_page_also_with_the_csrf_check(world, charset):
    """Django refuses such a url-encoded body, but its own error pages read the form again in their CSRF check:
    a bare 500 for anyone, signed in or not."""
    client = Client(enforce_csrf_checks=True)
    client.raise_request_exception = False
    for url in ["/logg-inn/", reverse("assessments:assessment_new")]:
        response = client.post(
            url, "username=a&password=b", content_type=f"application/x-www-form-urlencoded; charset={charset}"
        )
        assert response.status_code == 400 and "Forespørselen kan ikke behandles" in response.content.decode()


def multipart(fields: dict[str, bytes], boundary: str = "kivboundary") -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
        for name, value in fields.items()
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def test_a_multipart_field_that_is_not_utf8_is_refused_and_nothing_is_saved(world, questionnaire):
    body = multipart({"agency": str(world.agency_a.pk).encode(), "title": b"Mitt svar \xff\xfe med feil bytes"})
    response = world.client("leader_a").generic(
        "POST",
        reverse("assessments:assessment_new"),
        body,
        content_type="multipart/form-data; boundary=kivboundary",
    )
    assert response.status_code == 400 and "Forespørselen kan ikke behandles" in response.content.decode()
    assert not Assessment.objects.exists()
    body = multipart({"agency": str(world.agency_a.pk).encode(), "title": "Blå plan".encode()})
    response = world.client("leader_a").generic(
        "POST", reverse("assessments:assessment_new"), body, content_type="multipart/form-data; boundary=kivboundary"
    )
    assert response.status_code == 302 and Assessment.objects.get().title == "Blå plan"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_a_method_no_page_takes_gets_the_405_page_and_changes_nothing(world, questionnaire, method):
    client = world.client("leader_a")
    for url in [reverse("assessments:assessment_new"), reverse("assessments:home"), "/logg-inn/"]:
        response = client.generic(method, url, f"agency={world.agency_a.pk}&title=x")
        page = response.content.decode()
        assert response.status_code == 405 and response["Allow"] == "GET, HEAD, POST"
        assert f"bruker metoden {method}, som ingen side i KI-veileder tar imot" in page
        assert "Content-Security-Policy" in response
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("charset", ["utf8", "UTF_8", "UTF-8"])
def test_a_form_body_naming_utf8_in_another_spelling_is_read_as_utf8(world, questionnaire, charset):
    client = Client(enforce_csrf_checks=True)
    client.raise_request_exception = False
    client.force_login(world.users["leader_a"])
    page = client.get(reverse("assessments:assessment_new"))
    token = page.cookies["csrftoken"].value
    body = f"csrfmiddlewaretoken={token}&agency={world.agency_a.pk}&title=Bl%C3%A5+plan"
    response = client.post(
        reverse("assessments:assessment_new"),
        body,
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 302 and Assessment.objects.get().title == "Blå plan"
