"""Plan findings: what a DBA reads in a plan, as lint rules of the ``plans`` scope (PLN...).

:func:`lint_plan` runs the selected plan rules (``dbdesign.lint.rules.plans*``) over one
:class:`~dbdesign.databases.plans.QueryPlan`. A rule sees a :class:`PlanContext`: the plan, each
node with its number, parent and path (:class:`PlanNodeAt`), the settings the server planned
with (``work_mem`` ...), and the schema when the caller read one. A finding's object is the
node: ``#3 Seq Scan on public.orders`` (nodes numbered depth first from 1, the order the text
plan lists them), or ``plan`` for the plan as a whole (planning time, JIT).

The context also answers the question several rules ask of a filter: which index would serve
it (:meth:`PlanContext.index_keys`), asked of a parser, never of regexes. What differs between
the servers whose plans are linted — how a condition reads, how an index or statistics are
added — is the plan's :class:`PlanSql` (PostgreSQL's here; MySQL's in
:mod:`dbdesign.lint.plan_mysql`, named in :data:`PLAN_SQL`). A rule claims the dialects whose
plans it reads (``plan_rule(..., dialects=...)``); :func:`lint_plan` runs on a plan only the
rules that claim its dialect.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, cast

from dbdesign import dialects
from dbdesign.databases.plans import PlanNode, QueryPlan
from dbdesign.lint.config import LintConfig
from dbdesign.lint.findings import Finding, Hit
from dbdesign.lint.registry import PLANS, Check, rule
from dbdesign.model import Schema

PLAN_OBJECT = "plan"  # the object of a finding about the whole plan
DEFAULT_WORK_MEM_KB = 4096  # PostgreSQL's built-in work_mem
_UNITS_KB = {"kb": 1, "mb": 1024, "gb": 1024 * 1024, "tb": 1024 * 1024 * 1024}
_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]b)?\s*$", re.I)
_NODE_KEY = re.compile(r"^#(\d+) ")
_EQUALITY_OPS = frozenset({"="})
_RANGE_OPS = frozenset({"<", ">", "<=", ">="})
_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "="}
# A cast the index on the bare column still serves (varchar and char compare as text).
_TEXT_CASTS = frozenset({"text", "varchar", "bpchar"})


@dataclass(frozen=True, slots=True, eq=False)
class PlanNodeAt:
    """A node where it sits in the plan: its number (depth first from 1), its parent."""

    node: PlanNode
    number: int
    parent: PlanNodeAt | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        """The finding object that names this node: ``#3 Seq Scan on public.orders``."""
        return f"#{self.number} {self.node.label}"

    @property
    def path(self) -> tuple[str, ...]:
        """The labels from the root down to this node."""
        out = []
        at: PlanNodeAt | None = self
        while at is not None:
            out.append(at.node.label)
            at = at.parent
        return tuple(reversed(out))

    def ancestors(self) -> Iterator[PlanNodeAt]:
        at = self.parent
        while at is not None:
            yield at
            at = at.parent


def number_nodes(plan: QueryPlan) -> tuple[PlanNodeAt, ...]:
    """Every node of ``plan`` with its number and parent, depth first."""
    out: list[PlanNodeAt] = []

    def visit(n: PlanNode, parent: PlanNodeAt | None) -> None:
        at = PlanNodeAt(n, len(out) + 1, parent)
        out.append(at)
        for c in n.children:
            visit(c, at)

    visit(plan.root, None)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class IndexKeys:
    """The keys of the index a filter asks for: equality keys, then at most one range key,
    each a quoted column or a parenthesised expression."""

    equality: tuple[str, ...] = ()
    ranges: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return self.equality + self.ranges[:1]

    @property
    def columns(self) -> tuple[str, ...]:
        """The keys that are plain columns (unquoted names are returned quoted)."""
        return tuple(k for k in (*self.equality, *self.ranges) if not k.startswith("("))


class PlanSql:
    """The SQL the plan rules read and write for one kind of server: the index keys of a
    condition as its plans print it, the statement that adds an index, ANALYZE, statistics.
    This is PostgreSQL's; a server whose plans read otherwise names its own in
    :data:`PLAN_SQL`."""

    # Statistics over several columns together (CREATE STATISTICS), for correlated conditions.
    extended_statistics = True

    def __init__(self, d: dialects.Dialect) -> None:
        self.d = d

    def index_keys(self, expr: str, alias: str | None) -> IndexKeys | None:
        """The index keys of a condition (see :meth:`PlanContext.index_keys`)."""
        return _index_keys(expr, alias, self.d)

    def create_index(self, table: str, name: str, keys: Sequence[str]) -> str:
        """The statement adding an index on ``keys`` to ``table`` (quoted) without blocking
        writes; ``name`` is the table's own name."""
        return f"CREATE INDEX CONCURRENTLY ON {table} ({', '.join(keys)});"

    def analyze(self, table: str) -> str:
        return f"ANALYZE {table}"

    def column_statistics(self, table: str, columns: Sequence[str]) -> str:
        """The fix for a scan whose estimate is off: fresh statistics, finer ones for
        ``columns`` (quoted; perhaps none)."""
        if not columns:
            return f"ANALYZE {table}; its statistics are out of date or too coarse for this scan."
        return (
            f"ANALYZE {table}; if the estimate stays off, raise the column's statistics "
            f"target: ALTER TABLE {table} ALTER COLUMN {columns[0]} SET STATISTICS 1000; "
            f"ANALYZE {table};"
        )

    def join_statistics(self) -> str:
        """The fix for a join whose estimate is off while both inputs are estimated well."""
        return (
            "Both inputs are estimated well: the join columns are correlated or skewed. "
            "ANALYZE both tables, raise the statistics target of the join columns (ALTER TABLE "
            "... ALTER COLUMN ... SET STATISTICS 1000), and check that the joined columns have "
            "the same type."
        )


# A plan's dialect -> "module:class" of its PlanSql, where it is not PostgreSQL's.
PLAN_SQL: dict[str, str] = {"mysql": "dbdesign.lint.plan_mysql:MySQLPlanSql"}


def plan_sql(dialect: str) -> PlanSql:
    """The :class:`PlanSql` of the plans of ``dialect``."""
    d = dialects.get(dialect)
    path = PLAN_SQL.get(d.name)
    if path is None:
        return PlanSql(d)
    module, cls = path.split(":")
    found: PlanSql = getattr(importlib.import_module(module), cls)(d)
    return found


class PlanContext:
    """What plan rules read: the plan, its nodes in place, settings, the schema (optional)."""

    def __init__(
        self, plan: QueryPlan, config: LintConfig | None = None, schema: Schema | None = None
    ) -> None:
        self.plan = plan
        self.config = config or LintConfig()
        self.schema = schema
        self.nodes = number_nodes(plan)
        self.sql = plan_sql(plan.dialect)
        self.d = self.sql.d

    # ------------------------------------------------------------------ settings

    def setting_kb(self, name: str, default_kb: float) -> float:
        """A memory setting the plan recorded, in kB (its built-in default when unrecorded)."""
        return memory_kb(self.plan.setting(name)) or default_kb

    @cached_property
    def work_mem_kb(self) -> float:
        return self.setting_kb("work_mem", DEFAULT_WORK_MEM_KB)

    @cached_property
    def hash_mem_multiplier(self) -> float:
        """hash_mem_multiplier: 2.0 by default from PostgreSQL 15, 1.0 in 13 and 14 (a hash
        table may use work_mem times this); 1.0 before 13."""
        raw = self.plan.setting("hash_mem_multiplier")
        if raw is not None:
            try:
                return float(raw)
            except ValueError:
                pass
        version = self.plan.server_version
        return 2.0 if version is None or version >= 150000 else 1.0

    # ------------------------------------------------------------------ names and SQL

    def table_sql(self, n: PlanNode) -> str | None:
        """The node's relation, quoted and schema-qualified."""
        name = n.relation_name
        if name is None:
            return None
        return self.d.qualified(n.schema, name) if n.schema else self.d.quote_ident(name)

    def index_keys(self, expr: str | None, alias: str | None) -> IndexKeys | None:
        """The index keys for the conditions of ``expr`` (a Filter, Index Cond or Join
        Filter as EXPLAIN prints it) on the relation called ``alias``: each condition
        ``key op value`` where ``key`` reads only that relation's columns and ``value`` none of
        them (a constant, a parameter, another table's column). None when ``expr`` does not
        parse (``SubPlan``) or is an OR."""
        if not expr:
            return None
        return self.sql.index_keys(expr, alias)

    def create_index(self, n: PlanNode, keys: tuple[str, ...]) -> str | None:
        """The statement adding an index on ``keys`` to the node's relation
        (``CREATE INDEX CONCURRENTLY ON table (keys);`` on PostgreSQL)."""
        table = self.table_sql(n)
        if table is None or not keys or n.relation_name is None:
            return None
        return self.sql.create_index(table, n.relation_name, keys)

    def existing_index(self, n: PlanNode, first_key: str) -> str | None:
        """The name of an index of the schema (when the caller gave one) on the node's relation
        whose first key is ``first_key`` (a quoted column), or of its primary key or a unique
        constraint that starts with it."""
        # a table of the database the plan was made in has no schema where there are none
        schema = n.schema or (None if self.d.capabilities.schemas else self.d.namespace)
        if self.schema is None or n.relation is None or schema is None:
            return None
        table_key = f"{schema}.{n.relation_name}"
        for ix in self.schema.indexes_on(table_key):
            first = ix.elements[0] if ix.elements else None
            if (
                first is not None
                and first.column is not None
                and ix.where is None
                and self.d.quote_ident(first.column) == first_key
            ):
                return ix.name
        table = self.schema.tables.get(table_key)
        if table is None:
            return None
        keys: list[tuple[str, tuple[str, ...]]] = [
            (u.name, u.columns) for u in table.uniques.values()
        ]
        if table.primary_key is not None:
            keys.insert(0, (table.primary_key.name, table.primary_key.columns))
        for name, columns in keys:
            if columns and self.d.quote_ident(columns[0]) == first_key:
                return name
        return None


def memory_kb(value: str | None) -> float | None:
    """A memory setting as EXPLAIN (SETTINGS) prints it (``64kB``, ``16MB``) in kB."""
    if not value:
        return None
    m = _MEMORY.match(value)
    if m is None:
        return None
    return float(m.group(1)) * _UNITS_KB[(m.group(2) or "kb").lower()]


def memory_setting(kb: float) -> str:
    """A memory size as a setting a person would write: the next power of two, in kB below
    1 MB, else in MB (or GB)."""
    size = 64
    while size < kb:
        size *= 2
    if size < 1024:
        return f"{size}kB"
    if size < 1024 * 1024:
        return f"{size // 1024}MB"
    return f"{size // (1024 * 1024)}GB"


def count(x: float) -> str:
    """A row or block count for a message: ``12,345``."""
    return f"{round(x):,}"


# --------------------------------------------------------------------------- running


def lint_plan(
    plan: QueryPlan, config: LintConfig | None = None, *, schema: Schema | None = None
) -> list[Finding]:
    """The findings of the selected plan rules on ``plan``, in plan order (node number, then
    code); plan-wide findings first."""
    from dbdesign.lint.engine import _severity, select_rules

    cfg = config or LintConfig()
    ctx = PlanContext(plan, cfg, schema)
    out: list[Finding] = []
    for r in select_rules(cfg, PLANS):
        if ctx.d.name not in r.dialects:
            continue
        # the rule's code, name and configured severity; each hit adds what it found
        of_rule = Finding(
            code=r.code, severity=_severity(r, cfg), message="", object="", rule=r.name
        )
        out += [
            replace(
                of_rule,
                message=h.message,
                object=h.object,
                origin=h.origin,
                fix_hint=h.fix or r.fix,
            )
            for h in r.check(ctx)
        ]
    out.sort(key=lambda f: (node_number(f.object) or 0, f.code, f.object))
    return out


def node_number(obj: str) -> int | None:
    """The node number of a finding object (``#3 Seq Scan ...``); None for ``plan``."""
    m = _NODE_KEY.match(obj)
    return int(m.group(1)) if m else None


def finding_json(f: Finding, plan: QueryPlan) -> dict[str, Any]:
    """A plan finding as JSON: the finding, plus its node's number and path."""
    d = f.to_dict()
    for k in ("file", "line", "col", "catalog"):
        d.pop(k, None)
    number = node_number(f.object)
    nodes = number_nodes(plan)
    if number is not None and 0 < number <= len(nodes):
        d["node"] = number
        d["path"] = list(nodes[number - 1].path)
    return d


# --------------------------------------------------------------------------- predicates


def _index_keys(expr: str, alias: str | None, d: dialects.Dialect) -> IndexKeys | None:
    from pglast import ast, enums, parse_sql
    from pglast.parser import ParseError

    try:
        stmt: Any = parse_sql("SELECT 1 WHERE " + expr)[0].stmt
    except ParseError:
        return None
    where = stmt.whereClause
    if isinstance(where, ast.BoolExpr):
        if where.boolop != enums.BoolExprType.AND_EXPR:
            return None
        terms = list(where.args or ())
    else:
        terms = [where]
    equality: list[str] = []
    ranges: list[str] = []
    for t in terms:
        found = _term_key(t, alias, d)
        if found is None:
            continue
        key, kind = found
        target = equality if kind == "eq" else ranges
        if key not in equality and key not in ranges:
            target.append(key)
    if not equality and not ranges:
        return None
    return IndexKeys(tuple(equality), tuple(ranges))


def _term_key(t: Any, alias: str | None, d: dialects.Dialect) -> tuple[str, str] | None:
    """(index key, "eq" or "range") for one condition, None when no B-tree key serves it."""
    from pglast import ast, enums

    if isinstance(t, ast.NullTest):
        if t.nulltesttype != enums.NullTestType.IS_NULL or not _ours_only(t.arg, alias):
            return None
        return _key_sql(t.arg, d), "eq"
    if isinstance(t, ast.ColumnRef) and _ours_only(t, alias):  # a boolean column
        return _key_sql(t, d), "eq"
    if not isinstance(t, ast.A_Expr):
        return None
    kind = t.kind
    op = _op_name(t)
    if kind in (enums.A_Expr_Kind.AEXPR_IN, enums.A_Expr_Kind.AEXPR_OP_ANY) and op == "=":
        return (_key_sql(t.lexpr, d), "eq") if _side(t.lexpr, t.rexpr, alias) else None
    if kind in (enums.A_Expr_Kind.AEXPR_BETWEEN,):
        return (_key_sql(t.lexpr, d), "range") if _side(t.lexpr, t.rexpr, alias) else None
    if kind != enums.A_Expr_Kind.AEXPR_OP or op not in _EQUALITY_OPS | _RANGE_OPS:
        return None
    if _side(t.lexpr, t.rexpr, alias):
        return _key_sql(t.lexpr, d), "eq" if op in _EQUALITY_OPS else "range"
    if _side(t.rexpr, t.lexpr, alias):
        return _key_sql(t.rexpr, d), "eq" if _FLIP[op] in _EQUALITY_OPS else "range"
    return None


def _op_name(t: Any) -> str:
    names = t.name or ()
    last = names[-1] if names else None
    return str(getattr(last, "sval", "")) if last is not None else ""


def _side(key: Any, value: Any, alias: str | None) -> bool:
    """Whether ``key`` reads only the relation's columns and ``value`` none of them."""
    return _ours_only(key, alias) and not _refs(value, alias)[0]


def _refs(node: Any, alias: str | None) -> tuple[bool, bool]:
    """(reads a column of the relation ``alias``, reads a column of another relation)."""
    from pglast import ast
    from pglast.visitors import Visitor

    ours = other = False

    class Refs(Visitor):
        def visit_ColumnRef(self, ancestors: Any, ref: ast.ColumnRef) -> None:
            nonlocal ours, other
            fields = [getattr(f, "sval", None) for f in ref.fields or ()]
            if len(fields) == 1 or (alias is not None and fields[-2] == alias):
                ours = True
            else:
                other = True

        def visit_ParamRef(self, ancestors: Any, ref: ast.ParamRef) -> None:
            nonlocal other
            other = True  # a value from outside the scan: not part of an index key

    Refs()(node)
    return ours, other


def _ours_only(node: Any, alias: str | None) -> bool:
    ours, other = _refs(node, alias)
    return ours and not other


def _key_sql(node: Any, d: dialects.Dialect) -> str:
    """The index key for ``node``: its column quoted, or ``(expression)`` with the
    relation's alias left out of its column references."""
    from pglast import ast
    from pglast.stream import RawStream

    if isinstance(node, ast.TypeCast) and isinstance(node.arg, ast.ColumnRef):
        type_name: Any = node.typeName
        names = [getattr(n, "sval", "") for n in type_name.names or ()]
        if names and names[-1] in _TEXT_CASTS:
            node = node.arg
    if isinstance(node, ast.ColumnRef):
        return d.quote_ident(str(getattr((node.fields or ("",))[-1], "sval", "")))

    from pglast.visitors import Visitor

    class Unqualify(Visitor):
        def visit_ColumnRef(self, ancestors: Any, ref: ast.ColumnRef) -> None:
            ref.fields = tuple((ref.fields or ())[-1:])

    Unqualify()(node)
    return f"({RawStream()(node)})"


# --------------------------------------------------------------------------- registering

PlanCheck = Callable[[PlanContext], Iterable[Hit]]


def plan_rule(
    code: str, name: str, severity: str = "warning", dialects: tuple[str, ...] = ("postgres",)
) -> Callable[[PlanCheck], PlanCheck]:
    """Register a plan rule (the ``plans`` scope) for the plans of ``dialects`` (PostgreSQL's
    unless said): ``fn(ctx)`` gets the :class:`PlanContext` and yields a
    :class:`~dbdesign.lint.findings.Hit` per problem, its object a node's
    :attr:`PlanNodeAt.key` or :data:`PLAN_OBJECT`."""

    def deco(fn: PlanCheck) -> PlanCheck:
        rule(code, name, severity, dialects=dialects, scopes=(PLANS,))(cast(Check, fn))
        return fn

    return deco
