"""``load()``: generate rows and bulk-load them — COPY on PostgreSQL, executemany on SQLite,
multi-row INSERT statements on MySQL / MariaDB.

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
(MySQL's ``LOAD DATA LOCAL`` would be faster, but it turns duplicate keys and bad values into
warnings: the rows are skipped and the load still succeeds, so it proves nothing.)

With ``keep_cyclic_keys`` (the design proof) a cycle is loaded the way an application must
load it, every key in force: a deferrable key is checked at COMMIT, a nullable one is written
NULL and set by UPDATE once the rows it references are in, and a cycle that allows neither is
an error (no row of it can be inserted).

The loaders live beside this module: :mod:`~dbdesign.datagen.load_pg`,
:mod:`~dbdesign.datagen.load_sqlite` and :mod:`~dbdesign.datagen.load_mysql`, one per kind of
database; :mod:`~dbdesign.datagen.load_cycles` loads a cycle of foreign keys as an application
must; :mod:`~dbdesign.datagen.load_report` holds the report they return.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from typing import Any

import psycopg

from dbdesign.datagen.load_mysql import is_pymysql, load_mysql, mysql_label, mysql_literals
from dbdesign.datagen.load_pg import load_pg, pg_label
from dbdesign.datagen.load_report import LoadJob, LoadReport, Progress, TableLoad
from dbdesign.datagen.load_sqlite import load_sqlite
from dbdesign.engine import connect, connect_mysql, is_mysql_url
from dbdesign.errors import ConfigError
from dbdesign.model import Schema
from dbdesign.redact import redact_url

__all__ = ["LoadReport", "Progress", "TableLoad", "load", "mysql_literals", "sqlite_path"]

COPY_ROWS = 20_000
_SQLITE_URL = ("sqlite:///", "sqlite://", "sqlite:")


def load(
    target: Any,
    schema: Schema,
    rows: Mapping[str, int],
    *,
    seed: int = 0,
    skew: Mapping[str, float] | None = None,
    progress: Progress | None = None,
    analyze: bool = True,
    batch_rows: int = COPY_ROWS,
    keep_cyclic_keys: bool = False,
) -> LoadReport:
    """Generate rows for ``schema`` and load them into ``target``.

    ``target`` is a PostgreSQL URL or psycopg connection, a SQLite URL (``sqlite:///path``),
    ``.db`` path, ``pathlib.Path`` or ``sqlite3.Connection``, or a MySQL / MariaDB URL
    (``mysql://user@host/db``) or PyMySQL connection. The tables must exist. Tables
    that already hold rows get more: counters continue after the largest value, unique values
    after the row count, and foreign keys of tables given no rows draw from the rows already
    there. ``analyze`` runs ANALYZE on the loaded tables afterwards (the planner needs
    statistics). ``keep_cyclic_keys`` loads a cycle of foreign keys as an application must,
    with no key dropped or unchecked (see the module's description).
    """
    # what every loader takes after its connection and label
    job = LoadJob(schema, rows, seed, skew, progress, analyze, batch_rows, keep_cyclic_keys)
    if isinstance(target, sqlite3.Connection):
        return load_sqlite(target, "sqlite", job)
    if isinstance(target, psycopg.Connection):
        return load_pg(target, pg_label(target), job)
    if is_pymysql(target):
        return load_mysql(target, mysql_label(target), job)
    if isinstance(target, os.PathLike):
        target = f"sqlite:///{os.fspath(target)}"
    if isinstance(target, str) and is_mysql_url(target):
        my = connect_mysql(target)
        try:
            return load_mysql(my, redact_url(target), job)
        finally:
            my.close()
    if isinstance(target, str):
        path = sqlite_path(target)
        if path is not None:
            con = sqlite3.connect(path, isolation_level=None)
            try:
                return load_sqlite(con, path, job)
            finally:
                con.close()
        with connect(target) as conn:
            return load_pg(conn, redact_url(target), job)
    raise ConfigError(f"cannot load into {type(target).__name__}: give a URL or a connection")


def sqlite_path(target: str) -> str | None:
    """The file of a SQLite URL or ``.db`` path; None for anything else."""
    low = target.lower()
    for prefix in _SQLITE_URL:
        if low.startswith(prefix):
            return target[len(prefix) :]
    if "://" not in target and low.endswith((".db", ".sqlite", ".sqlite3")):
        return target
    return None
