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

from dbdesign import databases
from dbdesign.dialects.mysql import is_mariadb
from dbdesign.errors import MigrationError, ParseError
from dbdesign.migrate.backend_base import (
    ROW_COLUMNS,
    Backend,
    Work,
    applied_by,
    row_values,
)
from dbdesign.migrate.files import Migration, MigrationStatement, Script, transactional
from dbdesign.migrate.history import COLUMNS, MYSQL_DDL, TABLE, Row
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


def _offset(stmt: MigrationStatement, e: Exception) -> int | None:
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


class MysqlBackend(Backend):
    dialect = "mysql"
    HISTORY = f"`{TABLE}`"
    NOW = "CURRENT_TIMESTAMP(6)"
    HELD_BY = " (connection {})"
    LOCK_HINT = (
        "; a runner that was stopped keeps it until the server has finished its last statement"
    )

    def __init__(self, url: str, db: databases.Database | None = None) -> None:
        try:
            import pymysql
        except ImportError:
            raise MigrationError(
                "MySQL and MariaDB need the PyMySQL driver: pip install 'dbdesign[mysql]'"
            ) from None
        self.errors = (pymysql.err.MySQLError,)
        self.db = db or databases.for_dialect(self.dialect)
        self.url = url
        self.where = redact_url(url)
        self.conn: Any = self.db.connect(url, autocommit=True, multi_statements=True)
        try:
            ((database,),) = self._rows("SELECT DATABASE()")
            with self._guarded():
                version = self.db.version(self.conn)
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
        self.mariadb = is_mariadb(version)
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
            except self.errors as e:
                e.results = results  # type: ignore[attr-defined]
                raise
        return rows

    @contextmanager
    def _guarded(self) -> Iterator[None]:
        """The runner's own queries: a server error is one MigrationError."""
        try:
            yield
        except self.errors as e:
            raise MigrationError(f"{self.where}: {_error(e)}") from None

    def _rows(self, query: str) -> list[tuple[Any, ...]]:
        with self._guarded():
            return self._raw(query)

    def _run(self, query: str) -> None:
        self._rows(query)

    def execute(self, query: str) -> None:
        self._run(query)

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
            rows = self._raw(f"SELECT {columns} FROM {self.HISTORY}")
        except self.errors as e:
            if e.args and e.args[0] == _ER_NO_SUCH_TABLE:
                return []
            raise MigrationError(f"{self.where}: {_error(e)}") from None
        return [Row.from_tuple(r) for r in rows]

    def ensure_history(self) -> None:
        self._run(MYSQL_DDL)

    def _upsert(self, values: dict[str, Any]) -> str:
        names = ", ".join(values)
        lits = ", ".join(self.literal(v) for v in values.values())
        update = ", ".join(f"{k} = VALUES({k})" for k in values if k != "version")
        return (
            f"INSERT INTO {self.HISTORY} ({names}, applied_at) VALUES ({lits}, {self.NOW}) "
            f"ON DUPLICATE KEY UPDATE {update}, applied_at = {self.NOW}"
        )

    def _row(self, m: Migration, state: str, done: int, ms: int) -> dict[str, Any]:
        """The values of the history row of ``m`` as the runner writes it."""
        values = [m.version, m.name, m.checksum, ms, applied_by(), state, done, None, None]
        return dict(zip(ROW_COLUMNS.split(", "), values, strict=True))

    def write_rows(self, rows: list[Row]) -> None:
        names = ROW_COLUMNS.split(", ")
        parts = ["START TRANSACTION"]
        parts += [self._upsert(dict(zip(names, row_values(r), strict=True))) for r in rows]
        parts.append("COMMIT")
        try:
            self._run(";\n".join(parts))
        finally:
            self._rollback()

    # ----------------------------------------------------------------- lock

    @contextmanager
    def lock(self, wait: float, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold the migration lock while the block runs: ``GET_LOCK(name, 0)`` polled for at
        most ``wait`` seconds, on the session that runs the migrations, so a killed runner's
        lock lasts until the server has finished what it sent."""
        self.poll_lock(self.conn, wait, on_wait)
        try:
            yield
        finally:
            with suppress(Exception):
                self.db.unlock(self.conn, self.lock_name)

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
            return f"DELETE FROM {self.HISTORY} WHERE version = {self.literal(m.version)}"
        return self._upsert(self._row(m, "applied", done, ms))

    @staticmethod
    def _progress_failed(e: Exception, first: int) -> bool:
        """Whether the runner's progress update failed rather than the statement: the error
        came after the statement's first result (``first``: its index in the query string)
        and names the history table."""
        after = getattr(e, "results", 0) > first
        return after and TABLE in str(getattr(e, "args", ("", ""))[-1])

    def _run_transaction(self, w: Work) -> int:
        """A file of data statements only: one transaction with its history row."""
        migration, statements = w.migration, w.statements
        direction = w.direction
        started = time.monotonic()
        setup, reset = self._timeouts(w.lock_timeout, w.statement_timeout)
        self._run(";\n".join([*([setup] if setup else []), "START TRANSACTION"]))
        try:
            for stmt in statements:
                try:
                    self._raw(stmt.text)
                except self.errors as e:
                    self._rollback()
                    raise w.rolled_back(stmt, _error(e), _offset(stmt, e)) from None
            ms = int((time.monotonic() - started) * 1000)
            try:
                self._raw(self._record(migration, direction, len(statements), ms) + ";\nCOMMIT")
            except self.errors as e:
                self._rollback()
                raise w.not_recorded(_error(e)) from None
        finally:
            self._rollback()
            if reset:
                self._run(reset)
        return ms

    def _begin_outside(self, w: Work, *, start: int, resume: bool, progress: str) -> bool:
        first = [progress]
        if w.direction == "up" and not resume:
            first.insert(0, self._upsert(self._row(w.migration, "running", start, 0)))
        self._run(";\n".join(first))
        return True

    def _run_counted(
        self, script: Script, index: int, stmt: MigrationStatement, progress: str
    ) -> str | None:
        """The statement in one query string with its progress update, a data statement
        inside ``START TRANSACTION ... COMMIT``."""
        # the newline ends a trailing `--` or `#` comment of the statement
        if stmt.outside is None:
            query = f"START TRANSACTION;\n{stmt.text}\n;\n{progress};\nCOMMIT"
        else:
            query = f"{stmt.text}\n;\n{progress}"
        try:
            self._raw(query)
        except self.errors as e:
            self._rollback()
            if self._progress_failed(e, 0 if stmt.outside else 1):
                raise MigrationError(
                    f"recording the progress of {script.label} in {TABLE} failed after "
                    f"statement {index + 1}: {_error(e)}"
                ) from None
            raise
        return None

    def _describe(self, e: Exception) -> str:
        return _error(e)

    def _position(self, stmt: MigrationStatement, e: Exception) -> int | None:
        return _offset(stmt, e)
