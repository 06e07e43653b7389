"""A MongoDB plan checked statically (no server): :func:`check` returns each problem found, as a
sentence naming the collection, index or pattern; an empty list is a valid plan.

- validators: ``{"$jsonSchema": ...}`` with only the keywords MongoDB's $jsonSchema accepts
  (no ``$ref``, ``$schema``, ``default``, ``definitions``, ``format``, ``id``), valid bsonType
  aliases and JSON types (no ``integer``), well-formed values (lists, numbers, regular
  expressions, min not above max), every required field among the properties and ``_id``
  allowed when additionalProperties is false; a valid validation level and action;
- indexes: a known collection, key values 1, -1, "text", "hashed" or "2dsphere", no field twice,
  every field a property of the documents, at most one array among a compound key's fields
  (MongoDB cannot index parallel arrays), TTL on one date field only, unique not hashed, at most
  one hashed field and one text index per collection, names of 1 to 127 bytes unique in the
  collection, partial filters of the operators MongoDB accepts, no two of the same key and
  options;
- queries: every access pattern's query has what it needs of an existing index: the equality
  fields first (any order), then the sort fields in order (directions as given or all reversed),
  then the range fields, the same partial filter (a present-field filter is implied by an
  equality) and collation; a text query a text index, a vector query its search index;
- shard keys: fields of the documents, and an index that starts with the key;
- document size: each document's estimate (embedded arrays at their bound) under 16 MiB.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from dbdesign.design.mongo_embed import DOCUMENT_LIMIT
from dbdesign.design.mongo_model import (
    ID_INDEX,
    MongoCollection,
    MongoIndex,
    MongoNeed,
    MongoPlan,
    loads,
)

KEYWORDS = frozenset(
    """bsonType type required properties enum minimum maximum exclusiveMinimum exclusiveMaximum
    minLength maxLength pattern items additionalItems minItems maxItems uniqueItems
    additionalProperties patternProperties minProperties maxProperties allOf anyOf oneOf not
    dependencies title description multipleOf""".split()
)
REFUSED = frozenset({"$ref", "$schema", "default", "definitions", "format", "id"})
BSON_TYPES = frozenset(
    """double string object array binData undefined objectId bool date null regex dbPointer
    javascript symbol javascriptWithScope int timestamp long decimal minKey maxKey number""".split()
)
JSON_TYPES = frozenset({"object", "array", "number", "boolean", "string", "null"})
KEY_VALUES = (1, -1, "text", "hashed", "2dsphere")
PARTIAL_OPS = frozenset({"$eq", "$exists", "$gt", "$gte", "$lt", "$lte", "$type", "$in"})
MAX_NAME_BYTES = 127
MAX_TTL = 2_147_483_647
LEVELS = ("off", "strict", "moderate")
ACTIONS = ("error", "warn")
_SCHEMAS = ("not", "additionalItems")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_COUNTS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")
_NUMBERS = ("minimum", "maximum", "multipleOf")


def check(plan: MongoPlan) -> list[str]:
    """Every problem of ``plan`` (empty: valid)."""
    out: list[str] = []
    for c in plan.collections:
        out += _collection(c)
    out += _indexes(plan)
    out += _queries(plan)
    out += _shards(plan)
    return out


# ---- validators ---------------------------------------------------------------------------


def _collection(c: MongoCollection) -> list[str]:
    where = f"collection {c.name}"
    out = []
    if c.validation_level not in LEVELS:
        out.append(f"{where}: validationLevel {c.validation_level!r} (one of {', '.join(LEVELS)})")
    if c.validation_action not in ACTIONS:
        out.append(f"{where}: validationAction {c.validation_action!r} (error or warn)")
    if c.bytes_each >= DOCUMENT_LIMIT:
        out.append(f"{where}: documents of ≈ {c.bytes_each:,} bytes pass the 16 MiB limit")
    try:
        v = json.loads(c.validator)
    except ValueError as e:
        return [*out, f"{where}: the validator is not JSON ({e})"]
    if not isinstance(v, dict) or list(v) != ["$jsonSchema"]:
        return [*out, f"{where}: a validator here is {{$jsonSchema: ...}} alone"]
    schema = v["$jsonSchema"]
    out += [f"{where}: {m}" for m in schema_problems(schema, "$jsonSchema")]
    if isinstance(schema, dict):
        if schema.get("bsonType") != "object":
            out.append(f"{where}: the top-level bsonType must be 'object'")
        closed = schema.get("additionalProperties") is False
        if closed and "_id" not in schema.get("properties", {}):
            out.append(
                f"{where}: additionalProperties false without _id in properties "
                "refuses every document"
            )
    return out


def schema_problems(s: Any, at: str) -> Iterator[str]:
    """The problems of one $jsonSchema (and of the schemas inside it), each at its path."""
    if not isinstance(s, dict):
        yield f"{at}: a schema is an object, not {type(s).__name__}"
        return
    for k in s:
        if k in REFUSED:
            yield f"{at}: {k!r} is not supported by MongoDB's $jsonSchema"
        elif k not in KEYWORDS:
            yield f"{at}: unknown $jsonSchema keyword {k!r}"
    yield from _types(s, at)
    yield from _values(s, at)
    yield from _nested(s, at)


def _names(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


def _types(s: dict[str, Any], at: str) -> Iterator[str]:
    for t in _names(s.get("bsonType", [])):
        if t not in BSON_TYPES:
            yield f"{at}: bsonType {t!r} is no BSON type alias"
    for t in _names(s.get("type", [])):
        if t not in JSON_TYPES:
            yield f"{at}: type {t!r} is no JSON type MongoDB accepts (integer is not: use bsonType)"
    if "bsonType" in s and "type" in s:
        yield f"{at}: bsonType and type together"


def _values(s: dict[str, Any], at: str) -> Iterator[str]:
    for k in _COUNTS:
        if k in s and not (isinstance(s[k], int) and not isinstance(s[k], bool) and s[k] >= 0):
            yield f"{at}: {k} must be a non-negative integer, not {s[k]!r}"
    for k in _NUMBERS:
        if k in s and (isinstance(s[k], bool) or not isinstance(s[k], int | float)):
            yield f"{at}: {k} must be a number, not {s[k]!r}"
    for lo, hi in (("minimum", "maximum"), ("minLength", "maxLength"), ("minItems", "maxItems")):
        a, b = s.get(lo), s.get(hi)
        if isinstance(a, int | float) and isinstance(b, int | float) and a > b:
            yield f"{at}: {lo} {a} is above {hi} {b}"
    if "enum" in s and not (isinstance(s["enum"], list) and s["enum"]):
        yield f"{at}: enum must be a non-empty list"
    if "pattern" in s:
        try:
            re.compile(s["pattern"])
        except (re.error, TypeError) as e:
            yield f"{at}: pattern {s['pattern']!r} is no regular expression ({e})"
    yield from _required(s, at)


def _required(s: dict[str, Any], at: str) -> Iterator[str]:
    req = s.get("required")
    if req is not None:
        if not (isinstance(req, list) and req and all(isinstance(x, str) for x in req)):
            yield f"{at}: required must be a non-empty list of field names"
        elif len(set(req)) != len(req):
            yield f"{at}: required names a field twice"
        elif s.get("additionalProperties") is False:
            missing = [x for x in req if x not in s.get("properties", {})]
            if missing:
                yield (
                    f"{at}: required {', '.join(missing)} not in properties "
                    "(additionalProperties is false)"
                )


def _nested(s: dict[str, Any], at: str) -> Iterator[str]:
    for key in ("properties", "patternProperties"):
        props = s.get(key, {})
        if not isinstance(props, dict):
            yield f"{at}: {key} must be an object"
            continue
        for name, sub in props.items():
            yield from schema_problems(sub, f"{at}.{name}")
    items = s.get("items")
    for i, sub in enumerate(
        items if isinstance(items, list) else [items] if items is not None else []
    ):
        yield from schema_problems(
            sub, f"{at}.items" + (f"[{i}]" if isinstance(items, list) else "")
        )
    ap = s.get("additionalProperties")
    if ap is not None and not isinstance(ap, bool):
        yield from schema_problems(ap, f"{at}.additionalProperties")
    for key in _SCHEMAS:
        if key in s:
            yield from schema_problems(s[key], f"{at}.{key}")
    for key in _SCHEMA_LISTS:
        if key in s:
            if not (isinstance(s[key], list) and s[key]):
                yield f"{at}: {key} must be a non-empty list of schemas"
                continue
            for i, sub in enumerate(s[key]):
                yield from schema_problems(sub, f"{at}.{key}[{i}]")


# ---- indexes ------------------------------------------------------------------------------


def _paths(c: MongoCollection) -> tuple[set[str], set[str], set[str]]:
    """Every field path of ``c``'s documents, the array fields among them, the date fields."""
    paths, arrays, dates = set(), set(), set()

    def walk(s: Any, prefix: str) -> None:
        if not isinstance(s, dict):
            return
        for name, sub in s.get("properties", {}).items():
            p = prefix + name
            paths.add(p)
            types = _names(sub.get("bsonType", [])) if isinstance(sub, dict) else []
            if "array" in types:
                arrays.add(p)
                walk(sub.get("items"), p + ".")
            if "date" in types:
                dates.add(p)
            walk(sub, p + ".")

    walk(c.schema, "")
    return paths, arrays, dates


def _known(path: str, c: MongoCollection, paths: set[str]) -> bool:
    if path in paths:
        return True
    # a path inside a free-form (json) object, which the validator leaves open
    head = path.split(".")
    return any(".".join(head[:i]) in paths for i in range(1, len(head)))


def _index(ix: MongoIndex, c: MongoCollection) -> Iterator[str]:
    where = f"index {ix.name} on {c.name}"
    if not ix.keys:
        yield f"{where}: no key"
        return
    fields = [k for k, _ in ix.keys]
    paths, arrays, dates = _paths(c)
    if len(set(fields)) != len(fields):
        yield f"{where}: a field twice in the key"
    for k, v in ix.keys:
        if v not in KEY_VALUES or isinstance(v, bool):
            yield f"{where}: key value {v!r} for {k} (1, -1, 'text', 'hashed' or '2dsphere')"
        if not _known(k, c, paths):
            yield f"{where}: {k} is no field of the documents"
    touched = {a for a in arrays for k in fields if k == a or k.startswith(a + ".")}
    if len(touched) > 1:
        yield (
            f"{where}: a compound index over two arrays ({', '.join(sorted(touched))}): "
            "MongoDB cannot index parallel arrays"
        )
    yield from _options(ix, where, dates)


def _options(ix: MongoIndex, where: str, dates: set[str]) -> Iterator[str]:
    values = [v for _, v in ix.keys]
    if ix.expire_after_seconds is not None:
        if len(ix.keys) != 1:
            yield f"{where}: a TTL index has one field"
        elif ix.keys[0][0] not in dates:
            yield f"{where}: a TTL index needs a date field, not {ix.keys[0][0]}"
        if not 0 <= ix.expire_after_seconds <= MAX_TTL:
            yield f"{where}: expireAfterSeconds {ix.expire_after_seconds} out of 0..{MAX_TTL}"
    if ix.unique and "hashed" in values:
        yield f"{where}: a hashed index cannot be unique"
    if values.count("hashed") > 1:
        yield f"{where}: at most one hashed field"
    if not 0 < len(ix.name.encode()) <= MAX_NAME_BYTES or ix.name == ID_INDEX:
        size = len(ix.name.encode())
        yield f"{where}: a name of 1 to {MAX_NAME_BYTES} bytes, not _id_ ({size} bytes)"
    if ix.partial:
        yield from (f"{where}: {m}" for m in _partial(loads(ix.partial)))


def _partial(f: Any) -> Iterator[str]:
    if not isinstance(f, dict) or not f:
        yield "a partialFilterExpression is a non-empty object"
        return
    for k, v in f.items():
        if k in ("$and", "$or"):
            for sub in v if isinstance(v, list) else [None]:
                yield from _partial(sub)
        elif k.startswith("$"):
            yield f"partialFilterExpression: {k} is not accepted at the top"
        elif isinstance(v, dict):
            for op, x in v.items():
                if op not in PARTIAL_OPS:
                    yield (
                        f"partialFilterExpression: {k}: {op} is not accepted (equality, "
                        "$exists: true, $gt/$gte/$lt/$lte, $type, $in)"
                    )
                elif op == "$exists" and x is not True:
                    yield f"partialFilterExpression: {k}: only $exists: true is accepted"


def _indexes(plan: MongoPlan) -> list[str]:
    out = []
    names = {c.name: c for c in plan.collections}
    seen: dict[tuple[str, str], int] = {}
    shapes: set[tuple[Any, ...]] = set()
    text: dict[str, list[str]] = {}
    for ix in plan.indexes:
        c = names.get(ix.collection)
        if c is None:
            out.append(f"index {ix.name}: no collection {ix.collection}")
            continue
        out += list(_index(ix, c))
        seen[(ix.collection, ix.name)] = seen.get((ix.collection, ix.name), 0) + 1
        if seen[(ix.collection, ix.name)] == 2:
            out.append(f"index {ix.name} on {ix.collection}: two indexes of that name")
        shape = (ix.collection, ix.keys, ix.partial, ix.collation)
        if shape in shapes:
            out.append(f"index {ix.name} on {ix.collection}: another index has its key and options")
        shapes.add(shape)
        if any(v == "text" for _, v in ix.keys):
            text.setdefault(ix.collection, []).append(ix.name)
    for coll, idx in text.items():
        if len(idx) > 1:
            out.append(
                f"collection {coll}: {len(idx)} text indexes ({', '.join(idx)}); MongoDB allows one"
            )
    return out


# ---- queries ------------------------------------------------------------------------------


def serves(ix: MongoIndex, need: MongoNeed) -> str | None:
    """Why ``ix`` does not serve ``need`` (None: it does), by the equality, sort, range rule."""
    keys = list(ix.keys)
    if any(not isinstance(v, int) or isinstance(v, bool) for _, v in keys):
        return f"{ix.name} is not an ordered (1/-1) index"
    eq, n = set(need.equality), len(set(need.equality))
    if {k for k, _ in keys[:n]} != eq:
        return f"{ix.name} does not start with the equality fields {sorted(eq)}"
    sort = keys[n : n + len(need.sort)]
    flipped = [(k, -v) for k, v in need.sort]
    if need.sort and sort != list(need.sort) and sort != flipped:
        return f"{ix.name} does not continue with the sort {dict(need.sort)} (or its reverse)"
    rest = keys[n + len(need.sort) : n + len(need.sort) + len(set(need.range))]
    if {k for k, _ in rest} != set(need.range):
        return f"{ix.name} does not continue with the range fields {sorted(need.range)}"
    if ix.collation != need.collation:
        mine, theirs = ix.collation or "none", need.collation or "none"
        return f"{ix.name} has collation {mine}, the query {theirs}"
    return _partial_served(ix, need)


def _partial_served(ix: MongoIndex, need: MongoNeed) -> str | None:
    if not ix.partial:
        return None
    have = loads(need.partial) or {}
    for k, v in loads(ix.partial).items():
        if have.get(k) == v or (v == {"$exists": True} and k in need.equality):
            continue
        return f"{ix.name} is partial on {k}: {json.dumps(v)}, which the query does not imply"
    return None


def _need(plan: MongoPlan, n: MongoNeed) -> str | None:
    if all(c.name != n.collection for c in plan.collections):
        return f"no collection {n.collection}"
    if n.kind == "vector":
        ok = any(s.collection == n.collection and s.name == n.index for s in plan.search_indexes)
        return None if ok else f"no vector search index {n.index} on {n.collection}"
    if n.index == ID_INDEX:
        if set(n.equality) - {"_id"} or n.range or (n.sort and [k for k, _ in n.sort] != ["_id"]):
            return "the _id index serves equality on _id (and its order) alone"
        return None
    ix = plan.index(n.collection, n.index)
    if ix is None:
        return f"no index {n.index} on {n.collection}"
    if n.kind == "text":
        return None if any(v == "text" for _, v in ix.keys) else f"{ix.name} is no text index"
    return serves(ix, n)


def _queries(plan: MongoPlan) -> list[str]:
    out = []
    seen: set[str] = set()
    for q in plan.queries:
        if q.pattern in seen:
            out.append(f"access pattern {q.pattern}: two queries")
        seen.add(q.pattern)
        if not q.needs:
            out.append(f"access pattern {q.pattern}: no index named for its query")
        for n in q.needs:
            why = _need(plan, n)
            if why:
                out.append(f"access pattern {q.pattern}: {why}")
    return out


def _shards(plan: MongoPlan) -> list[str]:
    out = []
    for s in plan.shards:
        if not s.key:
            continue
        c = next((c for c in plan.collections if c.name == s.collection), None)
        if c is None:
            out.append(f"shard key of {s.collection}: no such collection")
            continue
        paths = _paths(c)[0]
        out += [f"shard key of {c.name}: {k} is no field" for k, _ in s.key if k not in paths]
        if not any(
            ix.collection == c.name and ix.keys[: len(s.key)] == s.key for ix in plan.indexes
        ):
            out.append(f"shard key of {c.name}: no index starts with {dict(s.key)}")
    return out
