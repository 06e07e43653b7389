"""Bulk writing into SQLite: a transaction (or a savepoint inside the caller's), executemany
of INSERTs and of UPDATEs by key, foreign keys checked at COMMIT, a larger page cache for the
load, ANALYZE, and a live connection's name. What is written, and when, is the caller's
(datagen's load)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from dbdesign.dialects.sqlite import quote_ident

CACHE_KIB = 256 * 1024  # the page cache during a load (random inserts into unique indexes)
_SAVEPOINT = "dbdesign_datagen"


def is_connection(conn: object) -> bool:
    """Whether ``conn`` is a live sqlite3 connection."""
    return isinstance(conn, sqlite3.Connection)


def label(conn: sqlite3.Connection) -> str:
    """A live connection's name (the driver does not say which file it opened)."""
    return "sqlite"


@contextmanager
def bulk_session(con: sqlite3.Connection) -> Iterator[None]:
    """Foreign keys enforced (when no transaction is open: SQLite ignores the pragma inside
    one) and a page cache of :data:`CACHE_KIB` at least in the block, the old cache after."""
    if not con.in_transaction:
        con.execute("PRAGMA foreign_keys = ON")
    old_cache = con.execute("PRAGMA cache_size").fetchone()[0]
    con.execute(f"PRAGMA cache_size = {min(int(old_cache), -CACHE_KIB)}")
    try:
        yield
    finally:
        con.execute(f"PRAGMA cache_size = {int(old_cache)}")


@contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[None]:
    """A transaction committed at the end of the block, rolled back on an error; inside the
    caller's transaction, a savepoint (released, or rolled back to)."""
    own = not con.in_transaction
    con.execute("BEGIN" if own else f"SAVEPOINT {_SAVEPOINT}")
    try:
        yield
    except BaseException:
        if own:
            con.execute("ROLLBACK")
        else:
            con.execute(f"ROLLBACK TO {_SAVEPOINT}")
            con.execute(f"RELEASE {_SAVEPOINT}")
        raise
    con.execute("COMMIT" if own else f"RELEASE {_SAVEPOINT}")


def defer_foreign_keys(con: sqlite3.Connection) -> None:
    """Foreign keys checked at COMMIT for the rest of the transaction (rows of a cycle go in)."""
    con.execute("PRAGMA defer_foreign_keys = ON")


def row_writer(
    con: sqlite3.Connection, table: str, columns: Sequence[str]
) -> Callable[[Iterable[Sequence[Any]]], None]:
    """What writes rows (values as SQLite stores them) into ``table``: executemany of one
    ``INSERT INTO table (columns) VALUES (?, ...)``."""
    stmt = (
        f"INSERT INTO {quote_ident(table)} ({', '.join(quote_ident(c) for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )

    def write(rows: Iterable[Sequence[Any]]) -> None:
        con.executemany(stmt, rows)

    return write


def update_rows(
    con: sqlite3.Connection,
    table: str,
    columns: Sequence[str],
    keys: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """``UPDATE ... SET columns WHERE keys`` once per row: the columns' values, then the keys'."""
    con.executemany(
        f"UPDATE {quote_ident(table)} SET "
        + ", ".join(f"{quote_ident(c)} = ?" for c in columns)
        + " WHERE "
        + " AND ".join(f"{quote_ident(k)} = ?" for k in keys),
        rows,
    )


def foreign_key_violations(con: sqlite3.Connection) -> list[Any]:
    """``PRAGMA foreign_key_check``: (table, rowid, referenced table, key number) of each row
    whose foreign key references no row."""
    return con.execute("PRAGMA foreign_key_check").fetchall()


def analyze(con: sqlite3.Connection) -> None:
    """ANALYZE: the query planner's statistics after a load."""
    con.execute("ANALYZE")
