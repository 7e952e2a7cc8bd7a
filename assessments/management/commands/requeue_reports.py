from assessments import tasks
from assessments.management.sweep import SweepCommand
from assessments.reports import jobs as report_jobs


class Command(SweepCommand):
    help = (
        "Put reports stuck in pending/rendering back on the queue (those over the attempt cap become failed) "
        "and print a JSON summary. Also runs as the periodic task requeue_stale_reports."
    )
    option = "--older-than"
    default_seconds = report_jobs.STALE_AFTER_SECONDS
    option_help = "Only reports untouched for this long"

    def sweep(self, seconds: int) -> dict:
        return report_jobs.requeue_stale(older_than=seconds, enqueue=tasks.enqueue_render)
