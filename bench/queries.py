"""Server time of the review queue, the AI register and the auditor search at 100 and at 10,000 assessments.

    .venv/bin/python bench/queries.py --database postgres://postgres@127.0.0.1:5432/kiv_bench_review
    .venv/bin/python bench/queries.py --database sqlite:///var/bench-review.sqlite3 --sizes 100 1000

The database named is DROPPED and created again (its name must start with `kiv_bench` on PostgreSQL, or the
file must be under var/), migrated, seeded with the demo agencies, users and questionnaire, then topped up
with synthetic assessments across 60 agencies (`seed_demo --assessments N`'s code) to each size in turn.
Each page is requested through the whole Django stack (middleware, session, template) with the test client,
signed in as the demo reviewer, auditor or leader; after warm-up requests the median of `--runs` requests is
reported, with the number of queries. The figures go into docs/benchmarks.md under "Review, register and
search at scale".
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (label, URL name, query string, demo user)
PAGES = [
    ("queue: waiting, oldest first", "review_queue", "", "uke"),
    (
        "queue: all statuses, stop verdicts, newest first",
        "review_queue",
        "status=&verdict=stop&sort=newest",
        "uke",
    ),
    ("queue: page 3", "review_queue", "status=&page=3", "uke"),
    ("register: page 1", "register", "", "leder"),
    ("register: generative, page 2", "register", "ai_kind=generative&page=2", "leder"),
    ("auditor search: all decided", "auditor_search", "", "revisor"),
    ("auditor search: text and verdict", "auditor_search", "q=Copilot&verdict=recommended", "revisor"),
    ("overview matrix (every assessment; not paginated)", "register_overview", "", "uke"),
]


def prepare_database(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        name = parsed.path.lstrip("/")
        if not name.startswith("kiv_bench"):
            sys.exit("Refusing: the PostgreSQL database name must start with kiv_bench (it is dropped).")
        import psycopg

        admin = parsed._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    elif parsed.scheme == "sqlite":
        path = Path(url[len("sqlite:///") :])
        path = path if path.is_absolute() else ROOT / path
        if (ROOT / "var") not in path.resolve().parents:
            sys.exit("Refusing: the SQLite file must be under var/ (it is deleted).")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
    else:
        sys.exit("--database must be a postgres:// or sqlite:/// URL")


def measure(client, url: str, runs: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return (
        statistics.median(timings) * 1000,
        min(timings) * 1000,
        len(ctx.captured_queries),
        len(response.content),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    prepare_database(args.database)
    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiveileder.settings")
    os.environ.setdefault("KIV_DATA_DIR", str(ROOT / "var" / "bench"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from assessments import demo
    from assessments.bulk import seed_bulk_assessments
    from assessments.models import Assessment

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    demo.seed_agencies()
    users = demo.seed_users()
    demo.seed_questionnaires()
    clients = {}
    for username in {page[3] for page in PAGES}:
        clients[username] = Client()
        clients[username].force_login(users[username])

    results = {}
    for size in sorted(args.sizes):
        started = time.perf_counter()
        seed_bulk_assessments(size)
        seeded = time.perf_counter() - started
        if connection.vendor == "postgresql":
            # Statistics and the visibility map, as autovacuum would leave them after a bulk load.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        total = Assessment.objects.count()
        print(f"\n{total} assessments (seeded in {seeded:.1f} s)", flush=True)
        results[size] = {}
        for label, name, query, username in PAGES:
            url = reverse(name) + (f"?{query}" if query else "")
            ms, fastest, queries, size_bytes = measure(clients[username], url, args.runs)
            results[size][label] = {
                "median_ms": round(ms, 1),
                "min_ms": round(fastest, 1),
                "queries": queries,
                "bytes": size_bytes,
            }
            print(
                f"  {label:55s} {ms:8.1f} ms (min {fastest:6.1f})  {queries:3d} queries  "
                f"{size_bytes // 1024:5d} KiB",
                flush=True,
            )

    small, large = min(results), max(results)
    print(
        f"\n| page | median {small} | median {large} | ratio | min {small} | min {large} | ratio | queries |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, *_ in PAGES:
        a, b = results[small][label], results[large][label]
        queries = str(a["queries"]) if a["queries"] == b["queries"] else f"{a['queries']} / {b['queries']}"
        print(
            f"| {label} | {a['median_ms']} ms | {b['median_ms']} ms | {b['median_ms'] / a['median_ms']:.2f}× "
            f"| {a['min_ms']} ms | {b['min_ms']} ms | {b['min_ms'] / a['min_ms']:.2f}× | {queries} |"
        )
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        json.dumps(
            {"engine": engine, "python": platform.python_version(), "runs": args.runs, "results": results},
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
