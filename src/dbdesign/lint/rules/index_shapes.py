"""Indexes whose shape does not fit their data: a btree over values searched by containment,
a predicate that every row meets (indexes.py holds IDX001-IDX005)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from dbdesign.lint import sqlexpr
from dbdesign.lint.context import Context
from dbdesign.lint.findings import Hit
from dbdesign.lint.registry import rule
from dbdesign.lint.rules.constraints import null_tests
from dbdesign.lint.rules.keys import _never_null
from dbdesign.model import IndexElement

# Types whose values are searched by what they contain (@>, ?, @@): GIN indexes them.
_CONTAINERS = {"jsonb", "tsvector", "hstore", "public.hstore"}


@rule("IDX006", "btree-on-container-column", "warning", dialects=("postgres",))
def btree_on_container_column(ctx: Context) -> Iterator[Hit]:
    """A (non-unique) btree index has an array, jsonb, tsvector or hstore column as a key.

    Rationale: A btree on such a column can only answer whole-value equality and ordering
    (`tags = '{a,b}'`), which queries almost never ask; the searches these types exist for
    (`tags @> '{a}'`, `doc ? 'key'`, `doc @> '{"k": 1}'`, `body @@ query`) cannot use it,
    while it still costs on every write and large values overflow the btree's row size
    limit (a third of a page). A GIN index serves them. Not flagged: unique btree indexes
    (they enforce whole-value uniqueness), expression indexes over a part of the value
    (`(doc->>'email')`, a scalar), and GIN, GiST, hash or BRIN indexes.

    Bad:
        CREATE TABLE posts (id bigint PRIMARY KEY, tags text[] NOT NULL);
        CREATE INDEX idx_posts_tags ON posts (tags);

    Good:
        CREATE TABLE posts (id bigint PRIMARY KEY, tags text[] NOT NULL);
        CREATE INDEX idx_posts_tags ON posts USING gin (tags);

    Fix: Replace the index with a GIN index on the column (a multi-column one needs the
    btree_gin extension for its scalar columns, or split it into two indexes); keep the
    btree only if queries compare whole values.
    """
    for i in ctx.schema.indexes.values():
        if i.method != "btree" or i.unique:
            continue
        t = ctx.schema.tables.get(i.table_key)
        if t is None:
            continue
        hits = []
        for e in i.elements:
            c = t.column(e.column) if e.column is not None else None
            if c is None:
                continue
            b = ctx.base_type(c.type)
            if b.array_dims or b.name in _CONTAINERS:
                hits.append(f"{c.name} ({ctx.type_label(c.type)})")
        if not hits:
            continue
        if len(i.elements) == 1 and not i.include:
            plain = IndexElement(column=i.elements[0].column)  # GIN takes no order or opclass
            gin = replace(i, method="gin", elements=(plain,))
            fix = f"DROP INDEX {ctx.ident(i.schema, i.name)}; {ctx.create_index_sql(gin)}"
        else:
            fix = (
                f"replace {i.name} with a GIN index on {', '.join(h.split()[0] for h in hits)} "
                "(the btree_gin extension lets GIN take its scalar columns too)"
            )
        yield Hit(
            i.key,
            f"btree index {i.name} on {i.table_key} has {', '.join(hits)} as a key: "
            "containment searches cannot use it",
            i.origin,
            fix,
        )


@rule("IDX007", "redundant-not-null-predicate", "info", dialects=("postgres", "sqlite"))
def redundant_not_null_predicate(ctx: Context) -> Iterator[Hit]:
    """A partial index's predicate says `col IS NOT NULL` of a column that is NOT NULL.

    Rationale: The test is true of every row, so it filters nothing; it only makes the index
    partial, and the planner can use a partial index only for queries it can prove imply
    the predicate (before PostgreSQL 17 it does not use NOT NULL constraints for that, so a
    query that orders by the column or tests it with IS NULL cannot use the index). Usually
    the column was made NOT NULL after the index was written. Not flagged: predicates on
    nullable columns, and other tests in the predicate (only the redundant ones are
    reported).

    Bad:
        CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL);
        CREATE INDEX idx_orders_customer_id ON orders (customer_id)
          WHERE customer_id IS NOT NULL;

    Good:
        CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL);
        CREATE INDEX idx_orders_customer_id ON orders (customer_id);

    Fix: Recreate the index without the redundant test (with no WHERE at all when nothing
    else remains).
    """
    for i in ctx.schema.indexes.values():
        t = ctx.schema.tables.get(i.table_key)
        if i.where is None or t is None:
            continue
        tests = null_tests(i.where.text)
        redundant = sorted(
            c for c, v in tests.items() if v == {"IS_NOT_NULL"} and _never_null(ctx, t, c)
        )
        if not redundant:
            continue
        only = sqlexpr.only_not_null(i.where.text)
        if only is not None and only <= set(redundant):
            full = replace(i, where=None)
            drop = ctx.drop_index_sql(i)
            fix = f"{drop} {ctx.create_index_sql(full)}"
        else:
            fix = (
                f"recreate {i.name} with its predicate without "
                f"{' and '.join(f'{c} IS NOT NULL' for c in redundant)}"
            )
        tested = ", ".join(f"{c} IS NOT NULL" for c in redundant)
        yield Hit(
            i.key,
            f"partial index {i.name} on {i.table_key} tests {tested}, but "
            f"{'that column is' if len(redundant) == 1 else 'those columns are'} NOT NULL: "
            "the test filters nothing",
            i.origin,
            fix,
        )
