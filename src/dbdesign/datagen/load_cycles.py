"""A cycle of foreign keys loaded the way an application must (``keep_cyclic_keys``): no key is
dropped or unchecked. The planner breaks each cycle at its cheapest key (foreign_keys.py's
load_order: deferrable first, then nullable); that key is checked at COMMIT when it can be
deferred, or written NULL and set by UPDATE after the rows it references are in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dbdesign.datagen.plan import DataPlan, TablePlan, cycle_null_columns
from dbdesign.errors import DbdesignError
from dbdesign.model import ForeignKey, Schema


@dataclass
class SetLater:
    """A nullable foreign key that closes a cycle, loaded as an application must: the rows go
    in with its nullable columns NULL, and an UPDATE sets them once the rows they reference
    are in."""

    tp: TablePlan
    fk: ForeignKey
    columns: tuple[str, ...]  # written NULL first
    keys: tuple[str, ...]  # the primary key: the row each UPDATE sets
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # key values, then the columns'

    def hold(self, values: dict[str, list[Any]]) -> None:
        """Take the columns' values out of one batch (internal values), leaving NULL."""
        n = len(values[self.columns[0]])
        for i in range(n):
            vals = tuple(values[c][i] for c in self.columns)
            if any(v is not None for v in vals):
                self.rows.append(tuple(values[k][i] for k in self.keys) + vals)
        for c in self.columns:
            values[c] = [None] * n

    def hold_rows(
        self, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
    ) -> list[tuple[Any, ...]]:
        """The same for a batch of rows already converted (SQLite values)."""
        pos = {c: i for i, c in enumerate(columns)}
        ki = [pos[k] for k in self.keys]
        ci = [pos[c] for c in self.columns]
        out = []
        for r in rows:
            vals = tuple(r[i] for i in ci)
            if any(v is not None for v in vals):
                self.rows.append(tuple(r[i] for i in ki) + vals)
            row = list(r)
            for i in ci:
                row[i] = None
            out.append(tuple(row))
        return out

    def py_rows(self) -> list[tuple[Any, ...]]:
        """(column values ..., key values ...) as Python values: an UPDATE's parameters."""
        gens = [self.tp.column(c).gen for c in (*self.keys, *self.columns)]
        nk = len(self.keys)
        out = []
        for r in self.rows:
            vals = [
                None if v is None or g is None else g.py(v) for g, v in zip(gens, r, strict=True)
            ]
            out.append(tuple(vals[nk:] + vals[:nk]))
        return out


def set_later(
    plan: DataPlan, can_defer: Callable[[Schema, ForeignKey], bool]
) -> dict[str, list[SetLater]]:
    """The keys that close a cycle and cannot be deferred, to be set by UPDATE (table key ->
    its keys); a DbdesignError for a key that can be neither deferred nor left NULL: no order
    of INSERTs satisfies the cycle, so no row of it can be inserted."""
    out: dict[str, list[SetLater]] = {}
    for table, name in plan.broken_fks:
        t = plan.schema.tables[table]
        fk = t.foreign_keys[name]
        if can_defer(plan.schema, fk):
            continue
        cols = cycle_null_columns(t, fk)
        if not cols:
            raise DbdesignError(
                f"{table}: foreign key {name} ({', '.join(fk.columns)}) closes a cycle of "
                "foreign keys that are NOT NULL and cannot be deferred: no order of INSERTs "
                "satisfies them, so no row of the cycle can be inserted (make one key of the "
                "cycle DEFERRABLE INITIALLY DEFERRED where the database can defer it, or "
                "nullable); nothing was loaded"
            )
        tp = plan.tables[table]
        pk = t.primary_key.columns if t.primary_key else ()
        if not pk or not set(pk) <= set(tp.out_columns) or set(pk) & set(cols):
            raise DbdesignError(
                f"{table}: foreign key {name} closes a cycle and would be set by UPDATE after "
                "the load, but the table has no primary key to find its rows by; nothing was "
                "loaded"
            )
        out.setdefault(table, []).append(SetLater(tp, fk, cols, tuple(pk)))
    return out


def unloadable(table: str, name: str, how: str, fix: str) -> str:
    """The note for a cycle of NOT NULL keys that could not be loaded as they are."""
    return (
        f"{table}: foreign key {name} closes a cycle of foreign keys that are NOT NULL and are "
        f"checked as each row is inserted, so no order of INSERTs satisfies them and an "
        f"application could not insert these rows: {how}; make one key of the cycle {fix}"
    )
