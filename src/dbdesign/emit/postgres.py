"""Schema -> PostgreSQL DDL.

:func:`emit_schema` renders a whole :class:`~dbdesign.model.Schema` as a script that loads into a
fresh PostgreSQL 15/16 database (where ``public`` already exists) and recreates exactly the model;
:func:`emit_drop_schema` renders the DROP statements that undo it.

Every object becomes a *node* holding its statements. Nodes depend on each other (a table on the
types of its columns and the sequences and functions its defaults call, a view on the relations
its query reads, a foreign key on both tables ...); the order comes from
:func:`dbdesign.graph.topological_order`, breaking ties by a fixed rank per kind and then by key,
so the same model always gives the same text. References inside expressions are found by parsing
them with pglast and walking RangeVar, FuncCall and TypeName nodes.

Identifiers are always quoted with :func:`~dbdesign.dialects.postgres.quote_ident`; expressions
(:class:`~dbdesign.model.Expr`) are emitted as their text, under a ``search_path`` set to the schema
the expression was written for (``Expr.schema``, default ``public``).

The pieces live beside this module, each importing only the ones above it:

- :mod:`~dbdesign.emit.pg_text`: literals, quoted names, defaults, comments, grants;
- :mod:`~dbdesign.emit.pg_refs`: the names an SQL text mentions (pglast);
- :mod:`~dbdesign.emit.pg_graph`: statement groups and their dependency order;
- :mod:`~dbdesign.emit.pg_clauses` and :mod:`~dbdesign.emit.pg_routines`: the statements and
  clauses of single objects (constraints, views, sequences ...; functions and triggers);
- :mod:`~dbdesign.emit.pg_builder`: a whole schema as a graph of those statements.

This module puts them together (:class:`SchemaSql` for the diff, :func:`emit_schema`,
:func:`emit_drop_schema`) and re-exports the renderers other modules import from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from dbdesign.dialects.postgres import qualified, quote_ident
from dbdesign.emit.pg_builder import PUBLIC_DEFAULT_COMMENT, PUBLIC_DEFAULT_GRANTS, PgGraphBuilder
from dbdesign.emit.pg_clauses import (
    check_clause,
    exclusion_clause,
    foreign_key_clause,
    identity_sql,
    policy_roles_sql,
    policy_sql,
    primary_key_clause,
    sequence_sql,
    unique_clause,
    view_sql,
)
from dbdesign.emit.pg_graph import RANK, Node
from dbdesign.emit.pg_refs import scan_expr, scan_sql
from dbdesign.emit.pg_routines import (
    function_signature,
    function_sql,
    trigger_enable_sql,
    trigger_sql,
)
from dbdesign.emit.pg_text import (
    Stmt,
    comment_literal,
    default_sql,
    grant_sort,
    grantee_sql,
    qualified_key,
    quote_literal,
    schema_of,
    strip_semicolon,
    type_text,
)
from dbdesign.model import (
    Column,
    DataType,
    Expr,
    Index,
    IndexElement,
    Policy,
    Rule,
    Schema,
    Sequence,
    Trigger,
)

# emit_schema and emit_drop_schema are this module's own; the rest are the renderers it is
# built from, importable from here as before the split (the diff and tests use them).
__all__ = [
    "HEADER",
    "PUBLIC_DEFAULT_COMMENT",
    "PUBLIC_DEFAULT_GRANTS",
    "Node",
    "SchemaSql",
    "check_clause",
    "create_index_sql",
    "default_sql",
    "emit_drop_schema",
    "emit_schema",
    "exclusion_clause",
    "foreign_key_clause",
    "function_signature",
    "function_sql",
    "grantee_sql",
    "identity_sql",
    "policy_roles_sql",
    "policy_sql",
    "primary_key_clause",
    "qualified_key",
    "quote_literal",
    "schema_of",
    "sequence_sql",
    "strip_semicolon",
    "trigger_enable_sql",
    "trigger_sql",
    "type_text",
    "unique_clause",
    "view_sql",
]

HEADER = (
    "SET check_function_bodies = false;\n"
    "SET standard_conforming_strings = on;\n"
    "SET search_path = public;\n"
)


# Kinds of node built with another kind's object: a sequence's OWNED BY, an aggregate.
_BUILT_AS = {"owned": "sequence", "aggregate": "function"}


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
        self._b = PgGraphBuilder(schema)

    def _node(self, kind: str, key: str) -> Node:
        rank = RANK["type"] if kind in ("enum", "domain", "composite") else RANK[kind]
        node = (rank, key, kind)
        if node in self._b.g.stmts:
            return node
        self._build(kind, key)
        return node

    def _build(self, kind: str, key: str) -> None:
        """Add one object's statements and dependencies to the graph (a KeyError for a kind
        that is not the graph's)."""
        s, b = self.schema, self._b
        build: dict[str, Callable[[], None]] = {
            "schema": lambda: b.namespace(s.namespaces[key]),
            "extension": lambda: b.extension(s.extensions[key]),
            "collation": lambda: b.collation_object(s.collations[key]),
            "enum": lambda: b.enum(s.enums[key]),
            "domain": lambda: b.domain(s.domains[key]),
            "composite": lambda: b.composite(s.composite_types[key]),
            "sequence": lambda: b.sequence(s.sequences[key]),
            "function": lambda: b.function(s.functions[key]),
            "table": lambda: b.table(s.tables[key]),
            "view": lambda: b.view(s.views[key]),
            "index": lambda: b.index(s.indexes[key]),
            "trigger": lambda: b.trigger(s.triggers[key]),
            "rule": lambda: b.rule(s.rules[key]),
            "policy": lambda: b.policy(s.policies[key]),
        }
        build[_BUILT_AS.get(kind, kind)]()

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
        refs = scan_sql(sql)
        return frozenset(refs.columns), refs.star

    @staticmethod
    def expr_columns(exprs: Iterable[Expr | None]) -> frozenset[str]:
        out: set[str] = set()
        for e in exprs:
            if e is not None:
                out |= scan_expr(e.text).columns
        return frozenset(out)

    def sql_depends(self, sql: str, path: str | None) -> set[tuple[str, str]]:
        """Objects an SQL statement's text mentions (relations, functions, types, sequences)."""
        return {(n[2], n[1]) for n in self._b.refs_nodes(scan_sql(sql), path)}

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
        return self._b.owned_by_column(seq.owned_by) if seq.owned_by else None

    def drop(self, kind: str, key: str) -> list[str]:
        """The DROP statements ``emit_drop_schema`` writes for one object."""
        return _drop_sql(self.schema, kind, key)


# --------------------------------------------------------------------------- rendering


def _render(nodes: Iterable[list[Stmt]], header: str = HEADER) -> str:
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


def _ordered(schema: Schema) -> Iterator[tuple[Node, list[Stmt]]]:
    graph = PgGraphBuilder(schema).build()
    for node in graph.order():
        yield node, graph.stmts[node]


def create_index_sql(schema: Schema, i: Index) -> str:
    """One ``CREATE INDEX`` statement for ``i`` of ``schema``, as :func:`emit_schema` writes it."""
    return PgGraphBuilder(schema).index_sql(i) + ";"


def emit_schema(schema: Schema) -> str:
    """A DDL script that recreates ``schema`` in a fresh PostgreSQL 15/16 database.

    Raises :class:`~dbdesign.errors.DbdesignError` when the objects' dependencies form a cycle.
    """
    return _render(stmts for _, stmts in _ordered(schema))


def emit_drop_schema(schema: Schema) -> str:
    """DROP statements that undo :func:`emit_schema`, in reverse dependency order.

    Constraints other than foreign keys, comments and grants go with their objects; a sequence
    owned by a column goes with its table (hence ``IF EXISTS``), partitions with their parent.
    """
    out: list[list[Stmt]] = []
    for (_, key, kind), _stmts in reversed(list(_ordered(schema))):
        sql = _drop_sql(schema, kind, key)
        if sql:
            out.append([Stmt(s) for s in sql])
    return _render(out, header="")


# Kinds dropped by ``DROP <word> <qualified name>`` and nothing else.
_DROP_WORD = {
    "table": "TABLE",
    "enum": "TYPE",
    "composite": "TYPE",
    "domain": "DOMAIN",
    "collation": "COLLATION",
}


def _drop_sql(schema: Schema, kind: str, key: str) -> list[str]:
    if kind == "fk":
        return _drop_fk_sql(schema, key)
    if kind == "table" and schema.tables[key].partition_of in schema.tables:
        return []  # dropped with its parent (and maybe already dropped past retention)
    if kind in _DROP_WORD:
        return [f"DROP {_DROP_WORD[kind]} {qualified_key(key)}"]
    if kind == "view":
        v = schema.views[key]
        what = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        return [f"DROP {what} {qualified(v.schema, v.name)}"]
    if kind == "sequence":
        seq = schema.sequences[key]
        exists = " IF EXISTS" if seq.owned_by else ""
        return [f"DROP SEQUENCE{exists} {qualified(seq.schema, seq.name)}"]
    if kind in ("function", "aggregate"):
        fn = schema.functions[key]
        return [f"DROP {fn.kind.upper()} {function_signature(fn)}"]
    if kind == "extension":
        return [f"DROP EXTENSION {quote_ident(key)}"]
    if kind == "schema":
        if key != "public":
            return [f"DROP SCHEMA {quote_ident(key)}"]
        return _reset_public_sql(schema)
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


def _drop_fk_sql(schema: Schema, key: str) -> list[str]:
    """The ALTER TABLE ... DROP CONSTRAINT of foreign key ``key`` (table key, dot, name)."""
    for t in schema.tables.values():
        if key.startswith(t.key + ".") and key[len(t.key) + 1 :] in t.foreign_keys:
            fk = key[len(t.key) + 1 :]
            return [f"ALTER TABLE {qualified(t.schema, t.name)} DROP CONSTRAINT {quote_ident(fk)}"]
    return []


def _reset_public_sql(schema: Schema) -> list[str]:
    """Schema public is never dropped: its comment and grants are put back as a fresh
    database has them."""
    ns = schema.namespaces["public"]
    out = []
    if ns.comment != PUBLIC_DEFAULT_COMMENT:
        out.append(f"COMMENT ON SCHEMA public IS {comment_literal(PUBLIC_DEFAULT_COMMENT)}")
    for g in sorted(ns.grants - PUBLIC_DEFAULT_GRANTS, key=grant_sort):
        out.append(f"REVOKE {g.privilege} ON SCHEMA public FROM {grantee_sql(g.grantee)}")
    for g in sorted(PUBLIC_DEFAULT_GRANTS - ns.grants, key=grant_sort):
        out.append(f"GRANT {g.privilege} ON SCHEMA public TO {grantee_sql(g.grantee)}")
    return out
