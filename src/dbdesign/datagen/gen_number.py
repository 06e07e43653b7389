"""Generators of numbers: integers, scaled integers (numeric, money), floats, booleans."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from dbdesign.datagen import draws
from dbdesign.datagen.gen_base import COPY_NULL, DOMAIN_LIMIT, Gen, Unsatisfiable


def _subrange(lo: float, hi: float, want: tuple[float, float] | None) -> tuple[float, float]:
    """The realistic part of [lo, hi]: ``want`` clipped to it, or a piece of it near ``want``."""
    if want is None:
        return lo, hi
    wlo, whi = want
    a, b = max(lo, wlo), min(hi, whi)
    if a <= b:
        return a, b
    width = whi - wlo
    if whi < lo:
        return lo, min(hi, lo + width)
    return max(lo, hi - width), hi


class IntGen(Gen):
    ordered = True
    exact_domain = True

    def __init__(self, lo: int, hi: int, want: tuple[float, float] | None) -> None:
        self.lo, self.hi = lo, hi
        a, b = _subrange(lo, hi, want)
        self.rlo, self.rhi = math.ceil(a), math.floor(b)
        if self.rlo > self.rhi:
            self.rlo, self.rhi = lo, hi

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        return draws.ints(rng, self.rlo, self.rhi, n)

    def capacity(self) -> int | None:
        return int(self.hi - self.lo + 1)

    def domain(self) -> Sequence[Any] | None:
        return range(self.lo, self.hi + 1) if self.hi - self.lo < DOMAIN_LIMIT else None

    def texts(self, vals: list[Any]) -> list[str]:
        if type(self).text is not IntGen.text:
            return Gen.texts(self, vals)
        if None in vals:
            return [COPY_NULL if v is None else str(v) for v in vals]
        return list(map(str, vals))

    def base(self) -> int:
        """Where a sequence of distinct values starts: 1, or the lower bound."""
        return 1 if self.lo <= 1 <= self.hi else self.lo

    def chunked(self, total: int) -> bool:
        return bool(self.base() + total - 1 <= self.hi)

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        first = self.base() + start
        if self.base() + total - 1 <= self.hi:
            return range(first, first + n)
        if start == 0 and self.hi - self.lo + 1 >= n:
            return rng.sample(range(self.lo, self.hi + 1), n)
        raise Unsatisfiable(
            f"only {self.hi - self.lo + 1} distinct values in [{self.lo}, {self.hi}]"
        )


class ScaledGen(IntGen):
    """numeric(p, s) and money: integers scaled by 10**s."""

    def __init__(self, lo: int, hi: int, want: tuple[float, float] | None, scale: int) -> None:
        self.scale = scale
        f = 10**scale
        super().__init__(lo, hi, (want[0] * f, want[1] * f) if want else None)

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        return spread(rng, self.rlo, self.rhi, self.lo, self.hi, start, start + n, total)

    def delta(self) -> tuple[Any, Any]:
        return (1, 100 * 10**self.scale)

    def py(self, v: Any) -> Any:
        return Decimal(v).scaleb(-self.scale)

    def text(self, v: Any) -> str:
        if not self.scale:
            return str(v)
        sign = "-" if v < 0 else ""
        q, r = divmod(abs(v), 10**self.scale)
        return f"{sign}{q}.{r:0{self.scale}d}"

    def texts(self, vals: list[Any]) -> list[str]:
        if not self.scale or self.scale > 4:
            return Gen.texts(self, vals)
        f = 10**self.scale
        fr = [f"{i:0{self.scale}d}" for i in range(f)]
        t = self.text
        return [
            COPY_NULL if v is None else f"{v // f}.{fr[v % f]}" if v >= 0 else t(v) for v in vals
        ]

    def sqlite(self, v: Any) -> Any:
        return v / 10**self.scale if self.scale else v

    def sqlites(self, vals: list[Any]) -> list[Any]:
        if not self.scale:
            return vals
        f = 10**self.scale
        return [None if v is None else v / f for v in vals]


def spread(
    rng: random.Random, rlo: int, rhi: int, lo: int, hi: int, first: int, end: int, total: int
) -> list[int]:
    """Indexes first..end-1 of ``total`` distinct integers spread over [rlo, rhi] (widened to
    [lo, hi] when too narrow)."""
    if rhi - rlo + 1 < total:
        rlo, rhi = lo, hi
    if rhi - rlo + 1 < total:
        raise Unsatisfiable(f"only {hi - lo + 1} distinct values between the bounds")
    step = (rhi - rlo + 1) // total
    r = rng.random
    return [rlo + k * step + int(r() * step) for k in range(first, end)]


class FloatGen(Gen):
    ordered = True
    discrete = False

    def __init__(self, lo: float, hi: float, want: tuple[float, float] | None, real: bool) -> None:
        self.lo, self.hi = lo, hi
        self.rlo, self.rhi = _subrange(lo, hi, want or (0, 1000))
        self.real = real

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        lo, span, r = self.rlo, self.rhi - self.rlo, rng.random
        digits = 4
        return [round(lo + r() * span, digits) for _ in range(n)]

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        step = (self.rhi - self.rlo) / total
        if step <= 0 or (self.real and step < abs(self.rhi) * 1e-6):
            raise Unsatisfiable("the range is too narrow for distinct values")
        r = rng.random
        return [self.rlo + (k + 0.25 + 0.5 * r()) * step for k in range(start, start + n)]

    def delta(self) -> tuple[Any, Any]:
        return (0.001, 100.0)

    def text(self, v: Any) -> str:
        return repr(float(v))


class BoolGen(Gen):
    exact_domain = True

    def __init__(self, p_true: float) -> None:
        self.p = p_true

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        return draws.flags(rng, self.p, n)

    def capacity(self) -> int | None:
        return 2

    def domain(self) -> Sequence[Any] | None:
        return [False, True]

    def text(self, v: Any) -> str:
        return "t" if v else "f"

    def texts(self, vals: list[Any]) -> list[str]:
        m = {True: "t", False: "f", None: COPY_NULL}
        return list(map(m.__getitem__, vals))

    def sqlite(self, v: Any) -> Any:
        return int(v)
