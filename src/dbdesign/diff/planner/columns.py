"""Columns of a kept table: added, dropped, re-added (a generation expression changes) or
altered (type, default, identity, NOT NULL, comment).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable
from typing import Any

from dbdesign.dialects.postgres import make_object_name
from dbdesign.diff import operations as op
from dbdesign.diff.operations import Operation
from dbdesign.diff.planner.order import Res
from dbdesign.diff.planner.same import drop_and_add
from dbdesign.diff.planner.state import PlanState, as_res, column_res, relname_res, type_values
from dbdesign.model import Column, Table


class ColumnSteps(PlanState):
    """Plan the operations on the columns of a kept table."""

    def _column_uses(self, table: str, c: Column, side: str) -> set[Res]:
        """What a column needs: its type (and the type's values, when a default names one),
        what its default calls, the columns it is generated from."""
        sql = self._sql(side)
        out = as_res(sql.column_depends(c))
        if c.default is not None:
            out |= type_values(out)
        if c.generated is not None:
            out |= {
                column_res(table, n) for n in sql.expr_columns([c.generated.expr]) if n != c.name
            }
        return out

    def _parent_column_res(self, b: Table, names: Iterable[str]) -> set[Res]:
        parents = [b.partition_of] if b.partition_of else list(b.inherits)
        out: set[Res] = set()
        for p in parents:
            pt = self.t.tables.get(p)
            if pt is not None:
                out |= {column_res(p, n) for n in names if pt.column(n) is not None}
        return out

    def _identity_rel(self, t: Table, c: Column) -> set[Res]:
        """The relation name of an identity column's sequence (usually table_col_seq)."""
        if c.identity is None:
            return set()
        return {relname_res(t.schema, make_object_name(t.name, c.name, "seq"))}

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
                    removes={column_res(key, ca.name)},
                    uses_old=self._column_uses(key, ca, "s"),
                )
                if inherited:  # after the parent's (which may take it along)
                    self.steps[step].after_removal |= {column_res(p, ca.name) for p in parents}
        for cb in b.columns:
            was = old_cols.get(cb.name)
            if was is None:
                add(
                    op.AddColumn(table=key, column=cb),
                    provides={column_res(key, cb.name), *self._identity_rel(b, cb)},
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
        """The ALTERs that turn column ``ca`` of ``a`` into ``cb`` of ``b``, in the order the
        server needs them: generation and identity off, type, default, NOT NULL, identity on."""
        key = b.key
        res = column_res(key, cb.name)
        if self._readds(key, ca, cb):
            self._readd_column(key, ca, cb, add)
            return
        cur, drop_expr = self._drop_generation(key, ca, cb, add)
        cur, drop_ident = self._alter_identity(a, key, cur, cb, add)
        type_step: int | None = None
        default_step: int | None = None
        # (a column a replaced type converts gets its type and target default from that step)
        if (key, cb.name) not in self.type_use_columns:
            cur, type_step = self._alter_type(key, cur, cb, add)
            default_step = self._alter_default(key, cur, cb, add, after=(drop_ident, drop_expr))
        null_step = self._alter_nullable(a, b, cur, cb, add)
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

    def _readds(self, key: str, ca: Column, cb: Column) -> bool:
        """Whether the column is dropped and added again rather than altered."""
        if drop_and_add(ca, cb):
            return True
        disturbed = cb.name in self.disturbed.get(key, ())
        return bool(disturbed and cb.generated and ca.generated)

    def _readd_column(self, key: str, ca: Column, cb: Column, add: Callable[..., int]) -> None:
        """DROP and ADD (no ALTER changes a generation expression before PostgreSQL 17): two
        operations, so that the columns it reads can change in between."""
        res = column_res(key, cb.name)
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

    def _drop_generation(
        self, key: str, ca: Column, cb: Column, add: Callable[..., int]
    ) -> tuple[Column, int | None]:
        """A generated column that becomes plain loses its expression first: a generated column
        takes no default, and its type change (which removes and provides the column) must see
        a plain column. The column as it then is, and the step."""
        if ca.generated is None or cb.generated is not None:
            return ca, None
        step = add(
            op.DropExpression(table=key, column=ca),
            uses_old=self._column_uses(key, ca, "s") | {column_res(key, cb.name)},
        )
        return dataclasses.replace(ca, generated=None), step

    def _alter_identity(
        self, a: Table, key: str, cur: Column, cb: Column, add: Callable[..., int]
    ) -> tuple[Column, int | None]:
        """An identity dropped or altered (one added comes last); the column as it then is, and
        the step that drops the identity, if any."""
        res = column_res(key, cb.name)
        if cur.identity is not None and cb.identity is None:
            step = add(
                op.DropIdentity(table=key, column=cb.name, identity=cur.identity),
                uses_new={res},
                removes=self._identity_rel(a, cur),
            )
            return dataclasses.replace(cur, identity=None), step
        if cur.identity is not None and cb.identity is not None and cur.identity != cb.identity:
            add(
                op.AlterIdentity(table=key, column=cb.name, old=cur.identity, new=cb.identity),
                uses_new={res},
            )
            return dataclasses.replace(cur, identity=cb.identity), None
        return cur, None

    def _alter_type(
        self, key: str, cur: Column, cb: Column, add: Callable[..., int]
    ) -> tuple[Column, int | None]:
        """A new type or collation (a plain column takes its target default with it); the
        column as it then is, and the step."""
        if (cur.type, cur.collation) == (cb.type, cb.collation):
            return cur, None
        res = column_res(key, cb.name)
        plain = cb.identity is None and cb.generated is None
        new = dataclasses.replace(
            cur, type=cb.type, collation=cb.collation, default=cb.default if plain else None
        )
        enums = (
            cur.type.name in self.s.enums
            and cb.type.name in self.t.enums
            and cur.type.array_dims == cb.type.array_dims
        )
        step = add(
            op.AlterColumnType(table=key, old=cur, new=new, via_text=enums),
            removes={res},
            provides={res},
            uses_old=as_res(self.ss.column_depends(cur)),
            uses_new=self._column_uses(key, cb, "t"),
        )
        if cur.type != cb.type and cur.identity is None:
            cur = dataclasses.replace(cur, default=new.default)
        return dataclasses.replace(cur, type=cb.type, collation=cb.collation), step

    def _alter_default(
        self,
        key: str,
        cur: Column,
        cb: Column,
        add: Callable[..., int],
        *,
        after: tuple[int | None, ...],
    ) -> int | None:
        """The default set or dropped (a plain target column, after the steps ``after``), or
        dropped because the column becomes an identity; the step."""
        res = column_res(key, cb.name)
        if cb.identity is None and cb.generated is None and cur.default != cb.default:
            step = self._set_default(key, cur, cb, add)
            for first in after:
                self.before(first, step)
            return step
        if cb.identity is not None and cur.identity is None and cur.default is not None:
            return add(
                op.DropDefault(table=key, column=cb.name, old=cur.default),
                uses_new={res},
                uses_old=as_res(self.ss.expr_depends([cur.default])),
            )
        return None

    def _set_default(self, key: str, cur: Column, cb: Column, add: Callable[..., int]) -> int:
        """SET DEFAULT or DROP DEFAULT on a column that keeps no identity or generation."""
        res = column_res(key, cb.name)
        old_deps = as_res(self.ss.expr_depends([cur.default]))
        if cb.default is None:
            assert cur.default is not None
            return add(
                op.DropDefault(table=key, column=cb.name, old=cur.default),
                uses_new={res},
                uses_old=old_deps,
            )
        # after the type has what the default names (an enum value added, say)
        return add(
            op.SetDefault(table=key, column=cb.name, old=cur.default, new=cb.default),
            uses_new={
                res,
                *as_res(self.ts.expr_depends([cb.default])),
                *type_values(as_res(self.ts.type_depends(cb.type))),
            },
            uses_old=old_deps,
        )

    def _alter_nullable(
        self, a: Table, b: Table, cur: Column, cb: Column, add: Callable[..., int]
    ) -> int | None:
        """DROP NOT NULL (after a primary key that holds it goes) or SET NOT NULL (through a
        validated check on a live plain table in the safe forms); the step."""
        if cur.nullable == cb.nullable:
            return None
        key = b.key
        res = column_res(key, cb.name)
        if cb.nullable:
            step = add(op.DropNotNull(table=key, column=cb.name), uses_new={res})
            pk = a.primary_key
            if pk is not None and cb.name in pk.columns:
                # after the primary key that holds it NOT NULL goes
                self.steps[step].after_removal.add(("constraint", f"{key}.{pk.name}"))
            return step
        via = (
            self.safe
            and self.existing_table(key)
            and b.partition_by is None
            and not self.children(key)
        )
        return add(op.SetNotNull(table=key, column=cb.name, via_check=via), uses_new={res})
