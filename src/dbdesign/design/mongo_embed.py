"""Embed or reference: where each relationship of the spec lives in MongoDB.

A one-to-many or one-to-one child is **embedded** in its parent's documents (an array of
subdocuments, or one subdocument) only when all of these hold, checked in this order; the first
that fails makes it a **reference** (the parent's ``_id`` in the child's own collection):

1. it is not a self-reference, and the child always has a parent (``required``);
2. the parent is not the tenant of a multi-tenant design (the tenant's data spans collections);
3. the child has no children of its own and is in no many-to-many relationship (others refer to
   it, so it needs a collection and an ``_id`` of its own; nesting arrays is not designed);
4. it is not read on its own: every access pattern on the child either reads the children of one
   parent (equality on the parent's reference) or finds parents by equalities on the child's
   fields (a multikey index on the dotted path); a pattern that sorts, pages, ranges, groups or
   searches the children across parents reads them as their own list;
5. no write pattern updates the child (an independent update of an array element is a
   positional update of the whole parent document, contending with every other write to it);
6. it is bounded: one-to-one, or ``at_most`` (without a condition) at most EMBED_MAX, or with
   no at_most an average fan-out over three years (child documents / parent documents) at most
   EMBED_MAX with no skew on the reference; never an unbounded array;
7. the bounded array fits well inside the 16 MiB document limit (under a quarter of it);
8. the child is not already embedded in another parent (an entity lives in one place).

A many-to-many relationship is a reference either way: an array of ids on one side when the
other side is small enough to bound it (at most EMBED_MAX documents in three years: the array
can never hold more), else a link collection with both ids."""

from __future__ import annotations

from dataclasses import dataclass

from dbdesign.design.draft import PROJECTION_YEARS, Decision
from dbdesign.design.mongo_fields import attribute_fields, document_bytes
from dbdesign.design.naming import plural
from dbdesign.readers.spec import Entity, Relationship, Spec
from dbdesign.readers.spec_patterns import AccessPattern

EMBED_MAX = 100  # children per parent past which an array is not embedded ("hundreds: don't")
DOCUMENT_LIMIT = 16 * 1024 * 1024  # MongoDB's BSON document limit
EMBED_SHARE = 4  # an embedded array may take at most a quarter of the document limit


def rows_3y(e: Entity) -> int:
    """Documents of an entity in three years: volume.rows + 3 x growth_per_year."""
    return e.volume.rows + PROJECTION_YEARS * e.volume.growth_per_year


def role(r: Relationship) -> str:
    """The reference's role name (the field is ``<role>_id``)."""
    return r.name or r.parent or ""


@dataclass(frozen=True, slots=True)
class EmbedChoice:
    """A child embedded in its parent's documents."""

    relationship: Relationship
    child: str
    parent: str
    field: str
    many: bool
    max_items: int | None
    expected: float


@dataclass(frozen=True, slots=True)
class LinkChoice:
    """Where a many-to-many relationship's links live: an ids array on ``holder`` (``field``),
    or a link collection (``collection``; ``field`` empty)."""

    relationship: Relationship
    holder: str  # the entity whose documents hold the array ("" for a link collection)
    other: str
    field: str
    collection: str


@dataclass(frozen=True, slots=True)
class Homes:
    embedded: dict[str, EmbedChoice]  # child entity -> where it is embedded
    links: tuple[LinkChoice, ...]
    decisions: tuple[Decision, ...]


def subject(r: Relationship) -> str:
    if r.type == "many-to-many" and r.between:
        return f"{r.between[0]} ↔ {r.between[1]}" + (f" ({r.through})" if r.through else "")
    return f"{r.parent} → {r.child}" + (f" ({r.name})" if r.name else "")


def collection_name(spec: Spec, entity: str) -> str:
    e = spec.entities[entity]
    return e.table or plural(entity)


def embedded_field(spec: Spec, parent: str, child: str, many: bool) -> str:
    """``order`` + ``order_item`` -> ``items``; the child's own name when that would clash."""
    short = child.removeprefix(parent + "_") or child
    name = plural(short) if many else short
    if name in spec.entities[parent].attributes:
        name = plural(child) if many else child
    return name


def _filters(p: AccessPattern) -> set[str]:
    out = {*p.equal, *p.in_, *p.fixed, *p.is_null}
    for branch in p.any_of:
        out |= set(branch)
    return out


def _own_list(p: AccessPattern) -> bool:
    """Whether a pattern reads its rows as a list of their own (order, pages, ranges, groups,
    search, nearest neighbours, OR branches, a traversal)."""
    return bool(
        p.sort
        or p.limit
        or p.keyset
        or p.range
        or p.after
        or p.before
        or p.not_null
        or p.grouped
        or p.per_group
        or p.text_search
        or p.similar_to
        or p.any_of
        or p.via
    )


def read_on_own(spec: Spec, child: str, ref: str) -> AccessPattern | None:
    """The first access pattern that reads ``child`` on its own (rule 4), or None."""
    for p in spec.access_patterns:
        if p.entity != child or ref in p.equal or ref in p.in_:
            continue
        if _own_list(p) or "id" in _filters(p):
            return p
    return None


def _updated(spec: Spec, child: str) -> str | None:
    for w in spec.writes:
        if w.entity == child and w.operation == "update":
            return w.name
    return None


def _bound(spec: Spec, r: Relationship) -> tuple[float | None, int | None, str]:
    """(expected children per parent, the stated bound, how it was found)."""
    assert r.parent and r.child
    if r.type == "one-to-one":
        return 1, 1, "one-to-one"
    at_most = r.at_most
    if isinstance(at_most, int):
        return at_most, at_most, f"at_most {at_most}"
    note = ""
    if at_most is not None and at_most.where is None:
        return at_most.count, at_most.count, f"at_most {at_most.count}"
    if at_most is not None:
        note = f"at_most {at_most.count} counts only children where {at_most.where}; "
    parent, child = spec.entities[r.parent], spec.entities[r.child]
    p3, c3 = rows_3y(parent), rows_3y(child)
    if p3 == 0 or c3 == 0:
        return None, None, note + "no at_most and no volume to estimate the fan-out"
    fan = c3 / p3
    how = f"{note}fan-out {c3:,} / {p3:,} ≈ {fan:,.1f} per {r.parent} in 3 years"
    skew = child.volume.skew.get(role(r), 0)
    if skew >= 1:
        return (
            None,
            None,
            f"{how}, but skew {skew:g} on {role(r)}: the largest parents hold far more",
        )
    return fan, None, how


def _shared(spec: Spec, child: str) -> str | None:
    """Why ``child`` needs a collection of its own as the target of references (rule 3)."""
    for r in spec.relationships:
        if r.type == "many-to-many" and r.between and child in r.between:
            return f"{child} is in a many-to-many relationship ({subject(r)})"
        if r.type != "many-to-many" and r.parent == child:
            return f"{child} has children of its own ({r.child}): they refer to its _id"
    return None


def _structural(spec: Spec, r: Relationship) -> str | None:
    """Rules 1 to 5: why the child must be a reference whatever its size, or None."""
    assert r.parent and r.child
    if r.parent == r.child:
        return "self-reference: a tree of documents of one collection"
    if not r.required:
        return f"a {r.child} may exist without a {r.parent} (required: false)"
    mt = spec.project.features.multi_tenancy
    if mt and r.parent == mt.tenant:
        return f"{r.parent} is the tenant: each tenant's data spans collections, keyed by tenant"
    shared = _shared(spec, r.child)
    if shared:
        return shared
    own = read_on_own(spec, r.child, role(r))
    if own:
        return (
            f"read on its own: access pattern {own.name} reads {r.child} across parents "
            "(its own list), which an embedded array answers only by unwinding every parent"
        )
    upd = _updated(spec, r.child)
    if upd:
        return (
            f"updated independently (write {upd}): an array element's update rewrites "
            f"the {r.parent} document and contends with its other writes"
        )
    return None


def _size_reason(spec: Spec, r: Relationship, n: float) -> tuple[bool, str]:
    """Whether ``n`` children fit well inside the document limit, and the numbers."""
    assert r.child
    child_bytes = document_bytes(attribute_fields(spec, spec.entities[r.child])) + 16
    total = int(n * child_bytes)
    fits = total * EMBED_SHARE <= DOCUMENT_LIMIT
    words = (
        f"≈ {child_bytes:,} bytes per {r.child} x {n:,.0f} ≈ {total / 1024:,.1f} KiB per "
        f"{r.parent} document, {'well under' if fits else 'too close to'} the 16 MiB limit"
    )
    return fits, words


def _read_together(spec: Spec, r: Relationship) -> str:
    reads = [p.name for p in spec.access_patterns if p.entity in (r.parent, r.child)]
    if not reads:
        return "read together with its parent (no pattern reads it apart)"
    return f"read together with its parent ({', '.join(reads[:4])})"


def _decide_one(
    spec: Spec, r: Relationship, taken: dict[str, EmbedChoice]
) -> tuple[EmbedChoice | None, Decision]:
    assert r.parent and r.child
    ref = f"reference: {role(r)}_id in {collection_name(spec, r.child)}"
    why = _structural(spec, r)
    if why:
        return None, Decision(subject(r), ref, why)
    expected, stated, how = _bound(spec, r)
    if expected is None or expected > EMBED_MAX:
        limit = f"more than {EMBED_MAX} per parent" if expected else "no bound"
        return None, Decision(
            subject(r), ref, f"unbounded ({how}; {limit}): never an unbounded array"
        )
    fits, size = _size_reason(spec, r, expected)
    if not fits:
        return None, Decision(subject(r), ref, f"{how}; {size}")
    if r.child in taken:
        other = taken[r.child]
        return None, Decision(
            subject(r), ref, f"{r.child} is already embedded in {other.parent} ({other.field})"
        )
    many = r.type == "one-to-many"
    field = embedded_field(spec, r.parent, r.child, many)
    choice = EmbedChoice(r, r.child, r.parent, field, many, stated, expected)
    shape = f"array `{field}`" if many else f"subdocument `{field}`"
    reason = (
        f"bounded ({how}, at most {EMBED_MAX} embedded); {size}; {_read_together(spec, r)}; "
        "not updated on its own; one document write is atomic"
    )
    if r.on_delete != "cascade":
        reason += (
            f"; deleting the {r.parent} deletes its {r.child} (the spec's {r.on_delete} "
            "no longer applies)"
        )
    return choice, Decision(
        subject(r), f"embed as {shape} in {collection_name(spec, r.parent)}", reason
    )


def _link(spec: Spec, r: Relationship) -> tuple[LinkChoice, Decision]:
    assert r.between
    a, b = r.between
    na, nb = rows_3y(spec.entities[a]), rows_3y(spec.entities[b])
    # The array goes on the side whose other side is small: it can never hold more ids.
    a_small, b_small = 0 < na <= EMBED_MAX, 0 < nb <= EMBED_MAX
    holder, other, n = (a, b, nb) if b_small and (nb <= na or not a_small) else (b, a, na)
    sub = subject(r)
    if 0 < n <= EMBED_MAX and a != b:
        field = f"{other}_ids" if not r.attributes else f"{other}_links"
        shape = (
            "ids" if not r.attributes else f"subdocuments ({other}_id and the link's attributes)"
        )
        return LinkChoice(r, holder, other, field, ""), Decision(
            sub,
            f"reference: array `{field}` of {shape} in {collection_name(spec, holder)}",
            f"shared (many-to-many): referenced, not embedded; bounded: at most {n:,} {other} "
            f"documents in 3 years (≤ {EMBED_MAX}), so the array can never grow past that",
        )
    name = r.through or f"{a}_{b}"
    return LinkChoice(r, "", "", "", name), Decision(
        sub,
        f"reference: link collection {name} ({a}_id, {b}_id)",
        f"shared (many-to-many) and unbounded on both sides ({a}: {na:,}, {b}: {nb:,} "
        f"documents in 3 years, > {EMBED_MAX} or unknown): no array of ids could stay bounded",
    )


def homes(spec: Spec) -> Homes:
    """Embed or reference, for every relationship of the spec."""
    embedded: dict[str, EmbedChoice] = {}
    links: list[LinkChoice] = []
    decisions: list[Decision] = []
    for r in spec.relationships:
        if r.type == "many-to-many":
            link, d = _link(spec, r)
            links.append(link)
        else:
            choice, d = _decide_one(spec, r, embedded)
            if choice:
                embedded[choice.child] = choice
        decisions.append(d)
    # A reference held by an embedded child is in its parent's collection, under its field.
    for i, d in enumerate(decisions):
        for child, emb in embedded.items():
            own = f" in {collection_name(spec, child)}"
            if d.choice.startswith("reference: ") and d.choice.endswith(own):
                where = f" in {collection_name(spec, emb.parent)}.{emb.field}"
                decisions[i] = Decision(d.subject, d.choice.removesuffix(own) + where, d.reason)
    return Homes(embedded, tuple(links), tuple(decisions))


# ---- where a field of an entity is, in its collection ------------------------------------------


def tenant_field(spec: Spec, entity: str) -> str | None:
    """The tenant key's field of ``entity``'s documents (at the top level), or None."""
    mt = spec.project.features.multi_tenancy
    if not mt or entity == mt.tenant or spec.entities[entity].tenant_scoped is False:
        return None
    return f"{mt.tenant}_id"


def references_of(spec: Spec, entity: str) -> list[Relationship]:
    """The one-to-many and one-to-one relationships in which ``entity`` is the child."""
    return [r for r in spec.relationships if r.type != "many-to-many" and r.child == entity]


def home(spec: Spec, h: Homes, entity: str) -> str:
    """The collection that holds ``entity``'s documents: its own, or its parent's."""
    emb = h.embedded.get(entity)
    return collection_name(spec, emb.parent if emb else entity)


def path(spec: Spec, h: Homes, entity: str, f: str) -> str:
    """Where a field the spec names (attribute, reference role, tenant, id, audit field) is
    in the documents of ``entity``'s collection: ``_id``, ``customer_id``, ``items.sku``."""
    emb = h.embedded.get(entity)
    root = emb.parent if emb else entity
    mt = spec.project.features.multi_tenancy
    if mt and f == mt.tenant and tenant_field(spec, root):
        return f"{mt.tenant}_id"
    if emb and f == role(emb.relationship):
        return "_id"
    if f == "id":
        return f"{emb.field}._id" if emb else "_id"
    name = f"{f}_id" if f in {role(r) for r in references_of(spec, entity)} else f
    return f"{emb.field}.{name}" if emb else name
