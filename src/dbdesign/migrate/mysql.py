"""What a runner needs from MySQL and MariaDB (``mysql://`` and ``mariadb://`` URLs, PyMySQL).

MySQL commits before and after every DDL statement (an *implicit commit*), so a migration file
that changes the schema cannot be one transaction. Such a file runs the way a PostgreSQL
``no-transaction`` file does: a 'running' history row first, then each statement followed by
its progress (statements completed, the checksum of their text, which statement runs next), so
a failure or a kill leaves an exact account that ``repair --resume/--mark-applied/--forget``
settles. Each statement travels with its progress update in one query string (the session has
``CLIENT_MULTI_STATEMENTS``): the server runs the two back to back, also when the runner was
killed while the statement ran, so the count is written unless the *server* stops between them.
A data statement (INSERT, UPDATE, DELETE, REPLACE, SELECT, WITH) runs in
``START TRANSACTION; statement; progress; COMMIT``: it and its count commit together.

A file of data statements only, without the ``no-transaction`` header, runs in one transaction
with its history row, as on PostgreSQL (atomic for transactional tables: InnoDB, not MyISAM).

The lock is ``GET_LOCK(name, 0)`` polled on the session that runs the migrations (never a
blocking wait), released with ``RELEASE_LOCK`` at the end. A user-level lock lives as long as
its session, and a killed runner's session lives on the server until the server has finished
the query string it was sent: the next runner waits for that, and then reads the history that
statement left.

Splitting follows the ``mysql`` client (:func:`dbdesign.readers.ddl.mysql.split_script`):
``DELIMITER`` lines, quotes, comments and ``/*! */`` version comments, so triggers and
procedures work in migration files.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from dbdesign.dialects.mysql import is_mariadb
from dbdesign.engine import connect_mysql
from dbdesign.errors import MigrationError, ParseError
from dbdesign.migrate.backend import (
    LockTimeout,
    applied_by,
    outside_account,
    statement_failed,
)
from dbdesign.migrate.files import (
    Migration,
    MigrationStatement,
    Script,
    statements_checksum,
    transactional,
)
from dbdesign.migrate.history import (
    COLUMNS,
    MYSQL_DDL,
    TABLE,
    Row,
    failed_detail,
    progress_detail,
)
from dbdesign.redact import redact_url

__all__ = ["MysqlBackend", "lock_name", "seconds", "split_mysql", "transactional"]

# Statements that may run inside a transaction with the progress update (no implicit commit).
DATA_WORDS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "SELECT", "WITH"})
_TX_WORDS = frozenset({"START", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "XA"})
_ER_NO_SUCH_TABLE = 1146
_AT_LINE = re.compile(r" at line (\d+)$")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?$")
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
HISTORY = f"`{TABLE}`"


def lock_name(database: str) -> str:
    """The user-level lock of one database's migrations (at most 64 characters)."""
    name = f"{TABLE}:{database}"
    if len(name) <= 64:
        return name
    return f"{TABLE}:{hashlib.sha256(database.encode()).hexdigest()[:40]}"


def seconds(duration: str) -> float:
    """A PostgreSQL-style duration ('5s', '2min', '250ms'; a bare number is milliseconds)."""
    m = _DURATION.match(duration.strip())
    if m is None:
        raise MigrationError(f"not a duration: {duration!r} (expected e.g. '5s' or '2min')")
    return float(m.group(1)) * _UNITS[m.group(2) or "ms"]


def split_mysql(script: Script) -> list[MigrationStatement]:
    """The statements of ``script`` as the ``mysql`` client splits them; raises MigrationError
    (file:line) for an unterminated string or comment, transaction control, ``USE`` and
    ``LOCK TABLES``. A statement that commits implicitly (anything but a data statement) has
    ``outside`` set."""
    from dbdesign.readers.ddl.mysql import split_script, tokenize

    file = str(script.path)
    try:
        src, parts = split_script(script.text, file)
    except ParseError as e:
        raise MigrationError(e.message, file=file, line=e.line) from None
    out: list[MigrationStatement] = []
    for part in parts:
        try:
            toks = tokenize(src, part.start, part.end)
        except ParseError:  # a character the reader does not know: the server decides
            toks = None
        if toks is None:
            raw = src.text[part.start : part.end]
            start = part.start + len(raw) - len(raw.lstrip())
            text = raw.strip()
            words = text.upper().split(None, 2)[:2]
        elif not toks:
            continue  # comments only
        else:
            start = toks[0].start
            text = src.text[start : toks[-1].end]
            words = [t.upper for t in toks[:2]]
        if not text:
            continue
        line = src.position(start)[0]
        first = words[0] if words else ""
        second = words[1] if len(words) > 1 else ""
        why = _refused(first, second, toks)
        if why:
            raise MigrationError(why, file=file, line=line)
        outside = None if first in DATA_WORDS else f"{first or 'this statement'} commits implicitly"
        out.append(MigrationStatement(text, line, outside))
    return out


def _refused(first: str, second: str, toks: list[Any] | None) -> str | None:
    if first in _TX_WORDS or (first == "BEGIN" and second in ("", "WORK")):
        return (
            "transaction control statements are not allowed in migration files: the runner "
            "runs each statement with its progress (a file of data statements only: in one "
            "transaction)"
        )
    if first == "SET" and toks and any(_name(t.text) == "autocommit" for t in toks):
        return "SET autocommit is not allowed in migration files: the runner needs autocommit"
    if first in ("LOCK", "UNLOCK"):
        return (
            f"{first} TABLES is not allowed in migration files: the runner writes its progress "
            f"to {TABLE} after each statement"
        )
    if first == "USE":
        return (
            "USE is not allowed in migration files: migrations run in the database of the URL, "
            f"where {TABLE} is"
        )
    return None


def _name(token: str) -> str:
    """``autocommit`` of ``autocommit``, ``@@autocommit``, ``@@session.autocommit`` ..."""
    return token.lower().lstrip("@").rsplit(".", 1)[-1].strip("`")


# What a syntax error's "near '...'" quotes past the statement: the runner's own part of the
# query string (the progress update), not worth showing.
_APPENDIX = re.compile(r"\n;\n(?:UPDATE `" + TABLE + r"`|COMMIT).*?(?=' at line \d+$)", re.S)


def _error(e: Exception) -> str:
    """``ERROR 1146 (42S02): Table 'app.x' doesn't exist``, on one line."""
    args: tuple[Any, ...] = getattr(e, "args", ())
    if len(args) >= 2 and isinstance(args[0], int):
        state = getattr(e, "sqlstate", None)
        message = " ".join(_APPENDIX.sub("", str(args[1])).split())
        return f"ERROR {args[0]}" + (f" ({state})" if state else "") + f": {message}"
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def _position(stmt: MigrationStatement, e: Exception) -> int | None:
    """The 1-based offset in the statement of the line a syntax error names ('at line N',
    counted from the statement's first word)."""
    args: tuple[Any, ...] = getattr(e, "args", ())
    m = _AT_LINE.search(str(args[1])) if len(args) >= 2 else None
    if m is None:
        return None
    pos = 0
    for _ in range(int(m.group(1)) - 1):
        pos = stmt.text.find("\n", pos) + 1
        if pos == 0:
            return None
    return pos + 1


class MysqlBackend:
    dialect = "mysql"

    def __init__(self, url: str) -> None:
        import pymysql

        self._errors: type[Exception] = pymysql.err.MySQLError
        self.url = url
        self.where = redact_url(url)
        self.conn: Any = connect_mysql(url, autocommit=True, multi_statements=True)
        try:
            database, version = self._rows("SELECT DATABASE(), VERSION()")[0]
            self._run("SET time_zone = '+00:00'")
        except Exception:
            self.conn.close()
            raise
        if not database:
            self.conn.close()
            raise MigrationError(
                f"{self.where} names no database: migrations run in one database "
                "(mysql://user@host/database)"
            )
        self.database = str(database)
        self.server_version = str(version)
        self.mariadb = is_mariadb(self.server_version)
        self.lock_name = lock_name(self.database)

    def close(self) -> None:
        with suppress(Exception):
            self.conn.close()

    # ----------------------------------------------------------------- queries

    def _raw(self, query: str) -> list[tuple[Any, ...]]:
        """Run a query string (one or more statements); the rows of its first result. Server
        errors are raised as PyMySQL raises them, with ``results``: how many results came
        before the error (0: the first statement failed)."""
        with self.conn.cursor() as cur:
            results = 0
            try:
                cur.execute(query)  # no parameters: '%' stays as written
                rows = list(cur.fetchall() or ())
                results = 1
                while cur.nextset():
                    results += 1
            except self._errors as e:
                e.results = results  # type: ignore[attr-defined]
                raise
        return rows

    def _rows(self, query: str) -> list[tuple[Any, ...]]:
        """As _raw, for the runner's own queries: a server error is one MigrationError."""
        try:
            return self._raw(query)
        except self._errors as e:
            raise MigrationError(f"{self.where}: {_error(e)}") from None

    def _run(self, query: str) -> None:
        self._rows(query)

    def _lit(self, value: Any) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, int):
            return str(value)
        return str(self.conn.escape(str(value)))

    def _in_transaction(self) -> bool:
        from pymysql.constants import SERVER_STATUS

        return bool(self.conn.server_status & SERVER_STATUS.SERVER_STATUS_IN_TRANS)

    def _rollback(self) -> None:
        with suppress(Exception):
            if self.conn.open and self._in_transaction():
                self._raw("ROLLBACK")

    # ----------------------------------------------------------------- history

    def split(self, script: Script) -> list[MigrationStatement]:
        return split_mysql(script)

    def history(self) -> list[Row]:
        columns = COLUMNS.replace("applied_at", "CONCAT(CAST(applied_at AS CHAR), '+00')")
        try:
            rows = self._raw(f"SELECT {columns} FROM {HISTORY}")
        except self._errors as e:
            if e.args and e.args[0] == _ER_NO_SUCH_TABLE:
                return []
            raise MigrationError(f"{self.where}: {_error(e)}") from None
        return [Row.from_tuple(r) for r in rows]

    def ensure_history(self) -> None:
        self._run(MYSQL_DDL)

    def _upsert(self, values: dict[str, Any]) -> str:
        names = ", ".join(values)
        lits = ", ".join(self._lit(v) for v in values.values())
        update = ", ".join(f"{k} = VALUES({k})" for k in values if k != "version")
        return (
            f"INSERT INTO {HISTORY} ({names}, applied_at) VALUES ({lits}, CURRENT_TIMESTAMP(6)) "
            f"ON DUPLICATE KEY UPDATE {update}, applied_at = CURRENT_TIMESTAMP(6)"
        )

    def write_rows(self, rows: list[Row]) -> None:
        parts = ["START TRANSACTION"]
        for r in rows:
            parts.append(
                self._upsert(
                    {
                        "version": r.version,
                        "name": r.name,
                        "checksum": r.checksum,
                        "duration_ms": r.duration_ms,
                        "applied_by": r.applied_by,
                        "state": r.state,
                        "statements_done": r.statements_done,
                        "detail": r.detail,
                        "done_checksum": r.done_checksum,
                    }
                )
            )
        parts.append("COMMIT")
        try:
            self._run(";\n".join(parts))
        finally:
            self._rollback()

    def delete_row(self, version: str) -> None:
        self._run(f"DELETE FROM {HISTORY} WHERE version = {self._lit(version)}")

    # ----------------------------------------------------------------- lock

    def lock_holder(self) -> int | None:
        """The connection holding this database's migration lock, if any."""
        row = self._rows(f"SELECT IS_USED_LOCK({self._lit(self.lock_name)})")
        return int(row[0][0]) if row and row[0][0] is not None else None

    @contextmanager
    def lock(self, wait: float, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold the migration lock while the block runs: ``GET_LOCK(name, 0)`` polled for at
        most ``wait`` seconds (back-off from 20 ms to 0.5 s), on the session that runs the
        migrations, so a killed runner's lock lasts until the server has finished what it
        sent."""
        name = self._lit(self.lock_name)
        deadline = time.monotonic() + wait
        delay = 0.02
        while True:
            got = self._rows(f"SELECT GET_LOCK({name}, 0)")
            if got and got[0][0] == 1:
                break
            if on_wait is not None:
                on_wait(f"waiting for the migration lock on {self.where} (up to {wait:g}s)")
                on_wait = None
            if time.monotonic() >= deadline:
                holder = self.lock_holder()
                who = f" (connection {holder})" if holder else ""
                raise LockTimeout(
                    f"another `dbdesign migrate` holds the migration lock on {self.where}{who}; "
                    f"gave up after waiting {wait:g}s (set lock_wait in [tool.dbdesign.migrate] "
                    "or --lock-wait to wait longer; a runner that was stopped keeps it until "
                    "the server has finished its last statement)"
                )
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)
        try:
            yield
        finally:
            with suppress(Exception):
                self._raw(f"SELECT RELEASE_LOCK({name})")

    # ----------------------------------------------------------------- timeouts

    def _timeouts(self, lock_timeout: str | None, statement_timeout: str | None) -> tuple[str, str]:
        """``SET SESSION`` for the migration and the ``SET SESSION ... = DEFAULT`` after it.
        lock_timeout: lock_wait_timeout (metadata locks: DDL) and innodb_lock_wait_timeout
        (row locks), whole seconds rounded up. statement_timeout: MariaDB max_statement_time
        (every statement); MySQL max_execution_time (read-only SELECT statements only)."""
        sets: list[str] = []
        names: list[str] = []
        if lock_timeout is not None:
            n = max(1, math.ceil(seconds(lock_timeout)))
            sets += [f"lock_wait_timeout = {n}", f"innodb_lock_wait_timeout = {n}"]
            names += ["lock_wait_timeout", "innodb_lock_wait_timeout"]
        if statement_timeout is not None:
            s = seconds(statement_timeout)
            if self.mariadb:
                sets.append(f"max_statement_time = {s:.6f}")
                names.append("max_statement_time")
            else:
                sets.append(f"max_execution_time = {max(1, math.ceil(s * 1000))}")
                names.append("max_execution_time")
        if not sets:
            return "", ""
        return (
            "SET SESSION " + ", ".join(sets),
            "SET SESSION " + ", ".join(f"{n} = DEFAULT" for n in names),
        )

    # ----------------------------------------------------------------- running

    def _record(self, m: Migration, direction: str, done: int, ms: int) -> str:
        if direction == "down":
            return f"DELETE FROM {HISTORY} WHERE version = {self._lit(m.version)}"
        return self._upsert(
            {
                "version": m.version,
                "name": m.name,
                "checksum": m.checksum,
                "duration_ms": ms,
                "applied_by": applied_by(),
                "state": "applied",
                "statements_done": done,
                "detail": None,
                "done_checksum": None,
            }
        )

    @staticmethod
    def _progress_failed(e: Exception, first: int) -> bool:
        """Whether the runner's progress update failed rather than the statement: the error
        came after the statement's first result (``first``: its index in the query string)
        and names the history table."""
        after = getattr(e, "results", 0) > first
        return after and TABLE in str(getattr(e, "args", ("", ""))[-1])

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
        """A file of data statements only: one transaction with its history row. Any other
        file: statement by statement (:meth:`run_outside`)."""
        if not transactional(script, statements):
            return self.run_outside(
                migration,
                script,
                statements,
                direction=direction,
                lock_timeout=lock_timeout,
                statement_timeout=statement_timeout,
            )
        started = time.monotonic()
        setup, reset = self._timeouts(lock_timeout, statement_timeout)
        self._run(";\n".join([*([setup] if setup else []), "START TRANSACTION"]))
        try:
            for stmt in statements:
                try:
                    self._raw(stmt.text)
                except self._errors as e:
                    self._rollback()
                    raise statement_failed(
                        script,
                        stmt,
                        _error(e),
                        _position(stmt, e),
                        account=f"{migration.label} was rolled back: the database and {TABLE} "
                        "are as they were before it",
                    ) from None
            ms = int((time.monotonic() - started) * 1000)
            try:
                self._raw(self._record(migration, direction, len(statements), ms) + ";\nCOMMIT")
            except self._errors as e:
                self._rollback()
                raise MigrationError(
                    f"recording {migration.label} in {TABLE} failed: {_error(e)}; the "
                    "migration was rolled back"
                ) from None
        finally:
            self._rollback()
            if reset:
                self._run(reset)
        return ms

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
        """Statement by statement from ``start`` (0-based; ``repair --resume`` starts after the
        completed ones): a 'running' row first, then each statement in one query string with
        its progress update, a data statement inside ``START TRANSACTION ... COMMIT``."""
        started = time.monotonic()
        total = len(statements)
        label = script.label
        version = self._lit(migration.version)

        def progress(done: int) -> str:
            nxt = statements[done].line if done < total else None
            detail = progress_detail(direction, label, done, total, nxt)
            return (
                f"UPDATE {HISTORY} SET state = 'running', statements_done = {done}, "
                f"done_checksum = {self._lit(statements_checksum(statements[:done]))}, "
                f"detail = {self._lit(detail)} WHERE version = {version}"
            )

        first = [progress(start)]
        if direction == "up" and not resume:
            row: dict[str, Any] = {"version": migration.version, "name": migration.name}
            row |= {"checksum": migration.checksum, "duration_ms": 0}
            row |= {"applied_by": applied_by(), "state": "running", "statements_done": start}
            row |= {"detail": None, "done_checksum": None}
            first.insert(0, self._upsert(row))
        self._run(";\n".join(first))
        setup, reset = self._timeouts(lock_timeout, statement_timeout)
        if setup:
            self._run(setup)
        try:
            for i in range(start, total):
                stmt = statements[i]
                # the newline ends a trailing `--` or `#` comment of the statement
                if stmt.outside is None:
                    query = f"START TRANSACTION;\n{stmt.text}\n;\n{progress(i + 1)};\nCOMMIT"
                else:
                    query = f"{stmt.text}\n;\n{progress(i + 1)}"
                try:
                    self._raw(query)
                except self._errors as e:
                    self._rollback()
                    if self._progress_failed(e, 0 if stmt.outside else 1):
                        raise MigrationError(
                            f"recording the progress of {label} in {TABLE} failed after "
                            f"statement {i + 1}: {_error(e)}"
                        ) from None
                    error = _error(e)
                    self._run(
                        f"UPDATE {HISTORY} SET state = 'failed', statements_done = {i}, "
                        f"done_checksum = {self._lit(statements_checksum(statements[:i]))}, "
                        "detail = "
                        f"{self._lit(failed_detail(direction, label, i, total, stmt.line, error))}"
                        f" WHERE version = {version}"
                    )
                    raise statement_failed(
                        script,
                        stmt,
                        error,
                        _position(stmt, e),
                        account=outside_account(migration, script, i, total),
                    ) from None
        finally:
            if reset:
                self._run(reset)
        ms = int((time.monotonic() - started) * 1000)
        if direction == "up":
            self._run(
                f"UPDATE {HISTORY} SET state = 'applied', "
                f"checksum = {self._lit(migration.checksum)}, duration_ms = {ms}, "
                "detail = NULL, done_checksum = NULL, applied_at = CURRENT_TIMESTAMP(6) "
                f"WHERE version = {version}"
            )
        else:
            self._run(f"DELETE FROM {HISTORY} WHERE version = {version}")
        return ms
