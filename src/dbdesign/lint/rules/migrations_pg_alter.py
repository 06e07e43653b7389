"""Migration safety on PostgreSQL: ALTER TABLE on constraints and columns.

Lock facts: the PostgreSQL documentation, "ALTER TABLE" (the lock each subcommand takes, and
its Notes on rewrites and scans) and "Explicit Locking" (what each lock level blocks); the
levels are those of tablecmds.c ``AlterTableGetLockLevel``. Every lock and rewrite claim here
is proven on PostgreSQL 15 and 16 by tests/integration/test_migration_lint_pg_rewrites.py
(pg_class.relfilenode before and after; pg_locks read from a second session).
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
    SHARE_ROW_EXCLUSIVE,
    lock,
    qualified,
    table_in_use,
)
from dbdesign.lint.migration.pg_types import UTC_ZONES, VOLATILE, rewrites
from dbdesign.lint.migration.walk_postgres import relation_key
from dbdesign.lint.registry import migration_rule
from dbdesign.model import DataType
from dbdesign.readers.ddl.pgast import deparse

Tree = dict[str, Any]
LATER = "-- in a later migration (its own transaction):"
BATCHES = "-- backfill the existing rows in batches, each batch its own transaction:"


# --------------------------------------------------------------------------- helpers


def _alter(ctx: StatementContext) -> tuple[str, list[Tree]] | None:
    """The table (when in use) and the subcommands of an ALTER TABLE; None otherwise."""
    node = ctx.stmt.node
    if ctx.stmt.kind != "AlterTableStmt" or node.get("objtype", "OBJECT_TABLE") != "OBJECT_TABLE":
        return None
    key = table_in_use(ctx, node["relation"])
    if key is None:
        return None
    return key, [c["AlterTableCmd"] for c in node.get("cmds") or () if "AlterTableCmd" in c]


def _constraint(cmd: Tree) -> Tree | None:
    if cmd.get("subtype") != "AT_AddConstraint":
        return None
    con: Tree | None = (cmd.get("def") or {}).get("Constraint")
    return con


def _strs(items: Any) -> list[str]:
    return [i["String"]["sval"] for i in items or () if "String" in i]


def _cols(names: list[str]) -> str:
    return ", ".join(quote_ident(n) for n in names)


def _table_name(key: str) -> str:
    return key.split(".", 1)[1]


def _name(*parts: str) -> str:
    """A constraint or index name as PostgreSQL makes one, cut to 63 bytes."""
    return "_".join(p for p in parts if p)[:63]


def _column(ctx: StatementContext, key: str, name: str) -> Any:
    t = ctx.state.tables.get(key)
    if t is None:
        return None
    return next((c for c in t.columns if c.name == name), None)


def _partitioned(ctx: StatementContext, key: str) -> bool:
    t = ctx.state.tables.get(key)
    return t is not None and t.partition_by is not None


def _not_null_steps(table: str, tname: str, column: str) -> list[str]:
    """SET NOT NULL without a long ACCESS EXCLUSIVE scan (PostgreSQL 12+)."""
    check = quote_ident(_name(tname, column, "not_null"))
    col = quote_ident(column)
    return [
        f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({col} IS NOT NULL) NOT VALID;",
        LATER,
        f"ALTER TABLE {table} VALIDATE CONSTRAINT {check};",
        f"ALTER TABLE {table} ALTER COLUMN {col} SET NOT NULL;",
        f"ALTER TABLE {table} DROP CONSTRAINT {check};",
    ]


def _added_columns(cmds: list[Tree]) -> Iterator[Tree]:
    for cmd in cmds:
        if cmd.get("subtype") == "AT_AddColumn":
            yield cmd["def"]["ColumnDef"]


def _col_constraints(cd: Tree) -> list[Tree]:
    return [c["Constraint"] for c in cd.get("constraints") or () if "Constraint" in c]


def _type_sql(cd: Tree) -> str:
    return deparse(cd["typeName"], "TypeName")


# --------------------------------------------------------------------------- MIG003


@migration_rule("MIG003", "constraint-without-not-valid", "error")
def constraint_without_not_valid(ctx: StatementContext) -> Iterator[Hit]:
    """ADD FOREIGN KEY or CHECK on a table in use, without NOT VALID.

    Rationale: adding a foreign key checks every existing row while holding a SHARE ROW
    EXCLUSIVE lock on both the table and the referenced table, so writes to both wait for the
    whole scan; adding a CHECK constraint scans the table under an ACCESS EXCLUSIVE lock, so
    even reads wait (the PostgreSQL documentation, "ALTER TABLE": ADD table_constraint and its
    Notes; "Explicit Locking"). With NOT VALID the constraint is recorded without the scan
    (new rows are checked at once) and the lock is held only for a moment; VALIDATE CONSTRAINT
    later checks the old rows under a SHARE UPDATE EXCLUSIVE lock, which lets reads and writes
    go on. A column added with REFERENCES or CHECK is checked the same way. Partitioned tables
    on PostgreSQL 17 and earlier refuse a NOT VALID foreign key ("not yet supported on
    partitioned tables"): the fix adds it to each partition first. UNIQUE, PRIMARY KEY and
    EXCLUDE take no NOT VALID (see MIG006, MIG011).

    Bad:
        ALTER TABLE orders ADD CONSTRAINT orders_customer_fkey
            FOREIGN KEY (customer_id) REFERENCES customers (id);

    Good:
        ALTER TABLE orders ADD CONSTRAINT orders_customer_fkey
            FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
        -- in a later migration:
        ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fkey;

    Fix: add the constraint NOT VALID, then VALIDATE CONSTRAINT in a later migration (a
    separate transaction: in the same one, the first lock is still held while it validates).
    """
    found = _alter(ctx)
    if found is None:
        return
    key, cmds = found
    table = qualified(key)
    for cmd in cmds:
        con = _constraint(cmd)
        if con is not None and con["contype"] in ("CONSTR_FOREIGN", "CONSTR_CHECK"):
            if con.get("skip_validation") or (
                con["contype"] == "CONSTR_CHECK" and not con.get("initially_valid")
            ):
                continue
            yield _not_valid_hit(ctx, key, table, dict(con), None)
    for cd in _added_columns(cmds):
        for con in _col_constraints(cd):
            if con["contype"] in ("CONSTR_FOREIGN", "CONSTR_CHECK"):
                yield _not_valid_hit(ctx, key, table, dict(con), cd)


def _not_valid_hit(ctx: StatementContext, key: str, table: str, con: Tree, cd: Tree | None) -> Hit:
    fk = con["contype"] == "CONSTR_FOREIGN"
    column = cd["colname"] if cd is not None else None
    if column is not None and fk and not con.get("fk_attrs"):
        con["fk_attrs"] = [{"String": {"sval": column}}]
    cols = _strs(con.get("fk_attrs")) if fk else ([column] if column else [])
    name = con.get("conname") or _name(_table_name(key), *cols[:1], "fkey" if fk else "check")
    con["conname"] = name
    con["skip_validation"] = True
    con.pop("initially_valid", None)
    if fk:
        ref = relation_key(ctx.state, con["pktable"])
        what = (
            f"ADD FOREIGN KEY checks every row of {key} while holding a SHARE ROW EXCLUSIVE "
            f"lock on {key} and on {ref}: writes to both wait until it ends; reads go on"
        )
    else:
        what = f"ADD CHECK scans every row of {key} under an {lock(ACCESS_EXCLUSIVE, key)}"
    if cd is not None:
        what = f"ADD COLUMN {column} with an inline {'REFERENCES' if fk else 'CHECK'}: " + what
    lines: list[str] = []
    if cd is not None:
        lines.append(f"ALTER TABLE {table} ADD COLUMN {quote_ident(column or '')} {_type_sql(cd)};")
    add = f"ALTER TABLE {table} ADD {deparse({'Constraint': con})};"
    validate = f"ALTER TABLE {table} VALIDATE CONSTRAINT {quote_ident(name)};"
    if fk and _partitioned(ctx, key) and not ctx.server.at_least(18):
        lines += [
            f"-- {key} is partitioned: PostgreSQL {ctx.server.parts[0]} refuses a NOT VALID "
            "foreign key on it; add it to each partition first:",
            "-- ALTER TABLE <partition> ADD ... NOT VALID; then VALIDATE it (later migration);",
            "-- then on the parent, which adopts the partitions' validated constraints:",
            f"ALTER TABLE {table} ADD {deparse({'Constraint': {**con, 'skip_validation': 0}})};",
        ]
    else:
        lines += [add, LATER, validate]
    return Hit(key, what + QUEUE.format(table=key), fix="\n".join(lines))


# --------------------------------------------------------------------------- MIG004


@migration_rule("MIG004", "validate-in-same-transaction", "error")
def validate_in_same_transaction(ctx: StatementContext) -> Iterator[Hit]:
    """VALIDATE CONSTRAINT in the same transaction as the NOT VALID that added it.

    Rationale: locks are held until the transaction ends. ADD CONSTRAINT ... NOT VALID takes an
    ACCESS EXCLUSIVE lock (CHECK) or a SHARE ROW EXCLUSIVE lock on both tables (FOREIGN KEY);
    VALIDATE CONSTRAINT on its own needs only SHARE UPDATE EXCLUSIVE, but in the same
    transaction it scans the table while the first lock is still held, so NOT VALID bought
    nothing (the PostgreSQL documentation, "ALTER TABLE": VALIDATE CONSTRAINT; "Explicit
    Locking": locks are released at transaction end). The runner's transaction counts: a
    dbdesign, Flyway or dbmate file is one transaction unless it says otherwise.

    Bad:
        ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
        ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;

    Good:
        ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
        -- in a later migration:
        ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;

    Fix: move the VALIDATE CONSTRAINT into a later migration (its own transaction).
    """
    found = _alter(ctx)
    if found is None:
        return
    key, cmds = found
    for i, cmd in enumerate(cmds):
        if cmd.get("subtype") != "AT_ValidateConstraint":
            continue
        added = _not_valid_added(ctx, key, cmd.get("name") or "", cmds[:i])
        if added is None:
            continue
        level = SHARE_ROW_EXCLUSIVE if added == "CONSTR_FOREIGN" else ACCESS_EXCLUSIVE
        yield Hit(
            key,
            f"VALIDATE CONSTRAINT {cmd.get('name')} in the same transaction as the NOT VALID "
            f"that added it: the scan runs while the ADD's {lock(level, key)}",
            fix=f"{LATER}\nALTER TABLE {qualified(key)} VALIDATE CONSTRAINT "
            f"{quote_ident(cmd.get('name') or '')};",
        )


def _not_valid_added(ctx: StatementContext, key: str, name: str, same: list[Tree]) -> str | None:
    """The contype of the NOT VALID constraint ``name`` on ``key`` added earlier in the
    transaction (or earlier in the same statement); None when there is none."""
    cmds = list(same)
    if ctx.in_transaction:
        for stmt in ctx.earlier_in_transaction():
            if (
                stmt.kind != "AlterTableStmt"
                or relation_key(ctx.state, stmt.node["relation"]) != key
            ):
                continue
            cmds = [c["AlterTableCmd"] for c in stmt.node.get("cmds") or ()] + cmds
    for cmd in cmds:
        con = _constraint(cmd)
        if con is None or con.get("conname") != name:
            continue
        if con.get("skip_validation") or (
            con["contype"] == "CONSTR_CHECK" and not con.get("initially_valid")
        ):
            return str(con["contype"])
    return None


# --------------------------------------------------------------------------- MIG005


@migration_rule("MIG005", "set-not-null-scan", "error")
def set_not_null_scan(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER COLUMN ... SET NOT NULL on a table in use, with no validated CHECK to prove it.

    Rationale: SET NOT NULL scans the whole table to prove no row holds NULL, under an ACCESS
    EXCLUSIVE lock: every read and write waits for the scan. From PostgreSQL 12 on the scan is
    skipped when a validated CHECK constraint proves the column is not null (the PostgreSQL
    documentation, "ALTER TABLE": SET/DROP NOT NULL), and such a check can be added NOT VALID
    and validated under a SHARE UPDATE EXCLUSIVE lock. A check validated earlier (in the schema,
    or earlier in the same file) counts; a column already NOT NULL is not scanned.

    Bad:
        ALTER TABLE users ALTER COLUMN email SET NOT NULL;

    Good:
        ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
        -- in a later migration:
        ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;
        ALTER TABLE users ALTER COLUMN email SET NOT NULL;
        ALTER TABLE users DROP CONSTRAINT users_email_not_null;

    Fix: PostgreSQL 12+: add CHECK (col IS NOT NULL) NOT VALID, validate it in a later
    migration, then SET NOT NULL (no scan) and drop the check. Before 12 the scan cannot be
    avoided: keep the validated check instead of NOT NULL.
    """
    found = _alter(ctx)
    if found is None:
        return
    key, cmds = found
    table = qualified(key)
    for cmd in cmds:
        if cmd.get("subtype") != "AT_SetNotNull":
            continue
        name = cmd.get("name") or ""
        col = _column(ctx, key, name)
        if col is not None and not col.nullable:
            continue
        proven = _not_null_proven(ctx, key, name)
        if proven and ctx.server.at_least(12):
            continue
        msg = f"SET NOT NULL on {key}.{name} scans every row under an {lock(ACCESS_EXCLUSIVE, key)}"
        steps = _not_null_steps(table, _table_name(key), name)
        if ctx.server.at_least(12):
            fix = "\n".join(steps)
        else:
            msg += f" (PostgreSQL {ctx.server} scans even when a validated CHECK proves it)"
            fix = "\n".join(
                [
                    f"-- PostgreSQL {ctx.server}: SET NOT NULL always scans; keep a validated "
                    "CHECK instead of NOT NULL (or upgrade to 12+, then SET NOT NULL is free)",
                    *([] if proven else steps[:3]),
                ]
            )
        yield Hit(f"{key}.{name}", msg + QUEUE.format(table=key), fix=fix)


def _not_null_proven(ctx: StatementContext, key: str, column: str) -> bool:
    """A validated CHECK on ``key`` whose expression is (or ANDs) ``column IS NOT NULL``."""
    t = ctx.state.tables.get(key)
    if t is None:
        return False
    return any(c.validated and _implies_not_null(c.expr.text, column) for c in t.checks.values())


def _implies_not_null(expr: str, column: str) -> bool:
    try:
        stmts = json.loads(parser.parse_sql_json(f"SELECT {expr}"))["stmts"]
        tree = stmts[0]["stmt"]["SelectStmt"]["targetList"][0]["ResTarget"]["val"]
    except (parser.ParseError, KeyError, IndexError):
        return False
    return _proves(tree, column)


def _proves(tree: Tree, column: str) -> bool:
    if "BoolExpr" in tree and tree["BoolExpr"]["boolop"] == "AND_EXPR":
        return any(_proves(a, column) for a in tree["BoolExpr"]["args"])
    test = tree.get("NullTest")
    if test is None or test.get("nulltesttype") != "IS_NOT_NULL":
        return False
    ref = test.get("arg", {}).get("ColumnRef")
    return ref is not None and _strs(ref.get("fields"))[-1:] == [column]


# --------------------------------------------------------------------------- MIG006


@migration_rule("MIG006", "unique-without-using-index", "error")
def unique_without_using_index(ctx: StatementContext) -> Iterator[Hit]:
    """ADD UNIQUE or PRIMARY KEY on a table in use, without USING INDEX.

    Rationale: ADD CONSTRAINT ... UNIQUE / PRIMARY KEY builds its index under an ACCESS
    EXCLUSIVE lock: every read and write of the table waits for the whole build (the
    PostgreSQL documentation, "ALTER TABLE": ADD table_constraint; tablecmds.c takes
    AccessExclusiveLock for it). NOT VALID is no way out: the server rejects it for UNIQUE and
    PRIMARY KEY. Build the unique index with CREATE UNIQUE INDEX CONCURRENTLY instead (writes go
    on), then ADD CONSTRAINT ... USING INDEX, which only records the constraint. A PRIMARY KEY
    also sets its columns NOT NULL, a scan of its own when they are nullable (MIG005). A
    partitioned table takes no CONCURRENTLY index and no USING INDEX: build the index on each
    partition concurrently first, and the parent's constraint adopts them.

    Bad:
        ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);

    Good:
        -- dbdesign: no-transaction
        CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);
        -- in a later migration:
        ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;

    Fix: CREATE UNIQUE INDEX CONCURRENTLY (outside a transaction), then ADD CONSTRAINT ...
    UNIQUE / PRIMARY KEY USING INDEX.
    """
    found = _alter(ctx)
    if found is None:
        return
    key, cmds = found
    for cmd in cmds:
        con = _constraint(cmd)
        unique = con is not None and con["contype"] in ("CONSTR_UNIQUE", "CONSTR_PRIMARY")
        if con is not None and unique and not con.get("indexname"):
            yield _using_index_hit(ctx, key, con, _strs(con.get("keys")))
    for cd in _added_columns(cmds):
        for con in _col_constraints(cd):
            if con["contype"] in ("CONSTR_UNIQUE", "CONSTR_PRIMARY"):
                yield _using_index_hit(ctx, key, con, [cd["colname"]], cd)


def _using_index_hit(
    ctx: StatementContext, key: str, con: Tree, cols: list[str], cd: Tree | None = None
) -> Hit:
    pk = con["contype"] == "CONSTR_PRIMARY"
    kind = "PRIMARY KEY" if pk else "UNIQUE"
    tname = _table_name(key)
    name = con.get("conname") or (_name(tname, "pkey") if pk else _name(tname, *cols, "key"))
    table = qualified(key)
    msg = f"ADD {kind} builds its index under an {lock(ACCESS_EXCLUSIVE, key)}"
    lines: list[str] = []
    if cd is not None:
        msg = f"ADD COLUMN {cd['colname']} {kind}: " + msg
        lines.append(
            f"ALTER TABLE {table} ADD COLUMN {quote_ident(cd['colname'])} {_type_sql(cd)};"
        )
        lines.append(LATER)
    if _partitioned(ctx, key):
        lines += [
            f"-- {key} is partitioned: no CONCURRENTLY index and no USING INDEX on it; on each "
            "partition: CREATE UNIQUE INDEX CONCURRENTLY ... (outside a transaction), then:",
            f"ALTER TABLE {table} ADD CONSTRAINT {quote_ident(name)} {kind} ({_cols(cols)});",
        ]
        return Hit(key, msg + QUEUE.format(table=key), fix="\n".join(lines))
    nullable = [c for c in cols if _nullable(ctx, key, c)] if pk else []
    for c in nullable:
        lines += [*_not_null_steps(table, tname, c), LATER]
    nulls = " NULLS NOT DISTINCT" if con.get("nulls_not_distinct") else ""
    include = _strs(con.get("including"))
    inc = f" INCLUDE ({_cols(include)})" if include else ""
    lines += [
        "-- dbdesign: no-transaction",
        f"CREATE UNIQUE INDEX CONCURRENTLY {quote_ident(name)} ON {table} "
        f"({_cols(cols)}){inc}{nulls};",
        LATER,
        f"ALTER TABLE {table} ADD CONSTRAINT {quote_ident(name)} {kind} USING INDEX "
        f"{quote_ident(name)};",
    ]
    if nullable:
        msg += f"; and it sets {', '.join(nullable)} NOT NULL, a scan of its own"
    return Hit(key, msg + QUEUE.format(table=key), fix="\n".join(lines))


def _nullable(ctx: StatementContext, key: str, column: str) -> bool:
    """Whether ``column`` may hold NULL: unknown columns count as nullable."""
    col = _column(ctx, key, column)
    return col is None or (col.nullable and not _not_null_proven(ctx, key, column))


# --------------------------------------------------------------------------- MIG007


@migration_rule("MIG007", "primary-key-using-nullable-index", "error")
def primary_key_using_nullable_index(ctx: StatementContext) -> Iterator[Hit]:
    """ADD PRIMARY KEY USING INDEX over a nullable column of a table in use.

    Rationale: a primary key's columns must be NOT NULL, so ADD CONSTRAINT ... PRIMARY KEY
    USING INDEX sets NOT NULL on every nullable column of the index: a hidden SET NOT NULL that
    scans the table under the ACCESS EXCLUSIVE lock the statement holds (the PostgreSQL
    documentation, "ALTER TABLE": ADD table_constraint_using_index and SET NOT NULL). Columns
    already NOT NULL, or proven by a validated CHECK (col IS NOT NULL) on PostgreSQL 12+, are
    not scanned. Reported only when the index is known (schema or earlier migrations).

    Bad:
        -- users.email is nullable
        ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_email_idx;

    Good:
        ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
        -- in a later migration:
        ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;
        ALTER TABLE users ALTER COLUMN email SET NOT NULL;
        ALTER TABLE users DROP CONSTRAINT users_email_not_null;
        ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_email_idx;

    Fix: make the columns NOT NULL first without a scan (CHECK ... NOT VALID, VALIDATE, SET NOT
    NULL, DROP the check), then add the primary key USING INDEX.
    """
    found = _alter(ctx)
    if found is None:
        return
    key, cmds = found
    table = qualified(key)
    schema = key.split(".", 1)[0]
    for cmd in cmds:
        con = _constraint(cmd)
        if con is None or con["contype"] != "CONSTR_PRIMARY" or not con.get("indexname"):
            continue
        index = ctx.state.indexes.get(f"{schema}.{con['indexname']}")
        if index is None:
            continue
        cols = [e.column for e in index.elements if e.column]
        nullable = [
            c
            for c in cols
            if (col := _column(ctx, key, c)) is not None
            and col.nullable
            and not (ctx.server.at_least(12) and _not_null_proven(ctx, key, c))
        ]
        if not nullable:
            continue
        steps: list[str] = []
        for c in nullable:
            steps += [*_not_null_steps(table, _table_name(key), c), LATER]
        name = con.get("conname") or _name(_table_name(key), "pkey")
        steps.append(
            f"ALTER TABLE {table} ADD CONSTRAINT {quote_ident(name)} PRIMARY KEY USING INDEX "
            f"{quote_ident(con['indexname'])};"
        )
        yield Hit(
            key,
            f"PRIMARY KEY USING INDEX {con['indexname']} sets {', '.join(nullable)} NOT NULL: "
            f"a scan of {key} under an {lock(ACCESS_EXCLUSIVE, key)}" + QUEUE.format(table=key),
            fix="\n".join(steps),
        )


# --------------------------------------------------------------------------- MIG008


@migration_rule("MIG008", "volatile-default-rewrite", "error")
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
    found = _alter(ctx)
    if found is None:
        return
    key, cmds = found
    table = qualified(key)
    for cd in _added_columns(cmds):
        cons = _col_constraints(cd)
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
            else f"PostgreSQL {ctx.server} stores every non-null default in each row (11+ does not)"
        )
        lines = [
            f"ALTER TABLE {table} ADD COLUMN {quote_ident(col)} {_type_sql(cd)};",
            f"ALTER TABLE {table} ALTER COLUMN {quote_ident(col)} SET DEFAULT {expr};",
            BATCHES,
            f"-- UPDATE {table} SET {quote_ident(col)} = {expr} WHERE {quote_ident(col)} IS NULL "
            "AND <key> BETWEEN <lo> AND <hi>;",
        ]
        if any(c["contype"] == "CONSTR_NOTNULL" for c in cons):
            lines += [LATER, *_not_null_steps(table, _table_name(key), col)]
        yield Hit(
            f"{key}.{col}",
            f"ADD COLUMN {col} rewrites {key} and rebuilds its indexes ({why}), under an "
            f"{lock(ACCESS_EXCLUSIVE, key)}" + QUEUE.format(table=key),
            fix="\n".join(lines),
        )


def _fills_per_row(cd: Tree, cons: list[Tree]) -> bool:
    names = _strs(cd["typeName"].get("names"))
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
        names = _strs(call.get("funcname"))
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


@migration_rule("MIG009", "add-column-rewrite", "error")
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
        ALTER TABLE events ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;

    Fix: identity or serial: add a plain column, backfill it in batches, set it NOT NULL without
    a scan, then ALTER COLUMN ... ADD GENERATED BY DEFAULT AS IDENTITY (restart it past the
    backfilled values). Stored generated: there is no rewrite-free form on PostgreSQL 17 and
    earlier; a plain column kept by a trigger and backfilled in batches does the same job.
    """
    found = _alter(ctx)
    if found is None:
        return
    key, cmds = found
    table = qualified(key)
    tname = _table_name(key)
    for cd in _added_columns(cmds):
        cons = _col_constraints(cd)
        if not _fills_per_row(cd, cons):
            continue
        col = cd["colname"]
        q = quote_ident(col)
        gen = next((c for c in cons if c["contype"] == "CONSTR_GENERATED"), None)
        names = _strs(cd["typeName"].get("names"))
        if gen is not None:
            what = "a stored generated column: its expression is computed for every row"
            expr = deparse(gen["raw_expr"])
            fn = quote_ident(_name(tname, col, "fill"))
            lines = [
                "-- no rewrite-free form for a stored generated column: a plain column kept by "
                "a trigger instead",
                f"ALTER TABLE {table} ADD COLUMN {q} {_type_sql(cd)};",
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
                else (_type_sql(cd))
            )
            seq = quote_ident(_name(tname, col, "seq"))
            lines = [
                f"ALTER TABLE {table} ADD COLUMN {q} {base};",
                BATCHES,
                f"-- CREATE SEQUENCE {seq}; UPDATE {table} SET {q} = nextval('{seq}') "
                f"WHERE {q} IS NULL AND <key> BETWEEN <lo> AND <hi>;",
                LATER,
                *_not_null_steps(table, tname, col)[:1],
                LATER,
                *_not_null_steps(table, tname, col)[2:],
                f"ALTER TABLE {table} ALTER COLUMN {q} ADD GENERATED BY DEFAULT AS IDENTITY;",
                f"-- then: SELECT setval(pg_get_serial_sequence('{table}', '{col}'), "
                f"max({q})) FROM {table};",
            ]
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
                "SET lock_timeout = '2s';\n" + ctx.stmt.text.rstrip(";") + ";",
            )


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


@migration_rule("MIG010", "column-type-rewrite", "error")
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
    then switch reads and writes to it and drop the old column in a later migration.
    """
    found = _alter(ctx)
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
        col = _column(ctx, key, name)
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
        tmp = quote_ident(_name(name, "new"))
        expr = deparse(using) if using is not None else f"{q}::{_type_sql(cd)}"
        fix = "\n".join(
            [
                f"ALTER TABLE {table} ADD COLUMN {tmp} {_type_sql(cd)};",
                "-- keep it in step with a trigger (NEW." + tmp + " := <expr>), then",
                BATCHES,
                f"-- UPDATE {table} SET {tmp} = {expr} WHERE <key> BETWEEN <lo> AND <hi>;",
                LATER,
                f"-- switch the code to {tmp}, then: ALTER TABLE {table} DROP COLUMN {q}; "
                f"ALTER TABLE {table} RENAME COLUMN {tmp} TO {q};",
            ]
        )
        yield Hit(
            f"{key}.{name}",
            f"ALTER COLUMN {name} TYPE rewrites {key} and rebuilds its indexes ({why}), under "
            f"an {lock(ACCESS_EXCLUSIVE, key)}" + QUEUE.format(table=key),
            fix=fix,
        )


def _is_column(tree: Tree, column: str) -> bool:
    """USING col or USING col::type: the same conversion as no USING."""
    if "TypeCast" in tree:
        tree = tree["TypeCast"]["arg"]
    ref = tree.get("ColumnRef")
    return ref is not None and _strs(ref.get("fields")) == [column]


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


@migration_rule("MIG011", "add-exclusion-constraint", "error")
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
    found = _alter(ctx)
    if found is None:
        return
    key, cmds = found
    for cmd in cmds:
        con = _constraint(cmd)
        if con is None or con["contype"] != "CONSTR_EXCLUSION":
            continue
        yield Hit(
            key,
            f"ADD EXCLUDE builds its index under an {lock(ACCESS_EXCLUSIVE, key)}; there is no "
            "online form (no NOT VALID, no CONCURRENTLY, USING INDEX takes only unique indexes)"
            + QUEUE.format(table=key),
            fix="-- no online form: run in a maintenance window, with a lock timeout\n"
            f"SET lock_timeout = '2s';\nALTER TABLE {qualified(key)} ADD "
            f"{deparse({'Constraint': con})};\n"
            "-- dbdesign: ignore MIG011 -- <why the lock is acceptable>",
        )


# --------------------------------------------------------------------------- MIG012


@migration_rule("MIG012", "add-required-column", "error")
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
    found = _alter(ctx)
    if found is None:
        return
    key, cmds = found
    table = qualified(key)
    for cd in _added_columns(cmds):
        cons = _col_constraints(cd)
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
            fix = f"ALTER TABLE {table} ADD COLUMN {q} {_type_sql(cd)} NOT NULL DEFAULT <value>;"
        else:
            fix = "\n".join(
                [
                    f"ALTER TABLE {table} ADD COLUMN {q} {_type_sql(cd)};",
                    f"ALTER TABLE {table} ALTER COLUMN {q} SET DEFAULT <value>;",
                    BATCHES,
                    f"-- UPDATE {table} SET {q} = <value> WHERE {q} IS NULL AND <key> BETWEEN "
                    "<lo> AND <hi>;",
                    LATER,
                    *_not_null_steps(table, _table_name(key), col),
                ]
            )
        yield Hit(
            f"{key}.{col}",
            f"ADD COLUMN {col} NOT NULL without a default fails on {key} as soon as it has a "
            "row (the existing rows would hold NULL)",
            fix=fix,
        )
