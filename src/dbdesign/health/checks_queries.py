"""Query and session checks (pg_stat_statements, pg_stat_activity, locks)."""

from __future__ import annotations
