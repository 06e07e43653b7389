"""Constants and database values in the generators' internal units, and a column's bounds
in them."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from dbdesign.datagen.cons import Cons
from dbdesign.datagen.gen_base import DAY, EPOCH, ORDERED_KINDS, Unsatisfiable
from dbdesign.datagen.types import TypeInfo


def internal(info: TypeInfo, v: Any, what: str) -> Any:
    """A constant from a check or a partition bound in the kind's internal units."""
    k = info.kind
    try:
        if k == "int":
            return Decimal(str(v)) if not isinstance(v, int) else v
        if k in ("numeric", "money"):
            return Decimal(str(v)).scaleb(scale_of(info))
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
        return int(Decimal(str(v)).scaleb(scale_of(info)))
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


def scale_of(info: TypeInfo) -> int:
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
        s = scale_of(info)
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
        return lo, hi  # text bounds are tested value by value (values.py: _value_checks)
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
