"""The planner's state and bookkeeping: the two schemas, the decisions taken about them, the
steps planned so far, and the few ways a step is added (with the resources it provides, removes
and needs: :mod:`~dbdesign.diff.planner.order`).

The planner (:class:`dbdesign.diff.compare._Planner`) is this class plus one mixin per step
of the plan, each in a module of its own; they share the state below.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from dbdesign.diff import operations as op
from dbdesign.diff.operations import ObjectRef, Operation
from dbdesign.diff.planner.order import PHASE, PlanStep, Res
from dbdesign.emit.postgres import SchemaSql
from dbdesign.model import Grant, Index, Schema, Table

_KIND = {
    "enum": "type",
    "domain": "type",
    "composite": "type",
    "aggregate": "function",
    "fk": "constraint",
}


def res_kind(kind: str) -> str:
    return _KIND.get(kind, kind)


def as_res(deps: Iterable[tuple[str, str]]) -> set[Res]:
    return {(res_kind(k), v) for k, v in deps}


def type_values(res: Iterable[Res]) -> set[Res]:
    """The values of the types among ``res`` (an enum's added labels): what an expression
    naming a label needs, as opposed to a column that only needs the type."""
    return {("enumvalue", k) for kind, k in res if kind == "type"}


def column_res(table: str, column: str) -> Res:
    return ("column", f"{table}.{column}")


def relname_res(schema: str, name: str) -> Res:
    """A name in a schema's relation namespace (tables, views, indexes, sequences share it)."""
    return ("relname", f"{schema}.{name}")


class PlanState:
    """The two schemas, what the planner decided about them, and the steps planned so far."""

    def __init__(
        self, source: Schema, target: Schema, safe: bool, column_order: bool = False
    ) -> None:
        self.s = source
        self.t = target
        self.ss = SchemaSql(source)
        self.ts = SchemaSql(target)
        self.safe = safe
        # rebuild a table whose target column order ALTER cannot reach (else: a note)
        self.column_order = column_order
        self.steps: list[PlanStep] = []
        self.edges: list[tuple[int, int]] = []  # (first, then)
        self.notes: list[str] = []
        # decisions
        self.gone: set[Res] = set()  # source objects dropped (removed or re-created)
        self.recreate: set[Res] = set()  # objects in both schemas, dropped and created again
        self.dropped_tables: set[str] = set()  # removed, re-created or rebuilt tables
        self.new_tables: set[str] = set()  # added, re-created or rebuilt tables
        self.rebuild: set[str] = set()
        self.changed_indexes: set[str] = set()  # kept indexes whose definition changes
        # tables left in another column order than the target's (not rebuilt): the order left
        self.order_left: dict[str, tuple[str, ...]] = {}
        self.sim: dict[str, Table] = {}  # source tables as their parents' changes leave them
        self.replaced_types: dict[str, op.ReplaceType] = {}
        self.type_use_columns: set[tuple[str, str]] = set()
        self.disturbed: dict[str, set[str]] = defaultdict(set)  # table -> columns
        self._deps_cache: dict[tuple[str, str, str], set[Res]] = {}
        self._rdeps: dict[Res, set[Res]] | None = None
        self._children: dict[str, list[str]] | None = None
        self.gone_routines_and_types: set[str] = set()
        self.left_behind: dict[str, Index] = {}  # indexes DETACH PARTITION leaves on a table
        # members of dropped tables that tie them in a cycle: dropped on their own, first
        self.dropped_alone: set[Res] = set()
        self._going_keys: dict[str, set[frozenset[str]]] = {}
        self._members: dict[str, list[tuple[str, str]]] | None = None
        self._unique_indexes: dict[str, list[str]] | None = None
        self.unchanged: set[str] = set()  # kept tables equal in both schemas

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
            PlanStep(
                operation,
                PHASE.get(type(operation), 36),
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
                out |= {column_res(key, c.name) for c in t.columns if star or c.name in wanted}
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
        out = as_res(sql.depends_hard(kind, key) if routine else sql.depends(kind, key))
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

    def create_object(
        self, kind: str, key: str, operation: Operation, *, provides: Iterable[Res] = ()
    ) -> int:
        res = (res_kind(kind), key)
        uses = self.deps("t", kind, key) - {res}
        return self.add(operation, provides={res, *provides}, uses_new=uses | type_values(uses))

    def drop_object(
        self,
        kind: str,
        key: str,
        operation: Operation,
        *,
        removes: Iterable[Res] = (),
        uses_old: Iterable[Res] = (),
    ) -> int:
        res = (res_kind(kind), key)
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
