"""Small PostgreSQL text renderers: literals, quoted names, defaults, comments, grants.

Shared by the schema emitter (:mod:`dbdesign.emit.postgres`) and the diff's operation
renderers (:mod:`dbdesign.diff.postgres_sql`); they depend on nothing but the model and the
dialect.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pglast.parser import ParseError as _PgParseError
from pglast.parser import parse_sql_json

from dbdesign.dialects.postgres import (
    parse_type_string,
    qualified,
    quote_ident,
    split_qualified,
    type_sql,
)
from dbdesign.model import Expr, Grant

_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")


@dataclass
class Stmt:
    sql: str
    path: str | None = None  # the schema unqualified names in the statement resolve to


def quote_literal(value: str) -> str:
    """A standard SQL string literal (``standard_conforming_strings = on``)."""
    return "'" + value.replace("'", "''") + "'"


def qualified_key(key: str) -> str:
    """A model key ``schema.name`` rendered as a quoted qualified name."""
    schema, name = split_qualified(key)
    return qualified(schema, name) if name else quote_ident(schema)


def idents(names: Iterable[str]) -> str:
    return ", ".join(quote_ident(n) for n in names)


def dotted_name(name: str, known_schemas: Iterable[str] = ()) -> str:
    """A possibly schema-qualified name (collation, operator class): quote each part.

    A dot only separates a schema when the part before it is a schema we know of, so a collation
    named ``en_US.utf8`` stays one identifier.
    """
    schema, dot, rest = name.partition(".")
    if dot and (schema in _SYSTEM_SCHEMAS or schema == "public" or schema in known_schemas):
        return f"{quote_ident(schema)}.{quote_ident(rest)}"
    return quote_ident(name)


def type_text(text: str) -> str:
    """A type written as text (function arguments and results): re-quote it via the model."""
    s = text.strip()
    if s.upper().startswith("SETOF "):
        return "SETOF " + type_text(s[6:])
    try:
        return type_sql(parse_type_string(s))
    except Exception:  # pragma: no cover - an exotic spelling: trust it
        return s


def grantee_sql(name: str) -> str:
    return "PUBLIC" if name.upper() == "PUBLIC" else quote_ident(name)


def strip_semicolon(text: str) -> str:
    s = text.strip()
    while s.endswith(";"):
        s = s[:-1].rstrip()
    return s


@lru_cache(maxsize=4096)
def _default_needs_parens(text: str) -> bool:
    """``DEFAULT`` takes a restricted expression (b_expr): wrap text that is not one, entirely."""
    try:
        tree = json.loads(parse_sql_json(f"CREATE TABLE x (c int DEFAULT {text})"))
        (col,) = tree["stmts"][0]["stmt"]["CreateStmt"]["tableElts"]
        coldef = col["ColumnDef"]
        cons = coldef.get("constraints", [])
        return (
            bool(coldef.get("collClause"))
            or len(cons) != 1
            or (cons[0]["Constraint"]["contype"] != "CONSTR_DEFAULT")
        )
    except (_PgParseError, KeyError, ValueError):
        return True


def default_sql(expr: Expr) -> str:
    text = expr.text.strip()
    return f"DEFAULT ({text})" if _default_needs_parens(text) else f"DEFAULT {text}"


def deferrable_sql(deferrable: bool, initially_deferred: bool) -> str:
    if not deferrable:
        return ""
    return " DEFERRABLE INITIALLY DEFERRED" if initially_deferred else " DEFERRABLE"


def type_name(text: str) -> str | None:
    s = text.strip()
    if s.upper().startswith("SETOF "):
        s = s[6:]
    try:
        return parse_type_string(s).name
    except Exception:  # pragma: no cover
        return None


def schema_of(e: Expr) -> str | None:
    """The schema an expression's unqualified names resolve to (None: public)."""
    schema: str | None = getattr(e, "schema", None)
    return schema


def expr_path(exprs: Iterable[Expr | None]) -> str | None:
    for e in exprs:
        if e is not None and schema_of(e) is not None:
            return schema_of(e)
    return None


def comment_literal(text: str | None) -> str:
    return "NULL" if text is None else quote_literal(text)


def comment_on(what: str, name: str, text: str | None) -> list[Stmt]:
    return [] if text is None else [Stmt(f"COMMENT ON {what} {name} IS {quote_literal(text)}")]


def grant_sort(g: Grant) -> tuple[str, str, bool]:
    return (g.grantee, g.privilege, g.grantable)


def grants_sql(what: str, name: str, grants: Iterable[Grant]) -> list[Stmt]:
    """One GRANT per grantee and grant option, privileges in a fixed order."""
    groups: dict[tuple[str, bool], list[str]] = {}
    for g in sorted(grants, key=grant_sort):
        groups.setdefault((g.grantee, g.grantable), []).append(g.privilege.upper())
    out = []
    for (grantee, grantable), privs in sorted(groups.items()):
        sql = f"GRANT {', '.join(privs)} ON {what} {name} TO {grantee_sql(grantee)}"
        out.append(Stmt(sql + (" WITH GRANT OPTION" if grantable else "")))
    return out
