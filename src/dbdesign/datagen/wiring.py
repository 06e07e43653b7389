"""Wiring: the pools foreign-key units draw from — the referenced rows, converted to the
referencing columns' type and filtered by their checks (SQLite: as it stores them)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from dbdesign import dialects
from dbdesign.datagen import checks as chk
from dbdesign.datagen.affinity import KeySide, referenced
from dbdesign.datagen.fk_units import FkGroupUnit, FkUnit, SelfFkUnit
from dbdesign.datagen.joint import JointKeys
from dbdesign.datagen.rows import Existing, Skew, skew_for
from dbdesign.datagen.types import TypeInfo
from dbdesign.datagen.units import (
    CapacityError,
    ColumnPlan,
    ComboUnit,
    DerivedUnit,
    FreeUnit,
    TablePlan,
    zipf_cum,
)
from dbdesign.datagen.values import ChoiceGen, Stored
from dbdesign.errors import UnsupportedError
from dbdesign.graph import CycleError, depth_first_order
from dbdesign.model import ForeignKey, Schema, Table


class Wiring:
    """Sets the pools of foreign-key units, wiring a referenced table first when its key
    values depend on its own foreign keys (a junction table referenced in turn)."""

    def __init__(
        self,
        schema: Schema,
        plans: dict[str, TablePlan],
        skew: Skew,
        existing: Existing,
    ) -> None:
        self.schema = schema
        self.plans = plans
        self.skew = skew
        self.existing = existing
        # Dynamic typing (SQLite): a key's values are drawn as the referencing columns store them.
        self.as_stored = dialects.get(schema.dialect).capabilities.dynamic_typing

    def wire(self, tp: TablePlan) -> None:
        if tp.wired:
            return
        tp.wired = "wiring"
        _wire_fks(self, tp)
        tp.wired = "done"

    def target_pool(self, tp: TablePlan, u: FkUnit, *, force: bool = False) -> Sequence[Any]:
        """The values ``u`` draws from: the referenced rows', as the referencing columns hold
        them (SQLite: as they are stored there when ``force`` or the types differ)."""
        target = self.plans.get(u.fk.ref_table)
        if target is None:
            if not self.existing.count(u.fk.ref_table):
                return []
            return self.existing.keys(u.fk.ref_table, u.ref_columns)
        for c in u.ref_columns:
            if c not in target.unit_of:
                raise UnsupportedError(
                    f"{tp.key}: foreign key {u.fk.name} references {u.fk.ref_table}.{c}, "
                    "a column the generator does not write"
                )
        needs = [target.unit_of[c] for c in u.ref_columns]
        if any(not isinstance(x, FreeUnit) for x in needs):
            if target.wired == "wiring" and target is not tp:
                raise UnsupportedError(
                    f"{tp.key}: foreign key {u.fk.name} and the keys of {target.key} depend on "
                    "each other through foreign keys; not supported"
                )
            self.wire(target)
        pool = target.pool(u.ref_columns)
        src = [target.column(c) for c in u.ref_columns]
        dst = [tp.column(c) for c in u.columns]
        same = all(_same_values(a.info, b.info) for a, b in zip(src, dst, strict=True))
        if self.as_stored:
            if same and not force and not any(isinstance(a.gen, Stored) for a in src):
                return pool
            rows = self.sqlite_rows(pool, target, u.ref_columns, tp, u.fk)
            return [v for v in rows if v is not None]
        if same:
            return pool
        converted = _convert_pool(pool, src, dst)
        if pool and not converted:
            raise UnsupportedError(
                f"{tp.key}: foreign key {u.fk.name}: values of "
                f"{', '.join(a.info.name or '?' for a in src)} in {target.key} cannot be stored "
                f"in {', '.join(b.info.name or '?' for b in dst)}"
            )
        return converted

    def sqlite_rows(
        self,
        values: Sequence[Any],
        target: TablePlan,
        ref_columns: tuple[str, ...],
        tp: TablePlan,
        fk: ForeignKey,
    ) -> list[Any]:
        """``values`` of ``target``'s ``ref_columns`` (row by row, None for none) as SQLite
        stores them in the columns of ``fk`` in ``tp`` (affinity.py): None where it does not
        store them or their key no longer finds the referenced row. The referencing columns
        then write these values as they are (:class:`Stored`)."""
        src = [target.column(c) for c in ref_columns]
        dst = [tp.column(c) for c in fk.columns]
        for d in tp.units:
            if isinstance(d, DerivedUnit) and d.source in fk.columns:
                raise UnsupportedError(
                    f"{tp.key}: {d.col.name} is derived from {d.source}, which takes the values "
                    f"of foreign key {fk.name} in another type; not supported"
                )
        single = len(src) == 1
        where: list[int] = []
        rows: list[tuple[Any, ...]] = []
        for i, v in enumerate(values):
            vals = (v,) if single else v
            if v is None or None in vals:
                continue
            where.append(i)
            rows.append(
                tuple(
                    x if a.gen is None else a.gen.sqlite(x) for x, a in zip(vals, src, strict=True)
                )
            )
        got = referenced(
            rows,
            _key_side(self.schema, target.table, ref_columns, checks=False),
            _key_side(self.schema, tp.table, fk.columns, checks=True),
        )
        out: list[Any] = [None] * len(values)
        for i, stored in zip(got.kept, got.values, strict=True):
            out[where[i]] = stored[0] if single else stored
        if rows and not got.kept:
            what = (
                f"{', '.join(ref_columns)} of {target.key} "
                f"({', '.join(a.info.name or 'no type' for a in src)})"
            )
            into = f"{', '.join(fk.columns)} ({', '.join(b.info.name or 'no type' for b in dst)})"
            if got.refused is not None and "strict" in tp.table.dialect_options:
                raise UnsupportedError(
                    f"{tp.key}: foreign key {fk.name}: the values of {what} cannot be stored in "
                    f"the STRICT columns {into} (SQLite: {got.refused})"
                )
            raise UnsupportedError(
                f"{tp.key}: foreign key {fk.name}: the values of {what}, stored in {into}, "
                "no longer find their row (SQLite's type affinity converts them)"
                + (f" or are refused ({got.refused})" if got.refused else "")
            )
        for b in dst:
            if b.gen is not None and not isinstance(b.gen, Stored):
                b.gen = Stored(b.gen)
        return out


def _key_side(schema: Schema, t: Table, names: tuple[str, ...], *, checks: bool) -> KeySide:
    """Columns of ``t`` as declared, for affinity.py; with ``checks``, its CHECK constraints
    that read nothing but them."""
    cols = []
    for n in names:
        c = t.column(n)
        if c is None:
            c = next(x for x in t.columns if x.name.lower() == n.lower())
        cols.append(c)
    texts: list[str] = []
    if checks:
        low = {n.lower() for n in names}
        for ck in t.checks.values():
            try:
                refs = chk.column_refs(ck.expr.text, schema.dialect)
            except chk.CheckUnsupported:
                continue
            if refs and {r.lower() for r in refs} <= low:
                texts.append(ck.expr.text)
    return KeySide(
        names=tuple(c.name for c in cols),
        types=tuple(c.type for c in cols),
        collations=tuple(c.collation for c in cols),
        strict="strict" in t.dialect_options,
        checks=tuple(texts),
    )


def _wire_fks(w: Wiring, tp: TablePlan) -> None:
    """Wire the table's units. Of the keys that allow fewer rows than asked, the one that
    allows fewest is reported (asking again for what the first one allowed would fail on the
    next)."""
    tightest: CapacityError | None = None
    for u in list(tp.units):
        try:
            if isinstance(u, ComboUnit):
                _wire_combo(w, tp, u)
            elif isinstance(u, FkGroupUnit):
                _wire_group(w, tp, u)
            elif isinstance(u, FkUnit):
                _wire_fk(w, tp, u)
        except CapacityError as e:
            if e.table != tp.table.key:
                raise  # a referenced table's: it is reported (and left half-wired) as it is
            if tightest is None or e.limit < tightest.limit:
                tightest = e
    if tightest is not None:
        raise tightest
    for s in _self_order(tp):
        _wire_self(w, tp, s)


def _self_order(tp: TablePlan) -> list[SelfFkUnit]:
    """The table's self-references, each after those that write the columns it points at
    (``(a, b) -> t (parent_id, code)`` after ``parent_id -> t (id)``): pointing at a row
    reads those columns' values."""
    t = tp.table
    selfs = [u for u in tp.units if isinstance(u, SelfFkUnit)]
    for u in selfs:
        if set(u.ref_columns) & set(u.columns):
            raise UnsupportedError(f"{t.key}: foreign key {u.fk.name} references its own columns")
    graph = {
        u: [v for c in u.ref_columns if isinstance(v := tp.unit_of[c], SelfFkUnit)] for u in selfs
    }
    try:
        return depth_first_order(graph)
    except CycleError as e:
        u = e.nodes[0]
        raise UnsupportedError(
            f"{t.key}: self-reference {u.fk.name} points at columns that depend on it"
        ) from None


def _wire_combo(w: Wiring, tp: TablePlan, u: ComboUnit) -> None:
    """A unique key over foreign keys: each one's referenced rows become its member's domain."""
    t = tp.table
    new_members = []
    for (cols, dom, _), part in zip(u.members, u.parts, strict=True):
        if isinstance(part, FkUnit):
            pool = _pool_for(w, tp, part)
            if not pool:
                raise UnsupportedError(
                    f"{t.key}: {u.source} needs rows in {part.fk.ref_table}"
                    f" (foreign key {part.fk.name}): give it rows too"
                )
            if not u.joint:  # (a joint combination compares the keys' own columns)
                pool = _distinct_on_key(t, u, part, pool)
            s = skew_for(w.skew, t, part.columns) or 0.0
            cum = None
            if s:
                cum = zipf_cum(len(pool), s)
            new_members.append((cols, pool, cum))
        else:
            new_members.append((cols, dom, None))
    u.members = new_members
    if u.joint:
        _choose_joint(tp, u)
        return
    u.capacity = math.prod(len(d) for _, d, _ in new_members)
    have = len(u.existing)
    if tp.n + have > u.capacity:
        more = " more" if have else ""
        raise CapacityError(
            f"{t.key}: {u.source} ({', '.join(u.columns)}) allows only "
            f"{u.capacity - have}{more} distinct rows; asked for {tp.n}",
            table=t.key,
            limit=max(u.capacity - have, 0),
        )


def _choose_joint(tp: TablePlan, u: ComboUnit) -> None:
    """The rows of unique keys that share columns, chosen now that every member's values are
    known; when fewer than asked were found, the capacity error names the key that allows
    fewest (and, when together they allow fewer still, how many they do)."""
    t = tp.table
    jk = JointKeys([(c, d) for c, d, _ in u.members], [k for k, _ in u.keys], u.key_existing)
    bounds = jk.bounds()
    at = min(range(len(bounds)), key=bounds.__getitem__)
    (cols, src), bound = u.keys[at], bounds[at]
    u.capacity = bound
    rows = u.joint_rows(min(tp.n, bound))
    if len(rows) == tp.n:
        u.mat = rows
        return
    more = " more" if any(u.key_existing) else ""
    if len(rows) == bound:
        msg = f"{src} ({', '.join(cols)}) allows only {bound}{more} distinct rows"
    else:
        keys = ", ".join(f"{s} ({', '.join(k)})" for k, s in u.keys)
        msg = (
            f"{keys} together allow only {len(rows)}{more} distinct rows (as many as the "
            f"generator found; {src} ({', '.join(cols)}) alone allows {bound})"
        )
    raise CapacityError(f"{t.key}: {msg}; asked for {tp.n}", table=t.key, limit=len(rows))


def _wire_group(w: Wiring, tp: TablePlan, u: FkGroupUnit) -> None:
    for part in u.parts:
        part.pool = _pool_for(w, tp, part)
    if any(isinstance(tp.column(c).gen, Stored) for c in u.columns):
        # a part's values are as SQLite stores them: so must all parts' be, to agree
        for part in u.parts:
            part.pool = _pool_for(w, tp, part, force=True)
    u.prepare(tp.table, w.skew)


def _wire_fk(w: Wiring, tp: TablePlan, u: FkUnit) -> None:
    t = tp.table
    pool = _pool_for(w, tp, u)
    if not pool and not all(tp.column(c).nullable for c in u.columns):
        raise UnsupportedError(
            f"{t.key}: foreign key {u.fk.name} ({', '.join(u.columns)}) needs rows in "
            f"{u.fk.ref_table}, which gets none: give it rows too"
        )
    u.set_pool(pool, skew_for(w.skew, t, u.columns) or 0.0)


def _wire_self(w: Wiring, tp: TablePlan, u: SelfFkUnit) -> None:
    """A self-reference points at the table's own rows, new (as the referencing columns
    hold them) and already there."""
    t, existing = tp.table, w.existing
    own = tp.rows_of(u.ref_columns)
    src = [tp.column(c) for c in u.ref_columns]
    dst = [tp.column(c) for c in u.columns]
    same = all(_same_values(a.info, b.info) for a, b in zip(src, dst, strict=True))
    converted = not same
    if w.as_stored and (not same or any(isinstance(a.gen, Stored) for a in src)):
        own = w.sqlite_rows(own, tp, u.ref_columns, tp, u.fk)
        converted = True
    elif not same:
        own = _convert_rows(own, src, dst)
    u.set_own(own, converted=converted)
    u.base = existing.keys(t.key, u.ref_columns) if existing.count(t.key) else []
    if not u.nullable and not u.pointable():
        raise UnsupportedError(f"{t.key}: self-reference {u.fk.name} has nothing to point at")


def _distinct_on_key(
    t: Table, combo: ComboUnit, part: FkUnit, pool: Sequence[Any]
) -> Sequence[Any]:
    """Of a foreign key's referenced rows, one per value of the unique key's columns among
    the key's (``UNIQUE (user_id)`` over ``(tenant_id, user_id) -> users``): distinct
    combinations of the rows are then distinct on the key."""
    keep = [i for i, c in enumerate(part.columns) if c in combo.key_columns]
    if len(keep) == len(part.columns):
        return pool
    if combo.existing:
        raise UnsupportedError(
            f"{t.key}: {combo.source} ({', '.join(combo.key_columns)}) covers part of foreign "
            f"key {part.fk.name}; adding rows to a table that has some is not supported"
        )
    seen: set[tuple[Any, ...]] = set()
    out = []
    for v in pool:
        k = tuple(v[i] for i in keep)
        if k not in seen:
            seen.add(k)
            out.append(v)
    return out


def _pool_for(w: Wiring, tp: TablePlan, u: FkUnit, *, force: bool = False) -> Sequence[Any]:
    pool = w.target_pool(tp, u, force=force)
    if any(isinstance(tp.column(c).gen, Stored) for c in u.columns):
        return pool  # SQLite stored them with the columns' checks (affinity.py)
    # the referencing columns' own checks (customer_id > 0) must hold for the drawn values
    preds = [(i, tp.column(c)) for i, c in enumerate(u.columns)]
    preds = [(i, cp) for i, cp in preds if cp.lo is not None or cp.hi is not None or cp.gen]
    if pool:
        allowed: dict[int, set[Any]] = {}
        for i, cp in preds:
            if isinstance(cp.gen, ChoiceGen):
                allowed[i] = set(cp.gen.values)

        def ok(v: Any) -> bool:
            vals = (v,) if len(u.columns) == 1 else v
            for i, cp in preds:
                x = vals[i]
                if (cp.lo is not None and x < cp.lo) or (cp.hi is not None and x > cp.hi):
                    return False
                if i in allowed and x not in allowed[i]:
                    return False
                if cp.gen is not None and not cp.gen.valid(x):
                    return False
            return True

        if not all(ok(v) for v in _probe_values(pool)) or not isinstance(pool, range):
            pool = [v for v in pool if ok(v)]
    return pool


def _same_values(a: TypeInfo, b: TypeInfo) -> bool:
    """Whether internal values of ``a`` mean the same in ``b``."""
    if a.kind != b.kind:
        return a.kind in ("text", "enum") and b.kind in ("text", "enum")
    if a.kind in ("numeric", "money"):
        return (a.scale if a.scale is not None else 2) == (b.scale if b.scale is not None else 2)
    return True


def _convert_pool(pool: Sequence[Any], src: list[ColumnPlan], dst: list[ColumnPlan]) -> list[Any]:
    """Referenced values as the referencing columns store them (an integer column pointing at
    a real one ...); values that have no equal in the other type are left out."""
    return [v for v in _convert_rows(pool, src, dst) if v is not None]


def _convert_rows(rows: Sequence[Any], src: list[ColumnPlan], dst: list[ColumnPlan]) -> list[Any]:
    """:func:`_convert_pool` row by row: None for a row with a NULL or without an equal."""
    out: list[Any] = []
    single = len(src) == 1
    for v in rows:
        vals = (v,) if single else v
        conv = []
        if v is not None and None not in vals:
            for x, a, b in zip(vals, src, dst, strict=True):
                y = _convert(x, a, b)
                if y is _NO_VALUE:
                    break
                conv.append(y)
        if len(conv) == len(src):
            out.append(conv[0] if single else tuple(conv))
        else:
            out.append(None)
    return out


_NO_VALUE = object()


def _convert(x: Any, a: ColumnPlan, b: ColumnPlan) -> Any:
    if _same_values(a.info, b.info):
        return x
    gen_a = a.gen
    py = gen_a.py(x) if gen_a is not None else x
    k = b.info.kind

    try:
        if isinstance(py, bool) or py is None:
            return _NO_VALUE
        if k == "int" and isinstance(py, (int, float, Decimal, str)):
            n = Decimal(str(py))
            return int(n) if n == n.to_integral_value() else _NO_VALUE
        if k in ("numeric", "money") and isinstance(py, (int, float, Decimal, str)):
            scale = b.info.scale if b.info.scale is not None else 2
            n = Decimal(str(py)).scaleb(scale)
            return int(n) if n == n.to_integral_value() else _NO_VALUE
        if k == "float" and isinstance(py, (int, float, Decimal, str)):
            return float(py)
        if k == "text" and isinstance(py, (int, float, Decimal)):
            return str(py)
    except (ArithmeticError, ValueError):  # text that is no number
        return _NO_VALUE
    return _NO_VALUE


def _probe_values(pool: Sequence[Any]) -> list[Any]:
    """The ends of a range (all a bound check needs), else everything."""
    if isinstance(pool, range) and len(pool):
        return [pool[0], pool[-1]]
    return list(pool)
