"""Copy every stored file (reports, previews) out of or into the default storage, disk or S3 alike.

    python manage.py storage_backup export DIR   # DIR/files/<same names> + DIR/files.json (sha256 per file)
    python manage.py storage_backup check DIR    # only checks the folder against files.json
    python manage.py storage_backup import DIR   # checks every sha256 before and after writing

Used by deploy/backup.sh and deploy/restore.sh, so one script serves both storage kinds.
"""

import hashlib
import json
from pathlib import Path, PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

CHUNK = 1024 * 1024


def walk(storage, folder: str = ""):
    """Every file name under `folder`, depth first (listdir works for FileSystemStorage and S3Storage)."""
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(dirs):
        yield from walk(storage, f"{folder}/{name}" if folder else name)


def _safe(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise CommandError(f"refusing the unsafe file name {name!r}")
    return str(path)


class Command(BaseCommand):
    help = "Export the stored files to a folder, or import them from one (with sha256 checks)."

    def add_arguments(self, parser):
        parser.add_argument("direction", choices=["export", "check", "import"])
        parser.add_argument("folder")

    def handle(self, *args, direction, folder, **options):
        root = Path(folder)
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
        for name in walk(default_storage):
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
