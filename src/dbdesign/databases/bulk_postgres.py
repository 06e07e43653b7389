"""Bulk writing into PostgreSQL: COPY in text or binary format, many rows updated by their keys,
ANALYZE, and a live connection's name. What is written, and when, is the caller's (datagen's
load)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

# Writes one batch: each column's values as COPY text (NULL as \N), and the batch's row count
# (what a batch without columns is made of).
WriteBatch = Callable[[Sequence[Sequence[str]], int], None]
# The binary COPY format's signature, flags and header extension; and its trailer
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_BINARY_TRAILER = b"\xff\xff"


def is_connection(conn: object) -> bool:
    """Whether ``conn`` is a live psycopg connection."""
    return isinstance(conn, psycopg.Connection)


def label(conn: psycopg.Connection[Any]) -> str:
    """A live connection named as a URL (it holds no password)."""
    i = conn.info
    return f"postgresql://{i.user}@{i.host}:{i.port}/{i.dbname}"


@contextmanager
def copy_rows(
    conn: psycopg.Connection[Any], schema: str, table: str, columns: Sequence[str]
) -> Iterator[WriteBatch]:
    """``COPY schema.table (columns) FROM STDIN`` in text format; yields what writes a batch.
    The COPY ends with the block (a failed row fails it there)."""
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(schema, table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with conn.cursor() as cur, cur.copy(stmt, writer=QueuedLibpqWriter(cur)) as copy:

        def write(texts: Sequence[Sequence[str]], rows: int) -> None:
            if texts:
                data = "\n".join(map("\t".join, zip(*texts, strict=True)))
            else:  # a row of defaults per line
                data = "\n" * (rows - 1)
            copy.write((data + "\n").encode())

        yield write


@contextmanager
def copy_binary(
    conn: psycopg.Connection[Any], schema: str, table: str, columns: Sequence[str]
) -> Iterator[Callable[[bytes], None]]:
    """``COPY schema.table (columns) FROM STDIN (FORMAT binary)``; yields what writes rows
    already in the binary format (each its field count, then each field's length and bytes).
    The file's header and trailer are written here; the COPY ends with the block."""
    stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT binary)").format(
        sql.Identifier(schema, table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with conn.cursor() as cur, cur.copy(stmt, writer=QueuedLibpqWriter(cur)) as copy:
        copy.write(_BINARY_HEADER)
        yield copy.write
        copy.write(_BINARY_TRAILER)


def update_rows(
    conn: psycopg.Connection[Any],
    schema: str,
    table: str,
    columns: Sequence[str],
    keys: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """``UPDATE ... SET columns WHERE keys`` once per row: the columns' values, then the keys'."""
    stmt = sql.SQL("UPDATE {} SET {} WHERE {}").format(
        sql.Identifier(schema, table),
        sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in columns),
        sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in keys),
    )
    with conn.cursor() as cur:
        cur.executemany(stmt, rows)


def analyze(conn: psycopg.Connection[Any], tables: Iterable[Sequence[str]]) -> None:
    """ANALYZE the tables (each named by its parts, schema and name) in a transaction of its
    own: the planner's statistics after a load."""
    with conn.transaction():
        conn.execute(
            sql.SQL("ANALYZE {}").format(
                sql.SQL(", ").join(sql.Identifier(*parts) for parts in tables)
            )
        )
