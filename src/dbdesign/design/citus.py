"""Beyond one server: the line past which a PostgreSQL design outgrows one node, and the values
of its plan for Citus (where each table lives, the rules it breaks, how each read runs).

The line (one node's; change the constants below): the hot data in PROJECTION_YEARS years above
:data:`HOT_DATA_LINE`, or the stated row writes above :data:`WRITE_LINE` per second. Hot data is
the storage estimate's size (:mod:`.sizes`) with each table that has a retention period held to
the rows it keeps. ``project.scale_out`` in the spec overrides it: ``citus`` plans for Citus at
any size, ``none`` never.

:mod:`.citus_plan` places the tables, :mod:`.citus_schema` makes the schema meet Citus's rules
where that keeps its meaning, :mod:`.citus_rules` checks those rules and classifies each access
pattern, :mod:`.citus_doc` renders ``citus.sql`` and DESIGN.md's subsection. Nothing here runs
on a Citus cluster (none can be installed where dbdesign is tested): the rules are the checks
Citus makes in ``create_distributed_table`` and on foreign keys, unique indexes and triggers,
applied statically, and DESIGN.md says so.

This module imports nothing of the design package but its parts (it is asked while the design
is made): a design is anything with the attributes of :class:`Designed`.
"""

from __future__ import annotations

import graphlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from dbdesign import dialects
from dbdesign.design.draft import PROJECTION_YEARS, PatternPlan, RulePlan, TableInfo
from dbdesign.design.sizes import human_size, stated_rows, table_bytes
from dbdesign.model import Schema, Table
from dbdesign.readers.spec import Spec

# One node's line. 1 TB of hot data: restoring it from a backup at the 200 MB/s the Backup
# Strategy assumes, with the log replayed, takes over two hours; its indexes alone no longer fit
# the memory of common large instances (256-512 GB); a VACUUM or an index build of its biggest
# table runs for hours. 10,000 row writes/s: the order of magnitude past which one primary's
# WAL, index upkeep and autovacuum become the limit on common cloud hardware. Both are rules of
# thumb, not measured here.
HOT_DATA_LINE = 1024**4  # bytes
WRITE_LINE = 10_000.0  # stated row writes per second, all tables together
# A reference table has a copy on every node and each write to it is a two-phase commit on all
# of them: only small, rarely written tables.
REFERENCE_MAX_ROWS = 1_000_000  # hot rows in PROJECTION_YEARS years
REFERENCE_MAX_WRITES = 100.0  # stated writes/s

Role = Literal["distributed", "reference"]
RouteKind = Literal["router", "multi-shard", "fan-out", "reference"]


class Designed(Protocol):
    """What the Citus plan reads of a design (:class:`dbdesign.design.Design` has it all)."""

    @property
    def spec(self) -> Spec: ...
    @property
    def dialect(self) -> str: ...
    @property
    def schema(self) -> Schema: ...
    @property
    def tables(self) -> tuple[TableInfo, ...]: ...
    @property
    def patterns(self) -> tuple[PatternPlan, ...]: ...
    @property
    def rules(self) -> tuple[RulePlan, ...]: ...


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one table lives on the cluster."""

    table: str  # qualified key
    name: str
    role: Role
    column: str | None = None  # the distribution column (distributed tables)
    group: str | None = None  # the co-location group: its root table's name
    parent: str | None = None  # the table whose reference puts it in its group (its key)
    added: bool = False  # the column is added by the designer (carried from ``parent``)
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CitusProblem:
    """A rule of Citus the design breaks (``blocking``: Citus refuses it), or one it meets only
    with care; named by the object, with what to change."""

    rule: str
    table: str  # table name
    object: str  # the constraint, index, trigger, write or table
    message: str
    fix: str
    blocking: bool = True


@dataclass(frozen=True, slots=True)
class Route:
    """How Citus runs an access pattern: on one shard (router), on the shards of an IN list, on
    every shard (fan-out), or on any copy of a reference table."""

    pattern: str
    table: str
    kind: RouteKind
    why: str
    rate: float = 0.0


@dataclass(frozen=True, slots=True)
class CitusPlan:
    applies: bool
    scale_out: str  # the spec's project.scale_out
    hot_bytes: int
    writes: float  # stated row writes/s
    retained: tuple[str, ...] = ()  # tables held to their retention period in hot_bytes
    placements: tuple[Placement, ...] = ()
    problems: tuple[CitusProblem, ...] = ()
    routes: tuple[Route, ...] = ()
    notes: tuple[str, ...] = ()  # rules met with a setting or a caution
    unsafe_triggers: bool = False  # citus.sql sets citus.enable_unsafe_triggers

    @property
    def over_data(self) -> bool:
        return self.hot_bytes > HOT_DATA_LINE

    @property
    def over_writes(self) -> bool:
        return self.writes > WRITE_LINE

    def placement(self, key: str) -> Placement | None:
        return next((p for p in self.placements if p.table == key), None)


def hot_rows(d: Designed) -> dict[str, int]:
    """Per table key: its rows in PROJECTION_YEARS years, a table with a retention period held
    to the rows that period keeps at the stated growth."""
    out = {}
    stated = stated_rows(d.spec, d.tables)
    for info in d.tables:
        rows = stated[info.key][1]
        e = d.spec.entities[info.entity] if info.entity else None
        if e and e.retention_days and e.volume.growth_per_year:
            kept = math.ceil(e.volume.growth_per_year * e.retention_days / 365)
            rows = min(rows, max(kept, 1))
        out[info.key] = rows
    return out


def hot_bytes(d: Designed, rows: dict[str, int]) -> int:
    ops = dialects.get(d.dialect).operations
    if ops is None:
        return 0
    return sum(sum(table_bytes(ops, d.schema, d.schema.tables[k], n)) for k, n in rows.items())


def stated_writes(d: Designed) -> dict[str, float]:
    """Per table key: the row writes per second the spec states."""
    key_of = {t.entity: t.key for t in d.tables if t.entity}
    out: dict[str, float] = {}
    for w in d.spec.writes:
        if w.entity in key_of:
            out[key_of[w.entity]] = out.get(key_of[w.entity], 0.0) + (w.rate_per_second or 0)
    return out


def measure(d: Designed) -> CitusPlan:
    """The design against one node's line, and whether it is planned for Citus (no
    placement yet)."""
    rows = hot_rows(d)
    stated = stated_rows(d.spec, d.tables)
    size = hot_bytes(d, rows)
    writes = sum(stated_writes(d).values())
    asked = d.spec.project.scale_out
    over = size > HOT_DATA_LINE or writes > WRITE_LINE
    return CitusPlan(
        applies=asked == "citus" or (asked == "auto" and over),
        scale_out=asked,
        hot_bytes=size,
        writes=writes,
        retained=tuple(t.name for t in d.tables if rows[t.key] < stated[t.key][1]),
    )


def line_text(dialect: str) -> str:
    """Where one node's line is, and why, in words."""
    ops = dialects.get(dialect).operations
    mb_s = ops.restore_mb_s if ops else 200
    hours = HOT_DATA_LINE / (mb_s * 1024 * 1024) * 1.5 / 3600
    return (
        f"one PostgreSQL server carries a design while its hot data in {PROJECTION_YEARS} years "
        f"stays under {human_size(HOT_DATA_LINE)} and its stated writes under "
        f"{WRITE_LINE:,.0f} rows/s. Past {human_size(HOT_DATA_LINE)}, a restore from backup at "
        f"{mb_s} MB/s with the log replayed takes about {hours:.1f} h, the indexes no longer fit "
        "in the memory of a common large server, and a VACUUM or index build of the biggest "
        f"table runs for hours; past {WRITE_LINE:,.0f} rows/s one primary's WAL, index upkeep "
        "and autovacuum become the limit on common hardware. Both are rules of thumb (not "
        "measured here), kept as constants in `dbdesign.design.citus`"
    )


def references(t: Table) -> list[str]:
    """The tables ``t`` references, itself left out."""
    return [fk.ref_table for fk in t.foreign_keys.values() if fk.ref_table != t.key]


def parents_first(tables: dict[str, Table], keys: Iterable[str]) -> list[str]:
    """``keys`` with each table after the tables it references, ties in the given order (the
    given order when the references make a cycle)."""
    keys = list(keys)
    parents = {k: [p for p in references(tables[k]) if p in keys] for k in keys}
    ts: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter(parents)
    try:
        ordered = list(ts.static_order())
    except graphlib.CycleError:
        return keys
    depth: dict[str, int] = {}
    for k in ordered:
        depth[k] = 1 + max((depth[p] for p in parents[k]), default=-1)
    rank = {k: i for i, k in enumerate(keys)}
    return sorted(keys, key=lambda k: (depth[k], rank[k]))


def routes_by(pp: PatternPlan, column: str) -> bool:
    """The pattern compares the distribution column with one value: Citus sends it to one
    shard."""
    return any(p.column == column and p.kind == "eq" for p in pp.params)
