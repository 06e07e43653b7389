"""Design and prove each example end to end on the embedded PostgreSQL (the issue's target:
the e-commerce example under 30 s wall), then each access pattern's measured p95 against its
target on every server at hand: the embedded PostgreSQL, SQLite and, with ``--mysql URL`` (or
``$DBDESIGN_TEST_MYSQL_URL``), MySQL / MariaDB. Prints two tables. The tests assert what a
proof decides from the plans; whether the times meet their targets is measured here, on a
machine as quiet as the user can make it (say the load beside the figures).

    python bench/bench_design.py [--runs 3] [--mysql URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mysql", default=os.environ.get("DBDESIGN_TEST_MYSQL_URL"))
    args = ap.parse_args()
    # Start (or reuse) the embedded server first: its first start is not the design's cost.
    subprocess.run(
        [sys.executable, "-c", "from dbdesign import engine; engine.embedded_url()"], check=True
    )
    print(f"{'example':<18} {'command':<34} {'median s':>9} {'min s':>7} {'max s':>7}")
    for spec in sorted((ROOT / "examples").glob("*.yaml")):
        for label, extra in (("design --no-prove", ["--no-prove"]), ("design (with proof)", [])):
            times = []
            for _ in range(args.runs):
                with tempfile.TemporaryDirectory() as out:
                    cmd = [sys.executable, "-m", "dbdesign", "design", str(spec), "--out", out]
                    t0 = time.perf_counter()
                    r = subprocess.run(cmd + extra, capture_output=True, text=True)
                    times.append(time.perf_counter() - t0)
                    if r.returncode not in (0, 1):
                        sys.exit(r.stderr)
            print(
                f"{spec.stem:<18} {label:<34} {statistics.median(times):>9.2f} "
                f"{min(times):>7.2f} {max(times):>7.2f}"
            )
    latencies(args.mysql)


def latencies(mysql: str | None) -> None:
    """Each example proved on each server at hand: every pattern's p95 and its target."""
    from dbdesign import api

    servers = [("postgres", None), ("sqlite", None)] + ([("mysql", mysql)] if mysql else [])
    print(f"\nload average {os.getloadavg()[0]:.1f}")
    print("| example | server | pattern | p95 ms | target ms | met |")
    print("|---|---|---|---:|---:|---|")
    for spec in sorted((ROOT / "examples").glob("*.yaml")):
        for dialect, url in servers:
            _, proof = api.design(spec, dialect=dialect, db=url)
            for r in proof.results if proof else ():
                met = "yes" if r.latency_problem() is None else "**no**"
                print(
                    f"| {spec.stem} | {proof.server} | {r.pattern} | {r.p95_ms:.2f} "
                    f"| {r.target_ms:g} | {met} |"
                )


if __name__ == "__main__":
    main()
