"""Where a package goes: a folder the archive picks up from (the embedded default), or the archive's HTTP
service. Each adapter returns the archive's reference for the registry entry (journalpost-id)."""

import io
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import requests
from django.conf import settings

from assessments.archive.noark import Package


class ArchiveUnavailable(Exception):
    """The archive could not take the package now; the hand-over is retried later."""


class FileDropAdapter:
    """Writes one folder per case under `root`. The folder appears whole or not at all (written beside it,
    then renamed), and an existing folder is the same package delivered before: it is kept, not rewritten."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def deliver(self, package: Package) -> str:
        target = self.root / package.case_id
        if target.exists():
            return package.case_id
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{package.case_id}.", dir=self.root))
        except OSError as exc:
            raise ArchiveUnavailable(f"file drop {self.root}: {exc.strerror or exc}") from exc
        try:
            for name, data in package.files.items():
                path = staging / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            os.replace(staging, target)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise ArchiveUnavailable(f"file drop {self.root}: {exc.strerror or exc}") from exc
        return package.case_id


class HttpArchiveAdapter:
    """POSTs the package as one zip file to the archive's service, which answers with JSON holding the
    journalpost id (`{"journalpostId": "..."}`). The case id goes along as an idempotency key, so a retry
    after a lost answer does not make a second entry in an archive that honours it."""

    def __init__(self, url: str, token: str | None = None, timeout: int = 30):
        self.url, self.token, self.timeout = url, token, timeout

    def deliver(self, package: Package) -> str:
        headers = {"Content-Type": "application/zip", "Idempotency-Key": package.case_id}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = requests.post(self.url, data=as_zip(package), headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise ArchiveUnavailable(f"archive service: {type(exc).__name__}") from exc
        if response.status_code >= 300:
            raise ArchiveUnavailable(f"archive service answered {response.status_code}")
        try:
            reference = str(response.json()["journalpostId"]).strip()
        except (ValueError, KeyError, TypeError) as exc:
            raise ArchiveUnavailable("archive service gave no journalpostId") from exc
        if not reference:
            raise ArchiveUnavailable("archive service gave an empty journalpostId")
        return reference[:200]


def as_zip(package: Package) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(package.files.items()):
            archive.writestr(f"{package.case_id}/{name}", data)
    return buffer.getvalue()


def configured_adapter():
    """The adapter the settings choose, or None when hand-over is off."""
    kind = settings.KIV_ARCHIVE_ADAPTER
    if kind == "file":
        return FileDropAdapter(settings.KIV_ARCHIVE_DIR)
    if kind == "http":
        return HttpArchiveAdapter(settings.KIV_ARCHIVE_URL, settings.KIV_ARCHIVE_TOKEN, settings.KIV_ARCHIVE_TIMEOUT)
    return None
