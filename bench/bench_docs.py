"""Docs speed: `dbdesign docs` for a generated 1,000-table schema.

The schema has 1,000 tables in 10 schemas (``s0`` .. ``s9``), 8-12 columns each, a primary key,
1-3 foreign keys to earlier tables (some across schemas), a unique constraint and two indexes;
about 19,000 lines of DDL. Measured (best of N):

- `dbdesign docs FILE --out DIR --format markdown,html,mermaid,dot,dbml` as a user runs it
  (a new process, interpreter start-up and reading included) — target < 10 s wall;
- each format alone, in process, from the model already read;
- svg alone (Graphviz `dot`), for reference.

    python bench/bench_docs.py [--tables 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from dbdesign import api
from dbdesign.docs import generate

TYPES = [
    "integer",
    "bigint",
    "text",
    "varchar(80)",
    "numeric(12,2)",
    "timestamptz",
    "boolean",
    "date",
    "jsonb",
    "uuid",
]


def build(n_tables: int, seed: int = 7) -> str:
    rnd = random.Random(seed)
    schemas = [f"s{i}" for i in range(10)]
    out = [f"CREATE SCHEMA {s};" for s in schemas]
    names: list[str] = []
    for i in range(n_tables):
        name = f"{schemas[i % 10]}.t{i:04d}"
        cols = ["    id bigserial PRIMARY KEY"]
        cols += [
            f"    c{j} {rnd.choice(TYPES)}{' NOT NULL' if rnd.random() < 0.4 else ''}"
            for j in range(rnd.randint(6, 10))
        ]
        cols.append("    code text NOT NULL UNIQUE")
        fks = []
        for k in range(min(len(names), rnd.randint(1, 3))):
            target = names[rnd.randrange(max(0, len(names) - 50), len(names))]
            cols.append(f"    ref{k}_id bigint")
            fks.append(f"    FOREIGN KEY (ref{k}_id) REFERENCES {target} (id)")
        out.append(f"CREATE TABLE {name} (\n" + ",\n".join(cols + fks) + "\n);")
        out.append(f"COMMENT ON TABLE {name} IS 'Table number {i}';")
        out.append(f"CREATE INDEX t{i:04d}_c0_idx ON {name} (c0);")
        out.append(f"CREATE INDEX t{i:04d}_c1_c2_idx ON {name} (c1, c2);")
        names.append(name)
    return "\n".join(out) + "\n"


def best(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tables", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    src = tmp / "big.sql"
    src.write_text(build(args.tables))
    lines = src.read_text().count("\n")
    out = tmp / "out"

    def cli(formats: str) -> None:
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "dbdesign",
                "docs",
                str(src),
                "--out",
                str(out),
                "--format",
                formats,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    rows: list[tuple[str, float, str]] = []
    all_but_svg = "markdown,html,mermaid,dot,dbml"
    t_cli = best(lambda: cli(all_but_svg), args.runs)
    files = sum(1 for _ in out.rglob("*") if _.is_file())
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    rows.append(
        (
            f"dbdesign docs --format {all_but_svg} (wall)",
            t_cli,
            f"target < 10 s; {files:,} files, {size / 1e6:.1f} MB",
        )
    )
    t_read = best(lambda: api.read(str(src)), args.runs)
    rows.append(("read the DDL (model)", t_read, ""))
    schema = api.read(str(src))
    for fmt in ("markdown", "html", "mermaid", "dot", "dbml"):
        d = tmp / f"out-{fmt}"
        t = best(lambda fmt=fmt, d=d: generate(schema, d, (fmt,)), args.runs)
        note = ""
        if fmt == "html":
            html = d / "index.html"
            note = (
                f"index.html {html.stat().st_size / 1e6:.1f} MB (overview SVGs only: > 300 tables)"
            )
        rows.append((f"generate {fmt} (in process)", t, note))
    if shutil.which("dot"):
        d = tmp / "out-svg"
        t = best(lambda: generate(schema, d, ("svg",)), 1)
        n = len(list((d / "diagrams").glob("*.svg")))
        rows.append(("generate svg (Graphviz dot, 2 processes)", t, f"{n:,} SVG files"))

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; schema: {args.tables:,} tables, {lines:,} lines; "
        f"best of {args.runs}"
    )
    print()
    print("| measurement | seconds | note |")
    print("|---|---:|---|")
    for name, secs, note in rows:
        print(f"| {name} | {secs:.3f} | {note} |")


if __name__ == "__main__":
    main()
