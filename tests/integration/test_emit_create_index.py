"""``emit.create_index_sql``: one CREATE INDEX as each dialect's writer writes it (the lint fix
hints use it). Each index, created alone on a real server after its table, reads back from the
catalog equal to the index in the file. MySQL's used PostgreSQL's writer before."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from dbdesign import api, databases
from dbdesign.emit import create_index_sql
from dbdesign.model import FrozenMap
from tests.conftest import PG_SERVERS, server_url
from tests.mysqlload import mysql_server_url

DDL = {
    "postgres": "CREATE TABLE t (id int PRIMARY KEY, a text, b int, tags text[]);\n"
    "CREATE UNIQUE INDEX t_a_b ON t (a DESC, b) WHERE b > 0;\n"
    "CREATE INDEX t_lower_a ON t (lower(a)) INCLUDE (b);\n"
    "CREATE INDEX t_tags ON t USING gin (tags);\n",
    "sqlite": "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER);\n"
    "CREATE UNIQUE INDEX t_a_b ON t (a DESC, b) WHERE b > 0;\n"
    "CREATE INDEX t_lower_a ON t (lower(a));\n",
    "mysql": "CREATE TABLE t (id int PRIMARY KEY, a varchar(100), b int, body text)"
    " ENGINE=InnoDB;\n"
    "CREATE UNIQUE INDEX t_a_b ON t (a, b);\n"
    "CREATE INDEX t_b ON t (b) COMMENT 'by b';\n"
    "CREATE FULLTEXT INDEX t_body ON t (body);\n",
}


def _run(dialect: str, url: str, statements: list[str]) -> None:
    db = databases.get(url)
    conn = db.connect(url, autocommit=True)
    try:
        for s in statements:
            if dialect == "mysql":
                with conn.cursor() as cur:
                    cur.execute(s)
            else:
                conn.execute(s)
    finally:
        conn.close()


def _check(dialect: str, url: str, tmp_path: Path) -> None:
    path = tmp_path / "schema.sql"
    path.write_text(DDL[dialect])
    schema = api.read(str(path), dialect=dialect)
    assert len(schema.indexes) >= 2
    bare = dataclasses.replace(schema, indexes=FrozenMap())
    statements = [s for s in api.emit(bare).split(";\n") if s.strip()]
    _run(dialect, url, statements + [create_index_sql(schema, i) for i in schema.indexes.values()])
    assert api.read(url).indexes == schema.indexes


@pytest.mark.parametrize("server", PG_SERVERS)
def test_postgres(server: str, tmp_path: Path) -> None:
    with databases.for_dialect("postgres").scratch(server_url(server)) as url:
        _check("postgres", url, tmp_path)


def test_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    sqlite3.connect(db).close()
    _check("sqlite", f"sqlite:///{db}", tmp_path)


def test_mysql(tmp_path: Path) -> None:
    with databases.for_dialect("mysql").scratch(mysql_server_url()) as url:
        _check("mysql", url, tmp_path)
