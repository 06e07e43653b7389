"""engine: real servers (the embedded PostgreSQL 16 and $DBDESIGN_TEST_PG_URL)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from dbdesign import engine
from dbdesign.errors import ConnectionError, DbdesignError


def test_embedded_server_answers() -> None:
    url = engine.embedded_url()
    with engine.connect(url) as conn:
        row = conn.execute("select 1, current_setting('server_version_num')::int").fetchone()
    assert row is not None
    assert row[0] == 1
    assert 160000 <= row[1] < 170000


def test_embedded_reuse_in_a_new_process_starts_nothing() -> None:
    """A new process reuses the running server by reading postmaster.pid: pgserver's
    get_server (which starts a server) is never called, and the server is the same one (its
    start time unchanged)."""
    url = engine.embedded_url()  # make sure it is running
    started = "select pg_postmaster_start_time()::text"
    with engine.connect(url) as conn:
        before = conn.execute(started).fetchone()
    refusing = (
        "import warnings\n"
        "with warnings.catch_warnings():\n"
        "    warnings.simplefilter('ignore')\n"
        "    import pgserver.postgres_server as ps\n"
        "def refuse(*a, **k):\n"
        "    raise SystemExit('get_server called: the running server was not reused')\n"
        "ps.get_server = refuse\n"
    )
    plain = "from dbdesign import engine\nprint(engine.embedded_url())\n"
    for code in (refusing + plain, plain):  # the plain run: what a user's process prints
        out = subprocess.run(
            [sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.splitlines() == [url]
        assert "XDG_RUNTIME_DIR" not in out.stderr
    with engine.connect(url) as conn:
        assert conn.execute(started).fetchone() == before


def test_embedded_concurrent_first_use(tmp_path: Path) -> None:
    """Two processes asking for a not-yet-started server get the same one."""
    env = {**os.environ, "DBDESIGN_EMBEDDED_DIR": str(tmp_path / "pg")}
    code = (
        "from dbdesign import engine; u = engine.embedded_url(); "
        "c = engine.connect(u); print(c.execute('select 1').fetchone()[0]); print(u)"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    try:
        for p, (out, err) in zip(procs, outs, strict=True):
            assert p.returncode == 0, err
            assert out.splitlines()[0] == "1"
        assert outs[0][0].splitlines()[1] == outs[1][0].splitlines()[1]
    finally:
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import pgserver, sys; pgserver.get_server(sys.argv[1], cleanup_mode='delete')",
                str(tmp_path / "pg"),
            ],
            env=env,
            check=False,
            capture_output=True,
            timeout=120,
        )


def test_resolve_url_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBDESIGN_DATABASE_URL", "postgresql://from-env/db")
    assert engine.resolve_url("postgresql://given/db") == "postgresql://given/db"
    assert engine.resolve_url(None) == "postgresql://from-env/db"
    monkeypatch.delenv("DBDESIGN_DATABASE_URL")
    assert engine.resolve_url(None) == engine.embedded_url()


def test_unreachable_url_raises_one_redacted_line() -> None:
    url = "postgresql://u:secret@127.0.0.1:1/x"
    with pytest.raises(ConnectionError) as info:
        engine.connect(url)
    text = str(info.value)
    assert isinstance(info.value, DbdesignError)
    assert "secret" not in text
    assert "\n" not in text
    assert text.startswith("cannot connect to postgresql://u:***@127.0.0.1:1/x: ")
    assert info.value.__cause__ is None  # the psycopg error (with the URL) is not chained


def test_bad_password_is_not_leaked(pg_urls: str) -> None:
    """A wrong password on a real server: the reason line must not echo it."""
    bad = pg_urls.replace("postgres@", "nosuchrole_dbdesign:hunter2pw@", 1)
    if bad == pg_urls:  # the embedded URL has 'postgres:@'
        bad = pg_urls.replace("postgres:@", "nosuchrole_dbdesign:hunter2pw@", 1)
    with pytest.raises(ConnectionError) as info:
        engine.connect(bad)
    assert "hunter2pw" not in str(info.value)
    assert "nosuchrole_dbdesign" in str(info.value)


def test_connect_autocommit(pg_urls: str) -> None:
    with engine.connect(pg_urls, autocommit=True) as conn:
        assert conn.autocommit
        assert conn.execute("select 1").fetchone() == (1,)


def _exists(url: str, name: str) -> bool:
    with engine.connect(url) as conn:
        row = conn.execute(
            "select count(*) from pg_database where datname = %s", (name,)
        ).fetchone()
    return row is not None and row[0] == 1


def test_scratch_database_creates_and_drops(pg_urls: str) -> None:
    with engine.scratch_database(pg_urls) as url:
        with engine.connect(url) as conn:
            row = conn.execute("select current_database()").fetchone()
            assert row is not None
            name = row[0]
            conn.execute("create table t (a int)")
            conn.commit()
        assert name.startswith("dbdesign_scratch_")
        assert _exists(pg_urls, name)
        # an open connection does not keep it from being dropped (WITH (FORCE))
        held = engine.connect(url)
    assert not _exists(pg_urls, name)
    held.close()


def test_scratch_database_dropped_on_error(pg_urls: str) -> None:
    name = ""
    with pytest.raises(RuntimeError), engine.scratch_database(pg_urls) as url:
        name = str(conninfo_to_dict(url)["dbname"])
        assert _exists(pg_urls, name)
        raise RuntimeError("boom")
    assert name.startswith("dbdesign_scratch_")
    assert not _exists(pg_urls, name)
