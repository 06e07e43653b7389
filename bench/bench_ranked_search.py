"""Ranked full-text search as the designer writes it (the newest RANK_CANDIDATES matches by key
ranked, the best LIMIT returned) against ranking every match, on each server, with the rarest
words of one row (what the proof searches for) and the word most rows hold.

The searched table of a design example (default: examples/recipes.yaml's recipe_search) and the
tables it references are loaded with ROWS rows (the referenced ones with ROWS / 10) by the data
generator, statistics refreshed as the proof does; each query runs RUNS times. Prints one table:
server, words, rows matched, and p50 / p95 in ms of both forms.

    python bench/bench_ranked_search.py [--servers embedded,pg15,mysql,sqlite] [--rows 500000]
        [--runs 20] [--spec examples/recipes.yaml] [--pattern recipe_search]

PostgreSQL 15 is read from $DBDESIGN_TEST_PG_URL, MariaDB / MySQL from $DBDESIGN_TEST_MYSQL_URL.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from dbdesign.design import Design, PatternPlan, design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import load_rows, server_for
from dbdesign.readers import spec as S

ROOT = Path(__file__).resolve().parent.parent
DIALECT = {"embedded": "postgres", "pg15": "postgres", "mysql": "mysql", "sqlite": "sqlite"}


def _url(server: str) -> str | None:
    if server == "embedded":
        from dbdesign import engine

        return str(engine.embedded_url())
    if server == "pg15":
        return os.environ["DBDESIGN_TEST_PG_URL"]
    if server == "mysql":
        return os.environ["DBDESIGN_TEST_MYSQL_URL"]
    return None


def _unbounded(sql: str) -> str:
    """The same search ranking every match: the candidates' ORDER BY and LIMIT left out."""
    return "\n".join(ln for ln in sql.split("\n") if not ln.startswith(("  ORDER BY ", "  LIMIT ")))


def _rows(d: Design, pp: PatternPlan, n: int) -> dict[str, int]:
    out = {pp.table: n}
    for fk in d.schema.tables[pp.table].foreign_keys.values():
        out[fk.ref_table] = max(1000, n // 10)
    return out


def _time(server: Any, conn: Any, pp: PatternPlan, params: tuple[Any, ...], runs: int) -> str:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        server.run(conn, pp, params)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return f"{statistics.median(times):8.2f} {p95:8.2f}"


def bench(name: str, spec: Path, pattern: str, rows: int, runs: int) -> list[str]:
    from dbdesign.databases import target
    from dbdesign.design.prove_params import matched_rows

    d = design(S.load(spec), DIALECT[name])
    pp = next(p for p in d.patterns if p.pattern.name == pattern)
    url = _url(name)
    server = server_for(target(url) if url else None, d.dialect)
    out = []
    with server.scratch(url or "") as db:
        conn = server.connect(db, autocommit=True)
        try:
            version = server.version(conn)
            server.apply(conn, schema_sql(d.schema))
            t0 = time.perf_counter()
            load_rows(db, d, _rows(d, pp, rows))
            load_s = time.perf_counter() - t0
            server.analyze(conn, d)
            rare = server.params(conn, d, pp, 0)
            common = tuple(
                server.common_words(conn, d, pp) if p.kind == "search" else v
                for p, v in zip(pp.params, rare, strict=True)
            )
            every = replace(pp, sql=_unbounded(pp.sql))
            for label, values in (("rare", rare), ("common", common)):
                words = next(
                    v for p, v in zip(pp.params, values, strict=True) if p.kind == "search"
                )
                matched = matched_rows(server, conn, pp, values)
                out.append(
                    f"{version[:22]:22} {label:6} {str(words)[:24]:24} {matched:>9,} "
                    f"{_time(server, conn, pp, values, runs)} "
                    f"{_time(server, conn, every, values, runs)}"
                )
        finally:
            conn.close()
    print(f"# {name}: {rows:,} rows loaded in {load_s:.1f} s", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--servers", default="embedded,pg15,mysql,sqlite")
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--spec", type=Path, default=ROOT / "examples" / "recipes.yaml")
    ap.add_argument("--pattern", default="recipe_search")
    a = ap.parse_args()
    lines = []
    for name in a.servers.split(","):
        lines += bench(name, a.spec, a.pattern, a.rows, a.runs)
    print(
        f"{'server':22} {'words':6} {'search':24} {'matched':>9} "
        f"{'bounded p50':>8} {'p95':>8} {'all p50':>8} {'p95':>8}"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
