"""The diff's safe ATTACH PARTITION on real servers (the embedded PostgreSQL 16 and
$DBDESIGN_TEST_PG_URL), with rows in the tables (issue 16, "dbdesign obeys its own rules"):

- a table in use becomes a partition (one-column RANGE from MINVALUE, two-column RANGE, LIST
  with NULL) through a CHECK ... NOT VALID, VALIDATE, ATTACH, DROP CONSTRAINT: the plan is run
  transaction by transaction as it is framed, the catalog then equals the target, every row
  is kept and seen through the parent, the temporary check is gone, and the ATTACH did not scan
  (the server says the partition constraint "is implied by existing constraints");
- a partition whose bound changes is proven before it is detached: at every transaction
  boundary of the plan its rows are still in the partitioned table;
- a row outside the bound fails the VALIDATE: nothing is attached and no row moves;
- the lock levels the ATTACH's hazard names are the ones the server takes (pg_locks);
- ``safe=False`` keeps the single ATTACH, and the plan back (``reverse``) detaches again.
"""

from __future__ import annotations

import psycopg
import pytest

from dbdesign.diff import Plan, diff_schemas
from dbdesign.engine import connect
from dbdesign.readers.catalog.postgres import read_catalog
from dbdesign.readers.ddl.postgres import read_ddl
from tests.diffcheck import show_differences
from tests.pgload import load_sql

IMPLIED = "is implied by existing constraints"

ATTACH_A = """
CREATE TABLE ev (id int, at date, payload text) PARTITION BY RANGE (at);
CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE ev_old (id int, at date, payload text);
CREATE TABLE grid (a int, b int, note text) PARTITION BY RANGE (a, b);
CREATE TABLE grid_1 (a int, b int, note text);
CREATE TABLE cust (id int, region text) PARTITION BY LIST (region);
CREATE TABLE cust_misc (id int, region text);
"""
ATTACH_B = """
CREATE TABLE ev (id int, at date, payload text) PARTITION BY RANGE (at);
CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE ev_old PARTITION OF ev FOR VALUES FROM (MINVALUE) TO ('2024-01-01');
CREATE TABLE grid (a int, b int, note text) PARTITION BY RANGE (a, b);
CREATE TABLE grid_1 PARTITION OF grid FOR VALUES FROM (1, 10) TO (2, 20);
CREATE TABLE cust (id int, region text) PARTITION BY LIST (region);
CREATE TABLE cust_misc PARTITION OF cust FOR VALUES IN (NULL, 'xx');
"""
ROWS = """
INSERT INTO ev_2024 VALUES (1, '2024-03-01', 'a');
INSERT INTO ev_old SELECT g, DATE '2023-12-31' - g, 'old' FROM generate_series(1, 500) g;
INSERT INTO grid_1 VALUES (1, 10, 'lo'), (1, 99, 'mid'), (2, -5, 'mid'), (2, 19, 'hi');
INSERT INTO cust_misc VALUES (1, NULL), (2, 'xx'), (3, 'xx');
"""
COUNTS = {"ev": 501, "ev_old": 500, "grid": 4, "cust": 3}


def _count(url: str, table: str) -> int:
    with connect(url, autocommit=True) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}".encode()).fetchone()
    assert row is not None
    return int(row[0])


def _run(url: str, plan: Plan, between: list[str] | None = None) -> list[str]:
    """Run the plan one framed unit at a time (DEBUG1 notices kept); after each unit, the row
    count of each table of ``between``."""
    notices: list[str] = []
    seen: list[str] = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        conn.execute(b"SET client_min_messages = debug1")
        for unit in plan.transactions():
            if unit.in_transaction:
                with conn.transaction():
                    for st in unit.statements:
                        conn.execute(st.sql.encode())
            else:
                for st in unit.statements:
                    conn.execute(st.sql.encode())
            seen += [f"{t}={_count(url, t)}" for t in between or ()]
    return notices + seen


def _bound_checks(url: str) -> list[str]:
    with connect(url, autocommit=True) as conn:
        rows = conn.execute(b"SELECT conname FROM pg_constraint WHERE conname LIKE '%bound%'")
        return [r[0] for r in rows.fetchall()]


def test_attach_with_rows_converges_without_a_scan(pg_scratch: str) -> None:
    load_sql(pg_scratch, ATTACH_A + ROWS)
    want = read_ddl(ATTACH_B)
    plan = diff_schemas(read_catalog(pg_scratch), want)
    sql = [s.sql for s in plan.statements()]
    assert sum("ATTACH PARTITION" in s for s in sql) == 3
    assert sum("VALIDATE CONSTRAINT" in s for s in sql) == 3
    notices = _run(pg_scratch, plan)
    after = read_catalog(pg_scratch)
    assert after == want, show_differences(after, want)
    assert diff_schemas(after, want).is_empty
    assert {t: _count(pg_scratch, t) for t in COUNTS} == COUNTS
    assert _bound_checks(pg_scratch) == []
    for part in ("ev_old", "grid_1", "cust_misc"):
        assert any(f'"{part}" {IMPLIED}' in n for n in notices), (part, notices)


BOUND_A = """
CREATE TABLE m (id int, d date) PARTITION BY RANGE (d);
CREATE TABLE m_h1 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO m SELECT g, DATE '2024-01-01' + (g % 150) FROM generate_series(1, 300) g;
"""
BOUND_B = """
CREATE TABLE m (id int, d date) PARTITION BY RANGE (d);
CREATE TABLE m_h1 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
"""


def test_a_bound_change_keeps_the_rows_in_the_parent_at_every_boundary(pg_scratch: str) -> None:
    load_sql(pg_scratch, BOUND_A)
    want = read_ddl(BOUND_B)
    plan = diff_schemas(read_catalog(pg_scratch), want)
    units = plan.transactions()
    assert len(units) >= 2
    # proven, then detached and attached again in the last transaction
    last = [s.sql for s in units[-1].statements]
    assert last[0].startswith("ALTER TABLE public.m_h1 VALIDATE CONSTRAINT m_h1_dbdesign_bound")
    assert any("DETACH PARTITION" in s for s in last) and any("ATTACH" in s for s in last)
    out = _run(pg_scratch, plan, between=["m"])
    assert [x for x in out if x.startswith("m=")] == ["m=300"] * len(units)
    assert any(f'"m_h1" {IMPLIED}' in n for n in out), out
    after = read_catalog(pg_scratch)
    assert after == want, show_differences(after, want)
    assert _bound_checks(pg_scratch) == []


def test_a_row_outside_the_bound_attaches_nothing(pg_scratch: str) -> None:
    load_sql(pg_scratch, ATTACH_A + ROWS + "INSERT INTO ev_old VALUES (0, '2030-01-01', 'late');")
    plan = diff_schemas(read_catalog(pg_scratch), read_ddl(ATTACH_B))
    with pytest.raises(psycopg.errors.CheckViolation, match="ev_old_dbdesign_bound"):
        _run(pg_scratch, plan)
    with connect(pg_scratch, autocommit=True) as conn:
        attached = conn.execute(
            b"SELECT c.relname FROM pg_inherits JOIN pg_class c ON c.oid = inhrelid"
        ).fetchall()
        valid = conn.execute(
            b"SELECT convalidated FROM pg_constraint WHERE conname = 'ev_old_dbdesign_bound'"
        ).fetchall()
    assert [r[0] for r in attached] == ["ev_2024"]
    assert valid == [(False,)]  # the NOT VALID check of the first transaction stays, as stated
    assert _count(pg_scratch, "ev") == 1 and _count(pg_scratch, "ev_old") == 501


def test_the_proven_attach_takes_the_locks_its_hazard_names(pg_scratch: str) -> None:
    load_sql(pg_scratch, ATTACH_A + ROWS)
    plan = diff_schemas(read_catalog(pg_scratch), read_ddl(ATTACH_B))
    st = next(s for s in plan.statements() if "ATTACH PARTITION public.ev_old" in s.sql)
    text = " ".join(h.message for h in st.hazards)
    assert "ACCESS EXCLUSIVE lock on the partition" in text
    assert "SHARE UPDATE EXCLUSIVE lock on the parent" in text
    assert "no scan" in text and {h.code for h in st.hazards} == {"access_exclusive_lock"}
    with connect(pg_scratch) as conn, connect(pg_scratch, autocommit=True) as other:
        conn.execute(
            b"ALTER TABLE ev_old ADD CONSTRAINT ev_old_dbdesign_bound "
            b"CHECK (at IS NOT NULL AND at < '2024-01-01')"
        )
        conn.commit()
        pid = conn.execute(b"SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        conn.execute(st.sql.encode())
        got = other.execute(
            "SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid = %s AND c.relname IN ('ev', 'ev_old')",
            (pid,),
        ).fetchall()
        conn.rollback()
    modes: dict[str, set[str]] = {}
    for rel, mode in got:
        modes.setdefault(rel, set()).add(mode)
    assert "AccessExclusiveLock" in modes["ev_old"], modes
    assert modes["ev"] == {"ShareUpdateExclusiveLock"}, modes


def test_no_safe_and_the_plan_back(pg_scratch: str) -> None:
    load_sql(pg_scratch, ATTACH_A + ROWS)
    source = read_catalog(pg_scratch)
    plain = diff_schemas(source, read_ddl(ATTACH_B), safe=False)
    sql = [s.sql for s in plain.statements()]
    assert not any("dbdesign_bound" in s for s in sql)
    assert sum("ATTACH PARTITION" in s for s in sql) == 3
    safe = diff_schemas(source, read_ddl(ATTACH_B))
    _run(pg_scratch, safe)
    back = safe.reverse()
    assert [o.kind for o in back.operations] == ["detach_partition"] * 3
    _run(pg_scratch, back)
    after = read_catalog(pg_scratch)
    assert after == source, show_differences(after, source)
    assert {t: _count(pg_scratch, t) for t in ("ev_old", "grid_1", "cust_misc")} == {
        "ev_old": 500,
        "grid_1": 4,
        "cust_misc": 3,
    }
