"""Indexes: duplicates, redundant prefixes, too many, low-selectivity and key duplicates."""

from __future__ import annotations

from collections.abc import Iterator

from dbdesign.lint.context import Context
from dbdesign.lint.findings import Hit
from dbdesign.lint.registry import rule
from dbdesign.model import Index, IndexElement


def _elem_key(e: IndexElement) -> tuple[object, ...]:
    expr = e.expr.text if e.expr is not None else None
    return (e.column, expr, e.opclass, e.collation, e.descending, e.nulls_first)


def _where(i: Index) -> str | None:
    return " ".join(i.where.text.split()) if i.where is not None else None


def _shape(i: Index) -> tuple[object, ...]:
    return (i.method, tuple(_elem_key(e) for e in i.elements), _where(i), tuple(i.include))


@rule("IDX001", "duplicate-index", "warning")
def duplicate_index(ctx: Context) -> Iterator[Hit]:
    """Two indexes on a table have the same method, keys, ordering, predicate and INCLUDE list.

    Rationale: The second index is pure cost: every write maintains both, both take space and
    cache, and the planner uses only one. Indexes that differ in opclass, collation, sort
    order, predicate or method are not duplicates and are not flagged. When one of the pair
    is unique, the non-unique one is reported.

    Bad:
        CREATE INDEX idx_orders_customer_id ON orders (customer_id);
        CREATE INDEX idx_orders_customer ON orders (customer_id);

    Good:
        CREATE INDEX idx_orders_customer_id ON orders (customer_id);
        CREATE INDEX idx_orders_customer_id_desc ON orders (customer_id DESC, placed_at);

    Fix: Drop one of the two (keep the unique one, or the one named by your convention).
    """
    for key, idxs in ctx.indexes_by_table.items():
        if len(idxs) < 2:
            continue
        seen: dict[tuple[object, ...], Index] = {}
        for i in sorted(idxs, key=lambda i: (not i.unique, i.name)):
            s = _shape(i)
            first = seen.get(s)
            if first is None:
                seen[s] = i
                continue
            yield Hit(
                i.key,
                f"index {i.name} on {key} duplicates {first.name}",
                i.origin,
                ctx.drop_index_sql(i),
            )


def _covering(ctx: Context, i: Index) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Btree key column lists on the same table that could replace ``i``: (name, columns)."""
    t = ctx.schema.tables.get(i.table_key)
    # Keys index every row: they cannot stand in for a partial index, which is smaller and
    # carries its predicate for the planner.
    if t is not None and i.where is None:
        if t.primary_key:
            yield t.primary_key.name, t.primary_key.columns
        for u in t.uniques.values():
            yield u.name, u.columns
    for o in ctx.indexes_by_table.get(i.table_key, ()):
        if o is i or o.method != "btree" or _where(o) != _where(i):
            continue
        if any(e.expr is not None for e in o.elements):
            continue
        if any(e.opclass or e.collation or e.descending for e in o.elements):
            continue
        yield o.name, tuple(e.column for e in o.elements if e.column is not None)


@rule("IDX002", "redundant-prefix-index", "warning")
def redundant_prefix_index(ctx: Context) -> Iterator[Hit]:
    """A non-unique btree index's columns are the leading columns of another index or key.

    Rationale: A btree index on (a, b) also serves every search on (a), so a separate index on
    (a) adds write cost and space for little gain (pg-index-health, PgHero "duplicate
    indexes"). Only plain column indexes with the same predicate count: a partial index is
    compared only with partial indexes of the same predicate, never with a key or a full
    index (its rows are fewer and its predicate serves queries a full index cannot); unique
    indexes (they enforce a rule), indexes with an opclass, collation or sort order,
    expression indexes and indexes of other methods are not flagged. Identical indexes are
    IDX001's.

    Bad:
        CREATE INDEX idx_orders_customer_id ON orders (customer_id);
        CREATE INDEX idx_orders_customer_id_placed_at ON orders (customer_id, placed_at);

    Good:
        CREATE INDEX idx_orders_customer_id_placed_at ON orders (customer_id, placed_at);
        CREATE INDEX idx_orders_placed_at ON orders (placed_at);

    Fix: Drop the shorter index after checking that no query needs its smaller size.
    """
    for i in ctx.schema.indexes.values():
        if i.unique or i.method != "btree" or i.include:
            continue
        if any(e.column is None or e.opclass or e.collation or e.descending for e in i.elements):
            continue
        cols = tuple(e.column for e in i.elements if e.column is not None)
        for name, other in _covering(ctx, i):
            if len(other) > len(cols) and other[: len(cols)] == cols:
                yield Hit(
                    i.key,
                    f"index {i.name} ({', '.join(cols)}) is a prefix of {name} "
                    f"({', '.join(other)})",
                    i.origin,
                    ctx.drop_index_sql(i),
                )
                break
            if len(other) == len(cols) and other == cols and name != i.name:
                # the same columns as a primary key or unique constraint
                t = ctx.schema.tables.get(i.table_key)
                keys = {t.primary_key.name} if t and t.primary_key else set()
                keys |= set(t.uniques) if t else set()
                if name in keys:
                    yield Hit(
                        i.key,
                        f"index {i.name} ({', '.join(cols)}) repeats the key {name}",
                        i.origin,
                        ctx.drop_index_sql(i),
                    )
                    break


@rule("IDX003", "too-many-indexes", "warning")
def too_many_indexes(ctx: Context) -> Iterator[Hit]:
    """A table has more indexes (including key and unique constraints) than the threshold.

    Rationale: Every index slows every INSERT and most UPDATEs (and stops HOT updates when an
    indexed column changes), takes space and memory, and lengthens vacuum. Past a handful,
    some are usually unused or redundant. The threshold is `max_indexes_per_table` (10).

    Bad:
        -- a table with eleven indexes

    Good:
        -- a table with the indexes its queries use, at most ten

    Fix: Check usage (pg_stat_user_indexes.idx_scan) and drop unused or redundant indexes.
    """
    limit = ctx.config.max_indexes_per_table
    for t in ctx.tables:
        n = len(ctx.indexes_by_table.get(t.key, ())) + len(t.uniques) + len(t.exclusions)
        n += 1 if t.primary_key else 0
        if n > limit:
            yield Hit(t.key, f"table {t.key} has {n} indexes (more than {limit})", t.origin)


@rule("IDX004", "boolean-index", "warning")
def boolean_index(ctx: Context) -> Iterator[Hit]:
    """An index has a single key column, of type boolean, and no predicate.

    Rationale: A boolean has two values, so the index selects half the table (or all of the
    rare value plus noise) and a sequential scan is usually cheaper; it still costs on every
    write. A partial index (`... WHERE NOT processed`) on another column does the job.
    Booleans inside multi-column indexes and partial indexes are not flagged.

    Bad:
        CREATE INDEX idx_jobs_processed ON jobs (processed);

    Good:
        CREATE INDEX idx_jobs_created_at_pending ON jobs (created_at) WHERE NOT processed;

    Fix: Replace it with a partial index on the column you search by, WHERE the rare value.
    """
    for i in ctx.schema.indexes.values():
        if len(i.elements) != 1 or i.where is not None or i.elements[0].column is None:
            continue
        t = ctx.schema.tables.get(i.table_key)
        c = t.column(i.elements[0].column) if t else None
        if c is not None and ctx.kind(c.type) == "bool":
            yield Hit(i.key, f"index {i.name} is on the boolean {c.name} alone", i.origin)


@rule("IDX005", "unique-index-duplicates-primary-key", "warning")
def unique_index_duplicates_pk(ctx: Context) -> Iterator[Hit]:
    """A unique index is on exactly the primary key's columns.

    Rationale: The primary key already has a unique index on these columns; a second one
    doubles write cost and space and enforces nothing new. Partial unique indexes and unique
    indexes on a superset or subset of the key are not flagged.

    Bad:
        CREATE TABLE users (id bigint PRIMARY KEY);
        CREATE UNIQUE INDEX idx_users_id ON users (id);

    Good:
        CREATE TABLE users (id bigint PRIMARY KEY);

    Fix: Drop the unique index.
    """
    for i in ctx.schema.indexes.values():
        if not i.unique or i.where is not None or any(e.column is None for e in i.elements):
            continue
        t = ctx.schema.tables.get(i.table_key)
        if t is None or t.primary_key is None:
            continue
        cols = [e.column for e in i.elements]
        if len(cols) == len(t.primary_key.columns) and set(cols) == set(t.primary_key.columns):
            yield Hit(
                i.key,
                f"unique index {i.name} duplicates the primary key {t.primary_key.name}",
                i.origin,
                ctx.drop_index_sql(i),
            )
