"""Table constraints: keys, checks, exclusions and foreign keys added, dropped, renamed,
validated or re-created (a foreign key onto a key that goes, a check calling a routine that is
re-created), and the resources each needs.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any

from dbdesign.diff import operations as op
from dbdesign.diff.planner.decide import Decisions
from dbdesign.diff.planner.order import Res
from dbdesign.diff.planner.same import definition, without_comment
from dbdesign.diff.planner.state import as_res, column_res, relname_res, type_values
from dbdesign.model import Check, Exclusion, ForeignKey, PrimaryKey, Table, Unique


class ConstraintSteps(Decisions):
    """Plan the operations on the constraints of a table."""

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
            return {frozenset(c.columns) for c in key_constraints(a)} if a is not None else set()
        new_defs = {definition(c) for c in key_constraints(b)}
        out = {frozenset(c.columns) for c in key_constraints(a) if definition(c) not in new_defs}
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
            out |= {column_res(table, x) for x in (*c.columns, *c.include)}
        elif isinstance(c, Check):
            names = sql.expr_columns([c.expr])
            for x in tb.columns:
                if x.name in names:  # the column, and its type's values (the check names them)
                    out |= {
                        column_res(table, x.name),
                        *type_values(as_res(sql.type_depends(x.type))),
                    }
            out |= as_res(sql.expr_depends([c.expr]))
        elif isinstance(c, Exclusion):
            exprs = [c.where, *(e.element.expr for e in c.elements)]
            names = sql.expr_columns(exprs) | {
                e.element.column for e in c.elements if e.element.column
            }
            out |= {column_res(table, x.name) for x in tb.columns if x.name in names}
            out |= as_res(sql.expr_depends(exprs))
        else:
            out |= {column_res(table, x) for x in c.columns}
            out |= {("table", c.ref_table)} | {column_res(c.ref_table, x) for x in c.ref_columns}
            ref = sch.tables.get(c.ref_table)
            if ref is not None:
                out |= {("constraint", f"{ref.key}.{n}") for n in key_names(ref)}
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
            elif self.safe and (simple or (existing and isinstance(c, Check))):
                # a partitioned table takes a CHECK ... NOT VALID (its VALIDATE reaches the
                # partitions), not a foreign key (PostgreSQL 17 and earlier)
                form = "validate_after"
        elif (
            isinstance(c, PrimaryKey | Unique) and self.safe and simple and not self.children(table)
        ):
            form = "using_index"
        provides: set[Res] = {("constraint", f"{table}.{c.name}")}
        if isinstance(c, PrimaryKey | Unique | Exclusion):
            provides.add(relname_res(tb.schema, c.name))
        return self.add(
            op.AddConstraint(table=table, constraint=c, form=form),
            provides=provides,
            uses_new=self._constraint_deps("t", table, c),
        )

    def _drop_constraint(self, table: str, c: op.Constraint) -> int:
        ta = self.s.tables[table]
        removes: set[Res] = {("constraint", f"{table}.{c.name}")}
        if isinstance(c, PrimaryKey | Unique | Exclusion):
            removes.add(relname_res(ta.schema, c.name))
        return self.add(
            op.DropConstraint(table=table, constraint=c),
            removes=removes,
            uses_old=self._constraint_deps("s", table, c),
        )

    def _diff_constraints(self, a: Table, b: Table) -> list[int]:
        key = b.key
        steps: list[int] = []
        pairs = self._constraint_renames(key, _constraint_pairs(a, b), steps)
        for x, y in pairs:
            if isinstance(y, ForeignKey) and self._fk_cloned(b, y):
                y = None
            if isinstance(x, ForeignKey) and a.partition_of and self._fk_cloned(a, x):
                x = None
            if x is not None or y is not None:
                self._diff_constraint(key, x, y, steps)
        return steps

    def _diff_constraint(
        self, key: str, x: op.Constraint | None, y: op.Constraint | None, steps: list[int]
    ) -> None:
        """One constraint of table ``key`` (``x`` in the source, ``y`` in the target): dropped,
        added, re-created, validated or invalidated, or its comment changed."""
        recreate = x is not None and y is not None and without_comment(x) != without_comment(y)
        forced = x is not None and (
            (isinstance(x, ForeignKey) and self._fk_needs_recreate(key, x))
            or self._touches_gone(key, x)
        )
        if recreate and not forced:
            step = self._validation_change(key, x, y)
            if step is not None:
                recreate = False
                steps.append(step)
        recreate = recreate or (forced and y is not None)
        if x is not None and (y is None or recreate):
            steps.append(self._drop_constraint(key, x))
        if y is not None and (x is None or recreate):
            steps.append(self._add_constraint(key, y))
        if x is not None and y is not None and not recreate:
            self._constraint_comment(key, x, y)

    def _constraint_comment(self, key: str, x: op.Constraint, y: op.Constraint) -> None:
        """COMMENT ON CONSTRAINT where the comment of a kept constraint changes."""
        if x.comment != y.comment:
            owner = ("constraint", f"{key}.{y.name}")
            self.comment("CONSTRAINT", key, x.comment, y.comment, member=y.name, owner=owner)

    def _touches_gone(self, key: str, c: op.Constraint) -> bool:
        """A check or exclusion of ``key`` that names a column whose type is replaced, or a
        routine or type that is dropped (it must go first and come back)."""
        if not isinstance(c, Check | Exclusion):
            return False
        exprs = (
            [c.expr] if isinstance(c, Check) else [c.where, *(e.element.expr for e in c.elements)]
        )
        if self._typed_column_refs(key, exprs):
            return True
        gone = self.gone_routines_and_types
        return bool(gone) and any(k in gone for _, k in self.ss.expr_depends(exprs))

    def _validation_change(
        self, key: str, x: op.Constraint | None, y: op.Constraint | None
    ) -> int | None:
        """Where a check or foreign key differs only in being validated (or in its comment):
        the VALIDATE (or the step that makes it NOT VALID) instead of a re-creation."""
        if not (isinstance(x, Check | ForeignKey) and isinstance(y, Check | ForeignKey)):
            return None
        if dataclasses.replace(x, validated=True, comment=None) != dataclasses.replace(
            y, validated=True, comment=None
        ):
            return None
        cres = {("constraint", f"{key}.{y.name}")}
        if y.validated:
            return self.add(op.ValidateConstraint(table=key, constraint=y), uses_new=cres)
        return self.add(op.InvalidateConstraint(table=key, constraint=y), uses_new=cres)

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
            by_def[(type(y), definition(y))].append(y)
        matched: dict[str, op.Constraint] = {}
        for x in gone:
            if isinstance(x, ForeignKey) and self._fk_needs_recreate(key, x):
                continue
            candidates = by_def.get((type(x), definition(x)), [])
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
                | ({relname_res(schema, old)} if renames_index else set()),
                provides={("constraint", f"{key}.{y.name}")}
                | ({relname_res(schema, y.name)} if renames_index else set()),
                uses_new={("table", key)},
            )
            steps.append(step)
            self._constraint_comment(key, x, y)
        targets = {y.name for y in matched.values()}
        return [
            (x, y)
            for x, y in pairs
            if not (x is not None and y is None and x.name in matched)
            and not (y is not None and x is None and y.name in targets)
        ]


def _constraint_pairs(
    a: Table, b: Table
) -> list[tuple[op.Constraint | None, op.Constraint | None]]:
    """The constraints of a kept table as (source, target) pairs by name; a primary key that
    changes its name is one that goes and one that comes."""
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
    return pairs


def key_constraints(t: Table) -> list[PrimaryKey | Unique]:
    return ([t.primary_key] if t.primary_key else []) + list(t.uniques.values())


def constraint_names(t: Table) -> list[str]:
    out = [t.primary_key.name] if t.primary_key else []
    return out + list(t.uniques) + list(t.checks) + list(t.exclusions)


def key_names(t: Table) -> list[str]:
    return ([t.primary_key.name] if t.primary_key else []) + list(t.uniques)


def index_names(t: Table) -> list[str]:
    """Relation names a table's key constraints take (their indexes)."""
    return key_names(t) + list(t.exclusions)
