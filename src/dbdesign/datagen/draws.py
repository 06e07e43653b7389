"""Many random draws at once, with numpy, seeded from a unit's or generator's
:class:`random.Random`: the same seed gives the same values, and a column of 20,000 values
costs a few numpy calls instead of 20,000 calls of ``random()``.

Each call takes 128 bits from the ``random.Random`` it is given to seed a numpy generator
(PCG64) for its draws; fewer than :data:`FEW` draws are made by ``random.Random`` itself (a
numpy generator costs more to start than that many draws).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np

FEW = 64
_I64 = (-(2**63), 2**63 - 1)


def generator(rng: random.Random) -> np.random.Generator:
    """A numpy generator seeded from ``rng`` (which moves on by 128 bits)."""
    return np.random.Generator(np.random.PCG64(rng.getrandbits(128)))


def ints(rng: random.Random, lo: int, hi: int, n: int) -> list[int]:
    """``n`` integers uniform in ``[lo, hi]``."""
    if n < FEW or lo < _I64[0] or hi > _I64[1]:
        span, r = hi - lo + 1, rng.random
        return [lo + int(r() * span) for _ in range(n)]
    out: list[int] = generator(rng).integers(lo, hi, n, endpoint=True).tolist()
    return out


def flags(rng: random.Random, p: float, n: int) -> list[bool]:
    """``n`` booleans, each True with probability ``p``."""
    if n < FEW:
        r = rng.random
        return [r() < p for _ in range(n)]
    out: list[bool] = (generator(rng).random(n) < p).tolist()
    return out


def indexes(
    rng: random.Random, size: int, n: int, cum: Sequence[float] | None = None
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """``n`` indexes of ``range(size)``: uniform, or by cumulative weights ``cum`` (index k
    with weight ``cum[k] - cum[k - 1]``, as ``random.choices`` reads them)."""
    g = generator(rng)
    if cum is None:
        return g.integers(0, size, n)
    c = np.asarray(cum, np.float64)
    k = np.searchsorted(c, g.random(n) * c[-1], "right")
    out: np.ndarray[Any, np.dtype[np.int64]] = np.minimum(k, size - 1)
    return out


def picks(
    rng: random.Random, pool: Sequence[Any], n: int, cum: Sequence[float] | None = None
) -> list[Any]:
    """``n`` values of ``pool``: uniform, or by cumulative weights ``cum`` (as
    ``random.choices``)."""
    if n < FEW:
        if cum is None:
            return rng.choices(pool, k=n)
        return rng.choices(pool, cum_weights=cum, k=n)
    return take(pool, indexes(rng, len(pool), n, cum))


def take(pool: Sequence[Any], idx: np.ndarray[Any, np.dtype[np.int64]]) -> list[Any]:
    """``[pool[i] for i in idx]``, a range's arithmetic done by numpy."""
    if (
        isinstance(pool, range)
        and _I64[0] <= min(pool.start, pool.stop) <= max(pool.start, pool.stop) <= _I64[1]
    ):
        out: list[Any] = (pool.start + idx * pool.step).tolist()
        return out
    return list(map(pool.__getitem__, idx.tolist()))
