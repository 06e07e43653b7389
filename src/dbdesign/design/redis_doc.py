"""DESIGN.md, redis.conf and design.json of a Redis design: the seed's sections, with the key
families in place of tables and the commands in place of SQL."""

from __future__ import annotations

import re
from typing import Any

from dbdesign.design import Design
from dbdesign.design.draft import PROJECTION_YEARS
from dbdesign.design.prove_redis import RedisProof, Timing, memory_lines
from dbdesign.design.redis_plan import Access, RedisPlan
from dbdesign.design.sizes import human_size
from dbdesign.design.store_doc import header_md

HEADROOM = 1.5  # maxmemory over the projected data: fragmentation, buffers, the fork's copies


def redis_conf(name: str, plan: RedisPlan, proof: RedisProof | None) -> str:
    need = _data_bytes(plan, proof)
    return "\n".join(
        [
            f"# {name}: the Redis settings this design needs (dbdesign design).",
            "# Merge into redis.conf, or apply with CONFIG SET and CONFIG REWRITE.",
            f"# maxmemory: the {PROJECTION_YEARS}-year data ({human_size(need)}) x {HEADROOM:g}",
            f"maxmemory {int(need * HEADROOM)}",
            f"maxmemory-policy {plan.eviction}",
            *plan.persistence,
            "",
        ]
    )


def plan_json(plan: RedisPlan) -> dict[str, Any]:
    return {
        "prefix": plan.prefix,
        "families": [
            {
                "name": f.name,
                "entity": f.entity,
                "key": f.key,
                "structure": f.structure,
                "holds": f.holds,
                "why": f.why,
                "ttl_seconds": f.ttl_seconds,
                "keys": f.keys,
                f"keys_in_{PROJECTION_YEARS}_years": f.keys_later,
                "entries_per_key": f.items,
                "estimated_bytes_per_key": f.bytes_per_key,
            }
            for f in plan.families
        ],
        "accesses": [
            {
                "name": a.name,
                "write": a.write,
                "commands": [t.lines() for t in a.trips],
                "round_trips": len(a.trips),
                "families": list(a.families),
                "cross_slot": cross_slot(a),
            }
            for a in plan.accesses
        ],
        "maxmemory_policy": plan.eviction,
        "persistence": list(plan.persistence),
    }


def redis_md(d: Design, proof: RedisProof | None, generated_at: str) -> str:
    assert d.redis is not None
    plan = d.redis
    kept = sorted({f.entity for f in plan.families})
    counts = (
        f"{len(d.spec.entities)} entities, {len(kept)} kept in Redis as "
        f"{len(plan.families)} key families"
    )
    out = header_md(d, "Redis", "key-value", counts, generated_at) + _body(plan, proof)
    return "\n".join(out)


def redis_part_md(d: Design, proof: RedisProof | None) -> list[str]:
    """The Redis part of a hybrid design, for the end of its DESIGN.md: how the two parts stay
    consistent, then the Redis design's sections one level down."""
    assert d.redis_part is not None
    plan = d.redis_part
    kept = sorted({f.entity for f in plan.families})
    out = [
        "## Redis Part (hybrid)",
        "",
        f"{', '.join(kept)} live in Redis beside the relational schema above: they expire "
        "within a day of their last write, are read by key, and no table refers to them.",
        "",
        "**How the parts stay consistent:** a Redis entry refers to relational rows by id, "
        "without a foreign key. Write the relational row first and the Redis entry after it; "
        "when a row is deleted, delete the entries that name it in the same request (the "
        "index families list them) or let them expire within their TTL. Losing the Redis data "
        "loses only what expires anyway (sessions sign in again, rate-limit windows restart); "
        "nothing in the relational schema depends on it.",
        "",
    ]
    body = _body(plan, proof, part=True)
    return out + [("#" + x if x.startswith("#") else x) for x in body]


def _body(plan: RedisPlan, proof: RedisProof | None, part: bool = False) -> list[str]:
    out = [
        "## Key Design",
        "",
        "| Family | Key | Structure | TTL | Keys now | Keys in 3 years | Bytes/key (est.) |",
        "|---|---|---|---|---:|---:|---:|",
        *(
            f"| {f.name} | `{f.key}` | {f.structure} | "
            f"{f'{f.ttl_seconds:,} s' if f.ttl_seconds else 'none'} | {f.keys:,} | "
            f"{f.keys_later:,} | {f.bytes_per_key:,} |"
            for f in plan.families
        ),
        "",
        "`<field>` is the row's value; `{...}` is a hash tag (the keys of one group share a "
        "cluster slot).",
        "",
    ]
    for f in plan.families:
        out += [f"### Key family: {f.name}", "", f"**Holds:** {f.holds}.", ""]
        out += [f"**Structure:** {f.structure}: {f.why}.", ""]
        if f.fields:
            out += [f"**Fields:** {', '.join(f.fields)}", ""]
        ttl = f"{f.ttl_seconds:,} s" if f.ttl_seconds else "none (data, never expires)"
        out += [f"**TTL:** {ttl}", ""]
    out += _accesses(plan, proof)
    out += _memory(plan, proof)
    out += _operations(plan, proof)
    out += ["## Decisions", "", "| Subject | Decision | Reason |", "|---|---|---|"]
    out += [f"| {x.subject} | {x.choice} | {x.reason} |" for x in plan.decisions]
    return [*out, "", *_proof(proof, part), ""]


def cross_slot(a: Access) -> bool:
    """Whether one of the access's trips names keys that Redis Cluster may put in different
    slots (MULTI/EXEC and pipelines to one node then need the keys split)."""
    for t in a.trips:
        slots = {_slot(c[1]) for c in t.commands if len(c) > 1}
        if len(slots) > 1:
            return True
    return False


def _slot(key: str) -> str:
    m = re.search(r"\{([^}]*)\}", key)
    return m.group(1) if m else key


def _accesses(plan: RedisPlan, proof: RedisProof | None) -> list[str]:
    timed = {t.name: t for t in proof.timings} if proof else {}
    out = ["## Query Performance Analysis", ""]
    for i, a in enumerate(x for x in plan.accesses if not x.write):
        out += [f"### Query {i + 1}: {a.name}", "", f"Reads {a.why}.", ""]
        out += _commands(a, timed.get(a.name))
    out += ["### Writes", ""]
    for a in (x for x in plan.accesses if x.write):
        out += [f"#### Write: {a.name}", ""]
        out += _commands(a, timed.get(a.name))
    return out


def _commands(a: Access, t: Timing | None) -> list[str]:
    out = ["```redis", *(line for trip in a.trips for line in trip.lines()), "```", ""]
    trips = f"{len(a.trips)} round trip{'s' if len(a.trips) > 1 else ''}"
    seen = f"; measured p95 **{t.p95_ms:.2f} ms** (p50 {t.p50_ms:.2f} ms)" if t else ""
    out += [f"{trips}, target p95 {a.latency_ms:g} ms{seen}.", ""]
    if cross_slot(a):
        out += [
            "In Redis Cluster these keys may live on different nodes: send the commands "
            "separately there (not atomic: the index is repaired on the next write).",
            "",
        ]
    return out


def _data_bytes(plan: RedisPlan, proof: RedisProof | None) -> float:
    return proof.total("later") if proof else float(plan.memory(later=True))


def _memory(plan: RedisPlan, proof: RedisProof | None) -> list[str]:
    out = [
        "## Memory",
        "",
        f"Estimated from the values' sizes: **{human_size(plan.memory())}** at the stated "
        f"volume, **{human_size(plan.memory(later=True))}** in {PROJECTION_YEARS} years.",
        "",
    ]
    if proof:
        out += [
            f"Measured with `MEMORY USAGE` on {proof.server} (sample keys, each scaled to the "
            "entries a key holds at the stated volume):",
            "",
            *memory_lines(proof),
            "",
        ]
    need = _data_bytes(plan, proof)
    out += [
        f"`maxmemory {human_size(need * HEADROOM)}`: the {PROJECTION_YEARS}-year data x "
        f"{HEADROOM:g} (fragmentation, client and replication buffers); the machine needs "
        "about as much again free for the fork of an RDB save or AOF rewrite (copy-on-write "
        "of the pages written meanwhile).",
        "",
    ]
    return out


def _operations(plan: RedisPlan, proof: RedisProof | None) -> list[str]:
    out = ["## Scaling Strategy", "", "### Read Scaling", ""]
    out += [
        "Replicas serve reads that may lag by the replication delay (`READONLY` in a "
        "cluster); reads that must see the latest write stay on the primary.",
        "",
        "### Write Scaling",
        "",
    ]
    spans = [a.name for a in plan.accesses if cross_slot(a)]
    tags = sorted({f.name for f in plan.families if "{" in f.key})
    out += [
        "Redis Cluster shards by key slot. "
        + (f"Hash tags keep each group's keys together: {', '.join(tags)}. " if tags else "")
        + (
            f"Accesses whose keys span slots ({', '.join(spans)}) are sent key by key there."
            if spans
            else "Every access's keys share a slot."
        ),
        "",
        "## Data Integrity Rules",
        "",
        "- Commands of one round trip marked MULTI/EXEC run as one (no other client sees "
        "half of them); Redis does not roll back a command that fails inside one.",
        "- Unique fields are claimed with `SET ... NX` before the record is written.",
        "- There are no foreign keys: references are ids, and the records they name live "
        "elsewhere or expire on their own.",
        "",
        "## Backup Strategy",
        "",
        f"**Eviction:** `maxmemory-policy {plan.eviction}`: {plan.eviction_why}.",
        "",
    ]
    if proof and proof.policy and proof.policy != plan.eviction:
        out += [
            f"The proof's server runs `{proof.policy}`: set "
            f"`CONFIG SET maxmemory-policy {plan.eviction}` (and in redis.conf) before use.",
            "",
        ]
    out += [
        f"**Persistence:** {plan.persistence_why}.",
        "",
        "```",
        *plan.persistence,
        "```",
        "",
        "Copy the RDB file off the machine after each save (hourly at least); a replica in "
        "another zone covers the loss of the server. The settings are in redis.conf.",
        "",
        "## Monitoring Metrics",
        "",
        "- `used_memory` against `maxmemory` (alert at 80 %), `mem_fragmentation_ratio`",
        "- `evicted_keys` (should stay 0 for data families), `expired_keys`",
        "- `keyspace_hits` / `keyspace_misses`, `instantaneous_ops_per_sec`",
        "- `SLOWLOG GET` and `LATENCY LATEST` for slow commands",
        "- `rdb_last_bgsave_status`, `aof_last_write_status`, replication `master_link_status`",
        "",
    ]
    return out


def _proof(proof: RedisProof | None, part: bool) -> list[str]:
    heading = "## Redis Proof" if part else "## Proof"  # a hybrid's: after the relational one
    option = "--redis" if part else "--db"
    if proof is None:
        return [
            heading,
            "",
            f"**Not proven on a server:** no Redis server was given (`{option} "
            "redis://host:6379/0`, "
            "or DBDESIGN_DATABASE_URL set to one).",
        ]
    out = [
        heading,
        "",
        f"On Redis {proof.server} at {proof.url}: {sum(proof.rows.values()):,} sample rows "
        f"written under `{proof.prefix}` in {proof.load_seconds:.1f} s, each access run "
        f"{proof.timings[0].runs if proof.timings else 0} times, the keys removed afterwards "
        f"({proof.keys_left} left). Result: **{'PASS' if proof.ok else 'FAIL'}**.",
        "",
        "| Access | p50 ms | p95 ms | Target ms | |",
        "|---|---:|---:|---:|---|",
        *(
            f"| {t.name}{' (write)' if t.write else ''} | {t.p50_ms:.2f} | {t.p95_ms:.2f} | "
            f"{t.target_ms:g} | {'PASS' if t.ok else 'FAIL'} |"
            for t in proof.timings
        ),
        "",
        "| Claim | Held | Seen |",
        "|---|---|---|",
        *(f"| {c} | {'yes' if ok else '**no**'} | {s} |" for c, ok, s in proof.checks),
    ]
    return out
