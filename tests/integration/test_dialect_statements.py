"""The single statements a dialect writes run on real servers and do what they say.

``Dialect.rename_sql``, ``drop_constraint_sql`` and ``comment_sql`` (what lint fix hints are
made of) on PostgreSQL (the embedded 16 and ``$DBDESIGN_TEST_PG_URL``), MariaDB
(``$DBDESIGN_TEST_MYSQL_URL``) and SQLite (a temporary file): each statement runs on a table
holding every kind of key, and the catalog read back shows the change; where a dialect has no
such statement it says so (None), exactly for the ones listed in ``MISSING``. Names hold a
space, quotes, a backtick and a reserved word, so the dialect's quoting is tested too.
"""

from __future__ import annotations

from contextlib import closing

import pytest

from dbdesign import databases, dialects, engine
from dbdesign.dialects import Dialect
from dbdesign.model import Schema, Table
from tests.conftest import PG_SERVERS, server_url
from tests.mysqlload import mysql_server_url

PARENT = "order"
TABLE = "line `item"
NAMES = {
    "primary_key": 'pk "a',
    "foreign_key": 'fk "a`',
    "unique": "uq a",
    "check": "ck `a",
    "index": 'ix "a',
}
NOTE = "it's a \\ note"
# What each dialect has no statement for (None), and why.
MISSING = {
    "mysql": {
        ("rename", "primary_key"),  # always PRIMARY
        ("rename", "foreign_key"),  # dropped and added again
        ("rename", "check"),
        ("comment", "column"),  # restated with the whole column (MODIFY)
    },
    "sqlite": {  # ALTER TABLE renames tables and columns, adds columns, and no more
        *(("rename", k) for k in NAMES),
        *(("drop", k) for k in NAMES),
        ("comment", "table"),
        ("comment", "column"),
    },
}


def _ddl(d: Dialect, schema: str) -> list[str]:
    q = d.quote_ident
    parent, table = d.qualified(schema, PARENT), d.qualified(schema, TABLE)
    return [
        f"CREATE TABLE {parent} (id integer PRIMARY KEY)",
        f"CREATE TABLE {table} (id integer NOT NULL, {q(PARENT)} integer, code varchar(10), "
        f"n integer, CONSTRAINT {q(NAMES['primary_key'])} PRIMARY KEY (id), "
        f"CONSTRAINT {q(NAMES['foreign_key'])} FOREIGN KEY ({q(PARENT)}) "
        f"REFERENCES {parent} (id), CONSTRAINT {q(NAMES['unique'])} UNIQUE (code), "
        f"CONSTRAINT {q(NAMES['check'])} CHECK (n > 0))",
        f"CREATE INDEX {q(NAMES['index'])} ON {table} (n)",
    ]


def _catalogs(dialect: str, which: str, jobs: list[tuple[str, list[str]]]) -> list[Schema]:
    """Each job's statements (in its schema) run in an empty database, and the catalogs read.
    PostgreSQL: one database, a schema per job; MariaDB: a database per job (its schema)."""
    adapter = databases.for_dialect(dialect)
    if dialect == "postgres":
        with engine.scratch_database(server_url(which)) as url:
            with closing(adapter.connect(url, autocommit=True)) as conn:
                for schema, statements in jobs:
                    conn.execute(f"CREATE SCHEMA {dialects.get(dialect).quote_ident(schema)}")
                    for sql in statements:
                        conn.execute(sql)
            return [adapter.read_catalog(url)] * len(jobs)
    out = []
    for _, statements in jobs:
        with adapter.scratch(mysql_server_url()) as url:
            with closing(adapter.connect(url, autocommit=True)) as conn, conn.cursor() as cur:
                for sql in statements:
                    cur.execute(sql)
            out.append(adapter.read_catalog(url))
    return out


def _names(s: Schema, t: Table) -> dict[str, set[str]]:
    indexes = [i for i in s.indexes.values() if i.table_key == t.key]
    return {
        "primary_key": {t.primary_key.name} if t.primary_key else set(),
        "foreign_key": set(t.foreign_keys),
        "unique": set(t.uniques) | {i.name for i in indexes if i.unique},
        "check": set(t.checks),
        "index": {i.name for i in indexes if not i.unique},
    }


SERVERS = [
    *(pytest.param("postgres", w, id=f"postgres-{w}") for w in PG_SERVERS),
    pytest.param("mysql", "", id="mysql"),
    pytest.param("sqlite", "", id="sqlite"),  # every statement is None: nothing runs
]


def _statement(d: Dialect, action: str, kind: str, schema: str) -> str | None:
    if action == "rename":
        return d.rename_sql(kind, schema, TABLE, NAMES[kind], NAMES[kind] + " 2")
    if action == "drop":
        return d.drop_constraint_sql(kind, schema, TABLE, NAMES[kind])
    column = "n" if kind == "column" else None
    return d.comment_sql(NOTE, schema, TABLE, column)


CASES = [
    *(("rename", k) for k in NAMES),
    *(("drop", k) for k in NAMES if k != "index"),
    ("comment", "table"),
    ("comment", "column"),
]


@pytest.mark.parametrize(("dialect", "which"), SERVERS)
def test_statements_do_what_they_say(dialect: str, which: str) -> None:
    d = dialects.get(dialect)
    missing = MISSING.get(dialect, set())
    jobs, done = [], []
    for n, (action, kind) in enumerate(CASES):
        schema = f"case {n}" if d.capabilities.schemas else d.namespace
        sql = _statement(d, action, kind, schema)
        assert (sql is None) == ((action, kind) in missing), (action, kind, sql)
        if sql is not None:
            jobs.append((schema, [*_ddl(d, schema), sql]))
            done.append((action, kind, schema, sql))
    assert len(done) == sum(1 for c in CASES if c not in missing)
    for (action, kind, schema, sql), s in zip(done, _catalogs(dialect, which, jobs), strict=True):
        t = s.tables[f"{schema}.{TABLE}"]
        if action == "comment":
            got = t.comment if kind == "table" else t.column("n").comment  # type: ignore[union-attr]
            assert got == NOTE, sql
            continue
        names = _names(s, t)[kind]
        if action == "drop":
            assert not names, sql
        else:
            assert NAMES[kind] not in names and NAMES[kind] + " 2" in names, sql
