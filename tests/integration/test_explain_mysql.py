"""``dbdesign explain`` on MariaDB ($DBDESIGN_TEST_MYSQL_URL; a missing variable fails, as
every MySQL test here): plans of deliberately bad queries on tables with real rows, each named
by the plan rule that should name it; the fixes applied as printed; MariaDB's ANALYZE of
data-changing statements rolled back (the data as it was, checksummed); what is refused (DDL,
two statements, writes a rollback cannot undo) with exit code 2; text and JSON output;
timeouts."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from dbdesign import api
from dbdesign.advise.explain_mysql import explain
from dbdesign.engine import connect_mysql, mysql_scratch_database
from dbdesign.errors import DbdesignError, UnsupportedError
from tests.mysqlload import load_mysql, mysql_server_url

SCHEMA = """
CREATE TABLE customers (id int PRIMARY KEY, name varchar(50) NOT NULL, region int NOT NULL)
  ENGINE=InnoDB;
CREATE TABLE orders (
  id int PRIMARY KEY,
  customer_id int NOT NULL,
  status varchar(10) NOT NULL,
  amount int NOT NULL,
  KEY orders_customer (customer_id),
  CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
    ON DELETE CASCADE
) ENGINE=InnoDB;
CREATE TABLE order_log (id int AUTO_INCREMENT PRIMARY KEY, order_id int, note varchar(20))
  ENGINE=InnoDB;
CREATE TRIGGER orders_logged AFTER UPDATE ON orders FOR EACH ROW
  INSERT INTO order_log (order_id, note) VALUES (NEW.id, 'updated');
CREATE TABLE notes (id int PRIMARY KEY, body varchar(50)) ENGINE=MyISAM;
CREATE TABLE region_audit (region int, at datetime) ENGINE=MyISAM;
CREATE TABLE regions (id int PRIMARY KEY, name varchar(20)) ENGINE=InnoDB;
CREATE TRIGGER regions_audited AFTER UPDATE ON regions FOR EACH ROW
  INSERT INTO region_audit VALUES (NEW.id, now());
CREATE VIEW notes_view AS SELECT id, body FROM notes;
DELIMITER //
CREATE FUNCTION noted(i int) RETURNS int MODIFIES SQL DATA
BEGIN
  INSERT INTO notes VALUES (i + 5000, 'noted');
  RETURN i;
END//
DELIMITER ;
INSERT INTO customers SELECT seq, concat('customer ', seq), seq % 10 FROM seq_1_to_2000;
INSERT INTO orders SELECT seq, seq % 2000 + 1, IF(seq % 1000 = 1, 'open', 'done'), seq % 997
  FROM seq_1_to_50000;
INSERT INTO notes SELECT seq, concat('note ', seq) FROM seq_1_to_100;
INSERT INTO regions SELECT seq, concat('region ', seq) FROM seq_0_to_9;
ANALYZE TABLE customers, orders, notes, regions;
"""
TABLES = ("customers", "orders", "order_log", "notes", "region_audit", "regions")


@pytest.fixture(scope="module")
def shop() -> Iterator[str]:
    """A scratch database on the MariaDB with the tables above and their 52,000 rows."""
    with mysql_scratch_database(mysql_server_url()) as url:
        load_mysql(url, SCHEMA)
        yield url


@pytest.fixture
def own_shop() -> Iterator[str]:
    """The same, for a test that changes it (creates the indexes a fix names)."""
    with mysql_scratch_database(mysql_server_url()) as url:
        load_mysql(url, SCHEMA)
        yield url


def state(url: str) -> dict[str, Any]:
    """Each table's row count and checksum (CHECKSUM TABLE reads every row)."""
    conn = connect_mysql(url, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("CHECKSUM TABLE " + ", ".join(TABLES))
            sums = {name.rsplit(".", 1)[-1]: value for name, value in cur.fetchall()}
            out: dict[str, Any] = {}
            for t in TABLES:
                cur.execute(f"SELECT count(*) FROM {t}")
                out[t] = (cur.fetchone()[0], sums[t])
            return out
    finally:
        conn.close()


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args], capture_output=True, text=True, timeout=timeout
    )


def found(url: str, sql: str, *more: str) -> dict[str, Any]:
    """``dbdesign explain SQL --format json``'s output (exit 0: every plan rule warns)."""
    r = run("explain", sql, "--db", url, "--format", "json", *more)
    assert r.returncode == 0, r.stderr
    data: dict[str, Any] = json.loads(r.stdout)
    return data


def codes(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["code"], f["object"]) for f in data["findings"]]


# --------------------------------------------------------------------------- bad queries


def test_a_full_scan_under_a_selective_filter(shop: str) -> None:
    data = found(shop, "SELECT * FROM orders WHERE status = 'open'")
    assert data["dialect"] == "mysql" and data["analyzed"]
    assert data["seq_scans"] == ["orders"] and data["indexes_used"] == []
    assert codes(data) == [
        ("PLN001", "#1 Full Table Scan on orders"),  # every row expected: no statistics
        ("PLN003", "#1 Full Table Scan on orders"),
    ]
    scan = data["findings"][1]
    assert scan["message"] == (
        "read 50,000 rows of orders to keep 50 (0.1%) with orders.`status` = 'open'"
    )
    assert scan["fix_hint"] == "CREATE INDEX orders_status_idx ON orders (status);"
    assert scan["node"] == 1 and scan["path"] == ["Full Table Scan on orders"]
    plan = data["plan"]
    assert plan["node_type"] == "Full Table Scan" and plan["actual_rows"] == 50
    assert plan["rows_removed_by_filter"] == 49950
    assert 40000 < plan["plan_rows"] < 60000  # InnoDB's estimate of the table's rows


def test_a_filesort_of_many_rows(shop: str) -> None:
    data = found(shop, "SELECT id, amount FROM orders ORDER BY amount DESC LIMIT 10")
    assert codes(data) == [("PLN011", "#2 Filesort")]
    (f,) = data["findings"]
    assert f["message"] == "sorted 50,000 rows by orders.amount desc to return the first 10"
    assert f["fix_hint"] == "CREATE INDEX orders_amount_idx ON orders (amount);"
    assert f["path"] == ["Limit", "Filesort"]


def test_a_misestimate(shop: str) -> None:
    # 2,000 customers, one in ten in region 3; MariaDB has no statistics of region
    data = found(shop, "SELECT * FROM customers WHERE region = 3")
    assert codes(data) == [("PLN001", "#1 Full Table Scan on customers")]
    (f,) = data["findings"]
    assert f["message"] == "estimated 2,000 rows, got 200: 10x over-estimate"
    assert "ANALYZE TABLE customers PERSISTENT FOR COLUMNS (region) INDEXES ()" in f["fix_hint"]


def test_an_index_lookup_whose_filter_throws_most_rows_away(shop: str) -> None:
    data = found(
        shop,
        "SELECT o.* FROM customers c JOIN orders o ON o.customer_id = c.id "
        "WHERE c.region = 3 AND o.amount > 950",
    )
    assert ("PLN002", "#3 Index Lookup using orders_customer on orders o") in codes(data)
    f = next(f for f in data["findings"] if f["code"] == "PLN002")
    assert f["message"].startswith("read 5,000 rows and removed 4,7")
    assert (
        f["fix_hint"]
        == "CREATE INDEX orders_customer_id_amount_idx ON orders (customer_id, amount);"
    )
    assert f["path"] == [
        "Nested Loop",
        "Index Lookup using orders_customer on orders o",
    ]


def test_healthy_queries_have_no_findings(shop: str) -> None:
    assert found(shop, "SELECT * FROM orders WHERE id = 42")["findings"] == []
    assert found(shop, "SELECT * FROM orders WHERE customer_id = 7 ORDER BY id")["findings"] == []


def test_the_fixes_as_printed_remove_the_findings(own_shop: str) -> None:
    sql = "SELECT * FROM orders WHERE status = 'open'"
    before = {f["code"]: f["fix_hint"] for f in found(own_shop, sql)["findings"]}
    assert set(before) == {"PLN001", "PLN003"}
    conn = connect_mysql(own_shop, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute(before["PLN003"])
            cur.execute("ANALYZE TABLE orders PERSISTENT FOR COLUMNS (status) INDEXES ()")
            cur.fetchall()
    finally:
        conn.close()
    after = found(own_shop, sql)
    assert after["findings"] == [] and after["indexes_used"] == ["orders.orders_status_idx"]

    sort = "SELECT id, amount FROM orders ORDER BY amount DESC LIMIT 10"
    (f,) = found(own_shop, sort)["findings"]
    conn = connect_mysql(own_shop, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute(f["fix_hint"])
    finally:
        conn.close()
    after = found(own_shop, sort)
    assert after["findings"] == [] and "orders.orders_amount_idx" in after["indexes_used"]


def test_an_existing_index_is_named_not_suggested_again(own_shop: str) -> None:
    conn = connect_mysql(own_shop, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE INDEX orders_status_amount ON orders (status, amount)")
    finally:
        conn.close()
    # IGNORE INDEX: the plan reads the table although an index serves the filter
    data = found(own_shop, "SELECT * FROM orders IGNORE INDEX (orders_status_amount) "
                 "WHERE status = 'open'")  # fmt: skip
    fix = next(f["fix_hint"] for f in data["findings"] if f["code"] == "PLN003")
    assert fix.startswith("Index orders_status_amount starts with status, but the planner read")
    assert "ANALYZE TABLE orders" in fix


# --------------------------------------------------------------------------- rolled back


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE orders SET amount = amount + 1 WHERE status = 'open'",  # a trigger logs each
        "UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.amount = 0 "
        "WHERE c.region = 9",
        "DELETE FROM orders WHERE customer_id < 100",
        "DELETE FROM customers WHERE region = 1",  # cascades to 5,000 orders
        "DELETE o FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.region = 2",
        "INSERT INTO orders SELECT id + 100000, customer_id, status, amount FROM orders",
    ],
)
def test_analyze_of_a_write_leaves_the_data_as_it_was(shop: str, sql: str) -> None:
    before = state(shop)
    plan = api.explain(sql, shop)
    assert plan.analyzed and plan.root.node_type == "ModifyTable"
    scans = [n for n in plan.nodes() if n.relation is not None and n.actual_rows is not None]
    assert scans and any(n.actual_rows for n in scans), plan.text()  # it really ran
    assert state(shop) == before
    # and timed, three runs, each rolled back
    r = run("explain", sql, "--db", shop, "--runs", "3", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["latency"]["runs"] == 3
    assert state(shop) == before


def test_a_write_to_a_table_without_transactions_is_refused(shop: str) -> None:
    before = state(shop)
    for sql, table in [
        ("UPDATE notes SET body = 'x'", "notes"),
        ("INSERT INTO notes SELECT id + 1000, status FROM orders WHERE id < 10", "notes"),
        ("UPDATE regions SET name = 'north' WHERE id = 1", "region_audit"),  # its trigger
        ("UPDATE notes_view SET body = 'x' WHERE id = 3", "notes"),  # the view's table
        ("UPDATE orders SET amount = noted(amount) WHERE id = 1", "notes"),  # the function's
    ]:
        r = run("explain", sql, "--db", shop)
        assert r.returncode == 2, r.stdout
        (line,) = r.stderr.strip().splitlines()
        assert (
            "refusing ANALYZE of a data-changing" in line and f"can write {table} (MyISAM)" in line
        ), line
        assert "--no-analyze" in line
        # planned only, nothing runs
        r = run("explain", sql, "--db", shop, "--no-analyze")
        assert r.returncode == 0, r.stderr
        assert "actual" not in r.stdout
    r = run("explain", "UPDATE notes SET body = 'x'", "--db", shop, "--runs", "2")
    assert r.returncode == 2 and "MyISAM" in r.stderr
    assert state(shop) == before
    # reading them is fine; a read that would write is stopped by READ ONLY
    r = run("explain", "SELECT * FROM notes WHERE body = 'note 5'", "--db", shop)
    assert r.returncode == 0, r.stderr
    r = run("explain", "SELECT noted(id) FROM orders WHERE id = 1", "--db", shop)
    assert r.returncode == 2 and "READ ONLY transaction" in r.stderr, r.stderr
    assert state(shop) == before


def test_a_statement_runs_read_only_and_limited(shop: str) -> None:
    r = run("explain", "SELECT SLEEP(5)", "--db", shop, "--timeout", "1")
    assert r.returncode == 2 and "max_statement_time exceeded" in r.stderr
    # a row lock held elsewhere: the UPDATE waits at most --timeout
    holder = connect_mysql(shop)
    try:
        with holder.cursor() as cur:
            cur.execute("SELECT * FROM orders WHERE id = 5 FOR UPDATE")
            # waiting the server's own 50 s lock timeout instead of --timeout's 1 s would
            # overrun run()'s 30 s and fail the test
            r = run("explain", "UPDATE orders SET amount = 1 WHERE id = 5", "--db", shop,
                    "--timeout", "1", timeout=30)  # fmt: skip
    finally:
        holder.rollback()
        holder.close()
    # the lock wait or the statement time ends it, whichever the server notices first
    assert r.returncode == 2, r.stdout
    assert "Lock wait timeout" in r.stderr or "max_statement_time exceeded" in r.stderr, r.stderr
    # a connection with a transaction of its own is not used (START TRANSACTION commits it)
    conn = connect_mysql(shop)
    try:
        with conn.cursor() as cur:
            cur.execute("START TRANSACTION")
            cur.execute("SELECT 1")
            with pytest.raises(DbdesignError, match="has a transaction open"):
                explain(conn, "SELECT 1")
    finally:
        conn.rollback()
        conn.close()


# --------------------------------------------------------------------------- refused


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("CREATE TABLE x (a int)", "refusing CREATE TABLE"),
        ("DROP TABLE orders", "refusing DROP TABLE"),
        ("TRUNCATE orders", "refusing TRUNCATE"),
        ("SELECT 1; SELECT 2", "expected exactly one statement, got 2"),
        ("SELECT 1; DROP TABLE orders", "expected exactly one statement, got 2"),
        ("SELECT 1 /*!50000 ; DROP TABLE orders */", "expected exactly one statement, got 2"),
        ("SELECT * FROM orders INTO OUTFILE '/tmp/orders.txt'", "INTO OUTFILE"),
        ("SELECT GET_LOCK('x', 10)", "get_lock()"),
    ],
)
def test_refused_with_exit_code_2(shop: str, sql: str, message: str) -> None:
    before = state(shop)
    r = run("explain", sql, "--db", shop)
    assert r.returncode == 2, r.stdout
    (line,) = r.stderr.strip().splitlines()
    assert message in line and "Traceback" not in r.stderr
    assert state(shop) == before


def test_a_statement_that_does_not_parse_and_an_unknown_table(shop: str) -> None:
    r = run("explain", "SELECT * FROM orders WHERE", "--db", shop)
    assert r.returncode == 2 and "cannot parse the statement as MySQL" in r.stderr
    r = run("explain", "SELECT * FROM no_such_table", "--db", shop)
    assert r.returncode == 2 and "doesn't exist" in r.stderr
    with pytest.raises(UnsupportedError, match="PostgreSQL or MySQL / MariaDB"):
        api.explain("SELECT 1", "sqlite:///x.db")


# --------------------------------------------------------------------------- output


def test_text_output(shop: str) -> None:
    r = run("explain", "SELECT * FROM orders WHERE status = %s", "-p", "open", "--db", shop)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("Full Table Scan on orders  (rows=")
    assert "(actual time=" in lines[0] and lines[0].endswith("rows=50 loops=1)")
    assert "  Filter: orders.`status` = 'open'" in lines
    assert "  Rows Removed by Filter: 49950" in lines
    assert any(line.startswith("Execution Time: ") for line in lines)
    assert "indexes used: none" in lines and "sequential scans: orders" in lines
    assert "findings: 2" in lines
    assert "  warning PLN003 seq-scan-selective-filter: #1 Full Table Scan on orders" in lines
    assert "    fix: CREATE INDEX orders_status_idx ON orders (status);" in lines
    # --fail-on warning gates on them; --ignore leaves a rule out
    r = run("explain", "SELECT * FROM orders WHERE status = 'open'", "--db", shop,
            "--fail-on", "warning", "--ignore", "PLN001")  # fmt: skip
    assert r.returncode == 1 and "PLN001" not in r.stdout and "PLN003" in r.stdout


def test_json_output_planned_only(shop: str) -> None:
    data = found(shop, "SELECT status, count(*) FROM orders GROUP BY status", "--no-analyze")
    assert not data["analyzed"] and data["execution_ms"] is None
    assert data["plan"]["node_type"] == "Filesort"
    temp = data["plan"]["children"][0]
    assert temp["node_type"] == "Temporary Table"
    assert temp["children"][0]["details"]["Rows Examined"]
    # not run: the optimizer's own estimate of the rows grouped
    assert codes(data) == [("PLN011", "#2 Temporary Table")]
    assert data["findings"][0]["message"].startswith("is expected to put ")
    assert data["notes"] == []  # MariaDB: no note (MySQL's plans say they are estimates)
