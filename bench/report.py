"""Render + seal time of the full demo report in a warm process, against bare WeasyPrint on the same HTML.

    .venv/bin/python bench/report.py                 # median of 7 runs
    .venv/bin/python bench/report.py --runs 15 --memory 100

A throwaway data folder (SQLite, media, a generated test certificate) is made under var/bench-report/ and
seeded with `seed_demo`; the approved demo assessment's report is then made again and again, in this one
process, as a worker would (one parsed stylesheet, one font configuration):

- app: `reports.build_pdf` (context, template, PDF/A-3b with tags and the attached answers, PAdES seal);
- floor: the same HTML string (rendered once beforehand) through `weasyprint.HTML(...).write_pdf()` with the
  same stylesheet and font configuration, and WeasyPrint's default options (no PDF/A, no tags, no
  attachment, no seal).

Reports the median, min and max of each, the ratio, the page count, and with --memory N the resident memory
before and after N more reports. The figures go into docs/benchmarks.md under "Report".
"""

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(data_dir: Path) -> None:
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    os.environ["KIV_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    for name in ("CELERY_BROKER_URL", "KIV_SIGNING_P12", "KIV_TSA_URL"):
        os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiveileder.settings")
    os.environ["KIV_LOG_LEVEL"] = "WARNING"
    os.environ["KIV_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(func, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of `runs` calls. CPU time (this process only) is the steadier figure
    when other work shares the machine; wall-clock time is what a user waits."""
    wall, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="measured runs of each (at least 5)")
    parser.add_argument(
        "--memory", type=int, default=0, metavar="N", help="also measure resident memory over N more reports"
    )
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench-report"))
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("--runs must be at least 5")
    _setup(Path(args.data_dir))

    import weasyprint
    from django.utils import translation

    from assessments.models import Report
    from assessments.reports import render as reports
    from assessments.reports import signing

    report = (
        Report.objects.filter(kind="signed", version__decision="approved")
        .select_related(
            "assessment__agency",
            "assessment__questionnaire",
            "version__questionnaire",
            "version__decided_by",
            "version__submitted_by",
        )
        .order_by("created_at")
        .first()
    )
    if report is None:
        sys.exit("seed_demo made no approved report")
    with translation.override(report.assessment.language):
        html = reports.render_html(reports.build_context(report))
    stylesheet, font_config = reports._styles()

    def app():
        return reports.build_pdf(report)

    def floor():
        document = weasyprint.HTML(string=html, base_url=reports.STATIC_ORIGIN, url_fetcher=reports.FETCHER)
        return document.write_pdf(stylesheets=[stylesheet], font_config=font_config)

    # Warm up: the first render parses the stylesheet, loads the fonts and the certificate.
    made = app()
    floor()
    pages = len(
        weasyprint.HTML(string=html, base_url=reports.STATIC_ORIGIN, url_fetcher=reports.FETCHER)
        .render(stylesheets=[stylesheet], font_config=font_config)
        .pages
    )
    app_times, floor_times, app_cpu, floor_cpu = [], [], [], []
    for _ in range(args.runs):  # interleaved, so background load hits both alike
        wall, cpu = _timed(app, 1)
        app_times += wall
        app_cpu += cpu
        wall, cpu = _timed(floor, 1)
        floor_times += wall
        floor_cpu += cpu
    with translation.override(report.assessment.language):
        context = reports.build_context(report)
    unsigned = reports.write_pdf(html, context["answers_file"], title=context["title"])
    sign_times = _timed(lambda: signing.sign_pdf(unsigned, reason="bench"), args.runs)[0]

    result = {
        "pages": pages,
        "pdf_bytes": len(made["pdf"]),
        "runs": args.runs,
        "app_median_s": round(statistics.median(app_times), 3),
        "app_min_s": round(min(app_times), 3),
        "app_max_s": round(max(app_times), 3),
        "floor_median_s": round(statistics.median(floor_times), 3),
        "floor_min_s": round(min(floor_times), 3),
        "floor_max_s": round(max(floor_times), 3),
        "ratio_median": round(statistics.median(app_times) / statistics.median(floor_times), 2),
        "app_cpu_median_s": round(statistics.median(app_cpu), 3),
        "floor_cpu_median_s": round(statistics.median(floor_cpu), 3),
        "ratio_cpu_median": round(statistics.median(app_cpu) / statistics.median(floor_cpu), 2),
        "seal_only_median_s": round(statistics.median(sign_times), 3),
        "python": platform.python_version(),
        "weasyprint": weasyprint.__version__,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    if args.memory:
        before = _rss_mb()
        for _ in range(args.memory):
            app()
        result["memory"] = {
            "reports": args.memory,
            "rss_before_mb": round(before, 1),
            "rss_after_mb": round(_rss_mb(), 1),
        }
    print(json.dumps(result, indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
