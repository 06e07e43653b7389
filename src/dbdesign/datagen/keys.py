"""Primary keys, unique constraints and unique indexes: which unit of a key is made unique,
or which units draw distinct combinations together."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dbdesign.datagen import checks as chk
from dbdesign.datagen.fk_units import FkGroupUnit, FkUnit
from dbdesign.datagen.rows import Existing
from dbdesign.datagen.units import (
    CapacityError,
    ComboUnit,
    FreeUnit,
    TablePlan,
    Unit,
    stable_seed,
)
from dbdesign.datagen.values import ChoiceGen, IntGen
from dbdesign.errors import UnsupportedError
from dbdesign.model import Index, Schema

# A unique key: its columns, what declares it (for messages) and whether NULLs in it count as
# equal (NULLS NOT DISTINCT; a primary key has none).
KeySet = tuple[tuple[str, ...], str, bool]


def _unique_sets(
    schema: Schema, tp: TablePlan, handled: frozenset[str] = frozenset()
) -> list[KeySet]:
    """The table's unique keys over the columns the generator writes, smallest first; a key
    that contains another is left out (keeping the smaller unique keeps it unique: the
    smaller then takes NULLS NOT DISTINCT from it, so that a NULL cannot repeat the larger)."""
    t = tp.table
    sets: list[KeySet] = []  # (a key a row rule keeps, conditional, is not one of them)
    if t.primary_key:
        sets.append((t.primary_key.columns, f"primary key {t.primary_key.name}", True))
    for u in t.uniques.values():
        if u.name not in handled:
            sets.append((u.columns, f"unique constraint {u.name}", u.nulls_not_distinct))
    for ix in schema.indexes_on(t.key):
        if ix.unique and ix.name not in handled:
            cols = _index_columns(schema, tp, ix)
            sets.append((cols, f"unique index {ix.name}", ix.nulls_not_distinct))
    known = {c.name for c in tp.columns}
    out: list[KeySet] = []
    for cols_, src, nnd in sets:
        cols2 = _written_columns(schema, tp, cols_, src, known)
        if not cols2:
            continue
        inside = [i for i, (o, _, _) in enumerate(out) if set(o).issubset(cols2)]
        if inside:
            if nnd:
                o, s, _ = out[inside[0]]
                out[inside[0]] = (o, s, True)
            continue
        kept: list[KeySet] = []
        for o, s, n in out:
            if set(cols2).issubset(o):
                nnd = nnd or n
            else:
                kept.append((o, s, n))
        out = kept
        out.append((cols2, src, nnd))
    return sorted(out, key=lambda x: len(x[0]))


def _index_columns(schema: Schema, tp: TablePlan, ix: Index) -> tuple[str, ...]:
    """The columns of a unique index, those its expressions read included."""
    t = tp.table
    cols: list[str] = []
    for e in ix.elements:
        if e.column is not None:
            cols.append(e.column)
        elif e.expr is not None:
            try:
                refs = sorted(chk.unique_refs(e.expr.text, schema.dialect))
            except chk.CheckUnsupported as err:
                raise UnsupportedError(
                    f"{t.key}: cannot keep unique index {ix.name} on ({e.expr.text}) unique: {err}"
                ) from None
            for r in refs:
                cp = next((c for c in tp.columns if c.name.lower() == r.lower()), None)
                if cp is not None and cp.info.kind == "bytea":
                    # distinct bytes need not be distinct text (a NUL ends it)
                    raise UnsupportedError(
                        f"{t.key}: cannot keep unique index {ix.name} on ({e.expr.text}) "
                        f"unique: the bytes of {cp.name} are read as text there"
                    )
            cols.extend(refs)
    return tuple(dict.fromkeys(cols))


def _written_columns(
    schema: Schema, tp: TablePlan, cols: tuple[str, ...], src: str, known: set[str]
) -> tuple[str, ...]:
    """A key's columns among those the generator writes (names as the table spells them).

    A generated column is unique when the columns it is computed from are; one computed in a
    way that may repeat values (MySQL's live marker ``if(deleted_at is null, 1, null)``) is
    left out: the other columns of the key, made unique, keep the whole key unique."""
    t = tp.table
    generated = {c.name: c.generated.expr for c in t.columns if c.generated is not None}
    expanded: list[str] = []
    left_out: str | None = None
    for c in cols:
        if c in generated:
            try:
                expanded.extend(sorted(chk.unique_refs(generated[c].text, schema.dialect)))
            except chk.CheckUnsupported as err:
                left_out = f"{t.key}: cannot keep {src} on generated column {c} unique: {err}"
        else:
            expanded.append(c)
    if left_out and not expanded:
        raise UnsupportedError(left_out)
    folded = {k.lower(): k for k in known}
    cols2 = tuple(dict.fromkeys(c if c in known else folded.get(c.lower(), c) for c in expanded))
    return tuple(c for c in cols2 if c in known)


_DRIVER_ORDER = {
    "int": 0,
    "uuid": 1,
    "text": 2,
    "timestamp": 3,
    "timestamptz": 3,
    "date": 4,
    "numeric": 5,
    "money": 5,
    "float": 6,
}


def plan_uniques(
    schema: Schema,
    tp: TablePlan,
    existing: Existing,
    seed: int,
    handled: frozenset[str] = frozenset(),
) -> None:
    t, n = tp.table, tp.n
    have = existing.count(t.key)
    for cp in tp.columns:  # counters stay counters
        u = tp.unit_of.get(cp.name)
        if cp.serial and isinstance(u, FreeUnit) and isinstance(cp.gen, IntGen):
            _make_unique(tp, u, existing, have)
    for cols, src, nnd in _unique_sets(schema, tp, handled):
        units = list({id(tp.unit_of[c]): tp.unit_of[c] for c in cols}.values())
        if _kept_unique(units, cols):
            continue
        for u in units:  # realism yields to uniqueness (a unique column named status)
            if isinstance(u, FreeUnit) and isinstance(u.col.gen, ChoiceGen):
                fb = u.col.gen.fallback
                cap = u.col.gen.capacity() or 0
                if fb is not None and cap < n + have:
                    u.col.gen = fb
        drivers = [
            u
            for u in units
            if isinstance(u, FreeUnit)
            and u.col.gen is not None
            and not u.col.cons.force_null
            and not u.col.omit
            and (u.col.gen.capacity() is None or (u.col.gen.capacity() or 0) >= n + have)
            and not isinstance(u.col.gen, ChoiceGen)
        ]
        drivers.sort(key=_driver_rank)
        if drivers:
            d = drivers[0]
            assert isinstance(d, FreeUnit)
            _make_unique(tp, d, existing, have)
            continue
        if any(isinstance(u, FkGroupUnit) for u in units):
            if len(units) > 1:
                raise UnsupportedError(
                    f"{t.key}: {src} ({', '.join(cols)}) mixes foreign keys that share columns "
                    "with columns the generator cannot make unique; not supported"
                )
            g = units[0]
            assert isinstance(g, FkGroupUnit)
            g.add_distinct(cols, src, existing.keys(t.key, cols) if have else [], nnd=nnd)
            continue
        _make_combo(tp, units, cols, src, existing, seed)


def _kept_unique(units: list[Unit], cols: tuple[str, ...]) -> bool:
    """Whether a unit already keeps the key ``cols`` unique: a column made unique, or
    combinations distinct on columns all in the key (distinct (a, b) does not make (b, c)
    distinct: that was taken for kept, and the server refused the repeats)."""
    key = set(cols)
    for u in units:
        if isinstance(u, FreeUnit) and u.unique:
            return True
        if isinstance(u, ComboUnit) and any(set(k) <= key for k in u.unique_on()):
            return True
        if isinstance(u, FkGroupUnit) and any(
            {u.columns[i] for i in pos} <= key for pos, _, _, _ in u.distinct
        ):
            return True
    return False


def _driver_rank(u: Unit) -> int:
    return _DRIVER_ORDER.get(u.col.info.kind, 9) if isinstance(u, FreeUnit) else 9


def _make_unique(tp: TablePlan, u: FreeUnit, existing: Existing, have: int) -> None:
    u.unique = True
    u.null_frac = 0.0
    gen = u.col.gen
    if have:
        if type(gen) is IntGen:
            mx = existing.max(tp.key, u.col.name)
            u.start = max(0, (mx if mx is not None else 0) - gen.base() + 1)
        else:
            u.start = have


def _make_combo(
    tp: TablePlan, units: list[Unit], cols: tuple[str, ...], src: str, existing: Existing, seed: int
) -> None:
    """Distinct combinations of the key's units' values. A key that shares a unit with keys
    already combined joins them: one unit then draws rows that keep all of them (joint.py)."""
    t = tp.table
    members: list[tuple[tuple[str, ...], Sequence[Any], list[float] | None]] = []
    parts: list[Unit] = []
    keys: list[tuple[tuple[str, ...], str]] = []
    for u in units:
        if isinstance(u, ComboUnit):
            members.extend(u.members)
            parts.extend(u.parts)
            keys.extend(u.keys or [(u.key_columns, u.source)])
            continue
        if u.combo is not None or not isinstance(u, (FkUnit, FreeUnit)):  # derived, self-ref
            raise UnsupportedError(
                f"{t.key}: {src} ({', '.join(cols)}): overlapping unique keys over foreign keys "
                "or derived columns are not supported"
            )
        parts.append(u)
        if isinstance(u, FkUnit):
            members.append((u.columns, (), None))  # the pool is wired later
        elif isinstance(u, FreeUnit):
            gen = u.col.gen
            dom = gen.domain() if gen is not None else None
            if dom is None:
                cap = (gen.capacity() if gen is not None else 0) or 0
                raise CapacityError(
                    f"{t.key}: {src} ({', '.join(cols)}) allows only {cap} distinct rows; "
                    f"asked for {tp.n}",
                    table=t.key,
                    limit=cap,
                )
            members.append((u.columns, list(dom), None))
    keys.append((cols, src))
    sources = " and ".join(s for _, s in keys)
    combo = ComboUnit(members, stable_seed(seed, t.key, "combo", sources), set(), sources, parts)
    if len(keys) == 1:
        combo.key_columns = cols
        if existing.count(t.key):
            combo.existing = set(existing.keys(t.key, combo.columns))
    else:
        # each key's columns in the combination's order, to compare with the table's rows
        order = {c: i for i, c in enumerate(combo.columns)}
        combo.keys = [(tuple(sorted(k, key=order.__getitem__)), s) for k, s in keys]
        combo.key_existing = [
            {v if isinstance(v, tuple) else (v,) for v in existing.keys(t.key, k)}
            if existing.count(t.key)
            else set()
            for k, _ in combo.keys
        ]
    # replace the member units by the combo
    tp.units = [u for u in tp.units if u not in units]
    tp.units.insert(0, combo)
    for c in combo.columns:
        tp.unit_of[c] = combo
    combo.unique = True
