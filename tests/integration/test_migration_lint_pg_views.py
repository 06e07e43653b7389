"""MIG045 / MIG046's claims on a real PostgreSQL: DROP VIEW waits for an ACCESS EXCLUSIVE lock on
the view; DROP EXPRESSION takes ACCESS EXCLUSIVE on the table, keeps the values and does not
rewrite the table, and the column then stops being computed."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbdesign.lint.migration import MigrationLintOptions, lint_migrations

SCHEMA = (
    "CREATE TABLE orders (id bigint PRIMARY KEY, qty int, "
    "total int GENERATED ALWAYS AS (qty * 2) STORED);\n"
    "CREATE VIEW big_orders AS SELECT id FROM orders WHERE qty > 10;\n"
)


def finding(tmp_path: Path, migration: str, code: str) -> str:
    (tmp_path / "schema.sql").write_text(SCHEMA)
    (tmp_path / "0002_x.up.sql").write_text(migration)
    report = lint_migrations(
        [str(tmp_path / "0002_x.up.sql")], MigrationLintOptions(schema=str(tmp_path / "schema.sql"))
    )
    (hit,) = [f for f in report.findings if f.code == code]
    return hit.message


def locks_on(conn: psycopg.Connection, relation: str) -> set[str]:
    rows = conn.execute(
        "SELECT mode FROM pg_locks WHERE relation = %s::regclass AND granted", [relation]
    ).fetchall()
    return {r[0] for r in rows}


def test_drop_view_and_drop_expression(pg_scratch: str, tmp_path: Path) -> None:
    with psycopg.connect(pg_scratch, autocommit=True) as setup:
        setup.execute(SCHEMA)
        setup.execute("INSERT INTO orders (id, qty) VALUES (1, 5), (2, 20)")
        before = setup.execute("SELECT pg_relation_filenode('orders')").fetchone()
    view_msg = finding(tmp_path, "DROP VIEW big_orders;\n", "MIG045")
    expr_msg = finding(
        tmp_path, "ALTER TABLE orders ALTER COLUMN total DROP EXPRESSION;\n", "MIG046"
    )
    assert "ACCESS EXCLUSIVE" in view_msg and "ACCESS EXCLUSIVE" in expr_msg
    assert "no rewrite" in expr_msg
    with psycopg.connect(pg_scratch) as mig, psycopg.connect(pg_scratch, autocommit=True) as other:
        oid = mig.execute("SELECT 'big_orders'::regclass::oid").fetchone()
        mig.execute("DROP VIEW big_orders")
        held = other.execute(
            "SELECT mode FROM pg_locks WHERE relation = %s AND granted", oid
        ).fetchall()
        assert ("AccessExclusiveLock",) in held
        mig.execute("ALTER TABLE orders ALTER COLUMN total DROP EXPRESSION")
        assert "AccessExclusiveLock" in locks_on(other, "orders")
        mig.commit()
    with psycopg.connect(pg_scratch, autocommit=True) as conn:
        assert conn.execute("SELECT pg_relation_filenode('orders')").fetchone() == before
        assert conn.execute("SELECT total FROM orders ORDER BY id").fetchall() == [(10,), (40,)]
        conn.execute("INSERT INTO orders (id, qty) VALUES (3, 7)")  # no longer computed
        assert conn.execute("SELECT total FROM orders WHERE id = 3").fetchone() == (None,)
