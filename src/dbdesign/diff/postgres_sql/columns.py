"""Renderers of the operations on columns: add, drop, rename, retype, defaults, NOT NULL
(directly or through a validated check), identity, generated expressions."""

from __future__ import annotations

import re

from dbdesign.dialects.postgres import make_object_name, quote_ident, type_sql
from dbdesign.diff.postgres_sql.base import (
    BRIEF_LOCK,
    TABLE_REWRITE,
    TABLE_SCAN,
    Hazard,
    RenderContext,
    Rendered,
    alter_column,
    breaking_rename,
    data_loss,
    exclusive_lock,
    may_fail,
    op,
    proven_by_check,
    renders,
)
from dbdesign.emit.pg_casts import cast_path, needs_using, rewrites
from dbdesign.emit.pg_clauses import identity_sql
from dbdesign.emit.pg_text import default_sql, expr_path, qualified_key, quote_literal
from dbdesign.emit.postgres import SchemaSql
from dbdesign.model import Column, Identity

_VOLATILE = re.compile(
    r"\b(random|clock_timestamp|timeofday|gen_random_uuid|uuid_generate_v\d\w*|nextval|uuidv\d)\s*\(",
    re.I,
)


def _add_column_hazards(c: Column) -> tuple[Hazard, ...]:
    out = [BRIEF_LOCK]
    if c.generated is not None and c.generated.stored:
        out.append(Hazard("table_rewrite", "computes the generated column for every row"))
        if SchemaSql.expr_columns([c.generated.expr]):
            out.append(may_fail("fails if the expression fails for an existing row"))
    elif c.identity is not None:
        out.append(Hazard("table_rewrite", "fills the identity column for every row"))
    elif c.default is not None and _VOLATILE.search(c.default.text):
        out.append(Hazard("table_rewrite", "a volatile default is computed for every row"))
    if not c.nullable and c.default is None and c.identity is None and c.generated is None:
        out.append(may_fail("NOT NULL without a default fails if the table has rows"))
    return tuple(out)


def _column_comment(table: str, c: Column) -> list[Rendered]:
    if c.comment is None:
        return []
    return [
        Rendered(
            f"COMMENT ON COLUMN {qualified_key(table)}.{quote_ident(c.name)} "
            f"IS {quote_literal(c.comment)}"
        )
    ]


@renders(op.AddColumn)
def _add_column(o: op.AddColumn, ctx: RenderContext) -> list[Rendered]:
    c = o.column
    gen = c.generated.expr if c.generated else None
    sql = f"ALTER TABLE {qualified_key(o.table)} ADD COLUMN {ctx.target.column_sql(c)}"
    out = [Rendered(sql, expr_path([c.default, gen]), hazards=_add_column_hazards(c))]
    return out + _column_comment(o.table, c)


def _generated_drop(o: op.DropColumn, ctx: RenderContext) -> Hazard:
    """What dropping a generated column does to clients: nothing when it is added again in
    the same transaction (a new expression), else code that names it breaks."""
    target = ctx.target.schema.tables.get(o.table)
    if target is not None and any(c.name == o.column.name for c in target.columns):
        return Hazard(
            "column_readded",
            "the generated column is added again with its new expression in the same "
            "transaction: clients never see it missing (the ADD recomputes every row)",
        )
    return Hazard(
        "breaking_change",
        "running code that names the generated column fails until it is redeployed",
    )


@renders(op.DropColumn)
def _drop_column(o: op.DropColumn, ctx: RenderContext) -> list[Rendered]:
    exists = "IF EXISTS " if o.if_exists else ""
    hazards: tuple[Hazard, ...] = (BRIEF_LOCK,)
    if o.column.generated is None:
        hazards += (data_loss("the column's values"),)
    else:
        hazards += (_generated_drop(o, ctx),)
    return [
        Rendered(
            f"ALTER TABLE {qualified_key(o.table)} "
            f"DROP COLUMN {exists}{quote_ident(o.column.name)}",
            hazards=hazards,
        )
    ]


@renders(op.RenameColumn)
def _rename_column(o: op.RenameColumn, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"ALTER TABLE {qualified_key(o.table)} RENAME COLUMN {quote_ident(o.old)} "
            f"TO {quote_ident(o.new)}",
            hazards=(BRIEF_LOCK, breaking_rename("column name")),
        )
    ]


@renders(op.AlterColumnType)
def _alter_type(o: op.AlterColumnType, ctx: RenderContext) -> list[Rendered]:
    head = alter_column(o.table, o.new.name)
    out: list[Rendered] = []
    type_changed = o.old.type != o.new.type
    if type_changed and o.old.default is not None and o.old.identity is None:
        out.append(Rendered(f"{head} DROP DEFAULT", hazards=(BRIEF_LOCK,)))
    sql = f"{head} TYPE {type_sql(o.new.type)}"
    if o.new.collation is not None:
        sql += f" COLLATE {ctx.target.collation(o.new.collation)}"
    using = o.using
    if using is None and o.via_text:  # enum to enum: through the labels
        arr = "[]" * o.new.type.array_dims
        using = f"{quote_ident(o.new.name)}::text{arr}::{type_sql(o.new.type)}"
    if using is None and needs_using(o.old.type, o.new.type):
        using = f"{quote_ident(o.new.name)}::{cast_path(o.old.type, o.new.type)}"
    if using is not None:
        sql += f" USING {using}"
    hazards: list[Hazard] = [exclusive_lock()]
    if rewrites(o.old.type, o.new.type) or o.old.collation != o.new.collation:
        hazards.append(TABLE_REWRITE)
    if o.destructive:
        hazards.append(
            data_loss(f"precision or values that do not fit {o.new.type} (narrowing conversion)")
        )
    if using is not None or o.destructive:
        hazards.append(may_fail(f"fails if a value does not convert to {o.new.type}"))
    out.append(Rendered(sql, hazards=tuple(hazards)))
    if type_changed and o.new.default is not None and o.new.identity is None:
        out.append(
            Rendered(
                f"{head} SET {default_sql(o.new.default)}",
                expr_path([o.new.default]),
                hazards=(BRIEF_LOCK,),
            )
        )
    return out


@renders(op.SetDefault)
def _set_default(o: op.SetDefault, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"{alter_column(o.table, o.column)} SET {default_sql(o.new)}",
            expr_path([o.new]),
            hazards=(BRIEF_LOCK,),
        )
    ]


@renders(op.DropDefault)
def _drop_default(o: op.DropDefault, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"{alter_column(o.table, o.column)} DROP DEFAULT", hazards=(BRIEF_LOCK,))]


def not_null_check_name(table: str, column: str) -> str:
    """The temporary check that proves a column has no NULLs before SET NOT NULL."""
    return make_object_name(table.rpartition(".")[2], column, "dbdesign_nn")


@renders(op.SetNotNull)
def _set_not_null(o: op.SetNotNull, ctx: RenderContext) -> list[Rendered]:
    head = alter_column(o.table, o.column)
    fail = may_fail("fails if the column holds NULL")
    if not o.via_check:
        return [Rendered(f"{head} SET NOT NULL", hazards=(exclusive_lock(), TABLE_SCAN, fail))]
    check = not_null_check_name(o.table, o.column)
    name = quote_ident(check)
    table = qualified_key(o.table)
    return [
        *proven_by_check(o.table, check, f"{quote_ident(o.column)} IS NOT NULL", fail),
        Rendered(f"{head} SET NOT NULL", hazards=(BRIEF_LOCK,)),
        Rendered(f"ALTER TABLE {table} DROP CONSTRAINT {name}", hazards=(BRIEF_LOCK,)),
    ]


@renders(op.DropNotNull)
def _drop_not_null(o: op.DropNotNull, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"{alter_column(o.table, o.column)} DROP NOT NULL", hazards=(BRIEF_LOCK,))]


@renders(op.AddIdentity)
def _add_identity(o: op.AddIdentity, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"{alter_column(o.table, o.column)} ADD {identity_sql(o.identity)}",
            hazards=(BRIEF_LOCK,),
        ),
        continue_after_max(o.table, o.column, o.identity),
    ]


def continue_after_max(table: str, column: str, ident: Identity | None = None) -> Rendered:
    """Move an identity sequence past the largest value already stored (no-op when empty)."""
    name = qualified_key(table)
    col = quote_ident(column)
    agg = "min" if ident is not None and (ident.increment or 1) < 0 else "max"
    return Rendered(
        f"SELECT setval(pg_get_serial_sequence({quote_literal(name)}, {quote_literal(column)}), "
        f"{agg}({col})) FROM {name}",
        hazards=(
            Hazard(
                "table_scan",
                f"reads every row for the {agg}imum of the column (an index on it makes this a "
                "quick look-up), inside the transaction that holds the ALTER's lock",
            ),
        ),
    )


@renders(op.DropIdentity)
def _drop_identity(o: op.DropIdentity, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"{alter_column(o.table, o.column)} DROP IDENTITY", hazards=(BRIEF_LOCK,))]


def _identity_changes(a: Identity, b: Identity) -> list[str]:
    out = []
    if a.always != b.always:
        out.append(f"SET GENERATED {'ALWAYS' if b.always else 'BY DEFAULT'}")
    if a.increment != b.increment:
        out.append(f"SET INCREMENT BY {b.increment if b.increment is not None else 1}")
    if a.min_value != b.min_value:
        out.append("SET NO MINVALUE" if b.min_value is None else f"SET MINVALUE {b.min_value}")
    if a.max_value != b.max_value:
        out.append("SET NO MAXVALUE" if b.max_value is None else f"SET MAXVALUE {b.max_value}")
    if a.start != b.start:
        inc = b.increment if b.increment is not None else 1
        default = (
            (b.min_value if b.min_value is not None else 1)
            if inc > 0
            else (b.max_value if b.max_value is not None else -1)
        )
        out.append(f"SET START WITH {b.start if b.start is not None else default}")
    if a.cache != b.cache:
        out.append(f"SET CACHE {b.cache if b.cache is not None else 1}")
    if a.cycle != b.cycle:
        out.append("SET CYCLE" if b.cycle else "SET NO CYCLE")
    return out


@renders(op.AlterIdentity)
def _alter_identity(o: op.AlterIdentity, ctx: RenderContext) -> list[Rendered]:
    changes = _identity_changes(o.old, o.new)
    if not changes:
        return []
    return [
        Rendered(f"{alter_column(o.table, o.column)} {' '.join(changes)}", hazards=(BRIEF_LOCK,))
    ]


@renders(op.DropExpression)
def _drop_expression(o: op.DropExpression, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"{alter_column(o.table, o.column.name)} DROP EXPRESSION", hazards=(exclusive_lock(),)
        )
    ]


@renders(op.ReplaceColumn)
def _replace_column(o: op.ReplaceColumn, ctx: RenderContext) -> list[Rendered]:
    out: list[Rendered] = _drop_column(op.DropColumn(table=o.table, column=o.old), ctx)
    return out + _add_column(op.AddColumn(table=o.table, column=o.new), ctx)
