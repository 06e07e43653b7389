"""The lock claims of the PostgreSQL migration rules (MIG020 ... MIG044), proven on real servers.

For each case the linter runs first and its finding's message names lock modes and tables
("ACCESS EXCLUSIVE lock on public.orders", "SHARE lock: writes to public.orders ..."). Then the
statement runs on the server inside an open transaction and a second session reads pg_locks:
the strongest lock the first session holds on each named table must be the mode the message
names. The expectation comes from the message, so a wrong message fails the test. Statements
that cannot run in a transaction block (VACUUM FULL) are run while a third session holds an
ACCESS SHARE lock on the table: the lock they wait for is the one they need.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dbdesign.lint import LintConfig
from dbdesign.lint.migration import MigrationLintOptions, lint_migrations
from tests.pglocks import strongest

MODES = {
    "ACCESS EXCLUSIVE": "AccessExclusiveLock",
    "EXCLUSIVE": "ExclusiveLock",
    "SHARE ROW EXCLUSIVE": "ShareRowExclusiveLock",
    "SHARE": "ShareLock",
    "SHARE UPDATE EXCLUSIVE": "ShareUpdateExclusiveLock",
}
_MODE = "ACCESS EXCLUSIVE|SHARE UPDATE EXCLUSIVE|SHARE ROW EXCLUSIVE|EXCLUSIVE|SHARE"
_TABLE = r"public\.[a-z_0-9]+"
_WHAT = (
    r"(?:the (?:table|index's table|referenced table|partition|partitioned table"
    r"|materialized view) )?"
)
CLAIM = re.compile(
    rf"\b(?P<mode>{_MODE}) lock(?: on {_WHAT}(?P<t1>{_TABLE})|: [^;]*?\b(?:of|to) (?P<t2>{_TABLE}))"
)

ORDERS = """
CREATE TABLE customers (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers,
                     status text, total numeric);
CREATE INDEX idx_orders_status ON orders (status);
CREATE TABLE users (id bigint PRIMARY KEY, name text, legacy_flag boolean);
CREATE TABLE meas (id bigint, logdate date NOT NULL) PARTITION BY RANGE (logdate);
CREATE TABLE meas_2023 PARTITION OF meas FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE meas_2024 (id bigint, logdate date NOT NULL);
CREATE MATERIALIZED VIEW order_totals AS
    SELECT customer_id, sum(total) AS total FROM orders GROUP BY customer_id;
CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER orders_audit BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION audit();
"""

# (rule, statement): each statement runs against ORDERS.
CASES = [
    ("MIG035", "DROP INDEX idx_orders_status"),
    ("MIG042", "TRUNCATE orders"),
    ("MIG037", "CLUSTER orders USING idx_orders_status"),
    ("MIG041", "REFRESH MATERIALIZED VIEW order_totals"),
    (
        "MIG039",
        "ALTER TABLE meas ATTACH PARTITION meas_2024 FOR VALUES FROM ('2024-01-01') TO "
        "('2025-01-01')",
    ),
    ("MIG040", "ALTER TABLE meas DETACH PARTITION meas_2023"),
    ("MIG044", "ALTER TABLE orders DISABLE TRIGGER orders_audit"),
    ("MIG044", "ALTER TABLE orders DISABLE TRIGGER USER"),
    ("MIG033", "ALTER TABLE users RENAME TO accounts"),
    ("MIG032", "ALTER TABLE users RENAME COLUMN name TO full_name"),
    ("MIG030", "ALTER TABLE users DROP COLUMN legacy_flag"),
    ("MIG031", "DROP TABLE meas_2024"),
    ("MIG038", "REINDEX INDEX idx_orders_status"),
    ("MIG038", "REINDEX TABLE orders"),
    ("MIG043", "ALTER TABLE users SET UNLOGGED"),
    ("MIG020", "CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint REFERENCES orders)"),
    (
        "MIG020",
        "CREATE TABLE meas_2025 PARTITION OF meas FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
    ),
    (
        "MIG020",
        "ALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (customer_id) "
        "REFERENCES customers NOT VALID",
    ),
    ("MIG020", "CREATE INDEX idx_orders_total ON orders (total)"),
    (
        "MIG020",
        "CREATE TRIGGER orders_audit2 BEFORE UPDATE ON orders FOR EACH ROW "
        "EXECUTE FUNCTION audit()",
    ),
    ("MIG036", "VACUUM FULL orders"),
]


def claims(message: str) -> dict[str, str]:
    """table -> pg_locks mode, as the finding's message states them."""
    out = {}
    for m in CLAIM.finditer(message):
        out[m.group("t1") or m.group("t2")] = MODES[m.group("mode")]
    return out


def finding(tmp_path: Path, code: str, statement: str) -> str:
    schema = tmp_path / "schema.sql"
    schema.write_text(ORDERS)
    mig = tmp_path / "0002_case.up.sql"
    mig.write_text(statement + ";\n")
    report = lint_migrations(
        [str(mig)], MigrationLintOptions(schema=str(schema)), LintConfig(select=(code,))
    )
    hits = [f.message for f in report.findings if f.code == code]
    assert len(hits) == 1, (code, statement, hits)
    return hits[0]


def _oids(conn: psycopg.Connection[Any], tables: list[str]) -> dict[str, int]:
    rows = conn.execute(
        "SELECT 'public.' || relname, oid::int FROM pg_class WHERE relnamespace = "
        "'public'::regnamespace AND 'public.' || relname = ANY(%s)",
        (tables,),
    ).fetchall()
    return dict(rows)


def _held(watch: psycopg.Connection[Any], pid: int, oid: int, granted: bool) -> str | None:
    rows = watch.execute(
        "SELECT mode FROM pg_locks WHERE pid = %s AND relation = %s AND granted = %s",
        (pid, oid, granted),
    ).fetchall()
    modes = [r[0] for r in rows]
    return strongest(modes)


@pytest.mark.parametrize(("code", "statement"), CASES, ids=[f"{c}:{s[:40]}" for c, s in CASES])
def test_lock_claim(pg_scratch: str, tmp_path: Path, code: str, statement: str) -> None:
    message = finding(tmp_path, code, statement)
    expected = claims(message)
    assert expected, f"{code}: no lock claim found in {message!r}"
    with psycopg.connect(pg_scratch, autocommit=True) as setup:
        setup.execute(ORDERS)
        oids = _oids(setup, list(expected))
    assert set(oids) == set(expected), f"tables named in the message: {expected}"
    if code == "MIG036":
        got = _waiting_locks(pg_scratch, statement, oids)
    else:
        got = _held_locks(pg_scratch, statement, oids)
    assert got == expected, f"{code} says {expected} ({message}); the server shows {got}"


def _held_locks(url: str, statement: str, oids: dict[str, int]) -> dict[str, str | None]:
    with psycopg.connect(url) as run, psycopg.connect(url, autocommit=True) as watch:
        run.execute(statement)  # psycopg opened a transaction: the locks stay held
        pid = run.info.backend_pid
        got = {t: _held(watch, pid, oid, True) for t, oid in oids.items()}
        run.rollback()
    return got


def _waiting_locks(url: str, statement: str, oids: dict[str, int]) -> dict[str, str | None]:
    """The lock a statement that cannot run in a transaction block waits for, behind a
    session holding ACCESS SHARE on the tables."""
    with (
        psycopg.connect(url) as hold,
        psycopg.connect(url, autocommit=True) as run,
        psycopg.connect(url, autocommit=True) as watch,
    ):
        for t in oids:
            hold.execute(f"SELECT 1 FROM {t} LIMIT 1")
        pid = run.info.backend_pid
        errors: list[BaseException] = []

        def go() -> None:
            try:
                run.execute(statement)
            except psycopg.Error as e:  # cancelled below
                errors.append(e)

        th = threading.Thread(target=go)
        th.start()
        got: dict[str, str | None] = {}
        for _ in range(200):
            got = {t: _held(watch, pid, oid, False) for t, oid in oids.items()}
            if all(got.values()):
                break
            time.sleep(0.05)
        watch.execute("SELECT pg_cancel_backend(%s)", (pid,))
        th.join(10)
        hold.rollback()
        assert errors, "the statement should have waited behind the ACCESS SHARE lock"
    return got


def test_claim_parser_reads_the_messages() -> None:
    """The regular expression reads the shapes the rules write (so a message that names no
    lock, or the wrong one, is noticed above)."""
    assert claims("ACCESS EXCLUSIVE lock: every read and write of public.t waits") == {
        "public.t": "AccessExclusiveLock"
    }
    assert claims(
        "SHARE UPDATE EXCLUSIVE lock on public.p (reads go on), but ACCESS "
        "EXCLUSIVE lock on public.c: every read"
    ) == {
        "public.p": "ShareUpdateExclusiveLock",
        "public.c": "AccessExclusiveLock",
    }
    assert claims(
        "SHARE lock: writes to public.t wait; and an ACCESS EXCLUSIVE lock on each "
        "index it rebuilds"
    ) == {"public.t": "ShareLock"}


def _status(conn: psycopg.Connection[Any]) -> psycopg.pq.TransactionStatus:
    return conn.info.transaction_status


def test_begin_inside_runner_transaction_commits_early(pg_scratch: str, tmp_path: Path) -> None:
    """MIG024's claim: inside the runner's transaction, BEGIN only warns (the warning text the
    message quotes), and the COMMIT commits the runner's transaction: a second session sees the
    change at once, and the runner's own COMMIT then finds no transaction."""
    text = "BEGIN;\nCREATE TABLE early (id bigint PRIMARY KEY);\nCOMMIT;\nSELECT 1;\n"
    mig = tmp_path / "0002_case.up.sql"
    mig.write_text(text)
    report = lint_migrations([str(mig)], None, LintConfig(select=("MIG024",)))
    [message] = [f.message for f in report.findings if f.code == "MIG024"]
    quoted = re.search(r"warns '([^']+)'", message)
    assert quoted is not None, message
    notices: list[str] = []
    with psycopg.connect(pg_scratch) as run, psycopg.connect(pg_scratch, autocommit=True) as other:
        run.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        run.execute("SELECT 1")  # the runner's transaction is open
        assert _status(run) == psycopg.pq.TransactionStatus.INTRANS
        for stmt in ("BEGIN", "CREATE TABLE early (id bigint PRIMARY KEY)", "COMMIT"):
            run.execute(stmt)
        assert quoted.group(1) in notices, notices
        # committed early: visible to another session while the "runner" still thinks its
        # transaction is open
        assert other.execute("SELECT to_regclass('public.early') IS NOT NULL").fetchone() == (True,)
        assert _status(run) == psycopg.pq.TransactionStatus.IDLE
        run.pgconn.exec_(b"COMMIT")  # the runner's COMMIT, sent as is
        assert "there is no transaction in progress" in notices
