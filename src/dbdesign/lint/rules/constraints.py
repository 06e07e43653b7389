"""Keys and integrity, continued: what NULLs, widths, NOT VALID and repeated or missing foreign
keys let through (keys.py holds KEY001-KEY007)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from dbdesign.lint import sqlexpr
from dbdesign.lint.context import Context, words
from dbdesign.lint.findings import Hit
from dbdesign.lint.registry import rule
from dbdesign.lint.rules.keys import _join, _never_null, as_double_quoted, widen_key_sql
from dbdesign.model import Column, DataType, ForeignKey, Table


def _conjuncts(node: Any) -> Iterator[Any]:
    """The operands of a top-level AND, recursively (the node itself when it is no AND)."""
    b = node.get("BoolExpr") if isinstance(node, dict) else None
    if b is not None and b.get("boolop") == "AND_EXPR":
        for arg in b.get("args", ()):
            yield from _conjuncts(arg)
    elif node is not None:
        yield node


def _null_test(node: Any) -> tuple[str, str] | None:
    """``(column, "IS_NULL" | "IS_NOT_NULL")`` when ``node`` tests one column for NULL
    (``NOT (col IS NULL)`` is IS NOT NULL)."""
    b = node.get("BoolExpr") if isinstance(node, dict) else None
    negated = b is not None and b.get("boolop") == "NOT_EXPR" and len(b.get("args", ())) == 1
    if negated:
        assert b is not None
        node = b["args"][0]
    nt = node.get("NullTest") if isinstance(node, dict) else None
    fields = (nt or {}).get("arg", {}).get("ColumnRef", {}).get("fields", [])
    name = fields[-1].get("String", {}).get("sval") if fields else None
    test = (nt or {}).get("nulltesttype")
    if name is None or test not in ("IS_NULL", "IS_NOT_NULL"):
        return None
    if negated:
        test = "IS_NOT_NULL" if test == "IS_NULL" else "IS_NULL"
    return name, test


def null_tests(expr_sql: str) -> dict[str, set[str]]:
    """The ``col IS NULL`` / ``col IS NOT NULL`` tests among the top-level AND conjuncts of a
    predicate: column -> {"IS_NULL", "IS_NOT_NULL"}. Anything under OR, NOT of something
    else, CASE or a call is not a conjunct."""
    tree = sqlexpr.parse(f"SELECT {expr_sql}")
    targets = (f for kind, f in sqlexpr.nodes(tree) if kind == "ResTarget") if tree else iter(())
    out: dict[str, set[str]] = {}
    for node in _conjuncts(next(targets, {}).get("val")):
        found = _null_test(node)
        if found is not None:
            out.setdefault(found[0], set()).add(found[1])
    return out


def _checked_not_null(t: Table) -> set[str]:
    """Columns a CHECK constraint of ``t`` forces to be set (NOT NULL in all but name)."""
    out: set[str] = set()
    for ck in t.checks.values():
        if "NULL" in ck.expr.text.upper():
            out |= sqlexpr.required_columns(ck.expr.text)
    return out


def _unique_keys(ctx: Context, t: Table) -> Iterator[tuple[str, str, tuple[str, ...], set[str]]]:
    """The multi-column unique keys of ``t`` in which NULLs are distinct: (object, what,
    columns, columns the key's predicate requires to be set)."""
    for u in t.uniques.values():
        if len(u.columns) > 1 and not u.nulls_not_distinct:
            yield f"{t.key}.{u.name}", f"unique constraint {u.name}", u.columns, set()
    for i in ctx.indexes_by_table.get(t.key, ()):
        if not i.unique or i.nulls_not_distinct or len(i.elements) < 2:
            continue
        cols = tuple(e.column for e in i.elements if e.column is not None)
        where = i.where.text if i.where is not None else ""
        required = (
            {c for c, v in null_tests(where).items() if "IS_NOT_NULL" in v} if where else set()
        )
        yield i.key, f"unique index {i.name}", cols, required
    pk = t.primary_key
    if ctx.d.capabilities.nullable_primary_keys and pk is not None:
        # SQLite lets a primary key column hold NULL unless it is the rowid (INTEGER PRIMARY
        # KEY, which _never_null knows) or the table is WITHOUT ROWID or STRICT (the reader
        # makes those columns NOT NULL).
        yield f"{t.key}.{pk.name}", f"primary key {pk.name}", pk.columns, set()


def _null_case_covered(ctx: Context, t: Table, col: str, cols: tuple[str, ...]) -> bool:
    """Whether a partial unique index ``... WHERE col IS NULL`` on some of the key's other
    columns enforces uniqueness for the rows in which ``col`` is NULL."""
    rest = set(cols) - {col}
    for i in ctx.indexes_by_table.get(t.key, ()):
        if not i.unique or i.where is None:
            continue
        keys = {e.column for e in i.elements}
        if None not in keys and keys <= rest and "IS_NULL" in null_tests(i.where.text).get(col, ()):
            return True
    return False


@rule("KEY008", "nullable-column-in-unique-key", "warning")
def nullable_column_in_unique_key(ctx: Context) -> Iterator[Hit]:
    """A unique key of several columns has a column that allows NULL, so rows with a NULL
    there are never duplicates of each other.

    Rationale: A unique constraint or index treats NULLs as distinct: with `UNIQUE (parent_id,
    name)` and `parent_id` nullable, any number of rows `(NULL, 'docs')` pass, which is rarely
    what a key over a name meant (two root folders called "docs"). Not flagged: one-column keys
    (many rows without a value is the usual meaning of an optional unique column), keys
    declared `NULLS NOT DISTINCT` (PostgreSQL 15+), partial unique indexes whose predicate
    requires the column to be set (`WHERE parent_id IS NOT NULL`), keys whose NULL case a
    partial unique index handles (`UNIQUE (name) WHERE parent_id IS NULL`), columns a CHECK
    requires to be set, generated columns (a marker that is NULL on purpose), keys with a
    soft-delete column (AUD003's), and keys whose columns all allow NULL (an optional
    identity as a whole, like `(auth_provider, auth_uid)` of users who sign in with a
    password). On SQLite a primary key column without NOT NULL can hold
    NULL as well (except INTEGER PRIMARY KEY and WITHOUT ROWID tables), and is flagged even
    alone.

    Bad:
        CREATE TABLE folders (id bigint PRIMARY KEY, parent_id bigint REFERENCES folders,
          name text NOT NULL, UNIQUE (parent_id, name));

    Good:
        CREATE TABLE folders (id bigint PRIMARY KEY, parent_id bigint REFERENCES folders,
          name text NOT NULL, UNIQUE NULLS NOT DISTINCT (parent_id, name));

    Fix: Make the column NOT NULL when every row has a value; otherwise declare the key NULLS
    NOT DISTINCT (PostgreSQL 15+), or add a unique index on the other columns WHERE the column
    IS NULL (PostgreSQL, SQLite), or on MySQL key a generated column that replaces NULL with
    a value no row uses.
    """
    soft = set(ctx.config.soft_delete_columns)
    for t in ctx.base_tables:
        checked = _checked_not_null(t)
        for obj, what, cols, required in _unique_keys(ctx, t):
            pk = what.startswith("primary key")
            if not pk and (len(cols) < 2 or soft & set(cols)):
                continue
            nullable = []
            for name in cols:
                c = t.column(name)
                if c is None or c.generated is not None or name in required | checked:
                    continue
                if _never_null(ctx, t, name):
                    continue
                if not _null_case_covered(ctx, t, name, cols):
                    nullable.append(name)
            if not nullable or (not pk and len(nullable) == len(cols)):
                continue  # a key of only nullable columns: an optional identity as a whole
            which = ", ".join(nullable)
            yield Hit(
                obj,
                f"{what} ({', '.join(cols)}) on {t.key} allows NULL in {which}: rows with "
                f"NULL there never collide, so they can repeat",
                ctx.origin(t, nullable[0]),
                _unique_fix(ctx, t, cols, nullable),
            )


def _unique_fix(ctx: Context, t: Table, cols: tuple[str, ...], nullable: list[str]) -> str:
    which = ", ".join(nullable)
    others = ", ".join(c for c in cols if c not in nullable) or "the other columns"
    if not ctx.d.capabilities.partial_indexes:
        return (
            f"make {which} NOT NULL if every row has a value; otherwise key a generated "
            f"column that replaces NULL with a value no row uses (COALESCE({nullable[0]}, 0))"
        )
    if not ctx.d.capabilities.nulls_not_distinct:
        return (
            f"declare {which} NOT NULL (rebuild {t.name}) if every row has a value; "
            f"otherwise add a unique index on ({others}) WHERE {nullable[0]} IS NULL"
        )
    return (
        f"make {which} NOT NULL if every row has a value; otherwise declare the key NULLS "
        f"NOT DISTINCT (PostgreSQL 15+) or add a unique index on ({others}) WHERE "
        f"{nullable[0]} IS NULL"
    )


# --------------------------------------------------------------------------- KEY009

# The four-byte integer types, by dialect spelling (MySQL keeps UNSIGNED in the name).
_INT4 = {"integer", "int", "int unsigned"}
_WIDER = {"integer": "bigint", "int": "bigint", "int unsigned": "bigint unsigned"}
_AUDIT_KINDS = ("timestamp", "timestamptz", "date")


def _lookup_table(ctx: Context, t: Table, key: str) -> bool:
    """Whether ``t`` is a small code or lookup table: no foreign keys of its own and, besides
    the key, at most two columns that are text or booleans (a name, a label, a code, a flag),
    plus date or timestamp bookkeeping."""
    if t.foreign_keys:
        return False
    others = [c for c in ctx.own_columns(t) if c.name != key]
    kept = [c for c in others if ctx.kind(c.type) not in _AUDIT_KINDS]
    return len(kept) <= 2 and all(ctx.kind(c.type) in ("text", "bool") for c in kept)


def _counters(ctx: Context, t: Table) -> Iterator[Column]:
    """The columns of ``t`` that number its rows: identity (MySQL AUTO_INCREMENT) and serial
    columns (a default from a sequence: nextval), unless they also reference another
    table (a one-to-one key follows its parent's type)."""
    owned = {s.owned_by for s in ctx.schema.sequences.values() if s.owned_by}
    in_fk = {c for fk in t.foreign_keys.values() for c in fk.columns}
    for c in ctx.own_columns(t):
        serial = c.default is not None and (
            ctx.col_key(t, c) in owned or "nextval(" in c.default.text.lower()
        )
        if (c.identity is not None or serial) and c.name not in in_fk:
            yield c


@rule("KEY009", "integer-key-not-bigint", "info", dialects=("postgres", "mysql"), default=False)
def integer_key_not_bigint(ctx: Context) -> Iterator[Hit]:
    """A primary key or identity column that counts rows is a four-byte integer (`integer`,
    `serial`, MySQL `INT`).

    Rationale: A four-byte key stops at 2,147,483,647 (4,294,967,295 unsigned); sequences
    skip values (rolled-back inserts, cached values), so busy tables get there sooner than
    their row count says, and then every insert fails. Widening later rewrites the table and
    every referencing column under an exclusive lock, while `bigint` costs 4 bytes a row
    more today. Not flagged: tables with an expected row count in the configuration (KEY006
    judges those), `smallint`/`tinyint`/`mediumint` keys (a width chosen on purpose), keys
    of several columns, and small lookup tables (no foreign keys of their own and at most
    two text or boolean columns besides the key and date/timestamp bookkeeping, like
    `language (language_id, name, last_update)`). SQLite's INTEGER PRIMARY KEY is 64-bit
    already. Off by default: whether a table can ever outgrow four bytes is a fact about its
    data the schema does not show (a `store` or `staff` table never will), so this is a
    convention a team opts into (bigint for every counted key); KEY006 judges keys against
    configured row counts.

    Bad:
        CREATE TABLE orders (id serial PRIMARY KEY, customer_id bigint, placed_at timestamptz);

    Good:
        CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          customer_id bigint, placed_at timestamptz);

    Fix: Make the key bigint (with the columns that reference it and a serial's sequence)
    while the table is small.
    """
    for t in ctx.base_tables:
        if ctx.config.volume(t.schema, t.name) is not None:
            continue  # KEY006 judges keys against the expected row count
        for c in _counters(ctx, t):
            b = ctx.base_type(c.type)
            if b.array_dims or b.name not in _INT4 or _lookup_table(ctx, t, c.name):
                continue
            what = "primary key" if t.primary_key and c.name in t.primary_key.columns else "column"
            if c.identity is not None and ctx.d.capabilities.auto_increment:
                what = f"AUTO_INCREMENT {what}"
            elif c.identity is not None:
                what = f"identity {what}"
            yield Hit(
                ctx.col_key(t, c),
                f"{what} {ctx.col_key(t, c)} is {ctx.type_label(c.type)}: it stops at "
                f"{2**32 - 1 if 'unsigned' in b.name else 2**31 - 1:,}; bigint costs 4 bytes "
                "a row more and never runs out",
                ctx.origin(t, c.name),
                _widen(ctx, t, c, DataType(name=_WIDER[b.name])),
            )


def _widen(ctx: Context, t: Table, c: Column, new: DataType) -> str:
    """The statements that make ``c`` (and what references it) ``new``, or why not."""
    if not ctx.d.capabilities.modify_column:
        return _join(widen_key_sql(ctx, t, c, new))
    refs = [
        f"{o.name}.{a}"
        for o in ctx.base_tables
        for fk in o.foreign_keys.values()
        if fk.ref_table == t.key
        for a, b in zip(fk.columns, ctx.schema.ref_columns(fk), strict=False)
        if b == c.name
    ]
    if refs:
        return (
            f"MySQL refuses to change {t.name}.{c.name} while foreign keys use it: drop them, "
            f"MODIFY {c.name} and the referencing columns ({', '.join(refs)}) to "
            f"{ctx.type_sql(new)} (restating NULL, DEFAULT, AUTO_INCREMENT and COMMENT), and "
            "add the keys back"
        )
    return _join(ctx.retype_sql(t, c, new))


# --------------------------------------------------------------------------- KEY010


@rule("KEY010", "constraint-not-validated", "warning", dialects=("postgres",))
def constraint_not_validated(ctx: Context) -> Iterator[Hit]:
    """A CHECK or FOREIGN KEY constraint was added NOT VALID and never validated.

    Rationale: `NOT VALID` adds a constraint without checking the rows already there (a short
    lock instead of a long scan); new and updated rows are checked, old ones may still break
    it. Until `VALIDATE CONSTRAINT` runs, the planner cannot use a CHECK to skip partitions or
    prove a join, and nobody can rely on the existing rows obeying it. Left in a schema it is
    usually a migration whose second step was forgotten. Domain constraints count too.

    Bad:
        CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL);
        ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;

    Good:
        CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL);
        ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
        ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;

    Fix: Fix or delete the rows that break it, then ALTER TABLE ... VALIDATE CONSTRAINT (it
    takes only a SHARE UPDATE EXCLUSIVE lock: reads and writes go on).
    """
    for t in ctx.tables:
        parent = ctx.schema.tables.get(t.partition_of) if t.partition_of else None
        cons: list[tuple[str, str, Any]] = [("check", n, c) for n, c in t.checks.items()]
        cons += [("foreign key", n, fk) for n, fk in t.foreign_keys.items()]
        inherited = set(parent.checks) | set(parent.foreign_keys) if parent else set()
        for kind, name, con in cons:
            if con.validated or name in inherited:  # a partition's copy: reported on the parent
                continue
            yield Hit(
                f"{t.key}.{name}",
                f"{kind} {name} on {t.key} is NOT VALID: rows added before it may break it",
                con.origin or t.origin,
                f"ALTER TABLE {ctx.table_name(t)} VALIDATE CONSTRAINT {ctx.ident(name)};",
            )
    for d in ctx.schema.domains.values():
        for name, ck in d.checks.items():
            if not ck.validated:
                yield Hit(
                    f"{d.key}.{name}",
                    f"check {name} on domain {d.key} is NOT VALID: values stored before it "
                    "may break it",
                    ck.origin or d.origin,
                    f"ALTER DOMAIN {ctx.ident(d.schema, d.name)} VALIDATE CONSTRAINT "
                    f"{ctx.ident(name)};",
                )


# --------------------------------------------------------------------------- KEY011


def _pairs(ctx: Context, fk: ForeignKey) -> frozenset[tuple[str, str]]:
    return frozenset(zip(fk.columns, ctx.schema.ref_columns(fk), strict=False))


def _shown_fk(fk: ForeignKey) -> str:
    return f"{fk.name} ({', '.join(fk.columns)}) -> {fk.ref_table} ({', '.join(fk.ref_columns)})"


def _drop_fk(ctx: Context, t: Table, fk: ForeignKey) -> str:
    sql = ctx.d.drop_constraint_sql("foreign_key", t.schema, t.name, fk.name)
    if sql is None:
        return f"{ctx.d.short_title} cannot drop a constraint: rebuild {t.name} without {fk.name}"
    return sql


@rule("KEY011", "duplicate-foreign-key", "warning")
def duplicate_foreign_key(ctx: Context) -> Iterator[Hit]:
    """Two foreign keys of a table check the same thing: the same columns referencing the same
    columns, or one's column pairs a part of another's that is always checked.

    Rationale: Every foreign key is checked on every insert and update of the table and on
    every delete and key update of the parent; a second one over the same columns doubles
    that work and enforces nothing new (pg-index-health "duplicated foreign keys"), and when
    the two say different ON DELETE actions, which one wins is a surprise. A key over `(a)`
    is implied by one over `(a, b)` to the same table when `b` can never be NULL (or the
    wider key is MATCH FULL): a parent row matching `(a, b)` matches `(a)`. Not flagged: a
    narrower key whose wider partner can skip its check (a nullable extra column under MATCH
    SIMPLE: the narrow key still checks those rows), keys to different tables or different
    columns, and partitions (their keys are the parent's clones).

    Bad:
        CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint,
          CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id),
          CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id));

    Good:
        CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint,
          CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id));

    Fix: Drop the extra foreign key (keep the one whose ON DELETE and ON UPDATE you mean).
    """
    for t in ctx.base_tables:
        fks = list(t.foreign_keys.values())
        for n, fk in enumerate(fks):
            mine = _pairs(ctx, fk)
            for other in fks:
                if other is fk or other.ref_table != fk.ref_table:
                    continue
                theirs = _pairs(ctx, other)
                if mine == theirs and fks.index(other) < n:
                    same = (fk.on_delete, fk.on_update) == (other.on_delete, other.on_update)
                    differ = "" if same else (
                        f" but says ON DELETE {fk.on_delete} ON UPDATE {fk.on_update} where "
                        f"{other.name} says ON DELETE {other.on_delete} ON UPDATE "
                        f"{other.on_update}"
                    )  # fmt: skip
                    fix = _drop_fk(ctx, t, fk) if same else (
                        f"keep the one whose actions you mean and drop the other "
                        f"({fk.name} or {other.name})"
                    )  # fmt: skip
                    yield Hit(
                        f"{t.key}.{fk.name}",
                        f"foreign key {_shown_fk(fk)} on {t.key} repeats {other.name}{differ}",
                        fk.origin or ctx.origin(t, fk.columns[0]),
                        fix,
                    )
                    break
                extra = [a for a, _ in theirs - mine]
                always = other.match == "FULL" or all(_never_null(ctx, t, a) for a in extra)
                if mine < theirs and always:
                    yield Hit(
                        f"{t.key}.{fk.name}",
                        f"foreign key {_shown_fk(fk)} on {t.key} is implied by "
                        f"{_shown_fk(other)}: every row it checks, {other.name} checks too",
                        fk.origin or ctx.origin(t, fk.columns[0]),
                        f"drop {fk.name}: {other.name} enforces it already",
                    )
                    break


# --------------------------------------------------------------------------- KEY012


@rule("KEY012", "partly-null-foreign-key", "warning")
def partly_null_foreign_key(ctx: Context) -> Iterator[Hit]:
    """A foreign key of several columns has two or more nullable columns and is MATCH SIMPLE,
    so a row with only some of them NULL is not checked at all.

    Rationale: Under MATCH SIMPLE (the default, and the only kind MySQL and SQLite enforce) a
    foreign key is skipped for any row in which one of its columns is NULL: with `(country,
    region)` both nullable, the row `('XX', NULL)` passes though no parent has country `XX`.
    MATCH FULL (PostgreSQL) or a CHECK that the nullable columns are NULL together closes
    the gap. Not flagged: one-column keys, keys with a single nullable column beside NOT NULL
    ones (the usual optional reference inside a tenant: `(tenant_id, parent_id)` with
    `parent_id` NULL for a root row), MATCH FULL keys, and keys whose nullable columns a
    CHECK already ties together (a check naming them all and testing for NULL).

    Bad:
        CREATE TABLE shops (id bigint PRIMARY KEY, country text, region text,
          FOREIGN KEY (country, region) REFERENCES regions (country, code));

    Good:
        CREATE TABLE shops (id bigint PRIMARY KEY, country text, region text,
          FOREIGN KEY (country, region) REFERENCES regions (country, code) MATCH FULL);

    Fix: Make the columns NOT NULL if every row has a parent; otherwise declare the key MATCH
    FULL (PostgreSQL), or add a CHECK that the nullable columns are all NULL or all set. The
    suggested CHECK is added NOT VALID, so rows that break it do not stop the change: fix
    them, then VALIDATE CONSTRAINT.
    """
    for t in ctx.base_tables:
        for fk in t.foreign_keys.values():
            if len(fk.columns) < 2 or fk.match == "FULL":
                continue
            nullable = [c for c in fk.columns if not _never_null(ctx, t, c)]
            if len(nullable) < 2 or _tied(ctx, t, nullable):
                continue
            yield Hit(
                f"{t.key}.{fk.name}",
                f"foreign key {fk.name} ({', '.join(fk.columns)}) on {t.key} is MATCH SIMPLE "
                f"with {', '.join(nullable)} nullable: a row with only some of them NULL is "
                "not checked",
                fk.origin or ctx.origin(t, fk.columns[0]),
                _together_fix(ctx, t, fk, nullable),
            )


def _tied(ctx: Context, t: Table, cols: list[str]) -> bool:
    """Whether a CHECK of ``t`` names every one of ``cols`` and tests for NULL (num_nulls,
    ``(a IS NULL) = (b IS NULL)`` ...): taken to tie them together."""
    for ck in t.checks.values():
        text = as_double_quoted(ctx, ck.expr.text)
        tree = sqlexpr.parse(f"SELECT {text}")
        names = {
            f["fields"][-1].get("String", {}).get("sval")
            for kind, f in sqlexpr.nodes(tree)
            if kind == "ColumnRef" and f.get("fields")
        }
        if set(cols) <= names and ("null" in text.lower() or "coalesce" in text.lower()):
            return True
    return False


def _together_fix(ctx: Context, t: Table, fk: ForeignKey, cols: list[str]) -> str:
    q = [ctx.ident(c) for c in cols]
    cond = (
        f"({' AND '.join(f'{c} IS NULL' for c in q)}) OR "
        f"({' AND '.join(f'{c} IS NOT NULL' for c in q)})"
    )
    if not ctx.d.capabilities.not_valid:  # the rows must be fixed before the check is added
        how = "add" if ctx.d.capabilities.alter_constraints else "rebuild the table with"
        return f"{how} CHECK ({cond}), after fixing the rows that have only some of them set"
    taken = set(t.checks) | set(t.uniques) | set(t.foreign_keys) | set(t.exclusions)
    name = ctx.new_name(f"{fk.name}_null_together", taken)
    return (
        f"ALTER TABLE {ctx.table_name(t)} ADD CONSTRAINT {ctx.ident(name)} CHECK ({cond}) "
        "NOT VALID;"
    )


# --------------------------------------------------------------------------- KEY013


def _targets(ctx: Context) -> dict[str, list[Table]]:
    """Tables by the words of their name joined with ``_`` (``OrderLines`` -> order_lines)."""
    out: dict[str, list[Table]] = {}
    for t in ctx.base_tables:
        out.setdefault("_".join(words(t.name)), []).append(t)
    return out


def _referenced_key(t: Table) -> str | None:
    """The column a reference to ``t`` would point at: its one-column primary key."""
    pk = t.primary_key
    return pk.columns[0] if pk is not None and len(pk.columns) == 1 else None


@rule("KEY013", "missing-foreign-key", "warning")
def missing_foreign_key(ctx: Context) -> Iterator[Hit]:
    """A column named `<thing>_id` (or `thingId`) has no foreign key, though a table `thing`
    or `things` exists with a one-column primary key of the same kind of type.

    Rationale: Without the constraint nothing stops a row from pointing at a parent that
    never existed or was deleted, and tools (ORMs, ERD and documentation generators, query
    builders) cannot see the relationship (pg-index-health "columns without foreign key",
    schemalint). The rule matches whole words: `customer_id` and `CustomerId` point at
    `customer` or `customers` (the Rails inflector's plural), `order_line_id` at
    `order_lines`. Not flagged: columns already in a foreign key (on a partitioned table: on
    every partition), a table's own key, columns with a `<thing>_type` sibling (a polymorphic
    reference), names matching no table or several tables in different schemas (outside the
    column's), types of another kind than the key's (text pointing at an integer key), and
    links the schema leaves without constraints on purpose: in a schema with fewer foreign
    keys than such columns (or none at all), and to a table that more than one such column
    points at while fewer foreign keys do (Synapse's `room_id` columns). Partitions are not
    checked (their keys are the parent's).

    Bad:
        CREATE TABLE customers (id bigint PRIMARY KEY);
        CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL);
        CREATE TABLE order_lines (order_id bigint NOT NULL REFERENCES orders, sku text);

    Good:
        CREATE TABLE customers (id bigint PRIMARY KEY);
        CREATE TABLE orders (id bigint PRIMARY KEY,
          customer_id bigint NOT NULL REFERENCES customers);
        CREATE TABLE order_lines (order_id bigint NOT NULL REFERENCES orders, sku text);

    Fix: Add the foreign key after deleting or fixing the rows that point nowhere (on
    PostgreSQL add it NOT VALID, then VALIDATE CONSTRAINT once they are fixed); if the column
    deliberately holds ids of rows that may be gone (an archive, a log), say so in a comment
    and silence the finding.
    """
    import inflection

    targets = _targets(ctx)
    declared = _declared_references(ctx)
    found: list[tuple[Table, Column, Table, Column]] = []
    for t in ctx.base_tables:
        in_fk = declared.get(t.key, set())
        names = {"_".join(words(c.name)) for c in t.columns}
        for c in ctx.own_columns(t):
            ws = words(c.name)
            if len(ws) < 2 or ws[-1] != "id" or c.name in in_fk:
                continue
            base = "_".join(ws[:-1])
            if f"{base}_type" in names:
                continue  # polymorphic: the sibling says which table
            cands = targets.get(base, []) + targets.get(inflection.pluralize(base), [])
            cands = [p for p in cands if p.schema == t.schema] or cands
            if len(cands) != 1 or cands[0] is t:
                continue
            parent = cands[0]
            key = _referenced_key(parent)
            pc = parent.column(key) if key else None
            if pc is None or ctx.kind(pc.type) != ctx.kind(c.type) or ctx.kind(c.type) == "other":
                continue
            found.append((t, c, parent, pc))
    # A schema that links tables without constraints more often than with them does so on
    # purpose, and so does one that links a table so more than once and more often than not.
    undeclared: dict[str, int] = {}
    for _, _, parent, _ in found:
        undeclared[parent.key] = undeclared.get(parent.key, 0) + 1
    references = _reference_counts(ctx)
    if sum(references.values()) < len(found):
        return
    for t, c, parent, pc in found:
        n = undeclared[parent.key]
        if n > 1 and references.get(parent.key, 0) < n:
            continue
        parts = [p for p in ctx.tables if p.partition_of == t.key]
        have = [p for p in parts if c.name in declared.get(p.key, ())]
        some = f" ({len(have)} of its {len(parts)} partitions declare one)" if have else ""
        yield Hit(
            ctx.col_key(t, c),
            f"{ctx.col_key(t, c)} looks like a reference to {parent.key} ({pc.name}) but has "
            f"no foreign key{some}",
            ctx.origin(t, c.name),
            _add_fk(ctx, t, c, parent, pc),
        )


def _declared_references(ctx: Context) -> dict[str, set[str]]:
    """Columns in a foreign key, by table; a partitioned table's columns count when every one
    of its partitions has a foreign key over them (declared on the partitions only)."""
    out: dict[str, set[str]] = {}
    parts: dict[str, list[Table]] = {}
    for t in ctx.tables:
        out[t.key] = {c for fk in t.foreign_keys.values() for c in fk.columns}
        if t.partition_of is not None:
            parts.setdefault(t.partition_of, []).append(t)
    for parent, children in parts.items():
        common = set.intersection(*(out[ch.key] for ch in children))
        out.setdefault(parent, set()).update(common)
    return out


def _reference_counts(ctx: Context) -> dict[str, int]:
    """How many foreign keys reference each table (a partition's count as its parent's)."""
    seen: set[tuple[str, tuple[str, ...], str]] = set()
    for t in ctx.tables:
        owner = t.partition_of or t.key
        for fk in t.foreign_keys.values():
            seen.add((owner, fk.columns, fk.ref_table))
    out: dict[str, int] = {}
    for _, _, ref in seen:
        out[ref] = out.get(ref, 0) + 1
    return out


def _same_type(ctx: Context, a: Column, b: Column) -> bool:
    """Whether two columns' types are written alike (their spellings in the DDL aside)."""
    return ctx.type_sql(replace(a.type, raw=None)) == ctx.type_sql(replace(b.type, raw=None))


def _add_fk(ctx: Context, t: Table, c: Column, parent: Table, pc: Column) -> str:
    taken = set(t.checks) | set(t.uniques) | set(t.foreign_keys) | set(t.exclusions)
    name = ctx.new_name(f"{t.name}_{c.name}_fkey", taken)
    ref = f"{ctx.table_name(parent)} ({ctx.ident(pc.name)})"
    caps, server = ctx.d.capabilities, ctx.d.short_title
    if not caps.alter_constraints:
        return (
            f"{server} cannot add a foreign key to a table: rebuild {t.name} with {c.name} "
            f"REFERENCES {parent.name} ({pc.name})"
        )
    if not caps.not_valid:  # the key is checked against every row as it is added
        if caps.foreign_keys_same_type and not _same_type(ctx, c, pc):
            return (
                f"make {c.name} {ctx.type_label(pc.type)} like {parent.name}.{pc.name} ({server} "
                f"needs the same type), then add FOREIGN KEY ({c.name}) REFERENCES "
                f"{parent.name} ({pc.name}) once no row points nowhere"
            )
        return (
            f"add FOREIGN KEY ({c.name}) REFERENCES {parent.name} ({pc.name}) once no row "
            f"points nowhere ({server} checks every existing row)"
        )
    if t.partition_by is not None:
        return (
            f"add FOREIGN KEY ({c.name}) REFERENCES {parent.name} ({pc.name}) to {t.name} "
            "once no row points nowhere (a partitioned table cannot take it NOT VALID before "
            "PostgreSQL 18; its partitions get it too)"
        )
    return (
        f"ALTER TABLE {ctx.table_name(t)} ADD CONSTRAINT {ctx.ident(name)} FOREIGN KEY "
        f"({ctx.ident(c.name)}) REFERENCES {ref} NOT VALID;"
    )
