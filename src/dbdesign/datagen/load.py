"""``load()``: generate rows and bulk-load them — COPY on PostgreSQL, executemany on SQLite,
multi-row INSERT statements on MySQL / MariaDB.

A target given as a URL or a file is read once: :func:`dbdesign.databases.find` picks the
database adapter that connects to it (a string that is no database URL is a PostgreSQL
connection string, as libpq reads it), and the report names it by its file, or by its URL
without the password. A live connection (psycopg, sqlite3, PyMySQL) is loaded as it is, in the
caller's transaction where one is open.

The whole load is one transaction: it commits completely or not at all. The database enforces
every constraint while loading (a row that broke one would fail the load with the server's
message naming the constraint), so a load that succeeds is a proof that the data is valid.
Foreign keys in a cycle are checked at the end of the transaction (deferrable ones) or dropped
and re-created after the load, which re-validates every row; on SQLite foreign keys are
deferred to the commit and ``PRAGMA foreign_key_check`` runs before it. On MySQL, which checks
foreign keys row by row and cannot defer them, the tables that close a cycle are loaded with
``foreign_key_checks`` off and their foreign keys are then checked by query before the commit.
When a cycle's keys are NOT NULL and cannot be deferred, no order of INSERTs satisfies them (an
application could not insert those rows): the report says so in a note.

With ``keep_cyclic_keys`` (the design proof) a cycle is loaded the way an application must
load it, every key in force: a deferrable key is checked at COMMIT, a nullable one is written
NULL and set by UPDATE once the rows it references are in, and a cycle that allows neither is
an error (no row of it can be inserted).

The loaders live beside this module, one per kind of database: :mod:`~dbdesign.datagen.load_pg`,
:mod:`~dbdesign.datagen.load_sqlite` and :mod:`~dbdesign.datagen.load_mysql`. They hold what is
datagen's (the plan, rows already there, counters continuing, cycles, messages); how rows are
written into each server is the database layer's: ``dbdesign.databases.bulk_postgres``,
``bulk_sqlite`` and ``bulk_mysql``. :mod:`~dbdesign.datagen.load_cycles` loads a cycle of
foreign keys as an application must; :mod:`~dbdesign.datagen.load_report` holds the report the
loaders return.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dbdesign import databases
from dbdesign.databases import bulk_mysql, bulk_postgres, bulk_sqlite
from dbdesign.datagen.load_mysql import load_mysql, mysql_literals
from dbdesign.datagen.load_pg import load_pg
from dbdesign.datagen.load_report import LoadJob, LoadReport, Progress, TableLoad
from dbdesign.datagen.load_sqlite import load_sqlite
from dbdesign.datagen.row_rules import RowRule
from dbdesign.datagen.rows import Skew
from dbdesign.errors import ConfigError, UnsupportedError
from dbdesign.model import Schema

__all__ = ["LoadReport", "Progress", "TableLoad", "load", "mysql_literals"]

COPY_ROWS = 20_000


@dataclass(frozen=True, slots=True)
class _Loader:
    """How rows are loaded into one kind of database."""

    owns: Callable[[object], bool]  # whether a live connection is of its driver
    label: Callable[[Any], str]  # such a connection's name in the report
    load: Callable[[Any, str, LoadJob], LoadReport]
    # connect with the driver's own transactions off: the loader issues BEGIN itself (SQLite)
    autocommit: bool = False


# the adapter's dialect -> its loader
LOADERS: dict[str, _Loader] = {
    "postgres": _Loader(bulk_postgres.is_connection, bulk_postgres.label, load_pg),
    "mysql": _Loader(bulk_mysql.is_connection, bulk_mysql.label, load_mysql),
    "sqlite": _Loader(bulk_sqlite.is_connection, bulk_sqlite.label, load_sqlite, True),
}


def load(
    target: Any,
    schema: Schema,
    rows: Mapping[str, int],
    *,
    seed: int = 0,
    skew: Skew | None = None,
    progress: Progress | None = None,
    analyze: bool = True,
    batch_rows: int = COPY_ROWS,
    keep_cyclic_keys: bool = False,
    rules: Sequence[RowRule] = (),
) -> LoadReport:
    """Generate rows for ``schema`` and load them into ``target``.

    ``target`` is a PostgreSQL URL or psycopg connection, a SQLite URL (``sqlite:///path``),
    ``.db`` path, ``pathlib.Path`` or ``sqlite3.Connection``, or a MySQL / MariaDB URL
    (``mysql://user@host/db``) or PyMySQL connection. The tables must exist. Tables
    that already hold rows get more: counters continue after the largest value, unique values
    after the row count, and foreign keys of tables given no rows draw from the rows already
    there. ``analyze`` runs ANALYZE on the loaded tables afterwards (the planner needs
    statistics). ``keep_cyclic_keys`` loads a cycle of foreign keys as an application must,
    with no key dropped or unchecked (see the module's description). ``rules``: business
    rules the rows keep beyond the schema's constraints (a design's; row_rules.py).
    """
    # what every loader takes after its connection and label
    job = LoadJob(schema, rows, seed, skew, progress, analyze, batch_rows, keep_cyclic_keys, rules)
    for loader in LOADERS.values():
        if loader.owns(target):
            return loader.load(target, loader.label(target), job)
    if isinstance(target, os.PathLike):
        target = f"sqlite:///{os.fspath(target)}"  # a path is a SQLite file
    if not isinstance(target, str):
        raise ConfigError(f"cannot load into {type(target).__name__}: give a URL or a connection")
    where = databases.target(target)
    into = LOADERS.get(where.dialect.name)
    if into is None:
        title = where.dialect.title
        raise UnsupportedError(f"loading into {title} databases is not supported yet")
    conn = where.database.connect(where.url, autocommit=into.autocommit)
    try:
        return into.load(conn, str(where), job)
    finally:
        conn.close()
