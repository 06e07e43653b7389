"""What SQLite makes of a foreign key's referenced values in referencing columns of another type,
asked of SQLite itself.

A column's declared type gives it an *affinity* (https://sqlite.org/datatype3.html#affname) that
converts a value on the way in: text that looks like a number becomes one in an INTEGER, REAL or
NUMERIC column, and text that does not stays text; a number becomes text in a TEXT column; a
column without a type (BLOB affinity) keeps what it is given. A STRICT table refuses a value its
column cannot hold losslessly. The key lookup then applies the *parent* column's affinity to the
stored child value and compares it under the parent's collation
(https://sqlite.org/foreignkeys.html): ``'1.0'`` stored in a NUMERIC column becomes ``1`` and no
longer finds the TEXT parent ``'1.0'``, while ``'lark echo'`` stays text there and does.

Rather than re-implement those rules (and the library's number formatting), :func:`referenced`
builds the two columns in an in-memory database — declared types, collations, STRICT, and the
referencing table's CHECK constraints over the key's columns alone — stores every candidate
row, and keeps those that SQLite stored and whose key finds its parent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dbdesign.dialects.sqlite import quote_ident, type_sql
from dbdesign.model import DataType

_COLLATIONS = frozenset({"BINARY", "NOCASE", "RTRIM"})
_CHUNK = 2_000


@dataclass(frozen=True, slots=True)
class KeySide:
    """The columns of one side of a foreign key, as the table declares them."""

    names: tuple[str, ...]
    types: tuple[DataType, ...]
    collations: tuple[str | None, ...]
    strict: bool = False
    checks: tuple[str, ...] = ()  # CHECK expressions that read only these columns


@dataclass(frozen=True, slots=True)
class Referenced:
    """Of the candidate rows, the indexes of those SQLite stores in the referencing columns and
    finds in the referenced ones, with the values as stored there (binding them again stores
    the same); ``refused``: why SQLite refused to store a row, the first time it did."""

    kept: list[int]
    values: list[tuple[Any, ...]]
    refused: str | None


def referenced(rows: Sequence[tuple[Any, ...]], parent: KeySide, child: KeySide) -> Referenced:
    """Store ``rows`` (values as bound to both tables) in the parent and in the child columns
    of an in-memory copy of the key, and report which child rows find their parent."""
    con = sqlite3.connect(":memory:", isolation_level=None)
    try:
        con.execute("PRAGMA foreign_keys = ON")
        pnames = [f"p{i}" for i in range(len(parent.names))]
        pcols = [
            _column(n, t, c)
            for n, t, c in zip(pnames, parent.types, parent.collations, strict=True)
        ]
        con.execute(
            f"CREATE TABLE p ({', '.join(pcols)}, UNIQUE ({', '.join(pnames)}))"
            + (" STRICT" if parent.strict else "")
        )
        cnames = [quote_ident(n) for n in child.names]
        ccols = [
            _column(n, t, c) for n, t, c in zip(cnames, child.types, child.collations, strict=True)
        ]
        ccols += [f"CHECK ({c})" for c in child.checks]
        ccols.append(f"FOREIGN KEY ({', '.join(cnames)}) REFERENCES p ({', '.join(pnames)})")
        con.execute(f"CREATE TABLE c ({', '.join(ccols)})" + (" STRICT" if child.strict else ""))
        con.execute("BEGIN")
        con.execute("PRAGMA defer_foreign_keys = ON")
        marks = ", ".join("?" for _ in pnames)
        _store(con, f"INSERT OR IGNORE INTO p VALUES ({marks})", rows)
        stored, refused = _store(con, f"INSERT INTO c VALUES ({marks})", rows)
        # rows are numbered 1, 2 ... in the order stored: the rowid of the k-th is k
        bad = {r[1] for r in con.execute("PRAGMA foreign_key_check(c)")}
        taken = {n.lower() for n in child.names}
        rowid = next(a for a in ("rowid", "_rowid_", "oid", None) if a not in taken)
        if rowid is None:  # every name of the rowid is a column's: the values as bound
            back = {k: tuple(rows[i]) for k, i in enumerate(stored, 1)}
        else:
            q = f"SELECT {rowid}, {', '.join(cnames)} FROM c"
            back = {r[0]: tuple(r[1:]) for r in con.execute(q)}
        kept: list[int] = []
        values: list[tuple[Any, ...]] = []
        for k, i in enumerate(stored, 1):
            if k not in bad:
                kept.append(i)
                values.append(back[k])
        con.execute("ROLLBACK")
        return Referenced(kept, values, refused)
    finally:
        con.close()


def _column(name: str, t: DataType, collation: str | None) -> str:
    out = f"{name} {type_sql(t)}".rstrip()
    if collation and collation.upper() in _COLLATIONS:
        out += f" COLLATE {collation.upper()}"
    return out


def _store(
    con: sqlite3.Connection, stmt: str, rows: Sequence[tuple[Any, ...]]
) -> tuple[list[int], str | None]:
    """Insert ``rows``; the indexes of those stored, and the first refusal's message. A chunk
    that fails is stored again row by row (a STRICT column or a CHECK refuses some rows)."""
    stored: list[int] = []
    refused: str | None = None
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        con.execute("SAVEPOINT chunk")
        try:
            con.executemany(stmt, chunk)
            con.execute("RELEASE chunk")
            stored.extend(range(start, start + len(chunk)))
            continue
        except sqlite3.Error:
            con.execute("ROLLBACK TO chunk")
            con.execute("RELEASE chunk")
        for i, row in enumerate(chunk, start):
            try:
                con.execute(stmt, row)
            except sqlite3.Error as e:  # named as the real table would be: "column x"
                refused = refused or str(e).replace(" column c.", " column ")
                continue
            stored.append(i)
    return stored, refused
