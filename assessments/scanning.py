"""Virus scanning of uploaded files: one small interface, two scanners.

- `ClamdScanner`: clamd over its unix socket (KIV_CLAMD_SOCKET), with the INSTREAM command.
- `NoScanner`: used when no socket is configured; it scans nothing and says so ("not scanned"), so a page
  can tell the reader that the file was not checked instead of implying that it was.

Why our own INSTREAM client and not the PyPI package `clamd`: that package's last release (1.0.2) is from
2014 and unmaintained, it imports `pkg_resources` (deprecated, and gone from newer setuptools), and we need
one command of a protocol that fits in a screen: send `zINSTREAM\\0`, then the data in chunks each prefixed
with its length as a 4-byte big-endian integer, then a zero-length chunk; clamd answers one
NUL-terminated line, `stream: OK`, `stream: <signature> FOUND` or `... ERROR`. Owning those lines is less
risk than an unmaintained dependency.

A scanner that cannot be reached raises `ScannerUnavailable`: the caller keeps the file pending and tries
again later; a file is never passed as clean because the scanner was down. A file over clamd's StreamMaxLength
gets the verdict REFUSED ("INSTREAM size limit exceeded. ERROR"; clamd may say so and close before the whole
stream is sent): trying again would get the same answer, so the file is held back for good and the uploader is
told. Any other `... ERROR` may be passing (clamd out of memory or temporary space): it raises `ScanError`, the
file stays pending and the sweep goes on to the next file and tries this one again later.
"""

import socket
import struct
from dataclasses import dataclass

from django.conf import settings

CLEAN = "clean"
FOUND = "found"
NOT_SCANNED = "not_scanned"
REFUSED = "refused"

# clamd's default StreamMaxLength is 25 MB; the chunk size only bounds each send.
CHUNK_BYTES = 64 * 1024
DEFAULT_TIMEOUT_SECONDS = 60.0


class ScannerUnavailable(Exception):
    """The scanner could not give a verdict (not running, timed out, a reply it should never give)."""


class ScanError(ScannerUnavailable):
    """clamd is there but answered ERROR for this one file for a reason that may pass: the file stays pending,
    and the sweep goes on to the next one."""


@dataclass(frozen=True)
class ScanResult:
    outcome: str  # CLEAN, FOUND, NOT_SCANNED or REFUSED
    signature: str = ""  # what the scanner found, for FOUND; its reason, for REFUSED
    scanner: str = ""


class NoScanner:
    """The configured no-op: nothing is scanned, and the result says so."""

    name = "none"

    def scan(self, data: bytes) -> ScanResult:
        return ScanResult(NOT_SCANNED, scanner=self.name)


class ClamdScanner:
    """clamd's INSTREAM over a unix socket."""

    name = "clamd"

    def __init__(self, socket_path: str, timeout: float = DEFAULT_TIMEOUT_SECONDS):
        self.socket_path = socket_path
        self.timeout = timeout

    def scan(self, data: bytes) -> ScanResult:
        try:
            reply = self._instream(data)
        except OSError as exc:
            raise ScannerUnavailable(f"clamd at {self.socket_path}: {exc}") from exc
        return parse_reply(reply, self.name)

    def _instream(self, data: bytes) -> bytes:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(self.timeout)
            conn.connect(self.socket_path)
            try:
                conn.sendall(b"zINSTREAM\0")
                for start in range(0, len(data), CHUNK_BYTES):
                    chunk = data[start : start + CHUNK_BYTES]
                    conn.sendall(struct.pack(">I", len(chunk)) + chunk)
                conn.sendall(struct.pack(">I", 0))
            except (BrokenPipeError, ConnectionResetError):  # nosec B110 - clamd answers and closes as soon as a
                pass  # stream is over its limit: the answer is read below
            reply = b""
            while not reply.endswith(b"\0"):
                part = conn.recv(4096)
                if not part:
                    break
                reply += part
        return reply


def parse_reply(reply: bytes, scanner: str = "clamd") -> ScanResult:
    """clamd's answer to INSTREAM: `stream: OK`, `stream: <signature> FOUND`, or `<reason> ERROR`."""
    text = reply.rstrip(b"\0\n").decode("utf-8", "replace").strip()
    if text == "stream: OK":
        return ScanResult(CLEAN, scanner=scanner)
    if text.startswith("stream: ") and text.endswith(" FOUND"):
        return ScanResult(FOUND, signature=text[len("stream: ") : -len(" FOUND")].strip()[:200], scanner=scanner)
    if text.endswith("ERROR") and "size limit exceeded" in text:
        return ScanResult(REFUSED, signature=text[: -len("ERROR")].strip()[:200], scanner=scanner)
    if text.endswith("ERROR"):
        raise ScanError(f"clamd answered {text[:200]!r}")
    raise ScannerUnavailable(f"clamd answered {text[:200]!r}")


def get_scanner() -> ClamdScanner | NoScanner:
    """clamd when KIV_CLAMD_SOCKET is set, otherwise the no-op."""
    if settings.KIV_CLAMD_SOCKET:
        return ClamdScanner(settings.KIV_CLAMD_SOCKET, timeout=settings.KIV_CLAMD_TIMEOUT_SECONDS)
    return NoScanner()
