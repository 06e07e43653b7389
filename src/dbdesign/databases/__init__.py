"""One adapter per kind of database server: how dbdesign connects to it and what it asks it.

:func:`get` takes a database URL (or a SQLite file's path) and returns the :class:`Database`
of its dialect. An adapter connects (failures are one line without the password), names the
server's version, makes a throw-away database on the same server and drops it afterwards,
reads the catalog, counts rows read-only, opens a connection whose work is rolled back, and
creates a whole schema all or nothing (``datagen --create``: a rollback, or on MySQL, whose
DDL commits, dropping what it made); it also says where a design of its dialect is proved and
whether advise reads its query plans. For the migration runner it writes a value as a
literal, names the server's version as a number, and holds the locks: a named session lock on
a server (PostgreSQL's advisory locks, MySQL's ``GET_LOCK``), the write lock of a SQLite file
(``BEGIN IMMEDIATE``). The proof's servers (design/prove_pg.py, prove_mysql.py,
prove_sqlite.py) and the migration backends (migrate/backend_pg.py, backend_mysql.py,
backend_sqlite.py) build on these, the data loaders (datagen/load.py) connect through them,
and the bulk writers beside them (bulk_postgres.py, bulk_mysql.py, bulk_sqlite.py) are how
rows go into each server.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, ClassVar

from dbdesign import dialects
from dbdesign.errors import ConfigError, UnsupportedError
from dbdesign.model import Schema
from dbdesign.redact import redact_url

# dialect name -> "module:class" of its adapter (a dialect registered elsewhere adds its own)
ADAPTERS: dict[str, str] = {
    "postgres": "dbdesign.databases.postgres:PostgresDatabase",
    "mysql": "dbdesign.databases.mysql:MySQLDatabase",
    "sqlite": "dbdesign.databases.sqlite:SQLiteDatabase",
}


class Database:
    """What dbdesign does with one kind of server. Subclasses implement every method; the
    named locks (:meth:`try_lock`, :meth:`unlock`, :meth:`lock_holder`) only where
    :attr:`named_locks` says the server has them."""

    dialect: ClassVar[str]  # the canonical name of the dialect it speaks
    advise_plans: ClassVar[bool] = False  # advise (explain, latency) reads its query plans
    named_locks: ClassVar[bool] = False  # session locks by name (try_lock ...)
    lock_session: ClassVar[str] = "server process"  # what holds a lock, as the server names it

    def connect(self, url: str, *, autocommit: bool = False, multi_statements: bool = False) -> Any:
        """A driver connection to ``url``; a :class:`ConnectionError` without the password.
        ``multi_statements``: one query string may hold several statements (the migration
        runner sends a statement and its progress together). PostgreSQL's driver always
        allows that for a query without parameters; SQLite's never does (its
        ``executescript`` does)."""
        raise NotImplementedError

    def version(self, conn: Any) -> str:
        """The server as a person names it: ``PostgreSQL 16.4``, ``MariaDB 10.11.6`` ..."""
        raise NotImplementedError

    def version_number(self, conn: Any) -> int:
        """The server's version as one number that compares in order: PostgreSQL's own
        ``server_version_num`` (160004 for 16.4); for the others major * 10000 + minor * 100 +
        patch (101106 for MariaDB 10.11.6)."""
        raise NotImplementedError

    def literal(self, conn: Any, value: str | int | None) -> str:
        """``value`` as a SQL literal the server behind ``conn`` reads back unchanged (None:
        ``NULL``). For a runner's own statements that travel in one query string with a
        migration's, where parameters cannot go."""
        raise NotImplementedError

    def try_lock(self, conn: Any, name: str) -> bool:
        """Take the lock ``name`` of the connection's database for the connection's session,
        without waiting: True when taken. It is held until :meth:`unlock` or the end of the
        session, also when the client dies without a word."""
        raise UnsupportedError(f"{dialects.get(self.dialect).title} has no named locks")

    def unlock(self, conn: Any, name: str) -> None:
        """Release the lock ``name`` that the connection's session holds."""
        raise UnsupportedError(f"{dialects.get(self.dialect).title} has no named locks")

    def lock_holder(self, conn: Any, name: str) -> int | None:
        """The session holding the lock ``name`` (its server process or connection id, as
        :attr:`lock_session` says), or None when nobody holds it."""
        raise UnsupportedError(f"{dialects.get(self.dialect).title} has no named locks")

    def scratch(self, url: str) -> AbstractContextManager[str]:
        """A throw-away database beside ``url`` (on the same server; a temporary file for a
        file database), its URL yielded, dropped afterwards also on an error."""
        raise NotImplementedError

    def read_catalog(self, url: str) -> Schema:
        """The schema of the live database (read-only)."""
        raise NotImplementedError

    def read_catalog_of(self, conn: Any) -> Schema:
        """The schema as an open connection sees it (inside its transaction, if any)."""
        raise NotImplementedError

    def row_counts(self, url: str) -> dict[str, int]:
        """Rows per table (``schema.table``): statistics where the server keeps them, counted
        where it does not. Read-only."""
        raise NotImplementedError

    def rolled_back(self, url: str) -> AbstractContextManager[Any]:
        """A connection in a transaction that is rolled back at the end, whatever happens."""
        raise NotImplementedError

    def proof_url(self, db: str | Target | None) -> Target | None:
        """Where a design of this dialect is proved, given ``--db`` (None: not given), or None
        when there is no server to use. A ``db`` of another kind is a :class:`ConfigError`."""
        raise NotImplementedError

    def creating(self, url: str, ddl: str, names: frozenset[str]) -> AbstractContextManager[Any]:
        """Run ``ddl`` (a whole schema) in the database at ``url`` and yield what to load it
        through: a connection whose transaction holds the new objects (transactional DDL), or
        the URL. Leaving the block commits; an exception, from the DDL or from the block, leaves
        nothing this call made: a rollback (and a database file it made is removed), or, where
        DDL commits, the objects named in ``names`` (lower case) that the DDL created are
        dropped. A DDL error is a :class:`ConfigError` ``cannot create the schema: ...``."""
        raise NotImplementedError


@dataclass(frozen=True)
class Target:
    """A database as the user named it, read once (:func:`target`): the text given (a URL, a
    libpq ``key=value`` string or a database file's path), the dialect it speaks and, for a
    file database, the file. ``str()`` is what messages may show: the file, or the URL without
    its password."""

    url: str
    dialect: dialects.Dialect
    file: str | None = None

    @property
    def database(self) -> Database:
        """The adapter of the target's dialect."""
        return for_dialect(self.dialect.name)

    def __str__(self) -> str:
        return self.file or redact_url(self.url)


def target(given: str | Target) -> Target:
    """``given`` read once into a :class:`Target` (a Target is returned as it is): a URL of a
    registered dialect, a database file's path (SQLite), else a string handed to libpq
    (PostgreSQL's ``host=... dbname=...``)."""
    if isinstance(given, Target):
        return given
    d = dialects.for_url(given)
    if d is not None:
        return Target(given, d, d.url_path(given) if d.file_magic else None)
    d = dialects.for_file(given)
    if d is not None:
        return Target(given, d, given)
    return Target(given, dialects.get("postgres"))


def dialect_at(url: str) -> dialects.Dialect | None:
    """The dialect of a database URL, or SQLite's for a database file's path; None for
    anything else (a libpq ``key=value`` string, say)."""
    d = dialects.for_url(url)
    if d is None and dialects.database_file(url) is not None:
        d = dialects.get("sqlite")
    return d


def get(url: str) -> Database:
    """The adapter of the database at ``url`` (a URL, or a SQLite file's path)."""
    d = dialect_at(url)
    if d is None:
        raise ConfigError(f"{redact_url(url)}: not a database URL")
    return for_dialect(d.name)


def for_target(url: str) -> Database:
    """The adapter of ``url`` as :func:`find` finds it, else PostgreSQL's: a target that is
    no database URL is handed to libpq (a ``host=... dbname=...`` string)."""
    return find(url) or for_dialect("postgres")


def find(url: str) -> Database | None:
    """The adapter of the database at ``url`` as :func:`get` finds it, or None: not a
    database's URL or file, or of a dialect without an adapter."""
    d = dialect_at(url)
    return for_dialect(d.name) if d is not None and d.name in ADAPTERS else None


def for_dialect(name: str) -> Database:
    """The adapter of the dialect ``name`` (a name, alias or URL)."""
    d = dialects.get(name)
    path = ADAPTERS.get(d.name)
    if path is None:
        raise UnsupportedError(f"connecting to {d.title} databases is not supported yet")
    module, cls = path.split(":")
    adapter: Database = getattr(importlib.import_module(module), cls)()
    return adapter


def _version_number(version: str) -> int:
    """major * 10000 + minor * 100 + patch of ``10.11.6-MariaDB-1`` or ``3.45.1``."""
    parts = [*version.split("-", 1)[0].split("."), "0", "0"][:3]
    major, minor, patch = (int(p) if p.isdigit() else 0 for p in parts)
    return major * 10000 + minor * 100 + patch


def _rollback_always(conn: Any) -> Iterator[Any]:
    try:
        yield conn
    finally:
        try:
            conn.rollback()
        finally:
            conn.close()


__all__ = [
    "ADAPTERS",
    "Database",
    "Target",
    "dialect_at",
    "find",
    "for_dialect",
    "for_target",
    "get",
    "target",
]
