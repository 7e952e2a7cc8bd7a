"""Write the archive package of an assessment's newest decision by hand:
`python manage.py archive_export --assessment UUID --to DIR`.

Exit 0 and a JSON line with the package folder; 1 when there is nothing to archive (no decision, or the
sealed report is not ready); 2 when the assessment is unknown or the folder cannot be written."""

import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from assessments.archive.adapters import ArchiveUnavailable, FileDropAdapter
from assessments.archive.noark import NotArchivable, build_package
from assessments.models import Assessment


class Command(BaseCommand):
    help = "Write the Noark 5 archive package of an assessment's newest decision to a folder."

    def add_arguments(self, parser):
        parser.add_argument("--assessment", required=True, help="The assessment's UUID.")
        parser.add_argument("--to", required=True, help="The folder to write the package into.")

    def handle(self, *args, assessment: str, to: str, **options):
        try:
            found = Assessment.objects.get(uuid=assessment)
        except (Assessment.DoesNotExist, ValueError, ValidationError) as exc:  # a malformed UUID: ValidationError
            self._finish(2, {"ok": False, "reason": f"unknown assessment: {type(exc).__name__}"})
        version = found.versions.exclude(decision="").filter(decided_at__isnull=False).order_by("-number").first()
        if version is None:
            self._finish(1, {"ok": False, "reason": "no decision to archive"})
        try:
            package = build_package(version)
        except NotArchivable as exc:
            self._finish(1, {"ok": False, "reason": str(exc)})
        try:
            folder = FileDropAdapter(to).deliver(package)
        except ArchiveUnavailable as exc:
            self._finish(2, {"ok": False, "reason": str(exc)})
        line = {"ok": True, "package": folder, "version": version.number, "sha256": package.sha256}
        self.stdout.write(json.dumps(line, ensure_ascii=False))

    def _finish(self, code: int, line: dict) -> None:
        self.stdout.write(json.dumps(line, ensure_ascii=False))
        self.stderr.write(f"archive_export: {line['reason']}")
        sys.exit(code)
