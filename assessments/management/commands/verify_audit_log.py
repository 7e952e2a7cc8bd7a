"""Verify the audit log: exit 0 when intact, 1 naming the first bad event, a truncation or a rollback.

The chain is walked from the first event; its end must match the head row and pass through the signed
checkpoints in report storage (the largest and the newest). One JSON line on stdout, the reason on stderr;
a row that cannot be read or a checkpoint that does not verify is reported, never a traceback.
"""

import json

from django.core.management.base import BaseCommand

from assessments.audit import chain as audit
from assessments.audit import checkpoints as audit_checkpoints


class Command(BaseCommand):
    help = "Verify the audit log's hash chain against its head and the signed checkpoints."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-checkpoints", action="store_true", help="Check the chain and the head only (no storage access)."
        )

    def handle(self, *args, no_checkpoints: bool = False, **options):
        checkpoints = []
        if not no_checkpoints:
            try:
                checkpoints = audit_checkpoints.relevant()
            except audit_checkpoints.CheckpointError as exc:
                self._finish({"ok": False, "reason": str(exc)})
            except Exception as exc:  # storage unreachable: say so in one line
                self._finish({"ok": False, "reason": f"checkpoints cannot be listed ({type(exc).__name__}: {exc})"})
        try:
            status = audit.verify_chain(checkpoints)
        except Exception as exc:  # the database itself cannot be read
            self._finish({"ok": False, "reason": f"the audit log cannot be read ({type(exc).__name__}: {exc})"})
        self.stdout.write(json.dumps(status.as_dict()))
        if not status.ok:
            self.stderr.write(f"Audit log broken at event {status.bad_event_id}: {status.reason}")
            raise SystemExit(1)

    def _finish(self, line: dict) -> None:
        self.stdout.write(json.dumps(line))
        self.stderr.write(f"verify_audit_log: {line['reason']}".splitlines()[0])
        raise SystemExit(1)
