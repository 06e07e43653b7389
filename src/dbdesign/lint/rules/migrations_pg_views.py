"""Migration safety on PostgreSQL: views dropped under running code, generated columns turned
into plain ones.

Facts: the PostgreSQL documentation, "DROP VIEW", "ALTER TABLE" (DROP EXPRESSION).
"""

from __future__ import annotations

from collections.abc import Iterator

from dbdesign.dialects.postgres import quote_ident
from dbdesign.lint.findings import Hit
from dbdesign.lint.migration.context import StatementContext
from dbdesign.lint.registry import migration_rule
from dbdesign.lint.rules.migrations_pg_common import (
    ACCESS_EXCLUSIVE_LOCK,
    alter_in_use,
    blocks,
    ignore_line,
    made_in_file,
    name_key,
    name_list,
    rel_key,
    sql_name,
)

_VIEW_KINDS = {"OBJECT_VIEW": "VIEW", "OBJECT_MATVIEW": "MATERIALIZED VIEW"}


def _made_again(ctx: StatementContext, key: str) -> bool:
    """Whether a later statement of the file makes view ``key`` again (a redefinition)."""
    for s in ctx.later():
        node = s.node or {}
        if s.kind == "ViewStmt" and rel_key(ctx, node["view"]) == key:
            return True
        if s.kind == "CreateTableAsStmt" and rel_key(ctx, node["into"]["rel"]) == key:
            return True
    return False


@migration_rule("MIG045", "drop-view", "error", dialects=("postgres",), kinds=("DropStmt",))
def drop_view(ctx: StatementContext) -> Iterator[Hit]:
    """DROP VIEW or DROP MATERIALIZED VIEW of a view in use, not made again in the same file.

    Rationale: code already running that reads the view fails with "relation ... does not
    exist" from the moment the migration commits, and the drop waits for an ACCESS EXCLUSIVE
    lock on the view behind every query using it (the PostgreSQL documentation, "DROP VIEW").
    A view dropped and made again in the same file is a redefinition (the usual way to change
    its columns), and a view made earlier in the same file is not in use: neither is reported.

    Bad:
        DROP VIEW active_customers;

    Good:
        -- release 1: code stops reading active_customers
        -- release 2, a later migration:
        DROP VIEW active_customers;

    Fix: deploy code that no longer reads the view first, then drop it in a later migration;
    to change a view, make it again in the same migration (CREATE OR REPLACE VIEW when it only
    gains columns at the end).
    """
    node = ctx.stmt.node or {}
    what = _VIEW_KINDS.get(node.get("removeType", ""))
    if what is None:
        return
    for obj in node.get("objects") or ():
        key = name_key(ctx, name_list(obj.get("List", {}).get("items")))
        if made_in_file(ctx, "ViewStmt", key) or made_in_file(ctx, "CreateTableAsStmt", key):
            continue
        if _made_again(ctx, key):
            continue
        yield Hit(
            key,
            f"drops {what.lower()} {key}: code already running that reads it fails "
            f"('relation does not exist'); {blocks(ACCESS_EXCLUSIVE_LOCK, key)}",
            fix=f"-- release 1: deploy code that no longer reads {key}\n"
            f"-- a later migration:\n{ignore_line('MIG045', f'no client reads {key} any more')}\n"
            f"DROP {what} {sql_name(key)};",
        )


@migration_rule(
    "MIG046", "drop-expression", "warning", dialects=("postgres",), kinds=("AlterTableStmt",)
)
def drop_expression(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER COLUMN ... DROP EXPRESSION on a table in use.

    Rationale: the column keeps its stored values but stops being computed: code already
    running that leaves the column out of its INSERTs and UPDATEs (as it must while the column
    is generated) now writes NULL or a stale value there, silently (the PostgreSQL
    documentation, "ALTER TABLE": DROP EXPRESSION turns a stored generated column into a normal
    one). The change itself takes an ACCESS EXCLUSIVE lock but does not rewrite the table.

    Bad:
        ALTER TABLE orders ALTER COLUMN total DROP EXPRESSION;

    Good:
        -- release 1: code writes total itself on every INSERT and UPDATE
        -- release 2, a later migration:
        ALTER TABLE orders ALTER COLUMN total DROP EXPRESSION;

    Fix: deploy code that writes the column on every INSERT and UPDATE first (or a trigger that
    computes it), then drop the expression in a later migration.
    """
    found = alter_in_use(ctx)
    if found is None:
        return
    table, cmds = found
    for cmd in cmds:
        if cmd.get("subtype") != "AT_DropExpression":
            continue
        col = cmd.get("name", "")
        yield Hit(
            f"{table}.{col}",
            f"{table}.{col} stops being computed: running code that leaves it out of its "
            "INSERTs and UPDATEs (as it must for a generated column) now writes NULL or a stale "
            f"value there; {blocks(ACCESS_EXCLUSIVE_LOCK, table)} (no rewrite)",
            fix=f"-- release 1: deploy code (or a trigger) that writes {col} on every INSERT "
            f"and UPDATE\n-- a later migration:\n"
            f"{ignore_line('MIG046', f'every client writes {col} itself now')}\n"
            f"ALTER TABLE {sql_name(table)} ALTER COLUMN "
            f"{quote_ident(col)} DROP EXPRESSION;",
        )
