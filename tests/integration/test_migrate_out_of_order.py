"""A migration older than the latest applied one (a branch merged late): ``migrate up`` refuses it
(exit 2, one line naming it and the two ways out; nothing runs, not even the dry run) until
``--out-of-order`` or ``out_of_order = true`` allows it; then it is applied alone, and ``down``
still reverts by version. On SQLite and on both PostgreSQL servers, through the real command."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.integration.test_migrate_helpers import cli, pg_history, pg_tables, write_folder

FIRST = {
    "0001_a.up.sql": "create table a (x int);\n",
    "0001_a.down.sql": "drop table a;\n",
    "0003_c.up.sql": "create table c (x int);\n",
    "0003_c.down.sql": "drop table c;\n",
}
LATE = {
    "0002_b.up.sql": "create table b (x int);\n",
    "0002_b.down.sql": "drop table b;\n",
}
REFUSAL = (
    "dbdesign: error: pending migration 0002_b is older than the latest applied one; rename it "
    "to a newer version, or allow it with --out-of-order (out_of_order = true)"
)

History = Callable[[], list[tuple[str, str]]]
Tables = Callable[[], set[str]]


def sqlite_history(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select version, state from dbdesign_migrations order by version")
        out = [(str(v), str(s)) for v, s in rows]
    conn.close()
    return out


def sqlite_tables(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        out = {
            str(r[0]) for r in conn.execute("select name from sqlite_master where type = 'table'")
        }
    conn.close()
    return out


def check_out_of_order(url: str, folder: Path, history: History, tables: Tables) -> None:
    args = ("--db", url, "--dir", str(folder))
    write_folder(folder, FIRST)
    r = cli("migrate", "up", *args)
    assert r.returncode == 0, r.stderr
    write_folder(folder, LATE)  # a branch with 0002 merged after 0003 was deployed
    before = history()
    assert before == [("0001", "applied"), ("0003", "applied")]

    for extra in ((), ("--dry-run",), ("--to", "0002")):
        r = cli("migrate", "up", *args, *extra)
        assert r.returncode == 2, (extra, r.stdout, r.stderr)
        assert r.stderr.strip().splitlines() == [REFUSAL], r.stderr
        assert r.stdout == ""
    assert history() == before and "b" not in tables()

    st = cli("migrate", "status", *args, "--format", "json")
    assert st.returncode == 0, st.stderr  # not drift: nothing applied has changed
    entries = {e["version"]: e for e in json.loads(st.stdout)["migrations"]}
    assert entries["0002"]["status"] == "out_of_order"
    assert entries["0002"]["detail"] == "older than the latest applied version 0003"

    r = cli("migrate", "up", *args, "--out-of-order")
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(r"applied 0002_b\.up\.sql \(\d+ ms\)\n", r.stdout), r.stdout
    assert "b" in tables()
    assert history() == [("0001", "applied"), ("0002", "applied"), ("0003", "applied")]
    again = cli("migrate", "up", *args)
    assert (again.returncode, again.stdout) == (0, "nothing to do\n"), again.stderr

    # down goes by version, not by when a file was applied: 0003 first
    r = cli("migrate", "down", *args)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("reverted 0003_c.down.sql"), r.stdout
    assert "c" not in tables() and "b" in tables()


def test_out_of_order_on_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    check_out_of_order(
        f"sqlite:///{db}", tmp_path / "m", lambda: sqlite_history(db), lambda: sqlite_tables(db)
    )


def test_out_of_order_on_postgres(pg_scratch: str, tmp_path: Path) -> None:
    check_out_of_order(
        pg_scratch, tmp_path / "m", lambda: pg_history(pg_scratch), lambda: pg_tables(pg_scratch)
    )


def test_out_of_order_allowed_by_the_configuration(tmp_path: Path) -> None:
    """``out_of_order = true`` in dbdesign.toml (found from the working directory) allows it
    without the flag; the folder comes from the same file."""
    db = tmp_path / "app.db"
    folder = write_folder(tmp_path / "m", FIRST)
    env = {k: v for k, v in os.environ.items() if k != "DBDESIGN_DATABASE_URL"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "dbdesign", "migrate", *args, "--db", f"sqlite:///{db}"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    config = tmp_path / "dbdesign.toml"
    config.write_text('[migrate]\ndir = "m"\n')
    assert run("up").returncode == 0
    write_folder(folder, LATE)
    refused = run("up")
    assert refused.returncode == 2 and refused.stderr.strip() == REFUSAL, refused.stderr
    assert sqlite_history(db) == [("0001", "applied"), ("0003", "applied")]
    config.write_text('[migrate]\ndir = "m"\nout_of_order = true\n')
    r = run("up")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("applied 0002_b.up.sql"), r.stdout
    assert sqlite_history(db) == [("0001", "applied"), ("0002", "applied"), ("0003", "applied")]
