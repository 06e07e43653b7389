"""Reliability with real processes on PostgreSQL: a runner killed with SIGKILL mid-migration,
and two runners started together (20 trials, with a CREATE INDEX CONCURRENTLY in the set)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dbdesign.engine import connect, scratch_database
from tests.conftest import server_url
from tests.integration.test_migrate_helpers import pg_history, pg_tables, write_folder

LONG = {
    "0001_a.up.sql": "create table a (id int primary key);\n",
    "0002_slow.up.sql": "create table b (id int primary key);\ninsert into b values (1);\n"
    "select pg_sleep(60);\ncreate table c (id int);\n",
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


def wait_for_sleep(url: str, proc: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    with connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND query LIKE '%select pg_sleep(60)%' "
                "AND wait_event = 'PgSleep'"
            ).fetchone()
            if row and row[0]:
                return
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
    raise AssertionError("the runner never reached pg_sleep")


@pytest.mark.parametrize("server", ["embedded", "pg15"])
def test_kill_9_in_the_middle_of_a_migration(server: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", LONG)
    with scratch_database(server_url(server)) as url:
        proc = runner(url, folder)
        wait_for_sleep(url, proc)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        # consistent at once: 0001 applied, nothing of 0002 (its transaction never commits)
        assert pg_history(url) == [("0001", "applied")]
        assert not {"b", "c", "d"} & pg_tables(url)
        # 0002 is not in the history, so it may change: make the rerun quick. The rerun takes
        # the lock, ends the dead runner's server process if it is still there, and completes.
        (folder / "0002_slow.up.sql").write_text(LONG["0002_slow.up.sql"].replace("60", "0.1"))
        t0 = time.monotonic()
        rerun = runner(url, folder, "--lock-wait", "20")
        _out, err = rerun.communicate(timeout=60)
        assert rerun.returncode == 0, err
        assert time.monotonic() - t0 < 30
        assert pg_history(url) == [("0001", "applied"), ("0002", "applied"), ("0003", "applied")]
        assert {"a", "b", "c", "d"} <= pg_tables(url)
        with connect(url) as conn:
            assert conn.execute("select count(*) from b").fetchone() == (1,)


MARK = "insert into applied_count values ('{v}');\n"  # running twice would show
RACE = {
    "0001_users.up.sql": "create table applied_count (version text);\n"
    "create table users (id int primary key, email text);\n"
    "insert into users select g, 'u' || g from generate_series(1, 20000) g;\n"
    "select pg_sleep(0.5);\n" + MARK.format(v="0001"),
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


def _trial(base: str, folder: Path, trial: int) -> bool:
    """One trial on its own scratch database; True when one runner waited for the other."""
    with scratch_database(base) as url:
        a, b = runner(url, folder), runner(url, folder)
        results = [(*p.communicate(timeout=60), p.returncode) for p in (a, b)]
        for _out, err, code in results:
            assert code == 0, f"trial {trial}: {err}"
        applied = sorted(out.count("applied ") for out, _, _ in results)
        assert applied == [0, 5], (trial, results)
        assert pg_history(url) == [(v, "applied") for v in VERSIONS]
        with connect(url) as conn:
            marks = [r[0] for r in conn.execute("select version from applied_count").fetchall()]
            invalid = conn.execute("select count(*) from pg_index where not indisvalid").fetchone()
        assert sorted(marks) == list(VERSIONS), marks  # each migration ran exactly once
        assert invalid == (0,)
        assert {"users_email", "orders_user"} <= pg_tables(url)
        return any("waiting for the migration lock" in err for _, err, _ in results)


@pytest.mark.slow
@pytest.mark.parametrize("server", ["embedded", "pg15"])
def test_two_runners_started_together(server: str, tmp_path: Path) -> None:
    """20 trials (4 at a time, each on its own database): both runners exit 0, every migration
    is applied exactly once, no deadlock (a deadlock would hit the 60 s timeout), and in most
    trials one runner really waited while the other built indexes CONCURRENTLY."""
    folder = write_folder(tmp_path / "m", RACE)
    base = server_url(server)
    with ThreadPoolExecutor(4) as pool:
        waited = sum(pool.map(lambda t: _trial(base, folder, t), range(20)))
    assert waited >= 10, waited
