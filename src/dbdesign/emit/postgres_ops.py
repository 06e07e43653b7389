"""Diff operations -> PostgreSQL statements, each with its hazards.

One renderer function per operation class, registered in a dispatch table (alembic style). A
created object is written with exactly the statements :func:`dbdesign.emit.postgres.emit_schema`
writes for it (:class:`~dbdesign.emit.postgres.SchemaSql`), so a diff and a full emit never
disagree about how an object looks.

Hazards describe what a statement does to an existing table on PostgreSQL 12+: the lock it
takes, whether it rewrites or scans the table or builds an index, whether it deletes data, and
whether it can fail on existing rows. Statements on tables created in the same migration have
none (the plan drops them: the table is empty and nobody uses it yet).

The renderers live beside this module, one module per kind of object, and register themselves
in the dispatch table of :mod:`~dbdesign.emit.pg_ops_base` (with the hazards and the rendered
statement) when imported, which this module does:

- :mod:`~dbdesign.emit.pg_ops_schema`: schemas, extensions, collations, types, sequences;
- :mod:`~dbdesign.emit.pg_ops_tables`: whole tables (rebuilds, partitions, inheritance);
- :mod:`~dbdesign.emit.pg_ops_columns`: columns;
- :mod:`~dbdesign.emit.pg_ops_constraints`: constraints and indexes;
- :mod:`~dbdesign.emit.pg_ops_code`: views, routines, triggers, rules, policies;
- :mod:`~dbdesign.emit.pg_ops_grants`: comments and grants;
- :mod:`~dbdesign.emit.pg_casts`: what a column type change costs (USING, rewrite).
"""

from __future__ import annotations

# Importing the renderer modules registers their renderers in RENDERERS.
from dbdesign.emit import (  # noqa: F401
    pg_ops_code,
    pg_ops_columns,
    pg_ops_constraints,
    pg_ops_grants,
    pg_ops_schema,
    pg_ops_tables,
)
from dbdesign.emit.pg_casts import CATALOG_BUILTINS, needs_using, rewrites
from dbdesign.emit.pg_ops_base import RENDERERS, RenderContext, Rendered, op
from dbdesign.emit.pg_ops_columns import not_null_check_name
from dbdesign.emit.pg_ops_grants import object_name

__all__ = [
    "CATALOG_BUILTINS",
    "RenderContext",
    "Rendered",
    "needs_using",
    "not_null_check_name",
    "object_name",
    "render",
    "rewrites",
    "runs_outside_transaction",
]

# The dispatch table under the name it had before the renderers moved out (tests read it).
_RENDERERS = RENDERERS


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
