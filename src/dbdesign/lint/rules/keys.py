"""Keys and integrity: primary keys, foreign keys and their indexes and types."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from dbdesign.lint import sqlexpr
from dbdesign.lint.context import Context
from dbdesign.lint.findings import Hit
from dbdesign.lint.registry import rule
from dbdesign.model import Column, DataType, Table


def leading_column_sets(ctx: Context, t: Table, not_null: bool = False) -> list[tuple[str, ...]]:
    """Column lists that an index (or a key's index) on ``t`` can search by, in key order.

    Only whole-table indexes count: a partial index does not serve every row. With
    ``not_null``, a partial index whose predicate only says that some of its leading columns
    are NOT NULL counts too (it holds every row a search for values of them can find).
    """
    out: list[tuple[str, ...]] = []
    if t.primary_key:
        out.append(t.primary_key.columns)
    out.extend(u.columns for u in t.uniques.values())
    for ex in t.exclusions.values():
        if ex.where is None:
            cols = []
            for xe in ex.elements:
                if xe.element.column is None:
                    break
                cols.append(xe.element.column)
            out.append(tuple(cols))
    for i in ctx.indexes_by_table.get(t.key, ()):
        if i.method not in ("btree", "hash", "gist", "gin", "brin"):
            continue
        cols = []
        for e in i.elements:
            if e.column is None:
                break
            cols.append(e.column)
        if i.where is not None:
            set_cols = sqlexpr.only_not_null(i.where.text) if not_null else None
            if set_cols is None or not set_cols <= set(cols):
                continue
        if i.method == "hash":
            cols = cols[:1]
        out.append(tuple(cols))
    return out


@rule("KEY001", "table-without-primary-key", "error")
def table_without_primary_key(ctx: Context) -> Iterator[Hit]:
    """A table has no primary key.

    Rationale: Without a primary key rows cannot be addressed one by one: updates and deletes
    by ORMs, logical replication (which needs a replica identity) and foreign keys pointing at
    the table all depend on one. A UNIQUE NOT NULL column is not the same: tools do not treat
    it as the row's identity. Partitions are exempt (the key is declared on the parent).

    Bad:
        CREATE TABLE events (kind text, payload jsonb);

    Good:
        CREATE TABLE events (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          kind text,
          payload jsonb
        );

    Fix: Add a primary key: a surrogate identity column, or the natural key if it is immutable.
    """
    for t in ctx.base_tables:
        if t.primary_key is None:
            yield Hit(t.key, f"table {t.key} has no primary key", t.origin)


@rule("KEY002", "foreign-key-without-index", "warning", dialects=("postgres", "sqlite"))
def foreign_key_without_index(ctx: Context) -> Iterator[Hit]:
    """A foreign key's columns are not the leading columns of any index.

    Rationale: Deleting or updating a parent row makes the database look for child rows; with no
    index that leads with the foreign key columns it scans the whole child table (here: 250 ms
    instead of 0.1 ms at 5 million child rows), and joins from parent to child scan too. A
    primary key, unique constraint or index whose first columns are the foreign key's columns
    (in any order) serves; a partial index serves only when its predicate just says that
    foreign key columns are set (`WHERE customer_id IS NOT NULL`: a row with a NULL key has
    no parent to look for). On MySQL InnoDB indexes every foreign key itself, so the rule
    does not apply there.

    Bad:
        CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers);

    Good:
        CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers);
        CREATE INDEX idx_orders_customer_id ON orders (customer_id);

    Fix: Create an index that leads with the foreign key columns (CONCURRENTLY on a live table).
    """
    for t in ctx.tables:
        if not t.foreign_keys:
            continue
        sets = leading_column_sets(ctx, t, not_null=True)
        for fk in t.foreign_keys.values():
            n = len(fk.columns)
            want = set(fk.columns)
            # a partial index WHERE fk IS NOT NULL serves: a row with a NULL key has no parent
            if any(len(s) >= n and set(s[:n]) == want for s in sets):
                continue
            cols = ", ".join(fk.columns)
            name = ctx.new_name(f"idx_{t.name}_{'_'.join(fk.columns)}", ctx.index_names_near(t))
            quoted = ", ".join(ctx.ident(c) for c in fk.columns)
            yield Hit(
                f"{t.key}.{fk.name}",
                f"foreign key {fk.name} ({cols}) on {t.key} has no index leading with {cols}",
                fk.origin or ctx.origin(t, fk.columns[0]),
                f"CREATE INDEX {ctx.ident(name)} ON {ctx.table_name(t)} ({quoted});",
            )


def _type_text(ctx: Context, t: Table, col: str) -> str | None:
    c = t.column(col)
    if c is None:
        return None
    b = ctx.base_type(c.type)
    return ctx.d.affinity(b.name) or f"{b.name}{'[]' * b.array_dims}"


def _shown(ctx: Context, t: DataType) -> str:
    """A key column's type in a message: its SQL spelling, without length modifiers (they
    are not compared); on SQLite its affinity, which is what is compared."""
    b = ctx.base_type(t)
    affinity = ctx.d.affinity(b.name)
    if affinity is not None:
        return f"{affinity} affinity"
    return ctx.type_label(replace(b, args=()))


# Integer types by width: a key column of one references a column of another without harm
# only when it is at least as wide.
_INT_WIDTH = {
    "smallint": 2, "integer": 4, "bigint": 8,  # PostgreSQL
    "tinyint": 1, "mediumint": 3, "int": 4,  # MySQL (smallint and bigint as above)
}  # fmt: skip


def _int_width(ctx: Context, t: DataType) -> int | None:
    b = ctx.base_type(t)
    if b.array_dims or ctx.d.affinity(b.name) is not None:
        return None
    return _INT_WIDTH.get(b.name)


def _needs_no_cast(ctx: Context, mine: DataType, theirs: DataType) -> bool:
    """Types that differ in name but compare without a cast (length modifiers aside)."""
    a, b = ctx.base_type(mine), ctx.base_type(theirs)
    return a.array_dims == b.array_dims and ctx.d.binary_coercible(a, b)


def widen_key_sql(ctx: Context, t: Table, c: Column, new: DataType) -> list[str] | str:
    """The statements that widen key column ``c`` of ``t`` to the integer type ``new``: the
    column, the sequence of a serial (an identity's follows its column), and every column
    that references it and is narrower; or why not (prose, see Context.retype_sql).
    Partitions and inherited columns follow their parent and are not altered themselves."""
    out = ctx.retype_sql(t, c, new)
    if isinstance(out, str):
        return out
    width = _INT_WIDTH[new.name]
    if c.identity is None:
        for s in ctx.schema.sequences.values():
            if s.owned_by == ctx.col_key(t, c) and _INT_WIDTH.get(s.type.name, 8) < width:
                out.append(f"ALTER SEQUENCE {ctx.ident(s.schema, s.name)} AS {new.name};")
    for o in ctx.base_tables:
        own = {x.name for x in ctx.own_columns(o)}
        for fk in o.foreign_keys.values():
            if fk.ref_table != t.key:
                continue
            for a, b in zip(fk.columns, ctx.schema.ref_columns(fk), strict=False):
                oc = o.column(a)
                if b != c.name or oc is None or a not in own or (o is t and a == c.name):
                    continue
                if (_int_width(ctx, oc.type) or 0) < width:
                    more = ctx.retype_sql(o, oc, new)
                    if isinstance(more, str):
                        return more
                    out += [m for m in more if m not in out]
    return out


def _join(sql: list[str] | str) -> str:
    return sql if isinstance(sql, str) else " ".join(sql)


@rule("KEY003", "foreign-key-type-mismatch", "warning")
def foreign_key_type_mismatch(ctx: Context) -> Iterator[Hit]:
    """A foreign key column's type differs from the type of the column it references.

    Rationale: Comparing different types needs a cast on every join and every referential
    check, can stop an index from being used, and lets the child hold values the parent can
    never have (an integer child column pointing at a bigint key overflows first). Length
    modifiers are not compared (varchar(10) and varchar(20) are the same type), nor are types
    that compare without a cast (varchar and text; on MySQL char, varchar and text); domains
    compare by their base type. On SQLite the storage class (affinity) is compared.
    Partitions are not checked (their keys are their parent's).

    Bad:
        CREATE TABLE customers (id bigint PRIMARY KEY);
        CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer REFERENCES customers);

    Good:
        CREATE TABLE customers (id bigint PRIMARY KEY);
        CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers);

    Fix: Change the referencing column to the referenced column's type; where the referencing
    integer column is the wider one, widen the referenced key (and its other referencing
    columns) instead: narrowing would fail on, or lose, large values.
    """
    for t in ctx.base_tables:
        for fk in t.foreign_keys.values():
            parent = ctx.schema.tables.get(fk.ref_table)
            if parent is None:
                continue
            for col, ref in zip(fk.columns, ctx.schema.ref_columns(fk), strict=False):
                mine, theirs = _type_text(ctx, t, col), _type_text(ctx, parent, ref)
                if mine is None or theirs is None or mine == theirs:
                    continue
                c, p = t.column(col), parent.column(ref)
                assert c is not None and p is not None
                if _needs_no_cast(ctx, c.type, p.type):
                    continue
                wide, narrow = _int_width(ctx, c.type), _int_width(ctx, p.type)
                if wide is not None and narrow is not None and wide > narrow:
                    # narrowing the child would fail on (or lose) large values: widen the key
                    new = replace(ctx.base_type(c.type), raw=None)
                    fix = widen_key_sql(ctx, parent, p, new)
                else:
                    new = replace(ctx.base_type(p.type), raw=None)
                    using = None
                    if wide is None or narrow is None:
                        using = f"{ctx.ident(col)}::{ctx.type_sql(new)}"
                    fix = ctx.retype_sql(t, c, new, using)
                yield Hit(
                    f"{t.key}.{col}",
                    f"{t.key}.{col} is {_shown(ctx, c.type)} but references "
                    f"{fk.ref_table}.{ref} ({_shown(ctx, p.type)})",
                    ctx.origin(t, col),
                    _join(fix),
                )


@rule("KEY004", "unique-constraint-duplicated-by-index", "warning")
def unique_duplicated_by_index(ctx: Context) -> Iterator[Hit]:
    """A unique index enforces exactly what a UNIQUE constraint on the same table already does.

    Rationale: A UNIQUE constraint is backed by its own index. A second unique index on the
    same columns (in any order, with no predicate) doubles the write cost and the space and
    enforces nothing new. A partial unique index (WHERE ...) is a different rule and is not
    flagged; nor is an index that only shares some columns.

    Bad:
        CREATE TABLE users (id bigint PRIMARY KEY, email text,
          CONSTRAINT uq_users_email UNIQUE (email));
        CREATE UNIQUE INDEX idx_users_email ON users (email);

    Good:
        CREATE TABLE users (id bigint PRIMARY KEY, email text,
          CONSTRAINT uq_users_email UNIQUE (email));

    Fix: Drop the extra unique index (or drop the constraint and keep one of them).
    """
    for t in ctx.tables:
        if not t.uniques:
            continue
        for i in ctx.indexes_by_table.get(t.key, ()):
            if not i.unique or i.where is not None or any(e.column is None for e in i.elements):
                continue
            cols = {e.column for e in i.elements}
            for u in t.uniques.values():
                if set(u.columns) == cols and len(u.columns) == len(i.elements):
                    yield Hit(
                        i.key,
                        f"unique index {i.name} duplicates unique constraint {u.name} "
                        f"({', '.join(u.columns)}) on {t.key}",
                        i.origin or t.origin,
                        ctx.drop_index_sql(i),
                    )
                    break


@rule("KEY005", "on-delete-default", "info")
def on_delete_default(ctx: Context) -> Iterator[Hit]:
    """A foreign key's ON DELETE is NO ACTION, the default: no delete policy is stated.

    Rationale: What happens to child rows when their parent is deleted is a design decision:
    block the delete (RESTRICT), delete the children (CASCADE) or detach them (SET NULL, SET
    DEFAULT). Leaving the clause out gives NO ACTION, which blocks the delete at the end of the
    statement and tells a reader nothing about whether anyone decided. The schema model, like
    the database catalog, cannot tell an omitted clause from a written `ON DELETE NO ACTION`
    (both are stored as NO ACTION, and both behave the same), so the rule flags NO ACTION
    itself: to say "block the delete", write `ON DELETE RESTRICT`, which behaves the same for
    a constraint that is not deferred and cannot be mistaken for an omission. Deferrable
    foreign keys are not flagged: only NO ACTION can be deferred to commit, so there it is a
    deliberate choice.

    Bad:
        CREATE TABLE orders (id bigint PRIMARY KEY,
          customer_id bigint NOT NULL REFERENCES customers);

    Good:
        CREATE TABLE orders (id bigint PRIMARY KEY,
          customer_id bigint NOT NULL REFERENCES customers ON DELETE RESTRICT);

    Fix: State the policy: ON DELETE RESTRICT, CASCADE, SET NULL or SET DEFAULT.
    """
    for t in ctx.tables:
        parent = ctx.schema.tables.get(t.partition_of) if t.partition_of else None
        cloned = {
            (fk.columns, fk.ref_table, fk.ref_columns)
            for fk in (parent.foreign_keys.values() if parent else ())
        }
        for fk in t.foreign_keys.values():
            if fk.on_delete != "NO ACTION" or fk.deferrable:
                continue
            if (fk.columns, fk.ref_table, fk.ref_columns) in cloned:
                continue  # the parent's foreign key, cloned onto a partition: reported there
            yield Hit(
                f"{t.key}.{fk.name}",
                f"foreign key {fk.name} ({', '.join(fk.columns)}) on {t.key} is ON DELETE "
                "NO ACTION, the default (written or not): no delete policy is stated",
                fk.origin or ctx.origin(t, fk.columns[0]),
            )


# The largest value of the integer types a primary key can outgrow.
_INT_MAX = {"smallint": 2**15 - 1, "integer": 2**31 - 1}


@rule("KEY006", "integer-key-overflow", "error", dialects=("postgres",))
def integer_key_overflow(ctx: Context) -> Iterator[Hit]:
    """A table expected to hold more rows than its integer primary key can count.

    Rationale: An `integer` (or `serial`) key stops at 2,147,483,647 and a `smallint` at
    32,767; past that every insert fails, and widening the column later rewrites the table
    and every foreign key that points at it, under an exclusive lock. The expected row count
    comes only from the configuration (`[tool.dbdesign.lint.volumes]`, `"schema.table" =
    rows`, or a bare table name for every schema); tables without a volume are never flagged,
    nor are keys of several columns, `bigint`, `uuid` or text keys. Sequences also skip values
    (rolled-back inserts, cache), so treat a volume near the limit as over it. SQLite's
    INTEGER PRIMARY KEY is 64-bit and not concerned.

    Bad:
        -- [tool.dbdesign.lint.volumes] "public.events" = 5_000_000_000
        CREATE TABLE events (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text);

    Good:
        -- [tool.dbdesign.lint.volumes] "public.events" = 5_000_000_000
        CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text);

    Fix: Make the key (and the columns that reference it, and a serial's sequence) bigint
    (integer where that is enough) before the table fills up.
    """
    if not ctx.config.volumes:
        return
    for t in ctx.base_tables:
        pk = t.primary_key
        if pk is None or len(pk.columns) != 1:
            continue
        rows = ctx.config.volume(t.schema, t.name)
        col = t.column(pk.columns[0])
        if rows is None or col is None:
            continue
        type_name = ctx.base_type(col.type).name
        limit = _INT_MAX.get(type_name)
        if limit is None or col.type.array_dims or rows <= limit:
            continue
        wider = "integer" if rows <= _INT_MAX["integer"] else "bigint"
        yield Hit(
            ctx.col_key(t, col),
            f"primary key {ctx.col_key(t, col)} is {type_name} (at most {limit:,}) but "
            f"{t.key} is expected to hold {rows:,} rows",
            ctx.origin(t, col.name),
            _join(widen_key_sql(ctx, t, col, DataType(name=wider))),
        )


def _never_null(ctx: Context, t: Table, name: str) -> bool:
    """Whether column ``name`` of ``t`` can never hold NULL: NOT NULL, or a NOT NULL domain."""
    c = t.column(name)
    if c is None or not c.nullable:
        return True
    pk = t.primary_key
    # SQLite lets composite (and non-INTEGER) primary key columns hold NULL; an INTEGER
    # PRIMARY KEY is the rowid and never NULL. Elsewhere a primary key implies NOT NULL.
    rowid = pk is not None and pk.columns == (name,) and c.type.name.upper() == "INTEGER"
    if (
        pk is not None
        and name in pk.columns
        and (not ctx.d.capabilities.nullable_primary_keys or rowid)
    ):
        return True
    seen = 0
    type_name = c.type.name
    while type_name in ctx.schema.domains and seen < 10:
        d = ctx.schema.domains[type_name]
        if not d.nullable:
            return True
        type_name, seen = d.type.name, seen + 1
    return False


def _link_table_columns(ctx: Context, t: Table) -> set[str]:
    """The two columns of a pure link (association) table, or nothing.

    A pure link table has exactly two foreign keys to other tables, each of one column, on two
    different columns, and either no other column at all, or only date/timestamp columns
    besides them while the pair is declared the row's identity (the primary key, or a UNIQUE
    constraint or index without WHERE and without NULLS NOT DISTINCT). A table with a
    surrogate key or any other column may be an entity with an optional parent: not a link.
    """
    fks = list(t.foreign_keys.values())
    if len(fks) != 2 or any(len(fk.columns) != 1 or fk.ref_table == t.key for fk in fks):
        return set()
    cols = {fks[0].columns[0], fks[1].columns[0]}
    if len(cols) != 2:
        return set()
    others = [c for c in ctx.own_columns(t) if c.name not in cols]
    if not others:
        return cols
    if any(ctx.kind(c.type) not in ("date", "timestamp", "timestamptz") for c in others):
        return set()
    keys = [u.columns for u in t.uniques.values() if not u.nulls_not_distinct]
    if t.primary_key is not None:
        keys.append(t.primary_key.columns)
    for i in ctx.indexes_by_table.get(t.key, ()):
        if i.unique and i.where is None and not i.nulls_not_distinct:
            keys.append(tuple(e.column or "" for e in i.elements))
    return cols if any(set(k) == cols and len(k) == 2 for k in keys) else set()


@rule("KEY007", "nullable-mandatory-foreign-key", "warning")
def nullable_mandatory_foreign_key(ctx: Context) -> Iterator[Hit]:
    """A foreign key column allows NULL although the table itself says the reference is
    required.

    Rationale: A nullable foreign key column means "this row may have no parent". Whether a
    relationship is optional is usually a business fact the schema cannot show, so the rule
    fires only when the table contradicts the NULL by its own structure, in one of two ways:
    (1) a CHECK constraint forces the column to be non-null (`col IS NOT NULL`, or `NOT (col IS
    NULL)`, alone or as a conjunct of a top-level AND); NOT NULL says the same more cheaply,
    and tools, ORMs and the planner see it; (2) the table is a pure link table: exactly two
    one-column foreign keys to other tables and no other columns, or only date/timestamp
    columns besides them while the pair is the primary key or a unique key; a row with a
    NULL side connects nothing (and a unique pair with a NULL enforces nothing). Not flagged:
    foreign keys with ON DELETE SET NULL or SET DEFAULT (NULL is planned for), checks that
    allow either of two parents (`a_id IS NOT NULL OR b_id IS NOT NULL`), tables with a
    surrogate key, a third foreign key or any other column (they may be entities with an
    optional parent), unique keys declared NULLS NOT DISTINCT, columns of a NOT NULL domain.
    On SQLite a PRIMARY KEY does not imply NOT NULL (except INTEGER PRIMARY KEY), so a link
    table keyed by its two nullable columns is flagged there.

    Bad:
        CREATE TABLE film_actor (film_id int REFERENCES film, actor_id int REFERENCES actor);

    Good:
        CREATE TABLE film_actor (
          film_id int NOT NULL REFERENCES film,
          actor_id int NOT NULL REFERENCES actor,
          PRIMARY KEY (film_id, actor_id)
        );

    Fix: Make the column NOT NULL (and drop the CHECK that said it, if it says nothing else).
    """
    for t in ctx.tables:
        if not t.foreign_keys or t.partition_of is not None:
            continue
        fk_cols = {
            c: fk
            for fk in t.foreign_keys.values()
            if fk.on_delete not in ("SET NULL", "SET DEFAULT")
            for c in fk.columns
        }
        nullable = {c for c in fk_cols if not _never_null(ctx, t, c)}
        if not nullable:
            continue
        why: dict[str, str] = {}
        for ck in t.checks.values():
            if "NULL" not in ck.expr.text.upper():
                continue
            text = as_double_quoted(ctx, ck.expr.text)
            for c in sqlexpr.required_columns(text) & nullable:
                why.setdefault(c, f"check {ck.name} requires it")
        for c in _link_table_columns(ctx, t) & nullable:
            why.setdefault(c, f"{t.key} is a link table between two parents")
        for c in sorted(why):
            yield Hit(
                ctx.col_key(t, c),
                f"foreign key column {ctx.col_key(t, c)} allows NULL but {why[c]}",
                ctx.origin(t, c),
                _not_null_sql(ctx, t, c),
            )


_MYSQL_QUOTED = re.compile(r"'(?:[^'\\]|\\.|'')*'|`((?:[^`]|``)*)`")


def as_double_quoted(ctx: Context, text: str) -> str:
    """An expression with its `quoted` names "quoted" (strings left alone) where the dialect
    quotes with backticks, so that the PostgreSQL expression parser reads its column names."""
    if ctx.d.identifier_quote != "`":
        return text

    def swap(m: re.Match[str]) -> str:
        name = m.group(1)
        if name is None:
            return m.group(0)
        return '"' + name.replace("``", "`").replace('"', '""') + '"'

    return _MYSQL_QUOTED.sub(swap, text)


def _not_null_sql(ctx: Context, t: Table, name: str) -> str:
    """The statement that makes a column NOT NULL (MySQL restates the whole column)."""
    if not ctx.d.capabilities.alter_column:
        return (
            f"{ctx.d.title} cannot add NOT NULL to a column in place: rebuild {t.name} with {name} "
            "declared NOT NULL (create the new table, copy the rows, drop the old one, rename "
            "the new one)"
        )
    if ctx.d.capabilities.modify_column:
        from dbdesign.emit.mysql import column_sql

        c = t.column(name)
        assert c is not None
        return (
            f"ALTER TABLE {ctx.table_name(t)} MODIFY {column_sql(t, replace(c, nullable=False))};"
        )
    return f"ALTER TABLE {ctx.table_name(t)} ALTER COLUMN {ctx.ident(name)} SET NOT NULL;"
