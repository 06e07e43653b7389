"""The query of every access pattern on MongoDB (mongosh text) and what it needs of an index.

Index keys follow the equality, sort, range rule (ESR): the fields compared with one value
(``equal``, ``in``, ``is_null``, a per-group list, the tenant) first, then the sort fields with
their direction, then the fields compared with a bound (``range``, ``after``, ``before``,
``not_null``). A ``fixed`` filter is the index's ``partialFilterExpression`` (the query repeats
it, so the planner may use the partial index). Each query is built with the index it asks for
(:class:`Wanted`); :mod:`.mongo_indexes` merges those into the collection's indexes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from dbdesign.design.mongo_embed import (
    Homes,
    collection_name,
    home,
    path,
    role,
    tenant_field,
)
from dbdesign.design.mongo_model import ID_INDEX, KeyValue, MongoNeed, MongoQuery, dumps
from dbdesign.readers.spec import Attribute, Spec, feature_on
from dbdesign.readers.spec_patterns import AccessPattern, via_links

CASE_INSENSITIVE = {"locale": "en", "strength": 2}  # e-mail addresses compare without case
TEXT = "#text"  # a need's index while the collection's one text index is not yet named
VECTOR = "#vector"


class P(str):
    """A value the application passes: rendered as ``params.<name>``."""


def js(v: Any) -> str:
    """A JSON-shaped value as JavaScript (object keys quoted unless plain identifiers)."""
    if isinstance(v, P):
        return f"params.{v}"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)}: {js(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(js(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False)


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", k) else json.dumps(k)


def coll(name: str) -> str:
    """``db.getCollection(name)``: safe for any name (``db.stats`` would be a method)."""
    return f"db.getCollection({json.dumps(name)})"


@dataclass
class Wanted:
    """An index a query asks for (merged later with the others of its collection)."""

    collection: str
    keys: list[tuple[str, KeyValue]]
    partial: dict[str, Any] = field(default_factory=dict)
    collation: dict[str, Any] = field(default_factory=dict)
    unique: bool = False
    ttl: int | None = None
    serves: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    token: str = ""  # what needs name it by until it is named
    eq: list[str] = field(default_factory=list)  # the fields its query compares with a value

    @property
    def partial_json(self) -> str:
        return dumps(self.partial) if self.partial else ""

    @property
    def collation_json(self) -> str:
        return dumps(self.collation) if self.collation else ""


@dataclass
class _Filter:
    """A query's filter and the index it needs, built one kind of comparison at a time."""

    filt: dict[str, Any] = field(default_factory=dict)
    eq: list[str] = field(default_factory=list)
    sort: list[tuple[str, int]] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    fixed: dict[str, Any] = field(default_factory=dict)
    email: bool = False


def _param(p: str) -> str:
    return p.rsplit(".", 1)[-1].lstrip("_") or "id"


class Queries:
    """Builds the query of each access pattern of a spec, given where each entity lives."""

    def __init__(self, spec: Spec, h: Homes) -> None:
        self.spec, self.h = spec, h
        self.wanted: list[Wanted] = []
        self.text_fields: dict[str, list[str]] = {}  # collection -> searchable paths
        self.text_patterns: dict[str, list[str]] = {}
        self.vectors: dict[tuple[str, str], tuple[int, str, list[str], list[str]]] = {}
        self.notes: list[tuple[str, str, str]] = []  # decisions: subject, choice, reason

    # -- helpers ---------------------------------------------------------------------------

    def path(self, entity: str, f: str) -> str:
        return path(self.spec, self.h, entity, f)

    def want(self, w: Wanted) -> str:
        w.token = f"#{len(self.wanted)}"
        self.wanted.append(w)
        return w.token

    def _is_email(self, entity: str, f: str) -> bool:
        a = self.spec.entities[entity].attributes.get(f)
        return isinstance(a, Attribute) and a.type == "email"

    def _root(self, entity: str) -> str:
        emb = self.h.embedded.get(entity)
        return emb.parent if emb else entity

    def _base(self, p: AccessPattern) -> _Filter:
        """Tenant first, then the pattern's equalities, lists, nulls and constants."""
        q = _Filter()
        tf = tenant_field(self.spec, self._root(p.entity))
        if tf and tf not in [self.path(p.entity, f) for f in p.equal]:
            q.filt[tf] = P(tf)
            q.eq.append(tf)
        for f in p.equal:
            q.filt[self.path(p.entity, f)] = P(_param(self.path(p.entity, f)))
        for f in p.in_:
            q.filt[self.path(p.entity, f)] = {"$in": P(_param(self.path(p.entity, f)) + "_list")}
        for f in p.is_null:
            q.filt[self.path(p.entity, f)] = None
        q.eq += [self.path(p.entity, f) for f in (*p.equal, *p.in_, *p.is_null)]
        q.email = any(self._is_email(p.entity, f) for f in (*p.equal, *p.in_))
        for f, v in p.fixed.items():
            q.fixed[self.path(p.entity, f)] = v
            q.filt[self.path(p.entity, f)] = v
        return q

    def _bounds(self, p: AccessPattern, q: _Filter) -> None:
        for f in p.range:
            n = self.path(p.entity, f)
            q.filt[n] = {"$gte": P(_param(n) + "_from"), "$lt": P(_param(n) + "_to")}
        for f in p.after:
            q.filt[self.path(p.entity, f)] = {"$gte": P(_param(self.path(p.entity, f)) + "_from")}
        for f in p.before:
            q.filt[self.path(p.entity, f)] = {"$lt": P(_param(self.path(p.entity, f)) + "_to")}
        for f in p.not_null:
            q.filt[self.path(p.entity, f)] = {"$ne": None}
        bounded = (*p.range, *p.after, *p.before, *p.not_null)
        q.range = [self.path(p.entity, f) for f in bounded]

    def _sort(self, p: AccessPattern) -> list[tuple[str, int]]:
        return [
            (self.path(p.entity, s.removeprefix("-")), -1 if s.startswith("-") else 1)
            for s in p.sort
        ]

    def _live(self, p: AccessPattern, q: _Filter) -> None:
        """Soft delete: a live document has no deleted_at (not indexed: few are deleted)."""
        e = self.spec.entities[p.entity]
        if feature_on(self.spec, e, "soft_delete") and p.entity not in self.h.embedded:
            q.filt.setdefault("deleted_at", None)

    def _need(self, coll_name: str, q: _Filter, name: str, ranged: bool = True) -> MongoNeed:
        """The need of a B-tree query, with the index it wants (unless _id serves it)."""
        if "_id" in q.eq:
            return MongoNeed(coll_name, ID_INDEX, equality=("_id",))
        sort = [s for s in q.sort if s[0] not in q.eq]
        rng = [r for r in q.range if r not in q.eq and r not in dict(sort)] if ranged else []
        keys: list[tuple[str, KeyValue]] = [
            *((f, 1) for f in dict.fromkeys(q.eq)),
            *sort,
            *((f, 1) for f in dict.fromkeys(rng)),
        ]
        if not keys and q.fixed:
            keys = [(f, 1) for f in q.fixed]
        if not keys:
            return MongoNeed(coll_name, ID_INDEX)
        collation = CASE_INSENSITIVE if q.email else {}
        token = self.want(
            Wanted(
                coll_name,
                keys,
                dict(q.fixed),
                collation,
                serves=[name],
                reasons=[name],
                eq=list(q.eq),
            )
        )
        eq = tuple(dict.fromkeys(q.eq)) or (tuple(q.fixed) if keys[0][0] in q.fixed else ())
        return MongoNeed(
            coll_name,
            token,
            equality=eq,
            sort=tuple(sort),
            range=tuple(dict.fromkeys(rng)),
            partial=dumps(q.fixed) if q.fixed else "",
            collation=dumps(collation) if collation else "",
        )

    # -- the patterns ----------------------------------------------------------------------

    def query(self, p: AccessPattern) -> MongoQuery:
        if p.similar_to:
            return self._vector(p)
        if p.text_search:
            return self._text(p)
        if p.via:
            return self._via(p)
        if p.any_of:
            return self._any_of(p)
        emb = self.h.embedded.get(p.entity)
        if emb and (role(emb.relationship) in p.equal or role(emb.relationship) in p.in_):
            return self._children(p)
        if p.grouped or p.per_group:
            return self._aggregate(p)
        return self._find(p)

    def _find(self, p: AccessPattern) -> MongoQuery:
        name = home(self.spec, self.h, p.entity)
        q = self._base(p)
        self._bounds(p, q)
        q.sort = self._sort(p)
        if p.keyset and q.sort:
            self._keyset(q)
        self._live(p, q)
        emb = self.h.embedded.get(p.entity)
        if emb and emb.many:
            q.filt = _elem_match(q.filt, emb.field)
        need = self._need(name, q, p.name)
        note = ""
        if emb:
            note = (
                f"finds the {emb.parent} documents whose `{emb.field}` holds a match "
                "(multikey index on the dotted path)"
            )
        return MongoQuery(p.name, p.entity, name, self._shell(name, q, p), (need,), note)

    def _keyset(self, q: _Filter) -> None:
        """The page after the previous page's last row: the sort fields, then _id."""
        d = q.sort[0][1]
        q.sort.append(("_id", d))
        op = "$gt" if d == 1 else "$lt"
        branches = []
        for i, (f, _) in enumerate(q.sort):
            b: dict[str, Any] = {g: P("after_" + _param(g)) for g, _ in q.sort[:i]}
            b[f] = {op: P("after_" + _param(f))}
            branches.append(b)
        q.filt["$or"] = branches

    def _shell(
        self,
        name: str,
        q: _Filter,
        p: AccessPattern,
        proj: dict[str, Any] | None = None,
        sort_js: str = "",
    ) -> str:
        if proj is None and p.select:
            proj = {self.path(p.entity, f): 1 for f in p.select}
        args = js(q.filt) + (f", {js(proj)}" if proj else "")
        out = f"{coll(name)}.find({args})"
        if sort_js or q.sort:
            out += f".sort({sort_js or js(dict(q.sort))})"
        if p.limit:
            out += f".limit({p.limit})"
        if q.email:
            out += f".collation({js(CASE_INSENSITIVE)})"
        return out

    def _children(self, p: AccessPattern) -> MongoQuery:
        """The children of one parent: they are in its document."""
        emb = self.h.embedded[p.entity]
        name = home(self.spec, self.h, p.entity)
        r = role(emb.relationship)
        q = _Filter()
        tf = tenant_field(self.spec, emb.parent)
        if tf:
            q.filt[tf] = P(tf)
        q.filt["_id"] = P(f"{r}_id") if r in p.equal else {"$in": P(f"{r}_id_list")}
        q.eq = ["_id"]
        shell = f"{coll(name)}.find({js(q.filt)}, {js({emb.field: 1})})"
        others = [f for f in (*p.equal, *p.in_, *p.fixed) if f != r]
        note = f"the {p.entity} of one {emb.parent} are its document's `{emb.field}`"
        if others or p.sort:
            note += "; the application picks and orders them in the array (at most a few)"
        return MongoQuery(p.name, p.entity, name, shell, (self._need(name, q, p.name),), note)

    def _aggregate(self, p: AccessPattern) -> MongoQuery:
        name = home(self.spec, self.h, p.entity)
        q = self._base(p)
        self._bounds(p, q)
        self._live(p, q)
        stages: list[dict[str, Any]] = []
        if p.per_group:
            by = self.path(p.entity, p.per_group.by)
            q.filt[by] = {"$in": P(_param(by) + "_list")}
            q.eq.append(by)
            q.sort = self._sort(p)
            sort_by = dict(q.sort)
            top = {"n": p.per_group.limit, "sortBy": sort_by, "output": "$$ROOT"}
            stages = [{"$match": q.filt}, {"$sort": sort_by}]
            stages.append({"$group": {"_id": f"${by}", "rows": {"$topN": top}}})
        else:
            group: dict[str, Any] = {
                "_id": {g: f"${self.path(p.entity, g)}" for g in p.group_by} or None
            }
            for a in p.aggregates:
                value: Any = 1 if a.field is None else f"${self.path(p.entity, a.field)}"
                group[a.alias] = {f"${'sum' if a.fn == 'count' else a.fn}": value}
            stages = [{"$match": q.filt}, {"$group": group}]
            if p.sort:
                stages.append(
                    {"$sort": {s.removeprefix("-"): -1 if s.startswith("-") else 1 for s in p.sort}}
                )
            if p.limit:
                stages.append({"$limit": p.limit})
        shell = f"{coll(name)}.aggregate({js(stages)})"
        need = self._need(name, q, p.name)
        return MongoQuery(p.name, p.entity, name, shell, (need,), "the index serves $match")

    def _any_of(self, p: AccessPattern) -> MongoQuery:
        """An OR: each branch has its own index, which MongoDB reads and merges."""
        name = home(self.spec, self.h, p.entity)
        base = self._base(p)
        needs = []
        branches = []
        # One collation for the whole query: every branch's index must have it.
        email = any(self._is_email(p.entity, f) for b in p.any_of for f in b)
        for branch in p.any_of:
            q = _Filter(eq=[*base.eq, *(self.path(p.entity, f) for f in branch)], email=email)
            q.sort = self._sort(p)
            paths = [self.path(p.entity, f) for f in branch]
            branches.append({n: P(_param(n)) for n in paths})
            needs.append(self._need(name, q, p.name))
        base.filt["$or"] = branches
        base.sort = self._sort(p)
        self._live(p, base)
        base.email = email
        return MongoQuery(
            p.name,
            p.entity,
            name,
            self._shell(name, base, p),
            tuple(needs),
            "an index per $or branch",
        )

    def _text(self, p: AccessPattern) -> MongoQuery:
        name = home(self.spec, self.h, p.entity)
        e = self.spec.entities[p.entity]
        fields = [
            self.path(p.entity, n)
            for n, a in e.attributes.items()
            if isinstance(a, Attribute) and a.searchable
        ]
        self.text_fields.setdefault(name, [])
        self.text_fields[name] += [f for f in fields if f not in self.text_fields[name]]
        self.text_patterns.setdefault(name, []).append(p.name)
        q = self._base(p)
        self._bounds(p, q)
        self._live(p, q)
        q.filt = {"$text": {"$search": P("search")}, **q.filt}
        if p.ranked:
            q.sort = []
            proj = {"score": {"$meta": "textScore"}}
            shell = self._shell(name, q, p, proj, sort_js='{score: {$meta: "textScore"}}')
        else:
            q.sort = self._sort(p)
            shell = self._shell(name, q, p)
        need = MongoNeed(name, TEXT, kind="text")
        note = "the text index finds the matches; the other filters and the sort apply to them"
        return MongoQuery(p.name, p.entity, name, shell, (need,), note)

    def _vector(self, p: AccessPattern) -> MongoQuery:
        assert p.similar_to and p.limit
        name = home(self.spec, self.h, p.entity)
        vpath = self.path(p.entity, p.similar_to)
        q = self._base(p)
        e = self.spec.entities[p.entity]
        a = e.attributes[p.similar_to]
        assert isinstance(a, Attribute)
        sim = {"cosine": "cosine", "l2": "euclidean", "inner_product": "dotProduct"}[p.distance]
        key = (name, vpath)
        dims, _, filters, serves = self.vectors.get(key, (a.dim or 1, sim, [], []))
        filters += [f for f in (*q.eq, *q.fixed) if f not in filters]
        serves.append(p.name)
        self.vectors[key] = (dims, sim, filters, serves)
        search: dict[str, Any] = {
            "index": f"vector_{vpath}",
            "path": vpath,
            "queryVector": P("vector"),
            "numCandidates": p.limit * 20,
            "limit": p.limit,
        }
        if q.filt:
            search["filter"] = q.filt
        shell = f"{coll(name)}.aggregate({js([{'$vectorSearch': search}])})"
        need = MongoNeed(name, f"vector_{vpath}", kind="vector")
        note = f"Atlas Vector Search ({sim}); numCandidates 20 x limit for recall {p.recall:g}"
        return MongoQuery(p.name, p.entity, name, shell, (need,), note)

    def _via(self, p: AccessPattern) -> MongoQuery:
        r = via_links(p, self.spec.relationships)[0]
        link = next(x for x in self.h.links if x.relationship is r)
        assert r.between
        other = r.between[1] if r.between[0] == p.entity else r.between[0]
        name = home(self.spec, self.h, p.entity)
        other_coll = collection_name(self.spec, other)
        oid = f"{other}_id"
        tail = (f".sort({js(dict(self._sort(p)))})" if p.sort else "") + (
            f".limit({p.limit})" if p.limit else ""
        )
        if link.holder == p.entity:
            fpath = link.field if link.field.endswith("_ids") else f"{link.field}.{oid}"
            q = self._base(p)
            q.filt[fpath] = P(oid)
            q.eq.append(fpath)
            q.sort = self._sort(p)
            self._live(p, q)
            need = self._need(name, q, p.name)
            return MongoQuery(
                p.name,
                p.entity,
                name,
                self._shell(name, q, p),
                (need,),
                f"`{link.field}` is a multikey index",
            )
        mine = f"{p.entity}_id"
        if link.holder == other:
            ids = (
                f"o.{link.field}"
                if link.field.endswith("_ids")
                else f"o.{link.field}.map((x) => x.{mine})"
            )
            proj = js({link.field: 1})
            first = f"const o = {coll(other_coll)}.findOne({{_id: params.{oid}}}, {proj});"
            steps = (MongoNeed(other_coll, ID_INDEX, equality=("_id",)),)
        else:
            first = (
                f"const ids = {coll(link.collection)}.find({{{oid}: params.{oid}}}, {{{mine}: 1}})"
                f".toArray().map((x) => x.{mine});"
            )
            ids = "ids"
            steps = (MongoNeed(link.collection, f"#link:{link.collection}:{oid}", equality=(oid,)),)
        shell = f"{first}\n{coll(name)}.find({{_id: {{$in: {ids}}}}}){tail}"
        needs = (*steps, MongoNeed(name, ID_INDEX, equality=("_id",)))
        return MongoQuery(
            p.name, p.entity, name, shell, needs, "two reads: the links, then the documents by _id"
        )


def _elem_match(filt: dict[str, Any], array: str) -> dict[str, Any]:
    """Two or more conditions on one embedded array: $elemMatch, so one element meets them all."""
    prefix = array + "."
    inner = {k.removeprefix(prefix): v for k, v in filt.items() if k.startswith(prefix)}
    if len(inner) < 2:
        return filt
    out = {k: v for k, v in filt.items() if not k.startswith(prefix)}
    out[array] = {"$elemMatch": inner}
    return out
