"""Bridge between libpg_query's JSON parse tree (fast) and pglast Node objects (printable).

The DDL reader walks plain dicts from ``pglast.parser.parse_sql_json`` — about five times faster
than building pglast Nodes for a whole file. Where text is needed (an expression's canonical
spelling) the dict subtree is turned into a pglast Node and deparsed with pglast's own printer.
"""

from __future__ import annotations

import json
import keyword
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from pglast import ast, enums, parser, stream
from pglast.printers import node_printer
from pglast.visitors import Ancestor

from dbdesign.dialects.postgres import quote_ident

# A_Const keeps its value under the value's kind: {"ival": {"ival": 1}} -> Integer(ival=1).
_CONST = {
    "ival": ("Integer", "ival", 0),
    "sval": ("String", "sval", ""),
    "fval": ("Float", "fval", "0"),
    "boolval": ("Boolean", "boolval", False),
    "bsval": ("BitString", "bsval", ""),
}
# Scalar defaults that libpg_query's JSON omits (protobuf drops zero values).
_SCALAR_DEFAULTS: dict[str, dict[str, Any]] = {
    "Integer": {"ival": 0},
    "Boolean": {"boolval": False},
    "String": {"sval": ""},
    "Float": {"fval": "0"},
    "PartitionBoundSpec": {"modulus": 0, "remainder": 0},  # FOR VALUES WITH (..., REMAINDER 0)
}


@cache
def _typed_fields(cls_name: str) -> dict[str, str]:
    """Fields of a node class whose C type is a specific node pointer (``RangeVar*``)."""
    cls = getattr(ast, cls_name)
    out = {}
    for fname, info in cls.__slots__.items():
        ctype = getattr(info, "c_type", "")
        if ctype.endswith("*") and ctype[:-1] not in ("Node", "List", "char", "Expr", "Bitmapset"):
            out[fname] = ctype[:-1]
    return out


@cache
def _renamed_fields(cls_name: str) -> dict[str, str]:
    """Fields that pglast names differently from the parse tree: a C field that is a Python
    key word gets a trailing underscore (``AlterTableCmd.def`` is ``def_``). A JSON key passed
    under its C name is not a field of the node and is dropped without a word: ``ADD COLUMN``
    then printed as ``ADD None`` and ``SET DEFAULT 5`` as ``DROP DEFAULT``."""
    slots = getattr(ast, cls_name).__slots__
    return {f[:-1]: f for f in slots if f.endswith("_") and keyword.iskeyword(f[:-1])}


@cache
def _defaults(cls_name: str) -> dict[str, Any]:
    """The zero values libpg_query's JSON leaves out and pglast's printers compare: every
    integer field (``AlterTableCmd.num``: ``ADD GENERATED ... AS IDENTITY`` fails on
    ``None > 0``) and :data:`_SCALAR_DEFAULTS`."""
    slots = getattr(ast, cls_name).__slots__
    zeros = {
        f: 0
        for f, info in slots.items()
        if getattr(info, "py_type", None) is int and info.c_type != "ParseLoc"
    }
    return {**zeros, **_SCALAR_DEFAULTS.get(cls_name, {})}


def _conv(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    if kind == "A_Const":
        d: dict[str, Any] = {"@": "A_Const", "isnull": body.get("isnull", False)}
        for key, (cname, field, default) in _CONST.items():
            if key in body:
                d["val"] = {"@": cname, field: body[key].get(field, default)}
        return d
    known = hasattr(ast, kind)
    d = {"@": kind}
    d.update(_defaults(kind) if known else _SCALAR_DEFAULTS.get(kind, {}))
    typed = _typed_fields(kind) if known else {}
    renamed = _renamed_fields(kind) if known else {}
    for k, v in body.items():
        if k in typed and isinstance(v, dict) and not (len(v) == 1 and next(iter(v)) == typed[k]):
            d[k] = _conv(typed[k], v)
        else:
            d[renamed.get(k, k)] = _value(v)
    return d


def _value(v: Any) -> Any:
    if isinstance(v, dict):
        if len(v) == 1:
            ((k, inner),) = v.items()
            if k == "List":
                return tuple(_value(i) for i in inner.get("items", ()))
            if k[:1].isupper() and isinstance(inner, dict):
                return _conv(k, inner)
        return {k: _value(x) for k, x in v.items()}
    if isinstance(v, list):
        return tuple(_value(i) for i in v)
    return v


def to_node(tree: dict[str, Any], kind: str | None = None) -> ast.Node:
    """Turn a JSON parse-tree fragment into a pglast Node.

    ``tree`` is either wrapped (``{"A_Expr": {...}}``) or, with ``kind`` given, the bare body.
    """
    d = _conv(kind, tree) if kind is not None else _value(tree)
    node: ast.Node = getattr(ast, d["@"])(d)
    return node


def deparse(tree: dict[str, Any], kind: str | None = None) -> str:
    """pglast's canonical SQL for a JSON parse-tree fragment: the text
    ``RawStream()(to_node(tree, kind))`` gives, at less than half its cost (the nodes are
    made without pglast's checks, their ancestors set as they are made rather than by a
    second walk: :func:`_build`)."""
    d = _conv(kind, tree) if kind is not None else _value(tree)
    root = Ancestor(Ancestor(), None, 0)  # as RawStream's walk sees it: item 0 of (node,)
    node = _build(d, root)
    root.node = (node,)
    out = stream.RawStream()
    out.print_node(node)
    return str(out.getvalue())


# --------------------------------------------------------------------------- fast nodes
# pglast makes a node from a dict by checking and adapting every field (Node.__setattr__),
# then RawStream walks the finished tree once more to set each node's ``ancestors`` (the
# chain printers look up). Deparsing the fix texts of a migration lint spent most of its time
# there. _build makes the same nodes from the same dicts (_conv's) directly: the adaptations
# pglast would apply (key-word enums, bools, single chars) and the ancestors the walk would
# set (tests/unit/readers/test_pgast_alter.py compares both paths over the corpus).


def _enum(ctype: str) -> Any:
    enum = getattr(enums, ctype)

    def adapt(v: Any) -> Any:
        return enum[v] if isinstance(v, str) and len(v) > 1 else enum(v)

    return adapt


def _char(v: Any) -> Any:
    return chr(v) if isinstance(v, int) else v


def _bitmap(v: Any) -> Any:
    return set(v) if isinstance(v, list | tuple) else v


@cache
def _slots(cls_name: str) -> tuple[tuple[str, Any], ...]:
    """Each field of a node class with the adaptation pglast applies to a value (None:
    kept as is; nodes and tuples are made by :func:`_build`)."""
    out: list[tuple[str, Any]] = []
    for name, info in getattr(ast, cls_name).__slots__.items():
        ctype = info.c_type
        adapt: Any = None
        if ctype == "bool":
            adapt = bool
        elif ctype == "char":
            adapt = _char
        elif ctype == "char*" and cls_name == "Float":
            adapt = str
        elif ctype == "Bitmapset*":
            adapt = _bitmap
        elif hasattr(enums, ctype):
            adapt = _enum(ctype)
        out.append((name, adapt))
    return tuple(out)


def _build(value: Any, at: Ancestor) -> Any:
    """The pglast value of a :func:`_conv` value, ``at`` the place it has in the tree."""
    if isinstance(value, dict) and "@" in value:
        cls = getattr(ast, value["@"])
        node = object.__new__(cls)
        object.__setattr__(node, "ancestors", at)
        for name, adapt in _slots(value["@"]):
            v = value.get(name)
            if v is not None:
                if isinstance(v, dict | list | tuple):
                    v = _build(v, Ancestor(at, node, name))
                if adapt is not None:
                    v = adapt(v)
            object.__setattr__(node, name, v)
        return node
    if isinstance(value, list | tuple):
        places = [Ancestor(at, None, i) for i in range(len(value))]
        items = tuple(_build(v, p) for v, p in zip(value, places, strict=True))
        for p in places:
            p.node = items
        return items
    return value


# Operands that need no parentheses before "::".
_SIMPLE_OPERANDS = (ast.ColumnRef, ast.FuncCall, ast.TypeCast, ast.ParamRef, ast.SQLValueFunction)


@node_printer(ast.TypeCast, override=True)
def _type_cast(node: Any, output: Any) -> None:
    """Print casts as ``value::type`` (the spelling pg_dump and people use), not ``CAST``."""
    arg = node.arg
    negative = isinstance(arg, ast.A_Const) and str(
        getattr(getattr(arg, "val", None), "ival", getattr(getattr(arg, "val", None), "fval", ""))
    ).startswith("-")
    simple = (isinstance(arg, ast.A_Const) and not negative) or isinstance(arg, _SIMPLE_OPERANDS)
    if simple:
        output.print_node(arg)
    else:
        output.write("(")
        output.print_node(arg)
        output.write(")")
    output.write("::")
    output.print_node(node.typeName)


@node_printer(ast.ColumnRef, override=True)
def _column_ref(node: Any, output: Any) -> None:
    """Print a column reference quoted as the server quotes it (every key word that is not
    unreserved: pglast leaves ``values``, ``between``, ``time`` ... bare), so that a check on
    a column called ``values`` reads the same from a file and from the catalog."""
    output.write(
        ".".join("*" if isinstance(f, ast.A_Star) else quote_ident(f.sval) for f in node.fields)
    )
    output.separator()


def is_null_constant(tree: dict[str, Any]) -> bool:
    """Whether a JSON expression tree is ``NULL``, bare or cast (``NULL::varchar``): the
    server stores such a column default as no default (or, where a length coercion wraps it,
    as ``NULL::character varying``, which means the same)."""
    while "TypeCast" in tree:
        tree = tree["TypeCast"].get("arg") or {}
    const = tree.get("A_Const")
    return isinstance(const, dict) and bool(const.get("isnull"))


def is_null_text(text: str) -> bool:
    """:func:`is_null_constant` for an expression's text (``pg_get_expr`` output)."""
    if text.lstrip()[:4].upper() != "NULL":
        return False
    try:
        stmts = json.loads(parser.parse_sql_json(f"SELECT {text}"))["stmts"]
        target = stmts[0]["stmt"]["SelectStmt"]["targetList"][0]["ResTarget"]["val"]
    except (parser.ParseError, KeyError, IndexError):
        return False
    return len(stmts) == 1 and is_null_constant(target)


def names(nodes: Any) -> list[str]:
    """The strings of a JSON name list (``[{"String": {"sval": "public"}}, ...]``)."""
    return [n["String"]["sval"] for n in nodes or () if "String" in n]


def without_locations(tree: Any) -> Any:
    """A parse tree without its source positions (``location``): two spellings of one
    expression at different places compare equal."""
    if isinstance(tree, dict):
        return {k: without_locations(v) for k, v in tree.items() if k != "location"}
    if isinstance(tree, list):
        return [without_locations(v) for v in tree]
    return tree


def statement(sql: str) -> dict[str, Any]:
    """The JSON parse tree of one statement (``{"SelectStmt": ...}``)."""
    stmt: dict[str, Any] = json.loads(parser.parse_sql_json(sql))["stmts"][0]["stmt"]
    return stmt


def nodes(tree: Any, kind: str) -> Iterator[dict[str, Any]]:
    """The fields of every ``kind`` node of a JSON parse tree (``{"kind": {...}}``)."""
    stack = [tree]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            found = x.get(kind)
            if found is not None and len(x) == 1:
                yield found
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)


def rewrite(tree: Any, replace: Callable[[dict[str, Any]], Any]) -> Any:
    """A copy of a JSON parse tree in which each node that ``replace`` returns something for
    (not None) is that, not descended into; the rest copied as it is."""
    if isinstance(tree, list):
        return [rewrite(v, replace) for v in tree]
    if not isinstance(tree, dict):
        return tree
    out = replace(tree)
    if out is not None:
        return out
    return {k: rewrite(v, replace) for k, v in tree.items()}
