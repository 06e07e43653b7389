"""``plan.order_left`` lists every table whose target column order the plan does not reach
(docs/diff.md "Column order"), the partitioned tables, partitions and inheritance parents that
are never rebuilt among them (with or without ``column_order``): on a real server, the catalog
after the plan is the target with those tables in the announced order, and a second diff is
empty."""

from __future__ import annotations

import pytest

from dbdesign import engine
from dbdesign.diff import diff_schemas
from dbdesign.model import Schema
from dbdesign.readers.catalog.postgres import read_catalog
from tests.diffcheck import check_convergence
from tests.pgload import load_sql

# name -> (source, target, the order_left of the default plan, the tables column_order rebuilds)
CASES: dict[str, tuple[str, str, dict[str, tuple[str, ...]], set[str]]] = {
    "partition": (
        "CREATE TABLE p (a int, c int) PARTITION BY RANGE (a);"
        "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);",
        "CREATE TABLE p (a int, b int, c int) PARTITION BY RANGE (a);"
        "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);",
        {"public.p": ("a", "c", "b"), "public.p1": ("a", "c", "b")},
        set(),
    ),
    "sub_partition": (
        "CREATE TABLE p (a int, c int) PARTITION BY RANGE (a);"
        "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10) PARTITION BY LIST (c);"
        "CREATE TABLE p1a PARTITION OF p1 FOR VALUES IN (1);",
        "CREATE TABLE p (a int, b text, c int) PARTITION BY RANGE (a);"
        "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10) PARTITION BY LIST (c);"
        "CREATE TABLE p1a PARTITION OF p1 FOR VALUES IN (1);",
        {n: ("a", "c", "b") for n in ("public.p", "public.p1", "public.p1a")},
        set(),
    ),
    "inheritance_parent": (
        "CREATE TABLE parent (a int, c int); CREATE TABLE child (d int) INHERITS (parent);",
        "CREATE TABLE parent (a int, b int, c int);CREATE TABLE child (d int) INHERITS (parent);",
        {"public.parent": ("a", "c", "b"), "public.child": ("a", "c", "d", "b")},
        set(),  # a child created anew would take the parent's order, left too: not rebuilt
    ),
    "inheritance_child": (
        "CREATE TABLE parent (a int, c int); CREATE TABLE child (d int) INHERITS (parent);",
        "CREATE TABLE parent (a int, c int); CREATE TABLE child (b int, d int) INHERITS (parent);",
        {"public.child": ("a", "c", "d", "b")},
        {"public.child"},  # a child with no children is rebuilt when the order is asked for
    ),
}


def _catalog(server: str, sql: str) -> Schema:
    with engine.scratch_database(server) as url:
        load_sql(url, sql)
        return read_catalog(url)


@pytest.mark.parametrize("column_order", [False, True], ids=["default", "column_order"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_order_left_is_the_order_reached(pg_scratch: str, name: str, column_order: bool) -> None:
    a_sql, b_sql, left, rebuilt = CASES[name]
    load_sql(pg_scratch, a_sql)
    source = read_catalog(pg_scratch)
    target = _catalog(pg_scratch, b_sql)
    plan = diff_schemas(source, target, column_order=column_order)
    if column_order:
        left = {k: v for k, v in left.items() if k not in rebuilt}
    assert dict(plan.order_left) == left, plan.notes
    assert {o.subject for o in plan.operations if type(o).__name__ == "RebuildTable"} == (
        rebuilt if column_order else set()
    )
    check_convergence(pg_scratch, source, target, reverse=False, column_order=column_order)
