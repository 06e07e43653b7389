"""Where each table of a design lives on a Citus cluster, once the design passes one node's line
(:mod:`.citus`), and the plan as a whole.

- **distributed** by a distribution column, in a co-location group: the tenant key for a
  multi-tenant design (the tenant is the group's root); otherwise the key of the root whose group
  routes the most stated reads to one shard, then spreads the most rows. A table joins the group
  of its required (NOT NULL) reference to a member, distributed by the column that carries the
  root's key, or by that column added to it when it has none (:mod:`.citus_schema` adds it).
- **reference**: small (at most REFERENCE_MAX_ROWS hot rows) and read-mostly (at most
  REFERENCE_MAX_WRITES stated writes/s), or small and referenced by tables on every node: a copy
  on every node, joined anywhere. A group's root is one too when it is: its children are
  distributed by its key all the same.
- a table no group takes that is large, written more than a reference table should be, or that
  references a distributed table, is distributed by its own key in a group of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dbdesign import dialects
from dbdesign.design.citus import (
    REFERENCE_MAX_ROWS,
    REFERENCE_MAX_WRITES,
    CitusPlan,
    Designed,
    Placement,
    hot_rows,
    measure,
    parents_first,
    references,
    routes_by,
    stated_writes,
)
from dbdesign.design.citus_rules import check, routes
from dbdesign.design.citus_schema import Adapted, adapt
from dbdesign.design.draft import PatternPlan, RulePlan, TableInfo
from dbdesign.dialects.postgres import POSTGRES
from dbdesign.model import ForeignKey, Schema
from dbdesign.readers.spec import Spec


def plan(d: Designed) -> CitusPlan | None:
    """The Citus plan of a PostgreSQL design (None for other dialects): whether the design
    passes one node's line (or the spec asks), and if so every table's place, the problems
    with Citus's rules and how each access pattern runs, on the schema as it is."""
    if dialects.get(d.dialect) is not POSTGRES:
        return None
    base = measure(d)
    if not base.applies:
        return base
    return checked(d, replace(base, placements=_Placer(d).place()))


def checked(d: Designed, p: CitusPlan) -> CitusPlan:
    """``p`` with the problems, notes and routes of its placements on ``d``'s schema."""
    problems, notes, unsafe = check(d, p.placements)
    return replace(
        p,
        problems=problems,
        notes=notes,
        unsafe_triggers=unsafe,
        routes=routes(d, p.placements),
    )


def for_citus(d: Designed) -> tuple[CitusPlan | None, Adapted | None]:
    """The plan of a design and, when it applies, what making the schema for it changed
    (:mod:`.citus_schema`); the plan's problems are those left on that schema."""
    p = plan(d)
    if p is None or not p.applies:
        return p, None
    made = adapt(d, p.placements)
    on = _With(d.spec, d.dialect, made.schema, made.tables, made.patterns, d.rules)
    return checked(on, p), made


@dataclass(frozen=True, slots=True)
class _With:
    """A design with another schema (the plan is checked on the schema made for Citus)."""

    spec: Spec
    dialect: str
    schema: Schema
    tables: tuple[TableInfo, ...]
    patterns: tuple[PatternPlan, ...]
    rules: tuple[RulePlan, ...]


@dataclass(slots=True)
class _Member:
    column: str
    added: bool
    via: ForeignKey | None


class _Placer:
    """Places the tables of a design: co-location groups first (the tenant's, then the best
    root's while a large table is left), then the others, parents before children."""

    def __init__(self, d: Designed) -> None:
        self.d = d
        self.rows = hot_rows(d)
        self.writes = stated_writes(d)
        self.order = [t.key for t in d.tables]
        self.tables = {k: d.schema.tables[k] for k in self.order}
        self.entity = {t.key: t.entity for t in d.tables}
        self.placed: dict[str, Placement] = {}

    def small(self, key: str) -> bool:
        return self.rows[key] <= REFERENCE_MAX_ROWS

    def read_mostly(self, key: str) -> bool:
        return self.writes.get(key, 0.0) <= REFERENCE_MAX_WRITES

    def place(self) -> tuple[Placement, ...]:
        root = self._tenant_root()
        while True:
            free = [k for k in self.order if k not in self.placed]
            root = root or self._best_root(free)
            if root is None:
                break
            self._place_group(root, self._group(root, free))
            root = None
        self._place_rest([k for k in self.order if k not in self.placed])
        return tuple(self.placed[k] for k in self.order)

    def _tenant_root(self) -> str | None:
        mt = self.d.spec.project.features.multi_tenancy
        if mt is None:
            return None
        return next((k for k, e in self.entity.items() if e == mt.tenant), None)

    def _key_column(self, key: str) -> str | None:
        pk = self.tables[key].primary_key
        return pk.columns[0] if pk else None

    def _required(self, key: str) -> list[ForeignKey]:
        """The references of a table to another whose columns are all NOT NULL (every row has
        a parent)."""
        t = self.tables[key]
        notnull = {c.name for c in t.columns if not c.nullable}
        return [
            fk
            for fk in t.foreign_keys.values()
            if fk.ref_table != key and fk.ref_table in self.tables and set(fk.columns) <= notnull
        ]

    def _group(self, root: str, free: list[str]) -> dict[str, _Member]:
        """The tables a root's key co-locates: every free table with a required reference to a
        member, those that hold the column first."""
        col = self._key_column(root)
        assert col is not None
        members = {root: _Member(col, False, None)}
        for allow_added in (False, True):
            changed = True
            while changed:
                changed = False
                for key in free:
                    if key not in members:
                        m = self._derive(key, root, members, allow_added)
                        if m is not None:
                            members[key] = m
                            changed = True
        return members

    def _derive(
        self, key: str, root: str, members: dict[str, _Member], allow_added: bool
    ) -> _Member | None:
        cols = {c.name: c for c in self.tables[key].columns}
        later = None
        for fk in self._required(key):
            parent = members.get(fk.ref_table)
            if parent is None:
                continue
            if not parent.added and parent.column in fk.ref_columns:
                return _Member(fk.columns[fk.ref_columns.index(parent.column)], False, fk)
            name = parent.column if fk.ref_table != root else self._root_key_name(root)
            if name in cols and not cols[name].nullable:
                return _Member(name, False, fk)
            later = later or _Member(name, True, fk)
        return later if allow_added else None

    def _root_key_name(self, root: str) -> str:
        entity = self.entity[root]
        return f"{entity}_id" if entity else f"{self.tables[root].name}_id"

    def _routed(self, members: dict[str, _Member]) -> float:
        return sum(
            pp.pattern.rate_per_second or 0
            for pp in self.d.patterns
            if (m := members.get(pp.table)) and not m.added and routes_by(pp, m.column)
        )

    def _best_root(self, free: list[str]) -> str | None:
        """The root whose group routes the most stated reads to one shard, then spreads the
        most rows of large tables, then co-locates the most rows and tables; None when no large
        table is left (or none has a key)."""
        if all(self.small(k) for k in free):
            return None
        best: tuple[tuple[float, int, int, int], str] | None = None
        for key in free:
            if self._key_column(key) is None:
                continue
            members = self._group(key, free)
            large = sum(self.rows[k] for k in members if not self.small(k))
            if not large:
                continue
            rows = sum(self.rows[k] for k in members)
            score = (self._routed(members), large, rows, len(members))
            if best is None or score > best[0]:
                best = (score, key)
        return best[1] if best else None

    def _refs_distributed(self, key: str) -> bool:
        return any(
            (p := self.placed.get(ref)) is not None and p.role == "distributed"
            for ref in references(self.tables[key])
        )

    def _place_group(self, root: str, members: dict[str, _Member]) -> None:
        group = self.tables[root].name
        tenant = self._tenant_root() == root
        for key in self.order:
            m = members.get(key)
            if m is None:
                continue
            name = self.tables[key].name
            if key == root:
                if len(members) > 1 and self._reference_ok(key):
                    self.placed[key] = Placement(
                        key,
                        name,
                        "reference",
                        reason=f"root of the {group} group, small ({self.rows[key]:,} rows) and "
                        "read-mostly: a copy on every node; its children are distributed by "
                        "its key",
                    )
                    continue
                why = "the tenant: distributed by its key" if tenant else "root of its group"
                if not self.small(key):
                    why += f" ({self.rows[key]:,} rows)"
                self.placed[key] = Placement(key, name, "distributed", m.column, group, reason=why)
                continue
            assert m.via is not None
            parent = self.tables[m.via.ref_table].name
            why = (
                f"{m.column} added, carried from its reference to {parent}"
                if m.added
                else f"{m.column} follows its reference to {parent}"
            )
            self.placed[key] = Placement(
                key, name, "distributed", m.column, group, m.via.ref_table, m.added, why
            )

    def _reference_ok(self, key: str) -> bool:
        return self.small(key) and self.read_mostly(key) and not self._refs_distributed(key)

    def _place_rest(self, free: list[str]) -> None:
        """The tables no group took, parents first: a reference table when small and either
        read-mostly or referenced by another table, unless it references a distributed table;
        otherwise distributed by its own key in a group of its own (its reference to a
        distributed table, if any, is then a problem)."""
        referenced = {ref for t in self.tables.values() for ref in references(t)}
        for key in parents_first(self.tables, free):
            name = self.tables[key].name
            w = self.writes.get(key, 0.0)
            col = self._key_column(key)
            refs = self._refs_distributed(key)
            if col is None or (
                self.small(key) and not refs and (self.read_mostly(key) or key in referenced)
            ):
                busy = (
                    ""
                    if self.read_mostly(key)
                    else f"; its {w:g} writes/s each reach every node (other tables reference it)"
                )
                self.placed[key] = Placement(
                    key,
                    name,
                    "reference",
                    reason=f"small ({self.rows[key]:,} rows) and read-mostly: a copy on every "
                    f"node, joined with any shard{busy}",
                )
                continue
            why = (
                "references a distributed table, which a reference table cannot"
                if refs
                else f"{self.rows[key]:,} rows, in no co-location group"
                if not self.small(key)
                else f"written {w:g}/s, more than a reference table should be "
                f"({REFERENCE_MAX_WRITES:g}/s)"
            )
            self.placed[key] = Placement(key, name, "distributed", col, name, reason=why)
