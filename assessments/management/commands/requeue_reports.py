import json

from django.core.management.base import BaseCommand, CommandError

from assessments import tasks
from assessments.reports import jobs as report_jobs


class Command(BaseCommand):
    help = (
        "Put reports stuck in pending/rendering back on the queue (those over the attempt cap become failed) "
        "and print a JSON summary. Also runs as the periodic task requeue_stale_reports."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=report_jobs.STALE_AFTER_SECONDS,
            metavar="SECONDS",
            help=f"Only reports untouched for this long (default {report_jobs.STALE_AFTER_SECONDS}).",
        )

    def handle(self, *args, older_than: int, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more.")
        summary = report_jobs.requeue_stale(older_than=older_than, enqueue=tasks.enqueue_render)
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
