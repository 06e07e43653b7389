"""SQLite full-text search as the designer builds it (an external-content FTS5 table kept by
triggers): what filling it costs, and which query form plans and runs better.

1. Load: the searched table (and the tables it references) loaded by the data generator as it
   does (the FTS5 triggers set aside, the index built after the rows with ``INSERT INTO
   t_fts(t_fts) VALUES ('rebuild')``, the triggers put back), against the same rows written into
   the index row by row by the triggers, and against no index at all.
2. Query: the design's form, the matches read first (``FROM (SELECT rowid AS fts_rowid FROM
   t_fts WHERE t_fts MATCH ?) AS found JOIN t ON t.id = found.fts_rowid``), against ``WHERE id
   IN (SELECT rowid FROM t_fts WHERE t_fts MATCH ?)``, each with a rare pair of words from one
   row (what the proof searches for), the two most common words, the single most common one
   and, for a pattern with an equality key (a tenant), the most common word within the key
   with fewest rows: rows matched, p50 and p95 over the runs, and the plan.

    python bench/bench_sqlite_fts.py [--spec examples/issue_tracker.yaml] [--rows 200000]
        [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from dbdesign.datagen import fts_sqlite
from dbdesign.design import Design, PatternPlan, design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import load_rows, proof_rows
from dbdesign.design.prove_sqlite import SQLiteServer
from dbdesign.readers import spec as S

ROOT = Path(__file__).resolve().parent.parent


def _closure(d: Design, key: str) -> set[str]:
    """``key`` and every table it references, directly or not."""
    out, todo = set(), [key]
    while todo:
        k = todo.pop()
        if k in out:
            continue
        out.add(k)
        todo += [fk.ref_table for fk in d.schema.tables[k].foreign_keys.values()]
    return out


def _fts_triggers(d: Design, pp: PatternPlan) -> list[str]:
    table = pp.table.split(".", 1)[1]
    return [
        tr.name
        for tr in d.schema.triggers.values()
        if tr.table == table and tr.name.startswith(f"trg_{table}_fts_")
    ]


def _load(d: Design, pp: PatternPlan, rows: dict[str, int], path: Path, how: str) -> float:
    """Seconds to load ``rows`` with the FTS5 index complete: ``datagen`` (the triggers set
    aside and the index rebuilt after the rows: what the load does), ``triggers`` (the index
    written row by row through the triggers) or ``none`` (no triggers: the baseline)."""
    sql = schema_sql(d.schema)
    if how == "none":
        names = _fts_triggers(d, pp)
        blocks = sql.split("\n\n")
        sql = "\n\n".join(b for b in blocks if not any(f"TRIGGER {n} " in b for n in names))
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.close()
    keep = fts_sqlite.set_aside
    if how == "triggers":
        fts_sqlite.set_aside = lambda *_a, **_k: []
    try:
        t0 = time.perf_counter()
        load_rows(str(path), d, rows)
        return time.perf_counter() - t0
    finally:
        fts_sqlite.set_aside = keep


def _in_form(pp: PatternPlan) -> str:
    """The pattern's query with the matches as ``key IN (SELECT rowid ...)`` instead of read
    first in FROM."""
    lines = pp.sql.split("\n")
    table = pp.table.split(".", 1)[1]
    m = re.match(r"FROM \((SELECT rowid) AS fts_rowid (FROM .*)\) AS found$", lines[1])
    assert m and lines[2].startswith("JOIN "), pp.sql
    match = f"id IN ({m.group(1)} {m.group(2)})"
    rest = lines[3:]
    conds = [ln for ln in rest if ln.startswith(("WHERE ", "  AND "))]
    tail = [ln for ln in rest if ln not in conds]
    conds = [match] + [re.sub(r"^(WHERE|  AND) ", "", c) for c in conds]
    return "\n".join([lines[0], f"FROM {table}", "WHERE " + "\n  AND ".join(conds), *tail])


def _time(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        conn.execute(sql, params).fetchall()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _plan(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> str:
    return " / ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", default=str(ROOT / "examples" / "issue_tracker.yaml"))
    ap.add_argument("--rows", type=int, default=200_000, help="rows of the searched table")
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    d = design(S.load(args.spec), "sqlite")
    pp = next(p for p in d.patterns if p.pattern.text_search and p.index)
    base = proof_rows(d)
    rows = {k: base[k] for k in _closure(d, pp.table)}
    rows[pp.table] = args.rows
    print(
        f"{Path(args.spec).name}: {pp.pattern.name} on {pp.table}, SQLite {sqlite3.sqlite_version}"
    )
    print(f"{platform.processor() or platform.machine()}, load average {os.getloadavg()[0]:.1f}")
    print(f"rows: {', '.join(f'{k} {v:,}' for k, v in sorted(rows.items()))}\n")
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'load':<34} {'seconds':>8} {'rows/s':>10}")
        for label, how in (
            ("no full-text index (baseline)", "none"),
            ("FTS5 triggers, row by row", "triggers"),
            ("set aside, rebuilt after (datagen)", "datagen"),
        ):
            s = _load(d, pp, dict(rows), Path(tmp) / f"{how}.db", how)
            print(f"{label:<34} {s:>8.2f} {sum(rows.values()) / s:>10,.0f}")
        conn = sqlite3.connect(Path(tmp) / "datagen.db")
        conn.execute("ANALYZE")
        server = SQLiteServer()
        rare = server.params(conn, d, pp, 0)
        at = next(i for i, p in enumerate(pp.params) if p.kind == "search")
        conn.execute(f"CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, {pp.index}, row)")
        common = [w for (w,) in conn.execute("SELECT term FROM temp.v ORDER BY doc DESC LIMIT 2")]
        words = {
            "rare pair (the proof's)": rare[at],
            "two most common": " ".join(f'"{w}"' for w in common),
            "most common": f'"{common[0]}"',
        }
        sets = [
            (label, tuple(w if i == at else v for i, v in enumerate(rare)))
            for label, w in words.items()
        ]
        eq = [i for i, p in enumerate(pp.params) if p.kind == "eq"]
        if eq:  # the key (tenant) with fewest rows, searching for the most common word
            table, col = pp.table.split(".", 1)[1], pp.params[eq[0]].column
            ((few,),) = conn.execute(
                f"SELECT {col} FROM {table} GROUP BY {col} ORDER BY count(*), {col} LIMIT 1"
            ).fetchall()
            smallest = tuple(few if i == eq[0] else v for i, v in enumerate(sets[-1][1]))
            sets.append(("most common, rarest key", smallest))
        head = f"{'form':<6} {'words':<24} {'matched':>8} {'rows':>5} {'p50 ms':>8} {'p95 ms':>8}"
        print(f"\n{head}  plan")
        forms = (("FROM", pp.sql), ("IN", _in_form(pp)))
        for form, sql in forms:
            for label, params in sets:
                w = params[at]
                (matched,) = conn.execute(
                    f"SELECT count(*) FROM {pp.index} WHERE {pp.index} MATCH ?", (w,)
                ).fetchone()
                got = len(conn.execute(sql, params).fetchall())
                ms = _time(conn, sql, params, args.runs)
                p95 = statistics.quantiles(ms, n=20)[-1]
                print(
                    f"{form:<6} {label:<24} {matched:>8,} {got:>5} {statistics.median(ms):>8.2f} "
                    f"{p95:>8.2f}  {_plan(conn, sql, params)}"
                )
        conn.close()


if __name__ == "__main__":
    main()
