"""Migrations folders that cannot be trusted, as the real command meets them: a file that is not
UTF-8, a missing folder, two files for one version, names that are not migrations, a down file
without its up file, an entry that cannot be read, an unknown header option. Each is one line
naming the path (and the line where there is one), exit 2, and nothing applied: the folder is
read whole before the database is touched, so even the good migration before the bad file does
not run (on SQLite the database file is not even created; on PostgreSQL no history table).
A missing down file is no error until ``down`` needs it; then nothing is reverted."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.integration.test_migrate_helpers import cli, pg_history, pg_tables, write_folder

GOOD = {"0001_a.up.sql": "create table a (x int);\n", "0001_a.down.sql": "drop table a;\n"}
LATIN1 = b"create table b (x int);\n-- caf\xe9\n"


def _make(folder: Path, entries: dict[str, str | bytes | None]) -> None:
    """Write ``entries`` into ``folder``: text, bytes, or None for a dangling symbolic link;
    a name ending in ``/`` is made a folder."""
    for name, content in entries.items():
        p = folder / name.rstrip("/")
        if name.endswith("/"):
            p.mkdir()
        elif content is None:
            p.symlink_to(folder / "nowhere.sql")
        elif isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content)


# (id, entries beside GOOD, the path named (relative to the folder; "" the folder), message)
CASES = [
    ("non_utf8_up", {"0002_b.up.sql": LATIN1}, "0002_b.up.sql:2",
     "not UTF-8: byte 0xe9 (invalid continuation byte)"),
    ("non_utf8_down", {"0002_b.up.sql": "create table b (x int);\n",
                       "0002_b.down.sql": b"drop table b; -- caf\xe9\n"},
     "0002_b.down.sql:1", "not UTF-8: byte 0xe9 (invalid continuation byte)"),
    ("duplicate_version", {"0001_other.up.sql": "select 1;\n"}, "0001_other.up.sql",
     "version 0001 is used twice: 0001_a.up.sql and 0001_other.up.sql"),
    ("same_number", {"001_b.up.sql": "select 1;\n"}, "",
     "versions 0001 and 001 are the same number"),
    ("no_version", {"create_users.sql": "select 1;\n"}, "create_users.sql",
     "not a migration file name (expected NNNN_name.up.sql or NNNN_name.down.sql)"),
    ("upper_case_direction", {"0002_b.UP.sql": "select 1;\n"}, "0002_b.UP.sql",
     "not a migration file name"),
    ("dash_after_version", {"0002-b.up.sql": "select 1;\n"}, "0002-b.up.sql",
     "not a migration file name"),
    ("space_in_name", {"0002_add b.up.sql": "select 1;\n"}, "0002_add b.up.sql",
     "not a migration file name"),
    ("down_without_up", {"0002_b.down.sql": "select 1;\n"}, "0002_b.down.sql",
     "down file without an up file"),
    ("different_names", {"0002_b.up.sql": "select 1;\n", "0002_c.down.sql": "select 1;\n"},
     "0002_c.down.sql",
     "up and down files of version 0002 have different names: 0002_b.up.sql, 0002_c.down.sql"),
    ("folder_named_like_a_file", {"0002_b.up.sql/": ""}, "0002_b.up.sql",
     "cannot read: Is a directory"),
    ("dangling_link", {"0002_b.up.sql": None}, "0002_b.up.sql",
     "cannot read: No such file or directory"),
    ("unknown_header_option", {"0002_b.up.sql": "-- dbdesign: transaction=off\nselect 1;\n"},
     "0002_b.up.sql:1", "unknown header option 'transaction=off' (expected no-transaction, "
     "lock_timeout=<duration>, statement_timeout=<duration>)"),
]  # fmt: skip


def _error(r: subprocess.CompletedProcess[str], where: str, message: str) -> None:
    """Exit 2 and one line, ``dbdesign: error: WHERE: MESSAGE`` (MESSAGE may go on)."""
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"dbdesign: error: {where}: {message}"), (lines[0], where)
    assert r.stdout == ""


@pytest.mark.parametrize("command", ["up", "down", "status"])
@pytest.mark.parametrize(("entries", "where", "message"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_broken_folder_is_refused_before_the_database(
    tmp_path: Path, command: str, entries: dict[str, str | bytes | None], where: str, message: str
) -> None:
    folder = write_folder(tmp_path / "m", GOOD)
    _make(folder, entries)
    db = tmp_path / "app.db"
    r = cli("migrate", command, "--dir", str(folder), "--db", f"sqlite:///{db}")
    path, _, line = where.partition(":")
    named = str(folder / path) if path else str(folder)
    _error(r, f"{named}:{line}" if line else named, message)
    assert not db.exists()  # nothing applied: the database was never opened


def test_missing_folder(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    db = tmp_path / "app.db"
    for command in ("up", "status", "down"):
        r = cli("migrate", command, "--dir", str(folder), "--db", f"sqlite:///{db}")
        assert r.returncode == 2, r.stderr
        assert r.stderr.strip().splitlines() == [
            f"dbdesign: error: migrations folder {folder} does not exist "
            "(run `dbdesign migrate new`)"
        ]
    assert not db.exists() and not folder.exists()


def test_non_utf8_file_on_postgres_applies_nothing(pg_scratch: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", GOOD)
    _make(folder, {"0002_b.up.sql": LATIN1, "0002_b.down.sql": "drop table b;\n"})
    r = cli("migrate", "up", "--dir", str(folder), "--db", pg_scratch)
    _error(r, f"{folder / '0002_b.up.sql'}:2", "not UTF-8: byte 0xe9")
    assert pg_history(pg_scratch) == [] and pg_tables(pg_scratch) == set()


def test_missing_down_file_refuses_down_and_reverts_nothing(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", {**GOOD, "0002_b.up.sql": "create table b (x int);\n"})
    db = tmp_path / "app.db"
    args = ("--dir", str(folder), "--db", f"sqlite:///{db}")
    r = cli("migrate", "up", *args)
    assert r.returncode == 0, r.stderr  # an up file alone is a migration
    up = folder / "0002_b.up.sql"
    for extra in ((), ("--steps", "2"), ("--to", "0000"), ("--dry-run",)):
        r = cli("migrate", "down", *args, *extra)
        _error(r, str(up), "0002_b has no down file")
    with sqlite3.connect(db) as conn:
        tables = {n for (n,) in conn.execute("select name from sqlite_master where type='table'")}
        history = conn.execute("select version, state from dbdesign_migrations").fetchall()
    conn.close()
    assert {"a", "b"} <= tables  # 0001 has a down file and was not reverted either
    assert sorted(history) == [("0001", "applied"), ("0002", "applied")]
