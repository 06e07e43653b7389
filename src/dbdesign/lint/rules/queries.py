"""Query lint: the shape of application queries (QRY001 ... QRY003, QRY007, QRY008).

Each rule gets a :class:`~dbdesign.lint.query.QueryContext` per statement; the conditions of
WHERE clauses are in :mod:`queries_where`, patterns in a log's runs in :mod:`queries_runs`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dbdesign.lint.findings import Hit
from dbdesign.lint.query import (
    Block,
    QueryContext,
    Relation,
    Tree,
    block_exprs,
    body,
    column_fields,
    column_refs,
    conjuncts,
    const_value,
    expr_nodes,
    is_value,
    names,
    query_rule,
)
from dbdesign.lint.rules.queries_fix import keyset_fix, limit_fix, not_exists_fix
from dbdesign.readers.ddl.pgast import deparse

# OFFSET at or above this many rows (or a parameter) is deep pagination: the server reads and
# throws away every skipped row, so page 500 costs 500 pages of work.
OFFSET_ROWS = 1000
# Without WHERE, a SELECT of a table at least this large (lint volumes) returns too many rows.
LARGE_TABLE_ROWS = 100_000
AGGREGATES = frozenset(
    "count sum avg min max array_agg string_agg json_agg jsonb_agg json_object_agg "
    "jsonb_object_agg bool_and bool_or every bit_and bit_or xmlagg stddev variance".split()
)


def _tables(rels: list[Relation]) -> str:
    return ", ".join(r.key or r.name for r in rels)


@query_rule("QRY001", "select-star", "info")
def select_star(ctx: QueryContext) -> Iterator[Hit]:
    """A query returns `SELECT *` (or `t.*`) of a table to the application.

    Rationale: `*` reads every column, the wide ones too (text and jsonb kept out of line are
    fetched and sent over the network), rules out index-only scans, and makes the
    application depend on the table's column order: a column added or dropped changes what
    every such query returns. It is reported only where the rows go to the application (the
    outermost SELECT and its UNION arms), never inside `EXISTS (SELECT * ...)`, `count(*)`,
    a subquery or CTE whose columns the outer query picks, or INSERT ... SELECT. ORMs that
    write `"users".*` for every query (ActiveRecord) trip it on every query: the severity is
    info.

    Bad:
        SELECT * FROM users WHERE id = $1;

    Good:
        SELECT id, email, name FROM users WHERE id = $1;

    Fix: Name the columns the code reads (Rails `select(:id, :email)`, Django `only()` /
    `values()`, JPA a DTO projection).
    """
    for b in ctx.blocks:
        if b.role != "top" or b.kind != "select":
            continue
        for t in b.node.get("targetList", ()):
            val = (body(t, "ResTarget") or {}).get("val")
            f = column_fields(val)
            if f is None or f[-1] != "*":
                continue
            if len(f) == 1:
                covered = [r for r in b.relations if r.kind == "table"]
            else:
                r = b.relation(f[-2])
                covered = [r] if r is not None and r.kind == "table" else []
            if not covered:
                continue
            cols = [c.name for r in covered if r.table for c in r.table.columns]
            known = all(r.table for r in covered)
            what = f" ({len(cols)} columns)" if known else ""
            fix = f"Name the columns the code reads: {', '.join(cols)}." if known and cols else None
            yield Hit(
                _tables(covered),
                f"SELECT {'.'.join(f)} returns every column of {_tables(covered)}{what}",
                ctx.origin_of(val),
                fix,
            )


@query_rule("QRY002", "offset-pagination", "warning")
def offset_pagination(ctx: QueryContext) -> Iterator[Hit]:
    """Pagination by OFFSET, with a large or a parameter offset.

    Rationale: `OFFSET n` makes the server produce the first n rows and throw them away:
    page 1,000 of 20 rows reads 20,000 rows, so deep pages get slower and slower, and rows
    inserted or deleted between two requests shift every later page (a row shown twice or
    never). Keyset pagination ("seek method") remembers the last row's sort key and asks
    for the rows after it, which an index on the sort keys serves in the same time on every
    page. Reported when the offset is a parameter or an expression (a page number times a
    size grows without bound) or a constant of 1,000 rows or more; `OFFSET 20` is not.

    Bad:
        SELECT id, title FROM posts ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET $1;

    Good:
        SELECT id, title FROM posts
        WHERE (created_at, id) < ($1, $2)
        ORDER BY created_at DESC, id DESC LIMIT 20;

    Fix: Page by the sort keys: keep the last row's ORDER BY values and add
    `WHERE (k1, k2) > ($last_k1, $last_k2)` (`<` for descending order), with a unique key
    last in the ORDER BY so no two rows tie, and an index on the sort keys.
    """
    for b in ctx.blocks:
        off = b.node.get("limitOffset")
        if off is None:
            continue
        value = const_value(off)
        if isinstance(value, int | float) and value < OFFSET_ROWS:
            continue
        size = f"{value:,}" if value is not None else deparse(off)
        yield Hit(
            _tables([r for r in b.relations if r.kind == "table"]) or "query",
            f"OFFSET {size}: the server reads and discards every skipped row; deep pages "
            "slow down and shift when rows change",
            ctx.origin_of(off),
            keyset_fix(ctx, b),
        )


def _not_in(n: Tree) -> Tree | None:
    """The SubLink of ``x NOT IN (SELECT ...)`` or ``x <> ALL (SELECT ...)``, else None."""
    if n.get("boolop") == "NOT_EXPR":
        args = n.get("args", ())
        sub = body(args[0], "SubLink") if len(args) == 1 else None
        any_ = sub is not None and sub.get("subLinkType") == "ANY_SUBLINK"
        return sub if any_ and names((sub or {}).get("operName")) in ([], ["="]) else None
    if n.get("subLinkType") == "ALL_SUBLINK" and names(n.get("operName")) == ["<>"]:
        return n
    return None


@query_rule("QRY003", "not-in-subquery", "warning")
def not_in_subquery(ctx: QueryContext) -> Iterator[Hit]:
    """A query filters with `NOT IN (SELECT ...)`.

    Rationale: If the subquery returns a single NULL, `x NOT IN (...)` is never true and the
    query silently returns no rows (PostgreSQL wiki, "Don't Do This"). And the planner
    cannot turn NOT IN into an anti-join: it hashes the subquery's result when it fits in
    work_mem and otherwise rescans it for every outer row. `NOT EXISTS` has neither
    problem. `NOT IN` with a list of values is fine; `<> ALL (SELECT ...)` is the same trap.

    Bad:
        SELECT id FROM users WHERE id NOT IN (SELECT user_id FROM orders);

    Good:
        SELECT id FROM users u
        WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id);

    Fix: Write `NOT EXISTS (SELECT 1 FROM ... WHERE inner.col = outer.col)` (or a LEFT JOIN
    ... WHERE inner.key IS NULL).
    """
    for b in ctx.blocks:
        for e in block_exprs(b):
            for kind, n in expr_nodes(e):
                if kind not in ("BoolExpr", "SubLink"):
                    continue
                sub = _not_in(n)
                if sub is None:
                    continue
                inner = _block_of(ctx, sub.get("subselect"))
                nullable = _may_be_null(b, sub.get("testexpr")) or (
                    inner is not None and _select_may_be_null(inner)
                )
                why = (
                    "a NULL from the subquery makes it return no rows, and it" if nullable else "it"
                )
                rels = [r for r in (inner.relations if inner else []) if r.kind == "table"]
                yield Hit(
                    _tables(rels) or "subquery",
                    f"NOT IN (SELECT ...): {why} cannot be planned as an anti-join",
                    ctx.at(n.get("location")),
                    not_exists_fix(b, sub, inner),
                )


def _block_of(ctx: QueryContext, node: Any) -> Block | None:
    """The block whose statement is ``node`` (a wrapped SelectStmt)."""
    target = body(node, "SelectStmt")
    return next((b for b in ctx.blocks if b.node is target), None)


def _may_be_null(b: Block, expr: Any) -> bool:
    """Whether ``expr`` may be NULL: True unless it is a NOT NULL column of a known table."""
    got = b.column(expr)
    if got is None or got[0] is None or got[0].table is None:
        return True
    col = got[0].table.column(got[1])
    return col is None or col.nullable


def _select_may_be_null(b: Block) -> bool:
    targets = [(body(t, "ResTarget") or {}).get("val") for t in b.node.get("targetList", ())]
    return b.kind != "select" or any(_may_be_null(b, t) for t in targets)


@query_rule("QRY007", "implicit-cross-join", "warning")
def implicit_cross_join(ctx: QueryContext) -> Iterator[Hit]:
    """`FROM a, b` with no condition linking the tables: every row of one is paired with
    every row of the other.

    Rationale: A comma join whose WHERE forgets the join condition (or tests the wrong
    alias) returns rows(a) x rows(b): a query that looked right on 10 test rows returns
    100 million rows on a million, and DISTINCT often hides the duplicates while the server
    does all the work. A comma join is fine when the WHERE links the tables (directly or
    through a chain of tables); an explicit `CROSS JOIN`, a `LATERAL` item or a function
    that reads another item's columns (`unnest(t.tags)`), a set-returning function of
    constants, and a subquery that returns one row (an aggregate, `LIMIT 1`) are not
    reported. A condition whose columns the query does not qualify and the schema cannot
    place counts as a link (the rule cannot tell).

    Bad:
        SELECT o.id, c.name FROM orders o, customers c WHERE o.total > 100;

    Good:
        SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id
        WHERE o.total > 100;

    Fix: Write the join as `JOIN ... ON` with the foreign key's condition (or `CROSS JOIN`
    when the product is meant).
    """
    for b in ctx.blocks:
        if len(b.groups) < 2:
            continue
        parts = _parts(b)
        if parts is None:
            continue
        base = parts[0]
        for other in parts[1:]:
            rels = [r for r in other if r.kind == "table"] or other
            first = rels[0]
            yield Hit(
                _tables(rels),
                f"FROM {_names(base)}, {_names(other)}: no condition links {_names(other)} "
                f"to {_names(base)}; the query pairs every row of one with every row of the "
                "other",
                ctx.at(first.location),
                _join_fix(base, other),
            )


def _names(rels: list[Relation]) -> str:
    return " JOIN ".join(
        f"{r.name} {r.alias}" if r.alias != r.name and r.name else r.alias or r.name for r in rels
    )


def _single_row(r: Relation) -> bool:
    """A FROM item that adds no rows to a product: a subquery of one row, one VALUES row, a
    set-returning function of constants."""
    if r.kind == "values":
        sub = body(r.node.get("subquery"), "SelectStmt") or {}
        return len(sub.get("valuesLists", ())) <= 1
    if r.kind == "function":
        return True
    if r.kind == "subquery":
        sub = body(r.node.get("subquery"), "SelectStmt") or {}
        limit = const_value(sub.get("limitCount")) if sub.get("limitCount") else None
        if limit == 1:
            return True
        targets = [(body(t, "ResTarget") or {}).get("val") for t in sub.get("targetList", ())]
        return not sub.get("groupClause") and bool(targets) and all(_aggregate(t) for t in targets)
    return False


def _aggregate(expr: Any) -> bool:
    f = body(expr, "FuncCall")
    return (
        f is not None and not f.get("over") and (names(f.get("funcname")) or [""])[-1] in AGGREGATES
    )


def _parts(b: Block) -> list[list[Relation]] | None:
    """The FROM items of ``b`` that no condition links, grouped into linked parts (None when
    every item is linked, or the rule cannot tell)."""
    groups = [g for g in b.groups if g and not (len(g) == 1 and _single_row(g[0]))]
    if len(groups) < 2:
        return None
    parent = list(range(len(groups)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    def join(hit: set[int]) -> None:
        for n in hit:
            parent[find(n)] = find(min(hit))

    for cond in conjuncts(b.where):
        hit: set[int] = set()
        for ref in column_refs(cond):
            got = b.column(ref)
            if got is not None and got[0] is None:
                return None  # an unqualified column the rule cannot place: assume a link
            hit |= {n for n, g in enumerate(groups) if got is not None and got[0] in g}
        join(hit)
    for n, g in enumerate(groups):
        if len(g) == 1 and g[0].lateral:  # LATERAL (SELECT ... WHERE x.a = t.a)
            named = {f[-2] for f in _qualified_refs(g[0].node)}
            join({n} | {m for m, h in enumerate(groups) if any(r.alias in named for r in h)})
    roots = sorted({find(i) for i in range(len(groups))})
    if len(roots) < 2:
        return None
    return [[r for i, g in enumerate(groups) if find(i) == root for r in g] for root in roots]


def _qualified_refs(tree: Any) -> list[list[str]]:
    """The qualified column references anywhere in ``tree``, subqueries included."""
    from dbdesign.lint.sqlexpr import nodes

    out = []
    for k, f in nodes(tree):
        got = column_fields({k: f}) if k == "ColumnRef" else None
        if got is not None and len(got) >= 2:
            out.append(got)
    return out


def _join_fix(base: list[Relation], other: list[Relation]) -> str | None:
    """``JOIN b ON b.fk = a.pk`` from a foreign key between the two parts, when the schema
    has one."""
    for a in base:
        for o in other:
            for x, y in ((a, o), (o, a)):
                if x.table is None or y.table is None:
                    continue
                for fk in x.table.foreign_keys.values():
                    if fk.ref_table == y.key:
                        on = " AND ".join(
                            f"{x.alias}.{c} = {y.alias}.{rc}"
                            for c, rc in zip(fk.columns, fk.ref_columns, strict=False)
                        )
                        return (
                            f"Join them on the foreign key {fk.name}: JOIN {o.name} "
                            + (f"{o.alias} " if o.alias != o.name else "")
                            + f"ON {on}"
                        )
    return None


@query_rule("QRY008", "unbounded-list", "info")
def unbounded_list(ctx: QueryContext) -> Iterator[Hit]:
    """A query returns a sorted list of a whole table with no LIMIT.

    Rationale: `SELECT ... FROM t ORDER BY ...` with no LIMIT and no WHERE that picks rows
    sorts and sends the whole table on every call: fine with 50 rows, a timeout with 5
    million, and the page shows the first screen anyway. To stay quiet where the size is
    unknown, it is reported only for the outermost SELECT (a) with ORDER BY, no LIMIT or
    FETCH, no GROUP BY or aggregate, and no WHERE condition that compares a column with a
    value (a filter on `deleted_at IS NULL` or a boolean column still returns almost every
    row), or (b) with no WHERE at all, no LIMIT and no aggregate, on a table whose expected
    rows (`[tool.dbdesign.lint.volumes]`) are 100,000 or more.

    Bad:
        SELECT id, name FROM customers ORDER BY name;

    Good:
        SELECT id, name FROM customers ORDER BY name LIMIT 50;

    Fix: Add LIMIT (and page by the sort keys: see QRY002), or a WHERE that selects the rows
    the caller needs; stream with a cursor when the whole table is really wanted.
    """
    b = next((b for b in ctx.blocks if b.role == "top" and b.parent is None), None)
    if b is None or b.kind != "select" or b.node is not body(ctx.tree, "SelectStmt"):
        return
    n = b.node
    tables = [r for r in b.relations if r.kind == "table"]
    if n.get("limitCount") is not None or n.get("limitOffset") is not None or not tables:
        return
    targets = [(body(t, "ResTarget") or {}).get("val") for t in n.get("targetList", ())]
    if n.get("groupClause") or any(_has_aggregate(t) for t in targets):
        return
    sorted_ = bool(n.get("sortClause"))
    if sorted_ and not _restricts(b):
        yield Hit(
            _tables(tables),
            f"ORDER BY without LIMIT returns all of {_tables(tables)}, sorted, on every call",
            ctx.origin_of((body(n["sortClause"][0], "SortBy") or {}).get("node")),
            limit_fix(ctx, b),
        )
        return
    if b.where is None:
        big = [r for r in tables if r.key and _volume(ctx, r.key) >= LARGE_TABLE_ROWS]
        for r in big:
            yield Hit(
                r.key or r.name,
                f"no WHERE and no LIMIT: returns all {_volume(ctx, r.key or ''):,} expected "
                f"rows of {r.key}",
                ctx.at(r.location),
                limit_fix(ctx, b),
            )


def _volume(ctx: QueryContext, key: str) -> int:
    schema, _, table = key.partition(".")
    return ctx.config.volume(schema, table) or 0


def _has_aggregate(expr: Any) -> bool:
    return any(k == "FuncCall" and _aggregate({k: f}) for k, f in expr_nodes(expr))


def _restricts(b: Block) -> bool:
    """Whether the WHERE compares a column with a value (a parameter, a constant, a list of
    them, a scalar subquery) or tests it against a subquery (IN, EXISTS)."""
    for kind, n in expr_nodes(b.where):
        if kind == "A_Expr":
            sides = [n.get("lexpr"), n.get("rexpr")]
            if any(column_refs(s) for s in sides) and any(_value(s) for s in sides):
                return True
        if kind == "SubLink" and n.get("subLinkType") in ("ANY_SUBLINK", "EXISTS_SUBLINK"):
            return True
    return False


def _value(side: Any) -> bool:
    if isinstance(side, list):
        return bool(side) and all(_value(x) for x in side)
    sub = body(side, "SubLink")
    if sub is not None:
        return sub.get("subLinkType") == "EXPR_SUBLINK"
    return side is not None and is_value(side)
