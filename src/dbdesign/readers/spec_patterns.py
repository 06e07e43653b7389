"""Access patterns in the spec: the reads an application makes, which drive the indexes.

::

    - {name: open_orders, entity: order, equal: [customer], is_null: [shipped_at],
       sort: [-placed_at], limit: 20, keyset: true}
    - {name: orders_by_status, entity: order, in: [status], after: [placed_at]}
    - name: sales_per_day
      entity: sale
      equal: [shop]
      range: [sold_at]
      group_by: [sold_on]
      aggregates: [{fn: count}, {fn: sum, field: amount}]

Besides ``equal`` (=), ``range`` (>= and <), ``fixed`` (= one constant) and ``text_search``: ``in``
(one of a list of values), ``after`` (>= only) and ``before`` (< only), ``is_null`` and
``not_null``; ``keyset`` pages by the sort columns and the key after the previous page's last
row; ``group_by`` with ``aggregates`` (count, sum, avg, min, max) reads groups instead of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Scalar = str | int | float | bool
PatternPath = tuple[str | int, ...]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Aggregate(_Model):
    """An aggregate a grouped pattern reads: ``count`` (rows), or a function of a field."""

    fn: Literal["count", "sum", "avg", "min", "max"]
    field: str | None = Field(None, description="The field (none for count: rows).")

    @property
    def alias(self) -> str:
        return self.fn if self.field is None else f"{self.fn}_{self.field}"


class AccessPattern(_Model):
    """A read the application makes: drives the indexes."""

    name: str
    entity: str
    description: str | None = None
    equal: tuple[str, ...] = Field((), description="Fields compared with =.")
    in_: tuple[str, ...] = Field(
        (), alias="in", description="Fields compared with a list of values (IN)."
    )
    range: tuple[str, ...] = Field((), description="Fields compared with >= and < (a window).")
    after: tuple[str, ...] = Field((), description="Fields with a lower bound only (>=).")
    before: tuple[str, ...] = Field((), description="Fields with an upper bound only (<).")
    is_null: tuple[str, ...] = Field((), description="Fields that must be NULL.")
    not_null: tuple[str, ...] = Field((), description="Fields that must not be NULL.")
    fixed: dict[str, Scalar] = Field(
        default_factory=dict, description="Fields always compared with the same constant."
    )
    sort: tuple[str, ...] = Field((), description="Order: field, or -field for descending.")
    limit: Annotated[int, Field(gt=0)] | None = None
    keyset: bool = Field(
        False,
        description="Read the page after the previous page's last row (keyset pagination by "
        "the sort fields, then id); needs sort and limit.",
    )
    select: tuple[str, ...] = Field((), description="Fields read (empty: all).")
    group_by: tuple[str, ...] = Field((), description="Read groups of these fields.")
    aggregates: tuple[Aggregate, ...] = Field(
        (), description="What each group (or, without group_by, all the rows) sums up."
    )
    text_search: bool = Field(False, description="Full-text search over searchable fields.")
    rate_per_second: Annotated[float, Field(ge=0)] | None = None
    latency_ms: Annotated[float, Field(gt=0)] = Field(100, description="p95 target.")

    @property
    def grouped(self) -> bool:
        return bool(self.group_by or self.aggregates)


FIELD_LISTS = (
    "equal",
    "in",
    "range",
    "after",
    "before",
    "is_null",
    "not_null",
    "sort",
    "select",
    "group_by",
)


def pattern_errors(
    base: PatternPath,
    p: AccessPattern,
    known: set[str],
    numeric: set[str],
    suggest: Callable[[str, list[str]], str],
) -> Iterator[tuple[PatternPath, str]]:
    """The errors of one pattern, each at its YAML path: fields its entity lacks, and the
    combinations that make no query (``known``: the entity's fields; ``numeric``: those an
    aggregate other than count/min/max can read)."""
    aliases = {a.alias for a in p.aggregates}
    for key in FIELD_LISTS:
        for j, f in enumerate(getattr(p, "in_" if key == "in" else key)):
            f = f.removeprefix("-")
            if f not in known and not (key == "sort" and f in aliases):
                yield (*base, key, j), f"no field {f!r} on {p.entity}{suggest(f, sorted(known))}"
    for f in p.fixed:
        if f not in known:
            yield (*base, "fixed", f), f"no field {f!r} on {p.entity}"
    for j, a in enumerate(p.aggregates):
        where: PatternPath = (*base, "aggregates", j)
        if a.field is None and a.fn != "count":
            yield (*where, "field"), f"{a.fn} needs a field"
        elif a.field is not None and a.field not in known:
            yield (*where, "field"), f"no field {a.field!r} on {p.entity}"
        elif a.fn in ("sum", "avg") and a.field not in numeric:
            yield (*where, "field"), f"{a.fn} needs a number field, not {a.field!r}"
    yield from _combination_errors(base, p)


def _combination_errors(base: PatternPath, p: AccessPattern) -> Iterator[tuple[PatternPath, str]]:
    if p.keyset:
        if not (p.sort and p.limit):
            yield (*base, "keyset"), "keyset pagination needs sort: and limit:"
        elif len({s.startswith("-") for s in p.sort}) > 1:
            yield (*base, "keyset"), "keyset pagination needs every sort field in one direction"
        if p.grouped or p.text_search:
            yield (*base, "keyset"), "keyset pagination pages rows, not groups or a search"
    if p.grouped:
        if p.select:
            yield (
                (*base, "select"),
                "a grouped pattern reads group_by: and aggregates:, not select:",
            )
        if p.text_search:
            yield (*base, "text_search"), "a full-text search reads rows, not groups"
        grouped = set(p.group_by) | {a.alias for a in p.aggregates}
        for j, s in enumerate(p.sort):
            if s.removeprefix("-") not in grouped:
                yield (*base, "sort", j), "a grouped pattern sorts by its groups or aggregates"
    both = set(p.is_null) & set(p.not_null)
    if both:
        yield (*base, "not_null"), f"{', '.join(sorted(both))}: both is_null and not_null"
