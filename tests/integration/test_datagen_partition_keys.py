"""A partitioned table's key column that is nullable: PostgreSQL routes a NULL key only to a
DEFAULT partition (range) or to a list partition that lists NULL, so datagen generates NULL
there only when such a partition exists. Found by the migration-lint fixes test: a range key
`at date` without NOT NULL failed the load with "no partition of relation found for row"."""

from __future__ import annotations

from dbdesign import datagen
from dbdesign.engine import connect
from dbdesign.readers.catalog.postgres import read_catalog
from tests.pgload import load_sql

RANGE = """
CREATE TABLE visits (id bigint, at date) PARTITION BY RANGE (at);
CREATE TABLE visits_2024 PARTITION OF visits FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE visits_2025 PARTITION OF visits FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
"""
LIST = """
CREATE TABLE tickets (id bigint, region text) PARTITION BY LIST (region);
CREATE TABLE tickets_eu PARTITION OF tickets FOR VALUES IN ('eu', 'uk');
CREATE TABLE tickets_other PARTITION OF tickets FOR VALUES IN ('us', NULL);
CREATE TABLE orders (id bigint, region text) PARTITION BY LIST (region);
CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');
CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us');
"""


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    with connect(url) as conn:
        return list(conn.execute(sql).fetchall())


def test_nullable_range_key_gets_no_null(pg_scratch: str) -> None:
    load_sql(pg_scratch, RANGE)
    datagen.load(pg_scratch, read_catalog(pg_scratch), {"visits": 300}, seed=3)
    assert _rows(pg_scratch, "SELECT count(*), count(at) FROM visits") == [(300, 300)]


def test_nullable_list_key_is_null_only_where_a_partition_lists_null(pg_scratch: str) -> None:
    load_sql(pg_scratch, LIST)
    datagen.load(pg_scratch, read_catalog(pg_scratch), {"tickets": 300, "orders": 300}, seed=3)
    assert _rows(pg_scratch, "SELECT count(*), count(region) FROM orders") == [(300, 300)]
    # NULL is allowed in tickets (it lands in tickets_other): the load took every row
    assert _rows(pg_scratch, "SELECT count(*) FROM tickets") == [(300,)]
