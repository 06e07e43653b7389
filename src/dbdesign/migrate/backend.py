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

import importlib

from dbdesign import databases
from dbdesign.errors import MigrationError
from dbdesign.migrate.backend_base import (
    Backend,
    LockTimeout,
    applied_by,
    outside_account,
    statement_failed,
)

__all__ = [
    "BACKENDS",
    "Backend",
    "LockTimeout",
    "applied_by",
    "open_backend",
    "outside_account",
    "statement_failed",
]

# dialect name -> "module:class" of the migration backend of a database of that kind, imported
# when one is opened (each imports its driver)
BACKENDS: dict[str, str] = {
    "postgres": "dbdesign.migrate.backend_pg:PostgresBackend",
    "mysql": "dbdesign.migrate.backend_mysql:MysqlBackend",
    "sqlite": "dbdesign.migrate.backend_sqlite:SqliteBackend",
}


def open_backend(url: str) -> Backend:
    """The backend of a database URL, or of a SQLite file given as a path. Anything else is
    handed to PostgreSQL's driver (a key=value connection string)."""
    where = databases.target(url)
    d = where.dialect
    path = BACKENDS.get(d.name)
    if path is None or d.name not in databases.ADAPTERS:
        raise MigrationError(f"{where}: migrations on {d.title} are not supported yet")
    module, cls = path.split(":")
    backend: Backend = getattr(importlib.import_module(module), cls)(url, where.database)
    return backend
