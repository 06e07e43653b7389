"""Renderers of the operations on whole tables: create, drop, rebuild (set aside, copy the
rows, restore), rename, options, logging, row security, partitions and inheritance; SQLite's
virtual tables are refused (PostgreSQL has none)."""

from __future__ import annotations

import dataclasses
from typing import Any

from dbdesign.dialects.postgres import qualified, quote_ident
from dbdesign.diff.postgres_sql.base import (
    BRIEF_LOCK,
    TABLE_REWRITE,
    Hazard,
    RenderContext,
    Rendered,
    breaking_rename,
    data_loss,
    exclusive_lock,
    from_object,
    may_fail,
    op,
    proven_by_check,
    rebuild_name,
    renders,
)
from dbdesign.diff.postgres_sql.columns import continue_after_max
from dbdesign.emit.pg_casts import cast_path, needs_using
from dbdesign.emit.pg_clauses import (
    exclusion_clause,
    partition_bound_sql,
    primary_key_clause,
    unique_clause,
)
from dbdesign.emit.pg_text import qualified_key, quote_literal
from dbdesign.emit.postgres import SchemaSql
from dbdesign.errors import UnsupportedError
from dbdesign.model import Check, Exclusion, PrimaryKey, Table, Unique


@renders(op.CreateTable)
def _create_table(o: op.CreateTable, ctx: RenderContext) -> list[Rendered]:
    return from_object(ctx.target, "table", o.table.key)


@renders(op.DropTable)
def _drop_table(o: op.DropTable, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"DROP TABLE {qualified(o.table.schema, o.table.name)}",
            hazards=(exclusive_lock(), data_loss("the table and every row in it")),
        )
    ]


def _key_names(t: Table) -> list[str]:
    return ([t.primary_key.name] if t.primary_key else []) + [*t.uniques, *t.exclusions]


@renders(op.SetTableAside)
def _set_aside(o: op.SetTableAside, ctx: RenderContext) -> list[Rendered]:
    a = o.table
    tmp = qualified(a.schema, o.temp_name)
    out = [
        Rendered(
            f"ALTER TABLE {qualified(a.schema, a.name)} RENAME TO {quote_ident(o.temp_name)}",
            hazards=(exclusive_lock(), _SET_ASIDE),
        )
    ]
    # its foreign keys (re-added on the new table) rest on keys; then free the names the new
    # table's keys and indexes take (they are schema-wide)
    names = [*a.foreign_keys, *_key_names(a)]
    out += [Rendered(f"ALTER TABLE {tmp} DROP CONSTRAINT {quote_ident(k)}") for k in names]
    out += [Rendered(f"DROP INDEX {qualified(ix.schema, ix.name)}") for ix in o.indexes]
    # identity sequences too: the new table's would otherwise be named t_id_seq1, and the
    # schema would no longer match the names a fresh CREATE TABLE gives
    out += [_rename_identity_sequence(tmp, c.name, f"{o.temp_name}_{c.name}_seq") for c in
            a.columns if c.identity is not None]  # fmt: skip
    return out


def _rename_identity_sequence(table: str, column: str, new: str) -> Rendered:
    """Rename the sequence behind an identity column (its name is the server's choice)."""
    return Rendered(
        "DO $dbdesign$ BEGIN EXECUTE format('ALTER SEQUENCE %s RENAME TO %I', "
        f"pg_get_serial_sequence({quote_literal(table)}, {quote_literal(column)}), "
        f"{quote_literal(new[:63])}); END $dbdesign$"
    )


@renders(op.RestoreTable)
def _restore(o: op.RestoreTable, ctx: RenderContext) -> list[Rendered]:
    a = o.table
    tmp = qualified(a.schema, rebuild_name(a))
    out = [
        Rendered(f"ALTER TABLE {tmp} RENAME TO {quote_ident(a.name)}", hazards=(exclusive_lock(),))
    ]
    name = qualified(a.schema, a.name)
    out += [_rename_identity_sequence(name, c.name, f"{a.name}_{c.name}_seq") for c in
            a.columns if c.identity is not None]  # fmt: skip
    if a.primary_key is not None:
        out.append(Rendered(f"ALTER TABLE {name} ADD {primary_key_clause(a.primary_key)}"))
    out += [Rendered(f"ALTER TABLE {name} ADD {unique_clause(u)}") for u in a.uniques.values()]
    out += [
        Rendered(f"ALTER TABLE {name} ADD {exclusion_clause(x)}") for x in a.exclusions.values()
    ]
    out += [Rendered(ctx.target.index_sql(ix)) for ix in o.indexes]
    return out


@renders(op.RebuildTable)
def _rebuild_table(o: op.RebuildTable, ctx: RenderContext) -> list[Rendered]:
    a, b = o.old, o.new
    name = qualified(b.schema, b.name)
    tmp = qualified(a.schema, o.temp_name)
    out = from_object(ctx.target, "table", b.key)
    old_cols = {c.name: c for c in a.columns}
    names, values = [], []
    for c in b.columns:
        src = old_cols.get(c.name)
        if src is None or c.generated is not None:
            continue
        names.append(quote_ident(c.name))
        value = quote_ident(c.name)
        if src.type != c.type and needs_using(src.type, c.type):
            value = f"{value}::{cast_path(src.type, c.type)}"
        values.append(value)
    overriding = " OVERRIDING SYSTEM VALUE" if any(c.identity for c in b.columns) else ""
    hazards: tuple[Hazard, ...] = (
        exclusive_lock(),
        Hazard("table_rewrite", "copies every row into the new table under the lock"),
    )
    losses = o.losses
    if losses:
        hazards += (
            data_loss(
                "the stored values of "
                + "; ".join(f"column {quote_ident(x.column)} ({x.why})" for x in losses)
            ),
        )
    hazards += tuple(may_fail(why) for why in _rebuild_risks(a, b))
    # every row is copied, even when no column carries over (the new columns take defaults)
    target = f" ({', '.join(names)})" if names else ""
    select = f"SELECT {', '.join(values)} " if values else "SELECT "
    out.append(
        Rendered(
            f"INSERT INTO {name}{target}{overriding} {select}FROM {tmp}",
            hazards=hazards,
        )
    )
    for c in b.columns:
        if c.identity is not None and c.name in old_cols:
            out.append(continue_after_max(b.key, c.name, c.identity))
    out.append(Rendered(f"DROP TABLE {tmp}", hazards=(_REBUILT_DROP,)))
    return out


def _constraint_shape(c: Any) -> Any:
    return dataclasses.replace(c, name="", comment=None)


def _row_constraints(t: Table) -> list[PrimaryKey | Unique | Check | Exclusion]:
    """The constraints CREATE TABLE writes that every copied row must satisfy."""
    out: list[PrimaryKey | Unique | Check | Exclusion] = [t.primary_key] if t.primary_key else []
    return [*out, *t.uniques.values(), *t.checks.values(), *t.exclusions.values()]


def _rebuild_risks(a: Table, b: Table) -> list[str]:
    """Why copying the rows of ``a`` into the new table ``b`` can fail: a conversion that may
    not fit, a column that becomes NOT NULL, a new NOT NULL column without a default, a new
    key or check (the same changes made with ALTER state ``may_fail`` too)."""
    old_cols = {c.name: c for c in a.columns}
    out: list[str] = []
    new_cols = {c.name: c for c in b.columns}
    for c in b.columns:
        src = old_cols.get(c.name)
        q = quote_ident(c.name)
        if c.generated is not None:
            # computed again for every row: safe when the expression and what it reads are
            # as before (it gave these rows their values already)
            reads = SchemaSql.expr_columns([c.generated.expr])
            same = src is not None and src.generated == c.generated
            if reads and not (
                same
                and all(
                    r in old_cols and r in new_cols and old_cols[r].type == new_cols[r].type
                    for r in reads
                )
            ):
                out.append(f"fails if generated column {q} cannot be computed for a copied row")
            continue
        if src is None:
            if not c.nullable and c.default is None and c.identity is None:
                out.append(f"fails if the table has rows: new column {q} is NOT NULL, no default")
            continue
        if src.type != c.type and (
            needs_using(src.type, c.type) or not op.lossless(src.type, c.type)
        ):
            out.append(f"fails if a value of column {q} does not convert to {c.type}")
        if src.nullable and not c.nullable:
            out.append(f"fails if column {q} holds NULL (it becomes NOT NULL)")
    old_shapes = {_constraint_shape(x) for x in _row_constraints(a)}
    for x in _row_constraints(b):
        if isinstance(x, Check) and not x.validated:
            continue
        if _constraint_shape(x) not in old_shapes:
            out.append(f"fails if a copied row violates the new constraint {quote_ident(x.name)}")
    return out


_INDEX_RENAME = Hazard(
    "share_update_exclusive_lock",
    "takes a SHARE UPDATE EXCLUSIVE lock on the index briefly (catalog change only; an "
    "ACCESS EXCLUSIVE lock before PostgreSQL 12): reads and writes continue",
)


_REBUILT_DROP = Hazard(
    "table_rebuild",
    "drops the copy set aside for the rebuild: its rows are in the new table by now",
)
_SET_ASIDE = Hazard(
    "table_rebuild",
    "renamed aside for a rebuild: a new table of the same name replaces it before the commit "
    "(clients never see the rename), and every row is copied under the ACCESS EXCLUSIVE lock",
)


@renders(op.RenameTable)
def _rename_relation(o: op.RenameTable, ctx: RenderContext) -> list[Rendered]:
    kind = o.relation.lower()
    return [
        Rendered(
            f"ALTER {o.relation} {qualified_key(o.old_key)} RENAME TO {quote_ident(o.new_name)}",
            hazards=(_INDEX_RENAME,) if o.relation == "INDEX" else (breaking_rename(kind),),
        )
    ]


def _option_key(opt: str) -> str:
    return opt.partition("=")[0].strip().lower()


@renders(op.SetTableOptions)
def _table_options(o: op.SetTableOptions, ctx: RenderContext) -> list[Rendered]:
    new_keys = {_option_key(x) for x in o.new}
    reset = [_option_key(x) for x in o.old if _option_key(x) not in new_keys]
    changed = [x for x in o.new if x not in o.old]
    out = []
    if reset:
        out.append(
            Rendered(
                f"ALTER TABLE {qualified_key(o.table)} RESET ({', '.join(reset)})",
                hazards=(BRIEF_LOCK,),
            )
        )
    if changed:
        out.append(
            Rendered(
                f"ALTER TABLE {qualified_key(o.table)} SET ({', '.join(changed)})",
                hazards=(BRIEF_LOCK,),
            )
        )
    return out


@renders(op.SetLogged)
def _set_logged(o: op.SetLogged, ctx: RenderContext) -> list[Rendered]:
    word = "UNLOGGED" if o.unlogged else "LOGGED"
    return [
        Rendered(
            f"ALTER TABLE {qualified_key(o.table)} SET {word}",
            hazards=(exclusive_lock(), TABLE_REWRITE),
        )
    ]


@renders(op.SetRowSecurity)
def _row_security(o: op.SetRowSecurity, ctx: RenderContext) -> list[Rendered]:
    if o.force:
        word = "FORCE" if o.enabled else "NO FORCE"
    else:
        word = "ENABLE" if o.enabled else "DISABLE"
    return [
        Rendered(
            f"ALTER TABLE {qualified_key(o.table)} {word} ROW LEVEL SECURITY", hazards=(BRIEF_LOCK,)
        )
    ]


@renders(op.ProvePartitionBound)
def _prove_bound(o: op.ProvePartitionBound, ctx: RenderContext) -> list[Rendered]:
    assert not o.check.no_inherit
    return proven_by_check(o.table, o.check.name, o.check.expr.text, _OUTSIDE_BOUND)


_OUTSIDE_BOUND = may_fail(
    "fails if a row lies outside the partition bound: nothing is attached (the transaction "
    "rolls back; the NOT VALID check added before it stays until dropped)"
)
_PROVEN = Hazard(
    "access_exclusive_lock",
    "takes an ACCESS EXCLUSIVE lock on the partition and a SHARE UPDATE EXCLUSIVE lock on the "
    "parent (reads and writes of the parent go on; ACCESS EXCLUSIVE before PostgreSQL 12); "
    "no scan: the validated check proves the bound",
)
_SCANNED = (
    exclusive_lock("the partition"),
    Hazard(
        "table_scan",
        "scans the partition to check the bound, unless a valid CHECK constraint already proves it",
    ),
    may_fail("fails if a row lies outside the partition bound"),
)


def _default_partition(o: op.AttachPartition, ctx: RenderContext) -> tuple[Hazard, ...]:
    """What attaching beside the parent's DEFAULT partition does to that partition."""
    for t in ctx.target.schema.tables.values():
        if (
            t.partition_of == o.parent
            and t.key != o.table
            and partition_bound_sql(t.partition_bound).upper().startswith("DEFAULT")
        ):
            return (
                Hazard(
                    "table_scan",
                    f"scans the default partition {t.key} under an ACCESS EXCLUSIVE lock on it, "
                    "to check that none of its rows belong in the new partition (unless its "
                    "CHECK constraints prove it)",
                ),
                may_fail(f"fails if a row of the default partition {t.key} fits the new bound"),
            )
    return ()


@renders(op.AttachPartition)
def _attach(o: op.AttachPartition, ctx: RenderContext) -> list[Rendered]:
    sql = (
        f"ALTER TABLE {qualified_key(o.parent)} ATTACH PARTITION {qualified_key(o.table)} "
        f"{partition_bound_sql(o.bound)}"
    )
    if o.bound_check is None:
        return [Rendered(sql, hazards=_SCANNED + _default_partition(o, ctx))]
    return [
        Rendered(sql, hazards=(_PROVEN, *_default_partition(o, ctx))),
        Rendered(
            f"ALTER TABLE {qualified_key(o.table)} DROP CONSTRAINT {quote_ident(o.bound_check)}",
            hazards=(BRIEF_LOCK,),
        ),
    ]


@renders(op.DetachPartition)
def _detach(o: op.DetachPartition, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"ALTER TABLE {qualified_key(o.parent)} DETACH PARTITION {qualified_key(o.table)}",
            hazards=(exclusive_lock("the parent and the partition"),),
        )
    ]


@renders(op.AddInherit)
def _inherit(o: op.AddInherit, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"ALTER TABLE {qualified_key(o.table)} INHERIT {qualified_key(o.parent)}",
            hazards=(BRIEF_LOCK,),
        )
    ]


@renders(op.DropInherit)
def _no_inherit(o: op.DropInherit, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"ALTER TABLE {qualified_key(o.table)} NO INHERIT {qualified_key(o.parent)}",
            hazards=(BRIEF_LOCK,),
        )
    ]


def _no_virtual_tables(o: op.CreateVirtualTable | op.DropVirtualTable) -> UnsupportedError:
    return UnsupportedError(
        f"PostgreSQL has no virtual tables: cannot {o.describe()} "
        f"(SQLite's CREATE VIRTUAL TABLE ... USING {o.table.module})"
    )


@renders(op.CreateVirtualTable)
def _create_virtual_table(o: op.CreateVirtualTable, ctx: RenderContext) -> list[Rendered]:
    raise _no_virtual_tables(o)


@renders(op.DropVirtualTable)
def _drop_virtual_table(o: op.DropVirtualTable, ctx: RenderContext) -> list[Rendered]:
    raise _no_virtual_tables(o)
