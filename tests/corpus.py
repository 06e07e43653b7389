"""Route each PostgreSQL corpus file to the test servers that can load it.

A file states what it needs in its own text: the extensions it creates (read with dbdesign's
DDL reader), and — for the few files written for a newer server than any here — the server
version in ``NEEDS_VERSION`` (with the reason, which the corpus README also gives). A test asks
:func:`unmet` for a server; when something is unmet the test checks the claim (the load really
fails) and skips with the reason, and :func:`assert_routed` makes sure every file that any
server could load is loaded somewhere — a corpus file is never silently untested.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from dbdesign.engine import connect
from dbdesign.readers.ddl.postgres import read_path

# Files that need a newer PostgreSQL than any test server (pgserver 16, the machine's 15).
NEEDS_VERSION = {
    "pagila-pg18.sql": (180000, "uuidv7(), virtual generated columns"),
}


@cache
def needed_extensions(path: Path) -> frozenset[str]:
    return frozenset(e.name for e in read_path(path).extensions.values())


@cache
def _server(url: str) -> tuple[int, frozenset[str]]:
    with connect(url, autocommit=True) as conn:
        version = int(conn.execute("SHOW server_version_num").fetchone()[0])  # type: ignore[index]
        available = frozenset(
            r[0] for r in conn.execute("SELECT name FROM pg_available_extensions")
        )
    return version, available


def available_extensions(url: str) -> frozenset[str]:
    """The extensions the server at ``url`` can create."""
    return _server(url)[1]


def unmet(path: Path, url: str) -> str | None:
    """Why the server at ``url`` cannot load ``path`` (None when it can)."""
    version, available = _server(url)
    need = NEEDS_VERSION.get(path.name)
    if need is not None and version < need[0]:
        return f"needs PostgreSQL {need[0] // 10000} ({need[1]}); the server is {version}"
    missing = sorted(needed_extensions(path) - available)
    if missing:
        return f"needs the extension(s) {', '.join(missing)}, which this server lacks"
    return None


def assert_routed(path: Path, urls: dict[str, str]) -> None:
    """Fail unless some test server can load ``path`` — or no PostgreSQL here could (a file
    for a newer server), which is said in ``NEEDS_VERSION``."""
    reasons = {name: unmet(path, url) for name, url in urls.items()}
    if all(reasons.values()) and path.name not in NEEDS_VERSION:
        pytest.fail(
            f"no test server can load {path.name}: "
            + "; ".join(f"{k}: {v}" for k, v in reasons.items())
            + " (the test set-up installs extensions on the machine's PostgreSQL 15)",
            pytrace=False,
        )
