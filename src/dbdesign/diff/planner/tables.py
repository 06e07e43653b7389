"""Tables: created, dropped, re-created or rebuilt whole; a kept table compared
(partitions attached and detached, inheritance added and removed, columns, constraints,
options, row security, comment and grants).
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from dbdesign.dialects.postgres import choose_name, make_object_name
from dbdesign.diff import operations as op
from dbdesign.diff.planner.columns import ColumnSteps
from dbdesign.diff.planner.constraints import ConstraintSteps, constraint_names, index_names
from dbdesign.diff.planner.inheritance import parents_first
from dbdesign.diff.planner.objects import owner_table
from dbdesign.diff.planner.order import Res
from dbdesign.diff.planner.same import only_comment_differs
from dbdesign.diff.planner.state import column_res, relname_res, type_values
from dbdesign.emit.pg_bounds import key_columns, partition_bound_check
from dbdesign.model import Check, Expr, ForeignKey, FrozenMap, Index, Table


class TableSteps(ConstraintSteps, ColumnSteps):
    """Plan the operations on whole tables and on kept tables."""

    def _table_resources(self, tb: Table, indexes: Iterable[Index] = ()) -> set[Res]:
        key = tb.key
        out: set[Res] = {("table", key), relname_res(tb.schema, tb.name)}
        out |= {column_res(key, c.name) for c in tb.columns}
        out |= {("constraint", f"{key}.{n}") for n in constraint_names(tb)}
        out |= {relname_res(tb.schema, n) for n in index_names(tb)}
        for ix in indexes:
            out |= {("index", ix.key), relname_res(ix.schema, ix.name)}
        return out

    def _emit_tables(self) -> None:
        s, t = self.s, self.t
        owned: dict[str, set[Res]] = defaultdict(set)
        for sk, q in s.sequences.items():
            owner = owner_table(q.owned_by, s)
            if owner is not None:
                owned[owner[0]].add(("owner-of", sk))
        replaced = {("type", k) for k in self.replaced_types}
        for key in sorted(self.rebuild):
            a, b = self.sim[key], t.tables[key]
            a_indexes = tuple(ix for ix in s.indexes.values() if ix.table_key == key)
            fks = {("constraint", f"{key}.{n}") for n in a.foreign_keys}
            names = {relname_res(a.schema, a.name)} | {
                relname_res(a.schema, n) for n in index_names(a)
            }
            names |= {("constraint", f"{key}.{n}") for n in index_names(a)} | fks
            for ix in a_indexes:
                names |= {("index", ix.key), relname_res(ix.schema, ix.name)}
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
                | type_values(new_deps)
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
        dropped = sorted(self.dropped_tables - self.rebuild)
        removed = {
            key: self._table_resources(s.tables[key])
            | owned[key]
            | {("constraint", f"{key}.{n}") for n in s.tables[key].foreign_keys}
            for key in dropped
        }
        cut_fks, cut_members = self._drop_knots(dropped, removed)
        self.dropped_alone |= cut_members  # the code and index steps drop them
        for key in dropped:
            ta = s.tables[key]
            cut = {n for t_key, n in cut_fks if t_key == key}
            for name in sorted(cut):
                self._drop_constraint(key, ta.foreign_keys[name])
            self.drop_object(
                "table",
                key,
                op.DropTable(table=ta, recreated=self._recreated_why(key)),
                removes=removed[key] - {("constraint", f"{key}.{n}") for n in cut},
                uses_old=self._fk_targets(key, ta, skip=cut)
                | self._members_need(key, skip=cut_members),
            )
        both = [
            k
            for k in s.tables
            if k in t.tables
            and k not in self.dropped_tables
            and (k not in self.unchanged or self._touched(s.tables[k]))
        ]
        for key in parents_first(both, t):
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

    def _members_of(self, key: str) -> list[tuple[str, str]]:
        """The triggers, policies, rules and expression or partial indexes of a source table:
        dropping the table drops them."""
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
        return self._members.get(key, [])

    def _member_needs(self, table: str, kind: str, key: str) -> set[Res]:
        """What a member of ``table`` holds on to, other than the table itself."""
        return {
            r
            for r in self.deps("s", kind, key)
            if r != ("table", table) and not (r[0] == "column" and r[1].startswith(table + "."))
        }

    def _members_need(self, key: str, skip: Collection[tuple[str, str]] = ()) -> set[Res]:
        """What the triggers, policies, rules and indexes of a table hold on to: dropping the
        table drops them, so it goes before what they need (a trigger's function, say). Those in
        ``skip`` are dropped on their own."""
        out: set[Res] = set()
        for m in self._members_of(key):
            if m not in skip:
                out |= self._member_needs(key, *m)
        return out

    def _drop_knots(
        self, keys: list[str], removed: Mapping[str, set[Res]]
    ) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
        """The foreign keys ``(table, name)`` and members ``(kind, key)`` that tie dropped
        tables in a cycle, each DROP TABLE needing another to go after it: store and staff
        referencing each other; a rule on an inheritance parent writing into a child (the child
        goes before its parent). They are dropped on their own first, so that the tables can go
        one by one. ``removed``: what each table's DROP TABLE removes."""
        owner = {r: key for key, rs in removed.items() for r in rs}

        def tables(needs: set[Res], key: str) -> set[str]:
            return {owner[r] for r in needs if r in owner} - {key}

        fk_to: dict[str, dict[str, set[str]]] = {}
        member_to: dict[str, dict[tuple[str, str], set[str]]] = {}
        graph: dict[str, set[str]] = {}
        for key in keys:
            ta = self.s.tables[key]
            fk_to[key] = {
                n: tables(self._fk_needs(key, fk), key)
                for n, fk in ta.foreign_keys.items()
                if fk.ref_table != key
            }
            member_to[key] = {
                m: tables(self._member_needs(key, *m), key) for m in self._members_of(key)
            }
            graph[key] = tables(self.deps("s", "table", key), key)
            for to in (*fk_to[key].values(), *member_to[key].values()):
                graph[key] |= to
        mates = _cycle_mates(graph)
        fks = {(k, n) for k in keys for n, to in fk_to[k].items() if to & mates[k]}
        members = {m for k in keys for m, to in member_to[k].items() if to & mates[k]}
        return fks, members

    def _touched(self, t: Table) -> bool:
        """An unchanged table whose constraints must still be dropped and re-created: a foreign
        key onto a key that goes, a check calling a routine that is re-created."""
        if any(self._fk_needs_recreate(t.key, fk) for fk in t.foreign_keys.values()):
            return True
        gone = self.gone_routines_and_types
        return bool(gone) and any(
            k in gone for c in t.checks.values() for _, k in self.ss.expr_depends([c.expr])
        )

    def _fk_targets(self, key: str, t: Table, skip: Collection[str] = ()) -> set[Res]:
        """What a table's own foreign keys hold on to (dropped with the table, so the table
        goes before them). Those named in ``skip`` are dropped on their own."""
        out: set[Res] = set()
        for name, fk in t.foreign_keys.items():
            if fk.ref_table != key and name not in skip:
                out |= self._fk_needs(key, fk)
        return out

    def _fk_needs(self, key: str, fk: ForeignKey) -> set[Res]:
        """What a foreign key of ``key`` holds on to, other than its own table."""
        out = self._constraint_deps("s", key, fk) - {("table", key)}
        return {r for r in out if not (r[0] == "column" and r[1].startswith(key + "."))}

    def _diff_table(self, a: Table, b: Table) -> None:
        key = b.key
        t_res = ("table", key)
        first: list[int] = []  # detach / no inherit: before everything else on the table
        last: list[int] = []  # attach / inherit: after everything else on the table
        a = self._diff_partition_of(a, b, first, last)
        a = self._diff_inherits(a, b, first, last)
        steps = self._diff_columns(a, b)
        steps += self._diff_constraints(a, b)
        steps += self._diff_table_options(a, b)
        self.comment("TABLE", key, a.comment, b.comment, owner=t_res)
        self.grants("TABLE", key, a.grants, b.grants, t_res)
        for f in first:
            for st in steps + last:
                self.before(f, st)
        for lst in last:
            for st in steps:
                self.before(st, lst)

    def _diff_partition_of(self, a: Table, b: Table, first: list[int], last: list[int]) -> Table:
        """DETACH PARTITION (onto ``first``) and ATTACH PARTITION (onto ``last``) where the
        parent or the bound changes; the table as it is before its other changes."""
        if a.partition_of == b.partition_of and (
            not a.partition_of or a.partition_bound == b.partition_bound
        ):
            return a
        key = b.key
        t_res = ("table", key)
        proof, check = self._prove_bound(a, b) if b.partition_of else (None, None)
        if a.partition_of:
            detach = self.add(
                op.DetachPartition(parent=a.partition_of, table=key, bound=a.partition_bound),
                uses_old={("table", a.partition_of), t_res},
            )
            first.append(detach)
            self.before(proof, detach)
            parent = self.s.tables.get(a.partition_of)
            if parent is not None:
                a = self._detached(a, parent, first)
        if b.partition_of:
            attach = self.add(
                op.AttachPartition(
                    parent=b.partition_of,
                    table=key,
                    bound=b.partition_bound,
                    bound_check=check,
                ),
                uses_new={("table", b.partition_of), t_res}
                | {column_res(key, c.name) for c in b.columns}
                | {column_res(b.partition_of, c.name) for c in b.columns},
            )
            self.before(proof, attach)
            # after the table's own indexes that go (the parent's would take them over)
            self.steps[attach].after_removal.add(("index-on", key))
            last.append(attach)
            a = self._prepare_attach(a, b, last)
        return a

    def _prove_bound(self, a: Table, b: Table) -> tuple[int | None, str | None]:
        """In the safe forms, the step proving a live plain table fits the bound it is attached
        with (:class:`op.ProvePartitionBound`: the ATTACH then does not scan it under an ACCESS
        EXCLUSIVE lock) and the name of its check; Nones where there is no such step: a table
        the plan creates (empty), one that is partitioned or has children, a bound with no
        CHECK form (HASH, DEFAULT, a key that is an expression), a key column the plan adds
        or changes."""
        key = b.key
        parent = self.t.tables.get(b.partition_of or "")
        if (
            not self.safe
            or parent is None
            or parent.partition_by is None
            or not self.existing_table(key)
            or b.partition_by is not None
            or self.children(key)
        ):
            return None, None
        before = {c.name: c for c in a.columns}
        after = {c.name: c for c in b.columns}
        columns = key_columns(parent.partition_by)
        for c in columns:
            old, new = before.get(c or ""), after.get(c or "")
            if old is None or new is None or (old.type, old.collation) != (new.type, new.collation):
                return None, None
        check = partition_bound_check(parent.partition_by, b.partition_bound)
        if check is None:
            return None, None
        name = make_object_name(b.name, None, "dbdesign_bound")
        step = self.add(
            op.ProvePartitionBound(
                table=key, parent=parent.key, check=Check(name=name, expr=Expr(check))
            ),
            provides={("constraint", f"{key}.{name}")},
            uses_new={("table", key)} | {column_res(key, c) for c in columns if c},
        )
        return step, name

    def _diff_inherits(self, a: Table, b: Table, first: list[int], last: list[int]) -> Table:
        """NO INHERIT (onto ``first``) and INHERIT (onto ``last``) for the parents that go and
        come (all of them when the order of the kept ones changes); the table as it is after
        the NO INHERITs."""
        if a.inherits == b.inherits:
            return a
        key = b.key
        t_res = ("table", key)
        common = [p for p in a.inherits if p in b.inherits]
        keep_order = common == [p for p in b.inherits if p in a.inherits]
        for p in a.inherits:
            if p not in b.inherits or not keep_order:
                first.append(
                    self.add(op.DropInherit(table=key, parent=p), uses_old={("table", p), t_res})
                )
                a = self._no_longer_inherits(a, p)
        for p in b.inherits:
            if p not in a.inherits or not keep_order:
                last.append(
                    self.add(
                        op.AddInherit(table=key, parent=p),
                        uses_new={("table", p), t_res}
                        | {column_res(key, c.name) for c in b.columns}
                        | {("constraint", f"{key}.{n}") for n in b.checks},
                    )
                )
        return a

    def _diff_table_options(self, a: Table, b: Table) -> list[int]:
        """Storage parameters, UNLOGGED, and row security enabled and forced."""
        key = b.key
        t_res = ("table", key)
        steps: list[int] = []
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
        return steps

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
            if wanted is not None and (wanted == left or only_comment_differs(wanted, left)):
                self.left_behind[left.key] = left  # the target has it: nothing to create
            else:
                step = self.add(
                    op.DropIndex(index=left),
                    removes={("index", left.key), relname_res(left.schema, left.name)},
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


def _expr_label(text: str) -> str:
    """The name PostgreSQL gives an expression column of an index (its function's name)."""
    m = re.match(r'\s*\(*\s*(?:[\w"]+\.)?"?(\w+)"?\s*\(', text)
    return m.group(1).lower() if m else "expr"


def _cycle_mates(graph: Mapping[str, set[str]]) -> dict[str, set[str]]:
    """For each node, the other nodes of its cycles: those it reaches and that reach it."""
    reach: dict[str, set[str]] = {}
    for start in graph:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo.extend(graph.get(n, ()))
        reach[start] = seen
    return {n: {m for m in reach[n] if m != n and n in reach.get(m, ())} for n in graph}
