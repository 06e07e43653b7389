"""Audit and lifecycle: created_at/updated_at, the trigger behind updated_at, soft delete."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from dbdesign.lint.context import Context, words
from dbdesign.lint.findings import Hit
from dbdesign.lint.registry import rule
from dbdesign.model import Column, Expr, Index, IndexElement, Table, Unique

# What the common frameworks and hand-written schemas call the two audit columns (compared by
# words, so createdAt, created_at and CreatedAt are one name).
_SYNONYMS = {
    "created": (
        "created at", "created on", "inserted at", "inserted on", "created", "creation date",
        "creation time", "created date", "created time", "date created", "create date",
        "create time", "insert time", "created ts", "creation ts", "created utc",
    ),
    "updated": (
        "updated at", "updated on", "modified at", "modified on", "changed at", "updated",
        "modified", "last update", "last updated", "last modified", "last modified at",
        "last updated at", "update time", "updated date", "updated time", "modified date",
        "date modified", "date updated", "updated ts", "modified ts", "updated utc",
    ),
}  # fmt: skip
_ROLE = {s: role for role, names in _SYNONYMS.items() for s in names}


def _role(name: str) -> str | None:
    return _ROLE.get(" ".join(words(name)))


def has_audit_column(t: Table, wanted: str) -> bool:
    """Whether ``t`` has the audit column ``wanted``, by that name or, for a creation or
    change time, by a synonym (``inserted_at``, ``createdAt``, ``created_on``, ``modified_at``,
    ``last_update`` ...)."""
    if t.column(wanted) is not None:
        return True
    role = _role(wanted)
    return role is not None and any(_role(c.name) == role for c in t.columns)


@rule("AUD001", "missing-audit-columns", "info", default=False)
def missing_audit_columns(ctx: Context) -> Iterator[Hit]:
    """A table lacks one of the audit columns (default `created_at`, `updated_at`).

    Rationale: When a row was created and last changed is the first question in every
    incident, data repair and incremental export; adding the columns later leaves old rows
    without values. The column names are configurable (`audit_columns`; set it to `[]` to
    turn the rule off); the common synonyms count as well: `inserted_at` (Ecto),
    `createdAt`/`updatedAt` (Sequelize, TypeORM, Prisma), `created_on`, `created`,
    `modified_at`, `last_update` and the like. Partitions are skipped (they have their
    parent's columns). A table whose every other column is a foreign key column (a link
    table) is not asked for `updated_at`: its rows are inserted and deleted, never changed.
    Off by default: whether a lookup table, a cache or a history table with its own
    timestamps needs them is a team's standard, not a fact of the schema; select it where
    every table must have them.

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
        missing = [c for c in wanted if not has_audit_column(t, c)]
        if updated in missing and _nothing_to_update(t, set(wanted)):
            missing.remove(updated)
        if missing:
            yield Hit(t.key, f"table {t.key} has no {', '.join(missing)}", t.origin)


def _nothing_to_update(t: Table, audit: set[str]) -> bool:
    """Every column but the audit ones is a foreign key column: a link table."""
    refs = {c for fk in t.foreign_keys.values() for c in fk.columns}
    return bool(refs) and all(
        c.name in refs or c.name in audit or _role(c.name) is not None for c in t.columns
    )


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
    # Where no trigger can change the row it fires for (SQLite), any UPDATE trigger counts: it
    # sets the column with an UPDATE of its own.
    any_trigger = not ctx.d.capabilities.before_triggers_set_row
    for t in ctx.base_tables:
        if t.column(col) is None:
            continue
        ok = False
        for tr in ctx.triggers_by_table.get(t.key, ()):
            if "UPDATE" not in tr.events or tr.columns:
                continue
            if any_trigger or (tr.level == "ROW" and tr.timing == "BEFORE"):
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
    (or NOT is_deleted). The suggested statements create the new index first and then drop
    the old key, so uniqueness is never unenforced. A soft-delete column is a flag when it is
    a boolean (or an integer that is NOT NULL or named `is_...`): its live rows are `NOT
    is_deleted` (`is_deleted IS NOT TRUE` when it may be NULL); any other column marks
    deletion by being set (`deleted_at IS NULL`). On MySQL they add a stored generated
    column, 1 while live and NULL once deleted, at the end of a new unique key. A key that a
    foreign key references cannot be replaced by a partial one: the hint says so.
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
                _live_key_fix(ctx, t, col, u.name, u.columns, u, None),
            )
        for i in ctx.indexes_by_table.get(t.key, ()):
            keys = {e.column for e in i.elements}
            if i.unique and i.where is None and not live & keys and not (pk and pk <= keys):
                cols = ", ".join(e.label for e in i.elements)
                yield Hit(
                    i.key,
                    f"unique index {i.name} ({cols}) on soft-deleted {t.key} counts deleted rows",
                    i.origin or t.origin,
                    _live_key_fix(ctx, t, col, i.name, tuple(e.label for e in i.elements), None, i),
                )


def _live_markers(t: Table, soft: str) -> set[str]:
    """Generated columns computed from the soft-delete column (``IF(deleted_at IS NULL, 1,
    NULL)``): in a unique key they make deleted rows NULL, so only live rows collide."""
    word = re.compile(rf"\b{re.escape(soft)}\b", re.I)
    return {c.name for c in t.columns if c.generated and word.search(c.generated.expr.text)}


def _is_flag(ctx: Context, c: Column) -> bool:
    """Whether a soft-delete column is a flag (true once deleted) rather than a moment (set
    once deleted): a boolean, or an integer that cannot be NULL or is named ``is_...``."""
    kind = ctx.kind(c.type)
    return kind == "bool" or (kind == "int" and (not c.nullable or c.name.startswith("is_")))


def _live_predicate(ctx: Context, c: Column) -> str:
    """The condition a live (not deleted) row meets: ``deleted_at IS NULL`` for a moment,
    ``NOT is_deleted`` for a flag (a NULL flag counts as live)."""
    col = ctx.ident(c.name)
    if not _is_flag(ctx, c):
        return f"{col} IS NULL"
    if ctx.kind(c.type) == "bool":
        return f"NOT {col}" if not c.nullable else f"{col} IS NOT TRUE"
    return f"{col} = 0" if not c.nullable else f"({col} IS NULL OR {col} = 0)"


def _referenced(ctx: Context, t: Table, columns: tuple[str, ...]) -> list[str]:
    """Foreign keys whose referenced columns are exactly ``columns`` of ``t``: they need a
    key without a predicate, so the key cannot be replaced by a partial one."""
    want = set(columns)
    return [
        f"{o.key}.{fk.name}"
        for o in ctx.tables
        for fk in o.foreign_keys.values()
        if fk.ref_table == t.key and set(ctx.schema.ref_columns(fk)) == want
    ]


def _live_key_fix(
    ctx: Context,
    t: Table,
    soft: str,
    name: str,
    labels: tuple[str, ...],
    u: Unique | None,
    i: Index | None,
) -> str:
    """The statements that replace a unique key counting deleted rows with one counting only
    live rows: first the new key (so uniqueness is never unenforced), then the old one
    dropped. PostgreSQL and SQLite: a partial unique index; MySQL, which has no partial
    indexes: a generated live marker column (1 while live, NULL once deleted) ending the key.
    """
    c = t.column(soft)
    assert c is not None
    refs = _referenced(ctx, t, u.columns if u is not None else tuple(labels))
    if refs:
        return (
            f"foreign key {', '.join(refs)} references {name}, and a key with a predicate "
            f"cannot be referenced: make the foreign key reference live rows another way "
            f"before replacing {name} with a unique index WHERE {_live_predicate(ctx, c)}"
        )
    table = ctx.table_name(t)
    partial = ctx.d.capabilities.partial_indexes
    if u is not None and partial:
        base = f"uq_{t.name}_{'_'.join(u.columns)}_live"
    else:
        base = f"{name}_live"
    new = ctx.new_name(base, ctx.index_names_near(t))
    if not partial:
        return _mysql_live_key(ctx, t, c, name, u, i, new)
    if u is not None and not ctx.d.capabilities.alter_constraints:
        return (
            f"{ctx.d.short_title} cannot drop the constraint {name} of {t.name}: rebuild the "
            f"table without it, then CREATE UNIQUE INDEX {ctx.ident(new)} ON {table} "
            f"({', '.join(ctx.ident(x) for x in u.columns)}) WHERE {_live_predicate(ctx, c)}"
        )
    where = Expr(_live_predicate(ctx, c), ctx.dialect)
    if u is not None:
        elements = tuple(IndexElement(column=x) for x in u.columns)
        ix = Index(
            name=new,
            schema=t.schema,
            table=t.name,
            elements=elements,
            include=u.include,
            unique=True,
            nulls_not_distinct=u.nulls_not_distinct,
            where=where,
        )
        drop = f"ALTER TABLE {table} DROP CONSTRAINT {ctx.ident(name)};"
    else:
        assert i is not None
        ix = replace(i, name=new, where=where)
        drop = f"DROP INDEX {ctx.ident(i.schema, i.name)};"
    return f"{ctx.create_index_sql(ix)} {drop}"


def _mysql_live_key(
    ctx: Context, t: Table, c: Column, name: str, u: Unique | None, i: Index | None, new: str
) -> str:
    """MySQL: a stored generated column, 1 for a live row and NULL for a deleted one, added
    at the end of a new unique key (NULLs never collide), and the old key dropped."""
    have = {x.name.lower() for x in t.columns}
    marker = "not_deleted"
    n = 2
    while marker in have:
        marker, n = f"not_deleted_{n}", n + 1
    live = _live_predicate(ctx, c)
    if i is not None:
        parts = ", ".join(
            ctx.ident(e.column or "")
            + (f"({e.length})" if e.length is not None else "")
            + (" DESC" if e.descending else "")
            for e in i.elements
        )
    else:
        assert u is not None
        parts = ", ".join(ctx.ident(x) for x in u.columns)
    m = ctx.ident(marker)
    return (
        f"ALTER TABLE {ctx.table_name(t)} ADD COLUMN {m} tinyint "
        f"AS (IF({live}, 1, NULL)) STORED, ADD UNIQUE KEY {ctx.ident(new)} ({parts}, {m}), "
        f"DROP INDEX {ctx.ident(name)};"
    )
