"""Which existing key or index already serves a lookup, and the indexes foreign keys need."""

from __future__ import annotations

from dataclasses import replace

from dbdesign.design.draft import LIVE, SOFT_DELETED, Draft, TableDraft
from dbdesign.design.naming import object_name
from dbdesign.model import ForeignKey, Index, IndexElement

# (name, key columns, predicate) of a key or index
_Key = tuple[str, tuple[str, ...], str | None]


def _constraint_keys(t: TableDraft) -> list[_Key]:
    """The primary key and unique keys of ``t``: full, no predicate."""
    keys: list[_Key] = []
    if t.pk:
        keys.append((t.pk.name, t.pk.columns, None))
    keys += [(u.name, u.columns, None) for u in t.uniques.values()]
    return keys


def _index_key(ix: Index) -> _Key:
    return (
        ix.name,
        tuple(e.column or "?" for e in ix.elements),
        ix.where.text if ix.where else None,
    )


def existing_leading(
    b: Draft, t: TableDraft, cols: tuple[str, ...], where: str | None, exact: bool = False
) -> str | None:
    """An index (pk, unique or designed) whose key starts with ``cols``, same predicate."""
    cands = _constraint_keys(t)
    cands += [
        _index_key(ix) for ix in b.indexes.values() if ix.table == t.name and ix.method == "btree"
    ]
    for name, key, pred in cands:
        if pred != where:
            continue
        if (key == cols) if exact else (key[: len(cols)] == cols):
            return name
    return None


def existing_serving(b: Draft, t: TableDraft, equal: set[str], rest: tuple[str, ...]) -> str | None:
    """A full index whose key starts with the ``equal`` columns in any order, then ``rest``:
    a filter on constants (= or IS NULL) is an equality lookup in it, so it serves a pattern a
    partial index would otherwise be made for."""
    n = len(equal)
    for name, key, pred in [
        *_constraint_keys(t),
        *(
            _index_key(ix)
            for ix in b.indexes.values()
            if ix.table == t.name and ix.method == "btree"
        ),
    ]:
        if pred is None and set(key[:n]) == equal and key[n : n + len(rest)] == rest:
            return name
    return None


def unique_within(b: Draft, t: TableDraft, cols: set[str], where: str | None) -> str | None:
    """A unique key whose columns are all compared with =: it finds at most one row."""
    keys = _constraint_keys(t)
    keys += [_index_key(ix) for ix in b.indexes.values() if ix.table == t.name and ix.unique]
    for name, key, pred in keys:
        # MySQL: a key ending in not_deleted finds at most one live row.
        if set(key) - {LIVE} <= cols and pred in (None, where):
            return name
    return None


def fk_indexes(b: Draft) -> None:
    """An index for every foreign key that no key or index already leads with."""
    for t in b.tables.values():
        # Wider keys first: an index made for (tenant_id, parent_id) then serves the
        # foreign key on tenant_id alone too.
        for fk in sorted(t.fks.values(), key=lambda f: (-len(f.columns), f.name)):
            lead = existing_leading(b, t, fk.columns, None) or _unpartial(b, t, fk)
            if lead:
                b.purpose(t, lead, f"foreign key {fk.name} (leads with {', '.join(fk.columns)})")
                continue
            name = object_name("idx", t.name, fk.columns)
            b.index(
                t,
                name,
                tuple(IndexElement(column=c) for c in fk.columns),
                purpose=f"foreign key {fk.name}: joins, and deletes of the parent",
            )
            b.decide(
                name,
                "index on the foreign key",
                "without it every delete or key update of the parent scans this table",
            )


def _unpartial(b: Draft, t: TableDraft, fk: ForeignKey) -> str | None:
    """An access-pattern index that leads with the foreign key's columns and is partial
    only to skip soft-deleted rows becomes a full index: it then serves the foreign key as
    well (deleted rows still reference their parent) instead of a second index that the
    planner would prefer for the pattern and sort after."""
    for ix in b.indexes.values():
        key = tuple(e.column for e in ix.elements)
        if (
            ix.table == t.name
            and ix.method == "btree"
            and ix.where is not None
            and ix.where.text == SOFT_DELETED
            and key[: len(fk.columns)] == fk.columns
        ):
            b.indexes[ix.name] = replace(ix, where=None)
            b.decide(
                ix.name,
                "not partial",
                f"it also serves foreign key {fk.name}, whose checks must find soft-deleted "
                "rows too; the pattern filters deleted_at IS NULL on the few deleted rows",
            )
            return ix.name
    return None
