"""The fast PostgreSQL load path (datagen/load_pg_rebuild.py) on real servers: the embedded
PostgreSQL 16 and the machine's PostgreSQL 15 (``pg_scratch``).

A table the load fills from empty has its indexes and its key, exclusion and foreign-key
constraints dropped before the COPY and re-created after it (while the next table's rows are
made), in the load's one transaction.
These tests show that this changes nothing a user can see: the catalog reads back the same
(and the definitions, comments included, are the same text), the objects were really re-made
(their oids changed) where they should be and left alone where they must be, and a generator
that breaks a constraint still fails the load, naming the constraint, with no row left and
every constraint in place."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from psycopg import sql

from dbdesign import datagen
from dbdesign.datagen.units import TablePlan
from dbdesign.datagen.xeger import Xeger, compile_pattern, translate_regex
from dbdesign.design import design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import load_rows
from dbdesign.engine import connect
from dbdesign.errors import DbdesignError
from dbdesign.readers.catalog.postgres import read_catalog
from dbdesign.readers.spec import load as load_spec
from tests.pgload import load_sql

SQL = Path(__file__).parent / "sql"
EXAMPLES = Path(__file__).parents[2] / "examples"

# Beyond every constraint kind of datagen_features.sql: comments on a constraint and an
# index, an index with INCLUDE and WHERE, a deferrable unique key, a view that depends on a
# primary key (which must then stay), a cycle of deferrable foreign keys (checked before the
# constraints are re-made), a table that already holds rows and one with a foreign key
# checked at COMMIT that stays (both left alone, and so the key that one references).
EXTRAS = """
COMMENT ON CONSTRAINT product_price_cap ON shop.product IS 'a price cap';
CREATE INDEX product_active_price ON shop.product (price) INCLUDE (sku) WHERE active;
COMMENT ON INDEX shop.product_active_price IS 'the active catalogue';
ALTER TABLE shop.member ADD CONSTRAINT member_email_once UNIQUE (email, team_id)
  DEFERRABLE INITIALLY IMMEDIATE;
CREATE VIEW shop.country_names AS SELECT c.code, c.name FROM shop.country c GROUP BY c.code;
CREATE TABLE shop.nest (id integer PRIMARY KEY, egg_id integer NOT NULL);
CREATE TABLE shop.egg (id integer PRIMARY KEY, nest_id integer NOT NULL REFERENCES shop.nest);
ALTER TABLE shop.nest ADD CONSTRAINT nest_egg_fkey FOREIGN KEY (egg_id) REFERENCES shop.egg
  DEFERRABLE INITIALLY DEFERRED;
CREATE TABLE shop.kept (id integer PRIMARY KEY, code text NOT NULL UNIQUE);
INSERT INTO shop.kept VALUES (1, 'a'), (2, 'b');
CREATE TABLE shop.late (id integer PRIMARY KEY, product_id integer, note text UNIQUE);
ALTER TABLE shop.late ADD CONSTRAINT late_product_fkey FOREIGN KEY (product_id)
  REFERENCES shop.product DEFERRABLE INITIALLY DEFERRED NOT VALID;
"""

# every index and constraint, by its table and name: its definition and its comment, and oid
DEFINITIONS = """
SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid),
       obj_description(c.oid, 'pg_constraint'), c.oid
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND c.conrelid <> 0
UNION ALL
SELECT i.indrelid::regclass::text, ic.relname, pg_get_indexdef(i.indexrelid),
       obj_description(i.indexrelid, 'pg_class'), i.indexrelid
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
"""


def definitions(url: str) -> dict[tuple[str, str], tuple[str, str | None, int]]:
    with connect(url) as conn:
        return {(t, n): (d, c, oid) for t, n, d, c, oid in conn.execute(DEFINITIONS).fetchall()}


def texts(defs: dict[tuple[str, str], tuple[str, str | None, int]]) -> dict[Any, Any]:
    return {k: v[:2] for k, v in defs.items()}


def remade(before: dict[Any, Any], after: dict[Any, Any]) -> set[tuple[str, str]]:
    """The objects whose oid changed: dropped and created again by the load."""
    return {k for k in before if before[k][2] != after[k][2]}


@pytest.mark.parametrize("keep", [False, True], ids=["default", "keep_cyclic_keys"])
def test_catalog_reads_back_identical(pg_scratch: str, keep: bool) -> None:
    load_sql(pg_scratch, (SQL / "datagen_features.sql").read_text() + EXTRAS)
    schema = read_catalog(pg_scratch)
    before, defs = schema, definitions(pg_scratch)
    rows = {"*": 300, "shop.kept": 0, "shop.country": 50, "shop.warehouse": 20}
    report = datagen.load(pg_scratch, schema, rows, seed=3, keep_cyclic_keys=keep)
    assert report.total_rows > 3000
    after, defs_after = read_catalog(pg_scratch), definitions(pg_scratch)
    assert after == before
    assert texts(defs_after) == texts(defs)
    again = remade(defs, defs_after)
    # made again after the COPY: keys, unique and partial unique indexes, an index with
    # INCLUDE, WHERE and a comment, a deferrable unique key
    for key in [
        ("shop.customer", "customer_email_live"),
        ("shop.product", "product_active_price"),
        ("shop.product", "product_sku_key"),
        ("shop.member", "member_email_once"),
        ("shop.order_line", "order_line_pkey"),
    ]:
        assert key in again, key
    # and the foreign keys, with the keys they reference; with keep_cyclic_keys (the design
    # proof: no key is dropped and re-added) those stay in place
    for key in [
        ("shop.customer", "customer_pkey"),
        ("shop.customer", "customer_referred_by_fkey"),
        ("shop.order_line", "order_line_order_id_fkey"),
        ("shop.stock", "stock_region_warehouse_code_fkey"),
        ("shop.egg", "egg_nest_id_fkey"),
    ]:
        assert (key in again) is not keep, key
    # left alone: checks (a commented one too), a key a view depends on, the foreign keys
    # that close a cycle (a deferrable one is checked at the end, a nullable one set by
    # UPDATE with keep_cyclic_keys; without it load.py drops and re-adds that one itself), a
    # partitioned table's, and a table that held rows before the load
    assert (("shop.team", "team_lead_fkey") in again) is not keep
    for key in [
        ("shop.customer", "customer_deleted_after_created"),
        ("shop.product", "product_price_cap"),
        ("shop.country", "country_pkey"),
        ("shop.nest", "nest_egg_fkey"),
        ("shop.event", "event_pkey"),
        ("shop.kept", "kept_pkey"),
        ("shop.kept", "kept_code_key"),
        ("shop.late", "late_pkey"),
        ("shop.late", "late_note_key"),
        ("shop.product", "product_pkey"),
    ]:
        assert key not in again, key


@pytest.mark.parametrize("example", ["booking", "library"])
def test_design_example_reads_back_identical(pg_scratch: str, example: str) -> None:
    """The proof's load of designs with exclusion constraints (btree_gist), partial unique
    indexes and rule triggers: the same catalog after as before."""
    d = design(load_spec(EXAMPLES / f"{example}.yaml"))
    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute(schema_sql(d.schema).encode())
    before, defs = read_catalog(pg_scratch), definitions(pg_scratch)
    load_rows(pg_scratch, d, {t.key: 200 for t in d.tables})
    defs_after = definitions(pg_scratch)
    assert read_catalog(pg_scratch) == before
    assert texts(defs_after) == texts(defs)
    assert remade(defs, defs_after), "the load re-made no index or constraint"


PAIR = """
CREATE TABLE parent (id integer PRIMARY KEY, code text NOT NULL UNIQUE);
CREATE TABLE child (
  id integer PRIMARY KEY,
  parent_id integer NOT NULL REFERENCES parent,
  qty integer NOT NULL CHECK (qty > 0)
);
"""

Breaker = Callable[[dict[str, list[Any]]], None]


@pytest.fixture
def broken(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, Breaker], None]]:
    """Makes the generator break a constraint: ``broken(table, change)`` has ``change`` edit
    every batch of ``table`` (its values by column) before it is written."""
    original = TablePlan.batches

    def arm(table: str, change: Breaker) -> None:
        def batches(self: TablePlan, size: int) -> Iterator[Any]:
            for start, values in original(self, size):
                if self.key == table:
                    change(values)
                yield start, values

        monkeypatch.setattr(TablePlan, "batches", batches)

    yield arm


def _same(column: str, value: Any) -> Breaker:
    def change(values: dict[str, list[Any]]) -> None:
        values[column] = [value] * len(values[column])

    return change


@pytest.mark.parametrize(
    ("table", "change", "constraint"),
    [
        ("public.parent", _same("code", "twin"), "parent_code_key"),
        ("public.child", _same("qty", -1), "child_qty_check"),
        ("public.child", _same("parent_id", 10**6), "child_parent_id_fkey"),
        ("public.child", _same("id", 7), "child_pkey"),
    ],
    ids=["unique", "check", "foreign key", "primary key"],
)
def test_a_broken_constraint_fails_the_load(
    pg_scratch: str,
    broken: Callable[[str, Breaker], None],
    table: str,
    change: Breaker,
    constraint: str,
) -> None:
    load_sql(pg_scratch, PAIR)
    schema = read_catalog(pg_scratch)
    defs = definitions(pg_scratch)
    broken(table, change)
    with pytest.raises(DbdesignError) as e:
        datagen.load(pg_scratch, schema, {"public.parent": 50, "public.child": 200}, seed=1)
    message = str(e.value)
    assert constraint in message
    assert message.endswith("nothing was loaded")
    assert definitions(pg_scratch) == defs  # every constraint as it was, the same objects
    with connect(pg_scratch) as conn:
        for t in ("parent", "child"):
            q = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))
            assert conn.execute(q).fetchone() == (0,)


def test_an_overlap_fails_the_load(pg_scratch: str, broken: Callable[[str, Breaker], None]) -> None:
    """The booking design's exclusion constraint (no two live bookings of a room overlap),
    re-made after the COPY, refuses rows that all take one booking's room and time."""
    d = design(load_spec(EXAMPLES / "booking.yaml"))
    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute(schema_sql(d.schema).encode())
    defs = definitions(pg_scratch)
    columns = ("room_id", "starts_at", "ends_at", "status", "cancelled_at")

    def overlap(values: dict[str, list[Any]]) -> None:
        live = next(i for i, s in enumerate(values["status"]) if s != "cancelled")
        for c in columns:
            values[c] = [values[c][live]] * len(values[c])

    broken("public.bookings", overlap)
    with pytest.raises(DbdesignError) as e:
        load_rows(pg_scratch, d, {t.key: 100 for t in d.tables})
    assert "ex_bookings_room_free" in str(e.value)
    assert definitions(pg_scratch) == defs
    with connect(pg_scratch) as conn:
        assert conn.execute("SELECT count(*) FROM bookings").fetchone() == (0,)


@pytest.mark.parametrize(
    "pattern",
    [
        r"^\+[1-9][0-9]{6,14}$",
        r"^[A-Z]{2}$",
        r"^[A-Z]{3}-\d{4}$",
        r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$",
        r"^(red|green|blue)(-[0-9]+)?$",
        r"^[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z]+$",
        r"^(?:ab){2,3}x$",
        r"^[[:upper:]][[:digit:]]?$",
        r"^(a|b)\1$",  # a back reference: drawn one string at a time
    ],
)
def test_patterns_drawn_many_at_once_match(pattern: str) -> None:
    """Xeger.many (a pattern column's values, drawn column by column): every string matches,
    the draw is random (not one string repeated) and a seed repeats it."""
    rx = compile_pattern(translate_regex(pattern))
    x = Xeger(rx)
    many = x.many(random.Random(4), 3000)
    assert len(many) == 3000
    assert [s for s in many if not rx.search(s)] == []
    assert len(set(many)) > 1
    assert x.many(random.Random(4), 3000) == many


def test_a_load_in_the_callers_transaction_leaves_its_settings(pg_scratch: str) -> None:
    """The index builds sort with more memory (maintenance_work_mem) for the load only: a load
    into the caller's open transaction gives the setting back; the caller still decides."""
    load_sql(pg_scratch, PAIR)
    schema = read_catalog(pg_scratch)
    with connect(pg_scratch) as conn:
        conn.execute("SET maintenance_work_mem = '16MB'")
        conn.execute("SELECT 1")  # a transaction is open: the load runs inside it
        report = datagen.load(conn, schema, {"*": 500}, analyze=False)
        assert report.total_rows == 1000
        assert conn.execute("SHOW maintenance_work_mem").fetchone() == ("16MB",)
        assert conn.execute("SELECT count(*) FROM child").fetchone() == (500,)
        conn.rollback()
        assert conn.execute("SELECT count(*) FROM child").fetchone() == (0,)
