"""The SQL of the diff's operations on PostgreSQL: each operation's statements with their
hazards (see :mod:`~dbdesign.diff.postgres_sql.render`)."""

from dbdesign.diff.postgres_sql.render import (
    CATALOG_BUILTINS,
    RENDERERS,
    RenderContext,
    Rendered,
    needs_using,
    not_null_check_name,
    object_name,
    render,
    rewrites,
    runs_outside_transaction,
)

__all__ = [
    "CATALOG_BUILTINS",
    "RENDERERS",
    "RenderContext",
    "Rendered",
    "needs_using",
    "not_null_check_name",
    "object_name",
    "render",
    "rewrites",
    "runs_outside_transaction",
]
