"""What rules see: the schema, the configuration, and lookups computed once per run."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cached_property, lru_cache

from dbdesign.lint.config import LintConfig
from dbdesign.model import Column, DataType, Index, Origin, Schema, Table, Trigger

_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")

# Type categories, by dialect. SQLite: by affinity (https://sqlite.org/datatype3.html 3.1).
_PG_KIND = {
    "text": "text",
    "character varying": "text",
    "character": "text",
    "citext": "text",
    "smallint": "int",
    "integer": "int",
    "bigint": "int",
    "real": "float",
    "double precision": "float",
    "numeric": "numeric",
    "money": "money",
    "boolean": "bool",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
    "date": "date",
    "json": "json",
    "jsonb": "json",
    "bytea": "binary",
    "uuid": "uuid",
}


@lru_cache(maxsize=65536)
def _words(name: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORDS.findall(name))


def words(name: str) -> list[str]:
    """The words of an identifier: snake_case, camelCase and digits split, lower-cased."""
    return list(_words(name))


def sqlite_affinity(type_name: str) -> str:
    t = type_name.upper()
    if "INT" in t:
        return "int"
    if "CHAR" in t or "CLOB" in t or "TEXT" in t:
        return "text"
    if t == "" or "BLOB" in t:
        return "binary"
    if "REAL" in t or "FLOA" in t or "DOUB" in t:
        return "float"
    return "numeric"


class Context:
    """The schema being linted plus per-run lookups. Rules read only this (never SQL text)."""

    def __init__(self, schema: Schema, config: LintConfig | None = None) -> None:
        self.schema = schema
        self.config = config or LintConfig()
        self.dialect = schema.dialect
        self._domains = {k: d.type for k, d in schema.domains.items()}
        self.cache: dict[str, object] = {}  # for values several rules compute the same way

    @cached_property
    def tables(self) -> list[Table]:
        return list(self.schema.tables.values())

    @cached_property
    def base_tables(self) -> list[Table]:
        """Tables that are not partitions (a partition's keys and names follow its parent)."""
        return [t for t in self.tables if t.partition_of is None]

    @cached_property
    def indexes_by_table(self) -> dict[str, list[Index]]:
        out: dict[str, list[Index]] = defaultdict(list)
        for i in self.schema.indexes.values():
            out[i.table_key].append(i)
        return out

    @cached_property
    def triggers_by_table(self) -> dict[str, list[Trigger]]:
        out: dict[str, list[Trigger]] = defaultdict(list)
        for t in self.schema.triggers.values():
            out[f"{t.schema}.{t.table}"].append(t)
        return out

    @cached_property
    def policy_tables(self) -> set[str]:
        return {f"{p.schema}.{p.table}" for p in self.schema.policies.values()}

    def own_columns(self, t: Table) -> list[Column]:
        """Columns declared by ``t`` itself: none for a partition, no inherited ones."""
        if t.partition_of is not None:
            return []
        if not t.inherits:
            return list(t.columns)
        inherited: set[str] = set()
        for p in t.inherits:
            parent = self.schema.tables.get(p)
            if parent is not None:
                inherited.update(c.name for c in parent.columns)
        return [c for c in t.columns if c.name not in inherited]

    @cached_property
    def columns(self) -> list[tuple[Table, Column]]:
        """Every own column of every table (see own_columns)."""
        return [(t, c) for t in self.tables for c in self.own_columns(t)]

    def base_type(self, t: DataType) -> DataType:
        """A domain's underlying type (followed through domains over domains)."""
        seen = 0
        while self._domains and t.name in self._domains and seen < 10:
            t = self._domains[t.name]
            seen += 1
        return t

    def kind(self, t: DataType) -> str:
        """A type's category: text, int, float, numeric, money, bool, timestamp, json ..."""
        if t.array_dims:
            return "array"
        if self.dialect == "sqlite":
            if t.name.lower() in ("bool", "boolean"):
                return "bool"
            return sqlite_affinity(t.name)
        if self.dialect == "mysql":
            from dbdesign.dialects.mysql import TYPE_KIND, base_name

            return TYPE_KIND.get(base_name(t), "other")
        b = self.base_type(t)
        if b.array_dims:
            return "array"
        return _PG_KIND.get(b.name, "other")

    def origin(self, table: Table, column: str | None = None) -> Origin | None:
        """Where a table (or one of its columns) was defined; the table's when unknown."""
        if column is not None:
            c = table.column(column)
            if c is not None and c.origin is not None:
                return c.origin
        return table.origin

    def col_key(self, table: Table, column: Column | str) -> str:
        name = column if isinstance(column, str) else column.name
        return f"{table.key}.{name}"
