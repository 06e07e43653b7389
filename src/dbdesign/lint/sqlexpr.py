"""Questions about an expression's structure, asked of PostgreSQL's own parser (pglast).

The model keeps view bodies and check expressions as text (ARCHITECTURE.md: expressions are text
plus a normalised form). A few rules need their structure (``NOT IN (SELECT ...)``, ``BETWEEN``);
they ask the parser here instead of matching text with regexes. pglast is imported on first use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

_TS_LITERAL = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d")
TIMESTAMP_TYPES = {"timestamp", "timestamptz"}


def parse(sql: str) -> Any | None:
    """The parse tree of ``sql`` as plain JSON values, or None when it does not parse."""
    from pglast.parser import ParseError, parse_sql_json

    try:
        return json.loads(parse_sql_json(sql))
    except ParseError:
        return None


def nodes(tree: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every node of a parse tree as (node type, fields), depth first."""
    stack = [tree]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            for k, v in x.items():
                if k[:1].isupper() and isinstance(v, dict):
                    yield k, v
                stack.append(v)
        elif isinstance(x, list):
            stack.extend(x)


def not_in_subqueries(tree: Any) -> int:
    """How many ``x NOT IN (SELECT ...)`` the tree holds."""
    n = 0
    for kind, f in nodes(tree):
        if kind == "BoolExpr" and f.get("boolop") == "NOT_EXPR":
            for a in f.get("args", ()):
                sub = a.get("SubLink") if isinstance(a, dict) else None
                if sub and sub.get("subLinkType") == "ANY_SUBLINK":
                    n += 1
    return n


def relnames(tree: Any) -> set[str]:
    out = set()
    for kind, f in nodes(tree):
        if kind == "RangeVar":
            schema = f.get("schemaname")
            out.add(f"{schema}.{f['relname']}" if schema else f["relname"])
    return out


def _column_name(node: Any) -> str | None:
    ref = node.get("ColumnRef") if isinstance(node, dict) else None
    if not ref:
        return None
    last = ref["fields"][-1]
    s = last.get("String") if isinstance(last, dict) else None
    return s["sval"] if s else None


def _is_timestamp_bound(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    if "TypeCast" in node:
        names = [n["String"]["sval"] for n in node["TypeCast"]["typeName"]["names"]]
        return names[-1] in TIMESTAMP_TYPES
    const = node.get("A_Const")
    if const and "sval" in const:
        return bool(_TS_LITERAL.match(const["sval"]["sval"]))
    return False


def betweens(tree: Any, timestamp_columns: set[str]) -> list[str]:
    """The subjects of ``BETWEEN`` on timestamps: a timestamp column or timestamp bounds."""
    out = []
    for kind, f in nodes(tree):
        if kind != "A_Expr" or "BETWEEN" not in str(f.get("kind", "")):
            continue
        col = _column_name(f.get("lexpr"))
        items = f.get("rexpr", {}).get("List", {}).get("items", [])
        if (col is not None and col in timestamp_columns) or any(
            _is_timestamp_bound(i) for i in items
        ):
            out.append(col or "expression")
    return out


def required_columns(expr_sql: str) -> set[str]:
    """Columns a CHECK expression forces to be non-null: ``col IS NOT NULL`` on its own or as
    a conjunct of a top-level AND (a false conjunct makes the whole AND false, so the row is
    rejected); ``NOT (col IS NULL)`` likewise. Anything under OR, CASE or a function call
    does not count."""
    tree = parse(f"SELECT {expr_sql}")
    if tree is None:
        return set()
    try:
        top = tree["stmts"][0]["stmt"]["SelectStmt"]["targetList"][0]["ResTarget"]["val"]
    except (KeyError, IndexError, TypeError):
        return set()
    out: set[str] = set()
    stack = [top]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        b = node.get("BoolExpr")
        if b is not None and b.get("boolop") == "AND_EXPR":
            stack.extend(b.get("args", ()))
            continue
        want = "IS_NOT_NULL"
        if b is not None and b.get("boolop") == "NOT_EXPR" and len(b.get("args", ())) == 1:
            node, want = b["args"][0], "IS_NULL"  # NOT (col IS NULL)
            if not isinstance(node, dict):
                continue
        nt = node.get("NullTest")
        if nt is not None and nt.get("nulltesttype") == want:
            col = _column_name(nt.get("arg"))
            if col is not None:
                out.add(col)
    return out


def only_not_null(expr_sql: str) -> set[str] | None:
    """The columns of a predicate made only of ``col IS NOT NULL`` tests (alone or joined by
    AND), or None when it says anything else: such a partial index holds every row in which
    those columns are set."""
    tree = parse(f"SELECT {expr_sql}")
    if tree is None:
        return None
    try:
        top = tree["stmts"][0]["stmt"]["SelectStmt"]["targetList"][0]["ResTarget"]["val"]
    except (KeyError, IndexError, TypeError):
        return None
    out: set[str] = set()
    stack = [top]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            return None
        b = node.get("BoolExpr")
        if b is not None and b.get("boolop") == "AND_EXPR":
            stack.extend(b.get("args", ()))
            continue
        nt = node.get("NullTest")
        col = _column_name(nt.get("arg")) if nt is not None else None
        if nt is None or nt.get("nulltesttype") != "IS_NOT_NULL" or col is None:
            return None
        out.add(col)
    return out
