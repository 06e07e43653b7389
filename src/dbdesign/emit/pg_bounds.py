"""A PostgreSQL partition bound written as the CHECK expression that admits the same rows.

ATTACH PARTITION scans the whole table it attaches, under an ACCESS EXCLUSIVE lock, to prove
every row fits the bound, unless a validated CHECK constraint already implies the bound. The
safe way to attach a table in use is therefore: add the bound as a CHECK ... NOT VALID (a brief
lock), VALIDATE it (a scan that lets reads and writes go on), ATTACH (no scan), drop the CHECK.
The migration lint's fix (MIG039) and the diff's safe ATTACH both write that CHECK here.

The expression is the one PostgreSQL itself derives as the partition constraint
(``get_qual_for_range`` and ``get_qual_for_list`` in src/backend/partitioning/partbounds.c),
so that the server's proof (``PartConstraintImpliedByRelConstraint``) finds it clause by clause:

- LIST: ``k IS NOT NULL AND k IN (v1, v2)``; with NULL among the values
  ``k IS NULL OR k IN (v1, v2)`` (``k IS NULL`` alone when NULL is the only value).
- RANGE on ``(a, b, c)`` FROM ``(al, bl, cl)`` TO ``(au, bu, cu)``: every key column IS NOT NULL,
  then the leading columns whose lower and upper values are the same as ``a = al``, then the
  lexicographic comparisons ``(a > al OR (a = al AND b > bl) OR (a = al AND b = bl AND c >= cl))``
  and ``(a < au OR (a = au AND b < bu) OR (a = au AND b = bu AND c < cu))``. MINVALUE and
  MAXVALUE drop the comparisons they make always true (a column followed by MINVALUE in the
  lower bound takes ``>=``, one followed by MAXVALUE in the upper bound ``<=``). One column:
  ``k IS NOT NULL AND k >= lo AND k < hi``.

None where the bound has no such CHECK: HASH bounds (the hash function is the server's),
DEFAULT partitions (the negation of every other partition's bound), and keys that are
expressions or carry their own collation or operator class (the CHECK would compare with
the column's own). Leading values are taken as equal when they are written the same (the server
compares them by value: a pair written differently gives the longer, equivalent expression).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pglast.parser import ParseError as _PgParseError
from pglast.parser import parse_sql_json

from dbdesign.dialects.postgres import quote_ident
from dbdesign.emit.pg_clauses import partition_bound_sql
from dbdesign.model import Expr, PartitionBy
from dbdesign.readers.ddl.pgast import deparse, is_null_constant

__all__ = ["bound_check", "bound_spec", "key_columns", "partition_bound_check"]

# a range datum: ("value", its SQL) or ("minvalue", "") / ("maxvalue", "")
_Datum = tuple[str, str]


def key_columns(partition_by: PartitionBy) -> list[str | None]:
    """The columns of a partition key, None for an element that is not a plain column (an
    expression, or a column with its own collation or operator class)."""
    return [
        e.column if e.expr is None and e.collation is None and e.opclass is None else None
        for e in partition_by.elements
    ]


def bound_spec(bound: Expr | None) -> dict[str, Any] | None:
    """The parse tree (``PartitionBoundSpec``, as pglast's JSON) of a partition bound as the
    model keeps it (``FOR VALUES ...`` or ``DEFAULT``); None when it does not parse."""
    sql = f"CREATE TABLE x PARTITION OF y {partition_bound_sql(bound)}"
    try:
        stmts = json.loads(parse_sql_json(sql))["stmts"]
        spec = stmts[0]["stmt"]["CreateStmt"]["partbound"]
    except (_PgParseError, KeyError, IndexError, ValueError):
        return None
    return spec if isinstance(spec, dict) and len(stmts) == 1 else None


def partition_bound_check(partition_by: PartitionBy | None, bound: Expr | None) -> str | None:
    """:func:`bound_check` for a parent's partition key and a bound as the model keeps them."""
    spec = bound_spec(bound)
    if partition_by is None or spec is None:
        return None
    return bound_check(key_columns(partition_by), spec)


def bound_check(columns: Sequence[str | None], bound: dict[str, Any]) -> str | None:
    """The CHECK expression that admits exactly the rows of a partition ``bound`` (a
    ``PartitionBoundSpec`` parse tree) of a parent partitioned on ``columns`` (None for a key
    element that is not a plain column), else None (see the module's documentation)."""
    if not columns or any(c is None for c in columns) or bound.get("is_default"):
        return None
    cols = [quote_ident(c) for c in columns if c is not None]
    if bound.get("strategy") == "l" and len(cols) == 1:
        return _list_check(cols[0], bound.get("listdatums") or [])
    if bound.get("strategy") == "r":
        lower = [_range_datum(d) for d in bound.get("lowerdatums") or ()]
        upper = [_range_datum(d) for d in bound.get("upperdatums") or ()]
        if len(lower) == len(upper) == len(cols):
            return _range_check(cols, lower, upper)
    return None


def _list_check(col: str, datums: Sequence[dict[str, Any]]) -> str | None:
    if not datums:
        return None
    has_null = False
    values = []
    for d in datums:
        text = deparse(d)
        if is_null_constant(d) or text.upper() == "NULL":
            has_null = True
        else:
            values.append(text)
    if not has_null:
        return f"{col} IS NOT NULL AND {col} IN ({', '.join(values)})"
    if not values:
        return f"{col} IS NULL"
    return f"{col} IS NULL OR {col} IN ({', '.join(values)})"


def _range_datum(d: dict[str, Any]) -> _Datum:
    """A range bound's datum: MINVALUE and MAXVALUE are column references to the parser."""
    ref = d.get("ColumnRef")
    if ref is not None:
        fields = ref.get("fields") or []
        name = fields[0].get("String", {}).get("sval", "") if len(fields) == 1 else ""
        return (name.lower(), "")
    return ("value", deparse(d))


def _range_check(cols: Sequence[str], lower: Sequence[_Datum], upper: Sequence[_Datum]) -> str:
    """PostgreSQL's range partition constraint (``get_qual_for_range``) as text."""
    n = len(cols)
    parts = [f"{c} IS NOT NULL" for c in cols]
    i = 0
    # leading columns bounded by one value on both sides: an equality each
    while i < n - 1 and lower[i][0] == upper[i][0] == "value" and lower[i][1] == upper[i][1]:
        parts.append(f"{cols[i]} = {lower[i][1]}")
        i += 1
    lower_arms: list[str] = []
    upper_arms: list[str] = []
    need_lower = need_upper = True
    for arm in range(n - i):
        last = i + arm  # the arm compares columns i..last: equal before last, then bounded
        lo_args, up_args = [], []
        for j in range(i, last + 1):
            nxt_lo = lower[j + 1][0] if j + 1 < n else None
            nxt_up = upper[j + 1][0] if j + 1 < n else None
            if need_lower and lower[j][0] == "value":
                op = _lower_op(j < last, j == n - 1 or nxt_lo == "minvalue")
                lo_args.append(f"{cols[j]} {op} {lower[j][1]}")
            if need_upper and upper[j][0] == "value":
                op = "=" if j < last else ("<=" if nxt_up == "maxvalue" else "<")
                up_args.append(f"{cols[j]} {op} {upper[j][1]}")
        # no further arm once this arm's column or the next one is unbounded
        nxt_lo = lower[last + 1][0] if last + 1 < n else None
        nxt_up = upper[last + 1][0] if last + 1 < n else None
        need_lower = need_lower and lower[last][0] == "value" and nxt_lo == "value"
        need_upper = need_upper and upper[last][0] == "value" and nxt_up == "value"
        if lo_args:
            lower_arms.append(_join(lo_args, "AND"))
        if up_args:
            upper_arms.append(_join(up_args, "AND"))
        if not need_lower and not need_upper:
            break
    parts += [_join(arms, "OR") for arms in (lower_arms, upper_arms) if arms]
    return " AND ".join(parts)


def _lower_op(equal: bool, inclusive: bool) -> str:
    if equal:
        return "="
    return ">=" if inclusive else ">"


def _join(args: Sequence[str], word: str) -> str:
    return args[0] if len(args) == 1 else "(" + f" {word} ".join(args) + ")"
