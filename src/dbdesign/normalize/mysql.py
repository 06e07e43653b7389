"""Canonical form of MySQL/MariaDB expressions, so DDL text and catalog text compare equal.

The server rewrites what it stores: defaults and CHECK clauses come back lower-cased with
backticks (``current_timestamp()`` for ``CURRENT_TIMESTAMP``), and a view's query comes back
fully qualified (``db.t.col``) with every select item aliased, joins nested in parentheses,
charset introducers dropped, ``count(*)`` as ``count(0)``, ``LENGTH`` as ``octet_length`` and
an ORDER BY alias replaced by its expression. The normal form undoes those differences: it is
sqlglot's parse (dialect ``mysql``) after these rewrites, regenerated and lower-cased outside
string literals:

- identifiers unquoted and lower-cased; qualifiers naming the current database (``Expr.schema``)
  dropped, and column qualifiers dropped in a query over one table;
- charset introducers dropped; TRUE/FALSE as 1/0; NOW(), LOCALTIME, LOCALTIMESTAMP as
  CURRENT_TIMESTAMP; OCTET_LENGTH as LENGTH; COUNT(*) as COUNT(0); explicit ASC dropped;
- redundant parentheses dropped (around a whole expression, a join condition, an operand that
  binds tighter than its operator);
- nested joins flattened, INNER JOIN and LEFT OUTER JOIN as JOIN and LEFT JOIN;
- in a query, a bare column used as a condition as ``col <> 0`` (as MariaDB stores it);
- an alias that repeats its column's name or the item's own text dropped; an ORDER BY name that
  is a select alias replaced by the aliased expression.

Compound statements (trigger and routine bodies, ``BEGIN ... END``) and text sqlglot cannot
parse fall back to a token-wise form (comments dropped, lower case outside strings, single
spaces). Nothing here raises.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import sqlglot
from sqlglot import exp

from dbdesign.dialects.mysql import quote_string, unquote_string
from dbdesign.model import register_normaliser

_TOKEN = re.compile(
    r"""'(?:[^'\\]|\\.|'')*'?|"(?:[^"\\]|\\.|"")*"?|`(?:[^`]|``)*`?"""
    r"""|--(?=\s|$)[^\n]*|\#[^\n]*|/\*.*?(?:\*/|\Z)|\s+"""
    r"""|[A-Za-z_$\x80-\U0010ffff][\w$\x80-\U0010ffff]*"""
    r"""|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?"""
    r"""|<=>|->>|->|<<|>>|<=|>=|!=|<>|:=|\|\||&&|.""",
    re.S,
)
_SIMPLE = re.compile(r"^[a-z_][a-z0-9_]*$")


def _fallback(text: str) -> str:
    parts: list[str] = []
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if tok.isspace() or tok.startswith(("--", "#", "/*")):
            continue
        if tok[0] == "`":
            tok = tok[1:-1].replace("``", "`").lower() if len(tok) > 1 else tok
        elif tok[0] == "'" and len(tok) > 1 and tok.endswith("'"):
            tok = quote_string(unquote_string(tok))  # 'it''s' and 'it\'s' are one string
        elif tok[0] not in "'\"":
            tok = tok.lower()
        parts.append(tok)
    return " ".join(parts)


def _lower_outside_strings(sql: str) -> str:
    out: list[str] = []
    for m in _TOKEN.finditer(sql):
        tok = m.group()
        out.append(tok if tok[0] in "'\"" else tok.lower())
    return "".join(out)


# Binding strength of operators (higher binds tighter), MySQL's precedence table.
_PRECEDENCE: dict[type[exp.Expr], int] = {
    exp.Or: 1,
    exp.Xor: 2,
    exp.And: 3,
    exp.Not: 4,
    exp.EQ: 6,
    exp.NullSafeEQ: 6,
    exp.NEQ: 6,
    exp.GT: 6,
    exp.GTE: 6,
    exp.LT: 6,
    exp.LTE: 6,
    exp.Is: 6,
    exp.Like: 6,
    exp.ILike: 6,
    exp.RegexpLike: 6,
    exp.In: 6,
    exp.Between: 5,
    exp.BitwiseOr: 7,
    exp.BitwiseAnd: 8,
    exp.BitwiseLeftShift: 9,
    exp.BitwiseRightShift: 9,
    exp.Add: 10,
    exp.Sub: 10,
    exp.Mul: 11,
    exp.Div: 11,
    exp.IntDiv: 11,
    exp.Mod: 11,
    exp.BitwiseXor: 12,
    exp.Neg: 13,
    exp.BitwiseNot: 13,
}
_ATOM = 100  # columns, literals, function calls, subqueries: never need parentheses


def _strength(node: Any) -> int:
    for cls, p in _PRECEDENCE.items():
        if type(node) is cls:
            return p
    if isinstance(node, exp.Binary | exp.Unary | exp.Predicate | exp.Collate):
        return 0  # an operator we do not rank: keep its parentheses
    return _ATOM


_ASSOCIATIVE = (exp.And, exp.Or, exp.Add, exp.Mul)


def _drop_paren(node: exp.Paren) -> bool:
    inner = node.this
    parent = node.parent
    if isinstance(inner, exp.Subquery | exp.Select | exp.Tuple) or inner is None:
        return False
    if parent is None or not isinstance(parent, exp.Binary | exp.Unary | exp.Predicate):
        return True
    pin, pout = _strength(inner), _strength(parent)
    if pin == 0 or pout == 0:
        return False
    if pin > pout:
        return True
    # (a AND b) AND c: same associative operator on the left (or either side).
    return type(inner) is type(parent) and isinstance(parent, _ASSOCIATIVE)


_NOW = frozenset(("NOW", "LOCALTIME", "LOCALTIMESTAMP", "CURRENT_TIMESTAMP"))


def _rewrite(node: exp.Expr) -> exp.Expr:
    """First pass: nodes replaced by other nodes (their children are visited by the second)."""
    if isinstance(node, exp.Introducer):
        literal: exp.Expr = node.expression
        return literal
    if isinstance(node, exp.Boolean):
        return exp.Literal.number(1 if node.this else 0)
    if isinstance(node, exp.Localtimestamp | exp.Localtime):
        return exp.CurrentTimestamp(this=node.args.get("this"))
    if isinstance(node, exp.Anonymous):
        name = str(node.this).upper()
        if name in _NOW:
            args = node.expressions
            return exp.CurrentTimestamp(this=args[0] if args else None)
        if name == "OCTET_LENGTH" and len(node.expressions) == 1:
            return exp.Length(this=node.expressions[0], binary=True)
    if isinstance(node, exp.Count) and isinstance(node.this, exp.Star):
        return exp.Count(this=exp.Literal.number(0))
    return node


def _tidy(node: exp.Expr, schema: str | None) -> exp.Expr:
    """Second pass: changes in place."""
    if isinstance(node, exp.Identifier):
        name = node.name.lower()
        node.set("this", name)
        node.set("quoted", not _SIMPLE.match(name))
    elif isinstance(node, exp.Ordered) and not node.args.get("desc"):
        node.set("desc", None)
    elif isinstance(node, exp.Join):
        if node.args.get("kind") in ("INNER", "OUTER"):
            node.set("kind", None)
        on = node.args.get("on")
        if isinstance(on, exp.Paren):
            node.set("on", on.this)
    elif schema is not None and isinstance(node, exp.Table | exp.Column):
        db = node.args.get("db")
        if isinstance(db, exp.Identifier) and db.name.lower() == schema.lower():
            node.set("db", None)
    return node


_BOOLEAN_OPERANDS = (exp.And, exp.Or, exp.Xor, exp.Not, exp.Where, exp.Having)


def _truth_tests(tree: exp.Expr) -> None:
    """MariaDB stores a bare column used as a condition as ``col <> 0``."""
    for col in list(tree.find_all(exp.Column)):
        parent = col.parent
        while isinstance(parent, exp.Paren):
            parent = parent.parent
        is_on = isinstance(parent, exp.Join) and parent.args.get("on") is col
        if isinstance(parent, _BOOLEAN_OPERANDS) or is_on:
            col.replace(exp.NEQ(this=col.copy(), expression=exp.Literal.number(0)))


def _unparen(tree: exp.Expr) -> exp.Expr:
    for p in list(tree.find_all(exp.Paren)):
        if p.parent is not None and _drop_paren(p):
            p.replace(p.this)
    while isinstance(tree, exp.Paren) and _drop_paren(tree):
        tree = tree.this
    return tree


def _flatten_from(select: exp.Select) -> None:
    """``FROM ((a JOIN b ON x) JOIN c ON y)`` -> ``FROM a JOIN b ON x JOIN c ON y``."""
    frm = select.args.get("from_") or select.args.get("from")
    if not isinstance(frm, exp.From):
        return
    joins: list[exp.Expr] = []
    node = frm.this
    while isinstance(node, exp.Subquery) and not node.args.get("alias"):
        inner = node.this
        if not isinstance(inner, exp.Subquery | exp.Table):
            break
        joins = list(node.args.get("joins") or []) + joins
        node = inner
    if isinstance(node, exp.Table) and node.args.get("joins"):
        joins = list(node.args["joins"]) + joins
        node = node.copy()
        node.set("joins", None)
    if joins or node is not frm.this:
        frm.set("this", node)
        select.set("joins", joins + list(select.args.get("joins") or []))


def _sources(select: exp.Select) -> list[exp.Expr]:
    frm = select.args.get("from_") or select.args.get("from")
    out: list[exp.Expr] = [frm.this] if isinstance(frm, exp.From) else []
    out += [j.this for j in select.args.get("joins") or []]
    return out


def _own_nodes(select: exp.Select) -> list[exp.Expr]:
    """Nodes of ``select`` outside nested queries."""
    out: list[exp.Expr] = []
    stack: list[exp.Expr] = [select]
    while stack:
        n = stack.pop()
        out.append(n)
        for child in n.iter_expressions():
            if isinstance(child, exp.Query | exp.Subquery):  # a nested query: its own scope
                continue
            stack.append(child)
    return out


def _canon_sql(node: exp.Expr) -> str:
    return _lower_outside_strings(node.sql(dialect="mysql"))


def _tidy_select(select: exp.Select) -> None:
    _flatten_from(select)
    sources = _sources(select)
    if len(sources) == 1 and isinstance(sources[0], exp.Table):
        src = sources[0]
        names = {src.name.lower(), (src.alias or src.name).lower()}
        for n in _own_nodes(select):
            if isinstance(n, exp.Column) and n.table and n.table.lower() in names:
                n.set("table", None)
                n.set("db", None)
    aliases: dict[str, exp.Expr] = {}
    for item in select.expressions:
        if not isinstance(item, exp.Alias):
            continue
        inner, alias = item.this, item.alias
        if isinstance(inner, exp.Column) and inner.name.lower() == alias.lower():
            item.replace(inner)
            continue
        aliases[alias.lower()] = inner
        if not isinstance(inner, exp.Column) and _alias_is_text(alias, inner):
            item.replace(inner)
    order = select.args.get("order")
    if isinstance(order, exp.Order):
        for o in order.expressions:
            target = o.this
            if (
                isinstance(target, exp.Column)
                and not target.table
                and target.name.lower() in aliases
            ):
                target.replace(aliases[target.name.lower()].copy())


def _alias_is_text(alias: str, expr: exp.Expr) -> bool:
    """MariaDB names an unaliased select item after its text: ``count(*) AS `count(*)```."""
    try:
        parsed = sqlglot.parse_one(alias, read="mysql")
    except Exception:
        return False
    return _canon_sql(_canonical_tree(parsed, None)) == _canon_sql(expr)


def _canonical_tree(tree: exp.Expr, schema: str | None) -> exp.Expr:
    tree = tree.transform(_rewrite, copy=True)
    tree = tree.transform(lambda n: _tidy(n, schema), copy=False)
    if isinstance(tree, exp.Query):
        _truth_tests(tree)
    tree = _unparen(tree)
    for select in list(tree.find_all(exp.Select)):
        _tidy_select(select)
    return tree


_COMPOUND = re.compile(r"^\s*(?:\w+\s*:\s*)?(BEGIN|IF|CASE|LOOP|REPEAT|WHILE|DECLARE)\b", re.I)


@lru_cache(maxsize=8192)
def normalize(text: str, dialect: str = "mysql", schema: str | None = None) -> str:
    """The canonical form of one MySQL expression or query; ``schema`` is the database whose
    qualifier means "the current database" where the text was written."""
    if _COMPOUND.match(text):
        return _fallback(text)
    try:
        trees = [t for t in sqlglot.parse(text, read="mysql") if t is not None]
        if len(trees) != 1 or isinstance(trees[0], exp.Command):
            return _fallback(text)
        return _canon_sql(_canonical_tree(trees[0], schema))
    except Exception:  # sqlglot raises more than ParseError on odd input; never fail a compare
        return _fallback(text)


register_normaliser("mysql", normalize)

__all__ = ["normalize"]
