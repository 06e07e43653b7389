"""A similarity search's recall, measured (PostgreSQL with pgvector): an HNSW index finds
*about* the nearest rows, and how many of the true ones it finds grows with its search breadth
(``hnsw.ef_search``) as its speed falls. The proof searches for QUERIES rows' own vectors
(among the rows that share their filter values when the pattern has equal: filters), first
exactly (no index: every vector compared, sorted), then through the index at each breadth of
EF_SEARCH, cheapest first, and picks the first that finds at least the pattern's recall
target of the true neighbours (recall@k, averaged over the queries) within its latency target.
None that does fails the proof, saying how close the best came."""

from __future__ import annotations

import time
from typing import Any

from dbdesign.design import Design, PatternPlan
from dbdesign.design.prove_pg import pg_placeholders
from dbdesign.design.prove_result import Breadth, Tuning, percentile

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
    tried = []
    for ef in EF_SEARCH:
        found, times = 0.0, []
        with conn.transaction(force_rollback=True):
            conn.execute(S.SQL("SET LOCAL hnsw.ef_search = {}").format(S.Literal(ef)))
            for v, truth in zip(queries, exact, strict=True):
                for _ in range(RUNS):
                    t0 = time.perf_counter()
                    rows = conn.execute(query, v).fetchall()
                    times.append((time.perf_counter() - t0) * 1000)
                found += len(truth & set(rows)) / max(len(truth), 1)
        tried.append(Breadth(ef, found / max(len(queries), 1), percentile(times, 0.95)))
    chosen = next(
        (b.ef_search for b in tried if b.recall >= p.recall and b.p95_ms <= p.latency_ms), None
    )
    return Tuning(p.limit, p.recall, p.latency_ms, tuple(tried), chosen, len(queries), RUNS)
