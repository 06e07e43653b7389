"""Migration safety on MySQL and MariaDB: online DDL, metadata locks, implicit commits,
renames and drops.

The algorithm each ALTER gets comes from the knowledge table in
:mod:`dbdesign.lint.migration.mysql_online_facts` (the MySQL 8.0 Reference Manual, "Online DDL
Operations"; the MariaDB Knowledge Base, "InnoDB Online DDL Operations with ALGORITHM=INSTANT /
NOCOPY / INPLACE"). Its MariaDB verdicts are proven on MariaDB 10.11 by
tests/integration/test_migration_lint_mysql.py; its MySQL 8.0 verdicts are the manual's, not
proven here (no MySQL 8 server to run them on).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from dbdesign.dialects.mysql import quote_ident
from dbdesign.lint.findings import Hit
from dbdesign.lint.migration.context import LintedStatement, StatementContext
from dbdesign.lint.migration.mysql_online import Classified, classify
from dbdesign.lint.migration.mysql_online_facts import (
    METADATA_ONLY,
    OPERATIONS,
    Verdict,
    server_text,
)
from dbdesign.lint.migration.walk_mysql import MDL_KINDS, MySQLNode
from dbdesign.lint.registry import migration_rule
from dbdesign.readers.ddl.mysql_defs import AlterStmt, DropStmt, RenameStmt

MYSQL = ("mysql",)
_ALGO = {"INSTANT": 0, "NOCOPY": 1, "INPLACE": 1, "COPY": 2, "DEFAULT": 3}
_LOCK = {"NONE": 0, "SHARED": 1, "EXCLUSIVE": 2, "DEFAULT": 3}
_WRITES_WAIT = (
    "INSERT, UPDATE and DELETE on {table} wait until it ends (reads go on), and a replica "
    "applies the ALTER only after the primary finished it, lagging as long"
)
_UNPROVEN = " (MySQL verdict from the manual, not run here)"
_INDEX_OPS = frozenset(("add_first_fulltext", "add_fulltext", "add_spatial"))


def _node(ctx: StatementContext) -> MySQLNode:
    node: MySQLNode = ctx.stmt.node
    return node


def _classified(ctx: StatementContext) -> Classified | None:
    node = _node(ctx)
    if node.table is None and not isinstance(node.parsed, DropStmt):
        return None
    name = node.table or ""
    if isinstance(node.parsed, DropStmt) and node.parsed.table is not None:
        name = node.parsed.table[1]
    return classify(node, ctx.state.tables.get(name), ctx.server)


def _in_use(ctx: StatementContext) -> str | None:
    """The statement's table when it may be in use (not made earlier in this file)."""
    node = _node(ctx)
    table = node.table or (node.tables[0] if node.tables else None)
    return table if table is not None and table in node.in_use else None


def _q(name: str) -> str:
    return quote_ident(name)


def _refused(node: MySQLNode, verdict: Verdict) -> bool:
    """Whether the ALGORITHM= / LOCK= written (ALTER ONLINE: LOCK=NONE) asks for less than
    the server needs: it refuses the statement (ERROR 1845 / 1846)."""
    lock = "NONE" if node.online and node.lock is None else node.lock
    if node.algorithm is not None and node.algorithm in _ALGO:
        algo = node.algorithm
        need = _ALGO[verdict.algorithm]
        if _ALGO[algo] < need:
            return True
        if algo == "NOCOPY" and verdict.rebuild and verdict.algorithm != "COPY":
            return True
    return lock is not None and lock in _LOCK and _LOCK[lock] < _LOCK[verdict.lock]


def _guarded(node: MySQLNode) -> bool:
    """Whether the statement states what it may take (the server refuses anything worse)."""
    return (
        (
            node.algorithm in ("INSTANT", "INPLACE", "NOCOPY")
            and node.lock in ("NONE", None)
            and (node.algorithm != "INPLACE" or node.lock == "NONE")
        )
        or node.lock == "NONE"
        or node.online
    )


def _osc(ctx: StatementContext, table: str) -> str:
    """gh-ost and pt-online-schema-change commands doing the ALTER while writes go on."""
    alter = _alter_text(ctx).replace('"', '\\"')
    return (
        f'gh-ost --table={table} --alter="{alter}" --execute   '
        f'# or: pt-online-schema-change --alter "{alter}" D=<database>,t={table} --execute'
    )


_CREATE_INDEX = re.compile(
    r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?P<kind>(?:UNIQUE|FULLTEXT|SPATIAL)\s+)?INDEX\s+"
    r"(?P<name>\S+)\s+(?:USING\s+\w+\s+)?ON\s+\S+\s*(?P<rest>\(.*)$",
    re.I | re.S,
)


def _alter_text(ctx: StatementContext) -> str:
    """The statement as the clauses of an ALTER TABLE (CREATE INDEX as ADD INDEX)."""
    node = _node(ctx)
    if ctx.stmt.kind == "CREATE INDEX":
        m = _CREATE_INDEX.match(ctx.stmt.text)
        if m:
            kind = (m.group("kind") or "").upper()
            return f"ADD {kind}INDEX {m.group('name')} {m.group('rest').rstrip(';').strip()}"
    text = " ".join(node.clauses.split())
    return _GUARD_CLAUSE.sub("", text).strip().strip(",").strip()


_GUARD_CLAUSE = re.compile(r",?\s*\b(?:ALGORITHM|LOCK)\s*=?\s*\w+\b", re.I)


def _with_clause(text: str, kind: str, clause: str) -> str:
    """The statement with ``clause`` (``ALGORITHM=INPLACE, LOCK=NONE``) added."""
    body = text.rstrip().rstrip(";").rstrip()
    if kind == "ALTER TABLE":
        return f"{body}, {clause};"
    return f"{body} {clause.replace(',', '')};"


def _titles(ops: list[str]) -> str:
    return "; ".join(dict.fromkeys(OPERATIONS[k].title for k in ops if k in OPERATIONS))


def _tail(ctx: StatementContext) -> str:
    return _UNPROVEN if not ctx.server.mariadb else ""


def _blocking_ops(c: Classified, ctx: StatementContext) -> list[str]:
    return [k for k in c.keys if k in OPERATIONS and OPERATIONS[k].on(ctx.server).blocks_writes]


@migration_rule("MIG100", "mysql-alter-blocks-writes", "error", dialects=MYSQL)
def alter_blocks_writes(ctx: StatementContext) -> Iterator[Hit]:
    """An ALTER TABLE on a table in use that copies it (ALGORITHM=COPY) or takes a SHARED lock.

    Rationale: what the server cannot do INSTANT or INPLACE with LOCK=NONE it does with
    ALGORITHM=COPY: a new table is written row by row while INSERT, UPDATE and DELETE on the
    table wait (LOCK=SHARED), minutes to hours on a large table; a replica applies the ALTER
    only after the primary finished it, lagging as long. Copying operations: column type
    changes (INT -> BIGINT, signedness, shorter VARCHAR, VARCHAR past 255 bytes, TEXT ->
    MEDIUMTEXT), ENUM values inserted or reordered, column character set changes, STORED
    generated columns, DEFAULT (UUID()), DROP PRIMARY KEY alone, ADD FOREIGN KEY with
    foreign_key_checks on, ADD CHECK, another ENGINE. Adding an AUTO_INCREMENT column
    rebuilds with LOCK=SHARED. Sources: the MySQL 8.0 Reference Manual, "Online DDL
    Operations"; the MariaDB Knowledge Base, "InnoDB Online DDL Operations with
    ALGORITHM=INPLACE"; the MariaDB verdicts are proven on MariaDB 10.11
    (tests/integration/test_migration_lint_mysql.py), the MySQL 8.0 ones are the manual's.
    CONVERT TO CHARACTER SET (MIG105) and FULLTEXT/SPATIAL indexes (MIG106) have rules of
    their own.

    Bad:
        ALTER TABLE orders MODIFY COLUMN total BIGINT NOT NULL;

    Good:
        ALTER TABLE orders ADD COLUMN total_new BIGINT NULL, ALGORITHM=INSTANT;
        -- backfill in batches, switch the code, then drop the old column

    Fix: expand/contract (a new column, written by both code versions, backfilled in batches,
    then the old one dropped), or run the ALTER with gh-ost / pt-online-schema-change, which
    copy the table while writes go on.
    """
    table = _in_use(ctx)
    c = _classified(ctx) if table is not None else None
    if c is None or c.verdict is None or table is None or not c.verdict.blocks_writes:
        return
    node = _node(ctx)
    blocking = _blocking_ops(c, ctx) or sorted(c.keys)
    if all(k in _INDEX_OPS or k == "convert_charset" for k in blocking):
        return
    if _refused(node, c.verdict):
        return  # the server refuses it instead: MIG109
    v = c.verdict
    what = "copied row by row" if v.algorithm == "COPY" else "rebuilt with a SHARED lock"
    cols = [n for k, n in c.operations if k in blocking and n]
    fixes = [OPERATIONS[k].copy_fix for k in blocking if OPERATIONS[k].copy_fix]
    fix = (fixes[0].format(col=cols[0] if cols else "col") + ":\n") if fixes else ""
    yield Hit(
        table,
        f"{server_text(ctx.server)}: {_titles(blocking)}: {v}: {_q(table)} is {what}; "
        f"{_WRITES_WAIT.format(table=_q(table))}{_tail(ctx)}",
        fix=fix + _osc(ctx, table),
    )


@migration_rule("MIG101", "mysql-alter-rebuilds-table", "warning", dialects=MYSQL)
def alter_rebuilds_table(ctx: StatementContext) -> Iterator[Hit]:
    """An ALTER TABLE on a table in use that rebuilds it in place (INPLACE, LOCK=NONE).

    Rationale: an INPLACE rebuild lets reads and writes go on, but rewrites every row (time
    and free disk in proportion to the table, plus a log of the concurrent writes that must
    fit innodb_online_alter_log_max_size), takes an exclusive metadata lock at its start and
    end, and a replica applies it only once the primary has finished, lagging for as long.
    Rebuilding operations: NULL <-> NOT NULL, ADD/DROP/replace PRIMARY KEY, FORCE, ROW_FORMAT,
    KEY_BLOCK_SIZE, column reordering on MySQL, ADD/DROP COLUMN before MySQL 8.0.29 or MariaDB
    10.4 (10.3 for ADD COLUMN last), and an INSTANT column change combined with an index build
    in one ALTER. Sources: MySQL 8.0 Reference Manual "Online DDL Operations" (column
    "Rebuilds Table"); MariaDB KB "InnoDB Online DDL Operations with ALGORITHM=INPLACE"
    (proven on MariaDB 10.11: ALGORITHM=NOCOPY refused).

    Bad:
        ALTER TABLE orders ADD COLUMN note TEXT NULL, ADD INDEX ix_orders_status (status);

    Good:
        ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INSTANT;
        ALTER TABLE orders ADD INDEX ix_orders_status (status), ALGORITHM=INPLACE, LOCK=NONE;

    Fix: split an INSTANT column change from index builds into two ALTERs; on a large table
    run a real rebuild with gh-ost / pt-online-schema-change (throttled, replica-aware).
    """
    table = _in_use(ctx)
    c = _classified(ctx) if table is not None else None
    if c is None or c.verdict is None or table is None:
        return
    v = c.verdict
    if not v.rebuild or v.blocks_writes or _refused(_node(ctx), v):
        return
    instant_alone = [
        k for k in c.keys if k in OPERATIONS and OPERATIONS[k].on(ctx.server).algorithm == "INSTANT"
    ]
    rebuilding = [k for k in c.keys if k in OPERATIONS and OPERATIONS[k].on(ctx.server).rebuild]
    if rebuilding:
        why = _titles(rebuilding)
        fix = _osc(ctx, table)
    else:
        why = (
            f"{_titles(instant_alone)} (INSTANT alone) combined with "
            f"{_titles(sorted(c.keys - set(instant_alone)))}"
        )
        fix = (
            "split it: the column change in an ALTER TABLE of its own with ALGORITHM=INSTANT, "
            "the rest in a second one with ALGORITHM=INPLACE, LOCK=NONE"
        )
    yield Hit(
        table,
        f"{server_text(ctx.server)}: {why}: {v}: every row of {_q(table)} is rewritten "
        "(reads and writes go on; disk and time grow with the table; a replica lags until "
        f"it has redone the rebuild){_tail(ctx)}",
        fix=fix,
    )


@migration_rule("MIG102", "mysql-missing-algorithm-lock", "warning", dialects=MYSQL)
def missing_algorithm_lock(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE / CREATE INDEX / DROP INDEX on a table in use without ALGORITHM= or LOCK=.

    Rationale: without the clauses the server picks the cheapest algorithm it can, and when
    that is more than expected it silently copies or locks: MySQL 8.0.29+ falls back from
    INSTANT to a rebuild after 64 instant row versions, a FULLTEXT index or ROW_FORMAT=
    COMPRESSED rules INSTANT out, the production table may differ from the one reviewed.
    With `ALGORITHM=INSTANT` or `ALGORITHM=INPLACE, LOCK=NONE` the server refuses (ERROR
    1845/1846) instead of locking: the habit gh-ost / pt-osc users rely on. Sources: MySQL
    8.0 Reference Manual "ALTER TABLE" (ALGORITHM and LOCK clauses); MariaDB KB "ALTER TABLE"
    (ALTER ONLINE is LOCK=NONE). Not reported: changes that are metadata only on every
    server (SET/DROP DEFAULT, RENAME TO ...), tables made in the same file, and statements
    that copy anyway (MIG100, MIG105, MIG106 say so).

    Bad:
        ALTER TABLE orders ADD COLUMN note TEXT NULL;

    Good:
        ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INSTANT;

    Fix: add the clause the operation needs on the target server (`ALGORITHM=INSTANT`, or
    `ALGORITHM=INPLACE, LOCK=NONE`).
    """
    if ctx.stmt.kind not in ("ALTER TABLE", "CREATE INDEX", "DROP INDEX"):
        return
    table = _in_use(ctx)
    node = _node(ctx)
    if table is None or _guarded(node):
        return
    c = _classified(ctx)
    if c is None or not c.operations:
        return
    if c.keys <= METADATA_ONLY:
        return
    if c.verdict is not None and (c.verdict.blocks_writes or node.algorithm == "COPY"):
        return
    clause = c.verdict.clause() if c.verdict is not None else "ALGORITHM=INPLACE, LOCK=NONE"
    expected = f"{c.verdict}" if c.verdict is not None else "not known to the linter"
    yield Hit(
        table,
        f"no ALGORITHM=/LOCK= clause: on {server_text(ctx.server)} this is {expected}, but "
        "if the server cannot do that it silently copies or locks "
        f"{_q(table)} instead of refusing",
        fix=_with_clause(ctx.stmt.text, ctx.stmt.kind, clause),
    )


def _waits_for_mdl(s: LintedStatement) -> bool:
    node: MySQLNode = s.node
    return s.kind in MDL_KINDS and bool(node.in_use) and not node.wait


@migration_rule("MIG103", "mysql-lock-wait-timeout", "warning", dialects=MYSQL)
def lock_wait_timeout(ctx: StatementContext) -> Iterator[Hit]:
    """DDL on a table in use without a short lock_wait_timeout first (once per file).

    Rationale: every ALTER TABLE, CREATE/DROP INDEX, RENAME, TRUNCATE and DROP TABLE needs an
    exclusive metadata lock on the table, even an INSTANT one, at least briefly. It waits
    behind any open transaction that touched the table, and while it waits every later query
    on the table queues behind it: a long report or an idle-in-transaction connection turns a
    one-millisecond ALTER into an outage. The wait lasts lock_wait_timeout: 31536000 seconds
    (a year) by default on MySQL, 86400 (a day) on MariaDB. Sources: MySQL 8.0 Reference
    Manual "Metadata Locking" and "lock_wait_timeout"; MariaDB KB "lock_wait_timeout",
    "WAIT and NOWAIT". Not reported when the runner sets it (dbdesign: the lock_timeout header
    or configuration), for tables made in the same file, or with MariaDB's WAIT n / NOWAIT /
    SET STATEMENT lock_wait_timeout=n FOR.

    Bad:
        ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INSTANT;

    Good:
        SET SESSION lock_wait_timeout = 5;
        ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INSTANT;

    Fix: `SET SESSION lock_wait_timeout = 5;` at the top of the file (retry the migration
    when it times out); on MariaDB also `ALTER TABLE t WAIT 5 ...`.
    """
    if not _waits_for_mdl(ctx.stmt) or ctx.lock_timeout:
        return
    if any(_waits_for_mdl(s) for s in ctx.session.statements):
        return
    node = _node(ctx)
    table = node.in_use[0]
    default = "86400 s (a day) on MariaDB" if ctx.server.mariadb else "31536000 s (a year) on MySQL"
    yield Hit(
        table,
        f"{ctx.stmt.kind} waits for an exclusive metadata lock on {_q(table)} behind every "
        f"open transaction that touched it, for up to lock_wait_timeout ({default}), and "
        "every later query on the table queues behind it",
        fix=f"SET SESSION lock_wait_timeout = 5;\n{ctx.stmt.text.rstrip(';')};",
    )


def _changes(s: LintedStatement) -> bool:
    node: MySQLNode = s.node
    return node.ddl or node.dml


@migration_rule("MIG104", "mysql-non-atomic-migration", "warning", dialects=MYSQL)
def non_atomic_migration(ctx: StatementContext) -> Iterator[Hit]:
    """A migration file with several DDL statements, or DDL and data changes (once per file).

    Rationale: MySQL and MariaDB commit implicitly before and after every DDL statement
    (MySQL 8.0 Reference Manual, "Statements That Cause an Implicit Commit"; MariaDB KB
    "SQL statements That Cause an Implicit Commit"), whatever BEGIN or the runner's
    transaction say: when a later statement fails, the earlier ones stay applied, and running
    the file again fails on them ("Duplicate column name", "Table already exists"). The file
    is left half done for someone to repair by hand (dbdesign's runner records the statements
    done and resumes after them; golang-migrate marks the version dirty; Flyway on MySQL
    cannot roll it back). Statements that are safe to run again (IF [NOT] EXISTS on every
    action) do not count.

    Bad:
        ALTER TABLE orders ADD COLUMN status_code INT NULL;
        UPDATE orders SET status_code = 1 WHERE status = 'paid';

    Good:
        -- 0007_add_status_code.up.sql
        ALTER TABLE orders ADD COLUMN status_code INT NULL;
        -- 0008_backfill_status_code.up.sql
        UPDATE orders SET status_code = 1 WHERE status = 'paid';

    Fix: one DDL statement per migration file (several changes to one table can be one ALTER
    TABLE), data changes in files of their own; or make each statement rerunnable with IF
    [NOT] EXISTS (MariaDB: ADD COLUMN IF NOT EXISTS, DROP COLUMN IF EXISTS ...).
    """
    if not _changes(ctx.stmt):
        return
    pending = False  # an earlier change that stays if a later statement fails
    ddl = False
    for s in ctx.session.statements:
        if not _changes(s):
            continue
        node: MySQLNode = s.node
        if pending and (ddl or node.ddl):
            return  # reported at an earlier statement
        ddl = ddl or node.ddl
        pending = pending or not node.rerunnable
    node = _node(ctx)
    if not pending or not (ddl or node.ddl):
        return
    done = sum(1 for s in ctx.session.statements if _changes(s))
    yield Hit(
        Path(ctx.stmt.file.display).name,
        f"DDL commits implicitly on MySQL/MariaDB: if this {ctx.stmt.kind} fails, the {done} "
        "statement(s) before it in the file stay applied and running the file again fails on "
        "them",
        fix="put each DDL statement (one ALTER TABLE per table) and each data change in a "
        "migration file of its own, or make the earlier ones rerunnable (IF [NOT] EXISTS)",
    )


@migration_rule("MIG105", "mysql-charset-conversion", "error", dialects=MYSQL)
def charset_conversion(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE ... CONVERT TO CHARACTER SET on a table in use.

    Rationale: CONVERT TO CHARACTER SET rewrites every text column of the table with
    ALGORITHM=COPY: writes wait for the whole copy (LOCK=SHARED) and a replica lags as long.
    It can also change the columns' types (a latin1 TEXT becomes MEDIUMTEXT in utf8mb4, to
    keep its capacity) and make indexes on long VARCHARs exceed the 3072-byte key limit.
    Sources: MySQL 8.0 Reference Manual, "ALTER TABLE" (Changing the Character Set) and
    "Online DDL Operations" (Converting a character set: COPY); MariaDB KB "ALTER TABLE";
    proven on MariaDB 10.11 (ALGORITHM=INPLACE refused, "Cannot change column type").
    Changing only the table's DEFAULT CHARACTER SET converts nothing (metadata on MariaDB).

    Bad:
        ALTER TABLE customers CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;

    Good:
        -- gh-ost --table=customers --alter="CONVERT TO CHARACTER SET utf8mb4" --execute

    Fix: run the conversion with gh-ost / pt-online-schema-change (the copy is made while
    writes go on), or convert column by column with expand/contract.
    """
    table = _in_use(ctx)
    c = _classified(ctx) if table is not None else None
    if c is None or table is None or "convert_charset" not in c.keys:
        return
    if c.verdict is not None and _refused(_node(ctx), c.verdict):
        return
    yield Hit(
        table,
        f"{server_text(ctx.server)}: CONVERT TO CHARACTER SET: ALGORITHM=COPY: every text "
        f"column of {_q(table)} is rewritten while {_WRITES_WAIT.format(table=_q(table))}; "
        "column types may grow (TEXT -> MEDIUMTEXT) and long indexed VARCHARs may exceed the "
        f"key length limit{_tail(ctx)}",
        fix=_osc(ctx, table),
    )


@migration_rule("MIG106", "mysql-fulltext-spatial-index", "error", dialects=MYSQL)
def fulltext_spatial_index(ctx: StatementContext) -> Iterator[Hit]:
    """A FULLTEXT or SPATIAL index added to a table in use.

    Rationale: InnoDB builds FULLTEXT and SPATIAL indexes INPLACE but not with LOCK=NONE:
    writes to the table wait for the whole build (LOCK=SHARED). The table's first FULLTEXT
    index also rebuilds the table to add the hidden FTS_DOC_ID column. (An ordinary index is
    built INPLACE with LOCK=NONE: not reported.) Sources: MySQL 8.0 Reference Manual "Online
    DDL Operations" (Adding a FULLTEXT index, Adding a SPATIAL index); MariaDB KB "InnoDB
    Online DDL Operations with ALGORITHM=INPLACE"; proven on MariaDB 10.11 ("Fulltext index
    creation requires a lock", "Do not support online operation on table with GIS index").

    Bad:
        ALTER TABLE articles ADD FULLTEXT INDEX ft_articles_body (body);

    Good:
        -- gh-ost --table=articles --alter="ADD FULLTEXT INDEX ft_articles_body (body)" --execute

    Fix: build it with gh-ost / pt-online-schema-change, or in a maintenance window; on MySQL
    an FTS_DOC_ID BIGINT UNSIGNED NOT NULL AUTO_INCREMENT column with a unique FTS_DOC_ID_INDEX
    made with the table avoids the rebuild.
    """
    table = _in_use(ctx)
    c = _classified(ctx) if table is not None else None
    if c is None or table is None or c.verdict is None or not c.keys & _INDEX_OPS:
        return
    if _refused(_node(ctx), c.verdict):
        return
    kinds = [k for k in c.keys if k in _INDEX_OPS]
    rebuild = " and rebuilds the table (adds FTS_DOC_ID)" if "add_first_fulltext" in kinds else ""
    yield Hit(
        table,
        f"{server_text(ctx.server)}: {_titles(kinds)}: ALGORITHM=INPLACE, LOCK=SHARED"
        f"{rebuild}: {_WRITES_WAIT.format(table=_q(table))}{_tail(ctx)}",
        fix=_osc(ctx, table),
    )


def _dropped_columns(node: MySQLNode) -> list[str]:
    p = node.parsed
    if not isinstance(p, AlterStmt):
        return []
    return [a.old for a in p.actions if a.kind == "drop_column"]


@migration_rule("MIG107", "mysql-drop-breaks-clients", "error", dialects=MYSQL)
def drop_breaks_clients(ctx: StatementContext) -> Iterator[Hit]:
    """DROP COLUMN or DROP TABLE on a table in use.

    Rationale: the running application still reads and writes the column or table: every
    query naming it fails (ERROR 1054 "Unknown column", 1146 "Table doesn't exist") from the
    moment the statement commits, and the data is gone (DDL cannot be rolled back on MySQL
    or MariaDB). `SELECT *` readers and INSERTs without a column list break too. Tables made
    in the same file are not reported.

    Bad:
        ALTER TABLE users DROP COLUMN legacy_status;

    Good:
        -- release 1: the code stops reading and writing users.legacy_status
        -- release 2 (this migration, once release 1 runs everywhere):
        ALTER TABLE users DROP COLUMN legacy_status, ALGORITHM=INSTANT;

    Fix: remove every use from the code and deploy first, then drop in a later migration
    (suppress this finding there with the reason). MySQL 8.0.23+ `ALTER COLUMN c SET
    INVISIBLE` / MariaDB 10.3+ `MODIFY c ... INVISIBLE` hides a column from `SELECT *` first.
    """
    node = _node(ctx)
    p = node.parsed
    if isinstance(p, AlterStmt) and node.table in node.in_use:
        for col in _dropped_columns(node):
            yield Hit(
                f"{node.table}.{col}",
                f"DROP COLUMN {_q(col)}: running code that reads or writes "
                f"{_q(node.table or '')}.{_q(col)} fails (ERROR 1054 Unknown column), and its "
                "data is gone",
                fix=f"-- first deploy code that no longer uses {col}; then, in a later "
                f"migration:\n{ctx.stmt.text.rstrip(';')};",
            )
    elif isinstance(p, DropStmt) and p.kind == "TABLE":
        for name in node.in_use:
            yield Hit(
                name,
                f"DROP TABLE {_q(name)}: running code that uses it fails (ERROR 1146), and its "
                "rows are gone",
                fix=f"-- first deploy code that no longer uses {name} (or RENAME TABLE {name} "
                f"TO {name}_old and drop that a release later):\n{ctx.stmt.text.rstrip(';')};",
            )


def _compat_view_later(ctx: StatementContext, old: str) -> bool:
    """Whether the file makes a view under the old name after this statement."""
    text = ctx.stmt.file.text
    lines = text.split("\n")
    at = sum(len(x) + 1 for x in lines[: ctx.stmt.line - 1]) + ctx.stmt.col - 1
    rest = text[at + len(ctx.stmt.text) :]
    pattern = re.compile(
        r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:[^;]*?\s)?VIEW\s+(?:`?\w+`?\.)?`?"
        + re.escape(old)
        + r"`?[\s(]",
        re.I,
    )
    return pattern.search(rest) is not None


def _type_of(ctx: StatementContext, table: str, column: str) -> str:
    t = ctx.state.tables.get(table)
    col = t.column(column) if t is not None else None
    return col.raw.raw or str(col.type) if col is not None else f"<type of {column}>"


@migration_rule("MIG108", "mysql-rename-breaks-clients", "error", dialects=MYSQL)
def rename_breaks_clients(ctx: StatementContext) -> Iterator[Hit]:
    """RENAME COLUMN, CHANGE old new, RENAME TABLE or ALTER TABLE ... RENAME TO on a table in use.

    Rationale: a rename is INSTANT, and breaks at once every running query that uses the old
    name (ERROR 1054 / 1146): the code deployed before and after the migration cannot both
    work. Not reported: tables made in the same file, a swap that gives the old name to
    another table in the same RENAME TABLE (gh-ost / pt-osc cut-over), and a table rename
    followed in the same file by a compatibility view under the old name.

    Bad:
        ALTER TABLE users RENAME COLUMN mail TO email;

    Good:
        ALTER TABLE users ADD COLUMN email VARCHAR(255) NULL, ALGORITHM=INSTANT;
        -- the code writes both, a backfill copies mail to email, reads move to email,
        -- then a later migration drops mail

    Fix: expand/contract: add the new column (or table) next to the old one, write both,
    backfill, switch reads, drop the old one later; for a table, RENAME it and create a view
    under the old name (simple views are updatable) until the code has moved.
    """
    node = _node(ctx)
    p = node.parsed
    if isinstance(p, AlterStmt) and node.table in node.in_use:
        table = node.table or ""
        for a in p.actions:
            if a.kind == "rename_column":
                old, new = a.old, a.new
            elif (
                a.kind == "modify"
                and a.column is not None
                and a.old.lower() != a.column.name.lower()
            ):
                old, new = a.old, a.column.name
            elif a.kind == "rename_table":
                if _compat_view_later(ctx, table):
                    continue
                yield Hit(
                    table,
                    f"RENAME TO {_q(a.new)}: running code that uses {_q(table)} fails (ERROR "
                    "1146) the moment it commits",
                    fix=f"{ctx.stmt.text.rstrip(';')};\nCREATE VIEW {_q(table)} AS SELECT * "
                    f"FROM {_q(a.new)};  -- until the code uses {a.new}",
                )
                continue
            else:
                continue
            yield Hit(
                f"{table}.{old}",
                f"column {_q(old)} renamed to {_q(new)}: running code that uses "
                f"{_q(table)}.{_q(old)} fails (ERROR 1054 Unknown column) the moment it commits",
                fix=f"ALTER TABLE {_q(table)} ADD COLUMN {_q(new)} "
                f"{_type_of(ctx, table, old)} NULL, ALGORITHM=INSTANT;\n"
                f"-- write both columns, backfill {new} from {old} in batches, move reads to "
                f"{new}; drop {old} in a later migration",
            )
    elif isinstance(p, RenameStmt):
        new_names = {new for _, (_, new) in p.pairs}
        if any(old in new_names for (_, old), _ in p.pairs):
            return  # a swap (gh-ost / pt-osc cut-over): the names in use stay
        for (_, old), (_, new) in p.pairs:
            if old not in node.in_use or _compat_view_later(ctx, old):
                continue
            yield Hit(
                old,
                f"RENAME TABLE {_q(old)} TO {_q(new)}: running code that uses {_q(old)} fails "
                "(ERROR 1146) the moment it commits",
                fix=f"RENAME TABLE {_q(old)} TO {_q(new)};\nCREATE VIEW {_q(old)} AS SELECT * "
                f"FROM {_q(new)};  -- until the code uses {new}",
            )


@migration_rule("MIG109", "mysql-algorithm-refused", "error", dialects=MYSQL)
def algorithm_refused(ctx: StatementContext) -> Iterator[Hit]:
    """ALGORITHM= / LOCK= (or ALTER ONLINE) asking for less than the operation needs.

    Rationale: the server refuses the statement with ERROR 1845 "ALGORITHM=INSTANT is not
    supported for this operation. Try ALGORITHM=INPLACE" or 1846 "... Reason: ...", and the
    migration stops there (the statements before it in the file stay applied). What each
    operation needs per server and version is the knowledge table of
    dbdesign.lint.migration.mysql_online (MySQL 8.0 Reference Manual "Online DDL Operations";
    MariaDB KB "InnoDB Online DDL Operations"); the MariaDB verdicts are proven on MariaDB
    10.11, the MySQL 8.0 ones are the manual's.

    Bad:
        ALTER TABLE orders MODIFY COLUMN total BIGINT NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;

    Good:
        ALTER TABLE orders ADD COLUMN total_new BIGINT NULL, ALGORITHM=INSTANT;

    Fix: for what the server can do online, the clause it accepts; for what it copies, the
    expand/contract way or gh-ost / pt-online-schema-change (MIG100).
    """
    c = _classified(ctx)
    node = _node(ctx)
    if c is None or c.verdict is None or not _refused(node, c.verdict):
        return
    v = c.verdict
    table = node.table or ""
    written = ", ".join(
        x
        for x in (
            f"ALGORITHM={node.algorithm}" if node.algorithm else "",
            f"LOCK={node.lock}" if node.lock else "",
            "ONLINE" if node.online else "",
        )
        if x
    )
    if v.blocks_writes and table in node.in_use:
        fix = _osc(ctx, table)
    else:
        fix = "state " + v.clause() + " instead"
    yield Hit(
        table or ctx.stmt.short,
        f"{server_text(ctx.server)} refuses {written}: {_titles(sorted(c.keys))} needs {v} "
        f"(ERROR 1845/1846): the migration stops here{_tail(ctx)}",
        fix=fix,
    )


@migration_rule("MIG110", "mysql-ddl-in-transaction", "warning", dialects=MYSQL)
def ddl_in_transaction(ctx: StatementContext) -> Iterator[Hit]:
    """DDL inside BEGIN / START TRANSACTION: it commits the transaction implicitly.

    Rationale: MySQL and MariaDB commit the open transaction before a DDL statement (MySQL
    8.0 Reference Manual, "Statements That Cause an Implicit Commit"): the statements before
    it in the BEGIN block are committed, the DDL itself cannot be rolled back, and a later
    ROLLBACK undoes only what came after it. The block gives no atomicity; readers of the file
    assume it does.

    Bad:
        START TRANSACTION;
        UPDATE orders SET status = 'open' WHERE status IS NULL;
        ALTER TABLE orders MODIFY status VARCHAR(20) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;
        COMMIT;

    Good:
        START TRANSACTION;
        UPDATE orders SET status = 'open' WHERE status IS NULL;
        COMMIT;
        -- the ALTER in a migration of its own

    Fix: take DDL out of BEGIN ... COMMIT blocks (one DDL statement per migration file);
    keep transactions for data changes only.
    """
    node = _node(ctx)
    if node.implicit_commit != "BEGIN":
        return
    yield Hit(
        node.table or ctx.stmt.short,
        f"{ctx.stmt.kind} commits the transaction opened by BEGIN / START TRANSACTION: the "
        "statements before it are committed, and a later ROLLBACK cannot undo them or it",
        fix=f"COMMIT;\n{ctx.stmt.text.rstrip(';')};  -- better: in a migration of its own",
    )
