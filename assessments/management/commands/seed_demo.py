import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments import demo


class Command(BaseCommand):
    help = "Create Oslo kommune's agencies, the demo users and demo assessments (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DJANGO_DEBUG is off.")
        parser.add_argument(
            "--assessments",
            type=int,
            default=0,
            metavar="N",
            help="Also create N synthetic assessments across 60 agencies (for scale tests; no PDFs).",
        )

    def handle(self, *args, force: bool, assessments: int, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo refuses to run with DJANGO_DEBUG off; use --force if you mean it.")
        if assessments < 0:
            raise CommandError("--assessments must be 0 or more.")
        summary = demo.seed(bulk_assessments=assessments)
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
