"""``advise --verify URL``: the advised indexes built for real on a scratch copy, their real size
and the planner's cost with them, next to the estimates.

The copy is the user's to give (a restored backup, a staging database, ``CREATE DATABASE copy
TEMPLATE app``): dbdesign builds there, never on the database it advised. It refuses a URL
that names the advised database itself. Each index is built, the tables analysed, every
workload query planned, and the indexes dropped again, so the copy ends as it began.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dbdesign import dialects
from dbdesign.advise.advisor import Advice, Built, IndexAdvice, Verification
from dbdesign.advise.whatif import WhatIf, session_limits
from dbdesign.errors import ConfigError, DbdesignError


def same_database(cur: Any, other: Any) -> bool:
    """Whether two connections reach the same database of the same server."""
    q = (
        "select pg_postmaster_start_time(), d.oid from pg_database d "
        "where d.datname = current_database()"
    )
    cur.execute(q)
    a = cur.fetchone()
    other.execute(q)
    return bool(a == other.fetchone())


def verify_on(conn: Any, advice: Advice, timeout_s: float = 600.0) -> Verification:
    """Build ``advice``'s indexes on the scratch copy ``conn`` (autocommit), measure, drop."""
    queries = [q.sql for q in advice.queries]
    built: list[Built] = []
    with conn.cursor() as cur:
        before = _costs(conn, queries, timeout_s)
        names = {ix.name: _qualified(cur, ix) for ix in advice.indexes}
        try:
            for ix in advice.indexes:
                cur.execute(ix.candidate.ddl(ix.name))
                cur.execute("select pg_relation_size(%s::regclass)", (names[ix.name],))
                (size,) = cur.fetchone()
                built.append(Built(ix.name, ix.size_bytes, ix.hypopg_bytes, int(size)))
            for table in sorted({ix.candidate.table for ix in advice.indexes}):
                cur.execute(f"ANALYZE {table}")
            after = _costs(conn, queries, timeout_s)
        except Exception as e:  # psycopg.Error: the copy is not the advised database's twin
            raise DbdesignError(f"--verify: building on the copy failed: {e}") from None
        finally:
            for b in built:
                cur.execute(f"DROP INDEX IF EXISTS {names[b.name]}")
    weights = tuple(q.calls for q in advice.queries)
    return Verification(tuple(built), tuple(before), tuple(after), weights)


def _costs(conn: Any, queries: Sequence[str], timeout_s: float) -> list[float]:
    with conn.transaction(force_rollback=True), conn.cursor() as cur:
        session_limits(cur, timeout_s)
        cur.execute("select current_setting('server_version_num')::int")
        (version,) = cur.fetchone()
        wi = WhatIf(cur, queries, version)
        try:
            return [wi.cost(i).cost for i in range(len(queries))]
        finally:
            wi.release()


def _qualified(cur: Any, ix: IndexAdvice) -> str:
    """The index's name in its table's schema (the server reads the table's quoted name)."""
    cur.execute(
        "select quote_ident(n.nspname) from pg_class c join pg_namespace n "
        "on n.oid = c.relnamespace where c.oid = %s::regclass",
        (ix.candidate.table,),
    )
    (schema,) = cur.fetchone()
    return f"{schema}.{dialects.get('postgres').quote_ident(ix.name)}"


def refuse_same(cur: Any, copy: Any) -> None:
    if same_database(cur, copy):
        raise ConfigError(
            "--verify needs a scratch copy of the database, not the database itself: "
            "dbdesign never builds indexes on the database it advises"
        )
