"""Bulk writing into MySQL / MariaDB: multi-row INSERT statements and UPDATEs joined to a
derived table of values, each statement within the server's packet limit, in a strict
session; literals; foreign key checks off and then by query; ANALYZE TABLE; and a live
connection's name. What is written, and when, is the caller's (datagen's load).

(``LOAD DATA LOCAL`` would be faster, but it turns duplicate keys and bad values into
warnings: the rows are skipped and the load still succeeds.)"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from dbdesign.dialects.mysql import quote_ident

STATEMENT_BYTES = 4 << 20  # one statement's text at most (the server's packet limit allows)
# The session a load runs in: strict (a value that does not fit is an error, not a
# truncation), backslash escapes on (how literal() writes), an explicit 0 kept in an
# AUTO_INCREMENT column, and UTC (no daylight-saving gap refuses a TIMESTAMP).
SQL_MODE = "STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION"
_ESCAPE = str.maketrans(
    {"\\": "\\\\", "'": "\\'", "\0": "\\0", "\n": "\\n", "\r": "\\r", "\x1a": "\\Z"}
)


def is_connection(conn: object) -> bool:
    """Whether ``conn`` is a live PyMySQL connection (PyMySQL is not imported for it)."""
    return type(conn).__module__.startswith("pymysql") and hasattr(conn, "cursor")


def label(conn: Any) -> str:
    """A live connection named as a URL (it holds no password)."""

    def text(v: Any) -> str:
        return v.decode() if isinstance(v, bytes) else str(v or "")

    return f"mysql://{text(conn.user)}@{conn.host}:{conn.port}/{text(conn.db)}"


def _name(table: str) -> str:
    return quote_ident(table, always=True)


@contextmanager
def strict_session(conn: Any) -> Iterator[int]:
    """The session in :data:`SQL_MODE` and UTC, the old mode and time zone restored afterwards;
    yields the longest statement to send (bytes), below half the server's packet limit."""
    with conn.cursor() as cur:
        cur.execute("SELECT @@SESSION.sql_mode, @@SESSION.time_zone, @@max_allowed_packet")
        old_mode, old_tz, packet = cur.fetchone()
        cur.execute("SET SESSION sql_mode = %s, time_zone = '+00:00'", (SQL_MODE,))
    try:
        yield max(64 << 10, min(STATEMENT_BYTES, int(packet) // 2))
    finally:
        with conn.cursor() as cur:
            cur.execute("SET SESSION sql_mode = %s, time_zone = %s", (old_mode, old_tz))


@contextmanager
def foreign_keys_unchecked(cur: Any) -> Iterator[None]:
    """``foreign_key_checks`` off in the block (rows that close a cycle of keys go in); the
    keys are then to be checked by :func:`orphans`."""
    cur.execute("SET SESSION foreign_key_checks = 0")
    try:
        yield
    finally:
        cur.execute("SET SESSION foreign_key_checks = 1")


def literal(v: object) -> str:
    """A Python value as a literal in the :func:`strict_session` (backslash escapes on)."""
    if v is None:
        return "NULL"
    if isinstance(v, str):
        return "'" + v.translate(_ESCAPE) + "'"
    if isinstance(v, bytes | bytearray | memoryview):
        return "X'" + bytes(v).hex() + "'"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int | float):
        return repr(v)
    return "'" + str(v).translate(_ESCAPE) + "'"


def insert_rows(
    cur: Any,
    table: str,
    columns: Sequence[str],
    literals: Sequence[Sequence[str]],
    rows: int,
    limit: int,
) -> None:
    """Multi-row INSERTs into ``table`` (a name in the connection's database), each statement
    at most ``limit`` bytes: ``literals`` holds each column's values as literals; a table
    without columns gets ``rows`` rows of defaults."""
    head = f"INSERT INTO {_name(table)} ({', '.join(_name(c) for c in columns)}) VALUES "
    if columns:
        tuples = ["(" + ",".join(r) + ")" for r in zip(*literals, strict=True)]
    else:
        tuples = ["()"] * rows
    chunk: list[str] = []
    size = len(head)
    for t in tuples:
        if chunk and size + len(t) + 1 > limit:
            cur.execute(head + ",".join(chunk))
            chunk, size = [], len(head)
        chunk.append(t)
        size += len(t) + 1
    if chunk:
        cur.execute(head + ",".join(chunk))


def update_rows(
    cur: Any,
    table: str,
    keys: Sequence[str],
    columns: Sequence[str],
    literals: Sequence[Sequence[str]],
    limit: int,
) -> None:
    """Set ``columns`` of the rows of ``table`` found by ``keys``: ``UPDATE ... JOIN`` a
    derived table of the values, each statement at most ``limit`` bytes. ``literals`` holds
    each key's, then each column's, values as literals."""
    names = [f"_k{i}" for i in range(len(keys))]
    values = [f"_v{i}" for i in range(len(columns))]
    head = f"UPDATE {_name(table)} AS t JOIN ("
    tail = (
        ") AS v ON "
        + " AND ".join(f"t.{_name(k)} = v.{a}" for k, a in zip(keys, names, strict=True))
        + " SET "
        + ", ".join(f"t.{_name(c)} = v.{a}" for c, a in zip(columns, values, strict=True))
    )
    chunk: list[str] = []
    size = len(head) + len(tail)
    for r in zip(*literals, strict=True):
        if chunk and size + len(r) * 8 + sum(map(len, r)) > limit:
            cur.execute(head + " UNION ALL ".join(chunk) + tail)
            chunk, size = [], len(head) + len(tail)
        if chunk:
            sel = "SELECT " + ", ".join(r)
        else:  # the first SELECT names the derived table's columns
            sel = "SELECT " + ", ".join(
                f"{v} AS {a}" for v, a in zip(r, names + values, strict=True)
            )
        chunk.append(sel)
        size += len(sel) + len(" UNION ALL ")
    if chunk:
        cur.execute(head + " UNION ALL ".join(chunk) + tail)


def orphans(
    conn: Any, table: str, columns: Sequence[str], ref_table: str, ref_columns: Sequence[str]
) -> int:
    """Rows of ``table`` whose foreign key (``columns`` -> ``ref_table`` (``ref_columns``))
    references no row: what the server would have refused with its checks on."""
    child = " AND ".join(f"c.{_name(c)} IS NOT NULL" for c in columns)
    match = " AND ".join(
        f"p.{_name(r)} = c.{_name(c)}" for c, r in zip(columns, ref_columns, strict=True)
    )
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT count(*) FROM {_name(table)} c WHERE {child} AND NOT EXISTS "
            f"(SELECT 1 FROM {_name(ref_table)} p WHERE {match})"
        )
        return int(cur.fetchone()[0])


def analyze(conn: Any, tables: Sequence[str]) -> None:
    """ANALYZE TABLE the tables (names in the connection's database)."""
    with conn.cursor() as cur:
        cur.execute("ANALYZE TABLE " + ", ".join(_name(t) for t in tables))
        cur.fetchall()
