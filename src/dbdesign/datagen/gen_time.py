"""Generators of dates, timestamps, times of day and intervals (internal values: days or
seconds since 1970-01-01, seconds)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, time, timedelta
from typing import Any

from dbdesign.datagen.gen_base import COPY_NULL, DAY, EPOCH, EPOCH_ORDINAL, EPOCH_UTC
from dbdesign.datagen.gen_number import IntGen, spread


class DateGen(IntGen):
    def __init__(self, lo: int, hi: int, want: tuple[float, float] | None) -> None:
        super().__init__(lo, hi, want)
        self._cache: dict[int, str] = {}

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        return spread(rng, self.rlo, self.rhi, self.lo, self.hi, start, start + n, total)

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


class _Dates(dict[int, str]):
    """Days since 1970 -> ``YYYY-MM-DD``, made when first asked."""

    def __missing__(self, day: int) -> str:
        s = self[day] = date.fromordinal(EPOCH_ORDINAL + day).isoformat()
        return s


_AFTER_DATE: dict[bool, list[str]] = {}


def _times_after_date(tz: bool) -> list[str]:
    """What follows the date in a timestamp's text, by second of the day: `` 13:05:09+00``."""
    if tz not in _AFTER_DATE:
        suffix = "+00" if tz else ""
        _AFTER_DATE[tz] = [f" {t}{suffix}" for t in _time_of_day()]
    return _AFTER_DATE[tz]


class TimestampGen(IntGen):
    def __init__(self, lo: int, hi: int, want: tuple[float, float] | None, tz: bool) -> None:
        super().__init__(lo, hi, want)
        self.tz = tz
        self._days: dict[int, str] = {}
        self._tod = _time_of_day()
        self._dates = _Dates()

    def chunked(self, total: int) -> bool:
        return True

    def unique(self, rng: random.Random, n: int, start: int, total: int) -> Sequence[Any]:
        return spread(rng, self.rlo, self.rhi, self.lo, self.hi, start, start + n, total)

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
        days, after = self._dates, _times_after_date(self.tz)
        if None in vals:
            return [COPY_NULL if v is None else days[v // DAY] + after[v % DAY] for v in vals]
        return [days[v // DAY] + after[v % DAY] for v in vals]

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
