"""The rewrites query-lint findings suggest, as SQL built from the query's own parse tree
(printed by pglast): the keyset form of an OFFSET page, a LIMIT, NOT EXISTS for NOT IN.
This module holds no rule."""

from __future__ import annotations

import copy
import json
from typing import Any

from pglast import parser

from dbdesign.lint.query import (
    Block,
    QueryContext,
    Tree,
    body,
    column_fields,
    column_refs,
    const_value,
    max_param,
)
from dbdesign.readers.ddl.pgast import deparse

PAGE_ROWS = 50  # the LIMIT a fix shows


def _where_of(sql: str) -> Any:
    """The WHERE condition of ``SELECT 1 WHERE <sql>`` as a tree."""
    tree = json.loads(parser.parse_sql_json(f"SELECT 1 WHERE {sql}"))
    return tree["stmts"][0]["stmt"]["SelectStmt"]["whereClause"]


def _and(*terms: Any) -> Any:
    args = [t for t in terms if t is not None]
    if len(args) == 1:
        return args[0]
    return {"BoolExpr": {"boolop": "AND_EXPR", "args": args}}


def _ref(*parts: str) -> Tree:
    return {"ColumnRef": {"fields": [{"String": {"sval": p}} for p in parts]}}


def _sort_keys(b: Block) -> list[tuple[Any, bool]] | None:
    """The ORDER BY expressions (ordinals and output names resolved through the select
    list) and whether each is descending; None when one cannot be used as a key."""
    targets = [body(t, "ResTarget") or {} for t in b.node.get("targetList", ())]
    out = []
    for s in b.node.get("sortClause", ()):
        sb = body(s, "SortBy") or {}
        node = sb.get("node")
        value = const_value(node)
        f = column_fields(node)
        if isinstance(value, int) and 0 < value <= len(targets):
            node = targets[value - 1].get("val")
        elif f is not None and len(f) == 1:
            named = [t.get("val") for t in targets if t.get("name") == f[0]]
            node = named[0] if named else node
        elif value is not None:
            return None
        if node is None or column_fields(node) == ["*"]:
            return None
        out.append((node, sb.get("sortby_dir") == "SORTBY_DESC"))
    return out


def _tiebreak(b: Block, keys: list[tuple[Any, bool]]) -> list[tuple[Any, bool]]:
    """The primary key columns a single-table query's ORDER BY lacks (so no two rows tie)."""
    tables = [r for r in b.relations if r.kind == "table"]
    if len(tables) != 1 or tables[0].table is None or tables[0].table.primary_key is None:
        return []
    r = tables[0]
    have = {got[1] for k, _ in keys if (got := b.column(k)) is not None and got[0] is r}
    desc = keys[-1][1] if keys else False
    pk = r.table.primary_key.columns if r.table and r.table.primary_key else ()
    qualify = len(b.relations) > 1 or any(len(column_fields(k) or []) > 1 for k, _ in keys)
    return [(_ref(r.alias, c) if qualify else _ref(c), desc) for c in pk if c not in have]


def _unique(b: Block, keys: list[tuple[Any, bool]]) -> bool:
    """Whether the sort keys hold a unique key (a known primary key, or a column ``id``)."""
    cols = {got for k, _ in keys if (got := b.column(k)) is not None}
    for r in b.relations:
        pk = r.table.primary_key if r.table is not None else None
        if pk is not None and all((r, c) in cols for c in pk.columns):
            return True
    return any(c == "id" for _, c in cols)


def _seek(keys: list[tuple[Any, bool]], texts: list[str], params: list[str]) -> str:
    """The condition for the rows after the last one: a row comparison when every key sorts
    the same way, else the expanded form."""
    if len({d for _, d in keys}) == 1:
        op = "<" if keys[0][1] else ">"
        if len(keys) == 1:
            return f"{texts[0]} {op} {params[0]}"
        return f"({', '.join(texts)}) {op} ({', '.join(params)})"
    arms = []  # mixed directions: a row comparison cannot say it
    for i, (_, desc) in enumerate(keys):
        eq = [f"{texts[j]} = {params[j]}" for j in range(i)]
        arms.append(" AND ".join([*eq, f"{texts[i]} {'<' if desc else '>'} {params[i]}"]))
    return " OR ".join(f"({a})" for a in arms)


def _renumber(tree: Any) -> int:
    """Number the parameters of ``tree`` $1, $2 ... in their order (the OFFSET's is gone);
    how many there are."""
    from dbdesign.lint.sqlexpr import nodes

    refs = [f for k, f in nodes(tree) if k == "ParamRef"]
    numbers = {n: i for i, n in enumerate(sorted({int(f.get("number", 0)) for f in refs}), 1)}
    for f in refs:
        f["number"] = numbers[int(f.get("number", 0))]
    return len(numbers)


def keyset_fix(ctx: QueryContext, b: Block) -> str | None:
    """The keyset (seek) form of an OFFSET query, as SQL, when its ORDER BY allows it."""
    if b.kind != "select":
        return None
    if not b.node.get("sortClause"):
        return (
            "OFFSET without ORDER BY pages through rows in no set order (a row can show on "
            "two pages or none): ORDER BY a unique key, then page by it: "
            "WHERE id > $last_id ORDER BY id LIMIT n."
        )
    keys = _sort_keys(b)
    if not keys:
        return None
    keys = keys + _tiebreak(b, keys)
    ties = (
        ""
        if _unique(b, keys)
        else ("; end the ORDER BY with a unique column (the primary key) so no two rows tie")
    )
    new = copy.deepcopy(b.node)
    new.pop("limitOffset", None)
    whole = b.node is body(ctx.tree, "SelectStmt")
    start = (_renumber(new) if whole else max_param(ctx.tree)) + 1
    texts = [deparse(k) for k, _ in keys]
    params = [f"${start + i}" for i in range(len(keys))]
    new["whereClause"] = _and(new.get("whereClause"), _where_of(_seek(keys, texts, params)))
    for k, desc in keys[len(new.get("sortClause", ())) :]:
        new["sortClause"].append(
            {
                "SortBy": {
                    "node": k,
                    "sortby_dir": "SORTBY_DESC" if desc else "SORTBY_DEFAULT",
                    "sortby_nulls": "SORTBY_NULLS_DEFAULT",
                }
            }
        )
    sql = deparse({"SelectStmt": new})
    index = ", ".join(t + (" DESC" if d else "") for t, (_, d) in zip(texts, keys, strict=True))
    return (
        f"Page by the sort keys: pass the last row's {', '.join(texts)} as "
        f"{', '.join(params)} and drop OFFSET: {sql} (an index on ({index}) serves every "
        f"page alike{ties})"
    )


def limit_fix(ctx: QueryContext, b: Block) -> str:
    new = copy.deepcopy(b.node)
    new["limitCount"] = {"A_Const": {"ival": {"ival": PAGE_ROWS}}}
    new["limitOption"] = "LIMIT_OPTION_COUNT"
    return (
        f"Return one page: {deparse({'SelectStmt': new})} (then page by the sort keys, "
        "QRY002), or add a WHERE that selects the rows the caller needs."
    )


def _qualify(b: Block, expr: Any, rename: dict[str, str]) -> Any:
    """A copy of ``expr`` whose unqualified columns name their relation's alias."""
    out = copy.deepcopy(expr)
    for ref in column_refs(out):
        got = b.column(ref)
        fields = ref["ColumnRef"]["fields"]
        if got is not None and got[0] is not None and len(fields) == 1:
            alias = rename.get(got[0].alias, got[0].alias)
            fields.insert(0, {"String": {"sval": alias}})
    # column_refs returns new wrappers around the same field dicts, so the edits stick
    return out


def not_exists_fix(b: Block, sub: Tree, inner: Block | None) -> str | None:
    """``NOT EXISTS (SELECT 1 FROM ... WHERE inner = outer)`` for a NOT IN subquery."""
    s = body(sub.get("subselect"), "SelectStmt")
    if inner is None or inner.kind != "select" or s is None:
        return None
    if any(s.get(k) for k in ("groupClause", "havingClause", "limitCount", "limitOffset")):
        return None
    targets = [(body(t, "ResTarget") or {}).get("val") for t in s.get("targetList", ())]
    test = sub.get("testexpr")
    row = body(test, "RowExpr")
    lefts = list(row.get("args", ())) if row is not None else [test]
    if len(targets) != len(lefts) or not targets:
        return None
    outer_aliases = {r.alias for x in b.chain for r in x.relations}
    new = copy.deepcopy(s)
    rename: dict[str, str] = {}
    for item in new.get("fromClause", ()):
        rv = body(item, "RangeVar")
        alias = str((rv.get("alias") or {}).get("aliasname", rv["relname"])) if rv else ""
        if rv is not None and alias in outer_aliases:
            rename[alias] = alias[:1] + "2"
            rv["alias"] = {"aliasname": rename[alias]}
    eqs = [
        {"A_Expr": {"kind": "AEXPR_OP", "name": [{"String": {"sval": "="}}],
                    "lexpr": _qualify(inner, t, rename), "rexpr": _qualify(b, left, {})}}
        for t, left in zip(targets, lefts, strict=True)
    ]  # fmt: skip
    new["targetList"] = [{"ResTarget": {"val": {"A_Const": {"ival": {"ival": 1}}}}}]
    new.pop("distinctClause", None)
    new["whereClause"] = _and(new.get("whereClause"), *eqs)
    exists = {"SubLink": {"subLinkType": "EXISTS_SUBLINK", "subselect": {"SelectStmt": new}}}
    text = deparse({"BoolExpr": {"boolop": "NOT_EXPR", "args": [exists]}})
    return f"Write it as {text}"
