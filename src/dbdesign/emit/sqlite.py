"""Schema -> SQLite DDL.

Tables come in dependency order (referenced tables first, by :mod:`dbdesign.graph`; SQLite accepts
forward references, so a cycle is broken where it must be), then virtual tables (FTS5), indexes,
views (in the order their queries need them) and triggers. Every constraint is written with its
name, so reading the output back gives the same model. Whatever SQLite cannot express raises
:class:`UnsupportedError` rather than producing different SQL.
"""

from __future__ import annotations

from collections.abc import Iterable

from dbdesign.dialects.sqlite import NAMESPACE, quote_ident, type_sql
from dbdesign.dialects.sqlite_lexer import tokenize
from dbdesign.dialects.tokens import Source
from dbdesign.emit.order import dependency_order, query_relations
from dbdesign.errors import ParseError, UnsupportedError
from dbdesign.model import Column, ForeignKey, Index, Schema, Table, Trigger, View
from dbdesign.model.core import VirtualTable

_INDENT = "    "


def _local(key: str) -> str:
    """``main.t`` -> ``t`` (foreign-key targets are qualified in the model)."""
    schema, dot, name = key.partition(".")
    return name if dot and schema == NAMESPACE else key


def _is_term(text: str) -> bool:
    """Whether a DEFAULT can be written without parentheses (a literal, a name, -1)."""
    try:
        toks = tokenize(Source(text, None))
    except ParseError:
        return False
    if len(toks) == 1:
        return toks[0].kind in ("string", "number", "blob", "word", "qident")
    return (
        len(toks) == 2
        and toks[0].kind == "op"
        and toks[0].text in "+-"
        and toks[1].kind == "number"
    )


def _column_sql(t: Table, c: Column) -> str:
    parts = [quote_ident(c.name)]
    declared = type_sql(c.type)
    if declared:
        parts.append(declared)
    if not c.nullable:
        parts.append("NOT NULL")
    if c.default is not None:
        text = c.default.text.strip()
        parts.append(f"DEFAULT {text}" if _is_term(text) else f"DEFAULT ({text})")
    if c.collation:
        parts.append(f"COLLATE {quote_ident(c.collation)}")
    if c.generated is not None:
        kind = "STORED" if c.generated.stored else "VIRTUAL"
        parts.append(f"GENERATED ALWAYS AS ({c.generated.expr.text}) {kind}")
    return " ".join(parts)


def _names(cols: Iterable[str]) -> str:
    return ", ".join(quote_ident(c) for c in cols)


def _fk_sql(fk: ForeignKey) -> str:
    s = (
        f"CONSTRAINT {quote_ident(fk.name)} FOREIGN KEY ({_names(fk.columns)}) "
        f"REFERENCES {quote_ident(_local(fk.ref_table))}"
    )
    if fk.ref_columns:
        s += f" ({_names(fk.ref_columns)})"
    if fk.on_delete != "NO ACTION":
        s += f" ON DELETE {fk.on_delete}"
    if fk.on_update != "NO ACTION":
        s += f" ON UPDATE {fk.on_update}"
    if fk.deferrable and fk.initially_deferred:
        s += " DEFERRABLE INITIALLY DEFERRED"
    return s


def table_sql(t: Table) -> str:
    """``CREATE TABLE`` for one table, its constraints inline."""
    lines = [_column_sql(t, c) for c in t.columns]
    auto = t.dialect_options.get("autoincrement")
    if t.primary_key is not None:
        pk = t.primary_key
        cols = _names(pk.columns)
        if auto is not None:
            cols += " AUTOINCREMENT"
        lines.append(f"CONSTRAINT {quote_ident(pk.name)} PRIMARY KEY ({cols})")
    for u in t.uniques.values():
        lines.append(f"CONSTRAINT {quote_ident(u.name)} UNIQUE ({_names(u.columns)})")
    for ck in t.checks.values():
        lines.append(f"CONSTRAINT {quote_ident(ck.name)} CHECK ({ck.expr.text})")
    for fk in t.foreign_keys.values():
        lines.append(_fk_sql(fk))
    body = (",\n" + _INDENT).join(lines)
    opts = []
    if t.dialect_options.get("without_rowid") == "true":
        opts.append("WITHOUT ROWID")
    if t.dialect_options.get("strict") == "true":
        opts.append("STRICT")
    tail = (" " + ", ".join(opts)) if opts else ""
    return f"CREATE TABLE {quote_ident(t.name)} (\n{_INDENT}{body}\n){tail};"


def virtual_table_sql(v: VirtualTable) -> str:
    """``CREATE VIRTUAL TABLE name USING module(arguments)``, the arguments as the model
    keeps them (SQLite stores the text as written, so it reads back the same)."""
    args = f"({', '.join(v.arguments)})" if v.arguments else ""
    return f"CREATE VIRTUAL TABLE {quote_ident(v.name)} USING {v.module}{args};"


def index_sql(i: Index) -> str:
    els = []
    for e in i.elements:
        s = quote_ident(e.column) if e.column is not None else f"({e.expr})"
        if e.collation:
            s += f" COLLATE {quote_ident(e.collation)}"
        if e.descending:
            s += " DESC"
        els.append(s)
    unique = "UNIQUE " if i.unique else ""
    where = f" WHERE {i.where.text}" if i.where is not None else ""
    return (
        f"CREATE {unique}INDEX {quote_ident(i.name)} ON {quote_ident(i.table)} "
        f"({', '.join(els)}){where};"
    )


def view_sql(v: View) -> str:
    cols = f" ({_names(v.column_names)})" if v.column_names else ""
    return f"CREATE VIEW {quote_ident(v.name)}{cols} AS\n{v.query.text.strip()};"


def trigger_sql(tr: Trigger) -> str:
    event = tr.events[0]
    if tr.columns:
        event += f" OF {_names(tr.columns)}"
    when = f"\nWHEN {tr.when.text}" if tr.when is not None else ""
    body = tr.body.text.strip() if tr.body is not None else ""
    if not body.endswith(";"):
        body += ";"
    return (
        f"CREATE TRIGGER {quote_ident(tr.name)} {tr.timing} {event} ON {quote_ident(tr.table)}"
        f"\nFOR EACH ROW{when}\nBEGIN\n{_INDENT}{body}\nEND;"
    )


def _unsupported(schema: Schema) -> list[str]:
    """Every construct of ``schema`` SQLite cannot express, each naming its object.

    The refusals are split by object (``_unsupported_*``); the refusal tests read them all.
    """
    problems: list[str] = []
    for what, coll in (
        ("sequence", schema.sequences),
        ("enum type", schema.enums),
        ("domain", schema.domains),
        ("composite type", schema.composite_types),
        ("function", schema.functions),
        ("rule", schema.rules),
        ("policy", schema.policies),
        ("extension", schema.extensions),
        ("collation", schema.collations),
    ):
        problems += [f"{what} {k}" for k in coll]
    problems += [f"namespace {n}" for n in schema.namespaces if n != NAMESPACE]
    for t in schema.tables.values():
        problems += _unsupported_table(t)
        problems += _unsupported_keys(t)
    for i in schema.indexes.values():
        problems += _unsupported_index(i)
    problems += [
        f"virtual table {k} outside the main schema"
        for k, v in schema.virtual_tables.items()
        if v.schema != NAMESPACE
    ]
    for v in schema.views.values():
        if v.materialized or v.check_option or v.options or v.grants:
            problems.append(f"materialized view, view options or grants on {v.key}")
    for tr in schema.triggers.values():
        if len(tr.events) != 1 or tr.level != "ROW" or tr.body is None or tr.constraint:
            problems.append(
                f"trigger {tr.key}: SQLite triggers are FOR EACH ROW, one event, "
                "with a BEGIN ... END body"
            )
    return problems


def _unsupported_table(t: Table) -> list[str]:
    """What table ``t`` and its columns have that SQLite cannot express."""
    problems: list[str] = []
    if t.schema != NAMESPACE:
        problems.append(f"table {t.key} outside the main schema")
    if t.exclusions:
        problems.append(f"exclusion constraints on {t.key}")
    if t.partition_by or t.partition_of or t.inherits:
        problems.append(f"partitioning or inheritance of {t.key}")
    if t.unlogged or t.rls_enabled or t.options or t.grants:
        problems.append(f"storage options, row security or grants on {t.key}")
    for c in t.columns:
        if c.identity is not None:
            problems.append(f"identity column {t.key}.{c.name}")
        if c.type.array_dims:
            problems.append(f"array column {t.key}.{c.name}")
    return problems


def _unsupported_keys(t: Table) -> list[str]:
    """What the keys and checks of ``t`` have that SQLite cannot express."""
    problems: list[str] = []
    pk = t.primary_key
    if pk is not None and (pk.include or pk.deferrable):
        problems.append(f"INCLUDE or DEFERRABLE on primary key {pk.name}")
    for u in t.uniques.values():
        if u.include or u.deferrable or u.nulls_not_distinct:
            problems.append(f"INCLUDE, DEFERRABLE or NULLS NOT DISTINCT on {u.name}")
    # SQLite has no NOT VALID: written as a plain constraint it would hold the rows that
    # are already there to it, which the model says it does not
    for ck in t.checks.values():
        if not ck.validated:
            problems.append(f"NOT VALID on check {ck.name}")
    for fk in t.foreign_keys.values():
        if fk.match != "SIMPLE" or fk.deferrable != fk.initially_deferred:
            problems.append(f"MATCH or DEFERRABLE INITIALLY IMMEDIATE on {fk.name}")
        if not fk.validated:
            problems.append(f"NOT VALID on foreign key {fk.name}")
        if fk.on_delete_columns:
            problems.append(f"ON DELETE {fk.on_delete} (columns) on {fk.name}")
        if not fk.ref_table.startswith(NAMESPACE + "."):
            problems.append(f"foreign key {fk.name} to another schema")
    return problems


def _unsupported_index(i: Index) -> list[str]:
    """What index ``i`` has that SQLite cannot build."""
    problems: list[str] = []
    if i.method != "btree" or i.include or i.nulls_not_distinct:
        problems.append(f"index method, INCLUDE or NULLS NOT DISTINCT on {i.key}")
    if any(e.opclass or e.nulls_first is not None for e in i.elements):
        problems.append(f"operator class or NULLS FIRST/LAST in {i.key}")
    return problems


def create_index_sql(schema: Schema, i: Index) -> str:
    """One ``CREATE INDEX`` statement for ``i``, as :func:`emit_schema` writes it."""
    return index_sql(i)


def emit_schema(schema: Schema) -> str:
    """The whole schema as an SQLite script (``executescript`` runs it as is)."""
    problems = _unsupported(schema)
    if problems:
        raise UnsupportedError("SQLite cannot express: " + "; ".join(problems))
    out: list[str] = []
    table_deps = {
        k: {fk.ref_table for fk in t.foreign_keys.values()} for k, t in schema.tables.items()
    }
    order = dependency_order(table_deps)
    for key in order:
        out.append(table_sql(schema.tables[key]))
    out += [virtual_table_sql(v) for _k, v in sorted(schema.virtual_tables.items())]
    rank = {k: n for n, k in enumerate(order)}
    for idx in sorted(schema.indexes.values(), key=lambda i: (rank.get(i.table_key, -1), i.name)):
        out.append(index_sql(idx))
    by_lower = {v.name.lower(): k for k, v in schema.views.items()}
    view_deps = {
        k: {
            by_lower[r.lower()]
            for r in query_relations(v.query.text, "sqlite")
            if r.lower() in by_lower
        }
        for k, v in schema.views.items()
    }
    for key in dependency_order(view_deps):
        out.append(view_sql(schema.views[key]))
    for _k, tr in sorted(schema.triggers.items()):
        out.append(trigger_sql(tr))
    return "\n\n".join(out) + "\n" if out else ""


def emit_drop_schema(schema: Schema) -> str:
    """DDL that drops what :func:`emit_schema` creates: the virtual tables (with the tables
    their module keeps), then the tables, children first (indexes and triggers go with them)."""
    deps = {k: {fk.ref_table for fk in t.foreign_keys.values()} for k, t in schema.tables.items()}
    names = [v.name for _k, v in sorted(schema.virtual_tables.items())]
    names += [schema.tables[k].name for k in reversed(dependency_order(deps)) if k in schema.tables]
    quoted = ('"' + n.replace('"', '""') + '"' for n in names)
    return "".join(f"DROP TABLE {q};\n" for q in quoted)


__all__ = [
    "create_index_sql",
    "emit_drop_schema",
    "emit_schema",
    "index_sql",
    "table_sql",
    "trigger_sql",
    "view_sql",
    "virtual_table_sql",
]
