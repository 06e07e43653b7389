"""A requirements spec as a MongoDB design: :func:`mongo_design` -> :class:`MongoPlan`.

Collections (one per entity not embedded in another, one per many-to-many link kept in a
collection of its own), their ``$jsonSchema`` validators (:mod:`.mongo_fields`), embed or
reference per relationship (:mod:`.mongo_embed`), the query of every access pattern
(:mod:`.mongo_queries`), the indexes (:mod:`.mongo_indexes`) and a shard key proposal per
collection. Every choice is a :class:`~dbdesign.design.draft.Decision` with the numbers it used;
:func:`dbdesign.design.mongo_check.check` verifies a plan statically."""

from __future__ import annotations

from dbdesign.design.draft import Decision
from dbdesign.design.mongo_embed import (
    EMBED_MAX,
    Homes,
    LinkChoice,
    collection_name,
    homes,
    references_of,
    role,
    rows_3y,
    tenant_field,
)
from dbdesign.design.mongo_fields import (
    Typed,
    attribute_fields,
    document_bytes,
    key_is_uuid,
    key_typed,
    make_field,
    object_schema,
    typed,
)
from dbdesign.design.mongo_indexes import Indexer, resolve
from dbdesign.design.mongo_model import (
    ID_INDEX,
    IndexKey,
    MongoCollection,
    MongoEmbedded,
    MongoField,
    MongoIndex,
    MongoNeed,
    MongoPlan,
    MongoQuery,
    MongoSearchIndex,
    MongoShard,
    dumps,
    keys_text,
    loads,
)
from dbdesign.design.mongo_queries import Queries, Wanted
from dbdesign.readers.spec import Attribute, Spec

__all__ = [
    "ID_INDEX",
    "MongoCollection",
    "MongoEmbedded",
    "MongoField",
    "MongoIndex",
    "MongoNeed",
    "MongoPlan",
    "MongoQuery",
    "MongoSearchIndex",
    "MongoShard",
    "mongo_design",
]

SHARD_LINE = 50_000_000  # documents in three years past which a collection is sharded
_LOW_CARDINALITY = ("bool", "date")  # never a shard key: few values, or ever increasing


def mongo_design(spec: Spec) -> MongoPlan:
    """The MongoDB design of a spec."""
    h = homes(spec)
    collections = _collections(spec, h)
    qs = Queries(spec, h)
    queries = [qs.query(p) for p in spec.access_patterns]
    ix = Indexer(spec, h, qs, collections)
    ix.uniques()
    ix.references()
    ix.ttl()
    ix.text()
    shards, shard_decisions = _shards(spec, collections, queries, qs)
    indexes, names = ix.merge()
    return MongoPlan(
        database=spec.project.name,
        collections=tuple(collections),
        indexes=tuple(indexes),
        search_indexes=tuple(ix.search_indexes()),
        queries=tuple(resolve(queries, names)),
        shards=tuple(shards),
        decisions=tuple(
            dict.fromkeys((*_general(spec, h), *h.decisions, *ix.decisions, *shard_decisions))
        ),
    )


# ---- collections --------------------------------------------------------------------------


def _fields(spec: Spec, h: Homes, entity: str) -> list[MongoField]:
    """The fields of ``entity``'s documents (or subdocuments, when embedded: no _id, no
    tenant, no reference to the parent that holds them)."""
    emb = h.embedded.get(entity)
    out: list[MongoField] = []
    tf = tenant_field(spec, entity) if not emb else None
    if not emb:
        why = "UUID (key: uuid), binData subtype 4" if key_is_uuid(spec, entity) else "ObjectId"
        out.append(make_field("_id", key_typed(spec, entity), True, "key", why))
        if tf:
            tenant = tf.removesuffix("_id")
            out.append(make_field(tf, key_typed(spec, tenant), True, "tenant", f"the {tenant}"))
    for r in references_of(spec, entity):
        name = f"{role(r)}_id"
        if (emb and emb.relationship is r) or name == tf:
            continue
        assert r.parent
        out.append(
            make_field(name, key_typed(spec, r.parent), r.required, "reference", f"a {r.parent}")
        )
    out += attribute_fields(spec, spec.entities[entity])
    for link in h.links:
        if link.holder == entity:
            out.append(_ids_field(spec, link))
    return out


def _ids_field(spec: Spec, link: LinkChoice) -> MongoField:
    key = key_typed(spec, link.other)
    item: dict[str, object] = {"bsonType": key.bson[0]}
    size: int = key.est_bytes + 3
    if link.relationship.attributes:
        sub = [make_field(f"{link.other}_id", key, True, "reference")]
        for n, a in link.relationship.attributes.items():
            assert isinstance(a, Attribute)
            sub += [make_field(n, typed(a), a.required, "attribute")]
        item = object_schema(sub)
        size = document_bytes(sub)
    most = rows_3y(spec.entities[link.other])
    t = Typed(("array",), {"items": item, "uniqueItems": True}, 5 + most * (size + 4), "")
    desc = f"the {link.other} it is linked to (at most {most:,})"
    return make_field(link.field, t, False, "ids", desc)


def _embedded(spec: Spec, h: Homes, parent: str) -> list[MongoEmbedded]:
    out = []
    for child, emb in h.embedded.items():
        if emb.parent != parent:
            continue
        fields = tuple(_fields(spec, h, child))
        out.append(
            MongoEmbedded(
                entity=child,
                parent=parent,
                field=emb.field,
                many=emb.many,
                max_items=emb.max_items,
                expected_items=emb.expected,
                fields=fields,
                bytes_each=document_bytes(fields),
            )
        )
    return out


def _collections(spec: Spec, h: Homes) -> list[MongoCollection]:
    out = []
    for name, e in spec.entities.items():
        if name in h.embedded:
            continue
        fields = tuple(_fields(spec, h, name))
        emb = tuple(_embedded(spec, h, name))
        purpose = e.description or f"the {name} documents"
        if emb:
            purpose += " Embeds " + ", ".join(f"{x.entity} (`{x.field}`)" for x in emb) + "."
        out.append(
            MongoCollection(
                name=collection_name(spec, name),
                entity=name,
                purpose=purpose,
                fields=fields,
                embedded=emb,
                validator=dumps({"$jsonSchema": object_schema(fields, emb)}),
                documents_3y=rows_3y(e),
                bytes_each=document_bytes(fields, emb),
            )
        )
    for link in h.links:
        if not link.holder:
            out.append(_link_collection(spec, link))
    return out


def _link_collection(spec: Spec, link: LinkChoice) -> MongoCollection:
    r = link.relationship
    assert r.between
    fields = [make_field("_id", Typed(("objectId",), {}, 12, "ObjectId"), True, "key")]
    for x in r.between:
        fields.append(make_field(f"{x}_id", key_typed(spec, x), True, "reference", f"a {x}"))
    for n, a in r.attributes.items():
        assert isinstance(a, Attribute)
        fields.append(make_field(n, typed(a), a.required, "attribute", a.description))
    if spec.project.features.audit_columns:
        fields.append(make_field("created_at", Typed(("date",), {}, 8, ""), True, "audit"))
    return MongoCollection(
        name=link.collection,
        entity=None,
        purpose=r.description or f"the links between {r.between[0]} and {r.between[1]}",
        fields=tuple(fields),
        embedded=(),
        validator=dumps({"$jsonSchema": object_schema(fields)}),
        documents_3y=0,
        bytes_each=document_bytes(fields),
    )


# ---- shard keys ---------------------------------------------------------------------------


def _candidates(c: MongoCollection, queries: list[MongoQuery], spec: Spec) -> dict[str, float]:
    """Each top-level field the collection's queries compare with one value, weighted by the
    queries' stated rates (1/s when unstated); never _id, dates, booleans or enums."""
    rates = {p.name: p.rate_per_second or 1.0 for p in spec.access_patterns}
    fields = {f.name: f for f in c.fields}
    score: dict[str, float] = {}
    for q in queries:
        for n in q.needs:
            if n.collection != c.name or n.kind != "btree":
                continue
            for f in n.equality:
                mf = fields.get(f)
                if mf is None or f == "_id" or mf.bson[0] in _LOW_CARDINALITY:
                    continue
                if "enum" in loads(mf.schema):
                    continue
                score[f] = score.get(f, 0) + rates.get(q.pattern, 1.0)
    return score


def _shard_key(spec: Spec, c: MongoCollection, queries: list[MongoQuery]) -> tuple[IndexKey, str]:
    score = _candidates(c, queries, spec)
    tf = next((f.name for f in c.fields if f.kind == "tenant"), None)
    best = max((f for f in score if f != tf), key=lambda f: (score[f], f), default=None)
    if tf:
        second = best or "_id"
        why = (
            "the tenant key leads (multi-tenancy): one tenant's documents stay together; "
            f"then {second}"
        )
        return ((tf, 1), (second, 1)), why
    if best is None:
        return (("_id", "hashed"),), (
            "no access pattern compares a well-spread field with one value: a hashed _id "
            "spreads writes evenly (an ObjectId grows, so a ranged _id would write to one shard)"
        )
    uses = ", ".join(
        q.pattern
        for q in queries
        if any(n.collection == c.name and best in n.equality for n in q.needs)
    )
    why = (
        f"{best}: compared with one value by {uses} ({score[best]:g} reads/s stated), many "
        "values and not ever-increasing, so those reads go to one shard"
    )
    a = c.entity and spec.entities[c.entity].attributes.get(best)
    if isinstance(a, Attribute) and a.unique:
        return ((best, 1),), why
    return ((best, 1), ("_id", 1)), why + "; _id after it splits a large value's chunk"


def _shards(
    spec: Spec, collections: list[MongoCollection], queries: list[MongoQuery], qs: Queries
) -> tuple[list[MongoShard], list[Decision]]:
    shards, decisions = [], []
    for c in collections:
        n = c.documents_3y
        if n <= SHARD_LINE:
            why = (
                f"no sharding needed: {n:,} documents in 3 years (volume.rows + 3 x "
                f"growth_per_year) ≤ {SHARD_LINE:,}; one replica set holds them"
            )
            if c.entity is None:
                why = (
                    "no sharding needed: the spec states no volume for links (sized by their ends)"
                )
            shards.append(MongoShard(c.name, n, (), why))
            continue
        key, why = _shard_key(spec, c, queries)
        why = f"{n:,} documents in 3 years > {SHARD_LINE:,}: shard on {keys_text(key)}; {why}"
        lost = [
            w
            for w in qs.wanted
            if w.collection == c.name and w.unique and w.keys[: len(key)] != list(key)
        ]
        if lost:
            why += (
                "; a unique index on a sharded collection must start with the shard key: "
                + ", ".join(keys_text(w.keys) for w in lost)
                + " become the application's to keep"
            )
        qs.want(Wanted(c.name, list(key), reasons=["shard key"], serves=[]))
        shards.append(MongoShard(c.name, n, key, why))
        decisions.append(Decision(f"{c.name} shard key", keys_text(key), why))
    return shards, decisions


# ---- the decisions every design makes -----------------------------------------------------


def _general(spec: Spec, h: Homes) -> list[Decision]:
    out = [
        Decision(
            "field names",
            "the spec's attribute names (snake_case); references <role>_id; the key _id",
            "the same names as the relational design, so code and reports read alike",
        ),
        Decision(
            "validators",
            "$jsonSchema, validationLevel strict, validationAction error, "
            "additionalProperties false",
            "every insert and update is checked; the spec lists every field, so an unknown one "
            "is a typo to refuse, not data to keep (free-form data goes in json fields, objects "
            "the validator does not close); a new field is added to the validator first (collMod)",
        ),
        Decision(
            "optional fields",
            "left out when unset, never null",
            "the validator refuses null; a unique index on an optional field is partial "
            "(the field present), so any number of documents may lack it",
        ),
        Decision(
            "integers",
            "int when min and max fit 32 bits, else int or long",
            "drivers write a whole number as int when it fits and long otherwise; bsonType "
            "long alone would refuse small values",
        ),
        Decision(
            "defaults and generated values",
            "set by the application",
            "$jsonSchema has no default keyword and MongoDB no generated fields; the default is "
            "in the field's description",
        ),
        Decision(
            "embedded subdocuments",
            "no _id of their own",
            f"at most {EMBED_MAX} per parent, addressed by their fields (arrayFilters) "
            "within the parent's document",
        ),
    ]
    uuids = [n for n in spec.entities if key_is_uuid(spec, n) and n not in h.embedded]
    if uuids:
        out.append(
            Decision(
                "uuid keys",
                f"_id as UUID (binData subtype 4): {', '.join(uuids)}",
                "16 bytes instead of 36 characters; drivers map their UUID type to it with "
                "uuidRepresentation=standard ($jsonSchema checks binData, not the subtype)",
            )
        )
    out += _rules(spec)
    mt = spec.project.features.multi_tenancy
    if mt:
        out.append(
            Decision(
                "multi-tenancy",
                f"{mt.tenant}_id in every tenant-scoped document; every query and index "
                "leads with it",
                "MongoDB has no row-level security: the application adds the tenant to every "
                "filter, and the indexes start with it",
            )
        )
    return out


def _rules(spec: Spec) -> list[Decision]:
    """The spec's rules $jsonSchema cannot state (it compares one field with constants)."""
    kinds = {
        "checks": "conditions across fields",
        "transitions": "status transitions",
        "sums": "sums over children",
        "no_overlap": "ranges that must not overlap",
    }
    out = []
    for key, words in kinds.items():
        where = [n for n, e in spec.entities.items() if getattr(e, key)]
        if where:
            out.append(
                Decision(
                    f"{words} ({', '.join(where)})",
                    "kept by the application (in a transaction where several documents meet)",
                    "$jsonSchema checks each field against constants, not one field against "
                    "another, a document's earlier state or other documents",
                )
            )
    return out
