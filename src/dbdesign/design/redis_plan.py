"""A Redis design from a spec: the key families (naming, the data structure each one is and why),
TTLs, the commands each access pattern and write sends, eviction, persistence and a memory
estimate (:func:`redis_design`). The proof on a real Redis is :mod:`.prove_redis`.

An entity becomes, by the shape of its reads:

- a **counter** per key and window (``INCR`` + ``EXPIRE``) when it is an expiring append-only log
  read only as a count since a time: a fixed-window rate limit;
- a **sorted set** per group when it is unique per (group, member) and read as the top of the
  group by one number: a leaderboard (the sorted set is the record);
- a **stream** per group when it is append-only and read newest first by group: a feed;
- else a **hash** per row keyed by the unique field it is looked up by, with a string per other
  unique field (``SET NX`` keeps it unique) and a sorted set per group read by a non-unique field.

Reads Redis cannot serve from its structures (full-text, similarity, ad-hoc filters and
aggregations) are refused with the reason: they belong in a relational part of the design."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dbdesign.design.draft import ASSUMED_RPO_MINUTES, DAY, PROJECTION_YEARS, Decision
from dbdesign.errors import UnsupportedError
from dbdesign.readers.spec import Attribute, Entity, Spec
from dbdesign.readers.spec_patterns import AccessPattern

NUMBERS = frozenset({"integer", "decimal", "money", "timestamp", "date", "duration"})
TIMES = frozenset({"timestamp", "date"})
FEED_MAX = 10_000  # entries a stream keeps per key (MAXLEN ~) when nothing states fewer
# Bytes a value of each semantic type takes as text in Redis (timestamps as epoch milliseconds).
VALUE_BYTES = {
    "identifier": 24, "text": 32, "long_text": 200, "email": 24, "url": 60, "phone": 13,
    "money": 8, "decimal": 8, "integer": 6, "boolean": 1, "date": 10, "timestamp": 13,
    "time": 8, "duration": 6, "json": 200, "uuid": 36, "country_code": 2, "isbn": 13,
    "ean": 13, "iban": 22, "currency_code": 3, "ip_address": 15, "password_hash": 60,
}  # fmt: skip
KEY_OVERHEAD = 72  # dict entry, key and value objects of one key (jemalloc size classes)
TTL_OVERHEAD = 24  # the key's entry in the expires dict
LISTPACK_ITEMS = 128  # hash/zset past this many entries leave the compact encoding
EXPIRES = "expires_ms"  # the score of an index whose members expire: their expiry time


@dataclass(frozen=True, slots=True)
class Family:
    """Keys of one shape: ``key`` is the template, ``<field>`` the parts taken from the row."""

    name: str
    entity: str
    key: str
    structure: str  # "hash" | "string" | "counter" | "sorted set" | "stream"
    holds: str  # what one key holds, in words
    why: str
    ttl_seconds: int | None
    keys: int  # keys at the stated volume
    keys_later: int  # keys after PROJECTION_YEARS of the stated growth
    items: int  # fields / members / entries per key
    bytes_per_key: int  # estimated (the proof measures it)
    fields: tuple[str, ...] = ()  # the row's fields a key keeps (hash, stream entry)
    member: str = ""  # sorted set: the field that is the member ...
    score: str = ""  # ... and the one that is the score


@dataclass(frozen=True, slots=True)
class Trip:
    """One round trip: the commands sent together (in MULTI/EXEC when ``atomic``). In
    ``per_member`` trips the commands repeat for each member the previous trip returned."""

    commands: tuple[tuple[str, ...], ...]
    atomic: bool = False
    per_member: bool = False

    def lines(self) -> list[str]:
        out = [" ".join(c) for c in self.commands]
        if self.per_member:
            out = [f"{x}   (for each member read before, pipelined)" for x in out]
        return ["MULTI", *out, "EXEC"] if self.atomic else out


@dataclass(frozen=True, slots=True)
class Access:
    """An access pattern or a write, as the Redis commands it sends."""

    name: str
    entity: str
    write: bool
    trips: tuple[Trip, ...]
    families: tuple[str, ...]
    why: str
    latency_ms: float = 100.0
    limit: int | None = None  # reads of a top-k
    op: str = ""  # writes: insert | update | delete


@dataclass(frozen=True, slots=True)
class RedisPlan:
    prefix: str
    families: tuple[Family, ...]
    accesses: tuple[Access, ...]
    eviction: str
    eviction_why: str
    persistence: tuple[str, ...]  # redis.conf lines
    persistence_why: str
    decisions: tuple[Decision, ...]
    loads: tuple[Access, ...] = ()  # an insert of each entity kept (the proof's sample rows)

    def load_of(self, entity: str) -> Access:
        return next(a for a in self.loads if a.entity == entity)

    def family(self, name: str) -> Family:
        return next(f for f in self.families if f.name == name)

    def memory(self, later: bool = False) -> int:
        return sum((f.keys_later if later else f.keys) * f.bytes_per_key for f in self.families)


def redis_design(spec: Spec) -> RedisPlan:
    """The Redis design of ``spec``; :class:`UnsupportedError` names every read Redis's
    structures cannot serve, with why."""
    b = _Builder(spec)
    for name, e in spec.entities.items():
        b.entity(name, e)
    if b.refused:
        raise UnsupportedError(
            "Redis cannot serve these reads from its data structures (design them in a "
            "relational part, or leave database: auto to choose):\n  " + "\n  ".join(b.refused)
        )
    for w in spec.writes:
        b.write(w.name, w.entity, w.operation, w.fields)
    loads = tuple(b.access(f"load {e}", e, "insert", ()) for e in b.shape)
    eviction, ev_why = _eviction(b.families)
    persistence, p_why = _persistence(spec)
    b.decide("keys", f"<{b.prefix}>:<entity>:<id>[:<field>]", _NAMING)
    b.decide("values", "text; timestamps as epoch milliseconds", _VALUES)
    return RedisPlan(
        prefix=b.prefix,
        families=tuple(b.families),
        accesses=tuple(b.accesses),
        eviction=eviction,
        eviction_why=ev_why,
        persistence=persistence,
        persistence_why=p_why,
        decisions=tuple(b.decisions),
        loads=tuple(x for x in loads if x is not None),
    )


_NAMING = (
    "colon-separated, the application's name first: one SCAN MATCH prefix finds a family, "
    "ACLs can grant by prefix (~app:*), and the names stay short (every key's name is held in "
    "memory)"
)
_VALUES = (
    "Redis stores strings: integers are kept in their compact integer encoding, timestamps as "
    "epoch milliseconds so they sort and serve as sorted-set scores, JSON as its text"
)


class _Builder:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.prefix = re.sub(r"[^a-z0-9]+", "-", spec.project.name.lower()).strip("-") or "app"
        self.families: list[Family] = []
        self.accesses: list[Access] = []
        self.decisions: list[Decision] = []
        self.refused: list[str] = []
        self.shape: dict[str, str] = {}  # entity -> "counter" | "board" | "feed" | "record"

    def decide(self, subject: str, choice: str, reason: str) -> None:
        self.decisions.append(Decision(subject, choice, reason))

    # ---- fields -------------------------------------------------------------------------

    def field(self, entity: str, name: str) -> str:
        """The stored name of a pattern's field: an attribute, or ``<parent>_id``."""
        e = self.spec.entities[entity]
        return name if name in e.attributes or name == "id" else f"{name}_id"

    def groups(self, entity: str, name: str) -> int:
        """Distinct values of a field: the parent's rows for a reference, else the square
        root of the rows (an assumption, said where it is used)."""
        e = self.spec.entities[entity]
        for r in self.spec.relationships:
            if r.child == entity and (r.name or r.parent) == name and r.parent:
                return max(1, _rows(self.spec.entities[r.parent]))
        return max(1, int(_rows(e) ** 0.5))

    def stored(self, entity: str) -> tuple[str, ...]:
        e = self.spec.entities[entity]
        refs = tuple(
            f"{r.name or r.parent}_id" for r in self.spec.relationships if r.child == entity
        )
        return ("id", *refs, *(n for n in e.attributes))

    def value_bytes(self, entity: str, name: str) -> int:
        a = self.spec.entities[entity].attributes.get(name)
        if isinstance(a, Attribute):
            if a.type == "enum" and a.values:
                return max(len(v) for v in a.values)
            if a.type == "vector":
                return 4 * (a.dim or 0)
            if a.max_length and a.type in ("identifier", "text"):
                return min(a.max_length, VALUE_BYTES[a.type] * 2)
            return VALUE_BYTES.get(a.type, 16)
        return 8  # an id

    # ---- entities -----------------------------------------------------------------------

    def entity(self, name: str, e: Entity) -> None:
        pats = [p for p in self.spec.access_patterns if p.entity == name]
        if not pats:
            self.decide(
                name,
                "not kept in Redis",
                "no access pattern reads it: keys of it would only take memory (its rows are "
                "referred to by id)",
            )
            return
        bad = [f"access_patterns.{p.name}: {unservable(p)}" for p in pats if unservable(p)]
        if bad:
            self.refused += bad
            return
        one_key = len({frozenset(p.equal) for p in pats}) == 1  # every read by the same fields
        if e.append_only and e.ttl_seconds and one_key and all(map(_count_since, pats)):
            self.counter(name, e, pats)
        elif counts := [p for p in pats if p.aggregates]:
            self.refused += [
                f"access_patterns.{p.name}: a count in a time window is a counter only on an "
                "append-only entity with ttl_seconds (the window), counted by the same fields "
                "as every other read of it"
                for p in counts
            ]
        elif board := self.board_of(name, e, pats):
            self.board(name, e, pats, *board)
        elif e.append_only and one_key and all(_newest_first(self, p) for p in pats):
            self.feed(name, e, pats)
        else:
            self.record(name, e, pats)

    def ttl(self, e: Entity) -> int | None:
        if e.ttl_seconds:
            return e.ttl_seconds
        return e.retention_days * DAY if e.retention_days else None

    def counter(self, name: str, e: Entity, pats: list[AccessPattern]) -> None:
        self.shape[name] = "counter"
        by = tuple(self.field(name, f) for f in pats[0].equal)
        window = e.ttl_seconds or 60
        key = ":".join([self.prefix, name, *(f"<{f}>" for f in by), "<window>"])
        keys = min(_rows(e), min((self.groups(name, f) for f in pats[0].equal), default=1))
        fam = Family(
            name=name,
            entity=name,
            key=key,
            structure="counter",
            holds=f"the number of {name} rows of one {', '.join(by)} in one {window} s window",
            why=(
                f"{name} is an append-only log that expires after {window} s and is only read "
                f"as a count since a time: one integer per key and window (INCR; {window} s "
                "TTL) instead of a row per event. A fixed window lets a burst of up to twice "
                "the limit through across a window's edge; a sorted set of timestamps per key "
                "(ZREMRANGEBYSCORE + ZCARD) is exact at a member per event"
            ),
            ttl_seconds=window,
            keys=keys,
            keys_later=keys,
            items=1,
            bytes_per_key=KEY_OVERHEAD + len(key) + TTL_OVERHEAD,
        )
        self.families.append(fam)
        for p in pats:
            self.read(p, (Trip((("GET", key),)),), (name,), "the current window's count")

    def board_of(
        self, name: str, e: Entity, pats: list[AccessPattern]
    ) -> tuple[tuple[str, ...], str, str] | None:
        """(group fields, member, score) when ``e`` is a leaderboard: unique per group and
        member, read as the top of a group by one number (and by group and member)."""
        for p in pats:
            if p.equal and p.limit and len(p.sort) == 1 and not p.range and not p.after:
                score = p.sort[0].lstrip("-")
                a = e.attributes.get(score)
                if not isinstance(a, Attribute) or a.type not in NUMBERS:
                    continue
                group = tuple(self.field(name, f) for f in p.equal)
                for u in e.unique_together:
                    cols = tuple(self.field(name, f) for f in u)
                    rest = [c for c in cols if c not in group]
                    if (
                        set(group) < set(cols)
                        and len(rest) == 1
                        and all(self.board_read(q, group, rest[0], score) for q in pats)
                    ):
                        return group, rest[0], score
        return None

    def board_read(self, p: AccessPattern, group: tuple[str, ...], member: str, score: str) -> bool:
        """Whether a board serves ``p``: the top of a group by the score, or one member's."""
        eq = {self.field(p.entity, f) for f in p.equal}
        top = eq == set(group) and len(p.sort) == 1 and p.sort[0].lstrip("-") == score
        return top or (eq == {*group, member} and not p.sort)

    def board(
        self, name: str, e: Entity, pats: list[AccessPattern], group: tuple[str, ...], member: str,
        score: str,
    ) -> None:  # fmt: skip
        self.shape[name] = "board"
        tag = "{" + ":".join(f"<{g}>" for g in group) + "}"
        key = f"{self.prefix}:{name}:{tag}"
        keys = self.groups(name, next(p for p in pats if p.sort).equal[0])
        items = max(1, _rows(e) // keys)
        extra = [f for f in self.stored(name) if f not in (*group, member, score, "id")]
        zset = Family(
            name=name,
            entity=name,
            key=key,
            structure="sorted set",
            holds=f"one member per {member}, scored by {score}",
            why=(
                f"read as the top of a {'/'.join(group)} by {score}: a sorted set keeps its "
                "members in score order (ZRANGE ... REV: O(log n + k)) and gives a member's "
                "rank (ZREVRANK) and score (ZSCORE) directly; the set is the record"
            ),
            ttl_seconds=self.ttl(e),
            keys=keys,
            keys_later=_grown(keys, e),
            items=items,
            bytes_per_key=_zset_bytes(key, items, 10, 8, self.ttl(e)),
            member=member,
            score=score,
        )
        self.families.append(zset)
        fams = [name]
        for f in extra:  # one hash per group and field: member -> value (few keys, no key each)
            fkey = f"{key}:{f}"
            vb = self.value_bytes(name, f)
            big = items > LISTPACK_ITEMS
            self.families.append(
                Family(
                    name=f"{name}_{f}",
                    entity=name,
                    key=fkey,
                    structure="hash",
                    holds=f"each {member}'s {f} on one {'/'.join(group)}",
                    why=(
                        f"{f} is read beside the score: one hash per {'/'.join(group)} with a "
                        f"field per {member} costs ~{vb + 10 + (48 if big else 4)} bytes a member "
                        "where a hash per member would cost a key each (~100 bytes more)"
                    ),
                    ttl_seconds=self.ttl(e),
                    keys=keys,
                    keys_later=_grown(keys, e),
                    items=items,
                    bytes_per_key=KEY_OVERHEAD + len(fkey) + items * (vb + 10 + (48 if big else 4)),
                    fields=(f,),
                    member=member,
                )
            )
            fams.append(f"{name}_{f}")
        for p in pats:
            fields = {self.field(name, f) for f in p.equal}
            m = f"<{member}>"
            if member in fields:
                cmds = [("ZSCORE", key, m), ("ZREVRANK", key, m)]
                cmds += [("HGET", f"{key}:{f}", m) for f in extra]
                self.read(p, (Trip(tuple(cmds)),), tuple(fams), "the member's score and rank")
                continue
            n = p.limit or 10
            rev = ("REV",) if p.sort[0].startswith("-") else ()
            trips = [Trip((("ZRANGE", key, "0", str(n - 1), *rev, "WITHSCORES"),))]
            if extra:
                trips.append(Trip(tuple(("HMGET", f"{key}:{f}", "<members>") for f in extra)))
            self.read(p, tuple(trips), tuple(fams), f"the top {n} by {score}")

    def feed(self, name: str, e: Entity, pats: list[AccessPattern]) -> None:
        self.shape[name] = "feed"
        p0 = pats[0]
        group = tuple(self.field(name, f) for f in p0.equal)
        key = ":".join([self.prefix, name, *(f"<{g}>" for g in group)])
        keys = self.groups(name, p0.equal[0])
        keep = min(FEED_MAX, max(max(p.limit or 0 for p in pats) * 10, _projected(e) // keys))
        fields = tuple(f for f in self.stored(name) if f not in (*group, "id"))
        per_entry = 16 + sum(len(f) + self.value_bytes(name, f) + 2 for f in fields)
        items = min(keep, max(1, _rows(e) // keys))
        self.families.append(
            Family(
                name=name,
                entity=name,
                key=key,
                structure="stream",
                holds=f"the {name} entries of one {'/'.join(group)}, newest last",
                why=(
                    "append-only and read newest first per "
                    f"{'/'.join(group)}: a stream appends in O(1) (XADD), reads the newest k "
                    f"with XREVRANGE ... COUNT k, and is trimmed to the newest ~{keep:,} entries "
                    "per key (MAXLEN ~) so a key cannot grow without bound"
                ),
                ttl_seconds=self.ttl(e),
                keys=keys,
                keys_later=min(_grown(keys, e), keys * keep // items),
                items=items,
                bytes_per_key=KEY_OVERHEAD + len(key) + 200 + items * per_entry,
                fields=fields,
                score=str(keep),
            )
        )
        for p in pats:
            n = str(p.limit or 10)
            self.read(p, (Trip((("XREVRANGE", key, "+", "-", "COUNT", n),)),), (name,), "newest")

    def hash_family(
        self, fname: str, entity: str, key: str, fields: list[str] | tuple[str, ...], e: Entity
    ) -> Family:
        ttl = self.ttl(e)
        body = sum(len(f) + self.value_bytes(entity, f) + 4 for f in fields)
        compact = len(fields) <= LISTPACK_ITEMS
        return Family(
            name=fname,
            entity=entity,
            key=key,
            structure="hash",
            holds=f"the {entity}'s fields",
            why=(
                "read and written as one object: a hash keeps its fields in one key, reads "
                "them in one HGETALL and changes one field without rewriting the others"
                + (" (small enough for the compact listpack encoding)" if compact else "")
            ),
            ttl_seconds=ttl,
            keys=_rows(e),
            keys_later=_rows(e) if ttl and ttl < DAY * 365 else _projected(e),
            items=len(fields),
            bytes_per_key=KEY_OVERHEAD + len(key) + 16 + body + (TTL_OVERHEAD if ttl else 0),
            fields=tuple(fields),
        )

    def record(self, name: str, e: Entity, pats: list[AccessPattern]) -> None:
        self.shape[name] = "record"
        uniques = ["id"] + [
            f for f, a in e.attributes.items() if isinstance(a, Attribute) and a.unique
        ]
        used = [u for u in uniques if any(self.field(name, f) == u for p in pats for f in p.equal)]
        pk = max(used, key=lambda u: sum(u in p.equal for p in pats), default="id")
        key = f"{self.prefix}:{name}:<{pk}>"
        read = {self.field(name, f) for p in pats for f in p.equal}
        # the synthetic id is kept only where the key is the id or a read names it
        keep = [f for f in self.stored(name) if f != "id" or pk == "id" or "id" in read]
        h = self.hash_family(name, name, key, keep, e)
        self.families.append(h)
        ttl = self.ttl(e)
        if e.ttl_seconds:
            self.decide(
                f"{name} TTL",
                f"{e.ttl_seconds} s, renewed on every write",
                "entries expire after a time without use (sliding expiry): each write sets "
                "the TTL again, so an active entry lives on",
            )
        for u in (u for u in uniques if u != pk and (u != "id" or u in read)):
            ukey = f"{self.prefix}:{name}:by_{u}:<{u}>"
            self.families.append(
                Family(
                    name=f"{name}_by_{u}",
                    entity=name,
                    key=ukey,
                    structure="string",
                    holds=f"the {pk} of the {name} with this {u}",
                    why=f"{u} is unique: SET ... NX refuses a second {name} with the same {u} "
                    f"and the lookup by {u} reads the {pk}, then the hash",
                    ttl_seconds=ttl,
                    keys=_rows(e),
                    keys_later=h.keys_later,
                    items=1,
                    bytes_per_key=KEY_OVERHEAD + len(ukey) + 24 + (TTL_OVERHEAD if ttl else 0),
                )
            )
        for p in pats:
            self.record_read(name, e, p, pk)

    def record_read(self, name: str, e: Entity, p: AccessPattern, pk: str) -> None:
        key = f"{self.prefix}:{name}:<{pk}>"
        eq = tuple(self.field(name, f) for f in p.equal)
        get = ("HMGET", key, *p.select) if p.select else ("HGETALL", key)
        if pk in eq:
            self.read(p, (Trip((get,)),), (name,), f"one hash by its {pk}")
            return
        u = next((f for f in eq if f"{name}_by_{f}" in {x.name for x in self.families}), None)
        if u is not None:
            trips = (Trip((("GET", f"{self.prefix}:{name}:by_{u}:<{u}>"),)),)
            per = Trip(((get[0], f"{self.prefix}:{name}:<member>", *get[2:]),), per_member=True)
            self.read(p, (*trips, per), (f"{name}_by_{u}", name), f"by {u}, then the hash")
            return
        self.index(name, e, p, eq, pk, get)

    def index(
        self, name: str, e: Entity, p: AccessPattern, eq: tuple[str, ...], pk: str,
        get: tuple[str, ...],
    ) -> None:  # fmt: skip
        iname = f"{name}_by_{'_'.join(eq)}"
        ikey = ":".join([self.prefix, name, f"by_{'_'.join(eq)}", *(f"<{f}>" for f in eq)])
        ttl = self.ttl(e)
        score = p.sort[0].lstrip("-") if p.sort else ""
        if iname not in {f.name for f in self.families}:
            keys = min(_rows(e), *(self.groups(name, f) for f in p.equal))
            items = max(1, _rows(e) // keys)
            what = f"{score} (newest first)" if score else "expiry time"
            self.families.append(
                Family(
                    name=iname,
                    entity=name,
                    key=ikey,
                    structure="sorted set",
                    holds=f"the {pk} of each {name} of one {'/'.join(eq)}, scored by {what}",
                    why=(
                        f"{name} is read by {'/'.join(eq)}, which is not unique: a sorted set "
                        "per value lists the rows' keys"
                        + (f" in {score} order" if score else "")
                        + (
                            "; members whose hash expired are dropped with ZREMRANGEBYSCORE "
                            "on each write (scores are expiry times)"
                            if ttl and not score
                            else ""
                        )
                    ),
                    ttl_seconds=ttl,
                    keys=keys,
                    keys_later=keys if ttl else _grown(keys, e),
                    items=items,
                    bytes_per_key=_zset_bytes(ikey, items, 8, 13, ttl),
                    member=pk,
                    score=score or EXPIRES,
                )
            )
        n = str((p.limit or 100) - 1)
        rev = ("REV",) if p.sort and p.sort[0].startswith("-") else ()
        rng = ("ZRANGE", ikey, "0", n, *rev)
        if not score and ttl:  # the members not yet expired
            rng = ("ZRANGE", ikey, "<now_ms>", "+inf", "BYSCORE", "LIMIT", "0", str(int(n) + 1))
        per = Trip(((get[0], f"{self.prefix}:{name}:<member>", *get[2:]),), per_member=True)
        what = f"the index by {'/'.join(eq)}, then each {name}'s hash"
        self.read(p, (Trip((rng,)), per), (iname, name), what)

    def read(
        self, p: AccessPattern, trips: tuple[Trip, ...], families: tuple[str, ...], what: str
    ) -> None:
        self.accesses.append(
            Access(
                name=p.name,
                entity=p.entity,
                write=False,
                trips=trips,
                families=families,
                why=what,
                latency_ms=p.latency_ms,
                limit=p.limit,
            )
        )

    # ---- writes -------------------------------------------------------------------------

    def write(self, name: str, entity: str, op: str, fields: tuple[str, ...]) -> None:
        a = self.access(name, entity, op, fields)
        if a is not None:
            self.accesses.append(a)

    def access(self, name: str, entity: str, op: str, fields: tuple[str, ...]) -> Access | None:
        """A write as commands; None when nothing of it is kept in Redis."""
        shape = self.shape.get(entity, "")
        mine = [f for f in self.families if f.entity == entity]
        trips = (
            {
                "counter": self.counter_write,
                "board": self.board_write,
                "feed": self.feed_write,
                "record": self.record_write,
            }[shape](mine, op, fields)
            if shape
            else ()
        )
        if not trips:
            return None
        return Access(
            name=name,
            entity=entity,
            write=True,
            trips=trips,
            families=tuple(f.name for f in mine),
            why=f"{op} of a {entity}",
            op=op,
        )

    def counter_write(self, mine: list[Family], op: str, _: tuple[str, ...]) -> tuple[Trip, ...]:
        f = mine[0]
        if op != "insert":
            return ()
        # EXPIRE ... NX (Redis 7.0) sets the window's TTL once, when the key is created.
        return (Trip((("INCR", f.key), ("EXPIRE", f.key, str(f.ttl_seconds), "NX")), True),)

    def board_write(self, mine: list[Family], op: str, fields: tuple[str, ...]) -> tuple[Trip, ...]:
        z, extra = mine[0], mine[1:]
        member = f"<{z.member}>"
        if op == "delete":
            cmds: list[tuple[str, ...]] = [("ZREM", z.key, member)]
            cmds += [("HDEL", h.key, member) for h in extra]
        else:
            cmds = []
            if op == "insert" or z.score in fields or not fields:
                cmds.append(("ZADD", z.key, f"<{z.score}>", member))
            changed = [h for h in extra if op == "insert" or h.fields[0] in fields]
            cmds += [("HSET", h.key, member, f"<{h.fields[0]}>") for h in changed]
            cmds += [("EXPIRE", f.key, str(f.ttl_seconds)) for f in mine if f.ttl_seconds]
        return (Trip(tuple(cmds), atomic=len(cmds) > 1),)

    def feed_write(self, mine: list[Family], op: str, _: tuple[str, ...]) -> tuple[Trip, ...]:
        f = mine[0]
        if op != "insert":
            return ()
        body = tuple(x for n in f.fields for x in (n, f"<{n}>"))
        cmds = [("XADD", f.key, "MAXLEN", "~", f.score, "*", *body)]
        cmds += [("EXPIRE", f.key, str(f.ttl_seconds))] if f.ttl_seconds else []
        return (Trip(tuple(cmds), atomic=len(cmds) > 1),)

    def record_write(
        self, mine: list[Family], op: str, fields: tuple[str, ...]
    ) -> tuple[Trip, ...]:
        h = mine[0]
        pk = h.key.rsplit("<", 1)[1].rstrip(">")
        uniq = [f for f in mine if f.structure == "string"]
        idx = [f for f in mine if f.structure == "sorted set"]
        ttl = [str(h.ttl_seconds)] if h.ttl_seconds else []
        if op == "delete":
            cmds: list[tuple[str, ...]] = [("UNLINK", h.key, *(u.key for u in uniq))]
            cmds += [("ZREM", i.key, f"<{pk}>") for i in idx]
            return (Trip(tuple(cmds), atomic=len(cmds) > 1),)
        first: tuple[Trip, ...] = ()
        if op == "insert" and uniq:  # claimed first: a taken value stops the insert
            ex = ("EX", *ttl) if ttl else ()
            first = (Trip(tuple(("SET", u.key, f"<{pk}>", "NX", *ex) for u in uniq)),)
        put = [f for f in h.fields if op == "insert" or f in fields]
        cmds = [("HSET", h.key, *(x for f in put for x in (f, f"<{f}>")))] if put else []
        cmds += [("EXPIRE", k, *ttl) for k in (h.key, *(u.key for u in uniq))] if ttl else []
        for i in idx:
            if op == "insert" or i.score in fields:
                cmds.append(("ZADD", i.key, f"<{i.score}>", f"<{pk}>"))
            if i.score == EXPIRES:  # a write renews the expiry; expired members go
                if op != "insert":
                    cmds.append(("ZADD", i.key, f"<{EXPIRES}>", f"<{pk}>"))
                cmds.append(("ZREMRANGEBYSCORE", i.key, "-inf", "<now_ms>"))
            cmds += [("EXPIRE", i.key, *ttl)] if ttl else []
        return (*first, Trip(tuple(cmds), atomic=len(cmds) > 1))


def brief(e: Entity) -> bool:
    """Whether ``e``'s entries expire within a day of their last write: they live like a
    cache's (the choice and the hybrid placement read this)."""
    return bool(e.ttl_seconds and e.ttl_seconds <= DAY)


def _rows(e: Entity) -> int:
    return max(1, e.volume.rows)


def _projected(e: Entity) -> int:
    return max(1, e.volume.rows + PROJECTION_YEARS * e.volume.growth_per_year)


def _grown(keys: int, e: Entity) -> int:
    """Keys whose size grows with the entity's rows, counted as keys of today's size: the
    memory after growth is what matters, not how the members spread over keys."""
    return max(keys, keys * _projected(e) // _rows(e))


def _zset_bytes(key: str, items: int, member: int, score: int, ttl: int | None) -> int:
    base = KEY_OVERHEAD + len(key) + (TTL_OVERHEAD if ttl else 0)
    if items <= LISTPACK_ITEMS:
        return base + 16 + items * (member + score + 4)
    return base + 128 + items * (member + 80)  # skiplist node + dict entry per member


def unservable(p: AccessPattern) -> str:
    """Why Redis's structures cannot serve ``p`` (empty: they can)."""
    if p.text_search:
        return "full-text search (Redis's structures have no text index; RediSearch would)"
    if p.similar_to:
        return "similarity search (a vector index: pgvector or a vector database)"
    if p.group_by or (p.aggregates and not _count_since(p)):
        return "aggregates over groups (computed at read time: a relational or analytic store)"
    if p.in_ or p.any_of or p.via or p.per_group or p.is_null or p.not_null or p.fixed:
        return "filters beyond one key or group (in/any_of/via/per_group/null tests/fixed)"
    if not p.equal:
        return "no key to read by (a scan of every key)"
    if len(p.sort) > 1 or len(p.range) + len(p.after) + len(p.before) > (0 if p.sort else 1):
        return "a sort or range over more than one field (one sorted-set score per key)"
    return ""


def _count_since(p: AccessPattern) -> bool:
    return (
        bool(p.equal)
        and len(p.aggregates) == 1
        and p.aggregates[0].fn == "count"
        and not p.group_by
        and len(p.after) + len(p.range) == 1
        and not p.sort
    )


def _newest_first(b: _Builder, p: AccessPattern) -> bool:
    e = b.spec.entities[p.entity]
    if not p.equal or len(p.sort) != 1 or not p.sort[0].startswith("-") or p.range or p.after:
        return False
    f = p.sort[0][1:]
    a = e.attributes.get(f)
    return f == "created_at" or (isinstance(a, Attribute) and a.type in TIMES)


def _eviction(families: list[Family]) -> tuple[str, str]:
    expiring = [f for f in families if f.ttl_seconds]
    if not families or len(expiring) == len(families):
        return "volatile-ttl", (
            "every key has a TTL: under memory pressure the keys nearest their expiry go "
            "first, the ones that would have been lost soonest anyway"
        )
    if expiring:
        kept = ", ".join(sorted({f.entity for f in families if not f.ttl_seconds}))
        return "volatile-lru", (
            f"only keys with a TTL may be evicted (least recently used first); {kept} have "
            "none and are data, never evicted: when memory is full of them writes fail "
            "(alert on used_memory at 80 % of maxmemory)"
        )
    return "noeviction", (
        "no key has a TTL: every key is data, so a full Redis refuses writes rather than "
        "lose any (alert on used_memory at 80 % of maxmemory)"
    )


def _persistence(spec: Spec) -> tuple[tuple[str, ...], str]:
    r = spec.project.recovery
    rpo = r.rpo_minutes if r else ASSUMED_RPO_MINUTES
    said = "stated" if r else "not stated: assumed"
    if rpo == 0:
        return ("appendonly yes", "appendfsync always"), (
            f"RPO 0 ({said}): every write is fsynced to the AOF before the reply (the slowest "
            "setting: each write waits for the disk). Losing the server still loses what its "
            "replica had not received: WAIT 1 <ms> after writes that must survive that"
        )
    if rpo < 15:
        return ("appendonly yes", "appendfsync everysec", f"save {int(max(rpo, 1) * 60)} 1"), (
            f"RPO {rpo:g} min ({said}): the AOF fsynced every second loses at most ~1 s of "
            "writes on a crash; RDB snapshots as well, for backups and fast restarts"
        )
    return ("appendonly no", f"save {int(rpo * 60)} 1"), (
        f"RPO {rpo:g} min ({said}): an RDB snapshot at least every {rpo:g} min when anything "
        "changed; a crash loses the writes since the last one"
    )
