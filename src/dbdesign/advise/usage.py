"""How a query uses each table it reads: the columns it compares with a value (equality,
range), joins on, sorts and groups by, and reads — the raw material of index candidates.

The query is parsed with PostgreSQL's own parser (pglast); column names are resolved against
the catalog (:class:`~dbdesign.advise.stats.Catalog`) scope by scope, so ``o.id``, ``id`` and
a correlated subquery's outer reference each land on the right table. A comparison with
anything that holds no column of the same query level (a constant, a ``$1`` parameter, an
outer query's column) is a *value* predicate; a comparison of two tables' columns is a join.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pglast import parser

from dbdesign.advise.stats import Catalog
from dbdesign.readers.ddl.pgast import deparse

_RANGE_OPS = frozenset({"<", ">", "<=", ">="})
_NEGATED_LIKE = frozenset({"!~~", "!~~*", "~~*"})


@dataclass(slots=True)
class TableUse:
    """One table's part in one query (columns in the order they first appear)."""

    table: str
    eq: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    join: list[str] = field(default_factory=list)
    sort: list[str] = field(default_factory=list)
    group: list[str] = field(default_factory=list)
    read: list[str] = field(default_factory=list)  # every column the query touches
    star: bool = False  # SELECT * / t.*: every column
    # (expression SQL, "eq"|"range"): a predicate on an expression of one column
    expressions: list[tuple[str, str]] = field(default_factory=list)
    # fixed predicates on the table, as SQL: col = 'literal', col IS NULL, col IN (...)
    fixed: list[tuple[str, str]] = field(default_factory=list)  # (column, predicate SQL)
    writes: str = ""  # "insert" | "update" | "delete" when the statement writes the table
    written: list[str] = field(default_factory=list)  # the columns an UPDATE sets

    def add(self, bucket: list[str], column: str) -> None:
        if column not in bucket:
            bucket.append(column)
        if bucket is not self.read and column not in self.read:
            self.read.append(column)


@dataclass(slots=True)
class _Scope:
    # alias -> qualified table name, or None for a derived table (subquery, CTE, function)
    rels: dict[str, str | None]
    parent: _Scope | None = None

    def local(self, table: str) -> bool:
        return table in self.rels.values()


@dataclass(slots=True)
class QueryUsage:
    """All tables of a query, by qualified name."""

    tables: dict[str, TableUse] = field(default_factory=dict)
    # every relation it names is a catalogued table or its own CTE (not a view, whose plan can
    # use indexes on tables the statement does not name)
    tables_only: bool = True

    def of(self, table: str) -> TableUse:
        if table not in self.tables:
            self.tables[table] = TableUse(table)
        return self.tables[table]


def relation_names(sql: str) -> set[tuple[str, str]]:
    """Every ``(schema or "", name)`` a statement names in FROM/JOIN/DML targets."""
    return {(rv.get("schemaname", ""), rv["relname"]) for rv in _nodes(_parse(sql), "RangeVar")}


def usage(sql: str, catalog: Catalog) -> QueryUsage:
    """How ``sql`` (one statement) uses each catalogued table it reads."""
    out = QueryUsage()
    tree = _parse(sql)
    ctes = {c["ctename"] for c in _nodes(tree, "CommonTableExpr")}
    out.tables_only = all(
        (s, n) in catalog.names or (not s and n in ctes)
        for s, n in ((rv.get("schemaname", ""), rv["relname"]) for rv in _nodes(tree, "RangeVar"))
    )
    for stmt in tree:
        _statement(stmt, catalog, out, None, set())
    return out


def _parse(sql: str) -> list[dict[str, Any]]:
    doc = json.loads(parser.parse_sql_json(sql))
    return [s["stmt"] for s in doc.get("stmts", ())]


def _nodes(tree: Any, kind: str) -> Iterator[dict[str, Any]]:
    if isinstance(tree, dict):
        for k, v in tree.items():
            if k == kind and isinstance(v, dict):
                yield v
            yield from _nodes(v, kind)
    elif isinstance(tree, list):
        for v in tree:
            yield from _nodes(v, kind)


# --------------------------------------------------------------------------- statements


def _statement(
    node: dict[str, Any], cat: Catalog, out: QueryUsage, parent: _Scope | None, ctes: set[str]
) -> None:
    ((kind, body),) = node.items()
    if kind == "SelectStmt":
        _select(body, cat, out, parent, ctes)
    elif kind in ("UpdateStmt", "DeleteStmt"):
        _modify(body, cat, out, parent, ctes)
    elif kind == "InsertStmt":
        target = cat.resolve(body["relation"].get("schemaname"), body["relation"]["relname"])
        if target is not None:
            out.of(target.name).writes = "insert"
        if body.get("selectStmt"):
            _statement(body["selectStmt"], cat, out, parent, ctes)


def _with(body: dict[str, Any], cat: Catalog, out: QueryUsage, parent: _Scope | None,
          ctes: set[str]) -> set[str]:  # fmt: skip
    names = set(ctes)
    for cte in (body.get("withClause") or {}).get("ctes", ()):
        c = cte["CommonTableExpr"]
        names.add(c["ctename"])
        _statement(c["ctequery"], cat, out, parent, names)
    return names


def _select(
    body: dict[str, Any], cat: Catalog, out: QueryUsage, parent: _Scope | None, ctes: set[str]
) -> None:
    ctes = _with(body, cat, out, parent, ctes)
    if body.get("op", "SETOP_NONE") != "SETOP_NONE":
        for side in ("larg", "rarg"):
            _select(body[side], cat, out, parent, ctes)
        return
    scope = _Scope({}, parent)
    quals: list[Any] = []
    for item in body.get("fromClause", ()):
        _from(item, cat, out, scope, ctes, quals)
    if body.get("whereClause"):
        quals.append(body["whereClause"])
    for q in quals:
        _predicate(q, cat, out, scope, ctes)
    _order(body.get("groupClause", ()), "group", cat, out, scope)
    _order([s["SortBy"]["node"] for s in body.get("sortClause", ())], "sort", cat, out, scope)
    rest = {k: v for k, v in body.items() if k in ("targetList", "havingClause",
                                                   "groupClause", "sortClause")}  # fmt: skip
    _reads(rest, cat, out, scope, ctes)


def _modify(
    body: dict[str, Any], cat: Catalog, out: QueryUsage, parent: _Scope | None, ctes: set[str]
) -> None:
    ctes = _with(body, cat, out, parent, ctes)
    scope = _Scope({}, parent)
    quals: list[Any] = []
    _from({"RangeVar": body["relation"]}, cat, out, scope, ctes, quals)
    target = scope.rels[next(iter(scope.rels))]
    if target is not None:
        use = out.of(target)
        use.writes = "update" if "targetList" in body else "delete"
        use.written = [t["ResTarget"]["name"] for t in body.get("targetList", ())]
    for item in body.get("fromClause", ()) + body.get("usingClause", ()):
        _from(item, cat, out, scope, ctes, quals)
    if body.get("whereClause"):
        quals.append(body["whereClause"])
    for q in quals:
        _predicate(q, cat, out, scope, ctes)
    _reads({"t": body.get("targetList"), "r": body.get("returningList")}, cat, out, scope, ctes)


def _from(
    item: dict[str, Any],
    cat: Catalog,
    out: QueryUsage,
    scope: _Scope,
    ctes: set[str],
    quals: list[Any],
) -> None:
    ((kind, body),) = item.items()
    if kind == "RangeVar":
        alias = (body.get("alias") or {}).get("aliasname") or body["relname"]
        schema = body.get("schemaname")
        cte = not schema and body["relname"] in ctes
        known = None if cte else cat.resolve(schema, body["relname"])
        scope.rels[alias] = known.name if known else None
        if known:
            out.of(known.name)
    elif kind == "JoinExpr":
        _from(body["larg"], cat, out, scope, ctes, quals)
        _from(body["rarg"], cat, out, scope, ctes, quals)
        if body.get("quals"):
            quals.append(body["quals"])
        for col in body.get("usingClause", ()):
            _using(col["String"]["sval"], cat, out, scope)
    elif kind == "RangeSubselect":
        _statement(body["subquery"], cat, out, scope if body.get("lateral") else scope.parent, ctes)
        scope.rels[(body.get("alias") or {}).get("aliasname", "?")] = None
    else:  # RangeFunction, RangeTableFunc ...: derived, their arguments may read columns
        alias = (body.get("alias") or {}).get("aliasname", f"?{len(scope.rels)}")
        scope.rels[alias] = None


def _using(column: str, cat: Catalog, out: QueryUsage, scope: _Scope) -> None:
    for table in scope.rels.values():
        if table and column in cat.tables[table].columns:
            out.of(table).add(out.of(table).join, column)


# --------------------------------------------------------------------------- columns


def _resolve(fields: list[dict[str, Any]], cat: Catalog, scope: _Scope) -> tuple[str, str, bool]:
    """(table, column, local) for a column reference; table "" when it names no catalogued
    table (a derived table's column, an unknown name). ``local``: of this query level."""
    names = [f["String"]["sval"] for f in fields if "String" in f]
    if not names or len(names) != len(fields):
        return "", "", True
    column = names[-1]
    level: _Scope | None = scope
    depth = 0
    while level is not None:
        for alias, table in level.rels.items():
            if len(names) >= 2 and alias != names[-2]:
                continue
            if len(names) >= 2:
                return (table or "", column, depth == 0)
            if table is not None:
                stats = cat.tables[table]
                if column in stats.columns:
                    return table, column, depth == 0
        level = level.parent
        depth += 1
    return "", column, True


def _column(node: Any, cat: Catalog, scope: _Scope) -> tuple[str, str, bool] | None:
    if isinstance(node, dict) and "TypeCast" in node:  # col::date compares as col
        return _column(node["TypeCast"]["arg"], cat, scope)
    if isinstance(node, dict) and "ColumnRef" in node:
        return _resolve(node["ColumnRef"]["fields"], cat, scope)
    return None


def _local_columns(node: Any, cat: Catalog, scope: _Scope) -> set[tuple[str, str]]:
    """The columns of this query level's tables that an expression reads (subqueries
    excluded)."""
    found: set[tuple[str, str]] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            if "SelectStmt" in n:
                continue
            if "ColumnRef" in n:
                t, c, local = _resolve(n["ColumnRef"]["fields"], cat, scope)
                if local:
                    found.add((t, c))
                continue
            stack.extend(n.values())
        elif isinstance(n, list):
            stack.extend(n)
    return found


def _reads(node: Any, cat: Catalog, out: QueryUsage, scope: _Scope, ctes: set[str]) -> None:
    """Mark every column the expression reads, and walk its subqueries."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            if "SelectStmt" in n:
                _select(n["SelectStmt"], cat, out, scope, ctes)
                continue
            if "ColumnRef" in n:
                _mark(n["ColumnRef"]["fields"], cat, out, scope)
                continue
            stack.extend(n.values())
        elif isinstance(n, list):
            stack.extend(n)


def _mark(fields: list[dict[str, Any]], cat: Catalog, out: QueryUsage, scope: _Scope) -> None:
    if fields and "A_Star" in fields[-1]:
        tables = [scope.rels.get(fields[0]["String"]["sval"])] if len(fields) > 1 else list(
            scope.rels.values())  # fmt: skip
        for t in tables:
            if t:
                out.of(t).star = True
        return
    t, c, _ = _resolve(fields, cat, scope)
    if t:
        out.of(t).add(out.of(t).read, c)


def _order(items: Any, bucket: str, cat: Catalog, out: QueryUsage, scope: _Scope) -> None:
    """GROUP BY / ORDER BY columns, per table, in order (a table's run stops at the first
    item that is not its plain column)."""
    stopped: set[str] = set()
    for item in items:
        ref = _column(item, cat, scope)
        if ref is None or not ref[0] or not ref[2]:
            stopped.update(t for t in scope.rels.values() if t)
            continue
        t, c, _ = ref
        if t not in stopped:
            use = out.of(t)
            use.add(getattr(use, bucket), c)


# --------------------------------------------------------------------------- predicates


def _conjuncts(node: Any) -> Iterator[Any]:
    if isinstance(node, dict) and "BoolExpr" in node and node["BoolExpr"]["boolop"] == "AND_EXPR":
        for a in node["BoolExpr"]["args"]:
            yield from _conjuncts(a)
    else:
        yield node


def _predicate(node: Any, cat: Catalog, out: QueryUsage, scope: _Scope, ctes: set[str]) -> None:
    for conj in _conjuncts(node):
        _reads(conj, cat, out, scope, ctes)
        if not isinstance(conj, dict):
            continue
        ((kind, body),) = conj.items()
        if kind == "A_Expr":
            _comparison(body, cat, out, scope)
        elif kind == "NullTest":
            ref = _column(body["arg"], cat, scope)
            if ref and ref[0] and ref[2]:
                use = out.of(ref[0])
                use.add(use.eq, ref[1])
                use.fixed.append((ref[1], _sql(conj)))
        elif kind == "BoolExpr" and body["boolop"] == "OR_EXPR":
            for arm in body["args"]:  # each arm may use an index of its own (BitmapOr)
                for t, c in _local_columns(arm, cat, scope):
                    if t:
                        out.of(t).add(out.of(t).eq, c)
        elif kind == "SubLink" and body.get("testexpr") is not None:
            ref = _column(body["testexpr"], cat, scope)
            if ref and ref[0] and ref[2]:
                out.of(ref[0]).add(out.of(ref[0]).join, ref[1])


def _comparison(body: dict[str, Any], cat: Catalog, out: QueryUsage, scope: _Scope) -> None:
    kind = body["kind"]
    op = body["name"][0]["String"]["sval"] if body.get("name") else ""
    left, right = body.get("lexpr"), body.get("rexpr")
    if kind in ("AEXPR_IN", "AEXPR_BETWEEN", "AEXPR_NOT_BETWEEN") or op in _NEGATED_LIKE:
        bucket = "eq" if kind == "AEXPR_IN" else "range" if kind == "AEXPR_BETWEEN" else ""
        if bucket:
            _value_predicate(left, right, bucket, body, cat, out, scope)
        return
    if kind == "AEXPR_LIKE" or op == "~~":
        if _prefix_pattern(right):
            _value_predicate(left, right, "range", body, cat, out, scope)
        return
    if kind != "AEXPR_OP" or (op != "=" and op not in _RANGE_OPS):
        return
    lref, rref = _column(left, cat, scope), _column(right, cat, scope)
    if lref and rref and lref[0] and rref[0] and lref[2] and rref[2] and lref[0] != rref[0]:
        for t, c, _ in (lref, rref):
            out.of(t).add(out.of(t).join if op == "=" else out.of(t).range, c)
        return
    bucket = "eq" if op == "=" else "range"
    if not _value_predicate(left, right, bucket, body, cat, out, scope):
        _value_predicate(right, left, bucket, body, cat, out, scope)


def _value_predicate(
    side: Any,
    other: Any,
    bucket: str,
    whole: dict[str, Any],
    cat: Catalog,
    out: QueryUsage,
    scope: _Scope,
) -> bool:
    """``side`` compared with a value ``other``: record the column (or expression)."""
    if _local_columns(other, cat, scope):
        return False
    ref = _column(side, cat, scope)
    if ref is not None:
        t, c, local = ref
        if not t or not local:
            return False
        use = out.of(t)
        use.add(getattr(use, bucket), c)
        if _constant(other) and bucket == "eq":
            use.fixed.append((c, _sql({"A_Expr": whole})))
        return True
    cols = _local_columns(side, cat, scope)
    if len(cols) == 1 and isinstance(side, dict) and ("FuncCall" in side or "A_Expr" in side):
        ((t, c),) = cols
        if t:
            out.of(t).add(out.of(t).read, c)
            out.of(t).expressions.append((_sql(side), bucket))
            return True
    return False


def _sql(node: Any) -> str:
    """An index predicate or expression as SQL: its column references without the query's
    table or alias (``dt.d_moy = 11`` is ``d_moy = 11`` on the index)."""
    return deparse(_bare(node))


def _bare(node: Any) -> Any:
    if isinstance(node, list):
        return [_bare(n) for n in node]
    if not isinstance(node, dict):
        return node
    if "ColumnRef" in node:
        ref = node["ColumnRef"]
        return {"ColumnRef": {**ref, "fields": ref["fields"][-1:]}}
    return {k: _bare(v) for k, v in node.items()}


def _constant(node: Any) -> bool:
    """A literal (or a list or cast of literals): no parameter, no column, no function."""
    if isinstance(node, list):
        return all(_constant(n) for n in node)
    if not isinstance(node, dict):
        return False
    if "A_Const" in node:
        return True
    if "TypeCast" in node:
        return _constant(node["TypeCast"]["arg"])
    if "List" in node:
        return _constant(node["List"].get("items", []))
    return False


def _prefix_pattern(node: Any) -> bool:
    """A LIKE pattern that a B-tree can use as a range: a literal not starting with a
    wildcard (and a text_pattern_ops/C-collation index, which the candidate notes)."""
    if isinstance(node, dict) and "A_Const" in node:
        s = node["A_Const"].get("sval", {}).get("sval")
        return isinstance(s, str) and s[:1] not in ("%", "_", "")
    return False
