"""Value generators: one per kind of value, shaped by the column's constraints and name.

A generator (:class:`Gen`) draws *internal* values, chosen so that constraints are cheap to apply
and values cheap to format: integers for integers; scaled integers for ``numeric(p,s)`` (12.34 is
1234 at scale 2); days since 1970-01-01 for dates; seconds since 1970 for timestamps; seconds for
times and intervals; ``str`` for text. Each generator converts an internal value three ways:
``py`` (the Python value :func:`dbdesign.datagen.generate` yields), ``text`` (PostgreSQL's COPY
text format, escaped) and ``sqlite`` (what sqlite3 stores).

:class:`Cons` collects what the constraints say about one column (bounds, allowed values,
lengths, patterns); :func:`make_gen` builds the generator that respects all of it, or raises
:class:`Unsatisfiable` naming the constraints that contradict each other.
"""

from __future__ import annotations

import json
import math
import random
import re
import string
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from dbdesign.datagen import vocab
from dbdesign.datagen.checks import Const
from dbdesign.datagen.types import TypeInfo
from dbdesign.datagen.xeger import Xeger, compile_pattern, like_to_regex, translate_regex

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
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
COPY_NULL = "\\N"
_COPY_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


class Unsatisfiable(Exception):
    """No value can satisfy the column's constraints; the message says why."""


def copy_escape(s: str) -> str:
    """Escape text for PostgreSQL's COPY text format."""
    return s.translate(_COPY_ESCAPE)


# --------------------------------------------------------------------------- constraints


@dataclass
class Pattern:
    regex: re.Pattern[str]
    negate: bool
    fn: str | None  # lower / upper applied before matching
    source: str

    def ok(self, v: str) -> bool:
        s = v.lower() if self.fn == "lower" else v.upper() if self.fn == "upper" else v
        return (self.regex.search(s) is not None) != self.negate


@dataclass
class Cons:
    """What the constraints say about one column's non-NULL values (internal units where
    ``bounds`` are set by :func:`apply_bounds`)."""

    lo: list[tuple[Const, bool, str]] = field(default_factory=list)  # (value, strict, source)
    hi: list[tuple[Const, bool, str]] = field(default_factory=list)
    choices: list[tuple[tuple[Any, ...], str]] = field(default_factory=list)
    excluded: list[tuple[Any, str]] = field(default_factory=list)
    min_len: int = 0
    max_len: int | None = None
    min_card: int = 0
    max_card: int | None = None
    patterns: list[Pattern] = field(default_factory=list)
    not_null: bool = False
    force_null: bool = False
    sources: list[str] = field(default_factory=list)

    def add_pattern(
        self, value: str, *, like: bool, icase: bool, negate: bool, fn: str | None, source: str
    ) -> None:
        text = like_to_regex(value) if like else translate_regex(value)
        try:
            rx = compile_pattern(text, icase=icase)
        except re.error as e:
            raise Unsatisfiable(f"{source}: cannot read the pattern {value!r}: {e}") from None
        self.patterns.append(Pattern(rx, negate, fn, source))


# --------------------------------------------------------------------------- names -> hints

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def words_of(name: str) -> list[str]:
    """``customerEmail`` / ``Customer_Email`` -> ["customer", "email"]."""
    return [w for w in re.split(r"[^a-z0-9]+", _CAMEL.sub("_", name).lower()) if w]


def text_hint(name: str) -> str:
    w = words_of(name)
    s = set(w)
    last = w[-1] if w else ""
    joined = "_".join(w)
    if "email" in s or "mail" in s:
        return "email"
    if last == "at" or s & {"timestamp", "datetime"}:
        return "datetime"  # created_at in a text column (SQLite): ISO 8601, as its functions want
    if s & {"date", "dob", "birthday"}:
        return "date"
    if joined in ("first_name", "firstname", "given_name", "forename", "fname"):
        return "first"
    if joined in ("last_name", "lastname", "surname", "family_name", "lname"):
        return "last"
    if s & {"username", "login", "handle", "nickname", "nick"} or joined == "user_name":
        return "username"
    if s & {"phone", "mobile", "fax", "tel", "telephone", "cell"}:
        return "phone"
    if s & {"url", "website", "homepage", "uri", "link", "href"}:
        return "url"
    if "country" in s and s & {"code", "iso", "iso2", "cc"}:
        return "country2"
    if "country" in s:
        return "country"
    if "currency" in s:
        return "currency"
    if s & {"city", "town"}:
        return "city"
    if s & {"address", "street", "address1", "address2", "line1", "line2"}:
        return "street"
    if s & {"postal", "zip", "postcode", "zipcode"}:
        return "postal"
    if s & {"district", "region", "province", "county"}:
        return "region"
    if joined in ("name", "full_name", "fullname", "display_name") or (
        last == "name" and s & {"customer", "contact", "employee", "person", "user", "author"}
    ):
        return "person" if joined != "name" else "name"
    if s & {"company", "organization", "organisation", "employer", "vendor", "supplier"}:
        return "company"
    if s & {"title", "subject", "headline", "caption"}:
        return "title"
    if s & {
        "description",
        "desc",
        "body",
        "content",
        "comment",
        "comments",
        "notes",
        "note",
        "bio",
        "summary",
        "message",
        "text",
        "details",
    }:
        return "sentence"
    if s & {"status", "state", "stage"}:
        return "status"
    if "slug" in s:
        return "slug"
    if s & {"sku", "code", "ref", "reference", "serial", "barcode", "isbn"}:
        return "code"
    if s & {"color", "colour"}:
        return "color"
    if s & {"password", "hash", "token", "secret", "salt", "digest", "checksum"}:
        return "hex"
    if s & {"ip"} or joined in ("ip_address", "ipaddress", "remote_addr"):
        return "ip"
    if last == "name":
        return "name"
    return "words"


_MOSTLY_NULL = frozenset(
    {
        "deleted",
        "archived",
        "cancelled",
        "canceled",
        "closed",
        "ended",
        "banned",
        "revoked",
        "expired",
        "suspended",
        "removed",
        "disabled",
    }
)


def null_fraction(name: str) -> float:
    """How often a nullable column named ``name`` is NULL: ``deleted_at`` mostly, else 10%."""
    return 0.9 if set(words_of(name)) & _MOSTLY_NULL else 0.1


def _number_hint(name: str) -> tuple[float, float] | None:
    """A realistic range for a number named ``name`` (None: no opinion)."""
    s = set(words_of(name))
    if s & {"price", "amount", "total", "cost", "fee", "subtotal", "tax", "balance", "charge"}:
        return (1, 999.99)
    if s & {"salary", "income", "revenue", "wage"}:
        return (20_000, 200_000)
    if s & {"age"}:
        return (18, 90)
    if s & {"year"}:
        return (1950, 2030)
    if s & {"quantity", "qty", "count", "units", "items"}:
        return (1, 20)
    if s & {"rating", "stars", "priority", "level"}:
        return (1, 5)
    if s & {"percent", "percentage", "pct", "score"}:
        return (0, 100)
    if s & {"lat", "latitude"}:
        return (-90, 90)
    if s & {"lon", "lng", "longitude"}:
        return (-180, 180)
    if s & {"duration", "length", "minutes", "seconds", "size"}:
        return (1, 240)
    if s & {"weight", "height", "width", "depth"}:
        return (1, 100)
    if s & {"rate", "ratio", "discount"}:
        return (0, 1)
    return None


def _date_hint(name: str) -> tuple[int, int]:
    s = set(words_of(name))
    if s & {"birth", "dob", "birthday", "born", "birthdate"}:
        return (
            (date(1950, 1, 1) - date(1970, 1, 1)).days,
            (date(2005, 12, 31) - date(1970, 1, 1)).days,
        )
    return (WINDOW_START, WINDOW_END)


# --------------------------------------------------------------------------- generators


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
        lo, span, r = self.rlo, self.rhi - self.rlo + 1, rng.random
        return [lo + int(r() * span) for _ in range(n)]

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
        return _spread(rng, self.rlo, self.rhi, self.lo, self.hi, start, start + n, total)

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


def _spread(
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


class TextGen(Gen):
    """Text, shaped by the column's name (email, name, phone, url ...) and its length limits."""

    text_identity = True

    def __init__(self, hint: str, min_len: int, max_len: int | None, fixed: bool) -> None:
        self.hint = hint
        self.min_len = min_len
        self.max_len = max_len
        self.fixed = fixed
        self._one = _TEXT_MAKERS.get(hint, _words)

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        vals = self._one(rng, n, None)
        if self.max_len is None and not self.min_len:
            return vals
        mx, mn, fit = self.max_len or 1 << 30, self.min_len, self._fit
        return [v if mn <= len(v) <= mx else fit(v, rng) for v in vals]

    def _fit(self, s: str, rng: random.Random) -> str:
        if self.max_len is not None and len(s) > self.max_len:
            s = s[: self.max_len].rstrip() or s[: self.max_len]
        if len(s) < self.min_len:
            s += "".join(rng.choice(_BASE36[10:]) for _ in range(self.min_len - len(s)))
        return s

    def capacity(self) -> int | None:
        if self.max_len is None or self.max_len >= 8:
            return None
        if self.min_len > self.max_len:
            return 0
        return int(sum(36**k for k in range(max(self.min_len, 1), self.max_len + 1)))

    def domain(self) -> Sequence[Any] | None:
        cap = self.capacity()
        if cap is None or cap > DOMAIN_LIMIT:
            return None
        out: list[str] = []
        for k in range(max(self.min_len, 1), (self.max_len or 0) + 1):
            out.extend(_base36(i, k) for i in range(36**k))
        return out

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        need = len(str(total))
        one = self._one
        end = start + n
        if self.max_len is None or self.max_len >= need + 2:
            # realistic prefix (no digits) + the index in decimal (+ the maker's suffix)
            ks = range(start + 1, end + 1)
            vals = one(rng, n, ks)
            mx, mn, fit = self.max_len or 1 << 30, self.min_len, self._fit_unique
            return [
                v if mn <= len(v) <= mx else fit(v, k, rng) for v, k in zip(vals, ks, strict=True)
            ]
        width = self.max_len
        if 36**width < total:
            raise Unsatisfiable(f"only {36**width} distinct strings of at most {width} characters")
        width = max(self.min_len, _digits36(total))
        return [_base36(k, width) for k in range(start, end)]

    def _fit_unique(self, s: str, k: int, rng: random.Random) -> str:
        if self.max_len is None or len(s) <= self.max_len:
            return s if len(s) >= self.min_len else self._fit(s, rng)
        tok = str(k)
        # keep the index: cut the realistic part, not the number
        room = self.max_len - len(tok) - 1
        head = re.sub(r"\d+", "", s)[: max(room, 0)].rstrip()
        out = f"{head}-{tok}" if head else tok
        return self._fit(out, rng) if len(out) < self.min_len else out

    def text(self, v: Any) -> str:
        return v  # type: ignore[no-any-return]


def _digits36(n: int) -> int:
    d = 1
    while 36**d < n:
        d += 1
    return d


def _base36(i: int, width: int) -> str:
    out = []
    for _ in range(width):
        i, r = divmod(i, 36)
        out.append(_BASE36[r])
    return "".join(reversed(out))


# Text makers: (rng, n, ks) -> n strings. ks is None for free values, else the indexes of
# distinct values, each of which must then appear in its string as a decimal number delimited
# by non-digits (the word lists hold no digits), so that distinct indexes give distinct strings.
# They draw with rng.choices, which loops in C.

Maker = Callable[[random.Random, int, Sequence[int] | None], list[str]]


def _pick(rng: random.Random, seq: Sequence[str]) -> str:
    return seq[int(rng.random() * len(seq))]


def _cap(words: Sequence[str]) -> list[str]:
    return [w.capitalize() for w in words]


_CAP_WORDS = _cap(vocab.WORDS)
_CAP_FIRST = _cap(vocab.FIRST_NAMES)
_CAP_LAST = _cap(vocab.LAST_NAMES)
_MAYBE_CAP_WORD = _CAP_WORDS + [""] * len(_CAP_WORDS)  # half the time no word
_MAYBE_WORD = list(vocab.WORDS) + [""] * len(vocab.WORDS)
_LETTERS3: list[str] = []


def _nums(rng: random.Random, n: int, ks: Sequence[int] | None, top: int) -> Sequence[int]:
    if ks is not None:
        return ks
    r = rng.random
    return [int(r() * top) for _ in range(n)]


def _suffixed(base: list[str], ks: Sequence[int] | None, sep: str = " ") -> list[str]:
    return base if ks is None else [f"{b}{sep}{k}" for b, k in zip(base, ks, strict=True)]


def _join3(a: list[str], b: list[str], c: list[str]) -> list[str]:
    return [
        x + (" " + y if y else "") + (" " + z if z else "") for x, y, z in zip(a, b, c, strict=True)
    ]


def _email(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    ch = rng.choices
    first, last = ch(vocab.FIRST_NAMES, k=n), ch(vocab.LAST_NAMES, k=n)
    doms, nums = ch(vocab.EMAIL_DOMAINS, k=n), _nums(rng, n, ks, 1000)
    return [f"{a}.{b}{k}@{d}" for a, b, k, d in zip(first, last, nums, doms, strict=True)]


def _first(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    return _suffixed(rng.choices(_CAP_FIRST, k=n), ks)


def _last(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    return _suffixed(rng.choices(_CAP_LAST, k=n), ks)


def _person(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    ch = rng.choices
    full = [f"{a} {b}" for a, b in zip(ch(_CAP_FIRST, k=n), ch(_CAP_LAST, k=n), strict=True)]
    return _suffixed(full, ks)


def _username(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    names = rng.choices(vocab.FIRST_NAMES, k=n)
    return [f"{a}{k}" for a, k in zip(names, _nums(rng, n, ks, 10_000), strict=True)]


def _phone(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    return [f"+1-555-{k:07d}" for k in _nums(rng, n, ks, 10_000_000)]


def _url(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    ch = rng.choices
    a, b, t = ch(vocab.WORDS, k=n), ch(vocab.WORDS, k=n), ch(vocab.TLDS, k=n)
    nums = _nums(rng, n, ks, 100_000)
    return [f"https://www.{x}.{z}/{y}/{k}" for x, y, z, k in zip(a, b, t, nums, strict=True)]


def _country(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    return _suffixed(rng.choices([c[0] for c in vocab.COUNTRIES], k=n), ks)


def _country2(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    return _suffixed(rng.choices([c[1] for c in vocab.COUNTRIES], k=n), ks, "")


def _currency(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    return _suffixed(rng.choices(vocab.CURRENCIES, k=n), ks, "")


def _city(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    return _suffixed(rng.choices(vocab.CITIES, k=n), ks)


def _street(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    ch = rng.choices
    nums = ks if ks is not None else [1 + k for k in _nums(rng, n, None, 999)]
    w, sfx = ch(_CAP_WORDS, k=n), ch(vocab.STREET_SUFFIXES, k=n)
    return [f"{k} {a} {b}" for k, a, b in zip(nums, w, sfx, strict=True)]


def _postal(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    return [f"{k:05d}" for k in _nums(rng, n, ks, 100_000)]


def _region(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    return _suffixed(rng.choices(_CAP_WORDS, k=n), ks)


def _company(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    ch = rng.choices
    base = [
        f"{a} {b}"
        for a, b in zip(ch(_CAP_WORDS, k=n), ch(vocab.COMPANY_SUFFIXES, k=n), strict=True)
    ]
    return _suffixed(base, ks)


def _title(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    ch = rng.choices
    base = _join3(ch(_CAP_WORDS, k=n), ch(_MAYBE_CAP_WORD, k=n), ch(_MAYBE_CAP_WORD, k=n))
    return _suffixed(base, ks)


def _name(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    ch = rng.choices
    base = [
        a + (" " + b if b else "")
        for a, b in zip(ch(_CAP_WORDS, k=n), ch(_MAYBE_CAP_WORD, k=n), strict=True)
    ]
    return _suffixed(base, ks)


def _sentence(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    """4 to 13 words of prose (Zipf-distributed over a long vocabulary) and a full stop."""
    words, cum = vocab.prose()
    r = rng.random
    lengths = [4 + int(r() * 10) for _ in range(n)]
    drawn = rng.choices(words, cum_weights=cum, k=sum(lengths))
    base, at = [], 0
    for k in lengths:
        base.append(" ".join(drawn[at : at + k]).capitalize() + ".")
        at += k
    return _suffixed(base, ks)


def _slug(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    ch = rng.choices
    base = [f"{a}-{b}" for a, b in zip(ch(vocab.WORDS, k=n), ch(vocab.WORDS, k=n), strict=True)]
    return _suffixed(base, ks, "-")


def _code(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    if not _LETTERS3:
        up = string.ascii_uppercase
        _LETTERS3.extend(a + b + c for a in up for b in up for c in up)
    letters = rng.choices(_LETTERS3, k=n)
    return [f"{a}-{k:06d}" for a, k in zip(letters, _nums(rng, n, ks, 1_000_000), strict=True)]


def _color(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    return _suffixed(rng.choices(vocab.COLORS, k=n), ks)


def _hex(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    g = rng.getrandbits
    if ks is None:
        return [f"{g(128):032x}" for _ in range(n)]
    return [f"{g(80):020x}-{k}" for k in ks]


def _ip(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    g = rng.getrandbits
    if ks is None:
        return [_dotted(0x0A000000 + g(24)) for _ in range(n)]
    return [_dotted(0x0A000000 + k) if k < (1 << 24) else _dotted(k) for k in ks]


def _words(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    ch = rng.choices
    base = _join3(ch(vocab.WORDS, k=n), ch(_MAYBE_WORD, k=n), ch(_MAYBE_WORD, k=n))
    return _suffixed(base, ks)


def _iso_datetime(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    """'YYYY-MM-DD HH:MM:SS' in the generator's date window (SQLite's CURRENT_TIMESTAMP form)."""
    if ks is not None:  # distinct values: a number must show; dates would collide
        return _words(rng, n, ks)
    lo, span, r = WINDOW_START * DAY, (WINDOW_END - WINDOW_START + 1) * DAY, rng.random
    return [(EPOCH + timedelta(seconds=lo + int(r() * span))).isoformat(" ") for _ in range(n)]


def _iso_date(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    if ks is not None:
        return _words(rng, n, ks)
    days, r = WINDOW_END - WINDOW_START + 1, rng.random
    return [
        date.fromordinal(EPOCH_ORDINAL + WINDOW_START + int(r() * days)).isoformat()
        for _ in range(n)
    ]


def _dotted(n: int) -> str:
    return f"{(n >> 24) & 255}.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


_TEXT_MAKERS: dict[str, Maker] = {
    "email": _email,
    "datetime": _iso_datetime,
    "date": _iso_date,
    "first": _first,
    "last": _last,
    "person": _person,
    "username": _username,
    "phone": _phone,
    "url": _url,
    "country": _country,
    "country2": _country2,
    "currency": _currency,
    "city": _city,
    "street": _street,
    "postal": _postal,
    "region": _region,
    "company": _company,
    "title": _title,
    "name": _name,
    "sentence": _sentence,
    "slug": _slug,
    "code": _code,
    "color": _color,
    "hex": _hex,
    "ip": _ip,
    "words": _words,
}


class PatternGen(TextGen):
    """Text that matches a regular expression (a check's ``~`` or ``LIKE``)."""

    safe = False
    text_identity = False

    def __init__(self, pattern: Pattern, min_len: int, max_len: int | None) -> None:
        super().__init__("words", min_len, max_len, False)
        self._x = Xeger(pattern.regex)

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        x = self._x
        return [x(rng) for _ in range(n)]

    def capacity(self) -> int | None:
        return None

    def domain(self) -> Sequence[Any] | None:
        return None

    def chunked(self, total: int) -> bool:
        return False

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        return Gen.unique(self, rng, n, start, total)

    def text(self, v: Any) -> str:
        return copy_escape(v)


class ChoiceGen(Gen):
    """One of a fixed list of values (enum labels, a check's IN list, booleans), Zipf-skewed
    when asked: the k-th value is drawn with weight 1/k**skew."""

    # A list chosen only for realism (a column named status) gives way to this generator when
    # the column must be unique.
    fallback: Gen | None = None

    def __init__(self, values: Sequence[Any], base: Gen, skew: float = 0.0) -> None:
        if not values:
            raise Unsatisfiable("no allowed value")
        self.values = list(values)
        self.base = base
        self.skew = skew
        self.cum = list(accumulate(1 / (k**skew) for k in range(1, len(values) + 1)))
        plain = all(isinstance(v, str) and not _NEEDS_ESCAPE.search(v) for v in values)
        self.safe = base.safe or plain
        self.text_identity = plain and (base is _IDENTITY_TEXT or base.text_identity)
        self.ordered = base.ordered

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        if self.skew:
            return rng.choices(self.values, cum_weights=self.cum, k=n)
        return rng.choices(self.values, k=n)

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


_IDENTITY_TEXT = _IdentityText()


class BoolGen(Gen):
    exact_domain = True

    def __init__(self, p_true: float) -> None:
        self.p = p_true

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        p, r = self.p, rng.random
        return [r() < p for _ in range(n)]

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


class DateGen(IntGen):
    def __init__(self, lo: int, hi: int, want: tuple[float, float] | None) -> None:
        super().__init__(lo, hi, want)
        self._cache: dict[int, str] = {}

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        return _spread(rng, self.rlo, self.rhi, self.lo, self.hi, start, start + n, total)

    def delta(self) -> tuple[Any, Any]:
        return (1, 30)

    def py(self, v: Any) -> Any:
        return date.fromordinal(EPOCH_ORDINAL + v)

    def text(self, v: Any) -> str:
        s = self._cache.get(v)
        if s is None:
            s = self._cache[v] = date.fromordinal(EPOCH_ORDINAL + v).isoformat()
        return s

    def texts(self, vals: list[Any]) -> list[str]:
        get, t = self._cache.get, self.text
        return [COPY_NULL if v is None else get(v) or t(v) for v in vals]

    def sqlites(self, vals: list[Any]) -> list[Any]:
        get, t = self._cache.get, self.text
        return [None if v is None else get(v) or t(v) for v in vals]

    def sqlite(self, v: Any) -> Any:
        return self.text(v)


_TIME_OF_DAY: list[str] = []


def _time_of_day() -> list[str]:
    if not _TIME_OF_DAY:
        _TIME_OF_DAY.extend(
            f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)
        )
    return _TIME_OF_DAY


class TimestampGen(IntGen):
    def __init__(self, lo: int, hi: int, want: tuple[float, float] | None, tz: bool) -> None:
        super().__init__(lo, hi, want)
        self.tz = tz
        self._days: dict[int, str] = {}
        self._tod = _time_of_day()

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        return _spread(rng, self.rlo, self.rhi, self.lo, self.hi, start, start + n, total)

    def delta(self) -> tuple[Any, Any]:
        return (1, 30 * DAY)

    def py(self, v: Any) -> Any:
        return (EPOCH_UTC if self.tz else EPOCH) + timedelta(seconds=v)

    def text(self, v: Any) -> str:
        d, s = divmod(v, DAY)
        ds = self._days.get(d)
        if ds is None:
            ds = self._days[d] = date.fromordinal(EPOCH_ORDINAL + d).isoformat()
        return f"{ds} {self._tod[s]}+00" if self.tz else f"{ds} {self._tod[s]}"

    def texts(self, vals: list[Any]) -> list[str]:
        get, tod, tz = self._days.get, self._tod, "+00" if self.tz else ""
        out = []
        for v in vals:
            if v is None:
                out.append(COPY_NULL)
                continue
            d = v // DAY
            ds = get(d)
            if ds is None:
                ds = self._days[d] = date.fromordinal(EPOCH_ORDINAL + d).isoformat()
            out.append(f"{ds} {tod[v - d * DAY]}{tz}")
        return out

    def sqlite(self, v: Any) -> Any:
        d, s = divmod(v, DAY)
        return f"{date.fromordinal(EPOCH_ORDINAL + d).isoformat()} {self._tod[s]}"

    def sqlites(self, vals: list[Any]) -> list[Any]:
        tz, self.tz = self.tz, False
        try:
            out = self.texts(vals)
        finally:
            self.tz = tz
        return [None if t == COPY_NULL else t for t in out]


class TimeGen(IntGen):
    def __init__(self, lo: int, hi: int, tz: bool) -> None:
        super().__init__(lo, hi, None)
        self.tz = tz

    def delta(self) -> tuple[Any, Any]:
        return (1, 3600)

    def py(self, v: Any) -> Any:
        h, rest = divmod(v, 3600)
        return time(h, rest // 60, rest % 60, tzinfo=UTC if self.tz else None)

    def text(self, v: Any) -> str:
        return str(_time_of_day()[v]) + ("+00" if self.tz else "")

    def sqlite(self, v: Any) -> Any:
        return _time_of_day()[v]


class IntervalGen(IntGen):
    def __init__(self, lo: int, hi: int) -> None:
        super().__init__(lo, hi, (60, 30 * DAY))

    def delta(self) -> tuple[Any, Any]:
        return (1, DAY)

    def py(self, v: Any) -> Any:
        return timedelta(seconds=v)

    def text(self, v: Any) -> str:
        return f"{v} seconds"

    def sqlite(self, v: Any) -> Any:
        return v


class UuidGen(Gen):
    def sample(self, rng: random.Random, n: int) -> list[Any]:
        g = rng.getrandbits
        return [_uuid_text(g(128)) for _ in range(n)]

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        g = rng.getrandbits
        mask = (1 << 48) - 1
        # an odd multiplier permutes 48-bit numbers: distinct indexes, scattered low bits
        return [
            _uuid_text((g(80) << 48) | ((k * 0x9E3779B97F4B + 0x5DEECE66D) & mask))
            for k in range(start, start + n)
        ]

    def py(self, v: Any) -> Any:
        return uuid.UUID(v)

    def sqlite(self, v: Any) -> Any:
        return v


def _uuid_text(x: int) -> str:
    h = f"{x:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class JsonGen(Gen):
    safe = False

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        w = vocab.WORDS
        return [
            {"id": int(rng.random() * 100_000), "tag": _pick(rng, w), "ok": rng.random() < 0.5}
            for _ in range(n)
        ]

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        w = vocab.WORDS
        return [{"id": k, "tag": _pick(rng, w)} for k in range(start, start + n)]

    def text(self, v: Any) -> str:
        return copy_escape(json.dumps(v))

    def sqlite(self, v: Any) -> Any:
        return json.dumps(v)


class StrGen(Gen):
    """Values made by a function of (rng, k) whose text needs no escaping (inet, macaddr ...)."""

    def __init__(self, make: Callable[[random.Random, int | None], str], cap: int | None) -> None:
        self.make = make
        self.cap = cap

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        m = self.make
        return [m(rng, None) for _ in range(n)]

    def capacity(self) -> int | None:
        return self.cap

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        if self.cap is not None and total > self.cap:
            raise Unsatisfiable(f"only {self.cap} distinct values")
        m = self.make
        return [m(rng, k) for k in range(start, start + n)]


def _inet(rng: random.Random, k: int | None) -> str:
    return _dotted(0x0A000000 + (k if k is not None else rng.getrandbits(24)))


def _cidr(rng: random.Random, k: int | None) -> str:
    n = k if k is not None else rng.getrandbits(16)
    return f"10.{(n >> 8) & 255}.{n & 255}.0/24"


def _mac(rng: random.Random, k: int | None) -> str:
    n = k if k is not None else rng.getrandbits(40)
    return ":".join(f"{b:02x}" for b in (0x02 << 40 | n).to_bytes(6, "big"))


def _mac8(rng: random.Random, k: int | None) -> str:
    n = k if k is not None else rng.getrandbits(56)
    return ":".join(f"{b:02x}" for b in (0x02 << 56 | n).to_bytes(8, "big"))


def _tsvector(rng: random.Random, k: int | None) -> str:
    s = " ".join(_pick(rng, vocab.WORDS) for _ in range(3))
    return s if k is None else f"{s} k{k}"


def _tsquery(rng: random.Random, k: int | None) -> str:
    s = f"{_pick(rng, vocab.WORDS)} & {_pick(rng, vocab.WORDS)}"
    return s if k is None else f"{s} & k{k}"


def _xml(rng: random.Random, k: int | None) -> str:
    return f"<item>{_pick(rng, vocab.WORDS)}{'' if k is None else k}</item>"


def _point(rng: random.Random, k: int | None) -> str:
    if k is not None:
        return f"({k},{int(rng.random() * 1000)})"
    return f"({round(rng.random() * 360 - 180, 4)},{round(rng.random() * 180 - 90, 4)})"


def _vector(rng: random.Random, k: int | None, dim: int) -> str:
    """pgvector's text form, ``[0.1234,-0.5,...]``: ``dim`` numbers in [-1, 1); the first is
    ``k`` when the values must be distinct."""
    parts = [round(rng.random() * 2 - 1, 4) for _ in range(dim)]
    if k is not None:
        parts[0] = k
    return "[" + ",".join(str(x) for x in parts) + "]"


def _char1(rng: random.Random, k: int | None) -> str:
    return chr(97 + (k if k is not None else int(rng.random() * 26)) % 26)


class BitGen(Gen):
    def __init__(self, length: int | None, fixed: bool) -> None:
        self.length = length or 8
        self.fixed = fixed

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        g, width = rng.getrandbits, self.length
        if self.fixed:
            return [f"{g(width):0{width}b}" for _ in range(n)]
        return [f"{g(width):0{width}b}"[: 1 + int(rng.random() * width)] for _ in range(n)]

    def capacity(self) -> int | None:
        return 2**self.length if self.length < 60 else None

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        width = self.length
        if width < 60 and total > 2**width:
            raise Unsatisfiable(f"only {2**width} distinct bit strings")
        return [f"{k:0{width}b}" for k in range(start, start + n)]


class ByteaGen(Gen):
    """Random bytes: 8 of them, or ``size`` (MySQL's ``binary(16)`` gets 16, ``varbinary(4)``
    at most 4)."""

    def __init__(self, size: int = 8) -> None:
        self.size = size

    def sample(self, rng: random.Random, n: int) -> list[Any]:
        g, size = rng.getrandbits, self.size
        return [g(8 * size).to_bytes(size, "big") for _ in range(n)]

    def capacity(self) -> int | None:
        return 256**self.size if self.size < 8 else None

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        size = self.size
        if size < 8 and total > 256**size:
            raise Unsatisfiable(f"only {256**size} distinct values of {size} bytes")
        return [k.to_bytes(size, "big") for k in range(start, start + n)]

    def text(self, v: Any) -> str:
        return "\\\\x" + str(v.hex())


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
        for i, v in enumerate(out):
            tries = 0
            while not ok(v):
                tries += 1
                if tries > 200:
                    raise Unsatisfiable(f"generated values keep failing {self.why}")
                v = self.inner.sample(rng, 1)[0]
            out[i] = v
        return out

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


# --------------------------------------------------------------------------- building


def internal(info: TypeInfo, v: Any, what: str) -> Any:
    """A constant from a check or a partition bound in the kind's internal units."""
    k = info.kind
    try:
        if k == "int":
            return Decimal(str(v)) if not isinstance(v, int) else v
        if k in ("numeric", "money"):
            return Decimal(str(v)).scaleb(_scale(info))
        if k == "float":
            return float(v)
        if k == "date":
            return (_parse_date(v) - date(1970, 1, 1)).days
        if k in ("timestamp", "timestamptz"):
            return _parse_ts(v, k == "timestamptz")
        if k in ("time", "timetz"):
            t = time.fromisoformat(str(v).split("+")[0].strip())
            return t.hour * 3600 + t.minute * 60 + t.second + Decimal(t.microsecond) / 10**6
        if k == "interval":
            return _parse_interval(v)
        if k == "bool":
            if isinstance(v, bool):
                return v
            word = str(v).strip().lower()
            if word in ("t", "true", "1", "y", "yes", "on"):
                return True
            if word in ("f", "false", "0", "n", "no", "off"):
                return False
            raise ValueError(f"{v!r} is no boolean")  # ('forbidden' never equals one)
    except (ValueError, ArithmeticError) as e:
        raise Unsatisfiable(f"cannot read {v!r} as {info.name} in {what}") from e
    return v


_INTERVAL_UNITS = {
    "second": 1,
    "sec": 1,
    "s": 1,
    "minute": 60,
    "min": 60,
    "m": 60,
    "hour": 3600,
    "h": 3600,
    "day": DAY,
    "d": DAY,
    "week": 7 * DAY,
    "w": 7 * DAY,
    "month": 30 * DAY,
    "mon": 30 * DAY,
    "year": 365 * DAY,
    "y": 365 * DAY,
}


def _parse_interval(v: Any) -> Decimal:
    """``'1 hour'``, ``'2 days 3 hours'``, ``'00:30:00'`` -> seconds."""
    s = str(v).strip().lower()
    if re.fullmatch(r"-?\d+:\d\d(:\d\d(\.\d+)?)?", s):
        parts = s.lstrip("-").split(":")
        secs = Decimal(parts[0]) * 3600 + Decimal(parts[1]) * 60
        secs += Decimal(parts[2]) if len(parts) > 2 else 0
        return -secs if s.startswith("-") else secs
    total = Decimal(0)
    tokens = re.findall(r"(-?[\d.]+)\s*([a-z]+)", s)
    if not tokens or re.sub(r"(-?[\d.]+)\s*([a-z]+)", "", s).strip():
        raise ValueError(f"interval {v!r}")
    for num, unit in tokens:
        u = unit.rstrip("s") if unit not in ("s",) else unit
        if u not in _INTERVAL_UNITS:
            raise ValueError(f"interval unit {unit!r}")
        total += Decimal(num) * _INTERVAL_UNITS[u]
    return total


def from_py(info: TypeInfo, v: Any) -> Any:
    """A value read from a database (psycopg / sqlite3) in the kind's internal units."""
    if v is None:
        return None
    k = info.kind
    if k == "bool":
        return bool(v)  # MySQL's tinyint(1), SQLite's integers
    if k in ("numeric", "money"):
        return int(Decimal(str(v)).scaleb(_scale(info)))
    if k == "date":
        return (_parse_date(v) - date(1970, 1, 1)).days
    if k in ("timestamp", "timestamptz"):
        if isinstance(v, datetime):
            if v.tzinfo is not None:
                v = v.astimezone(UTC).replace(tzinfo=None)
            d = v - EPOCH
            return d.days * DAY + d.seconds
        return int(_parse_ts(v, k == "timestamptz"))
    if k in ("time", "timetz") and isinstance(v, time):
        return v.hour * 3600 + v.minute * 60 + v.second
    if k == "interval" and isinstance(v, timedelta):
        return int(v.total_seconds())
    if k == "uuid":
        return str(v)
    if k == "bytea" and isinstance(v, memoryview):
        return bytes(v)
    return v


def _scale(info: TypeInfo) -> int:
    if info.kind == "money":
        return 2
    return info.scale if info.scale is not None else 2


def _parse_date(v: Any) -> date:
    if isinstance(v, date):
        return v
    s = str(v).strip()
    return date.fromisoformat(s[:10])


def _parse_ts(v: Any, tz: bool) -> Decimal:
    s = str(v).strip().replace(" ", "T", 1)
    if re.search(r"[+-]\d\d$", s):
        s += ":00"
    dt = datetime.fromisoformat(s)
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    delta = dt - EPOCH
    return Decimal(delta.days * DAY + delta.seconds) + Decimal(delta.microseconds) / 10**6


def _type_bounds(info: TypeInfo) -> tuple[Any, Any]:
    if info.limits is not None:
        return info.limits
    k = info.kind
    if k == "int":
        b = info.bits
        return -(2 ** (b - 1)), 2 ** (b - 1) - 1
    if k == "numeric":
        s = _scale(info)
        if info.precision is not None:
            top = 10**info.precision - 1
            return -top, top
        return -(10 ** (15 + s)), 10 ** (15 + s)
    if k == "money":
        return -(9 * 10**15), 9 * 10**15
    if k == "float":
        return -1e15, 1e15
    if k == "date":
        return (date(1, 1, 1) - date(1970, 1, 1)).days, (date(9999, 12, 31) - date(1970, 1, 1)).days
    if k in ("timestamp", "timestamptz"):
        return (date(1, 1, 1) - date(1970, 1, 1)).days * DAY, (
            date(9999, 12, 31) - date(1970, 1, 1)
        ).days * DAY
    if k in ("time", "timetz"):
        return 0, DAY - 1
    if k == "interval":
        return -(10**9), 10**9
    return None, None


def bounds(info: TypeInfo, cons: Cons, column: str) -> tuple[Any, Any]:
    """The column's inclusive [lo, hi] in internal units: the type's range and every bound a
    check or partition gives. Raises :class:`Unsatisfiable` when empty."""
    lo, hi = _type_bounds(info)
    if info.kind not in ORDERED_KINDS:
        return lo, hi  # text bounds are tested value by value (_value_checks)
    discrete = info.kind not in ("float",)
    for c, strict, src in cons.lo:
        v = internal(info, c.value, src)
        if discrete:
            v = math.floor(v) + 1 if strict else math.ceil(v)
        elif strict:
            v = float(v) + max(abs(float(v)) * 1e-9, 1e-6)
        lo = v if lo is None else max(lo, v)
    for c, strict, src in cons.hi:
        v = internal(info, c.value, src)
        if discrete:
            v = math.ceil(v) - 1 if strict else math.floor(v)
        elif strict:
            v = float(v) - max(abs(float(v)) * 1e-9, 1e-6)
        hi = v if hi is None else min(hi, v)
    if lo is not None and hi is not None and lo > hi:
        srcs = sorted({s for _, _, s in cons.lo + cons.hi})
        raise Unsatisfiable(
            f"no value of {column} satisfies {', '.join(srcs)} (lower bound above upper bound)"
        )
    return lo, hi


def make_gen(
    info: TypeInfo, cons: Cons, column: str, *, skew: float | None, lo: Any = None, hi: Any = None
) -> Gen:
    """The generator for a column of ``info`` under ``cons`` (bounds already in ``lo``/``hi``
    when given, else computed here)."""
    if lo is None and hi is None:
        lo, hi = bounds(info, cons, column)
    gen = _base_gen(info, cons, column, lo, hi, skew)
    if cons.choices:
        gen = _choices(info, cons, column, gen, lo, hi, skew)
    elif info.kind == "enum":
        gen = ChoiceGen(list(info.labels), _IDENTITY_TEXT, skew or 0.0)
    elif info.kind == "bool" and skew:
        gen = ChoiceGen([True, False], gen, skew)
    elif isinstance(gen, TextGen) and gen.hint == "status" and not cons.patterns:
        text = gen
        gen = ChoiceGen(
            [s[: cons.max_len] if cons.max_len else s for s in vocab.STATUSES],
            gen,
            1.0 if skew is None else skew,
        )
        gen.fallback = text
    checks = _value_checks(info, cons, column)
    if checks is not None and not isinstance(gen, ChoiceGen):
        ok, why = checks
        try:
            _probe(Filtered(gen, ok, why), column, why)
        except Unsatisfiable:
            if not isinstance(gen, TextGen) or gen.hint == "words":
                raise
            # the name's realistic shape does not pass the checks: plain words might
            gen = TextGen("words", gen.min_len, gen.max_len, gen.fixed)
            _probe(Filtered(gen, ok, why), column, why)
        gen = Filtered(gen, ok, why)
    return gen


def _probe(gen: Gen, column: str, why: str) -> None:
    """Fail early (with the constraint's name) when values rarely pass the extra checks."""
    rng = random.Random(0)
    inner = gen.inner if isinstance(gen, Filtered) else gen
    ok = gen.valid
    hits = sum(1 for v in inner.sample(rng, 200) if ok(v))
    if hits < 2:
        raise Unsatisfiable(f"cannot generate values of {column} that satisfy {why}")


def _text_checks(cons: Cons) -> list[Callable[[str], bool]]:
    preds: list[Callable[[str], bool]] = [p.ok for p in cons.patterns]
    if cons.min_len:
        m = cons.min_len
        preds.append(lambda v: len(v) >= m)
    if cons.max_len is not None:
        mx = cons.max_len
        preds.append(lambda v: len(v) <= mx)
    return preds


def _text_bound(b: str, *, above: bool, strict: bool) -> Callable[[Any], bool]:
    def ok(v: Any) -> bool:
        if above:
            return bool(v > b) if strict else bool(v >= b)
        return bool(v < b) if strict else bool(v <= b)

    return ok


def _value_checks(
    info: TypeInfo, cons: Cons, column: str
) -> tuple[Callable[[Any], bool], str] | None:
    preds: list[Callable[[Any], bool]] = []
    srcs: list[str] = []
    if info.kind in ("text", "enum") and (cons.patterns or cons.lo or cons.hi):
        preds.extend(_text_checks(cons))
        srcs.extend(p.source for p in cons.patterns)
        for c, strict, src in cons.lo:
            preds.append(_text_bound(str(c.value), above=True, strict=strict))
            srcs.append(src)
        for c, strict, src in cons.hi:
            preds.append(_text_bound(str(c.value), above=False, strict=strict))
            srcs.append(src)
    if cons.excluded:
        bad = set()
        for v, src in cons.excluded:
            try:
                bad.add(internal(info, v, src))
            except Unsatisfiable:
                continue  # a constant of another type never equals a value of this one
            srcs.append(src)
        if bad:
            preds.append(lambda v: v not in bad)
    if not preds:
        return None
    why = ", ".join(sorted(set(srcs))) or "the column's checks"
    if len(preds) == 1:
        return preds[0], why
    return (lambda v: all(p(v) for p in preds)), why


def _choices(
    info: TypeInfo, cons: Cons, column: str, gen: Gen, lo: Any, hi: Any, skew: float | None
) -> Gen:
    allowed: list[Any] | None = None
    for values, src in cons.choices:
        conv = [internal(info, v, src) for v in values if v is not None]
        if info.kind in ("numeric", "money", "int", "date", "timestamp", "timestamptz"):
            conv = [v for v in conv if v == int(v)]
            conv = [int(v) for v in conv]
        if info.kind == "enum":
            conv = [v for v in conv if v in info.labels]
        allowed = conv if allowed is None else [v for v in allowed if v in conv]
    assert allowed is not None
    if lo is not None:
        allowed = [v for v in allowed if not isinstance(v, (int, float)) or v >= lo]
    if hi is not None:
        allowed = [v for v in allowed if not isinstance(v, (int, float)) or v <= hi]
    if info.kind in ("text",) and info.max_len is not None:
        allowed = [v for v in allowed if len(str(v)) <= info.max_len]
    checks = _value_checks(info, cons, column)
    text_preds = _text_checks(cons) if info.kind == "text" else []
    allowed = [
        v
        for v in dict.fromkeys(allowed)
        if (checks is None or checks[0](v)) and all(p(v) for p in text_preds)
    ]
    if not allowed:
        srcs = sorted({s for _, s in cons.choices} | set(cons.sources))
        raise Unsatisfiable(f"no allowed value of {column} satisfies {', '.join(srcs)}")
    base = gen if not isinstance(gen, TextGen) else _IDENTITY_TEXT
    return ChoiceGen(allowed, base, skew or 0.0)


def _base_gen(info: TypeInfo, cons: Cons, column: str, lo: Any, hi: Any, skew: float | None) -> Gen:
    k = info.kind
    if k == "int":
        return IntGen(lo, hi, _number_hint(column) or (1, 10_000))
    if k in ("numeric", "money"):
        return ScaledGen(lo, hi, _number_hint(column) or (0, 10_000), _scale(info))
    if k == "float":
        return FloatGen(lo, hi, _number_hint(column), real=info.name == "real")
    if k == "text":
        min_len = cons.min_len
        max_len = _min_opt(info.max_len, cons.max_len)
        if max_len is not None and min_len > max_len:
            raise Unsatisfiable(
                f"{column}: length must be at least {min_len} and at most {max_len}"
            )
        if info.fixed and info.max_len:
            min_len = max(min_len, 1)
        hint = text_hint(column)
        if hint == "country2" or (hint == "country" and max_len is not None and max_len <= 3):
            hint = "country2" if (max_len or 2) < 3 else "country3"
        if hint == "currency" and max_len is not None and max_len < 3:
            hint = "code"
        positive = [p for p in cons.patterns if not p.negate]
        if positive:
            gen = TextGen(hint, min_len, max_len, info.fixed)
            probe = gen.sample(random.Random(0), 50)
            if sum(1 for v in probe if all(p.ok(v) for p in cons.patterns)) < 25:
                return PatternGen(positive[0], min_len, max_len)
            return gen
        if hint == "country3":
            codes = ChoiceGen([c[2] for c in vocab.COUNTRIES], _IDENTITY_TEXT, skew or 0.0)
            codes.fallback = TextGen("code", min_len, max_len, info.fixed)
            return codes
        return TextGen(hint, min_len, max_len, info.fixed)
    if k == "char1":
        return StrGen(_char1, 26)
    if k == "bool":
        s = set(words_of(column))
        p = (
            0.85
            if s & {"active", "enabled", "visible", "verified"}
            else (0.05 if s & {"deleted", "disabled", "banned", "archived"} else 0.5)
        )
        return BoolGen(p)
    if k == "date":
        return DateGen(lo, hi, _date_hint(column))
    if k in ("timestamp", "timestamptz"):
        dlo, dhi = _date_hint(column)
        return TimestampGen(lo, hi, (dlo * DAY, dhi * DAY + DAY - 1), tz=k == "timestamptz")
    if k in ("time", "timetz"):
        return TimeGen(lo, hi, tz=k == "timetz")
    if k == "interval":
        return IntervalGen(lo, hi)
    if k == "uuid":
        return UuidGen()
    if k == "json":
        return JsonGen()
    if k == "inet":
        return StrGen(_inet, 1 << 24)
    if k == "cidr":
        return StrGen(_cidr, 1 << 16)
    if k == "macaddr":
        return StrGen(_mac, 1 << 40)
    if k == "macaddr8":
        return StrGen(_mac8, 1 << 56)
    if k == "bytea":
        return ByteaGen(8 if info.max_len is None else min(info.max_len, 16))
    if k == "tsvector":
        return StrGen(_tsvector, None)
    if k == "tsquery":
        return StrGen(_tsquery, None)
    if k == "xml":
        return StrGen(_xml, None)
    if k == "point":
        return StrGen(_point, None)
    if k == "vector":
        dim = info.max_len or 3
        return StrGen(lambda rng, key: _vector(rng, key, dim), None)
    if k in ("bit", "varbit"):
        return BitGen(info.max_len, fixed=info.fixed)
    if k == "enum":
        return _IDENTITY_TEXT  # replaced by a ChoiceGen in make_gen
    if k in ("int4range", "int8range"):
        return RangeGen(IntGen(-(2**31) + 1000, 2**31 - 1000, (1, 10_000)))
    if k == "numrange":
        return RangeGen(ScaledGen(-(10**12), 10**12, (0, 1000), 2))
    if k == "daterange":
        return RangeGen(DateGen(-700_000, 2_900_000, (WINDOW_START, WINDOW_END)))
    if k in ("tsrange", "tstzrange"):
        return RangeGen(
            TimestampGen(-(10**10), 10**11, (WINDOW_START * DAY, WINDOW_END * DAY), tz=False)
        )
    if k == "oid":
        return IntGen(1, 2**32 - 1, (1, 100_000))
    if k == "array":
        assert info.element is not None
        elem_cons = Cons()
        elem = make_gen(info.element, elem_cons, column, skew=None)
        return ArrayGen(elem, cons.min_card, cons.max_card)
    raise Unsatisfiable(f"no generator for type {info.name}")


def _min_opt(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)
