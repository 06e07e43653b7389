"""Health review of a live database (``dbdesign health``): read-only checks of its indexes,
keys and statistics, each finding with the measured value, its threshold, why it matters and
the fix as SQL.

Checks register in :mod:`dbdesign.health.registry`, one module per area (``checks_indexes``,
``checks_bloat``, ``checks_tables``, ``checks_queries``, ``checks_capacity``,
``checks_security``, ``checks_mysql``); :func:`review` runs them in one read-only session
(:mod:`.session`).
"""

from __future__ import annotations

# importing a checks module registers its checks
from dbdesign.health import (  # noqa: F401
    checks_bloat,
    checks_capacity,
    checks_indexes,
    checks_mysql,
    checks_queries,
    checks_security,
    checks_tables,
)
from dbdesign.health.config import HealthConfig, parse_health_config
from dbdesign.health.registry import CHECKS, HealthCheck
from dbdesign.health.report import HealthFinding, HealthReport
from dbdesign.health.session import review

__all__ = [
    "CHECKS",
    "HealthCheck",
    "HealthConfig",
    "HealthFinding",
    "HealthReport",
    "parse_health_config",
    "review",
]
