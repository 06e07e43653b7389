"""Migration safety on PostgreSQL: index builds.

Lock facts: the PostgreSQL documentation, "CREATE INDEX" (Building Indexes Concurrently) and
"Explicit Locking".
"""

from __future__ import annotations

from collections.abc import Iterator

from dbdesign.dialects.postgres_tx import needs_no_transaction
from dbdesign.lint.findings import Hit
from dbdesign.lint.migration.context import StatementContext
from dbdesign.lint.migration.pg import SHARE, lock, table_in_use
from dbdesign.lint.migration.sources import no_transaction_header
from dbdesign.lint.migration.walk_postgres import relation_key
from dbdesign.lint.registry import migration_rule


@migration_rule("MIG001", "index-without-concurrently", "error", kinds=("IndexStmt",))
def index_without_concurrently(ctx: StatementContext) -> Iterator[Hit]:
    """CREATE INDEX on a table in use, without CONCURRENTLY.

    Rationale: a plain CREATE INDEX takes a SHARE lock on the table for the whole build:
    every INSERT, UPDATE and DELETE waits until it finishes, minutes on a large table. CREATE
    INDEX CONCURRENTLY takes a SHARE UPDATE EXCLUSIVE lock, which lets writes go on (the
    PostgreSQL documentation, "Building Indexes Concurrently"). An index on a table made
    earlier in the same migration is not reported: nothing uses that table yet.

    Bad:
        CREATE INDEX idx_orders_customer ON orders (customer_id);

    Good:
        -- dbdesign: no-transaction
        CREATE INDEX CONCURRENTLY idx_orders_customer ON orders (customer_id);

    Fix: build it with CREATE INDEX CONCURRENTLY, in a migration of its own that does not run
    in a transaction block (dbdesign: the `-- dbdesign: no-transaction` header). A failed
    concurrent build leaves an INVALID index: drop it and build again.
    """
    if ctx.stmt.kind != "IndexStmt" or ctx.stmt.node.get("concurrent"):
        return
    node = ctx.stmt.node
    table = table_in_use(ctx, node["relation"])
    if table is None:
        return
    yield Hit(
        table,
        f"CREATE INDEX without CONCURRENTLY: {lock(SHARE, table)}",
        fix=_concurrent_sql(ctx.stmt.text, ctx.stmt.file.runner),
    )


def _concurrent_sql(text: str, runner: str) -> str:
    """The statement with CONCURRENTLY after CREATE [UNIQUE] INDEX, under the header that
    makes ``runner`` run it outside a transaction."""
    words = text.split(None, 3)
    at = 3 if len(words) > 2 and words[1].upper() == "UNIQUE" else 2
    head = " ".join(words[:at])
    rest = text.split(None, at)[at] if len(text.split(None, at)) > at else ""
    return f"{no_transaction_header(runner)}\n{head} CONCURRENTLY {rest}".rstrip(";") + ";"


@migration_rule("MIG002", "concurrently-in-transaction", "error")
def concurrently_in_transaction(ctx: StatementContext) -> Iterator[Hit]:
    """A CONCURRENTLY statement inside a transaction block.

    Rationale: CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY and
    DETACH PARTITION ... CONCURRENTLY refuse to run inside a transaction block, so the
    migration fails ("cannot run inside a transaction block"). The transaction may be the
    runner's: dbdesign, Flyway, dbmate, Atlas, popx, goose, sql-migrate, sqlx, diesel and
    tern wrap each file in one unless told otherwise (Liquibase each changeset), drizzle's
    migrator runs all pending files in one, and a golang-migrate or Prisma file is one
    multi-statement query, which PostgreSQL runs as one transaction when it holds more than
    one statement.

    Bad:
        BEGIN;
        CREATE INDEX CONCURRENTLY idx_orders_customer ON orders (customer_id);
        COMMIT;

    Good:
        -- dbdesign: no-transaction
        CREATE INDEX CONCURRENTLY idx_orders_customer ON orders (customer_id);

    Fix: move the statement into a migration of its own that runs outside a transaction
    (dbdesign: `-- dbdesign: no-transaction`; Flyway: `executeInTransaction=false`; dbmate:
    `-- migrate:up transaction:false`; Atlas: `-- atlas:txmode none`; Liquibase:
    `runInTransaction:false` on the changeset; Prisma: a migration holding only that
    statement; Ory popx: a `.autocommit.up.sql` file).
    """
    if not ctx.in_transaction:
        return
    why = needs_no_transaction(ctx.stmt.kind, ctx.stmt.node or {}, _version_num(ctx))
    if why is None or "CONCURRENTLY" not in why:
        return
    runner = ctx.stmt.file.runner
    tx = ctx.session.transaction
    opened = "the runner's transaction" if tx is not None and tx.implicit else "BEGIN"
    yield Hit(
        _object(ctx),
        f"{why} cannot run inside a transaction block ({opened}; runner: {runner}): "
        "the migration fails",
        fix=f"{no_transaction_header(runner)}\n{ctx.stmt.text.rstrip(';')};",
    )


def _version_num(ctx: StatementContext) -> int:
    parts = (*ctx.server.parts, 0)
    return parts[0] * 10000 + parts[1]


def _object(ctx: StatementContext) -> str:
    """The statement's table, else the statement itself."""
    rel = (ctx.stmt.node or {}).get("relation")
    return relation_key(ctx.state, rel) if rel else ctx.stmt.short
