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

The pieces live beside this module, each importing only the ones above it:

- :mod:`~dbdesign.datagen.gen_base`: the :class:`Gen` protocol and the internal units;
- :mod:`~dbdesign.datagen.cons`: :class:`Cons`, what the constraints say about a column;
- :mod:`~dbdesign.datagen.hints`: what a column's name says about its values;
- :mod:`~dbdesign.datagen.internal`: constants and database values in internal units, bounds;
- one module per family of generators: :mod:`~dbdesign.datagen.gen_number`,
  :mod:`~dbdesign.datagen.gen_time`, :mod:`~dbdesign.datagen.gen_text`,
  :mod:`~dbdesign.datagen.gen_special`, and :mod:`~dbdesign.datagen.gen_wrap` (generators over
  other generators: a fixed list of values, ranges, arrays, filters);
- this module: :func:`make_gen`, and the names other modules import from here.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from dbdesign.datagen import vocab
from dbdesign.datagen.cons import Cons, Pattern
from dbdesign.datagen.gen_base import (
    COPY_NULL,
    DAY,
    ORDERED_KINDS,
    WINDOW_END,
    WINDOW_START,
    Gen,
    Unsatisfiable,
    copy_escape,
)
from dbdesign.datagen.gen_number import BoolGen, FloatGen, IntGen, ScaledGen
from dbdesign.datagen.gen_special import (
    BitGen,
    ByteaGen,
    JsonGen,
    StrGen,
    UuidGen,
    VectorGen,
    char1,
    cidr,
    inet,
    mac,
    mac8,
    point,
    tsquery,
    tsvector,
    xml,
)
from dbdesign.datagen.gen_text import PatternGen, TextGen
from dbdesign.datagen.gen_time import DateGen, IntervalGen, TimeGen, TimestampGen
from dbdesign.datagen.gen_wrap import (
    IDENTITY_TEXT,
    ArrayGen,
    ChoiceGen,
    Filtered,
    RangeGen,
    Stored,
)
from dbdesign.datagen.hints import (
    date_hint,
    null_fraction,
    number_hint,
    text_hint,
    words_of,
)
from dbdesign.datagen.internal import bounds, from_py, internal, scale_of
from dbdesign.datagen.types import TypeInfo

__all__ = [
    "COPY_NULL",
    "ORDERED_KINDS",
    "ArrayGen",
    "BitGen",
    "BoolGen",
    "ByteaGen",
    "ChoiceGen",
    "Cons",
    "DateGen",
    "Filtered",
    "FloatGen",
    "Gen",
    "IntGen",
    "IntervalGen",
    "JsonGen",
    "Pattern",
    "PatternGen",
    "RangeGen",
    "ScaledGen",
    "Stored",
    "StrGen",
    "TextGen",
    "TimeGen",
    "TimestampGen",
    "Unsatisfiable",
    "UuidGen",
    "bounds",
    "copy_escape",
    "from_py",
    "internal",
    "make_gen",
    "null_fraction",
    "text_hint",
    "words_of",
]


def make_gen(
    info: TypeInfo,
    cons: Cons,
    column: str,
    *,
    skew: float | None,
    lo: Any = None,
    hi: Any = None,
) -> Gen:
    """The generator for a column of ``info`` under ``cons`` (bounds already in ``lo``/``hi``
    when given, else computed here)."""
    if lo is None and hi is None:
        lo, hi = bounds(info, cons, column)
    gen = _base_gen(info, cons, column, lo, hi, skew)
    if cons.choices:
        gen = _choices(info, cons, column, gen, lo, hi, skew)
    elif info.kind == "enum":
        gen = ChoiceGen(list(info.labels), IDENTITY_TEXT, skew or 0.0)
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
    info: TypeInfo,
    cons: Cons,
    column: str,
    gen: Gen,
    lo: Any,
    hi: Any,
    skew: float | None,
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
    base = gen if not isinstance(gen, TextGen) else IDENTITY_TEXT
    return ChoiceGen(allowed, base, skew or 0.0)


def _base_gen(info: TypeInfo, cons: Cons, column: str, lo: Any, hi: Any, skew: float | None) -> Gen:
    k = info.kind
    fixed = _FIXED.get(k)
    if fixed is not None:
        return fixed()
    sized = _SIZED.get(k)
    if sized is not None:
        return sized(info)
    if k == "text":
        return _text_gen(info, cons, column, skew)
    if k == "array":
        assert info.element is not None
        elem_cons = Cons()
        elem = make_gen(info.element, elem_cons, column, skew=None)
        return ArrayGen(elem, cons.min_card, cons.max_card)
    return _scalar_gen(info, column, lo, hi, cons.fill, cons.span)


def _timestamp_range() -> Gen:
    return RangeGen(
        TimestampGen(-(10**10), 10**11, (WINDOW_START * DAY, WINDOW_END * DAY), tz=False)
    )


def _vector_gen(info: TypeInfo) -> Gen:
    return VectorGen(info.max_len or 3)


# Generators that depend on nothing but the kind.
_FIXED: dict[str, Callable[[], Gen]] = {
    "char1": lambda: StrGen(char1, 26),
    "uuid": UuidGen,
    "json": JsonGen,
    "inet": lambda: StrGen(inet, 1 << 24),
    "cidr": lambda: StrGen(cidr, 1 << 16),
    "macaddr": lambda: StrGen(mac, 1 << 40),
    "macaddr8": lambda: StrGen(mac8, 1 << 56),
    "tsvector": lambda: StrGen(tsvector, None),
    "tsquery": lambda: StrGen(tsquery, None),
    "xml": lambda: StrGen(xml, None),
    "point": lambda: StrGen(point, None),
    "enum": lambda: IDENTITY_TEXT,  # replaced by a ChoiceGen in make_gen
    "int4range": lambda: RangeGen(IntGen(-(2**31) + 1000, 2**31 - 1000, (1, 10_000))),
    "int8range": lambda: RangeGen(IntGen(-(2**31) + 1000, 2**31 - 1000, (1, 10_000))),
    "numrange": lambda: RangeGen(ScaledGen(-(10**12), 10**12, (0, 1000), 2)),
    "daterange": lambda: RangeGen(DateGen(-700_000, 2_900_000, (WINDOW_START, WINDOW_END))),
    "tsrange": _timestamp_range,
    "tstzrange": _timestamp_range,
    "oid": lambda: IntGen(1, 2**32 - 1, (1, 100_000)),
}


# Generators sized by the type's length (bytes, dimensions, bits).
_SIZED: dict[str, Callable[[TypeInfo], Gen]] = {
    "bytea": lambda info: ByteaGen(8 if info.max_len is None else min(info.max_len, 16)),
    "vector": _vector_gen,
    "bit": lambda info: BitGen(info.max_len, fixed=info.fixed),
    "varbit": lambda info: BitGen(info.max_len, fixed=info.fixed),
}


def _until_today(lo: Any, hi: Any, unit: int) -> tuple[float, float] | None:
    """A partitioned table's key (``fill``): its partitions' range [lo, hi] up to the end of
    today (UTC), in days (``unit`` 1) or seconds; the partitions made ahead for the months to
    come stay empty, as in production. None (all of it) when today is not inside."""
    end = ((datetime.now(UTC).date() - date(1970, 1, 1)).days + 1) * unit - 1
    return (lo, end) if lo is not None and hi is not None and lo <= end < hi else None


def _scalar_gen(
    info: TypeInfo,
    column: str,
    lo: Any,
    hi: Any,
    fill: bool = False,
    span: tuple[int, int] | None = None,
) -> Gen:
    """Numbers, booleans, dates and times: within [lo, hi], in the range the name suggests
    (``fill``: dates and times over [lo, hi] up to today; ``span``: the days asked for)."""
    k = info.kind
    if k == "int":
        return IntGen(lo, hi, number_hint(column) or (1, 10_000))
    if k in ("numeric", "money"):
        return ScaledGen(lo, hi, number_hint(column) or (0, 10_000), scale_of(info))
    if k == "float":
        return FloatGen(lo, hi, number_hint(column), real=info.name == "real")
    if k == "bool":
        s = set(words_of(column))
        p = (
            0.85
            if s & {"active", "enabled", "visible", "verified"}
            else (0.05 if s & {"deleted", "disabled", "banned", "archived"} else 0.5)
        )
        return BoolGen(p)
    if k == "date":
        return DateGen(lo, hi, _until_today(lo, hi, 1) if fill else date_hint(column, span))
    if k in ("timestamp", "timestamptz"):
        dlo, dhi = date_hint(column, span)
        want = _until_today(lo, hi, DAY) if fill else (dlo * DAY, dhi * DAY + DAY - 1)
        return TimestampGen(lo, hi, want, tz=k == "timestamptz")
    if k in ("time", "timetz"):
        return TimeGen(lo, hi, tz=k == "timetz")
    if k == "interval":
        return IntervalGen(lo, hi)
    raise Unsatisfiable(f"no generator for type {info.name}")


def _text_gen(info: TypeInfo, cons: Cons, column: str, skew: float | None) -> Gen:
    """Text shaped by the column's name, its length limits and its patterns."""
    min_len = cons.min_len
    max_len = _min_opt(info.max_len, cons.max_len)
    if max_len is not None and min_len > max_len:
        raise Unsatisfiable(f"{column}: length must be at least {min_len} and at most {max_len}")
    if info.fixed and info.max_len:
        min_len = max(min_len, 1)
    hint = text_hint(column)
    if hint == "country2" or (hint == "country" and max_len is not None and max_len <= 3):
        hint = "country2" if (max_len or 2) < 3 else "country3"
    if hint == "currency" and max_len is not None and max_len < 3:
        hint = "code"
    positive = [p for p in cons.patterns if not p.negate]
    span = date_hint(column, cons.span) if cons.span else None
    if positive:
        gen = TextGen(hint, min_len, max_len, info.fixed, span)
        probe = gen.sample(random.Random(0), 50)
        if sum(1 for v in probe if all(p.ok(v) for p in cons.patterns)) < 25:
            return PatternGen(positive[0], min_len, max_len)
        return gen
    if hint == "country3":
        codes = ChoiceGen([c[2] for c in vocab.COUNTRIES], IDENTITY_TEXT, skew or 0.0)
        codes.fallback = TextGen("code", min_len, max_len, info.fixed)
        return codes
    return TextGen(hint, min_len, max_len, info.fixed, span)


def _min_opt(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)
