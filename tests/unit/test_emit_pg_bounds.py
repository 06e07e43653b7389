"""A partition bound as the CHECK expression that admits the same rows
(:mod:`dbdesign.emit.pg_bounds`): golden pairs of (key, bound) and expression, and the bounds
that have no such CHECK. tests/integration/test_partition_bound_check.py proves on real servers
that each CHECK admits exactly the bound's rows and lets ATTACH PARTITION skip its scan."""

from __future__ import annotations

import pytest

from dbdesign.emit.pg_bounds import bound_spec, key_columns, partition_bound_check
from dbdesign.model import Expr, PartitionBy
from dbdesign.readers.ddl.postgres import read_ddl

GOLDEN = [
    (
        "RANGE (d)",
        "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
        "d IS NOT NULL AND d >= '2024-01-01' AND d < '2025-01-01'",
    ),
    ("RANGE (a)", "FROM (MINVALUE) TO (10)", "a IS NOT NULL AND a < 10"),
    ("RANGE (a)", "FROM (-5) TO (MAXVALUE)", "a IS NOT NULL AND a >= -5"),
    ("RANGE (a)", "FROM (MINVALUE) TO (MAXVALUE)", "a IS NOT NULL"),
    (
        "RANGE (a, b)",
        "FROM (1, 10) TO (2, 20)",
        "a IS NOT NULL AND b IS NOT NULL AND (a > 1 OR (a = 1 AND b >= 10))"
        " AND (a < 2 OR (a = 2 AND b < 20))",
    ),
    (
        "RANGE (a, b)",
        "FROM (1, 10) TO (1, 20)",
        "a IS NOT NULL AND b IS NOT NULL AND a = 1 AND b >= 10 AND b < 20",
    ),
    (
        "RANGE (a, b, c)",
        "FROM (1, 2, 3) TO (3, 1, 2)",
        "a IS NOT NULL AND b IS NOT NULL AND c IS NOT NULL"
        " AND (a > 1 OR (a = 1 AND b > 2) OR (a = 1 AND b = 2 AND c >= 3))"
        " AND (a < 3 OR (a = 3 AND b < 1) OR (a = 3 AND b = 1 AND c < 2))",
    ),
    (
        "RANGE (a, b)",
        "FROM (1, MINVALUE) TO (2, MAXVALUE)",
        "a IS NOT NULL AND b IS NOT NULL AND a >= 1 AND a <= 2",
    ),
    (
        "RANGE (a, b)",
        "FROM (1, MAXVALUE) TO (3, MINVALUE)",
        "a IS NOT NULL AND b IS NOT NULL AND a > 1 AND a < 3",
    ),
    (
        "RANGE (a, b)",
        "FROM (MINVALUE, MINVALUE) TO (2, 5)",
        "a IS NOT NULL AND b IS NOT NULL AND (a < 2 OR (a = 2 AND b < 5))",
    ),
    ("LIST (r)", "IN ('de', 'fr')", "r IS NOT NULL AND r IN ('de', 'fr')"),
    ("LIST (r)", "IN (NULL, 'fr')", "r IS NULL OR r IN ('fr')"),
    ("LIST (r)", "IN (NULL)", "r IS NULL"),
    ('LIST ("Region")', "IN ('x')", '"Region" IS NOT NULL AND "Region" IN (\'x\')'),
]

NONE = [
    ("HASH (a)", "FOR VALUES WITH (MODULUS 2, REMAINDER 0)"),
    ("RANGE (a)", "DEFAULT"),
    ("LIST (r)", "DEFAULT"),
    ("RANGE (lower(r))", "FROM ('a') TO ('m')"),
    ('RANGE (r COLLATE "C")', "FROM ('a') TO ('m')"),
    ("RANGE (r text_pattern_ops)", "FROM ('a') TO ('m')"),
    ("RANGE (a, lower(r))", "FROM (1, 'a') TO (2, 'm')"),
]


def _parent(key: str) -> PartitionBy:
    cols = '"Region" text' if '"Region"' in key else "a int, b int, c int, d date, r text"
    pby = read_ddl(f"CREATE TABLE p ({cols}) PARTITION BY {key};").tables["public.p"].partition_by
    assert pby is not None
    return pby


@pytest.mark.parametrize(("key", "bound", "check"), GOLDEN)
def test_bound_as_check(key: str, bound: str, check: str) -> None:
    assert partition_bound_check(_parent(key), Expr(text=bound)) == check


@pytest.mark.parametrize(("key", "bound"), NONE)
def test_bounds_without_a_check(key: str, bound: str) -> None:
    assert partition_bound_check(_parent(key), Expr(text=bound)) is None


def test_key_columns_and_spec() -> None:
    assert key_columns(_parent("RANGE (a, lower(r))")) == ["a", None]
    assert bound_spec(Expr(text="DEFAULT")) == {"is_default": True, "location": 30}
    assert bound_spec(Expr(text="FOR VALUES FROM (")) is None
    assert partition_bound_check(None, Expr(text="IN (1)")) is None
