"""Health configuration: ``[tool.dbdesign.health]`` in pyproject.toml or ``[health]`` in
dbdesign.toml, read by :func:`dbdesign.config.load_config` like every other section.

The thresholds default to PgHero's (4.0.1) where PgHero has one. Example::

    [tool.dbdesign.health]
    fail_on = "warning"                  # info | warning | error (default: error)
    checks = ["unused-index", "invalid-index"]   # only these (default: all)
    unused_index_min_bytes = 10485760    # an unused index is reported from this size (10 MB)
    statement_timeout_ms = 5000          # each catalog query is cancelled after this
    lock_timeout_ms = 1000               # and never waits longer than this for a lock
    pools = { web = "20x4", worker = "5x2" }  # the applications' connection pools

    [tool.dbdesign.health.severity]
    table-without-primary-key = "error"
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from dbdesign.conventions import TENANT_COLUMNS
from dbdesign.errors import ConfigError
from dbdesign.lint.config import read_count, read_severity, read_strings
from dbdesign.lint.findings import Severity

MB = 1024 * 1024

# Column names of secrets.
SECRET_COLUMNS = (
    "password",
    "passwd",
    "pwd",
    "password_hash",
    "secret",
    "api_key",
    "apikey",
    "token",
    "access_token",
    "refresh_token",
    "private_key",
    "client_secret",
)


@dataclass(frozen=True, slots=True)
class Pool:
    """One application's connection pool: ``size`` connections in each of ``instances``."""

    name: str
    size: int
    instances: int = 1

    @property
    def connections(self) -> int:
        return self.size * self.instances

    def __str__(self) -> str:
        return f"{self.name}={self.size}x{self.instances}"


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthConfig:
    fail_on: Severity = Severity.error
    checks: tuple[str, ...] = ()  # empty: every check
    severity: dict[str, Severity] = field(default_factory=dict)
    statement_timeout_ms: int = 5000
    lock_timeout_ms: int = 1000
    # indexes
    unused_index_min_bytes: int = 10 * MB  # PgHero: unused indexes of 10 MB and more
    index_bloat_min_bytes: int = 100 * MB  # PgHero: index bloat of 100 MB and more
    low_cardinality_min_rows: int = 10_000  # an index on one value matters from this size
    low_cardinality_min_share: float = 0.99  # share of the rows holding the one value
    # tables
    table_bloat_min_bytes: int = 100 * MB  # wasted space worth a rewrite
    dead_tuples_min: int = 10_000  # dead rows worth a look ...
    dead_tuples_min_fraction: float = 0.2  # ... above this share of the live ones
    seq_scan_min_rows: int = 10_000  # a table this large read mostly by sequential scans
    seq_scan_min_fraction: float = 0.5  # share of its scans that are sequential
    seq_scan_min_scans: int = 100  # and at least this many of them
    sequence_max_fraction: float = 0.9  # PgHero: sequences beyond 90 % of their maximum
    wraparound_min_remaining: int = 1_500_000_000  # PgHero: transaction ids left
    # queries and sessions
    slow_query_mean_ms: float = 20.0  # PgHero: slow queries, 20 ms mean ...
    slow_query_min_calls: int = 100  # ... over at least 100 calls
    long_running_s: float = 60.0  # PgHero: long-running queries, 60 s
    idle_in_transaction_s: float = 60.0  # a session idle inside a transaction this long
    cache_hit_min: float = 0.99  # PgHero: cache hit ratio under 99 %
    # capacity
    connections_max_fraction: float = 0.8  # connections in use against max_connections
    replication_lag_s: float = 5.0  # PgHero: replication lag of 5 s
    pools: tuple[Pool, ...] = ()  # the applications' pools, from config or --pool
    # security
    tenant_columns: tuple[str, ...] = TENANT_COLUMNS
    secret_columns: tuple[str, ...] = SECRET_COLUMNS
    secret_sample_rows: int = 100  # values read (never shown) per secret column


def _severities(value: Any, where: str, file: str | None) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: must be a table of check-id = severity", file=file)
    return {k: read_severity(v, f"{where}.{k}", file) for k, v in value.items()}


def _number(value: Any, where: str, file: str | None) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"{where}: must be a non-negative number", file=file)
    return float(value)


def _fraction(value: Any, where: str, file: str | None) -> float:
    number = _number(value, where, file)
    if number > 1:
        raise ConfigError(f"{where}: must be a fraction between 0 and 1", file=file)
    return number


_POOL = re.compile(r"^\s*(\d+)\s*(?:[x\u00d7*]\s*(\d+))?\s*$")


def parse_pool(text: str, where: str = "--pool", file: str | None = None) -> Pool:
    """``app=SIZE`` or ``app=SIZExINSTANCES`` (a multiplication sign or ``*`` also accepted)."""
    name, eq, spec = text.partition("=")
    if not eq:
        raise ConfigError(f"{where}: {text!r} must be NAME=SIZExINSTANCES", file=file)
    return _pool(name.strip(), spec, where, file)


def _pool(name: str, spec: Any, where: str, file: str | None) -> Pool:
    m = _POOL.match(str(spec)) if isinstance(spec, str | int) else None
    if not name or m is None or int(m[1]) == 0 or (m[2] is not None and int(m[2]) == 0):
        raise ConfigError(
            f"{where}: {name or '?'} = {spec!r} must be SIZE or SIZExINSTANCES (e.g. 20x4)",
            file=file,
        )
    return Pool(name, int(m[1]), int(m[2] or 1))


def with_pools(config: HealthConfig, texts: list[str]) -> HealthConfig:
    """``config`` with the pools given as ``NAME=SIZExINSTANCES`` (``--pool``), which replace
    the configuration's pools of the same name."""
    given = [parse_pool(t) for t in texts]
    names = {p.name for p in given}
    return replace(config, pools=(*(p for p in config.pools if p.name not in names), *given))


def _pools(value: Any, where: str, file: str | None) -> tuple[Pool, ...]:
    if not isinstance(value, dict):
        raise ConfigError(f'{where}: must be a table of app = "SIZExINSTANCES"', file=file)
    return tuple(_pool(k, v, f"{where}.{k}", file) for k, v in value.items())


_PARSERS: dict[str, Callable[[Any, str, str | None], Any]] = {
    "fail_on": read_severity,
    "checks": read_strings,
    "severity": _severities,
    "statement_timeout_ms": read_count,
    "lock_timeout_ms": read_count,
    "unused_index_min_bytes": read_count,
    "index_bloat_min_bytes": read_count,
    "table_bloat_min_bytes": read_count,
    "dead_tuples_min": read_count,
    "dead_tuples_min_fraction": _number,
    "seq_scan_min_rows": read_count,
    "seq_scan_min_fraction": _fraction,
    "seq_scan_min_scans": read_count,
    "low_cardinality_min_rows": read_count,
    "low_cardinality_min_share": _fraction,
    "sequence_max_fraction": _fraction,
    "wraparound_min_remaining": read_count,
    "slow_query_mean_ms": _number,
    "slow_query_min_calls": read_count,
    "long_running_s": _number,
    "idle_in_transaction_s": _number,
    "cache_hit_min": _fraction,
    "connections_max_fraction": _fraction,
    "replication_lag_s": _number,
    "pools": _pools,
    "tenant_columns": read_strings,
    "secret_columns": read_strings,
    "secret_sample_rows": read_count,
}


def parse_health_config(data: dict[str, Any], *, file: str | None = None) -> HealthConfig:
    """Validate a ``health`` section (a plain dict from TOML) into a HealthConfig."""
    changes: dict[str, Any] = {}
    for key, value in data.items():
        k = key.replace("-", "_")
        where = f"[tool.dbdesign.health] {key}"
        if k not in _PARSERS:
            known = ", ".join(sorted(_PARSERS))
            raise ConfigError(f"{where}: unknown key (known: {known})", file=file)
        changes[k] = _PARSERS[k](value, where, file)
    return replace(HealthConfig(), **changes)
