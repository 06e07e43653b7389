"""Types: the PostgreSQL wiki's "Don't Do This" list and the design standards' type rules."""

from __future__ import annotations

from collections.abc import Iterator

from dbdesign.lint import sqlexpr
from dbdesign.lint.context import Context, is_sql_hint, words
from dbdesign.lint.findings import Hit
from dbdesign.lint.registry import rule
from dbdesign.model import Column, DataType, Table

PG = ("postgres",)


def _columns_of_type(ctx: Context, *names: str) -> Iterator[tuple[Table, Column, Hit]]:
    for t, c in ctx.columns:
        b = ctx.base_type(c.type)
        if b.name in names:
            yield t, c, Hit(ctx.col_key(t, c), "", c.origin or t.origin)


def _hit(h: Hit, message: str, fix: str | None = None) -> Hit:
    return Hit(h.object, message, h.origin, fix)


def _retype(
    ctx: Context, t: Table, c: Column, name: str, args: tuple[int | str, ...] = (), using: str = ""
) -> str:
    """The ALTER that changes ``c`` to type ``name(args)``, arrays kept (``varchar(20)[]`` ->
    ``text[]``), with ``using`` (``{col}`` is the quoted column) as the USING conversion; or
    prose where the type cannot be changed so (see Context.retype_sql)."""
    b = ctx.base_type(c.type)
    new = DataType(name=name, args=args, array_dims=b.array_dims)
    expr = using.format(col=ctx.ident(c.name)) if using else None
    out = ctx.retype_sql(t, c, new, expr)
    return out if isinstance(out, str) else " ".join(out)


@rule("TYP001", "timestamp-without-time-zone", "warning", dialects=PG)
def timestamp_without_tz(ctx: Context) -> Iterator[Hit]:
    """A column is `timestamp` (without time zone).

    Rationale: `timestamp` stores a wall-clock reading with no zone, so the same instant is
    stored differently depending on the session's time zone, and arithmetic across a daylight
    saving change is wrong. `timestamptz` stores an instant (in UTC) and converts on output;
    it costs the same 8 bytes. This holds even when "all times are UTC" (PostgreSQL wiki,
    Don't Do This). `date` and `timestamptz` columns are not flagged.

    Bad:
        CREATE TABLE events (id bigint PRIMARY KEY, happened_at timestamp);

    Good:
        CREATE TABLE events (id bigint PRIMARY KEY, happened_at timestamptz);

    Fix: Change the column to timestamptz, converting with `USING col AT TIME ZONE 'UTC'`
    (name the zone the stored values were written in; the suggested statement assumes UTC).
    """
    for t, c, h in _columns_of_type(ctx, "timestamp without time zone"):
        b = ctx.base_type(c.type)
        if b.array_dims:
            fix = (
                f"convert {c.name} to timestamptz[] element by element, naming the zone the "
                "values were written in (AT TIME ZONE does not apply to arrays)"
            )
        else:
            using = "{col} AT TIME ZONE 'UTC'"
            fix = _retype(ctx, t, c, "timestamp with time zone", b.args, using)
        yield _hit(h, f"{h.object} is timestamp without time zone", fix)


@rule("TYP002", "money-type", "warning", dialects=PG)
def money_type(ctx: Context) -> Iterator[Hit]:
    """A column uses the `money` type.

    Rationale: `money` has a fixed fractional precision taken from the `lc_monetary` setting:
    the same dump restored under another locale changes values, it cannot hold a currency,
    and it does not round the way accounting expects. `numeric` (with a currency column
    where needed) is exact and portable (PostgreSQL wiki, Don't Do This).

    Bad:
        CREATE TABLE invoices (id bigint PRIMARY KEY, total money);

    Good:
        CREATE TABLE invoices (id bigint PRIMARY KEY, total numeric(12,2), currency char(3));

    Fix: Change the column to numeric(p, s) and add a currency code column if amounts can be in
    more than one currency.
    """
    for t, c, h in _columns_of_type(ctx, "money"):
        # numeric without a scale keeps every digit money held, whatever lc_monetary says
        fix = _retype(ctx, t, c, "numeric", using="{col}::numeric" + "[]" * c.type.array_dims)
        yield _hit(h, f"{h.object} uses the money type", fix)


@rule("TYP003", "float-for-money", "error")
def float_for_money(ctx: Context) -> Iterator[Hit]:
    """A column whose name says money (price, amount, total, cost, balance ...) is a float.

    Rationale: `real` and `double precision` (SQLite REAL, MySQL FLOAT and DOUBLE) are binary
    floating point: 0.1 + 0.2 is not 0.3, sums drift, and equality tests fail. Money needs
    exact decimal arithmetic. The name test works on whole words of the name (`unit_price`,
    `TotalAmount`), so `costume` or `totally` do not match; the words are configurable
    (`money_words`). A float column of money often holds amounts smaller than a cent (the
    cost of one API call or token, a crypto amount), so the advice keeps every digit: on
    PostgreSQL `numeric` without a precision or scale (exact, any number of decimals), on
    MySQL `DECIMAL(p, s)` with a scale as fine as the smallest amount, on SQLite (which has
    no exact decimal type) an integer count of the smallest unit the amounts use. A fixed
    scale of 2 (`numeric(12,2)`) or integer cents would round sub-cent amounts to zero.

    Bad:
        CREATE TABLE products (id bigint PRIMARY KEY, unit_price double precision);

    Good:
        CREATE TABLE products (id bigint PRIMARY KEY, unit_price numeric);

    Fix: Change the column to an exact decimal type whose scale loses nothing: numeric
    without a scale (PostgreSQL), DECIMAL with enough decimals (MySQL), an integer count of
    the smallest unit (SQLite).
    """
    money = set(ctx.config.money_words)
    for t, c in ctx.columns:
        if ctx.kind(c.type) == "float" and money & set(words(c.name)):
            yield Hit(
                ctx.col_key(t, c),
                f"{ctx.col_key(t, c)} looks like money but is {ctx.type_label(c.type)}",
                c.origin or t.origin,
                _exact_money(ctx, t, c),
            )


def _exact_money(ctx: Context, t: Table, c: Column) -> str:
    """How to make a float money column exact without rounding sub-cent amounts away."""
    exact = ctx.d.capabilities.exact_decimal
    if exact == "none":
        return (
            f"{ctx.d.short_title} has no exact decimal type: store {c.name} as an INTEGER count "
            "of the smallest unit the amounts use (micro-units where amounts are below a cent), "
            "not cents, which would round sub-cent amounts to zero"
        )
    if exact == "declared":  # DECIMAL(p, s): the scale must be chosen
        return (
            f"change {c.name} to DECIMAL(p, s) with a scale as fine as the smallest amount "
            "(DECIMAL(20,2) or integer cents would round sub-cent amounts to zero; "
            "DECIMAL(38,10) keeps ten decimals)"
        )
    return (
        f"change {c.name} to numeric without a precision or scale, which keeps every digit "
        f"(ALTER TABLE {ctx.table_name(t)} ALTER COLUMN {ctx.ident(c.name)} TYPE numeric); "
        "numeric(12,2) or integer cents would round sub-cent amounts to zero"
    )


@rule("TYP004", "char-n", "warning", dialects=PG)
def char_n(ctx: Context) -> Iterator[Hit]:
    """A column is `char(n)` / `character(n)`.

    Rationale: `char(n)` pads with spaces, which are then ignored in some comparisons and not
    in others (LIKE, regular expressions, concatenation); it does not check that a value has
    exactly n characters, and it is no faster than text in PostgreSQL. Even fixed-length codes
    are better as text with a CHECK on the length (PostgreSQL wiki, Don't Do This).

    Bad:
        CREATE TABLE countries (code char(2) PRIMARY KEY);

    Good:
        CREATE TABLE countries (code text PRIMARY KEY CHECK (length(code) = 2));

    Fix: Change the column to text and add CHECK (length(col) = n) if the length is a real
    rule. Converting drops the trailing blanks char(n) padded shorter values with (comparisons
    of char(n) values ignored them already); the suggested CHECK is added NOT VALID, so
    values shorter than n do not stop the change: fix them, then VALIDATE CONSTRAINT.
    """
    for t, c in ctx.columns:
        b = ctx.base_type(c.type)
        # char(n) always has its length (plain char is char(1)); the one-byte "char" has none.
        if b.name == "character" and b.args:
            n = b.args[0]
            fix = _retype(ctx, t, c, "text")
            if is_sql_hint(fix) and not b.array_dims:
                taken = set(t.checks) | set(t.uniques) | set(t.foreign_keys) | set(t.exclusions)
                if t.primary_key is not None:
                    taken.add(t.primary_key.name)
                check = ctx.new_name(f"chk_{t.name}_{c.name}_length", taken)
                col = ctx.ident(c.name)
                fix += (
                    f" ALTER TABLE {ctx.table_name(t)} ADD CONSTRAINT {ctx.ident(check)} "
                    f"CHECK (length({col}) = {n}) NOT VALID;"
                )
            yield Hit(
                ctx.col_key(t, c), f"{ctx.col_key(t, c)} is char({n})", c.origin or t.origin, fix
            )


@rule("TYP005", "varchar-n", "info", dialects=PG)
def varchar_n(ctx: Context) -> Iterator[Hit]:
    """A column is `varchar(n)` with a length limit.

    Rationale: In PostgreSQL `varchar(n)` is text with a length check that cannot be changed
    without an ALTER that takes an exclusive lock; the limit is usually arbitrary (255) and
    becomes a production error when a real value is longer. Use `text`, and a CHECK constraint
    when a limit is a real business rule (a CHECK can be changed with NOT VALID). Unbounded
    `varchar` is not flagged. Info by default: ignore it (`ignore = ["TYP005"]`) where a team
    prefers varchar(n).

    Bad:
        CREATE TABLE users (id bigint PRIMARY KEY, name varchar(255));

    Good:
        CREATE TABLE users (id bigint PRIMARY KEY, name text CHECK (length(name) <= 200));

    Fix: Change the column to text (arrays to text[]; increasing a limit or removing it needs no
    table rewrite), with a CHECK on length(col) if the limit is a business rule.
    """
    for t, c in ctx.columns:
        b = ctx.base_type(c.type)
        if b.name == "character varying" and b.args:
            yield Hit(
                ctx.col_key(t, c),
                f"{ctx.col_key(t, c)} is varchar({b.args[0]})",
                c.origin or t.origin,
                _retype(ctx, t, c, "text"),
            )


@rule("TYP006", "serial-not-identity", "info", dialects=PG)
def serial_not_identity(ctx: Context) -> Iterator[Hit]:
    """A column takes its values from a sequence it owns (`serial`) instead of being an identity.

    Rationale: `serial` is a macro for a sequence plus a default: the sequence's privileges and
    ownership are separate from the table's, CREATE TABLE ... (LIKE ...) copies the default and
    shares the sequence, and nothing stops inserts of explicit values. `GENERATED ... AS
    IDENTITY` is the SQL standard and has none of these problems (PostgreSQL 10+). Columns
    whose default is a shared sequence not owned by them are not flagged.

    Bad:
        CREATE TABLE films (id serial PRIMARY KEY, title text);

    Good:
        CREATE TABLE films (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title text);

    Fix: Convert with ALTER TABLE ... ALTER COLUMN id DROP DEFAULT, DROP SEQUENCE, then ADD
    GENERATED ALWAYS AS IDENTITY (START WITH max(id) + 1).
    """
    owned = {s.owned_by for s in ctx.schema.sequences.values() if s.owned_by}
    for t, c in ctx.columns:
        # A default on a column that owns its sequence is the serial pattern (nextval);
        # the default's text is not needed (reading it can cost a deparse).
        if c.identity is None and c.default is not None and ctx.col_key(t, c) in owned:
            yield Hit(
                ctx.col_key(t, c),
                f"{ctx.col_key(t, c)} is a serial column (a default from its own sequence)",
                c.origin or t.origin,
                "use GENERATED ALWAYS AS IDENTITY",
            )


@rule("TYP007", "json-not-jsonb", "warning", dialects=PG)
def json_not_jsonb(ctx: Context) -> Iterator[Hit]:
    """A column is `json` rather than `jsonb`.

    Rationale: `json` stores the text as written and re-parses it on every access; it has no
    equality operator (so no DISTINCT, GROUP BY or unique index) and no GIN indexing. `jsonb`
    is parsed once, indexable and comparable. Keep `json` only when the exact text (key
    order, duplicate keys, whitespace) must be preserved.

    Bad:
        CREATE TABLE events (id bigint PRIMARY KEY, payload json);

    Good:
        CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb);

    Fix: Change the column to jsonb (`USING payload::jsonb`).
    """
    for t, c, h in _columns_of_type(ctx, "json"):
        using = "{col}::jsonb" + "[]" * ctx.base_type(c.type).array_dims
        yield _hit(h, f"{h.object} is json, not jsonb", _retype(ctx, t, c, "jsonb", using=using))


@rule("TYP008", "timetz", "warning", dialects=PG)
def timetz(ctx: Context) -> Iterator[Hit]:
    """A column is `time with time zone` (timetz).

    Rationale: A time of day with an offset but no date cannot account for daylight saving
    time; the PostgreSQL manual itself says the type exists only for SQL compliance. Use
    `timestamptz` for an instant, or `time` plus a time zone name column for a recurring local
    time (PostgreSQL wiki, Don't Do This). Plain `time` is not flagged.

    Bad:
        CREATE TABLE shops (id bigint PRIMARY KEY, opens_at timetz);

    Good:
        CREATE TABLE shops (id bigint PRIMARY KEY, opens_at time, time_zone text);

    Fix: Use timestamptz, or time plus a time zone name.
    """
    for _, c, h in _columns_of_type(ctx, "time with time zone"):
        yield _hit(h, f"{h.object} is timetz", f"use timestamptz, or time + a zone for {c.name}")


@rule("TYP009", "rule-instead-of-trigger", "warning", dialects=PG)
def rule_instead_of_trigger(ctx: Context) -> Iterator[Hit]:
    """The schema uses CREATE RULE.

    Rationale: Rules rewrite queries rather than act on rows: a rule on INSERT with a volatile
    default or a multi-row statement does surprising things, and their interaction with
    RETURNING, COPY and triggers is subtle. Triggers (or INSTEAD OF triggers on views) do what
    people expect (PostgreSQL wiki, Don't Do This). Views' internal _RETURN rules are not
    flagged.

    Bad:
        CREATE RULE log_insert AS ON INSERT TO orders DO ALSO INSERT INTO audit VALUES (NEW.id);

    Good:
        CREATE TRIGGER log_insert AFTER INSERT ON orders
          FOR EACH ROW EXECUTE FUNCTION log_order();

    Fix: Replace the rule with a trigger.
    """
    for r in ctx.schema.rules.values():
        table = ctx.schema.tables.get(f"{r.schema}.{r.table}")
        yield Hit(
            r.key,
            f"rule {r.name} on {r.schema}.{r.table} ({r.event}); use a trigger",
            r.origin or (table.origin if table else None),
        )


@rule("TYP010", "not-in-subquery", "warning", dialects=PG)
def not_in_subquery(ctx: Context) -> Iterator[Hit]:
    """A view uses `NOT IN (SELECT ...)`.

    Rationale: If the subquery returns a single NULL, `x NOT IN (...)` is never true and the
    view silently returns nothing; the planner also cannot turn it into an anti-join, so it
    is slow on large inputs. `NOT EXISTS` has neither problem. `NOT IN` with a list of
    constants is not flagged.

    Bad:
        CREATE VIEW idle_users AS
          SELECT * FROM users WHERE id NOT IN (SELECT user_id FROM orders);

    Good:
        CREATE VIEW idle_users AS
          SELECT * FROM users u WHERE NOT EXISTS (SELECT FROM orders o WHERE o.user_id = u.id);

    Fix: Rewrite as NOT EXISTS (SELECT FROM ... WHERE ... = outer.col).
    """
    for v in ctx.schema.views.values():
        text = v.query.text
        if "in" not in text.lower():
            continue
        tree = sqlexpr.parse(text)
        if tree is not None and sqlexpr.not_in_subqueries(tree):
            yield Hit(v.key, f"view {v.key} uses NOT IN (SELECT ...)", v.origin)


@rule("TYP011", "between-timestamps", "warning", dialects=PG)
def between_timestamps(ctx: Context) -> Iterator[Hit]:
    """A view or check uses `BETWEEN` on timestamps.

    Rationale: `BETWEEN a AND b` includes both ends, so consecutive ranges ("January",
    "February") both include midnight of 1 February, and `BETWEEN '2024-01-01' AND
    '2024-01-31'` misses everything after midnight on the 31st. Half-open ranges
    (`>= a AND < b`) tile without gaps or overlaps (PostgreSQL wiki, Don't Do This). BETWEEN
    on dates and numbers is not flagged; checks are examined on tables that have a timestamp
    column.

    Bad:
        CREATE VIEW january AS SELECT * FROM orders
          WHERE placed_at BETWEEN '2024-01-01' AND '2024-01-31';

    Good:
        CREATE VIEW january AS SELECT * FROM orders
          WHERE placed_at >= '2024-01-01' AND placed_at < '2024-02-01';

    Fix: Use col >= start AND col < end.
    """
    ts = {"timestamp without time zone", "timestamp with time zone"}
    by_name = {t.name: t for t in ctx.tables} | {t.key: t for t in ctx.tables}
    for v in ctx.schema.views.values():
        if "between" not in v.query.text.lower():
            continue
        tree = sqlexpr.parse(v.query.text)
        if tree is None:
            continue
        cols = {
            c.name
            for rel in sqlexpr.relnames(tree)
            if rel in by_name
            for c in by_name[rel].columns
            if ctx.base_type(c.type).name in ts
        }
        for subject in sqlexpr.betweens(tree, cols):
            yield Hit(v.key, f"view {v.key} uses BETWEEN on timestamp {subject}", v.origin)
    for t in ctx.tables:
        # Only tables with a timestamp column: reading a check's text can cost a deparse.
        cols = {c.name for c in t.columns if ctx.base_type(c.type).name in ts}
        if not cols or not t.checks:
            continue
        for ck in t.checks.values():
            if "between" not in ck.expr.text.lower():
                continue
            tree = sqlexpr.parse(f"SELECT {ck.expr.text}")
            if tree is None:
                continue
            for subject in sqlexpr.betweens(tree, cols):
                yield Hit(
                    f"{t.key}.{ck.name}",
                    f"check {ck.name} on {t.key} uses BETWEEN on timestamp {subject}",
                    ck.origin or t.origin,
                )


@rule("TYP012", "timestamp-precision-zero", "warning", dialects=PG)
def timestamp_precision_zero(ctx: Context) -> Iterator[Hit]:
    """A timestamp column is declared with precision 0 (`timestamp(0)`, `timestamptz(0)`).

    Rationale: The precision rounds rather than truncates, so a value can be stored up to half
    a second in the future of when it happened (PostgreSQL wiki, Don't Do This). Other
    precisions and the default (microseconds) are not flagged.

    Bad:
        CREATE TABLE logins (id bigint PRIMARY KEY, at timestamptz(0));

    Good:
        CREATE TABLE logins (id bigint PRIMARY KEY, at timestamptz);

    Fix: Remove the precision and use date_trunc('second', ...) where whole seconds are wanted.
    """
    for t, c in ctx.columns:
        b = ctx.base_type(c.type)
        if b.name.startswith("timestamp") and b.args == (0,):
            yield Hit(
                ctx.col_key(t, c),
                f"{ctx.col_key(t, c)} is {ctx.type_label(b)} (rounds to the second)",
                c.origin or t.origin,
            )


@rule("TYP013", "table-inheritance", "warning", dialects=PG)
def table_inheritance(ctx: Context) -> Iterator[Hit]:
    """A table uses INHERITS (table inheritance), not declarative partitioning.

    Rationale: Inherited tables do not share primary keys, unique constraints or foreign keys
    with their parent, so uniqueness and references silently stop at the parent; the feature
    predates declarative partitioning, which does this job properly (PostgreSQL wiki, Don't Do
    This). Partitions (PARTITION OF) are not flagged.

    Bad:
        CREATE TABLE cities (name text PRIMARY KEY);
        CREATE TABLE capitals (country text) INHERITS (cities);

    Good:
        CREATE TABLE cities (name text PRIMARY KEY, country text, is_capital boolean);

    Fix: Use a foreign key to a shared table, or declarative partitioning (PARTITION BY).
    """
    for t in ctx.tables:
        if t.inherits and t.partition_of is None:
            yield Hit(t.key, f"table {t.key} inherits from {', '.join(t.inherits)}", t.origin)


@rule("TYP014", "sql-ascii-encoding", "error", dialects=PG)
def sql_ascii_encoding(ctx: Context) -> Iterator[Hit]:
    """The database uses the `SQL_ASCII` encoding.

    Rationale: `SQL_ASCII` is not an encoding but the absence of one: the server stores whatever
    bytes a client sends and checks nothing, so text in several encodings ends up mixed in one
    column with no way to tell them apart, conversions to other client encodings do nothing,
    and `upper()`, `lower()`, collations and regular expressions work on bytes, not characters.
    The damage accumulates silently and cannot be undone by an ALTER (PostgreSQL wiki, Don't Do
    This: never). Read from a live database (`pg_database.encoding`) or from a file's
    `CREATE DATABASE ... ENCODING` (as `pg_dump --create` writes it); a `SET client_encoding`
    is the session's encoding, not the database's, and is not flagged.

    Bad:
        CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'SQL_ASCII' LOCALE = 'C';

    Good:
        CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE = 'C.UTF-8';

    Fix: Create a new database WITH ENCODING 'UTF8', then dump the old one and restore it into
    the new one, converting or repairing text that is not valid in the declared client encoding
    (for example with iconv) on the way.
    """
    db = ctx.schema.database
    if db is not None and db.encoding == "SQL_ASCII":
        yield Hit(
            db.name,
            f"database {db.name} uses the SQL_ASCII encoding (bytes are stored unchecked)",
            db.origin,
            f"dump {db.name} and restore it into a new database made WITH ENCODING 'UTF8'",
        )
