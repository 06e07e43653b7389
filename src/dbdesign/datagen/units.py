"""A table's plan (:class:`TablePlan`): its columns and the *units* that produce them.

A unit produces one or more columns together:

- :class:`FreeUnit` — one column drawn from its generator (values.py), or made unique: a
  counter for serial/identity and integer keys, an index-based sequence for text, uuid, dates ...;
- :class:`ComboUnit` — a unique constraint none of whose columns can be made unique on its own
  (a junction table's primary key of two foreign keys; a unique (flag, kind)): distinct
  combinations of the members' finite domains, sampled without replacement; several such keys
  that share columns (``(a, flag)`` and ``(flag, b)``) are one unit, whose rows keep them all
  (joint.py);
- :class:`DerivedUnit` — one side of a two-column check (``starts_at < ends_at``): the other side
  plus a random step;
- the units of foreign keys (fk_units.py).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, overload

import numpy as np

from dbdesign.datagen import draws
from dbdesign.datagen.joint import JointKeys
from dbdesign.datagen.types import TypeInfo
from dbdesign.datagen.values import Cons, Gen, Unsatisfiable
from dbdesign.errors import UnsupportedError
from dbdesign.model import Table


class CapacityError(UnsupportedError):
    """A table cannot have as many rows as asked: its unique constraints allow only ``limit``."""

    def __init__(self, message: str, *, table: str, limit: int) -> None:
        super().__init__(message)
        self.table = table
        self.limit = limit


def stable_seed(*parts: object) -> int:
    """A seed from strings, the same in every process (``hash()`` is salted)."""
    h = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8)
    return int.from_bytes(h.digest(), "big")


def zipf_cum(n: int, s: float) -> list[float]:
    """Cumulative weights 1/k**s for k = 1..n."""
    return list(accumulate(k ** (-s) for k in range(1, n + 1)))


def coprime_stride(n: int) -> int:
    """A step coprime with n: rank r -> index (r * stride) % n spreads the hot values."""
    if n <= 2:
        return 1
    s = max(1, int(n * 0.6180339887))
    while math.gcd(s, n) != 1:
        s += 1
    return s


# --------------------------------------------------------------------------- columns


@dataclass
class ColumnPlan:
    name: str
    info: TypeInfo
    cons: Cons
    nullable: bool
    serial: bool  # identity, nextval() default or SQLite rowid alias: values are a counter
    omit: bool = False  # not written: the server fills it (unknown type with a default)
    gen: Gen | None = None
    lo: Any = None
    hi: Any = None


class ColumnIndex:
    """A table's planned columns by name: as written, else ignoring case."""

    def __init__(self, table: Table, columns: list[ColumnPlan]) -> None:
        self.table = table
        self.by_name = {c.name: c for c in columns}
        self.folded = {c.name.lower(): c for c in columns}

    def get(self, name: str) -> ColumnPlan | None:
        return self.by_name.get(name) or self.folded.get(name.lower())

    def find(self, name: str, source: str) -> ColumnPlan:
        """The column that ``source`` (a check, a foreign key) names; raises when none is."""
        c = self.get(name)
        if c is None:
            t = self.table
            if any(g.name == name for g in t.columns):
                raise UnsupportedError(
                    f"{t.key}: {source} reads generated column {name}; not supported"
                )
            raise UnsupportedError(f"{t.key}: {source} refers to unknown column {name}")
        return c


# --------------------------------------------------------------------------- units


class Unit:
    columns: tuple[str, ...] = ()
    unique: bool = False
    combo: ComboUnit | None = None
    mat: Sequence[Any] | None = None  # materialised values (tuples when several columns)
    rng: random.Random

    def produce(self, tp: TablePlan, start: int, m: int, done: dict[str, list[Any]]) -> list[Any]:
        """Values of rows [start, start + m): scalars for one column, tuples for several."""
        raise NotImplementedError

    def values(self, tp: TablePlan, start: int, m: int, done: dict[str, list[Any]]) -> list[Any]:
        if self.mat is not None:
            return list(self.mat[start : start + m])
        return self.produce(tp, start, m, done)

    def materialise(self, tp: TablePlan) -> Sequence[Any]:
        if self.mat is None:
            self.mat = self.produce(tp, 0, tp.n, {})
        return self.mat


def with_nulls(rng: random.Random, vals: list[Any], frac: float, width: int) -> list[Any]:
    if frac <= 0:
        return vals
    null: Any = None if width == 1 else (None,) * width
    return [null if f else v for f, v in zip(draws.flags(rng, frac, len(vals)), vals, strict=True)]


class FreeUnit(Unit):
    def __init__(self, col: ColumnPlan, seed: int) -> None:
        self.col = col
        self.columns = (col.name,)
        self.rng = random.Random(seed)
        self.nrng = random.Random(seed + 1)
        self.null_frac = 0.0
        self.start = 0  # first index of a unique sequence (rows already in the database)

    def produce(self, tp: TablePlan, start: int, m: int, done: dict[str, list[Any]]) -> list[Any]:
        gen = self.col.gen
        assert gen is not None
        try:
            if self.unique:
                total = self.start + tp.n
                if gen.chunked(total):
                    return list(gen.unique(self.rng, m, self.start + start, total))
                return list(self.materialise(tp)[start : start + m])
            if self.col.cons.force_null or self.col.omit:
                return [None] * m
            return with_nulls(self.nrng, gen.sample(self.rng, m), self.null_frac, 1)
        except Unsatisfiable as e:
            raise UnsupportedError(f"{tp.key}.{self.col.name}: {e}") from None

    def materialise(self, tp: TablePlan) -> Sequence[Any]:
        if self.mat is None:
            gen = self.col.gen
            assert gen is not None
            if self.unique:
                try:
                    self.mat = gen.unique(self.rng, tp.n, self.start, self.start + tp.n)
                except Unsatisfiable as e:
                    raise UnsupportedError(f"{tp.key}.{self.col.name}: {e}") from None
            else:
                self.mat = self.produce(tp, 0, tp.n, {})
        return self.mat


class ComboUnit(Unit):
    """Distinct combinations over members, each a (columns, domain, cumulative weights)."""

    def __init__(
        self,
        members: list[tuple[tuple[str, ...], Sequence[Any], list[float] | None]],
        seed: int,
        existing: set[Any],
        source: str = "",
        parts: list[Unit] | None = None,
    ) -> None:
        self.members = members
        self.columns = tuple(c for cols, _, _ in members for c in cols)
        self.rng = random.Random(seed)
        self.existing = existing
        self.capacity = math.prod(len(d) for _, d, _ in members)
        self.source = source  # the unique key, for messages
        self.parts = parts or []  # the units the combination replaces (FK units get pools)
        # the unique key's columns: a foreign key's columns outside it may repeat with it
        self.key_columns: tuple[str, ...] = self.columns
        # several unique keys sharing columns (joint.py): each (columns, source), and per key
        # the values already in the table; empty for one key
        self.keys: list[tuple[tuple[str, ...], str]] = []
        self.key_existing: list[set[tuple[Any, ...]]] = []

    @property
    def joint(self) -> bool:
        return len(self.keys) > 1

    def unique_on(self) -> list[tuple[str, ...]]:
        """The column sets on which no two rows agree."""
        return [k for k, _ in self.keys] if self.keys else [self.key_columns]

    def joint_rows(self, n: int) -> list[Any]:
        """Up to ``n`` rows that keep every key (fewer when no more were found; joint.py)."""
        jk = JointKeys(
            [(cols, dom) for cols, dom, _ in self.members],
            [k for k, _ in self.keys],
            self.key_existing or None,
        )
        rows = []
        for digits in jk.choose(n, self.rng):
            out: list[Any] = []
            for (cols, dom, _), d in zip(self.members, digits, strict=True):
                v = dom[d]
                if len(cols) == 1:
                    out.append(v)
                else:
                    out.extend(v)
            rows.append(out[0] if len(self.columns) == 1 else tuple(out))
        return rows

    def produce(self, tp: TablePlan, start: int, m: int, done: dict[str, list[Any]]) -> list[Any]:
        return list(self.materialise(tp)[start : start + m])

    def materialise(self, tp: TablePlan) -> Sequence[Any]:
        if self.mat is None and self.joint:  # (wiring chose them, and checked the count)
            rows = self.joint_rows(tp.n)
            if len(rows) < tp.n:
                raise UnsupportedError(f"could not draw {tp.n} rows keeping {self.source}")
            self.mat = rows
        if self.mat is None:
            idx = self._by_first(self._indexes(tp.n))
            if all(len(cols) == 1 for cols, _, _ in self.members):
                by_member = self._decode_columns(idx)
                self.mat = by_member[0] if len(by_member) == 1 else ColumnRows(by_member)
            elif len(self.columns) == 1:
                self.mat = [self._decode(i)[0] for i in idx]
            else:
                self.mat = [self._decode(i) for i in idx]
        return self.mat

    def _by_first(
        self, idx: Sequence[int] | np.ndarray[Any, Any]
    ) -> Sequence[int] | np.ndarray[Any, Any]:
        """The combinations in the order of their first member's values, each value's drawn
        order kept: a child table's rows grouped by parent, as an application inserts an
        order's lines together (and the server builds the keys and checks the foreign keys of
        such rows faster: 2.6 -> 2.0 s of CPU for the e-commerce example's 1.5 M order lines)."""
        size = len(self.members[0][1])
        if isinstance(idx, np.ndarray):
            out: np.ndarray[Any, Any] = idx[np.argsort(idx % size, kind="stable")]
            return out
        return sorted(idx, key=lambda i: i % size)

    def _decode_columns(self, idx: Sequence[int] | np.ndarray[Any, Any]) -> list[list[Any]]:
        """:meth:`_decode` of many indexes at once, member by member (each one column)."""
        out = []
        if self.capacity < 2**63:  # numpy's integers
            at = np.asarray(idx, np.int64)
            for _, dom, _ in self.members:
                out.append(draws.take(dom, at % len(dom)))
                at = at // len(dom)
            return out
        for _, dom, _ in self.members:
            size = len(dom)
            out.append(list(map(dom.__getitem__, [i % size for i in idx])))
            idx = [i // size for i in idx]
        return out

    def _decode(self, idx: int) -> tuple[Any, ...]:
        out: list[Any] = []
        for cols, dom, _ in self.members:
            idx, d = divmod(idx, len(dom))
            v = dom[d]
            if len(cols) == 1:
                out.append(v)
            else:
                out.extend(v)
        return tuple(out)

    def _key(self, idx: int) -> Any:
        """The combination as existing keys are stored: a scalar for one column."""
        t = self._decode(idx)
        return t[0] if len(t) == 1 else t

    def _indexes(self, n: int) -> Sequence[int] | np.ndarray[Any, Any]:
        """``n`` distinct combinations (as mixed-radix indexes over the members' domains), none
        of them already in the table: a plain sample, or drawn member by member where a member
        is skewed or the table has rows."""
        skewed = any(w is not None for _, _, w in self.members)
        if not skewed and not self.existing:
            return _distinct(self.rng, self.capacity, n)
        seen: set[int] = set()
        out: list[int] = []
        self._draw_indexes(n, seen, out)
        if len(out) < n:  # skew too strong for this many rows: fill the rest uniformly
            self._fill_indexes(n, seen, out)
        if len(out) < n:
            raise UnsupportedError(f"could not draw {n} distinct combinations of {self.columns}")
        return out

    def _taken(self, idx: int, seen: set[int]) -> bool:
        """Whether combination ``idx`` is drawn already or is in the table."""
        return idx in seen or bool(self.existing and self._key(idx) in self.existing)

    def _draw_indexes(self, n: int, seen: set[int], out: list[int]) -> None:
        """Draw combinations, each member by its weights, until ``out`` has ``n`` or a budget
        of repeats is spent."""
        sizes = [len(d) for _, d, _ in self.members]
        strides = [coprime_stride(s) for s in sizes]
        budget = 30 * n + 1000
        while len(out) < n and budget > 0:
            batch = min(n - len(out), 50_000)
            for idx in self._draw_batch(batch, sizes, strides):
                if self._taken(idx, seen):
                    budget -= 1
                    continue
                seen.add(idx)
                out.append(idx)
                if len(out) == n:
                    break

    def _draw_batch(self, batch: int, sizes: list[int], strides: list[int]) -> list[int]:
        """``batch`` combinations (maybe repeating): one digit per member, Zipf-weighted where
        the member has weights (rank spread by its stride), else uniform."""
        rng = self.rng
        if self.capacity < 2**63 and max(sizes) < 2**31 and batch >= draws.FEW:  # numpy's
            at = np.zeros(batch, np.int64)
            mult = 1
            for (_, _dom, cum), size, st in zip(self.members, sizes, strides, strict=True):
                d = draws.indexes(rng, size, batch, cum)
                at += ((d * st) % size if cum is not None else d) * mult
                mult *= size
            drawn: list[int] = at.tolist()
            return drawn
        digits = []
        for (_, _dom, cum), size, st in zip(self.members, sizes, strides, strict=True):
            if cum is not None:
                ranks = rng.choices(range(size), cum_weights=cum, k=batch)
                digits.append([(x * st) % size for x in ranks])
            else:
                digits.append([int(rng.random() * size) for _ in range(batch)])
        out = []
        for parts in zip(*digits, strict=True):
            idx, mult = 0, 1
            for d, size in zip(parts, sizes, strict=True):
                idx += d * mult
                mult *= size
            out.append(idx)
        return out

    def _fill_indexes(self, n: int, seen: set[int], out: list[int]) -> None:
        """Fill ``out`` up to ``n`` with combinations in a uniform random order (where the
        capacity is small enough to shuffle)."""
        cap = self.capacity
        for idx in self.rng.sample(range(cap), cap) if cap <= 5_000_000 else ():
            if not self._taken(idx, seen):
                seen.add(idx)
                out.append(idx)
                if len(out) == n:
                    break


def _distinct(rng: random.Random, size: int, n: int) -> Sequence[int] | np.ndarray[Any, Any]:
    """``n`` distinct integers of ``range(size)`` in random order, as ``rng.sample`` draws
    them; when they are few among many, by uniform draws (numpy's) with the repeats dropped,
    each value where it was first drawn (``rng.sample`` draws one by one through
    ``randbelow``: 1.5 M of 10^10 took 1.2 s, this 0.1 s)."""
    if size > 2**48 or size < 8 * n:
        return rng.sample(range(size), n)
    g = draws.generator(rng)
    out = np.empty(0, np.int64)
    while len(out) < n:
        out = _first_of_each(np.concatenate([out, g.integers(0, size, n - len(out))]))
    return out


def _first_of_each(a: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``a`` with each value only where it first occurs (repeats are few)."""
    s = np.sort(a)
    repeated = np.unique(s[1:][s[1:] == s[:-1]])
    if not len(repeated):
        return a
    at = np.minimum(np.searchsorted(repeated, a), len(repeated) - 1)
    keep = np.ones(len(a), bool)
    seen: set[int] = set()
    for i in np.flatnonzero(repeated[at] == a).tolist():
        v = int(a[i])
        if v in seen:
            keep[i] = False
        seen.add(v)
    return a[keep]


class DerivedUnit(Unit):
    """``column = source (+|-) step`` (``a < b``), a copy (``a = b``) or different (``a <> b``)."""

    def __init__(self, col: ColumnPlan, source: str, op: str, strict: bool, seed: int) -> None:
        self.col = col
        self.columns = (col.name,)
        self.source = source
        self.op = op  # "above", "below", "equal", "differ"
        self.strict = strict
        self.rng = random.Random(seed)
        self.nrng = random.Random(seed + 1)
        self.null_frac = 0.0
        self.max_step: Any = None  # a longest step, when a rule asks for short ranges

    def produce(self, tp: TablePlan, start: int, m: int, done: dict[str, list[Any]]) -> list[Any]:
        gen = self.col.gen
        assert gen is not None
        src = done[self.source]
        free = gen.sample(self.rng, m)
        if self.op == "equal":
            out = list(src)
        elif self.op == "differ":
            out = [
                f if f != s else _other(gen, self.rng, s) for f, s in zip(free, src, strict=True)
            ]
        else:
            dmin, dmax = gen.delta()
            if self.max_step is not None:
                dmax = max(dmin, min(dmax, self.max_step))
            if self.strict and not gen.discrete:
                dmin = max(dmin, 1e-6)
            elif not self.strict:
                dmin = 0
            r = self.rng.random
            hi, lo = self.col.hi, self.col.lo
            out = []
            for s, f in zip(src, free, strict=True):
                if s is None:
                    out.append(f)
                    continue
                d = dmin + (dmax - dmin) * r()
                if gen.discrete:
                    d = int(d)
                if self.op == "above":
                    v = s + d
                    out.append(min(v, hi) if hi is not None else v)
                else:
                    v = s - d
                    out.append(max(v, lo) if lo is not None else v)
        return with_nulls(self.nrng, out, self.null_frac, 1)


def _other(gen: Gen, rng: random.Random, avoid: Any) -> Any:
    for _ in range(100):
        v = gen.sample(rng, 1)[0]
        if v != avoid:
            return v
    raise UnsupportedError("cannot draw a value different from the other column")


# --------------------------------------------------------------------------- tables


@dataclass
class TablePlan:
    table: Table
    n: int
    columns: list[ColumnPlan]
    units: list[Unit] = field(default_factory=list)
    unit_of: dict[str, Unit] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # FKs whose columns another, larger FK of this table already produces
    implied_fks: list[str] = field(default_factory=list)
    wired: str = ""  # "", "wiring", "done": foreign-key pools set (see Wiring)
    # keeps the rows of each batch to the table's business rules (row_rules.RuleKeeper)
    repair: Callable[[int, dict[str, list[Any]]], None] | None = None

    @property
    def key(self) -> str:
        return self.table.key

    @property
    def out_columns(self) -> list[str]:
        return [c.name for c in self.columns if not c.omit]

    def column(self, name: str) -> ColumnPlan:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def pool(self, ref_columns: tuple[str, ...]) -> Sequence[Any]:
        """The values of ``ref_columns`` over this table's new rows (tuples for several
        columns), NULLs left out."""
        rows = self.rows_of(ref_columns)
        if isinstance(rows, range):
            return rows
        return [v for v in rows if v is not None]

    def rows_of(self, ref_columns: tuple[str, ...]) -> Sequence[Any]:
        """The values of ``ref_columns`` row by row (tuples for several columns), None for a
        row with a NULL in them."""
        units = {id(self.unit_of[c]): self.unit_of[c] for c in ref_columns}
        if len(units) == 1:
            u = next(iter(units.values()))
            if u.columns == ref_columns:
                mat = u.materialise(self)
                if isinstance(mat, range) or len(ref_columns) == 1:
                    return mat
                return [None if v is None or None in v else v for v in mat]
        cols = []
        for c in ref_columns:
            u = self.unit_of[c]
            mat = u.materialise(self)
            if len(u.columns) == 1:
                cols.append(mat)
            else:
                i = u.columns.index(c)
                cols.append([None if v is None else v[i] for v in mat])
        if len(cols) == 1:  # one column of a unit that writes several (a composite key)
            return cols[0]
        return [None if None in t else t for t in zip(*cols, strict=True)]

    def batches(self, size: int) -> Any:
        """(start, {column: values}) for each batch of rows, in internal values."""
        order = [u for u in self.units if not isinstance(u, DerivedUnit)] + _derived_order(
            [u for u in self.units if isinstance(u, DerivedUnit)]
        )
        for start in range(0, self.n, size):
            m = min(size, self.n - start)
            done: dict[str, list[Any]] = {}
            for u in order:
                mat = u.materialise(self) if isinstance(u, ComboUnit) else u.mat
                if isinstance(mat, ColumnRows):  # no tuples made and taken apart
                    for c, held in zip(u.columns, mat.columns, strict=True):
                        done[c] = held[start : start + m]
                    continue
                vals = u.values(self, start, m, done)
                if len(u.columns) == 1:
                    done[u.columns[0]] = vals
                elif vals and None not in vals:
                    for c, col in zip(u.columns, zip(*vals, strict=True), strict=True):
                        done[c] = list(col)
                else:
                    for i, c in enumerate(u.columns):
                        done[c] = [None if v is None else v[i] for v in vals]
            if self.repair is not None:
                self.repair(start, done)
            yield start, done


class ColumnRows(Sequence[tuple[Any, ...]]):
    """Rows of several columns kept column by column (a combination's), read as tuples;
    :meth:`TablePlan.batches` takes their columns as they are."""

    def __init__(self, columns: list[list[Any]]) -> None:
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns[0])

    @overload
    def __getitem__(self, i: int) -> tuple[Any, ...]: ...

    @overload
    def __getitem__(self, i: slice) -> list[tuple[Any, ...]]: ...

    def __getitem__(self, i: int | slice) -> tuple[Any, ...] | list[tuple[Any, ...]]:
        if isinstance(i, slice):
            return list(zip(*(c[i] for c in self.columns), strict=True))
        return tuple(c[i] for c in self.columns)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return zip(*self.columns, strict=True)


def _derived_order(units: list[DerivedUnit]) -> list[Unit]:
    out: list[Unit] = []
    placed: set[str] = set()
    targets = {u.columns[0] for u in units}
    pending = list(units)
    while pending:
        progressed = False
        for u in list(pending):
            if u.source not in targets or u.source in placed:
                out.append(u)
                placed.add(u.columns[0])
                pending.remove(u)
                progressed = True
        if not progressed:
            raise UnsupportedError(
                "checks compare columns in a cycle: "
                + ", ".join(f"{u.source}/{u.columns[0]}" for u in pending)
            )
    return out
