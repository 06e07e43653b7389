"""Reliability with real processes on MySQL/MariaDB (``$DBDESIGN_TEST_MYSQL_URL``): a runner
killed with SIGKILL inside a slow statement (a SELECT SLEEP, and an ALTER TABLE waiting for a
table's metadata lock), then status and repair; and two runners started together (10 trials),
which apply every migration exactly once, one of them after waiting for the other. Every step
waits for an event seen on the server (a processlist state, IS_USED_LOCK, a runner's own
"waiting" line), never for a length of time."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dbdesign.engine import connect_mysql, mysql_scratch_database
from dbdesign.migrate.backend_mysql import lock_name, split_mysql
from dbdesign.migrate.files import read_script, statements_checksum
from tests.integration.test_migrate_helpers import cli, write_folder
from tests.integration.test_migrate_mysql import marks, my_history, my_record, my_tables, q
from tests.integration.test_migrate_processes import WAITING, Output, runner
from tests.mysqlload import mysql_server_url


def wait_for_state(url: str, proc: subprocess.Popen[str], state: str, timeout: float = 30) -> int:
    """The connection of the runner once its statement is in ``state`` (processlist)."""
    database = url.rsplit("/", 1)[1]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = q(
            url,
            "select id from information_schema.processlist "
            f"where db = '{database}' and state = '{state}'",
        )
        if rows:
            return int(rows[0][0])
        assert proc.poll() is None, proc.communicate(timeout=60)
        time.sleep(0.05)
    raise AssertionError(f"the runner never reached {state!r}")


def lock_holder(url: str) -> int | None:
    database = url.rsplit("/", 1)[1]
    ((holder,),) = q(url, f"select is_used_lock('{lock_name(database)}')")
    return None if holder is None else int(holder)


def wait_until_released(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while lock_holder(url) is not None:
        assert time.monotonic() < deadline, "the killed runner's session never ended"
        time.sleep(0.1)


SLEEPY = {
    "0001_marks.up.sql": "create table marks (v varchar(20));\n",
    "0002_slow.up.sql": "insert into marks values ('s1');\n"
    "create table t2 (id int);\n"
    "select sleep(30);\n"
    "insert into marks values ('s4');\n",
    "0003_after.up.sql": "insert into marks values ('0003');\n",
}


def test_kill_9_during_select_sleep_then_repair(tmp_path: Path) -> None:
    """The killed runner's session lives on until the server has finished what it was sent: the
    SLEEP (which MariaDB ends early once it sees the client gone) and its progress. A second
    runner started at once waits for the lock meanwhile, then refuses with the account."""
    folder = write_folder(tmp_path / "m", SLEEPY)
    with mysql_scratch_database(mysql_server_url()) as url:
        args = ("--db", url, "--dir", str(folder))
        proc = runner(url, folder)
        conn_id = wait_for_state(url, proc, "User sleep")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        before = lock_holder(url)
        st = cli("migrate", "status", *args)
        if before == conn_id and lock_holder(url) == conn_id:  # still finishing its statement
            assert st.returncode == 1
            assert (
                f"a runner is still running it (connection {conn_id} holds the migration lock)"
                in st.stdout
            ), st.stdout
        up = cli("migrate", "up", "--lock-wait", "60", *args)
        assert up.returncode == 2, up.stderr
        assert "nothing was run" in up.stderr
        assert "`dbdesign migrate repair --resume` runs statement 4 of 0002_slow.up.sql" in (
            up.stderr
        )
        # an exact account: statements 1-3 completed (the sleep and its count committed
        # together), statement 4 not run
        stmts = split_mysql(read_script(folder / "0002_slow.up.sql"))
        state, done, done_sum, detail, _ = my_record(url, "0002")
        assert (state, done, done_sum) == ("running", 3, statements_checksum(stmts[:3]))
        assert detail == (
            "up: 3 of 4 statements of 0002_slow.up.sql completed; statement 4 (line 4) started"
        )
        assert marks(url) == ["s1"] and "t2" in my_tables(url)
        st = cli("migrate", "status", *args)
        assert st.returncode == 1
        line = next(x for x in st.stdout.splitlines() if "0002_slow" in x)
        assert line.startswith("running")
        assert "no runner holds the migration lock: the runner stopped" in line
        va = cli("migrate", "validate", *args)
        assert va.returncode == 1 and "running: 0002_slow" in va.stdout

        rep = cli("migrate", "repair", "--resume", *args)
        assert rep.returncode == 0, rep.stderr
        assert "resumed: ran statement 4 of 0002_slow.up.sql; applied" in rep.stdout
        assert marks(url) == ["s1", "s4"]
        assert cli("migrate", "up", *args).returncode == 0
        assert marks(url) == ["0003", "s1", "s4"]
        assert my_history(url) == [(v, "applied") for v in ("0001", "0002", "0003")]
        assert cli("migrate", "validate", *args).returncode == 0


ALTER = {
    "0001_tables.up.sql": "create table marks (v varchar(20));\n"
    "create table big (id int primary key, v varchar(64));\n"
    "insert into big values (1, 'a'), (2, 'b'), (3, 'c');\n",
    "0002_alter.up.sql": "insert into marks values ('s1');\n"
    "alter table big add column w int not null default 0;\n"
    "insert into marks values ('s3');\n",
}


def test_kill_9_inside_an_alter_then_resume(tmp_path: Path) -> None:
    """Statement 2, an ALTER TABLE, waits for the metadata lock of a transaction that read the
    table; the runner is killed there. The server ends the ALTER (the client is gone) before it
    changed anything: the history says 1 of 3 completed, statement 2 started, and --resume runs
    statements 2-3 once the other transaction is gone."""
    folder = write_folder(tmp_path / "m", ALTER)
    with mysql_scratch_database(mysql_server_url()) as url:
        args = ("--db", url, "--dir", str(folder))
        assert cli("migrate", "up", "--to", "0001", *args).returncode == 0
        blocker = connect_mysql(url, autocommit=False)
        try:
            with blocker.cursor() as cur:
                cur.execute("select count(*) from big")
            proc = runner(url, folder)
            wait_for_state(url, proc, "Waiting for table metadata lock")
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
            wait_until_released(url)
            state, done, _, detail, _ = my_record(url, "0002")
            assert (state, done) == ("running", 1)
            assert detail == (
                "up: 1 of 3 statements of 0002_alter.up.sql completed; statement 2 (line 2) started"
            )
            assert marks(url) == ["s1"]
            assert "w" not in {r[0] for r in q(url, "show columns from big")}
            st = cli("migrate", "status", *args)
            assert st.returncode == 1 and "the runner stopped" in st.stdout
            bare = cli("migrate", "repair", *args)
            assert bare.returncode == 2 and "runs statements 2-3 of 0002_alter.up.sql" in (
                bare.stderr
            )
        finally:
            blocker.rollback()
            blocker.close()
        rep = cli("migrate", "repair", "--resume", *args)
        assert rep.returncode == 0, rep.stderr
        assert "resumed: ran statements 2-3 of 0002_alter.up.sql; applied" in rep.stdout
        assert marks(url) == ["s1", "s3"]
        assert "w" in {r[0] for r in q(url, "show columns from big")}
        assert my_history(url) == [("0001", "applied"), ("0002", "applied")]


MARK = "insert into applied_count values ('{v}');\n"  # running twice would show
# a user-level lock the test holds: 0001 waits for it while its runner holds the migration lock
GATE = "concat('dbdesign-test-gate:', database())"
RACE = {
    "0001_users.up.sql": "create table applied_count (version varchar(8));\n"
    "create table users (id int primary key, email varchar(100));\n"
    "insert into users values (1, 'a'), (2, 'b'), (3, 'c');\n"
    f"select get_lock({GATE}, 300);\nselect release_lock({GATE});\n" + MARK.format(v="0001"),
    "0002_email.up.sql": "create index users_email on users (email);\n" + MARK.format(v="0002"),
    "0003_orders.up.sql": "create table orders (id int primary key, user_id int);\n"
    + MARK.format(v="0003"),
    "0004_fill.up.sql": "insert into orders values (1, 1), (2, 2);\n"  # one transaction
    + MARK.format(v="0004"),
    "0005_more.up.sql": "alter table orders add index orders_user (user_id);\n"
    + MARK.format(v="0005"),
}
VERSIONS = ("0001", "0002", "0003", "0004", "0005")


def _holder_at_gate(url: str) -> bool:
    """The connection holding the migration lock (IS_USED_LOCK) waits for the gate (its
    processlist state is 'User lock')."""
    database = url.rsplit("/", 1)[1]
    rows = q(
        url,
        "select p.id from information_schema.processlist p "
        f"where p.id = is_used_lock('{lock_name(database)}') and p.state = 'User lock'",
    )
    return bool(rows)


def _trial(base: str, folder: Path, trial: int) -> None:
    """One trial on its own scratch database. Both runners start together; the one that gets
    the migration lock stops in 0001 at the gate until the other has said it waits for the
    migration lock; then the gate opens and the holder applies the rest while the other keeps
    polling."""
    with mysql_scratch_database(base) as url:
        gate = connect_mysql(url, autocommit=True)
        try:
            with gate.cursor() as cur:
                cur.execute(f"select get_lock({GATE}, 0)")
                assert cur.fetchone() == (1,)
            runners = [Output(runner(url, folder, "--lock-wait", "120")) for _ in range(2)]
            try:
                deadline = time.monotonic() + 60
                # a bound against hanging, not a measurement
                while not (_holder_at_gate(url) and any(r.said(WAITING) for r in runners)):
                    for r in runners:
                        assert r.proc.poll() is None, (trial, r.finish())
                    assert time.monotonic() < deadline, (trial, [r.err for r in runners])
                    time.sleep(0.02)
                with gate.cursor() as cur:
                    cur.execute(f"select release_lock({GATE})")
                results = [r.finish() for r in runners]
            finally:
                for r in runners:
                    if r.proc.poll() is None:
                        r.proc.kill()
                        r.proc.wait(60)
        finally:
            gate.close()
        for _out, err, code in results:
            assert code == 0, f"trial {trial}: {err}"
        applied = sorted(out.count("applied ") for out, _, _ in results)
        assert applied == [0, 5], (trial, results)
        # the one that applied nothing is the one that waited
        waited = [WAITING in err for out, err, _ in results if out.count("applied ") == 0]
        assert waited == [True], (trial, results)
        assert my_history(url) == [(v, "applied") for v in VERSIONS]
        done = sorted(str(r[0]) for r in q(url, "select version from applied_count"))
        assert done == list(VERSIONS), done  # each migration ran exactly once
        assert {"users", "orders"} <= my_tables(url)
        assert lock_holder(url) is None


def test_two_runners_started_together(tmp_path: Path) -> None:
    """10 trials (2 at a time, each on its own database): both runners exit 0, every migration
    is applied exactly once, and in every trial one runner waited for the other (made certain
    by the gate in 0001, opened only once the waiting runner has said it waits)."""
    folder = write_folder(tmp_path / "m", RACE)
    base = mysql_server_url()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda t: _trial(base, folder, t), range(10)))
