"""A MongoDB plan written out: the mongosh script that creates it (:func:`mongosh_script`), the
sections of DESIGN.md that take the place of the relational tables and indexes
(:func:`mongo_md`), and its part of design.json (:func:`mongo_json`)."""

from __future__ import annotations

import json
from typing import Any

from dbdesign.design.mongo_check import check
from dbdesign.design.mongo_model import (
    ID_INDEX,
    MongoCollection,
    MongoEmbedded,
    MongoField,
    MongoNeed,
    MongoPlan,
    keys_text,
    loads,
)

_ENSURE = """\
// Re-running this script: a collection that exists has its validator replaced (collMod);
// createIndex of an index that exists with the same name, key and options does nothing, and
// one whose key or options changed fails (drop it first: dropIndex(name)). Nothing is dropped.
function ensureCollection(name, options) {
  if (db.getCollectionNames().includes(name)) {
    db.runCommand({collMod: name, ...options});
  } else {
    db.createCollection(name, options);
  }
}
"""


def _js(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False)


def _collection_js(c: MongoCollection) -> list[str]:
    options = {
        "validator": loads(c.validator),
        "validationLevel": c.validation_level,
        "validationAction": c.validation_action,
    }
    return [
        f"ensureCollection({_js(c.name)}, {json.dumps(options, indent=2, ensure_ascii=False)});"
    ]


def mongosh_script(plan: MongoPlan) -> str:
    """A mongosh script that creates every collection (with its validator), index, vector
    search index and, on a sharded cluster, shards the collections that need it."""
    out = [
        f"// {plan.database}: MongoDB collections, validators and indexes (made by dbdesign).",
        f"db = db.getSiblingDB({_js(plan.database)});",
        "",
        _ENSURE,
    ]
    for c in plan.collections:
        out += _collection_js(c)
        for ix in (i for i in plan.indexes if i.collection == c.name):
            keys = "{" + ", ".join(f"{_js(k)}: {_js(v)}" for k, v in ix.keys) + "}"
            out.append(f"db.getCollection({_js(c.name)}).createIndex({keys}, {_js(ix.options())});")
        out.append("")
    for s in plan.search_indexes:
        fields: list[dict[str, Any]] = [
            {
                "type": "vector",
                "path": s.path,
                "numDimensions": s.dimensions,
                "similarity": s.similarity,
            }
        ]
        fields += [{"type": "filter", "path": f} for f in s.filters]
        out += [
            "// Atlas Vector Search (Atlas, or a server with mongot): not a createIndex index.",
            "try {",
            f"  db.getCollection({_js(s.collection)}).createSearchIndex({_js(s.name)}, "
            f'"vectorSearch", {_js({"fields": fields})});',
            "} catch (e) {",
            f'  print("vector search index {s.name} not created: " + e.message);',
            "}",
        ]
    sharded = [s for s in plan.shards if s.key]
    if sharded:
        out += [
            "// Shard keys: applied through mongos on a sharded cluster, left alone elsewhere.",
            'if (db.hello().msg === "isdbgrid") {',
            f"  sh.enableSharding({_js(plan.database)});",
        ]
        for sh in sharded:
            key = "{" + ", ".join(f"{_js(k)}: {_js(v)}" for k, v in sh.key) + "}"
            out.append(f"  sh.shardCollection({_js(plan.database + '.' + sh.collection)}, {key});")
        out += ["}", ""]
    return "\n".join(out).rstrip() + "\n"


# ---- DESIGN.md ------------------------------------------------------------------------------


def _cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def _type(f: MongoField) -> str:
    return " or ".join(f.bson)


def _fields_table(fields: tuple[MongoField, ...], prefix: str = "") -> list[str]:
    out = ["| field | bsonType | required | notes |", "|---|---|---|---|"]
    for f in fields:
        desc = loads(f.schema).get("description", "")
        note = "; ".join(dict.fromkeys(x for x in (f.note, desc) if x))  # each said once
        out.append(
            f"| `{prefix}{f.name}` | {_type(f)} | {'yes' if f.required else ''} | {_cell(note)} |"
        )
    return out


def _embedded_md(e: MongoEmbedded) -> list[str]:
    shape = "array of subdocuments" if e.many else "subdocument"
    bound = (
        f"at most {e.max_items} (maxItems)"
        if e.max_items is not None
        else f"≈ {e.expected_items:,.1f} expected"
    )
    head = f"Embedded `{e.field}`: {e.entity} as {shape}" + (f", {bound}" if e.many else "")
    head += f", ≈ {e.bytes_each:,} bytes each."
    return ["", head, "", *_fields_table(e.fields, e.field + ("[]." if e.many else "."))]


def _collections_md(plan: MongoPlan) -> list[str]:
    out = ["### Collections", ""]
    for c in plan.collections:
        out += [
            f"#### {c.name}",
            "",
            f"{c.purpose} About {c.documents_3y:,} documents in 3 years, "
            f"≈ {c.bytes_each:,} bytes each.",
            "",
            *_fields_table(c.fields),
        ]
        for e in c.embedded:
            out += _embedded_md(e)
        out.append("")
    return out


def _embed_md(plan: MongoPlan) -> list[str]:
    out = ["### Embed or reference", "", "| relationship | choice | reason |", "|---|---|---|"]
    for d in plan.decisions:
        if " → " in d.subject or " ↔ " in d.subject:
            out.append(f"| {_cell(d.subject)} | {_cell(d.choice)} | {_cell(d.reason)} |")
    return [*out, ""]


def _validators_md(plan: MongoPlan) -> list[str]:
    out = [
        "### Validators",
        "",
        "Each collection checks every insert and update against its `$jsonSchema` "
        "(validationLevel and validationAction below).",
        "",
    ]
    for c in plan.collections:
        out += [
            f"#### {c.name} (validationLevel {c.validation_level}, "
            f"validationAction {c.validation_action})",
            "",
            "```json",
            json.dumps(loads(c.validator), indent=2, ensure_ascii=False),
            "```",
            "",
        ]
    return out


def _indexes_md(plan: MongoPlan) -> list[str]:
    out = [
        "### Indexes",
        "",
        "| collection | name | keys | options | serves | why |",
        "|---|---|---|---|---|---|",
    ]
    for ix in plan.indexes:
        opts = {k: v for k, v in ix.options().items() if k != "name"}
        shown = _cell(json.dumps(opts, ensure_ascii=False)) if opts else ""
        out.append(
            f"| {ix.collection} | `{ix.name}` | `{keys_text(ix.keys)}` | {shown} | "
            f"{', '.join(ix.serves)} | {_cell(ix.reason)} |"
        )
    for s in plan.search_indexes:
        out.append(
            f"| {s.collection} | `{s.name}` | vector search on `{s.path}` ({s.dimensions} dims, "
            f"{s.similarity}) | filters: {', '.join(s.filters) or 'none'} | "
            f"{', '.join(s.serves)} | Atlas Vector Search |"
        )
    dropped = [d for d in plan.decisions if d.choice.startswith("dropped: served by")]
    if dropped:
        out += ["", "Left out because another index serves them (their key is its prefix):", ""]
        out += [f"- `{d.subject}`: {d.choice}" for d in dropped]
    return [*out, ""]


def _need_md(n: MongoNeed) -> str:
    if n.index == ID_INDEX:
        return f"`_id_` on {n.collection} (built in)"
    return f"`{n.index}` on {n.collection}"


def _patterns_md(plan: MongoPlan) -> list[str]:
    out = ["### Access patterns", ""]
    for q in plan.queries:
        out += [f"#### {q.pattern} ({q.entity})", "", "```js", q.shell, "```", ""]
        out.append(
            "Index: "
            + "; ".join(_need_md(n) for n in q.needs)
            + (f". {q.note}." if q.note else ".")
        )
        out.append("")
    return out


def _sharding_md(plan: MongoPlan) -> list[str]:
    out = [
        "### Sharding",
        "",
        "| collection | documents in 3 years | shard key | reason |",
        "|---|---|---|---|",
    ]
    for s in plan.shards:
        key = f"`{keys_text(s.key)}`" if s.key else "none"
        out.append(f"| {s.collection} | {s.documents_3y:,} | {key} | {_cell(s.reason)} |")
    return [*out, ""]


def _decisions_md(plan: MongoPlan) -> list[str]:
    out = ["### Document model decisions", "", "| subject | choice | reason |", "|---|---|---|"]
    for d in plan.decisions:
        if " → " in d.subject or " ↔ " in d.subject or d.choice.startswith("dropped: served by"):
            continue
        out.append(f"| {_cell(d.subject)} | {_cell(d.choice)} | {_cell(d.reason)} |")
    return [*out, ""]


def mongo_md(plan: MongoPlan) -> list[str]:
    """The MongoDB sections of DESIGN.md, as markdown lines."""
    problems = check(plan)
    found = (
        "no problem found"
        if not problems
        else f"{len(problems)} problem(s) found: " + "; ".join(problems)
    )
    return [
        *_collections_md(plan),
        *_embed_md(plan),
        *_validators_md(plan),
        *_indexes_md(plan),
        *_patterns_md(plan),
        *_sharding_md(plan),
        *_decisions_md(plan),
        "**Not proven on a server**: no MongoDB server was given; the validators, index "
        "specifications and the index for every access pattern were checked statically "
        "(each validator against the keywords and BSON types MongoDB's $jsonSchema accepts; "
        "each index's key values, TTL, unique, text and parallel-array rules; each pattern's "
        f"query against its index by the equality, sort, range rule): {found}.",
    ]


# ---- design.json ----------------------------------------------------------------------------


def _field_json(f: MongoField) -> dict[str, Any]:
    return {
        "name": f.name,
        "bson": list(f.bson),
        "required": f.required,
        "kind": f.kind,
        "note": f.note,
    }


def mongo_json(plan: MongoPlan) -> dict[str, Any]:
    """The plan as JSON-shaped data for design.json."""
    return {
        "database": plan.database,
        "collections": [
            {
                "name": c.name,
                "entity": c.entity,
                "purpose": c.purpose,
                "fields": [_field_json(f) for f in c.fields],
                "embedded": [
                    {
                        "entity": e.entity,
                        "field": e.field,
                        "many": e.many,
                        "max_items": e.max_items,
                        "expected_items": e.expected_items,
                        "bytes_each": e.bytes_each,
                        "fields": [_field_json(f) for f in e.fields],
                    }
                    for e in c.embedded
                ],
                "validator": loads(c.validator),
                "validationLevel": c.validation_level,
                "validationAction": c.validation_action,
                "documents_3y": c.documents_3y,
                "bytes_each": c.bytes_each,
            }
            for c in plan.collections
        ],
        "indexes": [
            {
                "collection": i.collection,
                "keys": [[k, v] for k, v in i.keys],
                "options": i.options(),
                "serves": list(i.serves),
                "reason": i.reason,
            }
            for i in plan.indexes
        ],
        "search_indexes": [
            {
                "collection": s.collection,
                "name": s.name,
                "path": s.path,
                "dimensions": s.dimensions,
                "similarity": s.similarity,
                "filters": list(s.filters),
                "serves": list(s.serves),
            }
            for s in plan.search_indexes
        ],
        "queries": [
            {
                "pattern": q.pattern,
                "entity": q.entity,
                "collection": q.collection,
                "mongosh": q.shell,
                "indexes": [{"collection": n.collection, "index": n.index} for n in q.needs],
                "note": q.note,
            }
            for q in plan.queries
        ],
        "shards": [
            {
                "collection": s.collection,
                "documents_3y": s.documents_3y,
                "key": [[k, v] for k, v in s.key],
                "reason": s.reason,
            }
            for s in plan.shards
        ],
        "decisions": [
            {"subject": d.subject, "choice": d.choice, "reason": d.reason} for d in plan.decisions
        ],
        "problems": check(plan),
    }
