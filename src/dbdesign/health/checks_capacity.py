"""Capacity checks: connections in use and the applications' pools against max_connections,
the cache hit ratio of tables and indexes, replication lag and replication slots no one uses.

Connections and replication slots belong to the whole server, so those checks see every
database's; the cache hit ratio is this database's."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from dbdesign.health.checks_indexes import size_text
from dbdesign.health.checks_queries import MIN_BLOCKS, duration_text, number, percent
from dbdesign.health.config import Pool
from dbdesign.health.registry import Probe, Symptom, check
from dbdesign.lint.findings import Severity

Row = dict[str, Any]

CONNECTIONS_MAX = 500  # PgHero: this many connections is too many, whatever the limit


def _usable(c: Row) -> int:
    """What max_connections leaves to ordinary roles."""
    return int(c["max_connections"]) - int(c["superuser_reserved"]) - int(c["reserved"])


def _limit_text(c: Row) -> str:
    reserved = f"{c['superuser_reserved']} superuser_reserved_connections"
    if c["reserved"]:
        reserved += f" - {c['reserved']} reserved_connections"
    return f"{_usable(c)} usable (max_connections {c['max_connections']} - {reserved})"


def _more_connections(c: Row, needed: int) -> str:
    """``ALTER SYSTEM SET max_connections`` to a value (a multiple of 10) that leaves
    ``needed`` connections to ordinary roles, with its cost."""
    wanted = needed + int(c["superuser_reserved"]) + int(c["reserved"])
    wanted = max(math.ceil(wanted / 10) * 10, int(c["max_connections"]) + 10)
    return (
        f"-- or a higher limit, at a memory cost: each connection is a process of a few MB, "
        f"and each sort or hash in its queries may use work_mem ({c['work_mem']}); "
        "takes effect after a restart:\n"
        f"ALTER SYSTEM SET max_connections = {wanted};"
    )


@check("connections", "warning")
def connections(probe: Probe) -> Iterator[Symptom]:
    """The server's client connections reach ``connections_max_fraction`` (80 %) of what
    max_connections leaves to ordinary roles (less superuser_reserved_connections and, from
    PostgreSQL 16, reserved_connections), or 500 (PgHero).

    Why: once they are all taken, every new connection is refused ("too many clients
    already") and the applications fail; well before that, hundreds of server processes
    contend for the CPUs and locks, and each takes memory.
    """
    c = probe.rows("capacity_connections")[0]
    usable, in_use = _usable(c), int(c["in_use"])
    frac = probe.config.connections_max_fraction
    if in_use < frac * usable and in_use < CONNECTIONS_MAX:
        return
    yield Symptom(
        object="max_connections",
        value=f"{in_use} client connections of {_limit_text(c)}: "
        f"{percent(in_use / usable if usable else 1.0)}; {c['idle']} idle; "
        f"by database: {', '.join(c['by_database'])}",
        threshold=f"< {percent(frac)} of the usable connections and < {CONNECTIONS_MAX}",
        why="when every connection is taken the server refuses new ones and the "
        "applications fail; many busy processes also contend for CPU, locks and memory",
        fix="-- many clients, few busy at once: put a pooler in front, e.g. PgBouncer with\n"
        "-- pool_mode = transaction, so they share a few server connections\n"
        "-- and shrink the applications' own pools (set pools in [tool.dbdesign.health] to "
        "check them)\n" + _more_connections(c, math.ceil(in_use / frac) if frac else in_use + 10),
        caveat="connections of every database on the server count against the one limit",
    )


def _pools_text(pools: tuple[Pool, ...]) -> str:
    return ", ".join(f"{p} ({p.connections})" for p in pools)


def _fitted(pools: tuple[Pool, ...], room: int) -> tuple[str, int]:
    """The pools scaled down (each at least 1) to fit ``room`` connections, and their sum."""
    total = sum(p.connections for p in pools)
    scaled = [Pool(p.name, max(1, math.floor(p.size * room / total)), p.instances) for p in pools]
    return ", ".join(str(p) for p in scaled), sum(p.connections for p in scaled)


def _pool_symptom(probe: Probe, c: Row, least: str) -> Symptom:
    pools = probe.config.pools
    total, usable = sum(p.connections for p in pools), _usable(c)
    frac = probe.config.connections_max_fraction
    room = max(1, math.floor(frac * usable))
    sizes, fitted = _fitted(pools, room)
    return Symptom(
        object=", ".join(str(p) for p in pools),
        value=f"{total} connections ({_pools_text(pools)}) against {_limit_text(c)}: "
        f"{percent(total / usable if usable else 1.0)}",
        threshold=least,
        why="when the pools fill up (at a traffic peak, or when the database slows down and "
        "every pool opens all it may) the server refuses connections and requests fail; "
        "connections for migrations, consoles and monitoring need room too",
        fix=f"-- smaller pools, within {percent(frac)} of {usable} ({room} connections), in "
        f"the applications' settings:\n--   {sizes}  ({fitted} connections)\n"
        "-- or PgBouncer in front with pool_mode = transaction: the applications' "
        "connections then share a few server ones\n"
        + _more_connections(c, math.ceil(total / frac) if frac else total + 10),
        caveat="the pools' sizes are the configured ones (pools / --pool), not measured; "
        "connections of every database on the server count against the one limit",
    )


@check("connection-pools", "warning")
def connection_pools(probe: Probe) -> Iterator[Symptom]:
    """The applications' connection pools (``pools``: size x instances each) take more than
    ``connections_max_fraction`` (80 %) of the connections max_connections leaves to ordinary
    roles: a warning; more than all of them: an error. Nothing without ``pools``.

    Why: the pools cannot all be full at once beyond the limit: at a traffic peak, or when the
    database slows down and every pool grows to its size, connections are refused and requests
    fail. Under it, the rest is all there is for everything else: a deploy that starts new
    instances before stopping the old ones, migrations, consoles, monitoring and replication.
    """
    pools = probe.config.pools
    if not pools:
        return
    c = probe.rows("capacity_connections")[0]
    usable, frac = _usable(c), probe.config.connections_max_fraction
    total = sum(p.connections for p in pools)
    if total > usable:
        yield replace(
            _pool_symptom(probe, c, f"<= {usable} (the usable connections)"),
            severity=Severity.error,
        )
    elif total > frac * usable:
        yield _pool_symptom(probe, c, f"<= {percent(frac)} of {usable}")


def _since(probe: Probe) -> str:
    """Over what time the usage counters were gathered."""
    if probe.stats_days is None:
        return "counted since the statistics were last reset (when is unknown)"
    return f"counted over the {probe.stats_days:.0f} days since the statistics were reset"


def _buffers_setting(n: int) -> str:
    mb = max(1, math.ceil(n / 2**20))
    return f"'{mb // 1024}GB'" if mb % 1024 == 0 else f"'{mb}MB'"


@check("cache-hit", "warning")
def cache_hit(probe: Probe) -> Iterator[Symptom]:
    """This database's tables, or its indexes, found fewer than ``cache_hit_min`` (99 %) of
    their blocks in shared_buffers (pg_statio_user_tables, _indexes), over at least 10 000
    block accesses (78 MB of 8 kB blocks). The first read of each block the relation has is
    not counted as a miss: loading data counts every new block as read, and after a restart
    every block is read once.

    Why: a block not in shared_buffers comes from the operating system's cache at best, from
    disk at worst, many times slower; reading the same blocks again and again means the
    working set does not fit the cache, or queries scan far more than they need.
    """
    c = probe.rows("capacity_cache")[0]
    least = probe.config.cache_hit_min
    buffers, size = int(c["shared_buffers_bytes"]), int(c["database_size"])
    for kind, key in (("tables", "table"), ("indexes", "index")):
        hit, read, misses = (int(c[f"{key}_{k}"]) for k in ("hit", "read", "misses"))
        blocks = hit + misses
        if blocks < MIN_BLOCKS or hit / blocks >= least:
            continue
        fits = (
            f"the whole database ({size_text(size)}) fits in it: the misses come from "
            "sequential scans of large tables, which read through a small ring of buffers"
            if size <= buffers
            else f"the database is {size_text(size)}"
        )
        yield Symptom(
            object=f"{c['database']} ({kind})",
            value=f"{percent(hit / blocks)} of {blocks:,} block accesses from the cache "
            f"({misses:,} misses beyond the first read of each block; {read:,} reads)",
            threshold=f">= {percent(least)}, over >= {MIN_BLOCKS:,} accesses",
            why=f"the {kind} are read again and again from the operating system or the disk "
            "instead of shared_buffers: queries wait on I/O",
            fix=f"-- shared_buffers is {c['shared_buffers']} now; {fits}.\n"
            "-- About 25 % of the server's memory is the usual size; takes effect after a "
            "restart:\n"
            f"ALTER SYSTEM SET shared_buffers = {_buffers_setting(2 * buffers)};\n"
            "-- and find the statements that read most (query-low-cache-hit, slow-query)",
            caveat=f"{_since(probe)}; a scan of a table larger than a quarter of "
            "shared_buffers reads it through a small ring of buffers and never hits the cache",
        )


def _lag(probe: Probe) -> Iterator[Symptom]:
    least = probe.config.replication_lag_s
    for r in probe.rows("capacity_replication"):
        if r["lag_s"] is None or r["lag_s"] < least:
            continue
        behind = f", {size_text(r['behind_bytes'])} of WAL" if r["behind_bytes"] else ""
        if r["side"] == "self":
            fix = (
                "SELECT pg_wal_replay_resume();  -- replay is paused\n"
                if r["paused"]
                else "SELECT * FROM pg_stat_database_conflicts;  -- queries that held replay "
                "back\n"
                "-- replay waits up to max_standby_streaming_delay for conflicting queries; "
                "else the standby's disk or CPU is too slow for the primary's WAL\n"
            )
            obj, value = "this standby", f"replay {duration_text(r['lag_s'])} behind{behind}"
        else:
            fix = (
                "-- on that standby:\nSELECT pg_is_wal_replay_paused(), "
                "pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn();\n"
                "SELECT pg_wal_replay_resume();  -- if replay is paused\n"
                "-- else its queries hold replay back (pg_stat_database_conflicts), or its "
                "disk or network is too slow for the WAL\n"
            )
            name = r["name"] or r["client"] or "?"
            obj = f"standby {name}"
            value = f"replay lag {duration_text(r['lag_s'])}{behind} ({r['state']})"
        yield Symptom(
            object=obj,
            value=value,
            threshold=f"< {number(least)} s",
            why="reads from the standby return old data, and a failover to it loses or "
            "waits for the transactions it has not replayed",
            fix=fix.rstrip("\n"),
        )


def _slots(probe: Probe) -> Iterator[Symptom]:
    for s in probe.rows("capacity_slots"):
        held = []
        if s["retained_bytes"] is not None:
            held.append(f"retains {size_text(max(0, int(s['retained_bytes'])))} of WAL")
        if s["xmin_age"] is not None:
            held.append(f"holds back VACUUM ({s['xmin_age']:,} transactions)")
        where = f" of database {s['database']}" if s["database"] else ""
        yield Symptom(
            object=s["name"],
            value=f"inactive {s['type']} replication slot{where}: {', '.join(held)}",
            threshold="every slot in use",
            why="no one reads from it, so the server keeps every WAL file since its position "
            "(the disk fills) and VACUUM may not remove rows it holds back",
            fix=f"SELECT pg_drop_replication_slot({probe.dialect.quote_string(s['name'])});",
            caveat="a standby or subscriber only disconnected for now still needs it; without "
            "it that one must be set up again",
        )


@check("replication", "warning")
def replication(probe: Probe) -> Iterator[Symptom]:
    """Replication lag of ``replication_lag_s`` (5 s) or more: a standby's replay_lag seen
    from the primary (pg_stat_replication), or on a standby the time since the last replayed
    transaction while WAL is waiting to be replayed; and replication slots no one is using
    that still hold WAL or VACUUM back (pg_replication_slots).

    Why: a lagging standby serves old data and loses or delays transactions on failover; an
    inactive slot makes the server keep WAL until its disk is full.
    """
    yield from _lag(probe)
    yield from _slots(probe)
