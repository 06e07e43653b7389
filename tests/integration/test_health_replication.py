"""dbdesign health: replication lag on a real primary and streaming standby.

The machine's PostgreSQL 15 is a lone primary, so the test builds a throwaway pair with its
binaries (initdb, pg_ctl, pg_basebackup of /usr/lib/postgresql/15/bin) in a temporary directory
on free ports: the standby's replay is paused, the primary writes, and the ``replication`` check
must report the lag on both sides (pg_stat_replication on the primary, the time since the last
replayed transaction on the standby); after replay resumes and the standby catches up it must
report nothing. initdb and postgres refuse to run as root: as root they run as the ``postgres``
OS user; otherwise as the current user. Where the binaries cannot run the test fails, saying
why. Both servers are stopped and their directory removed in a ``finally``, also on failure or
interruption. Every wait is bounded and nothing asserts a duration."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from dbdesign import api
from dbdesign.health import HealthFinding, HealthReport
from tests.integration.health_support import config

BIN = Path(os.environ.get("DBDESIGN_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
OS_USER = "postgres"  # who runs the servers when the test runs as root
WAIT_S = 90  # the longest any wait for the servers may take before the test fails
LAG_S = 1  # replication_lag_s of the test: the lag is built until it is at least this
MONITOR = "dbdesign_health_monitor"  # a login role with only pg_monitor
STANDBY = "dbdesign_standby"  # the standby's cluster_name, its application_name on the primary


@dataclass
class Pair:
    root: Path
    primary: str
    standby: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", OS_USER, "--", *args] if os.geteuid() == 0 else args


def _run(args: list[str], what: str, timeout: float = WAIT_S) -> None:
    try:
        done = subprocess.run(
            _as_owner(args), capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.fail(f"{what}: could not run {args[0]}: {e}")
    if done.returncode:
        pytest.fail(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def _settings(data: Path, port: int, extra: str) -> None:
    with (data / "postgresql.conf").open("a") as f:
        f.write(
            f"\nport = {port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{data.parent}'\n"
            "fsync = off\nshared_buffers = 16MB\nmax_connections = 20\n"
            "wal_level = replica\nmax_wal_senders = 4\n"
            "wal_receiver_status_interval = 1s\nwal_sender_timeout = 60s\n" + extra
        )


def _start(data: Path, what: str) -> None:
    log = data.parent / f"{data.name}.log"
    try:
        _run(
            [
                str(BIN / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-w",
                "-t",
                str(WAIT_S),
                "start",
            ],
            f"starting the {what}",
            timeout=WAIT_S + 30,
        )
    except pytest.fail.Exception as e:
        tail = log.read_text(errors="replace")[-4000:] if log.exists() else "(no log)"
        pytest.fail(f"{e}\nits log:\n{tail}")


def _stop(data: Path, mode: str = "immediate") -> None:
    if (data / "postmaster.pid").exists():
        subprocess.run(
            _as_owner([str(BIN / "pg_ctl"), "-D", str(data), "-m", mode, "-w", "stop"]),
            capture_output=True,
            timeout=WAIT_S,
            check=False,
        )


def _check_binaries() -> None:
    missing = [b for b in ("initdb", "pg_ctl", "pg_basebackup") if not (BIN / b).is_file()]
    if missing:
        pytest.fail(f"no PostgreSQL binaries {', '.join(missing)} in {BIN}")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(OS_USER)
        except KeyError:
            pytest.fail(f"running as root, and there is no OS user {OS_USER} to run postgres as")
        if not shutil.which("runuser"):
            pytest.fail("running as root, and there is no runuser to run postgres as postgres")


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt meanwhile (in the main thread), so that a terminated
    test run still stops the servers and removes their directory."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    before = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


@pytest.fixture
def pair() -> Iterator[Pair]:
    """A primary and a streaming standby of it, stopped and removed afterwards."""
    _check_binaries()
    with _terminate_as_interrupt():
        yield from _pair()


def _pair() -> Iterator[Pair]:
    root = Path(tempfile.mkdtemp(prefix="dbdesign-replication-"))
    primary, standby = root / "primary", root / "standby"
    try:
        if os.geteuid() == 0:
            user = pwd.getpwnam(OS_USER)
            os.chown(root, user.pw_uid, user.pw_gid)
        root.chmod(0o700)
        _run(
            [
                str(BIN / "initdb"),
                "-D",
                str(primary),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
            "initdb of the primary",
        )
        port_p = _free_port()
        _settings(primary, port_p, "")
        _start(primary, "primary")
        _run(
            [
                str(BIN / "pg_basebackup"),
                "-D",
                str(standby),
                "-h",
                "127.0.0.1",
                "-p",
                str(port_p),
                "-U",
                "postgres",
                "-X",
                "stream",
                "-R",
                "-c",
                "fast",
                "--no-sync",
            ],
            "pg_basebackup of the standby",
        )
        port_s = _free_port()
        _settings(standby, port_s, f"hot_standby = on\ncluster_name = '{STANDBY}'\n")
        _start(standby, "standby")
        yield Pair(
            root,
            f"postgresql://postgres@127.0.0.1:{port_p}/postgres",
            f"postgresql://postgres@127.0.0.1:{port_s}/postgres",
        )
    finally:
        try:
            _stop(standby)
        finally:
            try:
                _stop(primary)
            finally:
                shutil.rmtree(root, ignore_errors=True)


def _until(url: str, query: str, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    with psycopg.connect(url, autocommit=True) as conn:
        while not conn.execute(query).fetchone()[0]:  # type: ignore[index]
            if time.monotonic() > deadline:
                pytest.fail(f"waited {WAIT_S} s for {what}")
            time.sleep(0.2)


def _replayed(primary: psycopg.Connection[Any], standby_url: str) -> None:
    """Wait until the standby has replayed everything the primary has written so far."""
    row = primary.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    assert row is not None
    _until(
        standby_url,
        f"SELECT pg_last_wal_replay_lsn() >= '{row[0]}'::pg_lsn",
        f"the standby to replay up to {row[0]}",
    )


def _review(url: str, tmp_path: Path, lag_s: float = LAG_S) -> HealthReport:
    return api.health(
        url, checks=["replication"], config=config(tmp_path, f"replication_lag_s = {lag_s}")
    )


def _lags(report: HealthReport) -> list[HealthFinding]:
    assert report.notes == ()
    return [f for f in report.findings if f.check == "replication"]


def _until_reported(url: str, tmp_path: Path, obj: str) -> HealthFinding:
    """Review until the check reports the lag of ``obj`` (its only finding)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        found = _lags(_review(url, tmp_path))
        if found:
            assert [f.object for f in found] == [obj]
            return found[0]
        if time.monotonic() > deadline:
            pytest.fail(f"waited {WAIT_S} s for the replication check to report {obj}")
        time.sleep(0.3)


def _until_clear(url: str, tmp_path: Path) -> None:
    deadline = time.monotonic() + WAIT_S
    while True:
        found = _lags(_review(url, tmp_path))
        if not found:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"still reported after {WAIT_S} s: {found}")
        time.sleep(0.3)


def _as_monitor(url: str) -> str:
    return make_conninfo(url, user=MONITOR)


def test_replication_lag_on_the_primary_and_the_standby(pair: Pair, tmp_path: Path) -> None:
    """Replay paused on the standby while the primary writes: the lag is reported on both
    sides (to a role with only pg_monitor, the role the review needs), not with a threshold
    above it, and no longer once the fix resumes replay and the standby has caught up."""
    _until(
        pair.primary,
        "SELECT count(*) = 1 FROM pg_stat_replication "
        f"WHERE application_name = '{STANDBY}' AND state = 'streaming'",
        "the standby to stream",
    )
    primary_url, standby_url = _as_monitor(pair.primary), _as_monitor(pair.standby)
    with psycopg.connect(pair.primary, autocommit=True) as primary:
        primary.execute(f"CREATE ROLE {MONITOR} LOGIN IN ROLE pg_monitor")
        primary.execute("CREATE TABLE t (id int)")
        primary.execute("INSERT INTO t VALUES (1)")
        _replayed(primary, pair.standby)
        # streaming and caught up: nothing to report on either side
        _until_clear(primary_url, tmp_path)
        _until_clear(standby_url, tmp_path)
        with psycopg.connect(pair.standby, autocommit=True) as standby:
            standby.execute("SELECT pg_wal_replay_pause()")
            _until(pair.standby, "SELECT pg_get_wal_replay_pause_state() = 'paused'", "a pause")
            primary.execute("INSERT INTO t VALUES (2)")
            _until(
                pair.standby,
                "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()",
                "the standby to receive WAL it does not replay",
            )
            on_standby = _until_reported(standby_url, tmp_path, "this standby")
            assert re.fullmatch(
                r"replay \d+(\.\d)? s behind, \d+ bytes of WAL", on_standby.value
            ), on_standby.value
            assert on_standby.threshold == f"< {LAG_S} s"
            assert on_standby.fix == "SELECT pg_wal_replay_resume();  -- replay is paused"
            on_primary = _until_reported(primary_url, tmp_path, f"standby {STANDBY}")
            assert re.fullmatch(
                r"replay lag \d+(\.\d)? s, \d+ bytes of WAL \(streaming\)", on_primary.value
            ), on_primary.value
            assert on_primary.threshold == f"< {LAG_S} s"
            assert "SELECT pg_wal_replay_resume();  -- if replay is paused" in on_primary.fix
            assert on_primary.fix.startswith("-- on that standby:\n")
            # near misses: the same lag under a threshold of an hour is not reported
            assert _lags(_review(standby_url, tmp_path, 3600)) == []
            assert _lags(_review(primary_url, tmp_path, 3600)) == []
            assert count(pair.standby, "SELECT count(*) FROM t") == 1  # still paused
            standby.execute(on_standby.fix)
        _replayed(primary, pair.standby)
        assert count(pair.standby, "SELECT count(*) FROM t") == 2
        _until_clear(standby_url, tmp_path)
        _until_clear(primary_url, tmp_path)


def test_a_standby_restarted_without_its_primary_has_no_lag(pair: Pair, tmp_path: Path) -> None:
    """Near miss: a standby restarted while its primary is down has replayed everything it has
    (its receive position restarts at the segment's start, behind the replayed one) and has
    replayed no transaction since it started: nothing is waiting, so no lag is reported (though
    the time since its last replayed transaction, or its start, is above the threshold)."""
    _until(
        pair.primary,
        "SELECT count(*) = 1 FROM pg_stat_replication WHERE state = 'streaming'",
        "the standby to stream",
    )
    with psycopg.connect(pair.primary, autocommit=True) as primary:
        primary.execute("CREATE TABLE t (id int)")
        _replayed(primary, pair.standby)
    _stop(pair.root / "primary", "fast")
    _stop(pair.root / "standby", "fast")
    _start(pair.root / "standby", "standby")
    _until(
        pair.standby,
        "SELECT statement_timestamp() - coalesce(pg_last_xact_replay_timestamp(), "
        f"pg_postmaster_start_time()) > make_interval(secs => {2 * LAG_S})",
        "the restarted standby to run twice the threshold",
    )
    assert _lags(_review(pair.standby, tmp_path)) == []


def count(url: str, query: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0])
