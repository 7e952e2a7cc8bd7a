import json

from django.core.management.base import BaseCommand

from assessments.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain. Exit 0 when intact, 1 naming the first bad event."

    def handle(self, *args, **options):
        status = verify_chain()
        self.stdout.write(json.dumps(status.as_dict()))
        if not status.ok:
            self.stderr.write(f"Audit log broken at event {status.bad_event_id}: {status.reason}")
            raise SystemExit(1)
