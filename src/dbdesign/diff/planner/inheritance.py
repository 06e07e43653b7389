"""Inheritance children, partitions and rebuilt tables.

ALTER TABLE on a parent reaches its children, so a child is compared as the parent's changes
leave it (:meth:`InheritanceAndRebuilds._inherit`). A table whose target column order ALTER
cannot reach (columns are only ever appended) keeps the order ALTER leaves, with a note, unless
the plan is asked for the column order (``column_order=True``: it is rebuilt); a table that
gains an inheritance parent with checks is rebuilt.
"""

from __future__ import annotations

import dataclasses

from dbdesign.diff.planner.decide import Decisions
from dbdesign.diff.planner.same import drop_and_add
from dbdesign.model import Column, Schema, Table


class InheritanceAndRebuilds(Decisions):
    """Kept tables as their parents' ALTERs leave them; the tables to rebuild."""

    def _simulate(self, common: list[str]) -> None:
        """Each kept table as its parents' ALTERs leave it, and the columns whose change
        disturbs dependants (parents first, so a child sees its parent's result)."""
        s, t = self.s, self.t
        for key in parents_first(common, s):
            if key in self.dropped_tables:
                continue
            b = t.tables[key]
            a = self._as_parents_leave(s.tables[key], b)
            self.sim[key] = a
            if a == b:
                self.unchanged.add(key)
            elif a.columns != b.columns:
                self._disturb(key, a, b)

    def _as_parents_leave(self, a: Table, b: Table) -> Table:
        """Source table ``a`` after the ALTERs of the parents it keeps in target ``b``."""
        if a.partition_of and a.partition_of == b.partition_of:
            a = self._inherit(a, a.partition_of)
        for p in a.inherits:
            if p in b.inherits:
                a = self._inherit(a, p)
        return a

    def _disturb(self, key: str, a: Table, b: Table) -> None:
        """The columns of ``key`` whose change disturbs dependants: dropped, changing type, or
        dropped and added; then the generated columns reading a disturbed column, which are
        dropped and added around it (until no more are found)."""
        new_cols = {c.name: c for c in b.columns}
        dist = self.disturbed[key]
        for ca in a.columns:
            cb = new_cols.get(ca.name)
            if cb is None or self._column_type_changes(key, ca, cb) or drop_and_add(ca, cb):
                dist.add(ca.name)
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
            if pn is None or drop_and_add(po, pn) or (c.name in dist and pn.generated is not None):
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
            if po is None or drop_and_add(po, pn) or pn.name in dist:
                out.append(dataclasses.replace(pn, comment=None, identity=None))
        return dataclasses.replace(child, columns=tuple(out))

    def _decide_rebuilds(self, common: list[str]) -> None:
        """Tables whose target column order ALTER cannot reach (rebuilt with ``column_order``;
        else, and always where a rebuild would not reach it either, ``order_left`` holds the
        order left and a note names them), and tables that gain an inheritance parent with
        checks (INHERIT would leave the parent's checks on the child as its own, where a child
        created with INHERITS only inherits them)."""
        for key in common:
            if key in self.dropped_tables:
                continue
            a, b = self.sim[key], self.t.tables[key]
            never = b.partition_by is not None or bool(b.partition_of or self.children(key))
            if self._inherits_checks(a, b) and not never:
                self._rebuild(key)
                continue
            result = self._order_after_alter(key)
            if result is None:
                continue
            wanted = ", ".join(c.name for c in b.columns)
            why = f"{key}: ALTER TABLE would leave the columns in the order ({', '.join(result)})"
            if never:
                self._leave_order(
                    key,
                    result,
                    f"{why}, not ({wanted}); a partitioned table, a partition or "
                    "an inheritance parent is not rebuilt",
                )
            elif self._parent_order_left(b):
                self._leave_order(
                    key,
                    result,
                    f"{why}, not ({wanted}): a rebuild would not reach it either "
                    "(a table created with INHERITS takes its parent's columns in the parent's "
                    "order, which the plan leaves too)",
                )
            elif not self.column_order:
                self._leave_order(
                    key,
                    result,
                    f"{why}, not ({wanted}): the column order is left so (only a "
                    "rebuild reaches it: --column-order / column_order=True copies every row "
                    "into a new table under an ACCESS EXCLUSIVE lock)",
                )
            else:
                self._rebuild(key)

    def _order_after_alter(self, key: str) -> list[str] | None:
        """The column order ALTER leaves a kept table in, when it is not the target's."""
        a, b = self.sim[key], self.t.tables[key]
        if a.columns == b.columns:
            return None
        dist = self.disturbed.get(key, set())
        new_cols = {c.name: c for c in b.columns}
        kept = [
            c.name
            for c in a.columns
            if c.name in new_cols
            and not (c.name in dist and new_cols[c.name].generated is not None)
        ]
        result = kept + [c.name for c in b.columns if c.name not in kept]
        return None if result == [c.name for c in b.columns] else result

    def _parent_order_left(self, b: Table) -> bool:
        """Whether an inheritance parent of ``b`` is left in another order than the target's
        (a parent is never rebuilt): a child created anew would take that order."""
        return any(
            p in self.sim and p not in self.dropped_tables and self._order_after_alter(p)
            for p in b.inherits
        )

    def _leave_order(self, key: str, result: list[str], note: str) -> None:
        self.order_left[key] = tuple(result)
        self.notes.append(note)

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


def parents_first(keys: list[str], schema: Schema) -> list[str]:
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
