"""Running a user's statement for analysis: its plan, and its latency.

:func:`explain` runs ``EXPLAIN (FORMAT JSON, VERBOSE, SUMMARY, SETTINGS[, ANALYZE, BUFFERS,
WAL])`` inside a transaction that is always rolled back, so ``EXPLAIN ANALYZE DELETE ...``
changes nothing, and returns the plan as a :class:`~dbdesign.databases.plans.QueryPlan`.
:func:`latency` runs a statement repeatedly and reports p50/p95/max.

Given the URL of another kind of server, each of :func:`explain`, :func:`latency` and
:func:`plan_findings` hands it to the module :data:`EXPLAINERS` names for the server's
database adapter (MySQL and MariaDB: :mod:`dbdesign.advise.explain_mysql`).
"""

from __future__ import annotations

import importlib
import json
import math
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import psycopg

from dbdesign.advise.guard import check_statement
from dbdesign.databases.plans import QueryPlan, parse_plan
from dbdesign.errors import ConnectionError, DbdesignError, UnsupportedError
from dbdesign.lint.config import LintConfig
from dbdesign.lint.findings import Finding

# The longest a user's statement may run (or wait for a lock) before it is cancelled.
DEFAULT_TIMEOUT_S = 60.0
# The dialect of a database adapter -> the module that explains and times statements on its
# servers (each has explain, latency and plan_findings); PostgreSQL's is this one.
EXPLAINERS: dict[str, str] = {
    "postgres": __name__,
    "mysql": "dbdesign.advise.explain_mysql",
}


def _elsewhere(target: Any) -> Any | None:
    """The module that explains on the server at ``target`` when that is not this one: None
    for PostgreSQL (a URL, a libpq connection string, a connection)."""
    if not isinstance(target, str):
        return None
    from dbdesign import databases

    adapter = databases.find(target)
    if adapter is None:
        return None  # not a URL: handed to libpq, as engine.connect does
    module = EXPLAINERS.get(adapter.dialect)
    if module is None:
        raise UnsupportedError(explain_needs())
    return None if module == __name__ else importlib.import_module(module)


def explain_needs() -> str:
    """What explain says of a database no module here explains on."""
    from dbdesign import dialects

    servers = " or ".join(dialects.get(name).title for name in EXPLAINERS)
    return f"explain needs a {servers} database (postgresql://..., mysql://...)"


def require_explainer(url: str) -> None:
    """Refuse ``url`` unless it is the URL of a database :func:`explain` explains on."""
    from dbdesign import databases

    adapter = databases.find(url)
    if adapter is None or adapter.dialect not in EXPLAINERS:
        raise UnsupportedError(explain_needs())


@contextmanager
def _connection(conn: psycopg.Connection[Any] | str) -> Iterator[psycopg.Connection[Any]]:
    if isinstance(conn, str):
        from dbdesign.engine import connect

        c = connect(conn)
        try:
            yield c
        finally:
            c.close()
    else:
        yield conn


def explain(
    conn: psycopg.Connection[Any] | str,
    sql: str,
    params: Sequence[Any] | None = None,
    *,
    analyze: bool = True,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> QueryPlan:
    """EXPLAIN ``sql`` (with ``%s`` placeholders for ``params``) and parse the plan.

    ``sql`` must be one SELECT, VALUES, INSERT, UPDATE, DELETE or MERGE statement
    (:func:`dbdesign.advise.guard.check_statement`); anything else is refused before it reaches
    the server. It runs inside a transaction (or a savepoint, when one is open) that is always
    rolled back and that is READ ONLY unless ``analyze`` of a data-changing statement was asked
    for; with ``analyze`` the statement really runs (ANALYZE, BUFFERS), so INSERT, UPDATE and
    DELETE measure their real cost and leave the data as it was. Errors become
    :class:`DbdesignError` with the server's message.
    """
    other = _elsewhere(conn)
    if other is not None:
        plan: QueryPlan = other.explain(conn, sql, params, analyze=analyze, timeout_s=timeout_s)
        return plan
    stmt = check_statement(sql, placeholders=params is not None)
    with _connection(conn) as c:
        version = c.info.server_version
        opts = _options(version, analyze)
        try:
            with c.transaction(force_rollback=True), c.cursor() as cur:
                _guard_transaction(
                    cur, read_only=not (analyze and stmt.writes), timeout_s=timeout_s
                )
                # binary=True sends it with the extended protocol: one command, never a script
                if analyze:
                    # planned once first, unmeasured: a new session's first plan also loads
                    # the catalog caches, which is not the statement's planning time
                    cur.execute(f"EXPLAIN (FORMAT JSON) {stmt.text}", params, binary=True)
                cur.execute(f"EXPLAIN ({opts}) {stmt.text}", params, binary=True)
                row = cur.fetchone()
        except psycopg.OperationalError as e:
            raise ConnectionError(f"lost the connection: {_message(e)}") from None
        except psycopg.Error as e:
            raise DbdesignError(f"cannot explain the statement: {_message(e)}") from None
    if row is None:
        raise DbdesignError("EXPLAIN returned nothing")
    data = row[0]
    plan = parse_plan(
        data if not isinstance(data, str) else json.loads(data), stmt.text, analyzed=analyze
    )
    return replace(plan, server_version=version)


def plan_findings(url: str, plan: QueryPlan, config: LintConfig | None = None) -> list[Finding]:
    """The plan rules' findings on ``plan`` (made on the database at ``url``). When one
    suggests an index, the catalog of that table's schema is read (read-only) and the plan
    linted again with it, so an index that exists is named instead of suggested twice."""
    from dbdesign.lint.plan import lint_plan, node_number, number_nodes

    other = _elsewhere(url)
    if other is not None:
        found: list[Finding] = other.plan_findings(url, plan, config)
        return found
    found = lint_plan(plan, config)
    nodes = number_nodes(plan)
    schemas = {
        s
        for f in found
        if f.fix_hint.startswith("CREATE INDEX")
        and (n := node_number(f.object)) is not None
        and (s := nodes[n - 1].node.schema) is not None
    }
    if not schemas:
        return found
    from dbdesign.readers.catalog.postgres import read_catalog

    schema = read_catalog(url, schemas=sorted(schemas))
    return lint_plan(plan, config, schema=schema)


def _options(server_version: int, analyze: bool) -> str:
    """EXPLAIN's options: JSON with the output columns and times; the settings that differ
    from the defaults (work_mem ..., PostgreSQL 12+); with ``analyze`` the real run, its
    buffers and, PostgreSQL 13+, the WAL it wrote."""
    opts = ["FORMAT JSON", "VERBOSE", "SUMMARY"]
    if server_version >= 120000:
        opts.append("SETTINGS")
    if analyze:
        opts += ["ANALYZE", "BUFFERS"]
        if server_version >= 130000:
            opts.append("WAL")
    return ", ".join(opts)


def _guard_transaction(cur: psycopg.Cursor[Any], *, read_only: bool, timeout_s: float) -> None:
    """Limits for the transaction (or savepoint) a user's statement runs in; SET LOCAL, so
    they end with it."""
    ms = max(1, round(timeout_s * 1000))
    cur.execute(f"SET LOCAL statement_timeout = {ms}")
    cur.execute(f"SET LOCAL lock_timeout = {ms}")
    if read_only:
        cur.execute("SET LOCAL transaction_read_only = on")


def _message(e: psycopg.Error) -> str:
    diag = e.diag
    msg = (diag.message_primary or str(e).splitlines()[0] if str(e) else type(e).__name__).strip()
    if diag.message_detail:
        msg += f" ({diag.message_detail.strip()})"
    return msg


@dataclass(frozen=True, slots=True)
class Latency:
    """Milliseconds per execution over ``runs`` runs (after ``warmup`` unmeasured ones)."""

    runs: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    mean_ms: float
    samples: tuple[float, ...] = field(default=(), repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "p50_ms": round(self.p50_ms, 3),
            "p95_ms": round(self.p95_ms, 3),
            "max_ms": round(self.max_ms, 3),
            "mean_ms": round(self.mean_ms, 3),
        }


def percentile(sorted_ms: Sequence[float], p: float) -> float:
    """The nearest-rank percentile of sorted values."""
    if not sorted_ms:
        return 0.0
    k = max(1, math.ceil(p / 100 * len(sorted_ms)))
    return float(sorted_ms[k - 1])


def latency(
    conn: psycopg.Connection[Any] | str,
    sql: str,
    params: Sequence[Any] | None = None,
    *,
    runs: int = 20,
    warmup: int = 2,
    allow_writes: bool = True,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Latency:
    """Execute ``sql`` ``warmup + runs`` times and time each run (statement and fetch).

    The statement passes the same guard as :func:`explain`. Every run is inside a transaction
    that is rolled back (READ ONLY unless ``allow_writes`` and the statement changes data), so
    data-changing statements measure their real cost and leave nothing behind; a data-changing
    statement with ``allow_writes=False`` is refused.
    """
    other = _elsewhere(conn)
    if other is not None:
        timed: Latency = other.latency(
            conn, sql, params, runs=runs, warmup=warmup, allow_writes=allow_writes,
            timeout_s=timeout_s,
        )  # fmt: skip
        return timed
    if runs < 1:
        raise DbdesignError("latency needs at least one run")
    stmt = check_statement(sql, placeholders=params is not None)
    if stmt.writes and not allow_writes:
        raise UnsupportedError(
            f"refusing to time a data-changing {stmt.kind}: it would run for real "
            "(allow it with --analyze; it is rolled back after each run)"
        )
    samples: list[float] = []
    with _connection(conn) as c:
        try:
            for i in range(warmup + runs):
                with c.transaction(force_rollback=True), c.cursor() as cur:
                    _guard_transaction(cur, read_only=not stmt.writes, timeout_s=timeout_s)
                    t0 = time.perf_counter()
                    cur.execute(stmt.text, params, binary=True)
                    if cur.description is not None:
                        cur.fetchall()
                    dt = (time.perf_counter() - t0) * 1000
                if i >= warmup:
                    samples.append(dt)
        except psycopg.OperationalError as e:
            raise ConnectionError(f"lost the connection: {_message(e)}") from None
        except psycopg.Error as e:
            raise DbdesignError(f"cannot run the statement: {_message(e)}") from None
    ordered = sorted(samples)
    return Latency(
        runs=runs,
        p50_ms=percentile(ordered, 50),
        p95_ms=percentile(ordered, 95),
        max_ms=ordered[-1],
        mean_ms=sum(ordered) / len(ordered),
        samples=tuple(samples),
    )
