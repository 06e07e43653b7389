"""Reading speed: the DDL reader against pglast's own parse, and `dbdesign inspect` wall time.

Builds the 100,000-line schema from the OpenStreetMap structure file (bench/make_big_schema.py),
then measures (best of N runs):

- pglast.parser.parse_sql_json + json.loads (the C parser, plain dicts),
- pglast.parse_sql (pglast's Node objects: "pglast's own parse"),
- dbdesign's read_path (parse + building the model),
- `dbdesign inspect FILE` as a user runs it (a new process, interpreter start-up included),
  and the same for the corpus files.

    python bench/bench_read.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pglast
from pglast import parser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dbdesign.readers.ddl.postgres import read_path
from make_big_schema import CORPUS, build


def best(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def inspect_wall(path: Path, runs: int) -> float:
    cmd = [sys.executable, "-m", "dbdesign", "inspect", str(path)]
    return best(lambda: subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL), runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    big = Path(tempfile.mkdtemp()) / "osm-100k.sql"
    big.write_text(build(100_000))
    text = big.read_text()
    lines = text.count("\n")

    rows = []
    t_json = best(lambda: json.loads(parser.parse_sql_json(text)), args.runs)
    t_nodes = best(lambda: pglast.parse_sql(text), args.runs)
    t_model = best(lambda: read_path(big), args.runs)
    t_inspect = inspect_wall(big, args.runs)
    rows.append(("pglast parse_sql_json + json.loads", lines, t_json, ""))
    rows.append(("pglast parse_sql (Node objects)", lines, t_nodes, ""))
    rows.append(
        (
            "dbdesign read_path (model)",
            lines,
            t_model,
            f"{t_model / t_nodes:.2f}x parse_sql, {t_model / t_json:.1f}x json",
        )
    )
    rows.append(("dbdesign inspect (wall, new process)", lines, t_inspect, "target < 3 s"))
    for f in sorted((CORPUS).glob("*.sql")):
        n = f.read_text().count("\n")
        rows.append((f"dbdesign inspect {f.name}", n, inspect_wall(f, args.runs), ""))

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, pglast {pglast.__version__}; best of {args.runs}"
    )
    print()
    print("| measurement | lines | seconds | note |")
    print("|---|---:|---:|---|")
    for name, n, secs, note in rows:
        print(f"| {name} | {n:,} | {secs:.3f} | {note} |")


if __name__ == "__main__":
    main()
