"""Prove a Redis design on a real Redis server (:func:`prove_redis`).

Sample rows of every entity the design keeps are written with the design's own insert commands
under a prefix of the proof's own (``dbdesign-proof-<random>:``), so nothing of the server's
other keys is read, changed or deleted; every pattern and write is then timed (p50/p95 of whole
round trips, pipelined as designed), each family's memory per key is read with ``MEMORY USAGE``
and projected to the stated volume, three years of growth and N times that, and the design's
claims are checked on the server: TTLs set where designed and only there, a unique claim
refused the second time, a rate-limit window counting, a top-k read in score order. The keys
are removed afterwards (``SCAN`` + ``UNLINK`` under the prefix), also when the proof fails."""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import string
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from dbdesign.design.draft import DAY
from dbdesign.design.prove_scale import DEFAULT_GROWTH
from dbdesign.design.redis_plan import Access, Family, RedisPlan, Trip
from dbdesign.design.sizes import human_size
from dbdesign.errors import ConfigError
from dbdesign.readers.spec import Attribute, Entity, Spec
from dbdesign.redact import redact_url

SAMPLE_ROWS = 20_000  # rows of an entity written at most
RUNS = 300  # timed runs of each read and write
MEMORY_KEYS = 100  # keys of a family measured with MEMORY USAGE
INSTANCE_BYTES = 25 * 2**30  # past this one Redis holds too much to restart or fork quickly


@dataclass(frozen=True, slots=True)
class FamilyMemory:
    name: str
    keys_measured: int
    bytes_per_key: float  # measured, scaled to the designed entries per key
    now: float  # bytes at the stated volume
    later: float  # after the projection years
    grown: float  # at the proof's growth times that


@dataclass(frozen=True, slots=True)
class Timing:
    name: str
    write: bool
    runs: int
    p50_ms: float
    p95_ms: float
    target_ms: float

    @property
    def ok(self) -> bool:
        return self.p95_ms <= self.target_ms


@dataclass(frozen=True, slots=True)
class RedisProof:
    url: str  # redacted
    server: str
    prefix: str
    rows: dict[str, int]
    load_seconds: float
    timings: tuple[Timing, ...]
    memory: tuple[FamilyMemory, ...]
    checks: tuple[tuple[str, bool, str], ...]  # (claim, held, what was seen)
    policy: str  # the server's maxmemory-policy ("" when CONFIG is not allowed)
    keys_left: int  # keys under the prefix after the clean-up (0)
    growth: float
    seconds: float = 0.0
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def total(self, what: str) -> float:
        return float(sum(getattr(m, what) for m in self.memory))

    def as_json(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "url": self.url,
            "prefix": self.prefix,
            "ok": self.ok,
            "problems": list(self.problems),
            "rows": self.rows,
            "load_seconds": round(self.load_seconds, 3),
            "timings": [
                {
                    "name": t.name,
                    "write": t.write,
                    "runs": t.runs,
                    "p50_ms": round(t.p50_ms, 3),
                    "p95_ms": round(t.p95_ms, 3),
                    "target_ms": t.target_ms,
                    "ok": t.ok,
                }
                for t in self.timings
            ],
            "memory": [
                {
                    "family": m.name,
                    "keys_measured": m.keys_measured,
                    "bytes_per_key": round(m.bytes_per_key, 1),
                    "bytes_now": round(m.now),
                    "bytes_later": round(m.later),
                    f"bytes_at_{self.growth:g}x": round(m.grown),
                }
                for m in self.memory
            ],
            "checks": [{"claim": c, "held": ok, "seen": s} for c, ok, s in self.checks],
            "maxmemory_policy": self.policy or None,
            "keys_left": self.keys_left,
            "seconds": round(self.seconds, 3),
        }


def prove_redis(
    plan: RedisPlan,
    spec: Spec,
    url: str,
    *,
    growth: float = 10.0,
    progress: Callable[[str], None] | None = None,
) -> RedisProof:
    """Write sample keys, time every access, measure memory, check the claims, clean up."""
    import redis

    say = progress or (lambda _m: None)
    started = time.perf_counter()
    try:
        r = redis.Redis.from_url(url, decode_responses=True, socket_timeout=30)
        server = str(r.info("server")["redis_version"])
    except (redis.RedisError, ValueError) as e:
        raise ConfigError(f"cannot reach Redis at {redact_url(url)}: {e}") from None
    prefix = f"dbdesign-proof-{secrets.token_hex(4)}:"
    run = _Run(r, plan, spec, prefix)
    try:
        say(f"writing sample keys under {prefix}")
        t0 = time.perf_counter()
        rows = run.load()
        load_s = time.perf_counter() - t0
        say("timing each access")
        timings = tuple(run.time(a) for a in plan.accesses)
        memory = tuple(run.memory(f, growth) for f in plan.families)
        checks = tuple(run.checks())
        policy = _policy(r)
    finally:
        left = _clean(r, prefix)
    problems = [
        f"{t.name}: p95 {t.p95_ms:.2f} ms is over its target of {t.target_ms:g} ms"
        for t in timings
        if not t.ok
    ]
    problems += [f"{c}: {s}" for c, ok, s in checks if not ok]
    problems += [f"{left} keys under {prefix} were left after the clean-up"] if left else []
    return RedisProof(
        url=redact_url(url),
        server=server,
        prefix=prefix,
        rows=rows,
        load_seconds=load_s,
        timings=timings,
        memory=memory,
        checks=checks,
        policy=policy,
        keys_left=left,
        growth=growth,
        seconds=time.perf_counter() - started,
        problems=tuple(problems),
    )


def prove_on(
    plan: RedisPlan,
    spec: Spec,
    db: object,
    *,
    growth: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> RedisProof | None:
    """The proof on ``db`` (a Redis URL), else on ``$DBDESIGN_DATABASE_URL`` when that is a
    Redis URL; None (not proved: DESIGN.md and the report say so) without one. A ``db`` of
    another kind is a :class:`ConfigError`."""
    url = db if isinstance(db, str) and is_redis_url(db) else None
    if db is not None and url is None:
        raise ConfigError(
            "a Redis design is proved on a Redis server (--db redis://host:6379/0), not on "
            f"{redact_url(str(db))}"
        )
    env = os.environ.get("DBDESIGN_DATABASE_URL", "")
    url = url or (env if is_redis_url(env) else None)
    if url is None:
        return None
    return prove_redis(plan, spec, url, growth=growth or DEFAULT_GROWTH, progress=progress)


def is_redis_url(text: str) -> bool:
    """Whether ``text`` names a Redis server (redis://, rediss:// over TLS, unix:// socket)."""
    return text.split("://", 1)[0].lower() in ("redis", "rediss", "unix") and "://" in text


def _policy(r: Any) -> str:
    import redis

    try:
        return str(r.config_get("maxmemory-policy").get("maxmemory-policy", ""))
    except redis.RedisError:  # CONFIG may be renamed or refused by an ACL
        return ""


def _clean(r: Any, prefix: str) -> int:
    """Remove every key under ``prefix``; the keys still there after it (0)."""
    batch: list[str] = []
    for k in r.scan_iter(match=f"{_glob(prefix)}*", count=1000):
        batch.append(k)
        if len(batch) >= 1000:
            r.unlink(*batch)
            batch = []
    if batch:
        r.unlink(*batch)
    return sum(1 for _ in r.scan_iter(match=f"{_glob(prefix)}*", count=1000))


def _glob(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


class _Run:
    def __init__(self, r: Any, plan: RedisPlan, spec: Spec, prefix: str) -> None:
        self.r, self.plan, self.spec, self.prefix = r, plan, spec, prefix
        self.rand = random.Random(20261207)
        self.rows: dict[str, list[dict[str, str]]] = {}
        self.next_id: dict[str, int] = {}
        self.refs: dict[str, list[tuple[str, int | None]]] = {}

    # ---- data ---------------------------------------------------------------------------

    def load(self) -> dict[str, int]:
        counts = {}
        for load in self.plan.loads:
            entity = load.entity
            n = _sample_rows(self.spec.entities[entity])
            rows = [self.row(entity, i) for i in range(n)]
            self.rows[entity] = rows
            self.next_id[entity] = n
            for chunk in range(0, n, 500):
                pipe = self.r.pipeline(transaction=False)
                for row in rows[chunk : chunk + 500]:
                    for trip in load.trips:
                        for c in trip.commands:
                            pipe.execute_command(*self.fill(c, row))
                pipe.execute()
            counts[entity] = n
        return counts

    def row(self, entity: str, i: int) -> dict[str, str]:
        """Sample row ``i``: references spread over as many parents as the stated volumes
        give this many rows; the member of a leaderboard unique per row."""
        e = self.spec.entities[entity]
        now = int(time.time() * 1000)
        ttl = e.ttl_seconds or (e.retention_days or 30) * DAY
        out = {"id": str(i + 1), "now_ms": str(now), "expires_ms": str(now + ttl * 1000)}
        out["window"] = str(now // 1000 // (e.ttl_seconds or 60))
        for col, groups in self.references(entity):
            out[col] = str(i + 1 if groups is None else i % groups + 1)
        for name, a in e.attributes.items():
            if isinstance(a, Attribute):
                out[name] = self.value(a, i, now)
        return out

    def references(self, entity: str) -> list[tuple[str, int | None]]:
        """Each reference column of ``entity`` and the parents its sample rows spread over
        (None: a leaderboard's member, one per row); worked out once an entity."""
        if entity not in self.refs:
            e = self.spec.entities[entity]
            n = _sample_rows(e)
            member = {f.member for f in self.plan.families if f.entity == entity and f.score}
            refs: list[tuple[str, int | None]] = []
            for rel in self.spec.relationships:
                if rel.child == entity and rel.parent:
                    col = f"{rel.name or rel.parent}_id"
                    parents = max(1, self.spec.entities[rel.parent].volume.rows)
                    groups = max(1, min(n, round(n * parents / max(1, e.volume.rows))))
                    refs.append((col, None if col in member else groups))
            self.refs[entity] = refs
        return self.refs[entity]

    def value(self, a: Attribute, i: int, now: int) -> str:
        rnd = self.rand
        t = a.type
        if a.values:
            return rnd.choice(a.values)
        if t in ("integer", "money", "decimal", "duration"):
            lo = int(a.min or 0)
            return str(rnd.randint(lo, int(a.max or lo + 1_000_000)))
        if t in ("timestamp", "date"):
            return str(now - rnd.randint(0, DAY * 1000))
        if t == "boolean":
            return str(rnd.randint(0, 1))
        if t == "json":
            return json.dumps({"theme": rnd.choice(["dark", "light"]), "lang": "en", "n": i})
        if t == "ip_address":
            return ".".join(str(rnd.randint(1, 254)) for _ in range(4))
        if t == "email":
            return f"user{i}@example.com"
        length = min(a.max_length or 24, {"long_text": 200, "text": 32}.get(t, 43))
        alphabet = string.ascii_letters + string.digits
        unique = f"{i:x}" if a.unique else ""
        return unique + "".join(rnd.choices(alphabet, k=max(1, length - len(unique))))

    def fill(
        self, command: tuple[str, ...], row: dict[str, str], members: Sequence[str] = ()
    ) -> list[str]:
        """The command with the row's values (and the members read before) in place of its
        ``<field>`` parts, every key under the proof's prefix."""
        out: list[str] = []
        for i, tok in enumerate(command):
            if tok == "<members>":
                out += members
                continue
            if i == 1 or (command[0] == "UNLINK" and i > 0):
                tok = self.prefix + tok
            while "<" in tok and ">" in tok:
                a, rest = tok.split("<", 1)
                name, b = rest.split(">", 1)
                tok = a + row[name] + b
            out.append(tok)
        return out

    # ---- timing -------------------------------------------------------------------------

    def time(self, a: Access) -> Timing:
        samples = []
        for _ in range(RUNS):
            row = self.sample(a)
            t0 = time.perf_counter_ns()
            self.send(a.trips, row)
            samples.append((time.perf_counter_ns() - t0) / 1e6)
        samples.sort()
        return Timing(
            name=a.name,
            write=a.write,
            runs=len(samples),
            p50_ms=samples[len(samples) // 2],
            p95_ms=samples[min(len(samples) - 1, int(len(samples) * 0.95))],
            target_ms=a.latency_ms,
        )

    def sample(self, a: Access) -> dict[str, str]:
        rows = self.rows[a.entity]
        if a.op == "insert":  # a new row, after the loaded ones
            i = self.next_id[a.entity]
            self.next_id[a.entity] = i + 1
            return self.row(a.entity, i)
        return dict(self.rand.choice(rows))

    def send(self, trips: Sequence[Trip], row: dict[str, str]) -> list[Any]:
        members: list[str] = []
        result: list[Any] = []
        for trip in trips:
            pipe = self.r.pipeline(transaction=trip.atomic)
            for c in trip.commands:
                for m in members if trip.per_member else [""]:
                    pipe.execute_command(*self.fill(c, dict(row, member=m), members))
            result = pipe.execute()
            members = list(_members(trip, result))
        return result

    # ---- memory -------------------------------------------------------------------------

    def memory(self, f: Family, growth: float) -> FamilyMemory:
        keys = list(self.keys_of(f))
        sizes = [self.r.memory_usage(k, samples=0) or 0 for k in keys]
        items = [self.items(f, k) for k in keys]
        per = sum(sizes) / len(sizes) if sizes else 0.0
        have = sum(items) / len(items) if items else 1.0
        if f.items > 1 and have > 0:  # scaled to the entries a key holds at the volume
            per *= f.items / have
        return FamilyMemory(
            name=f.name,
            keys_measured=len(keys),
            bytes_per_key=per,
            now=per * f.keys,
            later=per * f.keys_later,
            grown=per * f.keys_later * growth,
        )

    def keys_of(self, f: Family) -> Iterator[str]:
        pattern = _glob(self.prefix + f.key)
        while "<" in pattern:
            a, rest = pattern.split("<", 1)
            pattern = a + "*" + rest.split(">", 1)[1]
        seen = 0
        for k in self.r.scan_iter(match=pattern, count=1000):
            if k.count(":") == pattern.count(":"):  # not a longer family's key
                yield k
                seen += 1
                if seen >= MEMORY_KEYS:
                    return

    def items(self, f: Family, key: str) -> int:
        kind = {"sorted set": "zcard", "hash": "hlen", "stream": "xlen"}.get(f.structure)
        return int(getattr(self.r, kind)(key)) if kind else 1

    # ---- claims -------------------------------------------------------------------------

    def checks(self) -> Iterator[tuple[str, bool, str]]:
        yield from self.ttl_checks()
        for f in self.plan.families:
            if f.structure == "string" and f.key.split(":")[-2].startswith("by_"):
                yield self.unique_check(f)
            if f.structure == "counter":
                yield self.counter_check(f)
        for a in self.plan.accesses:
            if not a.write and a.limit and "WITHSCORES" in a.trips[0].commands[0]:
                yield self.order_check(a)

    def ttl_checks(self) -> Iterator[tuple[str, bool, str]]:
        for f in self.plan.families:
            keys = list(self.keys_of(f))[:20]
            if not keys:
                yield f"{f.name}: keys written", False, "no key of the family was found"
                continue
            ttls = [int(self.r.ttl(k)) for k in keys]
            if f.ttl_seconds:
                ok = all(0 < t <= f.ttl_seconds for t in ttls)
                yield f"{f.name}: TTL {f.ttl_seconds} s", ok, f"TTLs seen {min(ttls)}..{max(ttls)}"
            else:
                ok = all(t == -1 for t in ttls)
                yield f"{f.name}: no TTL", ok, f"TTLs seen {sorted(set(ttls))}"

    def unique_check(self, f: Family) -> tuple[str, bool, str]:
        key = next(self.keys_of(f), None)
        if key is None:
            return f"{f.name}: unique", False, "no key to claim twice"
        again = self.r.set(key, "other", nx=True)
        return (
            f"{f.name}: a second claim of the same value is refused (SET NX)",
            again is None,
            "refused" if again is None else "accepted",
        )

    def counter_check(self, f: Family) -> tuple[str, bool, str]:
        row = self.row(f.entity, 0)
        for name in re.findall(r"<(\w+)>", f.key):  # a key no timed write has counted in
            if name != "window":
                row[name] = "dbdesign-check"
        for _ in range(5):
            self.send(self.plan.load_of(f.entity).trips, row)
        key = self.fill(("GET", f.key), row)[1]
        count, ttl = self.r.get(key), self.r.ttl(key)
        ok = count == "5" and 0 < ttl <= (f.ttl_seconds or 0)
        return f"{f.name}: a window counts its hits", ok, f"5 hits read {count}, TTL {ttl} s"

    def order_check(self, a: Access) -> tuple[str, bool, str]:
        res = self.send(a.trips[:1], dict(self.rand.choice(self.rows[a.entity])))[0]
        scores = [float(s) for _, s in _pairs(res)]
        rev = "REV" in a.trips[0].commands[0]
        ok = scores == sorted(scores, reverse=rev) and 0 < len(scores) <= (a.limit or 0)
        return f"{a.name}: the top {a.limit} in score order", ok, f"{len(scores)} scores read"


def _sample_rows(e: Entity) -> int:
    return min(SAMPLE_ROWS, max(1, e.volume.rows))


def _pairs(res: Any) -> list[tuple[str, Any]]:
    if res and isinstance(res[0], list | tuple):
        return [(str(m), s) for m, s in res]
    return list(zip(res[::2], res[1::2], strict=False))


def _members(trip: Trip, result: list[Any]) -> Iterator[str]:
    """The members (keys' ids) the trip's first command returned, for the next trip."""
    first = result[0] if result else None
    if first is None:
        return
    if isinstance(first, str):
        yield first
    elif "WITHSCORES" in trip.commands[0]:
        yield from (m for m, _ in _pairs(first))
    elif isinstance(first, list):
        yield from (str(m) for m in first)


def memory_lines(proof: RedisProof) -> list[str]:
    """The measured memory, for DESIGN.md and the report."""
    g = f"{proof.growth:g}x"
    out = [
        f"| Key family | Keys measured | Bytes per key | Now | In 3 years | At {g} |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for m in proof.memory:
        out.append(
            f"| {m.name} | {m.keys_measured} | {m.bytes_per_key:,.0f} | {human_size(m.now)} | "
            f"{human_size(m.later)} | {human_size(m.grown)} |"
        )
    tot = proof.total
    out.append(
        f"| **total** | | | **{human_size(tot('now'))}** | **{human_size(tot('later'))}** | "
        f"**{human_size(tot('grown'))}** |"
    )
    if tot("grown") > INSTANCE_BYTES:
        out += [
            "",
            f"At {g} the data passes {human_size(INSTANCE_BYTES)}, more than one Redis should "
            "hold (restarts load it all, a fork for RDB/AOF rewrite copies pages): shard it "
            "with Redis Cluster by the hash tags above.",
        ]
    return out
