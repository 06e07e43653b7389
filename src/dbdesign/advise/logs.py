"""PostgreSQL server logs as a stream of records, in the three formats the server writes.

- **stderr** (``log_destination = 'stderr'``, the default): each message starts with the
  ``log_line_prefix`` (the default ``'%m [%p] '``; common ones add ``%u@%d``, ``%c``, ``%v``,
  ``%x`` ...), then the severity (``LOG:  ``), then the text; the lines of a multi-line message
  continue on the following lines, each started with a tab; the ``DETAIL:`` of a message (the
  parameters of an ``execute``) is the next line, with the same prefix. The prefix is read for
  what it holds, whatever the order: a timestamp (``%m``, ``%t`` or ``%n``), the process id in
  brackets (``[%p]`` or ``[%p-%l]``) or ``pid=``, a session id (``%c``), a virtual transaction
  id (``%v``, ``3/42``), ``user@database`` (``%u@%d``) or ``db=``, and ``xid=``/``txid=``
  labels. A bare ``%x`` number cannot be told from other numbers and is not read.
- **csvlog**: one CSV record per message (23 columns up to PostgreSQL 12, 24 in 13 with
  ``backend_type``, 26 from 14 with ``leader_pid`` and ``query_id``); fields may span lines.
- **jsonlog** (PostgreSQL 15+): one JSON object per line (``timestamp``, ``pid``,
  ``session_id``, ``vxid``, ``txid``, ``dbname``, ``error_severity``, ``message``, ``detail``).

The format is told from the content (:func:`log_format`): a line starting with ``{`` is JSON, a
timestamp followed by a comma is CSV. Files are read line by line (``.gz`` too), never whole:
:func:`records` yields one :class:`Record` at a time. What the messages mean (durations,
statements, parameters) is :mod:`dbdesign.advise.workload_logs`' business.
"""

from __future__ import annotations

import csv
import functools
import gzip
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, NamedTuple

from dbdesign.errors import ParseError

STDERR, CSVLOG, JSONLOG = "stderr", "csvlog", "jsonlog"
_SEVERITIES = (
    "LOG|DETAIL|STATEMENT|ERROR|WARNING|NOTICE|INFO|HINT|CONTEXT|FATAL|PANIC|LOCATION|QUERY"
    "|DEBUG[1-5]?"
)
# the first line of a stderr message: prefix, severity, two spaces, text
_ENTRY = re.compile(rf"(.*?)\b({_SEVERITIES}):  (.*)", re.DOTALL)
# lines of a message that belong to the message before them
_ATTACHED = frozenset({"DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"})
_TIMESTAMP = re.compile(
    r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?: ?(?:[+-]\d\d(?::?\d\d)?|[A-Za-z]{1,6}\b))?"
    r"|(?<![\d.])\d{9,10}\.\d{3}(?![\d.])"
)
_CSV_START = re.compile(
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [A-Za-z]+| ?[+-]\d\d(?::?\d\d)?)?,"
)
_PID = re.compile(r"\[(\d+)(?:-\d+)?\]|\bpid=(\d+)")
_SESSION = re.compile(r"(?<![\w.])([0-9a-f]{8}\.[0-9a-f]{1,8})(?![\w.])")
_VXID = re.compile(r"(?<![\w./:-])(-?\d+/\d+)(?![\w/])")
_XID = re.compile(r"\b(?:xid|txid|tx)[=:](\d+)")
_DB = re.compile(r"(?<![\w.])[\w$.-]*@([\w$.\-\[\]]+)|\b(?:db|database)=([^,\s\]]+)")
# messages whose prefix is worth reading (the rest are only looked at for their severity)
_WANTED = ("duration:", "statement:", "execute ")
_CSV_COLUMNS = 23  # PostgreSQL 12's csvlog; 13 adds one, 14 two more
_SNIFF_LINES = 20


class Record(NamedTuple):
    """One logged message: where (``line`` of the file), when (``at``, as logged), who
    (``session``: session id, else process id; ``transaction``: virtual or real transaction
    id; ``database``), its severity, text and DETAIL."""

    line: int
    at: str | None
    session: str
    transaction: str | None
    database: str | None
    severity: str
    message: str
    detail: str | None = None


def open_log(path: Path) -> IO[str]:
    """The log as text, read line by line (a ``.gz`` file decompressed as it is read); bytes
    that are not UTF-8 (a LATIN1 server's log) are replaced, not fatal."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="")
    return path.open(encoding="utf-8", errors="replace", newline="")


def log_format(lines: Iterable[str]) -> str | None:
    """``stderr``, ``csvlog`` or ``jsonlog`` from the first lines of a file; None when they do
    not look like a PostgreSQL log."""
    for line in lines:
        text = line.strip()
        if not text:
            continue
        if text.startswith("{") and ('"message"' in text or '"timestamp"' in text):
            return JSONLOG
        if _CSV_START.match(text):
            return CSVLOG
        entry = _ENTRY.match(text)
        if entry is not None and _logged_prefix(entry.group(1)):
            return STDERR
    return None


def _logged_prefix(prefix: str) -> bool:
    """Is this what a ``log_line_prefix`` writes (a timestamp or a process id, or nothing),
    rather than, say, a SQL comment that mentions ``ERROR:``?"""
    return not prefix.strip() or bool(_TIMESTAMP.search(prefix) or _PID.search(prefix))


def is_log(path: Path) -> bool:
    """Does the file look like a PostgreSQL log (rather than SQL)?"""
    try:
        with open_log(path) as f:
            head = [line for _, line in zip(range(_SNIFF_LINES), f, strict=False)]
    except (OSError, EOFError, gzip.BadGzipFile):
        return False
    return log_format(head) is not None


def records(path: Path) -> tuple[str, Iterator[Record]]:
    """The log's format and its records, read lazily (close by exhausting the iterator)."""
    with open_log(path) as f:
        head = [line for _, line in zip(range(_SNIFF_LINES), f, strict=False)]
    fmt = log_format(head)
    if fmt is None:
        raise ParseError("not a PostgreSQL log (stderr, csvlog or jsonlog)", file=str(path))
    readers = {STDERR: _stderr_records, CSVLOG: _csv_records, JSONLOG: _json_records}
    return fmt, _reading(path, readers[fmt])


def _reading(path: Path, reader: Callable[[Iterable[str]], Iterator[Record]]) -> Iterator[Record]:
    with open_log(path) as f:
        yield from reader(f)


# ------------------------------------------------------------------------------ stderr


class _Entry(NamedTuple):
    line: int
    prefix: str
    severity: str
    message: str


def _stderr_entries(lines: Iterable[str]) -> Iterator[_Entry]:
    """Messages of a stderr log: a first line with a severity and the lines continuing it
    (tab-indented, or anything that is not a first line)."""
    start = 0
    head: tuple[str, str] | None = None
    parts: list[str] = []
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        m = None if line.startswith("\t") else _ENTRY.match(line)
        if m is None:
            if head is not None:
                parts.append(line[1:] if line.startswith("\t") else line)
            continue
        if head is not None:
            yield _Entry(start, head[0], head[1], "\n".join(parts))
        start, head, parts = number, (m.group(1), m.group(2)), [m.group(3)]
    if head is not None:
        yield _Entry(start, head[0], head[1], "\n".join(parts))


def _stderr_records(lines: Iterable[str]) -> Iterator[Record]:
    """Records of a stderr log: each message with the DETAIL line that follows it."""
    pending: Record | None = None
    for entry in _stderr_entries(lines):
        if entry.severity in _ATTACHED:
            if pending is not None and entry.severity == "DETAIL" and pending.detail is None:
                pending = pending._replace(detail=entry.message)
            continue
        if pending is not None:
            yield pending
        pending = _stderr_record(entry)
    if pending is not None:
        yield pending


def _stderr_record(entry: _Entry) -> Record:
    """A record from a stderr message; its prefix is read only when the message may matter."""
    if not entry.message.startswith(_WANTED):
        return Record(entry.line, None, "", None, None, entry.severity, entry.message)
    at, session, transaction, database = prefix_fields(entry.prefix)
    return Record(entry.line, at, session, transaction, database, entry.severity, entry.message)


def prefix_fields(prefix: str) -> tuple[str | None, str, str | None, str | None]:
    """``(timestamp, session, transaction, database)`` from a ``log_line_prefix``'s output:
    the session is the session id (``%c``) when there is one, else the process id."""
    ts = _TIMESTAMP.search(prefix)
    if ts is None:
        return (None, *_other_fields(prefix))
    return (ts.group(0), *_other_fields(prefix[: ts.start()] + " " + prefix[ts.end() :]))


@functools.lru_cache(maxsize=4096)
def _other_fields(rest: str) -> tuple[str, str | None, str | None]:
    """``(session, transaction, database)`` of a prefix without its timestamp (the same for
    every message of a session, and so remembered)."""
    session_m = _SESSION.search(rest)
    pid_m = _PID.search(rest)
    session = (
        session_m.group(1) if session_m else (pid_m.group(1) or pid_m.group(2)) if pid_m else ""
    )
    vxid = _VXID.search(rest)
    xid = _XID.search(rest)
    transaction = vxid.group(1) if vxid else xid.group(1) if xid and xid.group(1) != "0" else None
    db = _DB.search(rest)
    return session, transaction, (db.group(1) or db.group(2)) if db else None


# ------------------------------------------------------------------------------ csvlog


def _csv_records(lines: Iterable[str]) -> Iterator[Record]:
    """Records of a csvlog file (columns as PostgreSQL 12 to 17 write them)."""
    csv.field_size_limit(sys.maxsize)  # a logged statement may be long
    reader = csv.reader(lines)
    start = 1
    for row in reader:
        line, start = start, reader.line_num + 1
        if len(row) < _CSV_COLUMNS:
            continue
        transaction = row[9] or (row[10] if row[10] not in ("", "0") else None)
        yield Record(
            line=line,
            at=row[0] or None,
            session=row[5] or row[3],
            transaction=transaction or None,
            database=row[2] or None,
            severity=row[11],
            message=row[13],
            detail=row[14] or None,
        )


# ------------------------------------------------------------------------------ jsonlog


def _json_records(lines: Iterable[str]) -> Iterator[Record]:
    """Records of a jsonlog file (PostgreSQL 15+); lines that are not JSON objects are passed
    over."""
    for number, line in enumerate(lines, 1):
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if not isinstance(obj, dict):
            continue
        txid = obj.get("txid")
        yield Record(
            line=number,
            at=obj.get("timestamp"),
            session=str(obj.get("session_id") or obj.get("pid") or ""),
            transaction=obj.get("vxid") or (str(txid) if txid not in (None, 0, "0") else None),
            database=obj.get("dbname"),
            severity=str(obj.get("error_severity", "")),
            message=str(obj.get("message", "")),
            detail=obj.get("detail"),
        )
