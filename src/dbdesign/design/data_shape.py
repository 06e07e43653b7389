"""The shape of the proof's data as the spec implies it, so the generator writes rows like
production's and DESIGN.md says what was assumed:

- **time**: each table's dates and timestamps span the entity's history up to today (its
  retention, else the years its rows took at the stated growth, else three years), and the
  scheduled ones (a booking's start, a due date; or read by a pattern with ``after``) also run
  ahead of today, a tenth of that history (30 to 365 days);
- **enum weights**: as stated, else assumed from the states' words and the transitions:
  an outcome (a terminal state, or delivered / completed / paid / active ...) is common, a
  failure (cancelled, failed, refunded ...) rare, a state on the way in between; levels lean to
  the middle (normal, medium). Nothing said: drawn evenly, and said so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from dbdesign.datagen.hints import reaches_ahead, words_of
from dbdesign.datagen.rows import Span
from dbdesign.design import Design
from dbdesign.design.draft import design_time
from dbdesign.readers.spec import Attribute, Entity

DEFAULT_HISTORY_DAYS = 3 * 365  # neither retention nor growth stated
MIN_HISTORY_DAYS = 30
MAX_HISTORY_DAYS = 10 * 365
TIME_TYPES = ("date", "timestamp")

# Assumed weights: an outcome, a failure, a state on the way; levels by their word
COMMON, RARE, ON_THE_WAY = 20.0, 1.0, 2.0
_OUTCOMES = frozenset(
    "delivered completed complete done closed resolved fulfilled succeeded success settled "
    "approved published confirmed returned finished paid active accepted".split()
)
_FAILURES = frozenset(
    "cancelled canceled failed failure error refunded rejected declined disputed bounced "
    "void voided suspended banned blocked lost damaged fraud chargeback abandoned".split()
)
_LEVELS = {"low": 5.0, "normal": 10.0, "medium": 10.0, "high": 3.0, "urgent": 1.0}
_LEVELS |= {"critical": 1.0, "blocker": 1.0, "highest": 1.0, "lowest": 2.0}


@dataclass(frozen=True, slots=True)
class TimeShape:
    """Where one table's dates and timestamps fall."""

    table: str  # qualified key
    days: int  # of history up to today
    why: str  # where ``days`` comes from
    ahead: tuple[str, ...] = ()  # columns whose values also run ahead of today
    ahead_days: int = 0


@dataclass(frozen=True, slots=True)
class EnumShape:
    """How common each value of one enum column is."""

    table: str
    column: str
    weights: Mapping[str, float]  # empty: drawn evenly
    stated: bool


def history(e: Entity) -> tuple[int, str]:
    """The days of history an entity's rows span, and why."""
    if e.retention_days:
        return e.retention_days, f"its retention ({e.retention_days:,} days)"
    v = e.volume
    if v.rows and v.growth_per_year:
        days = round(365 * v.rows / v.growth_per_year)
        days = min(max(days, MIN_HISTORY_DAYS), MAX_HISTORY_DAYS)
        return days, f"{v.rows:,} rows at {v.growth_per_year:,} a year"
    return DEFAULT_HISTORY_DAYS, "no retention or growth stated: three years assumed"


def time_shapes(d: Design) -> list[TimeShape]:
    """Each table's time shape; a link table takes the longest history of its entities."""
    ahead_read = {(pp.table, c) for pp in d.patterns for c in pp.pattern.after}
    by_table: dict[str, TimeShape] = {}
    for t in d.tables:
        if t.entity is None:
            continue
        e = d.spec.entities[t.entity]
        days, why = history(e)
        ahead = tuple(
            f
            for f, a in e.attributes.items()
            if isinstance(a, Attribute)
            and a.type in TIME_TYPES
            and (reaches_ahead(f) or (reaches_ahead(f) is None and (t.key, f) in ahead_read))
        )
        by_table[t.key] = TimeShape(t.key, days, why, ahead, _ahead_days(days) if ahead else 0)
    out = []
    for t in d.tables:
        if t.key in by_table:
            out.append(by_table[t.key])
            continue
        refs = {fk.ref_table for fk in d.schema.tables[t.key].foreign_keys.values()}
        linked = [by_table[k] for k in sorted(refs) if k in by_table]
        if linked:
            top = max(linked, key=lambda s: s.days)
            why = f"the longest of the tables it links: {top.why}"
            out.append(TimeShape(t.key, top.days, why))
    return out


def _ahead_days(days: int) -> int:
    return min(max(days // 10, 30), 365)


def enum_shapes(d: Design) -> list[EnumShape]:
    """Each enum column's weights: stated, else assumed (:func:`assumed_weights`)."""
    out = []
    for t in d.tables:
        if t.entity is None:
            continue
        e = d.spec.entities[t.entity]
        for f, a in e.attributes.items():
            if not isinstance(a, Attribute) or not a.values:
                continue
            if a.weights:
                w = dict(zip(a.values, a.weights, strict=True))
                out.append(EnumShape(t.key, f, w, True))
                continue
            moves = next((r.allowed for r in e.transitions if r.field == f), None)
            out.append(EnumShape(t.key, f, assumed_weights(a.values, moves), False))
    return out


def assumed_weights(
    values: tuple[str, ...], moves: Mapping[str, tuple[str, ...]] | None = None
) -> dict[str, float]:
    """Weights for an enum's values with none stated (see the module's docstring); empty when
    nothing says which is common. ``moves``: the field's transitions (a state with no move on
    is an outcome)."""
    if any(v.lower() in _LEVELS for v in values):
        return {v: _LEVELS.get(v.lower(), ON_THE_WAY) for v in values}
    out: dict[str, float] = {}
    for v in values:
        w = set(words_of(v))
        if w & _FAILURES:
            out[v] = RARE
        elif moves is not None:
            out[v] = ON_THE_WAY if moves.get(v) else COMMON
        else:
            out[v] = COMMON if w & _OUTCOMES else ON_THE_WAY
    return out if moves is not None or set(out.values()) != {ON_THE_WAY} else {}


Asked = dict[str, float | dict[str, float] | Span]  # the generator's skew (datagen/rows.py)


def skew_columns(d: Design, today: date | None = None) -> Asked:
    """What the generator is asked for, by column (or table): the spec's skew by field
    (``customer`` -> ``customer_id``), each enum's weights, each table's time span up to
    ``today`` (default: the design's time) and its scheduled columns' reaching ahead."""
    today = today or design_time().date()
    out: Asked = {}
    for t in d.tables:
        if t.entity is None:
            continue
        e = d.spec.entities[t.entity]
        for f, z in e.volume.skew.items():
            out[f"{t.key}.{f if f in e.attributes else f + '_id'}"] = z
    for s in enum_shapes(d):
        if s.weights:
            out[f"{s.table}.{s.column}"] = dict(s.weights)
    for ts in time_shapes(d):
        first = today - timedelta(days=ts.days)
        out[ts.table] = Span(first, today)
        for c in ts.ahead:
            out[f"{ts.table}.{c}"] = Span(first, today + timedelta(days=ts.ahead_days))
    return out


def ahead_columns(d: Design) -> set[tuple[str, str]]:
    """(table key, column) of every date or timestamp whose values run ahead of today."""
    return {(ts.table, c) for ts in time_shapes(d) for c in ts.ahead}


def shape_md(d: Design) -> list[str]:
    """What the proof's data assumed, for DESIGN.md."""
    name = {t.key: t.name for t in d.tables}
    out = ["Data the proof generated, as the spec implies it (state more to change it):", ""]
    for ts in time_shapes(d):
        line = f"- `{name[ts.table]}`: dates and times over the last {ts.days:,} days ({ts.why})"
        if ts.ahead:
            cols = ", ".join(f"`{c}`" for c in ts.ahead)
            line += f"; {cols} also up to {ts.ahead_days} days ahead (scheduled times)"
        out.append(line)
    for s in enum_shapes(d):
        col = f"`{name[s.table]}.{s.column}`"
        if not s.weights:
            out.append(f"- {col}: values drawn evenly (nothing says which is common)")
            continue
        total = sum(s.weights.values())
        share = ", ".join(f"{v} {100 * w / total:.0f}%" for v, w in s.weights.items())
        how = "as stated" if s.stated else "assumed: outcomes common, failures rare"
        out.append(f"- {col}: {share} ({how})")
    return out
