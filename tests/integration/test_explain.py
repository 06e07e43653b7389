"""EXPLAIN as a value, on the embedded PostgreSQL 16 and the machine's PostgreSQL 15: plans of
generated data after ANALYZE, data-changing statements rolled back, latency, the command."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from dbdesign import datagen
from dbdesign.advise import explain, latency
from dbdesign.engine import connect
from dbdesign.errors import DbdesignError
from dbdesign.readers.catalog.postgres import read_catalog
from tests.pgload import load_sql

DDL = """
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id integer NOT NULL CHECK (customer_id BETWEEN 1 AND 2000),
  email text NOT NULL UNIQUE,
  status text NOT NULL CHECK (status IN ('new', 'paid', 'shipped')),
  amount numeric(10,2) NOT NULL CHECK (amount > 0),
  created_at timestamptz NOT NULL
);
CREATE INDEX orders_customer_created ON orders (customer_id, created_at);
"""
ROWS = 40_000


@pytest.fixture
def orders(pg_scratch: str) -> Iterator[str]:
    """A scratch database with ROWS generated orders, analyzed."""
    load_sql(pg_scratch, DDL)
    datagen.load(pg_scratch, read_catalog(pg_scratch), {"orders": ROWS}, seed=11)
    yield pg_scratch


def count(url: str) -> tuple[int, float]:
    with connect(url) as conn:
        n, s = conn.execute("SELECT count(*), sum(amount) FROM orders").fetchone()  # type: ignore[misc]
        return n, float(s)


def test_plans_use_the_indexes_after_analyze(orders: str) -> None:
    with connect(orders) as conn:
        email, cid = conn.execute("SELECT email, customer_id FROM orders WHERE id = 777").fetchone()  # type: ignore[misc]
        p = explain(conn, "SELECT * FROM orders WHERE email = %s", [email])
        assert p.analyzed and p.uses_index("orders_email_key")
        assert p.uses_index("public.orders_email_key") and not p.uses_index(
            "other.orders_email_key"
        )
        assert p.indexes_used() == ("public.orders_email_key",)
        assert p.seq_scans() == ()
        assert p.root.actual_rows == 1
        assert p.total_ms is not None and p.total_ms > 0
        assert p.planning_ms is not None and p.planning_ms > 0
        assert p.text().startswith("Index Scan using orders_email_key on public.orders")
        assert "Index Cond: (orders.email = " in p.text()
        assert "Execution Time:" in p.text()

        p = explain(
            conn,
            "SELECT id, created_at FROM orders WHERE customer_id = %s "
            "ORDER BY created_at DESC LIMIT 10",
            [cid],
        )
        assert p.uses_index("orders_customer_created"), p.text()
        assert p.root.node_type == "Limit"

        p = explain(conn, "SELECT count(*) FROM orders WHERE amount > 10")
        assert "public.orders" in p.seq_scans() and p.indexes_used() == ()

        # the same plan as JSON: a summary plus the node tree
        data = json.loads(json.dumps(p.as_json()))
        assert data["seq_scans"] == ["public.orders"]
        assert data["plan"]["node_type"] == "Aggregate"

        # a bitmap scan names its index too
        conn.execute("SET enable_indexscan = off")
        p = explain(conn, "SELECT * FROM orders WHERE customer_id = %s", [cid])
        labels = [n.label for n in p.nodes()]
        assert "Bitmap Heap Scan on public.orders" in labels
        assert "Bitmap Index Scan on orders_customer_created" in labels
        assert p.indexes_used() == ("public.orders_customer_created",)


@pytest.mark.parametrize("autocommit", [True, False])
def test_analyze_of_changes_is_rolled_back(orders: str, autocommit: bool) -> None:
    before = count(orders)
    with connect(orders, autocommit=autocommit) as conn:
        p = explain(conn, "DELETE FROM orders WHERE id <= 100")
        assert p.root.label == "Delete on public.orders"
        assert p.root.children[0].actual_rows == 100  # it really ran
        p = explain(conn, "UPDATE orders SET amount = amount + 1")
        assert p.root.label == "Update on public.orders"
        p = explain(
            conn,
            "INSERT INTO orders (customer_id, email, status, amount, created_at) "
            "SELECT customer_id, email || 'x', status, amount, created_at FROM orders",
        )
        assert p.root.label == "Insert on public.orders"
        assert count(orders) == before
        if not autocommit:
            # inside an open transaction only the explained statement is undone (a savepoint)
            conn.execute("DELETE FROM orders WHERE id = 1")
            explain(conn, "DELETE FROM orders WHERE id = 2")
            assert conn.execute("SELECT count(*) FROM orders WHERE id <= 2").fetchone() == (1,)
            conn.rollback()
    assert count(orders) == before


def test_without_analyze_nothing_runs(orders: str) -> None:
    p = explain(orders, "DELETE FROM orders", analyze=False)  # a URL works too
    assert not p.analyzed and p.total_ms is None
    assert all(n.actual_rows is None for n in p.nodes())
    assert "actual time" not in p.text()
    assert p.estimated_cost > 0
    assert count(orders)[0] == ROWS


def test_latency(orders: str) -> None:
    before = count(orders)
    lat = latency(orders, "SELECT * FROM orders WHERE id = %s", [42], runs=15)
    assert lat.runs == 15 and len(lat.samples) == 15
    assert 0 < lat.p50_ms <= lat.p95_ms <= lat.max_ms
    lat = latency(orders, "DELETE FROM orders WHERE customer_id < 100", runs=3)
    assert lat.max_ms > 0
    assert count(orders) == before


def test_errors_are_one_line_and_leave_the_connection_usable(orders: str) -> None:
    with connect(orders) as conn:
        with pytest.raises(DbdesignError, match='relation "nope" does not exist'):
            explain(conn, "SELECT * FROM nope")
        with pytest.raises(DbdesignError, match="refusing CREATE TABLE"):
            explain(conn, "CREATE TABLE x (a int)")  # refused before it reaches the server
        with pytest.raises(DbdesignError, match="cannot explain"):
            explain(conn, "SELECT 1/0")
        assert conn.execute("SELECT 1").fetchone() == (1,)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args], capture_output=True, text=True, timeout=120
    )


def test_cli(orders: str) -> None:
    r = run("explain", "SELECT * FROM orders WHERE id = %s", "--param", "5", "--db", orders)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Index Scan using orders_pkey on public.orders")
    assert "indexes used: public.orders_pkey" in r.stdout
    assert "sequential scans: none" in r.stdout

    r = run("explain", "DELETE FROM orders", "--db", orders, "--format", "json", "--runs", "3")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["analyzed"] and data["seq_scans"] == ["public.orders"]
    assert data["latency"]["runs"] == 3
    assert count(orders)[0] == ROWS

    r = run("explain", "SELECT * FROM orders", "--db", orders, "--no-analyze")
    assert r.returncode == 0 and "actual time" not in r.stdout

    r = run("explain", "SELEC 1", "--db", orders)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "syntax error" in r.stderr
    r = run("explain", "SELECT 1", "--db", "sqlite:///x.db")
    assert r.returncode == 2 and "PostgreSQL" in r.stderr
