"""Hybrid designs: the entities that live in Redis beside a relational design
(:func:`redis_entities`), and the spec split into its two parts (:func:`split`).

An entity goes to Redis when it says ``store: redis``, or, with ``store: auto`` and the
project's ``database: auto`` on a relational choice, when it expires within a day of its last
write (``ttl_seconds``), every access pattern on it is one Redis's structures serve, and no
other entity refers to it (a foreign key into Redis cannot be kept). Its own references to
relational rows stay as ids without a foreign key: DESIGN.md says how the parts stay
consistent."""

from __future__ import annotations

from dbdesign.design.redis_plan import brief, unservable
from dbdesign.errors import UnsupportedError
from dbdesign.readers.spec import Entity, Spec


def redis_entities(spec: Spec, auto: bool) -> tuple[str, ...]:
    """The entities of ``spec`` that live in Redis (``auto``: the database is chosen, and the
    choice is relational, so expiring key-shaped entities may be placed there too)."""
    names = [n for n, e in spec.entities.items() if e.store == "redis" or (
        auto and e.store == "auto" and _fits(spec, n, e)
    )]  # fmt: skip
    for n in names:
        held = _referred(spec, n)
        if held:
            raise UnsupportedError(
                f"entities.{n}.store: {n} cannot live in Redis: {held} refers to it (a "
                "foreign key into Redis cannot be kept)"
            )
        bad = [p.name for p in spec.access_patterns if p.entity == n and unservable(p)]
        if bad:
            raise UnsupportedError(
                f"entities.{n}.store: {n} cannot live in Redis: Redis's structures do not "
                f"serve {', '.join(bad)}"
            )
    if names and len(names) == len(spec.entities):
        return ()  # everything in Redis: a Redis design, not a hybrid
    return tuple(names)


def _fits(spec: Spec, name: str, e: Entity) -> bool:
    pats = [p for p in spec.access_patterns if p.entity == name]
    return bool(
        brief(e) and pats and not any(unservable(p) for p in pats) and not _referred(spec, name)
    )


def _referred(spec: Spec, name: str) -> str:
    """An entity that refers to ``name`` (a relationship's child, or the other side of a
    many-to-many), or ''."""
    for r in spec.relationships:
        if r.parent == name and r.child and r.child != name:
            return r.child
        if r.between and name in r.between:
            return next((x for x in r.between if x != name), name)
    return ""


def split(spec: Spec, names: tuple[str, ...]) -> tuple[Spec, Spec]:
    """(the relational part, the Redis part) of ``spec``: the Redis part holds the entities of
    ``names``, the parents they refer to (by id only: no pattern reads them there) and their
    patterns and writes; the relational part the rest."""
    mine = set(names)
    rels = tuple(r for r in spec.relationships if r.child not in mine)
    kv_rels = tuple(r for r in spec.relationships if r.child in mine)
    parents = {r.parent for r in kv_rels if r.parent}
    relational = spec.model_copy(
        update={
            "entities": {n: e for n, e in spec.entities.items() if n not in mine},
            "relationships": rels,
            "access_patterns": tuple(p for p in spec.access_patterns if p.entity not in mine),
            "writes": tuple(w for w in spec.writes if w.entity not in mine),
        }
    )
    kv = spec.model_copy(
        update={
            "entities": {n: e for n, e in spec.entities.items() if n in mine | parents},
            "relationships": kv_rels,
            "access_patterns": tuple(p for p in spec.access_patterns if p.entity in mine),
            "writes": tuple(w for w in spec.writes if w.entity in mine),
        }
    )
    return relational, kv
