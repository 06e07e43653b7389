"""A PostgreSQL server log as a workload: which statements ran, how often, for how long.

The server logs a statement in one of these messages (:mod:`dbdesign.advise.logs` reads the
formats):

- ``duration: 1.234 ms  statement: SELECT ...`` (``log_min_duration_statement``, simple
  protocol; one message may hold several statements);
- ``duration: 1.234 ms  execute <name>: SELECT ... $1`` with ``DETAIL:  parameters: $1 =
  '42'`` (extended protocol), after ``parse`` and ``bind`` messages whose durations are the
  statement's parsing and planning: they are added to the execute's time;
- ``statement: ...`` and ``execute <name>: ...`` without a duration (``log_statement =
  all``), followed by a bare ``duration: 1.234 ms`` when both settings are on;
- ``statement: EXECUTE name(...)`` with ``DETAIL:  prepare: PREPARE name AS ...``: the prepared
  query is the one that ran.

Each statement is counted once per run, its time summed, a few texts with their literal values
kept as samples (an ``execute``'s parameters substituted), and each run kept as a
:class:`~dbdesign.lint.query.QueryRun` (session, transaction, time) for N+1
detection. Only ``LOG`` messages count: an ``ERROR``'s ``STATEMENT:`` did not run.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

from pglast import parser

from dbdesign.advise.logs import Record, records
from dbdesign.advise.workload_model import (
    MAX_SAMPLES,
    QueryGroup,
    QueryWorkload,
    WorkloadBuilder,
)
from dbdesign.advise.workload_text import inner_query, placeholders_in, substitute
from dbdesign.lint.query import QueryRun
from dbdesign.model import Origin

_MESSAGE = re.compile(
    r"(?:duration: (?P<ms>\d+(?:\.\d+)?) ms(?:  |\Z))?"
    r"(?:(?P<act>statement|execute|parse|bind)(?: (?P<name>[^:\n]*))?: (?P<sql>.*))?\Z",
    re.DOTALL,
)
_PARAMETER = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")
_EXECUTE = re.compile(r"\s*execute\b", re.IGNORECASE)
_DECLARE = re.compile(r"\s*declare\b", re.IGNORECASE)
_AT = re.compile(r"(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d(?:\.\d+)?)(?: ?([+-])(\d\d)(?::?(\d\d))?)?")
_EPOCH = datetime(1970, 1, 1)


def read_log(path: Path, *, database: str | None = None) -> QueryWorkload:
    """The workload of a PostgreSQL log file (stderr, csvlog or jsonlog; ``.gz`` too), read in
    one pass. ``database``: keep the statements of that database when the log says which
    database ran them (``%d`` in the prefix; csvlog and jsonlog always do)."""
    fmt, stream = records(path)
    builder = WorkloadBuilder(f"{path} ({fmt})")
    reader = _LogReader(builder, str(path))
    for record in stream:
        reader.feed(record)
    keys = _databases(builder, database)
    reader.finish(keys)
    return builder.build(keys)


def _databases(builder: WorkloadBuilder, database: str | None) -> frozenset[str] | None:
    """Which databases' statements to keep: ``database`` when the log names it; all (with a
    note) when it names others only."""
    counts = builder.keys()
    named = sorted(k for k in counts if k)
    if database is None or not named:
        return None
    if database in counts:
        others = sum(n for k, n in counts.items() if k != database)
        if others:
            builder.note(
                f"kept the statements of database {database}; left out {others:,.0f} runs of "
                f"other databases ({', '.join(k for k in named if k != database)})"
            )
        return frozenset({database, ""})
    builder.note(
        f"the log shows no statement of database {database}: kept those of {', '.join(named)}"
    )
    return None


class _LogReader:
    """Turns records into builder calls, remembering per session what a later message
    completes (a statement waiting for its duration, parse and bind time waiting for the
    execute)."""

    def __init__(self, builder: WorkloadBuilder, file: str) -> None:
        self.builder = builder
        self.file = file
        # session -> a run logged without its duration, its parse + bind time, its database
        self.waiting: dict[str, tuple[QueryGroup, float, str]] = {}
        self.planning: dict[str, float] = {}  # session -> parse + bind ms before its execute
        self.timed: Counter[str] = Counter()  # database -> runs with a duration
        self.untimed: Counter[str] = Counter()  # database -> runs without one
        self._at: tuple[str | None, float] = (None, 0.0)

    def feed(self, record: Record) -> None:
        if record.severity != "LOG":
            return
        m = _MESSAGE.match(record.message)
        if m is None:
            return
        ms = float(m["ms"]) if m["ms"] is not None else None
        act = m["act"]
        if act is None:
            if ms is not None:
                self._late_duration(record.session, ms)
        elif act in ("parse", "bind"):
            if ms is not None:
                self.planning[record.session] = self.planning.get(record.session, 0.0) + ms
        elif act == "execute":
            self._execute(record, m["name"] or "", m["sql"], ms)
        else:
            self._statements(record, m["sql"], ms)

    def _late_duration(self, session: str, ms: float) -> None:
        """A bare ``duration:`` line: the time of the session's statement logged before it."""
        waiting = self.waiting.pop(session, None)
        if waiting is not None:
            self.builder.time(waiting[0], ms + waiting[1])
            self.timed[waiting[2]] += 1
            self.untimed[waiting[2]] -= 1

    def _execute(self, record: Record, name: str, sql: str, ms: float | None) -> None:
        """An extended-protocol execute: one statement, its parameters in the DETAIL."""
        if name.startswith("fetch from"):
            return  # more rows of a portal already counted
        planning = self.planning.pop(record.session, 0.0)
        text = sql.strip().rstrip(";")
        group = self._count(record, text, ms, None, planning)
        if group is not None and len(group.samples) < MAX_SAMPLES:
            values = parameters(record.detail)
            if values:
                group.sample(substitute(text, values))
            elif not placeholders_in(text):
                group.sample(text)

    def _statements(self, record: Record, text: str, ms: float | None) -> None:
        """A simple-protocol message: one or more statements, their time shared evenly."""
        texts = split(text)
        share = ms / len(texts) if ms is not None and texts else None
        for sql in texts:
            inner, why = _unwrapped(sql, record.detail)
            if inner is None:
                self.builder.skip(why or "not a query", self._origin(record))
                continue
            sample = None if placeholders_in(inner) else inner
            self._count(record, inner, share, sample)

    def _count(
        self,
        record: Record,
        sql: str,
        ms: float | None,
        sample: str | None,
        planning: float = 0.0,
    ) -> QueryGroup | None:
        """Count one run of ``sql`` (``ms``: its logged duration, None when a later line gives
        it; ``planning``: its parse and bind time)."""
        origin = Origin(file=self.file, line=record.line)
        group = self.builder.add(
            sql,
            total_ms=None if ms is None else ms + planning,
            origin=origin,
            sample=sample,
            key=record.database or "",
        )
        if group is None:
            return None
        key = record.database or ""
        if ms is None:
            self.untimed[key] += 1
            self.waiting[record.session] = (group, planning, key)
        else:
            self.timed[key] += 1
        self.builder.run(
            QueryRun(
                fingerprint=group.fingerprint,
                session=sys.intern(record.session),
                transaction=record.transaction,
                at_ms=self._epoch_ms(record.at),
                origin=origin,
            ),
            key=key,
        )
        return group

    def _origin(self, record: Record) -> Origin:
        return Origin(file=self.file, line=record.line)

    def _epoch_ms(self, at: str | None) -> float:
        """:func:`epoch_ms`, remembering the last one (messages of one moment share it)."""
        if at != self._at[0]:
            self._at = (at, epoch_ms(at))
        return self._at[1]

    def finish(self, keys: frozenset[str] | None) -> None:
        """Notes on what the log did not say about the runs of the databases kept (``keys``;
        None: all)."""
        timed = sum(n for k, n in self.timed.items() if keys is None or k in keys)
        untimed = sum(n for k, n in self.untimed.items() if keys is None or k in keys)
        runs = timed + untimed
        plural = "" if runs == 1 else "s"
        self.builder.note(f"{runs:,} run{plural} of queries read from {self.file}")
        if runs and not timed:
            self.builder.note(
                "the log has no durations (log_statement without log_min_duration_statement): "
                "queries are weighted by how often they ran"
            )
        elif untimed:
            self.builder.note(
                f"{untimed:,} of {runs:,} runs have no duration (log_statement logged "
                "them, log_min_duration_statement did not): their time is not counted"
            )


def split(text: str) -> list[str]:
    """The statements of one logged message (most hold one: the scanner only runs when there
    is a semicolon)."""
    body = text.strip()
    while body.endswith(";"):
        body = body[:-1].rstrip()
    if ";" not in body:
        return [body] if body else []
    try:
        return [s.strip() for s in parser.split(body, with_parser=False) if s.strip()]
    except parser.ParseError:
        return [body]


def _unwrapped(sql: str, detail: str | None) -> tuple[str | None, str | None]:
    """The query that ran for ``sql``: the prepared one of an ``EXECUTE`` (from the DETAIL's
    ``prepare:``), the one of a ``DECLARE ... CURSOR FOR``; or None and why not."""
    if _EXECUTE.match(sql):
        if detail is not None and detail.startswith("prepare: "):
            inner = inner_query(detail.removeprefix("prepare: "))
            if inner is not None:
                return inner, None
        return None, "EXECUTE of a prepared statement the log does not show"
    if _DECLARE.match(sql):
        inner = inner_query(sql)
        return (inner, None) if inner is not None else (None, "DECLARE without a query")
    return sql, None


def parameters(detail: str | None) -> dict[int, str]:
    """``{n: literal}`` of a DETAIL ``parameters: $1 = '42', $2 = NULL`` (values as logged,
    quoted; a value cut by ``log_parameter_max_length`` ends in ``...``)."""
    if detail is None or not detail.startswith("parameters: "):
        return {}
    return {int(m.group(1)): m.group(2) for m in _PARAMETER.finditer(detail)}


def epoch_ms(at: str | None) -> float:
    """Milliseconds since the epoch of a logged timestamp (``2024-05-01 10:00:00.123 UTC``,
    ``... +02``, or ``%n``'s ``1714557600.123``). A zone given by name is taken as UTC: the
    times of one log are compared with each other only. 0.0 when there is none."""
    if not at:
        return 0.0
    m = _AT.match(at)
    if m is None:
        try:
            return float(at) * 1000.0
        except ValueError:
            return 0.0
    ms = (datetime.fromisoformat(f"{m[1]}T{m[2]}") - _EPOCH).total_seconds() * 1000.0
    if m[3]:
        minutes = int(m[4]) * 60 + int(m[5] or 0)
        ms -= (minutes if m[3] == "+" else -minutes) * 60_000.0
    return ms
