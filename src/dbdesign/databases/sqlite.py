"""SQLite: the standard library's driver on a database file; a scratch database is a file in a
temporary folder (never the given database)."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dbdesign import dialects
from dbdesign.databases import Database, _rollback_always
from dbdesign.errors import ConfigError
from dbdesign.model import Schema
from dbdesign.redact import redact_url

PROOF_URL = "sqlite://"  # a SQLite design's proof: a fresh temporary file, never a given one


def file_of(url: str) -> str:
    path = dialects.database_file(url)
    if path is None:
        raise ConfigError(f"{url}: not a SQLite database URL or file")
    return path


class SQLiteDatabase(Database):
    dialect = "sqlite"

    def connect(self, url: str, *, autocommit: bool = False) -> Any:
        conn = sqlite3.connect(file_of(url), isolation_level=None if autocommit else "DEFERRED")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def version(self, conn: Any) -> str:
        return f"SQLite {conn.execute('SELECT sqlite_version()').fetchone()[0]}"

    @contextmanager
    def scratch(self, url: str) -> Iterator[str]:
        with tempfile.TemporaryDirectory(prefix="dbdesign-scratch-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'scratch.db'}"

    def read_catalog(self, url: str) -> Schema:
        from dbdesign.readers.catalog.sqlite import read_catalog

        return read_catalog(file_of(url))

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

    def proof_url(self, db: str | None) -> str | None:
        """:data:`PROOF_URL`, always: a SQLite ``db`` is never proved in (and the environment's
        server is not used); a ``db`` that is not a SQLite URL or file is refused."""
        if db and dialects.database_file(db) is None:
            raise ConfigError(
                f"--db {redact_url(db)}: a SQLite design is proved in a temporary SQLite file, "
                "not on a server; leave --db out"
            )
        return PROOF_URL
