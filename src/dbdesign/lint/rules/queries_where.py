"""Query lint: conditions an index cannot serve (QRY004 ... QRY006)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from dbdesign.lint import query as q
from dbdesign.lint.findings import Hit
from dbdesign.lint.query import Block, IndexShape, QueryContext, Relation, Tree, query_rule
from dbdesign.model import Expr
from dbdesign.readers.ddl.pgast import deparse

_RANGE_OPS = frozenset({"=", "<", ">", "<=", ">="})
_ARITHMETIC = frozenset({"+", "-", "*", "/", "||", "%"})
_BETWEEN = frozenset({"AEXPR_BETWEEN", "AEXPR_BETWEEN_SYM"})
_LIKE = frozenset({"AEXPR_LIKE", "AEXPR_ILIKE"})
_LIKE_OPS = frozenset({"~~", "~~*", "!~~", "!~~*"})
_INTEGERS = frozenset({"smallint", "integer", "bigint"})
_INEXACT = frozenset({"numeric", "decimal", "float4", "float8", "real", "double precision"})
_TEXTS = frozenset({"text", "varchar", "character varying"})
# What `date_trunc('unit', col)` / `date(col)` rounds to: the width of one step.
_STEP = {"date": "1"}


def _as_date(value: str) -> str:
    """``value`` typed as a date (a bare ``$1`` would take the column's type)."""
    if value.endswith("::date") or value.upper() == "CURRENT_DATE":
        return value
    simple = all(c.isalnum() or c in "$'-._" for c in value)
    return f"{value}::date" if simple or value.startswith("'") else f"({value})::date"


def comparisons(b: Block) -> Iterator[tuple[Tree, str, Any, list[Any]]]:
    """The comparisons of a block's conditions an index could serve: (the A_Expr, its
    operator, one side, the values it is compared with); both sides of ``a = b``."""
    for e in q.block_exprs(b):
        for kind, n in q.expr_nodes(e):
            if kind != "A_Expr":
                continue
            k, op = n.get("kind"), q.operator(n)
            left, right = n.get("lexpr"), n.get("rexpr")
            if k == "AEXPR_OP" and op in _RANGE_OPS:
                yield n, op, left, [right]
                yield n, _flip(op), right, [left]
            elif k == "AEXPR_IN" and op == "=":
                items = right if isinstance(right, list) else [right]
                yield n, "IN", left, items
            elif k in _BETWEEN:
                bounds = (q.body(right, "List") or {}).get("items", right)
                yield n, "BETWEEN", left, list(bounds or ())
            elif k in _LIKE or (k == "AEXPR_OP" and op in _LIKE_OPS):
                yield n, op or "~~", left, [right]


def _flip(op: str) -> str:
    return {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)


def _one_column(b: Block, expr: Any, known: bool = True) -> tuple[Relation, str] | None:
    """The one column of a table ``expr`` is computed from (of a table the schema has, with
    ``known``), else None."""
    found = {(id(got[0]), got[1]): got for r in q.column_refs(expr) if (got := b.column(r))}
    if len(found) != 1:
        return None
    rel, col = next(iter(found.values()))
    if rel is None or rel.kind != "table":
        return None
    if known and (rel.table is None or rel.table.column(col) is None):
        return None
    return rel, col


def leading(
    shapes: list[IndexShape], col: str, op: str, fixed: frozenset[str] = frozenset()
) -> list[IndexShape]:
    """The indexes that can serve ``col op ...``: ``col`` is a plain key of theirs and every
    key before it is a column in ``fixed`` (columns the query compares with ``=``)."""
    methods = {"btree"} | ({"hash"} if op in ("=", "IN") else set())
    return [
        s
        for s in shapes
        if s.method in methods and col in s.columns and _after(s, s.columns.index(col), fixed)
    ]


def _after(s: IndexShape, position: int, fixed: frozenset[str]) -> bool:
    """Whether every key of ``s`` before ``position`` is a column in ``fixed``."""
    return all(c in fixed for c in s.columns[:position])


def _expression_index(shapes: list[IndexShape], norm: str, fixed: frozenset[str]) -> bool:
    """Whether an index has the expression ``norm`` as a key it can use."""
    return any(norm in s.exprs and _after(s, s.exprs.index(norm), fixed) for s in shapes)


def fixed_columns(b: Block, rel: Relation) -> frozenset[str]:
    """The columns of ``rel`` the block's WHERE compares with ``=`` to a value (AND-ed)."""
    out = set()
    for cond in q.conjuncts(b.where):
        e = q.body(cond, "A_Expr")
        if e is None or e.get("kind") != "AEXPR_OP" or q.operator(e) != "=":
            continue
        for side, other in ((e.get("lexpr"), e.get("rexpr")), (e.get("rexpr"), e.get("lexpr"))):
            got = b.column(side)
            if got is not None and got[0] is rel and q.is_value(other):
                out.add(got[1])
    return frozenset(out)


def _unqualified(expr: Any) -> Any:
    out = copy.deepcopy(expr)
    for ref in q.column_refs(out):
        del ref["ColumnRef"]["fields"][:-1]
    return out


def _normal(expr: Any) -> str:
    return Expr(deparse(_unqualified(expr)), "postgres").normalized


def _type_name(node: Any) -> str:
    cast = q.body(node, "TypeCast")
    got = q.names(((cast or {}).get("typeName") or {}).get("names")) if cast else []
    return got[-1] if got else ""


@query_rule("QRY004", "function-on-indexed-column", "warning")
def function_on_indexed_column(ctx: QueryContext) -> Iterator[Hit]:
    """A condition wraps an indexed column in a function, a cast or arithmetic, so the index
    on the column cannot serve it.

    Rationale: An index on `email` answers `email = $1`, not `lower(email) = $1`: the
    planner only uses an index whose key is the expression as the query writes it, so the
    condition becomes a filter over a sequential scan. The same holds for
    `date(created_at) = $1`, `created_at::date = $1`, `date_trunc('day', created_at) = $1`,
    `id + 1 = $1`, a column cast to another type (`code::text = $1`), and the casts the
    server adds itself: an integer column compared with a numeric value (`id = 5.0`,
    `$1::numeric`, a JDBC BigDecimal) is compared as numeric, and a `char(n)` column
    compared with text is cast to text. Needs the schema (`--schema`): reported only when
    an index (or key) leads with the column, or has it after columns the query fixes with
    `=` (`customer_id = $1 AND date(placed_at) = $2` on `(customer_id, placed_at)`), and no
    expression index matches.

    Bad:
        SELECT id FROM users WHERE lower(email) = lower($1);

    Good:
        CREATE INDEX users_lower_email_idx ON users (lower(email));
        SELECT id FROM users WHERE lower(email) = lower($1);

    Fix: Compare the column itself (`created_at >= $1 AND created_at < $1 + 1` for a day, the
    value cast to the column's type), or add an index on the expression the query uses.
    """
    if ctx.schema is None:
        return
    for b in ctx.blocks:
        for n, op, side, values in comparisons(b):
            if q.column_fields(side) is not None:
                yield from _implicit_cast(ctx, b, n, op, side, values)
                continue
            if q.kind_of(side) not in ("FuncCall", "TypeCast", "A_Expr", "CoalesceExpr"):
                continue
            got = _one_column(b, side)
            if got is None or any(_one_column(b, v) == got for v in values):
                continue
            rel, col = got
            shapes = ctx.indexes(rel.key)
            fixed = fixed_columns(b, rel)
            plain = leading(shapes, col, op, fixed)
            norm = _normal(side)
            if not plain or _expression_index(shapes, norm, fixed):
                continue
            yield Hit(
                f"{rel.key}.{col}",
                f"{deparse(side)} hides {col} from index {plain[0].name}: the condition is "
                "checked row by row",
                ctx.at(n.get("location")) if q.kind_of(side) == "A_Expr" else ctx.origin_of(side),
                _rewrite(rel, col, side, op, values),
            )


def _implicit_cast(
    ctx: QueryContext, b: Block, n: Tree, op: str, side: Any, values: list[Any]
) -> Iterator[Hit]:
    """A bare column compared with a value of a type the server casts the column to."""
    got = _one_column(b, side)
    if got is None or len(values) != 1 or op not in _RANGE_OPS:
        return
    rel, col = got
    column = rel.table.column(col) if rel.table else None
    if column is None or not leading(ctx.indexes(rel.key), col, op, fixed_columns(b, rel)):
        return
    value, cast = values[0], _type_name(values[0])
    numeric = cast in _INEXACT or (cast == "" and isinstance(q.const_value(value), float))
    if column.type.name in _INTEGERS and numeric:
        what, hint = "numeric", " (JDBC setLong or setInt, not setBigDecimal)"
    elif column.type.name == "character" and cast in _TEXTS:
        what, hint = "text", " (or make the column text, which pads nothing with blanks)"
    else:
        return
    plain = deparse((q.body(value, "TypeCast") or {})["arg"] if cast else value)
    yield Hit(
        f"{rel.key}.{col}",
        f"{column.type.name} column {col} compared with a {what} value: the server casts the "
        f"column to {what} and cannot use its index",
        ctx.origin_of(value),
        f"Pass the value as the column's type{hint}: {deparse(side)} {op} {plain}::{column.type}",
    )


def _bounds(col: str, op: str, values: list[str], step: str) -> str | None:
    """``col`` compared with the rounded values, as a range on the column itself."""
    v = values
    if op == "BETWEEN" and len(v) == 2:
        return f"{col} >= {v[0]} AND {col} < {v[1]} + {step}"
    if len(v) != 1:
        return None
    return {
        "=": f"{col} >= {v[0]} AND {col} < {v[0]} + {step}",
        ">=": f"{col} >= {v[0]}",
        ">": f"{col} >= {v[0]} + {step}",
        "<": f"{col} < {v[0]}",
        "<=": f"{col} < {v[0]} + {step}",
    }.get(op)


def _rewrite(rel: Relation, col: str, side: Any, op: str, values: list[Any]) -> str:
    """A sargable rewrite of ``side op values``, or the expression index to add."""
    ref = next((deparse(r) for r in q.column_refs(side)), col)
    vals = [deparse(v) for v in values]
    f = q.body(side, "FuncCall")
    fname = (q.names(f.get("funcname")) or [""])[-1] if f else ""
    args = f.get("args", []) if f else []
    cast = _type_name(side)
    step = None
    if fname == "date" or cast == "date":
        step = _STEP["date"]
    elif fname == "date_trunc" and len(args) >= 2 and isinstance(q.const_value(args[0]), str):
        step = f"interval '1 {q.const_value(args[0])}'"
    if step is not None:
        rng = _bounds(ref, op, [_as_date(v) for v in vals] if step == "1" else vals, step)
        if rng is not None:
            return f"Compare the column itself: {rng}"
    if q.kind_of(side) == "A_Expr":
        return _move_arithmetic(side, ref, op, vals)
    if cast and rel.table is not None:
        column = rel.table.column(col)
        typed = f"{vals[0]}::{column.type}" if column is not None and vals else "the value"
        return f"Compare the column as it is typed: {ref} {op} {typed}"
    table = rel.key or rel.name
    also = f" (or make {col} citext)" if fname in ("lower", "upper") else ""
    return (
        f"Add an index on the expression the query uses{also}: CREATE INDEX ON {table} "
        f"(({deparse(_unqualified(side))}));"
    )


def _move_arithmetic(side: Any, ref: str, op: str, vals: list[str]) -> str:
    """``col + k = v`` as ``col = v - k`` (addition and subtraction of a value)."""
    e = q.body(side, "A_Expr") or {}
    sign, left, right = q.operator(e), e.get("lexpr") or {}, e.get("rexpr") or {}
    moved = None
    if sign in ("+", "-") and len(vals) == 1 and op in _RANGE_OPS:
        if q.column_fields(left) is not None and not q.column_refs(right):
            moved = f"{vals[0]} {'-' if sign == '+' else '+'} {deparse(right)}"
        elif sign == "+" and q.column_fields(right) is not None and not q.column_refs(left):
            moved = f"{vals[0]} - {deparse(left)}"
    if moved is None:
        return "Move the arithmetic to the value's side, so that the column stands alone."
    return f"Move the arithmetic to the value's side: {ref} {op} {moved}"


def _pattern_head(node: Any) -> str | None:
    """How a LIKE pattern begins, when it begins with a constant."""
    value = q.const_value(node)
    if isinstance(value, str):
        return value
    f = q.body(node, "FuncCall")
    if f is not None and (q.names(f.get("funcname")) or [""])[-1] in ("lower", "upper"):
        return _pattern_head((f.get("args") or [None])[0])
    e = q.body(node, "A_Expr")
    if e is not None and q.operator(e) == "||":
        return _pattern_head(e.get("lexpr"))
    return None


def _trigram(shapes: list[IndexShape], col: str | None, norm: str | None) -> bool:
    return any(
        s.method in ("gin", "gist")
        and (s.columns[:1] == (col,) or (norm is not None and s.exprs[:1] == (norm,)))
        and (s.opclasses[0] or "").endswith("trgm_ops")
        for s in shapes
    )


@query_rule("QRY005", "leading-wildcard-like", "warning")
def leading_wildcard_like(ctx: QueryContext) -> Iterator[Hit]:
    """`LIKE '%term'` (or ILIKE) with a wildcard at the start of the pattern.

    Rationale: A B-tree orders values from their first character, so it can find
    `LIKE 'abc%'` (with `text_pattern_ops` or the C collation) but not `'%abc'` or `'_bc'`:
    every row is read and matched. A trigram index (the pg_trgm extension, GIN) serves
    `LIKE`/`ILIKE` with wildcards anywhere once the pattern has three characters; full-text
    search serves word searches. Reported for a pattern that is a constant starting with `%`
    or `_` (also `'%' || $1 || '%'`), not for a parameter whose value the rule cannot see,
    not for `'%'` alone, and not where the schema has a trigram index on the column.

    Bad:
        SELECT id FROM products WHERE name ILIKE '%' || $1 || '%';

    Good:
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops);
        SELECT id FROM products WHERE name ILIKE '%' || $1 || '%';

    Fix: Add a trigram GIN index on the column (`USING gin (col gin_trgm_ops)`), search
    words with full-text search (`to_tsvector(...) @@ plainto_tsquery($1)`), or anchor the
    pattern at the start when the search allows it.
    """
    for b in ctx.blocks:
        for _, op, side, values in comparisons(b):
            if op not in _LIKE_OPS:
                continue
            head = _pattern_head(values[0])
            if head is None or head[:1] not in ("%", "_"):
                continue
            if head.strip("%") == "" and q.const_value(values[0]) is not None:
                continue  # LIKE '%': every value that is not NULL
            got = _one_column(b, side, known=False)
            table = got[0].key if got else None
            col = got[1] if got else None
            norm = _normal(side) if got and q.column_fields(side) is None else None
            if got and _trigram(ctx.indexes(table), col if norm is None else None, norm):
                continue
            what = f"{table}.{col}" if got else deparse(side)
            target = deparse(_unqualified(side)) if got else "col"
            yield Hit(
                what,
                f"pattern {deparse(values[0])} starts with a wildcard: no B-tree index can find "
                "the rows, "
                "every row is read and matched",
                ctx.origin_of(values[0]),
                "Add a trigram index: CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE INDEX ON "
                f"{table or 'the_table'} USING gin ({target} gin_trgm_ops); (or full-text "
                "search for words)",
            )


def _arm_columns(b: Block, arm: Any) -> frozenset[tuple[int, str]] | None:
    out = set()
    for r in q.column_refs(arm):
        got = b.column(r)
        if got is not None:
            out.add((id(got[0]) if got[0] is not None else 0, got[1]))
    return frozenset(out) if out else None


@query_rule("QRY006", "or-across-columns", "info")
def or_across_columns(ctx: QueryContext) -> Iterator[Hit]:
    """A WHERE condition ORs tests of different columns.

    Rationale: One index serves one column's test; `a = $1 OR b = $2` needs every row that
    matches either, so the planner either combines one index per column (BitmapOr: only
    when each column has an index of its own) or reads the whole table. OR across two
    tables of a join cannot be pushed into either side at all. Tests of the same column
    (`status = 'a' OR status = 'b'`, the same as IN) are fine, and so is an arm without a
    column (`$1 IS NULL OR col = $1`, an optional filter). With the schema, an OR whose every
    arm has an index leading with its column is not reported (BitmapOr serves it).

    Bad:
        SELECT id FROM users WHERE email = $1 OR phone = $2;

    Good:
        SELECT id FROM users WHERE email = $1
        UNION
        SELECT id FROM users WHERE phone = $2;

    Fix: Give each column its own index so BitmapOr can combine them, or split the query
    into a UNION of one query per arm, each served by its index.
    """
    for b in ctx.blocks:
        for kind, n in q.expr_nodes(b.where):
            if kind != "BoolExpr" or n.get("boolop") != "OR_EXPR":
                continue
            arms = [_arm_columns(b, a) for a in n.get("args", ())]
            if any(a is None for a in arms) or len(set(arms)) == 1:
                continue
            cols = sorted({c for a in arms if a for c in a})
            rels = {r for r, _ in cols}
            if len(rels) > 1 and 0 not in rels:
                why = "OR across tables cannot be applied to either table first"
            else:
                missing = _unindexed(ctx, b, arms)
                if missing == []:
                    continue
                why = (
                    "a test of a column without an index "
                    f"({', '.join(missing)}) makes the planner read the whole table"
                    if missing
                    else "unless each column has an index of its own (BitmapOr), the "
                    "planner reads the whole table"
                )
            shown = ", ".join(dict.fromkeys(c for a in n.get("args", ()) for c in _names_in(a)))
            yield Hit(
                _object(b, cols),
                f"OR across columns {shown}: {why}",
                ctx.at(n.get("location")),
            )


def _relation(b: Block, rid: int) -> Relation | None:
    return next((r for x in b.chain for r in x.relations if id(r) == rid), None)


def _names_in(expr: Any) -> list[str]:
    return [(q.column_fields(r) or [""])[-1] for r in q.column_refs(expr)]


def _unindexed(ctx: QueryContext, b: Block, arms: list[Any]) -> list[str] | None:
    """The columns of arms no index serves (``[]``: every arm has one); None without the
    schema."""
    missing: list[str] = []
    for arm in arms:
        served = False
        for rid, col in arm:
            rel = _relation(b, rid)
            if rel is None or rel.table is None:
                return None
            served = served or bool(leading(ctx.indexes(rel.key), col, "="))
        if not served:
            missing.extend(c for _, c in sorted(arm))
    return missing


def _object(b: Block, cols: list[tuple[int, str]]) -> str:
    """The tables of the columns, in the query's order."""
    ids = {rid for rid, _ in cols}
    order = [r for x in b.chain for r in x.relations if id(r) in ids]
    return ", ".join(dict.fromkeys(r.key or r.name for r in order)) or "?"
