"""Hand-over of decisions to the archive: the Noark 5 package (structure, checksums, and validity against
Arkivverket's arkivstruktur.xsd v5.0), the file drop, the HTTP adapter against a fake archive run by the test,
retries while the archive is down, and the command."""

import hashlib
import http.server
import json
import threading
import uuid
import zipfile
from functools import cache
from io import BytesIO, StringIO
from pathlib import Path
from xml.etree import ElementTree  # our own generated file only  # nosec B405

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from lxml import etree  # nosec B410 - the vendored schema and our own generated file only

from assessments.archive.adapters import FileDropAdapter, HttpArchiveAdapter
from assessments.archive.noark import METADATA_NAME, InvalidPackage, build_package
from assessments.archive.schema import schema_errors
from assessments.models import ArchiveHandover, Assessment, AuditEvent, Report
from assessments.services import archive as archive_service
from tests.review_helpers import approved, submitted

NS = {"n5": "http://www.arkivverket.no/standarder/noark5/arkivstruktur"}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
# The vendored schema, loaded here with lxml directly rather than through the app's own validator.
XSD = Path(__file__).resolve().parent.parent / "assessments" / "archive" / "schemas" / "noark5" / "arkivstruktur.xsd"


@cache
def noark_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def assert_valid_noark(xml: bytes) -> None:
    schema = noark_schema()
    valid = schema.validate(etree.fromstring(xml))
    assert valid, "\n".join(f"line {e.line}: {e.message}" for e in schema.error_log)


@pytest.fixture
def decided(world, django_capture_on_commit_callbacks):
    """An approved assessment whose sealed report was really rendered and sealed (tasks run in-process)."""
    with django_capture_on_commit_callbacks(execute=True):
        assessment = approved(world)
    report = Report.objects.get(assessment=assessment, kind=Report.Kind.SIGNED)
    assert report.status == Report.Status.READY, report.error
    return assessment


def check_package(folder: Path, assessment) -> ElementTree.Element:
    """The package against docs/archive.md: one saksmappe, one journalpost, four document descriptions with
    one document object each, whose checksum and size match the file beside it; retention class present."""
    assert_valid_noark((folder / METADATA_NAME).read_bytes())
    root = ElementTree.parse(folder / METADATA_NAME).getroot()  # noqa: S314  # nosec B314 - our own file
    folders = root.findall("n5:arkivdel/n5:mappe", NS)
    assert len(folders) == 1 and folders[0].get(XSI_TYPE) == "saksmappe"
    case = folders[0]
    assert case.findtext("n5:systemID", namespaces=NS) == str(assessment.uuid)
    assert case.findtext("n5:kassasjon/n5:kassasjonsvedtak", namespaces=NS) == "Bevares"
    entries = case.findall("n5:registrering", NS)
    assert len(entries) == 1 and entries[0].get(XSI_TYPE) == "journalpost"
    descriptions = entries[0].findall("n5:dokumentbeskrivelse", NS)
    roles = [d.findtext("n5:tilknyttetRegistreringSom", namespaces=NS) for d in descriptions]
    assert roles == ["Hoveddokument", "Vedlegg", "Vedlegg", "Vedlegg"]
    names = []
    for description in descriptions:
        objects = description.findall("n5:dokumentobjekt", NS)
        assert len(objects) == 1
        obj = objects[0]
        path = folder / obj.findtext("n5:referanseDokumentfil", namespaces=NS)
        data = path.read_bytes()
        assert obj.findtext("n5:sjekksumAlgoritme", namespaces=NS) == "SHA-256"
        assert obj.findtext("n5:sjekksum", namespaces=NS) == hashlib.sha256(data).hexdigest()
        assert int(obj.findtext("n5:filstoerrelse", namespaces=NS)) == len(data)
        names.append(path.name)
    assert names == ["rapport.pdf", "vedtak.json", "kommentarer.json", "svar.json"]
    assert (folder / "dokumenter" / "rapport.pdf").read_bytes().startswith(b"%PDF")
    decision = json.loads((folder / "dokumenter" / "vedtak.json").read_text())
    assert decision["decision"] == "approved" and decision["assessment"] == str(assessment.uuid)
    return root


def test_a_decision_ends_with_a_package_in_the_file_drop(settings, tmp_path, world, decided):
    settings.KIV_ARCHIVE_ADAPTER = "file"
    settings.KIV_ARCHIVE_DIR = tmp_path / "archive"
    result = archive_service.archive_enqueue_decided(), archive_service.archive_deliver_due()
    assert result == (1, {"delivered": 1, "waiting": 0})
    handover = ArchiveHandover.objects.get(assessment=decided)
    assert handover.status == "delivered" and handover.journalpost_id == f"kiv-{decided.uuid}-v1"
    check_package(tmp_path / "archive" / handover.journalpost_id, decided)
    event = AuditEvent.objects.get(action="archive.delivered")
    assert event.details["journalpost_id"] == handover.journalpost_id
    # The reference is shown on the assessment's review page.
    page = review_page(world.client("reviewer"), decided).content.decode()
    assert "journalpost-id <span" in page and handover.journalpost_id in page
    # Once: running again hands nothing over a second time.
    assert archive_service.archive_enqueue_decided() == 0
    assert archive_service.archive_deliver_due() == {"delivered": 0, "waiting": 0}


def test_the_package_of_a_decision_validates_against_arkivverkets_schema(decided):
    version = decided.versions.get()
    xml = build_package(version).files[METADATA_NAME]
    assert_valid_noark(xml)
    root = ElementTree.fromstring(xml)  # noqa: S314  # nosec B314 - our own file
    ids = [element.text for element in root.iter(f"{{{NS['n5']}}}systemID")]
    assert len(ids) == 2 + 1 + 1 + 4 + 4 and len(set(ids)) == len(ids)  # arkiv, arkivdel, case, entry, docs
    assert all(str(uuid.UUID(value)) == value for value in ids)
    entry = root.find("n5:arkivdel/n5:mappe/n5:registrering", NS)
    assert entry.findtext("n5:journalpostnummer", namespaces=NS) == str(version.number)
    assert entry.findtext("n5:journaldato", namespaces=NS) == timezone.localtime(version.decided_at).date().isoformat()
    assert entry.findtext("n5:tittel", namespaces=NS) == f"Vedtak: {decided.title} (versjon 1)"
    report = root.find("n5:arkivdel/n5:mappe/n5:registrering/n5:dokumentbeskrivelse/n5:dokumentobjekt", NS)
    assert report.findtext("n5:formatDetaljer", namespaces=NS) == "fmt/480"  # PDF/A-3b
    # Ids come from the version, not the clock: a rebuilt package names the same entities.
    again = ElementTree.fromstring(build_package(version).files[METADATA_NAME])  # noqa: S314  # nosec B314
    assert [element.text for element in again.iter(f"{{{NS['n5']}}}systemID")] == ids


def test_the_validators_reject_a_package_without_a_required_element(decided):
    xml = build_package(decided.versions.get()).files[METADATA_NAME]
    broken = xml.replace(b"<sjekksumAlgoritme>SHA-256</sjekksumAlgoritme>", b"", 1)
    assert broken != xml
    with pytest.raises(AssertionError, match="filstoerrelse"):
        assert_valid_noark(broken)
    assert schema_errors(xml) == []
    assert any("filstoerrelse" in error for error in schema_errors(broken))


def test_characters_that_xml_forbids_are_left_out_of_the_metadata(decided):
    Assessment.objects.filter(pk=decided.pk).update(title="Copilot\x0b i Word\x1f")
    decided.refresh_from_db()  # the version's assessment is this very object
    xml = build_package(decided.versions.get()).files[METADATA_NAME]
    assert_valid_noark(xml)
    case = ElementTree.fromstring(xml).find("n5:arkivdel/n5:mappe", NS)  # noqa: S314  # nosec B314
    assert case.findtext("n5:tittel", namespaces=NS) == "Copilot i Word"


def test_a_package_that_would_not_validate_is_not_handed_over(settings, tmp_path, decided):
    settings.KIV_ARCHIVE_ADAPTER = "file"
    settings.KIV_ARCHIVE_DIR = tmp_path / "archive"
    settings.KIV_ARCHIVE_SERIES = ""  # arkivdel/tittel must not be empty
    with pytest.raises(InvalidPackage, match="tittel"):
        build_package(decided.versions.get())
    archive_service.archive_enqueue_decided()
    assert archive_service.archive_deliver_due() == {"delivered": 0, "waiting": 1}
    handover = ArchiveHandover.objects.get(assessment=decided)
    assert handover.status == "pending" and "does not validate" in handover.last_error
    assert not (tmp_path / "archive").exists()


def review_page(client, assessment):
    return client.get(reverse("assessments:review_detail", args=[assessment.uuid]))


class FakeArchive(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - the standard library's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeArchive.received.append((self.headers["Idempotency-Key"], self.headers["Authorization"], body))
        answer = json.dumps({"journalpostId": f"2026/{len(FakeArchive.received)}"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_archive():
    server = http.server.HTTPServer(("127.0.0.1", 0), FakeArchive)
    FakeArchive.received = []
    yield server
    server.server_close()


def test_with_the_http_archive_down_the_hand_over_happens_when_it_returns(decided, fake_archive):
    url = f"http://127.0.0.1:{fake_archive.server_address[1]}/journalpost"
    adapter = HttpArchiveAdapter(url, token="secret-token", timeout=5)
    archive_service.archive_enqueue_decided()
    # Down: nothing listens on the archive's port.
    down = HttpArchiveAdapter("http://127.0.0.1:9/journalpost", timeout=2)
    assert archive_service.archive_deliver_due(adapter=down) == {"delivered": 0, "waiting": 1}
    handover = ArchiveHandover.objects.get(assessment=decided)
    assert handover.status == "pending" and handover.attempts == 1 and handover.last_error
    # Not due yet: nothing is tried before the pause is over.
    assert archive_service.archive_deliver_due(adapter=adapter) == {"delivered": 0, "waiting": 0}
    ArchiveHandover.objects.filter(pk=handover.pk).update(next_attempt_at=handover.created_at)
    thread = threading.Thread(target=fake_archive.handle_request, daemon=True)
    thread.start()
    assert archive_service.archive_deliver_due(adapter=adapter) == {"delivered": 1, "waiting": 0}
    thread.join(timeout=10)
    handover.refresh_from_db()
    assert (handover.status, handover.journalpost_id) == ("delivered", "2026/1")
    key, auth, body = FakeArchive.received[0]
    assert key == f"kiv-{decided.uuid}-v1" and auth == "Bearer secret-token"
    names = zipfile.ZipFile(BytesIO(body)).namelist()
    assert f"kiv-{decided.uuid}-v1/{METADATA_NAME}" in names and len(names) == 5


def test_the_package_is_not_built_before_the_sealed_report_is_ready(world):
    assessment = approved(world)  # on-commit callbacks not run: the report stays pending
    assert archive_service.archive_enqueue_decided() == 0
    assert not ArchiveHandover.objects.filter(assessment=assessment).exists()


def test_the_file_drop_keeps_a_package_delivered_before(tmp_path, decided):
    package = build_package(decided.versions.get())
    adapter = FileDropAdapter(tmp_path)
    first = adapter.deliver(package)
    (tmp_path / first / "marker").write_text("x")
    assert adapter.deliver(package) == first
    assert (tmp_path / first / "marker").exists()


def test_the_command_writes_the_same_package_by_hand(tmp_path, decided):
    out = StringIO()
    call_command("archive_export", assessment=str(decided.uuid), to=str(tmp_path), stdout=out)
    line = json.loads(out.getvalue())
    assert line["ok"] and line["package"] == f"kiv-{decided.uuid}-v1"
    check_package(tmp_path / line["package"], decided)
    assert line["sha256"] == hashlib.sha256((tmp_path / line["package"] / METADATA_NAME).read_bytes()).hexdigest()


@pytest.mark.parametrize("argument", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_the_command_fails_clearly_for_an_unknown_assessment(db, argument, tmp_path):
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("archive_export", assessment=argument, to=str(tmp_path), stdout=out, stderr=err)
    assert exit_info.value.code == 2
    assert "unknown assessment" in err.getvalue()


def test_the_command_says_when_there_is_no_decision_yet(world, tmp_path):
    assessment = submitted(world)
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("archive_export", assessment=str(assessment.uuid), to=str(tmp_path), stdout=StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert "no decision" in err.getvalue()
