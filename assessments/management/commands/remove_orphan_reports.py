import json

from django.core.management.base import BaseCommand, CommandError

from assessments.reports import jobs as report_jobs


class Command(BaseCommand):
    help = (
        "Delete stored report files that no report names (a run died between storing and recording its file), "
        "once older than the grace period, and print a JSON summary. Also runs as the periodic task "
        "remove_orphan_report_files."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace",
            type=int,
            default=report_jobs.ORPHAN_GRACE_SECONDS,
            metavar="SECONDS",
            help=f"Only files older than this (default {report_jobs.ORPHAN_GRACE_SECONDS}).",
        )

    def handle(self, *args, grace: int, **options):
        if grace < 0:
            raise CommandError("--grace must be 0 or more.")
        self.stdout.write(json.dumps(report_jobs.remove_orphan_files(grace_seconds=grace), ensure_ascii=False))
