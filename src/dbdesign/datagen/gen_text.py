"""Generators of text: realistic values shaped by the column's name (email, name, phone,
url ...) and its length limits, or text that matches a check's pattern."""

from __future__ import annotations

import functools
import random
import re
import string
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from dbdesign.datagen import vocab
from dbdesign.datagen.cons import Pattern
from dbdesign.datagen.gen_base import (
    DAY,
    DOMAIN_LIMIT,
    EPOCH,
    EPOCH_ORDINAL,
    WINDOW_END,
    WINDOW_START,
    Gen,
    Unsatisfiable,
    copy_escape,
)
from dbdesign.datagen.xeger import Xeger

_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


_WINDOW = (WINDOW_START, WINDOW_END)  # ISO dates' default days (gen_base.py)


class TextGen(Gen):
    """Text, shaped by the column's name (email, name, phone, url ...) and its length limits."""

    text_identity = True

    def __init__(
        self,
        hint: str,
        min_len: int,
        max_len: int | None,
        fixed: bool,
        span: tuple[int, int] | None = None,
    ) -> None:
        """``span``: the days (since 1970-01-01) an ISO date or timestamp falls in."""
        self.hint = hint
        self.min_len = min_len
        self.max_len = max_len
        self.fixed = fixed
        self.window = span or _WINDOW  # ISO dates and timestamps (row_rules.py reads it)
        one = _TEXT_MAKERS.get(hint, _words)
        if span is not None and one in (_iso_date, _iso_datetime):
            one = functools.partial(one, window=span)
        self._one: Maker = one

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


def pick(rng: random.Random, seq: Sequence[str]) -> str:
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
        return [dotted(0x0A000000 + g(24)) for _ in range(n)]
    return [dotted(0x0A000000 + k) if k < (1 << 24) else dotted(k) for k in ks]


def _words(rng: random.Random, n: int, ks: Sequence[int] | None) -> list[str]:
    ch = rng.choices
    base = _join3(ch(vocab.WORDS, k=n), ch(_MAYBE_WORD, k=n), ch(_MAYBE_WORD, k=n))
    return _suffixed(base, ks)


def _iso_datetime(
    rng: random.Random, n: int, ks: Sequence[int] | None, window: tuple[int, int] = _WINDOW
) -> list[str]:
    """'YYYY-MM-DD HH:MM:SS' in ``window`` (days since 1970-01-01, inclusive; SQLite's
    CURRENT_TIMESTAMP form)."""
    if ks is not None:  # distinct values: a number must show; dates would collide
        return _words(rng, n, ks)
    lo, span, r = window[0] * DAY, (window[1] - window[0] + 1) * DAY, rng.random
    return [(EPOCH + timedelta(seconds=lo + int(r() * span))).isoformat(" ") for _ in range(n)]


def _iso_date(
    rng: random.Random, n: int, ks: Sequence[int] | None, window: tuple[int, int] = _WINDOW
) -> list[str]:
    if ks is not None:
        return _words(rng, n, ks)
    days, r = window[1] - window[0] + 1, rng.random
    return [
        date.fromordinal(EPOCH_ORDINAL + window[0] + int(r() * days)).isoformat() for _ in range(n)
    ]


def dotted(n: int) -> str:
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
        return self._x.many(rng, n)

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
