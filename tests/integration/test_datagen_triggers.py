"""Loads into tables with triggers and with several rules over one range (PostgreSQL 16 and 15).

- A table with a trigger on INSERT keeps its indexes while it is loaded: the trigger may look
  rows up (a design's "at most N per parent" counts the parent's rows for each new row), and
  without the index each lookup is a scan, the load quadratic. Shown by a trigger that fails
  the row when the index is missing.
- Two no-overlap rules over the same range (a practitioner's and a room's appointments): each
  row's range is placed free for both keys at once; the server's two exclusion constraints
  accept every row.
- A bound on every child row (at most N per parent, no condition) with a fan-out whose random
  draws pass it now and then: the rows past it move to parents with room.
"""

from __future__ import annotations

from pathlib import Path

from dbdesign import datagen
from dbdesign.design import design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import load_rows, proof_rows
from dbdesign.engine import connect
from dbdesign.readers.catalog.postgres import read_catalog
from dbdesign.readers.spec import load as load_spec
from tests.paths import ROOT
from tests.pgload import load_sql

DOMAINS = ROOT / "tests" / "integration" / "specs" / "domains"

GUARDED = """
CREATE TABLE parent (id bigint PRIMARY KEY);
CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parent (id));
CREATE INDEX idx_child_parent ON child (parent_id);
CREATE FUNCTION child_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF to_regclass('idx_child_parent') IS NULL THEN
    RAISE EXCEPTION 'idx_child_parent is missing during the load';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER trg_child_guard BEFORE INSERT ON child FOR EACH ROW EXECUTE FUNCTION child_guard();
"""


def test_a_table_with_an_insert_trigger_keeps_its_indexes(pg_scratch: str) -> None:
    load_sql(pg_scratch, GUARDED)
    schema = read_catalog(pg_scratch)
    report = datagen.load(pg_scratch, schema, {"parent": 50, "child": 2000}, analyze=False)
    assert report.total_rows == 2050
    with connect(pg_scratch) as conn:
        assert conn.execute("SELECT count(*) FROM child").fetchone() == (2000,)
        # the parent (no trigger) was still taken apart and rebuilt: its key is back
        assert conn.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'parent'::regclass"
            " AND contype = 'p'"
        ).fetchone() == (1,)


def _loaded(url: str, spec: Path) -> None:
    d = design(load_spec(spec), "postgres")
    load_sql(url, schema_sql(d.schema))
    load_rows(url, d, proof_rows(d), seed=3)


def test_two_no_overlap_rules_over_one_range_both_hold(pg_scratch: str) -> None:
    _loaded(pg_scratch, DOMAINS / "clinic.yaml")
    with connect(pg_scratch) as conn:
        n = conn.execute("SELECT count(*) FROM appointments").fetchone()
        assert n is not None and n[0] > 1000
        for key in ("practitioner_id", "room_id"):
            row = conn.execute(
                f"SELECT count(*) FROM appointments a JOIN appointments b ON a.{key} = b.{key}"
                " AND a.id < b.id AND tstzrange(a.starts_at, a.ends_at)"
                " && tstzrange(b.starts_at, b.ends_at)"
                " WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'"
            ).fetchone()
            assert row == (0,), key


def test_a_bound_on_every_child_moves_the_extra_rows(pg_scratch: str) -> None:
    _loaded(pg_scratch, DOMAINS / "ticketing.yaml")
    with connect(pg_scratch) as conn:
        row = conn.execute(
            "SELECT max(n), count(*) FROM (SELECT count(*) AS n FROM tickets"
            " GROUP BY purchase_id) t"
        ).fetchone()
    assert row is not None and row[0] <= 10 and row[1] > 100
