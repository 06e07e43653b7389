"""Bulk writing into PostgreSQL: COPY in text format, many rows updated by their keys, ANALYZE,
and a live connection's name. What is written, and when, is the caller's (datagen's load)."""

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
