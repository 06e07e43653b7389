"""PostgreSQL facts the migration rules share: lock levels and what they block, and helpers
over pglast's JSON tree and the reader's state."""

from __future__ import annotations

from typing import Any

from dbdesign.dialects.postgres import quote_ident
from dbdesign.lint.migration.context import StatementContext
from dbdesign.lint.migration.walk_postgres import relation_key

# What each table lock level blocks (the PostgreSQL documentation, "Explicit Locking").
ACCESS_EXCLUSIVE = "ACCESS EXCLUSIVE lock: every read and write of {table} waits until it ends"
SHARE = "SHARE lock: writes to {table} (INSERT, UPDATE, DELETE) wait until it ends; reads go on"
SHARE_ROW_EXCLUSIVE = "SHARE ROW EXCLUSIVE lock: writes to {table} wait until it ends; reads go on"
QUEUE = "; and while it waits for its lock, every query on {table} queues behind it"


def lock(level: str, table: str) -> str:
    return level.format(table=table)


def table_in_use(ctx: StatementContext, rv: dict[str, Any]) -> str | None:
    """``schema.table`` of a RangeVar when the table may be in use: it was not made earlier
    in the same file (a table the schema or earlier migrations do not know is assumed to
    exist: the linter may not have seen the whole history). None for a table made here."""
    key = relation_key(ctx.state, rv)
    return None if ctx.created_here(key) else key


def qualified(key: str) -> str:
    """``schema.table`` as SQL (quoted where needed); ``public.`` left out."""
    schema, name = key.split(".", 1)
    return quote_ident(name) if schema == "public" else f"{quote_ident(schema)}.{quote_ident(name)}"
