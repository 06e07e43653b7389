"""Migration safety on PostgreSQL: process — lock timeouts, backfills beside DDL, enum values
added in a transaction, transaction structure, integer keys (long identifiers:
:mod:`~dbdesign.lint.rules.migrations_pg_names`).

Lock facts: the PostgreSQL documentation, "Explicit Locking" (table-level lock modes and what
each conflicts with), "ALTER TABLE" (the lock each subcommand takes), "ALTER TYPE" (ADD VALUE),
"BEGIN" / "COMMIT" (the warnings for a transaction already or not in progress).

Judged and left out: ADD VALUE without BEFORE/AFTER (appending is what almost every migration
means, and only code that sorts by the enum's order notices: a rule would cry wolf); DROP NOT
NULL (see :mod:`~dbdesign.lint.rules.migrations_pg_breaking`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import parser

from dbdesign.dialects.postgres import quote_ident
from dbdesign.dialects.postgres_tx import needs_no_transaction
from dbdesign.lint.findings import Hit
from dbdesign.lint.migration.context import LintedStatement, StatementContext
from dbdesign.lint.migration.pg import qualified
from dbdesign.lint.registry import migration_rule
from dbdesign.lint.rules.migrations_pg_common import (
    LOCKING_KINDS,
    after_current,
    blocking_locks,
    blocks,
    name_list,
    rel_key,
    token_identifier,
)
from dbdesign.readers.ddl.pgast import deparse

# --------------------------------------------------------------------------- MIG020


@migration_rule(
    "MIG020", "missing-lock-timeout", "warning", dialects=("postgres",), kinds=LOCKING_KINDS
)
def missing_lock_timeout(ctx: StatementContext) -> Iterator[Hit]:
    """Lock-taking DDL on a table in use without a lock_timeout in force.

    Rationale: a statement that needs a lock blocking reads or writes (ALTER TABLE, CREATE
    INDEX, DROP, TRUNCATE, CREATE TRIGGER ...) waits for every transaction already touching the
    table, and while it waits every later query on the table queues behind it: a migration
    stuck behind one long report query takes the application down although its own work is
    instant. With lock_timeout set, the statement gives up after that time and the migration
    can be retried (the PostgreSQL documentation, "Explicit Locking": lock requests queue in
    order; "Client Connection Defaults": lock_timeout). Not reported: statements that block
    neither reads nor writes (CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT, DROP INDEX /
    REINDEX / DETACH PARTITION CONCURRENTLY), tables made earlier in the same file, CREATE
    TABLE without references to an existing table; a CREATE TABLE ... REFERENCES an existing
    table is reported (SHARE ROW EXCLUSIVE on the referenced table). Reported once per file: at
    the first such statement.

    Bad:
        ALTER TABLE orders ADD COLUMN note text;

    Good:
        SET lock_timeout = '2s';
        ALTER TABLE orders ADD COLUMN note text;

    Fix: `SET lock_timeout = '2s';` at the top of the file (SET LOCAL inside a transaction, or
    dbdesign's `lock_timeout=` header / configuration), and retry the migration in the deploy
    when it times out.
    """
    if ctx.lock_timeout or "MIG020" in ctx.session.reported:
        return
    locks = blocking_locks(ctx)
    if not locks:
        return
    ctx.session.reported.add("MIG020")
    first = locks[0]
    yield Hit(
        first.table,
        f"no lock_timeout is set before this statement, which needs the {first.level} lock "
        f"on {first.what} {first.table}: while it waits for that lock behind a running "
        f"transaction, every query on {first.table} queues behind it (and it may wait "
        "indefinitely); reported once for the file",
        fix=f"SET lock_timeout = '2s';  -- at the top of the file; retry the migration when it "
        f"times out\n{ctx.stmt.text.rstrip(';')};",
    )


# --------------------------------------------------------------------------- MIG021


_DML_KINDS = ("UpdateStmt", "DeleteStmt", "InsertStmt")


def _dml_target(ctx: StatementContext) -> dict[str, Any] | None:
    """The table a backfill writes: UPDATE, DELETE, INSERT ... SELECT (not INSERT ... VALUES)."""
    node = ctx.stmt.node or {}
    if ctx.stmt.kind in ("UpdateStmt", "DeleteStmt"):
        rel: dict[str, Any] = node["relation"]
        return rel
    if ctx.stmt.kind == "InsertStmt":
        sel = (node.get("selectStmt") or {}).get("SelectStmt", {})
        if sel.get("fromClause") or sel.get("op", "SETOP_NONE") != "SETOP_NONE":
            rel = node["relation"]
            return rel
    return None


def _batched(ctx: StatementContext, table: str) -> str:
    """The DML as a batch to repeat until it changes no row."""
    node = ctx.stmt.node or {}
    tb = ctx.state.tables.get(table)
    pk: tuple[str, ...] = ()
    if tb is not None and tb.primary_key is not None:
        pk = tb.primary_key.columns
    key = quote_ident(pk[0]) if len(pk) == 1 else "ctid"
    name = qualified(table)
    if ctx.stmt.kind == "UpdateStmt" and not node.get("fromClause"):
        printed: dict[int, str] = {}  # each value deparsed once: SET and the done test use it

        def sql(val: Any) -> str:
            if id(val) not in printed:
                printed[id(val)] = deparse(val)
            return printed[id(val)]

        sets = ", ".join(
            f"{quote_ident(t['ResTarget']['name'])} = {sql(t['ResTarget']['val'])}"
            for t in node.get("targetList") or ()
            if t.get("ResTarget", {}).get("val") is not None and t["ResTarget"].get("name")
        )
        cond = [deparse(node["whereClause"])] if node.get("whereClause") else []
        done = [
            f"{quote_ident(t['ResTarget']['name'])} IS DISTINCT FROM {sql(t['ResTarget']['val'])}"
            for t in node.get("targetList") or ()
            if t.get("ResTarget", {}).get("name") and "ColumnRef" not in str(t["ResTarget"])
        ]
        where = " AND ".join(f"({c})" for c in cond + done) or "true"
        return (
            f"UPDATE {name} SET {sets}\nWHERE {key} IN (SELECT {key} FROM {name} WHERE {where} "
            "LIMIT 10000);"
        )
    if ctx.stmt.kind == "DeleteStmt" and not node.get("usingClause"):
        where = deparse(node["whereClause"]) if node.get("whereClause") else "true"
        return (
            f"DELETE FROM {name}\nWHERE {key} IN (SELECT {key} FROM {name} WHERE {where} "
            "LIMIT 10000);"
        )
    return f"{ctx.stmt.text.rstrip(';')};  -- split into batches of about 10000 rows"


@migration_rule(
    "MIG021", "backfill-in-ddl-transaction", "error", dialects=("postgres",), kinds=_DML_KINDS
)
def backfill_in_ddl_transaction(ctx: StatementContext) -> Iterator[Hit]:
    """A data backfill (UPDATE, DELETE, INSERT ... SELECT) in the same transaction as DDL on
    the same table.

    Rationale: a lock is held until the transaction ends ("Explicit Locking": "once acquired,
    a lock is normally held until the end of the transaction"). The ACCESS EXCLUSIVE (or
    SHARE, SHARE ROW EXCLUSIVE) lock the DDL took is therefore held through the whole backfill:
    reads and writes of the table wait for all of it, minutes on a large table, although the
    DDL itself took milliseconds. The backfill's own row locks make it worse: every row it
    updates stays locked until the end. Not reported: tables made earlier in the same file,
    INSERT ... VALUES (seed rows), DDL that blocks neither reads nor writes, statements that
    run in their own transactions.

    Bad:
        ALTER TABLE orders ADD COLUMN status text;
        UPDATE orders SET status = 'new';

    Good:
        ALTER TABLE orders ADD COLUMN status text;
        -- the next migration, in batches, each its own transaction:
        UPDATE orders SET status = 'new'
        WHERE id IN (SELECT id FROM orders WHERE status IS DISTINCT FROM 'new' LIMIT 10000);

    Fix: keep the DDL alone in its migration; backfill in a migration of its own (dbdesign:
    `-- dbdesign: no-transaction`), in batches of a few thousand rows, each batch its own
    transaction, repeated until it changes no row.
    """
    rv = _dml_target(ctx)
    if rv is None or not ctx.in_transaction:
        return
    table = rel_key(ctx, rv)
    if ctx.created_here(table):
        return
    for earlier in ctx.earlier_in_transaction():
        for lk in blocking_locks(ctx, earlier):
            if lk.table != table:
                continue
            yield Hit(
                table,
                f"backfill in the same transaction as `{earlier.short}` (line {earlier.line}): "
                f"its {blocks(lk.level, table)}, and that is only at the end of this "
                "backfill (locks are held until the transaction ends)",
                fix=f"-- a migration of its own (-- dbdesign: no-transaction), repeated until "
                f"it changes no row, each batch its own transaction:\n{_batched(ctx, table)}",
            )
            return


# --------------------------------------------------------------------------- MIG022 / MIG023


def _enum_key(ctx: StatementContext, names: list[str]) -> str:
    schema, name = ctx.state._qual_names(names)
    return f"{schema}.{name}"


def _enum_made_in_transaction(ctx: StatementContext, key: str) -> bool:
    for s in ctx.earlier_in_transaction():
        if s.kind == "CreateEnumStmt" and _enum_key(ctx, name_list(s.node.get("typeName"))) == key:
            return True
    return False


def _is_add_value(kind: str, node: dict[str, Any]) -> bool:
    return kind == "AlterEnumStmt" and bool(node.get("newVal")) and not node.get("oldVal")


@migration_rule(
    "MIG022",
    "enum-value-added-in-transaction",
    "error",
    dialects=("postgres",),
    kinds=("AlterEnumStmt",),
)
def enum_value_added_in_transaction(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TYPE ... ADD VALUE inside a transaction block, before PostgreSQL 12.

    Rationale: before PostgreSQL 12, ALTER TYPE ... ADD VALUE "cannot be executed inside a
    transaction block" unless the type was created in the same transaction: the migration fails
    (the PostgreSQL 11 documentation, "ALTER TYPE", Notes). PostgreSQL 12 lifted the
    restriction (the new value just cannot be used before the commit: MIG023). The transaction
    may be the runner's.

    Bad:
        -- PostgreSQL 11, runner-wrapped file
        ALTER TYPE order_status ADD VALUE 'refunded';

    Good:
        -- dbdesign: no-transaction
        ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded';

    Fix: move the statement into a migration of its own that does not run in a transaction
    (dbdesign: `-- dbdesign: no-transaction`), with IF NOT EXISTS so a retry passes.
    """
    node = ctx.stmt.node or {}
    if not _is_add_value(ctx.stmt.kind, node) or not ctx.in_transaction:
        return
    if ctx.server.at_least(12):
        return
    key = _enum_key(ctx, name_list(node.get("typeName")))
    if _enum_made_in_transaction(ctx, key):
        return
    text = ctx.stmt.text.rstrip(";")
    if "IF NOT EXISTS" not in text.upper():
        text = text.replace(" ADD VALUE ", " ADD VALUE IF NOT EXISTS ", 1)
    yield Hit(
        key,
        f"ALTER TYPE ... ADD VALUE cannot run inside a transaction block on {ctx.server} "
        "(before PostgreSQL 12): the migration fails",
        fix=f"-- dbdesign: no-transaction\n{text};",
    )


def _string_consts(tree: Any) -> Iterator[str]:
    if isinstance(tree, dict):
        const = tree.get("A_Const")
        if const is not None and "sval" in const:
            yield const["sval"].get("sval", "")
        for v in tree.values():
            yield from _string_consts(v)
    elif isinstance(tree, list):
        for v in tree:
            yield from _string_consts(v)


def _type_names(tree: Any) -> Iterator[list[str]]:
    if isinstance(tree, dict):
        tn = tree.get("TypeName") if "TypeName" in tree else tree.get("typeName")
        if isinstance(tn, dict) and "names" in tn:
            yield name_list(tn["names"])
        for v in tree.values():
            yield from _type_names(v)
    elif isinstance(tree, list):
        for v in tree:
            yield from _type_names(v)


def _touches_enum(ctx: StatementContext, s: LintedStatement, enum: str) -> bool:
    """Whether the statement names the enum type (a cast, a column of it) or writes a table
    with a column of it."""
    node = s.node or {}
    for names in _type_names(node):
        if len(names) <= 2 and _enum_key(ctx, names) == enum:
            return True
    rel = node.get("relation")
    tb = ctx.state.tables.get(rel_key(ctx, rel)) if rel else None
    return tb is not None and any(c.type.name == enum for c in tb.columns)


@migration_rule("MIG023", "new-enum-value-used-in-transaction", "error", dialects=("postgres",))
def new_enum_value_used_in_transaction(ctx: StatementContext) -> Iterator[Hit]:
    """A value added with ALTER TYPE ... ADD VALUE used later in the same transaction.

    Rationale: since PostgreSQL 12, ADD VALUE may run in a transaction block, but "the new
    value cannot be used until after the transaction has been committed" (the PostgreSQL
    documentation, "ALTER TYPE", Notes): an INSERT, UPDATE, DEFAULT or CHECK naming it fails
    with "unsafe use of new value", and the whole migration rolls back. Not reported when the
    enum type itself was created in the same transaction (then its values may be used), or
    when the statements run in separate transactions.

    Bad:
        ALTER TYPE order_status ADD VALUE 'refunded';
        UPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL;

    Good:
        ALTER TYPE order_status ADD VALUE 'refunded';
        -- the next migration:
        UPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL;

    Fix: commit the ADD VALUE first: put the statements that use the new value in the next
    migration (or end the transaction in between).
    """
    if not ctx.in_transaction or not ctx.server.at_least(12):
        return
    added: dict[str, str] = {}
    for s in ctx.earlier_in_transaction():
        node = s.node or {}
        if _is_add_value(s.kind, node):
            key = _enum_key(ctx, name_list(node.get("typeName")))
            if not _enum_made_in_transaction(ctx, key):
                added[node["newVal"]] = key
    if not added:
        return
    for value in set(_string_consts(ctx.stmt.node)):
        enum = added.get(value)
        if enum is not None and _touches_enum(ctx, ctx.stmt, enum):
            yield Hit(
                enum,
                f"uses the value '{value}' added to {enum} earlier in the same transaction: "
                'PostgreSQL refuses it until the ADD VALUE is committed ("unsafe use of new '
                'value"): the migration fails',
                fix=f"-- the next migration, after the ADD VALUE has been committed:\n"
                f"{ctx.stmt.text.rstrip(';')};",
            )
            return


# --------------------------------------------------------------------------- MIG024-026

_BEGIN = {"TRANS_STMT_BEGIN", "TRANS_STMT_START"}
_END = {"TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK", "TRANS_STMT_PREPARE"}


def _tx_kind(kind: str, node: dict[str, Any]) -> str | None:
    if kind != "TransactionStmt":
        return None
    k = node.get("kind", "")
    return "begin" if k in _BEGIN else "end" if k in _END else None


def _runner_tx(ctx: StatementContext) -> bool:
    tx = ctx.session.transaction
    return tx is not None and tx.implicit


@migration_rule(
    "MIG024",
    "begin-inside-transaction",
    "warning",
    dialects=("postgres",),
    kinds=("TransactionStmt",),
)
def begin_inside_transaction(ctx: StatementContext) -> Iterator[Hit]:
    """BEGIN in a file the runner already runs in a transaction, with a COMMIT later.

    Rationale: PostgreSQL has no nested transactions. A BEGIN inside an open transaction only
    warns ("there is already a transaction in progress"), and the COMMIT meant for it commits
    the runner's transaction early (the PostgreSQL documentation, "BEGIN" and "COMMIT"): the
    statements after it run outside any transaction, one commit each, so a failure there
    leaves the migration half applied while the runner believes the file is atomic.

    Bad:
        -- 0003_orders.up.sql (dbdesign wraps the file in a transaction)
        BEGIN;
        ALTER TABLE orders ADD COLUMN note text;
        COMMIT;

    Good:
        ALTER TABLE orders ADD COLUMN note text;

    Fix: remove BEGIN and COMMIT (the runner's transaction already covers the file), or mark
    the file as not run in a transaction (dbdesign: `-- dbdesign: no-transaction`) and keep
    them.
    """
    if _tx_kind(ctx.stmt.kind, ctx.stmt.node or {}) != "begin" or not _runner_tx(ctx):
        return
    end = next((s for s in after_current(ctx) if _tx_kind(s.kind, s.node) == "end"), None)
    if end is None:
        return  # only PostgreSQL's warning: the runner's COMMIT ends it
    after = [s for s in after_current(ctx) if s.line > end.line]
    runner = ctx.stmt.file.runner
    rest = (
        f"the {len(after)} statement(s) after it run outside any transaction"
        if after
        else "the runner's own COMMIT then finds no transaction"
    )
    yield Hit(
        ctx.stmt.file.display,
        f"BEGIN inside the runner's transaction (runner: {runner}): PostgreSQL only warns "
        f"'there is already a transaction in progress', and the COMMIT at line {end.line} "
        f"commits the runner's transaction early; {rest}",
        fix="-- remove BEGIN; and COMMIT; (the runner already wraps the file), or keep them "
        "and start the file with:\n-- dbdesign: no-transaction",
    )


@migration_rule(
    "MIG025", "begin-without-commit", "error", dialects=("postgres",), kinds=("TransactionStmt",)
)
def begin_without_commit(ctx: StatementContext) -> Iterator[Hit]:
    """BEGIN with no COMMIT after it in the file.

    Rationale: in a file the runner does not wrap, a BEGIN with no COMMIT leaves the
    transaction open at the end of the file: psql and the runners roll it back when the
    session ends (or the next file's statements join it), so the migration's changes are lost
    although the run looked fine (the PostgreSQL documentation, "BEGIN": the transaction lasts
    until an explicit COMMIT or ROLLBACK). In a runner-wrapped file the runner's COMMIT ends
    it, so that case is not reported here.

    Bad:
        BEGIN;
        ALTER TABLE orders ADD COLUMN note text;

    Good:
        BEGIN;
        ALTER TABLE orders ADD COLUMN note text;
        COMMIT;

    Fix: end the file with `COMMIT;`.
    """
    if _tx_kind(ctx.stmt.kind, ctx.stmt.node or {}) != "begin" or ctx.in_transaction:
        return
    if any(_tx_kind(s.kind, s.node) == "end" for s in after_current(ctx)):
        return
    yield Hit(
        ctx.stmt.file.display,
        "BEGIN without COMMIT: the transaction is still open at the end of the file, and "
        "ending the session rolls it back: the migration's changes are lost",
        fix="COMMIT;  -- at the end of the file",
    )


@migration_rule(
    "MIG026", "commit-without-begin", "warning", dialects=("postgres",), kinds=("TransactionStmt",)
)
def commit_without_begin(ctx: StatementContext) -> Iterator[Hit]:
    """COMMIT (or END) with no BEGIN before it in the file.

    Rationale: in a runner-wrapped file, the COMMIT ends the runner's transaction early: the
    statements after it run outside any transaction and the runner's own COMMIT finds none. In a
    file run without a transaction it commits nothing: PostgreSQL warns "there is no transaction
    in progress", and the statements before it were each committed on their own, not together
    as the COMMIT suggests (the PostgreSQL documentation, "COMMIT").

    Bad:
        ALTER TABLE orders ADD COLUMN note text;
        UPDATE settings SET value = '2' WHERE name = 'schema';
        COMMIT;

    Good:
        BEGIN;
        ALTER TABLE orders ADD COLUMN note text;
        UPDATE settings SET value = '2' WHERE name = 'schema';
        COMMIT;

    Fix: remove the COMMIT in a runner-wrapped file; elsewhere add `BEGIN;` where the
    transaction should start.
    """
    node = ctx.stmt.node or {}
    if ctx.stmt.kind != "TransactionStmt" or node.get("kind") != "TRANS_STMT_COMMIT":
        return
    last = next(
        (s for s in reversed(ctx.session.statements) if _tx_kind(s.kind, s.node or {}) is not None),
        None,
    )
    if last is not None and _tx_kind(last.kind, last.node or {}) == "begin":
        return  # paired (a BEGIN inside the runner's transaction is MIG024's)
    if _runner_tx(ctx):
        after = len(after_current(ctx))
        msg = (
            f"COMMIT without BEGIN ends the runner's transaction (runner: "
            f"{ctx.stmt.file.runner}) early: "
            + (
                f"the {after} statement(s) after it run outside any transaction"
                if after
                else "the runner's own COMMIT then finds no transaction"
            )
        )
        fix = "-- remove this COMMIT: the runner commits the file"
    elif ctx.in_transaction:
        return
    else:
        msg = (
            "COMMIT without BEGIN: no transaction is open, PostgreSQL warns 'there is no "
            "transaction in progress'; the statements before it were committed one by one"
        )
        fix = "BEGIN;  -- where the transaction should start"
    yield Hit(ctx.stmt.file.display, msg, fix=fix)


# --------------------------------------------------------------------------- MIG028

_SMALL_INTS = {
    "int4": "integer",
    "int": "integer",
    "integer": "integer",
    "int2": "smallint",
    "smallint": "smallint",
    "serial": "serial",
    "serial4": "serial",
    "smallserial": "smallserial",
    "serial2": "smallserial",
}
_BIGGER = {
    "integer": "bigint",
    "smallint": "bigint",
    "serial": "bigserial",
    "smallserial": "bigserial",
}
_LIMITS = {
    "integer": "2,147,483,647",
    "serial": "2,147,483,647",
    "smallint": "32,767",
    "smallserial": "32,767",
}


def _column_pk_type(node: dict[str, Any]) -> tuple[str, str, int] | None:
    """(column, small integer type, type location) of a one-column primary key."""
    cols: dict[str, dict[str, Any]] = {}
    fks: set[str] = set()
    pk: list[str] = []
    for el in node.get("tableElts") or ():
        cd = el.get("ColumnDef")
        if cd is not None:
            cols[cd["colname"]] = cd
            for c in cd.get("constraints") or ():
                con = c.get("Constraint", {})
                if con.get("contype") == "CONSTR_PRIMARY":
                    pk = [cd["colname"]]
                if con.get("contype") == "CONSTR_FOREIGN":
                    fks.add(cd["colname"])
        con = el.get("Constraint")
        if con is not None and con.get("contype") == "CONSTR_PRIMARY":
            pk = name_list(con.get("keys"))
        if con is not None and con.get("contype") == "CONSTR_FOREIGN":
            fks.update(name_list(con.get("fk_attrs")))
    if len(pk) != 1 or pk[0] not in cols:
        return None
    cd = cols[pk[0]]
    if pk[0] in fks:
        return None  # a one-to-one extension table: its key follows the referenced one
    names = name_list(cd.get("typeName", {}).get("names"))
    if not names or names[0] not in ("pg_catalog", names[-1]) or cd["typeName"].get("arrayBounds"):
        return None
    small = _SMALL_INTS.get(names[-1].lower())
    return (pk[0], small, cd["typeName"].get("location", -1)) if small else None


@migration_rule(
    "MIG028", "prefer-bigint-key", "warning", dialects=("postgres",), kinds=("CreateStmt",)
)
def prefer_bigint_key(ctx: StatementContext) -> Iterator[Hit]:
    """CREATE TABLE with an integer (or serial, smallint) primary key.

    Rationale: an integer key runs out at 2,147,483,647 (smallint at 32,767): inserts then fail
    with "integer out of range" / "nextval: reached maximum value of sequence", and widening the
    key later is an ALTER COLUMN TYPE that rewrites the table and every index and foreign key
    column that refers to it, under ACCESS EXCLUSIVE locks (the PostgreSQL documentation,
    "Numeric Types"; squawk's prefer-bigint). bigint costs 4 more bytes a row. Not reported: a
    key that is itself a foreign key (a one-to-one table follows the referenced key's type),
    composite keys.

    Bad:
        CREATE TABLE events (id serial PRIMARY KEY, payload jsonb);

    Good:
        CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb);

    Fix: declare the key bigint (bigserial, or bigint GENERATED ... AS IDENTITY), and its
    foreign keys bigint too.
    """
    if ctx.stmt.kind != "CreateStmt" or ctx.stmt.node.get("partbound"):
        return
    got = _column_pk_type(ctx.stmt.node)
    if got is None:
        return
    column, small, _ = got
    table = rel_key(ctx, ctx.stmt.node["relation"])
    fix = _retype(ctx.stmt.text, column, small)
    yield Hit(
        f"{table}.{column}",
        f"primary key {column} is {small}: it runs out at {_LIMITS[small]} rows' worth of "
        f"ids, and widening it later rewrites the table and its referencing columns under "
        "ACCESS EXCLUSIVE locks",
        fix=fix,
    )


def _retype(text: str, column: str, small: str) -> str:
    """The CREATE TABLE with the key column's type replaced by its bigint form."""
    toks = parser.scan(text)
    for i, t in enumerate(toks[:-1]):
        word = text[t.start : t.end + 1]
        if token_identifier(word) != column and word.lower() != column:
            continue
        nxt = toks[i + 1]
        tw = text[nxt.start : nxt.end + 1]
        if _SMALL_INTS.get(tw.lower()) == small:
            big = _BIGGER[small]
            return (text[: nxt.start] + big + text[nxt.end + 1 :]).rstrip(";") + ";"
    return text.rstrip(";") + f";  -- with {column} bigint"


# --------------------------------------------------------------------------- MIG029


@migration_rule("MIG029", "statement-cannot-run-in-transaction", "error", dialects=("postgres",))
def statement_cannot_run_in_transaction(ctx: StatementContext) -> Iterator[Hit]:
    """VACUUM, CREATE DATABASE, ALTER SYSTEM or a tablespace command in a transaction block.

    Rationale: these statements refuse to run inside a transaction block ("VACUUM cannot run
    inside a transaction block"; the PostgreSQL documentation, "VACUUM", "CREATE DATABASE",
    "ALTER SYSTEM"): in a runner-wrapped file the migration fails. (CONCURRENTLY statements are
    MIG002's, ALTER TYPE ... ADD VALUE before 12 is MIG022's.)

    Bad:
        ALTER TABLE events DROP COLUMN payload;
        VACUUM ANALYZE events;

    Good:
        -- dbdesign: no-transaction
        VACUUM ANALYZE events;

    Fix: move the statement into a migration of its own that does not run in a transaction
    (dbdesign: `-- dbdesign: no-transaction`).
    """
    if not ctx.in_transaction:
        return
    node = ctx.stmt.node or {}
    why = needs_no_transaction(ctx.stmt.kind, node, 170000)
    if why is None or "CONCURRENTLY" in why or ctx.stmt.kind == "AlterEnumStmt":
        return
    yield Hit(
        ctx.stmt.short,
        f"{why} cannot run inside a transaction block (runner: {ctx.stmt.file.runner}): the "
        "migration fails",
        fix=f"-- dbdesign: no-transaction\n{ctx.stmt.text.rstrip(';')};",
    )
