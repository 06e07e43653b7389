"""Decisions taken before any operation is planned: which types are replaced, which columns
a replaced type converts, and which routines, views, indexes, triggers, rules and policies
changed beyond what ALTER (or CREATE OR REPLACE) can do, so are dropped and created again.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from dbdesign.dialects.postgres import type_sql
from dbdesign.diff import operations as op
from dbdesign.diff.planner.same import (
    only_comment_differs,
    only_meta_differs,
    replaceable,
    view_meta_only,
    view_replaceable,
)
from dbdesign.diff.planner.state import PlanState
from dbdesign.model import Column, CompositeType, Domain, EnumType, Table


class Decisions(PlanState):
    """What changes beyond ALTER: replaced types, re-created routines and members."""

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

    def _decide_functions(self) -> None:
        s, t = self.s, self.t
        for key in s.functions.keys() & t.functions.keys():
            a, b = s.functions[key], t.functions[key]
            if a != b and not only_meta_differs(a, b) and not replaceable(a, b):
                self.recreate.add(("function", key))

    def _decide_changed(self) -> None:
        """Views, indexes, triggers, rules and policies that changed beyond ALTER."""
        s, t = self.s, self.t
        for key in s.views.keys() & t.views.keys():
            a, b = s.views[key], t.views[key]
            if a != b and not view_meta_only(a, b) and not view_replaceable(a, b):
                self.recreate.add(("view", key))
        for key in s.indexes.keys() & t.indexes.keys():
            ai, bi = s.indexes[key], t.indexes[key]
            if ai != bi and not only_comment_differs(ai, bi):
                self.recreate.add(("index", key))
                self.changed_indexes.add(key)
        for key in s.triggers.keys() & t.triggers.keys():
            at, bt = s.triggers[key], t.triggers[key]
            if at != bt and dataclasses.replace(at, comment=None, enabled="O") != (
                dataclasses.replace(bt, comment=None, enabled="O")
            ):
                self.recreate.add(("trigger", key))
        for key in s.rules.keys() & t.rules.keys():
            ar, br = s.rules[key], t.rules[key]
            if ar != br and not only_comment_differs(ar, br):
                self.recreate.add(("rule", key))
        for key in s.policies.keys() & t.policies.keys():
            ap, bp = s.policies[key], t.policies[key]
            if ap == bp or only_comment_differs(ap, bp):
                continue
            fixed = (ap.command, ap.permissive) == (bp.command, bp.permissive)
            keeps = (bp.using is not None or ap.using is None) and (
                bp.with_check is not None or ap.with_check is None
            )
            if not (fixed and keeps):
                self.recreate.add(("policy", key))


def _is_subsequence(old: tuple[str, ...], new: tuple[str, ...]) -> bool:
    it = iter(new)
    return all(v in it for v in old)
