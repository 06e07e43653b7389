"""DDL writers: one module per dialect, found through :func:`writer`.

Each writer module has ``emit_schema(schema) -> str`` (the DDL that creates the schema in an
empty database) and ``create_index_sql(schema, index) -> str`` (one index, as a fix hint
writes it), and may have ``emit_drop_schema(schema) -> str``; :data:`WRITERS` names the
module of each dialect that has one (a dialect registered elsewhere adds its own entry).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from dbdesign import dialects
from dbdesign.errors import UnsupportedError
from dbdesign.model import Index, Schema

WRITERS: dict[str, str] = {
    "postgres": "dbdesign.emit.postgres",
    "sqlite": "dbdesign.emit.sqlite",
    "mysql": "dbdesign.emit.mysql",
}


def writer(dialect: str) -> ModuleType:
    """The DDL writer of ``dialect`` (a name, alias or URL)."""
    d = dialects.get(dialect)
    module = WRITERS.get(d.name)
    if module is None:
        raise UnsupportedError(f"writing {d.title} DDL is not supported yet")
    return importlib.import_module(module)


def emit_schema(schema: Schema, dialect: str | None = None) -> str:
    """DDL that creates ``schema`` in an empty database of ``dialect`` (default: its own).
    Virtual tables (SQLite's FTS5) are written for a dialect that has them, else refused: a
    writer that skipped them would lose the search index silently."""
    d = dialects.get(dialect or schema.dialect)
    if schema.virtual_tables and not d.capabilities.virtual_tables:
        names = ", ".join(sorted(schema.virtual_tables))
        raise UnsupportedError(f"{d.title} has no virtual tables (SQLite's FTS5): {names}")
    return str(writer(d.name).emit_schema(schema))


def create_index_sql(schema: Schema, index: Index) -> str:
    """One ``CREATE INDEX`` statement for ``index`` of ``schema``, in its dialect."""
    return str(writer(schema.dialect).create_index_sql(schema, index))


def emit_drop_schema(schema: Schema) -> str:
    """DDL that drops what :func:`emit_schema` creates. Without a writer of its own: the
    tables, children first (their indexes and triggers go with them)."""
    own = getattr(writer(schema.dialect), "emit_drop_schema", None)
    if own is not None:
        return str(own(schema))
    from dbdesign.emit.order import dependency_order

    deps = {k: {fk.ref_table for fk in t.foreign_keys.values()} for k, t in schema.tables.items()}
    q = dialects.get(schema.dialect).identifier_quote
    return "".join(
        f"DROP TABLE {q}{schema.tables[k].name.replace(q, q + q)}{q};\n"
        for k in reversed(dependency_order(deps))
        if k in schema.tables
    )


__all__ = ["WRITERS", "create_index_sql", "emit_drop_schema", "emit_schema", "writer"]
