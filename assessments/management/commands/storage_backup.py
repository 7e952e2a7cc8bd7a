"""Copy every stored file (reports, previews) out of or into the default storage, disk or S3 alike.

    python manage.py storage_backup export DIR   # DIR/files/<same names> + DIR/files.json (sha256 per file)
    python manage.py storage_backup check DIR    # only checks the folder against files.json
    python manage.py storage_backup import DIR   # checks every sha256 before and after writing
    python manage.py storage_backup seal-export DIR   # DIR/seal.json (+ DIR/seal/ when in the data folder)
    python manage.py storage_backup seal-import DIR   # puts the seal back, checks its fingerprint

Used by deploy/backup.sh and deploy/restore.sh, so one script serves both storage kinds.

The seal: reports are only verifiable with the certificate that sealed them. When it lives in the data
folder (the default certificate, or KIV_SIGNING_P12 pointing inside KIV_DATA_DIR) it goes into the backup;
otherwise the manifest names it by fingerprint and it must be kept beside the backup (docs/deployment.md).
A restore refuses a seal whose fingerprint differs from the one recorded.
"""

import hashlib
import json
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from assessments.reports import signing
from assessments.reports.jobs import stored_names

CHUNK = 1024 * 1024


def _safe(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise CommandError(f"refusing the unsafe file name {name!r}")
    return str(path)


class Command(BaseCommand):
    help = "Export the stored files to a folder, or import them from one (with sha256 checks)."

    def add_arguments(self, parser):
        parser.add_argument("direction", choices=["export", "check", "import", "seal-export", "seal-import"])
        parser.add_argument("folder")

    def handle(self, *args, direction, folder, **options):
        root = Path(folder)
        if direction.startswith("seal-"):
            seal = _export_seal(root) if direction == "seal-export" else _import_seal(root)
            self.stdout.write(json.dumps(seal))
            return
        if direction == "export":
            count = self._export(root)
        elif direction == "check":
            count = len(self._check(root))
        else:
            count = self._import(root)
        self.stdout.write(json.dumps({"direction": direction, "files": count}))

    def _export(self, root: Path) -> int:
        files_dir = root / "files"
        files_dir.mkdir(parents=True, exist_ok=True)
        manifest = {}
        for name in stored_names(default_storage):
            target = files_dir / _safe(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with default_storage.open(name, "rb") as source, open(target, "wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            manifest[name] = digest.hexdigest()
        (root / "files.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        return len(manifest)

    def _check(self, root: Path) -> dict:
        if (root / SEAL_JSON).exists():
            check_seal(root)
        try:
            manifest = json.loads((root / "files.json").read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {root / 'files.json'}: {exc}") from None
        # Check the whole backup before writing anything: a damaged backup changes nothing.
        for name, expected in manifest.items():
            data = (root / "files" / _safe(name)).read_bytes()
            if hashlib.sha256(data).hexdigest() != expected:
                raise CommandError(f"{name}: the file in the backup does not match its sha256")
        return manifest

    def _import(self, root: Path) -> int:
        manifest = self._check(root)
        for name, expected in manifest.items():
            data = (root / "files" / _safe(name)).read_bytes()
            if default_storage.exists(name):
                with default_storage.open(name, "rb") as existing:
                    if hashlib.sha256(existing.read()).hexdigest() == expected:
                        continue
                default_storage.delete(name)
            saved = default_storage.save(name, ContentFile(data))
            if saved != name:
                raise CommandError(f"{name} was stored as {saved}")
            with default_storage.open(name, "rb") as written:
                if hashlib.sha256(written.read()).hexdigest() != expected:
                    raise CommandError(f"{name}: the stored copy does not match its sha256")
        return len(manifest)


SEAL_JSON = "seal.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _export_seal(root: Path) -> dict:
    """Record the seal's fingerprint; copy the PKCS#12 file when it lives in the data folder."""
    path, password = signing.seal_path()
    seal = {"fingerprint_sha256": None, "in_backup": False, "file": None, "file_sha256": None, "source": str(path)}
    if path.exists():
        try:
            seal["fingerprint_sha256"] = signing.certificate_fingerprint(path, password)
        except ValueError:
            raise CommandError(f"The sealing certificate {path} cannot be opened (KIV_SIGNING_P12_PASSWORD)") from None
        data_dir = Path(settings.DATA_DIR).resolve()
        if path.resolve().is_relative_to(data_dir):
            target = root / "seal" / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
            target.chmod(0o600)
            seal.update({"in_backup": True, "file": f"seal/{path.name}", "file_sha256": _sha256(target)})
    (root / SEAL_JSON).write_text(json.dumps(seal, indent=1))
    return seal


def _read_seal(root: Path) -> dict:
    try:
        return json.loads((root / SEAL_JSON).read_text())
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read {root / SEAL_JSON}: {exc}") from None


def check_seal(root: Path) -> dict:
    """The backup's seal file is intact (before anything is written)."""
    seal = _read_seal(root)
    if seal.get("in_backup") and _sha256(root / _safe(seal["file"])) != seal["file_sha256"]:
        raise CommandError(f"{seal['file']}: the file in the backup does not match its sha256")
    return seal


def _import_seal(root: Path) -> dict:
    """Put the backup's seal where this installation looks for it, then check that the seal in use is the
    one the reports were sealed with."""
    seal = check_seal(root)
    expected = seal.get("fingerprint_sha256")
    path, password = signing.seal_path()
    if seal.get("in_backup"):
        data = (root / _safe(seal["file"])).read_bytes()
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.write_bytes(data)
            path.chmod(0o600)
    if expected is None:
        return seal  # the source had not sealed anything yet
    if not path.exists():
        raise CommandError(
            f"No sealing certificate at {path}: the reports were sealed with the certificate of fingerprint "
            f"{expected}; set KIV_SIGNING_P12 to it (it is not in this backup)."
        )
    try:
        actual = signing.certificate_fingerprint(path, password)
    except ValueError:
        raise CommandError(f"The sealing certificate {path} cannot be opened (KIV_SIGNING_P12_PASSWORD)") from None
    if actual != expected:
        raise CommandError(
            f"The sealing certificate {path} (fingerprint {actual}) is not the one the reports were sealed with "
            f"({expected}); set KIV_SIGNING_P12 to that one."
        )
    return seal
