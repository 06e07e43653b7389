"""``dbdesign server status`` and ``dbdesign server stop``: the embedded PostgreSQL is started by
the first command that needs it, reused, stopped cleanly on request, and started again by the
next command. Runs in a fresh data directory of its own ($DBDESIGN_EMBEDDED_DIR), never the
shared one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dbdesign import engine


def _postgres_processes(data_dir: Path) -> list[int]:
    """The pids of the live (not zombie) postgres processes whose command line names
    ``data_dir`` (read from /proc)."""
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
            state = (proc / "stat").read_text().rpartition(")")[2].split()[0]
        except (OSError, IndexError):
            continue  # gone meanwhile
        if (
            Path(argv[0]).name.startswith("postgres")
            and state != "Z"
            and any(str(data_dir) in part for part in argv)
        ):
            out.append(int(proc.name))
    return out


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    d = tmp_path / "pg"
    yield d
    # whatever happened, leave no server behind
    env = {**os.environ, engine.ENV_EMBEDDED_DIR: str(d)}
    subprocess.run(
        [sys.executable, "-m", "dbdesign", "server", "stop"],
        env=env,
        capture_output=True,
        timeout=120,
    )
    for pid in _postgres_processes(d):
        os.kill(pid, signal.SIGKILL)


def _run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in (engine.ENV_DATABASE_URL, "NO_COLOR")}
    env[engine.ENV_EMBEDDED_DIR] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _status(data_dir: Path) -> dict[str, object]:
    r = _run(data_dir, "server", "status", "--format", "json")
    assert r.returncode == 0, r.stderr
    data: dict[str, object] = json.loads(r.stdout)
    assert data["data_dir"] == str(data_dir)
    return data


def test_status_stop_and_restart(data_dir: Path) -> None:
    # nothing there yet: status starts nothing, stop has nothing to stop
    st = _status(data_dir)
    assert st["state"] == "not created" and st["running"] is False
    assert str(st["version"]).startswith("PostgreSQL 16")
    r = _run(data_dir, "server", "stop")
    assert r.returncode == 0 and "is not running" in r.stdout
    assert not (data_dir / "PG_VERSION").exists()

    # a command that needs a database and is given none starts it, and leaves it running
    r = _run(data_dir, "explain", "SELECT 1", "--no-analyze")
    assert r.returncode == 0, r.stderr
    st = _status(data_dir)
    assert st["state"] == "running" and st["running"] is True
    assert isinstance(st["pid"], int) and _alive(st["pid"])
    assert st["pid"] in _postgres_processes(data_dir)
    assert str(st["url"]).startswith("postgresql://")
    assert str(st["socket"]).endswith(".s.PGSQL.5432")
    assert str(st["version"]).startswith("PostgreSQL 16.")
    assert _postgres_processes(data_dir)
    first_pid = st["pid"]

    # the next command reuses it
    r = _run(data_dir, "explain", "SELECT 2", "--no-analyze")
    assert r.returncode == 0, r.stderr
    assert _status(data_dir)["pid"] == first_pid

    text = _run(data_dir, "server", "status")
    assert text.returncode == 0
    assert f"data directory  {data_dir}" in text.stdout
    assert "state           running" in text.stdout

    # stop: cleanly, and no process for that data directory remains
    r = _run(data_dir, "server", "stop")
    assert r.returncode == 0, r.stderr
    assert f"stopped the embedded PostgreSQL in {data_dir}" in r.stdout
    assert not _postgres_processes(data_dir)
    assert not (data_dir / "postmaster.pid").exists()  # a clean shutdown removes it
    st = _status(data_dir)
    assert st["state"] == "stopped" and st["running"] is False and st["pid"] is None
    r = _run(data_dir, "server", "stop")
    assert r.returncode == 0 and "is not running" in r.stdout

    # the next command starts it again
    r = _run(data_dir, "--verbose", "explain", "SELECT 3", "--no-analyze")
    assert r.returncode == 0, r.stderr
    assert "embedded PostgreSQL: starting the server on" in r.stderr
    st = _status(data_dir)
    assert st["state"] == "running" and st["pid"] != first_pid


def test_stop_timeout_must_be_positive(data_dir: Path) -> None:
    r = _run(data_dir, "server", "stop", "--timeout", "0")
    assert r.returncode == 2 and "--timeout" in r.stderr
