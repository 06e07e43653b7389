"""How many rows each table gets (counts, bare names, patterns), the skew asked for its
columns, and what the target already holds."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from dbdesign.datagen.reserved import refusal, tool_table
from dbdesign.errors import ConfigError
from dbdesign.model import Schema, Table


class Existing(Protocol):
    """What a target database already holds (the loader asks the database; generate() has
    nothing)."""

    def count(self, table: str) -> int: ...

    def max(self, table: str, column: str) -> int | None: ...

    def keys(self, table: str, columns: tuple[str, ...]) -> list[Any]: ...


class NoExisting:
    def count(self, table: str) -> int:
        return 0

    def max(self, table: str, column: str) -> int | None:
        return None

    def keys(self, table: str, columns: tuple[str, ...]) -> list[Any]:
        return []


def resolve_rows(schema: Schema, rows: Mapping[str, int]) -> dict[str, int]:
    """Rows per table key from ``{"public.orders": 1000, "users": 10, "*": 100}``: exact keys
    first, then bare table names, then patterns (``*``, ``public.*``; the longest wins).
    Partitions take no rows from patterns: rows go through their parent. A migration tool's
    tables (reserved.py: ``dbdesign_migrations``, ``schema_migrations`` ...) take no rows from
    patterns either (see :func:`skipped_tables`), and naming one is refused (ConfigError)."""
    return resolve_counts(schema, rows)[0]


def skipped_tables(schema: Schema, rows: Mapping[str, int]) -> dict[str, str]:
    """The migration tools' tables that a pattern of ``rows`` matched and that get no rows:
    table key -> whose records it holds."""
    return resolve_counts(schema, rows)[1]


def resolve_counts(
    schema: Schema, rows: Mapping[str, int]
) -> tuple[dict[str, int], dict[str, str]]:
    """:func:`resolve_rows` and :func:`skipped_tables` at once."""
    out: dict[str, int] = {}
    skipped: dict[str, str] = {}
    patterns: list[tuple[str, int]] = []
    by_name: dict[str, list[str]] = {}
    for key, t in schema.tables.items():
        by_name.setdefault(t.name, []).append(key)
        by_name.setdefault(t.name.lower(), []).append(key)
    for spec, n in rows.items():
        if not isinstance(n, int) or n < 0:
            raise ConfigError(f"rows for {spec!r} must be a whole number >= 0, not {n!r}")
        if any(ch in spec for ch in "*?["):
            patterns.append((spec, n))
            continue
        key, exact = _table_key(schema, by_name, spec)
        if not exact and key in out:
            continue  # named already (by its key, or another spelling): the first wins
        if n > 0 and tool_table(schema.tables[key]):
            raise ConfigError(refusal(schema.tables[key]))
        out[key] = n
    _match_patterns(schema, patterns, out, skipped)
    return {k: v for k, v in out.items() if v > 0}, skipped


def _table_key(schema: Schema, by_name: Mapping[str, list[str]], spec: str) -> tuple[str, bool]:
    """The table ``spec`` names: (its key, whether ``spec`` is that key itself)."""
    if spec in schema.tables:
        return spec, True
    if len(set(by_name.get(spec, ()))) == 1:
        return by_name[spec][0], False
    if by_name.get(spec):
        raise ConfigError(
            f"table name {spec!r} is ambiguous: {', '.join(sorted(set(by_name[spec])))}"
        )
    raise ConfigError(f"no table {spec!r} in the schema")


def _match_patterns(
    schema: Schema, patterns: list[tuple[str, int]], out: dict[str, int], skipped: dict[str, str]
) -> None:
    """Rows for the tables not named, from the longest pattern that matches each; a migration
    tool's table that one matches goes to ``skipped``."""
    patterns.sort(key=lambda p: len(p[0]), reverse=True)
    for key, t in schema.tables.items():
        if key in out or t.partition_of:
            continue
        for pat, n in patterns:
            if fnmatch.fnmatchcase(key, pat) or fnmatch.fnmatchcase(t.name, pat):
                whose = tool_table(t)
                if whose is None:
                    out[key] = n
                elif n > 0:
                    skipped[key] = whose
                break


Weights = Mapping[str, float]  # a fixed list's values (as text) -> how common each is


@dataclass(frozen=True, slots=True)
class Span:
    """The days a table's (or a column's) dates and timestamps fall in, first to last
    inclusive, instead of the fixed default window (a design's history up to today, and the
    days ahead its scheduled times reach)."""

    first: date
    last: date

    @property
    def days(self) -> tuple[int, int]:
        """``first`` and ``last`` as days since 1970-01-01."""
        return ((self.first - _EPOCH_DAY).days, (self.last - _EPOCH_DAY).days)


_EPOCH_DAY = date(1970, 1, 1)
# What the rows lean to, by ``schema.table.col``, ``table.col``, ``schema.table``, ``table`` or
# ``*``: a Zipf exponent, for a column of a fixed list of values (an enum) each value's weight,
# or for dates and timestamps the span they fall in.
Skew = Mapping[str, "float | Weights | Span"]


def skew_for(skew: Skew, table: Table, columns: Sequence[str]) -> float | None:
    """The Zipf exponent asked for (``schema.table.col``, ``table.col``, ``schema.table``,
    ``table``, ``*``), or None (also when the column has weights: :func:`weights_for`)."""
    keys = [f"{table.key}.{c}" for c in columns] + [f"{table.name}.{c}" for c in columns]
    keys += [table.key, table.name, "*"]
    for k in keys:
        v = skew.get(k)
        if isinstance(v, Mapping):
            return None  # the column's values are weighted
        if isinstance(v, int | float):
            return float(v)
    return None


def weights_for(skew: Skew, table: Table, column: str) -> Weights | None:
    """The weights asked for a column's values, or None."""
    for k in (f"{table.key}.{column}", f"{table.name}.{column}"):
        v = skew.get(k)
        if isinstance(v, Mapping):
            return v
    return None


def span_for(skew: Skew, table: Table, column: str) -> Span | None:
    """The span asked for a column's dates or timestamps (the column's own, else its
    table's), or None."""
    for k in (f"{table.key}.{column}", f"{table.name}.{column}", table.key, table.name):
        v = skew.get(k)
        if isinstance(v, Span):
            return v
    return None


def check_skew_keys(schema: Schema, skew: Skew) -> None:
    known: set[str] = {"*"}
    for t in schema.tables.values():
        known |= {t.key, t.name}
        for c in t.columns:
            known |= {f"{t.key}.{c.name}", f"{t.name}.{c.name}"}
    for k, v in skew.items():
        if k not in known:
            raise ConfigError(f"skew: no table or column {k!r} in the schema")
        if isinstance(v, Span):
            if v.first > v.last:
                raise ConfigError(f"span for {k!r} ends before it starts: {v.first}..{v.last}")
        elif isinstance(v, Mapping):
            if not all(isinstance(w, int | float) and w >= 0 for w in v.values()) or not (
                sum(v.values()) > 0
            ):
                raise ConfigError(f"weights for {k!r} must be numbers >= 0, not all 0: {v!r}")
        elif not isinstance(v, (int, float)) or v < 0:
            raise ConfigError(f"skew for {k!r} must be a number >= 0, not {v!r}")
