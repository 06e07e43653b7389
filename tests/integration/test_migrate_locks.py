"""The database adapters' primitives the migration backends stand on, on real servers: named
locks (PostgreSQL's advisory locks, MariaDB's GET_LOCK) taken, refused to a second session,
named by their holder and released; literals the server reads back unchanged; the version as
a number; SQLite's write transaction, which a second writer waits for and then is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from dbdesign import databases
from dbdesign.databases.sqlite import SQLiteDatabase
from tests.conftest import server_url
from tests.mysqlload import mysql_server_url

ODD = 'it\'s 100% \\ "odd"\n\té'


def _one(conn: Any, query: str) -> Any:
    if hasattr(conn, "cursor") and not hasattr(conn, "execute"):  # PyMySQL
        with conn.cursor() as cur:
            cur.execute(query)
            return cur.fetchone()[0]
    return conn.execute(query).fetchone()[0]


@pytest.fixture(params=["embedded", "pg15", "mariadb"])
def server(request: pytest.FixtureRequest) -> str:
    return mysql_server_url() if request.param == "mariadb" else server_url(request.param)


def test_named_lock_is_held_by_one_session_and_released(server: str) -> None:
    db = databases.get(server)
    assert db.named_locks
    first = db.connect(server, autocommit=True)
    second = db.connect(server, autocommit=True)
    try:
        name = "dbdesign_test_lock"
        assert db.lock_holder(second, name) is None
        assert db.try_lock(first, name)
        assert not db.try_lock(second, name)
        holder = db.lock_holder(second, name)
        assert isinstance(holder, int) and holder > 0
        db.unlock(first, name)
        assert db.try_lock(second, name)
        db.unlock(second, name)
        assert db.lock_holder(first, name) is None
    finally:
        first.close()
        second.close()


def test_literals_and_version_number(server: str) -> None:
    db = databases.get(server)
    conn = db.connect(server, autocommit=True)
    try:
        assert _one(conn, f"SELECT {db.literal(conn, ODD)}") == ODD
        assert _one(conn, f"SELECT {db.literal(conn, 42)}") == 42
        assert _one(conn, f"SELECT {db.literal(conn, None)}") is None
        number = db.version_number(conn)
        major = int(db.version(conn).split()[1].split(".")[0])
        assert number // 10000 == major
    finally:
        conn.close()


def test_sqlite_write_transaction_is_the_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lock.db'}"
    db = databases.get(url)
    assert isinstance(db, SQLiteDatabase) and not db.named_locks
    first = db.connect(url, autocommit=True)
    second = db.connect(url, autocommit=True)
    try:
        assert _one(first, f"SELECT {db.literal(first, ODD)}") == ODD
        assert db.version_number(first) // 10000 == 3
        db.begin_write(first)
        db.busy_timeout(second, 0.05)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            db.begin_write(second)
        first.execute("COMMIT")
        db.begin_write(second)
        second.execute("COMMIT")
    finally:
        first.close()
        second.close()
