"""Approve in the embedded default (no broker): how long the click takes, and how long until the report is ready.

    .venv/bin/python bench/approve.py              # 7 approvals
    .venv/bin/python bench/approve.py --runs 15

A throwaway data folder (SQLite, media, a generated test certificate) is made under var/bench-approve/, with
submitted assessments to approve. Then `manage.py runserver --noreload` (what `make run` starts, without the
file watcher) serves it, and a reviewer approves each assessment over HTTP as a browser does (CSRF token from
the review page). For each approval it records:

- response: the POST until its redirect arrives (what the reviewer waits for);
- ready: the POST until the report row is `ready` (made on the server's background thread after the response;
  the page's polling shows it then).

The first approval includes the server's first render (fonts, stylesheet); it is reported separately. The
figures go into docs/benchmarks.md under "Approve in the embedded default".
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(data_dir: Path, count: int) -> list:
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    os.environ["KIV_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    for name in ("CELERY_BROKER_URL", "KIV_SIGNING_P12", "KIV_TSA_URL", "KIV_CACHE_URL"):
        os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiveileder.settings")
    os.environ["KIV_LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    from tests.report_helpers import agency_with_reviewer, submitted

    call_command("migrate", verbosity=0)
    agency, leader, reviewer = agency_with_reviewer("Bydel Benk", prefix="bench_")
    return reviewer, [submitted(agency, leader) for _ in range(count)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session(reviewer, base: str):
    import requests
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(reviewer)
    http = requests.Session()
    http.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return http


def _approve(http, base: str, assessment) -> tuple[float, float]:
    from django.conf import settings

    from assessments.models import Report

    review = f"{base}/vurderinger/{assessment.uuid}/behandling/"
    assert http.get(review, timeout=30).status_code == 200
    token = http.cookies.get(settings.CSRF_COOKIE_NAME)
    began = time.perf_counter()
    answer = http.post(
        f"{review}godkjenn/",
        data={"approve-version": 1, "approve-reason": "", "confirmed": 1, "csrfmiddlewaretoken": token},
        timeout=60,
        allow_redirects=False,
    )
    response = time.perf_counter() - began
    assert answer.status_code == 302, answer.text[-1000:]
    while Report.objects.filter(assessment=assessment, status="ready").count() == 0:
        if time.perf_counter() - began > 120:
            raise RuntimeError("the report was not ready after 120 s")
        time.sleep(0.02)
    return response, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="approvals after the first one")
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench-approve"))
    args = parser.parse_args()
    reviewer, assessments = _setup(Path(args.data_dir), args.runs + 1)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=open(Path(args.data_dir) / "server.log", "wb"),  # noqa: SIM115
    )
    try:
        import requests

        for _ in range(600):
            try:
                requests.get(f"{base}/healthz", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        http = _session(reviewer, base)
        first = _approve(http, base, assessments[0])
        measured = [_approve(http, base, assessment) for assessment in assessments[1:]]
    finally:
        server.terminate()
        server.wait(timeout=30)
    responses = [m[0] for m in measured]
    ready = [m[1] for m in measured]
    print(f"first approval: response {first[0]:.3f} s, report ready after {first[1]:.2f} s")
    print(
        f"response (n={len(responses)}): median {statistics.median(responses):.3f} s, "
        f"min {min(responses):.3f} s, max {max(responses):.3f} s"
    )
    print(
        f"report ready (n={len(ready)}): median {statistics.median(ready):.2f} s, "
        f"min {min(ready):.2f} s, max {max(ready):.2f} s"
    )
    log = (Path(args.data_dir) / "server.log").read_text(errors="replace")
    print("kombu warning in the server log:", "No hostname was supplied" in log)


if __name__ == "__main__":
    main()
