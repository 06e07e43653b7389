"""Spec -> Schema: tables, keys, constraints, indexes from access patterns, with a reason for
every decision the spec does not force.

The steps live beside this module, one concern each: :mod:`.tables` (tables from entities),
:mod:`.columns`, :mod:`.references` (keys and relationships, link tables, tenant keys),
:mod:`.cycles` (cycles of required references), :mod:`.features` (search, locking, soft
delete, audit, row-level security), :mod:`.partitioning`, :mod:`.indexes` and
:mod:`.patterns` (indexes from access patterns), all over one :class:`.draft.Draft`. The
:class:`DesignBuilder` runs them in order and freezes the draft into a schema."""

from __future__ import annotations

from dataclasses import replace

from dbdesign import dialects
from dbdesign.design.cycles import CYCLE_DEFERRED, CYCLE_NULLABLE, required_cycles
from dbdesign.design.draft import (
    DEFAULT_PROOF_ROWS,
    LIVE,
    PROJECTION_YEARS,
    SOFT_DELETED,
    Decision,
    Draft,
    Param,
    PatternPlan,
    RulePlan,
    TableDraft,
    TableInfo,
)
from dbdesign.design.features import tenant_policy, updated_at_trigger
from dbdesign.design.indexes import fk_indexes
from dbdesign.design.partitioning import NOT_PARTITIONED, PARTITION_ROWS
from dbdesign.design.patterns import (
    COVER_MAX_BYTES,
    INCLUDE_MAX,
    MYSQL_KEY_BYTES,
    SMALL_TABLE_ROWS,
    pattern_indexes,
    tenant_search_alternatives,
)
from dbdesign.design.references import links, same_tenant_references
from dbdesign.design.rules import business_rules
from dbdesign.design.tables import entity_tables
from dbdesign.dialects.mysql import MYSQL
from dbdesign.dialects.postgres import POSTGRES
from dbdesign.model import (
    Expr,
    FrozenMap,
    Function,
    Grant,
    Namespace,
    Policy,
    Schema,
    Table,
    Trigger,
)
from dbdesign.readers.spec import Spec

# Importable from here as before the builder was split.
__all__ = [
    "COVER_MAX_BYTES",
    "CYCLE_DEFERRED",
    "CYCLE_NULLABLE",
    "DEFAULT_PROOF_ROWS",
    "INCLUDE_MAX",
    "LIVE",
    "MYSQL_KEY_BYTES",
    "NOT_PARTITIONED",
    "PARTITION_ROWS",
    "PROJECTION_YEARS",
    "SMALL_TABLE_ROWS",
    "SOFT_DELETED",
    "Decision",
    "DesignBuilder",
    "Param",
    "PatternPlan",
    "RulePlan",
    "TableInfo",
]


class DesignBuilder(Draft):
    def __init__(self, spec: Spec, dialect: str) -> None:
        # PostgreSQL and MySQL each have design rules of their own; any other dialect gets
        # SQLite's (Draft.pg, Draft.my).
        d = dialects.get(dialect)
        super().__init__(spec, dialect, pg=d is POSTGRES, my=d is MYSQL)

    def build(self) -> Schema:
        entity_tables(self)
        links(self)
        same_tenant_references(self)
        required_cycles(self)
        pattern_indexes(self)
        business_rules(self)
        fk_indexes(self)
        tenant_search_alternatives(self)
        return self._schema()

    def _schema(self) -> Schema:
        tables: dict[str, Table] = {}
        triggers: dict[str, Trigger] = dict(self.triggers)
        functions: dict[str, Function] = dict(self.functions)
        policies: dict[str, Policy] = {}
        comments = dialects.get(self.dialect).capabilities.comments
        for t in self.tables.values():
            self.column_notes.update(
                {f"{t.name}.{c.name}": c.comment for c in t.columns if c.comment}
            )
            if not comments:  # descriptions live in DESIGN.md only
                t.columns = [replace(c, comment=None) for c in t.columns]
                t.comment = None
            tables.update(self._tables_of(t))
            # MySQL sets updated_at with ON UPDATE CURRENT_TIMESTAMP(6) (t.options) instead.
            if any(c.name == "updated_at" for c in t.columns) and not self.my:
                trig = updated_at_trigger(self, t, functions)
                triggers[trig.key] = trig
            if t.rls:
                pol = tenant_policy(self, t)
                policies[pol.key] = pol
        return Schema(
            dialect=self.dialect,  # type: ignore[arg-type]
            namespaces=FrozenMap({self.ns: self._namespace()}),
            tables=FrozenMap(tables),
            # MySQL index names are per table: keyed main.table.index there.
            indexes=FrozenMap(
                {
                    (f"{self.ns}.{ix.table}.{n}" if self.my else f"{self.ns}.{n}"): ix
                    for n, ix in self.indexes.items()
                }
            ),
            functions=FrozenMap(functions),
            triggers=FrozenMap(triggers),
            policies=FrozenMap(policies),
            extensions=FrozenMap(self.extensions),
            virtual_tables=FrozenMap(self.virtual_tables),
        )

    def _tables_of(self, t: TableDraft) -> dict[str, Table]:
        """The table of a draft, and its partitions when it is partitioned."""
        key = self.key(t)
        tables = {
            key: Table(
                schema=self.ns,
                name=t.name,
                columns=tuple(t.columns),
                primary_key=t.pk,
                foreign_keys=FrozenMap(t.fks),
                uniques=FrozenMap(t.uniques),
                checks=FrozenMap(t.checks),
                exclusions=FrozenMap(t.exclusions),
                partition_by=t.partition_by,
                rls_enabled=t.rls,
                # The owner (the role the application often connects as) is held too.
                rls_forced=t.rls,
                comment=t.comment,
                dialect_options=FrozenMap(t.options),
            )
        }
        # Before PostgreSQL 17 a partition does not carry its parent's identity.
        columns = tuple(replace(c, identity=None) for c in t.columns)
        for name, bound in t.partitions:
            tables[f"{self.ns}.{name}"] = Table(
                schema=self.ns,
                name=name,
                columns=columns,
                partition_of=key,
                partition_bound=Expr(bound),
            )
        return tables

    def _namespace(self) -> Namespace:
        if not self.pg:
            return Namespace(name="main")
        public = self.ns == "public"
        return Namespace(
            name=self.ns,
            comment="standard public schema" if public else None,
            grants=frozenset({Grant(grantee="PUBLIC", privilege="USAGE")})
            if public
            else frozenset(),
        )

    def table_infos(self) -> tuple[TableInfo, ...]:
        return tuple(
            TableInfo(
                key=self.key(t),
                name=t.name,
                entity=t.entity,
                purpose=t.purpose,
                relationships=tuple(t.relationships),
                proof_rows=t.proof_rows,
            )
            for t in self.tables.values()
        )
