"""Migration safety on PostgreSQL: names the migration creates longer than PostgreSQL keeps.

Facts: the PostgreSQL documentation, "Identifiers and Key Words" (NAMEDATALEN).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import parser

from dbdesign.dialects.postgres import quote_ident
from dbdesign.lint.findings import Hit
from dbdesign.lint.migration.context import StatementContext
from dbdesign.lint.registry import migration_rule
from dbdesign.lint.rules.migrations_pg_common import name_list, shorter_name, token_identifier

# --------------------------------------------------------------------------- MIG027

NAMEDATALEN = 63  # bytes of an identifier PostgreSQL keeps


def _clip(name: str) -> str:
    raw = name.encode()
    if len(raw) <= NAMEDATALEN:
        return name
    return raw[:NAMEDATALEN].decode(errors="ignore")


_NAME_KEYS = ("colname", "conname", "idxname", "trigname", "policy_name", "newname")
# The statements that name new objects.
_NAMING_KINDS = frozenset(
    {
        "CreateStmt",
        "AlterTableStmt",
        "IndexStmt",
        "ViewStmt",
        "CreateTableAsStmt",
        "RenameStmt",
        "CreateTrigStmt",
        "CreatePolicyStmt",
        "CreateSeqStmt",
        "CreateEnumStmt",
        "CreateDomainStmt",
        "CompositeTypeStmt",
        "CreateFunctionStmt",
        "CreateSchemaStmt",
        "AlterEnumStmt",
    }
)


def _collect_names(t: Any, out: set[str]) -> None:
    """Add the strings under the name keys of a tree to ``out``."""
    # Only dicts and lists are descended into (a call per scalar costs more than the test).
    if isinstance(t, dict):
        for k, v in t.items():
            if isinstance(v, str):
                if k in _NAME_KEYS:
                    out.add(v)
            elif isinstance(v, dict | list):
                _collect_names(v, out)
    elif isinstance(t, list):
        for v in t:
            if isinstance(v, dict | list):
                _collect_names(v, out)


def _created_names(kind: str, node: dict[str, Any]) -> set[str]:
    """The names a statement gives to new objects (as the parser left them: truncated)."""
    out: set[str] = set()
    if kind in _NAMING_KINDS:
        _collect_names(node, out)
    rel = {
        "CreateStmt": node.get("relation"),
        "ViewStmt": node.get("view"),
        "CreateSeqStmt": node.get("sequence"),
        "CreateTableAsStmt": (node.get("into") or {}).get("rel"),
    }.get(kind)
    if rel:
        out.add(rel.get("relname", ""))
    if kind in ("CreateEnumStmt", "CompositeTypeStmt"):
        tn = node.get("typeName") or (node.get("typevar") or {}).get("relname")
        out.update(name_list(tn)[-1:] if isinstance(tn, list) else [tn] if tn else [])
    if kind == "CreateDomainStmt":
        out.update(name_list(node.get("domainname"))[-1:])
    if kind == "CreateFunctionStmt":
        out.update(name_list(node.get("funcname"))[-1:])
    if kind == "CreateSchemaStmt" and node.get("schemaname"):
        out.add(node["schemaname"])
    if kind == "AlterEnumStmt" and node.get("newVal"):
        out.add(node["newVal"])
    return out


def _may_name_long(kind: str, text: str) -> bool:
    """Whether the statement's text could hold a name of NAMEDATALEN - 3 bytes or more (a
    test of the text, much cheaper than walking the tree for names): an unquoted identifier
    holds no white space, so without a quoted one (or an enum value, a string) every name is
    inside a run of the text without white space at least as long."""
    if '"' in text or kind == "AlterEnumStmt":
        return True
    return any(len(w) >= NAMEDATALEN - 3 for w in text.encode().split())


@migration_rule(
    "MIG027", "identifier-too-long", "warning", dialects=("postgres",), kinds=_NAMING_KINDS
)
def identifier_too_long(ctx: StatementContext) -> Iterator[Hit]:
    """A name the migration creates is longer than 63 bytes.

    Rationale: PostgreSQL keeps at most NAMEDATALEN - 1 = 63 bytes of an identifier and
    silently truncates longer ones (a NOTICE at most; the PostgreSQL documentation,
    "Identifiers and Key Words"): the object gets a different name than the migration says, so
    tools comparing names (ORMs, schema diffs, the next migration naming it with another
    suffix) disagree, and two long names with the same first 63 bytes collide. Names counted
    in bytes: a multibyte character counts for 2 to 4.

    Bad:
        CREATE INDEX idx_customer_invoices_billing_address_country_region_postal_code_created
            ON customer_invoices (billing_country, billing_region, billing_postal_code);

    Good:
        CREATE INDEX idx_invoices_billing_location
            ON customer_invoices (billing_country, billing_region, billing_postal_code);

    Fix: choose a name of at most 63 bytes (the fix suggests the first 40 bytes and a short hash
    of the whole name).
    """
    if not _may_name_long(ctx.stmt.kind, ctx.stmt.text):
        return
    created = _created_names(ctx.stmt.kind, ctx.stmt.node or {})
    if not any(len(n.encode()) >= NAMEDATALEN - 3 for n in created):
        return  # a clipped name is 60 to 63 bytes (a multibyte character is not split)
    seen: set[str] = set()
    try:
        tokens = parser.scan(ctx.stmt.text)
    except parser.ParseError:  # pragma: no cover - the walker parsed it already
        return
    for t in tokens:
        if t.name not in ("IDENT", "SCONST"):
            continue
        raw = ctx.stmt.text[t.start : t.end + 1]
        name = token_identifier(raw) if t.name == "IDENT" else raw[1:-1].replace("''", "'")
        if len(name.encode()) <= NAMEDATALEN or name in seen:
            continue
        kept = _clip(name)
        if kept not in created or (t.name == "SCONST" and ctx.stmt.kind != "AlterEnumStmt"):
            continue
        seen.add(name)
        yield Hit(
            kept,
            f"the name {raw} is {len(name.encode())} bytes: PostgreSQL silently keeps only "
            f"the first 63 ({quote_ident(kept)})",
            fix=ctx.stmt.text.replace(raw, quote_ident(shorter_name(name)), 1).rstrip(";")
            + ";  -- or any name of at most 63 bytes",
        )
