"""Query lint: anti-patterns in application queries (``dbdesign lint --queries``, and ``advise``
for each workload query), reported by the rules of the QUERIES scope (QRY001 ...).

A query is parsed once with pglast (PostgreSQL's own grammar) into its JSON parse tree. The
rules see a :class:`QueryContext`: the tree, the query's blocks (each SELECT, UPDATE or DELETE
with the relations of its FROM resolved against the schema when one is given), the indexes on
those tables, and the runs of the query a log recorded (for N+1 patterns).

>>> from dbdesign.lint.query import QueryText, lint_queries
>>> findings = lint_queries([QueryText("SELECT * FROM orders ORDER BY id OFFSET 5000")])
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, cast

from pglast import parser

from dbdesign.errors import ConfigError, ParseError, UnsupportedError
from dbdesign.lint import engine
from dbdesign.lint.config import LintConfig
from dbdesign.lint.findings import Finding, Hit
from dbdesign.lint.registry import QUERIES, LintRule, all_rules, rule
from dbdesign.lint.sources import LintReport
from dbdesign.model import Origin, Schema, Table
from dbdesign.readers.ddl.pgsource import blank_meta_and_copy

Tree = dict[str, Any]
SEARCH_PATH = ("public",)  # where unqualified table names resolve (PostgreSQL's default)


@dataclass(frozen=True, slots=True)
class QueryText:
    """One application query: its SQL, where it was found (the position of its first token)
    and how often it runs (a workload's weight or calls)."""

    sql: str
    origin: Origin | None = field(default=None, compare=False)
    calls: float = 1


@dataclass(frozen=True, slots=True)
class QueryRun:
    """One execution a log recorded: the query's :func:`fingerprint`, the session (backend
    pid or session id) and transaction (virtual xid; None outside an explicit transaction)
    it ran in, when (milliseconds, any epoch) and the log line."""

    fingerprint: str
    session: str
    transaction: str | None
    at_ms: float
    origin: Origin | None = field(default=None, compare=False)


def fingerprint(sql: str) -> str:
    """The query's fingerprint: the same for every spelling of its parameters and constants
    (libpg_query's, as pg_stat_statements groups queries)."""
    try:
        return str(parser.fingerprint(sql))
    except parser.ParseError:
        return " ".join(sql.split())


# ------------------------------------------------------------------ parse trees


def kind_of(node: Any) -> str:
    """The kind of a wrapped node (``{"SelectStmt": {...}}`` -> ``SelectStmt``), else ""."""
    if isinstance(node, dict) and len(node) == 1:
        k = next(iter(node))
        if k[:1].isupper():
            return str(k)
    return ""


def body(node: Any, kind: str) -> Tree | None:
    """The fields of a wrapped node of ``kind``, else None."""
    if isinstance(node, dict):
        got = node.get(kind)
        if isinstance(got, dict):
            return got
    return None


_OPAQUE = frozenset({"SelectStmt", "RangeSubselect"})  # blocks of their own


def _placeholder(call: Tree) -> bool:
    """sqlc's parameter macros (``sqlc.arg(name)``, ``sqlc.narg``, ``sqlc.slice``): a
    parameter, whose argument names it and is no column."""
    got = names(call.get("funcname"))
    return len(got) == 2 and got[0] == "sqlc"


def expr_nodes(expr: Any) -> Iterator[tuple[str, Tree]]:
    """Every node of an expression as (kind, fields), not descending into subqueries (a
    SubLink's SELECT is a block of its own)."""
    todo = [expr]
    while todo:
        x = todo.pop()
        if type(x) is list:
            todo.extend(reversed(x))
            continue
        if type(x) is not dict:
            continue
        for k, v in x.items():
            if type(v) is dict and k[:1].isupper():
                yield k, v
                if k == "SubLink":
                    todo.append(v.get("testexpr"))
                elif k not in _OPAQUE and not (k == "FuncCall" and _placeholder(v)):
                    todo.append(v)
            elif k != "subselect" and type(v) in (dict, list):
                todo.append(v)


def conjuncts(expr: Any) -> list[Any]:
    """The terms AND-ed together at the top of ``expr`` (the whole of it when not an AND)."""
    if expr is None:
        return []
    b = body(expr, "BoolExpr")
    if b is not None and b.get("boolop") == "AND_EXPR":
        return [t for a in b.get("args", ()) for t in conjuncts(a)]
    return [expr]


def names(node_list: Any) -> list[str]:
    """The strings of a list of ``String`` nodes (a function's or type's qualified name)."""
    out = []
    for n in node_list or ():
        s = body(n, "String")
        if s is not None:
            out.append(str(s.get("sval", "")))
    return out


def column_fields(node: Any) -> list[str] | None:
    """A column reference's names (``["o", "id"]``; ``*`` for a star), else None."""
    ref = body(node, "ColumnRef")
    if ref is None:
        return None
    out = []
    for f in ref.get("fields", ()):
        s = body(f, "String")
        out.append("*" if s is None else str(s.get("sval", "")))
    return out


def location(node: Any) -> int | None:
    """Where a node starts in the query (a byte offset), when the parser recorded it."""
    if isinstance(node, dict):
        inner = next(iter(node.values()), None) if kind_of(node) else node
        if isinstance(inner, dict):
            loc = inner.get("location")
            if isinstance(loc, int) and loc >= 0:
                return loc
    return None


# ------------------------------------------------------------------ blocks and relations


@dataclass(slots=True, eq=False)
class Relation:
    """One item of a block's FROM: a table (``key`` and ``table`` set when the schema has it),
    a CTE, a subquery, a function or VALUES, under the name the query gives it."""

    alias: str
    name: str
    kind: str  # table, cte, subquery, function, values
    node: Tree
    location: int | None
    key: str | None = None
    table: Table | None = None
    lateral: bool = False

    def has_column(self, column: str) -> bool | None:
        """Whether the relation has ``column``: None when that is not known."""
        if self.table is None:
            return None
        return self.table.column(column) is not None


@dataclass(slots=True, eq=False)
class Block:
    """One SELECT, UPDATE or DELETE of the query, nested ones included.

    ``role``: ``top`` (its rows go to the application), ``exists`` (an EXISTS subquery),
    ``sublink`` (another subquery in an expression), ``from`` (a subquery in FROM), ``cte``,
    ``insert`` (the SELECT of an INSERT). ``groups``: the FROM items, each a list of the
    relations it holds (a JOIN tree is one item)."""

    kind: str  # select, setop, update, delete
    node: Tree
    role: str
    parent: Block | None
    groups: list[list[Relation]] = field(default_factory=list)
    ctes: frozenset[str] = frozenset()

    @property
    def relations(self) -> list[Relation]:
        return [r for g in self.groups for r in g]

    @property
    def where(self) -> Any:
        return self.node.get("whereClause")

    @property
    def chain(self) -> list[Block]:
        """This block and the blocks around it, innermost first."""
        out = []
        b: Block | None = self
        while b is not None:
            out.append(b)
            b = b.parent
        return out

    def relation(self, alias: str) -> Relation | None:
        """The relation called ``alias`` here or in an enclosing block (a correlated name)."""
        for b in self.chain:
            for r in b.relations:
                if r.alias == alias or (r.kind == "table" and r.name.split(".")[-1] == alias):
                    return r
        return None

    def column(self, node: Any) -> tuple[Relation | None, str] | None:
        """The relation a column reference reads and the column's name (the relation None
        when the query does not say and the schema cannot tell); None for a non-column."""
        f = column_fields(node)
        if f is None or f[-1] == "*":
            return None
        if len(f) >= 2:
            return self.relation(f[-2]), f[-1]
        for b in self.chain:
            rels = b.relations
            known = [r for r in rels if r.has_column(f[0])]
            unknown = [r for r in rels if r.has_column(f[0]) is None]
            if len(rels) == 1 and (known or unknown):
                return rels[0], f[0]
            if len(known) == 1:
                return known[0], f[0]  # a subquery of the same FROM may have it too
            if known or unknown:
                return None, f[0]
        return None, f[0]


class QueryContext:
    """What a query rule sees: one statement of a query, parsed, with its blocks."""

    def __init__(
        self,
        query: QueryText,
        tree: Tree,
        schema: Schema | None,
        config: LintConfig,
        runs: Sequence[QueryRun] = (),
        indexes: Mapping[str, list[IndexShape]] | None = None,
    ) -> None:
        self.query = query
        self.tree = tree
        self.kind = kind_of(tree)
        self.schema = schema
        self.config = config
        self.runs = tuple(runs)
        self._indexes = indexes if indexes is not None else index_shapes(schema)
        self._data = query.sql.encode()

    @cached_property
    def fingerprint(self) -> str:
        return fingerprint(self.query.sql)

    @property
    def short(self) -> str:
        """The query on one line, cut at 160 characters."""
        one = " ".join(self.query.sql.split())
        return one if len(one) <= 160 else one[:157] + "..."

    def at(self, offset: int | None) -> Origin | None:
        """The file position of byte ``offset`` of the query (its start when None)."""
        o = self.query.origin
        before = self._data[: offset or 0].decode(errors="replace")
        nl = before.count("\n")
        if o is None:
            return Origin(line=nl + 1, col=len(before) - before.rfind("\n"))
        if o.line is None:
            return o
        if nl == 0:
            return replace(o, col=(o.col or 1) + len(before))
        return replace(o, line=o.line + nl, col=len(before) - before.rfind("\n"))

    def origin_of(self, node: Any) -> Origin | None:
        return self.at(location(node))

    @cached_property
    def blocks(self) -> list[Block]:
        """Every block of the statement, outermost first."""
        out: list[Block] = []
        _scan(self.tree, None, "top", self, out, frozenset())
        return out

    def indexes(self, key: str | None) -> list[IndexShape]:
        """The indexes (primary key and unique constraints included) on table ``key``."""
        return self._indexes.get(key or "", [])

    def resolve(self, schemaname: str | None, relname: str) -> tuple[str | None, Table | None]:
        """``schema.table`` of a table name as written and the schema's table, if it has it."""
        if schemaname:
            key = f"{schemaname}.{relname}"
            return key, self.schema.tables.get(key) if self.schema else None
        for s in SEARCH_PATH:
            key = f"{s}.{relname}"
            if self.schema is not None and key in self.schema.tables:
                return key, self.schema.tables[key]
        return f"{SEARCH_PATH[0]}.{relname}", None


@dataclass(frozen=True, slots=True)
class IndexShape:
    """An index as the query rules compare it: its keys (a column name, or an expression's
    normalised text), method and operator classes; primary keys and unique constraints too."""

    name: str
    method: str
    columns: tuple[str | None, ...]  # None for an expression key
    exprs: tuple[str | None, ...]  # normalised expression text for an expression key
    opclasses: tuple[str | None, ...]
    partial: bool = False


def index_shapes(schema: Schema | None) -> dict[str, list[IndexShape]]:
    """Every table's indexes (primary key and unique constraints included), by table key."""
    out: dict[str, list[IndexShape]] = defaultdict(list)
    if schema is None:
        return out
    for i in schema.indexes.values():
        out[i.table_key].append(
            IndexShape(
                name=i.name,
                method=i.method,
                columns=tuple(e.column for e in i.elements),
                exprs=tuple(e.expr.normalized if e.expr is not None else None for e in i.elements),
                opclasses=tuple(e.opclass for e in i.elements),
                partial=i.where is not None,
            )
        )
    for t in schema.tables.values():
        keys = [(t.primary_key.name, t.primary_key.columns)] if t.primary_key else []
        keys += [(u.name, u.columns) for u in t.uniques.values()]
        for name, cols in keys:
            n = len(cols)
            out[t.key].append(IndexShape(name, "btree", cols, (None,) * n, (None,) * n))
    return out


_SUBLINK_ROLES = {"EXISTS_SUBLINK": "exists"}


def _scan(
    value: Any,
    block: Block | None,
    role: str,
    ctx: QueryContext,
    out: list[Block],
    ctes: frozenset[str],
) -> None:
    """Find the blocks in ``value`` (a parse-tree fragment inside ``block``)."""
    if isinstance(value, list):
        for v in value:
            _scan(v, block, role, ctx, out, ctes)
        return
    if not isinstance(value, dict):
        return
    for k, v in value.items():
        if k in ("SelectStmt", "UpdateStmt", "DeleteStmt", "InsertStmt") and isinstance(v, dict):
            _statement(k, v, block, role, ctx, out, ctes)
        elif k == "SubLink" and isinstance(v, dict):
            _scan(v.get("testexpr"), block, role, ctx, out, ctes)
            inner = _SUBLINK_ROLES.get(v.get("subLinkType", ""), "sublink")
            _scan(v.get("subselect"), block, inner, ctx, out, ctes)
        elif k == "RangeSubselect" and isinstance(v, dict):
            _scan(v.get("subquery"), block, "from", ctx, out, ctes)
        else:
            _scan(v, block, role, ctx, out, ctes)


def _with(node: Tree, block: Block | None, ctx: QueryContext, out: list[Block],
          ctes: frozenset[str]) -> frozenset[str]:  # fmt: skip
    """Scan a statement's WITH clause; the CTE names visible in the statement."""
    w = node.get("withClause")
    if not isinstance(w, dict):
        return ctes
    found = []
    for c in w.get("ctes", ()):
        cte = body(c, "CommonTableExpr") or {}
        found.append(str(cte.get("ctename", "")))
    names_ = ctes | frozenset(found)
    for c in w.get("ctes", ()):
        cte = body(c, "CommonTableExpr") or {}
        _scan(cte.get("ctequery"), block, "cte", ctx, out, names_)
    return names_


_SKIP = frozenset({"withClause", "fromClause", "larg", "rarg", "relation", "usingClause"})


def _statement(
    kind: str,
    node: Tree,
    parent: Block | None,
    role: str,
    ctx: QueryContext,
    out: list[Block],
    ctes: frozenset[str],
) -> None:
    ctes = _with(node, parent, ctx, out, ctes)
    if kind == "InsertStmt":
        _scan(node.get("selectStmt"), parent, "insert", ctx, out, ctes)
        _scan(node.get("returningList"), parent, role, ctx, out, ctes)
        return
    setop = kind == "SelectStmt" and node.get("op", "SETOP_NONE") != "SETOP_NONE"
    name = "setop" if setop else {"SelectStmt": "select", "UpdateStmt": "update"}.get(kind)
    block = Block(name or "delete", node, role, parent, ctes=ctes)
    out.append(block)
    if setop:
        for arm in ("larg", "rarg"):
            if isinstance(node.get(arm), dict):
                _statement("SelectStmt", node[arm], parent, role, ctx, out, ctes)
    items: list[Any] = list(node.get("fromClause", ()))
    if kind == "UpdateStmt" or kind == "DeleteStmt":  # UPDATE ... FROM, DELETE ... USING
        more = node.get("fromClause" if kind == "UpdateStmt" else "usingClause", ())
        items = [{"RangeVar": node.get("relation", {})}, *more]
    for item in items:
        group: list[Relation] = []
        _from_item(item, block, ctx, out, ctes, group)
        block.groups.append(group)
    for k, v in node.items():
        if k not in _SKIP:
            _scan(v, block, role if k == "targetList" else "sublink", ctx, out, ctes)


def _from_item(
    item: Any,
    block: Block,
    ctx: QueryContext,
    out: list[Block],
    ctes: frozenset[str],
    group: list[Relation],
) -> None:
    """Add the relations of one FROM item to ``group`` (and scan its subqueries)."""
    k = kind_of(item)
    b = item.get(k) if k else None
    if not isinstance(b, dict):
        return
    alias = (b.get("alias") or {}).get("aliasname")
    if k == "RangeVar":
        rel, sch = str(b.get("relname", "")), b.get("schemaname")
        name = f"{sch}.{rel}" if sch else rel
        if not sch and rel in ctes:
            group.append(Relation(alias or rel, name, "cte", b, b.get("location")))
            return
        key, table = ctx.resolve(sch, rel)
        group.append(Relation(alias or rel, name, "table", b, b.get("location"), key, table))
    elif k == "JoinExpr":
        _from_item(b.get("larg"), block, ctx, out, ctes, group)
        _from_item(b.get("rarg"), block, ctx, out, ctes, group)
        _scan(b.get("quals"), block, "sublink", ctx, out, ctes)
    elif k == "RangeSubselect":
        sub = b.get("subquery")
        is_values = bool((body(sub, "SelectStmt") or {}).get("valuesLists"))
        kind = "values" if is_values else "subquery"
        group.append(Relation(alias or "", "", kind, b, None, lateral=bool(b.get("lateral"))))
        _scan(sub, block, "from", ctx, out, ctes)
    elif k == "RangeFunction":
        group.append(Relation(alias or "", "", "function", b, None, lateral=True))
        _scan(b.get("functions"), block, "sublink", ctx, out, ctes)


# ------------------------------------------------------------------ reading and running


def read_query_file(path: str, text: str | None = None) -> list[QueryText]:
    """The queries of a .sql file (``-`` or ``text`` given: that text), each from its first
    token, with its position; psql meta-commands are skipped."""
    display = "<stdin>" if path == "-" else path
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as e:
            raise ConfigError(f"cannot read: {e.strerror}", file=path) from None
        except UnicodeDecodeError:
            raise ConfigError("not a UTF-8 text file", file=path) from None
    text = blank_meta_and_copy(text)
    data = text.encode()
    out = []
    for raw in _parse(text, display):
        start = raw.get("stmt_location", 0)
        length = raw.get("stmt_len", 0)
        piece = (data[start : start + length] if length else data[start:]).decode()
        lead = len(piece) - len(piece.lstrip())
        before = data[: start + len(piece[:lead].encode())].decode()
        line = before.count("\n") + 1
        col = len(before) - before.rfind("\n")
        out.append(QueryText(piece.strip(), Origin(file=display, line=line, col=col)))
    return out


# A driver's placeholder where PostgreSQL wants $1: JDBC's ?, psycopg's %s / %(name)s,
# SQLAlchemy's :name.
_PLACEHOLDER = re.compile(r"(?:[=(,<>]|\bIN|\bLIKE)\s*(?:\?|%s|%\(\w+\)s|:[A-Za-z_]\w*)", re.I)


def _parse(text: str, file: str | None, origin: Origin | None = None) -> list[Tree]:
    """The statements of ``text`` (libpg_query's JSON), or a ParseError at the position."""
    try:
        stmts: list[Tree] = json.loads(parser.parse_sql_json(text)).get("stmts", [])
        return stmts
    except parser.ParseError as e:
        data = text.encode()
        pos = e.args[1] if len(e.args) > 1 and isinstance(e.args[1], int) else None
        if pos is None:  # "at end of input"
            pos = len(data.rstrip()) if "end of input" in str(e.args[0]) else 0
        before = data[:pos].decode(errors="replace")
        line, col = before.count("\n") + 1, len(before) - before.rfind("\n")
        if origin is not None and origin.line is not None:
            col = col + (origin.col or 1) - 1 if line == 1 else col
            line += origin.line - 1
            file = origin.file
        hint = ""
        if _PLACEHOLDER.search(text):
            hint = " (write parameters as PostgreSQL numbers them: $1, $2 ...)"
        raise ParseError(f"{e.args[0]}{hint}", file=file, line=line, col=col) from None


def _rules(config: LintConfig, schema: Schema | None) -> list[LintRule]:
    dialect = schema.dialect if schema is not None else "postgres"
    readers = [
        r
        for r in all_rules().values()
        if QUERIES in r.scopes and r.code != engine.UNUSED_SUPPRESSION and dialect in r.dialects
    ]
    if not readers:  # the queries are read by PostgreSQL's own parser
        raise UnsupportedError(f"query lint reads PostgreSQL queries, not {dialect} ones")
    return [r for r in engine.select_rules(config, QUERIES) if dialect in r.dialects]


def _findings(
    texts: Sequence[QueryText],
    config: LintConfig,
    schema: Schema | None,
    runs: Sequence[QueryRun],
) -> list[tuple[Finding, Origin | None]]:
    """Every finding of the selected rules, with the position of the query it is about."""
    rules = _rules(config, schema)
    severity = {r.code: engine._severity(r, config) for r in rules}
    by_print: dict[str, list[QueryRun]] = defaultdict(list)
    for run in runs:
        by_print[run.fingerprint].append(run)
    shapes = index_shapes(schema)
    out = []
    for q in texts:
        stmts = _parse(q.sql, q.origin.file if q.origin else None, q.origin)
        mine = by_print.pop(fingerprint(q.sql), []) if by_print else []
        for raw in stmts:
            ctx = QueryContext(q, raw.get("stmt") or {}, schema, config, mine, shapes)
            start = ctx.at(raw.get("stmt_location", 0))
            for r in rules:
                for h in r.check(ctx):
                    f = Finding(
                        code=r.code,
                        severity=severity[r.code],
                        message=h.message,
                        object=h.object,
                        origin=h.origin or start,
                        fix_hint=h.fix or r.fix,
                        rule=r.name,
                        statement=ctx.short,
                    )
                    out.append((f, start))
    return out


def _suppressed(f: Finding, start: Origin | None, src: engine.SourceLines) -> bool:
    """A ``-- dbdesign: ignore`` comment on (or above) the finding's line or the query's."""
    if engine.suppressed_by(f, src):
        return True
    return start is not None and engine.suppressed_by(replace(f, origin=start), src)


def lint_queries(
    texts: Sequence[QueryText],
    config: LintConfig | None = None,
    *,
    schema: Schema | None = None,
    runs: Sequence[QueryRun] = (),
) -> list[Finding]:
    """The findings of the selected query rules on ``texts``, sorted; inline suppression
    comments in the files the queries came from apply. ``schema``: the tables the queries
    read (rules that need indexes or column types say nothing without it). ``runs``: the
    executions a log recorded, matched to ``texts`` by :func:`fingerprint`. A query that does
    not parse raises :class:`ParseError` at its position."""
    cfg = config or LintConfig()
    src = engine.SourceLines()
    found = [
        f for f, start in _findings(texts, cfg, schema, runs) if not _suppressed(f, start, src)
    ]
    found.sort(key=engine.sort_key)
    return found


def lint_query_files(
    paths: Sequence[str],
    config: LintConfig | None = None,
    *,
    schema: str | Schema | None = None,
    baseline: Path | None = None,
    stdin: str | None = None,
) -> LintReport:
    """``dbdesign lint --queries``: lint the queries of .sql files (``-``: ``stdin``, else
    the process's standard input); ``schema`` a model, a DDL file or folder, or a database
    URL (read-only). Suppression comments that silence nothing are reported (SUP001);
    findings in ``baseline`` (a file :func:`dbdesign.lint.sources.write_baseline` wrote)
    are left out."""
    from dbdesign import readers

    cfg = config or LintConfig()
    model = readers.read(schema) if isinstance(schema, str) else schema
    texts: list[QueryText] = []
    for p in paths:
        if p != "-" and Path(p).is_dir():
            raise ConfigError("--queries reads .sql files of queries, not folders", file=p)
        if p == "-" and stdin is None:
            import sys

            stdin = sys.stdin.read()
        texts.extend(read_query_file(p, stdin if p == "-" else None))
    src = engine.SourceLines()
    found = [f for f, start in _findings(texts, cfg, model, ()) if not _suppressed(f, start, src)]
    files = {p for p in paths if p != "-"}
    dialect = model.dialect if model is not None else "postgres"
    unused = engine.unused_suppressions(src, files, cfg, QUERIES, dialect)
    found += [f for f in unused if not engine.suppressed_by(f, src, bare=False)]
    found.sort(key=engine.sort_key)
    if baseline is not None:
        found = engine.apply_baseline(found, engine.read_baseline(baseline))
    return LintReport(
        findings=tuple(found),
        rules=tuple(_rules(cfg, model)),
        failing=engine.failing(found, cfg.fail_on),
    )


# ------------------------------------------------------------------ what rules ask of a tree


def join_quals(items: Any) -> Iterator[Any]:
    """The ON conditions of the JOINs in a FROM list."""
    for item in items or ():
        j = body(item, "JoinExpr")
        if j is not None:
            if j.get("quals") is not None:
                yield j["quals"]
            yield from join_quals([j.get("larg"), j.get("rarg")])


def block_exprs(b: Block) -> list[Any]:
    """The expressions of a block itself (its WHERE, JOIN conditions, HAVING, select list),
    not those of its subqueries."""
    n = b.node
    out: list[Any] = [n.get("whereClause"), n.get("havingClause")]
    out += list(join_quals(n.get("fromClause")))
    out += [(body(t, "ResTarget") or {}).get("val") for t in n.get("targetList", ())]
    return [e for e in out if e is not None]


def column_refs(expr: Any) -> list[Any]:
    """The column references of an expression (wrapped ColumnRef nodes), not in subqueries."""
    return [{"ColumnRef": f} for k, f in expr_nodes(expr) if k == "ColumnRef"]


def is_value(expr: Any) -> bool:
    """Whether ``expr`` is fixed while the query runs: no column, no subquery (a parameter, a
    constant, a function of those)."""
    return not any(k in ("ColumnRef", "SubLink") for k, _ in expr_nodes(expr))


def const_value(expr: Any) -> int | float | str | None:
    """The value of a constant (through casts and a minus sign), else None."""
    cast = body(expr, "TypeCast")
    if cast is not None:
        return const_value(cast.get("arg"))
    c = body(expr, "A_Const")
    if c is None:
        return None
    if "ival" in c:
        return int(c["ival"].get("ival", 0))
    if "fval" in c:
        return float(c["fval"].get("fval", "0"))
    if "sval" in c:
        return str(c["sval"].get("sval", ""))
    return None


def max_param(tree: Any) -> int:
    """The highest ``$n`` of a tree (0 when it has none)."""
    from dbdesign.lint.sqlexpr import nodes

    found = [int(f.get("number", 0)) for k, f in nodes(tree) if k == "ParamRef"]
    return max(found, default=0)


def operator(a_expr: Tree) -> str:
    """An A_Expr's operator (``=``, ``~~``), the last part of its name."""
    got = names(a_expr.get("name"))
    return got[-1] if got else ""


QueryCheck = Callable[[QueryContext], Iterable[Hit]]


def query_rule(
    code: str, name: str, severity: str, *, default: bool = True
) -> Callable[[QueryCheck], QueryCheck]:
    """Register a query rule (scope QUERIES, PostgreSQL): ``fn(ctx)`` gets each statement's
    :class:`QueryContext` and yields hits (the origin defaults to the query's start)."""
    register = rule(
        code, name, severity, dialects=("postgres",), default=default, scopes=(QUERIES,)
    )

    def deco(fn: QueryCheck) -> QueryCheck:
        register(cast(Any, fn))
        return fn

    return deco
