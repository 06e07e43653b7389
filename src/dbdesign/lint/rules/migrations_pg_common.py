"""What the PostgreSQL migration rules MIG020 ... MIG044 share: the lock each statement takes
on the tables it touches (and whether that blocks reads or writes), and a file's statements
parsed once for rules that look ahead.

Lock facts: the PostgreSQL documentation, "Explicit Locking" (table-level lock modes and what
each conflicts with) and "ALTER TABLE" (the lock each subcommand takes); proven on real
servers by tests/integration/test_migration_lint_pg_locks.py. This module holds no rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from dbdesign.dialects.postgres import quote_ident
from dbdesign.lint.migration.context import LintedStatement, StatementContext
from dbdesign.lint.migration.pg import (
    ACCESS_EXCLUSIVE,
    SHARE,
    SHARE_ROW_EXCLUSIVE,
    qualified,
    table_in_use,
)
from dbdesign.lint.migration.walk_postgres import relation_key
from dbdesign.readers.ddl.pgast import deparse

ACCESS_EXCLUSIVE_LOCK = "ACCESS EXCLUSIVE"
EXCLUSIVE_LOCK = "EXCLUSIVE"
SHARE_ROW_EXCLUSIVE_LOCK = "SHARE ROW EXCLUSIVE"
SHARE_LOCK = "SHARE"
SHARE_UPDATE_EXCLUSIVE_LOCK = "SHARE UPDATE EXCLUSIVE"
_STRENGTH = {
    SHARE_UPDATE_EXCLUSIVE_LOCK: 4,
    SHARE_LOCK: 5,
    SHARE_ROW_EXCLUSIVE_LOCK: 6,
    EXCLUSIVE_LOCK: 7,
    ACCESS_EXCLUSIVE_LOCK: 8,
}
_LOCK_MODES = {
    5: SHARE_LOCK,
    6: SHARE_ROW_EXCLUSIVE_LOCK,
    7: EXCLUSIVE_LOCK,
    8: ACCESS_EXCLUSIVE_LOCK,
}
_BLOCKS = {
    ACCESS_EXCLUSIVE_LOCK: ACCESS_EXCLUSIVE,
    EXCLUSIVE_LOCK: "EXCLUSIVE lock: writes to {table} wait until it ends; reads go on",
    SHARE_ROW_EXCLUSIVE_LOCK: SHARE_ROW_EXCLUSIVE,
    SHARE_LOCK: SHARE,
}

# ALTER TABLE subcommands that take only SHARE UPDATE EXCLUSIVE (reads and writes go on).
_LIGHT_SUBCOMMANDS = {
    "AT_ValidateConstraint",
    "AT_SetStatistics",
    "AT_ClusterOn",
    "AT_DropCluster",
    "AT_SetRelOptions",
    "AT_ResetRelOptions",
    "AT_SetOptions",
    "AT_ResetOptions",
}
_TRIGGER_SUBCOMMANDS = {
    "AT_EnableTrig",
    "AT_EnableAlwaysTrig",
    "AT_EnableReplicaTrig",
    "AT_EnableTrigAll",
    "AT_EnableTrigUser",
    "AT_DisableTrig",
    "AT_DisableTrigAll",
    "AT_DisableTrigUser",
}


def blocks(level: str, table: str) -> str:
    """``LEVEL lock: what it blocks on table``."""
    return _BLOCKS[level].format(table=table)


def _stronger(a: str | None, b: str) -> str:
    return b if a is None or _STRENGTH[b] > _STRENGTH[a] else a


def _fk_targets(tree: Any) -> list[dict[str, Any]]:
    """The referenced tables (RangeVars) of every FOREIGN KEY constraint in a tree, in tree
    order."""
    out: list[dict[str, Any]] = []
    _collect_fk_targets(tree, out)
    return out


def _collect_fk_targets(tree: Any, out: list[dict[str, Any]]) -> None:
    # Only dicts and lists are descended into (a call per scalar costs more than the test).
    if isinstance(tree, dict):
        con = tree.get("Constraint")
        if con is not None and con.get("contype") == "CONSTR_FOREIGN" and con.get("pktable"):
            out.append(con["pktable"])
        children: Any = tree.values()
    elif isinstance(tree, list):
        children = tree
    else:
        return
    for v in children:
        if isinstance(v, dict | list):
            _collect_fk_targets(v, out)


def alter_table_lock(cmds: list[Any], server_12: bool) -> str:
    """The strongest lock an ALTER TABLE's subcommands take on the table itself."""
    level = SHARE_UPDATE_EXCLUSIVE_LOCK
    for cmd in cmds:
        c = cmd.get("AlterTableCmd", {})
        sub = c.get("subtype", "")
        if sub in _LIGHT_SUBCOMMANDS:
            continue
        if sub == "AT_AttachPartition" and server_12:
            continue  # the parent: SHARE UPDATE EXCLUSIVE since PostgreSQL 12
        if sub == "AT_DetachPartition" and c.get("def", {}).get("PartitionCmd", {}).get(
            "concurrent"
        ):
            continue
        if sub in _TRIGGER_SUBCOMMANDS or (
            sub == "AT_AddConstraint"
            and (c.get("def", {}).get("Constraint", {}).get("contype") == "CONSTR_FOREIGN")
        ):
            level = _stronger(level, SHARE_ROW_EXCLUSIVE_LOCK)
        else:
            return ACCESS_EXCLUSIVE_LOCK
    return level


@dataclass(frozen=True, slots=True)
class TableLock:
    """A lock a statement takes on a table that blocks its reads or writes."""

    table: str  # schema.table
    level: str
    what: str  # why: "the table", "the referenced table", "the index's table" ...


def rel_key(ctx: StatementContext, rv: dict[str, Any]) -> str:
    """``schema.table`` of a RangeVar."""
    return relation_key(ctx.state, rv)


def name_list(items: Any) -> list[str]:
    """The strings of a pglast name list."""
    return [i.get("String", {}).get("sval", "") for i in items or ()]


def name_key(ctx: StatementContext, parts: list[str]) -> str:
    """``schema.name`` of a qualified or unqualified name, with the file's search path."""
    schema, name = ctx.state._qual_names(parts)
    return f"{schema}.{name}"


def index_table(ctx: StatementContext, parts: list[str]) -> tuple[str, str | None]:
    """``schema.index`` of an index name and its table's key (None when unknown)."""
    k = name_key(ctx, parts)
    idx = ctx.state.indexes.get(k)
    return k, (idx.table_key if idx is not None else None)


Add = Callable[[str | None, str, str], None]
# What a statement kind locks: calls add(table, level, why) for each lock.
Locker = Callable[[StatementContext, LintedStatement, Add], None]


def _referenced(s: LintedStatement, tree: Any) -> list[dict[str, Any]]:
    """The tables a statement's FOREIGN KEYs (in ``tree``, part of its parse tree) reference.
    A foreign key is spelled with the key word REFERENCES, so a statement without the word
    has none and its tree is not walked."""
    return _fk_targets(tree) if "references" in s.text.lower() else []


def _alter_table(ctx: StatementContext, s: LintedStatement, add: Add) -> None:
    node = s.node or {}
    if node.get("objtype") != "OBJECT_TABLE":
        return
    cmds = node.get("cmds") or []
    level = alter_table_lock(cmds, ctx.server.at_least(12))
    if level != SHARE_UPDATE_EXCLUSIVE_LOCK:
        add(rel_key(ctx, node["relation"]), level, "the table")
    for cmd in cmds:
        c = cmd.get("AlterTableCmd", {})
        part = c.get("def", {}).get("PartitionCmd", {})
        if c.get("subtype") == "AT_AttachPartition" and part.get("name"):
            add(rel_key(ctx, part["name"]), ACCESS_EXCLUSIVE_LOCK, "the partition")
    for rv in _referenced(s, cmds):
        add(rel_key(ctx, rv), SHARE_ROW_EXCLUSIVE_LOCK, "the referenced table")


def _create_table(ctx: StatementContext, s: LintedStatement, add: Add) -> None:
    node = s.node or {}
    for rv in _referenced(s, node.get("tableElts")):
        add(rel_key(ctx, rv), SHARE_ROW_EXCLUSIVE_LOCK, "the referenced table")
    for rv in node.get("inhRelations") or ():
        if node.get("partbound") and "RangeVar" in rv:
            add(rel_key(ctx, rv["RangeVar"]), ACCESS_EXCLUSIVE_LOCK, "the partitioned table")


def _create_index(ctx: StatementContext, s: LintedStatement, add: Add) -> None:
    node = s.node or {}
    if not node.get("concurrent"):
        add(rel_key(ctx, node["relation"]), SHARE_LOCK, "the table")


def _drop(ctx: StatementContext, s: LintedStatement, add: Add) -> None:
    node = s.node or {}
    rtype = node.get("removeType")
    for obj in node.get("objects") or ():
        parts = name_list(obj.get("List", {}).get("items"))
        if not parts:
            continue
        if rtype in ("OBJECT_TABLE", "OBJECT_MATVIEW", "OBJECT_VIEW"):
            add(name_key(ctx, parts), ACCESS_EXCLUSIVE_LOCK, "the table")
        elif rtype == "OBJECT_INDEX" and not node.get("concurrent"):
            idx, table = index_table(ctx, parts)
            if not ctx.created_here(idx):
                add(table or idx, ACCESS_EXCLUSIVE_LOCK, "the index's table")
        elif rtype == "OBJECT_TRIGGER" and len(parts) >= 2:
            add(name_key(ctx, parts[:-1]), ACCESS_EXCLUSIVE_LOCK, "the table")


_RENAMED_RELATIONS = {
    "OBJECT_TABLE",
    "OBJECT_COLUMN",
    "OBJECT_TABCONSTRAINT",
    "OBJECT_VIEW",
    "OBJECT_MATVIEW",
    "OBJECT_INDEX",
    "OBJECT_TRIGGER",
}


def _rename(ctx: StatementContext, s: LintedStatement, add: Add) -> None:
    node = s.node or {}
    rtype = node.get("renameType")
    if not node.get("relation") or rtype not in _RENAMED_RELATIONS:
        return
    if rtype == "OBJECT_INDEX" and ctx.server.at_least(12):
        return  # SHARE UPDATE EXCLUSIVE since PostgreSQL 12
    add(rel_key(ctx, node["relation"]), ACCESS_EXCLUSIVE_LOCK, "the table")


def _on_relation(level: str, what: str) -> Locker:
    def f(ctx: StatementContext, s: LintedStatement, add: Add) -> None:
        node = s.node or {}
        rv = node.get("relation") or node.get("table")
        if rv:
            add(rel_key(ctx, rv), level, what)

    return f


def _truncate(ctx: StatementContext, s: LintedStatement, add: Add) -> None:
    node = s.node or {}
    for rv in node.get("relations") or ():
        add(rel_key(ctx, rv["RangeVar"]), ACCESS_EXCLUSIVE_LOCK, "the table")


def _vacuum(ctx: StatementContext, s: LintedStatement, add: Add) -> None:
    node = s.node or {}
    if has_option(node.get("options"), "full"):
        for vr in node.get("rels") or ():
            add(rel_key(ctx, vr["VacuumRelation"]["relation"]), ACCESS_EXCLUSIVE_LOCK, "the table")


def _reindex(ctx: StatementContext, s: LintedStatement, add: Add) -> None:
    node = s.node or {}
    if has_option(node.get("params"), "concurrently"):
        return
    if node.get("kind") == "REINDEX_OBJECT_TABLE":
        add(rel_key(ctx, node["relation"]), SHARE_LOCK, "the table")
    elif node.get("kind") == "REINDEX_OBJECT_INDEX":
        rv = node["relation"]
        idx, table = index_table(ctx, [n for n in (rv.get("schemaname"), rv["relname"]) if n])
        add(table or idx, SHARE_LOCK, "the index's table")


def _refresh(ctx: StatementContext, s: LintedStatement, add: Add) -> None:
    node = s.node or {}
    if not node.get("concurrent"):
        add(rel_key(ctx, node["relation"]), ACCESS_EXCLUSIVE_LOCK, "the materialized view")


def _lock(ctx: StatementContext, s: LintedStatement, add: Add) -> None:
    node = s.node or {}
    mode = node.get("mode", 8)
    if mode >= 5:  # SHARE and stronger block writes
        for rv in node.get("relations") or ():
            add(rel_key(ctx, rv["RangeVar"]), _LOCK_MODES[mode], "the table")


_LOCKERS: dict[str, Locker] = {
    "AlterTableStmt": _alter_table,
    "CreateStmt": _create_table,
    "IndexStmt": _create_index,
    "DropStmt": _drop,
    "RenameStmt": _rename,
    "CreateTrigStmt": _on_relation(SHARE_ROW_EXCLUSIVE_LOCK, "the table"),
    "TruncateStmt": _truncate,
    "ClusterStmt": _on_relation(ACCESS_EXCLUSIVE_LOCK, "the table"),
    "VacuumStmt": _vacuum,
    "ReindexStmt": _reindex,
    "RefreshMatViewStmt": _refresh,
    "LockStmt": _lock,
    "CreatePolicyStmt": _on_relation(ACCESS_EXCLUSIVE_LOCK, "the table"),
}
# The statement kinds that may take a lock blocking reads or writes (:func:`blocking_locks`).
LOCKING_KINDS = frozenset(_LOCKERS)


def blocking_locks(ctx: StatementContext, stmt: LintedStatement | None = None) -> list[TableLock]:
    """The locks ``stmt`` (default: the current statement) takes that block reads or writes
    of a table in use (not made earlier in the same file). Statements that block neither
    (CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT, DROP INDEX CONCURRENTLY, REINDEX
    CONCURRENTLY, DETACH ... CONCURRENTLY, CREATE TABLE without references, CREATE FUNCTION)
    give none."""
    s = stmt or ctx.stmt
    out: list[TableLock] = []

    def add(table: str | None, level: str, what: str) -> None:
        if table is not None and not ctx.created_here(table):
            out.append(TableLock(table, level, what))

    locker = _LOCKERS.get(s.kind)
    if locker is not None:
        locker(ctx, s, add)
    return out


def has_option(params: Any, name: str) -> bool:
    """Whether a DefElem list (VACUUM's options, REINDEX's params) names ``name``."""
    for p in params or ():
        d = p.get("DefElem", {})
        if d.get("defname") == name:
            arg = d.get("arg")
            if arg is None:
                return True
            a = arg.get("Boolean", arg.get("String", arg.get("Integer", {})))
            return str(next(iter(a.values()), "true")).lower() not in ("false", "off", "0")
    return False


# --------------------------------------------------------------------------- a file's statements


def file_statements(ctx: StatementContext) -> tuple[LintedStatement, ...]:
    """Every statement of the current file (for rules that look ahead)."""
    return ctx.session.file_statements


def after_current(ctx: StatementContext) -> tuple[LintedStatement, ...]:
    """The statements of the file after the current one."""
    return ctx.later()


# --------------------------------------------------------------------------- shared by rules

NO_TX = "-- dbdesign: no-transaction"


def sql_name(table: str) -> str:
    """``schema.table`` as SQL."""
    return qualified(table)


def made_in_file(ctx: StatementContext, kind: str, key: str) -> bool:
    """Whether an earlier statement of the file made object ``key`` (an index, an enum)."""
    for s in ctx.session.statements:
        node = s.node or {}
        if kind == s.kind == "IndexStmt" and node.get("idxname"):
            schema = node["relation"].get("schemaname") or ctx.state.search_path
            if f"{schema}.{node['idxname']}" == key:
                return True
        if (
            kind == s.kind == "CreateEnumStmt"
            and name_key(ctx, name_list(node.get("typeName"))) == key
        ):
            return True
        if kind == s.kind == "ViewStmt" and rel_key(ctx, node["view"]) == key:
            return True
        if kind == "CreateTableAsStmt" == s.kind and rel_key(ctx, node["into"]["rel"]) == key:
            return True
    return False


# --------------------------------------------------------------------------- ALTER TABLE rules

Tree = dict[str, Any]
LATER = "-- in a later migration (its own transaction):"


def ignore_line(code: str, reason: str) -> str:
    """The suppression comment a fix puts directly above a statement it keeps on purpose (a
    deferred drop, a statement with no online form), with the hazard it accepts."""
    return f"-- dbdesign: ignore {code} -- {reason}"


def alter_in_use(ctx: StatementContext) -> tuple[str, list[Tree]] | None:
    """The table (when in use) and the subcommands of an ALTER TABLE; None otherwise. A dozen
    ALTER TABLE rules ask about the same statement one after the other: it is worked out once
    (:meth:`StatementContext.shared`), so rules must not change what they get."""
    return ctx.shared("alter_in_use", _alter_in_use)


def _alter_in_use(ctx: StatementContext) -> tuple[str, list[Tree]] | None:
    node = ctx.stmt.node
    if ctx.stmt.kind != "AlterTableStmt" or node.get("objtype", "OBJECT_TABLE") != "OBJECT_TABLE":
        return None
    key = table_in_use(ctx, node["relation"])
    if key is None:
        return None
    return key, [c["AlterTableCmd"] for c in node.get("cmds") or () if "AlterTableCmd" in c]


def added_constraint(cmd: Tree) -> Tree | None:
    """The constraint an ADD CONSTRAINT subcommand adds; None for other subcommands."""
    if cmd.get("subtype") != "AT_AddConstraint":
        return None
    con: Tree | None = (cmd.get("def") or {}).get("Constraint")
    return con


def str_names(items: Any) -> list[str]:
    """The strings of a pglast list, other nodes left out."""
    return [i["String"]["sval"] for i in items or () if "String" in i]


def table_name(key: str) -> str:
    """The table of ``schema.table``."""
    return key.split(".", 1)[1]


def shorter_name(name: str) -> str:
    """A name of at most 47 bytes for a too long ``name``: its first 40 bytes and a short hash
    of all of it (two long names sharing a beginning still get two names)."""
    head = name.encode()[:40].decode(errors="ignore").rstrip("_")
    return f"{head}_{hashlib.sha1(name.encode()).hexdigest()[:6]}"


def pg_name(*parts: str) -> str:
    """A constraint or index name as PostgreSQL makes one, cut to 63 bytes."""
    return "_".join(p for p in parts if p)[:63]


def state_column(ctx: StatementContext, key: str, name: str) -> Any:
    """Column ``name`` of table ``key`` as the file has it so far; None when unknown."""
    t = ctx.state.tables.get(key)
    if t is None:
        return None
    return next((c for c in t.columns if c.name == name), None)


def not_null_steps(table: str, tname: str, column: str) -> list[str]:
    """SET NOT NULL without a long ACCESS EXCLUSIVE scan (PostgreSQL 12+)."""
    check = quote_ident(pg_name(tname, column, "not_null"))
    col = quote_ident(column)
    return [
        f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({col} IS NOT NULL) NOT VALID;",
        LATER,
        f"ALTER TABLE {table} VALIDATE CONSTRAINT {check};",
        f"ALTER TABLE {table} ALTER COLUMN {col} SET NOT NULL;",
        f"ALTER TABLE {table} DROP CONSTRAINT {check};",
    ]


def added_columns(cmds: list[Tree]) -> Iterator[Tree]:
    """The ColumnDefs of the ADD COLUMN subcommands."""
    for cmd in cmds:
        if cmd.get("subtype") == "AT_AddColumn":
            yield cmd["def"]["ColumnDef"]


def column_constraints(cd: Tree) -> list[Tree]:
    """The constraints declared on a ColumnDef."""
    return [c["Constraint"] for c in cd.get("constraints") or () if "Constraint" in c]


def type_sql(cd: Tree) -> str:
    """A ColumnDef's type as SQL."""
    return deparse(cd["typeName"], "TypeName")


def token_identifier(token_text: str) -> str:
    """The identifier an IDENT token's text names (quoted: as written; else folded to lower
    case)."""
    if token_text.startswith('"'):
        return token_text[1:-1].replace('""', '"')
    return token_text.lower()
