"""Rule modules, one per group; migration-safety rules in ``migrations_<dialect>*`` modules,
query rules in ``queries*`` and plan rules in ``plans*``. Importing a module registers its rules.

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
# The prefix of the modules of the rules of the other scopes, loaded when that scope is asked.
SCOPE_MODULES = {"queries": "queries", "plans": "plans"}
_LOADED: set[str] = set()


def load(migrations: str | bool = True, scopes: tuple[str, ...] = ()) -> None:
    """Import the schema rule modules, the migration rule modules (all of them with
    ``True``, none with ``False``, or one dialect's: its name) and the modules of ``scopes``
    (queries, plans; all of them when ``migrations`` is True)."""
    for m in sorted(pkgutil.iter_modules(__path__)):
        name = m.name
        if name in _LOADED:
            continue
        scoped = [s for s, prefix in SCOPE_MODULES.items() if name.startswith(prefix)]
        if scoped:
            if migrations is not True and scoped[0] not in scopes:
                continue
        elif name.startswith("migrations_"):
            if migrations is False:
                continue
            if migrations is not True and not name.startswith(MIGRATION_MODULES[migrations]):
                continue
        importlib.import_module(f"{__name__}.{name}")
        _LOADED.add(name)
