"""The PostgreSQL migration backend: :class:`PostgresBackend`.

One autocommit session runs migrations: ``BEGIN; SET LOCAL ...`` then each statement, then the
history row and ``COMMIT`` in one round trip, so a migration and its history row commit
together or not at all. The lock is a session-level advisory lock taken by *polling*
``pg_try_advisory_lock`` on a second, dedicated autocommit session that never holds a
transaction open. (golang-migrate waits in a blocking ``pg_advisory_lock()`` call: that call
is a running transaction with a snapshot, and CREATE INDEX CONCURRENTLY in the lock holder
waits for every older snapshot to finish, so each waits for the other forever.) After taking
the lock, runner sessions left behind by a killed runner (their transaction can never commit)
are terminated, and every runner session sets ``client_connection_check_interval`` so the
server also notices a dead client by itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
from psycopg import sql

from dbdesign import databases
from dbdesign.databases.postgres import advisory_key
from dbdesign.migrate.backend_base import (
    ROW_COLUMNS,
    Backend,
    LockTimeout,
    Work,
    applied_by,
    row_values,
)
from dbdesign.migrate.files import Migration, MigrationStatement, Script
from dbdesign.migrate.history import (
    BASE_COLUMNS,
    COLUMNS,
    PG_DDL,
    TABLE,
    UPGRADE_COLUMNS,
    Row,
)
from dbdesign.redact import redact_url

RUNNER_APP = "dbdesign-migrate"
# The name a session carries only while its runner holds the lock: any other session with it,
# seen by the lock holder, belongs to a runner that died.
HOLDER_APP = "dbdesign-migrate-holder"
LOCK_KEY = advisory_key(TABLE)  # the advisory lock of the migrations (the adapter's key of TABLE)


class PostgresBackend(Backend):
    dialect = "postgres"
    NOW = "now()"
    HELD_BY = " (held by server process {})"
    errors = (psycopg.Error,)
    batches = True

    def __init__(self, url: str, db: databases.Database | None = None) -> None:
        self.db = db or databases.for_dialect(self.dialect)
        self.url = url
        self.where = redact_url(url)
        self.conn = self._session()
        self.server_version = self.db.version_number(self.conn)
        self._lock_conn: psycopg.Connection[Any] | None = None

    def _session(self) -> psycopg.Connection[Any]:
        conn: psycopg.Connection[Any] = self.db.connect(self.url, autocommit=True)
        conn.execute(f"SET application_name = '{RUNNER_APP}'")
        if self.db.version_number(conn) >= 140000:
            conn.execute("SET client_connection_check_interval = '1s'")
        return conn

    def close(self) -> None:
        self.conn.close()
        if self._lock_conn is not None:
            self._lock_conn.close()

    def execute(self, query: str) -> None:
        self.conn.execute(query)

    def split(self, script: Script) -> list[MigrationStatement]:
        from dbdesign.migrate.pgcheck import split_postgres

        return split_postgres(script, self.server_version)

    def history(self) -> list[Row]:
        cur = self.conn.execute(
            "SELECT to_regclass(%s) IS NOT NULL, (SELECT count(*) FROM pg_attribute "
            "WHERE attrelid = to_regclass(%s) AND attname = ANY(%s) AND NOT attisdropped)",
            [TABLE, TABLE, list(UPGRADE_COLUMNS)],
        )
        row = cur.fetchone()
        if not row or not row[0]:
            return []
        columns = COLUMNS if row[1] == len(UPGRADE_COLUMNS) else BASE_COLUMNS + ", NULL"
        rows = self.conn.execute(
            f"SELECT {columns.replace('applied_at', 'applied_at::text')} FROM {TABLE}"
        ).fetchall()
        return [Row.from_tuple(r) for r in rows]

    def ensure_history(self) -> None:
        # one round trip; the ALTER (an exclusive lock) only for a table made before a column
        upgrade = " ".join(
            f"IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = '{TABLE}'::regclass "
            f"AND attname = '{name}' AND NOT attisdropped) THEN "
            f"ALTER TABLE {TABLE} ADD COLUMN {name} {kind}; END IF;"
            for name, kind in UPGRADE_COLUMNS.items()
        )
        self.conn.execute(f"{PG_DDL}; DO $$ BEGIN {upgrade} END $$")

    def concurrent_index(
        self, stmt: MigrationStatement
    ) -> tuple[str | None, tuple[Any, ...]] | None:
        """For a ``CREATE INDEX CONCURRENTLY`` statement: the index it names (None when it
        names none) and the catalog's indexes that matter: ``(schema, name, valid)`` of the
        index of that name on the statement's table, or of every INVALID index on that table
        when the statement names none. None for any other statement."""
        from dbdesign.migrate.pgcheck import concurrent_index

        target = concurrent_index(stmt.text)
        if target is None:
            return None
        schema, table, index = target
        rel = sql.Identifier(*([schema] if schema else []), table).as_string(self.conn)
        rows = self.conn.execute(
            "SELECT n.nspname, c.relname, i.indisvalid FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE i.indrelid = to_regclass(%s) "
            "AND (c.relname = %s OR (%s::text IS NULL AND NOT i.indisvalid)) ORDER BY 2",
            [rel, index, index],
        ).fetchall()
        return index, tuple((str(a), str(b), bool(c)) for a, b, c in rows)

    def drop_index(self, schema: str, name: str) -> str:
        """DROP INDEX CONCURRENTLY (an INVALID index left by an interrupted build); returns the
        statement."""
        stmt = sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}").format(sql.Identifier(schema, name))
        self.conn.execute(stmt)
        return stmt.as_string(self.conn)

    @contextmanager
    def lock(self, wait: float, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold the migration lock while the block runs; poll for at most ``wait`` seconds on
        a session of its own that never holds a transaction open."""
        conn: psycopg.Connection[Any] = self.db.connect(self.url, autocommit=True)
        conn.execute(f"SET application_name = '{RUNNER_APP}-lock'")
        self._lock_conn = conn
        try:
            deadline = self.poll_lock(conn, wait, on_wait)
            self._end_orphans(deadline)
            self.conn.execute(f"SET application_name = '{HOLDER_APP}'")
            yield
        finally:
            self._lock_conn = None
            if not self.conn.closed:
                with suppress(psycopg.Error):
                    self.conn.execute(f"SET application_name = '{RUNNER_APP}'")
            conn.close()  # closing the session releases the lock

    def _end_orphans(self, deadline: float) -> None:
        """End runner sessions a killed runner left behind: with the lock ours, no live runner
        can own them, and their open transaction can never commit."""
        pids = [self.conn.info.backend_pid]
        if self._lock_conn is not None:
            pids.append(self._lock_conn.info.backend_pid)
        query = (
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = %s AND state <> 'idle' AND NOT (pid = ANY(%s))"
        )
        while True:
            orphans = [r[0] for r in self.conn.execute(query, [HOLDER_APP, pids]).fetchall()]
            if not orphans:
                return
            for pid in orphans:
                # not allowed: wait for the server to notice the dead client
                with suppress(psycopg.Error):
                    self.conn.execute("SELECT pg_terminate_backend(%s)", [pid])
            if time.monotonic() >= deadline:
                raise LockTimeout(
                    f"server processes {orphans} of a stopped runner are still running on "
                    f"{self.where}; gave up waiting for them to end"
                )
            time.sleep(0.1)

    def _settings(self, scope: str, lock_timeout: str | None, statement_timeout: str | None) -> str:
        parts = []
        for name, value in (
            ("lock_timeout", lock_timeout),
            ("statement_timeout", statement_timeout),
        ):
            if value is not None:
                parts.append(f"SET {scope}{name} = {sql.quote(value)}")
        return "; ".join(parts)

    def _timeouts(self, lock_timeout: str | None, statement_timeout: str | None) -> tuple[str, str]:
        setup = self._settings("", lock_timeout, statement_timeout)
        return setup, "RESET lock_timeout; RESET statement_timeout" if setup else ""

    def _run_transaction(self, w: Work) -> int:
        migration, statements = w.migration, w.statements
        direction = w.direction
        conn = self.conn
        started = time.monotonic()
        setup = self._settings("LOCAL ", w.lock_timeout, w.statement_timeout)
        # BEGIN and the settings travel with the first statement, and the history row and
        # COMMIT with the last one: a one-statement migration costs one round trip. (The
        # newline ends a trailing `--` comment of the statement.)
        prefix = "BEGIN; " + (f"{setup}; " if setup else "")
        record = self._record(migration, direction, len(statements))
        suffix = "\n; " + record.as_string(conn) + "; COMMIT"
        if not statements:
            conn.execute(prefix + suffix.lstrip("\n; "))
            return int((time.monotonic() - started) * 1000)
        last = len(statements) - 1
        try:
            for i, stmt in enumerate(statements):
                query = prefix + stmt.text + (suffix if i == last else "")
                try:
                    conn.execute(query)
                except psycopg.Error as e:
                    conn.execute("ROLLBACK")
                    pos = _position(e)
                    if e.diag.table_name == TABLE or (
                        pos is not None and pos > len(prefix) + len(stmt.text)
                    ):
                        raise w.not_recorded(_pg_error(e)) from None
                    offset = pos - len(prefix) if pos is not None else None
                    raise w.rolled_back(stmt, _pg_error(e), offset) from None
                prefix = ""
        except BaseException:
            if (
                not conn.closed
                and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
            ):
                conn.execute("ROLLBACK")
            raise
        return int((time.monotonic() - started) * 1000)

    def run_batch(
        self, items: list[tuple[Migration, list[MigrationStatement]]], *, direction: str
    ) -> int:
        """Several transactional migrations in one query string, each in its own transaction
        with its history row: ``BEGIN; ...; INSERT ...; COMMIT; BEGIN; ...``. The server stops
        at the first error; the migrations before it are committed, that one is rolled back.
        Returns how many committed (the caller re-runs the next one alone, which reports the
        failure precisely, or applies it when the failure was passing)."""
        parts = []
        for m, statements in items:
            parts.append("BEGIN")
            parts += [st.text + "\n" for st in statements]
            parts.append(self._record(m, direction, len(statements)).as_string(self.conn))
            parts.append("COMMIT")
        try:
            self.conn.execute("; ".join(parts))
            return len(items)
        except psycopg.Error:
            if self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                self.conn.execute("ROLLBACK")
        have = {r.version for r in self.history()}
        for n, (m, _) in enumerate(items):
            if (m.version in have) != (direction == "up"):
                return n
        return len(items)

    def _record(self, m: Migration, direction: str, done: int) -> sql.Composed:
        if direction == "up":
            return self._insert_sql(m, "applied", done)
        return sql.SQL("DELETE FROM {} WHERE version = {}").format(
            sql.Identifier(TABLE), sql.Literal(m.version)
        )

    def _insert_sql(self, m: Migration, state: str, done: int) -> sql.Composed:
        """The history row; duration_ms is the server's time since the transaction began."""
        return sql.SQL(
            "INSERT INTO {} (version, name, checksum, duration_ms, applied_by, state, "
            "statements_done) VALUES ({}, {}, {}, "
            "(extract(epoch FROM clock_timestamp() - now()) * 1000)::integer, {}, {}, {}) "
            "ON CONFLICT (version) DO UPDATE SET checksum = EXCLUDED.checksum, "
            "applied_at = now(), duration_ms = EXCLUDED.duration_ms, state = EXCLUDED.state, "
            "statements_done = EXCLUDED.statements_done, detail = NULL, "
            "applied_by = EXCLUDED.applied_by"
        ).format(
            sql.Identifier(TABLE),
            *(sql.Literal(v) for v in (m.version, m.name, m.checksum, applied_by(), state, done)),
        )

    def _begin_outside(self, w: Work, *, start: int, resume: bool, progress: str) -> bool:
        if w.direction == "up" and not resume:
            insert = self._insert_sql(w.migration, "running", start).as_string(self.conn)
            progress = insert + "; " + progress
        self.conn.execute(progress)
        return True

    def _run_counted(
        self, script: Script, index: int, stmt: MigrationStatement, progress: str
    ) -> str | None:
        """A statement that can run in a transaction block travels with its progress update
        in one query string, which the server runs as one implicit transaction: it and its
        progress commit together, so a kill never leaves it done but uncounted. Statements
        that cannot (CREATE INDEX CONCURRENTLY ...) are followed by the update on its own."""
        try:
            if stmt.outside is None:
                self.conn.execute(stmt.text + "\n; " + progress)
                return None
        except (
            psycopg.errors.ActiveSqlTransaction,  # VACUUM-like, not known to pgcheck
            psycopg.errors.InvalidTransactionTermination,  # CALL of a COMMIT-ing proc
        ):
            pass  # rolled back whole: it cannot run in a transaction block, so alone
        self.conn.execute(stmt.text)
        return progress

    def _describe(self, e: Exception) -> str:
        assert isinstance(e, psycopg.Error)
        return _pg_error(e)

    def _position(self, stmt: MigrationStatement, e: Exception) -> int | None:
        assert isinstance(e, psycopg.Error)
        return _position(e)

    def _left_behind(self, stmt: MigrationStatement) -> str | None:
        """A sentence on the INVALID index a failed CREATE INDEX CONCURRENTLY left, if any. An
        index built without a name cannot be told from other INVALID indexes on its table:
        repair refuses every choice until it is dropped by hand, and the sentence says so."""
        found = self.concurrent_index(stmt)
        if not found:
            return None
        bad = ", ".join(f"{sch}.{name}" for sch, name, valid in found[1] if not valid)
        if not bad:
            return None
        if found[0] is None:
            return (
                f"Its table has the INVALID index(es) {bad}, which this build of an index "
                "without a name may have left: drop the leftover by hand (DROP INDEX "
                "CONCURRENTLY ...) before `dbdesign migrate repair` can settle the file."
            )
        return f"It left the INVALID index {bad} behind, which --resume and --forget drop."

    def write_rows(self, rows: list[Row]) -> None:
        with self.conn.transaction():
            for r in rows:
                self.conn.execute(
                    f"INSERT INTO {TABLE} ({ROW_COLUMNS}) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (version) DO UPDATE SET checksum = EXCLUDED.checksum, "
                    "state = EXCLUDED.state, detail = EXCLUDED.detail, "
                    "statements_done = EXCLUDED.statements_done, "
                    "done_checksum = EXCLUDED.done_checksum, applied_at = now()",
                    row_values(r),
                )


def _pg_error(e: psycopg.Error) -> str:
    d = e.diag
    if d.message_primary:
        return f"ERROR {d.sqlstate}: {d.message_primary}" + (
            f" ({d.message_detail})" if d.message_detail else ""
        )
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def _position(e: psycopg.Error) -> int | None:
    pos = e.diag.statement_position
    return int(pos) if pos else None
