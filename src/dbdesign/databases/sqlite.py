"""SQLite: the standard library's driver on a database file; a scratch database is a file in a
temporary folder (never the given database). There are no named locks: a write transaction
(:meth:`SQLiteDatabase.begin_write`) holds the file's write lock, waited for within the
connection's busy timeout."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dbdesign import dialects
from dbdesign.databases import Database, Target, _rollback_always, _version_number, target
from dbdesign.errors import ConfigError
from dbdesign.model import Schema

PROOF_URL = "sqlite://"  # a SQLite design's proof: a fresh temporary file, never a given one


def file_of(url: str) -> str:
    path = dialects.database_file(url)
    if path is None:
        raise ConfigError(f"{url}: not a SQLite database URL or file")
    return path


class SQLiteDatabase(Database):
    dialect = "sqlite"

    def connect(self, url: str, *, autocommit: bool = False, multi_statements: bool = False) -> Any:
        """Foreign keys on; usable from another thread than the one that opened it (the
        caller keeps it to one thread at a time)."""
        conn = sqlite3.connect(
            file_of(url),
            isolation_level=None if autocommit else "DEFERRED",
            check_same_thread=False,
        )
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def version(self, conn: Any) -> str:
        return f"SQLite {conn.execute('SELECT sqlite_version()').fetchone()[0]}"

    def version_number(self, conn: Any) -> int:
        return _version_number(str(conn.execute("SELECT sqlite_version()").fetchone()[0]))

    def literal(self, conn: Any, value: str | int | None) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, int):
            return str(value)
        return dialects.get(self.dialect).quote_string(value)

    def busy_timeout(self, conn: Any, seconds: float) -> None:
        """How long a statement waits for another connection's lock on the file before it
        fails with "database is locked"."""
        conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    def begin_write(self, conn: Any) -> None:
        """``BEGIN IMMEDIATE``: a transaction holding the file's write lock from its start
        (waited for within the busy timeout), so no other writer comes between its reads and
        its writes. ``sqlite3.OperationalError`` when the wait runs out."""
        conn.execute("BEGIN IMMEDIATE")

    @contextmanager
    def scratch(self, url: str) -> Iterator[str]:
        with tempfile.TemporaryDirectory(prefix="dbdesign-scratch-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'scratch.db'}"

    def read_catalog(self, url: str) -> Schema:
        from dbdesign.readers.catalog.sqlite import read_catalog

        return read_catalog(file_of(url))

    def read_catalog_of(self, conn: Any) -> Schema:
        from dbdesign.readers.catalog.sqlite import read_catalog

        return read_catalog(conn)

    def row_counts(self, url: str) -> dict[str, int]:
        from dbdesign.dialects.sqlite import NAMESPACE, quote_ident

        # read-only by the driver: mode=ro
        conn = sqlite3.connect(f"file:{file_of(url)}?mode=ro", uri=True)
        try:
            names = [
                r[0]
                for r in conn.execute(
                    "select name from sqlite_master where type='table' and name not like 'sqlite_%'"
                )
            ]
            return {
                f"{NAMESPACE}.{n}": conn.execute(
                    f"select count(*) from {quote_ident(n)}"
                ).fetchone()[0]
                for n in names
            }
        finally:
            conn.close()

    @contextmanager
    def rolled_back(self, url: str) -> Iterator[Any]:
        conn = self.connect(url)
        conn.execute("BEGIN")
        yield from _rollback_always(conn)

    @contextmanager
    def creating(self, url: str, ddl: str, names: frozenset[str]) -> Iterator[Any]:
        path = file_of(url)
        new_file = path != ":memory:" and not Path(path).exists()
        con = sqlite3.connect(path, isolation_level=None)
        done = False
        try:
            # outside the transaction, where the pragma takes effect: the load checks foreign keys
            con.execute("PRAGMA foreign_keys = ON")
            try:
                con.executescript("BEGIN;\n" + ddl)
            except sqlite3.Error as e:
                raise ConfigError(f"{path}: cannot create the schema: {e}") from None
            yield con
            con.execute("COMMIT")
            done = True
        finally:
            if con.in_transaction:
                con.execute("ROLLBACK")
            con.close()
            if new_file and not done:  # nothing was kept: leave no empty database behind
                Path(path).unlink(missing_ok=True)

    def proof_url(self, db: str | Target | None) -> Target | None:
        """:data:`PROOF_URL`, always: a SQLite ``db`` is never proved in (and the environment's
        server is not used); a ``db`` that is not a SQLite URL or file is refused."""
        given = target(db) if db else None
        if given is not None and given.file is None:
            raise ConfigError(
                f"--db {given}: a SQLite design is proved in a temporary SQLite file, "
                "not on a server; leave --db out"
            )
        return target(PROOF_URL)
