"""Approve -> report ready with a real Celery worker on Redis, and the worker's memory over many reports.

    .venv/bin/python bench/report_worker.py --database postgres://postgres@127.0.0.1:5432/kiv_bench_report

The database named is DROPPED and created again (its name must start with `kiv_bench`), migrated and
seeded with the demo agencies, users and questionnaire. A throwaway redis-server (its own port) and one
Celery worker (prefork, one child, as `make worker`) are started; this process approves `--reports`
submitted assessments one after another, each time waiting until its report is `ready`, and records the
time from the call to `assessment_approve` to the row turning ready (the enqueue after commit, Redis, the
worker's render and seal, storage). The resident memory of the worker's pool process is read from /proc
after the first report and at the end. Both go into docs/benchmarks.md under "Report".
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.queries import prepare_database  # noqa: E402


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def pool_child(pid: int) -> int:
    """The worker's pool process (prefork: the child that runs the tasks), or the worker itself."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return pid
    return int(children[0]) if children else pid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--reports", type=int, default=100)
    args = parser.parse_args()
    if not args.database.startswith("postgres"):
        sys.exit("--database must be PostgreSQL: the worker and this process share it")

    prepare_database(args.database)
    data_dir = Path(tempfile.mkdtemp(prefix="kiv-bench-worker-"))
    os.environ.update(
        {
            "DATABASE_URL": args.database,
            "KIV_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "kiveileder.settings",
            "KIV_LOG_LEVEL": "WARNING",
            "KIV_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from assessments import demo, services
    from assessments.demo.decided import COPILOT_LETTERS
    from assessments.demo.drafts import with_tool_choice
    from assessments.models import Agency, Questionnaire, Report
    from assessments.reports import signing
    from tests.integration.processes import ThrowawayRedis, app_env, celery_broker, start_worker

    call_command("migrate", verbosity=0)
    demo.seed_agencies()
    users = demo.seed_users()
    demo.seed_questionnaires()
    signing.seal_identity()  # the default certificate, made before the worker starts, shared with it
    leader, reviewer = users["leder"], users["uke"]
    agency = Agency.objects.get(name="Bydel Frogner")
    questionnaire = Questionnaire.latest()

    latencies, memory = [], {}
    with ThrowawayRedis(data_dir) as redis, celery_broker(redis.url):
        env = app_env(
            data_dir=data_dir,
            database=args.database,
            broker=redis.url,
            KIV_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        )
        worker = start_worker(env, data_dir, name="bench-worker")
        try:
            for number in range(args.reports):
                title = f"Ytelsestest {number + 1}"
                assessment = services.assessment_create(
                    agency=agency,
                    user=leader,
                    title=title,
                    questionnaire=questionnaire,
                    # The answers the newest version requires beyond the scenario's (the demo's own reading).
                    answers=with_tool_choice(questionnaire.definition, {**COPILOT_LETTERS, "title": title}),
                )
                services.assessment_submit(assessment=assessment, user=leader)
                began = time.perf_counter()
                services.assessment_approve(assessment=assessment, user=reviewer)
                report = Report.objects.get(assessment=assessment)
                while True:
                    status = Report.objects.values_list("status", flat=True).get(pk=report.pk)
                    if status in ("ready", "failed"):
                        break
                    if time.perf_counter() - began > 120:
                        sys.exit(f"report {number} not ready after 120 s:\n{worker.log()}")
                    time.sleep(0.01)
                if status != "ready":
                    sys.exit(f"report {number} failed: {Report.objects.get(pk=report.pk).error}")
                latencies.append(time.perf_counter() - began)
                if number == 0:
                    memory["after_first_mb"] = round(rss_mb(pool_child(worker.pid)), 1)
                if number == 9:
                    memory["after_10_mb"] = round(rss_mb(pool_child(worker.pid)), 1)
            memory[f"after_{args.reports}_mb"] = round(rss_mb(pool_child(worker.pid)), 1)
        finally:
            worker.stop()
    shutil.rmtree(data_dir, ignore_errors=True)

    print(
        json.dumps(
            {
                "reports": args.reports,
                "first_s": round(latencies[0], 3),
                "p50_s": round(statistics.median(latencies), 3),
                "p90_s": round(statistics.quantiles(latencies, n=10)[-1], 3) if len(latencies) >= 10 else None,
                "max_s": round(max(latencies), 3),
                "worker_rss": memory,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_average": [round(x, 2) for x in os.getloadavg()],
            },
            indent=2,
        )
    )  # noqa: T201


if __name__ == "__main__":
    main()
