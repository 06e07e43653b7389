"""The embedded PostgreSQL when it cannot simply start: a stale postmaster.pid left by a server
that died (its pid gone, or reused by another process), a data directory the server refuses
(files of another version, a bad setting, a socket lock held by a live process), and a data
directory that cannot be one (a file, a folder below a file, a non-empty folder). A stale pid
file is cleared and the server starts; every failure is one line naming the data directory and
the server's own reason, exit 2, no traceback and no dump of the server log, and no server left
running. Each test uses a data directory of its own ($DBDESIGN_EMBEDDED_DIR), never the shared
one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dbdesign import engine
from tests.integration.test_server_cli import _postgres_processes, _run, _status


@pytest.fixture
def pgdata(tmp_path: Path) -> Iterator[Path]:
    """A data directory of the test's own; no server is left running on it afterwards."""
    d = tmp_path / "pg"
    yield d
    _run(d, "server", "stop")
    for pid in _postgres_processes(d):
        os.kill(pid, signal.SIGKILL)


def _created_and_stopped(pgdata: Path) -> str:
    """Create the server in ``pgdata``, stop it cleanly; the postmaster.pid it had."""
    r = _run(pgdata, "explain", "SELECT 1", "--no-analyze")
    assert r.returncode == 0, r.stderr
    pid_file = (pgdata / "postmaster.pid").read_text()
    r = _run(pgdata, "server", "stop")
    assert r.returncode == 0, r.stderr
    assert not (pgdata / "postmaster.pid").exists()
    return pid_file


def _stale(pgdata: Path, pid_file: str, pid: int) -> None:
    """Put back the pid file of the stopped server, naming ``pid``, owned as the server's."""
    path = pgdata / "postmaster.pid"
    path.write_text("\n".join([str(pid), *pid_file.split("\n")[1:]]))
    owner = pgdata.stat()
    os.chown(path, owner.st_uid, owner.st_gid)


@pytest.fixture
def other_process() -> Iterator[subprocess.Popen[bytes]]:
    """A live process that is no PostgreSQL server, of the user the server runs as."""
    p = subprocess.Popen(["sleep", "600"], user=engine._server_user())
    yield p
    p.kill()
    p.wait(timeout=60)


def _starts_again(pgdata: Path, not_pid: int) -> None:
    r = _run(pgdata, "explain", "SELECT 1", "--no-analyze")
    assert r.returncode == 0, r.stderr
    st = _status(pgdata)
    assert st["state"] == "running" and st["pid"] != not_pid
    assert st["pid"] in _postgres_processes(pgdata)


def test_stale_pid_file_of_a_dead_server(pgdata: Path) -> None:
    pid_file = _created_and_stopped(pgdata)
    gone = subprocess.Popen(["true"])
    gone.wait(timeout=60)  # reaped: its pid names no process
    _stale(pgdata, pid_file, gone.pid)
    assert _status(pgdata)["state"] == "stopped"
    _starts_again(pgdata, gone.pid)


def test_stale_pid_file_whose_pid_another_process_has(
    pgdata: Path, other_process: subprocess.Popen[bytes]
) -> None:
    """After a crash and a reboot the pid in postmaster.pid may belong to anything: it was
    taken for a running server (exit 2, 'connection refused' on a socket nobody listens on)."""
    pid_file = _created_and_stopped(pgdata)
    _stale(pgdata, pid_file, other_process.pid)
    assert _status(pgdata)["state"] == "stopped"
    _starts_again(pgdata, other_process.pid)
    assert other_process.poll() is None  # left alone


def _one_line(r: subprocess.CompletedProcess[str], pgdata: Path, reason: str) -> str:
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr  # no pgserver log dump
    line = lines[0]
    assert line.startswith(f"dbdesign: error: cannot start the embedded PostgreSQL in {pgdata}: ")
    assert reason in line, (reason, line)
    assert line.endswith(
        f"set {engine.ENV_EMBEDDED_DIR} to another folder, or {engine.ENV_DATABASE_URL} to use "
        "another server)"
    ), line
    assert r.stdout == ""
    return line


def _break_version(pgdata: Path) -> str:
    (pgdata / "PG_VERSION").write_text("9\n")
    return (
        "database files are incompatible with server: The data directory was initialized by "
        "PostgreSQL version 9, which is not compatible with this version 16."
    )


def _break_setting(pgdata: Path) -> str:
    with open(pgdata / "postgresql.auto.conf", "a") as fh:
        fh.write("shared_buffers = 'lots'\n")
    return f'configuration file "{pgdata}/postgresql.auto.conf" contains errors'


def _hold_socket(pgdata: Path, pid: int) -> str:
    lock = pgdata / ".s.PGSQL.5432.lock"
    lock.write_text(f"{pid}\n{pgdata}\n1700000000\n5432\n{pgdata}\n\n  0 0\nready\n")
    return (
        f'lock file "{lock}" already exists: Is another postmaster (PID {pid}) using socket '
        f'file "{pgdata}/.s.PGSQL.5432"?'
    )


@pytest.mark.parametrize("fault", ["version", "setting", "socket"])
def test_a_server_that_refuses_to_start(
    pgdata: Path, fault: str, other_process: subprocess.Popen[bytes]
) -> None:
    _created_and_stopped(pgdata)
    if fault == "version":
        reason = _break_version(pgdata)
    elif fault == "setting":
        reason = _break_setting(pgdata)
    else:
        reason = _hold_socket(pgdata, other_process.pid)
    r = _run(pgdata, "explain", "SELECT 1", "--no-analyze")
    line = _one_line(r, pgdata, reason)
    assert f"(see {pgdata / 'log'}; " in line
    assert _status(pgdata)["state"] == "stopped"
    assert not _postgres_processes(pgdata)
    assert other_process.poll() is None


def _tree(path: Path) -> list[tuple[str, int, int, int]]:
    """Every entry below ``path`` (and itself): name, owner, group, mode."""
    out = []
    for p in [path, *sorted(path.rglob("*"))] if path.is_dir() else [path]:
        st = p.lstat()
        out.append((str(p), st.st_uid, st.st_gid, st.st_mode))
    return out


@pytest.mark.parametrize("kind", ["file", "below_a_file", "non_empty_folder"])
def test_a_data_directory_that_cannot_be_one(tmp_path: Path, kind: str) -> None:
    """Refused before anything is made or changed in it (pgserver hands a data directory to
    its own user: a folder of the user's must keep its owner)."""
    taken = tmp_path / "taken"
    if kind == "non_empty_folder":
        taken.mkdir()
        (taken / "notes.txt").write_text("mine\n")
        pgdata, reason = taken, "the folder is not empty and holds no PostgreSQL data"
    else:
        taken.write_text("mine\n")
        pgdata, reason = taken, "it is a file, not a folder"
        if kind == "below_a_file":
            pgdata, reason = taken / "pg", f": {taken}"
    before = _tree(taken)
    env = {k: v for k, v in os.environ.items() if k != engine.ENV_DATABASE_URL}
    env[engine.ENV_EMBEDDED_DIR] = str(pgdata)
    r = subprocess.run(
        [sys.executable, "-m", "dbdesign", "explain", "SELECT 1", "--no-analyze"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    line = _one_line(r, pgdata, reason)
    assert "(see " not in line  # there is no server log to see
    assert _tree(taken) == before
    assert not _postgres_processes(pgdata)
