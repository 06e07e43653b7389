"""`dbdesign migrate` on MySQL/MariaDB (``$DBDESIGN_TEST_MYSQL_URL``; a missing variable fails
the tests, naming it), each test on its own scratch database, with the real CLI in a process:
up, down, status, validate, baseline, --dry-run; a file of data statements in one transaction; a
file with DDL statement by statement with its progress, a failure and each choice of repair;
checksum drift; refusals before anything runs; the lock (wait, then proceed or exit 2); the
timeouts; `migrate test`; `migrate new --from-diff` refused."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dbdesign.engine import connect_mysql, mysql_scratch_database
from dbdesign.migrate.backend_mysql import lock_name, split_mysql
from dbdesign.migrate.files import checksum, read_script, statements_checksum
from tests.integration.test_migrate_helpers import cli, write_folder
from tests.integration.test_migrate_processes import Output, runner
from tests.mysqlload import mysql_server_url


@pytest.fixture
def my_db() -> Iterator[str]:
    """A scratch database on the test server, dropped afterwards."""
    with mysql_scratch_database(mysql_server_url()) as url:
        yield url


def q(url: str, query: str) -> list[tuple[Any, ...]]:
    conn = connect_mysql(url, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute(query)
            return list(cur.fetchall())
    finally:
        conn.close()


def my_history(url: str) -> list[tuple[str, str]]:
    if not q(url, "show tables like 'dbdesign_migrations'"):
        return []
    rows = q(url, "select version, state from dbdesign_migrations order by version")
    return [(str(v), str(s)) for v, s in rows]


def my_tables(url: str) -> set[str]:
    return {str(r[0]) for r in q(url, "show tables")}


def my_record(url: str, version: str) -> tuple[Any, ...]:
    (row,) = q(
        url,
        "select state, statements_done, done_checksum, detail, checksum "
        f"from dbdesign_migrations where version = '{version}'",
    )
    return row


def marks(url: str) -> list[str]:
    return sorted(str(r[0]) for r in q(url, "select v from marks"))


FILES = {
    "0001_users.up.sql": "create table users (id int primary key, email varchar(100));\n"
    "create index users_email on users (email);\n",
    "0001_users.down.sql": "drop table users;\n",
    "0002_fill.up.sql": "insert into users values (1, 'a@example.com');\n"
    "insert into users values (2, 'b@example.com');\n",
    "0002_fill.down.sql": "delete from users where id in (1, 2);\n",
    "0003_audit.up.sql": "/*!40101 SET @saved = @@sql_mode */;\n"
    "create table audit (email varchar(100));\n"
    "DELIMITER $$\n"
    "create trigger users_ai after insert on users for each row\n"
    "begin\n"
    "  insert into audit values (new.email);\n"
    "end$$\n"
    "DELIMITER ;\n",
    "0003_audit.down.sql": "drop trigger users_ai;\ndrop table audit;\n",
}


def test_up_status_validate_down_and_dry_run(my_db: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", FILES)
    args = ("--db", my_db, "--dir", str(folder))
    dry = cli("migrate", "up", "--dry-run", *args)
    assert dry.returncode == 0, dry.stderr
    assert "-- 0001_users.up.sql (no transaction: CREATE commits implicitly)" in dry.stdout
    assert "-- 0002_fill.up.sql\nBEGIN;\ninsert into users" in dry.stdout
    assert "DELIMITER $$\ncreate trigger users_ai" in dry.stdout and "end$$\nDELIMITER ;" in (
        dry.stdout
    )
    assert my_history(my_db) == []

    up = cli("migrate", "up", *args)
    assert up.returncode == 0, up.stderr
    assert up.stdout.count("applied ") == 3
    assert my_history(my_db) == [(v, "applied") for v in ("0001", "0002", "0003")]
    assert my_record(my_db, "0001")[:3] == ("applied", 2, None)
    assert my_record(my_db, "0001")[4] == checksum(FILES["0001_users.up.sql"])
    # the trigger from the DELIMITER block works
    q(my_db, "insert into users values (3, 'c@example.com')")
    assert q(my_db, "select email from audit") == [("c@example.com",)]
    # the history table: InnoDB, MySQL types
    ((engine,),) = q(
        my_db,
        "select engine from information_schema.tables "
        "where table_schema = database() and table_name = 'dbdesign_migrations'",
    )
    assert engine == "InnoDB"
    types = dict(
        q(
            my_db,
            "select column_name, column_type from information_schema.columns where "
            "table_schema = database() and table_name = 'dbdesign_migrations'",
        )
    )
    assert types["applied_at"] == "datetime(6)" and types["version"] == "varchar(64)"
    assert list(types) == [
        "version",
        "name",
        "checksum",
        "applied_at",
        "duration_ms",
        "applied_by",
        "state",
        "statements_done",
        "detail",
        "done_checksum",
    ]

    st = cli("migrate", "status", *args)
    assert st.returncode == 0, st.stderr
    assert [ln.split()[:2] for ln in st.stdout.splitlines()] == [
        ["applied", "0001_users"],
        ["applied", "0002_fill"],
        ["applied", "0003_audit"],
    ]
    js = json.loads(cli("migrate", "status", "--format", "json", *args).stdout)
    assert js["drift"] is False and js["migrations"][0]["applied_at"].endswith("+00")
    va = cli("migrate", "validate", *args)
    assert va.returncode == 0 and "ok: 3 applied migration(s) match" in va.stdout
    assert cli("migrate", "up", *args).stdout.strip() == "nothing to do"

    down = cli("migrate", "down", *args)
    assert down.returncode == 0, down.stderr
    assert "reverted 0003_audit.down.sql" in down.stdout
    assert "audit" not in my_tables(my_db)
    assert my_history(my_db) == [("0001", "applied"), ("0002", "applied")]
    down = cli("migrate", "down", "--to", "0000", *args)
    assert down.returncode == 0, down.stderr
    assert my_history(my_db) == [] and "users" not in my_tables(my_db)
    st = cli("migrate", "status", *args)
    assert st.returncode == 0 and st.stdout.count("pending") == 3


def test_baseline_then_up(my_db: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", FILES)
    args = ("--db", my_db, "--dir", str(folder))
    q(my_db, "create table users (id int primary key, email varchar(100))")
    b = cli("migrate", "baseline", "0002", *args)
    assert b.returncode == 0, b.stderr
    assert my_history(my_db) == [("0001", "baseline"), ("0002", "baseline")]
    again = cli("migrate", "baseline", "0002", *args)
    assert again.returncode == 2 and "is not empty" in again.stderr
    up = cli("migrate", "up", *args)
    assert up.returncode == 0, up.stderr
    assert "applied 0003_audit.up.sql" in up.stdout and "0001" not in up.stdout
    assert my_history(my_db)[-1] == ("0003", "applied")


def test_data_only_file_runs_in_one_transaction(my_db: str, tmp_path: Path) -> None:
    """INSERT/UPDATE/DELETE only: the file and its history row commit together or not at
    all."""
    files = {
        "0001_marks.up.sql": "create table marks (v varchar(20)) engine=InnoDB;\n",
        "0002_fill.up.sql": "insert into marks values ('s1');\n"
        "update marks set v = 's1b' where v = 's1';\n"
        "insert into nowhere values ('s3');\n",
    }
    folder = write_folder(tmp_path / "m", files)
    args = ("--db", my_db, "--dir", str(folder))
    r = cli("migrate", "up", *args)
    assert r.returncode == 2
    assert "0002_fill.up.sql:3: ERROR 1146 (42S02): Table" in r.stderr
    assert "0002_fill was rolled back: the database and dbdesign_migrations are as they were" in (
        r.stderr
    )
    assert marks(my_db) == []
    assert my_history(my_db) == [("0001", "applied")]
    (folder / "0002_fill.up.sql").write_text(files["0002_fill.up.sql"].replace("nowhere", "marks"))
    assert cli("migrate", "up", *args).returncode == 0
    assert marks(my_db) == ["s1b", "s3"]
    assert my_record(my_db, "0002")[:2] == ("applied", 3)


FAILING = {
    "0001_marks.up.sql": "create table marks (v varchar(20));\n",
    "0002_orders.up.sql": "create table orders (id int primary key);\n"
    "insert into marks values ('s2');\n"
    "insert into nowhere values ('s3');\n"
    "create index orders_id on orders (id);\n",
}


def test_failing_third_statement_then_resume_after_fixing(my_db: str, tmp_path: Path) -> None:
    """Statement 3 fails: statements 1-2 stay applied (DDL commits implicitly), the history
    says exactly that, and repair --resume runs statements 3-4 once the file is fixed."""
    folder = write_folder(tmp_path / "m", FAILING)
    up_file = folder / "0002_orders.up.sql"
    args = ("--db", my_db, "--dir", str(folder))
    r = cli("migrate", "up", *args)
    assert r.returncode == 2
    assert "0002_orders.up.sql:3: ERROR 1146 (42S02)" in r.stderr
    assert "statement: insert into nowhere values ('s3')" in r.stderr
    assert "statements 1-2 of 4 took effect and this one did not" in r.stderr
    assert "orders" in my_tables(my_db) and marks(my_db) == ["s2"]
    stmts = split_mysql(read_script(up_file))
    state, done, done_sum, detail, _ = my_record(my_db, "0002")
    assert (state, done, done_sum) == ("failed", 2, statements_checksum(stmts[:2]))
    assert detail.startswith(
        "up: 2 of 4 statements of 0002_orders.up.sql completed; statement 3 (line 3) failed: "
        "ERROR 1146 (42S02): Table"
    )
    st = cli("migrate", "status", *args)
    assert st.returncode == 1
    line = next(x for x in st.stdout.splitlines() if "0002_orders" in x)
    assert line.startswith("failed") and "2 of 4 statements" in line
    js = json.loads(cli("migrate", "status", "--format", "json", *args).stdout)
    (entry,) = [e for e in js["migrations"] if e["version"] == "0002"]
    assert entry["progress"]["statements_done"] == 2 and entry["progress"]["statements"] == 4
    va = cli("migrate", "validate", *args)
    assert va.returncode == 1 and "failed: 0002_orders" in va.stdout
    again = cli("migrate", "up", *args)
    assert again.returncode == 2 and "nothing was run" in again.stderr
    bare = cli("migrate", "repair", *args)
    assert bare.returncode == 2 and "--resume` runs statements 3-4" in bare.stderr
    assert marks(my_db) == ["s2"]

    # a completed statement changed: resume refuses and changes nothing
    up_file.write_text(FAILING["0002_orders.up.sql"].replace("'s2'", "'S2'"))
    refused = cli("migrate", "repair", "--resume", *args)
    assert refused.returncode == 2 and "changed in statements 1-2, which already ran" in (
        refused.stderr
    )
    assert my_record(my_db, "0002")[:2] == ("failed", 2)

    fixed = FAILING["0002_orders.up.sql"].replace("nowhere", "marks")
    up_file.write_text(fixed)
    rep = cli("migrate", "repair", "--resume", *args)
    assert rep.returncode == 0, rep.stderr
    assert "resumed: ran statements 3-4 of 0002_orders.up.sql; applied" in rep.stdout
    assert marks(my_db) == ["s2", "s3"]  # statement 2 ran once
    assert q(my_db, "show index from orders where key_name = 'orders_id'")
    state, done, done_sum, detail, file_sum = my_record(my_db, "0002")
    assert (state, done, done_sum, detail, file_sum) == ("applied", 4, None, None, checksum(fixed))
    assert cli("migrate", "validate", *args).returncode == 0


def test_mark_applied_and_forget(my_db: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", FAILING)
    args = ("--db", my_db, "--dir", str(folder))
    assert cli("migrate", "up", *args).returncode == 2
    forget = cli("migrate", "repair", "--forget", *args)
    assert forget.returncode == 0, forget.stderr
    assert "forgotten" in forget.stdout and "2 statement(s) took effect" in forget.stdout
    assert my_history(my_db) == [("0001", "applied")]
    assert cli("migrate", "up", *args).returncode == 2  # the whole file again: orders exists
    assert my_record(my_db, "0002")[:2] == ("failed", 0)
    q(my_db, "insert into marks values ('s3')")
    q(my_db, "create index orders_id on orders (id)")
    mark = cli("migrate", "repair", "--mark-applied", *args)
    assert mark.returncode == 0, mark.stderr
    assert "marked applied" in mark.stdout
    assert my_record(my_db, "0002")[:2] == ("applied", 4)
    assert cli("migrate", "validate", *args).returncode == 0


def test_checksum_drift_in_status_and_validate(my_db: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", FILES)
    args = ("--db", my_db, "--dir", str(folder))
    assert cli("migrate", "up", *args).returncode == 0
    (folder / "0002_fill.up.sql").write_text(FILES["0002_fill.up.sql"] + "-- edited\n")
    st = cli("migrate", "status", *args)
    assert st.returncode == 1
    assert "changed      0002_fill" in st.stdout and "changed since it was applied" in st.stdout
    va = cli("migrate", "validate", *args)
    assert va.returncode == 1 and "changed: 0002_fill" in va.stdout
    js = json.loads(cli("migrate", "validate", "--format", "json", *args).stdout)
    assert js["ok"] is False and [d["version"] for d in js["drift"]] == ["0002"]
    (folder / "0004_more.up.sql").write_text("insert into users values (9, 'z');\n")
    up = cli("migrate", "up", *args)
    assert up.returncode == 2 and "does not match the migrations folder" in up.stderr
    rep = cli("migrate", "repair", "--accept-checksums", *args)
    assert rep.returncode == 0 and "checksum updated" in rep.stdout
    assert cli("migrate", "validate", *args).returncode == 0
    assert cli("migrate", "up", *args).returncode == 0


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("start transaction;", "transaction control statements are not allowed"),
        ("commit;", "transaction control statements are not allowed"),
        ("use mysql;", "USE is not allowed in migration files"),
        ("lock tables users write;", "LOCK TABLES is not allowed"),
        ("set autocommit = 0;", "SET autocommit is not allowed"),
        ("select 'unterminated;", "unterminated string literal"),
    ],
)
def test_refused_before_anything_runs(
    my_db: str, tmp_path: Path, statement: str, message: str
) -> None:
    files = {
        "0001_users.up.sql": FILES["0001_users.up.sql"],
        "0002_bad.up.sql": "insert into users values (1, 'a');\n" + statement + "\n",
    }
    folder = write_folder(tmp_path / "m", files)
    r = cli("migrate", "up", "--db", my_db, "--dir", str(folder))
    assert r.returncode == 2
    assert "0002_bad.up.sql:2" in r.stderr and message in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert my_history(my_db) == [] and "users" not in my_tables(my_db)


def test_lock_wait_then_proceed_or_give_up(my_db: str, tmp_path: Path) -> None:
    """Another session holds the migration lock: a runner polls GET_LOCK(name, 0) and exits 2
    naming the holder when its wait ends, or proceeds once the lock is released."""
    folder = write_folder(tmp_path / "m", FILES)
    args = ("--db", my_db, "--dir", str(folder))
    database = my_db.rsplit("/", 1)[1]
    holder = connect_mysql(my_db, autocommit=True)
    try:
        with holder.cursor() as cur:
            cur.execute("select get_lock(%s, 0), connection_id()", [lock_name(database)])
            got, conn_id = cur.fetchone()
        assert got == 1
        r = cli("migrate", "up", "--lock-wait", "1", *args)
        assert r.returncode == 2
        assert "waiting for the migration lock" in r.stderr
        assert "holds the migration lock on mysql://" in r.stderr
        assert f"(connection {conn_id}); gave up after waiting 1s" in r.stderr
        assert my_history(my_db) == []
        # status while the lock is held (it does not take the lock)
        assert cli("migrate", "status", *args).returncode == 0

        # released once the runner has said it waits (an event, not a delay)
        waiting = Output(runner(my_db, folder, "--lock-wait", "120"))
        try:
            deadline = time.monotonic() + 60
            while not waiting.said("waiting for the migration lock"):
                assert waiting.proc.poll() is None, waiting.finish()
                assert time.monotonic() < deadline, "the runner never said it waits"
                time.sleep(0.02)
            assert my_history(my_db) == []  # it really waits: nothing ran
            with holder.cursor() as cur:
                cur.execute("select release_all_locks()")
            out, err, code = waiting.finish()
        finally:
            if waiting.proc.poll() is None:
                waiting.proc.kill()
                waiting.proc.wait(60)
    finally:
        holder.close()
    assert code == 0, err
    assert "waiting for the migration lock" in err
    assert out.count("applied ") == 3, out
    assert my_history(my_db) == [(v, "applied") for v in ("0001", "0002", "0003")]
    # released at the end
    assert q(my_db, f"select is_used_lock('{lock_name(database)}')") == [(None,)]


def test_timeouts(my_db: str, tmp_path: Path) -> None:
    """statement_timeout: MariaDB max_statement_time; lock_timeout: lock_wait_timeout (a DDL
    waiting for a table's metadata lock) and innodb_lock_wait_timeout; both per migration."""
    files = {
        "0001_marks.up.sql": "create table marks (v varchar(20));\n",
        "0002_quick.up.sql": "-- dbdesign: statement_timeout=500ms\nselect sleep(0.1);\n",
        "0003_slower.up.sql": "select sleep(1);\n",  # the session's own limit is back
    }
    folder = write_folder(tmp_path / "m", files)
    args = ("--db", my_db, "--dir", str(folder))
    r = cli("migrate", "up", *args)
    assert r.returncode == 0, r.stderr
    slow = folder / "0004_slow.up.sql"
    # without the file's limit the sleep would end normally and the migration succeed
    slow.write_text("-- dbdesign: statement_timeout=500ms\nselect sleep(60);\n")
    r = cli("migrate", "up", *args)
    assert r.returncode == 2
    assert "0004_slow.up.sql:2: ERROR 1969 (70100)" in r.stderr and "max_statement_time" in (
        r.stderr
    )
    slow.write_text(
        "-- dbdesign: lock_timeout=1s\ninsert into marks values ('s1');\n"
        "alter table marks add column w int;\n"
    )
    blocker = connect_mysql(my_db, autocommit=False)
    try:
        with blocker.cursor() as cur:
            cur.execute("select count(*) from marks")  # holds its metadata lock
        # without the file's lock_timeout the ALTER would wait for the blocker (a year by
        # default) and the 120 s bound of cli() would fail the test
        r = cli("migrate", "up", *args)
    finally:
        blocker.rollback()
        blocker.close()
    assert r.returncode == 2
    assert "0004_slow.up.sql:3: ERROR 1205 (HY000): Lock wait timeout exceeded" in r.stderr
    assert my_record(my_db, "0004")[:2] == ("failed", 1)
    rep = cli("migrate", "repair", "--resume", *args)
    assert rep.returncode == 0, rep.stderr
    assert marks(my_db) == ["s1"]
    assert my_history(my_db)[-1] == ("0004", "applied")


TESTED = {
    "0001_users.up.sql": "create table users (id int primary key, email varchar(100));\n",
    "0001_users.down.sql": "drop table users;\n",
    "0002_audit.up.sql": FILES["0003_audit.up.sql"],
    "0002_audit.down.sql": FILES["0003_audit.down.sql"],
    "0003_email.up.sql": "create index users_email on users (email);\n"
    "alter table users add column nick varchar(20);\n",
    "0003_email.down.sql": "alter table users drop column nick;\n",  # forgets the index
    "0004_more.up.sql": "alter table users add column age int;\n",
    "0004_more.down.sql": "alter table users drop column email;\n",
}


def test_migrate_test_reports_the_first_down_that_does_not_restore(tmp_path: Path) -> None:
    server = mysql_server_url()
    folder = write_folder(tmp_path / "m", TESTED)
    r = cli("migrate", "test", "--db", server, "--dir", str(folder))
    assert r.returncode == 1, r.stderr
    assert "ok 0001_users\nok 0002_audit\n" in r.stdout
    assert (
        "FAILED 0003_email: 0003_email.down.sql does not restore the schema from before "
        "0003_email.up.sql" in r.stdout
    )
    assert "  added index main.users.users_email" in r.stdout

    (folder / "0003_email.down.sql").write_text(
        "drop index users_email on users;\nalter table users drop column nick;\n"
    )
    r = cli("migrate", "test", "--db", server, "--dir", str(folder), "--format", "json")
    assert r.returncode == 1, r.stderr
    result = json.loads(r.stdout)
    assert result["checked"] == ["0001_users", "0002_audit", "0003_email"]
    assert result["failed"] == "0004_more"
    # the down drops a column the up did not add (and leaves the one it added)
    details = [d["detail"] for d in result["differences"]]
    assert any("columns[email] removed" in d for d in details), details
    assert any("columns[age] added" in d for d in details), details

    (folder / "0004_more.down.sql").write_text("alter table users drop column age;\n")
    r = cli("migrate", "test", "--db", server, "--dir", str(folder))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ok: 4 migration(s): every down restores the schema" in r.stdout


def test_from_diff_is_postgresql_only(my_db: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", FILES)
    target = tmp_path / "target.sql"
    target.write_text("create table users (id int primary key);\n")
    r = cli("migrate", "new", "x", "--from-diff", str(target), "--db", my_db, "--dir", str(folder))
    assert r.returncode == 2
    assert "`migrate new --from-diff` is PostgreSQL only" in r.stderr
    assert "Traceback" not in r.stderr
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)


def test_url_without_a_database(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", FILES)
    server = mysql_server_url().rsplit("/", 1)[0]
    r = cli("migrate", "status", "--db", server, "--dir", str(folder))
    assert r.returncode == 2 and "names no database" in r.stderr


def test_python_api(my_db: str, tmp_path: Path) -> None:
    """The same functions the CLI calls: migrate, status."""
    from dbdesign.migrate import Settings, migrate, status

    folder = write_folder(tmp_path / "m", FILES)
    steps = migrate(my_db, Settings(dir=folder))
    assert [s.migration.version for s in steps] == ["0001", "0002", "0003"]
    assert all(s.dialect == "mysql" for s in steps)
    report = status(my_db, Settings(dir=folder))
    assert [e.status for e in report.entries] == ["applied"] * 3
