"""Migration safety on SQLite: foreign keys around a rebuild, transactions, and the drops and
renames that break running clients.

Sources: the SQLite documentation, "SQLite Foreign Key Support" (section 2: ``PRAGMA
foreign_keys`` is a no-op inside a transaction; section 5: DROP TABLE runs an implicit DELETE
FROM with foreign keys on), "ALTER TABLE" (the 12 steps; RENAME rewrites the references of
other tables' foreign keys since 3.26) and "BEGIN TRANSACTION". Proven on the machine's SQLite
by tests/integration/test_migration_lint_sqlite.py.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbdesign.dialects.sqlite import quote_ident
from dbdesign.lint.findings import Hit
from dbdesign.lint.migration.context import LintedStatement, StatementContext
from dbdesign.lint.migration.sqlite_rebuild import FOREIGN_KEYS_OFF, Change, rebuild_sql
from dbdesign.lint.migration.walk_sqlite import SQLiteNode
from dbdesign.lint.registry import migration_rule
from dbdesign.readers.ddl.sqlite_statements import AlterDef, DropDef, SQLiteTableDef

SQLITE = ("sqlite",)
_BREAKS = (
    'a running application still using it fails ("no such {what}") until its new version is '
    "deployed"
)


def _node(ctx: StatementContext) -> SQLiteNode:
    node: SQLiteNode = ctx.stmt.node
    return node


def _q(name: str) -> str:
    return quote_ident(name)


def _v(ctx: StatementContext) -> str:
    return f"SQLite {'.'.join(map(str, ctx.server.parts))}"


def _pragma_fk(node: SQLiteNode) -> bool | None:
    """True/False for ``PRAGMA foreign_keys = ON/OFF``, None for anything else."""
    if node.pragma is None or node.pragma[0] != "foreign_keys" or not node.pragma[1]:
        return None
    return node.pragma[1] not in ("0", "off", "false", "no")


def _opened_by(ctx: StatementContext) -> str:
    tx = ctx.session.transaction
    if tx is not None and tx.implicit:
        return f"the runner's transaction ({ctx.stmt.file.runner} wraps each file in one)"
    return "the transaction opened by BEGIN"


@migration_rule("MIG159", "sqlite-foreign-keys-pragma-in-transaction", "error", dialects=SQLITE)
def foreign_keys_in_transaction(ctx: StatementContext) -> Iterator[Hit]:
    """``PRAGMA foreign_keys`` inside a transaction: SQLite ignores it.

    Rationale: "It is not possible to enable or disable foreign key constraints in the
    middle of a multi-statement transaction (when SQLite is not in autocommit mode).
    Attempting to do so does not return an error; it simply has no effect" (the SQLite
    documentation, "SQLite Foreign Key Support", section 2). The classic rebuild mistake:
    ``PRAGMA foreign_keys = OFF`` inside the runner's transaction leaves them on, so the
    rebuild's DROP TABLE deletes the rows of ON DELETE CASCADE children, or fails.

    Bad:
        BEGIN;
        PRAGMA foreign_keys = OFF;
        -- rebuild ...
        COMMIT;

    Good:
        PRAGMA foreign_keys = OFF;
        BEGIN;
        -- rebuild ...
        COMMIT;
        PRAGMA foreign_keys = ON;

    Fix: dbdesign's runner: remove the pragmas and put the header line ``-- dbdesign:
    foreign-keys-off`` first in the file (the runner turns foreign keys off before the file's
    transaction, runs ``PRAGMA foreign_key_check`` before COMMIT and turns them on again).
    Other runners: set the pragma before BEGIN and after COMMIT, in a file the runner does not
    wrap in a transaction.
    """
    on = _pragma_fk(_node(ctx))
    if on is None or not ctx.in_transaction:
        return
    state = "ON" if on else "OFF"
    yield Hit(
        ctx.stmt.short,
        f"PRAGMA foreign_keys = {state} inside {_opened_by(ctx)} does nothing: SQLite changes "
        "it only outside a transaction"
        + ("; the statements after it still run with foreign keys on" if not on else ""),
        fix=_foreign_keys_fix(ctx.stmt.file.runner),
    )


def _foreign_keys_fix(runner: str) -> str:
    plain = "PRAGMA foreign_keys = OFF;\nBEGIN;\n-- ...\nPRAGMA foreign_key_check;\nCOMMIT;\n"
    plain += "PRAGMA foreign_keys = ON;"
    if not runner.startswith("dbdesign"):
        return "-- in a file the runner does not wrap in a transaction:\n" + plain
    return (
        f"{FOREIGN_KEYS_OFF}\n-- (the first line of the file, no PRAGMA foreign_keys in it: "
        "dbdesign's runner turns foreign keys\n-- off around the file's transaction and runs "
        "PRAGMA foreign_key_check before COMMIT)\n-- ...\n"
        "-- for other runners, outside the runner's transaction:\n"
        + "\n".join(f"-- {x}" for x in plain.split("\n"))
    )


def _children(ctx: StatementContext, table: str) -> list[tuple[str, str]]:
    """Other tables with a foreign key to ``table``: (child, ON DELETE action)."""
    out: list[tuple[str, str]] = []
    tables: dict[str, SQLiteTableDef] = ctx.state.tables
    for t in tables.values():
        if t.name.lower() == table.lower():
            continue
        for c in t.constraints:
            if c.kind == "fk" and c.ref_table.lower() == table.lower():
                out.append((t.name, c.on_delete))
    return out


def _in_use(ctx: StatementContext, table: str) -> bool:
    return not ctx.created_here(table.lower())


def _drop_table(ctx: StatementContext) -> str | None:
    p = _node(ctx).parsed
    if isinstance(p, DropDef) and p.kind == "TABLE" and p.name.lower() in ctx.state.tables:
        return p.name
    return None


@migration_rule(
    "MIG160", "sqlite-drop-referenced-table-with-foreign-keys-on", "error", dialects=SQLITE
)
def drop_referenced_with_fk_on(ctx: StatementContext) -> Iterator[Hit]:
    """DROP TABLE of a table other tables reference, with foreign keys on.

    Rationale: with foreign keys on, "an implicit DELETE FROM command" runs before the drop
    (the SQLite documentation, "SQLite Foreign Key Support", section 5): the ON DELETE
    CASCADE children lose their rows, SET NULL children lose the link, and otherwise the
    drop fails. In the 12-step rebuild this is why ``PRAGMA foreign_keys = OFF`` comes first,
    outside the transaction: the children's rows belong to the new table of the same name.

    Bad:
        BEGIN;
        CREATE TABLE new_shops (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        INSERT INTO new_shops (id, name) SELECT id, name FROM shops;
        DROP TABLE shops;  -- orders ON DELETE CASCADE: every order deleted
        ALTER TABLE new_shops RENAME TO shops;
        COMMIT;

    Good:
        -- dbdesign: foreign-keys-off
        -- the same rebuild (dbdesign's runner turns foreign keys off around the file's
        -- transaction and runs PRAGMA foreign_key_check before COMMIT; other runners:
        -- PRAGMA foreign_keys = OFF; BEGIN; ... PRAGMA foreign_key_check; COMMIT;
        -- PRAGMA foreign_keys = ON; outside their transaction)

    Fix: the rebuild as the documented 12 steps, printed with the finding.
    """
    table = _drop_table(ctx)
    if table is None or not _node(ctx).foreign_keys:
        return
    kids = [(c, a) for c, a in _children(ctx, table) if _in_use(ctx, c)]
    if not kids:
        return
    what = {
        "CASCADE": "its rows are deleted",
        "SET NULL": "its key is set to NULL",
        "SET DEFAULT": "its key is set to its default",
    }
    effects = "; ".join(f"{c}: {what.get(a, 'the DROP fails')}" for c, a in kids)
    yield Hit(
        table,
        f"DROP TABLE {table} with foreign keys on runs DELETE FROM {table} first: {effects}",
        fix=rebuild_sql(
            ctx.state,
            table,
            Change(what="its current definition: put the new one in CREATE TABLE new_X"),
            runner=ctx.stmt.file.runner,
        ),
    )


def _later_create(node: SQLiteNode, name: str) -> LintedStatement | None:
    for s in node.later:
        p = s.node.parsed if s.node is not None else None
        if isinstance(p, SQLiteTableDef) and p.name.lower() == name.lower():
            return s
    return None


@migration_rule("MIG161", "sqlite-rename-referenced-table", "error", dialects=SQLITE)
def rename_referenced_table(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE x RENAME TO x_old, then CREATE TABLE x: the rebuild done the wrong way
    round; other tables' foreign keys follow the old table.

    Rationale: since SQLite 3.26 RENAME TO rewrites the REFERENCES clauses of other tables
    to the new name, even with foreign keys off (unless PRAGMA legacy_alter_table=ON; before
    3.26 only with foreign keys on). Renaming the old table away first therefore points
    every child at x_old, and dropping x_old leaves them referencing a table that does not
    exist (the SQLite documentation, "ALTER TABLE", the caution above the 12 steps).

    Bad:
        ALTER TABLE shops RENAME TO shops_old;
        CREATE TABLE shops (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        INSERT INTO shops (id, name) SELECT id, name FROM shops_old;
        DROP TABLE shops_old;

    Good:
        CREATE TABLE new_shops (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        INSERT INTO new_shops (id, name) SELECT id, name FROM shops;
        DROP TABLE shops;
        ALTER TABLE new_shops RENAME TO shops;

    Fix: the 12 steps: create new_x, copy, drop x, rename new_x to x (printed with the
    finding; put the new definition in its CREATE TABLE).
    """
    node = _node(ctx)
    p = node.parsed
    if not isinstance(p, AlterDef) or p.action != "rename":
        return
    if _later_create(node, p.table) is None:
        return
    if not ctx.server.at_least(3, 26) and not node.foreign_keys:
        return
    kids = sorted({c for c, _ in _children(ctx, p.table)})
    if not kids:
        return
    yield Hit(
        p.table,
        f"{_v(ctx)}: RENAME TO {p.new} rewrites the foreign keys of {', '.join(kids)} to "
        f"reference {p.new}, not the new {p.table} made after it",
        fix=rebuild_sql(
            ctx.state,
            p.table,
            Change(what="put the new definition in CREATE TABLE new_X"),
            runner=ctx.stmt.file.runner,
        ),
    )


def _rebuild_rename(node: SQLiteNode, table: str) -> bool:
    """Whether a later ALTER TABLE ... RENAME TO ``table`` in the same file (or the next one:
    a rebuild split over files) puts a new table in its place (the 12-step rebuild)."""
    for s in node.later:
        p = s.node.parsed if s.node is not None else None
        if isinstance(p, AlterDef) and p.action == "rename" and p.new.lower() == table.lower():
            return True
    return False


@migration_rule("MIG162", "sqlite-drop-table", "error", dialects=SQLITE)
def drop_table(ctx: StatementContext) -> Iterator[Hit]:
    """DROP TABLE of a table in use: its rows are lost and running code breaks.

    Rationale: the rows are gone (only a backup brings them back), and the application
    version still running while the migration deploys fails on every query naming the table
    ("no such table"). The 12-step rebuild's DROP TABLE (a later RENAME TO the same name in
    the file, or in the next file: a rebuild split over files, one statement a file, as Ory's
    generated migrations are) and a table made earlier in the same file are not reported.

    Bad:
        DROP TABLE legacy_sessions;

    Good:
        -- release 1: stop reading and writing legacy_sessions
        -- release 2 (a later migration):
        DROP TABLE legacy_sessions;

    Fix: stop using the table in a release first, keep a copy (``.backup`` or ``VACUUM
    INTO``), then drop it in a later migration.
    """
    table = _drop_table(ctx)
    if table is None or not _in_use(ctx, table) or _rebuild_rename(_node(ctx), table):
        return
    yield Hit(
        table,
        f"DROP TABLE {table}: its rows are lost and {_BREAKS.format(what='table')}",
        fix=f"-- a release that no longer uses {table} first; then, in a later migration:\n"
        f"DROP TABLE {_q(table)};",
    )


@migration_rule("MIG163", "sqlite-drop-column", "error", dialects=SQLITE)
def drop_column(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE ... DROP COLUMN of a table in use: the data is lost and running code
    breaks.

    Rationale: the column's values are gone, and the application version still running
    fails on every query naming it ("no such column"); SQLite rewrites every row of the
    table to drop it, holding the database's write lock meanwhile (every writer waits or
    gets SQLITE_BUSY). The server's refusals are MIG151 and MIG152 (a column another
    table's foreign key can reference, a key or a UNIQUE one, is always refused).

    Bad:
        ALTER TABLE users DROP COLUMN nickname;

    Good:
        -- release 1: stop reading and writing users.nickname
        -- release 2 (a later migration):
        ALTER TABLE users DROP COLUMN nickname;

    Fix: expand/contract: ship code that no longer uses the column, then drop it in a later
    migration.
    """
    p = _node(ctx).parsed
    if not isinstance(p, AlterDef) or p.action != "drop_column" or not _in_use(ctx, p.table):
        return
    if not ctx.server.at_least(3, 35):
        return  # it fails: MIG151
    from dbdesign.lint.rules.migrations_sqlite import drop_refusals

    if drop_refusals(ctx, p.table, p.old):
        return  # it fails: MIG152
    yield Hit(
        p.table,
        f"DROP COLUMN {p.table}.{p.old}: its values are lost, the table is rewritten under the "
        f"database's write lock, and {_BREAKS.format(what='column')}",
        fix=f"-- a release that no longer uses {p.table}.{p.old} first; then, in a later "
        f"migration:\nALTER TABLE {_q(p.table)} DROP COLUMN {_q(p.old)};",
    )


def _compat_view(node: SQLiteNode, name: str) -> bool:
    for s in node.later:
        if s.kind == "CREATE VIEW" and s.node is not None:
            p = s.node.parsed
            if getattr(p, "name", "").lower() == name.lower():
                return True
    return False


@migration_rule("MIG164", "sqlite-rename", "error", dialects=SQLITE)
def rename(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE ... RENAME TO / RENAME COLUMN on a table in use: running code breaks.

    Rationale: the application version still running names the old table or column and
    fails ("no such table", "no such column") until the new version is deployed. Not
    reported: the 12-step rebuild's RENAME (the table under the new name was dropped earlier
    in the same file or in the previous one), a table made in the same file, and a table
    rename followed by a compatibility view under the old name (reads keep working; writes
    through a view need INSTEAD OF triggers).

    Bad:
        ALTER TABLE users RENAME COLUMN name TO full_name;

    Good:
        ALTER TABLE users ADD COLUMN full_name TEXT;
        -- release writing both, backfill, release reading full_name, then drop name

    Fix: expand/contract: add the new column (or table), write both, backfill, switch the
    reads, drop the old one in a later migration; for a table, a view under the old name
    bridges the readers.
    """
    p = _node(ctx).parsed
    if not isinstance(p, AlterDef) or p.action not in ("rename", "rename_column"):
        return
    if not _in_use(ctx, p.table) or p.table.lower() not in ctx.state.tables:
        return
    if p.action == "rename":
        if _rebuild_source(ctx, p.new) or _compat_view(_node(ctx), p.table):
            return
        yield Hit(
            p.table,
            f"RENAME TO {p.new}: {_BREAKS.format(what='table')}",
            fix=f"ALTER TABLE {_q(p.table)} RENAME TO {_q(p.new)};\n"
            f"CREATE VIEW {_q(p.table)} AS SELECT * FROM {_q(p.new)};  -- until no reader uses "
            f"{p.table}",
        )
        return
    if not ctx.server.at_least(3, 25):
        return  # it fails: MIG153
    yield Hit(
        p.table,
        f"RENAME COLUMN {p.old} TO {p.new}: {_BREAKS.format(what='column')}",
        fix=f"ALTER TABLE {_q(p.table)} ADD COLUMN {_q(p.new)};  -- write both, backfill:\n"
        f"UPDATE {_q(p.table)} SET {_q(p.new)} = {_q(p.old)};\n"
        f"-- later, once no code reads {p.old}:\nALTER TABLE {_q(p.table)} DROP COLUMN "
        f"{_q(p.old)};",
    )


def _rebuild_source(ctx: StatementContext, new: str) -> bool:
    """The rebuild's final RENAME: the target name was a table dropped earlier in the file
    (or in the previous file: a rebuild split over files)."""
    for s in (*_node(ctx).previous, *ctx.session.statements):
        p = s.node.parsed if s.node is not None else None
        if isinstance(p, DropDef) and p.kind == "TABLE" and p.name.lower() == new.lower():
            return True
    return False


@migration_rule("MIG165", "sqlite-transaction-control-in-transaction", "error", dialects=SQLITE)
def transaction_control(ctx: StatementContext) -> Iterator[Hit]:
    """BEGIN inside a transaction, or COMMIT / ROLLBACK of the runner's transaction.

    Rationale: SQLite has no nested BEGIN ("cannot start a transaction within a
    transaction"; the SQLite documentation, "BEGIN TRANSACTION"): a BEGIN in a file the
    runner wraps in a transaction fails. A COMMIT there ends the runner's transaction early:
    what follows runs outside it, and the runner's own COMMIT fails ("cannot commit - no
    transaction is active"). dbdesign's runner refuses BEGIN / COMMIT in a file outright.

    Bad:
        -- 0003_rebuild.up.sql (dbdesign wraps it in a transaction)
        BEGIN;
        CREATE TABLE new_users (id INTEGER PRIMARY KEY);
        COMMIT;

    Good:
        -- 0003_rebuild.up.sql
        CREATE TABLE new_users (id INTEGER PRIMARY KEY);

    Fix: leave the transaction to the runner (remove BEGIN / COMMIT). A rebuild that needs
    foreign keys off outside the transaction: dbdesign's header ``-- dbdesign:
    foreign-keys-off`` (the runner sets the pragmas and runs ``PRAGMA foreign_key_check``
    around its transaction); other runners: a file they do not wrap in a transaction.
    """
    tx = ctx.session.transaction
    kind = ctx.stmt.kind
    if tx is None or kind not in ("BEGIN", "COMMIT", "END", "ROLLBACK"):
        return
    if kind == "ROLLBACK" and "TO" in _node(ctx).words[:3]:
        return
    if kind == "BEGIN":
        msg = f"BEGIN inside {_opened_by(ctx)} fails: SQLite has no nested transactions"
    elif tx.implicit:
        msg = (
            f"{kind} ends {_opened_by(ctx)} early: the statements after it run outside it "
            "and the runner's own COMMIT fails"
        )
    else:
        return
    yield Hit(ctx.stmt.short, msg, fix=_transaction_fix(ctx.stmt.file.runner))


def _transaction_fix(runner: str) -> str:
    fix = "-- remove BEGIN / COMMIT: the runner's transaction covers the file"
    if runner.startswith("dbdesign"):
        fix += (
            "\n-- (a table rebuild that needs foreign keys off: the header line\n"
            f"{FOREIGN_KEYS_OFF}\n-- instead of PRAGMA foreign_keys / BEGIN / COMMIT)"
        )
    return fix


@migration_rule("MIG166", "sqlite-foreign-keys-on-without-check", "warning", dialects=SQLITE)
def foreign_keys_on_without_check(ctx: StatementContext) -> Iterator[Hit]:
    """Foreign keys turned back on after DDL with them off, without ``PRAGMA
    foreign_key_check``.

    Rationale: while foreign keys are off nothing checks them: a rebuild that copied rows
    wrongly or dropped a parent leaves children pointing nowhere, and turning the pragma on
    again does not look at existing rows (the SQLite documentation, "ALTER TABLE", step 10;
    "PRAGMA foreign_key_check"). The violations surface later, on unrelated writes.

    Bad:
        PRAGMA foreign_keys = OFF;
        BEGIN;
        -- rebuild ...
        COMMIT;
        PRAGMA foreign_keys = ON;

    Good:
        PRAGMA foreign_keys = OFF;
        BEGIN;
        -- rebuild ...
        PRAGMA foreign_key_check;
        COMMIT;
        PRAGMA foreign_keys = ON;

    Fix: run ``PRAGMA foreign_key_check`` before COMMIT; it must return no rows.
    """
    node = _node(ctx)
    if _pragma_fk(node) is not True or ctx.in_transaction or node.foreign_keys:
        return
    since: list[LintedStatement] = []
    for s in reversed(ctx.session.statements):
        sn = s.node
        if sn is not None and sn.pragma is not None and _pragma_fk(sn) is False:
            break
        since.append(s)
    checked = any(
        s.node is not None and s.node.pragma is not None and s.node.pragma[0] == "foreign_key_check"
        for s in since
    )
    ddl = any(s.kind.startswith(("DROP", "ALTER", "CREATE")) for s in since)
    if checked or not ddl:
        return
    yield Hit(
        ctx.stmt.short,
        "foreign keys back on after DDL run with them off, and no PRAGMA foreign_key_check: "
        "rows that break a foreign key stay unnoticed",
        fix="PRAGMA foreign_key_check;  -- before COMMIT; it must return no rows",
    )
