"""Naming: snake_case, plural tables, name patterns, reserved words, length, quoted case."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import cast

from dbdesign.lint.context import Context, words
from dbdesign.lint.findings import Hit
from dbdesign.lint.registry import rule
from dbdesign.model import Index, Table

_SNAKE = re.compile(r"^[a-z_][a-z0-9_]*$")


def _case_ok(ctx: Context, name: str) -> bool:
    """Where unquoted names fold to lower case (PostgreSQL), upper case means a quoted name:
    NAM007 reports those, not the case rules."""
    return ctx.d.folds_unquoted_names and name != name.lower()


@rule("NAM001", "table-name-snake-case", "warning")
def table_snake_case(ctx: Context) -> Iterator[Hit]:
    """A table's name is not snake_case (lower-case letters, digits and underscores).

    Rationale: One convention everywhere means nobody has to remember how a table is spelled,
    and unquoted lower-case names work the same in every dialect. On PostgreSQL, names with
    upper-case letters can only exist quoted and are reported by NAM007 instead.

    Bad:
        CREATE TABLE "order-items" (id bigint PRIMARY KEY);

    Good:
        CREATE TABLE order_items (id bigint PRIMARY KEY);

    Fix: Rename the table (ALTER TABLE ... RENAME TO ...) and update the code that uses it.
    """
    for t in ctx.base_tables:
        if not _SNAKE.match(t.name) and not _case_ok(ctx, t.name):
            yield Hit(t.key, f"table name {t.name!r} is not snake_case", t.origin)


# Plurals the Rails inflector does not know (Latin and Greek ones), and nouns that name a
# collection, so that a table named by one reads as the set of its rows: connection_history,
# device_inbox, job_queue, audit_log.
_PLURALS = frozenset(
    """taxa data metadata media criteria phenomena strata genera corpora curricula bacteria
    alumni cacti fungi nuclei radii stimuli syllabi appendices vertices indices matrices
    geese feet teeth schemata stigmata people children men women staff personnel
    """.split()
)
_COLLECTIONS = frozenset(
    """history log queue inbox outbox cache list directory index registry repository archive
    catalog catalogue inventory ledger journal backlog timeline feed pool stream graph map
    set collection staging trail changelog bus""".split()
)


def is_plural(word: str, extra: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether ``word`` (lower case) is a plural, an uncountable noun or names a collection.

    The Rails inflector (the ``inflection`` package) decides regular and irregular plurals
    and uncountables (a word is plural when pluralising it changes nothing: ``users``,
    ``people``, ``news``, ``equipment``); words ending in "ss", "us" or "is" are singular
    (``address``, ``status``, ``analysis``) unless listed; Latin and Greek plurals (``taxa``,
    ``criteria``, ``media``, ``data``) and collection nouns (``history``, ``log``, ``inbox``)
    count as plural; ``extra`` is the configured ``plural_words``.
    """
    import inflection

    if word in extra or word in _PLURALS or word in _COLLECTIONS:
        return True
    if word.endswith(("ss", "us", "is")):
        return False
    return bool(inflection.pluralize(word) == word)


_PREPOSITIONS = frozenset("in by to of for per from with on at".split())
# Nouns used as uncountable in table names: a table of them holds "the presence of users".
_MASS = frozenset(
    "presence validity retention expiry auth state config configuration usage".split()
)


def _head_words(name: str) -> list[str]:
    """The words of a table's name before its first preposition, numbers left out:
    ``device_lists_changes_in_room`` -> device, lists, changes; ``pushers2`` -> pushers."""
    out: list[str] = []
    for w in words(name):
        if w in _PREPOSITIONS and out:
            break
        if not w.isdigit():
            out.append(w)
    return out


def _plural_name(name: str, extra: frozenset[str]) -> bool | None:
    """Whether a table's name is plural: its last word before any preposition is plural, a
    mass noun or a collection, or an earlier word is plural and the rest qualifies it
    (``users_pending_deactivation``, ``receipts_linearized``, ``e2e_device_keys_json``).
    None when the name has no word to judge."""
    head = _head_words(name)
    if not head:
        return None
    if head[-1] in _MASS or is_plural(head[-1], extra):
        return True
    # a mapping (event_to_state_groups) names its rows by the words after the preposition too
    rest = [w for w in words(name) if not w.isdigit() and w not in _PREPOSITIONS]
    return any(
        len(w) > 2 and not w.endswith("ss") and is_plural(w, extra) for w in rest if w != head[-1]
    )


@rule("NAM002", "table-name-plural", "info")
def table_plural(ctx: Context) -> Iterator[Hit]:
    """A table's name does not end in a plural noun, in a schema that names its tables in
    the plural.

    Rationale: The design standard names tables as collections (`users`, `order_items`), so a
    table reads as the set of its rows and never collides with a column of the singular name.
    The test is on the name's last word before any preposition, numbers left out
    (`pushers2` ends in `pushers`, `device_changes_in_room` in `changes`), or on an earlier
    word that the rest qualifies (`users_pending_deactivation`, `receipts_linearized`), with
    the Rails inflector (the `inflection` package, the rules that name Rails' tables):
    `users`, `people`, `news`, `equipment` are plural; `address`, `status`, `analysis` are
    singular; Latin and Greek plurals (`taxa`, `data`, `media`, `criteria`), nouns that
    name a collection (`connection_history`, `device_inbox`, `audit_log`, `job_queue`),
    mass nouns (`presence`, `retention`) and the configurable `plural_words` (staff,
    inventory ...) count as plural. Only a schema whose tables are mostly plural is checked
    (at least half of them): one that names its tables in the singular throughout
    (`customer`, `film`) follows the other convention, and renaming every table buys
    nothing.

    Bad:
        CREATE TABLE customers (id bigint PRIMARY KEY);
        CREATE TABLE orders (id bigint PRIMARY KEY);
        CREATE TABLE invoice (id bigint PRIMARY KEY);

    Good:
        CREATE TABLE customers (id bigint PRIMARY KEY);
        CREATE TABLE orders (id bigint PRIMARY KEY);
        CREATE TABLE invoices (id bigint PRIMARY KEY);

    Fix: Rename the table to its plural, or add the word to `plural_words`.
    """
    extra = frozenset(ctx.config.plural_words)
    named = [(t, _plural_name(t.name, extra)) for t in ctx.base_tables]
    judged = [(t, p) for t, p in named if p is not None]
    singular = [t for t, p in judged if not p]
    if not judged or 2 * len(singular) > len(judged):
        return  # the schema's own convention is the singular
    for t in singular:
        yield Hit(t.key, f"table name {t.name!r} is not plural", t.origin)


@rule("NAM003", "column-name-snake-case", "warning")
def column_snake_case(ctx: Context) -> Iterator[Hit]:
    """A column's name is not snake_case.

    Rationale: As for tables: one spelling convention, no quoting. On PostgreSQL, names with
    upper-case letters are reported by NAM007 instead.

    Bad:
        CREATE TABLE users (id bigint PRIMARY KEY, "e-mail" text);

    Good:
        CREATE TABLE users (id bigint PRIMARY KEY, email text);

    Fix: Rename the column (ALTER TABLE ... RENAME COLUMN ... TO ...).
    """
    for t, c in ctx.columns:
        if not _SNAKE.match(c.name) and not _case_ok(ctx, c.name):
            yield Hit(ctx.col_key(t, c), f"column name {c.name!r} is not snake_case", c.origin)


@lru_cache(maxsize=4096)
def _pattern(pat: str, table: str, columns: str) -> re.Pattern[str]:
    parts = re.split(r"(\{table\}|\{columns\}|\*)", pat)
    rx = []
    for p in parts:
        if p == "{table}":
            rx.append(re.escape(table))
        elif p == "{columns}":
            rx.append(re.escape(columns))
        elif p == "*":
            rx.append(".+")
        else:
            rx.append(re.escape(p))
    return re.compile("^" + "".join(rx) + "$")


def _matches(pats: tuple[str, ...], name: str, table: str, cols: tuple[str, ...]) -> bool:
    return any(_pattern(p, table, "_".join(cols)).match(name) for p in pats)


# Names that the server or an ORM chose, by kind: ``{t}`` the table, ``{c}`` a column list (any
# text), ``{h}`` a hash; matched case-insensitively. Renaming them breaks how ORMs map
# constraint errors to fields (Ecto's unique_constraint/2, Rails' RecordNotUnique handling,
# Prisma's P2002 target) and how their migrations find the object again.
_TOOL_NAMES: dict[str, tuple[str, ...]] = {
    "index": (
        r"index_{t}_.+",  # Rails: index_users_on_email (and index_<table>_<purpose>)
        r"idx_on_.+_[0-9a-f]{10}",  # Rails 7.1, a name too long for the server
        r"ix_{t}_.+",  # SQLAlchemy's default naming convention
        r"{t}_.+_[0-9a-f]{8}(_like)?",  # Django
        r"idx_[0-9a-f]{16}",  # Doctrine
        r"{t}_.+_(index|unique)",  # Ecto, Knex, Laravel
    ),
    "unique": (
        r"{t}_.+_(unique|uniq)",  # Knex, Laravel, Django (<hash>_uniq)
        r"uniq_[0-9a-f]{16}",  # Doctrine
        r"uk[0-9a-z]{25}",  # Hibernate
        r"ak_{t}_.+",  # Entity Framework
        r"{t}_.+_index",  # Ecto's unique_index
    ),
    "primary_key": (r"pk_{t}", r"{t}_primary"),  # Entity Framework, SQLAlchemy; Laravel
    "foreign_key": (
        r"fk_rails_[0-9a-f]{10}",  # Rails
        r"{t}_ibfk_\d+",  # MySQL's own (also in schemas ported from MySQL)
        r"{t}_.+_foreign",  # Knex, Laravel
        r"{t}_.+_[0-9a-f]{8}_fk_.+",  # Django
        r"fk_[0-9a-f]{16}",  # Doctrine
        r"fk[0-9a-z]{25}",  # Hibernate
        r"fk_{t}_.+",  # Entity Framework, SQLAlchemy's convention
    ),
    "check": (r"{t}_chk_\d+", r"constraint_\d+"),  # MySQL 8, MariaDB
}
# PostgreSQL's own names (ChooseConstraintName, ChooseRelationName): <table>_<columns>_<label>,
# a number after the label when the name was taken, the table and columns cut to fit 63 bytes.
_SERVER_LABELS = {
    "index": ("idx", "key", "excl"),
    "unique": ("key",),
    "primary_key": ("pkey",),
    "foreign_key": ("fkey",),
    "check": ("check", "not_null"),
}


@lru_cache(maxsize=4096)
def _tool_patterns(kind: str, table: str) -> re.Pattern[str]:
    t = re.escape(table.lower())
    alts = [p.replace("{t}", t) for p in _TOOL_NAMES[kind]]
    return re.compile("^(?:" + "|".join(alts) + ")$")


def default_name(
    ctx: Context, kind: str, name: str, table: str, cols: tuple[str, ...] = ()
) -> bool:
    """Whether ``name`` is the one the server or a common ORM gives an object of this kind:
    PostgreSQL's ``{table}_pkey``, ``{table}_{columns}_fkey`` / ``_key`` / ``_idx`` /
    ``_check`` (numbered, cut to 63 bytes), MySQL's ``{table}_ibfk_N`` and keys named after
    their first column, Rails' ``index_{table}_on_*`` and ``fk_rails_*``, Ecto's
    ``{table}_{columns}_index``, Sequelize's ``{table}_{columns}``, SQLAlchemy's
    ``ix_{table}_*``, Django's, Knex's and Laravel's, Doctrine's and Hibernate's hashed names
    and Entity Framework's ``IX_``/``PK_``/``FK_``/``AK_{table}_*``."""
    low, tbl = name.lower(), table.lower()
    if low.startswith("sqlite_autoindex_"):
        return True
    for label in _SERVER_LABELS.get(kind, ()):
        m = re.fullmatch(rf"(.+)_{label}\d*", low)
        if m is None:
            continue
        head = m.group(1)
        if head == tbl or head.startswith(tbl + "_"):
            return True
        # cut to the identifier limit: the table part may be shortened too
        if len(name.encode()) >= 60 and len(_common(head, tbl)) >= min(len(tbl), 10):
            return True
    if kind == "index" and cols and low == "_".join((tbl, *cols)).lower():
        return True  # Sequelize: {table}_{columns}
    # the server's name for a key declared without one (MySQL: its first column, a_2 ...)
    if kind in ("index", "unique") and ctx.d.is_default_key_name(name, cols):
        return True
    if kind in _TOOL_NAMES and _tool_patterns(kind, tbl).match(low):
        return True
    return kind == "unique" and _tool_patterns("index", tbl).match(low) is not None


def _common(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


@rule("NAM004", "index-name-pattern", "info", default=False)
def index_name_pattern(ctx: Context) -> Iterator[Hit]:
    """An index's name follows neither the configured pattern (default `idx_{table}_*`) nor
    the name the server or an ORM gives it.

    Rationale: A name that says which table and columns an index covers makes plans, lock
    waits and migration diffs readable without a catalog lookup. Patterns are configurable
    (`[tool.dbdesign.lint.naming] index`, a pattern or a list; `{table}`, `{columns}` and `*`
    for any text); unique indexes may follow the `index` or the `unique` pattern. Default
    names conform: the server's (`orders_customer_id_idx`, MySQL's first-column names) and
    the ORMs' (Rails' `index_orders_on_customer_id`, Ecto's `orders_customer_id_index`,
    SQLAlchemy's `ix_orders_customer_id`, Sequelize's `orders_customer_id`, Django's,
    Laravel's, Doctrine's, Entity Framework's): the ORM finds the index by that name, and
    renaming it buys nothing. Off by default (a convention a team opts into): select it,
    with the pattern the team uses.

    Bad:
        CREATE INDEX orders_cust ON orders (customer_id);

    Good:
        CREATE INDEX idx_orders_customer_id ON orders (customer_id);
        CREATE INDEX index_orders_on_placed_at ON orders (placed_at);

    Fix: Rename the index to follow the pattern (`ALTER INDEX ... RENAME TO idx_<table>_<columns>`).
    """
    n = ctx.config.naming
    fk_names = _fk_names(ctx)
    for i in ctx.schema.indexes.values():
        cols = tuple(e.column for e in i.elements if e.column is not None)
        pats = n["index"] + (n["unique"] if i.unique else ())
        if _matches(pats, i.name, i.table, cols):
            continue
        if default_name(ctx, "index", i.name, i.table, cols) or (
            i.unique and default_name(ctx, "unique", i.name, i.table, cols)
        ):
            continue
        if ctx.d.capabilities.foreign_keys_need_index and i.name.lower() in fk_names.get(
            i.table_key, ()
        ):
            continue  # the index the server made for a foreign key takes the key's name
        want = " or ".join(pats)
        # a unique index is best named by the unique pattern
        order = (n["unique"] + n["index"]) if i.unique else pats
        yield Hit(
            i.key,
            f"index name {i.name!r} does not match {want}",
            i.origin,
            _rename_index(ctx, i, order, cols),
        )


def _fk_names(ctx: Context) -> dict[str, set[str]]:
    return {t.key: {fk.name.lower() for fk in t.foreign_keys.values()} for t in ctx.tables}


def _proposed(
    ctx: Context,
    pats: tuple[str, ...],
    name: str,
    table: str,
    cols: tuple[str, ...],
    taken: set[str],
) -> str | None:
    """A name that follows the first pattern it can fill: ``{table}``, ``{columns}`` and ``*``
    (the columns, else the old name) filled in, cut to the identifier limit, not taken."""
    for pat in pats:
        if "{columns}" in pat and not cols:
            continue
        star = "_".join(cols) if cols else name
        base = pat.replace("{table}", table).replace("{columns}", "_".join(cols))
        new = ctx.new_name(base.replace("*", star), taken)
        if new != name and _matches(pats, new, table, cols):
            return new
    return None


def _rename_index(ctx: Context, i: Index, pats: tuple[str, ...], cols: tuple[str, ...]) -> str:
    t = ctx.schema.tables.get(i.table_key)
    taken = ctx.index_names_near(t) if t is not None else set()
    new = _proposed(ctx, pats, i.name, i.table, cols, taken)
    if new is None:
        return f"Rename the index to follow {' or '.join(pats)}."
    sql = ctx.d.rename_sql("index", i.schema, i.table, i.name, new)
    if sql is None:
        return (
            f"{ctx.d.short_title} cannot rename an index: drop {i.name} and create it again "
            f"as {new}"
        )
    return sql


def _constraints(t: Table) -> Iterator[tuple[str, str, tuple[str, ...], object]]:
    if t.primary_key:
        yield "primary_key", t.primary_key.name, t.primary_key.columns, t.primary_key.origin
    for fk in t.foreign_keys.values():
        yield "foreign_key", fk.name, fk.columns, fk.origin
    for u in t.uniques.values():
        yield "unique", u.name, u.columns, u.origin
    for ck in t.checks.values():
        yield "check", ck.name, (), ck.origin


@rule("NAM005", "constraint-name-pattern", "info", default=False)
def constraint_name_pattern(ctx: Context) -> Iterator[Hit]:
    """A constraint's name follows neither the configured pattern for its kind nor the name
    the server or an ORM gives it.

    Rationale: Constraint names appear in error messages the application and its users see
    ("violates foreign key constraint ...") and in migrations that must drop them by name; a
    predictable name (`pk_{table}`, `fk_{table}_*`, `uq_{table}_*`, `chk_{table}_*` by
    default, configurable under `[tool.dbdesign.lint.naming]`) makes both easy. Default names
    conform: the server's (`orders_pkey`, `orders_customer_id_fkey`, `orders_email_key`,
    `orders_total_check`, MySQL's `orders_ibfk_1`) and the ORMs' (Rails' `fk_rails_<hash>`,
    Laravel's `orders_customer_id_foreign`, Django's, Doctrine's, Hibernate's, Entity
    Framework's `PK_orders`): ORMs map a constraint error to a field by that name (Ecto's
    `unique_constraint`, Prisma's error target), so renaming it breaks the mapping. MySQL's
    primary keys are not checked (the server names every one `PRIMARY`). Off by default (a
    convention a team opts into): select it, with the patterns the team uses.

    Bad:
        CREATE TABLE orders (id bigint, CONSTRAINT orders_key PRIMARY KEY (id));

    Good:
        CREATE TABLE orders (id bigint, CONSTRAINT pk_orders PRIMARY KEY (id));
        CREATE TABLE items (id bigint PRIMARY KEY);  -- items_pkey, the server's own name

    Fix: Rename the constraint to follow the pattern (`ALTER TABLE ... RENAME CONSTRAINT ... TO
    ...`), or set the pattern your team uses.
    """
    n = ctx.config.naming
    for t in ctx.base_tables:
        for kind, name, cols, origin in _constraints(t):
            if kind == "primary_key" and ctx.d.primary_key_name is not None:
                continue  # the server names every one (MySQL: PRIMARY), whatever the DDL says
            if not _matches(n[kind], name, t.name, cols) and not default_name(
                ctx, kind, name, t.name, cols
            ):
                yield Hit(
                    f"{t.key}.{name}",
                    f"{kind.replace('_', ' ')} name {name!r} does not match {' or '.join(n[kind])}",
                    origin if origin is not None else t.origin,  # type: ignore[arg-type]
                    _rename_constraint(ctx, t, kind, name, cols, n[kind]),
                )


def _rename_constraint(
    ctx: Context, t: Table, kind: str, name: str, cols: tuple[str, ...], pats: tuple[str, ...]
) -> str:
    taken = {c[1] for c in _constraints(t)}
    if kind in ("primary_key", "unique"):  # backed by an index: a relation name too
        taken |= ctx.index_names_near(t)
    new = _proposed(ctx, pats, name, t.name, cols, taken)
    if new is None:
        return f"Rename the constraint to follow {' or '.join(pats)}."
    sql = ctx.d.rename_sql(kind, t.schema, t.name, name, new)
    if sql is not None:
        return sql
    server = ctx.d.short_title
    if not ctx.d.capabilities.alter_constraints:
        return f"{server} cannot rename a constraint: rebuild {t.name} with it named {new}"
    what = kind.replace("_", " ")
    return f"{server} cannot rename a {what}: drop {name} and add it again as {new}"


def _object(ctx: Context) -> list[tuple[str, str, str, object]]:
    """(kind, key, name, origin) of every named object the schema defines (computed once)."""
    cached = ctx.cache.get("naming.objects")
    if cached is None:
        cached = ctx.cache["naming.objects"] = list(_objects(ctx))
    return cast(list[tuple[str, str, str, object]], cached)


def _objects(ctx: Context) -> Iterator[tuple[str, str, str, object]]:
    for t in ctx.base_tables:
        yield "table", t.key, t.name, t.origin
    for t, c in ctx.columns:
        yield "column", ctx.col_key(t, c), c.name, c.origin or t.origin
    for v in ctx.schema.views.values():
        yield "view", v.key, v.name, v.origin
    for i in ctx.schema.indexes.values():
        yield "index", i.key, i.name, i.origin
    for s in ctx.schema.sequences.values():
        yield "sequence", s.key, s.name, s.origin
    for f in ctx.schema.functions.values():
        yield "function", f.key, f.name, f.origin


@rule("NAM006", "reserved-word", "warning")
def reserved_word(ctx: Context) -> Iterator[Hit]:
    """A table, column, view, index, sequence or function is named with a reserved key word.

    Rationale: A reserved word (`user`, `order`, `table`, `select` ...) can only be used
    quoted, so every query must remember the quotes and tools that generate SQL break.
    PostgreSQL's list is its grammar's reserved key words (pglast); unreserved ones such as
    `name`, `type` or `comment` are not flagged. SQLite's list is its key words that cannot
    fall back to being names; MySQL's the reserved words of MySQL 8.0 and MariaDB 10.11
    (`order`, `key`, `rank`; `status` and `name` are not reserved there).

    Bad:
        CREATE TABLE "order" (id bigint PRIMARY KEY, "user" text);

    Good:
        CREATE TABLE orders (id bigint PRIMARY KEY, user_name text);

    Fix: Rename the object.
    """
    reserved = ctx.d.reserved_words
    for kind, key, name, origin in _object(ctx):
        if name.lower() in reserved:
            yield Hit(key, f"{kind} name {name!r} is a reserved word", origin)  # type: ignore[arg-type]


@rule("NAM007", "quoted-mixed-case", "warning", dialects=("postgres",))
def quoted_mixed_case(ctx: Context) -> Iterator[Hit]:
    """A name contains upper-case letters, so it exists only quoted (PostgreSQL).

    Rationale: PostgreSQL folds unquoted names to lower case, so `"UserId"` must be quoted in
    every query forever, and `SELECT UserId` fails with "column userid does not exist"
    (PostgreSQL wiki, Don't Do This). Lower-case names, quoted or not, are not flagged.

    Bad:
        CREATE TABLE "Customers" ("CustomerId" integer PRIMARY KEY);

    Good:
        CREATE TABLE customers (customer_id integer PRIMARY KEY);

    Fix: Rename to lower-case snake_case.
    """
    for kind, key, name, origin in _object(ctx):
        if name != name.lower():
            yield Hit(key, f"{kind} name {name!r} has upper case and must be quoted", origin)  # type: ignore[arg-type]


@rule("NAM008", "identifier-too-long", "error", dialects=("postgres", "mysql"))
def identifier_too_long(ctx: Context) -> Iterator[Hit]:
    """A name reaches the dialect's identifier limit (PostgreSQL 63 bytes, MySQL 64 characters).

    Rationale: PostgreSQL silently truncates longer names to 63 bytes (with only a NOTICE), so
    two long names can collide and a name in the code no longer matches the catalog. A name
    of exactly 63 bytes is reported because the DDL may have been longer and already
    truncated. The limit can be lowered with `max_identifier_length`.

    Bad:
        CREATE TABLE customer_subscription_renewal_reminder_notification_delivery_attempts (
          id bigint
        );

    Good:
        CREATE TABLE subscription_reminder_attempts (id bigint);

    Fix: Shorten the name.
    """
    limit = ctx.config.max_identifier_length
    at_limit = limit is None  # the dialect's limit: a name of that length may be truncated
    limit = limit or ctx.d.identifier_limit
    if limit is None:
        return
    in_bytes = ctx.d.identifier_unit == "bytes"
    for kind, key, name, origin in _object(ctx):
        n = len(name.encode()) if in_bytes else len(name)
        if n > limit or (at_limit and n == limit):
            yield Hit(key, f"{kind} name {name!r} is {n} bytes (limit {limit})", origin)  # type: ignore[arg-type]
