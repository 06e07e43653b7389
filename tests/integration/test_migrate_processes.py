"""Reliability with real processes on PostgreSQL: a runner killed with SIGKILL mid-migration,
and two runners started together (20 trials, with a CREATE INDEX CONCURRENTLY in the set).

Every step waits for an event seen on the server (a session in pg_sleep, a lock in pg_locks, a
runner's own "waiting" line), never for a length of time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

import psycopg
import pytest

from dbdesign.engine import connect, scratch_database
from dbdesign.migrate.backend_pg import LOCK_KEY
from tests.conftest import server_url
from tests.integration.test_migrate_helpers import pg_history, pg_tables, write_folder

LONG = {
    "0001_a.up.sql": "create table a (id int primary key);\n",
    "0002_slow.up.sql": "create table b (id int primary key);\ninsert into b values (1);\n"
    "select pg_sleep(600);\ncreate table c (id int);\n",
    "0003_after.up.sql": "create table d (id int);\n",
}


def runner(url: str, folder: Path, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "DBDESIGN_DATABASE_URL"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dbdesign",
            "migrate",
            "up",
            "--db",
            url,
            "--dir",
            str(folder),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_for_sleep(url: str, proc: subprocess.Popen[str], timeout: float = 60) -> int:
    """The server process of the runner's session once it sleeps in ``pg_sleep(600)``."""
    deadline = time.monotonic() + timeout
    with connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND query LIKE '%select pg_sleep(600)%' "
                "AND wait_event = 'PgSleep'"
            ).fetchone()
            if row:
                return int(row[0])
            assert proc.poll() is None, proc.communicate(timeout=60)
            time.sleep(0.05)
    raise AssertionError("the runner never reached pg_sleep")


@pytest.mark.parametrize("server", ["embedded", "pg15"])
def test_kill_9_in_the_middle_of_a_migration(server: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", LONG)
    with scratch_database(server_url(server)) as url:
        proc = runner(url, folder)
        sleeper = wait_for_sleep(url, proc)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        # consistent at once: 0001 applied, nothing of 0002 (its transaction never commits)
        assert pg_history(url) == [("0001", "applied")]
        assert not {"b", "c", "d"} & pg_tables(url)
        # 0002 is not in the history, so it may change: make the rerun quick. The rerun takes
        # the lock, ends the dead runner's server process if it is still there (its 10-minute
        # sleep holds table b's name, which the rerun creates), and completes.
        (folder / "0002_slow.up.sql").write_text(LONG["0002_slow.up.sql"].replace("600", "0.1"))
        rerun = runner(url, folder, "--lock-wait", "60")
        _out, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err
        with connect(url) as conn:
            gone = conn.execute("select count(*) from pg_stat_activity where pid = %s", [sleeper])
            assert gone.fetchone() == (0,)  # the dead runner's session was ended, not waited for
        assert pg_history(url) == [("0001", "applied"), ("0002", "applied"), ("0003", "applied")]
        assert {"a", "b", "c", "d"} <= pg_tables(url)
        with connect(url) as conn:
            assert conn.execute("select count(*) from b").fetchone() == (1,)


MARK = "insert into applied_count values ('{v}');\n"  # running twice would show
GATE = 4242  # an advisory lock key the test holds: 0001 waits for it while holding the lock
RACE = {
    "0001_users.up.sql": "create table applied_count (version text);\n"
    "create table users (id int primary key, email text);\n"
    "insert into users select g, 'u' || g from generate_series(1, 20000) g;\n"
    f"select pg_advisory_xact_lock({GATE});\n" + MARK.format(v="0001"),
    "0002_email.up.sql": "-- dbdesign: no-transaction\n"
    "create index concurrently users_email on users (email);\n" + MARK.format(v="0002"),
    "0003_orders.up.sql": "create table orders (id int primary key, user_id int);\n"
    + MARK.format(v="0003"),
    "0004_fill.up.sql": "insert into orders select g, g from generate_series(1, 5000) g;\n"
    + MARK.format(v="0004"),
    "0005_more.up.sql": "-- dbdesign: no-transaction\n"
    "create index concurrently orders_user on orders (user_id);\n" + MARK.format(v="0005"),
}
VERSIONS = ("0001", "0002", "0003", "0004", "0005")
WAITING = "waiting for the migration lock"


class Output:
    """A runner's stdout and stderr read as they come (threads), so a test can wait for a line
    while the process runs."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.out: list[str] = []
        self.err: list[str] = []
        self._threads = [
            threading.Thread(target=self._read, args=(proc.stdout, self.out), daemon=True),
            threading.Thread(target=self._read, args=(proc.stderr, self.err), daemon=True),
        ]
        for t in self._threads:
            t.start()

    @staticmethod
    def _read(stream: IO[str] | None, into: list[str]) -> None:
        assert stream is not None
        for line in stream:
            into.append(line)

    def said(self, text: str) -> bool:
        return any(text in line for line in list(self.err))

    def finish(self, timeout: float = 120) -> tuple[str, str, int]:
        code = self.proc.wait(timeout)
        for t in self._threads:
            t.join(timeout)
        return "".join(self.out), "".join(self.err), code


def _gate_state(conn: psycopg.Connection[Any]) -> tuple[int | None, int | None]:
    """(the server process holding the migration lock, the one waiting at the gate)."""
    row = conn.execute(
        "SELECT (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND database = d.oid AND classid::bigint = ((%(key)s::bigint >> 32) & 4294967295) "
        "AND objid::bigint = (%(key)s::bigint & 4294967295) AND objsubid = 1), "
        "(SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
        "AND database = d.oid AND classid = 0 AND objid = %(gate)s AND objsubid = 1) "
        "FROM pg_database d WHERE d.datname = current_database()",
        {"key": LOCK_KEY, "gate": GATE},
    ).fetchone()
    assert row is not None
    return row[0], row[1]


def _trial(base: str, folder: Path, trial: int) -> None:
    """One trial on its own scratch database. Both runners start together; the one that gets
    the migration lock stops in 0001 at a gate (an advisory lock the test holds) until the
    other has said it waits for the migration lock; then the gate opens and the holder goes on
    to build indexes CONCURRENTLY while the other keeps polling."""
    with scratch_database(base) as url, connect(url, autocommit=True) as gate:
        gate.execute("SELECT pg_advisory_lock(%s)", [GATE])
        runners = [Output(runner(url, folder, "--lock-wait", "120")) for _ in range(2)]
        try:
            deadline = time.monotonic() + 60
            while True:  # a bound against hanging, not a measurement
                holder, at_gate = _gate_state(gate)
                if (
                    holder is not None
                    and at_gate is not None
                    and any(r.said(WAITING) for r in runners)
                ):
                    break
                for r in runners:
                    assert r.proc.poll() is None, (trial, r.finish())
                assert time.monotonic() < deadline, (trial, holder, at_gate, runners[0].err)
                time.sleep(0.02)
            gate.execute("SELECT pg_advisory_unlock(%s)", [GATE])
            results = [r.finish() for r in runners]
        finally:
            for r in runners:
                if r.proc.poll() is None:
                    r.proc.kill()
                    r.proc.wait(60)
        for _out, err, code in results:
            assert code == 0, f"trial {trial}: {err}"
        applied = sorted(out.count("applied ") for out, _, _ in results)
        assert applied == [0, 5], (trial, results)
        # the one that applied nothing is the one that waited
        waited = [WAITING in err for out, err, _ in results if out.count("applied ") == 0]
        assert waited == [True], (trial, results)
        assert pg_history(url) == [(v, "applied") for v in VERSIONS]
        with connect(url) as conn:
            marks = [r[0] for r in conn.execute("select version from applied_count").fetchall()]
            invalid = conn.execute("select count(*) from pg_index where not indisvalid").fetchone()
        assert sorted(marks) == list(VERSIONS), marks  # each migration ran exactly once
        assert invalid == (0,)
        assert {"users_email", "orders_user"} <= pg_tables(url)


@pytest.mark.slow
@pytest.mark.parametrize("server", ["embedded", "pg15"])
def test_two_runners_started_together(server: str, tmp_path: Path) -> None:
    """20 trials (4 at a time, each on its own database): both runners exit 0, every migration
    is applied exactly once, no deadlock (a deadlock would hit the 120 s bound), and in every
    trial one runner waited while the other built indexes CONCURRENTLY (made certain by the
    gate in 0001, opened only once the waiting runner has said it waits)."""
    folder = write_folder(tmp_path / "m", RACE)
    base = server_url(server)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda t: _trial(base, folder, t), range(20)))
