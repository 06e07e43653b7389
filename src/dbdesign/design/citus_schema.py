"""The schema of a design made for its Citus plan: what Citus requires of a distributed table,
done wherever it keeps the meaning of the design, with a decision for each change.

Per distributed table, parents first:

- the distribution column is added where the table has none (a child co-located through its
  parent): NOT NULL, of the parent's column's type, and the reference to the parent carries it,
  so the database checks that the row and its parent share it;
- the primary key gets the distribution column last, so it still serves lookups by its own
  columns (``id`` stays unique on its own: the longer key is unique exactly when it is);
- a reference to a table of the same group holds the distribution column at the same place as
  the referenced key (``(customer_id, order_id) → orders (customer_id, id)``);
- a unique key that holds a column determining the distribution column (its own key, or a
  reference to the group) gets it last: unique exactly when it was; one with the primary key's
  columns is dropped, the primary key now being it;
- a reference that holds the distribution column and set NULL on delete RESTRICTs instead (Citus
  refuses SET NULL there, even of some columns): the application clears it first.

What cannot keep its meaning (a key unique across the whole table, a reference between
groups) is left as designed, and :mod:`.citus_rules` reports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from dbdesign.design.citus import Designed, Placement, parents_first
from dbdesign.design.draft import Decision, PatternPlan, TableInfo
from dbdesign.model import Column, FrozenMap, Index, IndexElement, Schema, Table

WHY_KEY = "Citus: a distributed table's unique keys include its distribution column"


@dataclass(slots=True)
class _Adapter:
    d: Designed
    by_key: dict[str, Placement]
    tables: dict[str, Table]
    indexes: dict[str, Index]
    used: set[str]  # the indexes access patterns were designed to use (never dropped)
    decisions: list[Decision] = field(default_factory=list)
    dropped: set[str] = field(default_factory=set)
    # table key -> (the first column of a reference, what its relationship line says now)
    said: list[tuple[str, str, str]] = field(default_factory=list)

    def decide(self, subject: str, choice: str, reason: str) -> None:
        self.decisions.append(Decision(subject, choice, reason))

    def run(self) -> None:
        keys = [k for k, p in self.by_key.items() if p.role == "distributed"]
        for key in parents_first(self.tables, keys):
            p = self.by_key[key]
            assert p.column is not None
            if p.added and p.parent and p.column not in _columns(self.tables[key]):
                self._add_column(key, p)
            t = self.tables[key]
            if t.primary_key and p.column not in t.primary_key.columns:
                pk = t.primary_key
                cols = (*pk.columns, p.column)
                self.tables[key] = t = replace(t, primary_key=replace(pk, columns=cols))
                self.decide(
                    pk.name,
                    f"primary key ({', '.join(cols)})",
                    f"{WHY_KEY}; last, so the key still serves lookups by "
                    f"{', '.join(pk.columns)}, unique on its own as before",
                )
            self.tables[key] = self._references(t, p)
            self._uniques(key, p.column)

    def _add_column(self, key: str, p: Placement) -> None:
        assert p.parent is not None and p.column is not None
        parent = self.tables[p.parent]
        q = self.by_key[p.parent]
        source = next(c for c in parent.columns if c.name == q.column)
        col = Column(name=p.column, type=source.type, nullable=False)
        t = self.tables[key]
        via = next(fk for fk in t.foreign_keys.values() if fk.ref_table == p.parent)
        at = next(i for i, c in enumerate(t.columns) if c.name == via.columns[0])
        for k, part in self.tables.items():
            if k == key or part.partition_of == key:
                cols = list(part.columns)
                cols.insert(at, col)
                self.tables[k] = replace(part, columns=tuple(cols))
        self.decide(
            f"{t.name}.{p.column}",
            f"distribution column {p.column}, carried from {parent.name}",
            f"Citus keeps the rows of one {p.column} on one node: a row of {t.name} lives with "
            f"its {parent.name} row, whose {q.column} it holds (set on insert; the foreign key "
            "checks it)",
        )

    def _unique_sets(self, key: str) -> list[set[str]]:
        t = self.tables[key]
        sets = [set(u.columns) for u in t.uniques.values()]
        if t.primary_key:
            sets.append(set(t.primary_key.columns))
        return sets

    def _references(self, t: Table, p: Placement) -> Table:
        col = p.column
        assert col is not None
        fks = dict(t.foreign_keys)
        for name, fk in t.foreign_keys.items():
            q = p if fk.ref_table == t.key else self.by_key.get(fk.ref_table)
            if q is None:
                continue
            if q.role == "distributed" and q.group == p.group and col not in fk.columns:
                assert q.column is not None
                ref = (q.column, *fk.ref_columns)
                if q.column not in fk.ref_columns and set(ref) in self._unique_sets(q.table):
                    self.said.append((t.key, fk.columns[0], f" (with `{col}`: Citus)"))
                    fk = replace(fk, columns=(col, *fk.columns), ref_columns=ref)
                    self.decide(
                        name,
                        f"({', '.join(fk.columns)}) references {q.name} ({', '.join(ref)})",
                        f"Citus: a reference between co-located tables holds the distribution "
                        f"column; the row and its {q.name} row share {col}, on one node",
                    )
            if col in fk.columns and fk.on_delete in ("SET NULL", "SET DEFAULT"):
                cleared = fk.on_delete_columns or tuple(c for c in fk.columns if c != col)
                self.decide(
                    name,
                    "ON DELETE RESTRICT instead of " + fk.delete_action,
                    f"Citus refuses SET NULL on a foreign key that holds the distribution "
                    f"column {col}, even of some columns: the application sets "
                    f"{', '.join(cleared)} to NULL before it deletes the {q.name} row",
                )
                shown = next(c for c in fk.columns if c != col)
                self.said.append((t.key, shown, f"ON DELETE {fk.delete_action}"))
                fk = replace(fk, on_delete="RESTRICT", on_delete_columns=())
            fks[name] = fk
        return replace(t, foreign_keys=FrozenMap(fks))

    def _determines(self, t: Table, col: str) -> set[str]:
        """The columns whose value fixes the distribution column's: the primary key's own, and
        those of a reference that holds it."""
        out = {c for c in (t.primary_key.columns if t.primary_key else ()) if c != col}
        for fk in t.foreign_keys.values():
            if col in fk.columns:
                out |= set(fk.columns) - {col}
        return out

    def _uniques(self, key: str, col: str) -> None:
        t = self.tables[key]
        pk = set(t.primary_key.columns) if t.primary_key else set()
        fixing = self._determines(t, col)
        uniques = {}
        for name, u in t.uniques.items():
            if col not in u.columns and set(u.columns) & fixing:
                u = replace(u, columns=(*u.columns, col))
                self.decide(name, f"unique ({', '.join(u.columns)})", _why_unique(col))
            if set(u.columns) == pk and name not in self.used:
                self.decide(name, "dropped", "the primary key holds the same columns")
                self.dropped.add(name)
                continue
            uniques[name] = u
        self.tables[key] = replace(t, uniques=FrozenMap(uniques))
        for ix_key, ix in list(self.indexes.items()):
            cols = {e.column for e in ix.elements}
            if ix.table_key != key or not ix.unique or col in cols or not cols & fixing:
                continue
            ix = replace(ix, elements=(*ix.elements, IndexElement(column=col)))
            self.indexes[ix_key] = ix
            shown = ", ".join(e.column or "(expression)" for e in ix.elements)
            self.decide(ix.name, f"unique ({shown})", _why_unique(col))


def _why_unique(col: str) -> str:
    return (
        f"{WHY_KEY}; {col} last: a column of the key fixes the row's {col}, so the key is "
        "unique exactly when it was"
    )


def _columns(t: Table) -> set[str]:
    return {c.name for c in t.columns}


@dataclass(frozen=True, slots=True)
class Adapted:
    """What making a design's schema for Citus changed: the schema, the decisions that made it,
    the tables' relationships and the access patterns as they now are."""

    schema: Schema
    decisions: tuple[Decision, ...]
    tables: tuple[TableInfo, ...]
    patterns: tuple[PatternPlan, ...]


def adapt(d: Designed, placements: tuple[Placement, ...]) -> Adapted:
    """The schema of ``d`` made for ``placements``, and what else that changed."""
    a = _Adapter(
        d,
        {p.table: p for p in placements},
        dict(d.schema.tables),
        dict(d.schema.indexes),
        used={pp.index for pp in d.patterns if pp.index},
    )
    a.run()
    schema = replace(d.schema, tables=FrozenMap(a.tables), indexes=FrozenMap(a.indexes))
    tables = []
    for info in d.tables:
        lines = list(info.relationships)
        for key, col, change in a.said:
            if key == info.key:
                lines = [_said(x, change) if x.startswith(f"`{col}` ") else x for x in lines]
        tables.append(replace(info, relationships=tuple(lines)))
    patterns = tuple(
        replace(pp, alternatives=tuple(x for x in pp.alternatives if x not in a.dropped))
        for pp in d.patterns
    )
    return Adapted(schema, tuple(a.decisions), tuple(tables), patterns)


def _said(line: str, change: str) -> str:
    """A relationship line with a change for Citus: a column added to it (`` (with ...)``), or
    its ON DELETE action, now RESTRICT."""
    if change.startswith(" "):
        return line + change
    return line.replace(change, "ON DELETE RESTRICT (Citus)")
