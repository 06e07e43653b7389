"""Running the checks: one connection, read-only by construction, short timeouts.

On PostgreSQL the session is set up before any catalog query: ``default_transaction_read_only``
on, then one ``READ ONLY`` transaction that is always rolled back, ``statement_timeout`` and
``lock_timeout`` short (``[tool.dbdesign.health]``), and an ``application_name`` that names
it in ``pg_stat_activity``. Each check runs in a savepoint of that transaction, so a query the
role may not run (``permission denied``) or one the timeout cancels becomes a note and the
other checks still run. What the checks read is what the ``pg_monitor`` role may read.

On MySQL and MariaDB: one connection, ``SET SESSION TRANSACTION READ ONLY`` and then ``START
TRANSACTION READ ONLY`` (so even a statement that would end the transaction, DDL, is refused),
rolled back and closed at the end; each statement cancelled after ``statement_timeout_ms``
(MySQL's ``max_execution_time``, MariaDB's ``max_statement_time``) and lock waits bounded by
``lock_timeout_ms`` (``lock_wait_timeout`` and ``innodb_lock_wait_timeout``, in whole seconds,
at least 1). A statement refused for lack of a privilege becomes a note naming the grant that
would let it run; one cancelled by a timeout, a note saying so.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from dbdesign import databases
from dbdesign.errors import ConfigError, UnsupportedError
from dbdesign.health.config import HealthConfig
from dbdesign.health.registry import CHECKS, HealthCheck, Probe
from dbdesign.health.report import HealthFinding, HealthReport

APPLICATION_NAME = "dbdesign health"


def review(
    url: str | databases.Target,
    *,
    config: HealthConfig | None = None,
    checks: Sequence[str] | None = None,
) -> HealthReport:
    """Run the health checks (``checks``, else the configuration's, else all) on the live
    database at ``url`` and return the report."""
    cfg = config or HealthConfig()
    target = databases.target(url)
    chosen = _chosen(target, checks or cfg.checks)
    session = SESSIONS.get(target.dialect.name)
    if session is None:
        raise UnsupportedError(f"health checks for {target.dialect.title} are not available yet")
    started = datetime.now(UTC)
    with session(target, cfg) as probe:
        found: list[HealthFinding] = []
        for chk in chosen:
            found += _run(probe, chk)
        server = target.database.version(probe.conn)
    found.sort(key=lambda f: (-f.severity.rank, f.check, f.object))
    return HealthReport(
        database=str(target),
        server=server,
        stats_reset=probe.stats_reset,
        stats_days=probe.stats_days,
        checks=tuple(c.id for c in chosen),
        findings=tuple(found),
        notes=tuple(probe.notes),
        taken_at=started,
    )


def _chosen(target: databases.Target, ids: Sequence[str]) -> list[HealthCheck]:
    """The checks of the target's dialect named in ``ids`` (all of them when empty)."""
    available = {k: c for k, c in CHECKS.items() if target.dialect.name in c.dialects}
    if not available:
        raise UnsupportedError(f"health checks for {target.dialect.title} are not available yet")
    unknown = [i for i in ids if i not in available]
    if unknown:
        raise ConfigError(
            f"unknown health check {', '.join(unknown)}; choose from {', '.join(available)}"
        )
    return [available[i] for i in ids] if ids else list(available.values())


def _run(probe: Probe, chk: HealthCheck) -> list[HealthFinding]:
    configured = probe.config.severity.get(chk.id)
    with probe.guard(chk.id, probe.notes):
        return [
            HealthFinding(
                check=chk.id,
                **{**dataclasses.asdict(s), "severity": configured or s.severity or chk.severity},
            )
            for s in chk.fn(probe)
        ]
    return []


@contextmanager
def _postgres(target: databases.Target, cfg: HealthConfig) -> Iterator[Probe]:
    conn = target.database.connect(target.url, autocommit=True)
    try:
        for name, value in (
            ("default_transaction_read_only", "on"),
            ("statement_timeout", str(cfg.statement_timeout_ms)),
            ("lock_timeout", str(cfg.lock_timeout_ms)),
            ("application_name", APPLICATION_NAME),
        ):
            conn.execute("SELECT set_config(%s, %s, false)", [name, value])
        with conn.transaction(force_rollback=True):
            conn.execute("SET TRANSACTION READ ONLY")
            probe = Probe(conn=conn, config=cfg, dialect=target.dialect, guard=_pg_guard(conn))
            with probe.guard("statistics' age", []):
                row = probe.rows("stats_reset")[0]
                probe.stats_reset, probe.stats_days = row["stats_reset"], row["days"]
            yield probe
    finally:
        conn.close()


def _pg_guard(conn: Any) -> Callable[[str, list[str]], AbstractContextManager[None]]:
    """A savepoint around one check: a refused or cancelled query becomes a note."""
    from psycopg import errors

    @contextmanager
    def guard(what: str, notes: list[str]) -> Iterator[None]:
        try:
            with conn.transaction():
                yield
        except errors.InsufficientPrivilege as e:
            notes.append(f"{what}: not checked: {_message(e)} (grant the role pg_monitor)")
        except (errors.QueryCanceled, errors.LockNotAvailable) as e:
            notes.append(f"{what}: not checked: {_message(e)}")

    return guard


def _message(e: Any) -> str:
    return str(e.diag.message_primary or e).strip()


@contextmanager
def _mysql(target: databases.Target, cfg: HealthConfig) -> Iterator[Probe]:
    from dbdesign.dialects.mysql import is_mariadb

    with target.database.rolled_back(target.url) as raw:
        mariadb = is_mariadb(str(raw.get_server_info()))
        wait = max(1, math.ceil(cfg.lock_timeout_ms / 1000))
        limit = (
            f"max_statement_time = {cfg.statement_timeout_ms / 1000:g}"
            if mariadb
            else f"max_execution_time = {cfg.statement_timeout_ms}"
        )
        with raw.cursor() as cur:
            cur.execute(
                f"SET SESSION {limit}, lock_wait_timeout = {wait}, "
                f"innodb_lock_wait_timeout = {wait}"
            )
            cur.execute("SET SESSION TRANSACTION READ ONLY")
            cur.execute("START TRANSACTION READ ONLY")
        conn = MySQLConnection(raw, mariadb)
        probe = Probe(conn=conn, config=cfg, dialect=target.dialect, guard=_mysql_guard(conn))
        with probe.guard("statistics' age", probe.notes):
            if probe.rows("mysql_server")[0]["performance_schema"]:
                uptime = int(probe.rows("mysql_uptime")[0]["Value"])
                probe.stats_days = uptime / 86400
                probe.stats_reset = datetime.now(UTC) - timedelta(seconds=uptime)
        yield probe


class MySQLConnection:
    """A PyMySQL connection as the checks use one: :meth:`execute` returns a cursor whose
    ``description`` names its columns by ``.name`` (psycopg's shape, which ``Probe.rows``
    reads); :attr:`mariadb` tells MariaDB from MySQL; everything else is PyMySQL's own."""

    def __init__(self, raw: Any, mariadb: bool) -> None:
        self.raw = raw
        self.mariadb = mariadb

    def execute(self, query: str, params: Sequence[Any] | None = None) -> _Result:
        with self.raw.cursor() as cur:
            cur.execute(query, params)
            columns = tuple(_Column(d[0]) for d in cur.description or ())
            return _Result(columns, list(cur.fetchall()))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


@dataclasses.dataclass(frozen=True, slots=True)
class _Column:
    name: str


@dataclasses.dataclass(slots=True)
class _Result:
    """The rows of a statement, already fetched."""

    description: tuple[_Column, ...]
    rows: list[tuple[Any, ...]]

    def fetchall(self) -> list[tuple[Any, ...]]:
        out, self.rows = self.rows, []
        return out

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.rows.pop(0) if self.rows else None


# MySQL/MariaDB errors: a privilege missing, a statement cancelled (MariaDB's
# max_statement_time, MySQL's max_execution_time, a KILL QUERY) or a lock not granted in time
_REFUSED = frozenset({1044, 1142, 1143, 1227, 1370})
_CANCELLED = frozenset({1205, 1317, 1969, 3024})
# the tables the MySQL checks read outside information_schema, by name (MySQL 8's "command
# denied" message names the table without its database)
_SYSTEM_TABLES = {"user": "mysql", "global_priv": "mysql", "innodb_index_stats": "mysql"}


def _mysql_guard(conn: MySQLConnection) -> Callable[[str, list[str]], AbstractContextManager[None]]:
    """Around one check: a statement the server refuses for privilege or cancels becomes a
    note; the READ ONLY transaction is started again if the error ended it."""
    from pymysql.constants import SERVER_STATUS
    from pymysql.err import MySQLError

    from dbdesign.databases.mysql import error_message

    @contextmanager
    def guard(what: str, notes: list[str]) -> Iterator[None]:
        try:
            yield
        except MySQLError as e:
            code = e.args[0] if e.args else None
            if code not in _REFUSED | _CANCELLED:
                raise
            message = error_message(e).strip()
            hint = f" (grant the account {_grant_for(message)})" if code in _REFUSED else ""
            notes.append(f"{what}: not checked: {message}{hint}")
            if not conn.raw.server_status & SERVER_STATUS.SERVER_STATUS_IN_TRANS:
                with conn.raw.cursor() as cur:
                    cur.execute("START TRANSACTION READ ONLY")

    return guard


def _grant_for(message: str) -> str:
    """The privilege a refusal asks for, as GRANT names it: ``PROCESS``, ``SELECT ON
    mysql.user``, ``SELECT ON performance_schema.*``."""
    m = re.match(r"(\w+) command denied .* for table [`']?(?:(\w+)[`']?\.[`']?)?(\w+)", message)
    if m:
        schema = m[2] or _SYSTEM_TABLES.get(m[3], "performance_schema")
        table = "*" if schema == "performance_schema" else m[3]  # the checks read several
        return f"{m[1]} ON {schema}.{table}"
    m = re.search(r"the ([A-Z][A-Z ,_]*?) privilege", message)
    if m:
        return m[1]
    m = re.search(r"to database '([^']+)'", message)
    if m:
        return f"SELECT ON {m[1]}.*"
    return "the privilege named"


# dialect name -> the read-only session its checks run in
SESSIONS: dict[str, Callable[[databases.Target, HealthConfig], AbstractContextManager[Probe]]] = {
    "postgres": _postgres,
    "mysql": _mysql,
}
