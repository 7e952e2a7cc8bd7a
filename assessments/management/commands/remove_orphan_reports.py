from assessments.management.sweep import SweepCommand
from assessments.reports import jobs as report_jobs


class Command(SweepCommand):
    help = (
        "Delete stored report files that no report names (a run died between storing and recording its file), "
        "once older than the grace period, and print a JSON summary. Also runs as the periodic task "
        "remove_orphan_report_files."
    )
    option = "--grace"
    default_seconds = report_jobs.ORPHAN_GRACE_SECONDS
    option_help = "Only files older than this"

    def sweep(self, seconds: int) -> dict:
        return report_jobs.remove_orphan_files(grace_seconds=seconds)
