"""What rules see: the schema, the configuration, and lookups computed once per run."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from dbdesign import dialects
from dbdesign.lint.config import LintConfig
from dbdesign.model import Column, DataType, Index, Origin, Schema, Table, Trigger

if TYPE_CHECKING:
    from dbdesign.emit.postgres import SchemaSql

_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")

# A fix hint is SQL exactly when it starts with one of these key words (upper case, then a
# space); it is then one or more complete statements, each ending with ";", with every
# identifier quoted as the dialect needs. Any other hint is prose for a person.
_SQL_HINT = re.compile(r"(ALTER|CREATE|DROP|REVOKE|GRANT|COMMENT) ")


def is_sql_hint(hint: str) -> bool:
    """Whether a fix hint is SQL to run (see ``_SQL_HINT``) rather than prose."""
    return _SQL_HINT.match(hint) is not None


@lru_cache(maxsize=65536)
def _words(name: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORDS.findall(name))


def words(name: str) -> list[str]:
    """The words of an identifier: snake_case, camelCase and digits split, lower-cased."""
    return list(_words(name))


class Context:
    """The schema being linted plus per-run lookups. Rules read only this (never SQL text)."""

    def __init__(self, schema: Schema, config: LintConfig | None = None) -> None:
        self.schema = schema
        self.config = config or LintConfig()
        self.dialect = schema.dialect
        self.d = dialects.get(schema.dialect)  # what the dialect can do and how it writes
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
        return self.d.type_kind(self.base_type(t))

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

    # -- SQL in fix hints

    def ident(self, *parts: str) -> str:
        """A (qualified) name quoted part by part as the dialect needs it."""
        return self.d.qualified(*parts)

    def table_name(self, t: Table) -> str:
        return self.ident(t.schema, t.name)

    def type_sql(self, t: DataType) -> str:
        """A model type written in the dialect's DDL."""
        return self.d.type_sql(t)

    def type_label(self, t: DataType) -> str:
        """A type as a message shows it: the SQL spelling (``integer``, ``double
        precision``, ``varchar(20)``), never the catalog's internal one (``pg_catalog.int4``,
        ``float8``). A domain is shown by its name."""
        if t.name in self._domains:
            return t.name + "[]" * t.array_dims
        try:
            return self.type_sql(replace(t, raw=None))
        except Exception:  # a type the writer does not know: the model's canonical name
            return str(t)

    def string(self, value: str) -> str:
        """A string literal in the dialect's quoting."""
        return self.d.quote_string(value)

    @cached_property
    def emit(self) -> SchemaSql:
        """PostgreSQL statements for single objects of this schema (built on first use)."""
        from dbdesign.emit.postgres import SchemaSql

        return SchemaSql(self.schema)

    def index_names_near(self, t: Table) -> set[str]:
        """Names a new index on ``t`` must not take.

        PostgreSQL: every relation of the table's schema (tables, views, sequences, indexes,
        and the indexes behind primary keys, unique and exclusion constraints); MySQL: the
        keys of the table; SQLite: every table and index. Folded to lower case where the
        dialect compares names so.
        """
        key = "context.index_names"
        cached = self.cache.get(key)
        if cached is None:
            names: dict[str, set[str]] = defaultdict(set)
            s, per_table = self.schema, self._index_names_per_table
            for tb in s.tables.values():
                names[tb.schema].add(tb.name)
                cons = [u.name for u in tb.uniques.values()]
                cons += [x.name for x in tb.exclusions.values()]
                if tb.primary_key is not None:
                    cons.append(tb.primary_key.name)
                if self.d.capabilities.foreign_keys_need_index:  # the key's index takes its name
                    cons += [fk.name for fk in tb.foreign_keys.values()]
                if self.d.primary_key_name is not None:
                    cons.append(self.d.primary_key_name)
                names[tb.key if per_table else tb.schema].update(cons)
            for i in s.indexes.values():
                names[i.table_key if per_table else i.schema].add(i.name)
            for group in (s.views, s.sequences):
                for o in group.values():
                    names[o.schema].add(o.name)
            self.cache[key] = cached = names
        found: dict[str, set[str]] = cached  # type: ignore[assignment]
        taken = found.get(t.key if self._index_names_per_table else t.schema, set())
        if self.d.case_insensitive_names:
            return {n.lower() for n in taken}
        return taken

    @property
    def _index_names_per_table(self) -> bool:
        return self.d.capabilities.index_name_scope == "table"

    def new_name(self, base: str, taken: set[str]) -> str:
        """``base`` cut to the dialect's identifier limit, with ``_2``, ``_3`` ... when taken."""
        limit = self.d.identifier_limit
        n = 1
        while True:
            suffix = "" if n == 1 else f"_{n}"
            name = self.d.cut_name(base, limit - len(suffix.encode()) if limit else None)
            name += suffix
            if (name.lower() if self.d.case_insensitive_names else name) not in taken:
                return name
            n += 1

    def create_index_sql(self, i: Index) -> str:
        """``CREATE INDEX`` for ``i`` as the dialect's DDL writer writes it."""
        from dbdesign.emit import create_index_sql

        return create_index_sql(self.schema, i)

    def drop_index_sql(self, i: Index) -> str:
        """``DROP INDEX`` as the dialect writes it (where index names are per table, the
        statement names the table)."""
        if self._index_names_per_table:
            return f"DROP INDEX {self.ident(i.name)} ON {self.ident(i.schema, i.table)};"
        return f"DROP INDEX {self.ident(i.schema, i.name)};"

    def retype_sql(
        self, t: Table, c: Column, new: DataType, using: str | None = None
    ) -> list[str] | str:
        """The statements that change column ``c`` of ``t`` to type ``new``, or why there are
        none (prose): SQLite cannot change a column's type in place; a domain-typed column
        would lose its domain; PostgreSQL refuses for a partition key column, and while a view,
        rule, policy, trigger or generated column uses the column. ``using`` is PostgreSQL's
        USING expression.
        """
        col = self.ident(c.name)
        if not self.d.capabilities.alter_column:
            return (
                f"{self.d.title} cannot change a column's type in place: rebuild {t.name} with "
                f"{c.name} declared {self.type_sql(new)} (create the new table, copy the rows, "
                "drop the old one, rename the new one)"
            )
        if self.d.capabilities.modify_column:
            from dbdesign.emit.mysql import column_sql

            fks = [fk.name for fk in t.foreign_keys.values() if c.name in fk.columns]
            refs = [
                f"{o.name}.{fk.name}"
                for o in self.schema.tables.values()
                for fk in o.foreign_keys.values()
                if fk.ref_table == t.key and c.name in self.schema.ref_columns(fk)
            ]
            if fks or refs:
                return (
                    f"MySQL refuses to change the type of {c.name} while foreign key "
                    f"{', '.join(fks + refs)} uses it: drop the key, MODIFY the column to "
                    f"{self.type_sql(new)} (restating its NULL, DEFAULT and COMMENT), and add "
                    "the key back"
                )
            return [
                f"ALTER TABLE {self.table_name(t)} MODIFY {column_sql(t, replace(c, type=new))};"
            ]
        if c.type.name in self._domains:
            return (
                f"{c.name} has the domain {c.type.name}, whose base type cannot change: create "
                f"a domain over {self.type_sql(new)} with the same constraints and change "
                f"{t.name}.{c.name} to it"
            )
        word = re.compile(rf"(?<![\w$]){re.escape(c.name)}(?![\w$])")
        if t.partition_by is not None and any(
            e.column == c.name or (e.expr is not None and word.search(e.expr.text))
            for e in t.partition_by.elements
        ):
            return (
                f"PostgreSQL cannot change the type of {t.name}.{c.name}, part of the partition "
                f"key: create a table partitioned by {c.name} as {self.type_sql(new)} and move "
                "the rows to it"
            )
        blockers = self._type_blockers(t, c.name)
        if blockers:
            return (
                f"PostgreSQL cannot change {t.name}.{c.name} to {self.type_sql(new)} while it "
                f"is used by {', '.join(blockers)}: drop them, change the type, and create "
                "them again"
            )
        sql = f"ALTER TABLE {self.table_name(t)} ALTER COLUMN {col} TYPE {self.type_sql(new)}"
        return [sql + (f" USING {using};" if using else ";")]

    @cached_property
    def _views_by_table(self) -> dict[str, list[tuple[str, frozenset[str], bool]]]:
        """For each table a view reads: (view, the column names its query mentions, whether it
        selects ``*``)."""
        out: dict[str, list[tuple[str, frozenset[str], bool]]] = defaultdict(list)
        for v in self.schema.views.values():
            cols, star = self.emit.sql_columns(v.query.text)
            for kind, key in self.emit.depends("view", v.key):
                if kind == "table":
                    out[key].append((v.key, cols, star))
        return out

    def _type_blockers(self, t: Table, column: str) -> list[str]:
        """What stops PostgreSQL from changing a column's type until it is dropped: views and
        materialized views, generated columns, triggers (UPDATE OF, WHEN), policies and rules
        using it."""
        word = re.compile(rf"(?<![\w$]){re.escape(column)}(?![\w$])")
        out: list[str] = []
        for view, cols, star in self._views_by_table.get(t.key, ()):
            if star or column in cols:
                out.append(f"view {view}")
        for c in t.columns:
            if c.generated is not None and word.search(c.generated.expr.text):
                out.append(f"generated column {c.name}")
        for tr in self.triggers_by_table.get(t.key, ()):
            if column in tr.columns or (tr.when is not None and word.search(tr.when.text)):
                out.append(f"trigger {tr.name}")
        for p in self.schema.policies_on(t.key) if self.schema.policies else ():
            if any(e is not None and word.search(e.text) for e in (p.using, p.with_check)):
                out.append(f"policy {p.name}")
        for r in self.schema.rules.values():
            if f"{r.schema}.{r.table}" == t.key and word.search(r.definition.text):
                out.append(f"rule {r.name}")
        return out
