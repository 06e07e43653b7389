"""Collations are objects of the model: the diff creates them before the columns, domains and
indexes that use them, drops them after, and never leaves one behind. Each plan is applied to a
live database holding rows; the catalog must then equal the target and the rows be kept."""

from __future__ import annotations

import pytest

from dbdesign.diff import diff_schemas
from dbdesign.engine import connect
from dbdesign.readers.catalog.postgres import read_catalog
from dbdesign.readers.ddl.postgres import read_ddl
from tests.integration.test_convergence import assert_same
from tests.pgload import load_sql

PAIRS = {
    # migra's collations fixture in spirit: a collation only in B, used by a column; one only in A
    "create_and_drop": (
        """
        CREATE COLLATION only_a FROM "C";
        CREATE TABLE t (id int PRIMARY KEY, name text COLLATE only_a);
        """,
        """
        CREATE COLLATION posix FROM "POSIX";
        COMMENT ON COLLATION posix IS 'byte order';
        CREATE TABLE t (id int PRIMARY KEY, name text COLLATE posix);
        CREATE INDEX t_name ON t (name COLLATE posix);
        """,
    ),
    "domain_and_new_table": (
        "CREATE TABLE t (id int PRIMARY KEY, name text);",
        """
        CREATE SCHEMA app;
        CREATE COLLATION app."Bytes" (lc_collate = 'C', lc_ctype = 'C');
        CREATE DOMAIN app.code AS text COLLATE app."Bytes";
        CREATE TABLE t (id int PRIMARY KEY, name text);
        CREATE TABLE app.u (c app.code, d text COLLATE app."Bytes");
        """,
    ),
    "changed_unused": (
        'CREATE COLLATION c1 FROM "C"; CREATE TABLE t (id int PRIMARY KEY, name text);',
        'CREATE COLLATION c1 FROM "POSIX"; CREATE TABLE t (id int PRIMARY KEY, name text);',
    ),
    "comment_only": (
        'CREATE COLLATION c1 FROM "C"; CREATE TABLE t (id int PRIMARY KEY, name text);',
        """
        CREATE COLLATION c1 FROM "C"; COMMENT ON COLLATION c1 IS 'x';
        CREATE TABLE t (id int PRIMARY KEY, name text);
        """,
    ),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
@pytest.mark.parametrize("reverse", [False, True], ids=["a_to_b", "b_to_a"])
def test_collation_plan_reaches_the_target(pg_scratch: str, name: str, reverse: bool) -> None:
    a, b = PAIRS[name][::-1] if reverse else PAIRS[name]
    load_sql(pg_scratch, a)
    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute("INSERT INTO t VALUES (1, 'b'), (2, 'a'), (3, NULL)")
    want = read_ddl(b)
    plan = diff_schemas(read_catalog(pg_scratch), want)
    assert not plan.is_empty
    with connect(pg_scratch, autocommit=True) as conn:  # CONCURRENTLY runs outside one
        for stmt in plan.statements():
            conn.execute(stmt.sql)
    got = read_catalog(pg_scratch)
    assert_same(want, got)
    assert diff_schemas(got, want).is_empty
    assert not [c for c in want.collations if c not in got.collations]
    assert sorted(got.collations) == sorted(want.collations)  # nothing left behind
    with connect(pg_scratch) as conn:
        rows = conn.execute("SELECT id, name FROM t ORDER BY id").fetchall()
    assert rows == [(1, "b"), (2, "a"), (3, None)]


def test_a_changed_collation_in_use_is_noted_not_broken(pg_scratch: str) -> None:
    """PostgreSQL cannot alter a collation, nor drop one a column uses: the plan says so."""
    a = 'CREATE COLLATION c1 FROM "C"; CREATE TABLE t (name text COLLATE c1);'
    b = 'CREATE COLLATION c1 FROM "POSIX"; CREATE TABLE t (name text COLLATE c1);'
    load_sql(pg_scratch, a)
    plan = diff_schemas(read_catalog(pg_scratch), read_ddl(b))
    assert plan.is_empty  # no statement would succeed
    assert any("collation public.c1 differs" in n and "public.t.name" in n for n in plan.notes)
