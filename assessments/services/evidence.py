"""Evidence files: what a file is, judged by its content, and where it is stored.

No content-sniffing library (filetype, python-magic, puremagic) is installed, and the four accepted formats
are few and well known, so the check reads their signatures itself rather than adding a dependency (and
libmagic, a C library, to the image):

- PDF: starts with `%PDF-`;
- PNG: the eight-byte PNG signature;
- DOCX and XLSX: a ZIP archive (Office Open XML) holding `[Content_Types].xml` and a `word/` or `xl/` part.
  The ZIP's table of contents is read with the standard library; nothing is extracted.

The name's extension must agree with what the content is: a PNG named `.pdf` is refused, as is a ZIP
named `.docx` that is not a Word document. Only these four types are accepted at all.
"""

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

PDF = "application/pdf"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {".pdf": PDF, ".png": PNG, ".docx": DOCX, ".xlsx": XLSX}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A ZIP bomb's table of contents can list a great many entries; the Office formats need a few dozen.
MAX_ZIP_ENTRIES = 5000
# A file system allows 255 bytes (not characters) in one name, and æ, ø and å take two bytes each in UTF-8. The
# stored name adds a 17-character hash prefix, and the storage a 8-character suffix when the name is taken, so
# the stem of the stored name is cut to this many bytes: any name fits, with room to spare.
STORED_STEM_BYTES = 150


def max_bytes() -> int:
    """Evidence shares the upload cap of the app (KIV_MAX_UPLOAD_BYTES)."""
    return settings.KIV_MAX_UPLOAD_BYTES


def _office_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                return None
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.startswith("word/") for name in names):
        return DOCX
    if any(name.startswith("xl/") for name in names):
        return XLSX
    return None


def sniff(data: bytes) -> str | None:
    """The content type the bytes are, among the accepted four; None for anything else."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(PNG_SIGNATURE):
        return PNG
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    return None


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    data: bytes
    sha256: str


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, extension = name.rpartition(".")
    return (stem, dot + extension) if dot and stem else (name, "")


def _stored_base_name(name: str) -> str:
    """The name's stem cut to STORED_STEM_BYTES bytes of UTF-8 on a character boundary, the extension kept."""
    stem, extension = _split_extension(name)
    return stem.encode("utf-8")[:STORED_STEM_BYTES].decode("utf-8", "ignore") + extension


def _file_name(uploaded: str) -> str:
    """The uploaded file's own name, made safe to show and store; "fil" when nothing of it is left (a name of
    only punctuation such as "!!!" or "«»", which get_valid_filename refuses with an exception)."""
    try:
        return get_valid_filename(uploaded.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]) or "fil"
    except SuspiciousFileOperation:
        return "fil"


def check_upload(upload) -> CheckedFile:
    """Validate an uploaded file (size, then type by content and by name). Raises ValidationError."""
    limit = max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("Filen er for stor. Største tillatte størrelse er %(limit)s.") % {"limit": filesizeformat(limit)},
            code="too_large",
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("Filen er for stor."), code="too_large")
    if not data:
        raise ValidationError(_("Filen er tom."), code="empty")
    name = _file_name(upload.name or "")
    # "rapport." has nothing after its dot: no file type, like "rapport".
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name.rstrip(".") else ""
    actual = sniff(data)
    if actual is None:
        raise ValidationError(
            _("Filen er ikke en PDF, DOCX, XLSX eller PNG. Bare disse filtypene kan lastes opp."), code="type"
        )
    if not extension:
        raise ValidationError(
            _("Filnavnet «%(name)s» har ingen filtype. Gi filen navn som slutter på .pdf, .docx, .xlsx eller .png.")
            % {"name": name[:100]},
            code="mismatch",
        )
    if EXTENSIONS.get(extension) != actual:
        raise ValidationError(
            _("Filen er ikke det navnet sier: «%(name)s» er ikke en %(kind)s-fil etter innholdet.")
            % {"name": name[:100], "kind": extension.lstrip(".").upper()},
            code="mismatch",
        )
    # Django has already cut an uploaded name to 255 characters, the extension kept (Evidence.file_name's length).
    return CheckedFile(name=name, content_type=actual, data=data, sha256=hashlib.sha256(data).hexdigest())


def storage_name(agency_slug: str, assessment_uuid, checked: CheckedFile) -> str:
    """Where the file goes: the hash keeps two files of one name apart, and the last part of the path stays
    well under the file system's 255 bytes however long the uploaded name was (it is kept whole in file_name)."""
    return f"evidence/{agency_slug}/{assessment_uuid}/{checked.sha256[:16]}-{_stored_base_name(checked.name)}"


def store(name: str, data: bytes) -> str:
    """Save through the storage API; the name the storage chose is returned (it may add a suffix)."""
    return default_storage.save(name, ContentFile(data))
