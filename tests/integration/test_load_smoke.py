"""A short run of the load benchmark (bench/load.py), so it keeps working: 5 users for 15 s, zero errors.

The figures of a run this short mean little; what matters is that the whole stack comes up (gunicorn with
deploy/gunicorn.conf.py, a Celery worker, PostgreSQL, Redis), the scenario's pages answer, and the
benchmark writes its result. It uses a database and a Redis of its own and never touches docs/.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import require_service, require_tool
from tests.integration.processes import ThrowawayRedis, database_url, drop_database

pytestmark = [pytest.mark.integration]
ROOT = Path(__file__).resolve().parents[2]


def test_a_short_load_run_has_no_errors(db, tmp_path):
    require_service(connection.vendor == "postgresql", "PostgreSQL for the load benchmark")
    require_tool("redis-server")
    # A database of its own, named after the test database (so parallel CI runs do not meet).
    base = database_url(connection.settings_dict).rsplit("/", 1)[0]
    database = f"{base}/kiv_bench_smoke_{connection.settings_dict['NAME']}_{os.getpid()}"
    result_file = tmp_path / "load.json"
    with ThrowawayRedis(tmp_path) as redis:
        try:
            run = subprocess.run(
                [
                    sys.executable,
                    "bench/load.py",
                    "--users",
                    "5",
                    "--spawn-rate",
                    "5",
                    "--duration",
                    "15",
                    "--bulk",
                    "20",
                    "--no-docs",
                    "--json",
                    str(result_file),
                    "--database",
                    database,
                    "--broker",
                    redis.url,
                    "--data-dir",
                    str(tmp_path / "run"),
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=300,
            )
        finally:
            drop_database(database)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    result = json.loads(result_file.read_text())
    stats, verdict = result["stats"], result["verdict"]
    names = {endpoint["name"] for endpoint in stats["endpoints"]}
    # On a busy machine a leader may not get past the first step in 15 s: the scenario's kinds of users
    # must all have been served, not every endpoint.
    assert "/healthz" in names and "new assessment [POST]" in names, names
    assert {"review queue", "auditor search"} & names, names
    assert verdict["errors"] == 0, stats["failures"]
    assert verdict["healthz_p95_ms"] is not None
