"""The SQLite bulk writer (dbdesign.databases.bulk_sqlite) on a file, and the SQLite URL forms a
load accepts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dbdesign import dialects
from dbdesign.databases import bulk_sqlite


@pytest.mark.parametrize(
    ("target", "file"),
    [
        ("sqlite:///app.db", "app.db"),
        ("sqlite:////abs/app.db", "/abs/app.db"),
        ("SQLite:///App.db", "App.db"),
        ("sqlite://app.db", "app.db"),
        ("sqlite://", ""),  # a temporary database
        ("sqlite:app.db", "app.db"),
        ("sqlite::memory:", ":memory:"),
        ("app.db", "app.db"),
        ("dir/app.SQLITE3", "dir/app.SQLITE3"),
        ("app.sqlite", "app.sqlite"),
        ("postgresql://h/app.db", None),
        ("mysql://h/app.db", None),
        ("other://h/app.db", None),
        ("app", None),
        ("", None),
    ],
)
def test_the_file_of_a_sqlite_target(target: str, file: str | None) -> None:
    assert dialects.database_file(target) == file


@pytest.fixture
def con(tmp_path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(tmp_path / "bulk.db", isolation_level=None)
    con.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p)")
    return con


def test_rows_written_updated_and_checked(con: sqlite3.Connection) -> None:
    assert bulk_sqlite.is_connection(con) and bulk_sqlite.label(con) == "sqlite"
    cache = con.execute("PRAGMA cache_size").fetchone()[0]
    with bulk_sqlite.bulk_session(con):
        assert con.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert con.execute("PRAGMA cache_size").fetchone()[0] <= -bulk_sqlite.CACHE_KIB
        with bulk_sqlite.transaction(con):
            bulk_sqlite.defer_foreign_keys(con)
            bulk_sqlite.row_writer(con, "c", ("id", "p"))([(1, 7), (2, None)])
            assert [tuple(r) for r in bulk_sqlite.foreign_key_violations(con)] == [("c", 1, "p", 0)]
            bulk_sqlite.row_writer(con, "p", ("id", "name"))([(7, "a"), (8, None)])
            bulk_sqlite.update_rows(con, "p", ("name",), ("id",), [("b", 8)])
            assert bulk_sqlite.foreign_key_violations(con) == []
    assert con.execute("PRAGMA cache_size").fetchone()[0] == cache  # the old one, back
    assert con.execute("SELECT * FROM p ORDER BY id").fetchall() == [(7, "a"), (8, "b")]
    bulk_sqlite.analyze(con)
    assert con.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0] > 0


def test_a_failed_block_leaves_nothing(con: sqlite3.Connection) -> None:
    with pytest.raises(sqlite3.IntegrityError), bulk_sqlite.transaction(con):
        bulk_sqlite.row_writer(con, "p", ("id",))([(1,), (1,)])
    assert not con.in_transaction
    # inside the caller's transaction: a savepoint, the caller's rows kept
    con.execute("BEGIN")
    bulk_sqlite.row_writer(con, "p", ("id",))([(5,)])
    with pytest.raises(sqlite3.IntegrityError), bulk_sqlite.transaction(con):
        bulk_sqlite.row_writer(con, "p", ("id",))([(6,), (5,)])
    assert con.in_transaction
    con.execute("COMMIT")
    assert con.execute("SELECT id FROM p").fetchall() == [(5,)]
