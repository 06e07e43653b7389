"""Plan rules: row estimates, filters and scans, nested loops (PLN001-PLN003, PLN006).

Each rule reads a :class:`~dbdesign.lint.plan.PlanContext` (one plan, made by ``EXPLAIN
ANALYZE`` unless said otherwise) and reports the node where the problem is, with its numbers
and a concrete fix. Thresholds are module constants, stated in each rule's rationale.
PLN001-PLN003 read MySQL's and MariaDB's plans too (their scans, filters and, from MariaDB's
ANALYZE, actual rows: :mod:`dbdesign.databases.plans_mysql`), writing the fixes in the plan's
SQL (:class:`~dbdesign.lint.plan.PlanSql`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

from dbdesign.databases.plans import WHOLE_TABLE_SCANS, PlanNode
from dbdesign.lint.findings import Hit
from dbdesign.lint.plan import IndexKeys, PlanContext, PlanNodeAt, count, plan_rule

# PLN001: an estimate off by this factor or more, in either direction (pgMustard's line; depesz
# colours 10x, 100x and 1000x), on a node that handled at least MIN_MISESTIMATE_ROWS rows.
MISESTIMATE_FACTOR = 10.0
MIN_MISESTIMATE_ROWS = 100
# PLN002 / PLN003: a filter that throws away this share of the rows it reads, or more.
FILTER_REMOVED_SHARE = 0.9
MIN_REMOVED_ROWS = 1000
# PLN003: a sequential scan of a table of at least this many rows that keeps at most this share.
BIG_TABLE_ROWS = 10_000
SELECTIVE_SHARE = 0.1
# PLN006: the inner side of a nested loop run this many times or more.
MANY_LOOPS = 1000
ROWS_PER_LOOP = 100  # rows the inner side reads each time, when it is not an index lookup

# Scans that read a whole table (or, MySQL's Full Index Scan, a whole index) row by row.
_SEQ_SCANS = WHOLE_TABLE_SCANS | {"Full Index Scan"}
_PLANS_OF = ("postgres", "mysql")  # the dialects whose plans PLN001-PLN003 read
_LOOKUPS = frozenset({"Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Tid Scan", "Result"})
_WRAPPERS = frozenset({"Materialize", "Memoize", "Hash", "Sort", "Gather", "Gather Merge"})
_MODIFY = frozenset({"ModifyTable"})
# Nodes that read their whole input before they return a row (a sort, a hash table, MySQL's
# temporary table): what is under them is never stopped early by a LIMIT above them.
_READS_ALL = frozenset({"Sort", "Hash", "Filesort", "Temporary Table"})


# --------------------------------------------------------------------------- PLN001


def _factor(n: PlanNode) -> float:
    """How far the estimate is off: > 1 under-estimated, < 1 over-estimated (per loop)."""
    return max(n.actual_rows or 0.0, 1.0) / max(n.plan_rows, 1.0)


def _misestimated(at: PlanNodeAt) -> float | None:
    """The factor when it is off by MISESTIMATE_FACTOR or more (and is not explained by a
    node that stops early), else None."""
    n = at.node
    if n.actual_rows is None or not n.actual_loops or n.node_type in _MODIFY or not n.estimated:
        return None
    f = _factor(n)
    loops = n.actual_loops
    if max(n.actual_rows, n.plan_rows) * loops < MIN_MISESTIMATE_ROWS:
        return None
    if f >= MISESTIMATE_FACTOR:
        return f
    if f <= 1 / MISESTIMATE_FACTOR and not _may_stop_early(at):
        return f
    return None


def _may_stop_early(at: PlanNodeAt) -> bool:
    """Whether the node may have been stopped before it returned all its rows: under a
    Limit, the inner side of a semi or anti join, a subplan (EXISTS stops at its first row),
    an input of a merge join, or beside a join input that returned nothing. A node that
    returned no rows at all ran to its end: it was not stopped; so did the input of a sort
    or a hash, which read all of it whatever stops them."""
    if not at.node.actual_rows:
        return False
    chain = [at, *at.ancestors()]
    for child, parent in pairwise(chain):
        p = parent.node
        if p.node_type in _READS_ALL:
            return False  # it takes every row of its input before it returns one
        if child.node.node_type == "Limit" or p.node_type == "Limit":
            return True
        if child.node.parent_relationship in ("SubPlan", "InitPlan"):
            return True
        if p.node_type == "Merge Join":
            return True
        if p.join_type in ("Semi", "Anti") and p.children and child.node is p.children[-1]:
            return True
        if any(c.actual_rows == 0 for c in p.children if c is not child.node):
            return True
    return at.node.node_type == "Limit"


@plan_rule("PLN001", "row-misestimate", dialects=_PLANS_OF)
def row_misestimate(ctx: PlanContext) -> Iterator[Hit]:
    """The planner's row estimate for a node is off by 10x or more.

    Rationale: Every choice the planner makes (nested loop or hash join, index or sequential
    scan, in-memory or on-disk sort) follows from its row estimates; an estimate off by an
    order of magnitude is where bad plans come from. The rule compares the actual rows
    (per loop, as EXPLAIN prints them) with the estimate and reports a factor of 10 or more
    either way on a node that handled at least 100 rows (pgMustard flags 10x; depesz's
    explain grades 10x, 100x and 1,000x). Only the node where a misestimate starts is
    reported, not every node above it that inherits it; over-estimates of nodes stopped
    early on purpose (under a LIMIT, the inner side of EXISTS or an anti-join, a merge join
    input) are not misestimates.

    Bad:
        -- a and b always hold the same value: the planner multiplies their selectivities
        SELECT * FROM t WHERE a = 1 AND b = 1;

    Good:
        CREATE STATISTICS t_a_b (dependencies, ndistinct, mcv) ON a, b FROM t;
        ANALYZE t;
        SELECT * FROM t WHERE a = 1 AND b = 1;

    Fix: Refresh the table's statistics (ANALYZE); for conditions on several correlated
    columns create extended statistics on them; for a skewed column raise its statistics
    target.
    """
    off = {at.number: f for at in ctx.nodes if (f := _misestimated(at)) is not None}
    by_node = {id(at.node): at for at in ctx.nodes}
    for at in ctx.nodes:
        f = off.get(at.number)
        if f is None:
            continue
        under = f > 1
        inherited = any(
            (g := off.get(by_node[id(c)].number)) is not None and (g > 1) == under
            for c in at.node.children
        )
        if inherited:
            continue
        n = at.node
        factor = f if under else 1 / f
        loops = (
            f" per loop over {count(n.actual_loops or 0)} loops"
            if (n.actual_loops or 0) > 1
            else ""
        )
        yield Hit(
            at.key,
            f"estimated {count(n.plan_rows)} rows, got {count(n.actual_rows or 0)}{loops}: "
            f"{_grade(factor)} {'under' if under else 'over'}-estimate",
            fix=_estimate_fix(ctx, at),
        )


def _grade(factor: float) -> str:
    return f"{factor:,.0f}x"


def _estimate_fix(ctx: PlanContext, at: PlanNodeAt) -> str:
    n = at.node
    table = ctx.table_sql(n)
    if table is None:
        return _derived_estimate_fix(ctx, at)
    keys = _condition_keys(ctx, n)
    targets = (*keys.equality, *keys.ranges) if keys is not None else ()
    columns = tuple(k for k in targets if not k.startswith("("))
    version = ctx.plan.server_version or 999999
    several = len(columns) >= 2 or bool(
        targets and len(targets) > len(columns) and version >= 140000
    )
    if several and ctx.sql.extended_statistics:
        on = columns if len(columns) >= 2 else targets
        return _statistics_sql(ctx, n, on, "dependencies, ndistinct, mcv")
    return ctx.sql.column_statistics(table, columns)


def _statistics_sql(ctx: PlanContext, scan: PlanNode, on: tuple[str, ...], kinds: str) -> str:
    """CREATE STATISTICS on the scan's table for ``on`` (columns, or one expression), then
    ANALYZE (an expression alone gets no kinds: PostgreSQL 14+ keeps its statistics)."""
    table = ctx.table_sql(scan)
    plain = tuple(k.strip(chr(34)) for k in on if not k.startswith("("))
    name = ctx.d.quote_ident(f"{scan.relation_name}_{'_'.join(plain) or 'expr'}_stats"[:63])
    version = ctx.plan.server_version or 999999
    if version < 120000:
        kinds = kinds.replace(", mcv", "")
    kind_sql = f" ({kinds})" if len(on) >= 2 else ""
    return f"CREATE STATISTICS {name}{kind_sql} ON {', '.join(on)} FROM {table}; ANALYZE {table};"


def _derived_estimate_fix(ctx: PlanContext, at: PlanNodeAt) -> str:
    """The fix for a node that reads no table itself: a join or an aggregate."""
    n = at.node
    group = n.details.get("Group Key")
    if group:
        scan, columns = _group_columns(ctx, at, group)
        if scan is not None and len(columns) >= 2:
            return _statistics_sql(ctx, scan, columns, "ndistinct")
        return (
            "The number of groups is estimated from each column's distinct values: ANALYZE "
            "the tables below, and CREATE STATISTICS (ndistinct) on grouped columns of one "
            "table."
        )
    return ctx.sql.join_statistics()


_QUALIFIED = re.compile(r'^("?)([A-Za-z_][\w$]*)\1\.("?)([A-Za-z_][\w$]*)\3$')


def _group_columns(
    ctx: PlanContext, at: PlanNodeAt, group: str
) -> tuple[PlanNode | None, tuple[str, ...]]:
    """The scan below ``at`` whose columns all of the Group Key are (alias.column each), and
    those columns quoted; (None, ()) when they are expressions or of several tables."""
    parts = [p.strip() for p in group.split(",")]
    matches = [_QUALIFIED.match(p) for p in parts]
    if not all(matches):
        return None, ()
    aliases = {m.group(2) for m in matches if m}
    if len(aliases) != 1:
        return None, ()
    alias = aliases.pop()
    scan = next((d for d in at.node.walk() if d.relation is not None and d.alias == alias), None)
    return scan, tuple(ctx.d.quote_ident(m.group(4)) for m in matches if m)


def _condition_keys(ctx: PlanContext, n: PlanNode) -> IndexKeys | None:
    """The columns the node's Index Cond and Filter test (index keys, equality first)."""
    a = ctx.index_keys(n.index_cond or n.details.get("Recheck Cond"), n.alias)
    b = ctx.index_keys(n.filter, n.alias)
    if a is None or b is None:
        return a or b
    eq = a.equality + tuple(k for k in b.equality if k not in a.equality)
    ranges = tuple(k for k in a.ranges + b.ranges if k not in eq)
    return IndexKeys(eq, ranges)


# --------------------------------------------------------------------------- PLN002


@plan_rule("PLN002", "filter-removes-most-rows", dialects=_PLANS_OF)
def filter_removes_most_rows(ctx: PlanContext) -> Iterator[Hit]:
    """An index scan, a join or a subquery scan reads rows only to throw 90 % or more away.

    Rationale: Rows removed by a Filter (or a Join Filter) were read, and for an index scan
    fetched from the table one by one, for nothing. The rule reports a node (other than a
    sequential scan: see PLN003) that removed at least 1,000 rows and at least 90 % of what
    it read, counted over all loops (pgMustard calls this index efficiency). An index whose
    keys also cover the filtered columns reads only the rows that are kept.

    Bad:
        -- an index on (customer_id) only: status is checked row by row
        SELECT * FROM orders WHERE customer_id = 7 AND status = 'open';

    Good:
        CREATE INDEX ON orders (customer_id, status);
        SELECT * FROM orders WHERE customer_id = 7 AND status = 'open';

    Fix: Extend the index with the filtered columns (equality columns before the range
    column), use a partial index for a fixed condition, or make a join condition one the
    planner can hash or index.
    """
    for at in ctx.nodes:
        n = at.node
        if n.node_type in _SEQ_SCANS or not n.actual_loops:
            continue
        loops = n.actual_loops
        removed_key = "Rows Removed by Join Filter"
        removed = (n.rows_removed_by_filter or 0) + n.value(removed_key)
        kept = n.actual_rows or 0
        if removed * loops < MIN_REMOVED_ROWS or removed / (removed + kept) < FILTER_REMOVED_SHARE:
            continue
        condition = n.filter or n.details.get("Join Filter", "")
        share = removed / (removed + kept)
        yield Hit(
            at.key,
            f"read {count((removed + kept) * loops)} rows and removed {count(removed * loops)} "
            f"({share:.1%}) with {condition}",
            fix=_filter_fix(ctx, n),
        )


def _filter_fix(ctx: PlanContext, n: PlanNode) -> str:
    if n.relation is None:
        return (
            "The condition is checked after the rows were joined or produced: make the join "
            "condition an equality the planner can hash, merge or look up in an index, or "
            "push the condition down into the subquery or CTE."
        )
    keys = _condition_keys(ctx, n)
    sql = ctx.create_index(n, keys.keys) if keys is not None else None
    if sql is None:
        return (
            f"No B-tree key serves {n.filter}: write it as column op value, or index the "
            "expression it tests; a partial index (WHERE ...) serves a fixed condition."
        )
    return sql


# --------------------------------------------------------------------------- PLN003


@plan_rule("PLN003", "seq-scan-selective-filter", dialects=_PLANS_OF)
def seq_scan_selective_filter(ctx: PlanContext) -> Iterator[Hit]:
    """A sequential scan reads a big table to keep 10 % of its rows or fewer.

    Rationale: Reading a table of 10,000 rows or more whole to keep at most one row in ten
    costs time in proportion to the table, not to the answer; an index on the filtered
    columns reads only what is kept. Counted per scan: a scan run many times (inside a
    nested loop) reads the table each time. The suggested index puts the equality columns
    first and one range column last, the order a B-tree can use. When the schema is known
    and such an index exists, the finding says the planner did not use it instead. On MySQL
    and MariaDB a full table scan (access type ALL) or a full index scan (index) is such a
    scan; where the statement was not run (MySQL's plans, EXPLAIN without ANALYZE) the
    optimizer's own numbers are judged: the rows it expects to examine and the share its
    filter keeps.

    Bad:
        SELECT * FROM orders WHERE customer_id = 7;  -- no index on customer_id

    Good:
        CREATE INDEX CONCURRENTLY ON orders (customer_id);
        SELECT * FROM orders WHERE customer_id = 7;

    Fix: Create the index the finding spells out (CONCURRENTLY on a live PostgreSQL table;
    MySQL builds it in place); if an index exists, find why the planner passed it over (the
    estimate, a cast or a function on the column, a different collation or operator class).
    """
    for at in ctx.nodes:
        n = at.node
        if n.node_type not in _SEQ_SCANS or not n.filter:
            continue
        found = _scan_rows(ctx, n)
        if found is None:
            continue
        read, kept, loops, verb = found
        if read < BIG_TABLE_ROWS or kept > SELECTIVE_SHARE * read:
            continue
        share = kept / read if read else 0.0
        times = f", {count(loops)} times" if loops > 1 and not n.parallel_aware else ""
        yield Hit(
            at.key,
            f"{verb} {count(read)} rows of {n.relation} to keep {count(kept)} ({share:.1%})"
            f"{times} with {n.filter}",
            fix=_seq_scan_fix(ctx, n),
        )


def _scan_rows(ctx: PlanContext, n: PlanNode) -> tuple[float, float, float, str] | None:
    """(rows of the table a scan read, rows it kept, its loops, how that is said): counted
    with ANALYZE (per scan; a parallel scan's parts together), else the optimizer's estimate
    where the plan gives the rows a scan examines (MySQL's and MariaDB's)."""
    if n.actual_rows is not None:
        loops = n.actual_loops or 0
        if not loops:
            return None
        read = n.actual_rows + (n.rows_removed_by_filter or 0)
        if n.parallel_aware:
            return read * loops, n.actual_rows * loops, loops, "read"
        return read, n.actual_rows, loops, "read"
    if ctx.plan.analyzed or "Rows Examined" not in n.details:
        return None
    return n.value("Rows Examined"), n.plan_rows, 1.0, "expected to read"


def _seq_scan_fix(ctx: PlanContext, n: PlanNode) -> str:
    keys = ctx.index_keys(n.filter, n.alias)
    if keys is None:
        return (
            f"No B-tree key serves {n.filter} as written: test a column against a value "
            "(col op value), split an OR into a UNION or one index per column, or index the "
            "expression it tests."
        )
    existing = ctx.existing_index(n, keys.keys[0])
    if existing is not None:
        return (
            f"Index {existing} starts with {keys.keys[0]}, but the planner read the table "
            f"instead: check its estimate ({ctx.sql.analyze(ctx.table_sql(n) or '')}), and that "
            "the condition "
            "tests the column itself (no cast or function on it) with the index's collation."
        )
    return ctx.create_index(n, keys.keys) or ""


# --------------------------------------------------------------------------- PLN006


def _inner_work(inner: PlanNode) -> tuple[PlanNode, float, float]:
    """(the node doing the inner side's work, times it ran, rows it read each time)."""
    n = inner
    loops = inner.actual_loops or 0
    if n.node_type == "Memoize" and n.children:
        loops = n.value("Cache Misses")
        n = n.children[0]
    while n.node_type in ("Materialize", "Sort", "Hash") and n.children:
        if n.node_type == "Materialize":
            break  # rescanned from memory each loop: its rows are read every time
        n = n.children[0]
    per_loop = (n.actual_rows or 0) + (n.rows_removed_by_filter or 0)
    return n, loops, per_loop


def _scan_below(n: PlanNode) -> PlanNode:
    while n.relation is None and len(n.children) == 1:
        n = n.children[0]
    return n


@plan_rule("PLN006", "nested-loop-many-loops")
def nested_loop_many_loops(ctx: PlanContext) -> Iterator[Hit]:
    """The inner side of a nested loop ran 1,000 times or more, without a cheap index lookup
    or far more often than the planner expected.

    Rationale: A nested loop runs its inner side once per outer row. That is fast when the
    inner side is an index lookup and the planner knew how many outer rows there would be;
    it is quadratic when the inner side scans (or rescans a materialised set of) 100 rows or
    more each time, and it is the wrong join when the outer side returned 10x more rows than
    estimated (a hash join would have read each side once). Reported from 1,000 loops.

    Bad:
        -- no index on items.order_id, and few orders expected
        SELECT * FROM orders o JOIN items i ON i.order_id = o.id WHERE o.day = current_date;

    Good:
        CREATE INDEX CONCURRENTLY ON items (order_id);

    Fix: Index the inner table's join columns so each loop is a lookup; when the loop count
    comes from a misestimate of the outer side, fix that estimate (PLN001) so the planner can
    choose a hash join.
    """
    for at in ctx.nodes:
        n = at.node
        if n.node_type != "Nested Loop" or len(n.children) != 2 or not n.actual_loops:
            continue
        outer, inner = n.children
        work, loops, per_loop = _inner_work(inner)
        if loops < MANY_LOOPS:
            continue
        expected = max(outer.plan_rows, 1.0) * n.actual_loops
        surprise = loops >= MISESTIMATE_FACTOR * expected
        scans = work.node_type not in _LOOKUPS and per_loop >= ROWS_PER_LOOP
        if not (surprise or scans):
            continue
        inner_at = next(a for a in ctx.nodes if a.node is inner)
        what = f"the inner side (#{inner_at.number} {inner.label}) ran {count(loops)} times"
        if surprise:
            what += f" (the planner expected {count(expected)})"
        if scans:
            what += f", reading {count(per_loop)} rows each time ({count(per_loop * loops)} in all)"
        yield Hit(at.key, what, fix=_loop_fix(ctx, n, inner, surprise))


def _loop_fix(ctx: PlanContext, loop: PlanNode, inner: PlanNode, surprise: bool) -> str:
    scan = _scan_below(inner)
    condition = loop.details.get("Join Filter") or scan.filter or scan.index_cond
    keys = ctx.index_keys(condition, scan.alias) if scan.relation is not None else None
    sql = ctx.create_index(scan, keys.keys) if keys is not None else None
    existing = ctx.existing_index(scan, keys.keys[0]) if keys is not None else None
    if sql is not None and existing is None and scan.node_type not in _LOOKUPS:
        return sql
    outer = loop.children[0]
    if surprise:
        return (
            f"The outer side ({outer.label}) returned {count(outer.total_rows or 0)} rows where "
            f"{count(outer.plan_rows)} were expected: fix that estimate (see PLN001) so the "
            "planner can choose a hash join."
        )
    return (
        "Make each loop a lookup: index the inner table on the join columns, or write the "
        "join condition as an equality the planner can hash."
    )
