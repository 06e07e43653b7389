"""Migration safety on PostgreSQL: ALTER TABLE on constraints (MIG003-MIG007).

Lock facts: the PostgreSQL documentation, "ALTER TABLE" (the lock each subcommand takes, and
its Notes on rewrites and scans) and "Explicit Locking" (what each lock level blocks); the
levels are those of tablecmds.c ``AlterTableGetLockLevel``. Every lock and rewrite claim here
is proven on PostgreSQL 15 and 16 by tests/integration/test_migration_lint_pg_rewrites.py
(pg_class.relfilenode before and after; pg_locks read from a second session).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from pglast import parser

from dbdesign.dialects.postgres import quote_ident
from dbdesign.lint.findings import Hit
from dbdesign.lint.migration.context import StatementContext
from dbdesign.lint.migration.pg import (
    ACCESS_EXCLUSIVE,
    QUEUE,
    SHARE_ROW_EXCLUSIVE,
    lock,
    qualified,
)
from dbdesign.lint.migration.walk_postgres import relation_key
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
from dbdesign.readers.ddl.pgast import deparse

# --------------------------------------------------------------------------- helpers


def _cols(names: list[str]) -> str:
    return ", ".join(quote_ident(n) for n in names)


def _partitioned(ctx: StatementContext, key: str) -> bool:
    t = ctx.state.tables.get(key)
    return t is not None and t.partition_by is not None


def _partitions(ctx: StatementContext, key: str) -> list[str] | None:
    """The partitions of ``key`` the linter knows, when none is partitioned itself (each takes
    the per-partition steps); None otherwise (the steps stay a template)."""
    parts = sorted(k for k, t in ctx.state.tables.items() if t.partition_of == key)
    if any(_partitioned(ctx, p) for p in parts):
        return None
    return parts


# The parent's statement after the partitions' steps: it adopts their constraints.
_ADOPTS = "the partitions' {} are adopted, no {} on the parent"


# --------------------------------------------------------------------------- MIG003


@migration_rule("MIG003", "constraint-without-not-valid", "error", kinds=("AlterTableStmt",))
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
    found = alter_in_use(ctx)
    if found is None:
        return
    key, cmds = found
    table = qualified(key)
    for cmd in cmds:
        con = added_constraint(cmd)
        if con is not None and con["contype"] in ("CONSTR_FOREIGN", "CONSTR_CHECK"):
            if con.get("skip_validation") or (
                con["contype"] == "CONSTR_CHECK" and not con.get("initially_valid")
            ):
                continue
            yield _not_valid_hit(ctx, key, table, dict(con), None)
    for cd in added_columns(cmds):
        for con in column_constraints(cd):
            if con["contype"] in ("CONSTR_FOREIGN", "CONSTR_CHECK"):
                yield _not_valid_hit(ctx, key, table, dict(con), cd)


def _not_valid_hit(ctx: StatementContext, key: str, table: str, con: Tree, cd: Tree | None) -> Hit:
    fk = con["contype"] == "CONSTR_FOREIGN"
    column = cd["colname"] if cd is not None else None
    if column is not None and fk and not con.get("fk_attrs"):
        con["fk_attrs"] = [{"String": {"sval": column}}]
    cols = str_names(con.get("fk_attrs")) if fk else ([column] if column else [])
    name = con.get("conname") or pg_name(table_name(key), *cols[:1], "fkey" if fk else "check")
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
        lines.append(f"ALTER TABLE {table} ADD COLUMN {quote_ident(column or '')} {type_sql(cd)};")
    add = f"ALTER TABLE {table} ADD {deparse({'Constraint': con})};"
    validate = f"ALTER TABLE {table} VALIDATE CONSTRAINT {quote_ident(name)};"
    if fk and _partitioned(ctx, key) and not ctx.server.at_least(18):
        lines += [
            f"-- {key} is partitioned: PostgreSQL {ctx.server.parts[0]} refuses a NOT VALID "
            "foreign key on it; add it to each partition first:",
            *_fk_per_partition(ctx, key, con, cols),
            "-- then on the parent, which adopts the partitions' validated constraints:",
            ignore_line("MIG003", _ADOPTS.format("validated foreign keys", "scan")),
            f"ALTER TABLE {table} ADD {deparse({'Constraint': {**con, 'skip_validation': 0}})};",
        ]
    else:
        lines += [add, LATER, validate]
    return Hit(key, what + QUEUE.format(table=key), fix="\n".join(lines))


# --------------------------------------------------------------------------- MIG004


@migration_rule("MIG004", "validate-in-same-transaction", "error", kinds=("AlterTableStmt",))
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

    Fix: move the VALIDATE CONSTRAINT into a later migration (its own transaction); when it is
    a subcommand of the ALTER that adds the constraint, the rest of that ALTER stays.
    """
    found = alter_in_use(ctx)
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
            fix=_without_validate(ctx, cmd)
            + f"{LATER}\nALTER TABLE {qualified(key)} VALIDATE CONSTRAINT "
            f"{quote_ident(cmd.get('name') or '')};",
        )


def _without_validate(ctx: StatementContext, validate: Tree) -> str:
    """The statement without its ``VALIDATE CONSTRAINT`` subcommand ``validate`` (and a
    newline), when it also holds other subcommands (the ADD ... NOT VALID that stays); else
    ""."""
    node = ctx.stmt.node
    kept = [c for c in node.get("cmds") or () if c.get("AlterTableCmd") is not validate]
    if not kept:
        return ""
    return deparse({"AlterTableStmt": {**node, "cmds": kept}}) + ";\n"


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
        con = added_constraint(cmd)
        if con is None or con.get("conname") != name:
            continue
        if con.get("skip_validation") or (
            con["contype"] == "CONSTR_CHECK" and not con.get("initially_valid")
        ):
            return str(con["contype"])
    return None


# --------------------------------------------------------------------------- MIG005


@migration_rule("MIG005", "set-not-null-scan", "error", kinds=("AlterTableStmt",))
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
    found = alter_in_use(ctx)
    if found is None:
        return
    key, cmds = found
    table = qualified(key)
    for cmd in cmds:
        if cmd.get("subtype") != "AT_SetNotNull":
            continue
        name = cmd.get("name") or ""
        col = state_column(ctx, key, name)
        if col is not None and not col.nullable:
            continue
        proven = _not_null_proven(ctx, key, name)
        if proven and ctx.server.at_least(12):
            continue
        msg = f"SET NOT NULL on {key}.{name} scans every row under an {lock(ACCESS_EXCLUSIVE, key)}"
        steps = not_null_steps(table, table_name(key), name)
        if ctx.server.at_least(12):
            fix = "\n".join(steps)
        else:
            msg += f" ({ctx.server} scans even when a validated CHECK proves it)"
            fix = "\n".join(
                [
                    f"-- {ctx.server}: SET NOT NULL always scans; keep a validated "
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
    return ref is not None and str_names(ref.get("fields"))[-1:] == [column]


# --------------------------------------------------------------------------- MIG006


@migration_rule("MIG006", "unique-without-using-index", "error", kinds=("AlterTableStmt",))
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

    Fix: build the index first with CREATE UNIQUE INDEX CONCURRENTLY (outside a transaction),
    then ADD CONSTRAINT ... UNIQUE / PRIMARY KEY USING INDEX.
    """
    found = alter_in_use(ctx)
    if found is None:
        return
    key, cmds = found
    for cmd in cmds:
        con = added_constraint(cmd)
        unique = con is not None and con["contype"] in ("CONSTR_UNIQUE", "CONSTR_PRIMARY")
        if con is not None and unique and not con.get("indexname"):
            yield _using_index_hit(ctx, key, con, str_names(con.get("keys")))
    for cd in added_columns(cmds):
        for con in column_constraints(cd):
            if con["contype"] in ("CONSTR_UNIQUE", "CONSTR_PRIMARY"):
                yield _using_index_hit(ctx, key, con, [cd["colname"]], cd)


def _using_index_hit(
    ctx: StatementContext, key: str, con: Tree, cols: list[str], cd: Tree | None = None
) -> Hit:
    pk = con["contype"] == "CONSTR_PRIMARY"
    kind = "PRIMARY KEY" if pk else "UNIQUE"
    tname = table_name(key)
    name = con.get("conname") or (pg_name(tname, "pkey") if pk else pg_name(tname, *cols, "key"))
    table = qualified(key)
    msg = f"ADD {kind} builds its index under an {lock(ACCESS_EXCLUSIVE, key)}"
    lines: list[str] = []
    if cd is not None:
        msg = f"ADD COLUMN {cd['colname']} {kind}: " + msg
        lines.append(f"ALTER TABLE {table} ADD COLUMN {quote_ident(cd['colname'])} {type_sql(cd)};")
        lines.append(LATER)
    if _partitioned(ctx, key):
        lines += [
            f"-- {key} is partitioned: no CONCURRENTLY index and no USING INDEX on it; build "
            "one on each partition first",
            *_unique_per_partition(ctx, key, kind, cols),
            ignore_line("MIG006", _ADOPTS.format("unique constraints", "build")),
            f"ALTER TABLE {table} ADD CONSTRAINT {quote_ident(name)} {kind} ({_cols(cols)});",
        ]
        return Hit(key, msg + QUEUE.format(table=key), fix="\n".join(lines))
    nullable = [c for c in cols if _nullable(ctx, key, c)] if pk else []
    for c in nullable:
        lines += [*not_null_steps(table, tname, c), LATER]
    nulls = " NULLS NOT DISTINCT" if con.get("nulls_not_distinct") else ""
    include = str_names(con.get("including"))
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


def _fk_per_partition(ctx: StatementContext, key: str, con: Tree, cols: list[str]) -> list[str]:
    """The foreign key NOT VALID on each partition, VALIDATE in a later migration."""
    parts = _partitions(ctx, key)
    if not parts:
        return ["-- ALTER TABLE <partition> ADD ... NOT VALID; then VALIDATE it (later migration);"]
    adds, validates = [], []
    for p in parts:
        name = quote_ident(pg_name(table_name(p), *cols[:1], "fkey"))
        one = {**con, "conname": pg_name(table_name(p), *cols[:1], "fkey")}
        adds.append(f"ALTER TABLE {qualified(p)} ADD {deparse({'Constraint': one})};")
        validates.append(f"ALTER TABLE {qualified(p)} VALIDATE CONSTRAINT {name};")
    return [*adds, LATER, *validates, LATER]


def _unique_per_partition(ctx: StatementContext, key: str, kind: str, cols: list[str]) -> list[str]:
    """The unique index built CONCURRENTLY on each partition, then its constraint USING it."""
    parts = _partitions(ctx, key)
    if not parts:
        return [
            "-- on each partition: CREATE UNIQUE INDEX CONCURRENTLY ... (outside a transaction), "
            "ADD CONSTRAINT ... USING INDEX it, then:"
        ]
    builds, uses = [NO_TX], []
    for p in parts:
        pk = kind == "PRIMARY KEY"
        idx = quote_ident(pg_name(table_name(p), *([] if pk else cols), "pkey" if pk else "key"))
        builds.append(f"CREATE UNIQUE INDEX CONCURRENTLY {idx} ON {qualified(p)} ({_cols(cols)});")
        uses.append(f"ALTER TABLE {qualified(p)} ADD CONSTRAINT {idx} {kind} USING INDEX {idx};")
    return [*builds, LATER, *uses]


def _nullable(ctx: StatementContext, key: str, column: str) -> bool:
    """Whether ``column`` may hold NULL: unknown columns count as nullable."""
    col = state_column(ctx, key, column)
    return col is None or (col.nullable and not _not_null_proven(ctx, key, column))


# --------------------------------------------------------------------------- MIG007


@migration_rule("MIG007", "primary-key-using-nullable-index", "error", kinds=("AlterTableStmt",))
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
    found = alter_in_use(ctx)
    if found is None:
        return
    key, cmds = found
    table = qualified(key)
    schema = key.split(".", 1)[0]
    for cmd in cmds:
        con = added_constraint(cmd)
        if con is None or con["contype"] != "CONSTR_PRIMARY" or not con.get("indexname"):
            continue
        index = ctx.state.indexes.get(f"{schema}.{con['indexname']}")
        if index is None:
            continue
        cols = [e.column for e in index.elements if e.column]
        nullable = [
            c
            for c in cols
            if (col := state_column(ctx, key, c)) is not None
            and col.nullable
            and not (ctx.server.at_least(12) and _not_null_proven(ctx, key, c))
        ]
        if not nullable:
            continue
        steps: list[str] = []
        for c in nullable:
            steps += [*not_null_steps(table, table_name(key), c), LATER]
        name = con.get("conname") or pg_name(table_name(key), "pkey")
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
