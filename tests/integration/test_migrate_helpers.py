"""Helpers for the migrate tests: write a migrations folder, run the real CLI in a process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dbdesign.engine import connect


def write_folder(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def cli(
    *args: str, timeout: float = 120, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``dbdesign ARGS`` in its own process (the real entry point and exit codes), in
    ``cwd`` (where the configuration file is found) when given."""
    env = dict(os.environ)
    env.pop("DBDESIGN_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
    )


def pg_history(url: str) -> list[tuple[str, str]]:
    with connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('dbdesign_migrations') IS NOT NULL").fetchone()
        if not exists or not exists[0]:
            return []
        rows = conn.execute("SELECT version, state FROM dbdesign_migrations ORDER BY version")
        return [(str(v), str(s)) for v, s in rows.fetchall()]


def pg_tables(url: str) -> set[str]:
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE nspname = 'public' AND relkind IN ('r', 'i')"
        ).fetchall()
    return {r[0] for r in rows}
