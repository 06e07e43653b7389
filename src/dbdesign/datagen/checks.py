"""Check constraints as conditions the generator can satisfy, read with PostgreSQL's parser.

:func:`atoms` turns a check expression into a conjunction of :class:`Atom` values, each about one
column (or two, for ``a < b``): ``col > 0``, ``col BETWEEN 1 AND 5``, ``col IN ('a', 'b')``,
``length(col) <= 40``, ``col ~ '^[a-z]+$'``, ``col LIKE 'INV-%'``, ``col IS NOT NULL``,
``a < b``. Casts are looked through; ``AND`` concatenates; of an ``OR`` the first branch that can
be satisfied on its own is kept (a stronger condition, so still correct), preferring a branch that
does not force a NULL; a branch that is always true makes the ``OR`` need nothing. Anything else
raises :class:`CheckUnsupported` with the reason, which the planner reports naming the
constraint: a check is never silently skipped.

SQL's three-valued logic makes every atom read "if the column is not NULL, then ...": a check
that evaluates to NULL passes, so NULLs never violate these atoms (``IS NOT NULL`` aside).
SQLite expressions are first rewritten into PostgreSQL syntax by sqlglot, with ``GLOB`` patterns and
``col = lower(col)`` made into regexes; so are MySQL ones, with
MySQL's own functions of checks made into regexes first (``is_ipv4(ip)``) and a regex's leading
``(?-i)`` / ``(?i)`` into ``~`` / ``~*``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "<>": "<>", "!=": "<>"}
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "<>", "<>": "="}
_COMPARE = frozenset(_FLIP)
_REGEX_OPS = {"~": (False, False), "~*": (True, False), "!~": (False, True), "!~*": (True, True)}
_LIKE_OPS = {"~~": (False, False), "~~*": (True, False), "!~~": (False, True), "!~~*": (True, True)}
_LENGTH_FUNCS = frozenset({"length", "char_length", "character_length", "octet_length"})
_CARD_FUNCS = frozenset({"cardinality", "array_length"})
# Functions of a column that our generated values pass through unchanged: they never have
# leading or trailing blanks, and a comparison with a constant that is already in that case
# holds for the value we generate for the constant.
_TRANSPARENT = frozenset({"btrim", "trim", "ltrim", "rtrim", "lower", "upper"})


class CheckUnsupported(Exception):
    """The expression has a form the generator cannot satisfy; ``str()`` says which part."""


@dataclass(frozen=True, slots=True)
class Const:
    """A constant: its Python value (int, Decimal, str, bool, None) and the type it was cast to."""

    value: Any
    cast: str | None = None


@dataclass(frozen=True, slots=True)
class Atom:
    """One condition on one column.

    kind: ``cmp`` (column op value), ``in`` / ``notin`` (values), ``len`` / ``card`` (length or
    array cardinality op value), ``match`` (regex; ``negate``, ``icase``; ``like`` when it came
    from LIKE), ``notnull``, ``isnull``, ``colcmp`` (column op other column), ``typeof``
    (SQLite's ``typeof(col) IN (...)``: value is the frozenset of storage classes allowed,
    ``'null'`` among them when a NULL passes — typeof() is never NULL itself).
    """

    kind: str
    column: str
    op: str = ""
    value: Any = None
    other: str | None = None
    negate: bool = False
    icase: bool = False
    like: bool = False
    fn: str | None = None  # lower/upper applied to the column before matching


def parse_expression(text: str, dialect: str = "postgres") -> Any:
    """The parse tree (libpg_query JSON as dicts) of one SQL expression."""
    from pglast.parser import ParseError, parse_sql_json

    to_postgres = TO_POSTGRES.get(dialect)
    sql = text if to_postgres is None else to_postgres(text)
    try:
        tree = json.loads(parse_sql_json(f"SELECT ({sql})"))
    except ParseError as e:
        raise CheckUnsupported(f"cannot parse the expression: {e}") from None
    stmts = tree.get("stmts", [])
    if len(stmts) != 1:
        raise CheckUnsupported("not a single expression")
    return stmts[0]["stmt"]["SelectStmt"]["targetList"][0]["ResTarget"]["val"]


def _sqlite_to_postgres(text: str) -> str:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    def fix(node: exp.Expression) -> exp.Expression:
        if (
            isinstance(node, exp.Glob)
            and isinstance(node.expression, exp.Literal)
            and node.expression.is_string
        ):
            regex = glob_regex(node.expression.this)
            return exp.RegexpLike(this=node.this, expression=exp.Literal.string(regex))
        if isinstance(node, exp.EQ):
            # col = lower(col): SQLite's lower() and upper() fold ASCII letters only
            for col, fn in ((node.this, node.expression), (node.expression, node.this)):
                if (
                    isinstance(col, exp.Column)
                    and isinstance(fn, exp.Lower | exp.Upper)
                    and fn.this == col
                ):
                    regex = "^[^A-Z]*$" if isinstance(fn, exp.Lower) else "^[^a-z]*$"
                    return exp.RegexpLike(this=col, expression=exp.Literal.string(regex))
        return node

    try:
        trees = sqlglot.parse(text, read="sqlite")
        if len(trees) != 1 or trees[0] is None:
            raise CheckUnsupported("not a single expression")
        return trees[0].transform(fix).sql(dialect="postgres")
    except SqlglotError as e:
        raise CheckUnsupported(f"cannot parse the expression: {e}") from None


def glob_regex(pattern: str) -> str:
    """SQLite's ``GLOB`` pattern as an anchored regex: ``*`` any text, ``?`` one character,
    ``[...]`` a set (``[^...]`` its complement, ``]`` first is itself), case-sensitive."""
    out = ["^"]
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[" and (end := _glob_set_end(pattern, i)) > 0:
            body = pattern[i + 1 : end]
            neg = body.startswith("^")
            body = body[1:] if neg else body
            members = "".join("\\" + c if c in "\\^[]" else c for c in body)
            out.append(f"[{'^' if neg else ''}{members}]")
            i = end
        else:
            out.append(ch if ch.isalnum() or ch in " _" else "\\" + ch)
        i += 1
    return "".join(out) + "$"


def _glob_set_end(pattern: str, start: int) -> int:
    """The position of the ``]`` that closes the set opened at ``start``, or -1."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    end = pattern.find("]", i)
    return end


# What MySQL's address tests accept, as regexes the generator can draw from.
_OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_MYSQL_ADDRESS_TESTS = {
    "is_ipv4": f"^{_OCTET}([.]{_OCTET}){{3}}$",
    "is_ipv6": "^[0-9a-f]{1,4}(:[0-9a-f]{1,4}){7}$",
}


def _mysql_to_postgres(text: str) -> str:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    def fix(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and len(node.expressions) == 1:
            regex = _MYSQL_ADDRESS_TESTS.get(node.name.lower())
            if regex is not None:
                arg = node.expressions[0]
                return exp.RegexpLike(this=arg, expression=exp.Literal.string(regex))
        if (
            isinstance(node, exp.RegexpLike)
            and isinstance(node.expression, exp.Literal)
            and node.expression.is_string
        ):
            pattern = node.expression.this
            if pattern.startswith("(?-i)"):
                return exp.RegexpLike(this=node.this, expression=exp.Literal.string(pattern[5:]))
            if pattern.startswith("(?i)"):
                return exp.RegexpILike(this=node.this, expression=exp.Literal.string(pattern[4:]))
        return node

    try:
        trees = sqlglot.parse(text, read="mysql")
        if len(trees) != 1 or trees[0] is None:
            raise CheckUnsupported("not a single expression")
        return trees[0].transform(fix).sql(dialect="postgres")
    except SqlglotError as e:
        raise CheckUnsupported(f"cannot parse the expression: {e}") from None


# Expressions of a dialect other than PostgreSQL, rewritten for PostgreSQL's parser, by the
# dialect's canonical name.
TO_POSTGRES: dict[str, Callable[[str], str]] = {
    "sqlite": _sqlite_to_postgres,
    "mysql": _mysql_to_postgres,
}


def atoms(text: str, dialect: str = "postgres") -> list[Atom]:
    """The conjunction of conditions that makes ``text`` true (see the module docstring)."""
    return _conj(parse_expression(text, dialect))


# What a unique index on an expression may apply to its columns and still be unique when the
# columns are: the generator's distinct values stay distinct under these.
_ONE_TO_ONE_FUNCS = frozenset({"lower", "upper", "btrim", "trim", "ltrim", "rtrim"})


def unique_refs(text: str, dialect: str = "postgres") -> set[str]:
    """The columns of an expression that stays distinct when they are (``lower(email)``,
    ``a || '-' || b``, casts); raises :class:`CheckUnsupported` for any other expression
    (``length(x)``, ``date_trunc('day', t)``), which could repeat values."""
    tree = parse_expression(text, dialect)
    out: set[str] = set()
    stack = [tree]
    while stack:
        kind, body = _node(stack.pop())
        if kind == "ColumnRef":
            name = _colref(body)
            if name:
                out.add(name)
        elif kind in ("TypeCast", "CollateClause"):
            stack.append(body["arg"])
        elif kind == "A_Const":
            continue
        elif kind == "FuncCall":
            fname = str(body["funcname"][-1]["String"]["sval"]).lower()
            if fname not in _ONE_TO_ONE_FUNCS:
                raise CheckUnsupported(f"{fname}() may map distinct values to one")
            stack.extend(body.get("args", []))
        elif kind == "A_Expr" and body.get("kind") == "AEXPR_OP" and _opname(body) == "||":
            stack.extend(x for x in (body.get("lexpr"), body.get("rexpr")) if x is not None)
        else:
            raise CheckUnsupported(f"the expression ({kind}) may map distinct values to one")
    return out


def column_refs(text: str, dialect: str = "postgres") -> set[str]:
    """Names of the columns an expression reads."""
    tree = parse_expression(text, dialect)
    out: set[str] = set()
    stack = [tree]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            ref = x.get("ColumnRef")
            if isinstance(ref, dict):
                name = _colref(ref)
                if name:
                    out.add(name)
                continue
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return out


# --------------------------------------------------------------------------- the walk


def _conj(node: Any) -> list[Atom]:
    kind, body = _node(node)
    if kind == "BoolExpr":
        op = body["boolop"]
        args = body.get("args", [])
        if op == "AND_EXPR":
            return [a for arg in args for a in _conj(arg)]
        if op == "OR_EXPR":
            return _or(args)
        if op == "NOT_EXPR":
            return _not(args[0])
    if kind == "NullTest":
        col = _column(body["arg"])
        if col is None:
            raise CheckUnsupported("IS NULL test on something other than a column")
        return [Atom("notnull" if body.get("nulltesttype") == "IS_NOT_NULL" else "isnull", col)]
    if kind == "A_Expr":
        return _aexpr(body)
    if kind == "TypeCast":
        return _conj(body["arg"])
    if kind == "ColumnRef":  # a boolean column on its own
        return [Atom("in", _colref(body) or "", value=(True,))]
    if kind == "BooleanTest":
        return _boolean_test(body)
    if kind == "A_Const" and _true_constant(body):
        return []
    raise CheckUnsupported(f"unsupported expression ({kind})")


def _boolean_test(body: dict[str, Any]) -> list[Atom]:
    """``col IS [NOT] TRUE`` / ``IS [NOT] FALSE``: the column holds that value."""
    col = _column(body["arg"])
    test = body.get("booltesttype", "")
    if col is not None and test in ("IS_TRUE", "IS_NOT_FALSE"):
        return [Atom("in", col, value=(True,))]
    if col is not None and test in ("IS_FALSE", "IS_NOT_TRUE"):
        return [Atom("in", col, value=(False,))]
    raise CheckUnsupported("unsupported expression (BooleanTest)")


def _true_constant(body: dict[str, Any]) -> bool:
    """TRUE, or a number other than 0 (SQLite, MySQL: ``x IS NOT NULL OR 1``)."""
    return bool(body.get("boolval", {}).get("boolval", False)) or bool(
        body.get("ival", {}).get("ival", 0)
    )


def _or(args: list[Any]) -> list[Atom]:
    branches: list[list[Atom]] = []
    reasons: list[str] = []
    for arg in args:
        try:
            branches.append(_conj(arg))
        except CheckUnsupported as e:
            reasons.append(str(e))
    if any(not b for b in branches):
        return []  # a branch that is always true (``x IS NOT NULL OR 1``): nothing to satisfy
    for b in branches:
        if not all(a.kind == "isnull" for a in b):
            return b
    if branches:
        return branches[0]
    raise CheckUnsupported("no branch of OR can be satisfied: " + "; ".join(reasons))


def _not(arg: Any) -> list[Atom]:
    inner = _conj(arg)
    if len(inner) != 1:
        raise CheckUnsupported("NOT of a compound condition")
    a = inner[0]
    if a.kind == "cmp" and a.op in _NEGATE:
        return [Atom("cmp", a.column, _NEGATE[a.op], a.value)]
    if a.kind in ("in", "notin"):
        return [Atom("notin" if a.kind == "in" else "in", a.column, value=a.value)]
    if a.kind == "match":
        return [
            Atom(
                "match",
                a.column,
                value=a.value,
                negate=not a.negate,
                icase=a.icase,
                like=a.like,
                fn=a.fn,
            )
        ]
    if a.kind == "isnull":
        return [Atom("notnull", a.column)]
    if a.kind == "notnull":
        return [Atom("isnull", a.column)]
    if a.kind == "colcmp" and a.op in _NEGATE:
        return [Atom("colcmp", a.column, _NEGATE[a.op], other=a.other)]
    if a.kind == "typeof":
        return [Atom("typeof", a.column, value=STORAGE_CLASSES - a.value)]
    raise CheckUnsupported("unsupported NOT")


def _aexpr(body: dict[str, Any]) -> list[Atom]:
    kind = body["kind"]
    name = _opname(body)
    lexpr, rexpr = body.get("lexpr"), body.get("rexpr")
    if kind == "AEXPR_OP":
        return _operator(name, lexpr, rexpr)
    if kind == "AEXPR_LIKE" or kind == "AEXPR_ILIKE":
        return _match(
            lexpr,
            rexpr,
            "LIKE needs a column and a constant pattern",
            negate=name.startswith("!"),
            icase=kind == "AEXPR_ILIKE",
            like=True,
        )
    if kind == "AEXPR_IN":
        return _in(name, lexpr, rexpr)
    if kind in ("AEXPR_OP_ANY", "AEXPR_OP_ALL"):
        return _any_all(kind, name, lexpr, rexpr)
    if kind in ("AEXPR_BETWEEN", "AEXPR_NOT_BETWEEN", "AEXPR_BETWEEN_SYM"):
        return _between(kind, lexpr, rexpr)
    raise CheckUnsupported(f"unsupported operator form {kind}")


def _operator(name: str, lexpr: Any, rexpr: Any) -> list[Atom]:
    """``lexpr <op> rexpr``: a pattern match (regex, LIKE) or a comparison."""
    if name in _REGEX_OPS or name in _LIKE_OPS:
        icase, negate = _REGEX_OPS.get(name) or _LIKE_OPS[name]
        return _match(
            lexpr,
            rexpr,
            f"pattern match {name} needs a column and a constant",
            negate=negate,
            icase=icase,
            like=name in _LIKE_OPS,
        )
    if name not in _COMPARE:
        raise CheckUnsupported(f"unsupported operator {name}")
    op = "<>" if name == "!=" else name
    return [_comparison(lexpr, op, rexpr)]


def _match(
    lexpr: Any, rexpr: Any, unsupported: str, *, negate: bool, icase: bool, like: bool
) -> list[Atom]:
    """A column (or its lower()/upper()) matching a constant pattern; else ``unsupported``."""
    col = _column(lexpr)
    pat = _const(rexpr)
    if col is None or pat is None or not isinstance(pat.value, str):
        raise CheckUnsupported(unsupported)
    return [
        Atom(
            "match",
            col,
            value=pat.value,
            negate=negate,
            icase=icase,
            like=like,
            fn=_case_fn(lexpr),
        )
    ]


def _in(name: str, lexpr: Any, rexpr: Any) -> list[Atom]:
    """``col [NOT] IN (constants)``, or ``typeof(col) [NOT] IN (type names)``."""
    if _typeof(lexpr) is not None:
        values = [_const(v) for v in _list(rexpr)]
        if any(v is None or not isinstance(v.value, str) for v in values):
            raise CheckUnsupported("typeof() IN needs a list of type names")
        named = frozenset(v.value for v in values if v is not None)
        return [_typeof_atom(_typeof(lexpr) or "", named, negate=name == "<>")]
    col = _column(lexpr)
    values = [_const(v) for v in _list(rexpr)]
    if col is None or any(v is None for v in values):
        raise CheckUnsupported("IN needs a column and a list of constants")
    vals = tuple(v.value for v in values if v is not None)
    return [Atom("notin" if name == "<>" else "in", col, value=vals)]


def _any_all(kind: str, name: str, lexpr: Any, rexpr: Any) -> list[Atom]:
    """``col = ANY(array)`` (IN) and ``col <> ALL(array)`` (NOT IN)."""
    col = _column(lexpr)
    array = _array(rexpr)
    if col is None or array is None:
        raise CheckUnsupported(f"{name} ANY/ALL needs a column and an array of constants")
    if kind == "AEXPR_OP_ANY" and name == "=":
        return [Atom("in", col, value=array)]
    if kind == "AEXPR_OP_ALL" and name in ("<>", "!="):
        return [Atom("notin", col, value=array)]
    raise CheckUnsupported(f"unsupported {name} {'ANY' if 'ANY' in kind else 'ALL'}")


def _between(kind: str, lexpr: Any, rexpr: Any) -> list[Atom]:
    """``col BETWEEN lo AND hi`` (SYMMETRIC: either order), also on a length; two bounds."""
    col = _column(lexpr)
    measured = _measured(lexpr) if col is None else None
    bounds = [_const(v) for v in _list(rexpr)]
    if (col is None and measured is None) or len(bounds) != 2 or None in bounds:
        raise CheckUnsupported("BETWEEN needs a column and two constants")
    lo, hi = bounds
    assert lo is not None and hi is not None
    if kind == "AEXPR_NOT_BETWEEN":
        raise CheckUnsupported("NOT BETWEEN")
    if kind == "AEXPR_BETWEEN_SYM" and _less(hi.value, lo.value):
        lo, hi = hi, lo
    if measured is not None:
        mkind, mcol = measured
        if not isinstance(lo.value, int) or not isinstance(hi.value, int):
            raise CheckUnsupported("length BETWEEN needs whole numbers")
        return [Atom(mkind, mcol, ">=", lo.value), Atom(mkind, mcol, "<=", hi.value)]
    assert col is not None
    return [Atom("cmp", col, ">=", lo), Atom("cmp", col, "<=", hi)]


def _less(a: Any, b: Any) -> bool:
    try:
        return bool(a < b)
    except TypeError:
        return False


def _comparison(lexpr: Any, op: str, rexpr: Any) -> Atom:
    for fn_side, other in ((lexpr, rexpr), (rexpr, lexpr)):
        typed = _typeof(fn_side)
        const = _const(other)
        if typed is not None and op in ("=", "<>") and const is not None:
            if not isinstance(const.value, str):
                raise CheckUnsupported("typeof() compared with something other than a type name")
            return _typeof_atom(typed, frozenset({const.value}), negate=op == "<>")
    lcol, rcol = _column(lexpr), _column(rexpr)
    if lcol is not None and rcol is not None:
        plain_l, plain_r = _plain_column(lexpr), _plain_column(rexpr)
        if plain_l is None or plain_r is None or plain_l == plain_r:
            raise CheckUnsupported(f"unsupported comparison of expressions with {op}")
        return Atom("colcmp", plain_l, op, other=plain_r)
    lconst, rconst = _const(lexpr), _const(rexpr)
    if lcol is not None and rconst is not None:
        return Atom("cmp", lcol, op, rconst)
    if rcol is not None and lconst is not None:
        return Atom("cmp", rcol, _FLIP[op], lconst)
    for fn_side, const, flip in ((lexpr, rconst, False), (rexpr, lconst, True)):
        measured = _measured(fn_side)
        if measured is not None and const is not None and isinstance(const.value, int):
            kind, col = measured
            return Atom(kind, col, _FLIP[op] if flip else op, const.value)
    raise CheckUnsupported(f"unsupported comparison with {op}")


# What SQLite's typeof() returns: one of these, 'null' for NULL.
STORAGE_CLASSES = frozenset({"null", "integer", "real", "text", "blob"})


def _typeof(node: Any) -> str | None:
    """The column of ``typeof(col)``, else None."""
    kind, body = _node(node)
    if kind != "FuncCall" or str(body["funcname"][-1]["String"]["sval"]).lower() != "typeof":
        return None
    args = body.get("args", [])
    return _plain_column(args[0]) if len(args) == 1 else None


def _typeof_atom(col: str, named: frozenset[str], *, negate: bool) -> Atom:
    """The storage classes ``typeof(col)`` may be (compared case-sensitively, as SQL does)."""
    allowed = STORAGE_CLASSES - named if negate else STORAGE_CLASSES & named
    return Atom("typeof", col, value=allowed)


def _measured(node: Any) -> tuple[str, str] | None:
    """``length(col)`` -> ("len", col); ``cardinality(col)`` / ``array_length(col, 1)``."""
    kind, body = _node(node)
    if kind == "TypeCast":
        return _measured(body["arg"])
    if kind != "FuncCall":
        return None
    fname = body["funcname"][-1]["String"]["sval"].lower()
    args = body.get("args", [])
    if fname in _LENGTH_FUNCS and len(args) == 1:
        col = _column(args[0])
        return ("len", col) if col is not None else None
    if fname in _CARD_FUNCS and args:
        col = _column(args[0])
        return ("card", col) if col is not None else None
    return None


# --------------------------------------------------------------------------- leaves


def _node(node: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(node, dict) and len(node) == 1:
        k, v = next(iter(node.items()))
        return k, v
    return "?", {}


def _opname(body: dict[str, Any]) -> str:
    names = body.get("name", [])
    return str(names[-1]["String"]["sval"]) if names else ""


def _colref(body: dict[str, Any]) -> str | None:
    last = body.get("fields", [{}])[-1]
    s = last.get("String") if isinstance(last, dict) else None
    return str(s["sval"]) if s else None


def _column(node: Any) -> str | None:
    """The column a node reads, looking through casts and value-preserving functions."""
    kind, body = _node(node)
    if kind == "ColumnRef":
        return _colref(body)
    if kind == "TypeCast":
        return _column(body["arg"])
    if kind == "FuncCall":
        fname = body["funcname"][-1]["String"]["sval"].lower()
        args = body.get("args", [])
        if fname in _TRANSPARENT and len(args) == 1:
            return _column(args[0])
    if kind == "CollateClause":
        return _column(body["arg"])
    return None


def _plain_column(node: Any) -> str | None:
    """The column of a bare column reference (casts allowed), else None."""
    kind, body = _node(node)
    if kind == "ColumnRef":
        return _colref(body)
    if kind == "TypeCast":
        return _plain_column(body["arg"])
    return None


def _case_fn(node: Any) -> str | None:
    """``lower`` / ``upper`` when the column is read through one of them."""
    kind, body = _node(node)
    if kind == "TypeCast":
        return _case_fn(body["arg"])
    if kind == "FuncCall":
        fname = str(body["funcname"][-1]["String"]["sval"]).lower()
        if fname in ("lower", "upper"):
            return fname
        args = body.get("args", [])
        return _case_fn(args[0]) if len(args) == 1 else None
    return None


def _const(node: Any, cast: str | None = None) -> Const | None:
    kind, body = _node(node)
    if kind == "TypeCast":
        names = body["typeName"].get("names", [])
        tname = names[-1]["String"]["sval"] if names else None
        if body["typeName"].get("arrayBounds"):
            return None
        return _const(body["arg"], cast or tname)
    if kind == "A_Const":
        if body.get("isnull"):
            return Const(None, cast)
        if "ival" in body:
            return Const(int(body["ival"].get("ival", 0)), cast)
        if "fval" in body:
            return Const(Decimal(body["fval"].get("fval", "0")), cast)
        if "sval" in body:
            return Const(str(body["sval"].get("sval", "")), cast)
        if "boolval" in body:
            return Const(bool(body["boolval"].get("boolval", False)), cast)
        return None
    if kind == "A_Expr" and body.get("kind") == "AEXPR_OP" and body.get("lexpr") is None:
        inner = _const(body.get("rexpr"), cast)
        if inner is not None and isinstance(inner.value, (int, Decimal)):
            name = _opname(body)
            if name == "-":
                return Const(-inner.value, inner.cast)
            if name == "+":
                return inner
    return None


def _list(node: Any) -> list[Any]:
    kind, body = _node(node)
    if kind == "List":
        return list(body.get("items", []))
    if isinstance(node, list):
        return node
    return [node]


def _array(node: Any) -> tuple[Any, ...] | None:
    """Constants of ``ARRAY[...]`` or of an array literal ``'{a,b}'``, looking through casts."""
    kind, body = _node(node)
    if kind == "TypeCast":
        inner_kind, inner = _node(body["arg"])
        if inner_kind == "A_Const" and "sval" in inner:
            return _array_literal(inner["sval"].get("sval", ""))
        return _array(body["arg"])
    if kind == "A_ArrayExpr":
        values = [_const(e) for e in body.get("elements", [])]
        if any(v is None for v in values):
            return None
        return tuple(v.value for v in values if v is not None)
    return None


def _array_literal(text: str) -> tuple[Any, ...] | None:
    s = text.strip()
    if not (s.startswith("{") and s.endswith("}")):
        return None
    inner = s[1:-1]
    if not inner:
        return ()
    out: list[str] = []
    buf: list[str] = []
    quoted = False
    i = 0
    while i < len(inner):
        ch = inner[i]
        if ch == '"':
            quoted = not quoted
        elif ch == "\\" and i + 1 < len(inner):
            buf.append(inner[i + 1])
            i += 1
        elif ch == "," and not quoted:
            out.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    out.append("".join(buf))
    return tuple(out)
