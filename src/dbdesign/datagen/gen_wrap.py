"""Generators built over other generators: one of a fixed list of values, ranges and arrays
of an element, values filtered by checks, and values stored as they are."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Mapping, Sequence
from itertools import accumulate
from typing import Any

from dbdesign.datagen import draws
from dbdesign.datagen.gen_base import COPY_NULL, Gen, Unsatisfiable, copy_escape

_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


class ChoiceGen(Gen):
    """One of a fixed list of values (enum labels, a check's IN list, booleans), Zipf-skewed
    when asked: the k-th value is drawn with weight 1/k**skew."""

    # A list chosen only for realism (a column named status) gives way to this generator when
    # the column must be unique.
    fallback: Gen | None = None
    weighted = False  # drawn by stated weights (:meth:`weigh`)

    def __init__(self, values: Sequence[Any], base: Gen, skew: float = 0.0) -> None:
        if not values:
            raise Unsatisfiable("no allowed value")
        self.values = list(values)
        self.base = base
        self.skew = skew
        self.cum = list(accumulate(1 / (k**skew) for k in range(1, len(values) + 1)))
        plain = all(isinstance(v, str) and not _NEEDS_ESCAPE.search(v) for v in values)
        self.safe = base.safe or plain
        self.text_identity = plain and (base is IDENTITY_TEXT or base.text_identity)
        self.ordered = base.ordered

    def weigh(self, weights: Mapping[str, float]) -> None:
        """Draw each value as often as ``weights`` says (relative, by the value's text; a
        value not named is never drawn)."""
        w = [float(weights.get(str(v), 0.0)) for v in self.values]
        if not sum(w) > 0:
            raise Unsatisfiable(f"no allowed value has a weight ({', '.join(map(str, weights))})")
        self.cum = list(accumulate(w))
        self.weighted = True

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        weighted = self.skew or self.weighted
        return draws.picks(rng, self.values, n, self.cum if weighted else None)

    def capacity(self) -> int | None:
        return len(self.values)

    def domain(self) -> Sequence[Any] | None:
        return self.values

    def py(self, v: Any) -> Any:
        return self.base.py(v)

    def text(self, v: Any) -> str:
        return self.base.text(v)

    def sqlites(self, vals: list[Any]) -> list[Any]:
        try:
            m = {v: self.base.sqlite(v) for v in self.values}
        except TypeError:  # unhashable values
            return Gen.sqlites(self, vals)
        m[None] = None
        return list(map(m.__getitem__, vals))

    def texts(self, vals: list[Any]) -> list[str]:
        try:
            m = {v: self.base.text(v) for v in self.values}
        except TypeError:  # unhashable values
            return Gen.texts(self, vals)
        m[None] = COPY_NULL
        return list(map(m.__getitem__, vals))

    def sqlite(self, v: Any) -> Any:
        return self.base.sqlite(v)


class _IdentityText(Gen):
    safe = False

    def text(self, v: Any) -> str:
        return copy_escape(str(v))


IDENTITY_TEXT = _IdentityText()


class RangeGen(Gen):
    """int4range, int8range, numrange, daterange, tsrange, tstzrange: ``[a,b)``."""

    def __init__(self, element: Gen) -> None:
        self.element = element

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        lows = self.element.sample(rng, n)
        dmin, dmax = self.element.delta()
        r = rng.random
        return [(a, a + max(dmin, int(dmin + r() * (dmax - dmin)))) for a in lows]

    def chunked(self, total: int) -> bool:
        return self.element.chunked(total)

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        lows = self.element.unique(rng, n, start, total)
        dmin, _ = self.element.delta()
        return [(a, a + max(dmin, 1)) for a in lows]

    def text(self, v: Any) -> str:
        t = self.element.text
        return f"[{t(v[0]).removesuffix('+00')},{t(v[1]).removesuffix('+00')})"

    def py(self, v: Any) -> Any:
        return self.text(v)


class ArrayGen(Gen):
    safe = False

    def __init__(self, element: Gen, min_card: int, max_card: int | None) -> None:
        self.element = element
        self.min_card = min_card
        self.max_card = max(min_card, 3 if max_card is None else max_card)

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        lo, span = self.min_card, self.max_card - self.min_card + 1
        r = rng.random
        sizes = [lo + int(r() * span) for _ in range(n)]
        flat = self.element.sample(rng, sum(sizes))
        out, i = [], 0
        for k in sizes:
            out.append(flat[i : i + k])
            i += k
        return out

    def chunked(self, total: int) -> bool:
        return self.element.chunked(total)

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        return [[v] for v in self.element.unique(rng, n, start, total)]

    def py(self, v: Any) -> Any:
        return [self.element.py(x) for x in v]

    def text(self, v: Any) -> str:
        t = self.element.text
        inner = ",".join('"' + t(x).replace("\\", "\\\\").replace('"', '\\"') + '"' for x in v)
        return copy_escape("{" + inner + "}")

    def sqlite(self, v: Any) -> Any:
        return json.dumps([self.element.sqlite(x) for x in v], default=str)


class Filtered(Gen):
    """A generator whose values must also pass checks it does not build in (patterns,
    excluded values, length or text bounds): failures are drawn again."""

    def __init__(self, inner: Gen, ok: Callable[[Any], bool], why: str) -> None:
        self.inner = inner
        self.ok = ok
        self.why = why
        self.safe = inner.safe
        self.text_identity = inner.text_identity
        self.ordered = inner.ordered
        self.discrete = inner.discrete
        self.lo, self.hi = inner.lo, inner.hi
        self._chunked: bool | None = None
        self._capacity: tuple[int | None] | None = None

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        out = self.inner.sample(rng, n)
        ok = self.ok
        for i in self._failing(out):
            v = out[i]
            tries = 0
            while not ok(v):
                tries += 1
                if tries > 200:
                    raise Unsatisfiable(f"generated values keep failing {self.why}")
                v = self.inner.sample(rng, 1)[0]
            out[i] = v
        return out

    def _failing(self, vals: list[Any]) -> list[int]:
        """The positions of the values that fail the checks; each distinct value checked once
        when values repeat (a country code drawn 20,000 times from 250)."""
        ok = self.ok
        try:
            distinct = set(vals)
        except TypeError:  # unhashable values
            distinct = None
        if distinct is not None and 2 * len(distinct) <= len(vals):
            bad = {v for v in distinct if not ok(v)}
            return [i for i, v in enumerate(vals) if v in bad] if bad else []
        return [i for i, v in enumerate(vals) if not ok(v)]

    def chunked(self, total: int) -> bool:
        if self._chunked is None:
            probe = self.inner.unique(random.Random(0), min(total, 200), 0, total)
            self._chunked = self.inner.chunked(total) and all(self.ok(v) for v in probe)
        return self._chunked

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        vals = self.inner.unique(rng, n, start, total)
        if all(self.ok(v) for v in vals):
            return vals
        if start == 0 and n == total:
            return Gen.unique(self, rng, n, start, total)
        raise Unsatisfiable(f"distinct values keep failing {self.why}")

    def capacity(self) -> int | None:
        """Unknown (None), unless the inner generator's domain is all it draws: then those of
        its values that pass (a boolean that is not 'forbidden' has two)."""
        if self._capacity is None:
            dom = self.domain() if self.inner.exact_domain else None
            self._capacity = (len(dom) if dom is not None else None,)
        return self._capacity[0]

    def domain(self) -> Sequence[Any] | None:
        dom = self.inner.domain()
        return [v for v in dom if self.ok(v)] if dom is not None else None

    def valid(self, v: Any) -> bool:
        return self.ok(v)

    def py(self, v: Any) -> Any:
        return self.inner.py(v)

    def text(self, v: Any) -> str:
        return self.inner.text(v)

    def texts(self, vals: list[Any]) -> list[str]:
        return self.inner.texts(vals)

    def sqlites(self, vals: list[Any]) -> list[Any]:
        return self.inner.sqlites(vals)

    def sqlite(self, v: Any) -> Any:
        return self.inner.sqlite(v)

    def delta(self) -> tuple[Any, Any]:
        return self.inner.delta()


class Stored(Gen):
    """The generator of a column whose values are already what the database is given: a
    SQLite foreign key's referenced values, bound as the referenced table binds them (SQLite's
    affinity converts them, see affinity.py). Draws nothing; writes its values as they are."""

    def __init__(self, inner: Gen) -> None:
        self.inner = inner  # the column's own generator (its type's), kept for messages

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        raise Unsatisfiable("a column holding referenced values draws none of its own")

    def text(self, v: Any) -> str:
        return v if isinstance(v, str) else str(v)

    def sqlites(self, vals: list[Any]) -> list[Any]:
        return vals
