"""Exit 0 and a JSON line when the seal is valid and the file is a stored report; 1 with the reason when it
is tampered, unsigned or unknown; 2 when the file cannot be read or is not a PDF, or when this
installation's sealing certificate cannot be used (a copy restored without it: no new key is made)."""

import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from assessments.reports import render as reports
from assessments.reports import signing


class Command(BaseCommand):
    help = "Verify a KI-veileder PDF report: seal, signer, and which stored report and version it is."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the PDF.")

    def handle(self, *args, file: str, **options):
        limit = settings.KIV_MAX_UPLOAD_BYTES
        try:
            with open(file, "rb") as handle:
                data = handle.read(limit + 1)
        except OSError as exc:
            self._finish(2, {"valid": False, "reason": f"unreadable: {exc.strerror}", "file": file})
        if len(data) > limit:
            self._finish(2, {"valid": False, "reason": f"too large: more than {limit} bytes", "file": file})
        seal = signing.check_configuration(create_default=True)
        if not seal["ok"]:
            self._finish(2, {"valid": False, "reason": f"cannot verify: {seal['detail']}", "file": file})
        try:
            outcome = reports.verify_document(data)
        except signing.NotAPdfError as exc:
            self._finish(2, {"valid": False, "reason": f"not a PDF: {exc}", "file": file})
        stored = outcome["stored"]
        line = {
            "valid": outcome["matches"],
            "reason": outcome["problem"] or ("" if outcome["matches"] else "unknown"),
            "intact": outcome["intact"],
            "trusted": outcome["trusted"],
            "signer": outcome["signer"],
            "signing_time": outcome["signing_time"],
            "sha256": outcome["sha256"],
            "assessment": outcome["assessment"],
            "version": outcome["version"],
            "report": str(stored.uuid) if stored else None,
            "agency": stored.assessment.agency.slug if stored else None,
            "storage_name": stored.storage_name if stored else None,
        }
        if outcome["matches"]:
            self.stdout.write(json.dumps(line, ensure_ascii=False))
            return
        self._finish(1, line)

    def _finish(self, code: int, line: dict) -> None:
        self.stdout.write(json.dumps(line, ensure_ascii=False))
        self.stderr.write(f"verify_report: {line['reason']}")
        sys.exit(code)
