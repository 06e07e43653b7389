"""``dbdesign advise --db mysql://...`` on the real MariaDB ($DBDESIGN_TEST_MYSQL_URL; a missing
variable fails): every candidate built for real on a scratch copy, never on the advised
database.

The application database holds tables whose data makes each planted need real: a selective
lookup by a column that references customers (declared nowhere, so no index has it), an
equality on a rare status with a range on the time it was placed, the newest orders first
(ORDER BY ... LIMIT), and an exact lookup on a TEXT column (MySQL needs a key prefix). The
advice must name an index for each, their queries' cost must fall, the budget must hold, the
output must say it was built on a scratch copy and how many rows it held, and the advised
database must be exactly as it was: every table's SHOW CREATE TABLE and CHECKSUM, and the
server's databases (no scratch database left behind, also after an error or Ctrl-C).
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dbdesign import api, dialects
from dbdesign.advise.advisor_mysql import MySQLAdvice
from dbdesign.advise.report_mysql import sql as advice_sql
from dbdesign.advise.report_mysql import text as advice_text
from dbdesign.advise.scratch_mysql import made_copy
from dbdesign.engine import connect_mysql, mysql_scratch_database
from dbdesign.lint.migration.engine import MigrationLintOptions
from tests.conftest import sigint_default
from tests.mysqlload import load_mysql, mysql_server_url

SCHEMA = """
CREATE TABLE customers (
  id int PRIMARY KEY, email varchar(100) NOT NULL, region int NOT NULL, bio text NOT NULL
) ENGINE=InnoDB;
CREATE TABLE orders (
  id int PRIMARY KEY,
  customer_id int NOT NULL,
  status varchar(10) NOT NULL,
  amount int NOT NULL,
  placed_at datetime NOT NULL,
  note varchar(200),
  KEY orders_amount (amount)
) ENGINE=InnoDB;
CREATE TABLE order_items (
  order_id int NOT NULL, line int NOT NULL, qty int NOT NULL,
  PRIMARY KEY (order_id, line),
  CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB;
CREATE VIEW pending_orders AS SELECT id, amount FROM orders WHERE status = 'pending';
CREATE TRIGGER orders_noted BEFORE UPDATE ON orders FOR EACH ROW SET NEW.note = 'changed';
INSERT INTO customers SELECT seq, concat('user', seq, '@example.com'), seq % 7,
  concat('bio of customer ', seq) FROM seq_1_to_20000;
INSERT INTO orders SELECT seq, (seq * 7919) % 20000 + 1,
  IF(seq % 100 = 0, 'pending', IF(seq % 3 = 0, 'shipped', 'delivered')), seq % 500,
  '2024-01-01' + INTERVAL seq MINUTE, NULL FROM seq_1_to_100000;
INSERT INTO order_items SELECT seq, 1, seq % 5 + 1 FROM seq_1_to_100000;
ANALYZE TABLE customers, orders, order_items;
"""
TABLES = ("customers", "orders", "order_items")

FK_LOOKUP = "SELECT id, status, amount FROM orders WHERE customer_id = 4242"
EQ_RANGE = (
    "SELECT id, amount FROM orders WHERE status = 'pending' AND placed_at >= '2024-02-01' "
    "AND placed_at < '2024-03-01'"
)
NEWEST = "SELECT * FROM orders ORDER BY placed_at DESC LIMIT 20"
BIO = "SELECT id, email FROM customers WHERE bio = 'bio of customer 777'"
WORKLOAD = f"""\
-- calls: 1000
{FK_LOOKUP};
-- calls: 200
{EQ_RANGE};
-- calls: 100
{NEWEST};
-- calls: 50
{BIO};
-- calls: 10
UPDATE orders SET amount = amount + 1 WHERE id = 77;
-- calls: 5
SELECT * FROM pending_orders WHERE amount = 3;
SET @x = 1;
"""


@pytest.fixture(scope="module")
def shop() -> Iterator[str]:
    """The application database (a scratch database of the MariaDB, as the other tests')."""
    with mysql_scratch_database(mysql_server_url()) as url:
        load_mysql(url, SCHEMA)
        yield url


@pytest.fixture(scope="module")
def workload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("advise_mysql") / "queries.sql"
    p.write_text(WORKLOAD)
    return p


def state(url: str) -> dict[str, Any]:
    """Every table's SHOW CREATE TABLE and CHECKSUM, the views' and triggers' definitions."""
    conn = connect_mysql(url, autocommit=True)
    try:
        with conn.cursor() as cur:
            out: dict[str, Any] = {}
            cur.execute("SHOW FULL TABLES")
            for name, kind in sorted(cur.fetchall()):
                cur.execute(f"SHOW CREATE TABLE `{name}`")
                out[name] = [kind, cur.fetchone()[1]]
                if kind == "BASE TABLE":
                    cur.execute(f"CHECKSUM TABLE `{name}`")
                    out[name].append(cur.fetchone()[1])
            cur.execute("SHOW TRIGGERS")
            out["triggers"] = sorted(str(r[:4]) for r in cur.fetchall())
            return out
    finally:
        conn.close()


def databases() -> set[str]:
    conn = connect_mysql(mysql_server_url(), autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW DATABASES")
            return {str(r[0]) for r in cur.fetchall()}
    finally:
        conn.close()


def assert_nothing_left(before: set[str], made: str | None) -> None:
    """The server's databases as before: the scratch database this run made is gone, and none
    but other sessions' scratch databases came or went."""
    after = databases()
    if made:
        assert made not in after, f"{made} was left behind"
    changed = (after - before) | (before - after)
    assert all(d.startswith("dbdesign_scratch_") for d in changed), changed


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", "advise", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def advice(shop: str, workload: Path) -> MySQLAdvice:
    before, dbs = state(shop), databases()
    said: list[str] = []
    result = api.advise(str(workload), shop, progress=said.append)
    assert state(shop) == before, "advise changed the advised database"
    assert any(result.copy.name in m for m in said)
    assert_nothing_left(dbs, result.copy.name)
    assert isinstance(result, MySQLAdvice)
    return result


def _query(advice: MySQLAdvice, sql: str) -> Any:
    (q,) = [q for q in advice.queries if q.sql == sql]
    return q


def _serving(advice: MySQLAdvice, sql: str) -> Any:
    """The advised index the query's plan uses, with the query's costs."""
    q = _query(advice, sql)
    assert q.indexes, f"no advised index serves {sql!r}: {[i.ddl for i in advice.indexes]}"
    (ix,) = [i for i in advice.indexes if i.name == q.indexes[0]]
    return ix, q


def test_each_planted_need_gets_an_index_and_its_cost_falls(advice: MySQLAdvice) -> None:
    for sql, lead in (
        (FK_LOOKUP, ("customer_id",)),
        (EQ_RANGE, ("status", "placed_at")),
        (NEWEST, ("placed_at",)),
        (BIO, ("bio",)),
    ):
        ix, q = _serving(advice, sql)
        assert ix.candidate.columns[: len(lead)] == lead, (sql, ix.ddl)
        assert q.after < q.before / 3, (sql, q.before, q.after)
        assert any(advice.queries[s.query].sql == sql for s in ix.serves)
    assert advice.cost_after < advice.cost_before / 3
    assert advice.measured and advice.builds >= len(advice.indexes)


def test_the_ddl_is_mysql_with_a_prefix_for_the_text_column(advice: MySQLAdvice) -> None:
    ix, _ = _serving(advice, BIO)
    assert ix.ddl.startswith(f"ALTER TABLE `customers` ADD INDEX `{ix.name}` (`bio`(191)")
    assert ix.ddl.endswith(", ALGORITHM=INPLACE, LOCK=NONE")
    for i in advice.indexes:
        assert "INCLUDE" not in i.ddl and " WHERE " not in i.ddl and '"' not in i.ddl
        assert i.size_bytes > 0 and i.built_bytes > 0


def test_what_cannot_be_advised_is_skipped_with_its_reason(advice: MySQLAdvice) -> None:
    skipped = dict(advice.skipped)
    (why,) = [w for label, w in skipped.items() if label.endswith(":12")]
    assert "reads pending_orders: a view" in why
    assert any("SET left out" in n for n in advice.notes)
    update = _query(advice, "UPDATE orders SET amount = amount + 1 WHERE id = 77")
    assert update.before > 0  # timed on the copy (in a transaction rolled back)


def test_a_write_is_timed_again_when_the_indexes_it_maintains_change(shop: str) -> None:
    """The UPDATE's plan stays the same with an index on orders, but the index is maintained:
    its time is measured again, not reused (whether the two times differ is the clock's
    business; the new measurement is what this checks)."""
    from dbdesign.advise.advisor_mysql import _column_types
    from dbdesign.advise.build_mysql import ScratchIndexes
    from dbdesign.advise.candidates import Candidate
    from dbdesign.advise.guard_mysql import check_mysql_statement
    from dbdesign.advise.usage_mysql import mysql_usage, parse_mysql

    sql = "UPDATE orders SET amount = amount + 1 WHERE id = 77"
    with mysql_scratch_database(mysql_server_url()) as url:
        load_mysql(url, SCHEMA)
        conn = connect_mysql(url, autocommit=True)
        try:
            columns = _column_types(conn, ["orders"])
            names = {t: list(cols) for t, cols in columns.items()}
            use = mysql_usage(parse_mysql(sql), names).tables
            wi = ScratchIndexes(conn, [check_mysql_statement(sql)], [use], columns, measured=True)
            try:
                wi.cost(0)
                timed = wi.timings
                wi.cost(0)
                assert wi.timings == timed  # nothing changed: reused
                wi.add(Candidate("orders", ("customer_id",)))
                wi.cost(0)
                assert wi.timings == timed + 1  # an index it maintains: measured again
            finally:
                wi.close()
        finally:
            conn.close()


def test_the_output_says_it_was_built_on_a_scratch_copy(advice: MySQLAdvice) -> None:
    text = advice_text(advice)
    first = text.splitlines()[0]
    assert first.startswith("MariaDB 10.")
    assert f"indexes built for real on a scratch copy ({advice.copy.name}" in first
    assert "120,000 rows copied of 120,000" in first  # the tables the workload reads
    assert "costs are milliseconds measured there" in first
    assert "  orders: 100,000 of 100,000 rows copied" in text
    data = json.loads(json.dumps(api_json(advice)))
    assert data["scratch"]["made_by_dbdesign"] is True
    assert data["scratch"]["sampled"] is False
    assert data["cost_unit"] == "milliseconds (measured)"
    assert data["estimated"] == advice.label


def api_json(advice: MySQLAdvice) -> dict[str, Any]:
    from dbdesign.advise.report_mysql import as_json

    return as_json(advice)


def test_a_budget_is_respected(shop: str, workload: Path, advice: MySQLAdvice) -> None:
    small = min(ix.size_bytes for ix in advice.indexes) + 1
    tight = api.advise(str(workload), shop, budget_bytes=small)
    assert tight.size_bytes <= small
    assert len(tight.indexes) == 1
    assert tight.cost_after < tight.cost_before


def test_the_sql_format_passes_the_migration_lint_and_builds_what_it_says(
    advice: MySQLAdvice, tmp_path: Path
) -> None:
    text = advice_sql(advice)
    assert text.startswith(f"-- dbdesign advise: {advice.label}")
    assert "SET SESSION lock_wait_timeout = 5;" in text
    path = tmp_path / "0002_advised.up.sql"
    path.write_text(text)
    report = api.lint_migrations([str(path)], MigrationLintOptions(dialect="mysql"))
    problems = [f for f in report.findings if f.code != "MIG104"]  # several tables: one file
    assert problems == [], problems
    with mysql_scratch_database(mysql_server_url()) as url:
        load_mysql(url, SCHEMA)
        conn = connect_mysql(url, autocommit=True)
        try:
            with conn.cursor() as cur:
                for statement in dialects.get("mysql").split_statements(text):
                    cur.execute(statement)
                for sql in (FK_LOOKUP, EQ_RANGE, NEWEST, BIO):
                    cur.execute(f"EXPLAIN FORMAT=JSON {sql}")
                    plan = cur.fetchone()[0]
                    assert f'"key": "{_query(advice, sql).indexes[0]}"' in plan, (sql, plan)
        finally:
            conn.close()


def test_a_sample_is_labelled_and_its_sizes_scaled(shop: str, workload: Path) -> None:
    r = cli(str(workload), "--db", shop, "--sample-rows", "30000", "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    tables = {t["table"]: t for t in data["scratch"]["tables"]}
    assert tables["orders"]["sampled"] and tables["orders"]["source_rows"] == 100_000
    assert 25_000 <= tables["orders"]["rows"] <= 30_000
    assert tables["customers"]["rows"] == 20_000 and not tables["customers"]["sampled"]
    assert data["scratch"]["sampled"] is True
    assert re.search(r"\d[\d,]* rows sampled of 120,000\)", data["estimated"])
    assert any("orders: " in n and "a sample" in n for n in data["notes"])
    on_orders = [ix for ix in data["indexes"] if ix["table"] == "orders"]
    assert on_orders and all(ix["size_bytes"] > ix["built_bytes"] for ix in on_orders)


def test_a_copy_you_give_is_used_and_left_as_it_was(shop: str, workload: Path) -> None:
    with mysql_scratch_database(mysql_server_url()) as copy:
        load_mysql(copy, SCHEMA)
        before, advised = state(copy), state(shop)
        r = cli(str(workload), "--db", shop, "--scratch", copy)
        assert r.returncode == 0, r.stderr
        assert state(copy) == before and state(shop) == advised
    first = r.stdout.splitlines()[0]
    name = copy.rsplit("/", 1)[-1]
    assert f"indexes built for real on a scratch copy ({name}, yours;" in first
    assert "ADD INDEX `orders_customer_id" in r.stdout


def test_the_advised_database_itself_is_refused_as_the_copy(shop: str, workload: Path) -> None:
    other_spelling = shop.replace("127.0.0.1", "localhost")
    r = cli(str(workload), "--db", shop, "--scratch", other_spelling)
    assert r.returncode == 2
    assert "--scratch needs a copy of the database, not the database itself" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hypopg-sizes"], "--hypopg-sizes is for PostgreSQL"),
        (["--verify", "mysql://root@127.0.0.1/x"], "--verify is for PostgreSQL"),
        (["--sample-rows", "0"], "--sample-rows must be at least 1"),
        (["--budget", "lots"], "--budget: 'lots' is not a size"),
        (
            ["--scratch", "mysql://root@127.0.0.1/x", "--sample-rows", "9"],
            "--sample-rows is for the scratch database dbdesign makes",
        ),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    shop: str, workload: Path, args: list[str], message: str
) -> None:
    r = cli(str(workload), "--db", shop, *args)
    assert r.returncode == 2, r.stdout + r.stderr
    assert message in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_bad_workloads_exit_2_with_one_line(shop: str, tmp_path: Path) -> None:
    ddl = tmp_path / "ddl.sql"
    ddl.write_text("CREATE TABLE t (a int);\nSELECT * FROM nowhere;\n")
    for args, message in (
        (["pg_stat_statements"], "pg_stat_statements is PostgreSQL's"),
        ([str(tmp_path / "missing.sql")], "missing.sql: no such file"),
        ([str(ddl)], "no query of the workload to advise on"),
    ):
        dbs = databases()
        r = cli(*args, "--db", shop)
        assert r.returncode == 2, r.stdout + r.stderr
        assert message in r.stderr, r.stderr
        assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
        assert_nothing_left(dbs, None)
    r = cli(str(ddl), "--db", shop.rsplit("/", 1)[0] + "/")
    assert r.returncode == 2 and "--db must name the database" in r.stderr


def test_scratch_and_sample_rows_are_refused_on_postgresql(workload: Path) -> None:
    r = cli(str(workload), "--db", "postgresql://nobody@127.0.0.1:1/x", "--scratch", "mysql://x/y")
    assert r.returncode == 2 and "--scratch is for MySQL/MariaDB" in r.stderr


def test_an_error_while_copying_leaves_no_scratch_database(shop: str, workload: Path) -> None:
    dbs = databases()
    r = subprocess.run(
        [sys.executable, "-m", "dbdesign", "-v", "advise", str(workload), "--db", shop,
         "--timeout", "0.000001"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert r.returncode == 2, r.stdout + r.stderr
    made = re.search(r"made the scratch database (dbdesign_scratch_\w+)", r.stderr)
    assert made, r.stderr
    assert "max_statement_time" in r.stderr or "interrupted" in r.stderr, r.stderr
    assert_nothing_left(dbs, made.group(1))


def test_ctrl_c_while_building_drops_the_scratch_database(shop: str, workload: Path) -> None:
    dbs = databases()
    p = subprocess.Popen(
        [sys.executable, "-m", "dbdesign", "-v", "advise", str(workload), "--db", shop],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=sigint_default,
    )  # fmt: skip
    assert p.stderr is not None
    seen = ""
    deadline = time.monotonic() + 120
    while "candidates; building" not in seen and time.monotonic() < deadline:
        line = p.stderr.readline()
        if not line:
            break
        seen += line
    made = re.search(r"made the scratch database (dbdesign_scratch_\w+)", seen)
    assert made, seen
    assert made.group(1) in databases()
    p.send_signal(signal.SIGINT)
    p.communicate(timeout=120)
    assert p.returncode != 0
    assert_nothing_left(dbs, made.group(1))


def test_made_copy_keeps_indexes_but_not_foreign_keys_or_triggers(shop: str) -> None:
    with made_copy(shop, ["orders", "order_items"], row_limit=1000) as copy:
        s = state(copy.url)
        assert set(s) == {"orders", "order_items", "triggers"}
        assert "FOREIGN KEY" not in s["order_items"][1]
        assert "PRIMARY KEY (`order_id`,`line`)" in s["order_items"][1]
        assert "KEY `orders_amount` (`amount`)" in s["orders"][1]
        assert s["triggers"] == []
        assert [(t.name, t.rows, t.source_rows) for t in copy.tables] == [
            ("orders", copy.tables[0].rows, 100_000),
            ("order_items", copy.tables[1].rows, 100_000),
        ]
        assert all(800 <= t.rows <= 1000 and t.sampled for t in copy.tables)
    assert copy.name not in databases()
