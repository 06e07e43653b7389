"""Partition bounds as constraints: a partitioned table's key falls inside its partitions, a
partition's inside its own bound."""

from __future__ import annotations

import math
from typing import Any

from dbdesign.datagen import checks as chk
from dbdesign.datagen.units import ColumnPlan
from dbdesign.datagen.values import internal
from dbdesign.errors import UnsupportedError
from dbdesign.model import Schema, Table


def partition_bounds(schema: Schema, t: Table, by_name: dict[str, ColumnPlan]) -> None:
    """Values of a partitioned table's key fall inside its partitions; a partition's inside its
    own bound."""
    if t.partition_of and t.partition_bound is not None:
        parent = schema.tables.get(t.partition_of)
        if parent is not None and parent.partition_by is not None:
            _apply_bound(t, parent, t.partition_bound.text, by_name, [t.partition_bound.text])
    if t.partition_by is None:
        return
    children = [c for c in schema.tables.values() if c.partition_of == t.key]
    texts = [c.partition_bound.text for c in children if c.partition_bound is not None]
    if not texts or any(x.strip().upper() == "DEFAULT" for x in texts):
        return
    _apply_bound(t, t, None, by_name, texts)


def _parse_bound(text: str) -> dict[str, Any]:
    import json

    from pglast.parser import ParseError, parse_sql_json

    try:
        tree = json.loads(parse_sql_json(f"CREATE TABLE _p PARTITION OF _q {text}"))
    except ParseError as e:
        raise UnsupportedError(f"cannot read partition bound {text!r}: {e}") from None
    spec: dict[str, Any] = tree["stmts"][0]["stmt"]["CreateStmt"]["partbound"]
    return spec


def _datum(node: dict[str, Any]) -> chk.Const | None:
    """A partition bound datum; None for MINVALUE / MAXVALUE."""
    if "ColumnRef" in node:
        return None
    c = chk._const(node)
    return c


def _apply_bound(
    t: Table, keyed: Table, _own: str | None, by_name: dict[str, ColumnPlan], texts: list[str]
) -> None:
    pb = keyed.partition_by
    assert pb is not None
    if pb.strategy == "HASH":
        return
    if len(pb.elements) != 1 or pb.elements[0].column is None:
        raise UnsupportedError(
            f"{t.key}: partition key of {keyed.key} is not a single column; not supported"
        )
    col = by_name.get(pb.elements[0].column)
    if col is None:
        return
    src = f"partitions of {keyed.key}" if t is keyed else f"partition bound of {t.key}"
    if pb.strategy == "LIST":
        _list_bound(col, texts, src)
    else:
        _range_bound(col, texts, src)


def _list_bound(col: ColumnPlan, texts: list[str], src: str) -> None:
    """The key is one of the listed values (NULL only where a partition lists it)."""
    values: list[Any] = []
    for text in texts:
        spec = _parse_bound(text)
        for d in spec.get("listdatums", []):
            c = _datum(d)
            if c is not None:
                values.append(c.value)
    if values:
        col.cons.choices.append((tuple(values), src))
        col.cons.sources.append(src)
    if None not in values:  # no partition lists NULL: a NULL key would have none
        _not_null(col)


def _range_bound(col: ColumnPlan, texts: list[str], src: str) -> None:
    """The key falls in the widest run of adjacent ranges, and is never NULL (a NULL key goes
    only to a DEFAULT partition, and there is none)."""
    ranges: list[tuple[Any, Any]] = []
    for text in texts:
        spec = _parse_bound(text)
        lows, highs = spec.get("lowerdatums", []), spec.get("upperdatums", [])
        lo = _datum(lows[0]) if lows else None
        hi = _datum(highs[0]) if highs else None
        ranges.append((lo, hi))
    if not ranges:
        return
    _not_null(col)
    lo, hi = _widest_block(col, ranges)
    if lo is not None:
        col.cons.lo.append((lo, False, src))
    if hi is not None:
        col.cons.hi.append((hi, True, src))
    col.cons.fill = lo is not None and hi is not None
    col.cons.sources.append(src)


def _not_null(col: ColumnPlan) -> None:
    col.cons.not_null = True
    col.nullable = False


def _widest_block(col: ColumnPlan, ranges: list[tuple[Any, Any]]) -> tuple[Any, Any]:
    """The longest run of adjacent ranges [from, to): their union is one interval."""

    def key(c: chk.Const | None, low: bool) -> Any:
        if c is None:
            return -math.inf if low else math.inf
        return internal(col.info, c.value, "partition bound")

    items = sorted(ranges, key=lambda r: key(r[0], True))
    best: tuple[Any, Any] = items[0]
    best_len = -1.0
    cur_lo, cur_hi = items[0]
    count = 1
    for lo, hi in items[1:]:
        if key(lo, True) == key(cur_hi, False):
            cur_hi = hi
            count += 1
        else:
            if count > best_len:
                best, best_len = (cur_lo, cur_hi), count
            cur_lo, cur_hi, count = lo, hi, 1
    if count > best_len:
        best = (cur_lo, cur_hi)
    return best
