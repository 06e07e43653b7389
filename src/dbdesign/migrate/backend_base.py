"""What every migration backend shares: :class:`Backend`, the base of the PostgreSQL, MySQL /
MariaDB and SQLite backends, with the lock-wait error, who applied a migration, and the
messages of a failed statement and of a no-transaction file left part-way.

A backend reaches its server through the database adapter of its dialect
(:mod:`dbdesign.databases`): the connection, the server's version, literals and the lock
primitives. The base holds what does not depend on the server: polling for the migration lock,
choosing between one transaction and statement by statement, the course of a no-transaction
file with its progress rows, and the history statements all three write alike. Each backend
keeps its dialect's own: the history table's DDL, the upsert, how a migration travels in one
transaction, and how a statement travels with its progress update.
"""

from __future__ import annotations

import getpass
import os
import socket
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

from dbdesign import dialects
from dbdesign.databases import Database
from dbdesign.errors import MigrationError
from dbdesign.migrate.files import (
    Migration,
    MigrationStatement,
    Script,
    statements_checksum,
    transactional,
)
from dbdesign.migrate.history import TABLE, Row, failed_detail, progress_detail

# The history row's columns a runner writes (applied_at is the server's clock), in this order.
ROW_COLUMNS = (
    "version, name, checksum, duration_ms, applied_by, state, statements_done, detail, "
    "done_checksum"
)


@dataclass(frozen=True, slots=True)
class Work:
    """A migration file to run in one direction, with its statements and session timeouts."""

    migration: Migration
    script: Script
    statements: list[MigrationStatement]
    direction: str  # "up" | "down"
    lock_timeout: str | None = None
    statement_timeout: str | None = None

    def rolled_back(
        self, stmt: MigrationStatement, error: str, position: int | None
    ) -> MigrationError:
        """A statement of a migration run in one transaction failed: nothing took effect."""
        account = rolled_back_account(self.migration)
        return statement_failed(self.script, stmt, error, position, account=account)

    def not_recorded(self, error: str) -> MigrationError:
        """The history row of a migration run in one transaction could not be written."""
        return MigrationError(
            f"recording {self.migration.label} in {TABLE} failed: {error}; the migration was "
            "rolled back"
        )


class LockTimeout(MigrationError):
    """Another runner held the lock for longer than the configured wait."""


@cache
def applied_by() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}"


def row_values(r: Row) -> list[Any]:
    """A history row's values in the order of :data:`ROW_COLUMNS`."""
    return [
        r.version,
        r.name,
        r.checksum,
        r.duration_ms,
        r.applied_by,
        r.state,
        r.statements_done,
        r.detail,
        r.done_checksum,
    ]


def _first_line(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def outside_account(
    migration: Migration, script: Script, done: int, total: int, left: str | None = None
) -> str:
    """What a failure in a no-transaction file leaves, and the choices `repair` offers."""
    rest = f"statement {total}" if done + 1 == total else f"statements {done + 1}-{total}"
    choices = (
        "Run `dbdesign migrate repair` to see the account, then choose: `--resume` (after fixing "
        f"the cause: runs {rest} of the file), `--mark-applied` (you "
        "finished the work by hand) or `--forget` (the whole file runs again)."
    )
    litter = f" {left}" if left else ""
    if done:
        return (
            f"{script.label} runs outside a transaction: statements 1-{done} of {total} took "
            f"effect and this one did not; {TABLE} marks {migration.version} 'failed' with "
            f"{done} completed.{litter} {choices}"
        )
    return (
        f"{script.label} runs outside a transaction; nothing of it took effect. {TABLE} marks "
        f"{migration.version} 'failed'.{litter} {choices}"
    )


def rolled_back_account(migration: Migration) -> str:
    """What a failure in a migration that ran in one transaction leaves: nothing."""
    return f"{migration.label} was rolled back: the database and {TABLE} are as they were before it"


def statement_failed(
    script: Script, stmt: MigrationStatement, error: str, position: int | None, *, account: str
) -> MigrationError:
    line = stmt.line
    if position is not None and 0 < position <= len(stmt.text):
        line += stmt.text.count("\n", 0, position - 1)
    return MigrationError(
        f"{error}\n  statement: {_first_line(stmt.text)}\n  {account}",
        file=str(script.path),
        line=line,
    )


class Backend:
    """A database as a migration runner sees it. A subclass sets the class attributes, opens
    :attr:`conn` through :attr:`db` and defines the methods that raise NotImplementedError."""

    dialect: ClassVar[str]
    HISTORY: ClassVar[str] = TABLE  # the history table as the backend's SQL names it
    NOW: ClassVar[str]  # the current time as applied_at stores it
    HELD_BY: ClassVar[str] = ""  # " (... {})" naming the lock's holder in the lock-wait error
    LOCK_HINT: ClassVar[str] = ""  # said last in the lock-wait error
    errors: tuple[type[Exception], ...] = ()  # the driver's errors of a migration's statement
    batches: ClassVar[bool] = False  # runs several migrations in one query string (run_batch)
    foreign_keys_off: ClassVar[bool] = False  # honours `-- dbdesign: foreign-keys-off` (SQLite)

    db: Database
    conn: Any
    url: str
    where: str  # the database, for messages (no password)
    lock_name: str = TABLE  # the name of the migration lock (named locks only)

    # ----------------------------------------------------------- each backend's own

    def close(self) -> None:
        raise NotImplementedError

    def split(self, script: Script) -> list[MigrationStatement]:
        """The statements of a file; MigrationError (file:line) for one the runner refuses."""
        raise NotImplementedError

    def history(self) -> list[Row]:
        """The rows of the history table; none when there is no table yet."""
        raise NotImplementedError

    def ensure_history(self) -> None:
        """Create the history table, or add the columns a table from an older release lacks."""
        raise NotImplementedError

    def lock(
        self, wait: float, on_wait: Callable[[str], None] | None = None
    ) -> AbstractContextManager[None]:
        """Hold the migration lock while the block runs; wait at most ``wait`` seconds."""
        raise NotImplementedError

    def write_rows(self, rows: list[Row]) -> None:
        """Insert or replace history rows, in one transaction."""
        raise NotImplementedError

    def execute(self, query: str) -> None:
        """Run one of the runner's own statements (literals, no parameters)."""
        raise NotImplementedError

    def _run_transaction(self, w: Work) -> int:
        """A migration and its history row in one transaction; its time in ms (-1: another
        runner did it first)."""
        raise NotImplementedError

    def _begin_outside(self, w: Work, *, start: int, resume: bool, progress: str) -> bool:
        """Write the 'running' row (an ``up`` that is not resumed) and ``progress``; False
        when another runner did the migration first."""
        raise NotImplementedError

    def _run_counted(
        self, script: Script, index: int, stmt: MigrationStatement, progress: str
    ) -> str | None:
        """Run a statement of a no-transaction file with its ``progress`` update; a driver
        error of :attr:`errors` when the statement failed. Returns the progress update when it
        is still to run, apart (its failure is not the statement's)."""
        raise NotImplementedError

    def _describe(self, e: Exception) -> str:
        """A driver's error on one line: ``ERROR 42P01: ...``."""
        raise NotImplementedError

    def run_batch(
        self, items: list[tuple[Migration, list[MigrationStatement]]], *, direction: str
    ) -> int:
        """Several transactional migrations in one query string, each in its own transaction
        with its history row (:attr:`batches`); how many committed."""
        raise NotImplementedError

    def drop_index(self, schema: str, name: str) -> str:
        """Drop an INVALID index left by an interrupted concurrent build (servers that build
        indexes concurrently); returns the statement."""
        raise NotImplementedError

    # ----------------------------------------------------------- with defaults

    def _position(self, stmt: MigrationStatement, e: Exception) -> int | None:
        """The 1-based offset in ``stmt`` that a driver's error points at, if it does."""
        return None

    def _timeouts(self, lock_timeout: str | None, statement_timeout: str | None) -> tuple[str, str]:
        """The session settings of a no-transaction file and the statement resetting them."""
        return "", ""

    def _left_behind(self, stmt: MigrationStatement) -> str | None:
        """A sentence on what a failed statement left in the database, if anything."""
        return None

    def _guarded(self) -> AbstractContextManager[None]:
        """Around the runner's own queries: how a server error of one is raised."""
        return nullcontext()

    def lock_holder(self) -> int | None:
        """The session holding the migration lock (named locks only), if any."""
        if not self.db.named_locks:
            return None
        with self._guarded():
            return self.db.lock_holder(self.conn, self.lock_name)

    def concurrent_index(
        self, stmt: MigrationStatement
    ) -> tuple[str | None, tuple[Any, ...]] | None:
        """The index a ``CREATE INDEX CONCURRENTLY`` statement builds and what the catalog
        says of it (PostgreSQL); None where the server has no such build."""
        return None

    # ----------------------------------------------------------- shared

    def check_script(self, script: Script) -> None:
        """Refuse a header option this server cannot honour (MigrationError at file:line)."""
        if script.foreign_keys_off is not None and not self.foreign_keys_off:
            raise MigrationError(
                "`-- dbdesign: foreign-keys-off` is honoured on SQLite only (PRAGMA foreign_keys "
                "around the migration's transaction); the runner does not turn foreign keys off "
                f"on {dialects.get(self.dialect).title}: remove the line",
                file=str(script.path),
                line=script.foreign_keys_off,
            )

    def literal(self, value: str | int | None) -> str:
        return self.db.literal(self.conn, value)

    def poll_lock(self, conn: Any, wait: float, on_wait: Callable[[str], None] | None) -> float:
        """Take the migration lock on ``conn`` by polling (never a blocking wait: back-off
        from 20 ms to 0.5 s) for at most ``wait`` seconds; the deadline. :class:`LockTimeout`
        naming the holder when the wait runs out."""
        deadline = time.monotonic() + wait
        delay = 0.02
        while True:
            with self._guarded():
                if self.db.try_lock(conn, self.lock_name):
                    return deadline
            if on_wait is not None:
                on_wait(f"waiting for the migration lock on {self.where} (up to {wait:g}s)")
                on_wait = None
            if time.monotonic() >= deadline:
                with self._guarded():
                    holder = self.db.lock_holder(conn, self.lock_name)
                who = self.HELD_BY.format(holder) if holder else ""
                raise LockTimeout(
                    f"another `dbdesign migrate` holds the migration lock on {self.where}{who}; "
                    f"gave up after waiting {wait:g}s (set lock_wait in [tool.dbdesign.migrate] "
                    f"or --lock-wait to wait longer{self.LOCK_HINT})"
                )
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)

    def run(
        self,
        migration: Migration,
        script: Script,
        statements: list[MigrationStatement],
        *,
        direction: str,
        lock_timeout: str | None,
        statement_timeout: str | None,
    ) -> int:
        """Apply (``up``) or revert (``down``) a migration; its time in ms (-1: another runner
        did it first). A file that can run in one transaction does, with its history row; any
        other runs statement by statement (:meth:`run_outside`)."""
        self.check_script(script)
        if transactional(script, statements):
            w = Work(migration, script, statements, direction, lock_timeout, statement_timeout)
            return self._run_transaction(w)
        return self.run_outside(
            migration,
            script,
            statements,
            direction=direction,
            lock_timeout=lock_timeout,
            statement_timeout=statement_timeout,
        )

    def run_outside(
        self,
        migration: Migration,
        script: Script,
        statements: list[MigrationStatement],
        *,
        direction: str,
        start: int = 0,
        resume: bool = False,
        lock_timeout: str | None = None,
        statement_timeout: str | None = None,
    ) -> int:
        """A no-transaction file from statement ``start`` (0-based; ``repair --resume`` starts
        after the completed ones): a 'running' row first, then each statement with its
        progress (statements_done, the checksum of the completed statements, which statement
        runs next), so a failure or a kill leaves an exact account for ``repair``."""
        started = time.monotonic()
        total = len(statements)
        label = script.label

        def progress(done: int) -> str:
            nxt = statements[done].line if done < total else None
            detail = progress_detail(direction, label, done, total, nxt)
            return self._state_sql(migration, "running", statements, done, detail)

        w = Work(migration, script, statements, direction, lock_timeout, statement_timeout)
        if not self._begin_outside(w, start=start, resume=resume, progress=progress(start)):
            return -1
        setup, reset = self._timeouts(lock_timeout, statement_timeout)
        if setup:
            self.execute(setup)
        try:
            for i in range(start, total):
                stmt = statements[i]
                try:
                    rest = self._run_counted(script, i, stmt, progress(i + 1))
                except self.errors as e:
                    error = self._describe(e)
                    detail = failed_detail(direction, label, i, total, stmt.line, error)
                    self.execute(self._state_sql(migration, "failed", statements, i, detail))
                    account = outside_account(migration, script, i, total, self._left_behind(stmt))
                    raise statement_failed(
                        script, stmt, error, self._position(stmt, e), account=account
                    ) from None
                if rest is not None:
                    self.execute(rest)
        finally:
            if reset:
                self.execute(reset)
        ms = int((time.monotonic() - started) * 1000)
        if direction == "up":
            self.execute(
                f"UPDATE {self.HISTORY} SET state = 'applied', "
                f"checksum = {self.literal(migration.checksum)}, duration_ms = {ms}, "
                f"detail = NULL, done_checksum = NULL, applied_at = {self.NOW} "
                f"WHERE version = {self.literal(migration.version)}"
            )
        else:
            self.delete_row(migration.version)
        return ms

    def _state_sql(
        self,
        migration: Migration,
        state: str,
        statements: list[MigrationStatement],
        done: int,
        detail: str,
    ) -> str:
        """The update of a no-transaction file's row: 'running' with its progress, or
        'failed' where it stopped."""
        return (
            f"UPDATE {self.HISTORY} SET state = '{state}', statements_done = {done}, "
            f"done_checksum = {self.literal(statements_checksum(statements[:done]))}, "
            f"detail = {self.literal(detail)} WHERE version = {self.literal(migration.version)}"
        )

    def delete_row(self, version: str) -> None:
        self.execute(f"DELETE FROM {self.HISTORY} WHERE version = {self.literal(version)}")
