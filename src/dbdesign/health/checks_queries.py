"""Query and session checks: the statements ``pg_stat_statements`` measured in this database
(slow on average, dominating the total, reading from disk rather than the cache), and the
sessions of ``pg_stat_activity`` that hold a query, a transaction or a lock too long.

``pg_stat_statements`` is read once per run (the extension's view in whatever schema it was
created in, only this database's rows); when it is not created in the database, not loaded
by the server or not installed on it at all, the report gets one note saying how to enable
it, never an error. The sessions are this database's client sessions, less the review's own
(its backend, and any session named ``dbdesign health``)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from dbdesign.databases import pg_statements
from dbdesign.health.registry import Probe, Symptom, check, sql_text
from dbdesign.health.session import APPLICATION_NAME

Row = dict[str, Any]

EXTENSION = pg_statements.EXTENSION
QUERY_CHECKS = "slow-query, top-queries and query-low-cache-hit"
HIDDEN = "<insufficient privilege>"
TOP_SHARE = 0.2  # top-queries: a statement taking this share of the time, or of the calls ...
TOP_COUNT = 5  # ... and at most this many of each
MIN_BLOCKS = 10_000  # a cache hit ratio is judged over at least this many blocks (78 MB)
IDLE_IN_TRANSACTION_MAX = 100  # PgHero: this many sessions idle in transaction at once
SHORT_QUERY = 100  # characters of a query shown in an object or value
FULL_QUERY = 2000  # a fix quotes a query up to this length, else says where to read it
# statements with a plan to EXPLAIN (utility statements: transaction control, SET, DDL ... are
# left out), after any leading comments
_COMMENT = re.compile(r"\s*(?:--[^\n]*(?:\n|$)|/\*.*?\*/)", re.S)
_PLANNED = re.compile(r"\s*\(*\s*(?:select|insert|update|delete|merge|with|values|table)\b", re.I)


# ------------------------------------------------------------------------------ formatting


def duration_text(seconds: float) -> str:
    """``0.4 s``, ``75 s``, ``12 min``, ``3.5 h``, ``2.1 days``."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def ms_text(ms: float) -> str:
    """A time in milliseconds as a person reads it: ``0.85 ms``, ``25.3 ms``, ``12 s``."""
    if ms < 1:
        return f"{ms:.2f} ms"
    if ms < 1000:
        return f"{ms:.1f} ms"
    return duration_text(ms / 1000)


def number(x: float) -> str:
    """``0.5`` -> ``0.5``, ``60.0`` -> ``60``."""
    return f"{x:g}"


def percent(fraction: float) -> str:
    return f"{fraction * 100:.1f} %".replace(".0 %", " %")


def short(query: str | None, limit: int = SHORT_QUERY) -> str:
    """A query on one line, cut to ``limit`` characters."""
    text = " ".join(str(query or "").split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def setting_literal(seconds: float) -> str:
    """A duration as a setting's value: ``'60s'``, ``'500ms'``."""
    if seconds >= 1 and seconds == int(seconds):
        return f"'{int(seconds)}s'"
    return f"'{max(1, round(seconds * 1000))}ms'"


def database(probe: Probe) -> str:
    """The name of the reviewed database."""
    return str(probe.conn.info.dbname)


def database_url(probe: Probe) -> str:
    """The URL of the reviewed database, without a password, for a command line."""
    info = probe.conn.info
    user = quote(str(info.user), safe="")
    dbname = quote(str(info.dbname), safe="")
    host = str(info.host or "")
    if not host or host.startswith("/"):
        where = f"?host={quote(host, safe='/')}" if host else ""
        return f"postgresql://{user}@/{dbname}{where}"
    if ":" in host:
        host = f"[{host}]"
    return f"postgresql://{user}@{host}:{info.port}/{dbname}"


# ------------------------------------------------------------------------ pg_stat_statements


def statements(probe: Probe) -> list[Row]:
    """This database's statements as ``pg_stat_statements`` measured them (read once per run,
    kept with the other catalog rows); empty, with one note saying how to enable the
    extension, when it cannot be read."""
    return probe.rows("queries_statements", _read_statements)


def _read_statements(probe: Probe) -> list[Row]:
    from psycopg import errors, sql

    ext = probe.rows("queries_extension")[0]
    if ext["schema"] is None:
        probe.note(EXTENSION, _enable(probe, loading=True))
        return []
    view = sql.Identifier(ext["schema"], EXTENSION)
    query = sql.SQL(sql_text("queries_statements")).format(view=view)
    try:
        with probe.conn.transaction():
            cur = probe.conn.execute(query)
    except errors.ObjectNotInPrerequisiteState:  # created, but the library is not loaded
        probe.note(EXTENSION, _enable(probe, loading=False))
        return []
    names = [d.name for d in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    hidden = sum(r["calls"] for r in rows if r["query"] == HIDDEN)
    if hidden:
        probe.note(
            EXTENSION,
            f"{hidden:,} calls of other roles' statements are hidden from this role: grant it "
            "pg_read_all_stats (part of pg_monitor) to see them",
        )
    return rows


def _enable(probe: Probe, *, loading: bool) -> str:
    """The note when pg_stat_statements cannot be read: what is missing and the steps."""
    setup = pg_statements.setup(probe.conn, loading=loading)
    return f"{QUERY_CHECKS} not checked: {setup.problem()}: {setup.steps()}"


def planned(query: str) -> bool:
    """Is the statement one with a plan (SELECT, INSERT, UPDATE, DELETE, MERGE, WITH, VALUES,
    TABLE), not a utility statement (BEGIN, SAVEPOINT, SET, DDL ...)?"""
    end = 0
    while m := _COMMENT.match(query, end):
        if m.end() == end:
            break
        end = m.end()
    return _PLANNED.match(query, end) is not None


def _workload(probe: Probe) -> tuple[list[Row], float, int]:
    """The statements worth naming (queries: those with a plan, not the extension's own
    readings), with the total time and calls of this database's queries (those of other roles
    hidden from this one included). Utility statements (BEGIN, SAVEPOINT, SET, DDL ...) count
    in neither."""
    queries = [r for r in statements(probe) if r["query"] == HIDDEN or planned(str(r["query"]))]
    total_ms = sum(float(r["total_ms"]) for r in queries)
    total_calls = sum(int(r["calls"]) for r in queries)
    shown = [r for r in queries if r["query"] != HIDDEN and EXTENSION not in str(r["query"])]
    return shown, total_ms, total_calls


def _measured(r: Row, total_ms: float) -> str:
    calls, ms = int(r["calls"]), float(r["total_ms"])
    share = ms / total_ms if total_ms else 0.0
    return (
        f"{calls:,} calls, mean {ms_text(ms / calls)}, total {ms_text(ms)} "
        f"({percent(share)} of the time of this database's queries); queryid {r['queryid']}"
    )


def explain_fix(probe: Probe, r: Row, schema: str) -> str:
    """How to see the statement's plan: EXPLAIN (ANALYZE, BUFFERS) of the text, the
    ``dbdesign explain`` command line that runs it (a ``$n`` becomes ``%s`` and a ``-p``), and
    ``dbdesign advise`` for the whole measured workload."""
    text = str(r["query"]).strip().rstrip(";")
    url = shlex.quote(database_url(probe))
    if len(text) > FULL_QUERY:
        view = probe.name(schema, EXTENSION)
        return (
            f"SELECT query FROM {view} WHERE queryid = {r['queryid']};  -- the whole text\n"
            "EXPLAIN (ANALYZE, BUFFERS) <that text, with a typical value for each $n>;\n"
            f"dbdesign advise pg_stat_statements --db {url}"
        )
    params = re.findall(r"\$(\d+)", text)
    line = " ".join(text.split())
    if params:
        line = re.sub(r"\$\d+", "%s", line.replace("%", "%%"))
    values = "".join(f" -p '<${n}>'" for n in params)
    values_note = " (a typical value for each $n)" if params else ""
    return (
        f"-- its plan, with real times and buffers{values_note}:\n"
        f"EXPLAIN (ANALYZE, BUFFERS) {text};\n"
        "-- or with dbdesign's plan rules (it runs the statement in a transaction it rolls back):\n"
        f"dbdesign explain {shlex.quote(line)}{values} --db {url}\n"
        "-- indexes for the whole measured workload:\n"
        f"dbdesign advise pg_stat_statements --db {url}"
    )


_EXPLAIN_CAVEAT = (
    "EXPLAIN ANALYZE runs the statement: wrap an INSERT, UPDATE or DELETE in BEGIN; ... "
    "ROLLBACK; pg_stat_statements counts since its last reset (pg_stat_statements_reset())"
)


def _schema(probe: Probe) -> str:
    return str(probe.rows("queries_extension")[0]["schema"])


@check("slow-query", "warning")
def slow_query(probe: Probe) -> Iterator[Symptom]:
    """A query (SELECT, INSERT, UPDATE, DELETE, MERGE ...; utility statements are left out)
    whose mean execution time is at least ``slow_query_mean_ms`` (20 ms) over at least
    ``slow_query_min_calls`` (100) calls, as pg_stat_statements measured it in this database.

    Why: a statement that is slow every time it runs, and runs often, is where the database's
    time goes and what users wait for; its plan (EXPLAIN ANALYZE) shows whether an index, a
    rewrite or fresh statistics would make it fast.
    """
    rows, total_ms, _ = _workload(probe)
    mean_least, calls_least = probe.config.slow_query_mean_ms, probe.config.slow_query_min_calls
    for r in rows:
        calls = int(r["calls"])
        if calls < calls_least or float(r["total_ms"]) / calls < mean_least:
            continue
        yield Symptom(
            object=short(r["query"]),
            value=_measured(r, total_ms),
            threshold=f"mean >= {number(mean_least)} ms over >= {calls_least:,} calls",
            why="each call is slow and it runs often: users wait for it and it holds a "
            "connection and its locks all that time",
            fix=explain_fix(probe, r, _schema(probe)),
            caveat=_EXPLAIN_CAVEAT,
        )


def _top(rows: list[Row], key: str, total: float) -> dict[Any, int]:
    """``{queryid: rank}`` of the statements taking at least TOP_SHARE of ``total``."""
    ranked = sorted(rows, key=lambda r: float(r[key]), reverse=True)[:TOP_COUNT]
    return {
        r["queryid"]: i for i, r in enumerate(ranked, 1) if total and r[key] / total >= TOP_SHARE
    }


@check("top-queries", "info")
def top_queries(probe: Probe) -> Iterator[Symptom]:
    """The few queries that dominate this database's work: each taking at least 20 % of the
    execution time or of the calls of all the queries pg_stat_statements counted (the five
    largest of each, run at least ``slow_query_min_calls`` times).

    Why: making the statement that takes half the time twice as fast saves a quarter of it;
    the same effort spent on any other statement saves less. A statement called far more
    often than the rest may be an N+1 loop or a cache that does not hold.
    """
    rows, total_ms, total_calls = _workload(probe)
    least = probe.config.slow_query_min_calls
    rows = [r for r in rows if int(r["calls"]) >= least]
    by_time = _top(rows, "total_ms", total_ms)
    by_calls = _top(rows, "calls", total_calls)
    for r in rows:
        ranks = []
        if r["queryid"] in by_time:
            ranks.append(f"#{by_time[r['queryid']]} by total time")
        if r["queryid"] in by_calls:
            share = int(r["calls"]) / total_calls
            ranks.append(f"#{by_calls[r['queryid']]} by calls ({percent(share)} of all calls)")
        if not ranks:
            continue
        yield Symptom(
            object=short(r["query"]),
            value=f"{', '.join(ranks)}: {_measured(r, total_ms)}",
            threshold=f">= {percent(TOP_SHARE)} of the time or of the calls, >= {least:,} calls",
            why="the statements that dominate the work are where tuning pays most; one called "
            "far more often than the rest may be an N+1 loop",
            fix=explain_fix(probe, r, _schema(probe)),
            caveat=_EXPLAIN_CAVEAT,
        )


@check("query-low-cache-hit", "warning")
def query_low_cache_hit(probe: Probe) -> Iterator[Symptom]:
    """A query that found fewer than ``cache_hit_min`` (99 %) of the shared blocks it touched
    in shared_buffers (pg_stat_statements), over at least 10 000 blocks (78 MB of 8 kB blocks)
    in all its calls.

    Why: a block not in shared_buffers comes from the operating system's cache at best, from
    disk at worst; a statement that reads much of what it touches is I/O-bound, usually
    because it scans far more than it keeps (a missing index) or its data does not fit the
    cache.
    """
    rows, total_ms, _ = _workload(probe)
    least = probe.config.cache_hit_min
    buffers = probe.rows("queries_extension")[0]["shared_buffers"]
    for r in rows:
        hit, read = int(r["blks_hit"]), int(r["blks_read"])
        if hit + read < MIN_BLOCKS or hit / (hit + read) >= least:
            continue
        yield Symptom(
            object=short(r["query"]),
            value=f"{percent(hit / (hit + read))} of {hit + read:,} blocks from the cache "
            f"({read:,} read); {_measured(r, total_ms)}",
            threshold=f">= {percent(least)} cache hits, over >= {MIN_BLOCKS:,} blocks",
            why="every block it does not find in shared_buffers is read from the operating "
            "system or the disk: the statement waits on I/O and pushes other data out",
            fix=explain_fix(probe, r, _schema(probe))
            + f"\n-- if the plan is right and its data is hot: shared_buffers is {buffers} now",
            caveat="a statement that scans a table larger than a quarter of shared_buffers "
            "reads it through a small ring of buffers, so it never hits the cache",
        )


# ------------------------------------------------------------------------------ sessions


def sessions(probe: Probe) -> list[Row]:
    """This database's client sessions, less the review's own; a note when the role cannot
    see other roles' sessions."""
    rows = [r for r in probe.rows("activity_sessions") if r["application_name"] != APPLICATION_NAME]
    hidden = sum(r["state"] is None and r["query"] == HIDDEN for r in rows)
    if hidden:
        probe.note(
            "pg_stat_activity",
            f"{hidden} sessions of other roles are hidden from this role (their state and "
            "query): grant it pg_monitor to check them",
        )
    return rows


def who(r: Row) -> str:
    """The session's role, application and client, as far as they are known."""
    parts = [f"user {r['user_name']}"]
    if r["application_name"]:
        parts.append(f"application {r['application_name']}")
    parts.append(f"client {r['client']}" if r["client"] else "local socket")
    return ", ".join(parts)


@check("long-running-query", "warning")
def long_running_query(probe: Probe) -> Iterator[Symptom]:
    """A session of this database whose query has been running for ``long_running_s`` (60 s)
    or longer.

    Why: a long query holds its locks, its connection and its snapshot all the while: VACUUM
    cannot remove rows deleted since it began, a DDL statement waiting behind it blocks
    every later query on the table, and it may be a runaway no one is waiting for.
    """
    least = probe.config.long_running_s
    db = probe.dialect.quote_ident(database(probe))
    for r in sessions(probe):
        if r["state"] != "active" or r["query_s"] is None or r["query_s"] < least:
            continue
        pid, role = r["pid"], probe.dialect.quote_ident(r["user_name"])
        yield Symptom(
            object=f"pid {pid}",
            value=f"running for {duration_text(r['query_s'])}: {short(r['query'])} ({who(r)})",
            threshold=f">= {number(least)} s",
            why="it holds its locks, its connection and its snapshot all the while: VACUUM "
            "cannot clean up behind it, and DDL waiting for it blocks everyone after",
            fix=f"SELECT pg_cancel_backend({pid});  -- cancels the query; the session stays\n"
            f"SELECT pg_terminate_backend({pid});  -- if the cancel is ignored: ends the "
            "session\n"
            "-- and a limit for the role's statements from now on (a report may SET its own):\n"
            f"ALTER ROLE {role} IN DATABASE {db} SET statement_timeout = "
            f"{setting_literal(max(least, 1))};",
            caveat="a batch job or a migration may be meant to run this long: ask before "
            "cancelling it",
        )


@check("idle-in-transaction", "warning")
def idle_in_transaction(probe: Probe) -> Iterator[Symptom]:
    """A session of this database idle inside an open transaction for
    ``idle_in_transaction_s`` (60 s) or longer; and 100 or more sessions idle in transaction
    at once (PgHero).

    Why: an open transaction keeps every lock it took and its snapshot while the application
    does something else (or has forgotten it): writers queue behind its locks and VACUUM
    cannot remove rows deleted since it began, so tables bloat.
    """
    least = probe.config.idle_in_transaction_s
    db = probe.dialect.quote_ident(database(probe))
    timeout = f"ALTER DATABASE {db} SET idle_in_transaction_session_timeout = "
    idle = [r for r in sessions(probe) if str(r["state"]).startswith("idle in transaction")]
    for r in idle:
        if r["state_s"] is None or r["state_s"] < least:
            continue
        pid, opened = r["pid"], duration_text(r["xact_s"] or r["state_s"])
        yield Symptom(
            object=f"pid {pid}",
            value=f"{r['state']} for {duration_text(r['state_s'])} (transaction open "
            f"{opened}); last query: {short(r['query'])} ({who(r)})",
            threshold=f">= {number(least)} s",
            why="its transaction keeps its locks and its snapshot: writers wait behind them "
            "and VACUUM cannot remove rows deleted since it began",
            fix=f"SELECT pg_terminate_backend({pid});  -- ends the session; its transaction "
            "rolls back\n"
            "-- and let the server end such transactions itself from now on:\n"
            f"{timeout}{setting_literal(max(least, 1))};",
            caveat="the application may still hold this connection: it will see an error on "
            "its next statement, and anything it had not committed is lost",
        )
    if len(idle) >= IDLE_IN_TRANSACTION_MAX:
        yield Symptom(
            object=database(probe),
            value=f"{len(idle)} sessions idle in transaction",
            threshold=f"< {IDLE_IN_TRANSACTION_MAX} at once",
            why="that many open transactions hold connections, locks and snapshots while "
            "doing nothing: the application does not commit or roll back promptly",
            fix=f"{timeout}{setting_literal(max(least, 1))};\n"
            "-- and find the code path: SELECT application_name, query, count(*) FROM "
            "pg_stat_activity WHERE state = 'idle in transaction' GROUP BY 1, 2 ORDER BY 3 DESC;",
        )


def _roots(pid: int, blocked_by: dict[int, list[int]]) -> list[int]:
    """The sessions at the head of ``pid``'s chain of lock waits: its blockers that wait on
    no one themselves (followed through the chain)."""
    seen: set[int] = set()
    stack, roots = [pid], []
    while stack:
        for b in blocked_by.get(stack.pop(), []):
            if b in seen or b == pid:
                continue
            seen.add(b)
            if blocked_by.get(b):
                stack.append(b)
            else:
                roots.append(b)
    return sorted(roots) or sorted(blocked_by.get(pid, []))


def _blocker(pid: int, by_pid: dict[int, Row]) -> str:
    r = by_pid.get(pid)
    if r is None:
        return f"pid {pid} (not a session of this database)"
    state = r["state"] or "?"
    since = r["state_s"] if state != "active" else r["query_s"]
    when = f" for {duration_text(since)}" if since is not None else ""
    return f"pid {pid} ({state}{when}: {short(r['query'], 60)}; {who(r)})"


@check("blocked-session", "warning")
def blocked_session(probe: Probe) -> Iterator[Symptom]:
    """A session of this database that has waited on a lock longer than the server's
    ``deadlock_timeout`` (1 s, the wait ``log_lock_waits`` logs), with the sessions that
    block it (``pg_blocking_pids``) and what they are doing.

    Why: every statement that needs the same lock queues behind the first waiter: one open
    transaction holding a row, or an ALTER TABLE waiting for a long query, can stop all
    traffic on a table.
    """
    rows = sessions(probe)
    by_pid = {r["pid"]: r for r in rows}
    blocked_by = {r["pid"]: list(r["blocked_by"] or []) for r in rows if r["waiting"]}
    db = probe.dialect.quote_ident(database(probe))
    for r in rows:
        least = r["deadlock_timeout_s"]
        if not blocked_by.get(r["pid"]) or r["wait_s"] is None or r["wait_s"] < least:
            continue
        roots = _roots(r["pid"], blocked_by)
        direct = ", ".join(_blocker(b, by_pid) for b in blocked_by[r["pid"]])
        terminate = "\n".join(
            f"SELECT pg_terminate_backend({b});  -- ends pid {b}, at the head of the queue: "
            "its transaction rolls back"
            for b in roots
        )
        role = probe.dialect.quote_ident(r["user_name"])
        yield Symptom(
            object=f"pid {r['pid']}",
            value=f"waiting {duration_text(r['wait_s'])} for a {r['waiting_for'] or 'lock'}: "
            f"{short(r['query'])} ({who(r)}); blocked by {direct}",
            threshold=f"waiting >= deadlock_timeout ({number(least)} s)",
            why="it and every later statement needing the same lock wait until the blocker "
            "commits, rolls back or ends",
            fix=f"{terminate}\n"
            "-- and cap lock waits so a queue cannot build (before DDL in a migration: "
            "SET lock_timeout = '5s';):\n"
            f"ALTER ROLE {role} IN DATABASE {db} SET lock_timeout = '5s';",
            caveat="terminating a session rolls back its transaction's work; a blocker that "
            "is itself active may finish soon",
        )
