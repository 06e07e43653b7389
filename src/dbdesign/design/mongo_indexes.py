"""The indexes of a MongoDB design: those the access patterns want (:mod:`.mongo_queries`), the
unique ones, those that find a parent's referencing children, the TTL index of an entity with a
retention, one text index per collection; merged (an index whose key is a prefix of another's
with the same options is dropped: the longer one serves its queries) and named."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

from dbdesign.design.draft import DAY, Decision
from dbdesign.design.mongo_embed import Homes, collection_name, home, path, references_of, role
from dbdesign.design.mongo_model import (
    ID_INDEX,
    KeyValue,
    MongoCollection,
    MongoIndex,
    MongoNeed,
    MongoQuery,
    MongoSearchIndex,
    keys_text,
)
from dbdesign.design.mongo_queries import CASE_INSENSITIVE, TEXT, Queries, Wanted
from dbdesign.readers.spec import Attribute, Spec

MAX_INDEX_NAME = 120  # bytes; MongoDB allows 127 (namespace limits were lifted in 4.2)


def _prefix_of(w: Wanted, long: list[tuple[str, KeyValue]]) -> bool:
    """Whether an index on ``long`` serves every query an index on ``w.keys`` serves: the
    leading fields ``w``'s query compares with one value, in any order, then the rest of
    ``w.keys`` as it is or with every direction reversed (an index is read both ways)."""
    short = w.keys
    if len(short) > len(long) or any(not isinstance(v, int) for _, v in (*long, *short)):
        return False
    n = 0
    while n < len(short) and short[n][0] in w.eq:
        n += 1
    if {k for k, _ in short[:n]} != {k for k, _ in long[:n]}:
        return False
    rest, head = short[n:], long[n : len(short)]
    flipped = [(k, -v) for k, v in rest if isinstance(v, int)]
    return head in (rest, flipped)


def _absorbs(big: Wanted, w: Wanted) -> bool:
    same = (big.collection, big.partial_json, big.collation_json) == (
        w.collection,
        w.partial_json,
        w.collation_json,
    )
    if not same:
        return False
    if big.keys == w.keys and (big.unique, big.ttl) == (w.unique, w.ttl):
        return True  # the same index asked for twice
    return not w.unique and w.ttl is None and _prefix_of(w, big.keys)


def _exists_only(big: Wanted, w: Wanted) -> bool:
    """A unique index on optional fields (partial: each present) serves a query that compares
    each of them with a value (a value implies the field is present) and wants no partial."""
    if w.partial or w.unique or w.ttl is not None or not big.partial:
        return False
    if (big.collection, big.collation_json) != (w.collection, w.collation_json):
        return False
    present = all(v == {"$exists": True} for v in big.partial.values())
    return present and set(big.partial) <= set(w.eq) and _prefix_of(w, big.keys)


class Indexer:
    def __init__(
        self, spec: Spec, h: Homes, qs: Queries, collections: list[MongoCollection]
    ) -> None:
        self.spec, self.h, self.qs = spec, h, qs
        self.collections = {c.name: c for c in collections}
        self.decisions: list[Decision] = []

    def add(self, w: Wanted) -> str:
        return self.qs.want(w)

    # -- the indexes no pattern names ------------------------------------------------------

    def uniques(self) -> None:
        for name, e in self.spec.entities.items():
            groups: list[tuple[str, ...]] = [
                (a,) for a, x in e.attributes.items() if isinstance(x, Attribute) and x.unique
            ]
            groups += list(e.unique_together)
            groups += [u.columns for u in e.unique if u.where is None]
            emb = self.h.embedded.get(name)
            if emb:
                groups = self._embedded_uniques(name, groups)
            for u in e.unique:
                if u.where is not None:
                    self.decisions.append(
                        Decision(
                            f"{name} unique {', '.join(u.columns)} where {u.where}",
                            "kept by the application",
                            "a partialFilterExpression cannot state the condition "
                            "(it takes equalities, $exists: true, $gt/$lt, $type, $and)",
                        )
                    )
            for g in dict.fromkeys(groups):
                self._unique(name, g)

    def _embedded_uniques(self, name: str, groups: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
        """An embedded child's unique keys: a unique index on the dotted paths keeps two
        parents from sharing a value, not two elements of one parent's array (the application
        keeps those apart, $addToSet or a check before $push). A key with the parent's
        reference is only about one parent's array: the application's alone."""
        emb = self.h.embedded[name]
        kept = [g for g in groups if role(emb.relationship) not in g]
        for g in groups:
            if g in kept:
                d = Decision(
                    f"{name} unique ({', '.join(g)})",
                    "unique multikey index on the dotted paths",
                    f"{name} is embedded in {emb.parent}: the index keeps two {emb.parent} "
                    "documents from sharing a value; within one document's array the "
                    "application checks before $push (an index does not)",
                )
            else:
                d = Decision(
                    f"{name} unique ({', '.join(g)})",
                    "kept by the application",
                    f"{name} is embedded in {emb.parent} and the key includes the "
                    f"{emb.parent}: it is about the elements of one document's array, which "
                    "no index keeps apart; the application checks before $push",
                )
            self.decisions.append(d)
        return kept

    def _unique(self, entity: str, group: tuple[str, ...]) -> None:
        coll = home(self.spec, self.h, entity)
        c = self.collections[coll]
        fields = {f.name: f for f in c.fields}
        for x in c.embedded:
            fields.update({f"{x.field}.{f.name}": f for f in x.fields})
        keys: list[tuple[str, KeyValue]] = [(path(self.spec, self.h, entity, f), 1) for f in group]
        partial: dict[str, Any] = {}
        for k, _ in keys:
            f = fields.get(k)
            if f is not None and not f.required:
                partial[k] = {"$exists": True}
        email = any(
            isinstance(a := self.spec.entities[entity].attributes.get(g), Attribute)
            and a.type == "email"
            for g in group
        )
        why = "unique in the spec"
        if partial:
            why += (
                "; partial on the fields being present ($exists), so many documents may lack them"
            )
        if email:
            why += "; case-insensitive (collation strength 2), as e-mail addresses compare"
        self.add(
            Wanted(
                coll,
                keys,
                partial,
                CASE_INSENSITIVE if email else {},
                unique=True,
                serves=[],
                reasons=[why],
            )
        )

    def references(self) -> None:
        """Children find their parent's _id in them: an index on the reference, so a parent's
        children are found (and its delete checked or cascaded) without a scan."""
        for child in self.spec.entities:
            emb = self.h.embedded.get(child)
            for r in references_of(self.spec, child):
                if emb and emb.relationship is r:
                    continue
                coll = home(self.spec, self.h, child)
                key = path(self.spec, self.h, child, role(r))
                why = f"finds the {child} of a {r.parent} (on delete: {r.on_delete})"
                self.add(Wanted(coll, [(key, 1)], reasons=[why]))
        for link in self.h.links:
            r = link.relationship
            assert r.between
            if link.holder:
                coll = collection_name(self.spec, link.holder)
                key = link.field if link.field.endswith("_ids") else f"{link.field}.{link.other}_id"
                why = f"finds the {link.holder} documents linked to a {link.other} (multikey)"
                self.add(Wanted(coll, [(key, 1)], reasons=[why]))
                continue
            a, b = (f"{x}_id" for x in r.between)
            w = Wanted(
                link.collection, [(a, 1), (b, 1)], unique=True, reasons=["one link per pair"]
            )
            self.qs.wanted.append(w)
            w.token = f"#link:{link.collection}:{a}"
            back = Wanted(
                link.collection, [(b, 1), (a, 1)], reasons=[f"the links of a {r.between[1]}"]
            )
            self.qs.wanted.append(back)
            back.token = f"#link:{link.collection}:{b}"

    def ttl(self) -> None:
        for name, e in self.spec.entities.items():
            if e.retention_days is None:
                continue
            subject = f"{name} retention ({e.retention_days} days)"
            if name in self.h.embedded:
                self.decisions.append(
                    Decision(
                        subject,
                        "no TTL index: the application removes old elements ($pull)",
                        f"{name} is embedded: a TTL index deletes whole documents, "
                        "not array elements",
                    )
                )
                continue
            c = self.collections[collection_name(self.spec, name)]
            dates = [f for f in c.fields if f.bson == ("date",) and f.required]
            pick = next((f for f in dates if f.name == "created_at"), dates[0] if dates else None)
            if pick is None:
                self.decisions.append(
                    Decision(
                        subject, "no TTL index", f"{c.name} has no required date field to expire by"
                    )
                )
                continue
            seconds = e.retention_days * DAY
            what = "the creation time" if pick.name == "created_at" else "its first required date"
            self.add(
                Wanted(
                    c.name, [(pick.name, 1)], ttl=seconds, reasons=[f"TTL: {e.retention_days} days"]
                )
            )
            self.decisions.append(
                Decision(
                    subject,
                    f"TTL index on {c.name}.{pick.name}, expireAfterSeconds {seconds:,}",
                    f"{e.retention_days} days x 86,400 s; a TTL index is a single-field index on "
                    f"a date: {pick.name} ({what}); "
                    "the TTL monitor deletes expired documents about once a minute",
                )
            )

    def text(self) -> None:
        for coll, fields in self.qs.text_fields.items():
            pats = self.qs.text_patterns[coll]
            w = Wanted(
                coll, [(f, "text") for f in fields], serves=list(pats), reasons=["full-text search"]
            )
            self.qs.wanted.append(w)
            w.token = f"{TEXT}:{coll}"
            if len(pats) > 1:
                self.decisions.append(
                    Decision(
                        f"{coll} text search",
                        f"one text index over {', '.join(fields)}",
                        f"a collection has at most one text index: patterns {', '.join(pats)} "
                        "share it (each may match words of the others' fields)",
                    )
                )

    # -- merging and naming ------------------------------------------------------------------

    def merge(self) -> tuple[list[MongoIndex], dict[tuple[str, str], str]]:
        """The indexes left once each that another serves is dropped, named; and the name
        each request's token now stands for."""
        order = {id(w): i for i, w in enumerate(self.qs.wanted)}
        ranked = sorted(
            self.qs.wanted, key=lambda w: (-len(w.keys), not w.unique, w.ttl is None, order[id(w)])
        )
        kept: list[Wanted] = []
        alias: dict[tuple[str, str], Wanted | None] = {}
        for w in ranked:
            if w.keys == [("_id", 1)] and not w.partial:
                alias[(w.collection, w.token)] = None
                continue
            big = next((k for k in kept if _absorbs(k, w) or _exists_only(k, w)), None)
            if big is None:
                kept.append(w)
                alias[(w.collection, w.token)] = w
                continue
            big.serves += [s for s in w.serves if s not in big.serves]
            big.reasons += [r for r in w.reasons if r not in big.reasons]
            alias[(w.collection, w.token)] = big
            if big.keys != w.keys:
                self.decisions.append(
                    Decision(
                        f"{w.collection} index {keys_text(w.keys)}",
                        f"dropped: served by {keys_text(big.keys)}",
                        "its key is a prefix of the other's (equality fields in any order, the "
                        "rest as it is or all reversed) with the same options: the longer index "
                        "answers the same queries, one index less to keep up on writes",
                    )
                )
        kept.sort(key=lambda w: (w.collection, order[id(w)]))
        names: dict[int, str] = {}
        used: set[tuple[str, str]] = set()
        out = []
        for w in kept:
            n = _name(w)
            base, i = n, 2
            while (w.collection, n) in used:
                n, i = f"{base}_{i}", i + 1
            used.add((w.collection, n))
            names[id(w)] = n
            out.append(
                MongoIndex(
                    collection=w.collection,
                    name=n,
                    keys=tuple(w.keys),
                    unique=w.unique,
                    partial=w.partial_json,
                    expire_after_seconds=w.ttl,
                    collation=w.collation_json,
                    serves=tuple(w.serves),
                    reason="; ".join(w.reasons[:3]),
                )
            )
        resolved = {k: (names[id(v)] if v is not None else ID_INDEX) for k, v in alias.items()}
        return out, resolved

    def search_indexes(self) -> list[MongoSearchIndex]:
        out = []
        for (coll, vpath), (dims, sim, filters, serves) in self.qs.vectors.items():
            out.append(
                MongoSearchIndex(
                    coll, f"vector_{vpath}", vpath, dims, sim, tuple(filters), tuple(serves)
                )
            )
        return out


def _name(w: Wanted) -> str:
    base = "_".join(f"{k}_{v}" for k, v in w.keys)
    if w.unique:
        base = "uq_" + base
    if w.ttl is not None:
        base = "ttl_" + base
    if w.partial:
        simple = all(not isinstance(v, dict) for v in w.partial.values())
        base += (
            "_where_" + "_".join(f"{k}_{v}" for k, v in w.partial.items()) if simple else "_present"
        )
    if w.collation:
        base += "_ci"
    if len(base.encode()) > MAX_INDEX_NAME:
        digest = hashlib.sha1(base.encode()).hexdigest()[:8]
        base = base.encode()[: MAX_INDEX_NAME - 9].decode(errors="ignore") + "_" + digest
    return base


def resolve(queries: list[MongoQuery], names: dict[tuple[str, str], str]) -> list[MongoQuery]:
    """The queries with each need's token replaced by its index's name."""

    def one(n: MongoNeed) -> MongoNeed:
        key = (n.collection, f"{TEXT}:{n.collection}" if n.index == TEXT else n.index)
        return replace(n, index=names.get(key, n.index))

    return [replace(q, needs=tuple(one(n) for n in q.needs)) for q in queries]
