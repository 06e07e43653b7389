"""Versioned SQL migrations: files, the ``dbdesign_migrations`` history, the runner, the lock,
and ``migrate test`` (every down undoes its up). See docs/migrate.md."""

from dbdesign.migrate.files import (
    Migration,
    MigrationStatement,
    Script,
    checksum,
    discover,
    new_migration,
)
from dbdesign.migrate.runner import Settings, baseline, migrate, repair, status

__all__ = [
    "Migration",
    "MigrationStatement",
    "Script",
    "Settings",
    "baseline",
    "checksum",
    "discover",
    "migrate",
    "new_migration",
    "repair",
    "status",
]
