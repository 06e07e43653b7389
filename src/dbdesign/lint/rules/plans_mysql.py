"""Plan rules of MySQL's and MariaDB's plans: filesorts and temporary tables (PLN011).

What these servers do with rows an index cannot deliver in the order or grouping asked for:
a filesort (``Using filesort``) or a temporary table (``Using temporary``). The plans are
:mod:`dbdesign.databases.plans_mysql`'s: a Filesort node (its Sort Key from MariaDB), a
Temporary Table node over the rows it holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dbdesign.databases.plans import PlanNode
from dbdesign.lint.findings import Hit
from dbdesign.lint.plan import PlanContext, PlanNodeAt, count, plan_rule

# PLN011: rows sorted by a filesort, or put through a temporary table, over all loops.
MANY_SORTED_ROWS = 10_000
_TOP_N = "top-N priority queue"


def _input_rows(ctx: PlanContext, n: PlanNode) -> tuple[float, bool] | None:
    """(rows the node took in over all its loops, whether they were counted rather than
    estimated), or None when the plan does not tell (a sort of a temporary table's groups
    that was not run)."""
    child = n.children[0] if n.children else None
    if child is not None and child.total_rows is not None:
        return child.total_rows, True
    if ctx.plan.analyzed:
        if n.node_type == "Filesort" and n.actual_rows is not None:
            if n.details.get("Sort Method") == _TOP_N:
                return None  # it returned its LIMIT, not what it sorted
            return n.actual_rows * (n.actual_loops or 1.0), True
        return None
    if child is None or child.node_type == "Temporary Table":
        return None
    return child.plan_rows, False


@plan_rule("PLN011", "filesort-or-temporary-table", dialects=("mysql",))
def filesort_or_temporary_table(ctx: PlanContext) -> Iterator[Hit]:
    """A filesort sorts, or a temporary table holds, 10,000 rows or more (MySQL, MariaDB).

    Rationale: MySQL and MariaDB sort the rows an index cannot hand over in order with a
    filesort (in sort_buffer_size, then merge passes on disk), and group, deduplicate or
    buffer rows in a temporary table (in memory up to tmp_table_size, then on disk). Either
    takes every row its input produces before the first row comes out, also for ORDER BY ...
    LIMIT 10. When the rows come from one table, an index whose keys are the columns compared
    with = and then the ORDER BY columns hands them over in order: no sort, and a LIMIT stops
    after its rows. Counted over all loops, and reported from 10,000 rows: counted by
    MariaDB's ANALYZE, else the optimizer's estimate.

    Bad:
        -- an index on (customer_id) only: the customer's orders are sorted every time
        SELECT * FROM orders WHERE customer_id = 7 ORDER BY created_at DESC LIMIT 10;

    Good:
        CREATE INDEX orders_customer_id_created_at_idx ON orders (customer_id, created_at);
        SELECT * FROM orders WHERE customer_id = 7 ORDER BY created_at DESC LIMIT 10;

    Fix: Index the columns compared with =, then the ORDER BY (or GROUP BY) columns in their
    order, so the rows come out of the index in order; or sort fewer rows (a tighter WHERE).
    A temporary table for GROUP BY or DISTINCT goes with an index on the grouped columns; one
    for a UNION with UNION ALL where the parts cannot share rows.
    """
    for at in ctx.nodes:
        n = at.node
        if n.node_type not in ("Filesort", "Temporary Table"):
            continue
        found = _input_rows(ctx, n)
        if found is None or found[0] < MANY_SORTED_ROWS:
            continue
        rows, counted = found
        verb = "sorted" if counted else "is expected to sort"
        if n.node_type == "Filesort":
            key = n.details.get("Sort Key")
            what = f"{verb} {count(rows)} rows" + (f" by {key}" if key else "")
            limit = n.details.get("Limit")
            if limit:
                what += f" to return the first {limit}"
        else:
            verb = "put" if counted else "is expected to put"
            what = f"{verb} {count(rows)} rows through a temporary table"
        loops = n.actual_loops or 1.0
        if loops > 1:
            what += f", over {count(loops)} loops"
        yield Hit(at.key, what, fix=_fix(ctx, at))


def _fix(ctx: PlanContext, at: PlanNodeAt) -> str:
    n = at.node
    if n.node_type == "Filesort":
        sql = _order_index(ctx, n)
        if sql is not None:
            return sql
        return (
            "Index the columns the query compares with = and then the ORDER BY columns, in "
            "their order and direction, so the rows come out of the index in order (a LIMIT "
            "then stops after its rows); or sort fewer rows with a tighter WHERE."
        )
    return (
        "Index the GROUP BY (or DISTINCT) columns, after the columns compared with =, so rows "
        "are grouped in index order without a temporary table; write UNION ALL where the parts "
        "cannot share rows; where it spills to disk, raise tmp_table_size and "
        "max_heap_table_size for the session."
    )


def _order_index(ctx: PlanContext, sort: PlanNode) -> str | None:
    """The index that hands the rows to sort over in order: the sorted table's equality
    keys, then the sort key's columns. Only when the sort key is columns of one table, in one
    direction, and that table is where the rows come from (the only input of the sort, or the
    outermost table of the join below it, whose order a nested loop keeps)."""
    columns = _sort_columns(sort.details.get("Sort Key", ""))
    if not columns or not sort.children:
        return None
    alias = columns[0][0]
    if any(a != alias for a, _ in columns):
        return None
    scan = sort.children[0]
    while scan.relation is None and scan.children and scan.node_type != "Temporary Table":
        scan = scan.children[0]
    if scan.relation is None or (scan.alias or "").lower() != alias.lower():
        return None
    equality: list[str] = []
    for condition in (scan.index_cond, scan.filter):
        found = ctx.index_keys(condition, scan.alias)
        if found is not None:
            equality += [k for k in found.equality if k not in equality]
    ordered = [ctx.d.quote_ident(c) for _, c in columns]
    return ctx.create_index(scan, tuple(equality + [c for c in ordered if c not in equality]))


def _sort_columns(key: str) -> list[tuple[str, str]]:
    """(table, column) of each part of a filesort's key (``o.amount desc, o.id``) when every
    part is a qualified column and all sort one way; else []."""
    if not key:
        return []
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        order: Any = sqlglot.parse_one(f"SELECT 1 FROM t ORDER BY {key}", read="mysql").args.get(
            "order"
        )
    except SqlglotError:
        return []
    if order is None:
        return []
    out: list[tuple[str, str]] = []
    directions = set()
    for part in order.expressions:
        col = part.this
        if not isinstance(col, exp.Column) or not col.table:
            return []
        directions.add(bool(part.args.get("desc")))
        out.append((col.table, col.name))
    return out if len(directions) == 1 else []
