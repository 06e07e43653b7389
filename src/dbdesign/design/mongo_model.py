"""The values of a MongoDB design: collections with their ``$jsonSchema`` validators, embedded
children, indexes, the query of every access pattern and what it needs of an index, shard keys
and the decisions behind them (:mod:`.mongo_plan` makes them, :mod:`.mongo_check` checks them,
:mod:`.mongo_doc` writes them out).

JSON-shaped parts (a validator, a partial filter, a collation) are kept as JSON text, so a plan
is immutable and hashable; :func:`loads` reads them back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from dbdesign.design.draft import Decision

ID_INDEX = "_id_"  # the index every collection has on _id (unique, not created by us)
KeyValue = int | str  # 1, -1, "text", "hashed", "2dsphere"
IndexKey = tuple[tuple[str, KeyValue], ...]


def dumps(value: Any) -> str:
    """JSON text of a JSON-shaped value, keys in the order given (a $jsonSchema reads alike in
    any order; an index key's order matters and is kept as a tuple, not here)."""
    return json.dumps(value, ensure_ascii=False)


def loads(text: str) -> Any:
    """The value of JSON text made by :func:`dumps`; ``""`` is None."""
    return json.loads(text) if text else None


def keys_text(keys: IndexKey | list[tuple[str, KeyValue]]) -> str:
    """An index key as mongosh writes it: ``{customer_id: 1, placed_at: -1}``."""
    return "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in keys) + "}"


@dataclass(frozen=True, slots=True)
class MongoField:
    """A field of a document (of a collection, or of an embedded child, relative to it)."""

    name: str
    bson: tuple[str, ...]  # the bsonType(s) the validator accepts
    required: bool
    kind: str  # "key" | "attribute" | "reference" | "tenant" | "audit" | "ids" | "embedded"
    schema: str  # JSON text: the field's $jsonSchema
    est_bytes: int  # estimated BSON bytes of the field (name, type byte and value)
    note: str = ""


@dataclass(frozen=True, slots=True)
class MongoEmbedded:
    """A child entity kept inside its parent's documents."""

    entity: str
    parent: str  # the parent entity
    field: str  # the array (many) or subdocument (one) field of the parent's document
    many: bool
    max_items: int | None  # the spec's at_most: the validator's maxItems
    expected_items: float  # what the design expects per parent (at_most, or the fan-out)
    fields: tuple[MongoField, ...]
    bytes_each: int  # estimated BSON bytes of one subdocument


@dataclass(frozen=True, slots=True)
class MongoCollection:
    name: str
    entity: str | None  # None: a link collection of a many-to-many relationship
    purpose: str
    fields: tuple[MongoField, ...]
    embedded: tuple[MongoEmbedded, ...]
    validator: str  # JSON text: {"$jsonSchema": {...}}
    validation_level: str = "strict"
    validation_action: str = "error"
    documents_3y: int = 0  # documents in three years (volume.rows + 3 x growth_per_year)
    bytes_each: int = 0  # estimated bytes of one document, embedded children included

    @property
    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = loads(self.validator)["$jsonSchema"]
        return out


@dataclass(frozen=True, slots=True)
class MongoIndex:
    collection: str
    name: str
    keys: IndexKey
    unique: bool = False
    partial: str = ""  # JSON text: partialFilterExpression ("" none)
    expire_after_seconds: int | None = None  # a TTL index
    collation: str = ""  # JSON text ("" the collection's default, binary comparison)
    serves: tuple[str, ...] = ()  # the access patterns it serves
    reason: str = ""

    def options(self) -> dict[str, Any]:
        """The createIndex options (the name first)."""
        out: dict[str, Any] = {"name": self.name}
        if self.unique:
            out["unique"] = True
        if self.partial:
            out["partialFilterExpression"] = loads(self.partial)
        if self.expire_after_seconds is not None:
            out["expireAfterSeconds"] = self.expire_after_seconds
        if self.collation:
            out["collation"] = loads(self.collation)
        return out


@dataclass(frozen=True, slots=True)
class MongoSearchIndex:
    """An Atlas Vector Search index (``createSearchIndex``; not a ``createIndex`` index)."""

    collection: str
    name: str
    path: str
    dimensions: int
    similarity: str  # "cosine" | "euclidean" | "dotProduct"
    filters: tuple[str, ...] = ()  # fields a $vectorSearch pre-filters by
    serves: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MongoNeed:
    """What one step of a query needs of one index: equality fields first (in any order), then
    the sort fields in order (directions all as given, or all reversed), then range fields;
    or the collection's text index, or a vector search index."""

    collection: str
    index: str  # the index's name (ID_INDEX: the built-in _id index)
    equality: tuple[str, ...] = ()
    sort: tuple[tuple[str, int], ...] = ()
    range: tuple[str, ...] = ()
    kind: str = "btree"  # "btree" | "text" | "vector"
    partial: str = ""  # JSON text: the constant filter the query always has (fixed:)
    collation: str = ""  # JSON text: the collation the query runs with


@dataclass(frozen=True, slots=True)
class MongoQuery:
    pattern: str
    entity: str
    collection: str
    shell: str  # mongosh text; params.<name> stands for each value the application passes
    needs: tuple[MongoNeed, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class MongoShard:
    collection: str
    documents_3y: int
    key: IndexKey  # () when the collection is not sharded
    reason: str


@dataclass(frozen=True, slots=True)
class MongoPlan:
    database: str
    collections: tuple[MongoCollection, ...]
    indexes: tuple[MongoIndex, ...]
    search_indexes: tuple[MongoSearchIndex, ...]
    queries: tuple[MongoQuery, ...]
    shards: tuple[MongoShard, ...]
    decisions: tuple[Decision, ...]

    def collection(self, name: str) -> MongoCollection:
        return next(c for c in self.collections if c.name == name)

    def collection_of(self, entity: str) -> MongoCollection | None:
        """The collection that holds ``entity``'s documents (its own, or its parent's)."""
        for c in self.collections:
            if c.entity == entity or any(e.entity == entity for e in c.embedded):
                return c
        return None

    def index(self, collection: str, name: str) -> MongoIndex | None:
        return next(
            (i for i in self.indexes if i.collection == collection and i.name == name), None
        )

    def query(self, pattern: str) -> MongoQuery:
        return next(q for q in self.queries if q.pattern == pattern)
