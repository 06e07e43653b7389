"""How big a designed table gets: the rows the spec states (now and in PROJECTION_YEARS years)
and the bytes its heap and indexes take at a number of rows (the dialect's
:class:`~dbdesign.dialects.storage.StorageModel`). Shared by DESIGN.md's storage estimate
(:mod:`.doc_ops`) and the line past which one server no longer carries a design
(:mod:`.citus`); it works on the schema and the spec alone, so the designer can ask before the
design is complete."""

from __future__ import annotations

import re
from collections.abc import Iterable

from dbdesign.design.draft import PROJECTION_YEARS, TableInfo
from dbdesign.dialects.operations import Operations
from dbdesign.dialects.storage import TEXT_CAP
from dbdesign.model import Schema, Table
from dbdesign.readers.spec import Spec


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} TB"


def stated_rows(spec: Spec, tables: Iterable[TableInfo]) -> dict[str, tuple[int, int]]:
    """Per table key: (rows now, rows in PROJECTION_YEARS years) as the spec states them."""
    out = {}
    for t in tables:
        if t.entity is None:
            out[t.key] = (t.proof_rows, t.proof_rows)
            continue
        v = spec.entities[t.entity].volume
        now = v.rows or t.proof_rows
        out[t.key] = (now, now + PROJECTION_YEARS * v.growth_per_year)
    return out


_IN_LIST = re.compile(r"^\(?\s*\"?(\w+)\"?\s+IN\s*\((.*)\)\s*\)?$", re.I | re.S)
_LENGTH = re.compile(r"(?:char_)?length\(\"?(\w+)\"?\)\s*(<=|=)\s*(\d+)", re.I)


def _chars(t: Table) -> dict[str, int]:
    """Average text lengths its CHECKs tell: an enum's values, a length bound (half of a
    maximum, at most TEXT_CAP), and ISO 8601 text for times and dates stored as text (SQLite)."""
    out: dict[str, int] = {}
    for ck in t.checks.values():
        text = ck.expr.text
        m = _IN_LIST.match(text.strip())
        if m:
            values = re.findall(r"'((?:[^']|'')*)'", m.group(2))
            if values:
                out[m.group(1)] = round(sum(map(len, values)) / len(values))
                continue
        for col, op, n in _LENGTH.findall(text):
            out[col] = int(n) if op == "=" else min(int(n) // 2, TEXT_CAP)
    for c in t.columns:
        if c.type.name == "text" and c.name not in out and c.name.endswith(("_at", "_on")):
            out[c.name] = 20 if c.name.endswith("_at") else 10
    return out


def table_bytes(ops: Operations, schema: Schema, t: Table, rows: int) -> tuple[int, int]:
    """(table bytes, index bytes) of ``t`` holding ``rows`` rows."""
    m = ops.storage
    cols = {c.name: c for c in t.columns}
    chars = _chars(t)
    pk = [cols[n] for n in t.primary_key.columns] if t.primary_key else []
    heap = m.table_bytes(rows, list(t.columns), chars)
    keys = [list(u.columns) for u in t.uniques.values()]
    inverted = 0
    for ix in schema.indexes_on(t.key):
        if ix.method in ("gin", "fulltext"):
            inverted += m.inverted_bytes(rows)
        else:
            keys.append([e.column for e in ix.elements if e.column] + list(ix.include))
    index = inverted + (m.index_bytes(rows, pk, [], chars) if pk and m.pk_index else 0)
    for k in keys:
        index += m.index_bytes(rows, [cols[n] for n in k if n in cols], pk, chars)
    return heap, index
