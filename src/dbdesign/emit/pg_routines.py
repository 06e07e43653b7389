"""Functions, procedures, aggregates and the triggers that call them: CREATE statements,
signatures, bodies (dollar quoting, SQL-standard bodies) and configuration settings."""

from __future__ import annotations

import re

from dbdesign.dialects.postgres import qualified, quote_ident, split_qualified
from dbdesign.emit.pg_text import deferrable_sql, idents, quote_literal, type_text
from dbdesign.model import Argument, Function, Trigger


def trigger_function(tr: Trigger) -> tuple[str, str]:
    """(schema, name) of the function a trigger executes (unqualified: ``public``)."""
    return split_qualified(tr.function) if "." in tr.function else ("public", tr.function)


def trigger_sql(tr: Trigger) -> str:
    """``CREATE [CONSTRAINT] TRIGGER ...``."""
    events = []
    for ev in tr.events:
        if ev.upper() == "UPDATE" and tr.columns:
            events.append(f"UPDATE OF {idents(tr.columns)}")
        else:
            events.append(ev.upper())
    sql = (
        f"CREATE {'CONSTRAINT ' if tr.constraint else ''}TRIGGER {quote_ident(tr.name)} "
        f"{tr.timing} {' OR '.join(events)} ON {qualified(tr.schema, tr.table)}"
    )
    sql += deferrable_sql(tr.deferrable, tr.initially_deferred)
    sql += f" FOR EACH {tr.level}"
    if tr.when is not None:
        sql += f" WHEN ({tr.when.text})"
    fschema, fname = trigger_function(tr)
    args = ", ".join(quote_literal(a) for a in tr.arguments)
    return sql + f" EXECUTE FUNCTION {qualified(fschema, fname)}({args})"


_TRIGGER_ENABLE = {
    "O": "ENABLE TRIGGER",
    "D": "DISABLE TRIGGER",
    "R": "ENABLE REPLICA TRIGGER",
    "A": "ENABLE ALWAYS TRIGGER",
}


def trigger_enable_sql(tr: Trigger) -> str:
    """``ALTER TABLE ... ENABLE|DISABLE ... TRIGGER name`` for the trigger's ``enabled`` state."""
    table = qualified(tr.schema, tr.table)
    return f"ALTER TABLE {table} {_TRIGGER_ENABLE.get(tr.enabled, 'ENABLE TRIGGER')} " + (
        quote_ident(tr.name)
    )


_LIST_GUCS = frozenset(
    {
        "search_path",
        "temp_tablespaces",
        "session_preload_libraries",
        "shared_preload_libraries",
        "local_preload_libraries",
    }
)


def _config_sql(item: str) -> str:
    """``search_path=pg_catalog, public`` -> ``SET search_path TO 'pg_catalog', 'public'``."""
    name, _, value = item.partition("=")
    name = name.strip()
    if name.lower() in _LIST_GUCS:
        parts = [
            q.replace('""', '"') if q else p.strip()
            for q, p in re.findall(r'"((?:[^"]|"")*)"|([^,\s][^,]*)', value)
        ]
        rendered = ", ".join(quote_literal(p) for p in parts) or "''"
    else:
        rendered = quote_literal(value)
    return f"SET {quote_ident(name)} TO {rendered}"


def _arg_sql(a: Argument) -> str:
    parts: list[str] = [] if a.mode == "IN" else [a.mode]
    if a.name:
        parts.append(quote_ident(a.name))
    parts.append(type_text(a.type))
    if a.default is not None:
        parts.append(f"DEFAULT {a.default.text}")
    return " ".join(parts)


def function_signature(fn: Function) -> str:
    """The name and input argument types that identify a routine in COMMENT, GRANT, DROP."""
    ins = [type_text(a.type) for a in fn.arguments if a.mode in ("IN", "INOUT", "VARIADIC")]
    if fn.kind == "aggregate" and not ins:
        return f"{qualified(fn.schema, fn.name)}(*)"
    return f"{qualified(fn.schema, fn.name)}({', '.join(ins)})"


def function_node_kind(fn: Function) -> str:
    """The kind of node a routine is in the schema's graph: aggregates are created after the
    functions they call, procedures go with functions."""
    return "aggregate" if fn.kind == "aggregate" else "function"


def routine_word(fn: Function) -> str:
    """``FUNCTION``, ``PROCEDURE`` or ``AGGREGATE``: how DROP and COMMENT ON name the routine."""
    return {"function": "FUNCTION", "procedure": "PROCEDURE", "aggregate": "AGGREGATE"}[fn.kind]


def is_sql_standard_body(body: str) -> bool:
    return re.match(r"(?is)^(begin\s+atomic\b|return\b)", body.strip()) is not None


def _dollar_quote(body: str) -> str:
    n = 0
    while True:
        tag = f"$body{n or ''}$"
        if (body + tag).find(tag) == len(body):
            return f"{tag}{body}{tag}"
        n += 1


def function_sql(fn: Function, *, or_replace: bool = False) -> str:
    name = qualified(fn.schema, fn.name)
    create = "CREATE OR REPLACE" if or_replace else "CREATE"
    if fn.kind == "aggregate":
        ins = [a for a in fn.arguments if a.mode in ("IN", "VARIADIC")]
        args = ", ".join(_arg_sql(a) for a in ins) or "*"
        body = fn.body.strip()
        if not body.startswith("("):
            body = f"(\n    {body}\n)"
        return f"{create} AGGREGATE {name}({args}) {body}"
    args = ", ".join(_arg_sql(a) for a in fn.arguments if a.mode != "TABLE")
    lines = [f"{create} {'PROCEDURE' if fn.kind == 'procedure' else 'FUNCTION'} {name}({args})"]
    if fn.kind == "function":
        lines[0] += f" RETURNS {_returns_sql(fn)}"
    attrs = [f"LANGUAGE {quote_ident(fn.language)}"]
    if fn.kind == "function":
        attrs += _function_traits(fn)
    if fn.security_definer:
        attrs.append("SECURITY DEFINER")
    lines.append("    " + " ".join(attrs))
    lines += [f"    {_config_sql(c)}" for c in fn.config]
    body = fn.body
    if fn.language.lower() == "sql" and is_sql_standard_body(body):
        lines.append(body.strip())
    else:
        lines.append(f"AS {_dollar_quote(body)}")
    return "\n".join(lines)


def _returns_sql(fn: Function) -> str:
    """What follows a function's RETURNS: TABLE(...) of its TABLE arguments, or its type."""
    table_args = [a for a in fn.arguments if a.mode == "TABLE"]
    if table_args:
        cols = ", ".join(f"{quote_ident(a.name or '')} {type_text(a.type)}" for a in table_args)
        return f"TABLE({cols})"
    if fn.returns and fn.returns.strip().upper().startswith("TABLE"):
        return fn.returns.strip()
    return type_text(fn.returns or "void")


def _function_traits(fn: Function) -> list[str]:
    """A function's volatility, STRICT, LEAKPROOF and PARALLEL, where not the default."""
    traits: list[str] = []
    if fn.volatility != "VOLATILE":
        traits.append(fn.volatility)
    if fn.strict:
        traits.append("STRICT")
    if fn.leakproof:
        traits.append("LEAKPROOF")
    if fn.parallel != "UNSAFE":
        traits.append(f"PARALLEL {fn.parallel}")
    return traits
