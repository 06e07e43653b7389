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
row; ``group_by`` with ``aggregates`` (count, sum, avg, min, max) reads groups instead of rows;
``per_group`` reads the first rows (in the sort's order) of each of a list of values (top-N per
group: the 3 latest orders of each of these customers); ``any_of`` matches any one of several
branches of equalities (an OR); ``via`` reads the rows linked to one row of another entity
through a many-to-many relationship (the recipes of an ingredient, the ingredients of a recipe);
``text_search: ranked`` returns a search's best matches first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, Any, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

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


class PerGroup(_Model):
    """Top-N per group: the first ``limit`` rows, in the pattern's sort, of each of a list of
    values of ``by`` (the 3 latest orders of each of these customers)."""

    by: str = Field(
        description="The field whose values make the groups; the pattern is given a list of them."
    )
    limit: Annotated[int, Field(gt=0, le=1000)] = Field(description="Rows read per group.")


# Keys added after design.json files were first written: left out of a pattern's JSON while
# unset, so the spec in an earlier design.json reads (and compares) the same.
_LATER_KEYS = ("per_group", "any_of", "via", "similar_to")


class AccessPattern(_Model):
    """A read the application makes: drives the indexes."""

    name: str
    entity: str
    description: str | None = None
    equal: tuple[str, ...] = Field((), description="Fields compared with =.")
    in_: tuple[str, ...] = Field(
        (), alias="in", description="Fields compared with a list of values (IN)."
    )
    any_of: tuple[tuple[str, ...], ...] = Field(
        (),
        description="OR: rows that match any one branch, each a list of fields compared with = "
        "([[email], [phone]]: by e-mail or by phone); each branch gets its own index.",
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
    per_group: PerGroup | None = Field(
        None,
        description="Top-N per group: {by: field, limit: n}, the first n rows in the sort's "
        "order of each of a list of values of the field; needs sort, no pattern-wide limit.",
    )
    via: str | None = Field(
        None,
        description="Rows linked to one row of another entity through their many-to-many "
        "relationship (the recipes of an ingredient): that entity's name, or the link's "
        "through: name when two relationships link them.",
    )
    text_search: bool | Literal["ranked"] = Field(
        False,
        description="Full-text search over searchable fields: true (the matches, in the sort's "
        "order), or ranked (the best matches first; needs limit, takes no sort).",
    )
    similar_to: str | None = Field(
        None,
        description="Nearest neighbours: the limit: rows whose vector field (this one) is "
        "closest to a given vector (semantic search; PostgreSQL with pgvector), among the "
        "rows equal: and fixed: select.",
    )
    distance: Literal["cosine", "l2", "inner_product"] = Field(
        "cosine", description="similar_to: how closeness is measured."
    )
    recall: Annotated[float, Field(gt=0, le=1)] = Field(
        0.95,
        description="similar_to: the share of the true nearest neighbours the index search "
        "must find (recall@limit); the proof measures it and tunes the search to it.",
    )
    rate_per_second: Annotated[float, Field(ge=0)] | None = None
    latency_ms: Annotated[float, Field(gt=0)] = Field(100, description="p95 target.")

    @property
    def grouped(self) -> bool:
        return bool(self.group_by or self.aggregates)

    @property
    def ranked(self) -> bool:
        """A full-text search that returns the best matches first."""
        return self.text_search == "ranked"

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        for key in _LATER_KEYS:
            if out.get(key) in (None, [], ()):
                out.pop(key, None)
        if self.similar_to is None:  # what only a similarity search reads
            out.pop("distance", None)
            out.pop("recall", None)
        return out


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
    yield from _unknown_fields(base, p, known, suggest)
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


def _unknown_fields(
    base: PatternPath,
    p: AccessPattern,
    known: set[str],
    suggest: Callable[[str, list[str]], str],
) -> Iterator[tuple[PatternPath, str]]:
    """The fields a pattern names that its entity lacks (a sort may name an aggregate)."""
    aliases = {a.alias for a in p.aggregates}
    named: list[tuple[PatternPath, str]] = []
    for key in FIELD_LISTS:
        for j, f in enumerate(getattr(p, "in_" if key == "in" else key)):
            f = f.removeprefix("-")
            if not (key == "sort" and f in aliases):
                named.append(((*base, key, j), f))
    for j, branch in enumerate(p.any_of):
        named += [((*base, "any_of", j, k), f) for k, f in enumerate(branch)]
    if p.per_group:
        named.append(((*base, "per_group", "by"), p.per_group.by))
    for path, f in named:
        if f not in known:
            yield path, f"no field {f!r} on {p.entity}{suggest(f, sorted(known))}"


def _combination_errors(base: PatternPath, p: AccessPattern) -> Iterator[tuple[PatternPath, str]]:
    yield from _newer_errors(base, p)
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


# What a similarity search does not combine with (yet): filters but equalities, other orders
_NOT_WITH_SIMILAR = (
    *("in_", "any_of", "range", "after", "before", "is_null", "not_null"),
    *("sort", "group_by", "text_search", "per_group", "via", "keyset"),
)


def _newer_errors(base: PatternPath, p: AccessPattern) -> Iterator[tuple[PatternPath, str]]:
    """per_group, any_of, via and similar_to: what each needs, and what they do not combine
    with."""
    if p.similar_to is not None:
        if not p.limit:
            yield (*base, "similar_to"), "a similarity search needs limit: (how many neighbours)"
        others = [k for k in _NOT_WITH_SIMILAR if getattr(p, k)]
        if others:
            yield (
                (*base, "similar_to"),
                "a similarity search is ordered by closeness and filtered by equal: or fixed: "
                f"alone (yet): not with {', '.join(o.rstrip('_') for o in others)}",
            )
    if p.per_group:
        yield from _per_group_errors(base, p)
    if p.any_of:
        yield from _any_of_errors(base, p)
    if p.ranked and not p.limit:
        yield (*base, "text_search"), "a ranked search needs limit: (how many of the best)"
    if p.ranked and p.sort:
        yield (*base, "sort"), "a ranked search is ordered by relevance: no sort:"
    if p.via and (p.grouped or p.text_search or p.per_group or p.keyset):
        yield (
            (*base, "via"),
            "via reads linked rows: not with group_by, text_search, per_group or keyset",
        )


def _per_group_errors(base: PatternPath, p: AccessPattern) -> Iterator[tuple[PatternPath, str]]:
    assert p.per_group
    where: PatternPath = (*base, "per_group")
    by = p.per_group.by
    if not p.sort:
        yield where, "per_group needs sort: (the order that picks each group's first rows)"
    if p.limit is not None:
        yield (*base, "limit"), "per_group: limit: is the rows of each group; no pattern-wide limit"
    if p.keyset or p.grouped or p.text_search:
        yield where, "per_group reads rows of each group: not with keyset, group_by or text_search"
    for key in ("equal", "in"):
        if by in getattr(p, "in_" if key == "in" else key):
            yield (*where, "by"), f"{by} makes the groups (a list of values): not also in {key}:"


def _any_of_errors(base: PatternPath, p: AccessPattern) -> Iterator[tuple[PatternPath, str]]:
    where: PatternPath = (*base, "any_of")
    if len(p.any_of) < 2:
        yield where, "any_of needs two branches or more (one is equal:)"
    for j, branch in enumerate(p.any_of):
        if not branch:
            yield (*where, j), "a branch of any_of names at least one field"
    if p.keyset or p.grouped or p.text_search or p.per_group:
        yield where, "any_of reads rows: not with keyset, group_by, text_search or per_group"


class ManyToMany(Protocol):
    """What :func:`via_errors` reads of a relationship."""

    @property
    def type(self) -> str: ...
    @property
    def between(self) -> tuple[str, str] | None: ...
    @property
    def through(self) -> str | None: ...


M = TypeVar("M", bound=ManyToMany)


def via_links(p: AccessPattern, relationships: Sequence[M]) -> list[M]:
    """The many-to-many relationships a pattern's ``via`` may follow: those between its entity
    and the entity ``via`` names, or the one whose link table ``via`` names."""
    out = []
    for r in relationships:
        if r.type != "many-to-many" or r.between is None or p.entity not in r.between:
            continue
        other = r.between[1] if r.between[0] == p.entity else r.between[0]
        if p.via in (other, r.through):
            out.append(r)
    return out


def via_errors(
    base: PatternPath, p: AccessPattern, relationships: Sequence[ManyToMany]
) -> Iterator[tuple[PatternPath, str]]:
    """``via``: exactly one many-to-many relationship to follow, not to the entity itself."""
    if p.via is None:
        return
    where: PatternPath = (*base, "via")
    found = via_links(p, relationships)
    if not found:
        yield where, f"no many-to-many relationship links {p.entity} and {p.via!r}"
    elif len(found) > 1:
        names = ", ".join(repr(r.through) if r.through else "one without through:" for r in found)
        yield (
            where,
            f"{len(found)} relationships link {p.entity} and {p.via}: name the link by its "
            f"through: ({names})",
        )
    elif found[0].between and found[0].between[0] == found[0].between[1]:
        yield where, "via follows a link between two entities, not of an entity to itself"
