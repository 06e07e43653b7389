"""Memory of `dbdesign inspect` on a 50 MB schema, sampled over time (the memory curve).

Generates a schema of many small tables (by default 318,000 tables, about 50 MB, the size a user
reported), runs `dbdesign inspect FILE` in a new process, samples its resident memory every
0.25 s from /proc, and prints the curve and the peak. Target: under 2 GB, with progress shown.

    python bench/bench_memory.py [--tables 318000] [--keep FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_schema(path: Path, tables: int) -> None:
    with path.open("w") as f:
        for i in range(tables):
            f.write(
                f"CREATE TABLE t_{i} (id bigint PRIMARY KEY, name text NOT NULL, "
                f"status varchar(20) DEFAULT 'new', created_at timestamptz DEFAULT now());\n"
            )


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tables", type=int, default=318_000)
    ap.add_argument("--keep", type=Path, help="write the schema here (and keep it)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "big.sql"
        make_schema(path, args.tables)
        size_mb = path.stat().st_size / 1e6
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "dbdesign", "inspect", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        curve: list[tuple[float, float]] = []
        while proc.poll() is None:
            mb = rss_mb(proc.pid)
            if mb is not None:
                curve.append((time.perf_counter() - t0, mb))
            time.sleep(0.25)
        wall = time.perf_counter() - t0
        err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0:
        sys.exit(f"inspect failed ({proc.returncode}): {err[-2000:]}")
    peak = max(mb for _, mb in curve) if curve else float("nan")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"schema: {args.tables:,} tables, {size_mb:.1f} MB")
    print()
    print("| seconds | RSS MB |")
    print("|---:|---:|")
    step = max(1, len(curve) // 20)
    for t, mb in curve[::step]:
        print(f"| {t:6.1f} | {mb:7.0f} |")
    print()
    print(f"| `dbdesign inspect` | wall {wall:.1f} s | peak RSS {peak:.0f} MB |")


if __name__ == "__main__":
    main()
