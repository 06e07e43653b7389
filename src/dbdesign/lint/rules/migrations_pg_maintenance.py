"""Migration safety on PostgreSQL: statements that stop production traffic on a table in use —
DROP INDEX, VACUUM FULL, CLUSTER, REINDEX, ATTACH / DETACH PARTITION, REFRESH MATERIALIZED VIEW,
TRUNCATE, SET LOGGED / UNLOGGED, DISABLE TRIGGER.

Lock facts: the PostgreSQL documentation, "Explicit Locking" and each statement's page (DROP
INDEX, VACUUM, CLUSTER, REINDEX, ALTER TABLE, REFRESH MATERIALIZED VIEW, TRUNCATE); proven on a
real server by tests/integration/test_migration_lint_pg_locks.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dbdesign.dialects.postgres import quote_ident
from dbdesign.emit.pg_bounds import bound_check, key_columns
from dbdesign.lint.findings import Hit
from dbdesign.lint.migration.context import StatementContext
from dbdesign.lint.registry import migration_rule
from dbdesign.lint.rules.migrations_pg_common import (
    ACCESS_EXCLUSIVE_LOCK,
    NO_TX,
    SHARE_LOCK,
    SHARE_ROW_EXCLUSIVE_LOCK,
    blocks,
    file_statements,
    has_option,
    ignore_line,
    index_table,
    made_in_file,
    name_list,
    pg_name,
    rel_key,
    sql_name,
    table_name,
)

# --------------------------------------------------------------------------- DROP INDEX


@migration_rule(
    "MIG035",
    "drop-index-without-concurrently",
    "error",
    dialects=("postgres",),
    kinds=("DropStmt",),
)
def drop_index_without_concurrently(ctx: StatementContext) -> Iterator[Hit]:
    """DROP INDEX without CONCURRENTLY, on a table in use.

    Rationale: a plain DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table: every
    read and write of the table waits, and while the drop waits for running transactions, every
    new query on the table queues behind it. DROP INDEX CONCURRENTLY waits for conflicting
    transactions without blocking others (the PostgreSQL documentation, "DROP INDEX"). Not
    reported: an index or table made earlier in the same file.

    Bad:
        DROP INDEX idx_orders_customer;

    Good:
        -- dbdesign: no-transaction
        DROP INDEX CONCURRENTLY IF EXISTS idx_orders_customer;

    Fix: drop it with DROP INDEX CONCURRENTLY, one index per statement, without CASCADE, in a
    migration that does not run in a transaction block.
    """
    node = ctx.stmt.node or {}
    if ctx.stmt.kind != "DropStmt" or node.get("removeType") != "OBJECT_INDEX":
        return
    if node.get("concurrent"):
        return
    for obj in node.get("objects") or ():
        names = name_list(obj.get("List", {}).get("items"))
        idx, table = index_table(ctx, names)
        if made_in_file(ctx, "IndexStmt", idx) or (table and ctx.created_here(table)):
            continue
        if node.get("missing_ok") and ctx.state.tables and table is None:
            continue  # IF EXISTS of an index the schema does not have
        on = table or f"the table of {idx}"
        yield Hit(
            table or idx,
            f"DROP INDEX {idx} without CONCURRENTLY: ACCESS EXCLUSIVE lock on {on}: every "
            "read and write of it waits until the transaction ends",
            fix=f"{NO_TX}\nDROP INDEX CONCURRENTLY IF EXISTS {sql_name(idx)};",
        )


# --------------------------------------------------------------------------- maintenance


def _rels(ctx: StatementContext, rvs: list[Any]) -> list[str]:
    return [k for k in (rel_key(ctx, rv) for rv in rvs) if not ctx.created_here(k)]


@migration_rule("MIG036", "vacuum-full", "error", dialects=("postgres",), kinds=("VacuumStmt",))
def vacuum_full(ctx: StatementContext) -> Iterator[Hit]:
    """VACUUM FULL in a migration.

    Rationale: VACUUM FULL rewrites the whole table into a new file under an ACCESS EXCLUSIVE
    lock: every read and write waits for the rewrite, minutes to hours on a large table, and it
    needs room for a second copy (the PostgreSQL documentation, "VACUUM"). Without a table it
    does so for every table of the database. Plain VACUUM marks the space reusable without
    blocking reads or writes; pg_repack rebuilds online.

    Bad:
        VACUUM FULL events;

    Good:
        -- dbdesign: no-transaction
        VACUUM (ANALYZE) events;

    Fix: plain VACUUM (space reused by later rows) in a migration outside a transaction, or
    pg_repack outside the migration when the file must shrink.
    """
    node = ctx.stmt.node or {}
    if ctx.stmt.kind != "VacuumStmt" or not has_option(node.get("options"), "full"):
        return
    rels = [vr["VacuumRelation"]["relation"] for vr in node.get("rels") or ()]
    tables = _rels(ctx, rels) if rels else ["every table of the database"]
    for t in tables:
        target = sql_name(t) if "." in t else ""
        yield Hit(
            t,
            f"VACUUM FULL rewrites {t} under an ACCESS EXCLUSIVE lock on {t}: every read and "
            "write of it waits for the whole rewrite",
            fix=f"{NO_TX}\nVACUUM (ANALYZE) {target};".replace(" ;", ";")
            + f"\n-- to shrink the file online: pg_repack{' --table=' + t if target else ''}",
        )


@migration_rule("MIG037", "cluster", "error", dialects=("postgres",), kinds=("ClusterStmt",))
def cluster(ctx: StatementContext) -> Iterator[Hit]:
    """CLUSTER in a migration.

    Rationale: CLUSTER rewrites the table in index order under an ACCESS EXCLUSIVE lock: every
    read and write waits for the whole rewrite (the PostgreSQL documentation, "CLUSTER"), and
    the order is not kept for later rows. pg_repack --order-by does the same online.

    Bad:
        CLUSTER events USING idx_events_created;

    Good:
        -- outside the migration: pg_repack --table=events --order-by=created_at

    Fix: pg_repack with --order-by outside the migration, or a BRIN / covering index instead of
    physical order; at most `ALTER TABLE ... CLUSTER ON index` (SHARE UPDATE EXCLUSIVE) to
    record the index.
    """
    node = ctx.stmt.node or {}
    if ctx.stmt.kind != "ClusterStmt":
        return
    rel = node.get("relation")
    if rel is None:
        t = "every table clustered before"
        yield Hit(
            t,
            f"CLUSTER without a table rewrites {t}, each under an ACCESS EXCLUSIVE lock: every "
            "read and write of each waits for its rewrite",
            fix="-- outside the migration: pg_repack --table=... --order-by=... per table",
        )
        return
    table = rel_key(ctx, rel)
    if ctx.created_here(table):
        return
    order = ""
    if node.get("indexname"):
        idx = ctx.state.indexes.get(f"{table.split('.', 1)[0]}.{node['indexname']}")
        if idx is not None:
            order = ",".join(e.label for e in idx.elements)
    fix = f"-- outside the migration, online: pg_repack --table={table}"
    if order:
        fix += f" --order-by='{order}'"
    if node.get("indexname"):
        fix += f"\nALTER TABLE {sql_name(table)} CLUSTER ON {quote_ident(node['indexname'])};"
    yield Hit(
        table,
        f"CLUSTER rewrites {table} under an ACCESS EXCLUSIVE lock on {table}: every read and "
        "write of it waits for the whole rewrite",
        fix=fix,
    )


@migration_rule(
    "MIG038",
    "reindex-without-concurrently",
    "error",
    dialects=("postgres",),
    kinds=("ReindexStmt",),
)
def reindex_without_concurrently(ctx: StatementContext) -> Iterator[Hit]:
    """REINDEX without CONCURRENTLY.

    Rationale: REINDEX takes a SHARE lock on the table (writes wait) and an ACCESS EXCLUSIVE
    lock on each index it rebuilds; the planner opens every index of a table it plans a query
    for, so in practice reads of the table wait too (the PostgreSQL documentation, "REINDEX").
    PostgreSQL 12 added REINDEX CONCURRENTLY; before 12 there is no concurrent form: build a
    new index concurrently and swap it in.

    Bad:
        REINDEX INDEX idx_orders_customer;

    Good:
        -- dbdesign: no-transaction
        REINDEX INDEX CONCURRENTLY idx_orders_customer;

    Fix: REINDEX ... CONCURRENTLY (PostgreSQL 12+) in a migration outside a transaction; before
    12: CREATE INDEX CONCURRENTLY a copy, DROP INDEX CONCURRENTLY the old one, rename the copy.
    """
    node = ctx.stmt.node or {}
    if ctx.stmt.kind != "ReindexStmt" or has_option(node.get("params"), "concurrently"):
        return
    kind = node.get("kind", "")
    rv = node.get("relation")
    if kind == "REINDEX_OBJECT_INDEX" and rv:
        names = [n for n in (rv.get("schemaname"), rv["relname"]) if n]
        idx, table = index_table(ctx, names)
        if (table and ctx.created_here(table)) or made_in_file(ctx, "IndexStmt", idx):
            return
        obj, target, indexes = table or idx, f"INDEX {sql_name(idx)}", [idx]
    elif kind == "REINDEX_OBJECT_TABLE" and rv:
        table = rel_key(ctx, rv)
        if ctx.created_here(table):
            return
        obj, target = table, f"TABLE {sql_name(table)}"
        indexes = [k for k, i in ctx.state.indexes.items() if i.table_key == table]
    else:
        name = node.get("name") or "the current database"
        what = kind.split("_")[-1]
        obj, target, indexes = name, f"{what} {quote_ident(name)}", []
        table = None
    on = table or (f"every table of {what.lower()} {obj}" if table is None else obj)
    msg = (
        f"REINDEX without CONCURRENTLY: {blocks(SHARE_LOCK, on)}; and an ACCESS EXCLUSIVE "
        f"lock on each index it rebuilds, which queries planned on {on} wait for too"
    )
    if ctx.server.at_least(12):
        fix = f"{NO_TX}\nREINDEX {target.replace(' ', ' CONCURRENTLY ', 1)};"
    else:
        msg += f"; {ctx.server} has no REINDEX CONCURRENTLY (PostgreSQL 12+)"
        fix = (
            f"{NO_TX}\n" + "\n".join(_swap(ctx, i) for i in indexes)
            if indexes
            else (
                f"{NO_TX}\n-- per index: CREATE INDEX CONCURRENTLY a copy, DROP INDEX "
                "CONCURRENTLY the old one, ALTER INDEX ... RENAME the copy"
            )
        )
    yield Hit(obj, msg, fix=fix)


def _swap(ctx: StatementContext, key: str) -> str:
    idx = ctx.state.indexes.get(key)
    schema, name = key.split(".", 1)
    new = f"{name[:58]}_new"
    if idx is None:
        body = "ON <table> (<the same columns>)"
    else:
        cols = ", ".join(
            quote_ident(e.column) if e.column and e.expr is None else e.label for e in idx.elements
        )
        where = f" WHERE {idx.where}" if idx.where is not None else ""
        body = f"ON {sql_name(idx.table_key)} USING {idx.method} ({cols}){where}"
    uniq = "UNIQUE " if idx is not None and idx.unique else ""
    return (
        f"CREATE {uniq}INDEX CONCURRENTLY {quote_ident(new)} {body};\n"
        f"DROP INDEX CONCURRENTLY {sql_name(key)};\n"
        f"ALTER INDEX {sql_name(schema + '.' + new)} RENAME TO {quote_ident(name)};"
    )


# --------------------------------------------------------------------------- partitions


def _bound_check(ctx: StatementContext, parent: str, bound: dict[str, Any]) -> str | None:
    """The CHECK expression equal to the bound (:func:`dbdesign.emit.pg_bounds.bound_check`),
    else None."""
    tb = ctx.state.tables.get(parent)
    pby = tb.partition_by if tb is not None else None
    return None if pby is None else bound_check(key_columns(pby), bound)


def _validated_key_check(ctx: StatementContext, parent: str, part: str) -> bool:
    """Whether the partition has a validated CHECK on the parent's partition key columns."""
    ptb, tb = ctx.state.tables.get(parent), ctx.state.tables.get(part)
    if ptb is None or tb is None or ptb.partition_by is None:
        return False
    cols = {e.column for e in ptb.partition_by.elements if e.column}
    if not cols:
        return False
    for chk in tb.checks.values():
        text = str(chk.expr)
        if chk.validated and all(c in text for c in cols):
            return True
    return False


@migration_rule(
    "MIG039", "attach-partition", "error", dialects=("postgres",), kinds=("AlterTableStmt",)
)
def attach_partition(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE ... ATTACH PARTITION of a table in use, without a CHECK proving the bound.

    Rationale: ATTACH PARTITION takes an ACCESS EXCLUSIVE lock on the table being attached and
    scans all of it to prove every row fits the bound, unless a validated CHECK constraint
    implies the bound. On the parent it takes SHARE UPDATE EXCLUSIVE since PostgreSQL 12
    (reads and writes go on), ACCESS EXCLUSIVE before 12 (the PostgreSQL documentation, "ALTER
    TABLE", ATTACH PARTITION). Not reported on 12+: a partition made earlier in the same file, or
    one with a validated CHECK on the partition key.

    Bad:
        ALTER TABLE measurements ATTACH PARTITION measurements_2024
            FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

    Good:
        ALTER TABLE measurements_2024 ADD CONSTRAINT measurements_2024_bound
            CHECK (logdate IS NOT NULL AND logdate >= '2024-01-01' AND logdate < '2025-01-01')
            NOT VALID;
        ALTER TABLE measurements_2024 VALIDATE CONSTRAINT measurements_2024_bound;
        ALTER TABLE measurements ATTACH PARTITION measurements_2024
            FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

    Fix: add the bound as a CHECK ... NOT VALID, VALIDATE it (SHARE UPDATE EXCLUSIVE: reads and
    writes go on), then attach (no scan), then drop the CHECK.
    """
    node = ctx.stmt.node or {}
    if ctx.stmt.kind != "AlterTableStmt":
        return
    parent = rel_key(ctx, node["relation"])
    for cmd in node.get("cmds") or ():
        c = cmd.get("AlterTableCmd", {})
        pc = c.get("def", {}).get("PartitionCmd", {})
        if c.get("subtype") != "AT_AttachPartition" or not pc.get("name"):
            continue
        part = rel_key(ctx, pc["name"])
        old_server = not ctx.server.at_least(12)
        part_in_use = not ctx.created_here(part)
        proven = _validated_key_check(ctx, parent, part)
        if old_server and not ctx.created_here(parent):
            head = f"{blocks(ACCESS_EXCLUSIVE_LOCK, parent)} (before PostgreSQL 12)"
        elif part_in_use and not proven:
            head = (
                f"SHARE UPDATE EXCLUSIVE lock on {parent} (reads and writes go on), but "
                f"ACCESS EXCLUSIVE lock on {part}: every read and write of {part} waits"
            )
        else:
            continue
        if part_in_use and not proven:
            head += f", while it scans all of {part} to prove the partition bound"
        check = _bound_check(ctx, parent, pc.get("bound") or {})
        pname = part.split(".", 1)[1]
        cname = quote_ident(f"{pname[:56]}_bound")
        attach = ctx.stmt.text.rstrip(";") + ";"
        parent_locked = old_server and not ctx.created_here(parent)
        if parent_locked:
            attach = f"{_PARENT_LOCKED}\n{attach}"
        if check is not None and not proven:
            fix = (
                f"ALTER TABLE {sql_name(part)} ADD CONSTRAINT {cname} CHECK ({check}) NOT VALID;\n"
                f"ALTER TABLE {sql_name(part)} VALIDATE CONSTRAINT {cname};\n{attach}\n"
                f"ALTER TABLE {sql_name(part)} DROP CONSTRAINT {cname};"
            )
        elif proven:
            fix = f"SET lock_timeout = '2s';\n{attach}"
        else:
            fix = (
                f"-- add the bound as CHECK (...) NOT VALID on {part} and VALIDATE it before "
                f"attaching (a hash bound cannot be written as a CHECK: the scan stays)\n{attach}"
            )
        if parent_locked and not fix.startswith("SET lock_timeout"):
            fix = f"SET lock_timeout = '2s';\n{fix}"
        yield Hit(part, f"ATTACH PARTITION {part}: {head}", fix=fix)


_PARENT_LOCKED = ignore_line(
    "MIG039", "before PostgreSQL 12 the parent is locked whatever CHECK: run in a quiet window"
)


@migration_rule(
    "MIG040",
    "detach-partition-without-concurrently",
    "error",
    dialects=("postgres",),
    kinds=("AlterTableStmt",),
)
def detach_partition_without_concurrently(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE ... DETACH PARTITION without CONCURRENTLY, on a partitioned table in use.

    Rationale: a plain DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the parent: every
    read and write of the whole partitioned table waits. DETACH PARTITION ... CONCURRENTLY
    (PostgreSQL 14+) takes only SHARE UPDATE EXCLUSIVE on the parent, but cannot run in a
    transaction block nor when the parent has a default partition (the PostgreSQL
    documentation, "ALTER TABLE"). Before 14 there is no concurrent form.

    Bad:
        ALTER TABLE measurements DETACH PARTITION measurements_2019;

    Good:
        -- dbdesign: no-transaction
        ALTER TABLE measurements DETACH PARTITION measurements_2019 CONCURRENTLY;

    Fix: on 14+, DETACH ... CONCURRENTLY in a migration outside a transaction (it leaves a CHECK
    copying the bound on the partition: drop it unless the table is to be attached again);
    before 14, keep the plain form with a short lock_timeout and retries, at a quiet time.
    """
    node = ctx.stmt.node or {}
    if ctx.stmt.kind != "AlterTableStmt":
        return
    parent = rel_key(ctx, node["relation"])
    if ctx.created_here(parent):
        return
    for cmd in node.get("cmds") or ():
        c = cmd.get("AlterTableCmd", {})
        pc = c.get("def", {}).get("PartitionCmd", {})
        if c.get("subtype") != "AT_DetachPartition" or pc.get("concurrent"):
            continue
        if not pc.get("name"):
            continue
        part = rel_key(ctx, pc["name"])
        msg = (
            f"DETACH PARTITION {part} without CONCURRENTLY: {blocks(ACCESS_EXCLUSIVE_LOCK, parent)}"
        )
        if ctx.server.at_least(14):
            fix = (
                f"{NO_TX}\nALTER TABLE {sql_name(parent)} DETACH PARTITION {sql_name(part)} "
                f"CONCURRENTLY;\n{_bound_copy(ctx, parent, part)}"
            )
        else:
            msg += f"; {ctx.server} has no DETACH ... CONCURRENTLY (PostgreSQL 14+)"
            fix = (
                f"SET lock_timeout = '2s';  -- retry until it gets the lock\n"
                f"{ignore_line('MIG040', 'no concurrent form before 14: run in a quiet window')}\n"
                f"ALTER TABLE {sql_name(parent)} DETACH PARTITION {sql_name(part)};"
            )
        yield Hit(parent, msg, fix=fix)


def _bound_copy(ctx: StatementContext, parent: str, part: str) -> str:
    """The step that drops the CHECK constraint DETACH ... CONCURRENTLY leaves on the partition
    (a copy of its bound; the PostgreSQL documentation, "ALTER TABLE"). Named as PostgreSQL
    names it when the partition has no CHECK of its own (none to confuse it with); else said."""
    why = f"-- DETACH CONCURRENTLY leaves a CHECK copying the bound on {part}; unless it is "
    tb, ptb = ctx.state.tables.get(part), ctx.state.tables.get(parent)
    cols = {e.column for e in ptb.partition_by.elements} if ptb and ptb.partition_by else {None}
    if tb is None or tb.checks or None in cols:
        return why + "to be attached again, drop that constraint"
    name = pg_name(table_name(part), *sorted(c for c in cols if c and len(cols) == 1), "check")
    return (
        f"{why}to be attached again:\n"
        f"ALTER TABLE {sql_name(part)} DROP CONSTRAINT IF EXISTS {quote_ident(name)};"
    )


# --------------------------------------------------------------------------- views, data


@migration_rule(
    "MIG041",
    "refresh-matview-without-concurrently",
    "error",
    dialects=("postgres",),
    kinds=("RefreshMatViewStmt",),
)
def refresh_matview_without_concurrently(ctx: StatementContext) -> Iterator[Hit]:
    """REFRESH MATERIALIZED VIEW without CONCURRENTLY, of a view in use.

    Rationale: a plain refresh takes an ACCESS EXCLUSIVE lock on the materialized view for the
    whole rerun of its query: every read of the view waits. REFRESH ... CONCURRENTLY takes an
    EXCLUSIVE lock, which lets reads go on; it needs a unique index on the view (plain column
    names, no WHERE) and a view that is already populated (the PostgreSQL documentation,
    "REFRESH MATERIALIZED VIEW"). Not reported: a view made earlier in the same file.

    Bad:
        REFRESH MATERIALIZED VIEW sales_summary;

    Good:
        CREATE UNIQUE INDEX CONCURRENTLY sales_summary_key ON sales_summary (region, month);
        REFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary;

    Fix: REFRESH MATERIALIZED VIEW CONCURRENTLY, after a unique index on the view exists.
    """
    node = ctx.stmt.node or {}
    if ctx.stmt.kind != "RefreshMatViewStmt" or node.get("concurrent"):
        return
    view = rel_key(ctx, node["relation"])
    if ctx.created_here(view) or made_in_file(ctx, "CreateTableAsStmt", view):
        return
    unique = any(
        i.unique and i.where is None and all(e.column for e in i.elements)
        for i in ctx.state.indexes.values()
        if i.table_key == view
    )
    fix = f"REFRESH MATERIALIZED VIEW CONCURRENTLY {sql_name(view)};"
    if not unique:
        key = quote_ident(view.split(".")[1][:59] + "_key")
        fix = (
            f"{NO_TX}\nCREATE UNIQUE INDEX CONCURRENTLY {key}"
            f" ON {sql_name(view)} (<columns unique across its rows>);\n-- then:\n{fix}"
        )
    yield Hit(
        view,
        f"REFRESH MATERIALIZED VIEW without CONCURRENTLY: ACCESS EXCLUSIVE lock on {view}: "
        f"every read of {view} waits for the whole refresh",
        fix=fix,
    )


@migration_rule("MIG042", "truncate", "error", dialects=("postgres",), kinds=("TruncateStmt",))
def truncate(ctx: StatementContext) -> Iterator[Hit]:
    """TRUNCATE of a table in use.

    Rationale: TRUNCATE deletes every row at once (no WHERE, no undo after the commit) under
    an ACCESS EXCLUSIVE lock on the table (every read and write waits, and the TRUNCATE waits
    behind every running transaction on it); CASCADE empties every table whose foreign keys
    reference it too (the PostgreSQL documentation, "TRUNCATE"). Not reported: a table made
    earlier in the same file.

    Bad:
        TRUNCATE sessions;

    Good:
        -- repeated until it deletes no row, each batch its own transaction:
        DELETE FROM sessions WHERE ctid IN (SELECT ctid FROM sessions LIMIT 10000);

    Fix: delete in batches (ROW EXCLUSIVE lock: reads and other writes go on), or suppress with
    the reason when emptying the table is the point and nothing uses it.
    """
    node = ctx.stmt.node or {}
    if ctx.stmt.kind != "TruncateStmt":
        return
    for t in _rels(ctx, [r["RangeVar"] for r in node.get("relations") or ()]):
        extra = ""
        if node.get("behavior") == "DROP_CASCADE":
            refs = sorted(
                k
                for k, tb in ctx.state.tables.items()
                if any(fk.ref_table == t for fk in tb.foreign_keys.values())
            )
            extra = f"; CASCADE empties {', '.join(refs) or 'every referencing table'} too"
        yield Hit(
            t,
            f"TRUNCATE deletes every row of {t} (data loss) under an ACCESS EXCLUSIVE lock on "
            f"{t}: every read and write of it waits{extra}",
            fix="-- repeated until it deletes no row, each batch its own transaction:\n"
            f"DELETE FROM {sql_name(t)}\n"
            f"WHERE ctid IN (SELECT ctid FROM {sql_name(t)} LIMIT 10000);",
        )


@migration_rule(
    "MIG043", "set-logged-or-unlogged", "error", dialects=("postgres",), kinds=("AlterTableStmt",)
)
def set_logged_or_unlogged(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE ... SET LOGGED / SET UNLOGGED on a table in use.

    Rationale: both rewrite the whole table (and its indexes) under an ACCESS EXCLUSIVE lock:
    every read and write waits for the rewrite; SET LOGGED also writes it all to the WAL. An
    unlogged table is emptied after a crash and is not replicated: standbys see it empty (the
    PostgreSQL documentation, "ALTER TABLE" and "CREATE TABLE", UNLOGGED). Not reported: a table
    made earlier in the same file.

    Bad:
        ALTER TABLE page_views SET UNLOGGED;

    Good:
        CREATE UNLOGGED TABLE page_views_new (LIKE page_views INCLUDING ALL);
        -- copy in batches, then swap the names in one short transaction

    Fix: there is no online form: build a copy with the wanted persistence, copy the rows in
    batches, and swap the names in one short transaction (or accept the rewrite at a quiet
    time, with a lock_timeout).
    """
    node = ctx.stmt.node or {}
    if ctx.stmt.kind != "AlterTableStmt" or node.get("objtype") != "OBJECT_TABLE":
        return
    table = rel_key(ctx, node["relation"])
    if ctx.created_here(table):
        return
    for cmd in node.get("cmds") or ():
        sub = cmd.get("AlterTableCmd", {}).get("subtype")
        if sub not in ("AT_SetLogged", "AT_SetUnLogged"):
            continue
        what = "LOGGED" if sub == "AT_SetLogged" else "UNLOGGED"
        name = table.split(".", 1)[1]
        new = f"{table.split('.', 1)[0]}.{name[:59]}_new"
        extra = (
            "; once unlogged, a crash empties it and standbys do not get its rows"
            if what == "UNLOGGED"
            else "; the whole table goes through the WAL"
        )
        yield Hit(
            table,
            f"SET {what} rewrites {table} under an ACCESS EXCLUSIVE lock on {table}: every read "
            f"and write of it waits for the rewrite{extra}",
            fix=f"CREATE {'UNLOGGED ' if what == 'UNLOGGED' else ''}TABLE {sql_name(new)} "
            f"(LIKE {sql_name(table)} INCLUDING ALL);\n"
            f"-- copy the rows in batches (keep them in step with a trigger), then in one short "
            f"transaction:\nALTER TABLE {sql_name(table)} RENAME TO "
            f"{quote_ident(name[:59] + '_old')};\n"
            f"ALTER TABLE {sql_name(new)} RENAME TO {quote_ident(name)};",
        )


@migration_rule(
    "MIG044", "disable-trigger", "error", dialects=("postgres",), kinds=("AlterTableStmt",)
)
def disable_trigger(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE ... DISABLE TRIGGER on a table in use.

    Rationale: DISABLE TRIGGER takes a SHARE ROW EXCLUSIVE lock on the table, held to the end
    of the transaction: every write waits (the PostgreSQL documentation, "ALTER TABLE"). The
    trigger is off for every session, not just the migration's: left disabled, production
    writes skip it (audit rows, derived columns) from the commit on. DISABLE TRIGGER ALL also
    turns off the foreign keys' internal triggers: rows written meanwhile are not checked, and
    referential integrity is silently lost. Not reported: a table made earlier in the same
    file.

    Bad:
        ALTER TABLE orders DISABLE TRIGGER ALL;
        UPDATE orders SET total = total * 100;
        ALTER TABLE orders ENABLE TRIGGER ALL;

    Good:
        -- the trigger function skips this session only:
        --   IF current_setting('app.skip_triggers', true) = 'on' THEN RETURN NEW; END IF;
        SET LOCAL app.skip_triggers = 'on';
        UPDATE orders SET total = total * 100;

    Fix: make the trigger skip the migration's session (a custom setting it checks, set with
    SET LOCAL) instead of disabling it for everyone; never disable the foreign keys' triggers.
    """
    node = ctx.stmt.node or {}
    if ctx.stmt.kind != "AlterTableStmt" or node.get("objtype") != "OBJECT_TABLE":
        return
    table = rel_key(ctx, node["relation"])
    if ctx.created_here(table):
        return
    for cmd in node.get("cmds") or ():
        c = cmd.get("AlterTableCmd", {})
        sub = c.get("subtype")
        if sub not in ("AT_DisableTrig", "AT_DisableTrigAll", "AT_DisableTrigUser"):
            continue
        which = {"AT_DisableTrigAll": "ALL", "AT_DisableTrigUser": "USER"}.get(
            sub, quote_ident(c.get("name", ""))
        )
        enabled_later = any(
            s.kind == "AlterTableStmt"
            and rel_key(ctx, s.node["relation"]) == table
            and any(
                x.get("AlterTableCmd", {}).get("subtype", "").startswith("AT_EnableTrig")
                for x in s.node.get("cmds") or ()
            )
            for s in file_statements(ctx)
            if s.line > ctx.stmt.line
        )
        msg = f"DISABLE TRIGGER {which}: {blocks(SHARE_ROW_EXCLUSIVE_LOCK, table)}"
        if sub == "AT_DisableTrigAll":
            msg += (
                "; ALL also disables the foreign keys' triggers: rows written meanwhile are "
                "not checked"
            )
        if not enabled_later:
            msg += (
                "; no ENABLE TRIGGER follows in this file: every session's writes skip it "
                "from the commit on"
            )
        yield Hit(
            table,
            msg,
            fix="-- skip the trigger in this session only; in the trigger function:\n"
            "--   IF current_setting('app.skip_triggers', true) = 'on' THEN RETURN NEW; END IF;\n"
            "SET LOCAL app.skip_triggers = 'on';",
        )
