"""Running a user's statement for analysis on MySQL and MariaDB: its plan, and its latency.

The MySQL side of :mod:`dbdesign.advise.explain` (which hands a ``mysql://`` URL here):

- MariaDB: ``ANALYZE FORMAT=JSON`` runs the statement and reports the rows each step read and
  kept, its loops and times (``r_rows``, ``r_filtered``, ``r_loops``, ``r_total_time_ms``);
  without ``analyze``, ``EXPLAIN FORMAT=JSON``.
- MySQL: ``EXPLAIN FORMAT=JSON``, the optimizer's estimates, also when ``analyze`` is asked
  for: MySQL's ``EXPLAIN ANALYZE`` (8.0.18+) prints a text tree, not JSON, so nothing is run
  and the plan says so in a note.

Every statement passes :func:`dbdesign.advise.guard_mysql.check_mysql_statement` first (one
SELECT, INSERT, UPDATE or DELETE; parameters are bound before the check, so the text checked is
the text sent) and runs in a transaction that is always rolled back: ``START TRANSACTION READ
ONLY`` for a read; a data-changing statement in a read-write one (the server will not even
explain an UPDATE in a READ ONLY transaction). MariaDB's ANALYZE of a data-changing statement
really runs it, so it must leave nothing behind: it is refused when the statement, a view it
reads, a trigger of a table it writes or a function it calls (transitively) names a table of a
storage engine without transactions (MyISAM, Aria, MEMORY ...), which a rollback cannot undo.
Limits: MariaDB ``SET STATEMENT max_statement_time=..., innodb_lock_wait_timeout=...,
lock_wait_timeout=... FOR ...`` (nothing is left set on the session); MySQL the session's
``max_execution_time`` (SELECT only) and lock timeouts, put back afterwards.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from dbdesign import databases
from dbdesign.advise.explain import DEFAULT_TIMEOUT_S, Latency, percentile
from dbdesign.advise.guard_mysql import CheckedMySQLStatement, check_mysql_statement
from dbdesign.databases.mysql import MySQLDatabase
from dbdesign.databases.plans import QueryPlan
from dbdesign.databases.plans_mysql import parse_mysql_plan
from dbdesign.dialects.mysql import is_mariadb
from dbdesign.errors import ConnectionError, DbdesignError, UnsupportedError
from dbdesign.lint.config import LintConfig
from dbdesign.lint.findings import Finding

ESTIMATES_ONLY = (
    "MySQL: the optimizer's estimates (EXPLAIN FORMAT=JSON); MySQL's EXPLAIN ANALYZE prints "
    "no JSON, so the statement was not run and the rules that need actual rows say nothing"
)
# Client errors that mean the connection is gone (server gone away, lost during a query).
_LOST = frozenset({2006, 2013})
_SESSION_LIMITS = ("max_execution_time", "innodb_lock_wait_timeout", "lock_wait_timeout")


@contextmanager
def _connection(conn: Any) -> Iterator[Any]:
    if not isinstance(conn, str):
        yield conn
        return
    c = databases.get(conn).connect(conn)
    try:
        yield c
    finally:
        c.close()


def explain(
    conn: Any,
    sql: str,
    params: Sequence[Any] | None = None,
    *,
    analyze: bool = True,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> QueryPlan:
    """The plan of ``sql`` (``%s`` placeholders for ``params``) on the MySQL or MariaDB server
    behind ``conn`` (a URL or a PyMySQL connection without an open transaction), as a
    :class:`QueryPlan` of dialect ``mysql``; with ``analyze`` on MariaDB the statement runs
    (ANALYZE FORMAT=JSON) and is rolled back."""
    with _connection(conn) as c:
        stmt = check_mysql_statement(_bind(c, sql, params))
        mariadb = _is_mariadb(c)
        version = MySQLDatabase().version_number(c)
        run = analyze and mariadb
        verb = "ANALYZE" if run else "EXPLAIN"
        with _transaction(c, writes=stmt.writes) as cur:
            if run and stmt.writes:
                refuse_non_transactional(cur, stmt, "ANALYZE")
            with _limits(cur, mariadb, timeout_s) as prefix:
                _execute(cur, f"{prefix}{verb} FORMAT=JSON {stmt.text}", "explain")
                row = cur.fetchone()
    if not row:
        raise DbdesignError(f"{verb} returned nothing")
    plan = parse_mysql_plan(row[0], stmt.text, analyzed=run, statement=stmt.planned)
    notes = (ESTIMATES_ONLY,) if analyze and not mariadb else ()
    return replace(plan, server_version=version, notes=notes)


def latency(
    conn: Any,
    sql: str,
    params: Sequence[Any] | None = None,
    *,
    runs: int = 20,
    warmup: int = 2,
    allow_writes: bool = True,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Latency:
    """Execute ``sql`` ``warmup + runs`` times on MySQL or MariaDB and time each run
    (statement and fetch), each in a transaction that is rolled back (READ ONLY for a read).
    A data-changing statement needs ``allow_writes``, and is refused where it touches a
    table a rollback cannot undo."""
    if runs < 1:
        raise DbdesignError("latency needs at least one run")
    samples: list[float] = []
    with _connection(conn) as c:
        stmt = check_mysql_statement(_bind(c, sql, params))
        if stmt.writes and not allow_writes:
            raise UnsupportedError(
                f"refusing to time a data-changing {stmt.kind}: it would run for real "
                "(allow it with --analyze; it is rolled back after each run)"
            )
        mariadb = _is_mariadb(c)
        for i in range(warmup + runs):
            with _transaction(c, writes=stmt.writes) as cur:
                if i == 0 and stmt.writes:
                    refuse_non_transactional(cur, stmt, "timing")
                with _limits(cur, mariadb, timeout_s) as prefix:
                    t0 = time.perf_counter()
                    _execute(cur, prefix + stmt.text, "run")
                    cur.fetchall()
                    dt = (time.perf_counter() - t0) * 1000
            if i >= warmup:
                samples.append(dt)
    ordered = sorted(samples)
    return Latency(
        runs=runs,
        p50_ms=percentile(ordered, 50),
        p95_ms=percentile(ordered, 95),
        max_ms=ordered[-1],
        mean_ms=sum(ordered) / len(ordered),
        samples=tuple(samples),
    )


def plan_findings(url: str, plan: QueryPlan, config: LintConfig | None = None) -> list[Finding]:
    """The plan rules' findings on ``plan``; when one suggests an index, the catalog of the
    database at ``url`` is read and the plan linted again with it, so an index that exists is
    named instead of suggested twice."""
    from dbdesign.lint.plan import lint_plan

    found = lint_plan(plan, config)
    if not any(f.fix_hint.startswith("CREATE INDEX") for f in found):
        return found
    return lint_plan(plan, config, schema=databases.get(url).read_catalog(url))


# --------------------------------------------------------------------------- the session


def _bind(conn: Any, sql: str, params: Sequence[Any] | None) -> str:
    """The statement with its parameters as the driver sends them (PyMySQL binds on the
    client): the guard checks the very text that is sent."""
    if params is None:
        return sql
    with conn.cursor() as cur:
        try:
            return str(cur.mogrify(sql, tuple(params)))
        except (TypeError, ValueError) as e:
            raise DbdesignError(f"cannot bind the parameters: {e}") from None


def _is_mariadb(conn: Any) -> bool:
    """Whether the server is MariaDB (ANALYZE FORMAT=JSON, SET STATEMENT) rather than MySQL."""
    with conn.cursor() as cur:
        _execute(cur, "SELECT VERSION()", "read the server's version of")
        return is_mariadb(str(cur.fetchone()[0]))


@contextmanager
def _transaction(conn: Any, *, writes: bool) -> Iterator[Any]:
    """A cursor in a transaction that is rolled back whatever happens: READ ONLY unless the
    statement writes. A connection with a transaction of its own open is refused (START
    TRANSACTION would commit it)."""
    from pymysql.constants import SERVER_STATUS

    if conn.server_status & SERVER_STATUS.SERVER_STATUS_IN_TRANS:
        raise DbdesignError(
            "the connection has a transaction open: explain starts (and rolls back) its own"
        )
    with conn.cursor() as cur:
        try:
            _execute(cur, "START TRANSACTION" if writes else "START TRANSACTION READ ONLY", "run")
            yield cur
        finally:
            conn.rollback()


@contextmanager
def _limits(cur: Any, mariadb: bool, timeout_s: float) -> Iterator[str]:
    """The statement's time and lock limits: on MariaDB a ``SET STATEMENT ... FOR`` prefix for
    it alone; on MySQL the session's settings for the time it runs, put back afterwards."""
    seconds = max(1, math.ceil(timeout_s))
    if mariadb:
        yield (
            f"SET STATEMENT max_statement_time={timeout_s:g}, innodb_lock_wait_timeout={seconds}, "
            f"lock_wait_timeout={seconds} FOR "
        )
        return
    names = ", ".join(f"@@SESSION.{n}" for n in _SESSION_LIMITS)
    _execute(cur, f"SELECT {names}", "read the session's limits")
    saved = cur.fetchone()
    values = (max(1, round(timeout_s * 1000)), seconds, seconds)
    _execute(
        cur,
        "SET SESSION "
        + ", ".join(f"{n} = {v}" for n, v in zip(_SESSION_LIMITS, values, strict=True)),
        "set the limits",
    )
    try:
        yield ""
    finally:
        _execute(
            cur,
            "SET SESSION "
            + ", ".join(f"{n} = {int(v)}" for n, v in zip(_SESSION_LIMITS, saved, strict=True)),
            "put back the limits",
        )


def _execute(cur: Any, query: str, what: str) -> None:
    """Run a query without parameters; a server error becomes one line."""
    import pymysql

    from dbdesign.databases.mysql import error_message

    try:
        cur.execute(query)
    except pymysql.err.MySQLError as e:
        code = e.args[0] if e.args and isinstance(e.args[0], int) else None
        if code in _LOST:
            raise ConnectionError(f"lost the connection: {error_message(e)}") from None
        raise DbdesignError(f"cannot {what} the statement: {error_message(e)}") from None


# --------------------------------------------------------------------------- what a rollback undoes


def refuse_non_transactional(cur: Any, stmt: CheckedMySQLStatement, doing: str) -> None:
    """Refuse to run ``stmt`` when it can write a table whose storage engine has no
    transactions: a table it names, one a view it reads is built on, one a trigger of such a
    table or a stored function it calls names, followed transitively. Names are read from the
    definitions with the MySQL lexer, every name that is a table counted (more than it writes:
    a refusal too many, never a change left behind)."""
    from dbdesign.dialects.mysql import quote_ident

    _execute(
        cur, "SELECT ENGINE FROM information_schema.ENGINES WHERE TRANSACTIONS = 'YES'", "check"
    )
    transactional = {str(r[0]).lower() for r in cur.fetchall()}
    _execute(cur, "SELECT DATABASE()", "check")
    current = cur.fetchone()[0]
    seen: set[tuple[str, str]] = set()
    todo = [_qualified(t, current) for t in stmt.tables]
    todo += [(current or "", f) for f in stmt.functions]
    bad: list[str] = []
    while todo:
        db, name = todo.pop()
        key = (db.lower(), name.lower())
        if key in seen or not db:
            continue
        seen.add(key)
        for kind, engine, body in _definitions(cur, db, name):
            if kind == "BASE TABLE" and engine is not None and engine.lower() not in transactional:
                shown = name if db == current else f"{db}.{name}"
                bad.append(f"{quote_ident(shown)} ({engine})")
            todo += [(d or db, n) for d, n in _names(body)]
    if bad:
        raise UnsupportedError(
            f"refusing {doing} of a data-changing {stmt.kind}: it can write "
            f"{', '.join(sorted(set(bad)))}, whose storage engine has no transactions, so a "
            "rollback cannot undo it (explain it with --no-analyze, or convert the table to InnoDB)"
        )


def _qualified(table: str, current: str | None) -> tuple[str, str]:
    db, _, name = table.rpartition(".")
    return (db or current or "", name)


_DEFINITIONS = (
    "SELECT TABLE_TYPE, ENGINE, NULL FROM information_schema.TABLES "
    "WHERE TABLE_SCHEMA = %(db)s AND TABLE_NAME = %(name)s "
    "UNION ALL SELECT 'VIEW', NULL, VIEW_DEFINITION FROM information_schema.VIEWS "
    "WHERE TABLE_SCHEMA = %(db)s AND TABLE_NAME = %(name)s "
    "UNION ALL SELECT 'TRIGGER', NULL, ACTION_STATEMENT FROM information_schema.TRIGGERS "
    "WHERE EVENT_OBJECT_SCHEMA = %(db)s AND EVENT_OBJECT_TABLE = %(name)s "
    "UNION ALL SELECT 'ROUTINE', NULL, ROUTINE_DEFINITION FROM information_schema.ROUTINES "
    "WHERE ROUTINE_SCHEMA = %(db)s AND ROUTINE_NAME = %(name)s"
)


def _definitions(cur: Any, db: str, name: str) -> list[tuple[str, str | None, str | None]]:
    """(kind, engine, body) of what ``db.name`` is: a table (its engine), a view (its
    definition), and the bodies of the triggers on it and of a routine of that name."""
    import pymysql

    try:
        cur.execute(_DEFINITIONS, {"db": db, "name": name})
    except pymysql.err.MySQLError as e:
        from dbdesign.databases.mysql import error_message

        raise DbdesignError(f"cannot check the statement's tables: {error_message(e)}") from None
    return [(str(k), e, b) for k, e, b in cur.fetchall()]


def _names(body: str | None) -> Iterator[tuple[str | None, str]]:
    """Every name a definition may mean a table or routine by: each identifier alone, and
    each ``a.b`` as table ``b`` of database ``a``."""
    if not body:
        return
    from dbdesign.dialects.mysql import unquote_ident
    from dbdesign.dialects.mysql_lexer import tokenize
    from dbdesign.dialects.tokens import Source
    from dbdesign.errors import ParseError

    try:
        toks = tokenize(Source(body, None))
    except ParseError:
        raise UnsupportedError(
            "refusing to run a data-changing statement: a definition it reaches does not read "
            "as MySQL, so which tables it writes is unknown (explain it with --no-analyze)"
        ) from None
    names = [unquote_ident(t.text) if t.kind in ("word", "qident") else None for t in toks]
    for i, n in enumerate(names):
        if n is None:
            continue
        yield None, n
        if i + 2 < len(names) and toks[i + 1].text == "." and names[i + 2] is not None:
            yield n, str(names[i + 2])
