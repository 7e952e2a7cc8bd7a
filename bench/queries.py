"""Server time of the review queue, the AI register, the auditor search, the audit log and the overview
at 100 and at 100,000 assessments.

    .venv/bin/python bench/queries.py --database postgres://postgres@127.0.0.1:5432/kiv_bench_review
    .venv/bin/python bench/queries.py --database sqlite:///var/bench-review.sqlite3 --sizes 100 1000

One database per size is made from the URL given (`kiv_bench_review_100`, `kiv_bench_review_100000`; for
SQLite files beside the one named). Each is DROPPED and created again (the PostgreSQL name must start with
`kiv_bench`, a SQLite file must be under var/), migrated, seeded with the demo agencies, users and
questionnaire and then with N synthetic assessments across 60 agencies and their audit trail (the code
of `seed_demo --assessments N`), and vacuumed and analysed as autovacuum would leave it.

Each page is requested through the whole Django stack (middleware, session, roles, template) with the test
client, signed in as the demo reviewer, auditor or leader. The sizes are measured in turns, one request
each per round, so that other work on the machine falls on both alike; the median and the fastest of
`--runs` rounds are reported, with the number of queries. The figures go into docs/benchmarks.md under
"Review, register and search at scale".
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

# (label, URL name, query string, demo user); {agency} is the id of the agency with the most decided
# assessments at the smallest size. Each list unfiltered, by agency, by status or verdict (the audit log:
# by kind of event) and by a title search (the audit log: by who did it), and the overview matrix grouped
# both ways.
PAGES = [
    ("queue: waiting, oldest first", "assessments:review_queue", "", "uke"),
    ("queue: page 3 of all statuses", "assessments:review_queue", "status=&page=3", "uke"),
    ("queue: by agency", "assessments:review_queue", "status=&agency={agency}", "uke"),
    ("queue: stop verdicts, newest first", "assessments:review_queue", "status=&verdict=stop&sort=newest", "uke"),
    ("queue: title search", "assessments:review_queue", "status=&q=Copilot", "uke"),
    ("register: page 1", "assessments:register", "", "leder"),
    ("register: by agency", "assessments:register", "agency={agency}", "leder"),
    ("register: by verdict", "assessments:register", "verdict=recommended", "leder"),
    ("register: generative", "assessments:register", "ai_kind=generative", "leder"),
    ("register: title search", "assessments:register", "q=Copilot", "leder"),
    ("auditor search: all decided", "assessments:auditor_search", "", "revisor"),
    ("auditor search: by agency", "assessments:auditor_search", "agency={agency}", "revisor"),
    ("auditor search: rejected", "assessments:auditor_search", "status=rejected", "revisor"),
    ("auditor search: title search", "assessments:auditor_search", "q=Copilot", "revisor"),
    ("audit log: page 1", "assessments:audit_log", "", "revisor"),
    ("audit log: by agency", "assessments:audit_log", "agency={agency}", "revisor"),
    ("audit log: approvals", "assessments:audit_log", "action=assessment.approved", "revisor"),
    ("audit log: by person", "assessments:audit_log", "actor=uke", "revisor"),
    ("overview matrix by status", "assessments:register_overview", "", "uke"),
    ("overview matrix by agency", "assessments:register_overview", "group=agency", "uke"),
    ("overview matrix by tool", "assessments:register_overview", "group=tool", "uke"),
    # The tool overview's pages: one tool, and grouped by tool (the synthetic answers pick the demo tools).
    ("register: one tool", "assessments:register", "tool=demo-kommunechat", "leder"),
    ("register: grouped by tool", "assessments:register", "group=tool", "leder"),
    ("overview matrix, one tool", "assessments:register_overview", "tool=demo-kommunechat", "uke"),
]


def database_url(base: str, size: int) -> str:
    parsed = urlparse(base)
    if parsed.scheme == "sqlite":
        path = Path(base[len("sqlite:///") :])
        return "sqlite:///" + str(path.with_name(f"{path.stem}_{size}{path.suffix}"))
    return parsed._replace(path=f"{parsed.path}_{size}").geturl()


def recreate(url: str) -> dict:
    """Drop and create the database; return its Django settings."""
    from kiveileder.settings import parse_database_url

    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        name = parsed.path.lstrip("/")
        if not name.startswith("kiv_bench"):
            sys.exit("Refusing: the PostgreSQL database name must start with kiv_bench (it is dropped).")
        import psycopg

        with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
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
    return parse_database_url(url, pool=False)


def reuse(url: str) -> dict:
    """The settings of a database an earlier run made (seeding tops it up, it never doubles)."""
    from kiveileder.settings import parse_database_url

    return parse_database_url(url, pool=False)


def use(config: dict) -> None:
    """Point the default connection at another database."""
    from django.db import connection

    if connection.vendor not in config["ENGINE"]:
        sys.exit(f"The connection is {connection.vendor}, the database to measure {config['ENGINE']}.")
    connection.close()
    connection.settings_dict.update({k: v for k, v in config.items() if k != "TEST"})


def _busiest_agency(config: dict) -> int:
    """The agency with the most decided assessments in the smallest database (at 100 some agencies have
    none, and an empty page skips the query for its rows' reports). The ids are the same in each database."""
    from django.db.models import Count, Q

    from assessments.lifecycle import DECIDED_STATUSES
    from assessments.models import Agency

    use(config)
    decided = Count("assessments", filter=Q(assessments__status__in=DECIDED_STATUSES))
    return Agency.objects.annotate(n=decided).order_by("-n", "pk").values_list("pk", flat=True).first()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="base URL; one database per size is made from it")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 100_000])
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument(
        "--reuse", action="store_true", help="keep databases made by an earlier run (migrated and topped up)"
    )
    parser.add_argument("--pages", nargs="+", default=[], help="only the pages whose label contains one of these")
    args = parser.parse_args()
    pages = [page for page in PAGES if not args.pages or any(text in page[0] for text in args.pages)]

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiveileder.settings")
    os.environ.setdefault("KIV_DATA_DIR", str(ROOT / "var" / "bench"))
    # Before anything imports the settings: they read DATABASE_URL once, when first imported.
    os.environ["DATABASE_URL"] = database_url(args.database, min(args.sizes))
    make = reuse if args.reuse else recreate
    configs = {size: make(database_url(args.database, size)) for size in sorted(args.sizes)}
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from assessments import demo
    from assessments.demo.synthetic import seed_bulk_assessments

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]

    clients: dict = {}
    for size, config in configs.items():
        use(config)
        call_command("migrate", verbosity=0)
        demo.seed_agencies()
        users = demo.seed_users()
        demo.seed_questionnaires()
        demo.seed_tools(users)  # the overview's entries, which the synthetic answers pick
        started = time.perf_counter()
        seed_bulk_assessments(size)
        print(f"{size} assessments seeded in {time.perf_counter() - started:.1f} s", flush=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        for username in {page[3] for page in PAGES}:
            clients[size, username] = Client()
            clients[size, username].force_login(users[username])

    agency = _busiest_agency(configs[min(configs)])  # the same id in each database
    urls = [
        (label, reverse(name) + (f"?{query.format(agency=agency)}" if query else ""), user)
        for label, name, query, user in pages
    ]
    timings: dict = {(size, label): [] for size in configs for label, *_ in pages}
    counted: dict = {(size, label): [] for size in configs for label, *_ in pages}
    for round_number in range(args.runs + 2):
        for size, config in configs.items():
            use(config)
            for label, url, username in urls:
                client = clients[size, username]
                if round_number < 2:  # warm-up rounds: connections, caches, templates
                    response = client.get(url)
                    assert response.status_code == 200, (size, url, response.status_code)
                    continue
                start = time.perf_counter()
                with CaptureQueriesContext(connection) as ctx:
                    client.get(url)
                timings[size, label].append((time.perf_counter() - start) * 1000)
                counted[size, label].append(len(ctx.captured_queries))
    # A page's usual number of queries; the audit log also verifies the chain once a minute (cached),
    # which the request that finds the cache expired pays with a few more.
    queries = {key: statistics.mode(numbers) for key, numbers in counted.items()}

    small, large = min(configs), max(configs)
    print(f"\n| page | queries | median {small} | median {large} | ratio | fastest {small} | fastest {large} |")
    print("|---|---|---|---|---|---|---|")
    results = {}
    for label, *_ in pages:
        a, b = timings[small, label], timings[large, label]
        med_a, med_b = statistics.median(a), statistics.median(b)
        q = {queries[small, label], queries[large, label]}
        results[label] = {
            "queries": sorted(q),
            "median_ms": [round(med_a, 1), round(med_b, 1)],
            "fastest_ms": [round(min(a), 1), round(min(b), 1)],
        }
        print(
            f"| {label} | {' / '.join(map(str, sorted(q)))} | {med_a:.1f} ms | {med_b:.1f} ms | "
            f"{med_b / med_a:.2f}× | {min(a):.1f} ms | {min(b):.1f} ms |"
        )
    engine = configs[small]["ENGINE"].rsplit(".", 1)[-1]
    print(
        json.dumps(
            {
                "engine": engine,
                "python": platform.python_version(),
                "runs": args.runs,
                "sizes": [small, large],
                "results": results,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
