"""A column retyped from one enum to another goes through the labels (text): no cast exists
between enums. It is not destructive — each value keeps its label or the statement fails — so
the plan says may_fail, not data_loss, and needs no --allow-destructive."""

from __future__ import annotations

import psycopg
import pytest

from dbdesign.diff import diff_schemas
from dbdesign.engine import connect
from dbdesign.readers.catalog.postgres import read_catalog
from dbdesign.readers.ddl.postgres import read_ddl
from tests.pgload import load_sql

TYPES = "CREATE TYPE e1 AS ENUM ('a', 'b'); CREATE TYPE e2 AS ENUM ('c', 'b', 'a');"


@pytest.mark.parametrize("array", [False, True])
def test_enum_to_enum_keeps_every_label(pg_scratch: str, array: bool) -> None:
    dims = "[]" if array else ""
    load_sql(pg_scratch, f"{TYPES} CREATE TABLE t (id int, c e1{dims} DEFAULT {_v('a', array)});")
    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute(
            f"INSERT INTO t VALUES (1, {_v('a', array)}), (2, {_v('b', array)}), (3, NULL)"
        )
    want = read_ddl(f"{TYPES} CREATE TABLE t (id int, c e2{dims} DEFAULT {_v('b', array, 'e2')});")
    plan = diff_schemas(read_catalog(pg_scratch), want)  # safe: nothing destructive
    assert not plan.destructive
    kinds = {h.code for s in plan.statements() for h in s.hazards}
    assert "may_fail" in kinds and "data_loss" not in kinds
    with connect(pg_scratch, autocommit=True) as conn:
        for stmt in plan.statements():
            conn.execute(stmt.sql)
        rows = conn.execute("SELECT id, c::text FROM t ORDER BY id").fetchall()
    assert rows == [(1, _t("a", array)), (2, _t("b", array)), (3, None)]
    assert diff_schemas(read_catalog(pg_scratch), want).is_empty


def test_a_label_the_new_enum_lacks_fails_as_stated(pg_scratch: str) -> None:
    load_sql(pg_scratch, "CREATE TYPE e1 AS ENUM ('a', 'z'); CREATE TYPE e2 AS ENUM ('a');"
             "CREATE TABLE t (c e1); INSERT INTO t VALUES ('a'), ('z');")  # fmt: skip
    want = read_ddl("CREATE TYPE e1 AS ENUM ('a', 'z'); CREATE TYPE e2 AS ENUM ('a');"
                    "CREATE TABLE t (c e2);")  # fmt: skip
    plan = diff_schemas(read_catalog(pg_scratch), want)
    with connect(pg_scratch) as conn, pytest.raises(psycopg.errors.InvalidTextRepresentation):
        for stmt in plan.statements():
            conn.execute(stmt.sql)
    with connect(pg_scratch) as conn:  # rolled back: the rows are as they were
        assert conn.execute("SELECT c::text FROM t ORDER BY 1").fetchall() == [("a",), ("z",)]


def _v(label: str, array: bool, enum: str = "e1") -> str:
    return f"ARRAY['{label}']::{enum}[]" if array else f"'{label}'"


def _t(label: str, array: bool) -> str:
    return f"{{{label}}}" if array else label
