"""A table rebuilt (columns reordered: asked for with ``column_order=True``) keeps the names the
catalog shows for a fresh table: its identity sequence is t_b_seq, not t_b_seq1 — and the
reverse plan restores it the same way."""

from __future__ import annotations

from dbdesign.diff import diff_schemas
from dbdesign.engine import connect
from dbdesign.readers.catalog.postgres import read_catalog
from dbdesign.readers.ddl.postgres import read_ddl
from tests.pgload import load_sql

A = "CREATE TABLE t (a text, b int GENERATED ALWAYS AS IDENTITY PRIMARY KEY);"
B = "CREATE TABLE t (b int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a text);"


def _sequence(url: str) -> tuple[str, int]:
    with connect(url) as conn:
        seq, nxt = conn.execute(
            "SELECT pg_get_serial_sequence('t', 'b'), (SELECT max(b) FROM t)"
        ).fetchone()  # type: ignore[misc]
    return seq, nxt


def test_rebuild_keeps_the_identity_sequence_name(pg_scratch: str) -> None:
    load_sql(pg_scratch, A + "INSERT INTO t (a) VALUES ('x'), ('y');")
    plan = diff_schemas(read_catalog(pg_scratch), read_ddl(B), column_order=True)
    assert any("rebuild" in o.describe() for o in plan.operations), plan.sql()
    with connect(pg_scratch, autocommit=True) as conn:
        for stmt in plan.statements():
            conn.execute(stmt.sql)
        conn.execute("INSERT INTO t (a) VALUES ('z')")
        assert conn.execute("SELECT b, a FROM t ORDER BY b").fetchall() == [
            (1, "x"),
            (2, "y"),
            (3, "z"),
        ]
    assert _sequence(pg_scratch)[0] == "public.t_b_seq"
    # the catalog now equals a fresh load of B, names included
    assert diff_schemas(read_catalog(pg_scratch), read_ddl(B), column_order=True).is_empty
    back = diff_schemas(read_catalog(pg_scratch), read_ddl(A), column_order=True)
    with connect(pg_scratch, autocommit=True) as conn:
        for stmt in back.statements():
            conn.execute(stmt.sql)
    assert _sequence(pg_scratch)[0] == "public.t_b_seq"
    assert diff_schemas(read_catalog(pg_scratch), read_ddl(A), column_order=True).is_empty
