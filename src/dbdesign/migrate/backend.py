"""What a runner needs from a database: the :class:`Backend` protocol, and the backends the
runners import from here.

PostgreSQL (:mod:`~dbdesign.migrate.backend_pg`): one autocommit session commits each migration
together with its history row; the lock is a session-level advisory lock, polled for on a second
session that never holds a transaction open. SQLite (:mod:`~dbdesign.migrate.backend_sqlite`):
each migration runs in ``BEGIN IMMEDIATE``, the database's write lock. What every backend shares
(the lock-wait error, who applied, the failure messages) is in
:mod:`~dbdesign.migrate.backend_base`; MySQL and MariaDB: :mod:`dbdesign.migrate.mysql`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from dbdesign.migrate.backend_base import (
    LockTimeout,
    applied_by,
    outside_account,
    statement_failed,
)
from dbdesign.migrate.backend_pg import PostgresBackend
from dbdesign.migrate.backend_sqlite import SqliteBackend
from dbdesign.migrate.files import Migration, MigrationStatement, Script
from dbdesign.migrate.history import Row

__all__ = [
    "Backend",
    "LockTimeout",
    "PostgresBackend",
    "SqliteBackend",
    "applied_by",
    "outside_account",
    "statement_failed",
]


class Backend(Protocol):
    dialect: str
    where: str

    def split(self, script: Script) -> list[MigrationStatement]: ...
    def history(self) -> list[Row]: ...
    def ensure_history(self) -> None: ...
    def lock(self, wait: float, on_wait: Callable[[str], None] | None = None) -> Any: ...
    def run(
        self,
        migration: Migration,
        script: Script,
        statements: list[MigrationStatement],
        *,
        direction: str,
        lock_timeout: str | None,
        statement_timeout: str | None,
    ) -> int: ...
    def run_outside(
        self,
        migration: Migration,
        script: Script,
        statements: list[MigrationStatement],
        *,
        direction: str,
        start: int = 0,
        resume: bool = False,
        lock_timeout: str | None,
        statement_timeout: str | None,
    ) -> int: ...
    def write_rows(self, rows: list[Row]) -> None: ...
    def delete_row(self, version: str) -> None: ...
    def close(self) -> None: ...
