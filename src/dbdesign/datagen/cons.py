"""What the constraints say about one column: bounds, allowed values, lengths, patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dbdesign.datagen.checks import Const
from dbdesign.datagen.gen_base import Unsatisfiable
from dbdesign.datagen.xeger import compile_pattern, like_to_regex, translate_regex


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
    # the key of a range-partitioned table: values spread over the partitions' whole range
    # (the retention window and the months made ahead), not the name's usual window
    fill: bool = False
    # the days (since 1970-01-01, inclusive) a date or timestamp falls in when asked
    # (rows.Span), instead of the fixed default window; a name's own window (birth) wins
    span: tuple[int, int] | None = None
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
