"""Table checks: tables without a primary key, dead rows autovacuum has not removed, large
tables read by sequential scans, constraints never validated, transaction and multixact ids
running out, and sequences near the end of their range (or of their column's type)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

from dbdesign.databases import pg_statements
from dbdesign.health.registry import Probe, Symptom, check, sql_text
from dbdesign.lint.findings import Severity


@check("table-without-primary-key", "warning")
def table_without_primary_key(probe: Probe) -> Iterator[Symptom]:
    """A table (ordinary or partitioned; a partition has its parent's) without a primary key.

    Why: rows cannot be told apart or referenced reliably, logical replication cannot send their
    UPDATEs and DELETEs (without a replica identity), and tools that edit or sync rows need one.
    """
    for t in probe.rows("tables"):
        if t["has_primary_key"]:
            continue
        table = probe.name(t["schema"], t["name"])
        if t["unique_index"]:
            index = probe.dialect.quote_ident(t["unique_index"])
            fix = f"ALTER TABLE {table} ADD PRIMARY KEY USING INDEX {index};"
        else:
            fix = (
                f"ALTER TABLE {table} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY "
                "PRIMARY KEY;\n-- or, when some NOT NULL columns already identify a row: "
                f"ALTER TABLE {table} ADD PRIMARY KEY (...);"
            )
        yield Symptom(
            object=table,
            value=f"no primary key (~{t['rows']} rows)",
            threshold="a primary key on every table",
            why="rows cannot be told apart or referenced reliably, and logical replication "
            "cannot replicate their UPDATEs and DELETEs",
            fix=fix,
            caveat="ADD COLUMN ... IDENTITY rewrites the table under an ACCESS EXCLUSIVE lock"
            if not t["unique_index"]
            else "",
        )


# ---------------------------------------------------------------------------- helpers

Row = dict[str, Any]

# A table counts as read by sequential scans only after this many of them: one nightly dump or
# a few reports read a large table whole without anything being wrong.
# Transaction and multixact ids run out 2^31 after the oldest unfrozen one.
ID_SPACE = 2**31
# The largest value of each integer type a sequence can feed.
TYPE_MAX = {"smallint": 2**15 - 1, "integer": 2**31 - 1, "bigint": 2**63 - 1}


def _n(value: float) -> str:
    """``1234567`` as ``1,234,567`` (an int exactly, however large)."""
    return f"{value:,}" if isinstance(value, int) else f"{value:,.0f}"


def _when(at: datetime | None) -> str:
    return "never" if at is None else f"{at:%Y-%m-%d %H:%M}"


def _table(probe: Probe, r: Row) -> str:
    return probe.name(r["schema"], r["name"])


def _statements(lines: Iterable[str]) -> str:
    return "\n".join(line for line in lines if line)


# ---------------------------------------------------------------------------- dead rows


@check("dead-tuples", "warning")
def dead_tuples(probe: Probe) -> Iterator[Symptom]:
    """A table with at least ``dead_tuples_min`` (10,000) dead rows, more than
    ``dead_tuples_min_fraction`` (20 %) of its live ones: autovacuum is behind on it, or off.

    Why: dead rows are old row versions only VACUUM removes; until it does, every sequential
    scan reads them, index scans visit them, the table and its indexes grow, and
    index-only scans stop paying off (the visibility map is not set).
    """
    least = probe.config.dead_tuples_min
    share = probe.config.dead_tuples_min_fraction
    for t in probe.rows("table_stats"):
        dead, live = t["dead"], t["live"]
        if dead < least or dead <= share * live:
            continue
        table = _table(probe, t)
        off = _autovacuum_off(t)
        yield Symptom(
            object=table,
            value=f"{_n(dead)} dead rows, {_n(live)} live; last vacuum "
            f"{_when(t['last_vacuum'])}, last autovacuum {_when(t['last_autovacuum'])}"
            + (f"; autovacuum is off {off}" if off else ""),
            threshold=f">= {_n(least)} dead rows and > {share:.0%} of the live ones",
            why="dead rows are read by every sequential scan and visited by index scans until "
            "VACUUM removes them, and the table and its indexes grow meanwhile"
            + (f"; autovacuum will not do it: it is off {off}" if off else ""),
            fix=_dead_tuples_fix(table, t),
            caveat="n_dead_tup is the statistics' estimate. VACUUM cannot remove rows that a "
            "long transaction, a prepared transaction or a replication slot may still see: "
            "if the count stays after it, look for those (the xid-wraparound check's queries)",
        )


def _autovacuum_off(t: Row) -> str:
    """Where autovacuum is off for the table: ``for this table``, ``for the whole server``."""
    where = []
    if t["autovacuum_enabled"] is False:
        where.append("for this table (autovacuum_enabled = false)")
    if not t["autovacuum_on"]:
        where.append("for the whole server (autovacuum = off)")
    return " and ".join(where)


def _dead_tuples_fix(table: str, t: Row) -> str:
    return _statements(
        [
            f"VACUUM (ANALYZE) {table};",
            "-- autovacuum is off for this table: turn it back on\n"
            f"ALTER TABLE {table} RESET (autovacuum_enabled);"
            if t["autovacuum_enabled"] is False
            else "",
            "-- autovacuum is off for the whole server: turn it back on\n"
            "ALTER SYSTEM SET autovacuum = on;\nSELECT pg_reload_conf();"
            if not t["autovacuum_on"]
            else "",
            "-- if dead rows pile up again, let autovacuum start sooner on this table "
            "(the default is 0.2: a fifth of the rows dead)\n"
            f"ALTER TABLE {table} SET (autovacuum_vacuum_scale_factor = 0.05);",
        ]
    )


# ---------------------------------------------------------------------------- sequential scans


@check("seq-scan-heavy", "info")
def seq_scan_heavy(probe: Probe) -> Iterator[Symptom]:
    """A table of at least ``seq_scan_min_rows`` (10,000) live rows whose scans are mostly
    (``seq_scan_min_fraction``, 50 %) sequential: at least 100 of them, each reading on
    average at least ``seq_scan_min_rows`` rows. Info: a lead to follow, not a defect.

    Why: a sequential scan reads the whole table; done often on a large table it costs I/O,
    cache and CPU that an index would spare the queries that want a few rows. But it is the
    right plan for a query that reads most of the table, so the statements behind the scans
    decide: the fix finds them and asks ``dbdesign advise`` for the indexes they need.
    """
    least = probe.config.seq_scan_min_rows
    share = probe.config.seq_scan_min_fraction
    for t in probe.rows("table_stats"):
        seq, idx = t["seq_scan"] or 0, t["idx_scan"] or 0
        if t["live"] < least or seq < probe.config.seq_scan_min_scans or seq / (seq + idx) < share:
            continue
        per_scan = t["seq_tup_read"] / seq
        if per_scan < least:
            continue
        yield Symptom(
            object=_table(probe, t),
            value=f"{_n(seq)} sequential scans ({seq / (seq + idx):.0%} of its scans) read "
            f"{_n(t['seq_tup_read'])} rows, ~{_n(per_scan)} each; {_n(t['live'])} live rows",
            threshold=f">= {_n(least)} live rows, >= {share:.0%} of scans sequential, "
            f">= {probe.config.seq_scan_min_scans} of them reading >= {_n(least)} rows on average",
            why="each sequential scan reads the whole table; queries that want a few of its "
            "rows would read far less through an index",
            fix=_seq_scan_fix(probe, t),
            caveat="a query that reads most of the table is right to scan it, and a dump "
            "(pg_dump) or a batch job counts too; "
            + (
                f"the counters are from the last {probe.stats_days:.0f} days"
                if probe.stats_days is not None
                else "the counters' age is unknown"
            ),
        )


def _seq_scan_fix(probe: Probe, t: Row) -> str:
    """The statements that read the table (pg_stat_statements), then ``dbdesign advise``."""
    tools = probe.rows("table_query_tools")[0]
    pgss = tools["pg_stat_statements"]
    table = _table(probe, t)
    advise = f"dbdesign advise pg_stat_statements --db {shlex.quote(_url(probe))}"
    hypopg = _hypopg(tools)
    view = probe.name(pgss or "public", "pg_stat_statements")
    pattern = probe.dialect.quote_string(r"(^|\W)" + re.escape(t["name"]) + r"(\W|$)")
    query = (
        f"SELECT queryid, calls, round(total_exec_time) AS total_ms, rows, query\n"
        f"  FROM {view}\n"
        " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())\n"
        f"   AND query ~* {pattern}\n"
        " ORDER BY total_exec_time DESC LIMIT 20;"
    )
    return _statements(
        [
            _enable_statements(probe),
            f"-- the statements that read {table}, the costliest first:\n{query}",
            f"-- then the indexes the whole workload needs, by what-if cost{hypopg}; "
            f"from a shell:\n-- {advise}",
        ]
    )


def _enable_statements(probe: Probe) -> str:
    """How to create pg_stat_statements where it is not (the steps before CREATE EXTENSION,
    as dbdesign.databases.pg_statements says them, then the statement)."""
    setup = pg_statements.setup(probe.conn)
    if setup.created:
        return ""
    before = setup.steps(create=False)
    return (
        f"-- {setup.problem()}{f': {before}; then' if before else ''}:\n"
        f"CREATE EXTENSION {pg_statements.EXTENSION};"
    )


def _hypopg(tools: Row) -> str:
    """What ``dbdesign advise`` still needs of HypoPG, in parentheses (nothing: created)."""
    if tools["hypopg"]:
        return ""
    if not tools["hypopg_available"]:
        return (
            " (it needs HypoPG, which is not installed on this server: install it, e.g. the "
            f"postgresql-{tools['major']}-hypopg package, then CREATE EXTENSION hypopg;)"
        )
    return " (it needs HypoPG: CREATE EXTENSION hypopg;)"


def _url(probe: Probe) -> str:
    """The URL of the connected database, without a password (``dbdesign advise --db``)."""
    info = probe.conn.info
    user = quote(info.user or "", safe="")
    db = quote(info.dbname or "", safe="")
    host = info.host or "localhost"
    if host.startswith("/"):  # a unix socket directory
        return f"postgresql://{user}@/{db}?host={quote(host, safe='')}&port={info.port}"
    return f"postgresql://{user}@{f'[{host}]' if ':' in host else host}:{info.port}/{db}"


# ---------------------------------------------------------------------------- NOT VALID


@check("not-valid-constraint", "warning")
def not_valid_constraint(probe: Probe) -> Iterator[Symptom]:
    """A CHECK or FOREIGN KEY constraint added ``NOT VALID`` and never validated
    (``pg_constraint.convalidated`` false).

    Why: new and updated rows are checked, but the rows that were there before are not: the
    constraint promises nothing about them, and the planner cannot use an unvalidated CHECK to
    skip partitions or a foreign key to remove joins. ``NOT VALID`` is meant as the first of
    two steps; the second, ``VALIDATE CONSTRAINT``, was never run.
    """
    for k in probe.rows("table_not_valid"):
        table = probe.name(k["schema"], k["table_name"])
        name = probe.dialect.quote_ident(k["name"])
        find = _violations(probe, k, table)
        kind = "CHECK" if k["type"] == "c" else "FOREIGN KEY"
        yield Symptom(
            object=probe.name(k["schema"], k["table_name"], k["name"]),
            value=f"{k['definition']} (~{_n(k['rows'])} rows)",
            threshold="every constraint validated",
            why=f"the rows {table} held when the {kind} was added were never checked: the "
            "constraint guarantees nothing about them, and the planner cannot rely on it",
            fix=_statements(
                [
                    f"-- the rows that break it (fix or delete them first):\n{find}",
                    f"ALTER TABLE {table} VALIDATE CONSTRAINT {name};",
                ]
            ),
            caveat=f"VALIDATE reads all of {table} under a SHARE UPDATE EXCLUSIVE lock (reads "
            "and writes go on; other schema changes and VACUUM wait)"
            + (", and takes ROW SHARE on the referenced table" if k["type"] == "f" else "")
            + "; it fails at the first row that breaks the constraint",
        )


def _violations(probe: Probe, k: Row, table: str) -> str:
    """A query for the rows of ``table`` that break the constraint ``k``."""
    if k["type"] == "c":
        return f"SELECT * FROM {table} WHERE NOT ({k['expression']}) LIMIT 100;"
    q = probe.dialect.quote_ident
    cols = [f"t.{q(c)}" for c in k["columns"]]
    ref = probe.name(k["referenced_schema"], k["referenced_table"])
    match = " AND ".join(
        f"r.{q(rc)} = {c}" for rc, c in zip(k["referenced_columns"], cols, strict=True)
    )
    missing = f"NOT EXISTS (SELECT 1 FROM {ref} r WHERE {match})"
    present = " AND ".join(f"{c} IS NOT NULL" for c in cols)
    where = f"{present} AND {missing}"
    if k["match_type"] == "f" and len(cols) > 1:  # MATCH FULL: all null or none
        some = " OR ".join(f"{c} IS NULL" for c in cols)
        where = f"({where}) OR (({some}) AND NOT ({' AND '.join(f'{c} IS NULL' for c in cols)}))"
    return f"SELECT t.* FROM {table} t WHERE {where} LIMIT 100;"


# ---------------------------------------------------------------------------- wraparound


@check("xid-wraparound", "error")
def xid_wraparound(probe: Probe) -> Iterator[Symptom]:
    """A database of the server whose oldest unfrozen transaction id (``age(datfrozenxid)``)
    leaves fewer than ``wraparound_min_remaining`` (1.5 billion) of the 2^31 ids before
    wraparound; the finding names this database's oldest tables.

    Why: when too few ids are left the server stops assigning them (every write fails) until
    the database is vacuumed, which on a large table can take hours. Only VACUUM freezing the
    oldest rows moves the limit, and only if nothing holds the xmin horizon back.
    """
    yield from _wraparound(probe, "xid")


@check("multixact-wraparound", "error")
def multixact_wraparound(probe: Probe) -> Iterator[Symptom]:
    """A database whose oldest multixact id (``mxid_age(datminmxid)``) leaves fewer than
    ``wraparound_min_remaining`` (1.5 billion) of the 2^31 before wraparound; the finding
    names this database's oldest tables.

    Why: multixact ids (rows locked by several transactions at once: foreign key checks,
    SELECT ... FOR SHARE) wrap around like transaction ids, and the server stops writes the
    same way when they run out; VACUUM freezing the oldest tables is again the only way out.
    """
    yield from _wraparound(probe, "mxid")


_IDS = {
    "xid": ("transaction ids", "age(datfrozenxid)"),
    "mxid": ("multixact ids", "mxid_age(datminmxid)"),
}


def _wraparound(probe: Probe, kind: str) -> Iterator[Symptom]:
    least = probe.config.wraparound_min_remaining
    ids, measure = _IDS[kind]
    for d in probe.rows("wraparound"):
        age = d[f"{kind}_age"]
        left = ID_SPACE - age
        if left >= least:
            continue
        tables = _oldest(probe, kind, least) if d["current"] else []
        oldest = ", ".join(f"{name} ({_n(a)})" for name, a in tables)
        held = _held(probe, least) if kind == "xid" else ""
        yield Symptom(
            object=probe.dialect.quote_ident(d["name"]),
            value=f"{measure} {_n(age)}: {_n(left)} {ids} left"
            + (f"; oldest tables: {oldest}" if oldest else "")
            + held,
            threshold=f">= {_n(least)} {ids} left of 2^31",
            why=f"when the {ids} run out the server refuses every write in every database "
            "until this one is vacuumed, which can take hours on a large table",
            fix=_wraparound_fix(probe, d, tables),
            caveat="VACUUM (FREEZE) reads all of each table and writes most of its pages: "
            "run it off-peak (it takes only a SHARE UPDATE EXCLUSIVE lock); it cannot freeze "
            "past the oldest xmin still held, so end those holders first",
        )


def _held(probe: Probe, least: int) -> str:
    """The oldest xmin still held, when it alone keeps fewer than ``least`` ids left (VACUUM
    cannot freeze past it)."""
    holders = probe.rows("wraparound_horizon")
    if not holders or ID_SPACE - holders[0]["xmin_age"] >= least:
        return ""
    h = holders[0]
    return f"; held back by {h['kind']} {h['holder']}, xmin age {_n(h['xmin_age'])}"


def _oldest(probe: Probe, kind: str, least: int) -> list[tuple[str, int]]:
    """This database's oldest tables by ``kind`` (at most five) past the threshold."""
    rows = sorted(probe.rows("wraparound_tables"), key=lambda r: r[f"{kind}_rank"])
    return [
        (_table(probe, r), r[f"{kind}_age"])
        for r in rows
        if r[f"{kind}_rank"] <= 5 and ID_SPACE - r[f"{kind}_age"] < least
    ]


def _horizon_query() -> str:
    """``wraparound_horizon.sql`` without its comment, as a statement."""
    text = sql_text("wraparound_horizon")
    return "\n".join(line for line in text.splitlines() if not line.startswith("--")) + ";"


def _wraparound_fix(probe: Probe, d: Row, tables: list[tuple[str, int]]) -> str:
    name = probe.dialect.quote_ident(d["name"])
    if tables:
        vacuum = f"VACUUM (FREEZE, VERBOSE) {', '.join(t for t, _ in tables)};"
    elif d["current"]:
        vacuum = "VACUUM (FREEZE, VERBOSE);"
    elif d["allows_connections"]:
        vacuum = (
            f"-- connected to database {name} (run dbdesign health there for its oldest "
            "tables), the whole database:\n-- VACUUM (FREEZE, VERBOSE);"
        )
    else:
        vacuum = (
            f"-- {name} accepts no connections: autovacuum freezes it unless it is blocked; "
            f"to do it by hand: ALTER DATABASE {name} ALLOW_CONNECTIONS true; connect to it, "
            f"VACUUM (FREEZE, VERBOSE); then ALTER DATABASE {name} ALLOW_CONNECTIONS false;"
        )
    return _statements(
        [
            vacuum,
            "-- what holds the xmin horizon back (VACUUM cannot freeze past it), oldest "
            "first:\n" + _horizon_query(),
            "-- end them: SELECT pg_terminate_backend(pid); ROLLBACK PREPARED 'gid'; "
            "SELECT pg_drop_replication_slot('slot'); (a standby: hot_standby_feedback)",
        ]
    )


# ---------------------------------------------------------------------------- sequences


@check("sequence-exhaustion", "warning")
def sequence_exhaustion(probe: Probe) -> Iterator[Symptom]:
    """A sequence past ``sequence_max_fraction`` (90 %) of its range: of its own maximum
    (minimum, descending), or of the type of a column it feeds (its serial or identity
    column, or a column whose DEFAULT calls nextval() on it), whichever ends first. Past 99 %
    the finding is an error.

    Why: once it is used up every INSERT that takes a value fails (``nextval: reached maximum
    value`` or ``integer out of range``) until the column is widened, which rewrites the
    table: an outage if it comes as a surprise. An ``integer`` column fed by a ``bigint``
    sequence runs out at 2^31 however far the sequence could go.
    """
    unread: list[Row] = []
    for s in probe.rows("sequences"):
        if not s["readable"]:
            unread.append(s)
        elif s["last_value"] is not None:
            yield from _sequence(probe, s)
    if unread:
        _note_unread(probe, unread)


def _sequence(probe: Probe, s: Row) -> Iterator[Symptom]:
    ascending = s["increment"] > 0
    limit, column = _limit(s, ascending)
    # the end it counts from: its start side, or 0 when 0 lies inside its range
    start = s["min"] if ascending else s["max"]
    origin = 0 if min(start, limit) < 0 < max(start, limit) else start
    span = limit - origin
    used = (s["last_value"] - origin) / span if span else 1.0
    least = probe.config.sequence_max_fraction
    if used <= least:
        return
    name = probe.name(s["schema"], s["name"])
    end = "maximum" if ascending else "minimum"
    left = abs(limit - s["last_value"]) // abs(s["increment"])
    value = f"last value {_n(s['last_value'])}: {used:.1%} of "
    if column is None:
        value += f"its {end} {_n(limit)} ({_n(left)} values left)"
    else:
        value += (
            f"{column['type']} column {_column(probe, column)}'s {end} {_n(limit)} "
            f"({_n(left)} values left)"
        )
        bound = s["max"] if ascending else s["min"]
        if bound != limit:
            own = (s["last_value"] - origin) / (bound - origin or 1)
            value += f"; of the {s['type']} sequence's own range: {own:.1%}"
    fix = _sequence_fix(probe, s, name, ascending)
    yield Symptom(
        object=name,
        value=value,
        threshold=f"> {least:.0%} of the sequence's range or its column type's, the smaller",
        why="when it runs out every INSERT that takes a value fails until the column is "
        "widened, which rewrites the table",
        fix=fix,
        caveat=(REWRITE if "ALTER TABLE" in fix else "")
        + "Never CYCLE or RESTART the sequence instead: it would hand out keys already used"
        + (" (this one CYCLEs already: past its end it starts again)" if s["cycle"] else ""),
        severity=Severity.error if used >= SEQUENCE_CRITICAL else None,
    )


SEQUENCE_CRITICAL = 0.99  # past this share of its range a sequence is an error

REWRITE = (
    "ALTER COLUMN ... TYPE bigint rewrites the table and its indexes under an ACCESS EXCLUSIVE "
    "lock (no reads or writes meanwhile): on a big table add a bigint column, fill it in "
    "batches (a trigger keeping new rows in step), then swap it in. "
)


def _limit(s: Row, ascending: bool) -> tuple[int, dict[str, Any] | None]:
    """Where the sequence ends: its own bound or, when narrower, the type bound of a column
    it feeds (that column, else None)."""
    limit, column = (s["max"], None) if ascending else (s["min"], None)
    for c in s["columns"]:
        top = TYPE_MAX.get(c["type"])
        if top is None:
            continue
        bound = top if ascending else -top - 1
        if (bound <= limit) if ascending else (bound >= limit):  # a tie names the column
            limit, column = bound, c
    return limit, column


def _column(probe: Probe, c: dict[str, Any]) -> str:
    return probe.name(c["schema"], c["table"], c["column"])


def _sequence_fix(probe: Probe, s: Row, name: str, ascending: bool) -> str:
    q = probe.dialect.quote_ident
    lines: list[str] = []
    for c in s["columns"]:
        narrow = [c] if c["type"] in ("smallint", "integer") else []
        narrow += [r for r in c["referenced_by"] if r["type"] in ("smallint", "integer")]
        for col in narrow:
            table = probe.name(col["schema"], col["table"])
            alter = f"ALTER TABLE {table} ALTER COLUMN {q(col['column'])} TYPE bigint;"
            if alter not in lines:
                lines.append(alter)
    clauses = []
    if s["type"] != "bigint":
        clauses.append("AS bigint")
    own = TYPE_MAX.get(s["type"], 0)
    if ascending and s["max"] < own:
        clauses.append("NO MAXVALUE")
    if not ascending and s["min"] > -own - 1:
        clauses.append("NO MINVALUE")
    if clauses:
        lines.append(f"ALTER SEQUENCE {name} {' '.join(clauses)};")
    if not lines:
        lines.append(
            "-- the bigint range itself is nearly used up: a sequence cannot go further; "
            "give the table a new key (a uuid column, or a second bigint column)"
        )
    return "\n".join(lines)


def _note_unread(probe: Probe, unread: list[Row]) -> None:
    """One note: how many sequences this role could not read, and the GRANT that allows it."""
    schemas = ", ".join(dict.fromkeys(probe.dialect.quote_ident(s["schema"]) for s in unread))
    role = probe.dialect.quote_ident(unread[0]["reader"])
    count = f"{len(unread)} sequence{'s' if len(unread) != 1 else ''}"
    probe.note(
        "sequence-exhaustion",
        f"{count} not checked: their last value is hidden without SELECT or USAGE on them "
        f"(pg_monitor does not give it); to allow it: GRANT SELECT ON ALL SEQUENCES IN "
        f"SCHEMA {schemas} TO {role};",
    )
