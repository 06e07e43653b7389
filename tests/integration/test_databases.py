"""The database adapters (src/dbdesign/databases/) on every server the tests have: the embedded
PostgreSQL 16, PostgreSQL 15, MariaDB 10.11 and SQLite files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dbdesign import databases
from dbdesign.errors import ConfigError, ConnectionError
from tests.conftest import server_url
from tests.mysqlload import mysql_server_url

TABLE = "CREATE TABLE item (id integer PRIMARY KEY, name varchar(20) NOT NULL)"
ROWS = "INSERT INTO item VALUES (1, 'a'), (2, 'b'), (3, 'c')"


@pytest.fixture(params=["embedded", "pg15", "mariadb", "sqlite"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(the kind, a URL of a database on that server, the tests' own)."""
    if request.param == "mariadb":
        yield "MariaDB", mysql_server_url()
    elif request.param == "sqlite":
        yield "SQLite", f"sqlite:///{tmp_path / 'base.db'}"
    else:
        yield "PostgreSQL", server_url(request.param)


def _execute(kind: str, conn: Any, statement: str) -> None:
    if kind == "MariaDB":  # PyMySQL runs statements on a cursor
        with conn.cursor() as cur:
            cur.execute(statement)
    else:
        conn.execute(statement)


def test_scratch_connect_read_count_and_roll_back(server: tuple[str, str]) -> None:
    kind, url = server
    db = databases.get(url)
    with db.scratch(url) as scratch:
        assert scratch != url
        conn = db.connect(scratch)
        try:
            assert db.version(conn).startswith(kind + " ")
        finally:
            conn.close()
        conn = db.connect(scratch, autocommit=True)
        try:
            _execute(kind, conn, TABLE)
            _execute(kind, conn, ROWS)
        finally:
            conn.close()
        schema = db.read_catalog(scratch)
        assert [t.name for t in schema.tables.values()] == ["item"]
        assert list(db.row_counts(scratch).values()) == [3]
        with db.rolled_back(scratch) as conn:  # a delete that is rolled back at the end
            _execute(kind, conn, "DELETE FROM item")
        assert list(db.row_counts(scratch).values()) == [3]
    if kind == "SQLite":
        assert not Path(scratch.removeprefix("sqlite:///")).exists()
    else:  # the scratch database is gone
        with pytest.raises(ConnectionError):
            db.connect(scratch).close()


def test_a_file_path_is_a_sqlite_database_and_other_text_is_refused(tmp_path: Path) -> None:
    assert databases.get(str(tmp_path / "app.db")).dialect == "sqlite"
    assert databases.get("mariadb://root@127.0.0.1/test").dialect == "mysql"
    with pytest.raises(ConfigError, match="not a database URL"):
        databases.get("schema.sql")
    with pytest.raises(ConfigError, match="unknown dialect"):
        databases.for_dialect("oracle")
