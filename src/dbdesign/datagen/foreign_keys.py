"""Foreign keys: which unit draws each (alone, implied by a larger one, or grouped with
those it shares columns with), and the load order of the tables, breaking cycles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

from dbdesign import dialects
from dbdesign.datagen.fk_units import FK_NULL_FRACTION, FkGroupUnit, FkUnit, SelfFkUnit
from dbdesign.datagen.rows import Skew
from dbdesign.datagen.units import ColumnIndex, ColumnPlan, TablePlan, Unit, stable_seed
from dbdesign.errors import UnsupportedError
from dbdesign.graph import CycleError, topological_order
from dbdesign.model import ForeignKey, Schema, Table


def plan_fk_units(
    schema: Schema, tp: TablePlan, columns: ColumnIndex, skew: Skew, seed: int
) -> list[Unit]:
    """One unit per foreign key of the table; a smaller key inside a larger one may be implied
    by it (:func:`_implied`), and so is a key whose columns reference themselves: those go to
    ``tp.implied_fks``. Keys that share some columns (a tenant key in each, two keys over one
    column) are drawn together by one FkGroupUnit."""
    t = tp.table
    accepted: list[tuple[ForeignKey, tuple[str, ...]]] = []
    for fk in sorted(foreign_keys(schema, t), key=lambda f: (-len(f.columns), f.name)):
        ref_cols = _referenced_columns(schema, t, fk, columns)
        if _references_itself(t, fk, ref_cols) or any(
            _implied(schema, fk, ref_cols, a, ar) for a, ar in accepted
        ):
            tp.implied_fks.append(fk.name)
            continue
        accepted.append((fk, ref_cols))
    units: list[Unit] = []
    for group in _fk_groups(accepted):
        if len(group) > 1:
            units.append(_group_unit(t, group, columns.by_name, skew, seed))
        else:
            units.append(_fk_unit(t, *group[0], columns.by_name, seed))
    return units


def _referenced_columns(
    schema: Schema, t: Table, fk: ForeignKey, columns: ColumnIndex
) -> tuple[str, ...]:
    """The columns ``fk`` references (its table's primary key when it names none); raises
    when they are not a key of an existing table, or ``fk``'s own columns are unknown."""
    ref_t = schema.tables.get(fk.ref_table)
    if ref_t is None:
        raise UnsupportedError(f"{t.key}: foreign key {fk.name} references unknown {fk.ref_table}")
    ref_cols = fk.ref_columns or (ref_t.primary_key.columns if ref_t.primary_key else ())
    if len(ref_cols) != len(fk.columns):
        raise UnsupportedError(
            f"{t.key}: foreign key {fk.name} names no columns and {ref_t.key} has no "
            "primary key of that size to reference"
        )
    for name in fk.columns:
        columns.find(name, f"foreign key {fk.name}")
    if not _is_key(schema, ref_t, tuple(ref_cols)):
        raise UnsupportedError(
            f"{t.key}: foreign key {fk.name} references ({', '.join(ref_cols)}) of "
            f"{ref_t.key}, which is not its primary key or a unique key"
        )
    return tuple(ref_cols)


def _references_itself(t: Table, fk: ForeignKey, ref_cols: tuple[str, ...]) -> bool:
    """Whether ``fk``'s columns reference themselves (every row points at itself; nothing to
    draw); raises for a self-reference that shares only some columns with its key."""
    if fk.ref_table != t.key or not set(ref_cols) & set(fk.columns):
        return False
    if any(a == b for a, b in zip(ref_cols, fk.columns, strict=True)) and ref_cols != tuple(
        fk.columns
    ):
        raise UnsupportedError(
            f"{t.key}: self-reference {fk.name} shares columns with the key it "
            f"references ({', '.join(sorted(set(ref_cols) & set(fk.columns)))}: a "
            "tenant key in both); not supported"
        )
    if ref_cols != tuple(fk.columns):
        raise UnsupportedError(
            f"{t.key}: foreign key {fk.name} references its own columns in another "
            "order; not supported"
        )
    return True


def _fk_unit(
    t: Table,
    fk: ForeignKey,
    ref_cols: tuple[str, ...],
    by_name: Mapping[str, ColumnPlan],
    seed: int,
) -> FkUnit | SelfFkUnit:
    """The unit of a foreign key that shares no column with another."""
    useed = stable_seed(seed, t.key, "fk", fk.name)
    nullable = all(by_name[c].nullable for c in fk.columns)
    if fk.ref_table == t.key:
        return SelfFkUnit(fk, ref_cols, nullable, useed)
    fu = FkUnit(fk, ref_cols, useed)
    fu.null_frac = FK_NULL_FRACTION if nullable else 0.0
    return fu


def _fk_groups(
    fks: list[tuple[ForeignKey, tuple[str, ...]]],
) -> list[list[tuple[ForeignKey, tuple[str, ...]]]]:
    """The foreign keys in groups connected by shared columns, in the order given."""
    groups: list[list[tuple[ForeignKey, tuple[str, ...]]]] = []
    cols: list[set[str]] = []
    for item in fks:
        own = set(item[0].columns)
        hit = [i for i, c in enumerate(cols) if c & own]
        merged = [item]
        for i in reversed(hit):
            merged = groups.pop(i) + merged
            own |= cols.pop(i)
        at = min(hit) if hit else len(groups)
        groups.insert(at, merged)
        cols.insert(at, own)
    return groups


def _group_unit(
    t: Table,
    group: list[tuple[ForeignKey, tuple[str, ...]]],
    by_name: Mapping[str, ColumnPlan],
    skew: Skew,
    seed: int,
) -> FkGroupUnit:
    """The unit for foreign keys that share columns (ordered by :meth:`FkGroupUnit.prepare`
    once their pools are known; a skew asked for a column of one's own puts it first)."""
    for fk, _ in group:
        if fk.ref_table == t.key:
            others = ", ".join(f.name for f, _ in group if f is not fk)
            raise UnsupportedError(
                f"{t.key}: self-reference {fk.name} shares columns with foreign key {others}; "
                "not supported"
            )
    asked = set()
    for fk, _ in group:
        own = set(fk.columns).difference(*(f.columns for f, _ in group if f is not fk))
        if any(f"{t.key}.{c}" in skew or f"{t.name}.{c}" in skew for c in own):
            asked.add(fk.name)
    parts = [FkUnit(fk, ref, stable_seed(seed, t.key, "fk", fk.name)) for fk, ref in group]
    names = "+".join(sorted(fk.name for fk, _ in group))
    nullable = {c: by_name[c].nullable for fk, _ in group for c in fk.columns}
    return FkGroupUnit(parts, nullable, asked, stable_seed(seed, t.key, "fkgroup", names))


def _implied(
    schema: Schema,
    fk: ForeignKey,
    ref: tuple[str, ...],
    big: ForeignKey,
    big_ref: tuple[str, ...],
) -> bool:
    """Whether every row drawn for ``big`` satisfies ``fk``, whose columns lie inside it: ``fk``
    references the same columns of the same table, or the referenced table's own foreign key
    from those columns does (``(org_id, project_id) -> projects (org_id, id)`` implies
    ``org_id -> orgs`` when ``projects.org_id -> orgs``). Two keys over the same columns to
    different tables are not implied: they are drawn together (FkGroupUnit)."""
    if not set(fk.columns) <= set(big.columns):
        return False
    at = dict(zip(big.columns, big_ref, strict=True))
    want = {at[c]: r for c, r in zip(fk.columns, ref, strict=True)}
    if fk.ref_table == big.ref_table and all(k == v for k, v in want.items()):
        return True
    parent = schema.tables.get(big.ref_table)
    for g in parent.foreign_keys.values() if parent is not None else ():
        target = schema.tables.get(g.ref_table)
        g_ref = g.ref_columns or (
            target.primary_key.columns if target is not None and target.primary_key else ()
        )
        if (
            g.ref_table == fk.ref_table
            and len(g.columns) == len(g_ref) == len(want)
            and dict(zip(g.columns, g_ref, strict=True)) == want
        ):
            return True
    return False


def _is_key(schema: Schema, t: Table, cols: tuple[str, ...]) -> bool:
    """Whether ``cols`` are ``t``'s primary key or a unique key (any order; SQLite folds case).
    A unique index counts when its columns are exactly these, once each, and (SQLite) each
    in its column's own collation, as SQLite requires of a parent key; never the rowid
    (SQLite finds no parent key there: "foreign key mismatch")."""
    fold = dialects.get(schema.dialect).capabilities.parent_key_collation

    def norm(names: Sequence[str]) -> list[str]:
        return sorted(c.lower() if fold else c for c in names)

    def own_collation(e: Any) -> bool:
        if not fold or e.collation is None:
            return True
        col = t.column(e.column) or next(
            (c for c in t.columns if c.name.lower() == str(e.column).lower()), None
        )
        default = (col.collation if col is not None else None) or "BINARY"
        return bool(e.collation.upper() == default.upper())

    keys = [t.primary_key.columns] if t.primary_key else []
    keys += [u.columns for u in t.uniques.values()]
    keys += [
        tuple(e.column for e in ix.elements if e.column is not None)
        for ix in schema.indexes_on(t.key)
        if ix.unique
        and ix.where is None
        and all(e.column is not None and own_collation(e) for e in ix.elements)
    ]
    want = norm(cols)
    return any(norm(k) == want for k in keys)


def foreign_keys(schema: Schema, t: Table) -> list[ForeignKey]:
    """The table's foreign keys; a partitioned table's rows also meet its partitions' own."""
    fks = list(t.foreign_keys.values())
    if t.partition_by is not None:
        seen = {(f.columns, f.ref_table, f.ref_columns) for f in fks}
        for child in schema.tables.values():
            if child.partition_of != t.key:
                continue
            for f in child.foreign_keys.values():
                k = (f.columns, f.ref_table, f.ref_columns)
                if k not in seen and all(t.column(c) is not None for c in f.columns):
                    seen.add(k)
                    fks.append(f)
    return fks


def load_order(
    schema: Schema, plans: dict[str, TablePlan]
) -> tuple[list[str], list[tuple[str, str]]]:
    """Tables in foreign-key order; FKs broken to make that possible (cycles) are returned."""

    edges: dict[str, dict[str, list[ForeignKey]]] = {k: {} for k in plans}
    for k, tp in plans.items():
        for fk in foreign_keys(schema, tp.table):
            if fk.name not in tp.implied_fks:
                edges[k].setdefault(fk.ref_table, []).append(fk)
    broken: list[tuple[str, str]] = []
    while True:
        try:
            return topological_order(edges), broken
        except CycleError as e:
            cycle = e.nodes  # each node is a predecessor of the next
            # break the edge whose FK is cheapest to check later: deferrable first, then nullable
            best = None
            for pred, node in pairwise(cycle):
                for fk in edges.get(node, {}).get(pred, []):
                    tbl = plans[node].table
                    nullable = bool(cycle_null_columns(tbl, fk))
                    rank = (0 if deferred_at_commit(schema, fk) else 1, 0 if nullable else 1)
                    if best is None or rank < best[0]:
                        best = (rank, node, pred)
            assert best is not None
            _, node, pred = best
            for fk in edges[node].pop(pred):
                broken.append((node, fk.name))


def deferred_at_commit(schema: Schema, fk: ForeignKey) -> bool:
    """A transaction can have ``fk`` checked at COMMIT: a deferrable key (PostgreSQL:
    ``SET CONSTRAINTS ... DEFERRED``), on SQLite only one declared INITIALLY DEFERRED."""
    only_initially = dialects.get(schema.dialect).capabilities.deferred_only_initially
    return fk.deferrable and (fk.initially_deferred or not only_initially)


def cycle_null_columns(table: Table, fk: ForeignKey) -> tuple[str, ...]:
    """The columns of ``fk`` a row can be inserted with as NULL, so the key is not checked
    until they are set (MATCH SIMPLE: any nullable column; MATCH FULL: all, when all are
    nullable); () when the key cannot be skipped that way."""
    nullable = tuple(c for c in fk.columns if (col := table.column(c)) is not None and col.nullable)
    if fk.match != "SIMPLE" and len(nullable) < len(fk.columns):
        return ()
    return nullable
