"""Compare two schemas and plan the operations that turn one into the other.

Objects are keyed by full name (``docs/model.md``), so finding what was added, removed or kept
is set arithmetic on the keys; a kept object is compared field by field with the model's
equality (expressions compare by their normalised text). Each change becomes one or more
:mod:`~dbdesign.diff.operations`.

Order does not come from the comparison. Every operation states which *resources* (an object, a
column, a constraint, a relation name) it provides, removes, needs in the new state and needs in
the old state; the planner adds an edge for each of the rules

- an operation needing ``r`` in the new state runs after the operations providing ``r``;
- an operation needing ``r`` in the old state runs before the operations removing ``r``;
- an operation providing ``r`` runs after the operations removing ``r`` (drop, then re-create);

plus a few explicit edges, and :class:`graphlib.TopologicalSorter` orders the result (ties by a
phase per operation kind, then by key, so the same pair of schemas always gives the same text).

Dependants: a view, trigger, policy, rule, index or SQL-standard routine that depends on an
object being dropped or re-created, or on a column whose type changes or that is dropped, is
dropped first and re-created afterwards (found from the source schema's dependency graph, built
on demand by :class:`~dbdesign.emit.postgres.SchemaSql`).

Inheritance children and partitions: ALTER TABLE on a parent reaches its children, so a child
is compared as the parent's changes leave it (:meth:`_Planner._inherit`). A table whose target
column order ALTER cannot reach (columns are only ever appended) is rebuilt.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from typing import Any

from dbdesign.dialects.postgres import choose_name, make_object_name, type_sql
from dbdesign.diff import operations as op
from dbdesign.diff.operations import ObjectRef, Operation
from dbdesign.emit.postgres import SchemaSql
from dbdesign.errors import DbdesignError
from dbdesign.model import (
    Check,
    Column,
    CompositeType,
    Domain,
    EnumType,
    Exclusion,
    ForeignKey,
    FrozenMap,
    Function,
    Grant,
    Index,
    PrimaryKey,
    Schema,
    Table,
    Unique,
    View,
)

__all__ = ["Planned", "plan"]

Res = tuple[str, str]  # (kind, key): a thing an operation provides, removes or needs

_KIND = {
    "enum": "type",
    "domain": "type",
    "composite": "type",
    "aggregate": "function",
    "fk": "constraint",
}

# Tie-break among operations whose dependencies are met: lower phase first.
_PHASE: dict[type[Operation], int] = {
    op.RenameTable: 0,
    op.RenameType: 0,
    op.RenameColumn: 1,
    op.DetachPartition: 2,
    op.DropInherit: 2,
    op.DropTrigger: 3,
    op.DropPolicy: 3,
    op.DropRule: 3,
    op.DropView: 4,
    op.DropConstraint: 5,
    op.DropIndex: 6,
    op.DropFunction: 7,
    op.DropTable: 8,
    op.DropColumn: 9,
    op.DropSequence: 10,
    op.DropType: 11,
    op.DropCollation: 12,
    op.DropExtension: 12,
    op.DropSchema: 13,
    op.CreateSchema: 20,
    op.CreateExtension: 21,
    op.CreateCollation: 21,
    op.CreateType: 22,
    op.AddEnumValue: 22,
    op.ReplaceType: 23,
    op.CreateSequence: 24,
    op.AlterSequence: 24,
    op.CreateFunction: 25,
    op.ReplaceFunction: 25,
    op.CreateTable: 30,
    op.SetTableAside: 8,
    op.RestoreTable: 30,
    op.RebuildTable: 30,
    op.AddColumn: 31,
    op.SetSequenceOwner: 35,
    op.AddConstraint: 40,
    op.CreateIndex: 41,
    op.AttachPartition: 45,
    op.AddInherit: 45,
    op.CreateView: 50,
    op.ReplaceView: 50,
    op.CreateTrigger: 55,
    op.CreatePolicy: 55,
    op.CreateRule: 55,
    op.SetComment: 60,
    op.GrantPrivilege: 61,
    op.RevokePrivilege: 61,
}


def _nk(kind: str) -> str:
    return _KIND.get(kind, kind)


def _norm(deps: Iterable[tuple[str, str]]) -> set[Res]:
    return {(_nk(k), v) for k, v in deps}


def _values(res: Iterable[Res]) -> set[Res]:
    """The values of the types among ``res`` (an enum's added labels): what an expression
    naming a label needs, as opposed to a column that only needs the type."""
    return {("enumvalue", k) for kind, k in res if kind == "type"}


def _col(table: str, column: str) -> Res:
    return ("column", f"{table}.{column}")


def _rel(schema: str, name: str) -> Res:
    """A name in a schema's relation namespace (tables, views, indexes, sequences share it)."""
    return ("relname", f"{schema}.{name}")


@dataclass
class _Step:
    op: Operation
    phase: int
    provides: set[Res] = field(default_factory=set)
    removes: set[Res] = field(default_factory=set)
    uses_new: set[Res] = field(default_factory=set)
    uses_old: set[Res] = field(default_factory=set)
    after_removal: set[Res] = field(default_factory=set)  # run after whatever removes these


@dataclass(frozen=True, slots=True)
class Planned:
    """The planner's result: operations in execution order, notes, and the tables it creates
    empty (their statements carry no hazards)."""

    operations: tuple[Operation, ...]
    notes: tuple[str, ...]
    new_tables: frozenset[str]
    source_sql: SchemaSql
    target_sql: SchemaSql


def plan(source: Schema, target: Schema, *, safe: bool = True) -> Planned:
    """Operations that turn ``source`` into ``target``, in an order that runs."""
    return _Planner(source, target, safe).run()


class _Planner:
    def __init__(self, source: Schema, target: Schema, safe: bool) -> None:
        self.s = source
        self.t = target
        self.ss = SchemaSql(source)
        self.ts = SchemaSql(target)
        self.safe = safe
        self.steps: list[_Step] = []
        self.edges: list[tuple[int, int]] = []  # (first, then)
        self.notes: list[str] = []
        # decisions
        self.gone: set[Res] = set()  # source objects dropped (removed or re-created)
        self.recreate: set[Res] = set()  # objects in both schemas, dropped and created again
        self.dropped_tables: set[str] = set()  # removed, re-created or rebuilt tables
        self.new_tables: set[str] = set()  # added, re-created or rebuilt tables
        self.rebuild: set[str] = set()
        self.sim: dict[str, Table] = {}  # source tables as their parents' changes leave them
        self.replaced_types: dict[str, op.ReplaceType] = {}
        self.type_use_columns: set[tuple[str, str]] = set()
        self.disturbed: dict[str, set[str]] = defaultdict(set)  # table -> columns
        self._deps_cache: dict[tuple[str, str, str], set[Res]] = {}
        self._rdeps: dict[Res, set[Res]] | None = None
        self._children: dict[str, list[str]] | None = None
        self._gone_routines_and_types: set[str] = set()
        self.left_behind: dict[str, Index] = {}  # indexes DETACH PARTITION leaves on a table
        self._going_keys: dict[str, set[frozenset[str]]] = {}
        self._members: dict[str, list[tuple[str, str]]] | None = None
        self._unique_indexes: dict[str, list[str]] | None = None
        self.unchanged: set[str] = set()  # kept tables equal in both schemas

    # ------------------------------------------------------------------ bookkeeping

    def add(
        self,
        operation: Operation,
        *,
        provides: Iterable[Res] = (),
        removes: Iterable[Res] = (),
        uses_new: Iterable[Res] = (),
        uses_old: Iterable[Res] = (),
    ) -> int:
        self.steps.append(
            _Step(
                operation,
                _PHASE.get(type(operation), 36),
                set(provides),
                set(removes),
                set(uses_new),
                set(uses_old),
            )
        )
        return len(self.steps) - 1

    def before(self, first: int | None, then: int | None) -> None:
        if first is not None and then is not None and first != then:
            self.edges.append((first, then))

    # ------------------------------------------------------------------ dependencies

    def _schema(self, side: str) -> Schema:
        return self.s if side == "s" else self.t

    def _sql(self, side: str) -> SchemaSql:
        return self.ss if side == "s" else self.ts

    def _columns_of(
        self, side: str, rels: Iterable[Res], names: Iterable[str], star: bool
    ) -> set[Res]:
        wanted = set(names)
        tables = self._schema(side).tables
        out: set[Res] = set()
        for kind, key in rels:
            t = tables.get(key) if kind == "table" else None
            if t is not None:
                out |= {_col(key, c.name) for c in t.columns if star or c.name in wanted}
        return out

    def deps(self, side: str, kind: str, key: str) -> set[Res]:
        """What an object needs (normalised kinds; columns for views, triggers, policies,
        rules, indexes and SQL-standard routines)."""
        ck = (side, kind, key)
        cached = self._deps_cache.get(ck)
        if cached is not None:
            return cached
        sql = self._sql(side)
        sch = self._schema(side)
        routine = kind in ("function", "aggregate")
        out = _norm(sql.depends_hard(kind, key) if routine else sql.depends(kind, key))
        names: set[str] | frozenset[str]
        if kind == "view":
            names, star = sql.sql_columns(sch.views[key].query.text)
            out |= self._columns_of(side, out, names, star)
        elif kind == "trigger":
            tr = sch.triggers[key]
            names = set(tr.columns) | sql.expr_columns([tr.when])
            out |= self._columns_of(side, [("table", f"{tr.schema}.{tr.table}")], names, False)
        elif kind == "policy":
            p = sch.policies[key]
            names = sql.expr_columns([p.using, p.with_check])
            out |= self._columns_of(side, [("table", f"{p.schema}.{p.table}")], names, False)
        elif kind == "rule":
            names, star = sql.sql_columns(sch.rules[key].definition.text)
            out |= self._columns_of(side, out, names, star)
        elif kind == "index":
            ix = sch.indexes[key]
            names = {e.column for e in ix.elements if e.column} | set(ix.include)
            names |= sql.expr_columns([ix.where, *(e.expr for e in ix.elements)])
            out |= self._columns_of(side, [("table", ix.table_key)], names, False)
        elif routine:
            rels = {d for d in out if d[0] == "table"}
            if rels:
                names, star = sql.sql_columns(sch.functions[key].body)
                out |= self._columns_of(side, rels, names, star)
        self._deps_cache[ck] = out
        return out

    def _source_dependants(self) -> dict[Res, set[Res]]:
        """Reverse dependencies among source objects that can be dropped and re-created."""
        if self._rdeps is None:
            rd: dict[Res, set[Res]] = defaultdict(set)
            s = self.s
            kinds: list[tuple[str, Mapping[str, Any]]] = [
                ("view", s.views),
                ("trigger", s.triggers),
                ("policy", s.policies),
                ("rule", s.rules),
                ("index", s.indexes),
                ("function", s.functions),
            ]
            for kind, coll in kinds:
                for key, obj in coll.items():
                    if (
                        kind == "index"
                        and obj.where is None
                        and all(e.expr is None for e in obj.elements)
                    ):
                        continue  # it depends on its table and columns only: no dependant there
                    k = "aggregate" if kind == "function" and obj.kind == "aggregate" else kind
                    for d in self.deps("s", k, key):
                        if d[0] in ("extension", "schema"):
                            continue  # objects in a dropped schema are dropped themselves
                        if kind == "index" and d[0] == "column":
                            continue  # a type change rebuilds an index; a dropped column drops it
                        rd[d].add((_nk(kind), key))
            self._rdeps = rd
        return self._rdeps

    def exists_in_target(self, r: Res) -> bool:
        kind, key = r
        t = self.t
        colls: dict[str, Mapping[str, Any]] = {
            "view": t.views,
            "trigger": t.triggers,
            "policy": t.policies,
            "rule": t.rules,
            "index": t.indexes,
            "function": t.functions,
            "table": t.tables,
            "sequence": t.sequences,
        }
        coll = colls.get(kind)
        return coll is not None and key in coll

    def implied_drop(self, r: Res) -> bool:
        """Whether dropping (or rebuilding) a table drops this object with it."""
        kind, key = r
        s = self.s
        if kind == "index":
            return s.indexes[key].table_key in self.dropped_tables
        colls: dict[str, Mapping[str, Any]] = {
            "trigger": s.triggers,
            "policy": s.policies,
            "rule": s.rules,
        }
        obj = colls[kind][key]
        return f"{obj.schema}.{obj.table}" in self.dropped_tables

    def propagate(self, seeds: Iterable[Res]) -> None:
        """Drop (and re-create, if the target has them) everything depending on ``seeds``."""
        rd = self._source_dependants()
        todo = list(seeds)
        while todo:
            r = todo.pop()
            for d in rd.get(r, ()):
                if d in self.gone:
                    continue
                self.gone.add(d)
                if self.exists_in_target(d):
                    self.recreate.add(d)
                todo.append(d)

    def children(self, key: str) -> list[str]:
        """Tables (in either schema) that inherit from or are partitions of ``key``."""
        if self._children is None:
            ch: dict[str, list[str]] = defaultdict(list)
            for sch in (self.s, self.t):
                for t in sch.tables.values():
                    for p in (t.partition_of,) if t.partition_of else t.inherits:
                        if t.key not in ch[p]:
                            ch[p].append(t.key)
            self._children = ch
        return self._children.get(key, [])

    # ------------------------------------------------------------------ run

    def run(self) -> Planned:
        s, t = self.s, self.t
        seeds: set[Res] = set()
        for kind, old, new in self._collections():
            seeds |= {(kind, key) for key in old if key not in new}
        self.dropped_tables = {k for k in s.tables if k not in t.tables}
        self.new_tables = {k for k in t.tables if k not in s.tables}
        common = [k for k in s.tables if k in t.tables]
        for key in common:
            a, b = s.tables[key], t.tables[key]
            if a.partition_by != b.partition_by:
                self._recreate_table(key)
        self._decide_types()
        self._simulate(common)
        self._decide_rebuilds(common)
        self._type_uses()
        self._decide_functions()
        self._decide_changed()
        seeds |= self.recreate
        for tk, cols in self.disturbed.items():
            if tk not in self.dropped_tables:
                seeds |= {_col(tk, c) for c in cols}
        for key, rep in self.replaced_types.items():
            seeds.add(("type", key))
            seeds |= {_col(u.table, u.column) for u in rep.uses}
        self._typed_expression_indexes()
        seeds |= {("table", tk) for tk in self.dropped_tables}
        self.gone |= {r for r in seeds if r[0] != "column"}
        self.propagate(seeds)

        self._gone_routines_and_types = {r[1] for r in self.gone if r[0] == "function"} | set(
            self.replaced_types
        )
        self._emit_namespaces()
        self._emit_extensions()
        self._emit_collations()
        self._emit_types()
        self._emit_sequences()
        self._emit_functions()
        self._emit_tables()
        self._emit_views()
        self._emit_indexes()
        self._emit_triggers_rules_policies()
        self._note_encoding()
        quiet = frozenset(self.new_tables - self.rebuild)
        return Planned(self._order(), tuple(self.notes), quiet, self.ss, self.ts)

    def _note_encoding(self) -> None:
        """The database encoding is fixed by CREATE DATABASE: no operation changes it, so a
        difference (where both sides state one) is a note, never SQL."""
        a, b = self.s.database, self.t.database
        if a and b and a.encoding and b.encoding and a.encoding != b.encoding:
            self.notes.append(
                f"the database encoding differs ({a.encoding} -> {b.encoding}) and no ALTER "
                f"changes it: create a new database WITH ENCODING '{b.encoding}' and dump and "
                "restore into it"
            )

    def _collections(self) -> list[tuple[str, Mapping[str, Any], Mapping[str, Any]]]:
        s, t = self.s, self.t
        return [
            ("view", s.views, t.views),
            ("trigger", s.triggers, t.triggers),
            ("policy", s.policies, t.policies),
            ("rule", s.rules, t.rules),
            ("index", s.indexes, t.indexes),
            ("function", s.functions, t.functions),
            ("table", s.tables, t.tables),
            ("type", s.enums, t.enums),
            ("type", s.domains, t.domains),
            ("type", s.composite_types, t.composite_types),
            ("sequence", s.sequences, t.sequences),
        ]

    def _recreate_table(self, key: str) -> None:
        self.dropped_tables.add(key)
        self.new_tables.add(key)
        self.recreate.add(("table", key))

    # ------------------------------------------------------------------ decisions

    def _decide_types(self) -> None:
        """Types changed beyond ALTER: an enum value removed or moved, a domain's base type or
        collation, a composite type's attributes. They are replaced (see ReplaceType)."""
        s, t = self.s, self.t
        olds: dict[str, op.TypeDef] = {**s.enums, **s.domains, **s.composite_types}
        news: dict[str, op.TypeDef] = {**t.enums, **t.domains, **t.composite_types}
        for key in olds.keys() & news.keys():
            a, b = olds[key], news[key]
            if a == b:
                continue
            if type(a) is not type(b):
                replace = True
            elif isinstance(a, EnumType) and isinstance(b, EnumType):
                replace = not _is_subsequence(a.values, b.values)
            elif isinstance(a, Domain) and isinstance(b, Domain):
                replace = (a.type, a.collation) != (b.type, b.collation)
            else:
                assert isinstance(a, CompositeType) and isinstance(b, CompositeType)
                replace = a.attributes != b.attributes
            if replace:
                self.replaced_types[key] = op.ReplaceType(old=a, new=b)

    def _type_uses(self) -> None:
        """The columns each replaced type converts."""
        s, t = self.s, self.t
        for key, rep in list(self.replaced_types.items()):
            uses = []
            for tk in s.tables.keys() & t.tables.keys():
                if tk in self.dropped_tables and tk not in self.rebuild:
                    continue
                ta, tb = self.sim.get(tk, s.tables[tk]), t.tables[tk]
                for ca in ta.columns:
                    cb = tb.column(ca.name)
                    if cb is None or ca.type.name != key or cb.type.name != key:
                        continue
                    if ca.type.array_dims != cb.type.array_dims:
                        continue
                    if self._inherited_column(tb, ca.name):
                        continue  # the parent's conversion reaches it
                    via = type_sql(rep.old.type) if isinstance(rep.old, Domain) else "text"
                    uses.append(
                        op.TypeUse(
                            table=tk,
                            column=ca.name,
                            array_dims=ca.type.array_dims,
                            old_default=ca.default if ca.identity is None else None,
                            new_default=cb.default if cb.identity is None else None,
                            via=via,
                        )
                    )
                    self.type_use_columns.add((tk, ca.name))
            self.replaced_types[key] = dataclasses.replace(rep, uses=tuple(uses))

    def _typed_expression_indexes(self) -> None:
        """Indexes whose predicate or expressions read a column of a replaced type: the server
        rebuilds them from their stored text, which names the old type, so they are dropped and
        created around the replacement."""
        by_table: dict[str, set[str]] = defaultdict(set)
        for tk, col in self.type_use_columns:
            by_table[tk].add(col)
        if not by_table:
            return
        for key, ix in self.s.indexes.items():
            cols = by_table.get(ix.table_key)
            exprs = [ix.where, *(e.expr for e in ix.elements)]
            if cols and any(exprs) and self.ss.expr_columns(exprs) & cols:
                if key in self.t.indexes:
                    self.recreate.add(("index", key))
                self.gone.add(("index", key))

    def _typed_column_refs(self, table: str, exprs: list[Any]) -> bool:
        cols = {c for t, c in self.type_use_columns if t == table}
        return bool(cols) and bool(self.ss.expr_columns(exprs) & cols)

    def _inherited_column(self, table: Table, column: str) -> bool:
        """Whether ``column`` comes from a parent (the parent's ALTER reaches the child)."""
        parents = (table.partition_of,) if table.partition_of else table.inherits
        for p in parents:
            pt = self.t.tables.get(p)
            if pt is not None and pt.column(column) is not None:
                return True
        return False

    def _column_type_changes(self, key: str, ca: Column, cb: Column) -> bool:
        if (ca.type, ca.collation) != (cb.type, cb.collation):
            return True
        return ca.type.name in self.replaced_types

    def _simulate(self, common: list[str]) -> None:
        """Each kept table as its parents' ALTERs leave it, and the columns whose change
        disturbs dependants (parents first, so a child sees its parent's result)."""
        s, t = self.s, self.t
        for key in _parents_first(common, s):
            if key in self.dropped_tables:
                continue
            a, b = s.tables[key], t.tables[key]
            if a.partition_of and a.partition_of == b.partition_of:
                a = self._inherit(a, a.partition_of)
            for p in a.inherits:
                if p in b.inherits:
                    a = self._inherit(a, p)
            self.sim[key] = a
            if a == b:
                self.unchanged.add(key)
                continue
            if a.columns == b.columns:
                continue
            new_cols = {c.name: c for c in b.columns}
            dist = self.disturbed[key]
            for ca in a.columns:
                cb = new_cols.get(ca.name)
                if cb is None or self._column_type_changes(key, ca, cb) or _replaced(ca, cb):
                    dist.add(ca.name)
            # generated columns reading a disturbed column are dropped and added around it
            changed = True
            while changed:
                changed = False
                for c in b.columns:
                    before = a.column(c.name)
                    if c.generated is None or c.name in dist or before is None:
                        continue
                    reads = self.ts.expr_columns([c.generated.expr])
                    if before.generated is not None and reads & dist:
                        dist.add(c.name)
                        changed = True

    def _inherit(self, child: Table, parent_key: str) -> Table:
        """The child after the parent's column changes (ALTER TABLE recurses to children)."""
        if parent_key in self.dropped_tables or parent_key not in self.t.tables:
            return child
        # every change of the parent, its own or one that reached it from above, recurses
        pa = self.s.tables.get(parent_key)
        pb = self.t.tables[parent_key]
        if pa is None:
            return child
        dist = self.disturbed.get(parent_key, set())
        pa_cols = {c.name: c for c in pa.columns}
        pb_cols = {c.name: c for c in pb.columns}
        out: list[Column] = []
        for c in child.columns:
            po, pn = pa_cols.get(c.name), pb_cols.get(c.name)
            if po is None:
                out.append(c)
                continue
            if pn is None or _replaced(po, pn) or (c.name in dist and pn.generated is not None):
                continue  # dropped through the parent (and re-added at the end)
            if po != pn:
                typed = (po.type, po.collation) != (pn.type, pn.collation)
                c = dataclasses.replace(
                    c,
                    type=pn.type if typed else c.type,
                    collation=pn.collation if typed else c.collation,
                    default=pn.default if (po.default != pn.default or typed) else c.default,
                    nullable=pn.nullable if po.nullable != pn.nullable else c.nullable,
                    generated=None if po.generated and not pn.generated else c.generated,
                )
            out.append(c)
        have = {c.name for c in out}
        for pn in pb.columns:
            if pn.name in have:
                continue
            po = pa_cols.get(pn.name)
            if po is None or _replaced(po, pn) or pn.name in dist:
                out.append(dataclasses.replace(pn, comment=None, identity=None))
        return dataclasses.replace(child, columns=tuple(out))

    def _decide_rebuilds(self, common: list[str]) -> None:
        """Tables whose target column order ALTER cannot reach, and tables that gain an
        inheritance parent with checks (INHERIT would leave the parent's checks on the child as
        its own, where a child created with INHERITS only inherits them)."""
        for key in common:
            if key in self.dropped_tables:
                continue
            a, b = self.sim[key], self.t.tables[key]
            if self._inherits_checks(a, b) and not (
                b.partition_by is not None or b.partition_of or self.children(key)
            ):
                self._rebuild(key)
                continue
            if a.columns == b.columns:
                continue
            dist = self.disturbed.get(key, set())
            new_cols = {c.name: c for c in b.columns}
            kept = [
                c.name
                for c in a.columns
                if c.name in new_cols
                and not (c.name in dist and new_cols[c.name].generated is not None)
            ]
            result = kept + [c.name for c in b.columns if c.name not in kept]
            wanted = [c.name for c in b.columns]
            if result == wanted:
                continue
            why = f"{key}: ALTER TABLE would leave the columns in the order ({', '.join(result)})"
            if b.partition_by is not None or b.partition_of or self.children(key):
                self.notes.append(
                    f"{why}, not ({', '.join(wanted)}); a partitioned table, a partition or an "
                    "inheritance parent is not rebuilt"
                )
                continue
            self._rebuild(key)

    def _rebuild(self, key: str) -> None:
        self.rebuild.add(key)
        self.dropped_tables.add(key)
        self.new_tables.add(key)
        self.disturbed.pop(key, None)

    def _inherits_checks(self, a: Table, b: Table) -> bool:
        """A new inheritance parent whose checks the child would have to hold as its own."""
        for p in b.inherits:
            if p in a.inherits:
                continue
            parent = self.t.tables.get(p)
            if parent is not None and any(
                not c.no_inherit and c.name not in b.checks for c in parent.checks.values()
            ):
                return True
        return False

    def _decide_functions(self) -> None:
        s, t = self.s, self.t
        for key in s.functions.keys() & t.functions.keys():
            a, b = s.functions[key], t.functions[key]
            if a != b and not _only_meta_differs(a, b) and not _replaceable(a, b):
                self.recreate.add(("function", key))

    def _decide_changed(self) -> None:
        """Views, indexes, triggers, rules and policies that changed beyond ALTER."""
        s, t = self.s, self.t
        for key in s.views.keys() & t.views.keys():
            a, b = s.views[key], t.views[key]
            if a != b and not _view_meta_only(a, b) and not _view_replaceable(a, b):
                self.recreate.add(("view", key))
        for key in s.indexes.keys() & t.indexes.keys():
            ai, bi = s.indexes[key], t.indexes[key]
            if ai != bi and not _only_comment_differs(ai, bi):
                self.recreate.add(("index", key))
        for key in s.triggers.keys() & t.triggers.keys():
            at, bt = s.triggers[key], t.triggers[key]
            if at != bt and dataclasses.replace(at, comment=None, enabled="O") != (
                dataclasses.replace(bt, comment=None, enabled="O")
            ):
                self.recreate.add(("trigger", key))
        for key in s.rules.keys() & t.rules.keys():
            ar, br = s.rules[key], t.rules[key]
            if ar != br and not _only_comment_differs(ar, br):
                self.recreate.add(("rule", key))
        for key in s.policies.keys() & t.policies.keys():
            ap, bp = s.policies[key], t.policies[key]
            if ap == bp or _only_comment_differs(ap, bp):
                continue
            fixed = (ap.command, ap.permissive) == (bp.command, bp.permissive)
            keeps = (bp.using is not None or ap.using is None) and (
                bp.with_check is not None or ap.with_check is None
            )
            if not (fixed and keeps):
                self.recreate.add(("policy", key))

    # ------------------------------------------------------------------ helpers for emitting

    def create_object(
        self, kind: str, key: str, operation: Operation, *, provides: Iterable[Res] = ()
    ) -> int:
        res = (_nk(kind), key)
        uses = self.deps("t", kind, key) - {res}
        return self.add(operation, provides={res, *provides}, uses_new=uses | _values(uses))

    def drop_object(
        self,
        kind: str,
        key: str,
        operation: Operation,
        *,
        removes: Iterable[Res] = (),
        uses_old: Iterable[Res] = (),
    ) -> int:
        res = (_nk(kind), key)
        uses = (self.deps("s", kind, key) | set(uses_old)) - {res}
        return self.add(operation, removes={res, *removes}, uses_old=uses)

    def existing_table(self, key: str) -> bool:
        """A table that exists before and after, not re-created: changes touch live data."""
        return key in self.s.tables and key in self.t.tables and key not in self.dropped_tables

    def comment(
        self,
        kind: op.ObjectKind,
        key: str,
        old: str | None,
        new: str | None,
        *,
        owner: Res,
        member: str | None = None,
    ) -> None:
        if old != new:
            target = ObjectRef(kind=kind, key=key, member=member)
            self.add(op.SetComment(target=target, old=old, new=new), uses_new={owner})

    def grants(
        self,
        kind: op.ObjectKind,
        key: str,
        old: frozenset[Grant],
        new: frozenset[Grant],
        owner: Res,
    ) -> None:
        if old == new:
            return
        target = ObjectRef(kind=kind, key=key)
        a = {(g.grantee, g.privilege): g for g in old}
        b = {(g.grantee, g.privilege): g for g in new}
        for k in sorted(a.keys() - b.keys()):
            self.add(op.RevokePrivilege(target=target, grant=a[k]), uses_old={owner})
        for k in sorted(b.keys() - a.keys()):
            self.add(op.GrantPrivilege(target=target, grant=b[k]), uses_new={owner})
        for k in sorted(a.keys() & b.keys()):
            ga, gb = a[k], b[k]
            if ga.grantable and not gb.grantable:
                self.add(
                    op.RevokePrivilege(target=target, grant=ga, option_only=True),
                    uses_new={owner},
                )
            elif gb.grantable and not ga.grantable:
                self.add(
                    op.GrantPrivilege(target=target, grant=gb, option_only=True),
                    uses_new={owner},
                )

    # ------------------------------------------------------------------ namespaces, extensions

    def _emit_namespaces(self) -> None:
        s, t = self.s, self.t
        for name, ns in t.namespaces.items():
            if name not in s.namespaces and name != "public":
                self.create_object("schema", name, op.CreateSchema(namespace=ns))
        for name, ns in s.namespaces.items():
            if name not in t.namespaces and name != "public":
                self.drop_object("schema", name, op.DropSchema(namespace=ns))
        for name in s.namespaces.keys() & t.namespaces.keys():
            a, b = s.namespaces[name], t.namespaces[name]
            self.comment("SCHEMA", name, a.comment, b.comment, owner=("schema", name))
            self.grants("SCHEMA", name, a.grants, b.grants, ("schema", name))

    def _emit_extensions(self) -> None:
        s, t = self.s, self.t
        for name, ext in t.extensions.items():
            old = s.extensions.get(name)
            if old is None:
                self.create_object("extension", name, op.CreateExtension(extension=ext))
                continue
            if old.schema != ext.schema and ext.schema is not None:
                self.add(
                    op.AlterExtensionSchema(
                        name=name, old_schema=old.schema, new_schema=ext.schema
                    ),
                    uses_new={("schema", ext.schema)},
                    uses_old={("schema", old.schema or "public")},
                )
            # A version counts when both sides state one (a catalog always does; a DDL file
            # when its CREATE EXTENSION says VERSION): it is not part of the model's equality.
            if old.version and ext.version and old.version != ext.version:
                self.add(
                    op.AlterExtensionVersion(
                        name=name, old_version=old.version, new_version=ext.version
                    )
                )
        for name, ext in s.extensions.items():
            if name not in t.extensions:
                self.drop_object("extension", name, op.DropExtension(extension=ext))

    def _emit_collations(self) -> None:
        """Create and drop collations. PostgreSQL cannot alter one: a changed collation that
        nothing uses is dropped and re-created; one in use is noted and left as it is."""
        s, t = self.s, self.t
        for key, coll in t.collations.items():
            old = s.collations.get(key)
            if old is not None and dataclasses.replace(old, comment=None) != dataclasses.replace(
                coll, comment=None
            ):
                users = _collation_users(s, key)
                if users:
                    self.notes.append(
                        f"collation {key} differs and PostgreSQL cannot alter a collation: "
                        f"{', '.join(users[:3])}{' ...' if len(users) > 3 else ''} use it; "
                        "create a new collation and move them to it"
                    )
                    continue
                self.drop_object("collation", key, op.DropCollation(collation=old))
                old = None
            if old is None:
                self.create_object("collation", key, op.CreateCollation(collation=coll))
            else:
                self.comment("COLLATION", key, old.comment, coll.comment, owner=("collation", key))
        for key, coll in s.collations.items():
            if key not in t.collations:
                self.drop_object("collation", key, op.DropCollation(collation=coll))

    # ------------------------------------------------------------------ types

    def _emit_types(self) -> None:
        s, t = self.s, self.t
        olds: dict[str, op.TypeDef] = {**s.enums, **s.domains, **s.composite_types}
        news: dict[str, op.TypeDef] = {**t.enums, **t.domains, **t.composite_types}
        for key, nt in news.items():
            if key not in olds:
                self.create_object(_type_kind(nt), key, op.CreateType(type=nt))
        for key, ot in olds.items():
            if key not in news:
                self.drop_object(_type_kind(ot), key, op.DropType(type=ot))
        for key in olds.keys() & news.keys():
            a, b = olds[key], news[key]
            if a == b:
                continue
            rep = self.replaced_types.get(key)
            res = ("type", key)
            if rep is not None:
                cols: set[Res] = set()
                tables: set[Res] = set()
                # a table to rebuild is converted first, before it is set aside (the new table
                # is then created with the new type and filled from the converted one)
                aside: set[Res] = set()
                for u in rep.uses:
                    if u.table in self.rebuild:
                        tb = s.tables[u.table]
                        aside.add(_rel(tb.schema, tb.name))
                    else:
                        tables.add(("table", u.table))
                        cols.add(_col(u.table, u.column))
                self.add(
                    rep,
                    provides={res, *cols},
                    removes={res, *cols},
                    uses_new=(self.deps("t", _type_kind(b), key) - {res}) | tables,
                    uses_old=tables | aside,
                )
                continue
            kind: op.ObjectKind = "TYPE"
            if isinstance(a, EnumType) and isinstance(b, EnumType):
                self._enum_values(a, b)
            elif isinstance(a, Domain) and isinstance(b, Domain):
                kind = "DOMAIN"
                self._domain_changes(a, b)
            self.comment(kind, key, a.comment, b.comment, owner=res)

    def _enum_values(self, a: EnumType, b: EnumType) -> None:
        have = set(a.values)
        prev: int | None = None
        for i, v in enumerate(b.values):
            if v in have:
                continue
            after = b.values[i - 1] if i > 0 else None
            before = None if i > 0 else next((x for x in b.values[1:] if x in have), None)
            # what uses the type in the new state (a default naming the value) comes after
            step = self.add(
                op.AddEnumValue(old=a, new=b, value=v, before=before, after=after),
                provides={("enumvalue", a.key)},
            )
            self.before(prev, step)
            prev = step
            have.add(v)

    def _domain_changes(self, a: Domain, b: Domain) -> None:
        key = b.key
        res = ("type", key)
        if a.default != b.default:
            self.add(
                op.AlterDomainDefault(domain=key, old=a.default, new=b.default),
                uses_new={res, *_norm(self.ts.expr_depends([b.default]))},
                uses_old=_norm(self.ss.expr_depends([a.default])),
            )
        if a.nullable != b.nullable:
            self.add(op.AlterDomainNotNull(domain=key, nullable=b.nullable), uses_new={res})
        a = self._domain_check_renames(a, b)
        for name, chk in a.checks.items():
            nb = b.checks.get(name)
            if nb is None or (nb != chk and not _only_comment_differs(nb, chk)):
                self.add(
                    op.DropDomainConstraint(domain=key, check=chk),
                    removes={("constraint", f"{key}.{name}")},
                    uses_old={res},
                )
        for name, chk in b.checks.items():
            old = a.checks.get(name)
            if old is None or (old != chk and not _only_comment_differs(old, chk)):
                self.add(
                    op.AddDomainConstraint(
                        domain=key, check=chk, validate_after=self.safe and chk.validated
                    ),
                    provides={("constraint", f"{key}.{name}")},
                    uses_new={res, *_norm(self.ts.expr_depends([chk.expr]))},
                )
            elif old.comment != chk.comment:
                self.comment(
                    "DOMAIN CONSTRAINT", key, old.comment, chk.comment, member=name, owner=res
                )

    def _domain_check_renames(self, a: Domain, b: Domain) -> Domain:
        """A check that goes and one that comes with the same definition under another name
        (a domain renamed by a hint keeps its check's generated name): renamed, one to one, as
        :meth:`_constraint_renames` does for a table. Returns ``a`` with the new names."""
        gone = [c for n, c in a.checks.items() if n not in b.checks]
        come = [c for n, c in b.checks.items() if n not in a.checks]
        checks = dict(a.checks)
        renamed = False
        for x in gone:
            same = [y for y in come if _definition(y) == _definition(x)]
            if len(same) != 1 or sum(_definition(z) == _definition(x) for z in gone) != 1:
                continue  # which one became which is a guess: drop and add
            y = same[0]
            self.add(
                op.RenameDomainConstraint(domain=b.key, check=x, new_name=y.name),
                removes={("constraint", f"{b.key}.{x.name}")},
                provides={("constraint", f"{b.key}.{y.name}")},
                uses_new={("type", b.key)},
            )
            del checks[x.name]
            checks[y.name] = dataclasses.replace(x, name=y.name)
            renamed = True
        return dataclasses.replace(a, checks=FrozenMap(checks)) if renamed else a

    # ------------------------------------------------------------------ sequences

    def _owner_table(self, owned_by: str | None, sch: Schema) -> tuple[str, str] | None:
        if not owned_by:
            return None
        table, _, column = owned_by.rpartition(".")
        if table in sch.tables:
            return table, column
        for tk in sch.tables:
            if owned_by.startswith(tk + "."):
                return tk, owned_by[len(tk) + 1 :]
        return None

    def _owner_gone(self, owned_by: str | None) -> bool:
        """Whether the column owning a sequence is dropped (which drops the sequence)."""
        owner = self._owner_table(owned_by, self.s)
        if owner is None:
            return False
        tk, column = owner
        if tk in self.dropped_tables:
            return True
        tb = self.t.tables.get(tk)
        return tb is None or tb.column(column) is None

    def _owner_res(self, owned_by: str | None, side: str) -> set[Res]:
        owner = self._owner_table(owned_by, self._schema(side))
        return {("table", owner[0]), _col(*owner)} if owner else set()

    def _emit_sequences(self) -> None:
        s, t = self.s, self.t
        for key, seq in t.sequences.items():
            if key not in s.sequences:
                self.create_object(
                    "sequence",
                    key,
                    op.CreateSequence(sequence=seq),
                    provides={_rel(seq.schema, seq.name)},
                )
                if seq.owned_by:
                    self._set_owner(key, None, seq.owned_by)
        for key, seq in s.sequences.items():
            if key not in t.sequences:
                implied = self._owner_gone(seq.owned_by)
                step = self.drop_object(
                    "sequence",
                    key,
                    op.DropSequence(sequence=seq, implied=implied),
                    removes={_rel(seq.schema, seq.name)},
                )
                if implied:  # after the column or table that takes it along (IF EXISTS)
                    self.steps[step].after_removal |= self._owner_res(seq.owned_by, "s")
        for key in s.sequences.keys() & t.sequences.keys():
            a, b = s.sequences[key], t.sequences[key]
            res = ("sequence", key)
            if a != b:
                strip: dict[str, Any] = {"owned_by": None, "grants": frozenset(), "comment": None}
                if dataclasses.replace(a, **strip) != dataclasses.replace(b, **strip):
                    self.add(op.AlterSequence(old=a, new=b), uses_new={res})
                if a.owned_by != b.owned_by:
                    if a.owned_by and b.owned_by:
                        self._set_owner(key, a.owned_by, None)
                        self._set_owner(key, None, b.owned_by)
                    else:
                        self._set_owner(key, a.owned_by, b.owned_by)
                self.comment("SEQUENCE", key, a.comment, b.comment, owner=res)
                self.grants("SEQUENCE", key, a.grants, b.grants, res)
            if a.owned_by and a.owned_by == b.owned_by:
                owner = self._owner_table(a.owned_by, s)
                if owner is not None and owner[0] in self.dropped_tables & self.new_tables:
                    # its table is re-created: keep the sequence alive across DROP TABLE
                    self._set_owner(key, a.owned_by, None)
                    self._set_owner(key, None, b.owned_by)

    def _set_owner(self, key: str, old: str | None, new: str | None) -> int:
        if new is None:
            # before the owner's table or column goes (it would take the sequence with it)
            return self.add(
                op.SetSequenceOwner(sequence=key, old=old, new=None),
                uses_old=self._owner_res(old, "s") | {("owner-of", key)},
                removes={("owned", key)},
            )
        return self.add(
            op.SetSequenceOwner(sequence=key, old=old, new=new),
            uses_new={("sequence", key)} | self._owner_res(new, "t"),
            provides={("owned", key)},
        )

    # ------------------------------------------------------------------ functions

    def _emit_functions(self) -> None:
        s, t = self.s, self.t
        for key, fn in t.functions.items():
            if key not in s.functions or ("function", key) in self.recreate:
                self.create_object(_fn_kind(fn), key, op.CreateFunction(function=fn))
        for key, fn in s.functions.items():
            if key not in t.functions or ("function", key) in self.recreate:
                self.drop_object(_fn_kind(fn), key, op.DropFunction(function=fn))
        for key in s.functions.keys() & t.functions.keys():
            a, b = s.functions[key], t.functions[key]
            if a == b or ("function", key) in self.recreate:
                continue
            res = ("function", key)
            if not _only_meta_differs(a, b):
                self.add(
                    op.ReplaceFunction(old=a, new=b),
                    provides={res},
                    removes={res},
                    uses_new=self.deps("t", _fn_kind(b), key) - {res},
                )
            word: op.ObjectKind = (
                "AGGREGATE"
                if b.kind == "aggregate"
                else "PROCEDURE"
                if b.kind == "procedure"
                else "FUNCTION"
            )
            self.comment(word, key, a.comment, b.comment, owner=res)
            self.grants(word, key, a.grants, b.grants, res)

    # ------------------------------------------------------------------ tables

    def _table_resources(self, tb: Table, indexes: Iterable[Index] = ()) -> set[Res]:
        key = tb.key
        out: set[Res] = {("table", key), _rel(tb.schema, tb.name)}
        out |= {_col(key, c.name) for c in tb.columns}
        out |= {("constraint", f"{key}.{n}") for n in _constraint_names(tb)}
        out |= {_rel(tb.schema, n) for n in _index_names(tb)}
        for ix in indexes:
            out |= {("index", ix.key), _rel(ix.schema, ix.name)}
        return out

    def _emit_tables(self) -> None:
        s, t = self.s, self.t
        owned: dict[str, set[Res]] = defaultdict(set)
        for sk, q in s.sequences.items():
            owner = self._owner_table(q.owned_by, s)
            if owner is not None:
                owned[owner[0]].add(("owner-of", sk))
        replaced = {("type", k) for k in self.replaced_types}
        for key in sorted(self.rebuild):
            a, b = self.sim[key], t.tables[key]
            a_indexes = tuple(ix for ix in s.indexes.values() if ix.table_key == key)
            fks = {("constraint", f"{key}.{n}") for n in a.foreign_keys}
            names = {_rel(a.schema, a.name)} | {_rel(a.schema, n) for n in _index_names(a)}
            names |= {("constraint", f"{key}.{n}") for n in _index_names(a)} | fks
            for ix in a_indexes:
                names |= {("index", ix.key), _rel(ix.schema, ix.name)}
            self.add(
                op.SetTableAside(table=a, indexes=a_indexes),
                removes=names,
                provides={("aside", key)},
            )
            self.add(
                op.RebuildTable(old=a, new=b),
                removes=(self._table_resources(a, a_indexes) | owned[key] | fks) - names,
                provides=self._table_resources(b),
                uses_old=(self.deps("s", "table", key) - {("table", key)} - replaced)
                | self._fk_targets(key, a)
                | self._members_need(key),
                uses_new=(new_deps := self.deps("t", "table", key) - {("table", key)})
                | _values(new_deps)
                | self._parent_column_res(b, [c.name for c in b.columns])
                | {("aside", key)},
            )
        for key in sorted(self.new_tables - self.rebuild):
            tb = t.tables[key]
            self.create_object(
                "table", key, op.CreateTable(table=tb), provides=self._table_resources(tb)
            )
        for key in sorted(self.new_tables):
            tb = t.tables[key]
            for fk in tb.foreign_keys.values():
                if not self._fk_cloned(tb, fk):
                    self._add_constraint(key, fk)
        for key in sorted(self.dropped_tables - self.rebuild):
            ta = s.tables[key]
            fks = {("constraint", f"{key}.{n}") for n in ta.foreign_keys}
            self.drop_object(
                "table",
                key,
                op.DropTable(table=ta, recreated=self._recreated_why(key)),
                removes=self._table_resources(ta) | owned[key] | fks,
                uses_old=self._fk_targets(key, ta) | self._members_need(key),
            )
        both = [
            k
            for k in s.tables
            if k in t.tables
            and k not in self.dropped_tables
            and (k not in self.unchanged or self._touched(s.tables[k]))
        ]
        for key in _parents_first(both, t):
            self._diff_table(self.sim[key], t.tables[key])

    def _recreated_why(self, key: str) -> str | None:
        """Why a table the target keeps is dropped (and created again), for its description."""
        b = self.t.tables.get(key)
        if b is None:
            return None
        a = self.s.tables[key]
        if a.partition_by != b.partition_by:
            if a.partition_by is None:
                return "it becomes partitioned"
            if b.partition_by is None:
                return "it is no longer partitioned"
            return "its partitioning changes"
        return "it is re-created"

    def _members_need(self, key: str) -> set[Res]:
        """What the triggers, policies, rules and indexes of a table hold on to: dropping the
        table drops them, so it goes before what they need (a trigger's function, say)."""
        if self._members is None:
            self._members = defaultdict(list)
            s = self.s
            members: list[tuple[str, Mapping[str, Any]]] = [
                ("trigger", s.triggers),
                ("policy", s.policies),
                ("rule", s.rules),
            ]
            for kind, coll in members:
                for k, obj in coll.items():
                    self._members[f"{obj.schema}.{obj.table}"].append((kind, k))
            for k, ix in s.indexes.items():
                if ix.where is not None or any(e.expr for e in ix.elements):
                    self._members[ix.table_key].append(("index", k))
        out: set[Res] = set()
        for kind, k in self._members.get(key, ()):
            out |= self.deps("s", kind, k)
        return {
            r
            for r in out
            if r != ("table", key) and not (r[0] == "column" and r[1].startswith(key + "."))
        }

    def _touched(self, t: Table) -> bool:
        """An unchanged table whose constraints must still be dropped and re-created: a foreign
        key onto a key that goes, a check calling a routine that is re-created."""
        if any(self._fk_needs_recreate(t.key, fk) for fk in t.foreign_keys.values()):
            return True
        gone = self._gone_routines_and_types
        return bool(gone) and any(
            k in gone for c in t.checks.values() for _, k in self.ss.expr_depends([c.expr])
        )

    def _fk_targets(self, key: str, t: Table) -> set[Res]:
        """What a table's own foreign keys hold on to (dropped with the table, so the table
        goes before them)."""
        out: set[Res] = set()
        for fk in t.foreign_keys.values():
            if fk.ref_table != key:
                out |= self._constraint_deps("s", key, fk) - {("table", key)}
        return {r for r in out if not (r[0] == "column" and r[1].startswith(key + "."))}

    def _fk_cloned(self, tb: Table, fk: ForeignKey) -> bool:
        """A partition's copy of its parent's foreign key (not modelled on the partition)."""
        if not tb.partition_of:
            return False
        parent = self.t.tables.get(tb.partition_of)
        return parent is not None and any(
            (p.columns, p.ref_table, p.ref_columns) == (fk.columns, fk.ref_table, fk.ref_columns)
            for p in parent.foreign_keys.values()
        )

    def _fk_needs_recreate(self, table: str, fk: ForeignKey) -> bool:
        if fk.ref_table in self.dropped_tables:
            return True
        if set(fk.columns) & self.disturbed.get(table, set()):
            return True
        if set(fk.ref_columns) & self.disturbed.get(fk.ref_table, set()):
            return True
        # a replaced type converts its columns one at a time: keys between them must go first
        tu = self.type_use_columns
        if any((table, c) in tu for c in fk.columns) or any(
            (fk.ref_table, c) in tu for c in fk.ref_columns
        ):
            return True
        return self._key_goes(fk.ref_table, fk.ref_columns)

    def _key_goes(self, table: str, columns: tuple[str, ...]) -> bool:
        """Whether a key (primary key, unique constraint or unique index) on ``columns`` that a
        foreign key may rest on is dropped (the foreign key must go first and come back)."""
        going = self._going_keys.get(table)
        if going is None:
            going = self._going_keys[table] = self._keys_that_go(table)
        return frozenset(columns) in going

    def _keys_that_go(self, table: str) -> set[frozenset[str]]:
        a, b = self.s.tables.get(table), self.t.tables.get(table)
        if a is None or b is None:
            return {frozenset(c.columns) for c in _keys(a)} if a is not None else set()
        new_defs = {_definition(c) for c in _keys(b)}
        out = {frozenset(c.columns) for c in _keys(a) if _definition(c) not in new_defs}
        if self._unique_indexes is None:
            self._unique_indexes = defaultdict(list)
            for key, ix in self.s.indexes.items():
                if ix.unique:
                    self._unique_indexes[ix.table_key].append(key)
        for key in self._unique_indexes.get(table, ()):
            if key not in self.t.indexes or ("index", key) in self.recreate:
                out.add(frozenset(e.column or "" for e in self.s.indexes[key].elements))
        return out

    def _constraint_deps(self, side: str, table: str, c: op.Constraint) -> set[Res]:
        sch = self._schema(side)
        sql = self._sql(side)
        tb = sch.tables[table]
        out: set[Res] = {("table", table)}
        if isinstance(c, PrimaryKey | Unique):
            out |= {_col(table, x) for x in (*c.columns, *c.include)}
        elif isinstance(c, Check):
            names = sql.expr_columns([c.expr])
            for x in tb.columns:
                if x.name in names:  # the column, and its type's values (the check names them)
                    out |= {_col(table, x.name), *_values(_norm(sql.type_depends(x.type)))}
            out |= _norm(sql.expr_depends([c.expr]))
        elif isinstance(c, Exclusion):
            exprs = [c.where, *(e.element.expr for e in c.elements)]
            names = sql.expr_columns(exprs) | {
                e.element.column for e in c.elements if e.element.column
            }
            out |= {_col(table, x.name) for x in tb.columns if x.name in names}
            out |= _norm(sql.expr_depends(exprs))
        else:
            out |= {_col(table, x) for x in c.columns}
            out |= {("table", c.ref_table)} | {_col(c.ref_table, x) for x in c.ref_columns}
            ref = sch.tables.get(c.ref_table)
            if ref is not None:
                out |= {("constraint", f"{ref.key}.{n}") for n in _key_names(ref)}
            for ix in sch.indexes.values():
                if ix.unique and ix.table_key == c.ref_table:
                    out.add(("index", ix.key))
        return out

    def _add_constraint(self, table: str, c: op.Constraint) -> int:
        existing = self.existing_table(table)
        tb = self.t.tables[table]
        simple = existing and tb.partition_by is None
        form: op.ConstraintForm = "plain"
        if isinstance(c, Check | ForeignKey):
            if not c.validated:
                form = "not_valid"
            elif self.safe and simple:
                form = "validate_after"
        elif (
            isinstance(c, PrimaryKey | Unique) and self.safe and simple and not self.children(table)
        ):
            form = "using_index"
        provides: set[Res] = {("constraint", f"{table}.{c.name}")}
        if isinstance(c, PrimaryKey | Unique | Exclusion):
            provides.add(_rel(tb.schema, c.name))
        return self.add(
            op.AddConstraint(table=table, constraint=c, form=form),
            provides=provides,
            uses_new=self._constraint_deps("t", table, c),
        )

    def _drop_constraint(self, table: str, c: op.Constraint) -> int:
        ta = self.s.tables[table]
        removes: set[Res] = {("constraint", f"{table}.{c.name}")}
        if isinstance(c, PrimaryKey | Unique | Exclusion):
            removes.add(_rel(ta.schema, c.name))
        return self.add(
            op.DropConstraint(table=table, constraint=c),
            removes=removes,
            uses_old=self._constraint_deps("s", table, c),
        )

    def _diff_table(self, a: Table, b: Table) -> None:
        key = b.key
        t_res = ("table", key)
        first: list[int] = []  # detach / no inherit: before everything else on the table
        last: list[int] = []  # attach / inherit: after everything else on the table
        if a.partition_of != b.partition_of or (
            a.partition_of and a.partition_bound != b.partition_bound
        ):
            if a.partition_of:
                first.append(
                    self.add(
                        op.DetachPartition(
                            parent=a.partition_of, table=key, bound=a.partition_bound
                        ),
                        uses_old={("table", a.partition_of), t_res},
                    )
                )
                parent = self.s.tables.get(a.partition_of)
                if parent is not None:
                    a = self._detached(a, parent, first)
            if b.partition_of:
                attach = self.add(
                    op.AttachPartition(parent=b.partition_of, table=key, bound=b.partition_bound),
                    uses_new={("table", b.partition_of), t_res}
                    | {_col(key, c.name) for c in b.columns}
                    | {_col(b.partition_of, c.name) for c in b.columns},
                )
                # after the table's own indexes that go (the parent's would take them over)
                self.steps[attach].after_removal.add(("index-on", key))
                last.append(attach)
                a = self._prepare_attach(a, b, last)
        if a.inherits != b.inherits:
            common = [p for p in a.inherits if p in b.inherits]
            keep_order = common == [p for p in b.inherits if p in a.inherits]
            for p in a.inherits:
                if p not in b.inherits or not keep_order:
                    first.append(
                        self.add(
                            op.DropInherit(table=key, parent=p), uses_old={("table", p), t_res}
                        )
                    )
                    a = self._no_longer_inherits(a, p)
            for p in b.inherits:
                if p not in a.inherits or not keep_order:
                    last.append(
                        self.add(
                            op.AddInherit(table=key, parent=p),
                            uses_new={("table", p), t_res}
                            | {_col(key, c.name) for c in b.columns}
                            | {("constraint", f"{key}.{n}") for n in b.checks},
                        )
                    )
        steps = self._diff_columns(a, b)
        steps += self._diff_constraints(a, b)
        if set(a.options) != set(b.options):  # the order of storage parameters means nothing
            steps.append(
                self.add(
                    op.SetTableOptions(table=key, old=a.options, new=b.options), uses_new={t_res}
                )
            )
        if a.unlogged != b.unlogged:
            steps.append(self.add(op.SetLogged(table=key, unlogged=b.unlogged), uses_new={t_res}))
        if a.rls_enabled != b.rls_enabled:
            steps.append(
                self.add(op.SetRowSecurity(table=key, enabled=b.rls_enabled), uses_new={t_res})
            )
        if a.rls_forced != b.rls_forced:
            steps.append(
                self.add(
                    op.SetRowSecurity(table=key, enabled=b.rls_forced, force=True),
                    uses_new={t_res},
                )
            )
        self.comment("TABLE", key, a.comment, b.comment, owner=t_res)
        self.grants("TABLE", key, a.grants, b.grants, t_res)
        for f in first:
            for st in steps + last:
                self.before(f, st)
        for lst in last:
            for st in steps:
                self.before(st, lst)

    def _detached(self, child: Table, parent: Table, first: list[int]) -> Table:
        """What DETACH PARTITION leaves on the child: the parent's keys, foreign keys, checks
        and indexes become the child's own (under the names the server gave them)."""
        taken = {i.name for i in self.s.indexes.values() if i.schema == child.schema}
        taken |= {t.name for t in self.s.tables.values() if t.schema == child.schema}
        pk = child.primary_key
        if parent.primary_key is not None and pk is None:
            name = choose_name(child.name, None, "pkey", taken)
            taken.add(name)
            pk = dataclasses.replace(parent.primary_key, name=name, comment=None)
        uniques = dict(child.uniques)
        for u in parent.uniques.values():
            name = choose_name(child.name, "_".join(u.columns), "key", taken)
            taken.add(name)
            uniques[name] = dataclasses.replace(u, name=name, comment=None)
        fks = dict(child.foreign_keys)
        for fk in parent.foreign_keys.values():
            fks.setdefault(fk.name, dataclasses.replace(fk, comment=None))
        checks = dict(child.checks)
        for chk in parent.checks.values():
            if not chk.no_inherit:
                checks.setdefault(chk.name, dataclasses.replace(chk, comment=None))
        for ix in self.s.indexes.values():
            if ix.table_key != parent.key:
                continue
            parts = [e.column or _expr_label(e.expr.text if e.expr else "") for e in ix.elements]
            name = choose_name(child.name, "_".join(parts), "idx", taken)
            taken.add(name)
            left = dataclasses.replace(ix, name=name, table=child.name, comment=None)
            wanted = self.t.indexes.get(left.key)
            if wanted is not None and (wanted == left or _only_comment_differs(wanted, left)):
                self.left_behind[left.key] = left  # the target has it: nothing to create
            else:
                step = self.add(
                    op.DropIndex(index=left),
                    removes={("index", left.key), _rel(left.schema, left.name)},
                )
                for f in first:
                    self.before(f, step)
        return dataclasses.replace(
            child,
            primary_key=pk,
            uniques=FrozenMap(uniques),
            foreign_keys=FrozenMap(fks),
            checks=FrozenMap(checks),
            partition_of=None,
            partition_bound=None,
        )

    def _no_longer_inherits(self, child: Table, parent_key: str) -> Table:
        """NO INHERIT keeps the parent's checks on the child, as its own."""
        parent = self.s.tables.get(parent_key)
        if parent is None:
            return child
        checks = dict(child.checks)
        for chk in parent.checks.values():
            if not chk.no_inherit:
                checks.setdefault(chk.name, dataclasses.replace(chk, comment=None))
        return dataclasses.replace(child, checks=FrozenMap(checks))

    def _prepare_attach(self, a: Table, b: Table, last: list[int]) -> Table:
        """ATTACH PARTITION needs the parent's checks on the child (it merges them, and the
        model then no longer lists them): add the missing ones first, keep the ones there."""
        parent = self.t.tables.get(b.partition_of or "")
        if parent is None:
            return a
        checks = dict(a.checks)
        for chk in parent.checks.values():
            if chk.no_inherit:
                continue
            have = checks.pop(chk.name, None)
            if have is not None and have.expr == chk.expr:
                continue
            if have is not None:
                for lst in last:
                    self.before(self._drop_constraint(a.key, have), lst)
            step = self._add_constraint(a.key, dataclasses.replace(chk, comment=None))
            for lst in last:
                self.before(step, lst)
        return dataclasses.replace(a, checks=FrozenMap(checks))

    # -- columns

    def _column_uses(self, table: str, c: Column, side: str) -> set[Res]:
        """What a column needs: its type (and the type's values, when a default names one),
        what its default calls, the columns it is generated from."""
        sql = self._sql(side)
        out = _norm(sql.column_depends(c))
        if c.default is not None:
            out |= _values(out)
        if c.generated is not None:
            out |= {_col(table, n) for n in sql.expr_columns([c.generated.expr]) if n != c.name}
        return out

    def _parent_column_res(self, b: Table, names: Iterable[str]) -> set[Res]:
        parents = [b.partition_of] if b.partition_of else list(b.inherits)
        out: set[Res] = set()
        for p in parents:
            pt = self.t.tables.get(p)
            if pt is not None:
                out |= {_col(p, n) for n in names if pt.column(n) is not None}
        return out

    def _identity_rel(self, t: Table, c: Column) -> set[Res]:
        """The relation name of an identity column's sequence (usually table_col_seq)."""
        if c.identity is None:
            return set()
        return {_rel(t.schema, make_object_name(t.name, c.name, "seq"))}

    def _diff_columns(self, a: Table, b: Table) -> list[int]:
        key = b.key
        steps: list[int] = []
        old_cols = {c.name: c for c in a.columns}
        new_cols = {c.name: c for c in b.columns}
        parent_res = self._parent_column_res(b, new_cols)
        parents = [b.partition_of] if b.partition_of else list(b.inherits)
        inherited_before = {
            pc.name
            for p in parents
            for pc in (self.s.tables[p].columns if p in self.s.tables else ())
        }

        def add(operation: Operation, **kw: Any) -> int:
            kw["uses_new"] = set(kw.get("uses_new", ())) | {("table", key)} | parent_res
            step = self.add(operation, **kw)
            steps.append(step)
            return step

        for ca in a.columns:
            if ca.name not in new_cols:
                inherited = ca.name in inherited_before
                step = add(
                    op.DropColumn(table=key, column=ca, if_exists=inherited),
                    removes={_col(key, ca.name)},
                    uses_old=self._column_uses(key, ca, "s"),
                )
                if inherited:  # after the parent's (which may take it along)
                    self.steps[step].after_removal |= {_col(p, ca.name) for p in parents}
        for cb in b.columns:
            was = old_cols.get(cb.name)
            if was is None:
                add(
                    op.AddColumn(table=key, column=cb),
                    provides={_col(key, cb.name), *self._identity_rel(b, cb)},
                    uses_new=self._column_uses(key, cb, "t"),
                )
            elif was != cb:
                self._diff_column(a, b, was, cb, add)
        # ADD COLUMN appends: add them in the target's order
        adds = [i for i in steps if isinstance(self.steps[i].op, op.AddColumn)]
        for first, then in itertools.pairwise(adds):
            self.before(first, then)
        return steps

    def _diff_column(
        self, a: Table, b: Table, ca: Column, cb: Column, add: Callable[..., int]
    ) -> None:
        key = b.key
        res = _col(key, cb.name)
        if _replaced(ca, cb) or (
            cb.name in self.disturbed.get(key, ()) and cb.generated and ca.generated
        ):
            # DROP and ADD (no ALTER changes a generation expression before PostgreSQL 17): two
            # operations, so that the columns it reads can change in between
            add(
                op.DropColumn(table=key, column=ca),
                removes={res},
                uses_old=self._column_uses(key, ca, "s"),
            )
            add(
                op.AddColumn(table=key, column=cb),
                provides={res},
                uses_new=self._column_uses(key, cb, "t"),
            )
            return
        cur = ca
        drop_expr: int | None = None
        if ca.generated is not None and cb.generated is None:
            # first: a generated column takes no default, and its type change (which removes
            # and provides the column) must see a plain column
            drop_expr = add(
                op.DropExpression(table=key, column=ca),
                uses_old=self._column_uses(key, ca, "s") | {res},
            )
            cur = dataclasses.replace(cur, generated=None)
        drop_ident: int | None = None
        if cur.identity is not None and cb.identity is None:
            drop_ident = add(
                op.DropIdentity(table=key, column=cb.name, identity=cur.identity),
                uses_new={res},
                removes=self._identity_rel(a, cur),
            )
            cur = dataclasses.replace(cur, identity=None)
        elif cur.identity is not None and cb.identity is not None and cur.identity != cb.identity:
            add(
                op.AlterIdentity(table=key, column=cb.name, old=cur.identity, new=cb.identity),
                uses_new={res},
            )
            cur = dataclasses.replace(cur, identity=cb.identity)
        type_step: int | None = None
        in_type_use = (key, cb.name) in self.type_use_columns
        if not in_type_use and (cur.type, cur.collation) != (cb.type, cb.collation):
            plain = cb.identity is None and cb.generated is None
            new = dataclasses.replace(
                cur, type=cb.type, collation=cb.collation, default=cb.default if plain else None
            )
            enums = (
                cur.type.name in self.s.enums
                and cb.type.name in self.t.enums
                and cur.type.array_dims == cb.type.array_dims
            )
            type_step = add(
                op.AlterColumnType(table=key, old=cur, new=new, via_text=enums),
                removes={res},
                provides={res},
                uses_old=_norm(self.ss.column_depends(cur)),
                uses_new=self._column_uses(key, cb, "t"),
            )
            if cur.type != cb.type and cur.identity is None:
                cur = dataclasses.replace(cur, default=new.default)
            cur = dataclasses.replace(cur, type=cb.type, collation=cb.collation)
        default_step: int | None = None
        if in_type_use:
            pass  # the type's replacement sets the target default
        elif cb.identity is None and cb.generated is None and cur.default != cb.default:
            old_deps = _norm(self.ss.expr_depends([cur.default]))
            if cb.default is None:
                assert cur.default is not None
                default_step = add(
                    op.DropDefault(table=key, column=cb.name, old=cur.default),
                    uses_new={res},
                    uses_old=old_deps,
                )
            else:
                # after the type has what the default names (an enum value added, say)
                default_step = add(
                    op.SetDefault(table=key, column=cb.name, old=cur.default, new=cb.default),
                    uses_new={
                        res,
                        *_norm(self.ts.expr_depends([cb.default])),
                        *_values(_norm(self.ts.type_depends(cb.type))),
                    },
                    uses_old=old_deps,
                )
            self.before(drop_ident, default_step)
            self.before(drop_expr, default_step)
        elif cb.identity is not None and cur.identity is None and cur.default is not None:
            default_step = add(
                op.DropDefault(table=key, column=cb.name, old=cur.default),
                uses_new={res},
                uses_old=_norm(self.ss.expr_depends([cur.default])),
            )
        null_step: int | None = None
        if cur.nullable != cb.nullable:
            if cb.nullable:
                null_step = add(op.DropNotNull(table=key, column=cb.name), uses_new={res})
                pk = a.primary_key
                if pk is not None and cb.name in pk.columns:
                    # after the primary key that holds it NOT NULL goes
                    self.steps[null_step].after_removal.add(("constraint", f"{key}.{pk.name}"))
            else:
                via = (
                    self.safe
                    and self.existing_table(key)
                    and b.partition_by is None
                    and not self.children(key)
                )
                null_step = add(
                    op.SetNotNull(table=key, column=cb.name, via_check=via), uses_new={res}
                )
        if cb.identity is not None and cur.identity is None:
            set_ident = add(
                op.AddIdentity(table=key, column=cb.name, identity=cb.identity),
                uses_new={res},
                provides=self._identity_rel(b, cb),
            )
            for st in (default_step, null_step, type_step):
                self.before(st, set_ident)
        if ca.comment != cb.comment:
            self.comment("COLUMN", key, ca.comment, cb.comment, member=cb.name, owner=res)

    # -- constraints

    def _diff_constraints(self, a: Table, b: Table) -> list[int]:
        key = b.key
        steps: list[int] = []
        gone = self._gone_routines_and_types

        def touches_gone(c: op.Constraint) -> bool:
            if not isinstance(c, Check | Exclusion):
                return False
            exprs = (
                [c.expr]
                if isinstance(c, Check)
                else [c.where, *(e.element.expr for e in c.elements)]
            )
            if self._typed_column_refs(key, exprs):
                return True
            return bool(gone) and any(k in gone for _, k in self.ss.expr_depends(exprs))

        pairs: list[tuple[op.Constraint | None, op.Constraint | None]] = []
        pa, pb = a.primary_key, b.primary_key
        if pa is not None and pb is not None and pa.name != pb.name:
            pairs += [(pa, None), (None, pb)]
        elif pa is not None or pb is not None:
            pairs.append((pa, pb))
        for ma, mb in (
            (a.uniques, b.uniques),
            (a.checks, b.checks),
            (a.exclusions, b.exclusions),
            (a.foreign_keys, b.foreign_keys),
        ):
            for name in sorted(set(ma) | set(mb)):
                pairs.append((ma.get(name), mb.get(name)))
        pairs = self._constraint_renames(key, pairs, steps)
        for x, y in pairs:
            if isinstance(y, ForeignKey) and self._fk_cloned(b, y):
                y = None
            if isinstance(x, ForeignKey) and a.partition_of and self._fk_cloned(a, x):
                x = None
            if x is None and y is None:
                continue
            recreate = (
                x is not None and y is not None and _without_comment(x) != _without_comment(y)
            )
            forced = x is not None and (
                (isinstance(x, ForeignKey) and self._fk_needs_recreate(key, x)) or touches_gone(x)
            )
            if (
                recreate
                and not forced
                and isinstance(x, Check | ForeignKey)
                and isinstance(y, Check | ForeignKey)
                and dataclasses.replace(x, validated=True, comment=None)
                == dataclasses.replace(y, validated=True, comment=None)
            ):
                recreate = False
                cres = {("constraint", f"{key}.{y.name}")}
                if y.validated:
                    steps.append(
                        self.add(op.ValidateConstraint(table=key, constraint=y), uses_new=cres)
                    )
                else:
                    steps.append(
                        self.add(op.InvalidateConstraint(table=key, constraint=y), uses_new=cres)
                    )
            recreate = recreate or (forced and y is not None)
            if x is not None and (y is None or recreate):
                steps.append(self._drop_constraint(key, x))
            if y is not None and (x is None or recreate):
                steps.append(self._add_constraint(key, y))
            if x is not None and y is not None and not recreate and x.comment != y.comment:
                self.comment(
                    "CONSTRAINT",
                    key,
                    x.comment,
                    y.comment,
                    member=y.name,
                    owner=("constraint", f"{key}.{y.name}"),
                )
        return steps

    def _constraint_renames(
        self,
        key: str,
        pairs: list[tuple[op.Constraint | None, op.Constraint | None]],
        steps: list[int],
    ) -> list[tuple[op.Constraint | None, op.Constraint | None]]:
        """A constraint that goes and one that comes with the same definition under another
        name (a table renamed by a hint keeps its key's old name, say): renamed, one to one."""
        gone = [x for x, y in pairs if x is not None and y is None]
        come = [y for x, y in pairs if y is not None and x is None]
        if not gone or not come:
            return pairs
        by_def: dict[Any, list[op.Constraint]] = defaultdict(list)
        for y in come:
            by_def[(type(y), _definition(y))].append(y)
        matched: dict[str, op.Constraint] = {}
        for x in gone:
            if isinstance(x, ForeignKey) and self._fk_needs_recreate(key, x):
                continue
            candidates = by_def.get((type(x), _definition(x)), [])
            if len(candidates) == 1 and candidates[0].name not in {
                c.name for c in matched.values()
            }:
                matched[x.name] = candidates[0]
        if not matched:
            return pairs
        schema = key.split(".")[0]
        for old, y in matched.items():
            x = next(c for c in gone if c.name == old)
            renames_index = isinstance(x, PrimaryKey | Unique | Exclusion)
            step = self.add(
                op.RenameConstraint(table=key, constraint=x, new_name=y.name),
                removes={("constraint", f"{key}.{old}")}
                | ({_rel(schema, old)} if renames_index else set()),
                provides={("constraint", f"{key}.{y.name}")}
                | ({_rel(schema, y.name)} if renames_index else set()),
                uses_new={("table", key)},
            )
            steps.append(step)
            if x.comment != y.comment:
                self.comment(
                    "CONSTRAINT",
                    key,
                    x.comment,
                    y.comment,
                    member=y.name,
                    owner=("constraint", f"{key}.{y.name}"),
                )
        targets = {y.name for y in matched.values()}
        return [
            (x, y)
            for x, y in pairs
            if not (x is not None and y is None and x.name in matched)
            and not (y is not None and x is None and y.name in targets)
        ]

    # ------------------------------------------------------------------ views and the rest

    def _emit_views(self) -> None:
        s, t = self.s, self.t
        for key, v in t.views.items():
            if key not in s.views or ("view", key) in self.recreate:
                self.create_object(
                    "view", key, op.CreateView(view=v), provides={_rel(v.schema, v.name)}
                )
        for key, v in s.views.items():
            if key not in t.views or ("view", key) in self.recreate:
                self.drop_object("view", key, op.DropView(view=v), removes={_rel(v.schema, v.name)})
        for key in s.views.keys() & t.views.keys():
            if ("view", key) in self.recreate:
                continue
            a, b = s.views[key], t.views[key]
            if a == b:
                continue
            res = ("view", key)
            if not _view_meta_only(a, b):
                self.add(
                    op.ReplaceView(old=a, new=b),
                    provides={res},
                    removes={res},
                    uses_new=self.deps("t", "view", key) - {res},
                )
            word: op.ObjectKind = "MATERIALIZED VIEW" if b.materialized else "VIEW"
            self.comment(word, key, a.comment, b.comment, owner=res)
            for col in sorted(set(a.column_comments) | set(b.column_comments)):
                self.comment(
                    "COLUMN",
                    key,
                    a.column_comments.get(col),
                    b.column_comments.get(col),
                    member=col,
                    owner=res,
                )
            self.grants("TABLE", key, a.grants, b.grants, res)

    def _emit_indexes(self) -> None:
        s, t = self.s, self.t
        # indexes on re-created or rebuilt tables and materialized views come back with them
        for key, ix in s.indexes.items():
            if ("table", ix.table_key) in self.gone or ("view", ix.table_key) in self.gone:
                self.gone.add(("index", key))
                if key in t.indexes:
                    self.recreate.add(("index", key))
        for key, ix in t.indexes.items():
            if key in s.indexes and ("index", key) not in self.recreate:
                continue
            left = self.left_behind.get(key)
            if left is not None:
                self.comment("INDEX", key, left.comment, ix.comment, owner=("index", key))
                continue
            conc = self.safe and self._live_relation(ix.table_key, t)
            step = self.create_object(
                "index",
                key,
                op.CreateIndex(index=ix, concurrently=conc),
                provides={_rel(ix.schema, ix.name)},
            )
            # an index on a partitioned table takes over its partitions' matching indexes: drop
            # the partitions' indexes that go first
            for child in self.children(ix.table_key):
                self.steps[step].after_removal.add(("index-on", child))
        for key, ix in s.indexes.items():
            if key in t.indexes and ("index", key) not in self.recreate:
                continue
            if self.implied_drop(("index", key)):
                continue
            conc = self.safe and self._live_relation(ix.table_key, s)
            self.drop_object(
                "index",
                key,
                op.DropIndex(index=ix, concurrently=conc),
                removes={_rel(ix.schema, ix.name), ("index-on", ix.table_key)},
            )
        for key in s.indexes.keys() & t.indexes.keys():
            if ("index", key) not in self.recreate:
                a, b = s.indexes[key], t.indexes[key]
                self.comment("INDEX", key, a.comment, b.comment, owner=("index", key))

    def _live_relation(self, key: str, sch: Schema) -> bool:
        """A relation that holds data before and after (not new, not re-created) and is not
        partitioned: where CONCURRENTLY is worth it and possible."""
        if key in self.s.tables or key in self.t.tables:
            t = sch.tables.get(key)
            return self.existing_table(key) and t is not None and t.partition_by is None
        return key in self.s.views and key in self.t.views and ("view", key) not in self.recreate

    def _emit_triggers_rules_policies(self) -> None:
        """Created, dropped, re-created; enabled state, ALTER POLICY and comments in place."""
        s, t = self.s, self.t
        members: list[tuple[str, op.ObjectKind, Mapping[str, Any], Mapping[str, Any]]] = [
            ("trigger", "TRIGGER", s.triggers, t.triggers),
            ("rule", "RULE", s.rules, t.rules),
            ("policy", "POLICY", s.policies, t.policies),
        ]
        for kind, word, old, new in members:
            for key, obj in new.items():
                if key not in old or (kind, key) in self.recreate:
                    self.create_object(kind, key, _CREATE[kind](obj))
            for key, obj in old.items():
                gone = key not in new or (kind, key) in self.recreate
                if gone and not self.implied_drop((kind, key)):
                    self.drop_object(kind, key, _DROP[kind](obj))
            for key in old.keys() & new.keys():
                if (kind, key) in self.recreate:
                    continue
                a, b = old[key], new[key]
                res = (kind, key)
                if kind == "trigger" and a.enabled != b.enabled:
                    self.add(op.SetTriggerEnabled(old=a, new=b), uses_new={res})
                if kind == "policy" and _without_comment(a) != _without_comment(b):
                    self.add(
                        op.AlterPolicy(old=a, new=b),
                        uses_new={res} | (self.deps("t", kind, key) - {res}),
                        uses_old=self.deps("s", kind, key) - {res},
                    )
                table = f"{b.schema}.{b.table}"
                self.comment(word, table, a.comment, b.comment, member=b.name, owner=res)

    # ------------------------------------------------------------------ ordering

    def _order(self) -> tuple[Operation, ...]:
        providers: dict[Res, list[int]] = defaultdict(list)
        removers: dict[Res, list[int]] = defaultdict(list)
        for i, st in enumerate(self.steps):
            for r in st.provides:
                providers[r].append(i)
            for r in st.removes:
                removers[r].append(i)
        graph: dict[int, set[int]] = {i: set() for i in range(len(self.steps))}
        for i, st in enumerate(self.steps):
            for r in st.uses_new:
                graph[i].update(p for p in providers.get(r, ()) if p != i)
            for r in st.after_removal:
                graph[i].update(m for m in removers.get(r, ()) if m != i)
            for r in st.uses_old:
                for m in removers.get(r, ()):
                    if m != i:
                        graph[m].add(i)
            for r in st.provides:
                graph[i].update(m for m in removers.get(r, ()) if m != i)
        for first, then in self.edges:
            graph[then].add(first)
        sorter = TopologicalSorter(graph)
        try:
            sorter.prepare()
        except CycleError as exc:
            cycle = " -> ".join(self.steps[n].op.describe() for n in exc.args[1])
            raise DbdesignError(f"cannot order the changes: dependency cycle: {cycle}") from None
        # Statements that cannot run in a transaction wait until nothing else is ready, so that
        # they come in few runs (each run is a no-transaction migration of its own).
        from dbdesign.emit.postgres_ops import runs_outside_transaction

        heaps: tuple[list[tuple[int, str, int]], list[tuple[int, str, int]]] = ([], [])
        out: list[Operation] = []
        outside = False  # in a run of such statements: finish it first
        while sorter.is_active():
            for n in sorter.get_ready():
                st = self.steps[n]
                heap = heaps[1] if runs_outside_transaction(st.op) else heaps[0]
                heapq.heappush(heap, (st.phase, st.op.subject, n))
            outside = bool(heaps[1]) and (outside or not heaps[0])
            _, _, n = heapq.heappop(heaps[1] if outside else heaps[0])
            out.append(self.steps[n].op)
            sorter.done(n)
        return tuple(out)


# --------------------------------------------------------------------------- small helpers


def _collation_users(schema: Schema, key: str) -> list[str]:
    """The columns, domains and indexes of ``schema`` that use the collation ``key``."""
    out = [
        f"{t.key}.{c.name}" for t in schema.tables.values() for c in t.columns if c.collation == key
    ]
    out += [d.key for d in schema.domains.values() if d.collation == key]
    out += [i.key for i in schema.indexes.values() if any(e.collation == key for e in i.elements)]
    return out


_CREATE: dict[str, Callable[[Any], Operation]] = {
    "trigger": lambda x: op.CreateTrigger(trigger=x),
    "rule": lambda x: op.CreateRule(rule=x),
    "policy": lambda x: op.CreatePolicy(policy=x),
}
_DROP: dict[str, Callable[[Any], Operation]] = {
    "trigger": lambda x: op.DropTrigger(trigger=x),
    "rule": lambda x: op.DropRule(rule=x),
    "policy": lambda x: op.DropPolicy(policy=x),
}


def _is_subsequence(old: tuple[str, ...], new: tuple[str, ...]) -> bool:
    it = iter(new)
    return all(v in it for v in old)


def _type_kind(t: op.TypeDef) -> str:
    if isinstance(t, EnumType):
        return "enum"
    return "domain" if isinstance(t, Domain) else "composite"


def _fn_kind(fn: Function) -> str:
    return "aggregate" if fn.kind == "aggregate" else "function"


def _without_comment(x: Any) -> Any:
    return dataclasses.replace(x, comment=None)


def _only_comment_differs(a: Any, b: Any) -> bool:
    return bool(a != b and _without_comment(a) == _without_comment(b))


def _only_meta_differs(a: Function, b: Function) -> bool:
    """Only the comment or grants differ (not the definition)."""
    return dataclasses.replace(a, comment=None, grants=frozenset()) == dataclasses.replace(
        b, comment=None, grants=frozenset()
    )


def _replaceable(a: Function, b: Function) -> bool:
    """CREATE OR REPLACE can turn ``a`` into ``b``: same kind, result and arguments."""
    if a.kind != b.kind or a.kind == "aggregate":
        return False
    return a.returns == b.returns and a.arguments == b.arguments


def _view_meta_only(a: View, b: View) -> bool:
    """Only comments or grants differ."""
    strip: dict[str, Any] = {
        "comment": None,
        "column_comments": FrozenMap(),
        "grants": frozenset(),
    }
    return dataclasses.replace(a, **strip) == dataclasses.replace(b, **strip)


def _strip_locations(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_locations(v) for k, v in node.items() if k != "location"}
    if isinstance(node, list):
        return [_strip_locations(v) for v in node]
    return node


def _target_list(query: str) -> Any:
    """A SELECT's output list (parse tree without positions), or None if it cannot be found."""
    from pglast.parser import parse_sql_json

    try:
        tree = json.loads(parse_sql_json(query))
        stmt = tree["stmts"][0]["stmt"]["SelectStmt"]
    except Exception:
        return None
    while stmt.get("op", "SETOP_NONE") != "SETOP_NONE":
        stmt = stmt["larg"]
    return _strip_locations(stmt.get("targetList"))


def _view_replaceable(a: View, b: View) -> bool:
    """CREATE OR REPLACE VIEW keeps the output columns: same names and expressions."""
    if a.materialized or b.materialized or a.column_names != b.column_names:
        return False
    ta = _target_list(a.query.text)
    return ta is not None and ta == _target_list(b.query.text)


def _replaced(a: Column, b: Column) -> bool:
    """DROP and ADD: a generated expression changed, or a plain column became generated."""
    return b.generated is not None and a.generated != b.generated


def _definition(c: Any) -> Any:
    """A constraint without its name and comment: what it does."""
    return dataclasses.replace(c, name="", comment=None)


def _keys(t: Table) -> list[PrimaryKey | Unique]:
    return ([t.primary_key] if t.primary_key else []) + list(t.uniques.values())


def _constraint_names(t: Table) -> list[str]:
    out = [t.primary_key.name] if t.primary_key else []
    return out + list(t.uniques) + list(t.checks) + list(t.exclusions)


def _key_names(t: Table) -> list[str]:
    return ([t.primary_key.name] if t.primary_key else []) + list(t.uniques)


def _index_names(t: Table) -> list[str]:
    """Relation names a table's key constraints take (their indexes)."""
    return _key_names(t) + list(t.exclusions)


def _parents_first(keys: list[str], schema: Schema) -> list[str]:
    """Table keys ordered so that partition and inheritance parents come before children."""
    depth: dict[str, int] = {}

    def level(k: str, seen: frozenset[str]) -> int:
        if k in depth:
            return depth[k]
        t = schema.tables.get(k)
        parents = ((t.partition_of,) if t.partition_of else t.inherits) if t else ()
        d = 0
        for p in parents:
            if p in schema.tables and p not in seen:
                d = max(d, level(p, seen | {k}) + 1)
        depth[k] = d
        return d

    return sorted(keys, key=lambda k: (level(k, frozenset()), k))


def _expr_label(text: str) -> str:
    """The name PostgreSQL gives an expression column of an index (its function's name)."""
    m = re.match(r'\s*\(*\s*(?:[\w"]+\.)?"?(\w+)"?\s*\(', text)
    return m.group(1).lower() if m else "expr"
