"""Schema -> a graph of statement groups, one node per object, with its dependencies.

Each object's statements are written here (with the renderers of :mod:`pg_clauses` and
:mod:`pg_routines`); references inside expressions, view queries and function bodies are
found with :mod:`pg_refs` and resolved against the model to the nodes they depend on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dbdesign.dialects.postgres import (
    CANONICAL_TYPES,
    qualified,
    quote_ident,
    split_qualified,
    type_sql,
)
from dbdesign.emit.pg_clauses import (
    collation_sql,
    foreign_key_clause,
    identity_sql,
    inherited_column_changes,
    own_constraints,
    partition_bound_sql,
    policy_sql,
    same_fk,
    sequence_sql,
    view_sql,
)
from dbdesign.emit.pg_graph import RANK, Graph, Node
from dbdesign.emit.pg_refs import Refs, scan_expr, scan_sql
from dbdesign.emit.pg_routines import (
    function_node_kind,
    function_signature,
    function_sql,
    is_sql_standard_body,
    routine_word,
    trigger_enable_sql,
    trigger_function,
    trigger_sql,
)
from dbdesign.emit.pg_text import (
    Stmt,
    comment_literal,
    comment_on,
    default_sql,
    dotted_name,
    expr_path,
    grant_sort,
    grantee_sql,
    grants_sql,
    idents,
    qualified_key,
    quote_literal,
    schema_of,
    strip_semicolon,
    type_name,
)
from dbdesign.model import (
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

# What PostgreSQL 15+ gives the ``public`` schema of a new database.
PUBLIC_DEFAULT_COMMENT = "standard public schema"
PUBLIC_DEFAULT_GRANTS = frozenset({Grant(grantee="PUBLIC", privilege="USAGE")})


class PgGraphBuilder:
    """Turns a schema into a graph of statement groups."""

    def __init__(self, schema: Schema) -> None:
        self.s = schema
        self.g = Graph()
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
            self.type_nodes[key] = (RANK["type"], key, "enum")
        for key in schema.domains:
            self.type_nodes[key] = (RANK["type"], key, "domain")
        for key in schema.composite_types:
            self.type_nodes[key] = (RANK["type"], key, "composite")
        for key in schema.tables:  # a table's row type
            self.type_nodes.setdefault(key, self.table_node(key))
        for key in schema.views:
            self.type_nodes.setdefault(key, self.view_node(key))

    # -- node names

    @staticmethod
    def table_node(key: str) -> Node:
        return (RANK["table"], key, "table")

    @staticmethod
    def view_node(key: str) -> Node:
        return (RANK["view"], key, "view")

    def relation_node(self, key: str) -> Node | None:
        if key in self.s.tables:
            return self.table_node(key)
        if key in self.s.views:
            return self.view_node(key)
        if key in self.s.sequences:
            return (RANK["sequence"], key, "sequence")
        return None

    def function_node(self, key: str) -> Node:
        kind = function_node_kind(self.s.functions[key])
        return (RANK[kind], key, kind)

    def schema_node(self, name: str) -> Node | None:
        if name in self.s.namespaces and name != "public":
            return (RANK["schema"], name, "schema")
        return None

    # -- resolving names found in text

    @staticmethod
    def _candidates(schema: str | None, name: str, path: str | None) -> list[str]:
        if schema is not None:
            return [f"{schema}.{name}"]
        return [f"{path or 'public'}.{name}", f"public.{name}"]

    def refs_nodes(self, refs: Refs, path: str | None) -> set[Node]:
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
                out |= self.refs_nodes(scan_expr(e.text), schema_of(e))
        return out

    def type_node(self, t: DataType | str) -> Node | None:
        name = t.name if isinstance(t, DataType) else type_name(t)
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
        self.depend_all(node, ((RANK["extension"], e, "extension") for e in self.s.extensions))

    # -- building

    def build(self) -> Graph:
        self.build_types()
        self.build_relations()
        return self.g

    def build_types(self) -> None:
        """The schemas, extensions, collations, types, sequences and functions."""
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

    def build_relations(self) -> None:
        """The tables and views, and the indexes, triggers, rules and policies on them."""
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

    # namespaces and extensions

    def namespace(self, ns: Namespace) -> None:
        name = quote_ident(ns.name)
        stmts: list[Stmt] = []
        if ns.name == "public":
            if ns.comment != PUBLIC_DEFAULT_COMMENT:
                stmts.append(Stmt(f"COMMENT ON SCHEMA public IS {comment_literal(ns.comment)}"))
            for g in sorted(PUBLIC_DEFAULT_GRANTS - ns.grants, key=grant_sort):
                stmts.append(
                    Stmt(f"REVOKE {g.privilege} ON SCHEMA public FROM {grantee_sql(g.grantee)}")
                )
            stmts += grants_sql("SCHEMA", name, ns.grants - PUBLIC_DEFAULT_GRANTS)
            if stmts:
                self.g.add((RANK["schema"], ns.name, "schema"), stmts)
            return
        stmts.append(Stmt(f"CREATE SCHEMA {name}"))
        stmts += comment_on("SCHEMA", name, ns.comment)
        stmts += grants_sql("SCHEMA", name, ns.grants)
        self.g.add((RANK["schema"], ns.name, "schema"), stmts)

    def extension(self, ext: Extension) -> None:
        node = (RANK["extension"], ext.name, "extension")
        sql = f"CREATE EXTENSION IF NOT EXISTS {quote_ident(ext.name)}"
        if ext.schema:
            sql += f" WITH SCHEMA {quote_ident(ext.schema)}"
            self.g.depend(node, self.schema_node(ext.schema))
        stmts = [Stmt(sql), *comment_on("EXTENSION", quote_ident(ext.name), ext.comment)]
        self.g.add(node, stmts)

    def collation_node(self, name: str | None) -> Node | None:
        """The node of a modelled collation a COLLATE names (None: the server's own)."""
        if name is None or name not in self.s.collations:
            return None
        return (RANK["collation"], name, "collation")

    def collation_object(self, c: Collation) -> None:
        node = (RANK["collation"], c.key, "collation")
        name = qualified(c.schema, c.name)
        self.g.add(node, [Stmt(collation_sql(name, c)), *comment_on("COLLATION", name, c.comment)])
        self.depend_schema(node, c.schema)

    # types

    def enum(self, en: EnumType) -> None:
        node = self.type_nodes[en.key]
        name = qualified(en.schema, en.name)
        labels = ", ".join(quote_literal(v) for v in en.values)
        stmts = [Stmt(f"CREATE TYPE {name} AS ENUM ({labels})")]
        stmts += comment_on("TYPE", name, en.comment)
        self.g.add(node, stmts)
        self.depend_schema(node, en.schema)

    def domain(self, dom: Domain) -> None:
        node = self.type_nodes[dom.key]
        name = qualified(dom.schema, dom.name)
        sql = f"CREATE DOMAIN {name} AS {type_sql(dom.type)}"
        if dom.collation:
            sql += f" COLLATE {self.collation(dom.collation)}"
        if dom.default is not None:
            sql += f" {default_sql(dom.default)}"
        if not dom.nullable:
            sql += " NOT NULL"
        later: list[Stmt] = []
        for chk in dom.checks.values():
            cons = f"CONSTRAINT {quote_ident(chk.name)} CHECK ({chk.expr.text})"
            if chk.validated:
                sql += f" {cons}"
            else:
                later.append(Stmt(f"ALTER DOMAIN {name} ADD {cons} NOT VALID", schema_of(chk.expr)))
            later += comment_on(
                "CONSTRAINT", f"{quote_ident(chk.name)} ON DOMAIN {name}", chk.comment
            )
        exprs = [dom.default, *(c.expr for c in dom.checks.values())]
        path = expr_path(exprs)
        stmts = [Stmt(sql, path), *later, *comment_on("DOMAIN", name, dom.comment)]
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
        stmts = [Stmt(f"CREATE TYPE {name} AS ({attrs})")]
        stmts += comment_on("TYPE", name, ct.comment)
        self.g.add(node, stmts)
        self.depend_schema(node, ct.schema)
        self.depend_all(node, (self.type_node(t) for _, t in ct.attributes))
        self.extension_types(node)

    # sequences

    def sequence(self, seq: Sequence) -> None:
        node = (RANK["sequence"], seq.key, "sequence")
        name = qualified(seq.schema, seq.name)
        stmts = [Stmt(sequence_sql(name, seq))]
        stmts += comment_on("SEQUENCE", name, seq.comment)
        stmts += grants_sql("SEQUENCE", name, seq.grants)
        self.g.add(node, stmts)
        self.depend_schema(node, seq.schema)
        if seq.owned_by:
            owner = self.owned_by_column(seq.owned_by)
            if owner is not None:
                table_key, column = owner
                owned = (RANK["owned"], seq.key, "owned")
                self.g.add(
                    owned,
                    [
                        Stmt(
                            f"ALTER SEQUENCE {name} OWNED BY "
                            f"{qualified_key(table_key)}.{quote_ident(column)}"
                        )
                    ],
                )
                self.g.depend(owned, node)
                self.g.depend(owned, self.relation_node(table_key))

    def owned_by_column(self, owned_by: str) -> tuple[str, str] | None:
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
        sig = function_signature(fn)
        stmts = [Stmt(function_sql(fn), expr_path(a.default for a in fn.arguments))]
        stmts += comment_on(routine_word(fn), sig, fn.comment)
        what = "PROCEDURE" if fn.kind == "procedure" else "FUNCTION"
        if not fn.public_execute:
            stmts.append(Stmt(f"REVOKE EXECUTE ON {what} {sig} FROM PUBLIC"))
        stmts += grants_sql(what, sig, fn.grants)
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
            if is_sql_standard_body(body):
                # BEGIN ATOMIC / RETURN bodies are parsed at creation: a hard dependency.
                refs = self.refs_nodes(scan_sql(function_sql(fn)), fn.schema)
                overloads = {
                    self.function_node(k) for k in self.functions_by_name[(fn.schema, fn.name)]
                }
                self.depend_all(node, refs - overloads)
            else:
                # A string body is only checked when check_function_bodies is on (we turn it
                # off), so what it reads is a preference: after those tables, unless a table
                # needs the function first.
                refs = self.refs_nodes(scan_sql(body), fn.schema)
                self.depend_all(node, refs, soft=True)

    # tables

    def collation(self, name: str) -> str:
        return dotted_name(name, self.known_schemas)

    def table(self, t: Table) -> None:
        node = self.table_node(t.key)
        name = qualified(t.schema, t.name)
        ancestors = self.ancestors(t)
        exprs = table_exprs(t)
        path = expr_path(exprs)
        sql, alters = self.create_table_sql(t, ancestors)
        stmts = [Stmt(sql, path)]
        stmts += [Stmt(f"ALTER TABLE {name} {a}", path) for a in alters]
        stmts += table_settings_sql(t, name)
        self.g.add(node, stmts)
        self.table_depends(node, t, exprs)
        for fk in t.foreign_keys.values():
            if any(
                same_fk(fk, pfk)
                for p in ancestors
                if t.partition_of
                for pfk in p.foreign_keys.values()
            ):
                continue  # cloned from the parent
            self.foreign_key(t, fk)

    def create_table_sql(self, t: Table, ancestors: list[Table]) -> tuple[str, list[str]]:
        """The CREATE TABLE of ``t``, and the ALTER TABLE clauses that follow it: constraints
        and column changes that cannot be inline (on a partition, or on inherited columns)."""
        name = qualified(t.schema, t.name)
        inherited = {c.name: c for p in self.parents(t) for c in p.columns}
        parent_checks = {c.name for p in ancestors for c in p.checks.values() if not c.no_inherit}
        alters: list[str] = []
        inline: list[str] = []
        if t.partition_of:
            head = (
                f"CREATE {'UNLOGGED ' if t.unlogged else ''}TABLE {name} PARTITION OF "
                f"{qualified_key(t.partition_of)}"
            )
            head += f" {partition_bound_sql(t.partition_bound)}"
        else:
            head = f"CREATE {'UNLOGGED ' if t.unlogged else ''}TABLE {name}"
        for c in t.columns:
            parent_col = inherited.get(c.name)
            if parent_col is None and not t.partition_of:
                inline.append(self.column_sql(c))
            elif parent_col is not None:
                alters += inherited_column_changes(c, parent_col)

        own = own_constraints(t, ancestors, parent_checks)
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
                sql += f" INHERITS ({', '.join(qualified_key(p) for p in t.inherits)})"
        if t.partition_by:
            elems = ", ".join(self.element_sql(e, partition=True) for e in t.partition_by.elements)
            sql += f" PARTITION BY {t.partition_by.strategy} ({elems})"
        if t.options:
            sql += f" WITH ({', '.join(t.options)})"
        return sql, alters

    def table_depends(self, node: Node, t: Table, exprs: list[Expr | None]) -> None:
        """What table ``t`` needs first: its schema, parents, types, collations, functions."""
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
            parts.append(identity_sql(c.identity))
        elif c.default is not None:
            parts.append(default_sql(c.default))
        if not c.nullable:
            parts.append("NOT NULL")
        return " ".join(parts)

    def element_sql(self, e: IndexElement, *, partition: bool = False) -> str:
        out = quote_ident(e.column) if e.column is not None else f"({e.expr})"
        if e.collation:
            out += f" COLLATE {self.collation(e.collation)}"
        if e.opclass:
            out += f" {dotted_name(e.opclass, self.known_schemas)}"
        if partition:
            return out
        if e.descending:
            out += " DESC"
        if e.nulls_first is not None and e.nulls_first != e.descending:
            out += " NULLS FIRST" if e.nulls_first else " NULLS LAST"
        return out

    def foreign_key(self, t: Table, fk: ForeignKey) -> None:
        node = (RANK["fk"], f"{t.key}.{fk.name}", "fk")
        name = qualified(t.schema, t.name)
        sql = f"ALTER TABLE {name} ADD {foreign_key_clause(fk)}"
        if not fk.validated:
            sql += " NOT VALID"
        stmts = [Stmt(sql)]
        stmts += comment_on("CONSTRAINT", f"{quote_ident(fk.name)} ON {name}", fk.comment)
        self.g.add(node, stmts)
        self.g.depend(node, self.table_node(t.key))
        self.g.depend(node, self.relation_node(fk.ref_table))
        # A key may rest on a unique index rather than a constraint.
        for ix_key in self.unique_indexes.get(fk.ref_table, ()):
            self.g.depend(node, (RANK["index"], ix_key, "index"))

    # views

    def view(self, v: View) -> None:
        node = self.view_node(v.key)
        name = qualified(v.schema, v.name)
        kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        stmts = [Stmt(view_sql(v), schema_of(v.query))]
        stmts += comment_on(kind, name, v.comment)
        for col, text in v.column_comments.items():
            stmts += comment_on("COLUMN", f"{name}.{quote_ident(col)}", text)
        stmts += grants_sql("TABLE", name, v.grants)
        self.g.add(node, stmts)
        self.depend_schema(node, v.schema)
        self.extension_types(node)
        self.depend_all(node, self.refs_nodes(scan_sql(v.query.text), schema_of(v.query)))

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
            sql += f" INCLUDE ({idents(ix.include)})"
        if ix.nulls_not_distinct:
            sql += " NULLS NOT DISTINCT"
        if ix.where is not None:
            sql += f" WHERE ({ix.where.text})"
        return sql

    def index(self, ix: Index) -> None:
        node = (RANK["index"], ix.key, "index")
        exprs = [ix.where, *(e.expr for e in ix.elements)]
        stmts = [Stmt(self.index_sql(ix), expr_path(exprs))]
        stmts += comment_on("INDEX", qualified(ix.schema, ix.name), ix.comment)
        self.g.add(node, stmts)
        self.g.depend(node, self.relation_node(ix.table_key))
        self.depend_all(node, (self.collation_node(e.collation) for e in ix.elements))
        self.extension_types(node)
        self.depend_all(node, self.expr_nodes(exprs))

    def trigger(self, tr: Trigger) -> None:
        node = (RANK["trigger"], tr.key, "trigger")
        table = qualified(tr.schema, tr.table)
        fschema, fname = trigger_function(tr)
        stmts = [Stmt(trigger_sql(tr), schema_of(tr.when) if tr.when else None)]
        if tr.enabled != "O":
            stmts.append(Stmt(trigger_enable_sql(tr)))
        stmts += comment_on("TRIGGER", f"{quote_ident(tr.name)} ON {table}", tr.comment)
        self.g.add(node, stmts)
        self.g.depend(node, self.relation_node(f"{tr.schema}.{tr.table}"))
        self.depend_all(
            node, (self.function_node(k) for k in self.functions_by_name.get((fschema, fname), ()))
        )
        self.depend_all(node, self.expr_nodes([tr.when]))

    def rule(self, r: Rule) -> None:
        node = (RANK["rule"], r.key, "rule")
        path = schema_of(r.definition)
        table = qualified(r.schema, r.table)
        stmts = [Stmt(strip_semicolon(r.definition.text), path)]
        stmts += comment_on("RULE", f"{quote_ident(r.name)} ON {table}", r.comment)
        self.g.add(node, stmts)
        self.g.depend(node, self.relation_node(f"{r.schema}.{r.table}"))
        self.depend_all(node, self.refs_nodes(scan_sql(r.definition.text), path))

    def policy(self, p: Policy) -> None:
        node = (RANK["policy"], p.key, "policy")
        table = qualified(p.schema, p.table)
        stmts = [Stmt(policy_sql(p), expr_path([p.using, p.with_check]))]
        stmts += comment_on("POLICY", f"{quote_ident(p.name)} ON {table}", p.comment)
        self.g.add(node, stmts)
        self.g.depend(node, self.relation_node(f"{p.schema}.{p.table}"))
        self.depend_all(node, self.expr_nodes([p.using, p.with_check]))


def table_exprs(t: Table) -> list[Expr | None]:
    """The expressions of a table (defaults, generated columns, checks, exclusions, partition
    keys): what its statements need on the search path, and the functions it depends on."""
    exprs: list[Expr | None] = []
    for c in t.columns:
        exprs += [c.default, c.generated.expr if c.generated else None]
    exprs += [chk.expr for chk in t.checks.values()]
    for ex in t.exclusions.values():
        exprs += [ex.where, *(e.element.expr for e in ex.elements)]
    if t.partition_by:
        exprs += [e.expr for e in t.partition_by.elements]
    return exprs


def table_settings_sql(t: Table, name: str) -> list[Stmt]:
    """What follows a CREATE TABLE: row security, the comments of the table, its columns and
    constraints, and its grants."""
    stmts: list[Stmt] = []
    if t.rls_enabled:
        stmts.append(Stmt(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY"))
    if t.rls_forced:
        stmts.append(Stmt(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY"))
    stmts += comment_on("TABLE", name, t.comment)
    for c in t.columns:
        stmts += comment_on("COLUMN", f"{name}.{quote_ident(c.name)}", c.comment)
    constraints: list[PrimaryKey | Unique | Check | Exclusion] = [
        *([t.primary_key] if t.primary_key else []),
        *t.uniques.values(),
        *t.checks.values(),
        *t.exclusions.values(),
    ]
    for con in constraints:
        stmts += comment_on("CONSTRAINT", f"{quote_ident(con.name)} ON {name}", con.comment)
    stmts += grants_sql("TABLE", name, t.grants)
    return stmts
