"""Renderers of the operations on schemas, extensions, collations, types and domains, and
sequences."""

from __future__ import annotations

import dataclasses

from dbdesign.dialects.postgres import qualified, quote_ident, type_sql
from dbdesign.diff.postgres_sql.base import (
    BRIEF_LOCK,
    NOT_TRANSACTIONAL,
    TABLE_REWRITE,
    Hazard,
    RenderContext,
    Rendered,
    alter_column,
    exclusive_lock,
    from_object,
    may_fail,
    op,
    renders,
)
from dbdesign.emit.pg_text import default_sql, expr_path, qualified_key, quote_literal
from dbdesign.model import Domain, EnumType, Sequence


@renders(op.CreateSchema)
def _create_schema(o: op.CreateSchema, ctx: RenderContext) -> list[Rendered]:
    return from_object(ctx.target, "schema", o.namespace.name)


@renders(op.DropSchema)
def _drop_schema(o: op.DropSchema, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"DROP SCHEMA {quote_ident(o.namespace.name)}")]


@renders(op.CreateExtension)
def _create_extension(o: op.CreateExtension, ctx: RenderContext) -> list[Rendered]:
    out = from_object(ctx.target, "extension", o.extension.name)
    if o.extension.version and out:  # the version the target has, not the server's default
        out[0] = dataclasses.replace(
            out[0], sql=f"{out[0].sql} VERSION {quote_literal(o.extension.version)}"
        )
    return out


@renders(op.DropExtension)
def _drop_extension(o: op.DropExtension, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"DROP EXTENSION {quote_ident(o.extension.name)}")]


@renders(op.AlterExtensionSchema)
def _alter_extension(o: op.AlterExtensionSchema, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(f"ALTER EXTENSION {quote_ident(o.name)} SET SCHEMA {quote_ident(o.new_schema)}")
    ]


@renders(op.AlterExtensionVersion)
def _alter_extension_version(o: op.AlterExtensionVersion, ctx: RenderContext) -> list[Rendered]:
    sql = f"ALTER EXTENSION {quote_ident(o.name)} UPDATE TO {quote_literal(o.new_version)}"
    hazard = Hazard(
        "may_fail",
        f"runs the update scripts of {o.name} from {o.old_version} to {o.new_version}: "
        "extensions ship them for upgrades, rarely for downgrades",
    )
    return [Rendered(sql, hazards=(hazard,))]


@renders(op.CreateCollation)
def _create_collation(o: op.CreateCollation, ctx: RenderContext) -> list[Rendered]:
    return from_object(ctx.target, "collation", o.collation.key)


@renders(op.DropCollation)
def _drop_collation(o: op.DropCollation, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"DROP COLLATION {qualified_key(o.collation.key)}")]


# --------------------------------------------------------------------------- types


def _type_kind(t: op.TypeDef) -> str:
    if isinstance(t, EnumType):
        return "enum"
    return "domain" if isinstance(t, Domain) else "composite"


@renders(op.CreateType)
def _create_type(o: op.CreateType, ctx: RenderContext) -> list[Rendered]:
    return from_object(ctx.target, _type_kind(o.type), o.type.key)


def _drop_type_sql(t: op.TypeDef, name: str | None = None) -> str:
    what = "DOMAIN" if isinstance(t, Domain) else "TYPE"
    return f"DROP {what} {qualified(t.schema, name or t.name)}"


@renders(op.DropType)
def _drop_type(o: op.DropType, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(_drop_type_sql(o.type))]


@renders(op.AddEnumValue)
def _add_enum_value(o: op.AddEnumValue, ctx: RenderContext) -> list[Rendered]:
    name = qualified(o.new.schema, o.new.name)
    sql = f"ALTER TYPE {name} ADD VALUE IF NOT EXISTS {quote_literal(o.value)}"
    if o.before is not None:
        sql += f" BEFORE {quote_literal(o.before)}"
    elif o.after is not None:
        sql += f" AFTER {quote_literal(o.after)}"
    # Run alone: a value added in a transaction cannot be used before that transaction commits.
    return [Rendered(sql, transactional=False, hazards=(NOT_TRANSACTIONAL,))]


@renders(op.ReplaceType)
def _replace_type(o: op.ReplaceType, ctx: RenderContext) -> list[Rendered]:
    what = "DOMAIN" if isinstance(o.old, Domain) else "TYPE"
    old_name = qualified(o.old.schema, o.old.name)
    out = [Rendered(f"ALTER {what} {old_name} RENAME TO {quote_ident(o.temp_name)}")]
    out += from_object(ctx.target, _type_kind(o.new), o.new.key)
    new_name = qualified(o.new.schema, o.new.name)
    removed = (
        isinstance(o.old, EnumType)
        and isinstance(o.new, EnumType)
        and bool(set(o.old.values) - set(o.new.values))
    )
    for u in o.uses:
        col = quote_ident(u.column)
        head = alter_column(u.table, u.column)
        if u.old_default is not None:
            out.append(Rendered(f"{head} DROP DEFAULT", hazards=(BRIEF_LOCK,)))
        arr = "[]" * u.array_dims
        hazards: tuple[Hazard, ...] = (exclusive_lock(), TABLE_REWRITE)
        if removed:
            hazards += (may_fail("fails if a row holds a value the new type lacks"),)
        out.append(
            Rendered(
                f"{head} TYPE {new_name}{arr} USING {col}::{u.via}{arr}::{new_name}{arr}",
                hazards=hazards,
            )
        )
        if u.new_default is not None:
            out.append(
                Rendered(
                    f"{head} SET {default_sql(u.new_default)}",
                    expr_path([u.new_default]),
                    hazards=(BRIEF_LOCK,),
                )
            )
    out.append(Rendered(_drop_type_sql(o.old, o.temp_name)))
    return out


@renders(op.RenameType)
def _rename_type(o: op.RenameType, ctx: RenderContext) -> list[Rendered]:
    what = "DOMAIN" if o.domain else "TYPE"
    return [
        Rendered(f"ALTER {what} {qualified_key(o.old_key)} RENAME TO {quote_ident(o.new_name)}")
    ]


@renders(op.AlterDomainDefault)
def _domain_default(o: op.AlterDomainDefault, ctx: RenderContext) -> list[Rendered]:
    if o.new is None:
        return [Rendered(f"ALTER DOMAIN {qualified_key(o.domain)} DROP DEFAULT")]
    return [
        Rendered(
            f"ALTER DOMAIN {qualified_key(o.domain)} SET {default_sql(o.new)}", expr_path([o.new])
        )
    ]


@renders(op.AlterDomainNotNull)
def _domain_not_null(o: op.AlterDomainNotNull, ctx: RenderContext) -> list[Rendered]:
    if o.nullable:
        return [Rendered(f"ALTER DOMAIN {qualified_key(o.domain)} DROP NOT NULL")]
    return [
        Rendered(
            f"ALTER DOMAIN {qualified_key(o.domain)} SET NOT NULL",
            hazards=(
                Hazard("table_scan", "scans every table with a column of the domain"),
                may_fail("fails if a column of the domain holds NULL"),
            ),
        )
    ]


@renders(op.AddDomainConstraint)
def _add_domain_check(o: op.AddDomainConstraint, ctx: RenderContext) -> list[Rendered]:
    name = qualified_key(o.domain)
    chk = o.check
    sql = f"ALTER DOMAIN {name} ADD CONSTRAINT {quote_ident(chk.name)} CHECK ({chk.expr.text})"
    path = expr_path([chk.expr])
    out: list[Rendered] = []
    scan = Hazard("table_scan", "scans every table with a column of the domain")
    fail = may_fail("fails if a value of the domain breaks the check")
    key = f"domain:{o.domain}.{chk.name}"
    if not chk.validated:
        out.append(Rendered(sql + " NOT VALID", path, not_valid=key))
    elif o.validate_after:
        out.append(Rendered(sql + " NOT VALID", path, not_valid=key))
        out.append(
            Rendered(
                f"ALTER DOMAIN {name} VALIDATE CONSTRAINT {quote_ident(chk.name)}",
                hazards=(scan, fail),
                validates=key,
            )
        )
    else:
        out.append(Rendered(sql, path, hazards=(scan, fail)))
    if chk.comment is not None:
        out.append(
            Rendered(
                f"COMMENT ON CONSTRAINT {quote_ident(chk.name)} ON DOMAIN {name} IS "
                f"{quote_literal(chk.comment)}"
            )
        )
    return out


@renders(op.DropDomainConstraint)
def _drop_domain_check(o: op.DropDomainConstraint, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"ALTER DOMAIN {qualified_key(o.domain)} DROP CONSTRAINT {quote_ident(o.check.name)}"
        )
    ]


@renders(op.RenameDomainConstraint)
def _rename_domain_check(o: op.RenameDomainConstraint, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"ALTER DOMAIN {qualified_key(o.domain)} RENAME CONSTRAINT {quote_ident(o.check.name)} "
            f"TO {quote_ident(o.new_name)}"
        )
    ]


# --------------------------------------------------------------------------- sequences


@renders(op.CreateSequence)
def _create_sequence(o: op.CreateSequence, ctx: RenderContext) -> list[Rendered]:
    return from_object(ctx.target, "sequence", o.sequence.key)


@renders(op.DropSequence)
def _drop_sequence(o: op.DropSequence, ctx: RenderContext) -> list[Rendered]:
    exists = " IF EXISTS" if o.implied else ""
    hazards = () if o.implied else (Hazard("state_loss", "forgets the sequence's current value"),)
    return [
        Rendered(
            f"DROP SEQUENCE{exists} {qualified(o.sequence.schema, o.sequence.name)}",
            hazards=hazards,
        )
    ]


@renders(op.AlterSequence)
def _alter_sequence(o: op.AlterSequence, ctx: RenderContext) -> list[Rendered]:
    a, b = o.old, o.new
    (lo_a, hi_a), (lo_b, hi_b) = _sequence_bounds(a), _sequence_bounds(b)
    # With AS, NO MINVALUE / NO MAXVALUE keep the old direction's defaults where the old bounds
    # were the old type's: a sequence changing direction states its new bounds
    flips = (a.increment > 0) != (b.increment > 0)
    parts = []
    if a.type != b.type:
        parts.append(f"AS {type_sql(b.type)}")
    if a.increment != b.increment:
        parts.append(f"INCREMENT BY {b.increment}")
    if flips:
        parts.append(f"MINVALUE {lo_b} MAXVALUE {hi_b}")
    if not flips and (a.min_value != b.min_value or a.type != b.type):
        parts.append("NO MINVALUE" if b.min_value is None else f"MINVALUE {b.min_value}")
    if not flips and (a.max_value != b.max_value or a.type != b.type):
        parts.append("NO MAXVALUE" if b.max_value is None else f"MAXVALUE {b.max_value}")
    if a.start != b.start:
        parts.append(f"START WITH {b.start}")
    if a.cache != b.cache:
        parts.append(f"CACHE {b.cache}")
    if a.cycle != b.cycle:
        parts.append("CYCLE" if b.cycle else "NO CYCLE")
    if not parts:
        return []
    name = qualified(b.schema, b.name)
    out = []
    if lo_b > hi_a or hi_b < lo_a:
        # no value lies in both ranges (an ascending sequence turned descending, say): setval
        # cannot move the current value across, so the sequence restarts at its new START
        lost = Hazard(
            "state_loss", "the sequence restarts at its START (no value lies in both ranges)"
        )
        return [Rendered(f"ALTER SEQUENCE {name} {' '.join(parts)} RESTART", hazards=(lost,))]
    if lo_b > lo_a or hi_b < hi_a:
        # the current value must lie within the new bounds: move it in first (kept if it does)
        out.append(
            Rendered(
                f"SELECT setval({quote_literal(name)}, LEAST(GREATEST(last_value, {lo_b}), "
                f"{hi_b}), is_called) FROM {name}",
                hazards=(may_fail("a current value outside the new bounds is moved inside"),),
            )
        )
    return [*out, Rendered(f"ALTER SEQUENCE {name} {' '.join(parts)}")]


_SEQUENCE_TYPES = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}


def _sequence_bounds(q: Sequence) -> tuple[int, int]:
    """A sequence's effective MINVALUE and MAXVALUE (the type's defaults where not given)."""
    lo_t, hi_t = _SEQUENCE_TYPES.get(q.type.name, _SEQUENCE_TYPES["bigint"])
    up = q.increment > 0
    lo = q.min_value if q.min_value is not None else (1 if up else lo_t)
    hi = q.max_value if q.max_value is not None else (hi_t if up else -1)
    return lo, hi


def _owner_sql(owner: str | None, ctx: RenderContext) -> str:
    if owner is None:
        return "NONE"
    for sch in (ctx.target.schema, ctx.source.schema):
        table, _, column = owner.rpartition(".")
        if table in sch.tables:
            return f"{qualified_key(table)}.{quote_ident(column)}"
        for key in sch.tables:
            if owner.startswith(key + "."):
                return f"{qualified_key(key)}.{quote_ident(owner[len(key) + 1 :])}"
    table, _, column = owner.rpartition(".")
    return f"{qualified_key(table)}.{quote_ident(column)}"


@renders(op.SetSequenceOwner)
def _sequence_owner(o: op.SetSequenceOwner, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(f"ALTER SEQUENCE {qualified_key(o.sequence)} OWNED BY {_owner_sql(o.new, ctx)}")
    ]
