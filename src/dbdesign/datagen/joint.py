"""Rows over finite domains that keep several unique keys at once (keys sharing columns:
``PRIMARY KEY (a, flag)`` and ``UNIQUE (flag, b)`` over an enum, a boolean and another enum).

A row is one value of each *member* (a column's domain, or a foreign key's referenced rows);
each key is a set of the members' columns, and no two rows may agree on all of a key's columns
(nor agree with a key already in the table). Choosing the most rows is a matching problem (a
Latin square for three keys over three columns of one size), hard in general: the choice is
greedy, and the count it reaches, when short of what was asked, is what the table allows.

- Small spaces: each next row is the candidate that rules out fewest others (the classic
  minimum-degree greedy for an independent set; it completes Latin squares where a random
  order falls short), ties broken at random; a few seeded attempts when one falls short.
- Larger spaces: candidates in random order (every shape of two keys is then as full as it can
  be: for each value of the shared columns, one side's values all get used).

The rows chosen depend on the seed and not on how many are asked: asking for fewer rows gives
the first ones of the same sequence, so that a count this reports as possible is.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

# members: (columns, domain); a domain's values are scalars for one column, else tuples
Member = tuple[tuple[str, ...], Sequence[Any]]

GREEDY_SPACE = 20_000  # candidates up to which the minimum-degree greedy runs ...
GREEDY_CELLS = 1_000_000  # ... and candidates x rows
SHUFFLE_LIMIT = 1_000_000  # candidates up to which a random order is a full shuffle
STALL = 20_000  # random draws in a row that find nothing new: the space is taken
ATTEMPTS = 4  # minimum-degree attempts, each with its own seed


class JointKeys:
    """``keys``: each a tuple of column names among the members'; ``existing``: per key, the
    tuples (in the key's column order) already in the table."""

    def __init__(
        self,
        members: Sequence[Member],
        keys: Sequence[tuple[str, ...]],
        existing: Sequence[set[tuple[Any, ...]]] | None = None,
    ) -> None:
        self.members = list(members)
        self.sizes = [len(d) for _, d in self.members]
        self.space = math.prod(self.sizes)
        self.keys = [tuple(k) for k in keys]
        self.existing = list(existing) if existing is not None else [set() for _ in self.keys]
        where: dict[str, tuple[int, int | None]] = {}
        for m, (cols, _) in enumerate(self.members):
            for i, c in enumerate(cols):
                where[c] = (m, None if len(cols) == 1 else i)
        self._where = [[where[c] for c in k] for k in self.keys]
        self._indexed: tuple[list[list[int]], list[list[list[int]]], list[int]] | None = None

    # ----------------------------------------------------------------- what each key allows

    def bounds(self) -> list[int]:
        """Per key, the distinct values its columns can take, less those already taken."""
        out = []
        for k, locs in enumerate(self._where):
            total = 1
            for m in sorted({m for m, _ in locs}):
                pos = [i for mm, i in locs if mm == m]
                dom = self.members[m][1]
                if pos == [None] or len(pos) == len(self.members[m][0]):
                    total *= len(dom)
                else:
                    total *= len({tuple(v[i] for i in pos) for v in dom})
            out.append(max(total - len(self.existing[k]), 0))
        return out

    # ----------------------------------------------------------------- choosing rows

    def project(self, digits: Sequence[int]) -> list[tuple[Any, ...]]:
        """The row's value of each key."""
        out = []
        for locs in self._where:
            vals = []
            for m, i in locs:
                v = self.members[m][1][digits[m]]
                vals.append(v if i is None else v[i])
            out.append(tuple(vals))
        return out

    def decode(self, idx: int) -> tuple[int, ...]:
        digits = []
        for s in self.sizes:
            idx, d = divmod(idx, s)
            digits.append(d)
        return tuple(digits)

    def choose(self, n: int, rng: random.Random) -> list[tuple[int, ...]]:
        """Up to ``n`` rows (each member's index into its domain), every key distinct; fewer
        when no more were found."""
        if n <= 0 or self.space == 0:
            return []
        seeds = [rng.getrandbits(64) for _ in range(ATTEMPTS)]
        if self.space > GREEDY_SPACE or self.space * n > GREEDY_CELLS:
            return self._random_order(n, random.Random(seeds[0]))
        best: list[tuple[int, ...]] = []
        for s in seeds:
            got = self._min_degree(n, random.Random(s))
            if len(got) == n:
                return got
            if len(got) > len(best):
                best = got
        return best

    def _index(self) -> tuple[list[list[int]], list[list[list[int]]], list[int]]:
        """Per key, each candidate's value (as a number) and the candidates of each value;
        the candidates no row already in the table rules out."""
        if self._indexed is None:
            nk = len(self.keys)
            ids: list[list[int]] = [[] for _ in range(nk)]
            names: list[dict[tuple[Any, ...], int]] = [{} for _ in range(nk)]
            for idx in range(self.space):
                for k, p in enumerate(self.project(self.decode(idx))):
                    ids[k].append(names[k].setdefault(p, len(names[k])))
            groups: list[list[list[int]]] = [[[] for _ in names[k]] for k in range(nk)]
            for k in range(nk):
                for idx, at in enumerate(ids[k]):
                    groups[k][at].append(idx)
            taken = [{names[k][p] for p in self.existing[k] if p in names[k]} for k in range(nk)]
            free = [
                i for i in range(self.space) if all(ids[k][i] not in taken[k] for k in range(nk))
            ]
            self._indexed = (ids, groups, free)
        return self._indexed

    def _min_degree(self, n: int, rng: random.Random) -> list[tuple[int, ...]]:
        ids, groups, free = self._index()
        keys = range(len(self.keys))
        alive = bytearray(self.space)
        count = [[0] * len(g) for g in groups]
        for i in free:
            alive[i] = 1
            for k in keys:
                count[k][ids[k][i]] += 1
        live = list(free)
        rng.shuffle(live)  # ties go to the first met: a random one
        out: list[tuple[int, ...]] = []
        while len(out) < n:
            live = [i for i in live if alive[i]]
            if not live:
                break
            best = min(live, key=lambda i: sum(count[k][ids[k][i]] for k in keys))
            out.append(self.decode(best))
            for k in keys:
                for j in groups[k][ids[k][best]]:
                    if alive[j]:
                        alive[j] = 0
                        for k2 in keys:
                            count[k2][ids[k2][j]] -= 1
        return out

    def _random_order(self, n: int, rng: random.Random) -> list[tuple[int, ...]]:
        seen = [set(e) for e in self.existing]
        out: list[tuple[int, ...]] = []

        def take(digits: tuple[int, ...]) -> bool:
            ps = self.project(digits)
            if any(p in s for p, s in zip(ps, seen, strict=True)):
                return False
            for p, s in zip(ps, seen, strict=True):
                s.add(p)
            out.append(digits)
            return True

        if self.space <= SHUFFLE_LIMIT:
            for idx in rng.sample(range(self.space), self.space):
                if take(self.decode(idx)) and len(out) == n:
                    break
            return out
        stall = 0
        r = rng.random
        while len(out) < n and stall < STALL:
            stall = 0 if take(tuple(int(r() * s) for s in self.sizes)) else stall + 1
        return out
