"""PostgreSQL statements that cannot run inside a transaction block (the runner's and the
migration linter's shared knowledge)."""

from __future__ import annotations

from typing import Any

_ALWAYS = {
    "CreatedbStmt": "CREATE DATABASE",
    "DropdbStmt": "DROP DATABASE",
    "AlterSystemStmt": "ALTER SYSTEM",
    "CreateTableSpaceStmt": "CREATE TABLESPACE",
    "DropTableSpaceStmt": "DROP TABLESPACE",
}


def _has_concurrently(params: Any) -> bool:
    return any(p.get("DefElem", {}).get("defname") == "concurrently" for p in params or ())


def needs_no_transaction(
    kind: str, node: dict[str, Any], server_version: int = 150000
) -> str | None:
    """Why this statement (``{kind: node}`` of pglast's JSON tree) cannot run inside a
    transaction block, or None."""
    if kind == "IndexStmt" and node.get("concurrent"):
        return "CREATE INDEX CONCURRENTLY"
    if kind == "DropStmt" and node.get("concurrent"):
        return "DROP INDEX CONCURRENTLY"
    if kind == "ReindexStmt" and _has_concurrently(node.get("params")):
        return "REINDEX CONCURRENTLY"
    if kind == "VacuumStmt" and node.get("is_vacuumcmd"):
        return "VACUUM"
    if kind in _ALWAYS:
        return _ALWAYS[kind]
    # ADD VALUE (RENAME VALUE also names a new value, and an old one: it runs anywhere)
    adds = node.get("newVal") and not node.get("oldVal")
    if kind == "AlterEnumStmt" and adds and server_version < 120000:
        return "ALTER TYPE ... ADD VALUE (before PostgreSQL 12)"
    if kind == "AlterTableStmt":
        for cmd in node.get("cmds") or ():
            c = cmd.get("AlterTableCmd", {})
            if c.get("subtype") == "AT_DetachPartition" and (
                c.get("def", {}).get("PartitionCmd", {}).get("concurrent")
            ):
                return "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY"
    return None
