"""Migration safety: lint migration files statement by statement (``dbdesign lint --migrations``).

>>> from dbdesign.lint.migration import lint_migrations, MigrationLintOptions
>>> report = lint_migrations(["migrations/"], MigrationLintOptions(server_version="15"))
"""

from dbdesign.lint.migration.context import LintedStatement, ServerVersion, StatementContext
from dbdesign.lint.migration.engine import MigrationLintOptions, lint_migrations

__all__ = [
    "LintedStatement",
    "MigrationLintOptions",
    "ServerVersion",
    "StatementContext",
    "lint_migrations",
]
