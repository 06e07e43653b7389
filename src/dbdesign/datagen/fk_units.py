"""The units of foreign keys: values drawn from the referenced rows.

- :class:`FkUnit` — the columns of one foreign key, drawn from the referenced rows (all of a
  composite key at once, NULL all together), uniformly or Zipf-skewed;
- :class:`SelfFkUnit` — a foreign key to the same table: the first row NULL (or itself), later rows
  point at earlier ones;
- :class:`FkGroupUnit` — foreign keys that share columns, drawn together.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Mapping, Sequence
from typing import Any

from dbdesign.datagen import draws
from dbdesign.datagen.rows import Skew, skew_for
from dbdesign.datagen.units import (
    CapacityError,
    TablePlan,
    Unit,
    coprime_stride,
    with_nulls,
    zipf_cum,
)
from dbdesign.errors import UnsupportedError
from dbdesign.model import ForeignKey, Table

FK_NULL_FRACTION = 0.05
ROOT_FRACTION = 0.05  # of a nullable self-reference's rows that are roots (NULL)


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
            self._stride = coprime_stride(len(pool))

    def draw(self, rng: random.Random, m: int) -> list[Any]:
        pool, n = self.pool, len(self.pool)
        if m < draws.FEW:
            if self._cum is not None:
                st = self._stride
                ranks = rng.choices(range(n), cum_weights=self._cum, k=m)
                return [pool[(r * st) % n] for r in ranks]
            r = rng.random
            return [pool[int(r() * n)] for _ in range(m)]
        idx = draws.indexes(rng, n, m, self._cum)
        if self._cum is not None:  # the hot ranks spread over the pool
            idx = (idx * self._stride) % n
        return draws.take(pool, idx)

    def produce(self, tp: TablePlan, start: int, m: int, done: dict[str, list[Any]]) -> list[Any]:
        if not self.pool:
            return [None if len(self.columns) == 1 else (None,) * len(self.columns)] * m
        return with_nulls(self.nrng, self.draw(self.rng, m), self.null_frac, len(self.columns))


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
        self.distinct: list[tuple[tuple[int, ...], str, set[Any], bool]] = []
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

    def add_distinct(
        self, cols: tuple[str, ...], src: str, have: Sequence[Any], *, nnd: bool = False
    ) -> None:
        """Keep ``cols`` (all in the group) unique; ``have``: keys already in the table;
        ``nnd`` (NULLS NOT DISTINCT): a key with a NULL may not repeat either."""
        keys = {k if isinstance(k, tuple) else (k,) for k in have}
        self.distinct.append((tuple(self.columns.index(c) for c in cols), src, keys, nnd))

    def prepare(self, table: Table, skew: Skew) -> None:
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
            cols = ", ".join(
                ", ".join(self.columns[i] for i in pos) for pos, _, _, _ in self.distinct
            )
            srcs = ", ".join(src for _, src, _, _ in self.distinct)
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
        """One row: the first part's values ``head`` (or NULL), then each later part's free
        columns from a parent row that agrees on its fixed ones; None where no parent row
        agrees or a distinct key would repeat."""
        row: list[Any] = [None] * len(self.columns)
        first = self.parts[0]
        if head is not None and not (first.null_frac and self.nrng.random() < first.null_frac):
            vals = (head,) if len(first.columns) == 1 else head
            for i, v in zip(self.pos[0], vals, strict=True):
                row[i] = v
        for k in range(1, len(self.parts)):
            if not self._fill(k, row):
                return None
        if self.distinct and not self._keep_distinct(row, seen):
            return None
        return tuple(row)

    def _fill(self, k: int, row: list[Any]) -> bool:
        """Part ``k``'s free columns of ``row``, or NULL where it may be; False where no parent
        row agrees with the columns fixed before it."""
        p, pos, free = self.parts[k], self.pos[k], self.free[k]
        key = tuple(row[pos[i]] for i in self.fixed[k])
        if not free:  # every column fixed: the parent row must exist
            return None in key or key in self.index[k]
        if self.optional[k] and (None in key or self.nrng.random() < p.null_frac):
            return True
        vals = self._parent_values(k, key)
        if vals is None:
            return self.optional[k]
        for i in free:
            row[pos[i]] = vals[i]
        return True

    def _parent_values(self, k: int, key: tuple[Any, ...]) -> Sequence[Any] | None:
        """A random parent row of part ``k`` with ``key`` in its fixed columns (any, where the
        key has a NULL: it is not checked); None where there is none."""
        p = self.parts[k]
        r = self.rng.random
        if None in key:
            pool = p.pool
            v = pool[int(r() * len(pool))]
            return (v,) if len(p.columns) == 1 else v
        cands = self.index[k].get(key)
        if not cands:
            return None
        return cands[int(r() * len(cands))]

    def _keep_distinct(self, row: list[Any], seen: list[set[Any]]) -> bool:
        """Whether ``row`` repeats no distinct key (drawn already or in the table); if not, its
        keys are recorded as drawn."""
        keys = []
        for (dpos, _, have, nnd), s in zip(self.distinct, seen, strict=True):
            dk = tuple(row[i] for i in dpos)
            if (nnd or None not in dk) and (dk in s or dk in have):
                return False
            keys.append(dk)
        for dk, s in zip(keys, seen, strict=True):
            s.add(dk)
        return True
