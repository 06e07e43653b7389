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

plus a few explicit edges, and :func:`dbdesign.graph.topological_order` orders the result (ties by a
phase per operation kind, then by key, so the same pair of schemas always gives the same text).

Dependants: a view, trigger, policy, rule, index or SQL-standard routine that depends on an
object being dropped or re-created, or on a column whose type changes or that is dropped, is
dropped first and re-created afterwards (found from the source schema's dependency graph, built
on demand by :class:`~dbdesign.emit.postgres.SchemaSql`).

Inheritance children and partitions: ALTER TABLE on a parent reaches its children, so a child
is compared as the parent's changes leave it
(:meth:`~dbdesign.diff.planner.inheritance.InheritanceAndRebuilds._inherit`). A table whose
target column order ALTER cannot reach (columns are only ever appended) keeps the order ALTER
leaves, with a note; with ``column_order=True`` it is rebuilt.

The planner is :class:`_Planner`: its state (:mod:`~dbdesign.diff.planner.state`) and one
mixin per step, each in a module of :mod:`dbdesign.diff.planner`:

- :mod:`~dbdesign.diff.planner.decide`: types replaced, members re-created (before anything is
  planned);
- :mod:`~dbdesign.diff.planner.inheritance`: children as their parents' changes leave them,
  tables to rebuild;
- :mod:`~dbdesign.diff.planner.dependants`: what depends on what is dropped or re-created;
- :mod:`~dbdesign.diff.planner.objects`: schemas, extensions, collations, sequences;
- :mod:`~dbdesign.diff.planner.types`: enums, domains, composite types;
- :mod:`~dbdesign.diff.planner.tables`, :mod:`~dbdesign.diff.planner.columns`,
  :mod:`~dbdesign.diff.planner.constraints`: tables, their columns and constraints;
- :mod:`~dbdesign.diff.planner.indexes`: indexes;
- :mod:`~dbdesign.diff.planner.code`: routines, views, triggers, rules, policies;
- :mod:`~dbdesign.diff.planner.virtual`: SQLite's virtual tables (created and dropped only);
- :mod:`~dbdesign.diff.planner.order`: the resources and the order they give;
- :mod:`~dbdesign.diff.planner.same`: how two versions of an object differ.
"""

from __future__ import annotations

from dataclasses import dataclass

from dbdesign.diff.operations import Operation
from dbdesign.diff.planner.code import CodeSteps
from dbdesign.diff.planner.indexes import IndexSteps
from dbdesign.diff.planner.inheritance import InheritanceAndRebuilds
from dbdesign.diff.planner.objects import SchemaObjectSteps
from dbdesign.diff.planner.order import Res, order
from dbdesign.diff.planner.state import column_res
from dbdesign.diff.planner.tables import TableSteps
from dbdesign.diff.planner.types import TypeSteps
from dbdesign.diff.planner.virtual import VirtualTableSteps
from dbdesign.emit.postgres import SchemaSql
from dbdesign.model import Schema

__all__ = ["Planned", "plan"]


@dataclass(frozen=True, slots=True)
class Planned:
    """The planner's result: operations in execution order, notes, and the tables it creates
    empty (their statements carry no hazards)."""

    operations: tuple[Operation, ...]
    notes: tuple[str, ...]
    new_tables: frozenset[str]
    source_sql: SchemaSql
    target_sql: SchemaSql
    # tables whose target column order is not reached (not rebuilt): the order they are left in
    order_left: tuple[tuple[str, tuple[str, ...]], ...] = ()


def plan(
    source: Schema, target: Schema, *, safe: bool = True, column_order: bool = False
) -> Planned:
    """Operations that turn ``source`` into ``target``, in an order that runs.
    ``column_order``: rebuild a table whose column order ALTER cannot reach (else a note)."""
    return _Planner(source, target, safe, column_order).run()


class _Planner(
    TableSteps,
    InheritanceAndRebuilds,
    IndexSteps,
    CodeSteps,
    TypeSteps,
    SchemaObjectSteps,
    VirtualTableSteps,
):
    """Decide (types, re-created objects, rebuilds, dependants), then plan each kind of object,
    then order the steps."""

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
                seeds |= {column_res(tk, c) for c in cols}
        for key, rep in self.replaced_types.items():
            seeds.add(("type", key))
            seeds |= {column_res(u.table, u.column) for u in rep.uses}
        self._typed_expression_indexes()
        seeds |= {("table", tk) for tk in self.dropped_tables}
        self.gone |= {r for r in seeds if r[0] != "column"}
        self.propagate(seeds)

        self.gone_routines_and_types = {r[1] for r in self.gone if r[0] == "function"} | set(
            self.replaced_types
        )
        self._emit_namespaces()
        self._emit_extensions()
        self._emit_collations()
        self._emit_types()
        self._emit_sequences()
        self._emit_functions()
        self._emit_tables()
        self._emit_virtual_tables()
        self._emit_views()
        self._emit_indexes()
        self._emit_triggers_rules_policies()
        self._note_encoding()
        quiet = frozenset(self.new_tables - self.rebuild)
        return Planned(
            order(self.steps, self.edges),
            tuple(self.notes),
            quiet,
            self.ss,
            self.ts,
            tuple(sorted(self.order_left.items())),
        )

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
