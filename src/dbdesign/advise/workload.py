"""The workload of ``dbdesign advise``: what a database runs, as weighted, fingerprinted queries.

:func:`read_workload` reads one of three sources into a :class:`QueryWorkload`:

- a ``.sql`` file of queries (:func:`parse_sql_workload`), each optionally weighted by a
  ``-- weight: N`` or ``-- calls: N`` comment right before it;
- ``pg_stat_statements`` of a live database (:mod:`dbdesign.advise.workload_pgss`), weighted by
  calls and measured time;
- a PostgreSQL server log written with ``log_min_duration_statement`` or ``log_statement``, in
  the stderr, csvlog or jsonlog format (:mod:`dbdesign.advise.logs`), weighted by how often each
  query ran and how long it took, with every run kept for N+1 detection.

Queries are grouped by pglast's fingerprint; DDL, SET, transaction control and queries of the
system catalogs are left out with a note saying where and why.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dbdesign.advise.workload_model import QueryWorkload, WorkloadBuilder, WorkloadQuery
from dbdesign.advise.workload_text import (
    WRAPPERS,
    StatementError,
    inner_query,
    parse_tree,
    placeholders_in,
    statement_kind,
)
from dbdesign.dialects.tokens import Source
from dbdesign.errors import ConfigError, ParseError
from dbdesign.lint.query import QueryRun
from dbdesign.readers.ddl.pgsource import blank_meta_and_copy

__all__ = [
    "PG_STAT_STATEMENTS",
    "QueryRun",
    "QueryWorkload",
    "WorkloadQuery",
    "parse_sql_workload",
    "read_workload",
]

PG_STAT_STATEMENTS = "pg_stat_statements"
# "-- weight: 25" or "-- calls: 1e6" in the comments right before a query
_WEIGHT = re.compile(r"--[ \t]*(weight|calls)[ \t]*:[ \t]*([^\s]*)", re.IGNORECASE)


def read_workload(source: str, *, db: str | None = None) -> QueryWorkload:
    """The workload named by ``source``: ``pg_stat_statements`` (read from ``db``, else
    ``$DBDESIGN_DATABASE_URL``, else the embedded server), or the path of a ``.sql`` file or a
    PostgreSQL log file (told apart by their content). A log's queries are those of the
    database ``db`` names when the log says which database ran them."""
    if source.lower() == PG_STAT_STATEMENTS:
        from dbdesign.advise.workload_pgss import read_pg_stat_statements
        from dbdesign.engine import resolve_url

        return read_pg_stat_statements(resolve_url(db))
    path = Path(source)
    if not path.is_file():
        raise ConfigError(
            f"{source}: no such file (a workload is a .sql file, a PostgreSQL log file or "
            f"{PG_STAT_STATEMENTS})"
        )
    from dbdesign.advise.logs import is_log
    from dbdesign.advise.workload_logs import read_log

    if path.suffix.lower() != ".sql" and is_log(path):
        return read_log(path, database=_database_of(db))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ParseError(f"cannot read the workload: {e}", file=source) from None
    return parse_sql_workload(text, file=source)


def _database_of(db: str | None) -> str | None:
    """The database name a URL names (None: no URL, or it names none)."""
    if not db:
        return None
    from psycopg.conninfo import conninfo_to_dict

    try:
        name = conninfo_to_dict(db).get("dbname")
    except Exception:  # a malformed URL: the connection itself will say so
        return None
    return str(name) if name else None


def parse_sql_workload(text: str, *, file: str = "<stdin>") -> QueryWorkload:
    """The queries of a SQL script, each weighted by the ``-- weight: N`` / ``-- calls: N``
    comment right before it (1 without one); the same query written several times (other
    literals, other spacing) is one query with the weights summed. SELECT, INSERT, UPDATE,
    DELETE, MERGE (and the query of an EXPLAIN or DECLARE CURSOR) are kept; anything else is
    left out with a note naming ``file:line:col``; psql meta-commands (``\\timing``) and COPY
    data are passed over. A syntax error raises :class:`ParseError` with ``file:line:col``."""
    text = blank_meta_and_copy(text)  # psql's \timing, COPY data: lines kept, so places too
    src = Source(text, file)
    try:
        stmts = parse_tree(text)
    except StatementError as e:
        raise src.error(e.message, e.offset) from None
    builder = WorkloadBuilder(file)
    previous_end = 0
    for stmt, start, end in _statement_spans(text, stmts):
        calls = _weight(src, text, previous_end, start)
        previous_end = end
        _add_statement(builder, src, stmt, text[start:end].rstrip(), start, calls)
    workload = builder.build()
    if not workload.queries:
        builder.note(f"{file}: no queries (SELECT, INSERT, UPDATE, DELETE, MERGE) found")
        workload = builder.build()
    return workload


def _statement_spans(text: str, stmts: list[dict[str, Any]]) -> list[tuple[Any, int, int]]:
    """``(statement, start, end)`` character offsets of the parse tree's statements (whose
    locations count bytes), converted in one pass over the text."""
    data = text.encode()
    spans: list[tuple[Any, int, int]] = []
    byte_at = char_at = 0
    for stmt in stmts:
        start_b = int(stmt.get("stmt_location", 0))
        length_b = int(stmt.get("stmt_len", 0))
        end_b = start_b + length_b if length_b else len(data)
        start = char_at + len(data[byte_at:start_b].decode(errors="ignore"))
        end = start + len(data[start_b:end_b].decode(errors="ignore"))
        byte_at, char_at = end_b, end
        spans.append((stmt, start, end))
    return spans


def _weight(src: Source, text: str, start: int, end: int) -> float:
    """The weight the last ``-- weight:``/``-- calls:`` comment in ``text[start:end]`` gives
    (1 when there is none); a value that is not a positive number is a ParseError there."""
    found = None
    for found in _WEIGHT.finditer(text, start, end):  # noqa: B007 - the last one counts
        pass
    if found is None:
        return 1.0
    try:
        value = float(found.group(2).replace("_", ""))
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise src.error(
            f"-- {found.group(1).lower()}: wants a positive number, not {found.group(2)!r}",
            found.start(2),
        )
    return value


def _add_statement(
    builder: WorkloadBuilder, src: Source, stmt: Any, sql: str, start: int, calls: float
) -> None:
    """One statement of a script into the builder (the query inside EXPLAIN / DECLARE)."""
    origin = src.origin(start)
    if statement_kind(stmt) in WRAPPERS:
        inner = inner_query(sql)
        if inner is None:
            builder.skip("EXPLAIN or DECLARE without a query", origin)
            return
        sql = inner
    sample = None if placeholders_in(sql) else sql
    builder.add(sql, calls=calls, origin=origin, sample=sample)
