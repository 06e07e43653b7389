"""Audit and lifecycle: created_at/updated_at, the trigger behind updated_at, soft delete."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dbdesign.lint.context import Context
from dbdesign.lint.findings import Hit
from dbdesign.lint.registry import rule
from dbdesign.model import Table


@rule("AUD001", "missing-audit-columns", "info")
def missing_audit_columns(ctx: Context) -> Iterator[Hit]:
    """A table lacks one of the audit columns (default `created_at`, `updated_at`).

    Rationale: When a row was created and last changed is the first question in every
    incident, data repair and incremental export; adding the columns later leaves old rows
    without values. The column names are configurable (`audit_columns`; set it to `[]` to
    turn the rule off). Partitions are skipped (they have their parent's columns). A table
    whose every other column is a foreign key column (a link table) is not asked for
    `updated_at`: its rows are inserted and deleted, never changed.

    Bad:
        CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(12,2));

    Good:
        CREATE TABLE orders (
          id bigint PRIMARY KEY,
          total numeric(12,2),
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now()
        );

    Fix: Add the missing columns with a default (now()) and, for updated_at, a trigger.
    """
    wanted = ctx.config.audit_columns
    updated = ctx.config.updated_at_column
    for t in ctx.base_tables:
        have = {c.name for c in t.columns}
        missing = [c for c in wanted if c not in have]
        if updated in missing and _nothing_to_update(t, set(wanted)):
            missing.remove(updated)
        if missing:
            yield Hit(t.key, f"table {t.key} has no {', '.join(missing)}", t.origin)


def _nothing_to_update(t: Table, audit: set[str]) -> bool:
    """Every column but the audit ones is a foreign key column: a link table."""
    refs = {c for fk in t.foreign_keys.values() for c in fk.columns}
    return bool(refs) and all(c.name in refs or c.name in audit for c in t.columns)


@rule("AUD002", "updated-at-without-trigger", "warning", dialects=("postgres", "sqlite"))
def updated_at_without_trigger(ctx: Context) -> Iterator[Hit]:
    """A table has an `updated_at` column but no row-level trigger on UPDATE to maintain it.

    Rationale: A default only fills the column on INSERT; without a trigger, `updated_at` keeps
    the creation time unless every writer remembers to set it, and then it lies. On PostgreSQL
    a BEFORE UPDATE ... FOR EACH ROW trigger counts (one limited to UPDATE OF some columns
    does not, as it misses other changes); on SQLite any UPDATE trigger counts (it updates the
    row AFTER). The column name is `updated_at_column`.

    Bad:
        CREATE TABLE orders (id bigint PRIMARY KEY, updated_at timestamptz DEFAULT now());

    Good:
        CREATE TABLE orders (id bigint PRIMARY KEY, updated_at timestamptz DEFAULT now());
        CREATE TRIGGER trg_orders_updated_at BEFORE UPDATE ON orders
          FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    Fix: Add a BEFORE UPDATE FOR EACH ROW trigger that sets NEW.updated_at = now().
    """
    col = ctx.config.updated_at_column
    for t in ctx.base_tables:
        if t.column(col) is None:
            continue
        ok = False
        for tr in ctx.triggers_by_table.get(t.key, ()):
            if "UPDATE" not in tr.events or tr.columns:
                continue
            if ctx.dialect == "sqlite" or (tr.level == "ROW" and tr.timing == "BEFORE"):
                ok = True
                break
        if not ok:
            yield Hit(
                f"{t.key}.{col}",
                f"{t.key}.{col} has no BEFORE UPDATE row trigger to maintain it",
                ctx.origin(t, col),
            )


@rule("AUD003", "soft-delete-without-partial-unique", "warning")
def soft_delete_without_partial_unique(ctx: Context) -> Iterator[Hit]:
    """A soft-deleted table (deleted_at / is_deleted) has a unique key that counts deleted rows.

    Rationale: With soft delete, a deleted row stays in the table, so a plain UNIQUE (email)
    stops a new user from taking the email of a deleted one; including deleted_at in the key
    does not help either (NULLs are distinct, so live duplicates pass). A partial unique index
    `... WHERE deleted_at IS NULL` enforces uniqueness among live rows only. The primary key
    is not flagged, nor is a key that contains it (unique anyway, e.g. `(tenant_id, id)` as
    the target of composite foreign keys); the soft-delete column names are
    `soft_delete_columns`. Where partial
    indexes do not exist (MySQL), a key that ends with a generated column computed from the
    soft-delete column (1 while live, NULL once deleted) does the same and is not flagged.

    Bad:
        CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE, deleted_at timestamptz);

    Good:
        CREATE TABLE users (id bigint PRIMARY KEY, email text, deleted_at timestamptz);
        CREATE UNIQUE INDEX uq_users_email_live ON users (email) WHERE deleted_at IS NULL;

    Fix: Replace the unique key with a partial unique index WHERE <soft-delete column> IS NULL
    (or NOT is_deleted).
    """
    soft = ctx.config.soft_delete_columns
    for t in ctx.base_tables:
        col = next((c for c in soft if t.column(c) is not None), None)
        if col is None:
            continue
        live = _live_markers(t, col)
        pk = set(t.primary_key.columns) if t.primary_key else None
        for u in t.uniques.values():
            if live & set(u.columns) or (pk and pk <= set(u.columns)):
                continue
            yield Hit(
                f"{t.key}.{u.name}",
                f"unique constraint {u.name} ({', '.join(u.columns)}) on soft-deleted {t.key} "
                f"also counts deleted rows",
                u.origin or t.origin,
                f"CREATE UNIQUE INDEX ... ON {t.key} ({', '.join(u.columns)}) WHERE {col} IS NULL",
            )
        for i in ctx.indexes_by_table.get(t.key, ()):
            keys = {e.column for e in i.elements}
            if i.unique and i.where is None and not live & keys and not (pk and pk <= keys):
                cols = ", ".join(e.label for e in i.elements)
                yield Hit(
                    i.key,
                    f"unique index {i.name} ({cols}) on soft-deleted {t.key} counts deleted rows",
                    i.origin or t.origin,
                    f"add WHERE {col} IS NULL to {i.name}",
                )


def _live_markers(t: Table, soft: str) -> set[str]:
    """Generated columns computed from the soft-delete column (``IF(deleted_at IS NULL, 1,
    NULL)``): in a unique key they make deleted rows NULL, so only live rows collide."""
    word = re.compile(rf"\b{re.escape(soft)}\b", re.I)
    return {c.name for c in t.columns if c.generated and word.search(c.generated.expr.text)}
