"""Rule modules, one per group. Importing a module registers its rules."""

from __future__ import annotations

MODULES = (
    "keys",
    "types",
    "indexes",
    "naming",
    "normalisation",
    "audit",
    "security",
    "suppressions",
    "functions",
    "constraints",
    "consistency",
    "index_shapes",
    "documentation",
    "migrations_pg",
)


def load() -> None:
    for m in MODULES:
        __import__(f"dbdesign.lint.rules.{m}")
