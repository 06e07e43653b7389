"""How long ``dbdesign health`` takes on a large database.

Builds a scratch database with TABLES tables (default 1,000) and three indexes each (3,000,
plus the primary keys), a foreign key from every table to the one before it, a few hundred
rows in each, a sequence per table and pg_stat_statements, on the PostgreSQL server at
``$DBDESIGN_TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``); then
times the whole review, as the command a user runs (``python -m dbdesign health URL --format
json``, start-up included) and through the API, and each check on its own. The target
(issue 18): under 5 s for 1,000 tables and 3,000 indexes.

    python bench/bench_health.py [--tables 1000] [--runs 3]

Prints one table: the median wall time of each, the slowest checks and the findings count.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dbdesign import api, engine  # noqa: E402
from dbdesign.health import CHECKS  # noqa: E402

URL = os.environ.get("DBDESIGN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def build(url: str, tables: int) -> None:
    """``tables`` tables of 4 columns, each with 3 indexes and a foreign key to the previous."""
    with engine.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        for i in range(tables):
            parent = f", parent_id bigint REFERENCES t{i - 1}" if i else ""
            conn.execute(
                f"CREATE TABLE t{i} (id bigserial PRIMARY KEY, a int, b text, c timestamptz"
                f"{parent});"
                f"CREATE INDEX t{i}_a_idx ON t{i} (a);"
                f"CREATE INDEX t{i}_b_a_idx ON t{i} (b, a);"
                f"CREATE INDEX t{i}_c_idx ON t{i} (c)"
                + (f";CREATE INDEX t{i}_parent_idx ON t{i} (parent_id)" if i % 2 else "")
            )
            conn.execute(
                f"INSERT INTO t{i} (a, b, c) SELECT g % 97, 'v' || g, now() - g * interval '1 h'"
                " FROM generate_series(1, 300) g"
            )
        conn.execute("ANALYZE")


def timed(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    with engine.scratch_database(URL) as url:
        start = time.perf_counter()
        build(url, args.tables)
        built = time.perf_counter() - start
        with engine.connect(url) as conn:
            n_tables, n_indexes = conn.execute(
                "SELECT count(*) FILTER (WHERE relkind = 'r'), count(*) FILTER "
                "(WHERE relkind = 'i') FROM pg_class c JOIN pg_namespace n ON n.oid = "
                "c.relnamespace WHERE n.nspname = 'public'"
            ).fetchone()
        cmd = [sys.executable, "-m", "dbdesign", "health", url, "--format", "json"]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        whole = timed(lambda: subprocess.run(cmd, capture_output=True, env=env), args.runs)
        report = api.health(url)
        in_api = timed(lambda: api.health(url), args.runs)
        pg = [c for c, chk in CHECKS.items() if "postgres" in chk.dialects]
        each = {cid: timed(lambda c=cid: api.health(url, checks=[c]), 1) for cid in pg}

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}")
    print(f"server: {report.server}")
    print(f"database: {n_tables} tables, {n_indexes} indexes (built in {built:.0f} s)")
    print(f"findings: {len(report.findings)}, notes: {len(report.notes)}")
    print()
    print("| what | median wall (s) | target |")
    print("|---|---:|---|")
    verdict = "met" if whole < 5 else "MISSED"
    print(f"| `dbdesign health URL --format json` (process) | {whole:.2f} | < 5 s: {verdict} |")
    print(f"| `api.health(url)` (all {len(pg)} checks) | {in_api:.2f} | |")
    for cid, t in sorted(each.items(), key=lambda kv: -kv[1])[:8]:
        print(f"| `--check {cid}` alone (one run, with the session) | {t:.2f} | |")


if __name__ == "__main__":
    main()
