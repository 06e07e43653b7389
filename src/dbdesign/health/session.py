"""Running the checks: one connection, read-only by construction, short timeouts.

On PostgreSQL the session is set up before any catalog query: ``default_transaction_read_only``
on, then one ``READ ONLY`` transaction that is always rolled back, ``statement_timeout`` and
``lock_timeout`` short (``[tool.dbdesign.health]``), and an ``application_name`` that names
it in ``pg_stat_activity``. Each check runs in a savepoint of that transaction, so a query the
role may not run (``permission denied``) or one the timeout cancels becomes a note and the
other checks still run. What the checks read is what the ``pg_monitor`` role may read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
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
    severity = probe.config.severity.get(chk.id, chk.severity)
    with probe.guard(chk.id, probe.notes):
        return [
            HealthFinding(check=chk.id, severity=severity, **dataclasses.asdict(s))
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


# dialect name -> the read-only session its checks run in
SESSIONS: dict[str, Callable[[databases.Target, HealthConfig], AbstractContextManager[Probe]]] = {
    "postgres": _postgres,
}
