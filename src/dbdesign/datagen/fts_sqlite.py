"""SQLite: an external-content FTS5 index built once after a load instead of row by row.

A design keeps an FTS5 table in step with the table it indexes (``content='t'``) by triggers
that write each row's text into it. Filled through them, a table from empty costs about 30 µs a
row more; FTS5's ``'rebuild'`` command, run once the rows are in, about 2 µs a row
(bench/bench_sqlite_fts.py: 200,000 issues load in 11.1 s through the triggers, 5.6 s with the
rebuild, 5.1 s with no index at all). So a load into an empty table sets aside the triggers that
only write into its FTS5 tables, and in the same transaction, after the last row (and the rows
set later), rebuilds each index from the table and creates the triggers again, as they were.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from dbdesign.dialects.sqlite import quote_ident
from dbdesign.model import Schema


@dataclass(frozen=True, slots=True)
class HeldIndex:
    """An FTS5 table whose triggers are set aside during a load: their SQL, to create again."""

    fts: str
    triggers: tuple[str, ...]


def set_aside(con: sqlite3.Connection, schema: Schema, tables: Iterable[str]) -> list[HeldIndex]:
    """Drop the triggers that only write into an external-content FTS5 table of one of
    ``tables`` (keys; tables the load fills from empty). Returns what :func:`rebuild` needs."""
    wanted = set(tables)
    held: list[HeldIndex] = []
    for vt in schema.virtual_tables.values():
        content = vt.option("content")
        if vt.module != "fts5" or not content or f"{vt.schema}.{content}" not in wanted:
            continue
        # every statement of the body writes into this FTS5 table (INSERT INTO t_fts(...))
        into = re.compile(rf"\s*INSERT\s+INTO\s+(?:{re.escape(quote_ident(vt.name))}|{vt.name})\b")
        names = [
            tr.name
            for tr in schema.triggers_on(f"{vt.schema}.{content}")
            if tr.body is not None
            and all(into.match(s) for s in tr.body.text.split(";") if s.strip())
        ]
        sqls = []
        for name in names:
            row = con.execute(
                "SELECT sql FROM main.sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
            ).fetchone()
            if row is not None:
                sqls.append(str(row[0]))
                con.execute(f"DROP TRIGGER main.{quote_ident(name)}")
        if sqls:
            held.append(HeldIndex(vt.name, tuple(sqls)))
    return held


def rebuild(con: sqlite3.Connection, held: list[HeldIndex]) -> None:
    """Build each held FTS5 index from its table's rows and create its triggers again."""
    for h in held:
        fts = quote_ident(h.fts)
        con.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        for sql in h.triggers:
            con.execute(sql)
