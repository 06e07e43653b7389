"""Rule modules, one per group (migration-safety rules: ``migrations_*``). Importing a module
registers its rules; :func:`load` imports every module of this package."""

from __future__ import annotations

import importlib
import pkgutil


def load() -> None:
    for m in sorted(pkgutil.iter_modules(__path__)):
        importlib.import_module(f"{__name__}.{m.name}")
