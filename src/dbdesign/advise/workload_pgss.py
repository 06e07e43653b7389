"""The workload ``pg_stat_statements`` has measured in a live PostgreSQL database.

The extension keeps, per normalised statement (literals already ``$n``), how often it ran, its
execution (and, from PostgreSQL 13, planning) time and the rows it returned. This reads the
statements of the connected database only, in a READ ONLY transaction with a statement
timeout, and never changes anything: when the extension is missing, not created in the
database, or not loaded by the server, the error says which and exactly how to enable it
(dbdesign never creates it). Column names differ between versions (``total_time`` before
PostgreSQL 13, ``total_exec_time`` + ``total_plan_time`` since), so the view's columns are
asked first. Utility statements, queries of the system catalogs and the measuring tools' own
queries (HypoPG, pg_stat_statements) are left out.
"""

from __future__ import annotations

from typing import Any

from dbdesign.advise.workload_model import QueryWorkload, WorkloadBuilder
from dbdesign.databases import pg_statements
from dbdesign.errors import ConnectionError, DbdesignError, UnsupportedError
from dbdesign.model import Origin
from dbdesign.redact import redact_url

DEFAULT_TIMEOUT_S = 30.0
EXTENSION = pg_statements.EXTENSION
_HIDDEN = "<insufficient privilege>"


def read_pg_stat_statements(url: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> QueryWorkload:
    """The statements ``pg_stat_statements`` recorded for the database of ``url``, weighted by
    calls, with their total execution + planning time and rows per call."""
    import psycopg

    from dbdesign.engine import connect

    where = redact_url(url)
    with connect(url) as conn:
        try:
            with conn.transaction(force_rollback=True), conn.cursor() as cur:
                _read_only(cur, timeout_s)
                schema = _extension_schema(cur, where)
                rows = cur.execute(_select(schema, _columns(cur, schema))).fetchall()
                notes = _info_notes(cur, schema)
        except psycopg.errors.ObjectNotInPrerequisiteState:
            raise UnsupportedError(_not_loaded(conn, where, created=True)) from None
        except psycopg.OperationalError as e:
            raise ConnectionError(f"lost the connection to {where}: {_first_line(e)}") from None
        except psycopg.Error as e:
            raise DbdesignError(f"cannot read {EXTENSION} of {where}: {_first_line(e)}") from None
    return _workload(where, rows, notes)


def _read_only(cur: Any, timeout_s: float) -> None:
    cur.execute("SET LOCAL transaction_read_only = on")
    cur.execute(f"SET LOCAL statement_timeout = {max(1, round(timeout_s * 1000))}")


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _extension_schema(cur: Any, where: str) -> str:
    """The schema the extension's view is in; an :class:`UnsupportedError` saying how to
    enable the extension when it is not created in this database."""
    row = cur.execute(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = %s",
        [EXTENSION],
    ).fetchone()
    if row is None:
        raise UnsupportedError(_not_loaded(cur.connection, where, created=False))
    return str(row[0])


def _not_loaded(conn: Any, where: str, *, created: bool) -> str:
    """Why pg_stat_statements cannot be read (``created``: its view just failed, the library
    is not loaded), and the exact steps that enable it."""
    setup = pg_statements.setup(conn, loading=not created)
    return f"{setup.problem()} ({where}): {setup.steps()} (dbdesign never changes this itself)"


def _columns(cur: Any, schema: str) -> frozenset[str]:
    rows = cur.execute(
        "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped",
        [schema, EXTENSION],
    ).fetchall()
    return frozenset(str(r[0]) for r in rows)


def _select(schema: str, columns: frozenset[str]) -> Any:
    """The query of the view for this version: queryid, text, calls, total ms, total rows."""
    from psycopg import sql

    names: tuple[str, ...] = ("total_exec_time", "total_plan_time")
    times = [c for c in names if c in columns] or ["total_time"]
    total = sql.SQL(" + ").join(sql.SQL("coalesce({}, 0)").format(sql.Identifier(c)) for c in times)
    return sql.SQL(
        "SELECT queryid, query, calls, {total}, rows FROM {view} "
        "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND calls > 0 ORDER BY 4 DESC, 3 DESC"
    ).format(total=total, view=sql.Identifier(schema, EXTENSION))


def _info_notes(cur: Any, schema: str) -> list[str]:
    """Since when the statistics run and whether entries were evicted (the
    ``pg_stat_statements_info`` view of PostgreSQL 14+), when the view is there."""
    from psycopg import sql

    exists = cur.execute(
        "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = 'pg_stat_statements_info'",
        [schema],
    ).fetchone()
    if exists is None:
        return []
    view = sql.Identifier(schema, "pg_stat_statements_info")
    row = cur.execute(sql.SQL("SELECT dealloc, stats_reset FROM {}").format(view)).fetchone()
    if row is None:
        return []
    notes = [f"statistics gathered since {row[1]:%Y-%m-%d %H:%M:%S %Z}".rstrip()] if row[1] else []
    if row[0]:
        notes.append(
            f"{row[0]:,} times the least-run statements were evicted to make room "
            "(pg_stat_statements.max): rare queries may be missing"
        )
    return notes


def _workload(where: str, rows: list[Any], notes: list[str]) -> QueryWorkload:
    builder = WorkloadBuilder(f"{EXTENSION} of {where}")
    hidden = 0
    for queryid, query, calls, total_ms, total_rows in rows:
        if query is None or query == _HIDDEN:
            hidden += 1
            continue
        builder.add(
            str(query).strip().rstrip(";"),
            calls=float(calls),
            total_ms=float(total_ms),
            rows=float(total_rows),
            origin=Origin(catalog=f"{EXTENSION} queryid={queryid}"),
        )
    for note in notes:
        builder.note(note)
    if hidden:
        builder.note(
            f"{hidden:,} statements of other users are hidden: grant pg_read_all_stats to this "
            "user to see them"
        )
    if not rows:
        builder.note(f"{EXTENSION} has recorded no statement of this database yet")
    return builder.build()
