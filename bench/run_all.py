"""`make bench`: run every benchmark that exists, one after the other, and say how each went.

    .venv/bin/python bench/run_all.py                  # all of them
    .venv/bin/python bench/run_all.py --only load      # some of them

Each benchmark prints its own figures; bench/load.py also writes its section of docs/benchmarks.md. The
others' figures are copied into docs/benchmarks.md by hand (their sections say which command made them).
Databases: the load and query benchmarks drop and create databases of their own (kiv_bench,
kiv_bench_review), never another one.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = os.environ.get("KIV_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")

BENCHES = {
    "scoring": ["bench/scoring.py"],
    "report": ["bench/report.py"],
    "approve": ["bench/approve.py"],
    "queries": ["bench/queries.py", "--database", f"{PG}/kiv_bench_review"],
    "load": ["bench/load.py", "--database", f"{PG}/kiv_bench"],
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run the benchmarks under bench/.")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHES), help="run only these")
    args = parser.parse_args(argv)
    outcomes = []
    for name, command in BENCHES.items():
        if args.only and name not in args.only:
            continue
        script = ROOT / command[0]
        if not script.exists():
            outcomes.append((name, "missing", 0.0))
            print(f"== {name}: {command[0]} does not exist (yet); skipped", flush=True)
            continue
        print(f"== {name}: {' '.join(command)}", flush=True)
        began = time.monotonic()
        result = subprocess.run([sys.executable, *command], cwd=ROOT, check=False)  # noqa: S603
        outcomes.append(
            (name, "ok" if result.returncode == 0 else f"failed ({result.returncode})", time.monotonic() - began)
        )
    print("\n== summary")
    for name, status, seconds in outcomes:
        print(f"{name:10} {status:14} {seconds:6.0f} s")
    return 0 if all(status in ("ok", "missing") for _, status, _ in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
