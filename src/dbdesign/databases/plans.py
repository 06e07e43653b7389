"""Query plans as values: EXPLAIN (FORMAT JSON) parsed into a frozen tree.

:class:`QueryPlan` answers the questions a designer asks of a plan — which indexes does it use,
which tables does it read whole, how long did it take — and prints itself the way EXPLAIN's
text format does. The plan rules (``dbdesign.lint.rules.plans*``) read it; running EXPLAIN is
``dbdesign.advise.explain``'s job. PostgreSQL's plans are parsed here; MySQL's and MariaDB's
(``EXPLAIN FORMAT=JSON``, MariaDB's ``ANALYZE FORMAT=JSON``) by
:mod:`dbdesign.databases.plans_mysql` into the same tree, their plan's :attr:`QueryPlan.dialect`
saying whose it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dbdesign.model import FrozenMap

# Keys of a plan node kept as fields; every other scalar key goes to PlanNode.details.
_FIELDS = {
    "Node Type",
    "Relation Name",
    "Schema",
    "Alias",
    "Index Name",
    "Join Type",
    "Startup Cost",
    "Total Cost",
    "Plan Rows",
    "Plan Width",
    "Actual Rows",
    "Actual Loops",
    "Actual Startup Time",
    "Actual Total Time",
    "Index Cond",
    "Filter",
    "Rows Removed by Filter",
    "Shared Hit Blocks",
    "Shared Read Blocks",
    "Plans",
    "Output",
    "Parent Relationship",
    "Parallel Aware",
}
# Keys that say nothing about the plan's shape (and vary between server versions).
_NOISE = frozenset({"Async Capable", "Disabled", "Inner Unique"})
_BITMAP = frozenset({"Bitmap Heap Scan", "Bitmap Index Scan", "BitmapAnd", "BitmapOr"})
# Node types that read a whole table (PostgreSQL's, MySQL's) or a whole index (MySQL's).
WHOLE_TABLE_SCANS = frozenset({"Seq Scan", "Parallel Seq Scan", "Full Table Scan"})
# Detail lines EXPLAIN's text format prints under a node, in its order.
_DETAIL_LINES = (
    "Hash Cond",
    "Merge Cond",
    "Join Filter",
    "Recheck Cond",
    "Sort Key",
    "Group Key",
    "Presorted Key",
    "One-Time Filter",
    "Cache Key",
    "Heap Fetches",
    "Rows Removed by Join Filter",
    "Rows Removed by Index Recheck",
    "Sort Method",
)
# Details of MySQL's and MariaDB's plans printed after those (PostgreSQL's plans have none).
_OTHER_LINES = (
    "Having",
    "Pushed Index Condition",
    "Rows Examined",
    "Actual Rows Examined",
    "Sort Mode",
    "Limit",
    "Pages Accessed",
    "Message",
)


@dataclass(frozen=True, slots=True)
class PlanNode:
    """One node of a plan. ``relation`` and ``index`` are schema-qualified."""

    node_type: str
    relation: str | None = None
    schema: str | None = None  # the schema of ``relation`` (and of ``index``)
    parallel_aware: bool = False  # run in parts by parallel workers ("Parallel Seq Scan")
    # How the node feeds its parent: Outer, Inner, Subquery, SubPlan, InitPlan, Member ...
    parent_relationship: str | None = None
    alias: str | None = None
    index: str | None = None
    join_type: str | None = None
    startup_cost: float = 0.0
    total_cost: float = 0.0
    plan_rows: float = 0.0
    plan_width: int = 0
    actual_rows: float | None = None
    actual_loops: float | None = None
    actual_startup_ms: float | None = None
    actual_total_ms: float | None = None
    index_cond: str | None = None
    filter: str | None = None
    rows_removed_by_filter: float | None = None
    shared_hit_blocks: int | None = None
    shared_read_blocks: int | None = None
    details: FrozenMap[str, str] = field(default_factory=FrozenMap)
    children: tuple[PlanNode, ...] = ()
    # What a node without a relation reads, as the plan names it (MySQL's <derived2>).
    source: str | None = None
    # Whether plan_rows is the planner's own estimate: MySQL's plans give none for a sort or
    # a temporary table, whose plan_rows are their input's.
    estimated: bool = True

    def value(self, key: str) -> float:
        """A numeric detail of the node (``"Heap Fetches"``, ``"Sort Space Used"``, ``"Workers
        Launched"`` ...); 0 when EXPLAIN did not print it (it leaves out zeros)."""
        v = self.details.get(key)
        try:
            return float(v) if v is not None else 0.0
        except ValueError:
            return 0.0

    @property
    def relation_name(self) -> str | None:
        """The relation's own name, without its schema."""
        if self.relation is None or self.schema is None:
            return self.relation
        return self.relation[len(self.schema) + 1 :]

    @property
    def total_rows(self) -> float | None:
        """Rows produced over all loops (EXPLAIN prints a per-loop average); None without
        ANALYZE."""
        if self.actual_rows is None:
            return None
        return self.actual_rows * (self.actual_loops or 0)

    def walk(self) -> Iterator[PlanNode]:
        """This node and every node below it, depth first in plan order."""
        yield self
        for c in self.children:
            yield from c.walk()

    @property
    def label(self) -> str:
        """The node's headline as EXPLAIN's text format prints it."""
        t = self.node_type
        d = self.details
        if t == "Aggregate":
            t = {
                "Hashed": "HashAggregate",
                "Sorted": "GroupAggregate",
                "Mixed": "MixedAggregate",
            }.get(d.get("Strategy", ""), "Aggregate")
        elif t == "ModifyTable":
            t = d.get("Operation", "Modify")
        elif t == "SetOp":
            t = {"Hashed": "HashSetOp"}.get(d.get("Strategy", ""), "SetOp")
        if self.join_type and self.join_type != "Inner":
            if t.endswith(" Join"):
                t = f"{t[: -len(' Join')]} {self.join_type} Join"
            elif t == "Nested Loop":
                t = f"Nested Loop {self.join_type} Join"
        if self.parallel_aware:
            t = f"Parallel {t}"
        if self.index is not None:
            short = self.index.rsplit(".", 1)[-1]
            if self.node_type == "Bitmap Index Scan":
                return f"{t} on {short}"
            t = f"{t} using {short}"
        if self.relation is not None:
            t += f" on {self.relation}"
            if self.alias and self.alias != self.relation.rsplit(".", 1)[-1]:
                t += f" {self.alias}"
        elif self.source is not None:
            t += f" on {self.source}"
        return t


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """A parsed EXPLAIN. ``total_ms`` is the execution time ANALYZE measured (None without
    ANALYZE); ``planning_ms`` the planner's time."""

    sql: str
    root: PlanNode
    analyzed: bool
    planning_ms: float | None = None
    execution_ms: float | None = None
    triggers: tuple[tuple[str, float, int], ...] = ()  # (name, ms, calls)
    # EXPLAIN (SETTINGS): the planner settings that differ from the built-in defaults.
    settings: FrozenMap[str, str] = field(default_factory=FrozenMap)
    jit_ms: float | None = None  # JIT compilation, all phases (None: no JIT)
    jit_functions: int = 0
    server_version: int | None = None  # server_version_num, when the runner recorded it
    raw: str = field(default="", compare=False, repr=False)  # EXPLAIN's JSON text
    dialect: str = "postgres"  # the registered dialect of the server that made it
    # The estimates its nodes carry, as a node's headline prints them: PostgreSQL's cost, rows
    # and width; MariaDB 10.11 gives rows only, MySQL cost and rows.
    estimates: tuple[str, ...] = ("cost", "rows", "width")
    notes: tuple[str, ...] = ()  # what a reader should know about how it was made

    @property
    def total_ms(self) -> float | None:
        return self.execution_ms

    @property
    def estimated_cost(self) -> float:
        return self.root.total_cost

    def nodes(self) -> Iterator[PlanNode]:
        return self.root.walk()

    def setting(self, name: str) -> str | None:
        """A setting EXPLAIN (SETTINGS) recorded; None when it has the built-in default (or
        the plan was made without SETTINGS)."""
        return self.settings.get(name)

    def indexes_used(self) -> tuple[str, ...]:
        """Qualified names of the indexes the plan reads, in plan order, each once."""
        return tuple(dict.fromkeys(n.index for n in self.nodes() if n.index is not None))

    def seq_scans(self) -> tuple[str, ...]:
        """Qualified names of the relations read by a sequential (full table) scan, each
        once."""
        return tuple(
            dict.fromkeys(
                n.relation
                for n in self.nodes()
                if n.node_type in WHOLE_TABLE_SCANS and n.relation is not None
            )
        )

    def uses_index(self, name: str) -> bool:
        """Whether the plan reads index ``name`` (``schema.index`` or just ``index``)."""
        for ix in self.indexes_used():
            if ix == name or ("." not in name and ix.rsplit(".", 1)[-1] == name):
                return True
        return False

    def text(self) -> str:
        """The plan in the shape of EXPLAIN's text format."""
        lines: list[str] = []
        _text(self.root, 0, lines, self.analyzed, self.estimates)
        if self.settings:
            shown = ", ".join(f"{k} = '{v}'" for k, v in self.settings.items())
            lines.append(f"Settings: {shown}")
        if self.planning_ms is not None:
            lines.append(f"Planning Time: {self.planning_ms:.3f} ms")
        for name, ms, calls in self.triggers:
            lines.append(f"Trigger {name}: time={ms:.3f} calls={calls}")
        if self.jit_ms is not None:
            lines.append(f"JIT: functions={self.jit_functions} total={self.jit_ms:.3f} ms")
        if self.execution_ms is not None:
            lines.append(f"Execution Time: {self.execution_ms:.3f} ms")
        lines += [f"Note: {note}" for note in self.notes]
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready summary: the node tree, the indexes and sequential scans, the times."""
        return {
            "sql": self.sql,
            "dialect": self.dialect,
            "analyzed": self.analyzed,
            "planning_ms": self.planning_ms,
            "execution_ms": self.execution_ms,
            "jit_ms": self.jit_ms,
            "settings": dict(self.settings),
            "estimated_cost": self.estimated_cost,
            "indexes_used": list(self.indexes_used()),
            "seq_scans": list(self.seq_scans()),
            "plan": _node_json(self.root),
            "notes": list(self.notes),
        }


def _text(
    n: PlanNode, depth: int, out: list[str], analyzed: bool, estimates: tuple[str, ...]
) -> None:
    pad = "" if depth == 0 else "      " * (depth - 1) + "  ->  "
    out.append(pad + _headline(n, analyzed, estimates))
    sub = " " * (len(pad) + 2)
    out.extend(sub + line for line in _detail_lines(n, analyzed))
    for c in n.children:
        _text(c, depth + 1, out, analyzed, estimates)


def _headline(n: PlanNode, analyzed: bool, estimates: tuple[str, ...]) -> str:
    shown = {
        "cost": f"cost={n.startup_cost:.2f}..{n.total_cost:.2f}",
        "rows": f"rows={_num(n.plan_rows)}",
        "width": f"width={n.plan_width}",
    }
    if not n.estimated:
        shown.pop("rows")
    parts = [shown[k] for k in estimates if k in shown]
    measured = [f"({' '.join(parts)})"] if parts else []
    if analyzed and n.actual_loops == 0:
        measured.append("(never executed)")
    elif n.actual_total_ms is not None:
        time = f"{n.actual_total_ms:.3f}"
        if n.actual_startup_ms is not None or "cost" in estimates:
            time = f"{n.actual_startup_ms or 0:.3f}..{time}"
        measured.append(
            f"(actual time={time} "
            f"rows={_num(n.actual_rows or 0)} loops={_num(n.actual_loops or 0)})"
        )
    elif n.actual_rows is not None:
        measured.append(f"(actual rows={_num(n.actual_rows)} loops={_num(n.actual_loops or 0)})")
    return f"{n.label}  {' '.join(measured)}" if measured else n.label


def _detail_lines(n: PlanNode, analyzed: bool) -> list[str]:
    """The lines EXPLAIN's text format prints under a node, in its order."""
    d = n.details
    lines = [f"Index Cond: {n.index_cond}"] if n.index_cond else []
    lines += [f"{k}: {d[k]}" for k in _DETAIL_LINES[:4] if k in d]
    if n.filter:
        lines.append(f"Filter: {n.filter}")
    if n.rows_removed_by_filter:
        lines.append(f"Rows Removed by Filter: {_num(n.rows_removed_by_filter)}")
    for key in _DETAIL_LINES[4:]:
        if key in d and not (key.startswith("Rows Removed") and d[key] == "0"):
            lines.append(f"{key}: {d[key]}{_sort_space(n) if key == 'Sort Method' else ''}")
    if "Workers Planned" in d:
        lines.append(f"Workers Planned: {d['Workers Planned']}")
        if analyzed:
            lines.append(f"Workers Launched: {_num(n.value('Workers Launched'))}")
    lines += [f"{k}: {d[k]}" for k in _OTHER_LINES if k in d]
    lines += _memory_lines(n)
    buffers = _buffers(n)
    if buffers:
        lines.append(f"Buffers: {buffers}")
    return lines


def _sort_space(n: PlanNode) -> str:
    kind = n.details.get("Sort Space Type")
    return f"  {kind}: {_num(n.value('Sort Space Used'))}kB" if kind else ""


def _memory_lines(n: PlanNode) -> list[str]:
    """Bitmap heap blocks, a hash table's buckets and batches, a hash aggregate's batches."""
    d = n.details
    lines = []
    if "Exact Heap Blocks" in d or "Lossy Heap Blocks" in d:
        parts = [
            f"{kind.lower()}={_num(n.value(f'{kind} Heap Blocks'))}"
            for kind in ("Exact", "Lossy")
            if f"{kind} Heap Blocks" in d
        ]
        lines.append(f"Heap Blocks: {' '.join(parts)}")
    if "Hash Buckets" in d:
        lines.append(
            f"Buckets: {d['Hash Buckets']}  Batches: {_num(n.value('Hash Batches'))}  "
            f"Memory Usage: {_num(n.value('Peak Memory Usage'))}kB"
        )
    elif "HashAgg Batches" in d:
        line = (
            f"Batches: {d['HashAgg Batches']}  Memory Usage: {_num(n.value('Peak Memory Usage'))}kB"
        )
        if "Disk Usage" in d:
            line += f"  Disk Usage: {d['Disk Usage']}kB"
        lines.append(line)
    return lines


def _buffers(n: PlanNode) -> str:
    parts = []
    shared = [
        f"{k}={v}" for k, v in (("hit", n.shared_hit_blocks), ("read", n.shared_read_blocks)) if v
    ]
    if shared:
        parts.append("shared " + " ".join(shared))
    temp = [
        f"{k}={_num(n.value(f'Temp {k.title()} Blocks'))}"
        for k in ("read", "written")
        if n.value(f"Temp {k.title()} Blocks")
    ]
    if temp:
        parts.append("temp " + " ".join(temp))
    return ", ".join(parts)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"


def _node_json(n: PlanNode) -> dict[str, Any]:
    d: dict[str, Any] = {"node_type": n.node_type, "label": n.label}
    for k in (
        "relation",
        "alias",
        "source",
        "index",
        "join_type",
        "startup_cost",
        "total_cost",
        "plan_rows",
        "plan_width",
        "actual_rows",
        "actual_loops",
        "actual_startup_ms",
        "actual_total_ms",
        "index_cond",
        "filter",
        "rows_removed_by_filter",
        "shared_hit_blocks",
        "shared_read_blocks",
    ):
        v = getattr(n, k)
        if v is not None:
            d[k] = v
    if n.details:
        d["details"] = dict(n.details)
    if n.children:
        d["children"] = [_node_json(c) for c in n.children]
    return d


# --------------------------------------------------------------------------- parsing


def parse_plan(data: Any, sql: str = "", *, analyzed: bool = False) -> QueryPlan:
    """A :class:`QueryPlan` from EXPLAIN (FORMAT JSON)'s output (the list, or its text)."""
    raw = data if isinstance(data, str) else json.dumps(data)
    doc = json.loads(raw) if isinstance(data, str) else data
    top = doc[0] if isinstance(doc, list) else doc
    triggers = tuple(
        (str(t.get("Trigger Name", "?")), float(t.get("Time", 0.0)), int(t.get("Calls", 0)))
        for t in top.get("Triggers", ())
    )
    jit = top.get("JIT") or {}
    return QueryPlan(
        sql=sql,
        root=_node(top["Plan"]),
        analyzed=analyzed,
        planning_ms=_float(top.get("Planning Time")),
        execution_ms=_float(top.get("Execution Time")),
        triggers=triggers,
        settings=FrozenMap({str(k): str(v) for k, v in (top.get("Settings") or {}).items()}),
        jit_ms=_jit_total(jit.get("Timing")) if jit else None,
        jit_functions=int(jit.get("Functions", 0)) if jit else 0,
        raw=raw,
    )


def _float(v: Any) -> float | None:
    return None if v is None else float(v)


def _jit_total(timing: Any) -> float | None:
    """JIT's total milliseconds: ``Timing.Total`` (PostgreSQL 17 nests each phase's parts, and
    the total stays a number)."""
    if not isinstance(timing, dict):
        return None
    total = timing.get("Total")
    if isinstance(total, dict):
        total = total.get("Total")
    return _float(total)


def _node(d: dict[str, Any], outer_schema: str | None = None) -> PlanNode:
    # A Bitmap Index Scan names no schema: its index is in the schema of the heap scan above.
    schema = d.get("Schema") or (outer_schema if d.get("Node Type") in _BITMAP else None)
    rel = d.get("Relation Name")
    relation = f"{schema}.{rel}" if rel and schema else rel
    index = d.get("Index Name")
    if index and schema:
        index = f"{schema}.{index}"
    details = {
        k: (", ".join(map(str, v)) if isinstance(v, list) else str(v))
        for k, v in d.items()
        if k not in _FIELDS
        and not isinstance(v, dict)
        and v is not None
        and not (isinstance(v, list) and v and isinstance(v[0], dict))
        and v not in (0, 0.0, False)
        and k not in _NOISE
    }
    return PlanNode(
        node_type=str(d.get("Node Type", "?")),
        relation=relation,
        schema=schema,
        parallel_aware=bool(d.get("Parallel Aware", False)),
        parent_relationship=d.get("Parent Relationship"),
        alias=d.get("Alias"),
        index=index,
        join_type=d.get("Join Type"),
        startup_cost=float(d.get("Startup Cost", 0.0)),
        total_cost=float(d.get("Total Cost", 0.0)),
        plan_rows=float(d.get("Plan Rows", 0.0)),
        plan_width=int(d.get("Plan Width", 0)),
        actual_rows=_float(d.get("Actual Rows")),
        actual_loops=_float(d.get("Actual Loops")),
        actual_startup_ms=_float(d.get("Actual Startup Time")),
        actual_total_ms=_float(d.get("Actual Total Time")),
        index_cond=d.get("Index Cond"),
        filter=d.get("Filter"),
        rows_removed_by_filter=_float(d.get("Rows Removed by Filter")),
        shared_hit_blocks=d.get("Shared Hit Blocks"),
        shared_read_blocks=d.get("Shared Read Blocks"),
        details=FrozenMap(details),
        children=tuple(_node(c, schema) for c in d.get("Plans", ())),
    )
