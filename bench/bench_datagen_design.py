"""Load a design example at its stated volume into PostgreSQL; print one table.

    python bench/bench_datagen_design.py [--example examples/ecommerce.yaml] [--url URL]
                                         [--scale 1.0] [--runs 1]

The example is designed (``dbdesign.design.design``), its schema applied to a fresh scratch
database on the server at ``--url`` (default: the embedded PostgreSQL 16), and every table
loaded by ``datagen.load`` with the spec's skew and its business rules, at the spec's stated
volume: each entity's ``volume.rows``, and each link table's ``proof_rows`` (``--scale``
multiplies them). The e-commerce example states about 2.9 M rows. ``--as-proof`` loads as
the design proof does (``keep_cyclic_keys``: the foreign keys stay in place during the COPY
and check each row, as no key may be dropped and re-added there); by default, as ``datagen``
does, they are dropped and re-created after the COPY like the other constraints.

One row per table (rows, seconds of its COPY, rows/s), then one row per phase of the load:
``generate`` is the Python time spent making the rows and their COPY text by column, ``send``
joining them into lines and handing them to psycopg's writer thread (the server ingests them
meanwhile, in its own process), ``COPY`` the wall time of the COPY statements (which holds
the part of ``generate`` and ``send`` not done ahead), ``index build, overlapped`` the time
the server spent re-creating a table's indexes and keys while Python made the next rows,
``index and constraint build`` the time the load waited for that or did it alone (drops,
the last table's build), then ``commit`` and ``ANALYZE``; the last row is the whole
``datagen.load`` call, end to end. Then the CPU seconds of this Python process and of the
server process that ran the load (read from /proc; the server's parallel index-build
workers are not counted): on a shared machine, the wall time depends on the other load, the
CPU seconds much less. Best of ``--runs`` by end-to-end
time, each run in a fresh scratch database. The load average is printed with the table.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbdesign import datagen
from dbdesign.design import design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import skew_columns
from dbdesign.design.prove_rules import row_rules
from dbdesign.engine import connect, embedded_url, scratch_database
from dbdesign.readers.spec import load as load_spec

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ecommerce.yaml"
# the phases a load reports (LoadReport.phases), in the order they happen
PHASES = (
    "plan",
    "generate",
    "send",
    "COPY",
    "index build, overlapped",
    "index and constraint build",
    "commit",
)


def stated_rows(d: Any, scale: float) -> dict[str, int]:
    """Rows per table at the spec's stated volume: an entity's ``volume.rows``, a link
    table's ``proof_rows`` (both are ``proof_rows`` in the design), times ``scale``."""
    return {t.key: max(1, round(t.proof_rows * scale)) for t in d.tables}


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a local process (None where /proc cannot tell)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    wall: float
    report: datagen.LoadReport
    python_cpu: float  # this process
    server_cpu: float | None  # the load's server process (not its parallel index workers)


def run_once(server: str, d: Any, rows: dict[str, int], keep: bool) -> Run:
    with scratch_database(server) as url:
        with connect(url, autocommit=True) as c:
            c.execute(schema_sql(d.schema).encode())
        with connect(url) as conn:
            pid = conn.info.backend_pid
            s0, c0, t = cpu_seconds(pid), time.process_time(), time.perf_counter()
            r = datagen.load(
                conn,
                d.schema,
                rows,
                skew=skew_columns(d),
                keep_cyclic_keys=keep,
                rules=row_rules(d),
            )
            wall, s1 = time.perf_counter() - t, cpu_seconds(pid)
            served = s1 - s0 if s0 is not None and s1 is not None else None
            return Run(wall, r, time.process_time() - c0, served)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--example", default=str(EXAMPLE))
    ap.add_argument("--url", default=None, help="a PostgreSQL server (default: the embedded one)")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--as-proof", action="store_true", help="load with keep_cyclic_keys")
    args = ap.parse_args()
    server = args.url or embedded_url()
    d = design(load_spec(args.example))
    rows = stated_rows(d, args.scale)
    load_before = os.getloadavg()
    best = min((run_once(server, d, rows, args.as_proof) for _ in range(args.runs)),
               key=lambda x: x.wall)  # fmt: skip
    wall, r = best.wall, best.report
    load_after = os.getloadavg()
    with connect(server, autocommit=True) as c:
        version = str(c.execute("SHOW server_version").fetchone()[0]).split()[0]  # type: ignore[index]

    total = r.total_rows
    lines: list[tuple[str, int | None, float]] = [(t.table, t.rows, t.seconds) for t in r.tables]
    phases = dict(getattr(r, "phases", ()))
    lines += [(f"phase: {p}", total, phases[p]) for p in PHASES if p in phases]
    lines.append(("phase: ANALYZE", total, r.analyze_seconds))
    lines.append(("end to end (datagen.load, ANALYZE included)", total, wall))
    lines.append(("CPU: this Python process", None, best.python_cpu))
    if best.server_cpu is not None:
        lines.append(("CPU: the load's server process", None, best.server_cpu))
    w = max(len(m) for m, *_ in lines)
    name = Path(args.example).name
    how = "as the proof loads (keep_cyclic_keys)" if args.as_proof else "as datagen loads"
    print(f"{name} at {args.scale:g}x stated volume, {how}, PostgreSQL {version}, best of "
          f"{args.runs}; "
          f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")  # fmt: skip
    print(f"| {'table / phase':<{w}} | rows | seconds | rows/s |")
    print(f"|{'-' * (w + 2)}|---:|---:|---:|")
    for m, n, s in lines:
        rate = f"{n / s:,.0f}" if n and s else ""
        print(f"| {m:<{w}} | {f'{n:,}' if n else ''} | {s:.2f} | {rate} |")


if __name__ == "__main__":
    main()
