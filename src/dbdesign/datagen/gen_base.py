"""The generator protocol (:class:`Gen`) and the internal units its values are drawn in.

A generator draws *internal* values, chosen so that constraints are cheap to apply and values
cheap to format: integers for integers; scaled integers for ``numeric(p,s)`` (12.34 is 1234 at
scale 2); days since 1970-01-01 for dates; seconds since 1970 for timestamps; seconds for times
and intervals; ``str`` for text. Each generator converts an internal value three ways: ``py``
(the Python value :func:`dbdesign.datagen.generate` yields), ``text`` (PostgreSQL's COPY text
format, escaped) and ``sqlite`` (what sqlite3 stores).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

ORDERED_KINDS = frozenset(
    {
        "int",
        "numeric",
        "money",
        "float",
        "date",
        "timestamp",
        "timestamptz",
        "time",
        "timetz",
        "interval",
    }
)
DOMAIN_LIMIT = 100_000  # a finite domain is enumerated when it has at most this many values
EPOCH = datetime(1970, 1, 1)
EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
DAY = 86_400
# The default window for dates and timestamps: fixed (not "now") so a seed reproduces the data.
WINDOW_START = (date(2020, 1, 1) - date(1970, 1, 1)).days
WINDOW_END = (date(2025, 12, 31) - date(1970, 1, 1)).days
COPY_NULL = "\\N"
_COPY_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class Unsatisfiable(Exception):
    """No value can satisfy the column's constraints; the message says why."""


def copy_escape(s: str) -> str:
    """Escape text for PostgreSQL's COPY text format."""
    return s.translate(_COPY_ESCAPE)


class Gen:
    """Draws non-NULL internal values of one kind. Subclasses override what they need."""

    ordered = False  # internal values are numbers: bounds and "a < b" apply
    safe = True  # text() never needs COPY escaping
    text_identity = False  # values are already COPY text (safe strings)
    discrete = True  # ordered values are integers (strict bounds move by one)
    exact_domain = False  # domain() holds every value sample() draws (not just an enumeration)

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        raise NotImplementedError

    def capacity(self) -> int | None:
        """How many distinct values exist (None: more than any table needs)."""
        return None

    def domain(self) -> Sequence[Any] | None:
        """All values, when there are at most DOMAIN_LIMIT of them."""
        return None

    def chunked(self, total: int) -> bool:
        """Whether :meth:`unique` can produce any slice of the ``total`` indexes on its own
        (else the whole sequence is drawn at once)."""
        return False

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        """Distinct values for indexes ``start .. start + n - 1`` of ``total``; also distinct
        from those of indexes below ``start`` (rows a previous run wrote)."""
        dom = self.domain()
        if dom is not None and start == 0 and len(dom) >= n:
            return (
                rng.sample(list(dom), n)
                if not isinstance(dom, range)
                else _range_sample(rng, dom, n)
            )
        seen: set[Any] = set()
        out: list[Any] = []
        tries = 0
        while len(out) < n:
            for v in self.sample(rng, min(n - len(out), 10_000)):
                if v not in seen:
                    seen.add(v)
                    out.append(v)
            tries += 1
            if tries > 50 + n // 1000:
                raise Unsatisfiable(f"could draw only {len(out)} distinct values of {n}")
        return out

    def py(self, v: Any) -> Any:
        return v

    def text(self, v: Any) -> str:
        return str(v)

    def texts(self, vals: list[Any]) -> list[str]:
        """COPY text of many values (NULL as ``\\N``); subclasses speed up the common kinds."""
        if self.text_identity:
            return [COPY_NULL if v is None else v for v in vals] if None in vals else vals
        f = self.text
        if None in vals:
            return [COPY_NULL if v is None else f(v) for v in vals]
        return list(map(f, vals))

    def sqlite(self, v: Any) -> Any:
        return self.py(v)

    def sqlites(self, vals: list[Any]) -> list[Any]:
        """What sqlite3 stores for many values (NULL stays None)."""
        if type(self).sqlite is Gen.sqlite and type(self).py is Gen.py:
            return vals
        f = self.sqlite
        return [None if v is None else f(v) for v in vals]

    def valid(self, v: Any) -> bool:
        return True

    # ordered generators
    lo: Any = None
    hi: Any = None

    def delta(self) -> tuple[Any, Any]:
        """(smallest, largest) step for a value derived from another ("a < b")."""
        return (1, 100)


def _range_sample(rng: random.Random, r: range, n: int) -> list[int]:
    return rng.sample(r, n)
