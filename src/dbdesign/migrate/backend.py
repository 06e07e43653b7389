"""The migration backend of a database: :func:`open_backend`, and the names the runners import.

A backend (:class:`~dbdesign.migrate.backend_base.Backend`) talks to its server through the
database adapter of its dialect (:mod:`dbdesign.databases`). PostgreSQL
(:mod:`~dbdesign.migrate.backend_pg`): one autocommit session commits each migration together
with its history row; the lock is a session-level advisory lock, polled for on a second
session that never holds a transaction open. MySQL and MariaDB
(:mod:`~dbdesign.migrate.backend_mysql`): DDL commits implicitly, so a file that changes the
schema runs statement by statement with its progress; the lock is ``GET_LOCK``. SQLite
(:mod:`~dbdesign.migrate.backend_sqlite`): each migration runs in ``BEGIN IMMEDIATE``, the
database's write lock.
"""

from __future__ import annotations

from collections.abc import Callable

from dbdesign import databases, dialects
from dbdesign.errors import MigrationError
from dbdesign.migrate.backend_base import (
    Backend,
    LockTimeout,
    applied_by,
    outside_account,
    statement_failed,
)
from dbdesign.migrate.backend_mysql import MysqlBackend
from dbdesign.migrate.backend_pg import PostgresBackend
from dbdesign.migrate.backend_sqlite import SqliteBackend
from dbdesign.redact import redact_url

__all__ = [
    "BACKENDS",
    "Backend",
    "LockTimeout",
    "MysqlBackend",
    "PostgresBackend",
    "SqliteBackend",
    "applied_by",
    "open_backend",
    "outside_account",
    "statement_failed",
]

# dialect name -> the migration backend of a database of that kind, given its URL and adapter
BACKENDS: dict[str, Callable[[str, databases.Database], Backend]] = {
    PostgresBackend.dialect: PostgresBackend,
    MysqlBackend.dialect: MysqlBackend,
    SqliteBackend.dialect: SqliteBackend,
}


def open_backend(url: str) -> Backend:
    """The backend of a database URL, or of a SQLite file given as a path. Anything else is
    handed to PostgreSQL's driver (a key=value connection string)."""
    d = databases.dialect_at(url) or dialects.get("postgres")
    opened = BACKENDS.get(d.name)
    if opened is None or d.name not in databases.ADAPTERS:
        raise MigrationError(f"{redact_url(url)}: migrations on {d.title} are not supported yet")
    return opened(url, databases.for_dialect(d.name))
