"""`dbdesign advise` on TPC-H (and TPC-DS) SF1 at storage budgets, next to the published anchors.

    python bench/bench_advise_tpc.py [--benchmark tpch|tpcds|both] [--sf 1]
        [--budgets 0.25,0.5,1,1.5,2] [--max-columns N] [--extend] [--real]
        [--verify COPY_URL] [--db URL]

For each budget, `dbdesign advise <workload> --db <url> --budget <bytes> --format json` runs as
a fresh process (wall time, start-up included); the indexes it chooses are read from its JSON
and the workload's relative cost is measured again here, independently, with HypoPG (bench/tpc.py:
the planner's estimated total cost summed over the queries, with the indexes over without any
secondary index; the primary keys stay). Budgets are in the paper's unit (1 GB = 10^9 bytes)
and passed to advise in bytes. `--extend` adds an Extend-like baseline (Schlosser et al.;
greedy: add a single-column index or append one column to a chosen one, whichever gains most
cost per byte of HypoPG's size estimate, at most two columns; the paper's budget accounting)
computed here on the same data. `--real` builds each row's indexes for real (in a transaction
rolled back) and adds their size on disk and the relative cost with them. The database is built
and loaded by bench/tpc.py when missing; results and method are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tpc  # the sibling module, found through the line above

BUDGETS = (0.25, 0.5, 1.0, 1.5, 2.0)

# Kossmann et al. (PVLDB 13(11), 2020), their platform on PostgreSQL 15 + HypoPG, TPC-H SF1 with
# the specification's primary keys, 19 queries (the anchor table).
# (algorithm, budget, size, relative cost, time)
TPCH_ANCHORS = (
    ("Extend", "0.5 GB", "476 MB", "76.77 %", "1.9 s"),
    ("Extend", "1 GB", "985 MB", "69.92 %", "4.4 s"),
    ("DB2Advis", "1 GB", "972 MB", "79.62 %", "0.3 s"),
    ("DB2Advis", "1.5 GB", "1,466 MB", "69.83 %", "0.3 s"),
    ("Relaxation", "1 GB", "981 MB", "71.35 %", "12 s"),
    ("Relaxation", "1.5 GB", "1,385 MB", "68.16 %", "12 s"),
    ("AutoAdmin", "13 indexes", "1,790 MB", "67.54 %", "7.4 s"),
    ("all 1-2 column indexes (425)", "-", "61 GB", "67.07 %", "-"),
)


def advise_available() -> str | None:
    """None when `dbdesign advise` runs here, else why not."""
    r = subprocess.run(
        [sys.executable, "-m", "dbdesign", "advise", "--help"], capture_output=True, text=True
    )
    return None if r.returncode == 0 else "advise not available"


@dataclass
class Row:
    who: str
    budget: str
    indexes: int
    size: str  # what the tool says it takes
    hypopg_bytes: int  # HypoPG's estimate of the same indexes (the paper's accounting)
    relative: float | None
    seconds: float | None
    note: str = ""
    ddls: list[str] = field(default_factory=list)
    real: tpc.CostReport | None = None  # the same indexes built (--real)


def run_advise(
    workload: Path, url: str, budget_gb: float, max_columns: int | None, verify: str | None
) -> tuple[dict[str, Any], float]:
    cmd = [sys.executable, "-m", "dbdesign", "advise", str(workload), "--db", url]
    cmd += ["--budget", str(int(budget_gb * 1e9)), "--format", "json"]
    if max_columns is not None:
        cmd += ["--max-columns", str(max_columns)]
    if verify:
        cmd += ["--verify", verify]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode not in (0, 1):
        raise RuntimeError(f"advise exited {r.returncode}: {r.stderr.strip()[-400:]}")
    return json.loads(r.stdout), wall


def advise_row(
    bench: str, queries: list[tpc.Query], workload: Path, url: str, budget: float, args: Any
) -> Row:
    out, wall = run_advise(workload, url, budget, args.max_columns, args.verify)
    ddls = [ix["ddl"] for ix in out.get("indexes", [])]
    size = sum(int(ix.get("size_bytes") or 0) for ix in out.get("indexes", []))
    report = tpc.measure(url, queries, [_plain(d) for d in ddls])
    own = out.get("relative_cost")
    note = f"advise's own estimate {own:.2%}" if isinstance(own, int | float) else ""
    v = out.get("verification")
    if v:
        built = sum(int(b["built_bytes"]) for b in v["indexes"])
        note += f"; --verify: built {built / 1e6:,.0f} MB, relative cost {v['relative_cost']:.2%}"
    return Row(
        "dbdesign advise",
        f"{budget:g} GB",
        len(ddls),
        f"{size / 1e6:,.0f} MB",
        report.hypothetical_bytes,
        report.relative,
        wall,
        note,
        ddls,
    )


def _plain(ddl: str) -> str:
    """HypoPG takes CREATE INDEX without CONCURRENTLY or a trailing semicolon."""
    return ddl.replace(" CONCURRENTLY", "").replace(" IF NOT EXISTS", "").strip().rstrip(";")


# --------------------------------------------------------------------------- Extend-like

Index = tuple[str, tuple[str, ...]]


class WhatIf:
    """Workload costs under hypothetical configurations, cached per query by the indexes on
    the tables that query reads (only those can change its plan)."""

    def __init__(self, conn: psycopg.Connection[Any], queries: list[tpc.Query], columns: Any):
        self.conn = conn
        self.queries = queries
        self.tables = {q.name: set(tpc.indexable_columns(q, columns)) for q in queries}
        self.cache: dict[tuple[str, frozenset[Index]], float] = {}
        self.sizes: dict[Index, int] = {}
        self.requests = 0

    def size(self, ix: Index) -> int:
        if ix not in self.sizes:
            with tpc.hypothetical(self.conn, [tpc.index_ddl(*ix)]) as size:
                self.sizes[ix] = size
        return self.sizes[ix]

    def cost(self, config: frozenset[Index]) -> float:
        keys = {
            q.name: frozenset(ix for ix in config if ix[0] in self.tables[q.name])
            for q in self.queries
        }
        missing = [q for q in self.queries if (q.name, keys[q.name]) not in self.cache]
        if missing:
            with tpc.hypothetical(self.conn, [tpc.index_ddl(*ix) for ix in config]):
                for q in missing:
                    self.requests += 1
                    self.cache[(q.name, keys[q.name])] = tpc.explain_cost(self.conn, q.text)
        return sum(self.cache[(q.name, keys[q.name])] for q in self.queries)


def _steps(
    config: frozenset[Index], union: dict[str, list[str]], width: int
) -> list[tuple[frozenset[Index], Index | None, Index]]:
    """(new configuration, index replaced or None, index added) for every Extend step."""
    out: list[tuple[frozenset[Index], Index | None, Index]] = []
    for table, cols in union.items():
        for c in cols:
            ix = (table, (c,))
            if ix not in config:
                out.append((config | {ix}, None, ix))
    for old in config:
        if len(old[1]) >= width:
            continue
        for c in union[old[0]]:
            if c not in old[1]:
                new = (old[0], (*old[1], c))
                if new not in config:
                    out.append(((config - {old}) | {new}, old, new))
    return out


def extend(whatif: WhatIf, union: dict[str, list[str]], budget: float, width: int = 2) -> Row:
    t0 = time.perf_counter()
    config: frozenset[Index] = frozenset()
    cost, used = whatif.cost(config), 0
    while True:
        best: tuple[float, frozenset[Index], float, int] | None = None
        for new, old, added in _steps(config, union, width):
            grow = whatif.size(added) - (whatif.size(old) if old else 0)
            if used + grow > budget:
                continue
            gain = cost - whatif.cost(new)
            ratio = gain / max(grow, 1)
            if gain > 0 and (best is None or ratio > best[0]):
                best = (ratio, new, cost - gain, used + grow)
        if best is None:
            break
        _, config, cost, used = best
    ddls = [tpc.index_ddl(*ix) for ix in sorted(config)]
    base = whatif.cost(frozenset())
    return Row(
        "Extend-like (here)",
        f"{budget / 1e9:g} GB",
        len(config),
        f"{used / 1e6:,.0f} MB",
        used,
        cost / base,
        time.perf_counter() - t0,
        f"{whatif.requests} cost requests so far",
        ddls,
    )


# --------------------------------------------------------------------------- report


def fmt(row: Row) -> str:
    rel = f"{row.relative:.2%}" if row.relative is not None else "-"
    secs = f"{row.seconds:.1f} s" if row.seconds is not None else "-"
    hypo = f"{row.hypopg_bytes / 1e6:,.0f} MB" if row.hypopg_bytes else "-"
    real = (
        f"{row.real.hypothetical_bytes / 1e6:,.0f} MB | {row.real.relative:.2%}"
        if row.real
        else "- | -"
    )
    return (
        f"| {row.who} | {row.budget} | {row.indexes} | {row.size} | {hypo} | {rel} | {real} |"
        f" {secs} | {row.note} |"
    )


HEADER = (
    "| who | budget | indexes | size (tool) | size (HypoPG) | relative cost (HypoPG) |"
    " size (built) | relative cost (built) | time | note |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
)


def build_for_real(url: str, queries: list[tpc.Query], rows: list[Row]) -> None:
    """--real: each row's indexes built in a rolled-back transaction, size and cost measured."""
    for row in rows:
        if row.ddls:
            t0 = time.perf_counter()
            row.real = tpc.measure_real(url, queries, [_plain(d) for d in row.ddls])
            print(f"  built {row.who} {row.budget} in {time.perf_counter() - t0:.0f} s")


def run_benchmark(name: str, args: Any) -> list[Row]:
    bench = tpc.BENCHMARKS[name]
    url = args.db or tpc.default_url(bench, args.sf)
    tpc.load(bench, args.sf, url)
    queries = tpc.workload_queries(bench)
    workload = tpc.write_workload(queries, tpc.CACHE / f"{bench.name}_queries.sql")
    columns = tpc.table_columns(url)
    candidates = tpc.two_column_candidates(queries, columns)
    everything = tpc.measure(url, queries, [tpc.index_ddl(t, c) for t, c in candidates])
    base = sum(everything.base.values())
    print(f"\n{name} sf={args.sf:g}: {len(queries)} queries, {workload}")
    print(f"cost without secondary index {base:,.0f}; the costliest queries:")
    top = sorted(everything.base.items(), key=lambda kv: -kv[1])[:5]
    print("  " + ", ".join(f"{q} {c / base:.0%}" for q, c in top))
    rows = [
        Row("no secondary index (here)", "-", 0, "0", 0, 1.0, None),
        Row(
            f"all 1-2 column indexes (here, {len(candidates)})",
            "-",
            len(candidates),
            "-",
            everything.hypothetical_bytes,
            everything.relative,
            None,
        ),
    ]
    budgets = [float(b) for b in args.budgets.split(",")]
    if args.extend:
        union: dict[str, set[str]] = {}
        for q in queries:
            for t, cs in tpc.indexable_columns(q, columns).items():
                union.setdefault(t, set()).update(cs)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET hypopg.use_real_oids = on")
            whatif = WhatIf(conn, queries, columns)
            sorted_union = {t: sorted(cs) for t, cs in union.items()}
            rows += [extend(whatif, sorted_union, b * 1e9) for b in budgets]
    missing = advise_available()
    for b in budgets:
        if missing:
            rows.append(Row("dbdesign advise", f"{b:g} GB", 0, "-", 0, None, None, missing))
        else:
            rows.append(advise_row(name, queries, workload, url, b, args))
    if args.real:
        build_for_real(url, queries, rows)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--benchmark", choices=["tpch", "tpcds", "both"], default="tpch")
    parser.add_argument("--sf", type=float, default=1.0)
    parser.add_argument("--budgets", default=",".join(f"{b:g}" for b in BUDGETS))
    parser.add_argument("--max-columns", type=int, default=None)
    parser.add_argument("--extend", action="store_true", help="the Extend-like baseline too")
    parser.add_argument(
        "--verify",
        metavar="COPY_URL",
        help="pass --verify COPY_URL to advise (a copy of the database: CREATE DATABASE c "
        "TEMPLATE dbdesign_tpch_sf1)",
    )
    parser.add_argument("--real", action="store_true", help="build each set too (slow)")
    parser.add_argument("--show-indexes", action="store_true", help="print each row's DDL")
    parser.add_argument("--db", help="PostgreSQL URL (default: dbdesign_<bench>_sf<N>)")
    args = parser.parse_args()
    names = ["tpch", "tpcds"] if args.benchmark == "both" else [args.benchmark]
    for name in names:
        rows = run_benchmark(name, args)
        print(HEADER)
        if name == "tpch":
            for a in TPCH_ANCHORS:
                print(f"| anchor: {a[0]} | {a[1]} | | | {a[2]} | {a[3]} | | | {a[4]} | the paper |")
        for row in rows:
            print(fmt(row))
        if args.show_indexes:
            for row in rows:
                for ddl in row.ddls:
                    print(f"  {row.who} {row.budget}: {ddl}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
