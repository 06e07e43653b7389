"""Keys and relationships: a foreign key per relationship, the tenant key of tenant-owned
tables and the references that keep tenants apart, and the link tables of many-to-many
relationships."""

from __future__ import annotations

from dataclasses import replace

from dbdesign import dialects
from dbdesign.design.columns import attribute, audit_columns
from dbdesign.design.draft import Draft, TableDraft
from dbdesign.design.naming import object_name, plural
from dbdesign.model import Column, ForeignKey, PrimaryKey
from dbdesign.readers.spec import Attribute, Entity, Relationship

_ACTIONS = {"cascade": "CASCADE", "restrict": "RESTRICT", "set null": "SET NULL"}


def reference(b: Draft, t: TableDraft, r: Relationship) -> None:
    """The column and foreign key of a relationship in its child table ``t``."""
    assert r.parent
    parent = b.tables.get(r.parent)
    ptable = parent.name if parent else b.table_name(r.parent)
    role = r.name or r.parent
    col = f"{role}_id"
    t.columns.append(
        Column(name=col, type=b.pk_type(r.parent), nullable=not r.required, comment=None)
    )
    fk_name = object_name("fk", t.name, (col,))
    t.fks[fk_name] = ForeignKey(
        name=fk_name,
        columns=(col,),
        ref_table=f"{b.ns}.{ptable}",
        ref_columns=("id",),
        on_delete=_ACTIONS[r.on_delete],  # type: ignore[arg-type]
        on_update=b.no_action,
    )
    b.fk_order[fk_name] = next((i for i, x in enumerate(b.spec.relationships) if x is r), -1)
    kind = "many-to-one" if r.type == "one-to-many" else "one-to-one"
    t.relationships.append(f"`{col}` → `{ptable}.id` ({kind}, ON DELETE {_ACTIONS[r.on_delete]})")
    if r.type == "one-to-one":
        b.add_unique(t, (col,), "one-to-one: at most one row per parent")
    if r.parent == r.child:
        b.decide(
            f"{t.name}.{col}",
            "nullable self-reference",
            "roots of the hierarchy have no parent",
        )
    if r.on_delete == "restrict" and "on_delete" not in r.model_fields_set:
        b.decide(
            fk_name,
            "ON DELETE RESTRICT",
            "the spec states no delete rule: refusing to delete a referenced parent never "
            "loses data silently",
        )


def tenant_column(b: Draft, ename: str, e: Entity, t: TableDraft, refs: list[Relationship]) -> None:
    """The tenant key of a tenant-owned table: a stated reference to the tenant, or one the
    designer adds."""
    if not b.tenant or ename == b.tenant or e.tenant_scoped is False:
        return
    for r in refs:
        if r.parent == b.tenant and (r.name or r.parent) == b.tenant:
            b.tenant_cols[ename] = t.tenant_col = f"{b.tenant}_id"
            return  # the stated relationship is the tenant key
    col = f"{b.tenant}_id"
    b.tenant_cols[ename] = t.tenant_col = col
    r = Relationship(type="one-to-many", parent=b.tenant, child=ename, on_delete="restrict")
    reference(b, t, r)
    d = dialects.get(b.dialect)
    isolated = (
        "rows of one tenant are isolated (RLS)"
        if d.capabilities.row_level_security
        else f"the application isolates the rows of one tenant ({d.title} has no row-level "
        "security)"
    )
    b.decide(
        f"{t.name}.{col}",
        "tenant key on every tenant-owned table",
        f"multi-tenancy: every query and index can lead with the tenant, {isolated} and "
        "the table can later be sharded by it",
    )


def same_tenant_references(b: Draft) -> None:
    """A reference between two tenant-owned tables includes the tenant key, so a row can
    only point at a parent of its own tenant: (tenant_id, parent_id) references the
    parent's (tenant_id, id), which a unique key makes referenceable."""
    by_key = {f"{b.ns}.{p.name}": p for p in b.tables.values()}
    for t in b.tables.values():
        tcol = t.tenant_col
        if tcol is None:
            continue
        for fk_name, fk in list(t.fks.items()):
            parent = by_key.get(fk.ref_table)
            if parent is None or parent.tenant_col is None or fk.columns == (tcol,):
                continue
            why = _tenant_left_out(t, fk, parent)
            if why:
                b.decide(fk_name, "tenant not part of the reference", why)
                continue
            key = (parent.tenant_col, "id")
            if key not in [u.columns for u in parent.uniques.values()]:
                b.add_unique(parent, key, "the target of same-tenant references")
            t.fks[fk_name] = replace(fk, columns=(tcol, *fk.columns), ref_columns=key)
            if fk.on_delete == "SET NULL":
                t.fks[fk_name] = _set_null_keeps_tenant(b, t, t.fks[fk_name], fk.columns)
            col = fk.columns[0]
            action = t.fks[fk_name].delete_action
            t.relationships = [
                f"{line.replace(f'ON DELETE {fk.on_delete}', f'ON DELETE {action}')} "
                f"(with `{tcol}`: the same tenant)"
                if line.startswith(f"`{col}` ")
                else line
                for line in t.relationships
            ]
            b.decide(
                fk_name,
                f"({tcol}, {col}) references {parent.name} ({', '.join(key)})",
                "a row can only refer to a parent of its own tenant: the database, not "
                "the application, keeps tenants apart",
            )


def _set_null_keeps_tenant(
    b: Draft, t: TableDraft, fk: ForeignKey, cols: tuple[str, ...]
) -> ForeignKey:
    """A same-tenant reference that the spec sets to NULL when the parent goes: plain SET NULL
    would clear the tenant key too (refused: it is NOT NULL). PostgreSQL 15+ clears only the
    reference; elsewhere the reference RESTRICTs and the application clears it first."""
    d = dialects.get(b.dialect)
    named = ", ".join(cols)
    if d.capabilities.set_null_columns:
        b.decide(
            fk.name,
            f"ON DELETE SET NULL ({named})",
            f"only {named} is cleared when the parent goes; a plain SET NULL would clear "
            f"{t.tenant_col} too (needs PostgreSQL 15+)",
        )
        return replace(fk, on_delete_columns=cols)
    b.decide(
        fk.name,
        "ON DELETE RESTRICT instead of SET NULL",
        f"{d.title} cannot set only some of a foreign key's columns to NULL, and SET NULL "
        f"would clear {t.tenant_col} too: the application sets {named} to NULL before it "
        "deletes the parent",
    )
    return replace(fk, on_delete="RESTRICT")


def _tenant_left_out(t: TableDraft, fk: ForeignKey, parent: TableDraft) -> str | None:
    """Why a reference between two tenant-owned tables cannot include the tenant key, if so."""
    if parent.partition_by is not None:
        return f"{parent.name} is partitioned: a unique key must hold its partition key"
    if parent is t:
        return "a self-reference: a row's parent is checked to exist, not its tenant"
    return None


def link_name(r: Relationship) -> str:
    """The link table of a many-to-many relationship: its through:, else <a>_<plural of b>."""
    assert r.between
    a, c = r.between
    return r.through or f"{a}_{plural(c)}"


def links(b: Draft) -> None:
    """A link table for each many-to-many relationship."""
    for r in b.spec.relationships:
        if r.type != "many-to-many":
            continue
        assert r.between
        a, c = r.between
        ta, tc = b.tables[a], b.tables[c]
        name = link_name(r)
        ca, cc = f"{a}_id", f"{c}_id"
        if ca == cc:
            ca, cc = f"{a}_a_id", f"{c}_b_id"
        rows = max(ta.proof_rows, tc.proof_rows) * 2
        t = TableDraft(
            name=name,
            entity=None,
            purpose=r.description or f"Links {ta.name} and {tc.name} (many-to-many).",
            comment=r.description,
            proof_rows=rows,
        )
        b.tables[f"link:{name}"] = t
        for col, ent, other in ((ca, a, ta), (cc, c, tc)):
            t.columns.append(Column(name=col, type=b.pk_type(ent), nullable=False))
            fk = object_name("fk", name, (col,))
            t.fks[fk] = ForeignKey(
                name=fk,
                columns=(col,),
                ref_table=f"{b.ns}.{other.name}",
                ref_columns=("id",),
                on_delete="CASCADE",
                on_update=b.no_action,
            )
            t.relationships.append(f"`{col}` → `{other.name}.id` (many-to-one, CASCADE)")
        t.pk = PrimaryKey(name=b.pk_name(name), columns=(ca, cc))
        b.decide(
            name,
            f"link table, primary key ({ca}, {cc}), ON DELETE CASCADE both ways",
            "a link row means nothing without both sides; the composite key forbids "
            "duplicate links and serves lookups from the first side",
        )
        if ta.tenant_col and tc.tenant_col:
            _tenant_link(b, t, ca, cc)
        for aname, attr in r.attributes.items():
            assert isinstance(attr, Attribute)
            attribute(b, t, aname, attr)
        if b.spec.project.features.audit_columns:
            audit_columns(b, t, updated=bool(r.attributes))
            if not r.attributes:
                b.decide(
                    f"{name}.updated_at",
                    "no updated_at",
                    "a link row is inserted and deleted, never changed",
                )


def _tenant_link(b: Draft, t: TableDraft, ca: str, cc: str) -> None:
    """A link between two tenant-owned tables carries the tenant key too: both references
    then include it (see same_tenant_references), so a link never joins two tenants."""
    assert b.tenant
    col = f"{b.tenant}_id"
    t.columns.insert(0, Column(name=col, type=b.pk_type(b.tenant), nullable=False))
    t.tenant_col = col
    t.pk = PrimaryKey(name=b.pk_name(t.name), columns=(col, ca, cc))
    mt = b.spec.project.features.multi_tenancy
    t.rls = bool(b.pg and mt and mt.row_level_security)
    b.decide(
        t.name,
        f"tenant key {col} first in the link's primary key ({col}, {ca}, {cc})",
        "both sides belong to a tenant: the link belongs to the same one, the key serves "
        f"lookups from {ca} within a tenant",
    )
