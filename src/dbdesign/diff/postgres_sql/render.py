"""Diff operations -> PostgreSQL statements, each with its hazards.

One renderer function per operation class, registered in a dispatch table (alembic style). A
created object is written with exactly the statements :func:`dbdesign.emit.postgres.emit_schema`
writes for it (:class:`~dbdesign.emit.postgres.SchemaSql`), so a diff and a full emit never
disagree about how an object looks.

Hazards describe what a statement does to an existing table on PostgreSQL 12+: the lock it
takes, whether it rewrites or scans the table or builds an index, whether it deletes data, and
whether it can fail on existing rows. Statements on tables created in the same migration have
none (the plan drops them: the table is empty and nobody uses it yet).

The renderers live in this package, one module per kind of object, and register themselves
in the dispatch table of :mod:`~dbdesign.diff.postgres_sql.base` (with the hazards and the rendered
statement) when imported, which this module does:

- :mod:`~dbdesign.diff.postgres_sql.schema`: schemas, extensions, collations, types, sequences;
- :mod:`~dbdesign.diff.postgres_sql.tables`: whole tables (rebuilds, partitions, inheritance);
- :mod:`~dbdesign.diff.postgres_sql.columns`: columns;
- :mod:`~dbdesign.diff.postgres_sql.constraints`: constraints and indexes;
- :mod:`~dbdesign.diff.postgres_sql.code`: views, routines, triggers, rules, policies;
- :mod:`~dbdesign.diff.postgres_sql.grants`: comments and grants;
- :mod:`~dbdesign.emit.pg_casts`: what a column type change costs (USING, rewrite).
"""

from __future__ import annotations

# Importing the renderer modules registers their renderers in RENDERERS.
from dbdesign.diff.postgres_sql import (  # noqa: F401
    code,
    columns,
    constraints,
    grants,
    schema,
    tables,
)
from dbdesign.diff.postgres_sql.base import RENDERERS, RenderContext, Rendered, op
from dbdesign.diff.postgres_sql.columns import not_null_check_name
from dbdesign.diff.postgres_sql.grants import object_name
from dbdesign.emit.pg_casts import CATALOG_BUILTINS, needs_using, rewrites

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


def render(operation: op.Operation, ctx: RenderContext) -> list[Rendered]:
    """The statements that carry out one operation."""
    out: list[Rendered] = RENDERERS[type(operation)](operation, ctx)
    return out


def runs_outside_transaction(operation: op.Operation) -> bool:
    """Whether some statement of the operation cannot run inside a transaction block."""
    if isinstance(operation, op.CreateIndex | op.DropIndex):
        return operation.concurrently
    if isinstance(operation, op.AddConstraint):
        return operation.form == "using_index"
    return isinstance(operation, op.AddEnumValue)


def _check_coverage() -> None:  # pragma: no cover - import-time self check
    missing = [
        name
        for name in op.__all__
        if isinstance(getattr(op, name), type)
        and issubclass(getattr(op, name), op.Operation)
        and getattr(op, name) is not op.Operation
        and getattr(op, name) not in RENDERERS
    ]
    if missing:
        raise RuntimeError(f"operations without a PostgreSQL renderer: {missing}")


_check_coverage()
