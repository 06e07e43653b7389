"""How to make pg_stat_statements readable in a PostgreSQL database, in one place for every
command that reads it (``advise pg_stat_statements``, ``health``): what is missing — the
extension's files on the server, the library in ``shared_preload_libraries`` (and the
restart), the extension in the database — and the exact steps, in the order that works (a
server told to preload a library it does not have does not start). dbdesign never takes the
steps itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EXTENSION = "pg_stat_statements"

# What :func:`setup` reads: readable by any role (pg_settings hides nothing of these).
SETUP_SQL = """
SELECT current_database() AS database,
       EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS created,
       EXISTS (SELECT 1 FROM pg_available_extensions
                WHERE name = 'pg_stat_statements') AS available,
       current_setting('server_version_num')::int / 10000 AS major,
       (SELECT setting FROM pg_settings
         WHERE name = 'shared_preload_libraries') AS preload,
       coalesce((SELECT pending_restart FROM pg_settings
                  WHERE name = 'shared_preload_libraries'), false) AS pending_restart
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementsSetup:
    """The state of pg_stat_statements for one database."""

    database: str
    created: bool  # CREATE EXTENSION was run in the database
    available: bool  # the server has the extension's files (its contrib modules)
    major: int  # the server's major version, for the package to install
    preload: str | None  # shared_preload_libraries; None: not visible to this role
    pending_restart: bool  # a changed shared_preload_libraries waits for a restart
    loading: bool = True  # the library is loaded (False: reading the view said it is not)

    @property
    def libraries(self) -> list[str]:
        return [p.strip().strip("\"'") for p in (self.preload or "").split(",") if p.strip()]

    @property
    def preloaded(self) -> bool:
        """Is the library loaded now (as far as this role can see)?"""
        listed = any(lib.rsplit("/", 1)[-1] == EXTENSION for lib in self.libraries)
        return self.loading and (self.preload is None or listed) and not self.pending_restart

    def problem(self) -> str:
        """What is wrong, as ``pg_stat_statements is ... database X``."""
        if not self.available:
            return f"{EXTENSION} is not installed on the server of database {self.database}"
        if not self.preloaded:
            return f"{EXTENSION} is not loaded by the server of database {self.database}"
        return f"{EXTENSION} is not created in database {self.database}"

    def steps(self, *, create: bool = True) -> str:
        """The missing steps, in order, joined by ``; then`` (``create=False``: all but the
        CREATE EXTENSION, for a caller that gives it as SQL of its own)."""
        out = []
        if not self.available:
            out.append(
                f"install PostgreSQL {self.major}'s contrib modules on the server (e.g. the "
                "postgresql-contrib package) before anything else, as a server told to "
                "preload a library it does not have does not start"
            )
        if not self.available or not self.preloaded or self.preload is None:
            out.append(self._preload())
        if create and not self.created:
            out.append(
                f"CREATE EXTENSION {EXTENSION}; in database {self.database} (as its owner or "
                "a superuser)"
            )
        return "; then ".join(out)

    def _preload(self) -> str:
        if self.pending_restart:
            return "restart the server (a changed shared_preload_libraries waits for it)"
        if self.preload is None:
            return (
                "unless shared_preload_libraries (not visible to this role) lists it, "
                f"ALTER SYSTEM SET shared_preload_libraries = '<the libraries it has>,{EXTENSION}'"
                "; restart the server"
            )
        wanted = ",".join([*self.libraries, EXTENSION]).replace("'", "''")
        return f"ALTER SYSTEM SET shared_preload_libraries = '{wanted}'; restart the server"


def setup(conn: Any, *, loading: bool = True) -> StatementsSetup:
    """Read the state of pg_stat_statements through ``conn`` (``loading=False``: reading its
    view just failed because the library is not loaded)."""
    cur = conn.execute(SETUP_SQL)
    names = [d.name for d in cur.description]
    return from_row(dict(zip(names, cur.fetchone(), strict=True)), loading=loading)


def from_row(row: dict[str, Any], *, loading: bool = True) -> StatementsSetup:
    """A :class:`StatementsSetup` from a row with :data:`SETUP_SQL`'s columns."""
    return StatementsSetup(
        database=row["database"],
        created=bool(row["created"]),
        available=bool(row["available"]),
        major=int(row["major"]),
        preload=row["preload"],
        pending_restart=bool(row["pending_restart"]),
        loading=loading,
    )
