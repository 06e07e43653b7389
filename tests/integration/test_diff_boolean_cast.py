"""A boolean column retyped to another number type: PostgreSQL casts boolean only to integer,
so the migration goes through integer — by ALTER COLUMN TYPE and by a table rebuild alike."""

from __future__ import annotations

import pytest

from dbdesign.diff import diff_schemas
from dbdesign.engine import connect
from dbdesign.readers.catalog.postgres import read_catalog
from dbdesign.readers.ddl.postgres import read_ddl
from tests.pgload import load_sql


@pytest.mark.parametrize("target", ["bigint", "smallint", "numeric(5,2)", "real", "integer"])
@pytest.mark.parametrize("reorder", [False, True])
def test_boolean_to_number(pg_scratch: str, target: str, reorder: bool) -> None:
    load_sql(
        pg_scratch,
        "CREATE TABLE t (a int, flag boolean); "
        "INSERT INTO t VALUES (1, true), (2, false), (3, NULL);",
    )
    cols = [f"flag {target}", "a int"] if reorder else ["a int", f"flag {target}"]
    want = read_ddl(f"CREATE TABLE t ({', '.join(cols)});")
    plan = diff_schemas(read_catalog(pg_scratch), want, safe=False)
    with connect(pg_scratch, autocommit=True) as conn:
        for stmt in plan.statements():
            conn.execute(stmt.sql)
        rows = conn.execute("SELECT a, flag::float8 FROM t ORDER BY a").fetchall()
    assert rows == [(1, 1.0), (2, 0.0), (3, None)]
    assert diff_schemas(read_catalog(pg_scratch), want).is_empty
