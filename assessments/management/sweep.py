"""The shape of a report sweep run by hand: one age limit in seconds, a JSON summary on standard output.

The same sweeps run as periodic tasks; the commands exist to run one now (after an outage, say)."""

import json

from django.core.management.base import BaseCommand, CommandError


class SweepCommand(BaseCommand):
    option = ""  # e.g. "--grace"
    default_seconds = 0
    option_help = ""  # what the age limit keeps out, without the default

    def add_arguments(self, parser):
        parser.add_argument(
            self.option,
            type=int,
            default=self.default_seconds,
            metavar="SECONDS",
            dest="seconds",
            help=f"{self.option_help} (default {self.default_seconds}).",
        )

    def handle(self, *args, seconds: int, **options):
        if seconds < 0:
            raise CommandError(f"{self.option} must be 0 or more.")
        self.stdout.write(json.dumps(self.sweep(seconds), ensure_ascii=False))

    def sweep(self, seconds: int) -> dict:
        raise NotImplementedError
