"""Proving a design on SQLite: :class:`SQLiteServer` (EXPLAIN QUERY PLAN, with the indexes
SQLite makes for declared keys named as the model names them, and an FTS5 table named when the
plan runs a full-text query on it; search words from the data through ``fts5vocab``)."""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Iterator
from typing import Any

from dbdesign.databases.sqlite import SQLiteDatabase
from dbdesign.design import Design, PatternPlan
from dbdesign.design.prove_server import SEARCH_ROW_WORDS, Explained, percentile_index

# What a line of EXPLAIN QUERY PLAN reads a table with: a named index (an automatic index,
# built for the one query, is not one), the rowid (an INTEGER PRIMARY KEY), or a WITHOUT ROWID
# table's primary key.
_SQ_READ = re.compile(r"^(?:SEARCH|SCAN) (\S+)(?: AS \S+)?(?: USING (.*))?$")
_SQ_INDEX = re.compile(r"^(?:COVERING )?INDEX (\S+)")
_SQ_PK = re.compile(r"^(?:INTEGER )?PRIMARY KEY\b")
# A virtual table's line: the module's idxNum and idxStr (FTS5 writes M<column> in it for a
# MATCH, = for a rowid lookup; SCAN t VIRTUAL TABLE INDEX 0: reads every row).
_SQ_VIRTUAL = re.compile(r"^(?:SEARCH|SCAN) (\S+)(?: AS \S+)? VIRTUAL TABLE INDEX \d+:(\S*)")
# Words as FTS5's unicode61 tokenizer splits them (it also folds case and diacritics).
_WORD = re.compile(r"\w+")
_SEARCH_ROWS = 20  # rows tried, from the picked one on, for one with words in the index


class SQLiteServer(SQLiteDatabase):
    """The standard library's SQLite: a temporary file for each proof (the adapter's scratch),
    never a given database."""

    explain_label = "EXPLAIN QUERY PLAN"

    def apply(self, conn: Any, up_sql: str) -> None:
        from dbdesign.errors import DbdesignError

        try:
            conn.executescript("BEGIN;\n" + up_sql + "\nCOMMIT;")
        except sqlite3.Error as e:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise DbdesignError(f"applying the migration to SQLite failed: {e}") from None

    def analyze(self, conn: Any, d: Design) -> None:
        # sqlite_stat1 for every index (the loader ran ANALYZE on its own connection already;
        # this one reads the statistics it plans with). PRAGMA optimize would only repeat it.
        conn.execute("ANALYZE")

    def params(self, conn: Any, d: Design, pp: PatternPlan, seed: int) -> tuple[Any, ...]:
        from dbdesign.dialects.sqlite import quote_ident as q

        table = q(pp.table.split(".", 1)[1])
        t = d.schema.tables[pp.table]
        order = ", ".join(map(q, t.primary_key.columns)) if t.primary_key else "rowid"
        eq = [p.column for p in pp.params if p.kind == "eq"]
        values: dict[tuple[str, str], Any] = {}
        ((n,),) = conn.execute(f"SELECT count(*) FROM {table}").fetchall()
        # SQLite's random() takes no seed: one row by its position instead (the same row for
        # the equality columns and the search words, so that the search finds it)
        at = random.Random(seed).randrange(int(n)) if n else 0
        if eq and n:
            row = conn.execute(
                f"SELECT {', '.join(map(q, eq))} FROM {table} ORDER BY {order} LIMIT 1 OFFSET ?",
                (at,),
            ).fetchone()
            values.update({(c, "eq"): v for c, v in zip(eq, row, strict=False)})
        for p in pp.params:
            if p.kind == "search":
                values[(p.column, "search")] = self._search(conn, d, pp, order, at)
        for p in pp.params:
            if p.kind in ("lower", "upper") and (p.column, "lower") not in values:
                c = q(p.column)
                n, hi = conn.execute(f"SELECT count({c}), max({c}) FROM {table}").fetchone()
                lo = None
                if n:
                    (lo,) = conn.execute(
                        f"SELECT {c} FROM {table} WHERE {c} IS NOT NULL ORDER BY {c} "
                        "LIMIT 1 OFFSET ?",
                        (percentile_index(int(n)),),
                    ).fetchone()
                values[(p.column, "lower")] = lo
                values[(p.column, "upper")] = hi
        return tuple(values.get((p.column, p.kind)) for p in pp.params)

    def common_words(self, conn: Any, d: Design, pp: PatternPlan) -> str:
        from dbdesign.dialects.sqlite import quote_ident as q

        fts = d.schema.virtual_tables.get(f"main.{pp.index}")
        if fts is None:
            return "x"
        conn.execute(
            f"CREATE VIRTUAL TABLE temp.dbdesign_vocab USING fts5vocab(main, {q(fts.name)}, row)"
        )
        try:
            row = conn.execute(
                "SELECT term FROM temp.dbdesign_vocab ORDER BY doc DESC, term LIMIT 1"
            ).fetchone()
        finally:
            conn.execute("DROP TABLE temp.dbdesign_vocab")
        return f'"{row[0]}"' if row else "x"

    def _search(self, conn: Any, d: Design, pp: PatternPlan, order: str, at: int) -> str:
        """A user's search: the two least common words of one row's text (the row at ``at``,
        or the next with SEARCH_ROW_WORDS words in the index, else the one with most), both
        required, so that it finds that row at
        least. Document counts come from an ``fts5vocab`` table over the pattern's FTS5 table."""
        from dbdesign.dialects.sqlite import quote_ident as q

        fts = d.schema.virtual_tables.get(f"main.{pp.index}")
        if fts is None:
            return "x"
        table, cols = q(fts.option("content") or ""), ", ".join(map(q, fts.columns))
        conn.execute(
            f"CREATE VIRTUAL TABLE temp.dbdesign_vocab USING fts5vocab(main, {q(fts.name)}, row)"
        )
        try:
            rows = conn.execute(
                f"SELECT {cols} FROM {table} ORDER BY {order} LIMIT {_SEARCH_ROWS} OFFSET ?", (at,)
            ).fetchall()
            found: list[dict[str, int]] = []
            for row in rows:
                words = {w.lower() for text in row if text for w in _WORD.findall(str(text))}
                ndoc = {
                    w: int(c)
                    for w in sorted(words)
                    for (c,) in conn.execute(
                        "SELECT doc FROM temp.dbdesign_vocab WHERE term = ?", (w,)
                    )
                }
                found.append(ndoc)
                if len(ndoc) >= SEARCH_ROW_WORDS:
                    break
            best = max(found, key=len, default={})
            if best:  # quoted: FTS5 reads any text inside "..." as one word
                rare = sorted(best, key=lambda w: (best[w], w))[:2]
                return " ".join(f'"{w}"' for w in rare)
        finally:
            conn.execute("DROP TABLE temp.dbdesign_vocab")
        return "x"

    def explain(self, conn: Any, d: Design, pp: PatternPlan, params: tuple[Any, ...]) -> Explained:
        rows = conn.execute("EXPLAIN QUERY PLAN " + pp.sql, params).fetchall()
        children: dict[int, list[tuple[int, str]]] = {}
        for node, parent, _unused, detail in rows:
            children.setdefault(parent, []).append((node, detail))
        lines: list[str] = []
        used: list[str] = []
        only: list[str] = []
        scans: list[str] = []

        def walk(parent: int, depth: int) -> None:
            for node, detail in children.get(parent, ()):
                lines.append("  " * depth + ("-> " if depth else "") + detail)
                read = _SQ_READ.match(detail)
                if read and detail.startswith("SCAN ") and "VIRTUAL TABLE" not in detail:
                    scans.append(read.group(1))
                name = self._index_of(conn, d, detail)
                if name:
                    used.append(name)
                    if "USING COVERING INDEX" in detail:
                        only.append(name)
                walk(node, depth + 1)

        walk(0, 0)
        return Explained(
            used=tuple(dict.fromkeys(used)),
            text="\n".join(lines),
            # USE TEMP B-TREE FOR ORDER BY, or FOR RIGHT PART OF ORDER BY (a partial sort)
            sorts=any(
                detail.startswith("USE TEMP B-TREE FOR") and "ORDER BY" in detail
                for _n, _p, _u, detail in rows
            ),
            index_only=tuple(dict.fromkeys(only)),
            scans=tuple(dict.fromkeys(scans)),
            order=tuple(dict.fromkeys(_sq_order(children, 0))),
        )

    def _index_of(self, conn: Any, d: Design, detail: str) -> str | None:
        """The model's name for the index a plan line reads: ``SEARCH orders USING INDEX
        idx_...``, ``... USING INTEGER PRIMARY KEY (rowid=?)`` (the primary key), and the
        autoindexes SQLite makes for the keys declared in CREATE TABLE
        (``sqlite_autoindex_orders_2``: the primary or unique key with its columns), and an
        FTS5 table that answers a MATCH (``SCAN products_fts VIRTUAL TABLE INDEX 0:M2``)."""
        v = _SQ_VIRTUAL.match(detail)
        if v is not None:  # the FTS5 table, when it runs a full-text query (MATCH)
            vt = next((x for x in d.schema.virtual_tables.values() if x.name == v.group(1)), None)
            return vt.name if vt is not None and "M" in v.group(2) else None
        m = _SQ_READ.match(detail)
        if not m or not m.group(2):
            return None
        table = next(
            (t for t in d.schema.tables.values() if t.name.lower() == m.group(1).lower()), None
        )
        how = m.group(2)
        if _SQ_PK.match(how):
            return table.primary_key.name if table and table.primary_key else "PRIMARY KEY"
        ix = _SQ_INDEX.match(how)
        if not ix:
            return None  # an automatic index: built for this one query, not designed
        name = ix.group(1)
        if not name.startswith("sqlite_autoindex_") or table is None:
            return name
        return _sq_autoindex_name(conn, table, name)

    def run(self, conn: Any, pp: PatternPlan, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return list(conn.execute(pp.sql, params).fetchall())

    def fetch(self, conn: Any, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return list(conn.execute(sql, params).fetchall())

    def attempt(self, conn: Any, sql: str, params: tuple[Any, ...] = ()) -> str | None:
        conn.execute("BEGIN")
        try:
            conn.execute(sql, params)
        except sqlite3.Error as e:
            return f"{type(e).__name__} {e}"
        finally:
            conn.execute("ROLLBACK")
        return None


def _sq_autoindex_name(conn: Any, table: Any, autoindex: str) -> str:
    """A primary or unique key declared in CREATE TABLE, by its model name: SQLite names its
    index ``sqlite_autoindex_<table>_<n>``; its columns find the key (as the catalog reader
    names them), else its position among the declared unique keys."""
    from dbdesign.dialects.sqlite import quote_ident as q

    origin = next(
        (
            o
            for _s, n, _u, o, _p in conn.execute(f"PRAGMA index_list({q(table.name)})")
            if n == autoindex
        ),
        "u",
    )
    if origin == "pk" and table.primary_key:
        return str(table.primary_key.name)
    cols = tuple(
        str(r[2]).lower() for r in conn.execute(f"PRAGMA index_xinfo({q(autoindex)})") if r[5] == 1
    )
    for u in table.uniques.values():
        if tuple(c.lower() for c in u.columns) == cols:
            return str(u.name)
    uniques = list(table.uniques.values())
    n = int(autoindex.rsplit("_", 1)[1]) - (1 if table.primary_key and not _rowid_pk(table) else 0)
    return str(uniques[n - 1].name) if 0 < n <= len(uniques) else autoindex


def _rowid_pk(table: Any) -> bool:
    """A single INTEGER primary key column is the rowid: SQLite makes no index for it."""
    pk = table.primary_key
    if pk is None or len(pk.columns) != 1:
        return False
    col = next((c for c in table.columns if c.name == pk.columns[0]), None)
    return col is not None and col.type.name.lower() == "integer"


def _sq_order(children: dict[int, list[tuple[int, str]]], parent: int) -> Iterator[str]:
    """The tables a plan reads, in order: an IN list's subquery (``LIST SUBQUERY``, built
    once) before the loop it keys, then each loop outer first."""
    kids = children.get(parent, [])
    lists = [(n, d) for n, d in kids if d.startswith("LIST SUBQUERY")]
    for node, detail in lists + [k for k in kids if k not in lists]:
        read = _SQ_READ.match(detail)
        if read:
            yield read.group(1)
        yield from _sq_order(children, node)
