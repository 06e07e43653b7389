"""What the health tests share (their ``scratch`` database is tests/integration/conftest.py's):
a role with only pg_monitor and CONNECT, configuration from TOML text, findings by check."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from psycopg import sql
from psycopg.conninfo import make_conninfo

from dbdesign import api, engine
from dbdesign.health import CHECKS, HealthConfig, HealthReport

ROLE = "dbdesign_health_monitor"


def config(tmp_path: Path, body: str) -> HealthConfig:
    """The health configuration of a pyproject.toml whose [tool.dbdesign.health] is ``body``."""
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[tool.dbdesign.health]\n{body}\n")
    return api.health_config(path)


def by_check(report: HealthReport) -> dict[str, set[str]]:
    """The objects each registered check reported."""
    out: dict[str, set[str]] = {c: set() for c in CHECKS}
    for f in report.findings:
        out[f.check].add(f.object)
    return out


@contextmanager
def monitor_role(url: str) -> Iterator[str]:
    """The URL of the database at ``url`` for a login role with only pg_monitor and CONNECT
    (CONNECT revoked from PUBLIC), dropped afterwards."""
    name = sql.Identifier(ROLE)
    with engine.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(name))
        conn.execute(f"CREATE ROLE {ROLE} LOGIN")
        try:
            conn.execute(sql.SQL("GRANT pg_monitor TO {}").format(name))
            db = sql.Identifier(conn.execute("SELECT current_database()").fetchone()[0])
            conn.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(db))
            conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, name))
            yield make_conninfo(url, user=ROLE)
        finally:
            conn.execute(sql.SQL("DROP OWNED BY {}").format(name))
            conn.execute(sql.SQL("DROP ROLE {}").format(name))


def record_statements(conn: Any) -> bool:
    """Create pg_stat_statements in the connected database when the server preloads it (the
    test set-up preloads it on PostgreSQL 15); is it there?"""
    preload = conn.execute("SHOW shared_preload_libraries").fetchone()[0]
    if "pg_stat_statements" not in preload:
        return False
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    return True


def unexplained(notes: tuple[str, ...], recorded: bool) -> list[str]:
    """The notes a review of a clean database may not have: any, but the one saying how to
    enable pg_stat_statements where the server does not preload it."""
    return [n for n in notes if recorded or "pg_stat_statements" not in n]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``dbdesign health ARGS`` as a user runs it, in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", "health", *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
    )
