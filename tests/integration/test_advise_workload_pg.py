"""The workload of ``dbdesign advise`` read from what PostgreSQL 15 really wrote and measured.

- **The server's own log**: the test's sessions turn on ``log_min_duration_statement = 0`` (or
  ``log_statement = 'all'``) for themselves only (SET, as the superuser; the server's
  configuration is not touched), run queries in a scratch database, and the part of the
  server's log file written meanwhile is read back with ``pg_read_file`` (the server's stderr
  log: ``pg_current_logfile()`` with the logging collector, else the Debian cluster's log file
  named after ``cluster_name``) and handed to :func:`read_workload`.
- **pg_stat_statements** (preloaded on the PostgreSQL 15 server by the test set-up): created in
  a scratch database, a workload run there, read back.
- **The missing extension**: not created (PostgreSQL 15) and not even available (the embedded
  PostgreSQL 16): the error says which and how to enable it, with the URL's password hidden.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from psycopg.conninfo import conninfo_to_dict

from dbdesign.advise.workload import QueryWorkload, WorkloadQuery, read_workload
from dbdesign.engine import connect, scratch_database
from dbdesign.errors import UnsupportedError
from tests.conftest import server_url
from tests.pgload import load_sql

DDL = """
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL);
INSERT INTO orders SELECT g, g % 50, CASE WHEN g % 3 = 0 THEN 'open' ELSE 'paid' END
  FROM generate_series(1, 1000) g;
"""


@pytest.fixture
def pg15_db() -> Iterator[str]:
    """A scratch database on the PostgreSQL 15 server with 1,000 orders (50 customers)."""
    with scratch_database(server_url("pg15")) as url:
        load_sql(url, DDL)
        yield url


class ServerLog:
    """The server's stderr log file from the moment this was made: what is written after."""

    def __init__(self, url: str) -> None:
        self.url = url
        with connect(url, autocommit=True) as conn:
            self.path = _log_file(conn)
            self.start = _size(conn, self.path)

    def read_until(self, marker: str, timeout_s: float = 60.0) -> str:
        """The text written since, once ``marker`` is in it (the server writes its log
        asynchronously)."""
        deadline = time.monotonic() + timeout_s
        with connect(self.url, autocommit=True) as conn:
            while True:
                length = _size(conn, self.path) - self.start
                row = conn.execute(
                    "SELECT pg_read_file(%s, %s, %s)", [self.path, self.start, length]
                ).fetchone()
                text = str(row[0]) if row else ""
                if marker in text:
                    return text
                assert time.monotonic() < deadline, (
                    f"{marker!r} not in {self.path} after {timeout_s} s"
                )
                time.sleep(0.1)


def _log_file(conn: Any) -> str:
    current = conn.execute("SELECT pg_current_logfile('stderr')").fetchone()[0]
    if current:
        if current.startswith("/"):
            return str(current)
        data = conn.execute("SHOW data_directory").fetchone()[0]
        return f"{data}/{current}"
    cluster = conn.execute("SHOW cluster_name").fetchone()[0]
    path = f"/var/log/postgresql/postgresql-{cluster.replace('/', '-')}.log"
    if cluster and conn.execute("SELECT pg_stat_file(%s, true)", [path]).fetchone()[0]:
        return path
    pytest.fail(
        "cannot find the PostgreSQL 15 server's log file: no logging collector "
        f"(pg_current_logfile() is NULL) and no {path}",
        pytrace=False,
    )


def _size(conn: Any, path: str) -> int:
    return int(conn.execute("SELECT size FROM pg_stat_file(%s)", [path]).fetchone()[0])


def _dbname(url: str) -> str:
    return str(conninfo_to_dict(url)["dbname"])


def _query(w: QueryWorkload, part: str) -> WorkloadQuery:
    found = [q for q in w.queries if part in q.sql]
    assert len(found) == 1, f"{part!r} in {[q.sql for q in w.queries]}"
    return found[0]


def test_the_server_stderr_log_with_durations(pg15_db: str, tmp_path: Path) -> None:
    marker = f"marker {uuid.uuid4().hex}"
    log = ServerLog(server_url("pg15"))
    with connect(pg15_db, autocommit=True) as conn:
        conn.execute("SET log_min_duration_statement = 0")
        for customer in range(7):  # literals in the text: one query, seven calls
            conn.execute(f"SELECT * FROM orders WHERE customer_id = {customer} AND status = 'open'")
        for order in range(1, 6):  # parameters: the extended protocol, parse/bind/execute
            conn.execute("SELECT count(*) FROM orders WHERE id = %s", [order])
        conn.execute("SELECT id\n  FROM orders\n WHERE status = 'paid'\n ORDER BY id LIMIT 3")
        conn.execute("CREATE INDEX orders_status ON orders (status)")
        with conn.transaction():  # N+1: one query per order in one transaction
            for order in range(1, 13):
                conn.execute("SELECT status FROM orders WHERE id = %s", [order])
        conn.execute(f"SELECT '{marker}'")
    with connect(server_url("pg15"), autocommit=True) as other:  # another database
        other.execute("SET log_min_duration_statement = 0")
        other.execute("SELECT * FROM pg_stat_activity WHERE datname = 'elsewhere' LIMIT 1")
        other.execute("SELECT count(*) FROM generate_series(1, 10)")
    path = tmp_path / "postgresql.log"
    path.write_text(log.read_until(marker))
    w = read_workload(str(path), db=pg15_db)

    open_orders = _query(w, "customer_id")
    assert open_orders.calls == 7 and open_orders.kind == "select"
    assert open_orders.sql == "SELECT * FROM orders WHERE customer_id = $1 AND status = 'open'"
    assert open_orders.total_ms is not None and open_orders.total_ms > 0
    assert open_orders.samples[:2] == (
        "SELECT * FROM orders WHERE customer_id = 0 AND status = 'open'",
        "SELECT * FROM orders WHERE customer_id = 1 AND status = 'open'",
    )
    counted = _query(w, "count(*)")
    assert counted.calls == 5 and counted.parameters == 1
    assert counted.samples[0] == "SELECT count(*) FROM orders WHERE id = '1'"
    assert _query(w, "LIMIT 3").sql == (
        "SELECT id\n  FROM orders\n WHERE status = 'paid'\n ORDER BY id LIMIT 3"
    )
    status = _query(w, "SELECT status")
    runs = [r for r in w.runs if r.fingerprint == status.fingerprint]
    assert len(runs) == 12 == status.calls and len({r.session for r in runs}) == 1
    assert [r.at_ms for r in runs] == sorted(r.at_ms for r in runs)
    assert any("CREATE INDEX is not a query" in n for n in w.notes)
    assert not any("generate_series" in q.sql for q in w.queries)
    assert any("runs of other databases" in n for n in w.notes)


def test_the_server_stderr_log_of_log_statement_all(pg15_db: str, tmp_path: Path) -> None:
    marker = f"marker {uuid.uuid4().hex}"
    log = ServerLog(server_url("pg15"))
    with connect(pg15_db, autocommit=True) as conn:
        conn.execute("SET log_statement = 'all'")
        for customer in (3, 4, 5):
            conn.execute(
                "DELETE FROM orders WHERE customer_id = %s AND status = 'paid'", [customer]
            )
        conn.execute(f"SELECT '{marker}'")
    path = tmp_path / "postgresql.log"
    path.write_text(log.read_until(marker))
    w = read_workload(str(path), db=pg15_db)
    deleted = _query(w, "DELETE")
    assert (deleted.kind, deleted.calls, deleted.total_ms) == ("delete", 3, None), w
    assert any("no durations" in n for n in w.notes), w.notes


def test_pg_stat_statements_of_a_workload_the_test_ran(pg15_db: str) -> None:
    with connect(pg15_db, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        for customer in range(7):
            conn.execute(f"SELECT * FROM orders WHERE customer_id = {customer}")
        for order in (1, 2, 3):
            conn.execute("UPDATE orders SET status = 'paid' WHERE id = %s", [order])
    w = read_workload("pg_stat_statements", db=pg15_db)
    by_customer = _query(w, "customer_id")
    assert by_customer.calls == 7 and by_customer.kind == "select"
    assert by_customer.sql == "SELECT * FROM orders WHERE customer_id = $1"
    assert by_customer.rows == 20.0  # each customer has 1000 / 50 orders
    assert by_customer.total_ms is not None and by_customer.total_ms > 0
    assert by_customer.origin is not None
    assert str(by_customer.origin).startswith("pg_stat_statements queryid=")
    updated = _query(w, "UPDATE")
    assert updated.calls == 3 and updated.rows == 1.0
    # the set-up's INSERT counts (it ran in this database); its CREATEs are not queries
    assert {q.kind for q in w.queries} == {"select", "insert", "update"}
    assert not any("CREATE" in q.sql or "pg_extension" in q.sql for q in w.queries)
    again = read_workload("pg_stat_statements", db=pg15_db)  # the first read is not workload
    assert {q.fingerprint for q in again.queries} == {q.fingerprint for q in w.queries}
    assert "pg_stat_statements of postgresql://" in w.source


def _with_password(url: str, password: str) -> str:
    """The URL of the same database with a password in it (the test server trusts local
    connections, so the password is not checked: the connection still works)."""
    info = conninfo_to_dict(url)
    return (
        f"postgresql://{info.get('user', 'postgres')}:{password}@{info['host']}:"
        f"{info.get('port', 5432)}/{info['dbname']}"
    )


def test_the_extension_not_created_says_how_and_hides_the_password(pg15_db: str) -> None:
    secret = "Sup3rSecretPw"
    with pytest.raises(UnsupportedError) as e:
        read_workload("pg_stat_statements", db=_with_password(pg15_db, secret))
    message = str(e.value)
    assert f"CREATE EXTENSION pg_stat_statements; in database {_dbname(pg15_db)}" in message
    assert "ALTER SYSTEM" not in message  # the server does load it
    assert secret not in message and ":***@" in message


def test_the_extension_not_loaded_says_how_to_enable_it() -> None:
    """The embedded PostgreSQL 16 has neither the library loaded nor the extension."""
    with scratch_database(server_url("embedded")) as url, pytest.raises(UnsupportedError) as e:
        read_workload("pg_stat_statements", db=url)
    message = str(e.value)
    # pgserver ships no contrib modules: preloading first would stop the server from starting
    assert "install PostgreSQL 16's contrib modules on the server" in message
    assert message.index("contrib modules") < message.index("ALTER SYSTEM")
    assert "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements';" in message
    assert "restart the server" in message
    assert f"CREATE EXTENSION pg_stat_statements; in database {_dbname(url)}" in message
