"""Health configuration: ``[tool.dbdesign.health]`` in pyproject.toml or ``[health]`` in
dbdesign.toml, read by :func:`dbdesign.config.load_config` like every other section.

The thresholds default to PgHero's (4.0.1). Example::

    [tool.dbdesign.health]
    fail_on = "warning"                  # info | warning | error (default: error)
    checks = ["unused-index", "invalid-index"]   # only these (default: all)
    unused_index_min_bytes = 10485760    # an unused index is reported from this size (10 MB)
    statement_timeout_ms = 5000          # each catalog query is cancelled after this
    lock_timeout_ms = 1000               # and never waits longer than this for a lock

    [tool.dbdesign.health.severity]
    table-without-primary-key = "error"
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from dbdesign.errors import ConfigError
from dbdesign.lint.config import read_count, read_severity, read_strings
from dbdesign.lint.findings import Severity

MB = 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthConfig:
    fail_on: Severity = Severity.error
    checks: tuple[str, ...] = ()  # empty: every check
    severity: dict[str, Severity] = field(default_factory=dict)
    unused_index_min_bytes: int = 10 * MB  # PgHero: unused indexes of 10 MB and more
    statement_timeout_ms: int = 5000
    lock_timeout_ms: int = 1000


def _severities(value: Any, where: str, file: str | None) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: must be a table of check-id = severity", file=file)
    return {k: read_severity(v, f"{where}.{k}", file) for k, v in value.items()}


_PARSERS: dict[str, Callable[[Any, str, str | None], Any]] = {
    "fail_on": read_severity,
    "checks": read_strings,
    "severity": _severities,
    "unused_index_min_bytes": read_count,
    "statement_timeout_ms": read_count,
    "lock_timeout_ms": read_count,
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
