"""Migration safety on PostgreSQL: changes that break running clients — DROP COLUMN, DROP
TABLE, RENAME COLUMN, RENAME TABLE, RENAME of a type or an enum value.

Facts: the PostgreSQL documentation, "ALTER TABLE", "DROP TABLE", "ALTER TYPE".

Judged and left out: DROP NOT NULL. Old code only reads what it and its peers wrote (no NULLs
until new code writes them), and dropping NOT NULL is the expand step of the safe way to stop
writing a column before dropping it: reporting it would cry wolf on the recommended path
(squawk's ban-drop-not-null reports it; strong_migrations does not).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dbdesign.dialects.postgres import quote_ident
from dbdesign.lint.findings import Hit
from dbdesign.lint.migration.context import LintedStatement, StatementContext
from dbdesign.lint.registry import migration_rule
from dbdesign.lint.rules.migrations_pg_common import (
    ACCESS_EXCLUSIVE_LOCK,
    LATER,
    blocks,
    file_statements,
    ignore_line,
    made_in_file,
    name_key,
    name_list,
    not_null_steps,
    rel_key,
    sql_name,
    table_name,
)

# --------------------------------------------------------------------------- drops


@migration_rule("MIG030", "drop-column", "error", dialects=("postgres",), kinds=("AlterTableStmt",))
def drop_column(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE ... DROP COLUMN on a table in use.

    Rationale: code already running still names the column: its SELECTs, INSERTs and UPDATEs
    fail with "column ... does not exist" from the moment the migration commits until the new
    code is everywhere, and ORMs that cache a table's columns (Rails, Hibernate) fail even where
    the code no longer uses it. The drop itself is quick (the column is only marked dropped, no
    rewrite; the PostgreSQL documentation, "ALTER TABLE") but takes an ACCESS EXCLUSIVE lock. A
    column of a table made, or added, earlier in the same file is not reported.

    Bad:
        ALTER TABLE users DROP COLUMN legacy_flag;

    Good:
        -- release 1: code stops reading and writing legacy_flag (Rails: ignored_columns)
        -- release 2, a later migration:
        ALTER TABLE users DROP COLUMN legacy_flag;

    Fix: first deploy code that no longer reads or writes the column (if it is NOT NULL without
    a default, DROP NOT NULL first so that code can insert without it); drop it in a later
    migration.
    """
    node = ctx.stmt.node or {}
    if ctx.stmt.kind != "AlterTableStmt" or node.get("objtype") != "OBJECT_TABLE":
        return
    table = rel_key(ctx, node["relation"])
    if ctx.created_here(table):
        return
    added = _columns_added_in_file(ctx, table)
    tb = ctx.state.tables.get(table)
    for cmd in node.get("cmds") or ():
        c = cmd.get("AlterTableCmd", {})
        if c.get("subtype") != "AT_DropColumn" or c.get("name") in added:
            continue
        col = c["name"]
        column = next((x for x in tb.columns if x.name == col), None) if tb else None
        if tb is not None and column is None:
            continue  # not a column of the table (IF EXISTS): nothing to break
        steps = []
        if column is not None and not column.nullable and column.default is None:
            steps.append(
                f"-- release 1 (this migration): let new code insert without it\n"
                f"ALTER TABLE {sql_name(table)} ALTER COLUMN {quote_ident(col)} DROP NOT NULL;"
            )
        steps.append(
            f"-- after every running client stopped reading and writing {col}, a later "
            f"migration:\n{ignore_line('MIG030', f'every client redeployed without {col}')}\n"
            f"ALTER TABLE {sql_name(table)} DROP COLUMN {quote_ident(col)};"
        )
        yield Hit(
            f"{table}.{col}",
            f"drops column {col} of {table}: code already running that names it fails "
            "('column does not exist') until every client is redeployed, and ORMs that cache "
            f"the column list fail too (ACCESS EXCLUSIVE lock on {table} for the drop itself)",
            fix="\n".join(steps),
        )


def _columns_added_in_file(ctx: StatementContext, table: str) -> set[str]:
    out = set()
    for s in ctx.session.statements:
        node = s.node or {}
        if s.kind == "AlterTableStmt" and rel_key(ctx, node["relation"]) == table:
            for cmd in node.get("cmds") or ():
                c = cmd.get("AlterTableCmd", {})
                if c.get("subtype") == "AT_AddColumn":
                    out.add(c.get("def", {}).get("ColumnDef", {}).get("colname"))
    return out


@migration_rule("MIG031", "drop-table", "error", dialects=("postgres",), kinds=("DropStmt",))
def drop_table(ctx: StatementContext) -> Iterator[Hit]:
    """DROP TABLE of a table in use.

    Rationale: the rows are gone (no undo short of a backup), code already running that uses
    the table fails with "relation ... does not exist", and the drop waits for an ACCESS
    EXCLUSIVE lock on the table (and on the tables whose foreign keys reference it) behind
    every transaction using it (the PostgreSQL documentation, "DROP TABLE"). A table made
    earlier in the same file is not reported.

    Bad:
        DROP TABLE legacy_sessions;

    Good:
        -- release 1: code stops using legacy_sessions; keep a copy
        -- release 2, a later migration:
        DROP TABLE legacy_sessions;

    Fix: deploy code that no longer uses the table, keep a copy of its rows (pg_dump -t, or
    CREATE TABLE ..._archive AS TABLE ...), then drop it in a later migration.
    """
    node = ctx.stmt.node or {}
    if ctx.stmt.kind != "DropStmt" or node.get("removeType") != "OBJECT_TABLE":
        return
    for obj in node.get("objects") or ():
        key = name_key(ctx, name_list(obj.get("List", {}).get("items")))
        if ctx.created_here(key):
            continue
        if node.get("missing_ok") and ctx.state.tables and key not in ctx.state.tables:
            continue  # IF EXISTS of a table the schema does not have
        yield Hit(
            key,
            f"drops table {key}: its rows are lost and code already running that uses it fails "
            f"('relation does not exist'); {blocks(ACCESS_EXCLUSIVE_LOCK, key)}",
            fix=f"-- release 1: deploy code that no longer uses {key}; keep a copy:\n"
            f"CREATE TABLE {sql_name(key + '_archive')} AS TABLE {sql_name(key)};\n"
            f"-- a later migration:\n"
            f"{ignore_line('MIG031', f'no client uses {key}; its rows are archived')}\n"
            f"DROP TABLE {sql_name(key)};",
        )


# --------------------------------------------------------------------------- renames


def _renames(stmts: tuple[LintedStatement, ...], ctx: StatementContext) -> dict[str, set[str]]:
    """Every name each table has in the file (its key, the keys it is renamed to)."""
    out: dict[str, set[str]] = {}
    for s in stmts:
        if s.kind == "RenameStmt" and s.node.get("renameType") == "OBJECT_TABLE":
            old = rel_key(ctx, s.node["relation"])
            new = f"{old.split('.', 1)[0]}.{s.node['newname']}"
            names = out.setdefault(old, {old}) | out.get(new, {new})
            for n in names:
                out[n] = names
    return out


def _views(ctx: StatementContext) -> Iterator[tuple[str, set[str], dict[str, Any]]]:
    """The views the file makes: key, the relations they read, the query."""
    for s in file_statements(ctx):
        if s.kind != "ViewStmt":
            continue
        q = s.node.get("query", {}).get("SelectStmt", {})
        froms = {rel_key(ctx, f["RangeVar"]) for f in q.get("fromClause") or () if "RangeVar" in f}
        yield rel_key(ctx, s.node["view"]), froms, q


@migration_rule("MIG032", "rename-column", "error", dialects=("postgres",), kinds=("RenameStmt",))
def rename_column(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE ... RENAME COLUMN on a table in use.

    Rationale: code already running names the column by its old name: its queries fail with
    "column ... does not exist" from the commit until every client runs the new code, and the
    rename waits for an ACCESS EXCLUSIVE lock (the PostgreSQL documentation, "ALTER TABLE").
    Not reported: a table made earlier in the same file, or a rename shipped with a
    compatibility view that the same file creates, exposing the new column under its old name
    (`CREATE VIEW ... AS SELECT new_name AS old_name ... FROM the_table`).

    Bad:
        ALTER TABLE users RENAME COLUMN name TO full_name;

    Good:
        ALTER TABLE users ADD COLUMN full_name text;
        -- deploy code writing both; backfill in batches; move readers; then, later:
        -- ALTER TABLE users DROP COLUMN name;

    Fix: expand and contract: add the new column, write both, backfill in batches (a NOT NULL
    column gets it back through a validated CHECK), switch the readers, drop the old column in
    a later migration; or rename the table and ship a view
    under the old name that exposes the old column name.
    """
    node = ctx.stmt.node or {}
    if ctx.stmt.kind != "RenameStmt" or node.get("renameType") != "OBJECT_COLUMN":
        return
    if node.get("relationType") not in ("OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW"):
        return
    table = rel_key(ctx, node["relation"])
    if ctx.created_here(table):
        return
    old, new = node["subname"], node["newname"]
    names = _renames(file_statements(ctx), ctx).get(table, {table})
    for _, froms, q in _views(ctx):
        if not froms & names:
            continue
        for t in q.get("targetList") or ():
            rt = t.get("ResTarget", {})
            fields = rt.get("val", {}).get("ColumnRef", {}).get("fields") or []
            last = fields[-1].get("String", {}).get("sval") if fields else None
            if rt.get("name") == old and last == new:
                return  # compatibility view
    tb = ctx.state.tables.get(table)
    col = next((c for c in tb.columns if c.name == old), None) if tb else None
    ctype = str(col.type) if col is not None else "<the column's type>"
    t, o, n = sql_name(table), quote_ident(old), quote_ident(new)
    # NOT NULL comes back through a validated CHECK (no long ACCESS EXCLUSIVE scan).
    keep = not_null_steps(t, table_name(table), new) if col is not None and not col.nullable else []
    yield Hit(
        f"{table}.{old}",
        f"renames column {old} of {table} to {new}: code already running that names {old} "
        f"fails ('column does not exist') until every client is redeployed "
        f"(ACCESS EXCLUSIVE lock on {table})",
        fix="\n".join(
            [
                f"ALTER TABLE {t} ADD COLUMN {n} {ctype};",
                f"-- deploy code that writes both {old} and {new}; backfill in batches:",
                f"UPDATE {t} SET {n} = {o} WHERE {n} IS DISTINCT FROM {o};  -- in batches",
                *([LATER, *keep] if keep else []),
                f"-- once no client reads {old}, a later migration:",
                ignore_line("MIG030", f"every client reads {new} now"),
                f"ALTER TABLE {t} DROP COLUMN {o};",
            ]
        ),
    )


@migration_rule("MIG033", "rename-table", "error", dialects=("postgres",), kinds=("RenameStmt",))
def rename_table(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE (or VIEW, MATERIALIZED VIEW) ... RENAME TO on one in use.

    Rationale: code already running names the table by its old name: its queries fail with
    "relation ... does not exist" from the commit until every client runs the new code; the
    rename waits for an ACCESS EXCLUSIVE lock (the PostgreSQL documentation, "ALTER TABLE").
    Not reported: a table made earlier in the same file, or a rename shipped with a
    compatibility view under the old name in the same file (`CREATE VIEW old AS SELECT * FROM
    new`: a simple view is updatable, so old code's writes go through too).

    Bad:
        ALTER TABLE customers RENAME TO clients;

    Good:
        ALTER TABLE customers RENAME TO clients;
        CREATE VIEW customers AS SELECT * FROM clients;

    Fix: ship the compatibility view in the same migration and drop it once no client uses the
    old name.
    """
    node = ctx.stmt.node or {}
    if ctx.stmt.kind != "RenameStmt":
        return
    if node.get("renameType") not in ("OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW"):
        return
    old = rel_key(ctx, node["relation"])
    if ctx.created_here(old) or made_in_file(ctx, "ViewStmt", old):
        return
    new = f"{old.split('.', 1)[0]}.{node['newname']}"
    for view, froms, _ in _views(ctx):
        if view == old and new in froms:
            return
    what = {"OBJECT_VIEW": "VIEW", "OBJECT_MATVIEW": "MATERIALIZED VIEW"}.get(
        node["renameType"], "TABLE"
    )
    yield Hit(
        old,
        f"renames {old} to {new}: code already running that names {old} fails ('relation "
        f"does not exist') until every client is redeployed (ACCESS EXCLUSIVE lock on {old})",
        fix=f"ALTER {what} {sql_name(old)} RENAME TO {quote_ident(node['newname'])};\n"
        f"CREATE VIEW {sql_name(old)} AS SELECT * FROM {sql_name(new)};  -- drop it once no client "
        "uses the old name",
    )


def _type_made(ctx: StatementContext, s: LintedStatement) -> str | None:
    """The type (or domain) a CREATE TYPE / CREATE DOMAIN statement makes, if it is one."""
    node = s.node or {}
    if s.kind in ("CreateEnumStmt", "CreateRangeStmt"):
        return name_key(ctx, name_list(node.get("typeName")))
    if s.kind == "CreateDomainStmt":
        return name_key(ctx, name_list(node.get("domainname")))
    if s.kind == "CompositeTypeStmt":
        return rel_key(ctx, node["typevar"])
    return None


@migration_rule(
    "MIG034",
    "rename-type-or-enum-value",
    "error",
    dialects=("postgres",),
    kinds=("AlterEnumStmt", "RenameStmt"),
)
def rename_type_or_enum_value(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TYPE ... RENAME TO, or ALTER TYPE ... RENAME VALUE of an enum in use.

    Rationale: code already running writes the old label ('invalid input value for enum') or
    casts to the old type name ('type ... does not exist'): it fails from the commit until
    every client is redeployed (the PostgreSQL documentation, "ALTER TYPE"). Enum values cannot
    be dropped, so the safe path adds the new label and moves the rows. Not reported: a type
    made earlier in the same file, or a type rename shipped with a domain under the old name
    (`CREATE DOMAIN old AS new`).

    Bad:
        ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled';

    Good:
        ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'cancelled' AFTER 'canceled';
        -- the next migration, once code writes 'cancelled':
        -- UPDATE orders SET status = 'cancelled' WHERE status = 'canceled';

    Fix: add the new value, deploy code that writes it (and reads both), move the rows in a
    later migration; for a type rename, ship `CREATE DOMAIN old_name AS new_name`.
    """
    node = ctx.stmt.node or {}
    if ctx.stmt.kind == "AlterEnumStmt" and node.get("oldVal"):
        key = name_key(ctx, name_list(node.get("typeName")))
        if made_in_file(ctx, "CreateEnumStmt", key):
            return
        old, new = node["oldVal"], node["newVal"]
        t = sql_name(key)
        moves = [
            f"UPDATE {sql_name(tk)} SET {quote_ident(c.name)} = '{new}' "
            f"WHERE {quote_ident(c.name)} = '{old}';  -- in batches"
            for tk, tb in ctx.state.tables.items()
            for c in tb.columns
            if c.type.name == key
        ]
        yield Hit(
            key,
            f"renames value '{old}' of {key} to '{new}': code already running that writes "
            f"'{old}' fails ('invalid input value for enum') until every client is redeployed",
            fix=f"ALTER TYPE {t} ADD VALUE IF NOT EXISTS '{new}' AFTER '{old}';\n"
            "-- deploy code that writes the new value and reads both; a later migration:\n"
            + ("\n".join(moves) or f"-- move the rows of every column of type {key}"),
        )
        return
    if ctx.stmt.kind != "RenameStmt" or node.get("renameType") not in (
        "OBJECT_TYPE",
        "OBJECT_DOMAIN",
    ):
        return
    names = name_list(node.get("object", {}).get("List", {}).get("items"))
    key = name_key(ctx, names)
    if made_in_file(ctx, "CreateEnumStmt", key):
        return
    schema = key.split(".", 1)[0]
    new = f"{schema}.{node['newname']}"
    for s in file_statements(ctx):
        if s.kind == "CreateDomainStmt":
            dn = name_key(ctx, name_list(s.node.get("domainname")))
            base = name_list(s.node.get("typeName", {}).get("names"))
            if dn == key and base and name_key(ctx, base) == new:
                return
    if any(_type_made(ctx, s) == key for s in ctx.later()):
        return  # replaced aside: a type of the old name is made again (dbdesign diff does this)
    yield Hit(
        key,
        f"renames type {key} to {new}: code already running that names {key} (casts, "
        "function signatures) fails ('type does not exist') until every client is redeployed",
        fix=f"ALTER TYPE {sql_name(key)} RENAME TO {quote_ident(node['newname'])};\n"
        f"CREATE DOMAIN {sql_name(key)} AS {sql_name(new)};  "
        "-- the old name for old code; drop it later",
    )
