"""`dbdesign migrate` on real PostgreSQL servers (embedded 16 and the machine's 15)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from dbdesign.engine import connect
from dbdesign.errors import MigrationError
from dbdesign.migrate.backend_pg import LOCK_KEY, RUNNER_APP, PostgresBackend
from dbdesign.migrate.runner import Settings, migrate, status
from dbdesign.migrate.testing import run_test
from tests.integration.test_migrate_helpers import cli, pg_history, pg_tables, write_folder

BASIC = {
    "0001_users.up.sql": "create table users (id int primary key, email text);\n",
    "0001_users.down.sql": "drop table users;\n",
    "0002_orders.up.sql": "create table orders (id int primary key, user_id int);\n"
    "create index orders_user on orders (user_id);\n",
    "0002_orders.down.sql": "drop table orders;\n",
    "0003_email_index.up.sql": "-- dbdesign: no-transaction\n"
    "create index concurrently users_email on users (email);\n",
    "0003_email_index.down.sql": "-- dbdesign: no-transaction\n"
    "drop index concurrently users_email;\n",
}


def settings(folder: Path, **kw: object) -> Settings:
    return Settings(dir=folder, lock_wait=10, **kw)  # type: ignore[arg-type]


def test_up_down_and_status(pg_scratch: str, tmp_path: Path) -> None:
    s = settings(write_folder(tmp_path / "m", BASIC))
    done = migrate(pg_scratch, s)
    assert [d.migration.version for d in done] == ["0001", "0002", "0003"]
    assert pg_history(pg_scratch) == [("0001", "applied"), ("0002", "applied"), ("0003", "applied")]
    assert {"users", "orders", "orders_user", "users_email"} <= pg_tables(pg_scratch)
    assert migrate(pg_scratch, s) == []  # nothing left
    migrate(pg_scratch, s, direction="down")  # one step
    assert "users_email" not in pg_tables(pg_scratch)
    migrate(pg_scratch, s, direction="down", to="0000")
    assert pg_history(pg_scratch) == []
    assert pg_tables(pg_scratch) == {"dbdesign_migrations", "dbdesign_migrations_pkey"}
    migrate(pg_scratch, s, to="0002")
    assert [e.status for e in status(pg_scratch, s).entries] == ["applied", "applied", "pending"]


def test_failure_in_third_statement_changes_nothing(pg_scratch: str, tmp_path: Path) -> None:
    """A server error in statement 3: file:line, the statement and the error; no trace left."""
    files = dict(BASIC)
    files["0002_orders.up.sql"] = (
        "create table orders (id int primary key);\n"
        "insert into orders values (1);\n"
        "insert into orders\n  select id from no_such_table;\n"
    )
    s = settings(write_folder(tmp_path / "m", files))
    migrate(pg_scratch, s, to="0001")
    before = pg_tables(pg_scratch)
    with pytest.raises(MigrationError) as e:
        migrate(pg_scratch, s)
    err = e.value
    assert err.file == str(s.dir / "0002_orders.up.sql")
    assert err.line == 4  # the server points at no_such_table, on the statement's 2nd line
    assert 'relation "no_such_table" does not exist' in err.message
    assert "statement: insert into orders select id from no_such_table" in err.message
    assert "rolled back" in err.message
    assert pg_tables(pg_scratch) == before
    assert pg_history(pg_scratch) == [("0001", "applied")]


def test_syntax_error_in_third_statement_is_refused_before_anything_runs(
    pg_scratch: str, tmp_path: Path
) -> None:
    files = dict(BASIC)
    files["0002_orders.up.sql"] = (
        "create table orders (id int primary key);\ninsert into orders values (1);\n"
        "insert into orders valeus (2);\n"
    )
    s = settings(write_folder(tmp_path / "m", files))
    with pytest.raises(MigrationError, match="syntax error") as e:
        migrate(pg_scratch, s)
    assert e.value.line == 3
    # 0001 was pending in the same run: it did not run either
    assert pg_history(pg_scratch) == []
    assert pg_tables(pg_scratch) <= {"dbdesign_migrations", "dbdesign_migrations_pkey"}


def test_missing_no_transaction_header_is_refused_before_anything_runs(
    pg_scratch: str, tmp_path: Path
) -> None:
    files = dict(BASIC)
    files["0003_email_index.up.sql"] = "create index concurrently users_email on users (email);\n"
    s = settings(write_folder(tmp_path / "m", files))
    with pytest.raises(MigrationError, match="no-transaction") as e:
        migrate(pg_scratch, s)
    assert (Path(e.value.file or "").name, e.value.line) == ("0003_email_index.up.sql", 1)
    assert pg_history(pg_scratch) == []


def test_statement_timeout_per_migration(pg_scratch: str, tmp_path: Path) -> None:
    """The file's statement_timeout cancels its slow statement: the server's own "statement
    timeout" error, at the sleep's line (without the setting the sleep would end normally and
    nothing would be raised)."""
    files = {
        "0001_slow.up.sql": "-- dbdesign: statement_timeout=200ms\n"
        "create table t (a int);\nselect pg_sleep(60);\n",
    }
    s = settings(write_folder(tmp_path / "m", files))
    with pytest.raises(MigrationError, match="canceling statement due to statement timeout") as e:
        migrate(pg_scratch, s)
    assert e.value.line == 3
    assert pg_history(pg_scratch) == []
    assert "t" not in pg_tables(pg_scratch)


def test_changed_file_is_detected_by_status_and_validate(pg_scratch: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", BASIC)
    args = ("--db", pg_scratch, "--dir", str(folder))
    assert cli("migrate", "up", *args).returncode == 0
    assert cli("migrate", "validate", *args).returncode == 0
    # line endings only: not a change (Flyway's CRLF problem)
    up = folder / "0001_users.up.sql"
    up.write_bytes(up.read_bytes().replace(b"\n", b"\r\n"))
    assert cli("migrate", "validate", *args).returncode == 0
    up.write_text("create table users (id bigint primary key, email text);\n")
    st = cli("migrate", "status", *args)
    assert st.returncode == 1 and "changed" in st.stdout and "0001_users" in st.stdout
    va = cli("migrate", "validate", *args, "--format", "json")
    assert va.returncode == 1 and '"status": "changed"' in va.stdout
    refused = cli("migrate", "up", *args)
    assert refused.returncode == 2 and "validate" in refused.stderr
    assert cli("migrate", "repair", "--accept-checksums", *args).returncode == 0
    assert cli("migrate", "validate", *args).returncode == 0


def test_failed_no_transaction_migration_and_repair(pg_scratch: str, tmp_path: Path) -> None:
    files = dict(BASIC)
    files["0003_email_index.up.sql"] = (
        "-- dbdesign: no-transaction\ncreate index concurrently users_email on users (email);\n"
        "create index concurrently users_bad on users (no_such_column);\n"
    )
    folder = write_folder(tmp_path / "m", files)
    args = ("--db", pg_scratch, "--dir", str(folder))
    r = cli("migrate", "up", *args)
    assert r.returncode == 2
    assert (
        "0003_email_index.up.sql:3:" in r.stderr and "statements 1-1 of 2 took effect" in r.stderr
    )
    assert pg_history(pg_scratch)[-1] == ("0003", "failed")
    st = cli("migrate", "status", *args)
    assert st.returncode == 1 and "failed" in st.stdout and "1 of 2 statements" in st.stdout
    assert cli("migrate", "up", *args).returncode == 2  # refuses until repaired
    # without a choice, repair gives the account and the choices and changes nothing
    bare = cli("migrate", "repair", *args)
    assert bare.returncode == 2 and "1 of 2 statements" in bare.stderr
    assert all(c in bare.stderr for c in ("--resume", "--mark-applied", "--forget"))
    assert pg_history(pg_scratch)[-1] == ("0003", "failed")
    rep = cli("migrate", "repair", "--forget", *args)
    assert (
        rep.returncode == 0
        and "removed" in rep.stdout
        and "1 statement(s) took effect" in rep.stdout
    )
    (folder / "0003_email_index.up.sql").write_text(
        "-- dbdesign: no-transaction\ncreate index concurrently if not exists users_email "
        "on users (email);\n"
    )
    assert cli("migrate", "up", *args).returncode == 0
    assert pg_history(pg_scratch)[-1] == ("0003", "applied")


def test_dry_run_prints_sql_and_changes_nothing(pg_scratch: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", BASIC)
    r = cli("migrate", "up", "--dry-run", "--db", pg_scratch, "--dir", str(folder))
    assert r.returncode == 0, r.stderr
    assert "BEGIN;\ncreate table users" in r.stdout
    assert "-- 0003_email_index.up.sql (no transaction)" in r.stdout
    assert pg_tables(pg_scratch) == set()


def test_lock_wait_timeout_exits_2(pg_scratch: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", BASIC)
    with connect(pg_scratch, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        r = cli("migrate", "up", "--lock-wait", "1", "--db", pg_scratch, "--dir", str(folder))
        assert r.returncode == 2
        assert "holds the migration lock" in r.stderr and "gave up after waiting 1s" in r.stderr
        assert f"(held by server process {holder.info.backend_pid})" in r.stderr, r.stderr
    assert pg_history(pg_scratch) == []


def test_baseline_adopts_an_existing_database(pg_scratch: str, tmp_path: Path) -> None:
    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute("create table users (id int primary key, email text)")
    s = settings(write_folder(tmp_path / "m", BASIC))
    from dbdesign.migrate.runner import baseline

    baseline(pg_scratch, s, "0001")
    assert [e.status for e in status(pg_scratch, s).entries] == ["baseline", "pending", "pending"]
    migrate(pg_scratch, s)
    assert pg_history(pg_scratch)[1:] == [("0002", "applied"), ("0003", "applied")]


def _wait_for(what: str, happened: Callable[[], bool], timeout: float = 60) -> None:
    """Poll until ``happened()``; fail naming ``what`` if it has not after ``timeout`` seconds
    (a bound against hanging, not a measurement)."""
    deadline = time.monotonic() + timeout
    while not happened():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)


def test_polling_waiter_does_not_deadlock_with_create_index_concurrently(pg_scratch: str) -> None:
    """The golang-migrate deadlock: a waiter blocked in pg_advisory_lock() keeps a snapshot open
    and CREATE INDEX CONCURRENTLY in the lock holder waits for it. Our waiter polls, so the
    index build finishes; the blocking call (shown for contrast) makes the build wait for the
    blocked waiter, which waits for the holder: the cycle is observed in pg_locks, then the
    build is cancelled. Every step waits for an event seen on the server, never for a time."""
    with connect(pg_scratch, autocommit=True) as setup:
        setup.execute("create table t (a int); insert into t select generate_series(1, 1000)")
    holder = PostgresBackend(pg_scratch)
    observer = connect(pg_scratch, autocommit=True)

    def one(query: str, *params: object) -> object:
        row = observer.execute(query, list(params)).fetchone()  # type: ignore[arg-type]
        assert row is not None
        return row[0]

    try:
        with holder.lock(5):
            lock_session = holder.lock_holder()  # the holder's session that holds the lock
            assert lock_session is not None
            # 1. our polling waiter
            waiter = PostgresBackend(pg_scratch)
            outcome: list[str] = []

            def wait() -> None:
                try:
                    with waiter.lock(120):
                        outcome.append("got the lock")
                except MigrationError as e:
                    outcome.append(str(e))

            th = threading.Thread(target=wait)
            th.start()
            # the waiter's own lock session has asked for the lock (and was refused: the
            # holder has it); between tries it is idle, holding no snapshot
            _wait_for(
                "the waiter asks for the migration lock",
                lambda: bool(
                    one(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND application_name = %s AND pid <> %s AND query LIKE %s",
                        f"{RUNNER_APP}-lock",
                        lock_session,
                        "%pg_try_advisory_lock%",
                    )
                ),
            )
            # a hang would end in an error, not block the suite
            holder.conn.execute("SET statement_timeout = '60s'")
            holder.conn.execute("CREATE INDEX CONCURRENTLY t_a ON t (a)")  # must not hang
            assert outcome == [] and th.is_alive()  # still waiting, politely
            # 2. a blocking waiter, as golang-migrate does it
            with connect(pg_scratch, autocommit=True) as blocking:
                blocking_pid = blocking.info.backend_pid

                def block() -> None:
                    with contextlib.suppress(psycopg.errors.QueryCanceled):
                        blocking.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])

                bt = threading.Thread(target=block)
                bt.start()
                _wait_for(
                    "the blocking waiter queues for the advisory lock held by the holder",
                    lambda: bool(
                        one("SELECT %s = ANY(pg_blocking_pids(%s))", lock_session, blocking_pid)
                    ),
                )
                build_error: list[BaseException] = []

                def build() -> None:
                    try:
                        holder.conn.execute("CREATE INDEX CONCURRENTLY t_a2 ON t (a)")
                    except BaseException as e:  # examined below
                        build_error.append(e)

                bt2 = threading.Thread(target=build)
                bt2.start()
                holder_pid = holder.conn.info.backend_pid

                def build_waits_for_the_blocked_waiter() -> bool:
                    assert bt2.is_alive(), (
                        f"the index build ended ({build_error}) although a waiter blocked in "
                        "pg_advisory_lock() holds a snapshot"
                    )
                    return bool(
                        one("SELECT %s = ANY(pg_blocking_pids(%s))", blocking_pid, holder_pid)
                    )

                _wait_for(
                    "the index build waits for the blocked waiter",
                    build_waits_for_the_blocked_waiter,
                )
                holder.conn.cancel()  # the cycle would never end by itself
                bt2.join(60)
                assert not bt2.is_alive()
                assert len(build_error) == 1
                assert isinstance(build_error[0], psycopg.errors.QueryCanceled), build_error
                holder.conn.execute("RESET statement_timeout")
                holder.conn.execute("DROP INDEX IF EXISTS t_a2")
                blocking.cancel()
                bt.join(60)
                assert not bt.is_alive()
        th.join(60)
        waiter.close()
        assert outcome == ["got the lock"]
    finally:
        observer.close()
        holder.close()


GOOD_TEST_SET = {
    "0001_users.up.sql": "create table users (id int primary key, email text);\n",
    "0001_users.down.sql": "drop table users;\n",
    "0002_email.up.sql": "create index users_email on users (email);\n",
    "0002_email.down.sql": "drop index users_email;\n",
    "0003_name.up.sql": "alter table users add column name text not null default '';\n",
    "0003_name.down.sql": "alter table users drop column name;\n",
}


def test_migrate_test_passes_a_good_set(pg_urls: str, tmp_path: Path) -> None:
    result = run_test(pg_urls, settings(write_folder(tmp_path / "m", GOOD_TEST_SET)))
    assert result.ok, result
    assert result.checked == ("0001_users", "0002_email", "0003_name")


def test_migrate_test_catches_a_down_that_forgets_an_index(pg_urls: str, tmp_path: Path) -> None:
    files = dict(GOOD_TEST_SET)
    files["0002_email.down.sql"] = "-- forgot the index\n"
    result = run_test(pg_urls, settings(write_folder(tmp_path / "m", files)))
    assert (result.failed, result.checked) == ("0002_email", ("0001_users",))
    assert [str(d) for d in result.differences] == ["added index public.users_email"]


def test_migrate_test_catches_a_down_that_drops_too_much(pg_urls: str, tmp_path: Path) -> None:
    files = dict(GOOD_TEST_SET)
    files["0003_name.down.sql"] = (
        "alter table users drop column name;\nalter table users drop column email;\n"
    )
    result = run_test(pg_urls, settings(write_folder(tmp_path / "m", files)))
    assert result.failed == "0003_name"
    assert [str(d) for d in result.differences] == [
        "changed table public.users: columns[email] removed",
        "removed index public.users_email",  # the column took its index with it
    ]
    r = cli("migrate", "test", "--db", pg_urls, "--dir", str(tmp_path / "m"))
    assert r.returncode == 1
    assert "FAILED 0003_name" in r.stdout and "columns[email] removed" in r.stdout


def test_error_in_first_statement_points_at_its_line(pg_scratch: str, tmp_path: Path) -> None:
    files = {"0001_x.up.sql": "-- dbdesign: lock_timeout=1s\n\nselect 1,\n  no_such_column;\n"}
    s = settings(write_folder(tmp_path / "m", files), statement_timeout="5s")
    with pytest.raises(MigrationError, match='column "no_such_column" does not exist') as e:
        migrate(pg_scratch, s)
    assert e.value.line == 4
    assert pg_history(pg_scratch) == []


def test_statement_ending_in_a_comment_is_recorded(pg_scratch: str, tmp_path: Path) -> None:
    files = {"0001_x.up.sql": "create table c (a int) -- a trailing comment\n;\n"}
    migrate(pg_scratch, settings(write_folder(tmp_path / "m", files)))
    assert pg_history(pg_scratch) == [("0001", "applied")]
    assert "c" in pg_tables(pg_scratch)


def test_failure_inside_a_batch_keeps_the_earlier_ones_and_reports_precisely(
    pg_scratch: str, tmp_path: Path
) -> None:
    """Consecutive transactional migrations travel in one query string; a failure in the
    middle leaves the ones before it applied and is reported as if it had run alone."""
    files = {f"{i:04d}_t{i}.up.sql": f"create table t{i} (a int);\n" for i in range(1, 8)}
    files["0004_t4.up.sql"] = "create table t4 (a int);\ninsert into t4 values (1 / 0);\n"
    for i in range(1, 8):
        files[f"{i:04d}_t{i}.down.sql"] = f"drop table t{i};\n"
    s = settings(write_folder(tmp_path / "m", files))
    with pytest.raises(MigrationError, match="division by zero") as e:
        migrate(pg_scratch, s)
    assert (Path(e.value.file or "").name, e.value.line) == ("0004_t4.up.sql", 2)
    assert pg_history(pg_scratch) == [(f"{i:04d}", "applied") for i in range(1, 4)]
    assert {"t1", "t2", "t3"} <= pg_tables(pg_scratch) and "t4" not in pg_tables(pg_scratch)
    (s.dir / "0004_t4.up.sql").write_text("create table t4 (a int);\n")
    assert len(migrate(pg_scratch, s)) == 4
    assert len(migrate(pg_scratch, s, direction="down", to="0002")) == 5
    assert pg_history(pg_scratch) == [("0001", "applied"), ("0002", "applied")]
    assert not {"t3", "t4", "t7"} & pg_tables(pg_scratch)


def test_a_dead_runners_session_is_ended_by_the_next_lock_holder(
    pg_scratch: str, tmp_path: Path
) -> None:
    """A runner killed between two statements leaves a server session idle in a transaction that
    can never commit, holding locks. The next runner, once it holds the lock, ends it instead of
    waiting on those locks."""
    from dbdesign.migrate.backend_pg import HOLDER_APP

    with connect(pg_scratch, autocommit=True) as setup:
        setup.execute("create table users (id int primary key, email text)")
    orphan = connect(pg_scratch)
    orphan.execute(f"SET application_name = '{HOLDER_APP}'")
    orphan.execute("lock table users in access exclusive mode")  # idle in transaction now
    files = {
        "0001_email.up.sql": "-- dbdesign: ignore MIG001 -- users is empty here\n"
        "create index users_email on users (email);\n"
    }
    s = settings(write_folder(tmp_path / "m", files), lock_timeout="5s")
    orphan_pid = orphan.info.backend_pid
    # the orphan never commits: without ending it the index build would hit lock_timeout
    migrate(pg_scratch, s)
    assert pg_history(pg_scratch) == [("0001", "applied")]
    with connect(pg_scratch) as conn:
        alive = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [orphan_pid])
        assert alive.fetchone() == (0,)
    with pytest.raises(psycopg.OperationalError):
        orphan.execute("select 1")
    orphan.close()
