"""A similarity search's recall, measured (PostgreSQL with pgvector): an HNSW index finds
*about* the nearest rows, and how many of the true ones it finds grows with its search breadth
(``hnsw.ef_search``) as its speed falls. The proof searches for QUERIES rows' own vectors
(among the rows that share their filter values when the pattern has equal: filters), first
exactly (no index: every vector compared, sorted), then through the index at each breadth of
EF_SEARCH, cheapest first, and picks the first that finds at least the pattern's recall
target of the true neighbours (recall@k, averaged over the queries) within its latency target.
None that does fails the proof, saying how close the best came."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from dbdesign.design import Design, PatternPlan
from dbdesign.design.prove_pg import pg_placeholders
from dbdesign.design.prove_result import Breadth, IvfFlat, Tuning, percentile

EF_SEARCH = (10, 20, 40, 80, 160, 320, 640)  # pgvector's default is 40; at most 1,000
QUERIES = 30
RUNS = 3  # timed runs of each query at each breadth


def tune(conn: Any, d: Design, pp: PatternPlan, seed: int) -> Tuning:
    """Measure ``pp`` (a ``similar_to`` pattern) at each breadth; see the module's docstring."""
    from psycopg import sql as S

    p = pp.pattern
    assert p.similar_to is not None and p.limit is not None
    table = S.Identifier(*pp.table.split(".", 1))
    query = pg_placeholders(pp.sql)
    # each query: one row's filter values and its own vector, in the order of the parameters
    cols = [
        S.SQL("{}::text").format(S.Identifier(x.column))
        if x.kind == "vector"
        else S.Identifier(x.column)
        for x in pp.params
    ]
    with conn.transaction(force_rollback=True):
        conn.execute("SELECT setseed(%s)", ((seed % 1000) / 1000.0,))
        queries = [
            tuple(r)
            for r in conn.execute(
                S.SQL("SELECT {} FROM {} ORDER BY random() LIMIT {}").format(
                    S.SQL(", ").join(cols), table, S.Literal(QUERIES)
                )
            ).fetchall()
        ]
        conn.execute("SET LOCAL enable_indexscan = off")  # every vector compared: the truth
        conn.execute("SET LOCAL enable_bitmapscan = off")
        exact = [set(conn.execute(query, v).fetchall()) for v in queries]

    def measure(setting: str, value: int) -> Breadth:
        found, times = 0.0, []
        with conn.transaction(force_rollback=True):
            conn.execute(S.SQL("SET LOCAL {} = {}").format(S.SQL(setting), S.Literal(value)))
            for v, truth in zip(queries, exact, strict=True):
                for _ in range(RUNS):
                    t0 = time.perf_counter()
                    rows = conn.execute(query, v).fetchall()
                    times.append((time.perf_counter() - t0) * 1000)
                found += len(truth & set(rows)) / max(len(truth), 1)
        return Breadth(value, found / max(len(queries), 1), percentile(times, 0.95))

    tried = tuple(measure("hnsw.ef_search", ef) for ef in EF_SEARCH)
    chosen = _cheapest(tried, p.recall, p.latency_ms)
    ivf = _ivfflat(conn, pp, lambda n: measure("ivfflat.probes", n), p.recall, p.latency_ms)
    return Tuning(p.limit, p.recall, p.latency_ms, tried, chosen, len(queries), RUNS, ivf)


def _cheapest(tried: tuple[Breadth, ...], recall: float, ms: float) -> int | None:
    return next((b.ef_search for b in tried if b.recall >= recall and b.p95_ms <= ms), None)


def _ivfflat(
    conn: Any, pp: PatternPlan, measure: Callable[[int], Breadth], recall: float, ms: float
) -> IvfFlat | None:
    """The same searches through an IVFFlat index instead (built, measured and dropped in a
    transaction that is rolled back, the HNSW index dropped in it meanwhile): lists = rows /
    1,000 (at least 1; sqrt(rows) past a million), probes doubling from 1 to lists."""
    from psycopg import sql as S

    if pp.index is None:
        return None
    schema = pp.table.split(".", 1)[0]
    with conn.transaction(force_rollback=True):
        row = conn.execute(
            "SELECT pg_get_indexdef(c.oid), pg_relation_size(c.oid) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = %s",
            (schema, pp.index),
        ).fetchone()
        if row is None:
            return None
        definition, hnsw_bytes = row
        rows = conn.execute(
            S.SQL("SELECT count(*) FROM {}").format(S.Identifier(*pp.table.split(".", 1)))
        ).fetchone()[0]
        lists = max(1, rows // 1000 if rows <= 1_000_000 else int(rows**0.5))
        conn.execute(S.SQL("DROP INDEX {}").format(S.Identifier(schema, pp.index)))
        ivf_sql = re.sub(r"\s+WITH \([^)]*\)", "", definition).replace(
            " USING hnsw ", " USING ivfflat ", 1
        )
        head, sep, where = ivf_sql.partition(" WHERE ")
        ivf_sql = f"{head} WITH (lists = {lists}){sep}{where}"
        t0 = time.perf_counter()
        conn.execute(ivf_sql)
        build_s = time.perf_counter() - t0
        name = S.Identifier(schema, pp.index).as_string(conn)
        ivf_bytes = conn.execute("SELECT pg_relation_size(%s::regclass)", (name,)).fetchone()[0]
        probes, n = [], 1
        while n <= lists:
            probes.append(measure(n))
            n *= 2
    tried = tuple(probes)
    return IvfFlat(
        lists, build_s, int(ivf_bytes), int(hnsw_bytes), tried, _cheapest(tried, recall, ms)
    )
