"""The SQLite migration backend: :class:`SqliteBackend`.

Each migration runs in ``BEGIN IMMEDIATE`` (the database's write lock, waited for with a busy
timeout) and re-reads the history inside it, so two runners apply every migration once.

A file with the header ``-- dbdesign: foreign-keys-off`` (the 12-step table rebuild) runs as
the SQLite documentation's procedure asks, still in one transaction with its history row:
``PRAGMA foreign_keys = OFF`` before BEGIN (the pragma is a no-op inside a transaction),
``PRAGMA foreign_key_check`` before COMMIT (a row it returns rolls the migration back), and
``PRAGMA foreign_keys = ON`` after COMMIT or ROLLBACK, whatever happened.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from dbdesign import databases
from dbdesign.databases.sqlite import SQLiteDatabase, file_of
from dbdesign.dialects.sqlite import quote_ident
from dbdesign.errors import MigrationError
from dbdesign.migrate.backend_base import (
    ROW_COLUMNS,
    Backend,
    LockTimeout,
    Work,
    applied_by,
    rolled_back_account,
    row_values,
)
from dbdesign.migrate.files import MigrationStatement, Script, split_sqlite
from dbdesign.migrate.history import (
    BASE_COLUMNS,
    COLUMNS,
    SQLITE_DDL,
    TABLE,
    UPGRADE_COLUMNS,
    Row,
)

_VIOLATIONS = 10  # rows of PRAGMA foreign_key_check named in the error


class SqliteBackend(Backend):
    dialect = "sqlite"
    NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    errors = (sqlite3.Error,)
    foreign_keys_off = True

    def __init__(
        self, url: str | Path, db: databases.Database | None = None, *, busy_timeout: float = 60.0
    ) -> None:
        adapter = db or databases.for_dialect(self.dialect)
        assert isinstance(adapter, SQLiteDatabase)
        self.db = self.sqlite = adapter
        self.url = str(url)
        self.path = Path(file_of(self.url))
        self.where = f"sqlite:{self.path}"
        try:
            self.conn = adapter.connect(self.url, autocommit=True)
            adapter.busy_timeout(self.conn, busy_timeout)
        except sqlite3.Error as e:
            raise MigrationError(f"cannot open {self.path}: {e}") from None

    def close(self) -> None:
        self.conn.close()

    def execute(self, query: str) -> None:
        self.conn.execute(query)

    def split(self, script: Script) -> list[MigrationStatement]:
        if script.foreign_keys_off is not None and script.no_transaction:
            raise MigrationError(
                "`-- dbdesign: foreign-keys-off` runs the file in one transaction (foreign keys "
                "checked before COMMIT): it cannot be combined with no-transaction",
                file=str(script.path),
                line=script.foreign_keys_off,
            )
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
        self.sqlite.busy_timeout(self.conn, wait)
        yield

    def _run_transaction(self, w: Work) -> int:
        """The migration in one transaction; with ``foreign-keys-off``, foreign keys off around
        it and checked before COMMIT (see the module docstring)."""
        if w.script.foreign_keys_off is None:
            return self._transaction(w)
        self.conn.execute("PRAGMA foreign_keys = OFF")  # outside a transaction: it takes effect
        try:
            return self._transaction(w)
        finally:
            if self.conn.in_transaction:  # interrupted: the pragma below needs autocommit
                self.conn.execute("ROLLBACK")
            self.conn.execute("PRAGMA foreign_keys = ON")

    def _transaction(self, w: Work) -> int:
        migration, statements = w.migration, w.statements
        direction = w.direction
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
                raise w.rolled_back(stmt, self._describe(e), None) from None
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
            self.delete_row(migration.version)
        if w.script.foreign_keys_off is not None:
            self._check_foreign_keys(w)
        conn.execute("COMMIT")
        return ms

    def _check_foreign_keys(self, w: Work) -> None:
        """``PRAGMA foreign_key_check`` before COMMIT: a row breaking a foreign key rolls the
        migration back with a MigrationError naming each (table, rowid, parent, columns)."""
        rows = self.conn.execute("PRAGMA foreign_key_check").fetchall()
        if not rows:
            return
        shown = [self._violation(*r) for r in rows[:_VIOLATIONS]]
        if len(rows) > _VIOLATIONS:
            shown.append(f"... and {len(rows) - _VIOLATIONS} more")
        self.conn.execute("ROLLBACK")
        raise MigrationError(
            f"{w.script.label} ran with foreign keys off and PRAGMA foreign_key_check found "
            f"{len(rows)} row(s) without their parent: "
            + "; ".join(shown)
            + "\n  "
            + rolled_back_account(w.migration),
            file=str(w.script.path),
            line=w.script.foreign_keys_off,
        )

    def _violation(self, table: str, rowid: int | None, parent: str, fkid: int) -> str:
        """One row of ``PRAGMA foreign_key_check``: ``orders rowid 3: (shop_id) -> shops (id)``."""
        keys = [
            r
            for r in self.conn.execute(f"PRAGMA foreign_key_list({quote_ident(table)})")
            if r[0] == fkid
        ]
        child = ", ".join(str(r[3]) for r in keys)
        ref = ", ".join(str(r[4]) for r in keys if r[4] is not None)
        row = f"rowid {rowid}" if rowid is not None else "a row (WITHOUT ROWID)"
        return f"{table} {row}: ({child}) -> {parent}" + (f" ({ref})" if ref else "")

    def _begin(self) -> None:
        try:
            self.sqlite.begin_write(self.conn)
        except sqlite3.OperationalError as e:
            raise LockTimeout(f"cannot take the write lock on {self.where}: {e}") from None

    def _begin_outside(self, w: Work, *, start: int, resume: bool, progress: str) -> bool:
        """The 'running' row is written under the write lock after checking that no other
        runner has one."""
        conn = self.conn
        self._begin()
        if not resume:
            row = conn.execute(
                f"SELECT state FROM {TABLE} WHERE version = ?", [w.migration.version]
            ).fetchone()
            state = row[0] if row else None
            if state in ("running", "failed"):
                conn.execute("ROLLBACK")
                raise MigrationError(
                    f"{w.script.label}: {TABLE} marks {w.migration.version} {state!r}: another "
                    "runner is running it, or one stopped part-way; see `dbdesign migrate status`"
                )
            if (state is not None) == (w.direction == "up"):
                conn.execute("ROLLBACK")
                return False  # another runner did it
            if w.direction == "up":
                conn.execute(
                    f"INSERT INTO {TABLE} (version, name, checksum, applied_by, state) "
                    "VALUES (?, ?, ?, ?, 'running')",
                    [w.migration.version, w.migration.name, w.migration.checksum, applied_by()],
                )
        conn.execute(progress)
        conn.execute("COMMIT")
        return True

    def _run_counted(
        self, script: Script, index: int, stmt: MigrationStatement, progress: str
    ) -> str | None:
        """A statement other than VACUUM runs in a write transaction with its progress."""
        conn = self.conn
        try:
            if stmt.outside is None:
                self._begin()
            conn.execute(stmt.text)
            conn.execute(progress)
            if conn.in_transaction:
                conn.execute("COMMIT")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return None

    def _describe(self, e: Exception) -> str:
        return f"SQLite error: {e}"

    def write_rows(self, rows: list[Row]) -> None:
        self.sqlite.begin_write(self.conn)
        for r in rows:
            self.conn.execute(
                f"INSERT OR REPLACE INTO {TABLE} ({ROW_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row_values(r),
            )
        self.conn.execute("COMMIT")
