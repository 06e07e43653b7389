"""Tables from entities: one table per entity with its key, tenant key, references,
attributes, unique keys, and the features and partitioning the spec asks for."""

from __future__ import annotations

from dbdesign.design.columns import attribute, key_column, unique
from dbdesign.design.draft import Draft, TableDraft
from dbdesign.design.features import (
    entity_audit_columns,
    full_text_search,
    optimistic_locking,
    soft_delete,
)
from dbdesign.design.partitioning import partition
from dbdesign.design.references import reference, tenant_column
from dbdesign.readers.spec import Attribute, Entity, Relationship


def entity_tables(b: Draft) -> None:
    """A table for every entity, in the spec's order."""
    spec = b.spec
    refs: dict[str, list[Relationship]] = {}
    for r in spec.relationships:
        if r.type != "many-to-many":
            assert r.child
            refs.setdefault(r.child, []).append(r)
    for ename, e in spec.entities.items():
        t = TableDraft(
            name=b.table_name(ename),
            entity=ename,
            purpose=e.description or f"One row per {ename.replace('_', ' ')}.",
            comment=e.description,
            proof_rows=b.proof_rows(e),
        )
        b.tables[ename] = t
        key_column(b, ename, e, t)
        tenant_column(b, ename, e, t, refs.get(ename, []))
        for r in refs.get(ename, []):
            reference(b, t, r)
        for aname, a in e.attributes.items():
            assert isinstance(a, Attribute)
            attribute(b, t, aname, a)
        for group in e.unique_together:
            cols = tuple(b.column_of(ename, f) for f in group)
            unique(b, t, cols, e, "stated unique together in the spec")
        _lifecycle(b, ename, e, t)
    _mysql_notes(b)


def _lifecycle(b: Draft, ename: str, e: Entity, t: TableDraft) -> None:
    """The columns and choices that follow the entity's features, in a fixed order (the
    columns come out in it)."""
    full_text_search(b, e, t)
    if b.feature(e, "optimistic_locking"):
        optimistic_locking(b, t)
    if b.feature(e, "soft_delete"):
        soft_delete(b, t)
    if b.feature(e, "audit_columns"):
        entity_audit_columns(b, e, t)
    partition(b, ename, e, t)
    if b.tenant and ename in b.tenant_cols and b.pg:
        mt = b.spec.project.features.multi_tenancy
        if mt and mt.row_level_security:
            t.rls = True


def _mysql_notes(b: Draft) -> None:
    """What a MySQL design asks of the server and the application."""
    if not b.my:
        return
    if any(c.type.name == "datetime" for t in b.tables.values() for c in t.columns):
        b.decide(
            "timestamps",
            "DATETIME(6) in UTC; the server's time_zone '+00:00'",
            "CURRENT_TIMESTAMP(6) defaults and ON UPDATE use the session time zone: run the "
            "server (default_time_zone) or every session with time_zone = '+00:00' so they "
            "are UTC like the values the application writes",
        )
    mt = b.spec.project.features.multi_tenancy
    if mt and mt.row_level_security:
        b.decide(
            "tenant isolation",
            "in the application (no row-level security)",
            "MySQL and MariaDB have no row-level security: every query must filter by "
            f"{mt.tenant}_id (the access patterns below do), and the tenant key leads "
            "every access pattern's index",
        )
