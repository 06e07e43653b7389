"""Canonical form of PostgreSQL expressions, so DDL text and catalog text compare equal.

The server rewrites what it stores: ``s IN ('a','b')`` comes back as
``((s)::text = ANY ((ARRAY['a'::character varying, ...])::text[]))``, ``-1`` as ``'-1'::integer``,
``BETWEEN`` as two comparisons, and every name qualified. We parse both spellings with pglast
(PostgreSQL's own parser), apply the same rewrites to the tree, and deparse with pglast.
Where the rewrite would need type information we do not have, we drop the information on both
sides (casts on constants, implicit casts among string types) rather than guess.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from pglast import parser

from dbdesign.dialects.postgres import quote_ident, split_identifier_string
from dbdesign.model import register_normaliser
from dbdesign.readers.ddl.pgast import deparse

_STRING_TYPES = {"text", "varchar", "bpchar", "character varying", "character", "name"}
_SEQ_FUNCS = {"nextval", "currval", "setval"}
_DROP_FUNC_SCHEMAS = {"pg_catalog", "public"}

Tree = dict[str, Any]


def _kind(node: Any) -> str | None:
    if isinstance(node, dict) and len(node) == 1:
        k = next(iter(node))
        return k if k[:1].isupper() else None
    return None


def _names(nodes: list[Any]) -> list[str]:
    return [n["String"]["sval"] for n in nodes if "String" in n]


def _str_const(value: str) -> Tree:
    return {"A_Const": {"sval": {"sval": value}}}


def _const_text(body: Tree) -> Tree:
    """Every constant compares as its text: 1, '1' and '1'::integer are the same default."""
    if body.get("isnull"):
        return {"A_Const": body}
    if "ival" in body:
        return _str_const(str(body["ival"].get("ival", 0)))
    if "fval" in body:  # numeric: as the server prints it (1e3 is 1000, 1.50 stays 1.50)
        return _str_const(_numeric_text(body["fval"].get("fval", "0")))
    return {"A_Const": body}


def _numeric_text(text: str) -> str:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    if not value.is_finite():
        return text
    out = format(value, "f")
    return out.lstrip("-") if value.is_zero() else out


class _Ctx:
    __slots__ = ("schema",)

    def __init__(self, schema: str) -> None:
        self.schema = schema


def _qualify_seq(name: str, ctx: _Ctx) -> str:
    """A regclass literal's name, canonical: parts unquoted the way the server reads them,
    qualified with the context schema, ``public.`` dropped, re-quoted where needed."""
    parts = split_identifier_string(name)
    if len(parts) == 1:
        parts = [ctx.schema, *parts]
    if parts[0] == "public":
        parts = parts[1:]
    return ".".join(quote_ident(p) for p in parts)


def _rewrite(node: Any, ctx: _Ctx) -> Any:
    if isinstance(node, list):
        return [_rewrite(n, ctx) for n in node]
    if not isinstance(node, dict):
        return node
    kind = _kind(node)
    if kind is None:
        if "relname" in node:  # a RangeVar in a typed field (RuleStmt.relation ...)
            return _range_var(node, ctx)["RangeVar"]
        return {k: _rewrite(v, ctx) for k, v in node.items()}
    body = node[kind]
    fn = _REWRITES.get(kind)
    if fn is not None:
        return fn(body, ctx)
    return {kind: {k: _rewrite(v, ctx) for k, v in body.items() if k != "location"}}


def _type_cast(body: Tree, ctx: _Ctx) -> Any:
    arg = body.get("arg", {})
    akind = _kind(arg)
    type_names = _names(body.get("typeName", {}).get("names", []))
    tname = type_names[-1] if type_names else ""
    if akind in ("A_Const", "A_ArrayExpr"):
        return _rewrite(arg, ctx)
    if akind == "TypeCast":  # nested casts: the inner one decides
        return _rewrite(arg, ctx)
    if akind == "ColumnRef" and tname in _STRING_TYPES and not body["typeName"].get("arrayBounds"):
        return _rewrite(arg, ctx)
    return {"TypeCast": {"arg": _rewrite(arg, ctx), "typeName": _type_name(body["typeName"])}}


def _type_name(body: Tree) -> Tree:
    names = body.get("names", [])
    if len(names) == 2 and _names(names)[0] == "public":
        names = names[1:]
    out = {k: v for k, v in body.items() if k != "location"}
    out["names"] = names
    return out


def _a_const(body: Tree, ctx: _Ctx) -> Tree:
    return _const_text({k: v for k, v in body.items() if k != "location"})


def _a_expr(body: Tree, ctx: _Ctx) -> Any:
    kind = body.get("kind")
    name = _names(body.get("name", []))
    lexpr = _rewrite(body.get("lexpr"), ctx)
    rexpr: Any = body.get("rexpr")
    if kind == "AEXPR_IN":
        items = _rewrite(rexpr["List"]["items"] if _kind(rexpr) == "List" else rexpr, ctx)
        neg = name == ["<>"]
        return {
            "A_Expr": {
                "kind": "AEXPR_OP_ALL" if neg else "AEXPR_OP_ANY",
                "name": [{"String": {"sval": "<>" if neg else "="}}],
                "lexpr": lexpr,
                "rexpr": {"A_ArrayExpr": {"elements": items}},
            }
        }
    if kind in ("AEXPR_BETWEEN", "AEXPR_NOT_BETWEEN"):
        lo, hi = _rewrite(rexpr["List"]["items"], ctx)
        if kind == "AEXPR_BETWEEN":
            ops, boolop = (">=", "<="), "AND_EXPR"
        else:
            ops, boolop = ("<", ">"), "OR_EXPR"
        return {
            "BoolExpr": {"boolop": boolop, "args": [_op(ops[0], lexpr, lo), _op(ops[1], lexpr, hi)]}
        }
    if kind in ("AEXPR_LIKE", "AEXPR_ILIKE"):
        op = {"~~": "~~", "!~~": "!~~", "~~*": "~~*", "!~~*": "!~~*"}.get(name[0], name[0])
        return _op(op, lexpr, _rewrite(rexpr, ctx))
    out = {
        k: _rewrite(v, ctx)
        for k, v in body.items()
        if k not in ("location", "rexpr_list_start", "rexpr_list_end")
    }
    return {"A_Expr": out}


def _op(op: str, left: Any, right: Any) -> Tree:
    return {
        "A_Expr": {
            "kind": "AEXPR_OP",
            "name": [{"String": {"sval": op}}],
            "lexpr": left,
            "rexpr": right,
        }
    }


def _bool_expr(body: Tree, ctx: _Ctx) -> Tree:
    op = body.get("boolop")
    args = []
    for a in _rewrite(body.get("args", []), ctx):
        if op != "NOT_EXPR" and _kind(a) == "BoolExpr" and a["BoolExpr"].get("boolop") == op:
            args.extend(a["BoolExpr"]["args"])
        else:
            args.append(a)
    return {"BoolExpr": {"boolop": op, "args": args}}


def _func_call(body: Tree, ctx: _Ctx) -> Tree:
    out = {k: _rewrite(v, ctx) for k, v in body.items() if k not in ("location", "funcformat")}
    names = body.get("funcname", [])
    if len(names) == 2 and _names(names)[0] in _DROP_FUNC_SCHEMAS | {ctx.schema}:
        names = names[1:]
    out["funcname"] = names
    fname = _names(names)[-1] if names else ""
    args = out.get("args")
    if (
        fname in _SEQ_FUNCS
        and args
        and _kind(args[0]) == "A_Const"
        and "sval" in args[0]["A_Const"]
    ):
        seq = args[0]["A_Const"]["sval"]["sval"]
        args[0] = _str_const(_qualify_seq(seq, ctx))
    return {"FuncCall": out}


def _range_var(body: Tree, ctx: _Ctx) -> Tree:
    out = {k: v for k, v in body.items() if k not in ("location",)}
    schema = out.get("schemaname") or ctx.schema
    if schema == "public":
        out.pop("schemaname", None)
    else:
        out["schemaname"] = schema
    if "alias" in out:
        out["alias"] = {k: v for k, v in out["alias"].items() if k != "location"}
    return {"RangeVar": out}


def _select(body: Tree, ctx: _Ctx) -> Tree:
    return {"SelectStmt": _select_body(body, ctx)}


def _select_body(body: Tree, ctx: _Ctx) -> Tree:
    """A SELECT (or a set operation's branch, kept bare in the tree). With one FROM item, the
    server prints column references unqualified (PostgreSQL 16) or qualified (15): both
    spellings become unqualified."""
    out = {
        k: _select_body(v, ctx) if k in ("larg", "rarg") and v else _rewrite(v, ctx)
        for k, v in body.items()
    }
    frm = body.get("fromClause") or []
    kind = _kind(frm[0]) if len(frm) == 1 else None
    if kind in ("RangeVar", "RangeSubselect", "RangeFunction"):
        item = frm[0][kind]
        names = {item.get("relname"), (item.get("alias") or {}).get("aliasname")} - {None}
        out = {k: _strip_column_qualifier(v, names) for k, v in out.items()}
    return out


def _case_expr(body: Tree, ctx: _Ctx) -> Tree:
    """CASE without ELSE is stored with ``ELSE NULL::type``: both mean no ELSE."""
    out = {k: _rewrite(v, ctx) for k, v in body.items() if k != "location"}
    default: Any = out.get("defresult")
    if _kind(default) == "A_Const" and default["A_Const"].get("isnull"):
        del out["defresult"]
    return {"CaseExpr": out}


def _strip_column_qualifier(node: Any, names: set[str]) -> Any:
    if isinstance(node, list):
        return [_strip_column_qualifier(n, names) for n in node]
    if not isinstance(node, dict):
        return node
    kind = _kind(node)
    if kind == "SelectStmt":  # a sub-select has its own scope
        return node
    if isinstance(node, dict) and ("larg" in node or "targetList" in node) and "op" in node:
        # a set operation's branch (a bare SELECT body): its own scope too
        return node
    if kind == "ColumnRef":
        fields = node["ColumnRef"]["fields"]
        if len(fields) == 2 and "String" in fields[0] and fields[0]["String"]["sval"] in names:
            return {"ColumnRef": {**node["ColumnRef"], "fields": fields[1:]}}
        return node
    return {k: _strip_column_qualifier(v, names) for k, v in node.items()}


_REWRITES = {
    "TypeCast": _type_cast,
    "A_Const": _a_const,
    "A_Expr": _a_expr,
    "BoolExpr": _bool_expr,
    "FuncCall": _func_call,
    "RangeVar": _range_var,
    "SelectStmt": _select,
    "CaseExpr": _case_expr,
}


def _canonical_aliases(node: Any, scopes: list[dict[str, str]], counter: list[int]) -> Any:
    """Rename every range alias to its position (``_1``, ``_2`` ...), scope by scope.

    The server renames clashing aliases when it prints a view (``fc`` becomes ``fc_1`` in a
    sub-select); naming aliases by position makes both spellings the same.
    """
    if isinstance(node, list):
        return [_canonical_aliases(n, scopes, counter) for n in node]
    if not isinstance(node, dict):
        return node
    kind = _kind(node)
    if kind == "SelectStmt":
        body = dict(node["SelectStmt"])
        mapping: dict[str, str] = {}
        body["fromClause"] = [
            _rename_from(f, mapping, counter) for f in body.get("fromClause") or []
        ]
        inner = [*scopes, mapping]
        return {"SelectStmt": {k: _canonical_aliases(v, inner, counter) for k, v in body.items()}}
    if kind == "ColumnRef":
        fields = node["ColumnRef"]["fields"]
        if len(fields) >= 2 and "String" in fields[0]:
            name = fields[0]["String"]["sval"]
            for scope in reversed(scopes):
                if name in scope:
                    new = [{"String": {"sval": scope[name]}}, *fields[1:]]
                    return {"ColumnRef": {**node["ColumnRef"], "fields": new}}
        return node
    return {k: _canonical_aliases(v, scopes, counter) for k, v in node.items()}


def _rename_from(node: Any, mapping: dict[str, str], counter: list[int]) -> Any:
    kind = _kind(node)
    if kind in ("RangeVar", "RangeSubselect", "RangeFunction"):
        body = dict(node[kind])
        alias = body.get("alias")
        if alias and alias.get("aliasname"):
            counter[0] += 1
            new = f"_{counter[0]}"
            mapping[alias["aliasname"]] = new
            body["alias"] = {**alias, "aliasname": new}
        return {kind: body}
    if kind == "JoinExpr":
        body = dict(node["JoinExpr"])
        body["larg"] = _rename_from(body.get("larg"), mapping, counter)
        body["rarg"] = _rename_from(body.get("rarg"), mapping, counter)
        return {"JoinExpr": body}
    return node


# ----------------------------------------------------------------------- output column names
# The server names an output column without AS by FigureColname() (parse_target.c) and prints
# every name of a view's query (``SELECT 2`` is stored as ``SELECT 2 AS "?column?"``). Both
# spellings are made the same in two passes: names the server would give are written out on
# the parsed text (before any rewrite), then, after the rewrites, a name equal to what
# FigureColname gives the rewritten expression is dropped. Names that cannot matter (the
# targets of a sub-select in an expression, of a set operation's later branches, of INSERT ...
# SELECT) are dropped.

_SVF_NAMES = {
    "SVFOP_CURRENT_DATE": "current_date",
    "SVFOP_CURRENT_TIME": "current_time",
    "SVFOP_CURRENT_TIME_N": "current_time",
    "SVFOP_CURRENT_TIMESTAMP": "current_timestamp",
    "SVFOP_CURRENT_TIMESTAMP_N": "current_timestamp",
    "SVFOP_LOCALTIME": "localtime",
    "SVFOP_LOCALTIME_N": "localtime",
    "SVFOP_LOCALTIMESTAMP": "localtimestamp",
    "SVFOP_LOCALTIMESTAMP_N": "localtimestamp",
    "SVFOP_CURRENT_ROLE": "current_role",
    "SVFOP_CURRENT_USER": "current_user",
    "SVFOP_USER": "user",
    "SVFOP_SESSION_USER": "session_user",
    "SVFOP_CURRENT_CATALOG": "current_catalog",
    "SVFOP_CURRENT_SCHEMA": "current_schema",
}
_XML_NAMES = {
    "IS_XMLCONCAT": "xmlconcat",
    "IS_XMLELEMENT": "xmlelement",
    "IS_XMLFOREST": "xmlforest",
    "IS_XMLPARSE": "xmlparse",
    "IS_XMLPI": "xmlpi",
    "IS_XMLROOT": "xmlroot",
    "IS_XMLSERIALIZE": "xmlserialize",
}
_FIXED_NAMES = {
    "GroupingFunc": "grouping",
    "A_ArrayExpr": "array",
    "RowExpr": "row",
    "CoalesceExpr": "coalesce",
    "XmlSerialize": "xmlserialize",
    "JsonParseExpr": "json",
    "JsonScalarExpr": "json_scalar",
    "JsonSerializeExpr": "json_serialize",
    "JsonObjectConstructor": "json_object",
    "JsonArrayConstructor": "json_array",
    "JsonArrayQueryConstructor": "json_array",
    "JsonObjectAgg": "json_objectagg",
    "JsonArrayAgg": "json_arrayagg",
}
_NO_NAME = ("?column?", 0)


def _figure_colname(node: Any) -> tuple[str, int]:
    """PostgreSQL's FigureColnameInternal: (name, strength) of an output expression."""
    kind = _kind(node)
    if kind is None:
        return _NO_NAME
    colname = _COLNAME.get(kind)
    if colname is not None:
        return colname(node[kind])
    return (_FIXED_NAMES[kind], 2) if kind in _FIXED_NAMES else _NO_NAME


# FigureColnameInternal's cases, one function per node kind (given the node's body); see
# _COLNAME. Kinds with a fixed name are in _FIXED_NAMES.


def _colname_column_ref(body: Tree) -> tuple[str, int]:
    fields = _names(body.get("fields", []))
    return (fields[-1], 2) if fields else _NO_NAME


def _colname_indirection(body: Tree) -> tuple[str, int]:
    """``(row).field`` is named by the field; ``arr[1]`` by the array."""
    fields = _names(body.get("indirection", []))
    return (fields[-1], 2) if fields else _figure_colname(body.get("arg"))


def _colname_func_call(body: Tree) -> tuple[str, int]:
    return _names(body.get("funcname", []))[-1], 2


def _colname_a_expr(body: Tree) -> tuple[str, int]:
    return ("nullif", 2) if body.get("kind") == "AEXPR_NULLIF" else _NO_NAME


def _colname_type_cast(body: Tree) -> tuple[str, int]:
    """A cast is named by its argument, or failing a name of strength 2, by its type."""
    name, strength = _figure_colname(body.get("arg"))
    type_names = _names(body.get("typeName", {}).get("names", []))
    if strength <= 1 and type_names:
        return type_names[-1], 1
    return name, strength


def _colname_collate(body: Tree) -> tuple[str, int]:
    return _figure_colname(body.get("arg"))


def _colname_sublink(body: Tree) -> tuple[str, int]:
    """EXISTS, ARRAY(...), or a scalar sub-select named by its (first branch's) first output."""
    link = body.get("subLinkType")
    if link == "EXISTS_SUBLINK":
        return "exists", 2
    if link == "ARRAY_SUBLINK":
        return "array", 2
    if link == "EXPR_SUBLINK":
        sub = body.get("subselect", {}).get("SelectStmt", {})
        while sub.get("op", "SETOP_NONE") != "SETOP_NONE":
            sub = sub.get("larg", {})
        targets = sub.get("targetList") or []
        if targets:
            first = targets[0].get("ResTarget", {})
            return first.get("name") or _figure_colname(first.get("val"))[0], 2
    return _NO_NAME


def _colname_case(body: Tree) -> tuple[str, int]:
    name, strength = _figure_colname(body.get("defresult"))
    return ("case", 1) if strength <= 1 else (name, strength)


def _colname_min_max(body: Tree) -> tuple[str, int]:
    return {"IS_GREATEST": "greatest", "IS_LEAST": "least"}[body["op"]], 2


def _colname_value_function(body: Tree) -> tuple[str, int]:
    return (_SVF_NAMES[body["op"]], 2) if body.get("op") in _SVF_NAMES else _NO_NAME


def _colname_xml(body: Tree) -> tuple[str, int]:
    return (_XML_NAMES[body["op"]], 2) if body.get("op") in _XML_NAMES else _NO_NAME


_COLNAME: dict[str, Callable[[Tree], tuple[str, int]]] = {
    "ColumnRef": _colname_column_ref,
    "A_Indirection": _colname_indirection,
    "FuncCall": _colname_func_call,
    "A_Expr": _colname_a_expr,
    "TypeCast": _colname_type_cast,
    "CollateClause": _colname_collate,
    "SubLink": _colname_sublink,
    "CaseExpr": _colname_case,
    "MinMaxExpr": _colname_min_max,
    "SQLValueFunction": _colname_value_function,
    "XmlExpr": _colname_xml,
}


def _is_star(val: Any) -> bool:
    return _kind(val) == "ColumnRef" and any(
        "A_Star" in f for f in val["ColumnRef"].get("fields", [])
    )


def _output_names(node: Any, fill: bool) -> Any:
    """Pass 1 (``fill``: write out the names the server gives) or pass 2 (drop the names
    FigureColname would give anyway) over every SELECT of a tree."""
    if isinstance(node, list):
        return [_output_names(n, fill) for n in node]
    if not isinstance(node, dict):
        return node
    kind = _kind(node)
    if kind == "SelectStmt":
        return {"SelectStmt": _select_names(node["SelectStmt"], fill, visible=True)}
    if kind == "SubLink":
        body = dict(node["SubLink"])
        sub: Any = body.get("subselect")
        if _kind(sub) == "SelectStmt":
            body["subselect"] = {"SelectStmt": _select_names(sub["SelectStmt"], fill, False)}
        return {
            "SubLink": {
                k: v if k == "subselect" else _output_names(v, fill) for k, v in body.items()
            }
        }
    if kind == "InsertStmt":
        body = dict(node["InsertStmt"])
        sub = body.get("selectStmt")
        if _kind(sub) == "SelectStmt":
            body["selectStmt"] = {"SelectStmt": _select_names(sub["SelectStmt"], fill, False)}
        return {
            "InsertStmt": {
                k: v if k == "selectStmt" else _output_names(v, fill) for k, v in body.items()
            }
        }
    return {k: _output_names(v, fill) for k, v in node.items()}


def _select_names(body: Tree, fill: bool, visible: bool) -> Tree:
    """One SELECT's body (bare, as set operation branches are). ``visible``: its output names
    are seen outside (a view, a FROM sub-select, a WITH query); else they cannot matter."""
    out = dict(body)
    if out.get("op", "SETOP_NONE") != "SETOP_NONE":
        out["larg"] = _select_names(out["larg"], fill, visible)
        out["rarg"] = _select_names(out["rarg"], fill, False)  # the first branch names them
        return {k: v if k in ("larg", "rarg") else _output_names(v, fill) for k, v in out.items()}
    targets = []
    for t in out.get("targetList") or []:
        rt = dict(t["ResTarget"])
        val = rt.get("val")
        if not visible:
            rt.pop("name", None)
        elif fill and "name" not in rt and not _is_star(val):
            rt["name"] = _figure_colname(val)[0]
        elif not fill and rt.get("name") == _figure_colname(val)[0]:
            del rt["name"]
        targets.append({"ResTarget": rt})
    if "targetList" in out:
        out["targetList"] = targets
    return {k: _output_names(v, fill) for k, v in out.items()}


_TS_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?[+-]\d\d(:?\d\d)?$")


def _utc_literals(node: Any) -> Any:
    """Timestamps written with a UTC offset, as the server stores them: in UTC (``+00``)."""
    if isinstance(node, list):
        return [_utc_literals(n) for n in node]
    if not isinstance(node, dict):
        return node
    if _kind(node) == "A_Const" and "sval" in node["A_Const"]:
        text = node["A_Const"]["sval"]["sval"]
        if _TS_WITH_OFFSET.match(text):
            stamp = datetime.fromisoformat(text).astimezone(UTC)
            frac = f".{stamp.microsecond:06d}".rstrip("0") if stamp.microsecond else ""
            return _str_const(stamp.strftime("%Y-%m-%d %H:%M:%S") + frac + "+00")
        return node
    return {k: _utc_literals(v) for k, v in node.items()}


_STATEMENT_START = re.compile(r"^\s*\(*\s*(select|with|values|table|create)\b", re.I)
_BOUND_START = re.compile(r"^\s*(for\s+values|default\s*$)", re.I)


@lru_cache(maxsize=65536)
def normalize(text: str, dialect: str = "postgres", schema: str | None = None) -> str:
    """The canonical spelling of a PostgreSQL expression, query, rule or partition bound."""
    src = text.strip().rstrip(";").strip()
    ctx = _Ctx(schema or "public")
    try:
        if _BOUND_START.match(src):
            tree = json.loads(parser.parse_sql_json(f"CREATE TABLE _x PARTITION OF _y {src}"))
            bound = tree["stmts"][0]["stmt"]["CreateStmt"]["partbound"]
            return deparse(_utc_literals(bound), "PartitionBoundSpec")
        if _STATEMENT_START.match(src):
            tree = json.loads(parser.parse_sql_json(src))["stmts"][0]["stmt"]
            tree = _canonical_aliases(_output_names(tree, fill=True), [], [0])
            return deparse(_output_names(_rewrite(tree, ctx), fill=False))
        tree = json.loads(parser.parse_sql_json(f"SELECT {src}"))["stmts"][0]["stmt"]
        target = tree["SelectStmt"]["targetList"][0]["ResTarget"]["val"]
        return deparse(_rewrite(target, ctx))
    except Exception:
        return " ".join(src.split())


register_normaliser("postgres", normalize)
