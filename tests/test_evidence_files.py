"""services/evidence.py: the type of an evidence file is read from its content, and must match its name."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.services import evidence


def office(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{part}/document.xml", "<x/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hei")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n", evidence.PDF),
        (evidence.PNG_SIGNATURE + b"rest", evidence.PNG),
        (office("word"), evidence.DOCX),
        (office("xl"), evidence.XLSX),
        (plain_zip(), None),
        (b"PK\x03\x04 broken", None),
        (b"GIF89a", None),
        (b"<html>", None),
    ],
)
def test_sniff(data, expected):
    assert evidence.sniff(data) == expected


@pytest.mark.parametrize(
    ("name", "data", "ok"),
    [
        ("plan.docx", office("word"), True),
        ("plan.xlsx", office("xl"), True),
        ("plan.XLSX", office("xl"), True),
        ("plan.xlsx", office("word"), False),
        ("plan.docx", plain_zip(), False),
        ("plan.png", b"%PDF-1.7", False),
        ("plan", b"%PDF-1.7", False),
    ],
)
def test_check_upload(settings, name, data, ok):
    upload = SimpleUploadedFile(name, data)
    if ok:
        assert evidence.check_upload(upload).content_type == evidence.sniff(data)
    else:
        with pytest.raises(ValidationError):
            evidence.check_upload(upload)


def test_the_name_is_made_safe():
    checked = evidence.check_upload(SimpleUploadedFile("../../etc/pass wd.pdf", b"%PDF-1.7"))
    assert "/" not in checked.name and checked.name.endswith(".pdf")


@pytest.mark.parametrize(
    "stem",
    ["a" * 245, "æøå" * 66 + "æø", "æ" * 300],
    ids=["ascii-245", "norwegian-200", "norwegian-300"],
)
def test_a_long_name_is_stored_within_255_bytes_and_shown_whole(stem):
    name = stem + ".pdf"
    checked = evidence.check_upload(SimpleUploadedFile(name, b"%PDF-1.7"))
    # Django's upload keeps at most 255 characters of a name; the shown name is what it kept.
    assert checked.name == (name if len(name) <= 255 else stem[:251] + ".pdf")
    stored_as = evidence.store(evidence.storage_name("etat", "uuid", checked), b"%PDF-1.7")
    again = evidence.store(evidence.storage_name("etat", "uuid", checked), b"%PDF-1.7")
    for path in (stored_as, again):
        base = path.rsplit("/", 1)[-1]
        assert len(base.encode("utf-8")) <= 255 and base.endswith(".pdf")
        assert evidence.default_storage.exists(path)
    assert stored_as != again
