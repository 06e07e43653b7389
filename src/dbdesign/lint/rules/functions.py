"""Routines and search_path: what a function resolves its unqualified names through.

SEC004 (security.py) reports a SECURITY DEFINER function that pins no search_path at all; the
rules here report a pinned path that is unsafe (SEC006) and an ordinary function whose body
depends on the caller's path (SEC007).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from dbdesign.lint import sqlexpr
from dbdesign.lint.context import Context
from dbdesign.lint.findings import Hit
from dbdesign.lint.registry import rule
from dbdesign.lint.rules.security import _routine, _signature
from dbdesign.model import Function

PG = ("postgres",)


def pinned_path(f: Function) -> list[str] | None:
    """The schemas of a routine's ``SET search_path`` (unquoted, in order), or None when it
    sets none. An empty path (``SET search_path = ''``) is ``[]``."""
    for c in f.config:
        name, _, value = c.partition("=")
        if name.strip().lower() == "search_path":
            parts = [p.strip() for p in value.split(",")]
            return [p[1:-1] if p[:1] == '"' == p[-1:] and len(p) > 1 else p for p in parts if p]
    return None


def _writable_by_others(ctx: Context) -> set[str]:
    """Schemas of the model that grant CREATE to PUBLIC: any role can put objects in them."""
    return {
        n.name
        for n in ctx.schema.namespaces.values()
        if any(g.grantee.upper() == "PUBLIC" and g.privilege == "CREATE" for g in n.grants)
    }


def _path_sql(ctx: Context, schemas: list[str]) -> str:
    return ", ".join(s if s in ("pg_catalog", "pg_temp") else ctx.ident(s) for s in schemas)


@rule("SEC006", "security-definer-unsafe-search-path", "error", dialects=PG)
def security_definer_unsafe_search_path(ctx: Context) -> Iterator[Hit]:
    """A SECURITY DEFINER function pins a search_path that other roles can put objects on.

    Rationale: A pinned search_path protects a SECURITY DEFINER function only when no role
    but trusted ones can create objects in the schemas it lists, and when the temporary
    schema comes last. `public` was writable by every role before PostgreSQL 15 (and still is
    wherever that grant was kept); `$user` is the schema named after the role running the
    function (its owner, here), which any role allowed to create schemas can create when it
    does not exist; a schema that grants CREATE to PUBLIC is writable by all; and when
    `pg_temp` is not listed last (or not at all, when it is searched first), any role can
    shadow a table the function names with a temporary table of its own. Each of these lets
    a caller run their own code or read their own table with the owner's privileges
    (pgspot PS004; the PostgreSQL manual, "Writing SECURITY DEFINER Functions Safely"). Not
    flagged: an empty path (`SET search_path = ''`, every name qualified), a path of trusted
    schemas ending with `pg_temp`; a function without SET search_path is SEC004's.

    Bad:
        CREATE FUNCTION reset_password(uid bigint) RETURNS void
          LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_catalog
          AS 'UPDATE users SET password_hash = NULL WHERE id = uid';

    Good:
        CREATE FUNCTION reset_password(uid bigint) RETURNS void
          LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
          AS 'UPDATE public.users SET password_hash = NULL WHERE id = uid';

    Fix: Pin a path of schemas only trusted roles can create objects in, ending with pg_temp
    (pg_catalog, pg_temp is safest), and qualify the names the body takes from the schemas
    you removed (public.users).
    """
    writable = _writable_by_others(ctx)
    for f in ctx.schema.functions.values():
        path = pinned_path(f) if f.security_definer else None
        if not path:
            continue
        reasons = []
        bad = [s for s in path if s in ("public", "$user") or s in writable]
        for s in bad:
            if s == "public":
                reasons.append("public, where other roles may create objects")
            elif s == "$user":
                reasons.append('"$user", a schema any role allowed to create schemas can make')
            else:
                reasons.append(f"{s}, which grants CREATE to PUBLIC")
        if "pg_catalog" in path and bad and path.index(bad[0]) < path.index("pg_catalog"):
            reasons.append(f"{bad[0]} comes before pg_catalog, so it can shadow built-ins")
        if "pg_temp" not in path:
            reasons.append("no pg_temp last, so temporary tables are searched first")
        elif path[-1] != "pg_temp":
            reasons.append("pg_temp is not last, so temporary tables shadow later schemas")
        if not reasons:
            continue
        safe = [s for s in path if s not in bad and s != "pg_temp"] or ["pg_catalog"]
        yield Hit(
            f.key,
            f"SECURITY DEFINER function {f.signature} pins search_path = {', '.join(path)}: "
            + "; ".join(reasons),
            f.origin,
            f"ALTER {_routine(f)} {_signature(ctx, f)} SET search_path = "
            f"{_path_sql(ctx, [*safe, 'pg_temp'])};",
        )


# --------------------------------------------------------------------------- SEC007

_ASSIGN = re.compile(r'^\s*(?:[\w$]+|"[^"]*")(?:\s*(?:\.\s*(?:[\w$]+|"[^"]*")|\[[^]]*\]))*\s*:?=')


def _statements(f: Function) -> list[Any] | None:
    """The parse trees of the SQL a routine's body runs, or None when it cannot be read
    (another language, a body the parser rejects, dynamic SQL aside)."""
    body = f.body
    if f.language == "sql":
        if re.match(r"\s*BEGIN\s+ATOMIC\b", body, re.I):
            return []  # parsed when created: names are bound then, not looked up at run time
        tree = sqlexpr.parse(body)
        return None if tree is None else [tree]
    if f.language != "plpgsql":
        return None
    from pglast.parser import ParseError, parse_plpgsql_json

    tag = "$dbd$"
    while tag in body:
        tag = tag[:-1] + "x$"
    args = []
    for a in f.arguments:
        if a.mode == "TABLE":
            continue  # in the RETURNS TABLE (...) clause
        # The parser cannot tell an array type from its name: VARIADIC would fail.
        mode = "IN" if a.mode == "VARIADIC" else a.mode
        args.append(f"{mode} {a.name or ''} {a.type}")
    returns = f"RETURNS {f.returns}" if f.returns else ""
    header = f"CREATE FUNCTION f({', '.join(args)}) {returns} LANGUAGE plpgsql AS "
    if f.kind == "procedure":
        header = f"CREATE PROCEDURE f({', '.join(args)}) LANGUAGE plpgsql AS "
    try:
        tree = json.loads(parse_plpgsql_json(f"{header}{tag}{body}{tag}"))
    except (ParseError, ValueError):
        return None
    out = []
    for kind, node in sqlexpr.nodes(tree):
        if kind != "PLpgSQL_expr" or "query" not in node:
            continue
        q = node["query"]
        if node.get("parseMode", 0) in (3, 4, 5):  # an assignment: target := expression
            m = _ASSIGN.match(q)
            q = q[m.end() :] if m else q
        parsed = sqlexpr.parse(q) if node.get("parseMode", 0) == 0 else None
        parsed = parsed or sqlexpr.parse(f"SELECT {q}")
        if parsed is not None:
            out.append(parsed)
    return out


_TARGETS = ("InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt")


def unqualified_names(trees: list[Any]) -> tuple[set[str], set[str]]:
    """The relations (FROM, JOIN, INSERT, UPDATE, DELETE targets) and the functions the trees
    name without a schema: (relations, functions). Names of WITH queries and of temporary
    tables the body creates are not relations of the schema."""
    rels: set[str] = set()
    funcs: set[str] = set()
    local: set[str] = set()
    for tree in trees:
        for kind, node in sqlexpr.nodes(tree):
            if kind == "CommonTableExpr":
                local.add(node.get("ctename", ""))
            elif kind == "CreateStmt" or kind == "CreateTableAsStmt":
                rel = node.get("relation") or node.get("into", {}).get("rel") or {}
                local.add(rel.get("relname", ""))
            elif kind == "RangeVar" and not node.get("schemaname"):
                rels.add(node.get("relname", ""))
            elif kind in _TARGETS and not node.get("relation", {}).get("schemaname"):
                # the statement's target is a plain field, not a node of its own
                rels.add(node.get("relation", {}).get("relname", ""))
            elif kind == "FuncCall":
                names = node.get("funcname", [])
                if len(names) == 1 and isinstance(names[0], dict) and "String" in names[0]:
                    funcs.add(names[0]["String"]["sval"])
    return rels - local, funcs


@rule("SEC007", "function-without-search-path", "info", dialects=PG, default=False)
def function_without_search_path(ctx: Context) -> Iterator[Hit]:
    """A function or procedure names tables or functions of the schema without a schema and
    does not pin its search_path.

    Rationale: Unqualified names in a routine's body are looked up through the search_path of
    the session that calls it, so the routine reads another table, or calls another function,
    when a caller's path differs, and a role that can create objects in a schema earlier on
    that path can substitute its own, which then runs with the rights of whoever calls the
    routine (a trigger function fires for every role that writes the table) (pgspot PS005 and
    PS017). Only names of tables, views, sequences and functions defined in the schema count;
    built-in functions (pg_catalog is searched first) and the names of WITH queries and
    temporary tables the body creates do not. Not flagged: SECURITY DEFINER routines (SEC004
    and SEC006), SQL-standard bodies (`BEGIN ATOMIC`, bound when created), routines in other
    languages and dynamic SQL (EXECUTE) the rule cannot read. Off by default: an application
    that keeps all its objects in one schema on every role's path relies on the session path
    by design, and a SET clause stops PostgreSQL from inlining a SQL function.

    Bad:
        CREATE TABLE order_lines (order_id bigint NOT NULL, amount numeric NOT NULL);
        CREATE FUNCTION order_total(oid bigint) RETURNS numeric
          LANGUAGE sql STABLE AS 'SELECT sum(amount) FROM order_lines WHERE order_id = oid';

    Good:
        CREATE TABLE order_lines (order_id bigint NOT NULL, amount numeric NOT NULL);
        CREATE FUNCTION order_total(oid bigint) RETURNS numeric
          LANGUAGE sql STABLE SET search_path = public, pg_temp
          AS 'SELECT sum(amount) FROM order_lines WHERE order_id = oid';

    Fix: Pin the path the body was written for (ALTER FUNCTION ... SET search_path = app,
    pg_temp), or qualify every name in the body (app.order_lines).
    """
    rel_schemas: dict[str, list[str]] = {}
    for group in (ctx.schema.tables, ctx.schema.views, ctx.schema.sequences):
        for o in group.values():
            rel_schemas.setdefault(o.name, []).append(o.schema)
    fn_schemas: dict[str, list[str]] = {}
    for g in ctx.schema.functions.values():
        fn_schemas.setdefault(g.name, []).append(g.schema)
    for f in ctx.schema.functions.values():
        if f.kind == "aggregate" or f.security_definer or pinned_path(f) is not None:
            continue
        trees = _statements(f)
        if not trees:
            continue
        rels, funcs = unqualified_names(trees)
        found = sorted(r for r in rels if r in rel_schemas)
        found += sorted(g for g in funcs if g in fn_schemas and g != f.name)
        if not found:
            continue
        schemas = [f.schema]
        for name in found:
            for s in rel_schemas.get(name, fn_schemas.get(name, [])):
                if s not in schemas:
                    schemas.append(s)
        shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        yield Hit(
            f.key,
            f"{f.kind} {f.signature} names {shown} without a schema and does not pin "
            "search_path: they are looked up through the caller's path",
            f.origin,
            f"ALTER {_routine(f)} {_signature(ctx, f)} SET search_path = "
            f"{_path_sql(ctx, [*schemas, 'pg_temp'])};",
        )
