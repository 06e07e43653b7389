"""``explain`` cannot change a database, by construction: every way found to slip a second
statement, transaction control, a server-side program or a role change past it is refused, and
the data, the catalog and the file system are checked unchanged afterwards — on the embedded
PostgreSQL 16 and the machine's PostgreSQL 15."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbdesign.advise import explain, latency
from dbdesign.advise.guard import check_statement
from dbdesign.engine import connect
from dbdesign.errors import DbdesignError
from tests.conftest import TEST_ROLES
from tests.pgload import load_sql

DDL = """
CREATE TABLE orders (id int PRIMARY KEY, amount numeric(10,2) NOT NULL);
INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 500) g;
CREATE TABLE x (a int);
INSERT INTO x VALUES (1), (2), (3);
CREATE SEQUENCE s;
CREATE FUNCTION wipe() RETURNS int LANGUAGE sql AS 'DELETE FROM orders RETURNING 1';
ANALYZE;
"""

# Every statement after the first must never run; the marker file must never appear.
MARKER = Path("/tmp") / f"dbdesign-explain-marker-{uuid.uuid4().hex}"


def state(url: str) -> tuple[object, ...]:
    """The data, the catalog and the sequence: what must be the same after every attempt."""
    with connect(url, autocommit=True) as conn:
        data = conn.execute(
            "SELECT (SELECT count(*) FROM orders), (SELECT sum(amount) FROM orders), "
            "(SELECT count(*) FROM x), (SELECT last_value FROM s)"
        ).fetchone()
        catalog = conn.execute(
            "SELECT md5(string_agg(concat_ws(':', c.relname, c.relkind, c.relnatts, "
            "c.relhasindex), ',' ORDER BY c.relname)), count(*) FROM pg_class c "
            "WHERE c.relnamespace = 'public'::regnamespace"
        ).fetchone()
        # the roles other tests create (at any moment: the server is shared) are not counted
        roles = conn.execute(
            "SELECT count(*) FROM pg_roles WHERE rolname <> ALL(%s)", [list(TEST_ROLES)]
        ).fetchone()
    return (data, catalog, roles, MARKER.exists())


@pytest.fixture
def db(pg_scratch: str) -> str:
    load_sql(pg_scratch, DDL)
    return pg_scratch


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


BYPASSES = [
    # (statement, extra CLI arguments) — the reports' bypasses first
    ("SELECT 1; COMMIT; DELETE FROM orders", ()),
    ("SELECT 1; COMMIT; DROP TABLE x", ()),
    ("SELECT 1; COMMIT; DROP TABLE x", ("--no-analyze",)),
    ("SELECT 1; COMMIT; DROP TABLE x", ("--format", "json")),
    ("SELECT 1; END; DROP TABLE x", ("-",)),  # from stdin
    (f"SELECT 1; COPY (SELECT 1) TO PROGRAM 'touch {MARKER}'", ()),
    # and more of the same kind
    (f"COPY (SELECT 1) TO PROGRAM 'touch {MARKER}'", ()),
    ("COMMIT; DELETE FROM orders", ()),
    ("ROLLBACK; DELETE FROM orders", ("--no-analyze",)),
    ("SELECT 1;\n-- just a comment\nDELETE FROM orders;", ()),
    ("SELECT 1 /* ; */; DELETE FROM orders", ()),
    ("SELECT ';'; DELETE FROM orders", ()),
    ("SELECT $$;$$; TRUNCATE orders", ()),
    ("DO $$BEGIN DELETE FROM orders; END$$", ()),
    ("SET ROLE postgres", ()),
    ("SET SESSION AUTHORIZATION postgres", ()),
    ("RESET ALL; DELETE FROM orders", ()),
    ("CREATE TABLE y AS SELECT 1", ()),
    ("SELECT 1 INTO y", ()),
    ("EXPLAIN ANALYZE DELETE FROM orders", ()),
    ("PREPARE p AS DELETE FROM orders; EXECUTE p", ()),
    ("CALL nothing()", ()),
    ("VACUUM orders", ()),
    ("ALTER TABLE orders ADD COLUMN c int", ()),
    ("CREATE ROLE dbdesign_should_not_exist", ()),
    ("SELECT pg_terminate_backend(pg_backend_pid())", ()),
    ("SELECT set_config('role', 'postgres', false)", ()),
    ("SELECT setval('s', 1000)", ()),
    (f"SELECT lo_export(1, '{MARKER}')", ()),
    ("SELECT wipe()", ()),  # runs under --analyze, but READ ONLY: the server refuses
    ("SELECT nextval('s')", ()),  # READ ONLY: the sequence does not move
    ("DELETE FROM orders", ("--no-analyze", "--runs", "2")),  # timing would run it for real
]


@pytest.mark.parametrize(
    ("sql", "extra"), BYPASSES, ids=[f"{i}:{s[:30]}" for i, (s, _) in enumerate(BYPASSES)]
)
def test_cli_refuses_and_changes_nothing(db: str, sql: str, extra: tuple[str, ...]) -> None:
    before = state(db)
    if extra[:1] == ("-",):
        r = run("explain", "-", "--db", db, *extra[1:], stdin=sql)
    else:
        r = run("explain", sql, "--db", db, *extra)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stdout == ""
    assert state(db) == before
    assert not MARKER.exists()


def test_what_may_run_still_runs_and_is_undone(db: str) -> None:
    before = state(db)
    # a data-changing WITH under ANALYZE runs (in a rolled-back transaction)
    r = run("explain", "WITH d AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM d",
            "--db", db, "--runs", "2")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "Delete on public.orders" in r.stdout
    # row locks are a write: allowed under --analyze, rolled back
    r = run("explain", "SELECT * FROM orders WHERE id = 1 FOR UPDATE", "--db", db)
    assert r.returncode == 0, r.stderr
    # a plain DELETE, with --no-analyze: planned, never run
    r = run("explain", "DELETE FROM orders;", "--db", db, "--no-analyze")
    assert r.returncode == 0 and "actual time" not in r.stdout, r.stderr
    # a function that deletes, planned only: not called
    r = run("explain", "SELECT wipe()", "--db", db, "--no-analyze")
    assert r.returncode == 0, r.stderr
    assert state(db) == before


def test_timeout_cancels(db: str) -> None:
    r = run("explain", "SELECT pg_sleep(30)", "--db", db, "--timeout", "0.5")
    assert r.returncode == 2 and "statement timeout" in r.stderr, r.stderr


def test_read_only_inside_an_open_transaction_ends_with_the_savepoint(db: str) -> None:
    with connect(db) as conn:
        conn.execute("UPDATE x SET a = a + 10 WHERE a = 1")
        with pytest.raises(DbdesignError, match="read-only"):
            explain(conn, "SELECT wipe()")
        # the caller's transaction goes on, read-write, with its own change
        conn.execute("UPDATE x SET a = a + 10 WHERE a = 2")
        assert conn.execute("SELECT sum(a) FROM x").fetchone() == (26,)
        conn.rollback()


# --------------------------------------------------------------------------- fuzz

FRAGMENTS = [
    "SELECT 1",
    "SELECT * FROM orders WHERE id = 3",
    "COMMIT",
    "END",
    "ROLLBACK",
    "BEGIN",
    "START TRANSACTION",
    "SAVEPOINT a",
    "RELEASE SAVEPOINT a",
    "DELETE FROM orders",
    "UPDATE orders SET amount = 0",
    "INSERT INTO x VALUES (99)",
    "DROP TABLE x",
    "TRUNCATE orders",
    "CREATE TABLE y (a int)",
    "ALTER TABLE orders DROP COLUMN amount",
    "SET ROLE postgres",
    "RESET ROLE",
    "SET transaction_read_only = off",
    "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
    "DO $$BEGIN DELETE FROM orders; END$$",
    f"COPY (SELECT 1) TO PROGRAM 'touch {MARKER}'",
    "SELECT pg_terminate_backend(pg_backend_pid())",
    "SELECT wipe()",
    "SELECT nextval('s')",
    "SELECT setval('s', 77)",
    "WITH d AS (DELETE FROM orders RETURNING 1) SELECT count(*) FROM d",
    "DISCARD ALL",
    "LOCK TABLE orders",
    "PREPARE TRANSACTION 'dbdesign_fuzz'",
    "NOTIFY c",
    "SELECT 1 INTO y",
]
SEPARATORS = ["; ", ";\n", ";-- c\n", " /* x */ ; ", ";;"]


@st.composite
def scripts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4))
    seps = [draw(st.sampled_from(SEPARATORS)) for _ in parts]
    text = "".join(p + s for p, s in zip(parts, seps, strict=True))
    return text if draw(st.booleans()) else text.rstrip("; \n")


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(script=scripts(), analyze=st.booleans(), open_txn=st.booleans(), runs=st.booleans())
def test_fuzz_nothing_changes(
    db: str, script: str, analyze: bool, open_txn: bool, runs: bool
) -> None:
    before = state(db)
    try:
        stmt = check_statement(script)
    except DbdesignError:
        stmt = None
    with connect(db, autocommit=not open_txn) as conn:
        try:
            explain(conn, script, analyze=analyze, timeout_s=5)
            if runs:
                latency(conn, script, runs=1, warmup=0, allow_writes=analyze, timeout_s=5)
        except DbdesignError:
            pass
        else:
            # only a single statement that the guard accepts ever reaches a plan
            assert stmt is not None
        if open_txn:
            conn.rollback()
    assert state(db) == before, script
    assert not MARKER.exists()
    # nothing prepared, nothing left locked, no stray role
    with connect(db, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM pg_prepared_xacts").fetchone() == (0,)


def test_the_guard_leaves_no_prepared_transaction_path(db: str) -> None:
    # the server would refuse a second command even if the parser were fooled
    with connect(db) as conn, conn.cursor() as cur, pytest.raises(psycopg.Error):
        cur.execute("SELECT 1; DELETE FROM orders", binary=True)
    assert state(db)[0][0] == 500  # type: ignore[index]


# --------------------------------------------------------------------------- every kind of write

WRITES = """
CREATE TABLE accounts (id int PRIMARY KEY, balance numeric NOT NULL);
INSERT INTO accounts SELECT g, 100 FROM generate_series(1, 200) g;
CREATE TABLE ledger (
  id bigserial PRIMARY KEY,
  account_id int REFERENCES accounts ON DELETE CASCADE,
  amount numeric
);
INSERT INTO ledger (account_id, amount) SELECT g % 200 + 1, g FROM generate_series(1, 1000) g;
CREATE TABLE audit (what text);
CREATE FUNCTION audit_it() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO audit VALUES (TG_OP || ' ' || TG_TABLE_NAME); RETURN NULL; END$$;
CREATE TRIGGER accounts_audit AFTER INSERT OR UPDATE OR DELETE ON accounts
  FOR EACH ROW EXECUTE FUNCTION audit_it();
CREATE TABLE incoming (id int, balance numeric);
INSERT INTO incoming SELECT g, 5 FROM generate_series(150, 260) g;
ANALYZE;
"""
# (statement, a trigger the run must show: the audit trigger writing another table, or the
# foreign key's cascade deleting from one)
WRITING_STATEMENTS = [
    ("INSERT INTO accounts SELECT g, 0 FROM generate_series(1000, 1100) g", "accounts_audit"),
    ("INSERT INTO accounts VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET balance = 7",
     "accounts_audit"),
    ("UPDATE accounts SET balance = balance * 2 WHERE id % 2 = 0", "accounts_audit"),
    ("UPDATE accounts a SET balance = a.balance + i.balance FROM incoming i WHERE i.id = a.id",
     "accounts_audit"),
    ("DELETE FROM accounts WHERE id <= 50", "RI_ConstraintTrigger"),
    ("DELETE FROM ledger USING accounts a WHERE a.id = ledger.account_id AND a.id < 10", None),
    ("MERGE INTO accounts a USING incoming i ON a.id = i.id "
     "WHEN MATCHED THEN UPDATE SET balance = 0 "
     "WHEN NOT MATCHED THEN INSERT VALUES (i.id, i.balance)", "accounts_audit"),
    ("WITH moved AS (DELETE FROM ledger WHERE amount < 500 RETURNING account_id) "
     "INSERT INTO audit SELECT 'moved ' || account_id FROM moved", None),
    ("WITH up AS (UPDATE accounts SET balance = 0 RETURNING id) SELECT count(*) FROM up",
     "accounts_audit"),
]  # fmt: skip


def table_rows(url: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its rows."""
    with connect(url, autocommit=True) as conn:
        return {
            t: conn.execute(  # type: ignore[misc]
                psycopg.sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(r::text, ',' ORDER BY r::text), '')) "
                    "FROM {} r"
                ).format(psycopg.sql.Identifier(t))
            ).fetchone()
            for t in ("accounts", "ledger", "audit", "incoming")
        }


def test_analyze_of_every_kind_of_write_is_undone(pg_scratch: str) -> None:
    """INSERT (and ON CONFLICT), UPDATE (and FROM), DELETE (and USING, and a cascade), MERGE,
    data-modifying WITH, and a trigger that writes another table: each really runs under
    EXPLAIN ANALYZE (its rows and triggers are in the plan) and leaves every table as it was.
    A sequence is the exception PostgreSQL makes for every rollback: nextval is not undone."""
    load_sql(pg_scratch, WRITES)
    before = table_rows(pg_scratch)
    with connect(pg_scratch, autocommit=True) as conn:
        for sql, trigger in WRITING_STATEMENTS:
            p = explain(conn, sql)
            assert p.analyzed, sql
            ran = [n for n in p.nodes() if n.node_type == "ModifyTable"]
            assert ran and any(n.actual_loops for n in ran), f"{sql}\n{p.text()}"
            if trigger is not None:
                names = [name for name, _, calls in p.triggers if calls > 0]
                assert any(n.startswith(trigger) for n in names), (sql, p.triggers)
            assert table_rows(pg_scratch) == before, sql
        seq = "SELECT last_value FROM ledger_id_seq"
        last = conn.execute(seq).fetchone()
        explain(conn, "INSERT INTO ledger (account_id, amount) VALUES (1, 1)")
        assert table_rows(pg_scratch) == before
        assert conn.execute(seq).fetchone() != last  # the one thing a rollback leaves
