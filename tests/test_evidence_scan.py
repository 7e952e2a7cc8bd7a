"""Evidence virus scan: the clamd client against a fake clamd speaking the real INSTREAM protocol on a unix
socket, the no-op scanner, and the scan's effect on the plan (pending, quarantine, download refused)."""

import shutil
import socketserver
import struct
import tempfile
import threading
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments import scanning
from assessments.models import AuditEvent, Evidence, OutboxMessage
from assessments.reports import plan_status
from assessments.services import evidence_scan, plans
from tests.answers import complete
from tests.assessment_helpers import PDF, make_assessment

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeClamd(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """clamd's INSTREAM: `zINSTREAM\\0`, length-prefixed chunks, a zero chunk; one NUL-terminated reply."""

    daemon_threads = True

    def __init__(self, path: str, reply: bytes | None = None):
        self.received: list[bytes] = []
        self.commands: list[bytes] = []
        self.chunks = 0
        self.reply = reply
        super().__init__(path, FakeClamdHandler)


class FakeClamdHandler(socketserver.StreamRequestHandler):
    def handle(self):
        command = b""
        while not command.endswith(b"\0"):
            command += self.rfile.read(1)
        self.server.commands.append(command)
        data = b""
        while True:
            (size,) = struct.unpack(">I", self.rfile.read(4))
            if size == 0:
                break
            data += self.rfile.read(size)
            self.server.chunks += 1
            if b"TOO-BIG" in data:  # over its StreamMaxLength clamd answers and closes at once, mid-stream
                self.server.received.append(data)
                self.wfile.write(b"INSTREAM size limit exceeded. ERROR\0")
                return
        self.server.received.append(data)
        if self.server.reply is not None:
            reply = self.server.reply
        elif EICAR in data:
            reply = b"stream: Eicar-Test-Signature FOUND\0"
        elif b"FLAKY" in data:  # an error that may pass
            reply = b"Can't allocate memory ERROR\0"
        else:
            reply = b"stream: OK\0"
        self.wfile.write(reply)


@pytest.fixture
def clamd():
    # A short directory: a unix socket's path may not be longer than about 100 bytes.
    directory = tempfile.mkdtemp(prefix="kivclamd", dir="/tmp")
    server = FakeClamd(str(Path(directory) / "clamd.sock"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    shutil.rmtree(directory, ignore_errors=True)


def test_clamd_says_ok_for_a_clean_file_sent_in_chunks(clamd):
    data = PDF + b"0" * (scanning.CHUNK_BYTES * 2 + 10)
    result = scanning.ClamdScanner(clamd.server_address).scan(data)
    assert result.outcome == scanning.CLEAN and result.signature == ""
    assert clamd.commands == [b"zINSTREAM\0"] and clamd.received == [data] and clamd.chunks == 3


def test_clamd_names_what_it_found(clamd):
    result = scanning.ClamdScanner(clamd.server_address).scan(EICAR)
    assert result.outcome == scanning.FOUND and result.signature == "Eicar-Test-Signature"


def test_over_the_size_limit_is_a_refusal_even_when_clamd_closes_mid_stream(clamd):
    big = PDF + b"TOO-BIG" + b"0" * (scanning.CHUNK_BYTES * 64)  # 4 MB: far more than the socket buffers hold
    result = scanning.ClamdScanner(clamd.server_address).scan(big)
    assert result.outcome == scanning.REFUSED and result.signature == "INSTREAM size limit exceeded."
    assert len(clamd.received[0]) < len(big)  # clamd stopped reading before the end


def test_another_error_reply_or_no_clamd_is_never_a_verdict(clamd):
    clamd.reply = b"Can't allocate memory ERROR\0"
    with pytest.raises(scanning.ScanError):
        scanning.ClamdScanner(clamd.server_address).scan(PDF)
    with pytest.raises(scanning.ScannerUnavailable):
        scanning.ClamdScanner("/tmp/kiv-no-such-clamd.sock").scan(PDF)
    clamd.reply = b"something else\0"
    with pytest.raises(scanning.ScannerUnavailable):
        scanning.ClamdScanner(clamd.server_address).scan(PDF)


def test_the_scanner_follows_the_setting(settings, clamd):
    settings.KIV_CLAMD_SOCKET = ""
    assert scanning.get_scanner().scan(EICAR).outcome == scanning.NOT_SCANNED
    settings.KIV_CLAMD_SOCKET = clamd.server_address
    assert isinstance(scanning.get_scanner(), scanning.ClamdScanner)


@pytest.fixture
def item(world):
    assessment = make_assessment(world, "Virussjekk i bydel A", answers=complete(), submit=True)
    return assessment.plan_items.order_by("pk").first()


def upload(world, item, name, data, capture):
    url = reverse("assessments:plan_evidence_add", args=[item.assessment.uuid, item.pk])
    with capture(execute=True):
        response = world.client("leader_a").post(url, {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302
    return Evidence.objects.get(item=item, file_name=name)


def download(world, evidence):
    url = reverse("assessments:plan_evidence_download", args=[evidence.item.assessment.uuid, evidence.uuid])
    return world.client("leader_a").get(url, follow=True)


def test_a_clean_file_is_scanned_after_upload_and_can_be_downloaded(world, item, settings, clamd,
                                                                     django_capture_on_commit_callbacks):  # fmt: skip
    settings.KIV_CLAMD_SOCKET = clamd.server_address
    evidence = upload(world, item, "dpia.pdf", PDF, django_capture_on_commit_callbacks)
    assert evidence.scan_status == Evidence.Scan.CLEAN and clamd.received == [PDF]
    response = download(world, evidence)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    event = AuditEvent.objects.get(action="plan.evidence_scanned")
    assert event.details["status"] == "clean" and event.details["scanner"] == "clamd"


def test_a_flagged_file_is_quarantined_and_the_uploader_told(world, item, settings, clamd,
                                                             django_capture_on_commit_callbacks):  # fmt: skip
    settings.KIV_CLAMD_SOCKET = clamd.server_address
    data = PDF + EICAR
    evidence = upload(world, item, "smittet.pdf", data, django_capture_on_commit_callbacks)
    assert evidence.scan_status == Evidence.Scan.QUARANTINED
    assert evidence.scan_signature == "Eicar-Test-Signature"
    assert evidence.storage_name.startswith("quarantine/evidence/")
    assert default_storage.open(evidence.storage_name).read() == data
    assert not default_storage.exists(evidence.storage_name.removeprefix("quarantine/"))
    event = AuditEvent.objects.get(action="plan.evidence_quarantined")
    assert event.details["signature"] == "Eicar-Test-Signature" and event.details["evidence"] == str(evidence.uuid)
    message = OutboxMessage.objects.get(kind="plan_evidence_quarantined")
    assert message.to == world.users["leader_a"].email and "smittet.pdf" in message.subject
    response = download(world, evidence)
    page = response.content.decode()
    assert response.status_code == 200 and "ble stoppet av virussjekken" in page
    assert response.get("Content-Disposition") is None
    plan = world.client("leader_a").get(reverse("assessments:plan_detail", args=[item.assessment.uuid]))
    assert 'id="held-back"' in plan.content.decode() and "smittet.pdf" in plan.content.decode()


def test_a_quarantined_file_is_marked_in_the_export_the_status_report_and_the_history(
    world, item, settings, clamd, django_capture_on_commit_callbacks
):
    settings.KIV_CLAMD_SOCKET = clamd.server_address
    upload(world, item, "smittet.pdf", PDF + EICAR, django_capture_on_commit_callbacks)
    upload(world, item, "ren.pdf", PDF, django_capture_on_commit_callbacks)
    assessment = item.assessment
    csv = world.client("leader_a").get(reverse("assessments:plan_export_csv", args=[assessment.uuid]))
    assert "smittet.pdf (i karantene); ren.pdf" in b"".join(csv.streaming_content).decode("utf-8-sig")
    state = next(s for s in plan_status.state_as_of(assessment, timezone.localdate()) if s["item_id"] == item.pk)
    assert [(e["name"], e["held_back"]) for e in state["evidence"]] == [("smittet.pdf", "quarantined"), ("ren.pdf", "")]
    page = world.client("leader_a").get(reverse("assessments:plan_item", args=[assessment.uuid, item.pk]))
    history = page.content.decode().split('id="history"')[1]
    assert "Dokumentasjon satt i karantene av virussjekken" in history and "evidence_" not in history


def test_a_pending_file_is_refused_with_a_message(world, item, settings, clamd):
    settings.KIV_CLAMD_SOCKET = clamd.server_address
    evidence = plans.evidence_add(item=item, user=world.users["leader_a"], upload=SimpleUploadedFile("a.pdf", PDF))
    assert evidence.scan_status == Evidence.Scan.PENDING  # the scan is queued after the commit
    response = download(world, evidence)
    assert response.status_code == 200 and "venter på virussjekk" in response.content.decode()
    assert response.get("Content-Disposition") is None


def test_a_scanner_that_is_away_leaves_the_file_pending_for_the_sweep(world, item, settings, clamd,
                                                                      django_capture_on_commit_callbacks):  # fmt: skip
    settings.KIV_CLAMD_SOCKET = "/tmp/kiv-no-such-clamd.sock"
    evidence = upload(world, item, "senere.pdf", PDF, django_capture_on_commit_callbacks)
    assert evidence.scan_status == Evidence.Scan.PENDING
    settings.KIV_CLAMD_SOCKET = clamd.server_address
    assert evidence_scan.scan_pending(older_than=evidence_scan.dt.timedelta(0)) == {
        "scanned": 1, "quarantined": 0, "refused": 0, "failed": 0, "unavailable": False}  # fmt: skip
    evidence.refresh_from_db()
    assert evidence.scan_status == Evidence.Scan.CLEAN
    assert evidence_scan.scan(evidence.pk) == ""  # a second run changes nothing


def swept(world, item, settings, clamd, first: bytes, capture):
    """Two files uploaded while clamd is away, `first` ("stor.pdf") and a clean one after it, then the sweep
    with clamd back: (first, the clean one, the sweep's summary)."""
    settings.KIV_CLAMD_SOCKET = "/tmp/kiv-no-such-clamd.sock"
    files = [upload(world, item, "stor.pdf", first, capture), upload(world, item, "liten.pdf", PDF, capture)]
    settings.KIV_CLAMD_SOCKET = clamd.server_address
    summary = evidence_scan.scan_pending(older_than=evidence_scan.dt.timedelta(0))
    for evidence in files:
        evidence.refresh_from_db()
    return *files, summary


def test_a_refused_file_is_held_back_for_good_the_uploader_told_and_the_sweep_goes_on(
    world, item, settings, clamd, django_capture_on_commit_callbacks
):
    refused, later, summary = swept(world, item, settings, clamd, PDF + b"TOO-BIG", django_capture_on_commit_callbacks)
    assert summary == {"scanned": 2, "quarantined": 0, "refused": 1, "failed": 0, "unavailable": False}
    assert refused.scan_status == Evidence.Scan.REFUSED and later.scan_status == Evidence.Scan.CLEAN
    assert refused.storage_name and not refused.downloadable
    assert "kunne ikke kontrollere filen" in download(world, refused).content.decode()
    message = OutboxMessage.objects.get(kind="plan_evidence_refused")
    assert message.to == world.users["leader_a"].email and "stor.pdf" in message.subject
    event = AuditEvent.objects.get(action="plan.evidence_refused")
    assert event.details["reason"] == "INSTREAM size limit exceeded."
    assert item.history.filter(change="evidence_refused").count() == 1
    # Not tried again: the next sweep finds nothing pending.
    assert evidence_scan.scan_pending(older_than=evidence_scan.dt.timedelta(0))["scanned"] == 0
    plan = world.client("leader_a").get(reverse("assessments:plan_detail", args=[item.assessment.uuid]))
    held_back = plan.content.decode().split('id="held-back"')[1].split("</div>")[0]
    assert "<span>stor.pdf</span>, avvist av virussjekken" in held_back


def test_a_passing_error_leaves_the_file_pending_and_the_sweep_goes_on(
    world, item, settings, clamd, django_capture_on_commit_callbacks
):
    flaky, later, summary = swept(world, item, settings, clamd, PDF + b"FLAKY", django_capture_on_commit_callbacks)
    assert summary == {"scanned": 1, "quarantined": 0, "refused": 0, "failed": 1, "unavailable": False}
    assert flaky.scan_status == Evidence.Scan.PENDING and later.scan_status == Evidence.Scan.CLEAN
    assert not OutboxMessage.objects.filter(kind__startswith="plan_evidence_").exists()


def test_without_a_scanner_files_are_marked_not_scanned(world, item, settings, django_capture_on_commit_callbacks):
    settings.KIV_CLAMD_SOCKET = ""
    evidence = upload(world, item, "dpia.pdf", PDF, django_capture_on_commit_callbacks)
    assert evidence.scan_status == Evidence.Scan.NOT_SCANNED and evidence.scanned_at is not None
    assert download(world, evidence).status_code == 200
    page = world.client("leader_a").get(reverse("assessments:plan_item", args=[item.assessment.uuid, item.pk]))
    assert "Ikke virussjekket" in page.content.decode()
