"""Migration safety on PostgreSQL: ALTER TABLE on columns (MIG008-MIG012).

The lock facts and their sources are those of :mod:`migrations_pg_alter` (the constraint
rules); every lock and rewrite claim here is proven on PostgreSQL 15 and 16 by
tests/integration/test_migration_lint_pg_rewrites.py (pg_class.relfilenode before and after).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pglast import parser

from dbdesign.dialects.postgres import SERIAL_TYPES, quote_ident
from dbdesign.lint.findings import Hit
from dbdesign.lint.migration.context import StatementContext
from dbdesign.lint.migration.pg import (
    ACCESS_EXCLUSIVE,
    QUEUE,
    lock,
    qualified,
)
from dbdesign.lint.migration.pg_types import UTC_ZONES, VOLATILE, rewrites
from dbdesign.lint.registry import migration_rule
from dbdesign.lint.rules.migrations_pg_common import (
    LATER,
    NO_TX,
    Tree,
    added_columns,
    added_constraint,
    alter_in_use,
    column_constraints,
    ignore_line,
    not_null_steps,
    pg_name,
    state_column,
    str_names,
    table_name,
    type_sql,
)
from dbdesign.model import DataType
from dbdesign.readers.ddl.pgast import deparse

BATCHES = "-- backfill the existing rows in batches, each batch its own transaction:"


# --------------------------------------------------------------------------- MIG008


@migration_rule("MIG008", "volatile-default-rewrite", "error", kinds=("AlterTableStmt",))
def volatile_default_rewrite(ctx: StatementContext) -> Iterator[Hit]:
    """ADD COLUMN with a default that rewrites the table.

    Rationale: since PostgreSQL 11 a column added with a non-volatile default (a constant,
    now(), CURRENT_TIMESTAMP: STABLE) costs nothing: the value is evaluated once and kept in the
    catalog. A volatile default (random(), gen_random_uuid(), clock_timestamp(), nextval(),
    uuid_generate_v4() ...) is evaluated per row, so the whole table is rewritten under an
    ACCESS EXCLUSIVE lock, with every index rebuilt (the PostgreSQL documentation, "ALTER
    TABLE", Notes: "Adding a column with a volatile DEFAULT ... will require the entire table
    and its indexes to be rewritten"; the volatility is pg_proc.provolatile). Before
    PostgreSQL 11 every non-null default rewrites. A function the schema defines is judged by
    its own volatility; a function the linter does not know is not reported.

    Bad:
        ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();

    Good:
        ALTER TABLE orders ADD COLUMN token uuid;
        ALTER TABLE orders ALTER COLUMN token SET DEFAULT gen_random_uuid();
        -- then backfill the old rows in batches

    Fix: add the column without the default, SET DEFAULT afterwards (it applies to new rows
    only, no rewrite), and backfill the existing rows in batches of their own transactions.
    """
    found = alter_in_use(ctx)
    if found is None:
        return
    key, cmds = found
    table = qualified(key)
    for cd in added_columns(cmds):
        cons = column_constraints(cd)
        if _fills_per_row(cd, cons):
            continue  # MIG009
        default = next((c["raw_expr"] for c in cons if c["contype"] == "CONSTR_DEFAULT"), None)
        if default is None or ("A_Const" in default and default["A_Const"].get("isnull")):
            continue
        volatile = _volatile(ctx, default)
        if ctx.server.at_least(11) and not volatile:
            continue
        col = cd["colname"]
        expr = deparse(default)
        why = (
            f"its default calls {volatile}(), which is VOLATILE"
            if volatile
            else f"{ctx.server} stores every non-null default in each row (11+ does not)"
        )
        lines = [
            f"ALTER TABLE {table} ADD COLUMN {quote_ident(col)} {type_sql(cd)};",
            f"ALTER TABLE {table} ALTER COLUMN {quote_ident(col)} SET DEFAULT {expr};",
            BATCHES,
            f"-- UPDATE {table} SET {quote_ident(col)} = {expr} WHERE {quote_ident(col)} IS NULL "
            "AND <key> BETWEEN <lo> AND <hi>;",
        ]
        if any(c["contype"] == "CONSTR_NOTNULL" for c in cons):
            lines += [LATER, *not_null_steps(table, table_name(key), col)]
        yield Hit(
            f"{key}.{col}",
            f"ADD COLUMN {col} rewrites {key} and rebuilds its indexes ({why}), under an "
            f"{lock(ACCESS_EXCLUSIVE, key)}" + QUEUE.format(table=key),
            fix="\n".join(lines),
        )


def _fills_per_row(cd: Tree, cons: list[Tree]) -> bool:
    names = str_names(cd["typeName"].get("names"))
    return (len(names) == 1 and names[0].lower() in SERIAL_TYPES) or any(
        c["contype"] in ("CONSTR_IDENTITY", "CONSTR_GENERATED") for c in cons
    )


def _volatile(ctx: StatementContext, tree: Any) -> str | None:
    """The first volatile function an expression calls (None: none known)."""
    if isinstance(tree, list):
        return next((v for t in tree if (v := _volatile(ctx, t))), None)
    if not isinstance(tree, dict):
        return None
    call = tree.get("FuncCall")
    if call is not None:
        names = str_names(call.get("funcname"))
        if _function_volatile(ctx, names):
            return ".".join(names)
    return next((v for t in tree.values() if (v := _volatile(ctx, t))), None)


def _function_volatile(ctx: StatementContext, names: list[str]) -> bool:
    name = names[-1]
    schema = names[0] if len(names) > 1 else None
    own = [
        f
        for f in ctx.state.functions.values()
        if f.name == name and (schema is None or f.schema == schema)
    ]
    if own:
        return any(f.volatility == "VOLATILE" for f in own)
    return (schema in (None, "pg_catalog", "public", "extensions")) and name.lower() in VOLATILE


# --------------------------------------------------------------------------- MIG009


@migration_rule("MIG009", "add-column-rewrite", "error", kinds=("AlterTableStmt",))
def add_column_rewrite(ctx: StatementContext) -> Iterator[Hit]:
    """ADD COLUMN of a stored generated, identity or serial column on a table in use.

    Rationale: these columns get a value computed for every existing row: a stored generated
    column its expression, an identity or serial column the next value of its sequence (nextval
    is volatile). PostgreSQL rewrites the whole table and rebuilds its indexes under an ACCESS
    EXCLUSIVE lock (the PostgreSQL documentation, "ALTER TABLE", Notes on ADD COLUMN; "CREATE
    TABLE": GENERATED ... STORED). ALTER COLUMN ... SET EXPRESSION (PostgreSQL 17) rewrites the
    same way. Turning an existing NOT NULL column into an identity column (ALTER COLUMN ... ADD
    GENERATED ... AS IDENTITY) does not rewrite.

    Bad:
        ALTER TABLE events ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;

    Good:
        ALTER TABLE events ADD COLUMN id bigint;
        -- backfill in batches, make it NOT NULL through a validated CHECK, then:
        ALTER TABLE events ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;

    Fix: identity or serial: add a plain column filled from a sequence of its own (a default for
    new rows, batches for the old), set it NOT NULL without a scan, then ALTER COLUMN ... DROP
    DEFAULT, ADD GENERATED ALWAYS / BY DEFAULT (as the statement said; serial: BY DEFAULT) AS
    IDENTITY, restart it past the filled values and drop the filling sequence. Stored
    generated: there is no rewrite-free form on PostgreSQL 17 and earlier; a plain column kept
    by a trigger and backfilled in batches does the same job.
    """
    found = alter_in_use(ctx)
    if found is None:
        return
    key, cmds = found
    table = qualified(key)
    tname = table_name(key)
    for cd in added_columns(cmds):
        cons = column_constraints(cd)
        if not _fills_per_row(cd, cons):
            continue
        col = cd["colname"]
        q = quote_ident(col)
        gen = next((c for c in cons if c["contype"] == "CONSTR_GENERATED"), None)
        names = str_names(cd["typeName"].get("names"))
        if gen is not None:
            what = "a stored generated column: its expression is computed for every row"
            expr = deparse(gen["raw_expr"])
            fn = quote_ident(pg_name(tname, col, "fill"))
            lines = [
                "-- no rewrite-free form for a stored generated column: a plain column kept by "
                "a trigger instead",
                f"ALTER TABLE {table} ADD COLUMN {q} {type_sql(cd)};",
                f"CREATE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"NEW.{q} := {_new_refs(expr)}; RETURN NEW; END $$;",
                f"CREATE TRIGGER {fn} BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW "
                f"EXECUTE FUNCTION {fn}();",
                BATCHES,
                f"-- UPDATE {table} SET {q} = {expr} WHERE {q} IS NULL AND <key> BETWEEN <lo> "
                "AND <hi>;",
            ]
        else:
            serial = len(names) == 1 and names[0].lower() in SERIAL_TYPES
            what = (
                f"a {names[0].lower()} column" if serial else "an identity column"
            ) + ": a sequence value is drawn for every row"
            base = (
                {
                    "smallserial": "smallint",
                    "serial2": "smallint",
                    "serial": "integer",
                    "serial4": "integer",
                }.get(names[0].lower(), "bigint")
                if serial
                else (type_sql(cd))
            )
            always = any(c.get("generated_when") == "a" for c in cons)
            lines = _identity_steps(key, col, base, "ALWAYS" if always else "BY DEFAULT")
        yield Hit(
            f"{key}.{col}",
            f"ADD COLUMN {col} rewrites {key} and rebuilds its indexes ({what}), under an "
            f"{lock(ACCESS_EXCLUSIVE, key)}" + QUEUE.format(table=key),
            fix="\n".join(lines),
        )
    for cmd in cmds:
        if cmd.get("subtype") == "AT_SetExpression":
            col = cmd.get("name") or ""
            yield Hit(
                f"{key}.{col}",
                f"SET EXPRESSION on {col} recomputes it for every row: a rewrite of {key} "
                f"under an {lock(ACCESS_EXCLUSIVE, key)}" + QUEUE.format(table=key),
                fix="-- no rewrite-free form: run it in a maintenance window, with\n"
                "SET lock_timeout = '2s';\n"
                + ignore_line("MIG009", "no rewrite-free form: run in a quiet window")
                + "\n"
                + ctx.stmt.text.rstrip(";")
                + ";",
            )


def _identity_steps(key: str, col: str, base: str, when: str) -> list[str]:
    """A plain column filled from a sequence of its own (a default for new rows, batches for
    the old), made NOT NULL through a validated CHECK, then turned into the identity column
    (GENERATED ``when``), its sequence moved past the filled values, the filling one dropped."""
    table, q = qualified(key), quote_ident(col)
    seq = qualified(f"{key.split('.', 1)[0]}.{pg_name(table_name(key), col, 'fill_seq')}")
    steps = not_null_steps(table, table_name(key), col)
    return [
        f"ALTER TABLE {table} ADD COLUMN {q} {base};",
        f"CREATE SEQUENCE {seq};",
        f"ALTER TABLE {table} ALTER COLUMN {q} SET DEFAULT nextval('{seq}');  -- for new rows",
        BATCHES,
        f"-- UPDATE {table} SET {q} = nextval('{seq}') "
        f"WHERE {q} IS NULL AND <key> BETWEEN <lo> AND <hi>;",
        LATER,
        *steps[:1],
        LATER,
        *steps[2:],
        f"ALTER TABLE {table} ALTER COLUMN {q} DROP DEFAULT, "
        f"ALTER COLUMN {q} ADD GENERATED {when} AS IDENTITY;",
        f"SELECT setval(pg_get_serial_sequence('{table}', '{col}'), max({q})) FROM {table};",
        f"DROP SEQUENCE {seq};",
    ]


def _new_refs(expr: str) -> str:
    """A generated column's expression inside a row trigger (columns as NEW.col)."""
    try:
        tree = json.loads(parser.parse_sql_json(f"SELECT {expr}"))["stmts"][0]["stmt"]
    except parser.ParseError:
        return expr
    val = tree["SelectStmt"]["targetList"][0]["ResTarget"]["val"]

    def walk(t: Any) -> None:
        if isinstance(t, list):
            for x in t:
                walk(x)
        elif isinstance(t, dict):
            ref = t.get("ColumnRef")
            if ref is not None and len(ref.get("fields") or ()) == 1:
                ref["fields"] = [{"String": {"sval": "new"}}, *ref["fields"]]
            for v in t.values():
                walk(v)

    walk(val)
    return deparse(val)


# --------------------------------------------------------------------------- MIG010


@migration_rule("MIG010", "column-type-rewrite", "error", kinds=("AlterTableStmt",))
def column_type_rewrite(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER COLUMN ... TYPE that rewrites a table in use.

    Rationale: changing a column's type rewrites the whole table and rebuilds its indexes under
    an ACCESS EXCLUSIVE lock, unless the change is binary coercible (the PostgreSQL
    documentation, "ALTER TABLE", Notes: "changing the type of an existing column will require
    the entire table and its indexes to be rewritten", with the binary-coercible exceptions).
    Free (no rewrite, measured by relfilenode on PostgreSQL 15 and 16): varchar(n) to a longer
    varchar, to varchar or to text; text to varchar without a limit; numeric(p,s) to a larger
    precision with the same scale, or to numeric; bit varying widened; timestamp/time precision
    raised; cidr to inet; timestamp to/from timestamptz on 12+ when the session's TimeZone is
    UTC. Shortening a varchar rewrites (every value is re-checked), as does int to bigint.
    The session's TimeZone is only known when the file sets it (SET TIME ZONE 'UTC'), so
    without that a timestamp/timestamptz change is reported. A USING expression other than the
    column itself rewrites. The old type comes from the schema; when the linter does not know
    the column, the change is reported as a likely rewrite.

    Bad:
        ALTER TABLE orders ALTER COLUMN id TYPE bigint;

    Good:
        ALTER TABLE orders ALTER COLUMN note TYPE text;  -- was varchar(200): no rewrite

    Fix: add a new column of the new type, keep it in step (trigger), backfill it in batches,
    make its NOT NULL (through a validated CHECK) and its one-column keys and indexes again
    (CONCURRENTLY), then switch reads and writes to it, drop the old column and attach the keys
    (ADD ... USING INDEX) in a later migration.
    """
    found = alter_in_use(ctx)
    if found is None:
        return
    key, cmds = found
    table = qualified(key)
    for cmd in cmds:
        if cmd.get("subtype") != "AT_AlterColumnType":
            continue
        name = cmd.get("name") or ""
        cd = cmd["def"]["ColumnDef"]
        new: DataType = ctx.state._type(cd["typeName"])[0]
        using = cd.get("raw_default")
        col = state_column(ctx, key, name)
        if using is not None and not _is_column(using, name):
            why = "the USING expression computes every row's new value"
        elif col is None:
            why = f"the linter does not know the old type of {name} (give --schema)"
        elif not rewrites(col.type, new, utc=_utc(ctx), server_12=ctx.server.at_least(12)):
            continue
        else:
            why = f"{col.type} to {new} is not binary coercible"
            if {col.type.name, new.name} <= {
                "timestamp without time zone",
                "timestamp with time zone",
            }:
                why += (
                    " unless the session's TimeZone is UTC on PostgreSQL 12+ (SET TIME ZONE "
                    "'UTC' earlier in the file, if the stored values are UTC)"
                )
        q = quote_ident(name)
        tmp = quote_ident(pg_name(name, "new"))
        expr = deparse(using) if using is not None else f"{q}::{type_sql(cd)}"
        fix = "\n".join(
            [
                f"ALTER TABLE {table} ADD COLUMN {tmp} {type_sql(cd)};",
                "-- keep it in step with a trigger (NEW." + tmp + " := <expr>), then",
                BATCHES,
                f"-- UPDATE {table} SET {tmp} = {expr} WHERE <key> BETWEEN <lo> AND <hi>;",
                *_swap_steps(ctx, key, name, tmp),
            ]
        )
        yield Hit(
            f"{key}.{name}",
            f"ALTER COLUMN {name} TYPE rewrites {key} and rebuilds its indexes ({why}), under "
            f"an {lock(ACCESS_EXCLUSIVE, key)}" + QUEUE.format(table=key),
            fix=fix,
        )


def _swap_steps(ctx: StatementContext, key: str, name: str, tmp: str) -> list[str]:
    """After the backfill of ``tmp``: what ``name`` has made again on it (NOT NULL through a
    validated CHECK; its one-column primary key, unique constraints and plain indexes built
    CONCURRENTLY), then the swap: drop ``name``, rename ``tmp``, attach the keys."""
    table, q, tname = qualified(key), quote_ident(name), table_name(key)
    col, tb = state_column(ctx, key, name), ctx.state.tables.get(key)
    steps = [LATER, *not_null_steps(table, tname, tmp)] if col and not col.nullable else []
    swap = [f"ALTER TABLE {table} RENAME COLUMN {tmp} TO {q};"]
    keys = [(c.name, "PRIMARY KEY") for c in [tb and tb.primary_key] if c and c.columns == (name,)]
    keys += [
        (u.name, "UNIQUE") for u in (tb.uniques.values() if tb else ()) if u.columns == (name,)
    ]
    for con, kind in keys:
        idx = quote_ident(pg_name(con, "new"))
        steps += [_OWN, NO_TX, f"CREATE UNIQUE INDEX CONCURRENTLY {idx} ON {table} ({tmp});"]
        swap.append(
            f"ALTER TABLE {table} ADD CONSTRAINT {quote_ident(con)} {kind} USING INDEX {idx};"
        )
    for ix in ctx.state.indexes.values():
        if ix.table != tname or [e.column for e in ix.elements] != [name] or ix.where or ix.unique:
            continue
        new = qualified(f"{ix.schema}.{pg_name(ix.name, 'new')}")
        steps += [
            _OWN,
            NO_TX,
            f"CREATE INDEX CONCURRENTLY {new} ON {table} USING {ix.method} ({tmp});",
        ]
        swap.append(f"ALTER INDEX {new} RENAME TO {quote_ident(ix.name)};")
    return [
        *steps,
        LATER,
        f"-- switch the code to {tmp}, then:",
        ignore_line("MIG030", f"every client uses {tmp} now"),
        f"ALTER TABLE {table} DROP COLUMN {q};",
        *swap,
    ]


_OWN = "-- a migration of its own:"


def _is_column(tree: Tree, column: str) -> bool:
    """USING col or USING col::type: the same conversion as no USING."""
    if "TypeCast" in tree:
        tree = tree["TypeCast"]["arg"]
    ref = tree.get("ColumnRef")
    return ref is not None and str_names(ref.get("fields")) == [column]


def _utc(ctx: StatementContext) -> bool:
    """Whether the file set the session's TimeZone to UTC before this statement."""
    utc = False
    for stmt in ctx.session.statements:
        node = stmt.node or {}
        if stmt.kind != "VariableSetStmt" or str(node.get("name", "")).lower() != "timezone":
            continue
        args = node.get("args") or ()
        value = ""
        if node.get("kind") == "VAR_SET_VALUE" and args:
            const = args[0].get("A_Const", {})
            v = const.get("sval", const.get("ival", {}))
            value = str(v.get("sval", v.get("ival", 0)))
        utc = value.lower() in UTC_ZONES
    return utc


# --------------------------------------------------------------------------- MIG011


@migration_rule("MIG011", "add-exclusion-constraint", "error", kinds=("AlterTableStmt",))
def add_exclusion_constraint(ctx: StatementContext) -> Iterator[Hit]:
    """ADD CONSTRAINT ... EXCLUDE on a table in use.

    Rationale: an exclusion constraint builds its index under an ACCESS EXCLUSIVE lock: every
    read and write of the table waits for the whole build. There is no safe form: EXCLUDE takes
    no NOT VALID, no index can be built CONCURRENTLY for it, and ADD CONSTRAINT ... USING INDEX
    accepts only unique indexes (the PostgreSQL documentation, "ALTER TABLE": ADD
    table_constraint, table_constraint_using_index; "CREATE TABLE": EXCLUDE).

    Bad:
        ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap
            EXCLUDE USING gist (room_id WITH =, during WITH &&);

    Good:
        -- a quiet moment, with a lock timeout so the wait cannot stall the table
        SET lock_timeout = '2s';
        ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap
            EXCLUDE USING gist (room_id WITH =, during WITH &&);

    Fix: no online form exists: run it when the table can be locked for the build (a
    maintenance window), with lock_timeout set; or enforce the rule in a new table filled by a
    copy. Silence the finding with a reason once that is arranged.
    """
    found = alter_in_use(ctx)
    if found is None:
        return
    key, cmds = found
    for cmd in cmds:
        con = added_constraint(cmd)
        if con is None or con["contype"] != "CONSTR_EXCLUSION":
            continue
        yield Hit(
            key,
            f"ADD EXCLUDE builds its index under an {lock(ACCESS_EXCLUSIVE, key)}; there is no "
            "online form (no NOT VALID, no CONCURRENTLY, USING INDEX takes only unique indexes)"
            + QUEUE.format(table=key),
            fix="-- no online form: run in a maintenance window, with a lock timeout\n"
            f"SET lock_timeout = '2s';\n"
            f"{ignore_line('MIG011', 'no online form: run in a quiet window')}\n"
            f"ALTER TABLE {qualified(key)} ADD {deparse({'Constraint': con})};",
        )


# --------------------------------------------------------------------------- MIG012


@migration_rule("MIG012", "add-required-column", "error", kinds=("AlterTableStmt",))
def add_required_column(ctx: StatementContext) -> Iterator[Hit]:
    """ADD COLUMN ... NOT NULL without a default on a table in use.

    Rationale: every existing row gets NULL in the new column, so the statement fails with
    "column ... contains null values" as soon as the table has a row (the PostgreSQL
    documentation, "ALTER TABLE": ADD COLUMN fills existing rows with the default, or null).
    Identity, serial and generated columns fill themselves and are not reported here (see
    MIG009).

    Bad:
        ALTER TABLE users ADD COLUMN plan text NOT NULL;

    Good:
        ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';

    Fix: give it a constant default (free from PostgreSQL 11 on); or add it nullable, backfill,
    and set NOT NULL through a validated CHECK.
    """
    found = alter_in_use(ctx)
    if found is None:
        return
    key, cmds = found
    table = qualified(key)
    for cd in added_columns(cmds):
        cons = column_constraints(cd)
        kinds = {c["contype"] for c in cons}
        if (
            not kinds & {"CONSTR_NOTNULL", "CONSTR_PRIMARY"}
            or "CONSTR_DEFAULT" in kinds
            or _fills_per_row(cd, cons)
        ):
            continue
        col = cd["colname"]
        q = quote_ident(col)
        if ctx.server.at_least(11):
            fix = f"ALTER TABLE {table} ADD COLUMN {q} {type_sql(cd)} NOT NULL DEFAULT <value>;"
        else:
            fix = "\n".join(
                [
                    f"ALTER TABLE {table} ADD COLUMN {q} {type_sql(cd)};",
                    f"ALTER TABLE {table} ALTER COLUMN {q} SET DEFAULT <value>;",
                    BATCHES,
                    f"-- UPDATE {table} SET {q} = <value> WHERE {q} IS NULL AND <key> BETWEEN "
                    "<lo> AND <hi>;",
                    LATER,
                    *not_null_steps(table, table_name(key), col),
                ]
            )
        yield Hit(
            f"{key}.{col}",
            f"ADD COLUMN {col} NOT NULL without a default fails on {key} as soon as it has a "
            "row (the existing rows would hold NULL)",
            fix=fix,
        )
