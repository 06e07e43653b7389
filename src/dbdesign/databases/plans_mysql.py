"""MySQL's and MariaDB's plans as values: ``EXPLAIN FORMAT=JSON`` (MySQL 8, MariaDB 10.11) and
MariaDB's ``ANALYZE FORMAT=JSON`` parsed into the tree of :mod:`dbdesign.databases.plans`, so
the plan rules read them as they read PostgreSQL's.

The two servers write different JSON (MySQL's keys: ``rows_examined_per_scan``,
``rows_produced_per_join``, ``cost_info``, ``ordering_operation``, ``grouping_operation``;
MariaDB's: ``rows``, ``filesort``, ``temporary_table``, ``block-nl-join`` and, from ANALYZE,
``r_rows``, ``r_filtered``, ``r_loops``, ``r_total_time_ms``). Both become:

- a table access: a node named by its access type (``ALL`` a Full Table Scan, ``index`` a Full
  Index Scan, ``range`` an Index Range Scan, ``ref`` an Index Lookup, ``eq_ref`` a Single-Row
  Index Lookup, ``const`` a Constant Row ...; :data:`ACCESS_TYPES`), its ``key`` the node's
  index (``orders.orders_customer``: index names are the table's), the key parts and the values
  they are looked up with (``ref``) its Index Cond, its ``attached_condition`` its Filter;
- a ``nested_loop`` of n tables: n - 1 Nested Loop nodes, left-deep, the first table the
  outermost; with a join buffer (MySQL's ``using_join_buffer``, MariaDB's ``block-nl-join``) a
  Hash Join or Block Nested Loop whose condition is the Join Filter;
- a filesort (MySQL's ``ordering_operation`` with ``using_filesort``, MariaDB's ``filesort``):
  a Filesort node, its sort key the Sort Key; a temporary table: a Temporary Table node; MySQL's
  GROUP BY an Aggregate; a derived table's query a Materialize child, a subquery a SubPlan
  (or InitPlan) child, a UNION a Union node over its selects; a data-changing statement is a
  ModifyTable node (``Update on orders``) over what it reads;
- the numbers: a table's rows per scan (MySQL ``rows_examined_per_scan``, MariaDB ``rows``)
  times its ``filtered`` share is the node's estimated rows per loop, as PostgreSQL counts them
  (the rows per scan are kept as the detail "Rows Examined"); MariaDB's ANALYZE gives the rows
  read per loop (``r_rows``), the share its condition kept (``r_filtered``) and the loops
  (``r_loops``): actual rows are ``r_rows`` times ``r_filtered``, the rest removed by the
  Filter; a node's time is per loop; planning is ``query_optimization``, execution the query
  block's ``r_total_time_ms``.

A plan names a table by its alias (``"table_name": "o"``) and derived tables by position
(``<derived2>``); :class:`PlannedStatement`, read from the statement by whoever ran EXPLAIN,
maps aliases to tables, and says which table a data-changing statement writes and the outer
query's LIMIT (a Limit node, as PostgreSQL's: nodes under it may stop early).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from dbdesign.databases.plans import PlanNode, QueryPlan
from dbdesign.model import FrozenMap

# access_type -> the node type (MariaDB's hash joins read through "hash_ALL", "hash_range" ...).
ACCESS_TYPES: dict[str, str] = {
    "ALL": "Full Table Scan",
    "index": "Full Index Scan",
    "range": "Index Range Scan",
    "index_merge": "Index Merge",
    "ref": "Index Lookup",
    "ref_or_null": "Index Lookup",
    "index_subquery": "Index Lookup",
    "eq_ref": "Single-Row Index Lookup",
    "unique_subquery": "Single-Row Index Lookup",
    "const": "Constant Row",
    "system": "Constant Row",
    "fulltext": "Fulltext Index Lookup",
}
# A join buffer, as MySQL (using_join_buffer) and MariaDB (block-nl-join's join_type) name it.
JOIN_BUFFERS: dict[str, str] = {
    "hash join": "Hash Join",
    "block nested loop": "Block Nested Loop",
    "batched key access": "Batched Key Access",
    "bnl": "Block Nested Loop",
    "bnlh": "Hash Join",
    "bka": "Batched Key Access",
    "bkah": "Batched Key Access",
}
# What a table's JSON says beyond the fields of a node, kept as details (key -> detail).
_TABLE_DETAILS = {
    "access_type": "Access Type",
    "possible_keys": "Possible Keys",
    "used_key_parts": "Used Key Parts",
    "key_length": "Key Length",
    "index_condition": "Pushed Index Condition",
    "using_index": "Using Index",
    "using_MRR": "Using MRR",
    "first_match": "First Match",
    "loosescan": "Loose Scan",
    "not_exists": "Not Exists",
    "rows_produced_per_join": "Rows Produced per Join",
    "partitions": "Partitions",
}
_OPERATIONS = {"update": "Update", "delete": "Delete", "insert": "Insert"}
_FILESORT_DETAILS = {
    "r_sort_mode": "Sort Mode",
    "r_limit": "Limit",
    "r_buffer_size": "Sort Buffer",
    "r_sort_passes": "Sort Passes",
}


@dataclass(frozen=True, slots=True)
class PlannedStatement:
    """What the plan of a statement does not say and the statement does: the table each alias
    (or unaliased table name) of its FROM clauses stands for (``db.table`` in another
    database; None when one alias names different tables in different parts), the operation
    of a data-changing statement (``Update``) and the table it writes, and the outer query's
    LIMIT."""

    tables: Mapping[str, str | None] = field(default_factory=dict)
    operation: str | None = None
    target: str | None = None
    limit: float | None = None


def parse_mysql_plan(
    data: Any, sql: str = "", *, analyzed: bool = False, statement: PlannedStatement | None = None
) -> QueryPlan:
    """A :class:`QueryPlan` from MySQL's or MariaDB's ``EXPLAIN FORMAT=JSON`` (or MariaDB's
    ``ANALYZE FORMAT=JSON``: ``analyzed``), as a dict or its text."""
    raw = data if isinstance(data, str) else json.dumps(data)
    doc = json.loads(raw) if isinstance(data, str) else data
    shape = statement or PlannedStatement()
    block = doc.get("query_block") or {}
    reader = _Reader(shape.tables)
    root = reader.block(block)
    if shape.limit is not None:
        root = PlanNode(
            node_type="Limit",
            estimated=False,
            plan_rows=min(shape.limit, root.plan_rows),
            total_cost=root.total_cost,
            details=FrozenMap({"Limit": _text(shape.limit)}),
            children=(root,),
        )
    if shape.operation is not None and root.node_type != "ModifyTable":
        root = _modify(shape.operation, reader.relation(shape.target), root)
    costs = "cost_info" in block
    if costs and not root.total_cost:
        root = replace(root, total_cost=_num(block["cost_info"].get("query_cost")) or 0.0)
    optimization = doc.get("query_optimization") or {}
    return QueryPlan(
        sql=sql,
        root=root,
        analyzed=analyzed,
        planning_ms=_num(optimization.get("r_total_time_ms")),
        execution_ms=_num(block.get("r_total_time_ms")),
        raw=raw,
        dialect="mysql",
        estimates=("cost", "rows") if costs else ("rows",),
    )


def _num(v: Any) -> float | None:
    """A number of the JSON (MySQL writes filtered and costs as strings: ``"8.10"``)."""
    if v is None or isinstance(v, bool):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _rows(estimate: float) -> float:
    """An estimate of rows as a whole number, as the servers print them (at least 1 where
    the estimate is above 0)."""
    return float(max(round(estimate), 1)) if estimate > 0 else 0.0


def _text(v: Any) -> str:
    if isinstance(v, list):
        return ", ".join(map(str, v))
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).lower() if isinstance(v, bool) else str(v)


def _modify(
    operation: str, relation: tuple[str | None, str | None, str | None], child: PlanNode | None
) -> PlanNode:
    rel, schema, _ = relation
    return PlanNode(
        node_type="ModifyTable",
        estimated=False,
        relation=rel,
        schema=schema,
        total_cost=child.total_cost if child else 0.0,
        details=FrozenMap({"Operation": operation}),
        children=(child,) if child else (),
    )


@dataclass(slots=True)
class _Step:
    """One entry of a nested loop: the node, and how it is joined to what comes before."""

    node: PlanNode
    buffer: str | None = None  # the join buffer, as the plan names it
    condition: str | None = None  # the join buffer's condition (MariaDB)
    kept: float | None = None  # the share of combinations the condition kept (MariaDB)


class _Reader:
    """Turns the JSON of one plan into nodes; knows the statement's aliases."""

    def __init__(self, tables: Mapping[str, str | None]) -> None:
        self.tables = tables
        self.lower = {k.lower(): v for k, v in tables.items()}
        # the keys that hold a plan operation, in the order a container is searched for one
        self.operations: dict[str, Callable[[Any], PlanNode]] = {
            "union_result": self.union,
            "read_sorted_file": self.read_sorted_file,
            "filesort": self.filesort,
            "ordering_operation": self.ordering,
            "grouping_operation": self.grouping,
            "duplicates_removal": self.duplicates_removal,
            "windowing": self.windowing,
            "window_functions_computation": self.windowing,
            "temporary_table": self.temporary_table,
            "nested_loop": self.nested_loop,
            "table": self.table,
            "query_block": self.block,
        }

    # ------------------------------------------------------------------ names

    def relation(self, name: str | None) -> tuple[str | None, str | None, str | None]:
        """(relation, its schema, source) of a table as the plan names it: the table an alias
        stands for (schema: another database's name), or for a derived table, a subquery's
        materialisation or a UNION's result (``<derived2>``) no relation but that name."""
        if name is None:
            return None, None, None
        if name.startswith("<"):
            return None, None, name
        table = self.tables[name] if name in self.tables else self.lower.get(name.lower(), name)
        if table is None:  # one alias, different tables: say which name, not which table
            return None, None, name
        schema = table.rsplit(".", 1)[0] if "." in table else None
        return table, schema, None

    # ------------------------------------------------------------------ containers

    def container(self, d: Mapping[str, Any]) -> PlanNode | None:
        """The node of the first operation ``d`` holds (a filesort holds the table it sorts)."""
        for key, build in self.operations.items():
            if key in d and isinstance(d[key], dict | list):
                return build(d[key])
        return None

    def block(self, qb: Mapping[str, Any]) -> PlanNode:
        main = self.container({k: v for k, v in qb.items() if k != "query_block"})
        if main is None:
            message = qb.get("message") or (qb.get("table") or {}).get("message")
            main = PlanNode(
                node_type="Result",
                estimated=False,
                details=FrozenMap({"Message": str(message or "")}),
            )
        subs = tuple(self.subqueries(qb))
        details = dict(main.details)
        if qb.get("having_condition"):
            details["Having"] = str(qb["having_condition"])
        if qb.get("const_condition"):
            details["One-Time Filter"] = str(qb["const_condition"])
        main = replace(main, details=FrozenMap(details), children=main.children + subs)
        total, loops = _num(qb.get("r_total_time_ms")), _num(qb.get("r_loops"))
        if total is not None and main.actual_total_ms is None and main.actual_rows is not None:
            main = replace(main, actual_total_ms=total / (loops or main.actual_loops or 1.0))
        return main

    def subqueries(self, d: Mapping[str, Any]) -> Iterable[PlanNode]:
        """The subqueries attached to a block or a table: MariaDB's ``subqueries`` (each
        perhaps behind an ``expression_cache``), MySQL's ``attached_subqueries``,
        ``select_list_subqueries`` ... (``dependent``: run per row, a SubPlan; else once)."""
        for key, items in d.items():
            if not key.endswith("subqueries") or not isinstance(items, list):
                continue
            for item in items:
                if not isinstance(item, dict):
                    continue
                cache = item.get("expression_cache")
                qb = (cache or item).get("query_block")
                if not isinstance(qb, dict):
                    continue
                node = self.block(qb)
                once = item.get("dependent") is False and cache is None
                relationship = "InitPlan" if once else "SubPlan"
                details = dict(node.details)
                if cache is not None and cache.get("r_hit_ratio") is not None:
                    details["Cache Hit Ratio"] = _text(cache["r_hit_ratio"])
                yield replace(node, parent_relationship=relationship, details=FrozenMap(details))

    # ------------------------------------------------------------------ tables and joins

    def table(self, t: Mapping[str, Any]) -> PlanNode:
        operation = next((op for key, op in _OPERATIONS.items() if t.get(key)), None)
        if "table_name" not in t:
            return PlanNode(
                node_type="Result",
                estimated=False,
                details=FrozenMap({"Message": str(t.get("message", ""))}),
            )
        rel = self.relation(str(t["table_name"]))
        if operation is not None:
            scan = self.scan({k: v for k, v in t.items() if k not in _OPERATIONS}, rel)
            return _modify(operation, rel, scan if t.get("access_type") else None)
        return self.scan(t, rel)

    def scan(
        self, t: Mapping[str, Any], rel: tuple[str | None, str | None, str | None]
    ) -> PlanNode:
        relation, schema, source = rel
        name = str(t["table_name"])
        access = str(t.get("access_type") or "")
        examined = _num(t.get("rows_examined_per_scan", t.get("rows")))
        filtered = _num(t.get("filtered"))
        actual, loops, removed = _actuals(t)
        details = {
            v: _text(t[k]) for k, v in _TABLE_DETAILS.items() if t.get(k) not in (None, False, [])
        }
        if examined is not None:
            details["Rows Examined"] = _text(examined)
        if filtered is not None:
            details["Filtered"] = _text(filtered)
        if _num(t.get("r_rows")) is not None:
            details["Actual Rows Examined"] = _text(_num(t["r_rows"]))
        stats = t.get("r_engine_stats") or {}
        if stats.get("pages_accessed"):
            details["Pages Accessed"] = _text(stats["pages_accessed"])
        cost = t.get("cost_info") or {}
        key = t.get("key")
        table_name = relation.rsplit(".", 1)[-1] if relation else None
        children = [
            replace(self.block(m["query_block"]), parent_relationship="Subquery")
            for k in ("materialized", "materialized_from_subquery")
            if isinstance(m := t.get(k), dict) and isinstance(m.get("query_block"), dict)
        ]
        children += self.subqueries(t)
        ms = sum(_num(t.get(k)) or 0.0 for k in ("r_table_time_ms", "r_other_time_ms"))
        return PlanNode(
            node_type=ACCESS_TYPES.get(access.removeprefix("hash_"), "Table Access"),
            relation=relation,
            schema=schema,
            alias=name if source is None else None,
            source=source,
            index=f"{table_name}.{key}" if key and table_name else key,
            total_cost=_num(cost.get("prefix_cost")) or 0.0,
            plan_rows=_rows((examined or 0.0) * (100.0 if filtered is None else filtered) / 100),
            actual_rows=actual,
            actual_loops=loops,
            actual_total_ms=ms / loops if ms and loops else None,
            index_cond=_lookup(t),
            filter=t.get("attached_condition"),
            rows_removed_by_filter=removed,
            details=FrozenMap(details),
            children=tuple(children),
        )

    def nested_loop(self, items: list[Any]) -> PlanNode:
        steps = [self.step(x) for x in items if isinstance(x, dict)]
        if not steps:
            return PlanNode(node_type="Result", estimated=False)
        node = steps[0].node
        for s in steps[1:]:
            node = _join(node, s)
        return node

    def step(self, item: Mapping[str, Any]) -> _Step:
        if isinstance(item.get("block-nl-join"), dict):  # MariaDB: a join buffer
            b = item["block-nl-join"]
            inner = self.container(b) or PlanNode(node_type="Result", estimated=False)
            kept = _num(b.get("r_filtered"))
            return _Step(inner, str(b.get("join_type", "BNL")), b.get("attached_condition"), kept)
        t = item.get("table")
        if isinstance(t, dict):
            buffer = t.get("using_join_buffer")  # MySQL
            return _Step(self.table(t), str(buffer) if buffer else None)
        return _Step(self.container(item) or PlanNode(node_type="Result", estimated=False))

    # ------------------------------------------------------------------ operations

    def read_sorted_file(self, d: Mapping[str, Any]) -> PlanNode:
        """MariaDB: rows read back from a filesort's result (its ``filesort`` inside)."""
        node = self.container(d) or PlanNode(node_type="Result", estimated=False)
        return node

    def filesort(self, f: Mapping[str, Any]) -> PlanNode:
        """MariaDB's filesort: the sort key, whether a LIMIT made it a top-N priority queue,
        and from ANALYZE the rows it returned per loop (``r_output_rows``)."""
        child = self.container(f)
        loops = _num(f.get("r_loops"))
        total = _num(f.get("r_total_time_ms"))
        details = {"Sort Key": str(f.get("sort_key", ""))}
        if f.get("r_used_priority_queue") is not None:
            details["Sort Method"] = (
                "top-N priority queue" if f["r_used_priority_queue"] else "filesort"
            )
        for key, name in _FILESORT_DETAILS.items():
            if f.get(key) is not None:
                details[name] = _text(f[key])
        return PlanNode(
            node_type="Filesort",
            estimated=False,
            plan_rows=child.plan_rows if child else 0.0,
            actual_rows=_num(f.get("r_output_rows")),
            actual_loops=loops,
            actual_total_ms=total / loops if total is not None and loops else None,
            details=FrozenMap(details),
            children=(child,) if child else (),
        )

    def ordering(self, o: Mapping[str, Any]) -> PlanNode:
        """MySQL's ORDER BY: a Filesort when ``using_filesort``, else the rows come in order
        from an index (no node of its own)."""
        child = self.container(o) or PlanNode(node_type="Result", estimated=False)
        if o.get("using_temporary_table"):
            child = _temporary(child)
        if not o.get("using_filesort"):
            return child
        sort_cost = _num((o.get("cost_info") or {}).get("sort_cost")) or 0.0
        return _above("Filesort", child, total_cost=child.total_cost + sort_cost)

    def grouping(self, g: Mapping[str, Any]) -> PlanNode:
        """MySQL's GROUP BY: an Aggregate over a Temporary Table and/or a Filesort."""
        child = self.container(g) or PlanNode(node_type="Result", estimated=False)
        if g.get("using_temporary_table"):
            child = _temporary(child)
        if g.get("using_filesort"):
            child = _above("Filesort", child)
        return _above("Aggregate", child)

    def duplicates_removal(self, d: Any) -> PlanNode:
        """DISTINCT (MySQL: a dict like a grouping) or MariaDB's duplicate weedout of a
        semi-join (a list of tables joined)."""
        child = self.nested_loop(d) if isinstance(d, list) else self.grouping(d).children[0]
        return _above("Unique", child)

    def windowing(self, w: Mapping[str, Any]) -> PlanNode:
        """Window functions: MySQL's ``windowing`` (each window may sort), MariaDB's
        ``window_functions_computation`` (its ``sorts``)."""
        child = self.container(w) or PlanNode(node_type="Result", estimated=False)
        keys = [str((s.get("filesort") or {}).get("sort_key", "")) for s in w.get("sorts") or ()]
        keys += [
            _text(x.get("filesort_key", ""))
            for x in w.get("windows") or ()
            if x.get("using_filesort")
        ]
        details = {"Sort Key": "; ".join(k for k in keys if k)} if any(keys) else {}
        return _above("Window", child, details=FrozenMap(details))

    def temporary_table(self, d: Mapping[str, Any]) -> PlanNode:
        return _temporary(self.container(d) or PlanNode(node_type="Result", estimated=False))

    def union(self, u: Mapping[str, Any]) -> PlanNode:
        parts = tuple(
            replace(self.block(q["query_block"]), parent_relationship="Member")
            for q in u.get("query_specifications") or ()
            if isinstance(q, dict) and isinstance(q.get("query_block"), dict)
        )
        rows = _num(u.get("r_rows"))
        return PlanNode(
            node_type="Union",
            estimated=False,
            source=str(u.get("table_name", "")) or None,
            plan_rows=sum(p.plan_rows for p in parts),
            actual_rows=rows,
            actual_loops=_num(u.get("r_loops")) if rows is not None else None,
            details=FrozenMap(
                {"Temporary Table": "true"} if u.get("using_temporary_table") else {}
            ),
            children=parts,
        )


def _actuals(t: Mapping[str, Any]) -> tuple[float | None, float | None, float | None]:
    """(rows kept per loop, loops, rows its condition removed per loop) of MariaDB's ANALYZE;
    Nones without it. A single-table UPDATE or DELETE reads once (it has no r_loops); a
    constant table is read while planning (no loops, no rows)."""
    if "r_rows" not in t:
        return None, None, None
    loops = _num(t.get("r_loops"))
    loops = 1.0 if loops is None else loops
    read = _num(t.get("r_rows"))
    if read is None:
        return None, loops, None
    kept_share = _num(t.get("r_filtered"))
    kept = round(read * (100.0 if kept_share is None else kept_share) / 100, 4)
    removed = round(read - kept, 4) if t.get("attached_condition") else None
    return kept, loops, removed


def _lookup(t: Mapping[str, Any]) -> str | None:
    """An index lookup's condition: each key part equal to the value it is looked up with
    (``customer_id = const``, ``id = app.c.customer_id``), as ``ref`` and ``used_key_parts``
    pair them."""
    refs = t.get("ref")
    parts = t.get("used_key_parts")
    if not isinstance(refs, list) or not isinstance(parts, list) or not refs:
        return None
    return " AND ".join(f"{p} = {r}" for p, r in zip(parts, refs, strict=False))


def _temporary(child: PlanNode) -> PlanNode:
    return _above("Temporary Table", child)


def _above(node_type: str, child: PlanNode, **fields: Any) -> PlanNode:
    """A node over ``child`` that passes its rows on: the child's estimates, unless
    ``fields`` say otherwise."""
    return PlanNode(
        **{
            "node_type": node_type,
            "estimated": False,
            "plan_rows": child.plan_rows,
            "total_cost": child.total_cost,
            "children": (child,),
            **fields,
        }
    )


def _join(outer: PlanNode, s: _Step) -> PlanNode:
    """``outer`` joined with the next table, one Nested Loop (or a join buffer's node) over
    the two; its rows: the join's over all of the outer side's loops."""
    inner = s.node
    node_type = JOIN_BUFFERS.get(s.buffer.lower(), "Nested Loop") if s.buffer else "Nested Loop"
    d = inner.details
    join_type = (
        "Semi" if "First Match" in d or "Loose Scan" in d else "Anti" if "Not Exists" in d else None
    )
    produced = _num(d.get("Rows Produced per Join"))  # MySQL's estimate of the join's rows
    plan_rows = produced if produced is not None else outer.plan_rows * max(inner.plan_rows, 0.0)
    actual, loops = None, None
    if inner.actual_rows is not None and inner.actual_loops is not None:
        loops = outer.actual_loops or 1.0
        if s.kept is not None:  # a join buffer: each outer row meets each inner row kept
            outer_total = (outer.actual_rows or 0.0) * loops
            total = outer_total * inner.actual_rows * s.kept / 100
        else:
            total = inner.actual_rows * inner.actual_loops
        actual = total / loops
    details = {"Join Filter": s.condition} if s.condition else {}
    return PlanNode(
        node_type=node_type,
        join_type=join_type,
        total_cost=max(outer.total_cost, inner.total_cost),
        plan_rows=_rows(plan_rows),
        actual_rows=actual,
        actual_loops=loops,
        details=FrozenMap(details),
        children=(outer, inner),
    )
