"""From a schema and row counts to a plan: for every table, *units* that produce its columns.

A unit produces one or more columns together:

- :class:`FreeUnit` — one column drawn from its generator (values.py), or made unique: a
  counter for serial/identity and integer keys, an index-based sequence for text, uuid, dates ...;
- :class:`FkUnit` — the columns of one foreign key, drawn from the referenced rows (all of a
  composite key at once, NULL all together), uniformly or Zipf-skewed;
- :class:`SelfFkUnit` — a foreign key to the same table: the first row NULL (or itself), later rows
  point at earlier ones;
- :class:`ComboUnit` — a unique constraint none of whose columns can be made unique on its own
  (a junction table's primary key of two foreign keys; a unique (flag, kind)): distinct
  combinations of the members' finite domains, sampled without replacement;
- :class:`DerivedUnit` — one side of a two-column check (``starts_at < ends_at``): the other side
  plus a random step.

Values referenced by foreign keys are *materialised* (a ``range`` for counters, a list otherwise)
before their table is generated, so a referencing table can draw from them whatever the order of
loading — which is what makes cycles of foreign keys possible.
"""

from __future__ import annotations

import bisect
import fnmatch
import hashlib
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from typing import Any, Protocol

from dbdesign.datagen import checks as chk
from dbdesign.datagen.affinity import KeySide, referenced
from dbdesign.datagen.reserved import refusal, skip_note, tool_table
from dbdesign.datagen.types import TypeInfo, resolve
from dbdesign.datagen.values import (
    ORDERED_KINDS,
    ChoiceGen,
    Cons,
    Gen,
    IntGen,
    Stored,
    Unsatisfiable,
    bounds,
    make_gen,
    null_fraction,
)
from dbdesign.errors import ConfigError, UnsupportedError
from dbdesign.model import ForeignKey, Schema, Table

FK_NULL_FRACTION = 0.05
ROOT_FRACTION = 0.05  # of a nullable self-reference's rows that are roots (NULL)
_ORDERED = ORDERED_KINDS


class CapacityError(UnsupportedError):
    """A table cannot have as many rows as asked: its unique constraints allow only ``limit``."""

    def __init__(self, message: str, *, table: str, limit: int) -> None:
        super().__init__(message)
        self.table = table
        self.limit = limit


class Existing(Protocol):
    """What a target database already holds (the loader asks the database; generate() has
    nothing)."""

    def count(self, table: str) -> int: ...

    def max(self, table: str, column: str) -> int | None: ...

    def keys(self, table: str, columns: tuple[str, ...]) -> list[Any]: ...


class NoExisting:
    def count(self, table: str) -> int:
        return 0

    def max(self, table: str, column: str) -> int | None:
        return None

    def keys(self, table: str, columns: tuple[str, ...]) -> list[Any]:
        return []


def stable_seed(*parts: object) -> int:
    """A seed from strings, the same in every process (``hash()`` is salted)."""
    h = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8)
    return int.from_bytes(h.digest(), "big")


def zipf_cum(n: int, s: float) -> list[float]:
    """Cumulative weights 1/k**s for k = 1..n."""
    return list(accumulate(k ** (-s) for k in range(1, n + 1)))


def _stride(n: int) -> int:
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


def _with_nulls(rng: random.Random, vals: list[Any], frac: float, width: int) -> list[Any]:
    if frac <= 0:
        return vals
    r = rng.random
    null: Any = None if width == 1 else (None,) * width
    return [null if r() < frac else v for v in vals]


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
            return _with_nulls(self.nrng, gen.sample(self.rng, m), self.null_frac, 1)
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


class FkUnit(Unit):
    def __init__(self, fk: ForeignKey, ref_columns: tuple[str, ...], seed: int) -> None:
        self.fk = fk
        self.columns = fk.columns
        self.ref_columns = ref_columns
        self.rng = random.Random(seed)
        self.nrng = random.Random(seed + 1)
        self.null_frac = 0.0
        self.skew = 0.0
        self.pool: Sequence[Any] = ()
        self._cum: list[float] | None = None
        self._stride = 1

    def set_pool(self, pool: Sequence[Any], skew: float) -> None:
        self.pool = pool
        self.skew = skew
        if skew and len(pool) > 1:
            self._cum = zipf_cum(len(pool), skew)
            self._stride = _stride(len(pool))

    def draw(self, rng: random.Random, m: int) -> list[Any]:
        pool, n = self.pool, len(self.pool)
        if self._cum is not None:
            st = self._stride
            return [pool[(r * st) % n] for r in rng.choices(range(n), cum_weights=self._cum, k=m)]
        r = rng.random
        return [pool[int(r() * n)] for _ in range(m)]

    def produce(self, tp: TablePlan, start: int, m: int, done: dict[str, list[Any]]) -> list[Any]:
        if not self.pool:
            return [None if len(self.columns) == 1 else (None,) * len(self.columns)] * m
        return _with_nulls(self.nrng, self.draw(self.rng, m), self.null_frac, len(self.columns))


class SelfFkUnit(Unit):
    def __init__(
        self, fk: ForeignKey, ref_columns: tuple[str, ...], nullable: bool, seed: int
    ) -> None:
        self.fk = fk
        self.columns = fk.columns
        self.ref_columns = ref_columns
        self.nullable = nullable
        self.rng = random.Random(seed)
        self.own: Sequence[Any] = ()  # the referenced values of the new rows, row by row
        self.targets: list[int] | None = None  # rows that can be pointed at, when not all can
        self.converted = False  # (set_own)
        self.base: Sequence[Any] = ()  # rows of the table already in the database

    def set_own(self, own: Sequence[Any], *, converted: bool = False) -> None:
        """The referenced values row by row: None where a row cannot be pointed at (its key
        has a NULL, or its values have no equal in the referencing columns' type).
        ``converted``: the values are another type's (SQLite's affinity converts them), and a
        row never points at itself: SQLite compares a row's key with its own reference
        without that conversion, counts the row as breaking the key and fails the COMMIT
        (while ``PRAGMA foreign_key_check`` finds nothing wrong)."""
        self.own = own
        self.targets = None
        self.converted = converted
        if converted or (not isinstance(own, range) and any(v is None for v in own)):
            self.targets = [i for i, v in enumerate(own) if v is not None]

    def pointable(self) -> bool:
        """Whether some row, new or already there, can be pointed at (converted: some row
        other than the one pointing)."""
        if self.base:
            return True
        if self.targets is None:
            return len(self.own) > 0
        return len(self.targets) > (1 if self.converted else 0)

    def produce(self, tp: TablePlan, start: int, m: int, done: dict[str, list[Any]]) -> list[Any]:
        own, base, targets = self.own, self.base, self.targets
        width = len(self.columns)
        null: Any = None if width == 1 else (None,) * width
        r = self.rng.random
        out: list[Any] = []
        for i in range(start, start + m):
            if self.nullable and ((i == 0 and not base) or r() < ROOT_FRACTION):
                out.append(null)
                continue
            if targets is None:
                k = len(base) + i  # choose among earlier rows (the first may point at itself)
                j = int(r() * k) if k else 0
                out.append(base[j] if j < len(base) else own[j - len(base)])
                continue
            # only some rows can be pointed at: choose among those up to this one (before it,
            # when converted), else (no such row yet) NULL, or a later such row (SQLite
            # checks the key at COMMIT)
            upto = bisect.bisect_left if self.converted else bisect.bisect_right
            k = len(base) + upto(targets, i)
            if k:
                j = int(r() * k)
                out.append(base[j] if j < len(base) else own[targets[j - len(base)]])
                continue
            later = targets[bisect.bisect_right(targets, i) :]
            if self.nullable or not later:
                out.append(null)  # (not later: the planner refused a NOT NULL one)
                continue
            out.append(own[later[int(r() * len(later))]])
        return out


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

    def produce(self, tp: TablePlan, start: int, m: int, done: dict[str, list[Any]]) -> list[Any]:
        return list(self.materialise(tp)[start : start + m])

    def materialise(self, tp: TablePlan) -> Sequence[Any]:
        if self.mat is None:
            idx = self._indexes(tp.n)
            if len(self.columns) == 1:
                self.mat = [self._decode(i)[0] for i in idx]
            else:
                self.mat = [self._decode(i) for i in idx]
        return self.mat

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

    def _indexes(self, n: int) -> list[int]:
        rng, cap = self.rng, self.capacity
        skewed = any(w is not None for _, _, w in self.members)
        if not skewed and not self.existing:
            return rng.sample(range(cap), n)
        seen: set[int] = set()
        out: list[int] = []
        sizes = [len(d) for _, d, _ in self.members]
        strides = [_stride(s) for s in sizes]
        budget = 30 * n + 1000
        while len(out) < n and budget > 0:
            batch = min(n - len(out), 50_000)
            digits = []
            for (_, _dom, cum), size, st in zip(self.members, sizes, strides, strict=True):
                if cum is not None:
                    ranks = rng.choices(range(size), cum_weights=cum, k=batch)
                    digits.append([(x * st) % size for x in ranks])
                else:
                    digits.append([int(rng.random() * size) for _ in range(batch)])
            for parts in zip(*digits, strict=True):
                idx, mult = 0, 1
                for d, size in zip(parts, sizes, strict=True):
                    idx += d * mult
                    mult *= size
                if idx in seen or (self.existing and self._key(idx) in self.existing):
                    budget -= 1
                    continue
                seen.add(idx)
                out.append(idx)
                if len(out) == n:
                    break
        if len(out) < n:  # skew too strong for this many rows: fill the rest uniformly
            for idx in rng.sample(range(cap), cap) if cap <= 5_000_000 else ():
                if idx not in seen and not (self.existing and self._key(idx) in self.existing):
                    seen.add(idx)
                    out.append(idx)
                    if len(out) == n:
                        break
        if len(out) < n:
            raise UnsupportedError(f"could not draw {n} distinct combinations of {self.columns}")
        return out


class FkGroupUnit(Unit):
    """Foreign keys that share columns, drawn together so that every row satisfies all of them
    (the tenant pattern: ``(org_id, project_id) -> projects (org_id, id)`` and ``(org_id,
    reporter_id) -> members (org_id, id)``).

    ``parts[0]`` is drawn first (uniformly or skewed, like a lone foreign key) and fixes its
    columns; each later part is drawn among its parent rows that agree with the columns fixed
    so far (an index of the parent's key tuples by those columns). A part whose own columns are
    all nullable may be NULL there (MATCH SIMPLE: a key with a NULL is not checked); a row for
    which some required part finds no parent is drawn again, a bounded number of times.
    ``distinct`` lists unique keys that lie wholly inside the group: rows repeating one are
    drawn again too."""

    TRIES = 200  # draws of one row before giving up

    def __init__(
        self, parts: list[FkUnit], nullable: Mapping[str, bool], asked: set[str], seed: int
    ) -> None:
        self.parts = parts
        self.columns = tuple(dict.fromkeys(c for p in parts for c in p.columns))
        self.nullable = nullable
        self.asked = asked  # foreign keys with a skew asked for a column of their own
        self.rng = random.Random(seed)
        self.nrng = random.Random(seed + 1)
        self.index: list[dict[tuple[Any, ...], list[tuple[Any, ...]]]] = []
        self.distinct: list[tuple[tuple[int, ...], str, set[Any]]] = []
        self.table = ""
        self._arrange({})

    def _arrange(self, sizes: Mapping[str, int]) -> None:
        """Order the parts: first the one with a skew asked, else the widest, NOT NULL one
        with the most parent rows (rows spread evenly over the finest parent: comments over
        issues, not over members), then each next one that shares columns with those fixed."""
        cols_of = {p.fk.name: set(p.columns) for p in self.parts}

        def rank(p: FkUnit) -> tuple[int, int, int, int, int, str]:
            degree = sum(
                1 for q in self.parts if q is not p and cols_of[q.fk.name] & set(p.columns)
            )
            nullable = any(self.nullable[c] for c in p.columns)
            return (
                0 if p.fk.name in self.asked else 1,
                -len(p.columns),
                1 if nullable else 0,
                -sizes.get(p.fk.name, 0),
                -degree,
                p.fk.name,
            )

        left = list(self.parts)
        order = [min(left, key=rank)]
        left.remove(order[0])
        fixed = set(order[0].columns)
        while left:
            nxt = min((p for p in left if fixed & set(p.columns)), key=rank)
            order.append(nxt)
            left.remove(nxt)
            fixed |= set(nxt.columns)
        self.parts = order
        at = {c: i for i, c in enumerate(self.columns)}
        self.pos = [tuple(at[c] for c in p.columns) for p in order]
        self.fixed: list[tuple[int, ...]] = []  # per part: its columns fixed by earlier parts
        self.free: list[tuple[int, ...]] = []  # ... and those it fixes
        seen: set[str] = set()
        for p in order:
            self.fixed.append(tuple(i for i, c in enumerate(p.columns) if c in seen))
            self.free.append(tuple(i for i, c in enumerate(p.columns) if c not in seen))
            seen |= set(p.columns)
        # a part that may be left NULL in its own columns: all of them nullable
        self.optional = [
            bool(fr) and all(self.nullable[p.columns[i]] for i in fr)
            for p, fr in zip(order, self.free, strict=True)
        ]
        for p, opt in zip(order, self.optional, strict=True):
            p.null_frac = FK_NULL_FRACTION if opt else 0.0

    def add_distinct(self, cols: tuple[str, ...], src: str, have: Sequence[Any]) -> None:
        """Keep ``cols`` (all in the group) unique; ``have``: keys already in the table."""
        keys = {k if isinstance(k, tuple) else (k,) for k in have}
        self.distinct.append((tuple(self.columns.index(c) for c in cols), src, keys))

    def prepare(self, table: Table, skew: Mapping[str, float]) -> None:
        """Order the parts by their pools (set before), index the later parts' pools by their
        fixed columns and keep, of the first part's pool, the rows that every required
        neighbour can match."""
        self._arrange({p.fk.name: len(p.pool) for p in self.parts})
        self.table = table.key
        for k, p in enumerate(self.parts):
            may_be_null = self.optional[k] or (k == 0 and all(self.nullable[c] for c in p.columns))
            if not p.pool and not may_be_null:
                raise UnsupportedError(
                    f"{table.key}: foreign key {p.fk.name} ({', '.join(p.columns)}) needs "
                    f"rows in {p.fk.ref_table}, which gets none: give it rows too"
                )
        self.index = [{}]
        for p, fx in zip(self.parts[1:], self.fixed[1:], strict=True):
            idx: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
            single = len(p.columns) == 1
            for v in p.pool:
                tv = (v,) if single else v
                idx.setdefault(tuple(tv[i] for i in fx), []).append(tv)
            self.index.append(idx)
        first = self.parts[0]
        pool: Sequence[Any] = first.pool
        single = len(first.columns) == 1
        in_first = {c: i for i, c in enumerate(first.columns)}
        for k in range(1, len(self.parts)):
            p = self.parts[k]
            cols = [p.columns[i] for i in self.fixed[k]]
            if self.optional[k] or not all(c in in_first for c in cols):
                continue
            where = [in_first[c] for c in cols]
            idx = self.index[k]
            kept = [v for v in pool if tuple(((v,) if single else v)[i] for i in where) in idx]
            if pool and not kept:
                raise UnsupportedError(
                    f"{table.key}: foreign keys {first.fk.name} and {p.fk.name} share "
                    f"({', '.join(cols)}), but no row of {first.fk.ref_table} agrees with a row "
                    f"of {p.fk.ref_table} on them: give {p.fk.ref_table} rows for them"
                )
            pool = kept
        first.set_pool(pool, skew_for(skew, table, first.columns) or 0.0)

    def produce(self, tp: TablePlan, start: int, m: int, done: dict[str, list[Any]]) -> list[Any]:
        if self.distinct:
            return list(self.materialise(tp)[start : start + m])
        return self._rows(tp, m)

    def materialise(self, tp: TablePlan) -> Sequence[Any]:
        if self.mat is None:
            self.mat = self._rows(tp, tp.n)
        return self.mat

    def _rows(self, tp: TablePlan, m: int) -> list[Any]:
        first = self.parts[0]
        heads = first.draw(self.rng, m) if first.pool else [None] * m
        seen: list[set[Any]] = [set() for _ in self.distinct]
        out: list[Any] = []
        for head in heads:
            row = self._row(head, seen)
            tries = 1
            while row is None and tries < self.TRIES:
                row = self._row(first.draw(self.rng, 1)[0], seen)
                tries += 1
            if row is None:
                self._give_up(tp, len(out))
            out.append(row)
        if len(self.columns) == 1:  # two keys over one column: its values, not 1-tuples
            return [r[0] for r in out]
        return out

    def _give_up(self, tp: TablePlan, got: int) -> None:
        names = ", ".join(p.fk.name for p in self.parts)
        if self.distinct:
            cols = ", ".join(", ".join(self.columns[i] for i in pos) for pos, _, _ in self.distinct)
            srcs = ", ".join(src for _, src, _ in self.distinct)
            raise CapacityError(
                f"{self.table}: {srcs} ({cols}): only about {got} distinct rows agree with "
                f"foreign keys {names}; asked for {tp.n}",
                table=self.table,
                limit=got,
            )
        raise UnsupportedError(
            f"{self.table}: no combination of parent rows satisfies foreign keys {names} "
            f"together (tried {self.TRIES} times for row {got + 1})"
        )

    def _row(self, head: Any, seen: list[set[Any]]) -> tuple[Any, ...] | None:
        row: list[Any] = [None] * len(self.columns)
        first = self.parts[0]
        nr = self.nrng.random
        if head is not None and not (first.null_frac and nr() < first.null_frac):
            vals = (head,) if len(first.columns) == 1 else head
            for i, v in zip(self.pos[0], vals, strict=True):
                row[i] = v
        r = self.rng.random
        for k in range(1, len(self.parts)):
            p, pos, free = self.parts[k], self.pos[k], self.free[k]
            if not free:  # every column fixed: the parent row must exist
                key = tuple(row[pos[i]] for i in self.fixed[k])
                if None not in key and key not in self.index[k]:
                    return None
                continue
            key = tuple(row[pos[i]] for i in self.fixed[k])
            if self.optional[k] and (None in key or nr() < p.null_frac):
                continue
            if None in key:  # the key is not checked: any parent's values do
                pool = p.pool
                v = pool[int(r() * len(pool))]
                vals = (v,) if len(p.columns) == 1 else v
            else:
                cands = self.index[k].get(key)
                if not cands:
                    if self.optional[k]:
                        continue
                    return None
                vals = cands[int(r() * len(cands))]
            for i in free:
                row[pos[i]] = vals[i]
        if self.distinct:
            keys = []
            for (dpos, _, have), s in zip(self.distinct, seen, strict=True):
                dk = tuple(row[i] for i in dpos)
                if None not in dk and (dk in s or dk in have):
                    return None
                keys.append(dk)
            for dk, s in zip(keys, seen, strict=True):
                s.add(dk)
        return tuple(row)


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
        return _with_nulls(self.nrng, out, self.null_frac, 1)


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
    wired: str = ""  # "", "wiring", "done": foreign-key pools set (see _Wiring)

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
                vals = u.values(self, start, m, done)
                if len(u.columns) == 1:
                    done[u.columns[0]] = vals
                else:
                    for i, c in enumerate(u.columns):
                        done[c] = [None if v is None else v[i] for v in vals]
            yield start, done


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


# --------------------------------------------------------------------------- the planner


@dataclass
class Plan:
    schema: Schema
    tables: dict[str, TablePlan]  # in load order
    broken_fks: list[tuple[str, str]]  # (table, constraint) checked after the load (cycles)
    notes: list[str]
    # a migration tool's tables a pattern matched and that were left alone: key -> whose
    skipped: dict[str, str] = field(default_factory=dict)


def resolve_rows(schema: Schema, rows: Mapping[str, int]) -> dict[str, int]:
    """Rows per table key from ``{"public.orders": 1000, "users": 10, "*": 100}``: exact keys
    first, then bare table names, then patterns (``*``, ``public.*``; the longest wins).
    Partitions take no rows from patterns: rows go through their parent. A migration tool's
    tables (reserved.py: ``dbdesign_migrations``, ``schema_migrations`` ...) take no rows from
    patterns either (see :func:`skipped_tables`), and naming one is refused (ConfigError)."""
    return _resolve(schema, rows)[0]


def skipped_tables(schema: Schema, rows: Mapping[str, int]) -> dict[str, str]:
    """The migration tools' tables that a pattern of ``rows`` matched and that get no rows:
    table key -> whose records it holds."""
    return _resolve(schema, rows)[1]


def _resolve(schema: Schema, rows: Mapping[str, int]) -> tuple[dict[str, int], dict[str, str]]:
    out: dict[str, int] = {}
    skipped: dict[str, str] = {}
    patterns: list[tuple[str, int]] = []
    by_name: dict[str, list[str]] = {}
    for key, t in schema.tables.items():
        by_name.setdefault(t.name, []).append(key)
        by_name.setdefault(t.name.lower(), []).append(key)
    for spec, n in rows.items():
        if not isinstance(n, int) or n < 0:
            raise ConfigError(f"rows for {spec!r} must be a whole number >= 0, not {n!r}")
        if any(ch in spec for ch in "*?["):
            patterns.append((spec, n))
            continue
        if spec in schema.tables:
            key = spec
        elif len(set(by_name.get(spec, ()))) == 1:
            key = by_name[spec][0]
            if key in out:
                continue
        elif by_name.get(spec):
            raise ConfigError(
                f"table name {spec!r} is ambiguous: {', '.join(sorted(set(by_name[spec])))}"
            )
        else:
            raise ConfigError(f"no table {spec!r} in the schema")
        if n > 0 and tool_table(schema.tables[key]):
            raise ConfigError(refusal(schema.tables[key]))
        out[key] = n
    patterns.sort(key=lambda p: len(p[0]), reverse=True)
    for key, t in schema.tables.items():
        if key in out or t.partition_of:
            continue
        for pat, n in patterns:
            if fnmatch.fnmatchcase(key, pat) or fnmatch.fnmatchcase(t.name, pat):
                whose = tool_table(t)
                if whose is None:
                    out[key] = n
                elif n > 0:
                    skipped[key] = whose
                break
    return {k: v for k, v in out.items() if v > 0}, skipped


def skew_for(skew: Mapping[str, float], table: Table, columns: Sequence[str]) -> float | None:
    """The Zipf exponent asked for (``schema.table.col``, ``table.col``, ``schema.table``,
    ``table``, ``*``), or None."""
    keys = [f"{table.key}.{c}" for c in columns] + [f"{table.name}.{c}" for c in columns]
    keys += [table.key, table.name, "*"]
    for k in keys:
        if k in skew:
            return float(skew[k])
    return None


def check_skew_keys(schema: Schema, skew: Mapping[str, float]) -> None:
    known: set[str] = {"*"}
    for t in schema.tables.values():
        known |= {t.key, t.name}
        for c in t.columns:
            known |= {f"{t.key}.{c.name}", f"{t.name}.{c.name}"}
    for k, v in skew.items():
        if k not in known:
            raise ConfigError(f"skew: no table or column {k!r} in the schema")
        if not isinstance(v, (int, float)) or v < 0:
            raise ConfigError(f"skew for {k!r} must be a number >= 0, not {v!r}")


def build(
    schema: Schema,
    rows: Mapping[str, int],
    *,
    seed: int = 0,
    skew: Mapping[str, float] | None = None,
    existing: Existing | None = None,
) -> Plan:
    """Plan the data for ``rows`` (see :func:`resolve_rows`); raise on anything the generator
    cannot satisfy, naming the table, column and constraint."""
    skew = dict(skew or {})
    check_skew_keys(schema, skew)
    existing = existing or NoExisting()
    counts, skipped = _resolve(schema, rows)
    plans: dict[str, TablePlan] = {}
    for key in sorted(counts):
        plans[key] = _plan_table(schema, schema.tables[key], counts[key], seed, skew, existing)
    wiring = _Wiring(schema, plans, skew, existing)
    for tp in plans.values():
        wiring.wire(tp)
    order, broken = _load_order(schema, plans)
    notes = [skip_note(schema.tables[k]) for k in sorted(skipped)]
    notes += [n for tp in plans.values() for n in tp.notes]
    return Plan(
        schema=schema,
        tables={k: plans[k] for k in order},
        broken_fks=broken,
        notes=notes,
        skipped=skipped,
    )


def _is_serial(table: Table, col: Any, schema: Schema) -> bool:
    if col.identity is not None:
        return True
    if col.default is not None and "nextval(" in col.default.text.lower():
        return True
    pk = table.primary_key
    return (
        schema.dialect == "sqlite"
        and pk is not None
        and pk.columns == (col.name,)
        and col.type.name.lower() == "integer"
        and "without_rowid" not in table.dialect_options
    )


def _plan_table(
    schema: Schema, t: Table, n: int, seed: int, skew: dict[str, float], existing: Existing
) -> TablePlan:
    if t.exclusions and n > 1:
        ex = next(iter(t.exclusions))
        raise UnsupportedError(
            f"{t.key}: exclusion constraint {ex} cannot be satisfied by the generator "
            "(ask for at most 1 row)"
        )
    cols: list[ColumnPlan] = []
    for c in t.columns:
        if c.generated is not None:
            continue
        info = resolve(c.type, schema)
        cons = Cons()
        cons.not_null = not c.nullable or info.not_null
        cp = ColumnPlan(
            name=c.name,
            info=info,
            cons=cons,
            nullable=not cons.not_null,
            serial=_is_serial(t, c, schema),
        )
        cols.append(cp)
    tp = TablePlan(table=t, n=n, columns=cols)
    by_name = {c.name: c for c in cols}
    folded = {c.name.lower(): c for c in cols}
    colcmps: list[tuple[str, str, str, str]] = []

    def find(name: str, source: str) -> ColumnPlan:
        c = by_name.get(name) or folded.get(name.lower())
        if c is None:
            if any(g.name == name for g in t.columns):
                raise UnsupportedError(
                    f"{t.key}: {source} reads generated column {name}; not supported"
                )
            raise UnsupportedError(f"{t.key}: {source} refers to unknown column {name}")
        return c

    # domain checks (VALUE) and table checks
    for cp in cols:
        for dom_key, check in cp.info.checks:
            src = f"check {check.name} of domain {dom_key}"
            for a in _atoms(check.expr.text, schema.dialect, src, t):
                if a.column.lower() != "value":
                    raise UnsupportedError(f"{t.key}.{cp.name}: {src}: unsupported form")
                _apply(cp, a, src, t)
    for check in t.checks.values():
        src = f"check constraint {check.name}"
        for a in _atoms(check.expr.text, schema.dialect, src, t, check.expr.text):
            cp = find(a.column, src)
            if a.kind == "colcmp":
                assert a.other is not None
                other = find(a.other, src)
                colcmps.append((cp.name, a.op, other.name, src))
                continue
            _apply(cp, a, src, t)
    _partition_bounds(schema, t, by_name)
    # a NOT NULL generated column needs its sources (nearly every expression is NULL on NULL)
    for g in t.columns:
        if g.generated is not None and not g.nullable:
            try:
                sources = chk.column_refs(g.generated.expr.text, schema.dialect)
            except chk.CheckUnsupported:
                continue
            for name in sources:
                src_col = by_name.get(name) or folded.get(name.lower())
                if src_col is not None:
                    src_col.nullable = False
                    src_col.cons.not_null = True

    # unknown types: the server's default, NULL, or an error
    for cp, c in zip(cols, [c for c in t.columns if c.generated is None], strict=True):
        if cp.info.kind in ("unknown", "array") and (
            cp.info.kind == "unknown" or (cp.info.element and cp.info.element.kind == "unknown")
        ):
            if c.default is not None:
                cp.omit = True
                tp.notes.append(f"{t.key}.{cp.name}: type {cp.info.name} left to its default")
            elif cp.nullable:
                cp.cons.force_null = True
                tp.notes.append(f"{t.key}.{cp.name}: type {cp.info.name} has no generator: NULL")
            else:
                raise UnsupportedError(
                    f"{t.key}.{cp.name}: no generator for type {cp.info.name} "
                    "(NOT NULL, no default)"
                )
        if cp.cons.force_null and not cp.nullable:
            raise UnsupportedError(
                f"{t.key}.{cp.name}: {', '.join(cp.cons.sources) or 'a check'} requires NULL "
                "but the column is NOT NULL"
            )

    # bounds, then the two-column comparisons (which narrow them), then generators
    for cp in cols:
        if cp.omit or cp.cons.force_null:
            continue
        if (cp.cons.lo or cp.cons.hi) and cp.info.kind not in _ORDERED | {"text", "enum"}:
            raise UnsupportedError(
                f"{t.key}.{cp.name}: {', '.join(cp.cons.sources)}: comparisons on type "
                f"{cp.info.name} are not supported"
            )
        try:
            cp.lo, cp.hi = bounds(cp.info, cp.cons, f"{t.key}.{cp.name}")
        except Unsatisfiable as e:
            raise UnsupportedError(f"{t.key}.{cp.name}: {e}") from None
    derived = _plan_derived(t, tp, colcmps, seed)
    for cp in cols:
        if cp.omit:
            continue
        sk = skew_for(skew, t, [cp.name])
        try:
            if cp.cons.force_null:
                cp.gen = Gen()  # never asked for a value: the column is always NULL
            else:
                cp.gen = make_gen(cp.info, cp.cons, cp.name, skew=sk, lo=cp.lo, hi=cp.hi)
        except Unsatisfiable as e:
            srcs = ", ".join(dict.fromkeys(cp.cons.sources))
            raise UnsupportedError(
                f"{t.key}.{cp.name}: {e}" + (f" ({srcs})" if srcs and srcs not in str(e) else "")
            ) from None

    # foreign keys: one unit per FK; a smaller FK inside a larger one may be implied by it
    # (_implied); FKs that share some columns (a tenant key in each, two keys over one column)
    # are drawn together by one FkGroupUnit
    fk_units: list[Unit] = []
    taken: dict[str, Unit] = {}
    accepted: list[tuple[ForeignKey, tuple[str, ...]]] = []
    fks = sorted(_foreign_keys(schema, t), key=lambda f: (-len(f.columns), f.name))
    for fk in fks:
        ref_t = schema.tables.get(fk.ref_table)
        if ref_t is None:
            raise UnsupportedError(
                f"{t.key}: foreign key {fk.name} references unknown {fk.ref_table}"
            )
        ref_cols = fk.ref_columns or (ref_t.primary_key.columns if ref_t.primary_key else ())
        if len(ref_cols) != len(fk.columns):
            raise UnsupportedError(
                f"{t.key}: foreign key {fk.name} names no columns and {ref_t.key} has no "
                "primary key of that size to reference"
            )
        for name in fk.columns:
            find(name, f"foreign key {fk.name}")
        if not _is_key(schema, ref_t, tuple(ref_cols)):
            raise UnsupportedError(
                f"{t.key}: foreign key {fk.name} references ({', '.join(ref_cols)}) of "
                f"{ref_t.key}, which is not its primary key or a unique key"
            )
        if fk.ref_table == t.key and set(ref_cols) & set(fk.columns):
            if any(a == b for a, b in zip(ref_cols, fk.columns, strict=True)) and tuple(
                ref_cols
            ) != tuple(fk.columns):
                raise UnsupportedError(
                    f"{t.key}: self-reference {fk.name} shares columns with the key it "
                    f"references ({', '.join(sorted(set(ref_cols) & set(fk.columns)))}: a "
                    "tenant key in both); not supported"
                )
            if tuple(ref_cols) != tuple(fk.columns):
                raise UnsupportedError(
                    f"{t.key}: foreign key {fk.name} references its own columns in another "
                    "order; not supported"
                )
            # columns that reference themselves: every row points at itself; nothing to draw
            tp.implied_fks.append(fk.name)
            continue
        if any(_implied(schema, fk, tuple(ref_cols), a, ar) for a, ar in accepted):
            tp.implied_fks.append(fk.name)
            continue
        accepted.append((fk, tuple(ref_cols)))
    for group in _fk_groups(accepted):
        if len(group) > 1:
            fk_units.append(_group_unit(t, group, by_name, skew, seed))
            for name in fk_units[-1].columns:
                taken[name] = fk_units[-1]
            continue
        fk, ref_cols = group[0]
        useed = stable_seed(seed, t.key, "fk", fk.name)
        nullable = all(by_name[c].nullable for c in fk.columns)
        fu: FkUnit | SelfFkUnit
        if fk.ref_table == t.key:
            fu = SelfFkUnit(fk, tuple(ref_cols), nullable, useed)
        else:
            fu = FkUnit(fk, tuple(ref_cols), useed)
            fu.null_frac = FK_NULL_FRACTION if nullable else 0.0
        fk_units.append(fu)
        for name in fk.columns:
            taken[name] = fu
    for cp in cols:
        if cp.name in derived:
            if cp.name in taken:
                raise UnsupportedError(
                    f"{t.key}.{cp.name}: derived from a check but also a foreign key column"
                )
            du = derived[cp.name]
            du.null_frac = null_fraction(cp.name) if cp.nullable else 0.0
            taken[cp.name] = du
    units: list[Unit] = list(fk_units)
    for cp in cols:
        if cp.name in taken:
            continue
        fu2 = FreeUnit(cp, stable_seed(seed, t.key, "col", cp.name))
        fu2.null_frac = null_fraction(cp.name) if cp.nullable else 0.0
        taken[cp.name] = fu2
        units.append(fu2)
    units.extend(derived.values())
    tp.units = units
    tp.unit_of = taken
    _plan_uniques(schema, tp, existing, seed)
    return tp


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
    skew: Mapping[str, float],
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
    fold = schema.dialect == "sqlite"

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


def _foreign_keys(schema: Schema, t: Table) -> list[ForeignKey]:
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


def _atoms(text: str, dialect: str, src: str, t: Table, shown: str | None = None) -> list[chk.Atom]:
    try:
        return chk.atoms(text, dialect)
    except chk.CheckUnsupported as e:
        raise UnsupportedError(f"{t.key}: cannot satisfy {src} ({shown or text}): {e}") from None


def _apply(cp: ColumnPlan, a: chk.Atom, src: str, t: Table) -> None:
    c = cp.cons
    c.sources.append(src)
    k = a.kind
    if k == "cmp":
        const = a.value
        if const.value is None:
            raise UnsupportedError(f"{t.key}.{cp.name}: {src}: comparison with NULL is never true")
        if a.op in (">", ">="):
            c.lo.append((const, a.op == ">", src))
        elif a.op in ("<", "<="):
            c.hi.append((const, a.op == "<", src))
        elif a.op == "=":
            c.choices.append(((const.value,), src))
        elif a.op == "<>":
            c.excluded.append((const.value, src))
        return
    if k == "in":
        c.choices.append((tuple(a.value), src))
        return
    if k == "notin":
        c.excluded.extend((v, src) for v in a.value)
        return
    if k in ("len", "card"):
        n = int(a.value)
        lo, hi = {
            ">": (n + 1, None),
            ">=": (n, None),
            "<": (None, n - 1),
            "<=": (None, n),
            "=": (n, n),
        }.get(a.op, (None, None))
        if lo is None and hi is None:
            raise UnsupportedError(f"{t.key}.{cp.name}: {src}: unsupported length test {a.op}")
        if k == "len":
            if lo is not None:
                c.min_len = max(c.min_len, lo)
            if hi is not None:
                c.max_len = hi if c.max_len is None else min(c.max_len, hi)
        else:
            if lo is not None:
                c.min_card = max(c.min_card, lo)
            if hi is not None:
                c.max_card = hi if c.max_card is None else min(c.max_card, hi)
        return
    if k == "match":
        if cp.info.kind not in ("text", "enum"):
            raise UnsupportedError(
                f"{t.key}.{cp.name}: {src}: pattern match on type {cp.info.name}"
            )
        try:
            c.add_pattern(a.value, like=a.like, icase=a.icase, negate=a.negate, fn=a.fn, source=src)
        except Unsatisfiable as e:
            raise UnsupportedError(f"{t.key}.{cp.name}: {e}") from None
        return
    if k == "notnull":
        c.not_null = True
        cp.nullable = False
        return
    if k == "isnull":
        c.force_null = True
        return
    if k == "typeof":
        allowed = set(a.value)
        stored = _sqlite_typeof(cp.info, t)
        if stored is not None and stored <= allowed:
            if "null" not in allowed:
                c.not_null = True
                cp.nullable = False
            return
        if "null" in allowed:  # none of the values the type gets: NULL passes
            c.force_null = True
            return
        raise UnsupportedError(
            f"{t.key}.{cp.name}: {src}: typeof() allows {', '.join(sorted(allowed)) or 'nothing'}"
            f", but values of type {cp.info.name or '(none)'} are stored as "
            f"{', '.join(sorted(stored or ())) or 'something else'}"
        )
    raise UnsupportedError(f"{t.key}.{cp.name}: {src}: unsupported condition {k}")


# What the generator's values of a kind are in Python, to SQLite's affinity (affinity.py).
_SQLITE_VALUE = {
    "int": "int",
    "bool": "int",
    "float": "float",
    "numeric": "number",
    "text": "str",
    "timestamp": "str",
    "date": "str",
    "time": "str",
    "uuid": "str",
    "json": "str",
    "bytea": "blob",
}
# typeof() of such a value stored in a column of each affinity (a STRICT column refuses what
# it cannot hold instead)
_SQLITE_TYPEOF = {
    "int": {"INTEGER": {"integer"}, "NUMERIC": {"integer"}, "REAL": {"real"}, "TEXT": {"text"}},
    "float": {"INTEGER": {"integer", "real"}, "NUMERIC": {"integer", "real"}, "TEXT": {"text"}},
    "number": {"INTEGER": {"integer", "real"}, "NUMERIC": {"integer", "real"}, "TEXT": {"text"}},
    "str": {},
    "blob": {},
}
_SQLITE_AS_GIVEN = {"int": {"integer"}, "float": {"real"}, "number": {"integer", "real"}}
_STRICT_AFFINITY = {"int": "INTEGER", "integer": "INTEGER", "real": "REAL", "text": "TEXT"}


def _sqlite_typeof(info: TypeInfo, t: Table) -> set[str] | None:
    """What SQLite's typeof() says of the values generated for a column (None: unknown)."""
    from dbdesign.dialects.sqlite import type_affinity

    value = _SQLITE_VALUE.get(info.kind)
    if value is None:
        return None
    if value == "str":
        return {"text"}  # no generated text looks like a number to a numeric affinity
    if value == "blob":
        return {"blob"}
    if "strict" in t.dialect_options:
        affinity = _STRICT_AFFINITY.get(info.name.lower(), "BLOB")  # ANY: as given
    else:
        affinity = type_affinity(info.name)
    if affinity == "REAL":
        return {"real"}
    return _SQLITE_TYPEOF[value].get(affinity) or _SQLITE_AS_GIVEN[value]


def _partition_bounds(schema: Schema, t: Table, by_name: dict[str, ColumnPlan]) -> None:
    """Values of a partitioned table's key fall inside its partitions; a partition's inside its
    own bound."""
    if t.partition_of and t.partition_bound is not None:
        parent = schema.tables.get(t.partition_of)
        if parent is not None and parent.partition_by is not None:
            _apply_bound(t, parent, t.partition_bound.text, by_name, [t.partition_bound.text])
    if t.partition_by is None:
        return
    children = [c for c in schema.tables.values() if c.partition_of == t.key]
    texts = [c.partition_bound.text for c in children if c.partition_bound is not None]
    if not texts or any(x.strip().upper() == "DEFAULT" for x in texts):
        return
    _apply_bound(t, t, None, by_name, texts)


def _parse_bound(text: str) -> dict[str, Any]:
    import json

    from pglast.parser import ParseError, parse_sql_json

    try:
        tree = json.loads(parse_sql_json(f"CREATE TABLE _p PARTITION OF _q {text}"))
    except ParseError as e:
        raise UnsupportedError(f"cannot read partition bound {text!r}: {e}") from None
    spec: dict[str, Any] = tree["stmts"][0]["stmt"]["CreateStmt"]["partbound"]
    return spec


def _datum(node: dict[str, Any]) -> chk.Const | None:
    """A partition bound datum; None for MINVALUE / MAXVALUE."""
    if "ColumnRef" in node:
        return None
    c = chk._const(node)
    return c


def _apply_bound(
    t: Table, keyed: Table, _own: str | None, by_name: dict[str, ColumnPlan], texts: list[str]
) -> None:
    pb = keyed.partition_by
    assert pb is not None
    if pb.strategy == "HASH":
        return
    if len(pb.elements) != 1 or pb.elements[0].column is None:
        raise UnsupportedError(
            f"{t.key}: partition key of {keyed.key} is not a single column; not supported"
        )
    col = by_name.get(pb.elements[0].column)
    if col is None:
        return
    src = f"partitions of {keyed.key}" if t is keyed else f"partition bound of {t.key}"
    if pb.strategy == "LIST":
        values: list[Any] = []
        for text in texts:
            spec = _parse_bound(text)
            for d in spec.get("listdatums", []):
                c = _datum(d)
                if c is not None:
                    values.append(c.value)
        if values:
            col.cons.choices.append((tuple(values), src))
            col.cons.sources.append(src)
        return
    ranges: list[tuple[Any, Any]] = []
    for text in texts:
        spec = _parse_bound(text)
        lows, highs = spec.get("lowerdatums", []), spec.get("upperdatums", [])
        lo = _datum(lows[0]) if lows else None
        hi = _datum(highs[0]) if highs else None
        ranges.append((lo, hi))
    if not ranges:
        return
    lo, hi = _widest_block(col, ranges)
    if lo is not None:
        col.cons.lo.append((lo, False, src))
    if hi is not None:
        col.cons.hi.append((hi, True, src))
    col.cons.sources.append(src)


def _widest_block(col: ColumnPlan, ranges: list[tuple[Any, Any]]) -> tuple[Any, Any]:
    """The longest run of adjacent ranges [from, to): their union is one interval."""
    from dbdesign.datagen.values import internal

    def key(c: chk.Const | None, low: bool) -> Any:
        if c is None:
            return -math.inf if low else math.inf
        return internal(col.info, c.value, "partition bound")

    items = sorted(ranges, key=lambda r: key(r[0], True))
    best: tuple[Any, Any] = items[0]
    best_len = -1.0
    cur_lo, cur_hi = items[0]
    count = 1
    for lo, hi in items[1:]:
        if key(lo, True) == key(cur_hi, False):
            cur_hi = hi
            count += 1
        else:
            if count > best_len:
                best, best_len = (cur_lo, cur_hi), count
            cur_lo, cur_hi, count = lo, hi, 1
    if count > best_len:
        best = (cur_lo, cur_hi)
    return best


def _plan_derived(
    t: Table, tp: TablePlan, colcmps: list[tuple[str, str, str, str]], seed: int
) -> dict[str, DerivedUnit]:
    out: dict[str, DerivedUnit] = {}
    if not colcmps:
        return out
    key_cols = _unique_columns(t)
    fk_cols = {c for fk in t.foreign_keys.values() for c in fk.columns}

    def free(cp: ColumnPlan) -> bool:
        return (
            cp.name not in key_cols
            and cp.name not in fk_cols
            and not cp.serial
            and cp.name not in out
            and not cp.cons.choices
            and not cp.cons.excluded
            and not cp.cons.force_null
        )

    for left, op, right, src in colcmps:
        a, b = tp.column(left), tp.column(right)
        if op in ("<>", "="):
            target, source = (b, a) if free(b) else (a, b)
            if not free(target):
                raise UnsupportedError(f"{t.key}: cannot satisfy {src}: both columns are keys")
            du = DerivedUnit(
                target,
                source.name,
                "equal" if op == "=" else "differ",
                False,
                stable_seed(seed, t.key, "derived", target.name),
            )
            out[target.name] = du
            continue
        # normalise to small < big (or <=)
        small, big = (a, b) if op in ("<", "<=") else (b, a)
        strict = op in ("<", ">")
        if not (small.info.kind in _ORDERED and _same_units(small.info, big.info)):
            raise UnsupportedError(
                f"{t.key}: cannot satisfy {src}: {small.name} ({small.info.name}) and "
                f"{big.name} ({big.info.name}) are not comparable by the generator"
            )
        if free(big):
            target, source, direction = big, small, "above"
        elif free(small):
            target, source, direction = small, big, "below"
        else:
            raise UnsupportedError(f"{t.key}: cannot satisfy {src}: both columns are keys")
        probe = make_gen(target.info, Cons(), target.name, skew=None)
        dmin = (1 if probe.discrete else 1e-6) if strict else 0
        # narrow the source so that the derived value can always fit
        if direction == "above":
            if target.hi is not None:
                source.hi = (
                    target.hi - dmin if source.hi is None else min(source.hi, target.hi - dmin)
                )
            if target.lo is not None:
                source.lo = (
                    target.lo - dmin if source.lo is None else max(source.lo, target.lo - dmin)
                )
        else:
            if target.lo is not None:
                source.lo = (
                    target.lo + dmin if source.lo is None else max(source.lo, target.lo + dmin)
                )
            if target.hi is not None:
                source.hi = (
                    target.hi + dmin if source.hi is None else min(source.hi, target.hi + dmin)
                )
        if source.lo is not None and source.hi is not None and source.lo > source.hi:
            raise UnsupportedError(f"{t.key}: cannot satisfy {src}: the columns' ranges conflict")
        out[target.name] = DerivedUnit(
            target, source.name, direction, strict, stable_seed(seed, t.key, "derived", target.name)
        )
    return out


def _same_units(a: TypeInfo, b: TypeInfo) -> bool:
    fam = {"timestamp": "ts", "timestamptz": "ts", "time": "time", "timetz": "time"}
    if fam.get(a.kind, a.kind) != fam.get(b.kind, b.kind):
        return False
    if a.kind in ("numeric", "money"):
        return (a.scale if a.scale is not None else 2) == (b.scale if b.scale is not None else 2)
    return True


def _unique_columns(t: Table) -> set[str]:
    out: set[str] = set(t.primary_key.columns) if t.primary_key else set()
    for u in t.uniques.values():
        out |= set(u.columns)
    return out


def _unique_sets(schema: Schema, tp: TablePlan) -> list[tuple[tuple[str, ...], str]]:
    t = tp.table
    sets: list[tuple[tuple[str, ...], str]] = []
    if t.primary_key:
        sets.append((t.primary_key.columns, f"primary key {t.primary_key.name}"))
    for u in t.uniques.values():
        sets.append((u.columns, f"unique constraint {u.name}"))
    for ix in schema.indexes_on(t.key):
        if not ix.unique:
            continue
        cols: list[str] = []
        for e in ix.elements:
            if e.column is not None:
                cols.append(e.column)
            elif e.expr is not None:
                try:
                    refs = sorted(chk.unique_refs(e.expr.text, schema.dialect))
                except chk.CheckUnsupported as err:
                    raise UnsupportedError(
                        f"{t.key}: cannot keep unique index {ix.name} on ({e.expr.text}) "
                        f"unique: {err}"
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
        sets.append((tuple(dict.fromkeys(cols)), f"unique index {ix.name}"))
    # a generated column is unique when the columns it is computed from are; one computed in a
    # way that may repeat values (MySQL's live marker ``if(deleted_at is null, 1, null)``) is
    # left out: the other columns of the key, made unique, keep the whole key unique
    generated = {c.name: c.generated.expr for c in t.columns if c.generated is not None}
    known = {c.name for c in tp.columns}
    out: list[tuple[tuple[str, ...], str]] = []
    for cols_, src in sets:
        expanded: list[str] = []
        left_out: str | None = None
        for c in cols_:
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
        cols2 = tuple(
            dict.fromkeys(c if c in known else folded.get(c.lower(), c) for c in expanded)
        )
        cols2 = tuple(c for c in cols2 if c in known)
        if not cols2:
            continue
        if any(set(o).issubset(cols2) for o, _ in out):
            continue
        out = [(o, s) for o, s in out if not set(cols2).issubset(o)]
        out.append((cols2, src))
    return sorted(out, key=lambda x: len(x[0]))


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


def _plan_uniques(schema: Schema, tp: TablePlan, existing: Existing, seed: int) -> None:
    t, n = tp.table, tp.n
    have = existing.count(t.key)
    for cp in tp.columns:  # counters stay counters
        u = tp.unit_of.get(cp.name)
        if cp.serial and isinstance(u, FreeUnit) and isinstance(cp.gen, IntGen):
            _make_unique(tp, u, existing, have)
    for cols, src in _unique_sets(schema, tp):
        units = list({id(tp.unit_of[c]): tp.unit_of[c] for c in cols}.values())
        if any(u.unique for u in units):
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
            g.add_distinct(cols, src, existing.keys(t.key, cols) if have else [])
            continue
        _make_combo(tp, units, cols, src, existing, seed)


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
    t = tp.table
    members: list[tuple[tuple[str, ...], Sequence[Any], list[float] | None]] = []
    for u in units:
        if u.combo is not None or isinstance(u, (ComboUnit, DerivedUnit, SelfFkUnit)):
            raise UnsupportedError(
                f"{t.key}: {src} ({', '.join(cols)}): overlapping unique keys over foreign keys "
                "or derived columns are not supported"
            )
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
    combo = ComboUnit(members, stable_seed(seed, t.key, "combo", src), set(), src, units)
    combo.key_columns = cols
    if existing.count(t.key):
        combo.existing = set(existing.keys(t.key, combo.columns))
    # replace the member units by the combo
    tp.units = [u for u in tp.units if u not in units]
    tp.units.insert(0, combo)
    for c in combo.columns:
        tp.unit_of[c] = combo
    combo.unique = True


class _Wiring:
    """Sets the pools of foreign-key units, wiring a referenced table first when its key
    values depend on its own foreign keys (a junction table referenced in turn)."""

    def __init__(
        self,
        schema: Schema,
        plans: dict[str, TablePlan],
        skew: dict[str, float],
        existing: Existing,
    ) -> None:
        self.schema = schema
        self.plans = plans
        self.skew = skew
        self.existing = existing

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
        if self.schema.dialect == "sqlite":
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


def _wire_fks(w: _Wiring, tp: TablePlan) -> None:
    t = tp.table
    skew, existing = w.skew, w.existing
    for u in list(tp.units):
        if isinstance(u, ComboUnit):
            parts = u.parts
            new_members = []
            for (cols, dom, _), part in zip(u.members, parts, strict=True):
                if isinstance(part, FkUnit):
                    pool = _pool_for(w, tp, part)
                    if not pool:
                        raise UnsupportedError(
                            f"{t.key}: {u.source} needs rows in {part.fk.ref_table}"
                            f" (foreign key {part.fk.name}): give it rows too"
                        )
                    pool = _distinct_on_key(t, u, part, pool)
                    s = skew_for(skew, t, part.columns) or 0.0
                    cum = None
                    if s:
                        cum = zipf_cum(len(pool), s)
                    new_members.append((cols, pool, cum))
                else:
                    new_members.append((cols, dom, None))
            u.members = new_members
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
        elif isinstance(u, FkGroupUnit):
            for part in u.parts:
                part.pool = _pool_for(w, tp, part)
            if any(isinstance(tp.column(c).gen, Stored) for c in u.columns):
                # a part's values are as SQLite stores them: so must all parts' be, to agree
                for part in u.parts:
                    part.pool = _pool_for(w, tp, part, force=True)
            u.prepare(t, skew)
        elif isinstance(u, FkUnit):
            pool = _pool_for(w, tp, u)
            if not pool and not all(tp.column(c).nullable for c in u.columns):
                raise UnsupportedError(
                    f"{t.key}: foreign key {u.fk.name} ({', '.join(u.columns)}) needs rows in "
                    f"{u.fk.ref_table}, which gets none: give it rows too"
                )
            u.set_pool(pool, skew_for(skew, t, u.columns) or 0.0)
        elif isinstance(u, SelfFkUnit):
            own = tp.rows_of(u.ref_columns)
            src = [tp.column(c) for c in u.ref_columns]
            dst = [tp.column(c) for c in u.columns]
            same = all(_same_values(a.info, b.info) for a, b in zip(src, dst, strict=True))
            converted = not same
            if w.schema.dialect == "sqlite" and (
                not same or any(isinstance(a.gen, Stored) for a in src)
            ):
                own = w.sqlite_rows(own, tp, u.ref_columns, tp, u.fk)
                converted = True
            elif not same:
                own = _convert_rows(own, src, dst)
            u.set_own(own, converted=converted)
            u.base = existing.keys(t.key, u.ref_columns) if existing.count(t.key) else []
            if not u.nullable and not u.pointable():
                raise UnsupportedError(
                    f"{t.key}: self-reference {u.fk.name} has nothing to point at"
                )
            for c in u.ref_columns:
                if c in u.columns:
                    raise UnsupportedError(
                        f"{t.key}: foreign key {u.fk.name} references its own columns"
                    )


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


def _pool_for(w: _Wiring, tp: TablePlan, u: FkUnit, *, force: bool = False) -> Sequence[Any]:
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
    from decimal import Decimal

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


def _load_order(
    schema: Schema, plans: dict[str, TablePlan]
) -> tuple[list[str], list[tuple[str, str]]]:
    """Tables in foreign-key order; FKs broken to make that possible (cycles) are returned."""
    from graphlib import CycleError, TopologicalSorter

    edges: dict[str, dict[str, list[ForeignKey]]] = {k: {} for k in plans}
    for k, tp in plans.items():
        for fk in _foreign_keys(schema, tp.table):
            if fk.ref_table != k and fk.ref_table in plans and fk.name not in tp.implied_fks:
                edges[k].setdefault(fk.ref_table, []).append(fk)
    broken: list[tuple[str, str]] = []
    while True:
        ts = TopologicalSorter({k: set(v) for k, v in edges.items()})
        try:
            order = list(ts.static_order())
            return order, broken
        except CycleError as e:
            cycle = e.args[1]  # each node is a predecessor of the next
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
    return fk.deferrable and (fk.initially_deferred or schema.dialect != "sqlite")


def cycle_null_columns(table: Table, fk: ForeignKey) -> tuple[str, ...]:
    """The columns of ``fk`` a row can be inserted with as NULL, so the key is not checked
    until they are set (MATCH SIMPLE: any nullable column; MATCH FULL: all, when all are
    nullable); () when the key cannot be skipped that way."""
    nullable = tuple(c for c in fk.columns if (col := table.column(c)) is not None and col.nullable)
    if fk.match != "SIMPLE" and len(nullable) < len(fk.columns):
        return ()
    return nullable
