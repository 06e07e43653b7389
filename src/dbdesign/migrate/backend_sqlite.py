"""The SQLite migration backend: :class:`SqliteBackend`.

Each migration runs in ``BEGIN IMMEDIATE`` (the database's write lock, waited for with a busy
timeout) and re-reads the history inside it, so two runners apply every migration once.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dbdesign.errors import MigrationError
from dbdesign.migrate.backend_base import (
    LockTimeout,
    applied_by,
    outside_account,
    statement_failed,
)
from dbdesign.migrate.files import (
    Migration,
    MigrationStatement,
    Script,
    split_sqlite,
    statements_checksum,
)
from dbdesign.migrate.history import (
    BASE_COLUMNS,
    COLUMNS,
    SQLITE_DDL,
    TABLE,
    UPGRADE_COLUMNS,
    Row,
    failed_detail,
    progress_detail,
)


class SqliteBackend:
    dialect = "sqlite"

    def __init__(self, path: str | Path, *, busy_timeout: float = 60.0) -> None:
        self.path = Path(path)
        self.where = f"sqlite:{self.path}"
        try:
            self.conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=busy_timeout, check_same_thread=False
            )
            self.conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as e:
            raise MigrationError(f"cannot open {self.path}: {e}") from None

    def close(self) -> None:
        self.conn.close()

    def split(self, script: Script) -> list[MigrationStatement]:
        stmts = split_sqlite(script)
        for n, s in enumerate(stmts):
            head = s.text.split(None, 1)[0].upper().rstrip(";") if s.text.split() else ""
            if head in ("BEGIN", "COMMIT", "END", "ROLLBACK"):
                raise MigrationError(
                    "transaction control statements are not allowed in migration files",
                    file=str(script.path),
                    line=s.line,
                )
            if head == "VACUUM" and not script.no_transaction:
                raise MigrationError(
                    "VACUUM cannot run inside a transaction: add the header line "
                    "`-- dbdesign: no-transaction` to this file",
                    file=str(script.path),
                    line=s.line,
                )
            if head == "VACUUM":
                stmts[n] = MigrationStatement(s.text, s.line, "VACUUM")
        return stmts

    def _columns(self) -> set[str]:
        return {r[1] for r in self.conn.execute(f"PRAGMA table_info({TABLE})")}

    def history(self) -> list[Row]:
        have = self._columns()
        if not have:
            return []
        columns = COLUMNS if set(UPGRADE_COLUMNS) <= have else BASE_COLUMNS + ", NULL"
        return [Row.from_tuple(r) for r in self.conn.execute(f"SELECT {columns} FROM {TABLE}")]

    def ensure_history(self) -> None:
        self.conn.execute(SQLITE_DDL)
        have = self._columns()
        for name, kind in UPGRADE_COLUMNS.items():
            if name not in have:
                self.conn.execute(f"ALTER TABLE {TABLE} ADD COLUMN {name} {kind.upper()}")

    @contextmanager
    def lock(self, wait: float, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """SQLite's own write lock (BEGIN IMMEDIATE per migration) serialises runners."""
        self.conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        yield

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
        if script.no_transaction:
            return self.run_outside(
                migration,
                script,
                statements,
                direction=direction,
                lock_timeout=lock_timeout,
                statement_timeout=statement_timeout,
            )
        conn = self.conn
        started = time.monotonic()
        self._begin()
        # another runner may have applied it while we waited for the write lock
        row = conn.execute(
            f"SELECT state FROM {TABLE} WHERE version = ?", [migration.version]
        ).fetchone()
        if (row is not None) == (direction == "up"):
            conn.execute("ROLLBACK")
            return -1
        for stmt in statements:
            try:
                conn.execute(stmt.text)
            except sqlite3.Error as e:
                conn.execute("ROLLBACK")
                raise statement_failed(
                    script,
                    stmt,
                    f"SQLite error: {e}",
                    None,
                    account=f"{migration.label} was rolled back: the database and {TABLE} are "
                    "as they were before it",
                ) from None
        ms = int((time.monotonic() - started) * 1000)
        if direction == "up":
            conn.execute(
                f"INSERT OR REPLACE INTO {TABLE} (version, name, checksum, duration_ms, "
                "applied_by, state, statements_done) VALUES (?, ?, ?, ?, ?, 'applied', ?)",
                [
                    migration.version,
                    migration.name,
                    migration.checksum,
                    ms,
                    applied_by(),
                    len(statements),
                ],
            )
        else:
            conn.execute(f"DELETE FROM {TABLE} WHERE version = ?", [migration.version])
        conn.execute("COMMIT")
        return ms

    def _begin(self) -> None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise LockTimeout(f"cannot take the write lock on {self.where}: {e}") from None

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
        """A no-transaction file, as on PostgreSQL: a 'running' row first (written under the
        write lock after checking that no other runner has one), then each statement with its
        progress; a statement other than VACUUM runs in a transaction with its progress."""
        conn = self.conn
        started = time.monotonic()
        total = len(statements)
        label = script.label

        def progress(done: int) -> tuple[str, list[Any]]:
            nxt = statements[done].line if done < total else None
            return (
                f"UPDATE {TABLE} SET state = 'running', statements_done = ?, done_checksum = ?, "
                "detail = ? WHERE version = ?",
                [
                    done,
                    statements_checksum(statements[:done]),
                    progress_detail(direction, label, done, total, nxt),
                    migration.version,
                ],
            )

        self._begin()
        if not resume:
            row = conn.execute(
                f"SELECT state FROM {TABLE} WHERE version = ?", [migration.version]
            ).fetchone()
            state = row[0] if row else None
            if state in ("running", "failed"):
                conn.execute("ROLLBACK")
                raise MigrationError(
                    f"{label}: {TABLE} marks {migration.version} {state!r}: another runner is "
                    "running it, or one stopped part-way; see `dbdesign migrate status`"
                )
            if (state is not None) == (direction == "up"):
                conn.execute("ROLLBACK")
                return -1  # another runner did it
            if direction == "up":
                conn.execute(
                    f"INSERT INTO {TABLE} (version, name, checksum, applied_by, state) "
                    "VALUES (?, ?, ?, ?, 'running')",
                    [migration.version, migration.name, migration.checksum, applied_by()],
                )
        conn.execute(*progress(start))
        conn.execute("COMMIT")
        for i in range(start, total):
            stmt = statements[i]
            try:
                if stmt.outside is None:
                    self._begin()
                conn.execute(stmt.text)
                conn.execute(*progress(i + 1))
                if conn.in_transaction:
                    conn.execute("COMMIT")
            except sqlite3.Error as e:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                error = f"SQLite error: {e}"
                conn.execute(
                    f"UPDATE {TABLE} SET state = 'failed', statements_done = ?, "
                    "done_checksum = ?, detail = ? WHERE version = ?",
                    [
                        i,
                        statements_checksum(statements[:i]),
                        failed_detail(direction, label, i, total, stmt.line, error),
                        migration.version,
                    ],
                )
                raise statement_failed(
                    script,
                    stmt,
                    error,
                    None,
                    account=outside_account(migration, script, i, total),
                ) from None
        ms = int((time.monotonic() - started) * 1000)
        if direction == "up":
            conn.execute(
                f"UPDATE {TABLE} SET state = 'applied', checksum = ?, duration_ms = ?, "
                "detail = NULL, done_checksum = NULL, "
                "applied_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE version = ?",
                [migration.checksum, ms, migration.version],
            )
        else:
            conn.execute(f"DELETE FROM {TABLE} WHERE version = ?", [migration.version])
        return ms

    def write_rows(self, rows: list[Row]) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        for r in rows:
            self.conn.execute(
                f"INSERT OR REPLACE INTO {TABLE} (version, name, checksum, duration_ms, "
                "applied_by, state, statements_done, detail, done_checksum) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    r.version,
                    r.name,
                    r.checksum,
                    r.duration_ms,
                    r.applied_by,
                    r.state,
                    r.statements_done,
                    r.detail,
                    r.done_checksum,
                ],
            )
        self.conn.execute("COMMIT")

    def delete_row(self, version: str) -> None:
        self.conn.execute(f"DELETE FROM {TABLE} WHERE version = ?", [version])
