"""Renderers of the operations on constraints (keys, checks, foreign keys, exclusions; the
forms that keep a table available) and indexes."""

from __future__ import annotations

from dbdesign.dialects.postgres import qualified, quote_ident
from dbdesign.diff.postgres_sql.base import (
    BRIEF_LOCK,
    INDEX_BUILD,
    INDEX_BUILD_ONLINE,
    NOT_TRANSACTIONAL,
    TABLE_SCAN,
    TABLE_SCAN_ONLINE,
    Hazard,
    RenderContext,
    Rendered,
    exclusive_lock,
    may_fail,
    op,
    renders,
)
from dbdesign.emit.pg_clauses import (
    check_clause,
    exclusion_clause,
    foreign_key_clause,
    primary_key_clause,
    unique_clause,
)
from dbdesign.emit.pg_text import expr_path, qualified_key, quote_literal
from dbdesign.model import Check, ForeignKey, PrimaryKey, Unique


def _constraint_comment(table: str, name: str, comment: str | None) -> list[Rendered]:
    if comment is None:
        return []
    return [
        Rendered(
            f"COMMENT ON CONSTRAINT {quote_ident(name)} ON {qualified_key(table)} "
            f"IS {quote_literal(comment)}"
        )
    ]


def _unique_index_sql(table: str, c: PrimaryKey | Unique) -> str:
    cols = ", ".join(quote_ident(x) for x in c.columns)
    sql = (
        f"CREATE UNIQUE INDEX CONCURRENTLY {quote_ident(c.name)} ON {qualified_key(table)} ({cols})"
    )
    if c.include:
        sql += f" INCLUDE ({', '.join(quote_ident(x) for x in c.include)})"
    if isinstance(c, Unique) and c.nulls_not_distinct:
        sql += " NULLS NOT DISTINCT"
    return sql


@renders(op.AddConstraint)
def _add_constraint(o: op.AddConstraint, ctx: RenderContext) -> list[Rendered]:
    c = o.constraint
    table = qualified_key(o.table)
    out: list[Rendered] = []
    if isinstance(c, PrimaryKey | Unique):
        dup = may_fail("fails if existing rows hold duplicates")
        if o.form == "using_index":
            out.append(
                Rendered(
                    _unique_index_sql(o.table, c),
                    transactional=False,
                    hazards=(INDEX_BUILD_ONLINE, dup, NOT_TRANSACTIONAL),
                )
            )
            clause = (
                primary_key_clause(c, using_index=True)
                if isinstance(c, PrimaryKey)
                else unique_clause(c, using_index=True)
            )
            hazards: tuple[Hazard, ...] = (BRIEF_LOCK,)
            if isinstance(c, PrimaryKey):
                hazards += (
                    Hazard("table_scan", "sets NOT NULL on the key columns that lack it (a scan)"),
                )
            out.append(Rendered(f"ALTER TABLE {table} ADD {clause}", hazards=hazards))
        else:
            clause = primary_key_clause(c) if isinstance(c, PrimaryKey) else unique_clause(c)
            out.append(
                Rendered(
                    f"ALTER TABLE {table} ADD {clause}",
                    hazards=(exclusive_lock(), INDEX_BUILD, dup),
                )
            )
    elif isinstance(c, Check | ForeignKey):
        clause = check_clause(c) if isinstance(c, Check) else foreign_key_clause(c)
        path = expr_path([c.expr]) if isinstance(c, Check) else None
        sql = f"ALTER TABLE {table} ADD {clause}"
        what = "a row breaks the check" if isinstance(c, Check) else "a row has no referenced row"
        fail = may_fail(f"fails if {what}")
        lock = (
            exclusive_lock()
            if isinstance(c, Check)
            else Hazard(
                "share_row_exclusive_lock",
                "takes a SHARE ROW EXCLUSIVE lock on both tables: writes wait until it commits",
            )
        )
        key = f"{o.table}.{c.name}"
        if o.form == "not_valid" or not c.validated:
            out.append(Rendered(sql + " NOT VALID", path, hazards=(BRIEF_LOCK,), not_valid=key))
        elif o.form == "validate_after":
            out.append(Rendered(sql + " NOT VALID", path, hazards=(BRIEF_LOCK,), not_valid=key))
            out.append(
                Rendered(
                    f"ALTER TABLE {table} VALIDATE CONSTRAINT {quote_ident(c.name)}",
                    hazards=(TABLE_SCAN_ONLINE, fail),
                    validates=key,
                )
            )
        else:
            out.append(Rendered(sql, path, hazards=(lock, TABLE_SCAN, fail)))
    else:
        exprs = [c.where, *(e.element.expr for e in c.elements)]
        out.append(
            Rendered(
                f"ALTER TABLE {table} ADD {exclusion_clause(c)}",
                expr_path(exprs),
                hazards=(
                    exclusive_lock(),
                    INDEX_BUILD,
                    may_fail("fails if existing rows conflict"),
                ),
            )
        )
    return out + _constraint_comment(o.table, c.name, c.comment)


@renders(op.DropConstraint)
def _drop_constraint(o: op.DropConstraint, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"ALTER TABLE {qualified_key(o.table)} "
            f"DROP CONSTRAINT {quote_ident(o.constraint.name)}",
            hazards=(BRIEF_LOCK,),
        )
    ]


@renders(op.RenameConstraint)
def _rename_constraint(o: op.RenameConstraint, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"ALTER TABLE {qualified_key(o.table)} "
            f"RENAME CONSTRAINT {quote_ident(o.constraint.name)} TO {quote_ident(o.new_name)}",
            hazards=(BRIEF_LOCK,),
        )
    ]


@renders(op.ValidateConstraint)
def _validate(o: op.ValidateConstraint, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"ALTER TABLE {qualified_key(o.table)} "
            f"VALIDATE CONSTRAINT {quote_ident(o.constraint.name)}",
            hazards=(TABLE_SCAN_ONLINE, may_fail("fails if a row breaks the constraint")),
            validates=f"{o.table}.{o.constraint.name}",
        )
    ]


@renders(op.InvalidateConstraint)
def _invalidate(o: op.InvalidateConstraint, ctx: RenderContext) -> list[Rendered]:
    c = o.constraint
    clause = check_clause(c) if isinstance(c, Check) else foreign_key_clause(c)
    return [
        *_drop_constraint(op.DropConstraint(table=o.table, constraint=c), ctx),
        Rendered(
            f"ALTER TABLE {qualified_key(o.table)} ADD {clause} NOT VALID",
            expr_path([c.expr]) if isinstance(c, Check) else None,
            hazards=(BRIEF_LOCK,),
            not_valid=f"{o.table}.{c.name}",
        ),
        *_constraint_comment(o.table, c.name, c.comment),
    ]


# --------------------------------------------------------------------------- indexes


@renders(op.CreateIndex)
def _create_index(o: op.CreateIndex, ctx: RenderContext) -> list[Rendered]:
    ix = o.index
    path = expr_path([ix.where, *(e.expr for e in ix.elements)])
    sql = ctx.target.index_sql(ix, concurrently=o.concurrently)
    fail = (may_fail("fails if existing rows hold duplicates"),) if ix.unique else ()
    if o.concurrently:
        out = [
            Rendered(
                sql,
                path,
                transactional=False,
                hazards=(INDEX_BUILD_ONLINE, *fail, NOT_TRANSACTIONAL),
            )
        ]
    else:
        out = [Rendered(sql, path, hazards=(INDEX_BUILD, *fail))]
    if ix.comment is not None:
        out.append(
            Rendered(
                f"COMMENT ON INDEX {qualified(ix.schema, ix.name)} IS {quote_literal(ix.comment)}"
            )
        )
    return out


@renders(op.DropIndex)
def _drop_index(o: op.DropIndex, ctx: RenderContext) -> list[Rendered]:
    name = qualified(o.index.schema, o.index.name)
    if o.concurrently:
        return [
            Rendered(
                f"DROP INDEX CONCURRENTLY {name}",
                transactional=False,
                hazards=(NOT_TRANSACTIONAL,),
            )
        ]
    return [Rendered(f"DROP INDEX {name}", hazards=(BRIEF_LOCK,))]
