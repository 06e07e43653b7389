"""Documentation: comments on tables and columns (opt-in coverage rules)."""

from __future__ import annotations

from collections.abc import Iterator

from dbdesign.lint.context import Context
from dbdesign.lint.findings import Hit
from dbdesign.lint.registry import rule
from dbdesign.lint.rules.security import _comment_sql
from dbdesign.model import Table

# Dialects with comments on tables and columns (SQLite has none).
COMMENTED = ("postgres", "mysql")
# What a suggested comment says: the reader replaces it with the real description.
_TABLE_NOTE = "<what one row is, who writes it, how long it is kept>"
_COLUMN_NOTE = "<what the value means, its unit, where it comes from>"


def _table_comment_sql(ctx: Context, t: Table) -> str:
    return ctx.d.comment_sql(_TABLE_NOTE, t.schema, t.name) or ""


@rule("DOC001", "table-without-comment", "info", dialects=COMMENTED, default=False)
def table_without_comment(ctx: Context) -> Iterator[Hit]:
    """A table has no comment.

    Rationale: A comment stored in the schema (COMMENT ON TABLE, MySQL's table COMMENT)
    travels with it into every dump, catalog browser, ERD and data catalog, and says what a
    name cannot: what one row stands for, who writes it, how long rows are kept
    (SchemaCrawler "table without remarks"). Partitions are not flagged (the parent's
    comment describes them). Off by default: comment coverage is a documentation standard a
    team opts into, and most schemas keep no comments at all.

    Bad:
        CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamptz NOT NULL);

    Good:
        CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamptz NOT NULL);
        COMMENT ON TABLE orders IS 'One customer order; written by the checkout service.';

    Fix: Describe the table with COMMENT ON TABLE (MySQL: ALTER TABLE ... COMMENT = '...').
    """
    for t in ctx.base_tables:
        if not (t.comment or "").strip():
            yield Hit(t.key, f"table {t.key} has no comment", t.origin, _table_comment_sql(ctx, t))


@rule("DOC002", "column-without-comment", "info", dialects=COMMENTED, default=False)
def column_without_comment(ctx: Context) -> Iterator[Hit]:
    """A column has no comment.

    Rationale: Units, encodings, allowed values and where a value comes from rarely fit in a
    column's name (`amount`: which currency, cents or units? `status`: which values, set by
    whom?); a column comment keeps that with the schema, where dumps, catalog browsers and
    data catalogs show it. Columns of a table's primary key and foreign key columns are not
    flagged (the key or the referenced table says what they are), nor are partitions'
    columns. Off by default: column comment coverage is a documentation standard a team
    opts into.

    Bad:
        CREATE TABLE payments (id bigint PRIMARY KEY, amount bigint NOT NULL);

    Good:
        CREATE TABLE payments (id bigint PRIMARY KEY, amount bigint NOT NULL);
        COMMENT ON COLUMN payments.amount IS 'In cents of the payment''s currency.';

    Fix: Describe the column with COMMENT ON COLUMN (MySQL: restate the column with MODIFY
    ... COMMENT '...').
    """
    for t in ctx.base_tables:
        keys = set(t.primary_key.columns) if t.primary_key else set()
        keys |= {c for fk in t.foreign_keys.values() for c in fk.columns}
        for c in ctx.own_columns(t):
            if c.name in keys or (c.comment or "").strip():
                continue
            yield Hit(
                ctx.col_key(t, c),
                f"column {ctx.col_key(t, c)} has no comment",
                c.origin or t.origin,
                _comment_sql(ctx, t, c, _COLUMN_NOTE),
            )
