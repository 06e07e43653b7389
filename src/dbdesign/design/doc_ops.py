"""DESIGN.md's operations sections, derived from what the spec states: the storage each table
and index takes at the stated volume, in three years and at 10x (the dialect's
:class:`~dbdesign.dialects.storage.StorageModel`), backups and standbys from the recovery point
and time objectives, the connection pool from the stated rates (Little's law), and which read
patterns to cache with the write that invalidates each."""

from __future__ import annotations

import math

from dbdesign import dialects
from dbdesign.design import Design
from dbdesign.design.draft import ASSUMED_RPO_MINUTES, ASSUMED_RTO_MINUTES, PROJECTION_YEARS
from dbdesign.design.prove_result import Proof
from dbdesign.design.sizes import human_size as _size
from dbdesign.design.sizes import stated_rows, table_bytes
from dbdesign.dialects.operations import Operations
from dbdesign.model import Table

GROWTH = 10  # the storage estimate's "10x the stated volume"
WRITE_MS = 2.0  # time a stated write is assumed to hold a connection
POOL_HEADROOM = 2  # a pool twice the connections busy on average absorbs bursts
CACHE_MIN_RATE = 50.0  # reads/s from which a pattern is worth caching
CACHE_MAX_WRITE_SHARE = 0.1  # ... when its table's writes are at most this share of its reads


def _stated_rows(d: Design) -> dict[str, tuple[int, int]]:
    """Per table key: (rows now, rows in PROJECTION_YEARS years) as the spec states them."""
    return stated_rows(d.spec, d.tables)


def _bytes(ops: Operations, d: Design, t: Table, rows: int) -> tuple[int, int]:
    """(table bytes, index bytes) of ``t`` holding ``rows`` rows."""
    return table_bytes(ops, d.schema, t, rows)


def storage_md(d: Design) -> list[str]:
    """The storage estimate: each table and its indexes now, in three years and at 10x."""
    ops = dialects.get(d.dialect).operations
    if ops is None:
        return []
    stated = _stated_rows(d)
    out = [
        "### Storage Estimate",
        "",
        f"Estimated from the column types (text at half its declared length, at most 32 "
        "characters) and the server's page layout; expect ±50 %. Indexes include the primary "
        f"key's. Columns: rows now, in {PROJECTION_YEARS} years at the stated growth, and at "
        f"{GROWTH}x today's volume.",
        "",
        f"| Table | Rows now | Rows in {PROJECTION_YEARS} y | Now (table + indexes) "
        f"| In {PROJECTION_YEARS} y | At {GROWTH}x |",
        "|---|---|---|---|---|---|",
    ]
    totals = [0, 0, 0]
    for info in d.tables:
        t = d.schema.tables[info.key]
        now, later = stated[info.key]
        cells = []
        for i, rows in enumerate((now, later, now * GROWTH)):
            heap, index = _bytes(ops, d, t, rows)
            totals[i] += heap + index
            cells.append(f"{_size(heap)} + {_size(index)}")
        out.append(f"| {t.name} | {now:,} | {later:,} | " + " | ".join(cells) + " |")
    out.append(
        "| **total** | | | " + " | ".join(f"**{_size(x)}**" for x in totals) + " |",
    )
    return [*out, ""]


def total_bytes(d: Design, *, years: bool = True) -> int:
    """The estimated size of the whole database in PROJECTION_YEARS years (or now)."""
    ops = dialects.get(d.dialect).operations
    if ops is None:
        return 0
    stated = _stated_rows(d)
    return sum(
        sum(_bytes(ops, d, d.schema.tables[t.key], stated[t.key][1 if years else 0]))
        for t in d.tables
    )


def _minutes(m: float) -> str:
    if m < 1:
        return f"{m * 60:.0f} s"
    return f"{m:.0f} min" if m < 120 else f"{m / 60:.1f} h".replace(".0 h", " h")


def recovery_md(d: Design) -> list[str]:
    """Backups and standbys from the stated (or assumed) RPO and RTO."""
    ops = dialects.get(d.dialect).operations
    if ops is None:
        return []
    r = d.spec.project.recovery
    rpo = r.rpo_minutes if r else ASSUMED_RPO_MINUTES
    rto = r.rto_minutes if r else ASSUMED_RTO_MINUTES
    said = "stated" if r else "not stated in the spec: assumed"
    lose = f"at most {_minutes(rpo)} of committed writes" if rpo else "no committed write"
    out = [f"**Objectives ({said}):** lose {lose} (RPO), be back within {_minutes(rto)} (RTO).", ""]
    archive = ops.archive.format(rpo=_minutes(rpo or 1), rpo_s=f"{(rpo or 1) * 60:g}")
    if rpo == 0:
        out.append(
            f"- **RPO 0:** {ops.zero_loss}. And {archive}: a mistake (a wrong DELETE) reaches "
            "the standby at once, and only point-in-time recovery undoes it."
        )
    else:
        out.append(
            f"- **RPO {_minutes(rpo)}:** {archive}; point-in-time recovery to any moment the "
            "archive covers."
        )
    size = total_bytes(d)
    restore = size / (ops.restore_mb_s * 1024 * 1024) / 60 * 1.5  # and replaying the log
    how = (
        f"restoring the estimated {PROJECTION_YEARS}-year size ({_size(size)}) at about "
        f"{ops.restore_mb_s} MB/s, with the log replayed, takes about {_minutes(max(restore, 1))}"
    )
    if restore * 2 <= rto:
        out.append(f"- **RTO {_minutes(rto)}:** {how}: a restore from the backups meets it.")
    else:
        out.append(
            f"- **RTO {_minutes(rto)}:** {how}, too close to or beyond the objective: run "
            f"{ops.standby}."
        )
    return [*out, *ops.backup]


def _busy(d: Design, proof: Proof | None) -> tuple[float, str]:
    """Connections busy on average at the stated rates, and how their time was taken."""
    measured = {r.pattern: r.p50_ms for r in proof.results} if proof else {}
    busy = 0.0
    for pp in d.patterns:
        rate = pp.pattern.rate_per_second or 0
        ms = measured.get(pp.pattern.name, pp.pattern.latency_ms)
        busy += rate * ms / 1000
    busy += sum((w.rate_per_second or 0) * WRITE_MS / 1000 for w in d.spec.writes)
    how = (
        "the proof's measured p50 of each pattern"
        if measured
        else "each pattern's latency target as its time (a ceiling: the proof's measured "
        "times give a smaller pool)"
    )
    return busy, how


def pool_md(d: Design, proof: Proof | None) -> list[str]:
    """The connection pool the stated rates need (Little's law)."""
    ops = dialects.get(d.dialect).operations
    rates = [pp.pattern.rate_per_second for pp in d.patterns if pp.pattern.rate_per_second]
    if ops is None or not (rates or any(w.rate_per_second for w in d.spec.writes)):
        return [ops.pooling] if ops else []
    busy, how = _busy(d, proof)
    pool = max(2, math.ceil(busy * POOL_HEADROOM))
    return [
        ops.pooling,
        f"- **Pool size:** at the stated rates about {busy:.2f} connections are busy at once "
        "(Little's law: the sum over patterns of rate times time per query, with "
        f"{how}; writes {WRITE_MS:g} ms each): a pool of **{pool}** server connections "
        f"({POOL_HEADROOM}x for bursts) shared by every application instance; the server's "
        "connection limit must exceed it plus the administrators' reserve. More connections "
        "than the server has cores doing work at once only queue.",
    ]


def caching_md(d: Design) -> list[str]:
    """Which read patterns to cache (cache-aside, with the writes that invalidate them)."""
    writes: dict[str, float] = {}
    names: dict[str, list[str]] = {}
    for w in d.spec.writes:
        writes[w.entity] = writes.get(w.entity, 0.0) + (w.rate_per_second or 0)
        names.setdefault(w.entity, []).append(w.name)
    out = ["### Caching", ""]
    hot = []
    for pp in d.patterns:
        p = pp.pattern
        rate = p.rate_per_second or 0
        if rate < CACHE_MIN_RATE:
            continue
        written = writes.get(p.entity, 0.0)
        if written > rate * CACHE_MAX_WRITE_SHARE:
            out.append(
                f"- `{p.name}` ({rate:g}/s): not cached: its table takes {written:g} writes/s, "
                f"more than {CACHE_MAX_WRITE_SHARE:.0%} of these reads; entries would be "
                "stale or invalidated before reuse."
            )
            continue
        # a value the query repeats (a ranked search's words, MySQL's written-out lists) once
        values = dict.fromkeys((x.column, x.kind) for x in pp.params)
        key = ":".join([d.spec.project.name, p.name, *(f"{{{c}}}" for c, _ in values)])
        by = names.get(p.entity)
        rule = (
            "delete the key in the same code path as the writes "
            + ", ".join(f"`{n}`" for n in by)
            + " (after their commit)"
            if by
            else "no write to it is stated: delete the key after any write to the table"
        )
        if pp.link:  # a traversal's rows change with the links too
            rule += f", and after any write to `{pp.link}` that adds or removes a link of it"
        hot.append(
            f"- `{p.name}` ({rate:g}/s): cache-aside, key `{key}`, TTL 5 min as a backstop; "
            f"invalidation: {rule}."
        )
    if not hot and len(out) == 2:
        return [
            *out,
            f"- No read pattern is stated at {CACHE_MIN_RATE:g}/s or more: the "
            "database serves them all; cache only what measurements show is hot.",
            "",
        ]
    return [*out, *hot, ""]
