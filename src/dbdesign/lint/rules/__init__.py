"""Rule modules, one per group; migration-safety rules in ``migrations_<dialect>*`` modules.
Importing a module registers its rules.

:func:`load` imports the schema rules and, when asked, the migration rules of one dialect (or
of all): the MySQL and SQLite ones bring their DDL readers and sqlglot, which a lint of a
PostgreSQL schema must not pay for at start-up.
"""

from __future__ import annotations

import importlib
import pkgutil

# The prefix of each dialect's migration rule modules.
MIGRATION_MODULES = {"postgres": "migrations_pg", "mysql": "migrations_mysql",
                     "sqlite": "migrations_sqlite"}  # fmt: skip
_LOADED: set[str] = set()


def load(migrations: str | bool = True) -> None:
    """Import the schema rule modules and the migration rule modules: all of them
    (``True``), none (``False``) or one dialect's (its name)."""
    for m in sorted(pkgutil.iter_modules(__path__)):
        name = m.name
        if name in _LOADED:
            continue
        if name.startswith("migrations_"):
            if migrations is False:
                continue
            if migrations is not True and not name.startswith(MIGRATION_MODULES[migrations]):
                continue
        importlib.import_module(f"{__name__}.{name}")
        _LOADED.add(name)
