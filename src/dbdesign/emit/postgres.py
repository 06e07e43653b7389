"""Schema -> PostgreSQL DDL.

:func:`emit_schema` renders a whole :class:`~dbdesign.model.Schema` as a script that loads into a
fresh PostgreSQL 15/16 database (where ``public`` already exists) and recreates exactly the model;
:func:`emit_drop_schema` renders the DROP statements that undo it.

Every object becomes a *node* holding its statements. Nodes depend on each other (a table on the
types of its columns and the sequences and functions its defaults call, a view on the relations
its query reads, a foreign key on both tables ...); the order comes from
:class:`graphlib.TopologicalSorter`, breaking ties by a fixed rank per kind and then by key, so the
same model always gives the same text. References inside expressions are found by parsing them
with pglast and walking RangeVar, FuncCall and TypeName nodes.

Identifiers are always quoted with :func:`~dbdesign.dialects.postgres.quote_ident`; expressions
(:class:`~dbdesign.model.Expr`) are emitted as their text, under a ``search_path`` set to the schema
the expression was written for (``Expr.schema``, default ``public``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import heapq
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from graphlib import CycleError, TopologicalSorter
from typing import Any

from pglast.parser import ParseError as _PgParseError
from pglast.parser import parse_sql_json

from dbdesign.dialects.postgres import (
    CANONICAL_TYPES,
    parse_type_string,
    qualified,
    quote_ident,
    split_qualified,
    type_sql,
)
from dbdesign.errors import DbdesignError
from dbdesign.model import (
    Argument,
    Check,
    Collation,
    Column,
    CompositeType,
    DataType,
    Domain,
    EnumType,
    Exclusion,
    Expr,
    Extension,
    ForeignKey,
    Function,
    Grant,
    Identity,
    Index,
    IndexElement,
    Namespace,
    Policy,
    PrimaryKey,
    Rule,
    Schema,
    Sequence,
    Table,
    Trigger,
    Unique,
    View,
)

__all__ = ["emit_drop_schema", "emit_schema", "quote_literal"]

# What PostgreSQL 15+ gives the ``public`` schema of a new database.
PUBLIC_DEFAULT_COMMENT = "standard public schema"
PUBLIC_DEFAULT_GRANTS = frozenset({Grant(grantee="PUBLIC", privilege="USAGE")})

HEADER = (
    "SET check_function_bodies = false;\n"
    "SET standard_conforming_strings = on;\n"
    "SET search_path = public;\n"
)

# Tie-break rank per node kind: among nodes whose dependencies are met, the lowest rank goes
# first, then the lowest key. This keeps related statements together and the output readable.
_RANK = {
    "schema": 0,
    "extension": 1,
    "collation": 1,
    "type": 2,
    "sequence": 3,
    "function": 4,
    "aggregate": 5,
    "table": 6,
    "owned": 7,
    "index": 8,
    "fk": 9,
    "view": 10,
    "trigger": 11,
    "rule": 12,
    "policy": 13,
}

_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")


# --------------------------------------------------------------------------- small renderers


def quote_literal(value: str) -> str:
    """A standard SQL string literal (``standard_conforming_strings = on``)."""
    return "'" + value.replace("'", "''") + "'"


def _qkey(key: str) -> str:
    """A model key ``schema.name`` rendered as a quoted qualified name."""
    schema, name = split_qualified(key)
    return qualified(schema, name) if name else quote_ident(schema)


def _idents(names: Iterable[str]) -> str:
    return ", ".join(quote_ident(n) for n in names)


def _dotted(name: str, known_schemas: Iterable[str] = ()) -> str:
    """A possibly schema-qualified name (collation, operator class): quote each part.

    A dot only separates a schema when the part before it is a schema we know of, so a collation
    named ``en_US.utf8`` stays one identifier.
    """
    schema, dot, rest = name.partition(".")
    if dot and (schema in _SYSTEM_SCHEMAS or schema == "public" or schema in known_schemas):
        return f"{quote_ident(schema)}.{quote_ident(rest)}"
    return quote_ident(name)


def _type_text(text: str) -> str:
    """A type written as text (function arguments and results): re-quote it via the model."""
    s = text.strip()
    if s.upper().startswith("SETOF "):
        return "SETOF " + _type_text(s[6:])
    try:
        return type_sql(parse_type_string(s))
    except Exception:  # pragma: no cover - an exotic spelling: trust it
        return s


def _grantee(name: str) -> str:
    return "PUBLIC" if name.upper() == "PUBLIC" else quote_ident(name)


def _strip_semicolon(text: str) -> str:
    s = text.strip()
    while s.endswith(";"):
        s = s[:-1].rstrip()
    return s


@lru_cache(maxsize=4096)
def _default_needs_parens(text: str) -> bool:
    """``DEFAULT`` takes a restricted expression (b_expr): wrap text that is not one, entirely."""
    try:
        tree = json.loads(parse_sql_json(f"CREATE TABLE x (c int DEFAULT {text})"))
        (col,) = tree["stmts"][0]["stmt"]["CreateStmt"]["tableElts"]
        coldef = col["ColumnDef"]
        cons = coldef.get("constraints", [])
        return (
            bool(coldef.get("collClause"))
            or len(cons) != 1
            or (cons[0]["Constraint"]["contype"] != "CONSTR_DEFAULT")
        )
    except (_PgParseError, KeyError, ValueError):
        return True


def _default_sql(expr: Expr) -> str:
    text = expr.text.strip()
    return f"DEFAULT ({text})" if _default_needs_parens(text) else f"DEFAULT {text}"


def _deferrable(deferrable: bool, initially_deferred: bool) -> str:
    if not deferrable:
        return ""
    return " DEFERRABLE INITIALLY DEFERRED" if initially_deferred else " DEFERRABLE"


# --------------------------------------------------------------------------- references


@dataclass
class _Refs:
    """Names an SQL text mentions, unresolved: (schema or None, name)."""

    relations: set[tuple[str | None, str]] = field(default_factory=set)
    functions: set[tuple[str | None, str]] = field(default_factory=set)
    types: set[tuple[str | None, str]] = field(default_factory=set)
    sequences: set[tuple[str | None, str]] = field(default_factory=set)
    columns: set[str] = field(default_factory=set)  # last part of each column reference
    star: bool = False  # a ``*`` or ``t.*`` column reference


_SEQ_FUNCS = ("nextval", "currval", "setval")


def _string_const(node: Any) -> str | None:
    if isinstance(node, dict):
        if "TypeCast" in node:
            return _string_const(node["TypeCast"].get("arg"))
        const = node.get("A_Const")
        if isinstance(const, dict) and "sval" in const:
            value = const["sval"].get("sval", "")
            return str(value)
    return None


def _split_regclass(text: str) -> tuple[str | None, str] | None:
    """``'public."My Seq"'`` as regclass input reads it (unquoted parts fold to lower case)."""
    parts = [
        q.replace('""', '"') if q else p.strip().lower()
        for q, p in re.findall(r'"((?:[^"]|"")*)"|([^."]+)', text)
    ]
    if len(parts) == 1:
        return None, parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    return None


def _names(items: Any) -> list[str]:
    return [str(i["String"]["sval"]) for i in items or () if isinstance(i, dict) and "String" in i]


def _walk(node: Any, refs: _Refs) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, refs)
        return
    if not isinstance(node, dict):
        return
    cref = node.get("ColumnRef")
    if isinstance(cref, dict):
        last = (cref.get("fields") or [{}])[-1]
        if isinstance(last, dict) and "String" in last:
            refs.columns.add(str(last["String"]["sval"]))
        elif isinstance(last, dict) and "A_Star" in last:
            refs.star = True
    if "relname" in node:  # RangeVar, wrapped or not
        refs.relations.add((node.get("schemaname"), str(node["relname"])))
    if "funcname" in node:  # FuncCall
        names = _names(node["funcname"])
        if names:
            refs.functions.add((names[-2] if len(names) > 1 else None, names[-1]))
            args = node.get("args") or []
            if names[-1] in _SEQ_FUNCS and args:
                text = _string_const(args[0])
                parsed = _split_regclass(text) if text is not None else None
                if parsed is not None:
                    refs.sequences.add(parsed)
    if "names" in node and "typemod" in node:  # TypeName
        names = _names(node["names"])
        if names:
            refs.types.add((names[-2] if len(names) > 1 else None, names[-1]))
    for value in node.values():
        if isinstance(value, dict | list):
            _walk(value, refs)


@lru_cache(maxsize=4096)
def _scan_sql(sql: str) -> _Refs:
    refs = _Refs()
    # Unparsable text has no known references; the server will report it.
    with contextlib.suppress(_PgParseError, ValueError):
        _walk(json.loads(parse_sql_json(sql)), refs)
    return refs


def _scan_expr(text: str) -> _Refs:
    return _scan_sql(f"SELECT ({text})")


# --------------------------------------------------------------------------- the graph


Node = tuple[int, str, str]  # (rank, key, kind)


@dataclass
class _Stmt:
    sql: str
    path: str | None = None  # the schema unqualified names in the statement resolve to


@dataclass
class _Graph:
    stmts: dict[Node, list[_Stmt]] = field(default_factory=dict)
    deps: dict[Node, set[Node]] = field(default_factory=dict)
    soft: dict[Node, set[Node]] = field(default_factory=dict)  # dropped if they make a cycle

    def add(self, node: Node, stmts: list[_Stmt]) -> None:
        self.stmts[node] = stmts
        self.deps.setdefault(node, set())

    def depend(self, node: Node, on: Node | None, *, soft: bool = False) -> None:
        if on is not None and on != node:
            (self.soft if soft else self.deps).setdefault(node, set()).add(on)

    def order(self) -> list[Node]:
        graph: dict[Node, set[Node]] = {
            node: {d for d in self.deps.get(node, ()) if d in self.stmts} for node in self.stmts
        }
        # A soft edge is kept unless it closes a cycle through the edges kept so far.
        for node in sorted(self.soft):
            for on in sorted(self.soft[node]):
                if node in graph and on in graph and not _reaches(graph, on, node):
                    graph[node].add(on)
        try:
            return self._order(graph)
        except CycleError as exc:
            cycle = " -> ".join(f"{n[2]} {n[1]}" for n in exc.args[1])
            raise DbdesignError(f"dependency cycle between objects: {cycle}") from None

    @staticmethod
    def _order(graph: dict[Node, set[Node]]) -> list[Node]:
        sorter = TopologicalSorter(graph)
        sorter.prepare()
        heap: list[Node] = []
        out: list[Node] = []
        while sorter.is_active():
            for ready in sorter.get_ready():
                heapq.heappush(heap, ready)
            if not heap:  # pragma: no cover - prepare() already rejected cycles
                break
            node = heapq.heappop(heap)
            out.append(node)
            sorter.done(node)
        return out


def _reaches(graph: dict[Node, set[Node]], start: Node, goal: Node) -> bool:
    """Whether ``goal`` is reachable from ``start`` following dependency edges."""
    seen: set[Node] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(graph.get(node, ()))
    return False


class _Builder:
    """Turns a schema into a graph of statement groups."""

    def __init__(self, schema: Schema) -> None:
        self.s = schema
        self.g = _Graph()
        self.known_schemas = set(schema.namespaces) | {t.schema for t in schema.tables.values()}
        self.functions_by_name: dict[tuple[str, str], list[str]] = {}
        for key, fn in schema.functions.items():
            self.functions_by_name.setdefault((fn.schema, fn.name), []).append(key)
        self.unique_indexes: dict[str, list[str]] = {}
        for ix in schema.indexes.values():
            if ix.unique:
                self.unique_indexes.setdefault(ix.table_key, []).append(ix.key)
        self.type_nodes: dict[str, Node] = {}
        for key in schema.enums:
            self.type_nodes[key] = (_RANK["type"], key, "enum")
        for key in schema.domains:
            self.type_nodes[key] = (_RANK["type"], key, "domain")
        for key in schema.composite_types:
            self.type_nodes[key] = (_RANK["type"], key, "composite")
        for key in schema.tables:  # a table's row type
            self.type_nodes.setdefault(key, self.table_node(key))
        for key in schema.views:
            self.type_nodes.setdefault(key, self.view_node(key))

    # -- node names

    @staticmethod
    def table_node(key: str) -> Node:
        return (_RANK["table"], key, "table")

    @staticmethod
    def view_node(key: str) -> Node:
        return (_RANK["view"], key, "view")

    def relation_node(self, key: str) -> Node | None:
        if key in self.s.tables:
            return self.table_node(key)
        if key in self.s.views:
            return self.view_node(key)
        if key in self.s.sequences:
            return (_RANK["sequence"], key, "sequence")
        return None

    def function_node(self, key: str) -> Node:
        kind = "aggregate" if self.s.functions[key].kind == "aggregate" else "function"
        return (_RANK[kind], key, kind)

    def schema_node(self, name: str) -> Node | None:
        if name in self.s.namespaces and name != "public":
            return (_RANK["schema"], name, "schema")
        return None

    # -- resolving names found in text

    @staticmethod
    def _candidates(schema: str | None, name: str, path: str | None) -> list[str]:
        if schema is not None:
            return [f"{schema}.{name}"]
        return [f"{path or 'public'}.{name}", f"public.{name}"]

    def refs_nodes(self, refs: _Refs, path: str | None) -> set[Node]:
        out: set[Node] = set()
        for schema, name in refs.relations | refs.sequences:
            for key in self._candidates(schema, name, path):
                node = self.relation_node(key)
                if node is not None:
                    out.add(node)
                    break
        for schema, name in refs.types:
            for key in self._candidates(schema, name, path):
                if key in self.type_nodes:
                    out.add(self.type_nodes[key])
                    break
        for schema, name in refs.functions:
            for key in self._candidates(schema, name, path):
                s, n = split_qualified(key)
                found = self.functions_by_name.get((s, n))
                if found:
                    out.update(self.function_node(k) for k in found)
                    break
        return out

    def expr_nodes(self, exprs: Iterable[Expr | None]) -> set[Node]:
        out: set[Node] = set()
        for e in exprs:
            if e is not None:
                out |= self.refs_nodes(_scan_expr(e.text), _schema_of(e))
        return out

    def type_node(self, t: DataType | str) -> Node | None:
        name = t.name if isinstance(t, DataType) else _type_name(t)
        if name is None or name in CANONICAL_TYPES.values():
            return None
        return self.type_nodes.get(name)

    def depend_all(self, node: Node, on: Iterable[Node | None], *, soft: bool = False) -> None:
        for other in on:
            self.g.depend(node, other, soft=soft)

    def depend_schema(self, node: Node, schema: str) -> None:
        self.g.depend(node, self.schema_node(schema))

    def extension_types(self, node: Node) -> None:
        """Types we do not model (an extension's) may come from any extension."""
        self.depend_all(node, ((_RANK["extension"], e, "extension") for e in self.s.extensions))

    # -- building

    def build(self) -> _Graph:
        for ns in self.s.namespaces.values():
            self.namespace(ns)
        for ext in self.s.extensions.values():
            self.extension(ext)
        for coll in self.s.collations.values():
            self.collation_object(coll)
        for en in self.s.enums.values():
            self.enum(en)
        for dom in self.s.domains.values():
            self.domain(dom)
        for ct in self.s.composite_types.values():
            self.composite(ct)
        for seq in self.s.sequences.values():
            self.sequence(seq)
        for fn in self.s.functions.values():
            self.function(fn)
        for table in self.s.tables.values():
            self.table(table)
        for view in self.s.views.values():
            self.view(view)
        for index in self.s.indexes.values():
            self.index(index)
        for trig in self.s.triggers.values():
            self.trigger(trig)
        for rule in self.s.rules.values():
            self.rule(rule)
        for pol in self.s.policies.values():
            self.policy(pol)
        return self.g

    # namespaces and extensions

    def namespace(self, ns: Namespace) -> None:
        name = quote_ident(ns.name)
        stmts: list[_Stmt] = []
        if ns.name == "public":
            if ns.comment != PUBLIC_DEFAULT_COMMENT:
                stmts.append(_Stmt(f"COMMENT ON SCHEMA public IS {_comment(ns.comment)}"))
            for g in sorted(PUBLIC_DEFAULT_GRANTS - ns.grants, key=_grant_sort):
                stmts.append(
                    _Stmt(f"REVOKE {g.privilege} ON SCHEMA public FROM {_grantee(g.grantee)}")
                )
            stmts += _grants("SCHEMA", name, ns.grants - PUBLIC_DEFAULT_GRANTS)
            if stmts:
                self.g.add((_RANK["schema"], ns.name, "schema"), stmts)
            return
        stmts.append(_Stmt(f"CREATE SCHEMA {name}"))
        stmts += _comment_on("SCHEMA", name, ns.comment)
        stmts += _grants("SCHEMA", name, ns.grants)
        self.g.add((_RANK["schema"], ns.name, "schema"), stmts)

    def extension(self, ext: Extension) -> None:
        node = (_RANK["extension"], ext.name, "extension")
        sql = f"CREATE EXTENSION IF NOT EXISTS {quote_ident(ext.name)}"
        if ext.schema:
            sql += f" WITH SCHEMA {quote_ident(ext.schema)}"
            self.g.depend(node, self.schema_node(ext.schema))
        stmts = [_Stmt(sql), *_comment_on("EXTENSION", quote_ident(ext.name), ext.comment)]
        self.g.add(node, stmts)

    def collation_node(self, name: str | None) -> Node | None:
        """The node of a modelled collation a COLLATE names (None: the server's own)."""
        if name is None or name not in self.s.collations:
            return None
        return (_RANK["collation"], name, "collation")

    def collation_object(self, c: Collation) -> None:
        node = (_RANK["collation"], c.key, "collation")
        name = qualified(c.schema, c.name)
        self.g.add(
            node, [_Stmt(_collation_sql(name, c)), *_comment_on("COLLATION", name, c.comment)]
        )
        self.depend_schema(node, c.schema)

    # types

    def enum(self, en: EnumType) -> None:
        node = self.type_nodes[en.key]
        name = qualified(en.schema, en.name)
        labels = ", ".join(quote_literal(v) for v in en.values)
        stmts = [_Stmt(f"CREATE TYPE {name} AS ENUM ({labels})")]
        stmts += _comment_on("TYPE", name, en.comment)
        self.g.add(node, stmts)
        self.depend_schema(node, en.schema)

    def domain(self, dom: Domain) -> None:
        node = self.type_nodes[dom.key]
        name = qualified(dom.schema, dom.name)
        sql = f"CREATE DOMAIN {name} AS {type_sql(dom.type)}"
        if dom.collation:
            sql += f" COLLATE {self.collation(dom.collation)}"
        if dom.default is not None:
            sql += f" {_default_sql(dom.default)}"
        if not dom.nullable:
            sql += " NOT NULL"
        later: list[_Stmt] = []
        for chk in dom.checks.values():
            cons = f"CONSTRAINT {quote_ident(chk.name)} CHECK ({chk.expr.text})"
            if chk.validated:
                sql += f" {cons}"
            else:
                later.append(
                    _Stmt(f"ALTER DOMAIN {name} ADD {cons} NOT VALID", _schema_of(chk.expr))
                )
            later += _comment_on(
                "CONSTRAINT", f"{quote_ident(chk.name)} ON DOMAIN {name}", chk.comment
            )
        exprs = [dom.default, *(c.expr for c in dom.checks.values())]
        path = _path(exprs)
        stmts = [_Stmt(sql, path), *later, *_comment_on("DOMAIN", name, dom.comment)]
        self.g.add(node, stmts)
        self.depend_schema(node, dom.schema)
        self.g.depend(node, self.type_node(dom.type))
        self.g.depend(node, self.collation_node(dom.collation))
        self.extension_types(node)
        self.depend_all(node, self.expr_nodes(exprs))

    def composite(self, ct: CompositeType) -> None:
        node = self.type_nodes[ct.key]
        name = qualified(ct.schema, ct.name)
        attrs = ", ".join(f"{quote_ident(a)} {type_sql(t)}" for a, t in ct.attributes)
        stmts = [_Stmt(f"CREATE TYPE {name} AS ({attrs})")]
        stmts += _comment_on("TYPE", name, ct.comment)
        self.g.add(node, stmts)
        self.depend_schema(node, ct.schema)
        self.depend_all(node, (self.type_node(t) for _, t in ct.attributes))
        self.extension_types(node)

    # sequences

    def sequence(self, seq: Sequence) -> None:
        node = (_RANK["sequence"], seq.key, "sequence")
        name = qualified(seq.schema, seq.name)
        stmts = [_Stmt(_sequence_sql(name, seq))]
        stmts += _comment_on("SEQUENCE", name, seq.comment)
        stmts += _grants("SEQUENCE", name, seq.grants)
        self.g.add(node, stmts)
        self.depend_schema(node, seq.schema)
        if seq.owned_by:
            owner = self._owned_by(seq.owned_by)
            if owner is not None:
                table_key, column = owner
                owned = (_RANK["owned"], seq.key, "owned")
                self.g.add(
                    owned,
                    [
                        _Stmt(
                            f"ALTER SEQUENCE {name} OWNED BY "
                            f"{_qkey(table_key)}.{quote_ident(column)}"
                        )
                    ],
                )
                self.g.depend(owned, node)
                self.g.depend(owned, self.relation_node(table_key))

    def _owned_by(self, owned_by: str) -> tuple[str, str] | None:
        table_key, _, column = owned_by.rpartition(".")
        if table_key in self.s.tables:
            return table_key, column
        for key, table in self.s.tables.items():  # a column name with a dot in it
            if owned_by.startswith(key + ".") and table.column(owned_by[len(key) + 1 :]):
                return key, owned_by[len(key) + 1 :]
        table_key, _, column = owned_by.rpartition(".")
        return (table_key, column) if table_key else None

    # functions

    def function(self, fn: Function) -> None:
        node = self.function_node(fn.key)
        sig = _signature(fn)
        what = {"function": "FUNCTION", "procedure": "PROCEDURE", "aggregate": "AGGREGATE"}[fn.kind]
        stmts = [_Stmt(_function_sql(fn), _path(a.default for a in fn.arguments))]
        stmts += _comment_on(what, sig, fn.comment)
        stmts += _grants("PROCEDURE" if fn.kind == "procedure" else "FUNCTION", sig, fn.grants)
        self.g.add(node, stmts)
        self.depend_schema(node, fn.schema)
        types = [a.type for a in fn.arguments]
        if fn.returns:
            types.append(fn.returns)
        self.depend_all(node, (self.type_node(t) for t in types))
        self.extension_types(node)
        self.depend_all(node, self.expr_nodes(a.default for a in fn.arguments))
        if fn.kind == "aggregate":
            for (schema, name), keys in self.functions_by_name.items():
                if schema == fn.schema and name == fn.name:
                    continue
                if re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", fn.body):
                    self.depend_all(
                        node,
                        (
                            self.function_node(k)
                            for k in keys
                            if self.s.functions[k].kind != "aggregate"
                        ),
                    )
        elif fn.language.lower() == "sql":
            body = fn.body.strip()
            if _is_sql_standard_body(body):
                # BEGIN ATOMIC / RETURN bodies are parsed at creation: a hard dependency.
                refs = self.refs_nodes(_scan_sql(_function_sql(fn)), fn.schema)
                overloads = {
                    self.function_node(k) for k in self.functions_by_name[(fn.schema, fn.name)]
                }
                self.depend_all(node, refs - overloads)
            else:
                # A string body is only checked when check_function_bodies is on (we turn it
                # off), so what it reads is a preference: after those tables, unless a table
                # needs the function first.
                refs = self.refs_nodes(_scan_sql(body), fn.schema)
                self.depend_all(node, refs, soft=True)

    # tables

    def collation(self, name: str) -> str:
        return _dotted(name, self.known_schemas)

    def table(self, t: Table) -> None:
        node = self.table_node(t.key)
        name = qualified(t.schema, t.name)
        parents = self.parents(t)
        ancestors = self.ancestors(t)
        inherited = {c.name: c for p in parents for c in p.columns}
        parent_checks = {c.name for p in ancestors for c in p.checks.values() if not c.no_inherit}
        stmts: list[_Stmt] = []
        exprs: list[Expr | None] = []
        for c in t.columns:
            exprs += [c.default, c.generated.expr if c.generated else None]
        exprs += [chk.expr for chk in t.checks.values()]
        for ex in t.exclusions.values():
            exprs += [ex.where, *(e.element.expr for e in ex.elements)]
        if t.partition_by:
            exprs += [e.expr for e in t.partition_by.elements]
        path = _path(exprs)

        alters: list[str] = []  # constraints and column changes that cannot be inline
        inline: list[str] = []
        if t.partition_of:
            head = (
                f"CREATE {'UNLOGGED ' if t.unlogged else ''}TABLE {name} PARTITION OF "
                f"{_qkey(t.partition_of)}"
            )
            bound = t.partition_bound.text.strip() if t.partition_bound else "DEFAULT"
            if not re.match(r"(?i)^(for\s+values|default)\b", bound):
                bound = f"FOR VALUES {bound}"
            head += f" {bound}"
        else:
            head = f"CREATE {'UNLOGGED ' if t.unlogged else ''}TABLE {name}"
        for c in t.columns:
            parent_col = inherited.get(c.name)
            if parent_col is None and not t.partition_of:
                inline.append(self.column_sql(c))
            elif parent_col is not None:
                alters += _inherited_column_changes(c, parent_col)

        own = _own_constraints(t, ancestors, parent_checks)
        for cons_sql, valid, inline_ok in own:
            if t.partition_of or not inline_ok:
                alters.append(f"ADD {cons_sql}" + ("" if valid else " NOT VALID"))
            else:
                inline.append(cons_sql)

        sql = head
        if not t.partition_of:
            body = ",\n    ".join(inline)
            sql += f" (\n    {body}\n)" if inline else " ()"
            if t.inherits:
                sql += f" INHERITS ({', '.join(_qkey(p) for p in t.inherits)})"
        if t.partition_by:
            elems = ", ".join(self.element_sql(e, partition=True) for e in t.partition_by.elements)
            sql += f" PARTITION BY {t.partition_by.strategy} ({elems})"
        if t.options:
            sql += f" WITH ({', '.join(t.options)})"
        stmts.append(_Stmt(sql, path))
        stmts += [_Stmt(f"ALTER TABLE {name} {a}", path) for a in alters]
        if t.rls_enabled:
            stmts.append(_Stmt(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY"))
        if t.rls_forced:
            stmts.append(_Stmt(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY"))
        stmts += _comment_on("TABLE", name, t.comment)
        for c in t.columns:
            stmts += _comment_on("COLUMN", f"{name}.{quote_ident(c.name)}", c.comment)
        constraints: list[PrimaryKey | Unique | Check | Exclusion] = [
            *([t.primary_key] if t.primary_key else []),
            *t.uniques.values(),
            *t.checks.values(),
            *t.exclusions.values(),
        ]
        for con in constraints:
            stmts += _comment_on("CONSTRAINT", f"{quote_ident(con.name)} ON {name}", con.comment)
        stmts += _grants("TABLE", name, t.grants)
        self.g.add(node, stmts)

        self.depend_schema(node, t.schema)
        for p in (t.partition_of,) if t.partition_of else t.inherits:
            self.g.depend(node, self.table_node(p))
        self.depend_all(node, (self.type_node(c.type) for c in t.columns))
        elements = [e.element for ex in t.exclusions.values() for e in ex.elements]
        elements += t.partition_by.elements if t.partition_by else ()
        collations = [c.collation for c in t.columns] + [e.collation for e in elements]
        self.depend_all(node, (self.collation_node(c) for c in collations))
        self.extension_types(node)
        self.depend_all(node, self.expr_nodes(exprs))

        for fk in t.foreign_keys.values():
            if any(
                _same_fk(fk, pfk)
                for p in ancestors
                if t.partition_of
                for pfk in p.foreign_keys.values()
            ):
                continue  # cloned from the parent
            self.foreign_key(t, fk)

    def parents(self, t: Table) -> list[Table]:
        keys = (t.partition_of,) if t.partition_of else t.inherits
        return [self.s.tables[p] for p in keys if p in self.s.tables]

    def ancestors(self, t: Table) -> list[Table]:
        """Parents, their parents ... (each once; a cycle in a bad model stops the walk)."""
        out: dict[str, Table] = {}
        todo = self.parents(t)
        while todo:
            p = todo.pop(0)
            if p.key not in out and p.key != t.key:
                out[p.key] = p
                todo += self.parents(p)
        return list(out.values())

    def column_sql(self, c: Column) -> str:
        parts = [quote_ident(c.name), type_sql(c.type)]
        if c.collation:
            parts.append(f"COLLATE {self.collation(c.collation)}")
        if c.generated is not None:
            kind = "STORED" if c.generated.stored else "VIRTUAL"
            parts.append(f"GENERATED ALWAYS AS ({c.generated.expr.text}) {kind}")
        elif c.identity is not None:
            parts.append(_identity_sql(c.identity))
        elif c.default is not None:
            parts.append(_default_sql(c.default))
        if not c.nullable:
            parts.append("NOT NULL")
        return " ".join(parts)

    def element_sql(self, e: IndexElement, *, partition: bool = False) -> str:
        out = quote_ident(e.column) if e.column is not None else f"({e.expr})"
        if e.collation:
            out += f" COLLATE {self.collation(e.collation)}"
        if e.opclass:
            out += f" {_dotted(e.opclass, self.known_schemas)}"
        if partition:
            return out
        if e.descending:
            out += " DESC"
        if e.nulls_first is not None and e.nulls_first != e.descending:
            out += " NULLS FIRST" if e.nulls_first else " NULLS LAST"
        return out

    def foreign_key(self, t: Table, fk: ForeignKey) -> None:
        node = (_RANK["fk"], f"{t.key}.{fk.name}", "fk")
        name = qualified(t.schema, t.name)
        sql = f"ALTER TABLE {name} ADD {foreign_key_clause(fk)}"
        if not fk.validated:
            sql += " NOT VALID"
        stmts = [_Stmt(sql)]
        stmts += _comment_on("CONSTRAINT", f"{quote_ident(fk.name)} ON {name}", fk.comment)
        self.g.add(node, stmts)
        self.g.depend(node, self.table_node(t.key))
        self.g.depend(node, self.relation_node(fk.ref_table))
        # A key may rest on a unique index rather than a constraint.
        for ix_key in self.unique_indexes.get(fk.ref_table, ()):
            self.g.depend(node, (_RANK["index"], ix_key, "index"))

    # views

    def view(self, v: View) -> None:
        node = self.view_node(v.key)
        name = qualified(v.schema, v.name)
        kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        stmts = [_Stmt(view_sql(v), _schema_of(v.query))]
        stmts += _comment_on(kind, name, v.comment)
        for col, text in v.column_comments.items():
            stmts += _comment_on("COLUMN", f"{name}.{quote_ident(col)}", text)
        stmts += _grants("TABLE", name, v.grants)
        self.g.add(node, stmts)
        self.depend_schema(node, v.schema)
        self.extension_types(node)
        self.depend_all(node, self.refs_nodes(_scan_sql(v.query.text), _schema_of(v.query)))

    # indexes, triggers, rules, policies

    def index_sql(self, ix: Index, *, concurrently: bool = False) -> str:
        table = qualified(ix.schema, ix.table)
        elems = ", ".join(self.element_sql(e) for e in ix.elements)
        conc = "CONCURRENTLY " if concurrently else ""
        sql = (
            f"CREATE {'UNIQUE ' if ix.unique else ''}INDEX {conc}{quote_ident(ix.name)} ON {table}"
            f"{'' if ix.method == 'btree' else ' USING ' + quote_ident(ix.method)} ({elems})"
        )
        if ix.include:
            sql += f" INCLUDE ({_idents(ix.include)})"
        if ix.nulls_not_distinct:
            sql += " NULLS NOT DISTINCT"
        if ix.where is not None:
            sql += f" WHERE ({ix.where.text})"
        return sql

    def index(self, ix: Index) -> None:
        node = (_RANK["index"], ix.key, "index")
        exprs = [ix.where, *(e.expr for e in ix.elements)]
        stmts = [_Stmt(self.index_sql(ix), _path(exprs))]
        stmts += _comment_on("INDEX", qualified(ix.schema, ix.name), ix.comment)
        self.g.add(node, stmts)
        self.g.depend(node, self.relation_node(ix.table_key))
        self.depend_all(node, (self.collation_node(e.collation) for e in ix.elements))
        self.extension_types(node)
        self.depend_all(node, self.expr_nodes(exprs))

    def trigger(self, tr: Trigger) -> None:
        node = (_RANK["trigger"], tr.key, "trigger")
        table = qualified(tr.schema, tr.table)
        fschema, fname = _trigger_function(tr)
        stmts = [_Stmt(trigger_sql(tr), _schema_of(tr.when) if tr.when else None)]
        if tr.enabled != "O":
            stmts.append(_Stmt(trigger_enable_sql(tr)))
        stmts += _comment_on("TRIGGER", f"{quote_ident(tr.name)} ON {table}", tr.comment)
        self.g.add(node, stmts)
        self.g.depend(node, self.relation_node(f"{tr.schema}.{tr.table}"))
        self.depend_all(
            node, (self.function_node(k) for k in self.functions_by_name.get((fschema, fname), ()))
        )
        self.depend_all(node, self.expr_nodes([tr.when]))

    def rule(self, r: Rule) -> None:
        node = (_RANK["rule"], r.key, "rule")
        path = _schema_of(r.definition)
        table = qualified(r.schema, r.table)
        stmts = [_Stmt(_strip_semicolon(r.definition.text), path)]
        stmts += _comment_on("RULE", f"{quote_ident(r.name)} ON {table}", r.comment)
        self.g.add(node, stmts)
        self.g.depend(node, self.relation_node(f"{r.schema}.{r.table}"))
        self.depend_all(node, self.refs_nodes(_scan_sql(r.definition.text), path))

    def policy(self, p: Policy) -> None:
        node = (_RANK["policy"], p.key, "policy")
        table = qualified(p.schema, p.table)
        stmts = [_Stmt(policy_sql(p), _path([p.using, p.with_check]))]
        stmts += _comment_on("POLICY", f"{quote_ident(p.name)} ON {table}", p.comment)
        self.g.add(node, stmts)
        self.g.depend(node, self.relation_node(f"{p.schema}.{p.table}"))
        self.depend_all(node, self.expr_nodes([p.using, p.with_check]))


class SchemaSql:
    """The statements and dependencies of single objects of one schema, built on demand.

    The diff (:mod:`dbdesign.diff`) creates, drops and orders objects one by one with exactly the
    statements :func:`emit_schema` would write for them: one renderer for both. Kinds are the
    graph's: ``schema``, ``extension``, ``collation``, ``enum``, ``domain``, ``composite``,
    ``sequence``, ``owned`` (a sequence's OWNED BY), ``function``, ``aggregate``, ``table``,
    ``fk``, ``view``, ``index``, ``trigger``, ``rule``, ``policy``.
    """

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._b = _Builder(schema)

    def _node(self, kind: str, key: str) -> Node:
        rank = _RANK["type"] if kind in ("enum", "domain", "composite") else _RANK[kind]
        node = (rank, key, kind)
        if node in self._b.g.stmts:
            return node
        s, b = self.schema, self._b
        if kind == "schema":
            b.namespace(s.namespaces[key])
        elif kind == "extension":
            b.extension(s.extensions[key])
        elif kind == "collation":
            b.collation_object(s.collations[key])
        elif kind == "enum":
            b.enum(s.enums[key])
        elif kind == "domain":
            b.domain(s.domains[key])
        elif kind == "composite":
            b.composite(s.composite_types[key])
        elif kind in ("sequence", "owned"):
            b.sequence(s.sequences[key])
        elif kind in ("function", "aggregate"):
            b.function(s.functions[key])
        elif kind == "table":
            b.table(s.tables[key])
        elif kind == "view":
            b.view(s.views[key])
        elif kind == "index":
            b.index(s.indexes[key])
        elif kind == "trigger":
            b.trigger(s.triggers[key])
        elif kind == "rule":
            b.rule(s.rules[key])
        elif kind == "policy":
            b.policy(s.policies[key])
        else:  # pragma: no cover - a programming error
            raise KeyError(kind)
        return node

    def statements(self, kind: str, key: str) -> list[tuple[str, str | None]]:
        """The object's statements as ``emit_schema`` writes them: (sql, search_path schema)."""
        return [(st.sql, st.path) for st in self._b.g.stmts.get(self._node(kind, key), [])]

    def depends(self, kind: str, key: str) -> set[tuple[str, str]]:
        """The objects (kind, key) this one needs first, hard and soft dependencies alike."""
        node = self._node(kind, key)
        g = self._b.g
        return {(n[2], n[1]) for n in g.deps.get(node, set()) | g.soft.get(node, set())}

    def expr_depends(self, exprs: Iterable[Expr | None]) -> set[tuple[str, str]]:
        return {(n[2], n[1]) for n in self._b.expr_nodes(exprs)}

    def type_depends(self, t: DataType | str) -> set[tuple[str, str]]:
        """The modelled type a column type names (and every extension, which may provide it)."""
        node = self._b.type_node(t)
        out = {(node[2], node[1])} if node is not None else set()
        return out | {("extension", e) for e in self.schema.extensions}

    def column_depends(self, c: Column) -> set[tuple[str, str]]:
        exprs = [c.default, c.generated.expr if c.generated else None]
        coll = {("collation", n) for n in (c.collation,) if n and n in self.schema.collations}
        return self.type_depends(c.type) | self.expr_depends(exprs) | coll

    def depends_hard(self, kind: str, key: str) -> set[tuple[str, str]]:
        """Like :meth:`depends`, without the soft dependencies (a function body's tables)."""
        node = self._node(kind, key)
        return {(n[2], n[1]) for n in self._b.g.deps.get(node, set())}

    @staticmethod
    def sql_columns(sql: str) -> tuple[frozenset[str], bool]:
        """Column names a statement's text refers to, and whether it selects ``*``."""
        refs = _scan_sql(sql)
        return frozenset(refs.columns), refs.star

    @staticmethod
    def expr_columns(exprs: Iterable[Expr | None]) -> frozenset[str]:
        out: set[str] = set()
        for e in exprs:
            if e is not None:
                out |= _scan_expr(e.text).columns
        return frozenset(out)

    def sql_depends(self, sql: str, path: str | None) -> set[tuple[str, str]]:
        """Objects an SQL statement's text mentions (relations, functions, types, sequences)."""
        return {(n[2], n[1]) for n in self._b.refs_nodes(_scan_sql(sql), path)}

    def column_sql(self, c: Column) -> str:
        return self._b.column_sql(c)

    def element_sql(self, e: IndexElement) -> str:
        return self._b.element_sql(e)

    def index_sql(self, ix: Index, *, concurrently: bool = False) -> str:
        return self._b.index_sql(ix, concurrently=concurrently)

    def collation(self, name: str) -> str:
        return self._b.collation(name)

    def owned_by(self, seq: Sequence) -> tuple[str, str] | None:
        """(table key, column) of a sequence's OWNED BY, or None."""
        return self._b._owned_by(seq.owned_by) if seq.owned_by else None

    def drop(self, kind: str, key: str) -> list[str]:
        """The DROP statements ``emit_drop_schema`` writes for one object."""
        return _drop_sql(self.schema, kind, key)


# --------------------------------------------------------------------------- pieces


def _trigger_function(tr: Trigger) -> tuple[str, str]:
    return split_qualified(tr.function) if "." in tr.function else ("public", tr.function)


def trigger_sql(tr: Trigger) -> str:
    """``CREATE [CONSTRAINT] TRIGGER ...``."""
    events = []
    for ev in tr.events:
        if ev.upper() == "UPDATE" and tr.columns:
            events.append(f"UPDATE OF {_idents(tr.columns)}")
        else:
            events.append(ev.upper())
    sql = (
        f"CREATE {'CONSTRAINT ' if tr.constraint else ''}TRIGGER {quote_ident(tr.name)} "
        f"{tr.timing} {' OR '.join(events)} ON {qualified(tr.schema, tr.table)}"
    )
    sql += _deferrable(tr.deferrable, tr.initially_deferred)
    sql += f" FOR EACH {tr.level}"
    if tr.when is not None:
        sql += f" WHEN ({tr.when.text})"
    fschema, fname = _trigger_function(tr)
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


def policy_sql(p: Policy) -> str:
    """``CREATE POLICY ...``."""
    sql = f"CREATE POLICY {quote_ident(p.name)} ON {qualified(p.schema, p.table)}"
    if not p.permissive:
        sql += " AS RESTRICTIVE"
    if p.command != "ALL":
        sql += f" FOR {p.command}"
    sql += policy_roles_sql(p)
    if p.using is not None:
        sql += f" USING ({p.using.text})"
    if p.with_check is not None:
        sql += f" WITH CHECK ({p.with_check.text})"
    return sql


def policy_roles_sql(p: Policy) -> str:
    if tuple(r.upper() for r in p.roles) != ("PUBLIC",) and p.roles:
        return f" TO {', '.join(_grantee(r) for r in p.roles)}"
    return ""


def _type_name(text: str) -> str | None:
    s = text.strip()
    if s.upper().startswith("SETOF "):
        s = s[6:]
    try:
        return parse_type_string(s).name
    except Exception:  # pragma: no cover
        return None


def _schema_of(e: Expr) -> str | None:
    """The schema an expression's unqualified names resolve to (None: public)."""
    schema: str | None = getattr(e, "schema", None)
    return schema


def _path(exprs: Iterable[Expr | None]) -> str | None:
    for e in exprs:
        if e is not None and _schema_of(e) is not None:
            return _schema_of(e)
    return None


def _comment(text: str | None) -> str:
    return "NULL" if text is None else quote_literal(text)


def _comment_on(what: str, name: str, text: str | None) -> list[_Stmt]:
    return [] if text is None else [_Stmt(f"COMMENT ON {what} {name} IS {quote_literal(text)}")]


def _grant_sort(g: Grant) -> tuple[str, str, bool]:
    return (g.grantee, g.privilege, g.grantable)


def _grants(what: str, name: str, grants: Iterable[Grant]) -> list[_Stmt]:
    """One GRANT per grantee and grant option, privileges in a fixed order."""
    groups: dict[tuple[str, bool], list[str]] = {}
    for g in sorted(grants, key=_grant_sort):
        groups.setdefault((g.grantee, g.grantable), []).append(g.privilege.upper())
    out = []
    for (grantee, grantable), privs in sorted(groups.items()):
        sql = f"GRANT {', '.join(privs)} ON {what} {name} TO {_grantee(grantee)}"
        out.append(_Stmt(sql + (" WITH GRANT OPTION" if grantable else "")))
    return out


def _identity_sql(ident: Identity) -> str:
    opts = []
    if ident.start is not None:
        opts.append(f"START WITH {ident.start}")
    if ident.increment is not None:
        opts.append(f"INCREMENT BY {ident.increment}")
    if ident.min_value is not None:
        opts.append(f"MINVALUE {ident.min_value}")
    if ident.max_value is not None:
        opts.append(f"MAXVALUE {ident.max_value}")
    if ident.cache is not None:
        opts.append(f"CACHE {ident.cache}")
    if ident.cycle:
        opts.append("CYCLE")
    sql = f"GENERATED {'ALWAYS' if ident.always else 'BY DEFAULT'} AS IDENTITY"
    return sql + (f" ({' '.join(opts)})" if opts else "")


def _collation_sql(name: str, c: Collation) -> str:
    if c.provider == "libc":
        opts = [f"lc_collate = {quote_literal(c.lc_collate or 'C')}"]
        opts.append(f"lc_ctype = {quote_literal(c.lc_ctype or 'C')}")
    else:
        opts = [f"locale = {quote_literal(c.locale or '')}"]
    if not c.deterministic:
        opts.append("deterministic = false")
    if c.rules is not None:
        opts.append(f"rules = {quote_literal(c.rules)}")
    return f"CREATE COLLATION {name} (provider = {c.provider}, {', '.join(opts)})"


def _sequence_sql(name: str, seq: Sequence) -> str:
    sql = f"CREATE SEQUENCE {name}"
    if seq.type.name != "bigint":
        sql += f" AS {type_sql(seq.type)}"
    if seq.increment > 0:
        default_start = seq.min_value if seq.min_value is not None else 1
    else:
        default_start = seq.max_value if seq.max_value is not None else -1
    if seq.start != default_start:
        sql += f" START WITH {seq.start}"
    if seq.increment != 1:
        sql += f" INCREMENT BY {seq.increment}"
    if seq.min_value is not None:
        sql += f" MINVALUE {seq.min_value}"
    if seq.max_value is not None:
        sql += f" MAXVALUE {seq.max_value}"
    if seq.cache != 1:
        sql += f" CACHE {seq.cache}"
    if seq.cycle:
        sql += " CYCLE"
    return sql


def _inherited_column_changes(c: Column, parent: Column) -> list[str]:
    """ALTER TABLE clauses for an inherited column that differs from its parent's."""
    col = quote_ident(c.name)
    out = []
    if c.default != parent.default and c.generated is None and c.identity is None:
        out.append(
            f"ALTER COLUMN {col} SET {_default_sql(c.default)}"
            if c.default is not None
            else f"ALTER COLUMN {col} DROP DEFAULT"
        )
    if not c.nullable and parent.nullable:
        out.append(f"ALTER COLUMN {col} SET NOT NULL")
    return out


def _same_fk(a: ForeignKey, b: ForeignKey) -> bool:
    return (a.columns, a.ref_table, a.ref_columns) == (b.columns, b.ref_table, b.ref_columns)


def _own_constraints(
    t: Table, parents: list[Table], parent_checks: set[str]
) -> list[tuple[str, bool, bool]]:
    """The table's constraints as ``CONSTRAINT ...`` clauses with (valid, inline), leaving out
    what a partition or an inheritance child gets from its parent.

    CREATE TABLE merges key constraints with the same definition into one index, so a repeat
    (a UNIQUE equal to the primary key, say) is not inline but added by ALTER TABLE.
    """
    out: list[tuple[str, bool, bool]] = []
    part_parents = parents if t.partition_of else []
    seen: set[tuple[object, ...]] = set()

    def first(sig: tuple[object, ...]) -> bool:
        new = sig not in seen
        seen.add(sig)
        return new

    pk = t.primary_key
    if pk is not None and not any(p.primary_key for p in part_parents):
        first((pk.columns, pk.include, False, pk.deferrable, pk.initially_deferred))
        out.append((primary_key_clause(pk), True, True))
    parent_uniques = {u.columns for p in part_parents for u in p.uniques.values()}
    for u in t.uniques.values():
        if u.columns in parent_uniques:
            continue
        inline = first(
            (u.columns, u.include, u.nulls_not_distinct, u.deferrable, u.initially_deferred)
        )
        out.append((unique_clause(u), True, inline))
    for chk in t.checks.values():
        if chk.name in parent_checks:
            continue
        out.append((check_clause(chk), chk.validated, chk.validated))
    parent_excl = {e.name for p in part_parents for e in p.exclusions.values()}
    for ex in t.exclusions.values():
        if ex.name in parent_excl:
            continue
        inline = first(("excl", dataclasses.replace(ex, name="", comment=None)))
        out.append((exclusion_clause(ex), True, inline))
    return out


def view_sql(v: View, *, or_replace: bool = False) -> str:
    """``CREATE [OR REPLACE] [MATERIALIZED] VIEW ... AS query``."""
    kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
    sql = f"CREATE {'OR REPLACE ' if or_replace else ''}{kind} {qualified(v.schema, v.name)}"
    if v.column_names:
        sql += f" ({_idents(v.column_names)})"
    options = [
        o for o in v.options if not (v.check_option and o.lower().startswith("check_option"))
    ]
    if options:
        sql += f" WITH ({', '.join(options)})"
    sql += f" AS\n{_strip_semicolon(v.query.text)}"
    if v.check_option:
        sql += f"\n  WITH {v.check_option} CHECK OPTION"
    return sql


def primary_key_clause(pk: PrimaryKey, *, using_index: bool = False) -> str:
    """``CONSTRAINT name PRIMARY KEY (...)``; with ``using_index``, ``... PRIMARY KEY USING INDEX
    name`` (the index of the same name built beforehand)."""
    sql = f"CONSTRAINT {quote_ident(pk.name)} PRIMARY KEY"
    if using_index:
        sql += f" USING INDEX {quote_ident(pk.name)}"
    else:
        sql += f" ({_idents(pk.columns)})"
        if pk.include:
            sql += f" INCLUDE ({_idents(pk.include)})"
    return sql + _deferrable(pk.deferrable, pk.initially_deferred)


def unique_clause(u: Unique, *, using_index: bool = False) -> str:
    """``CONSTRAINT name UNIQUE (...)`` (or ``UNIQUE USING INDEX name``)."""
    if using_index:
        sql = f"CONSTRAINT {quote_ident(u.name)} UNIQUE USING INDEX {quote_ident(u.name)}"
    else:
        nnd = " NULLS NOT DISTINCT" if u.nulls_not_distinct else ""
        sql = f"CONSTRAINT {quote_ident(u.name)} UNIQUE{nnd} ({_idents(u.columns)})"
        if u.include:
            sql += f" INCLUDE ({_idents(u.include)})"
    return sql + _deferrable(u.deferrable, u.initially_deferred)


def check_clause(chk: Check) -> str:
    """``CONSTRAINT name CHECK (...)`` (without NOT VALID)."""
    sql = f"CONSTRAINT {quote_ident(chk.name)} CHECK ({chk.expr.text})"
    if chk.no_inherit:
        sql += " NO INHERIT"
    return sql


def foreign_key_clause(fk: ForeignKey) -> str:
    """``CONSTRAINT name FOREIGN KEY (...) REFERENCES ...`` (without NOT VALID)."""
    sql = (
        f"CONSTRAINT {quote_ident(fk.name)} FOREIGN KEY "
        f"({_idents(fk.columns)}) REFERENCES {_qkey(fk.ref_table)} "
        f"({_idents(fk.ref_columns)})"
    )
    if fk.match != "SIMPLE":
        sql += f" MATCH {fk.match}"
    if fk.on_update != "NO ACTION":
        sql += f" ON UPDATE {fk.on_update}"
    if fk.on_delete != "NO ACTION":
        sql += f" ON DELETE {fk.on_delete}"
    return sql + _deferrable(fk.deferrable, fk.initially_deferred)


def exclusion_clause(ex: Exclusion) -> str:
    elems = []
    for el in ex.elements:
        e = el.element
        text = quote_ident(e.column) if e.column is not None else f"({e.expr})"
        if e.collation:
            text += f" COLLATE {_dotted(e.collation)}"
        if e.opclass:
            text += f" {_dotted(e.opclass)}"
        if e.descending:
            text += " DESC"
        if e.nulls_first is not None and e.nulls_first != e.descending:
            text += " NULLS FIRST" if e.nulls_first else " NULLS LAST"
        elems.append(f"{text} WITH {el.operator}")
    sql = (
        f"CONSTRAINT {quote_ident(ex.name)} EXCLUDE USING {quote_ident(ex.method)} "
        f"({', '.join(elems)})"
    )
    if ex.include:
        sql += f" INCLUDE ({_idents(ex.include)})"
    if ex.where is not None:
        sql += f" WHERE ({ex.where.text})"
    return sql + _deferrable(ex.deferrable, ex.initially_deferred)


# functions

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
    parts.append(_type_text(a.type))
    if a.default is not None:
        parts.append(f"DEFAULT {a.default.text}")
    return " ".join(parts)


def _signature(fn: Function) -> str:
    """The name and input argument types that identify a routine in COMMENT, GRANT, DROP."""
    ins = [_type_text(a.type) for a in fn.arguments if a.mode in ("IN", "INOUT", "VARIADIC")]
    if fn.kind == "aggregate" and not ins:
        return f"{qualified(fn.schema, fn.name)}(*)"
    return f"{qualified(fn.schema, fn.name)}({', '.join(ins)})"


def _is_sql_standard_body(body: str) -> bool:
    return re.match(r"(?is)^(begin\s+atomic\b|return\b)", body.strip()) is not None


def _dollar_quote(body: str) -> str:
    n = 0
    while True:
        tag = f"$body{n or ''}$"
        if (body + tag).find(tag) == len(body):
            return f"{tag}{body}{tag}"
        n += 1


def _function_sql(fn: Function, *, or_replace: bool = False) -> str:
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
        table_args = [a for a in fn.arguments if a.mode == "TABLE"]
        if table_args:
            cols = ", ".join(
                f"{quote_ident(a.name or '')} {_type_text(a.type)}" for a in table_args
            )
            lines[0] += f" RETURNS TABLE({cols})"
        elif fn.returns and fn.returns.strip().upper().startswith("TABLE"):
            lines[0] += f" RETURNS {fn.returns.strip()}"
        else:
            lines[0] += f" RETURNS {_type_text(fn.returns or 'void')}"
    attrs = [f"LANGUAGE {quote_ident(fn.language)}"]
    if fn.kind == "function":
        if fn.volatility != "VOLATILE":
            attrs.append(fn.volatility)
        if fn.strict:
            attrs.append("STRICT")
        if fn.leakproof:
            attrs.append("LEAKPROOF")
        if fn.parallel != "UNSAFE":
            attrs.append(f"PARALLEL {fn.parallel}")
    if fn.security_definer:
        attrs.append("SECURITY DEFINER")
    lines.append("    " + " ".join(attrs))
    lines += [f"    {_config_sql(c)}" for c in fn.config]
    body = fn.body
    if fn.language.lower() == "sql" and _is_sql_standard_body(body):
        lines.append(body.strip())
    else:
        lines.append(f"AS {_dollar_quote(body)}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- rendering


# The small renderers the diff shares (dbdesign.emit.postgres_ops).
default_sql = _default_sql
identity_sql = _identity_sql
sequence_sql = _sequence_sql
function_sql = _function_sql
function_signature = _signature
type_text = _type_text
qualified_key = _qkey
grantee_sql = _grantee
strip_semicolon = _strip_semicolon
schema_of = _schema_of


def _render(nodes: Iterable[list[_Stmt]], header: str = HEADER) -> str:
    out = [header] if header else []
    current: str = "public"
    for stmts in nodes:
        chunk: list[str] = []
        for st in stmts:
            want = st.path or "public"
            if want != current:
                path = quote_ident(want) if want == "public" else f"{quote_ident(want)}, public"
                chunk.append(f"SET search_path = {path};")
                current = want
            chunk.append(st.sql + ";")
        if chunk:
            out.append("\n".join(chunk) + "\n")
    if current != "public":
        out.append("SET search_path = public;\n")
    return "\n".join(out)


def _ordered(schema: Schema) -> Iterator[tuple[Node, list[_Stmt]]]:
    graph = _Builder(schema).build()
    for node in graph.order():
        yield node, graph.stmts[node]


def emit_schema(schema: Schema) -> str:
    """A DDL script that recreates ``schema`` in a fresh PostgreSQL 15/16 database.

    Raises :class:`~dbdesign.errors.DbdesignError` when the objects' dependencies form a cycle.
    """
    return _render(stmts for _, stmts in _ordered(schema))


def emit_drop_schema(schema: Schema) -> str:
    """DROP statements that undo :func:`emit_schema`, in reverse dependency order.

    Constraints other than foreign keys, comments and grants go with their objects; a sequence
    owned by a column goes with its table (hence ``IF EXISTS``).
    """
    out: list[list[_Stmt]] = []
    for (_, key, kind), _stmts in reversed(list(_ordered(schema))):
        sql = _drop_sql(schema, kind, key)
        if sql:
            out.append([_Stmt(s) for s in sql])
    return _render(out, header="")


def _drop_sql(schema: Schema, kind: str, key: str) -> list[str]:
    if kind == "fk":
        for t in schema.tables.values():
            if key.startswith(t.key + ".") and key[len(t.key) + 1 :] in t.foreign_keys:
                fk = key[len(t.key) + 1 :]
                return [
                    f"ALTER TABLE {qualified(t.schema, t.name)} DROP CONSTRAINT {quote_ident(fk)}"
                ]
        return []
    if kind == "view":
        v = schema.views[key]
        what = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        return [f"DROP {what} {qualified(v.schema, v.name)}"]
    if kind == "table":
        return [f"DROP TABLE {_qkey(key)}"]
    if kind == "sequence":
        seq = schema.sequences[key]
        exists = " IF EXISTS" if seq.owned_by else ""
        return [f"DROP SEQUENCE{exists} {qualified(seq.schema, seq.name)}"]
    if kind in ("function", "aggregate"):
        fn = schema.functions[key]
        return [f"DROP {fn.kind.upper()} {_signature(fn)}"]
    if kind in ("enum", "composite"):
        return [f"DROP TYPE {_qkey(key)}"]
    if kind == "domain":
        return [f"DROP DOMAIN {_qkey(key)}"]
    if kind == "extension":
        return [f"DROP EXTENSION {quote_ident(key)}"]
    if kind == "collation":
        return [f"DROP COLLATION {_qkey(key)}"]
    if kind == "schema":
        if key != "public":
            return [f"DROP SCHEMA {quote_ident(key)}"]
        ns = schema.namespaces[key]
        out = []
        if ns.comment != PUBLIC_DEFAULT_COMMENT:
            out.append(f"COMMENT ON SCHEMA public IS {_comment(PUBLIC_DEFAULT_COMMENT)}")
        for g in sorted(ns.grants - PUBLIC_DEFAULT_GRANTS, key=_grant_sort):
            out.append(f"REVOKE {g.privilege} ON SCHEMA public FROM {_grantee(g.grantee)}")
        for g in sorted(PUBLIC_DEFAULT_GRANTS - ns.grants, key=_grant_sort):
            out.append(f"GRANT {g.privilege} ON SCHEMA public TO {_grantee(g.grantee)}")
        return out
    if kind == "index":
        ix = schema.indexes[key]
        return [f"DROP INDEX {qualified(ix.schema, ix.name)}"]
    if kind in ("trigger", "rule", "policy"):
        obj: Trigger | Rule | Policy = (
            schema.triggers[key]
            if kind == "trigger"
            else schema.rules[key]
            if kind == "rule"
            else schema.policies[key]
        )
        return [
            f"DROP {kind.upper()} {quote_ident(obj.name)} ON {qualified(obj.schema, obj.table)}"
        ]
    return []  # OWNED BY goes with the sequence
