"""Diff operations -> PostgreSQL statements, each with its hazards.

One renderer function per operation class, registered in a dispatch table (alembic style). A
created object is written with exactly the statements :func:`dbdesign.emit.postgres.emit_schema`
writes for it (:class:`~dbdesign.emit.postgres.SchemaSql`), so a diff and a full emit never
disagree about how an object looks.

Hazards describe what a statement does to an existing table on PostgreSQL 12+: the lock it
takes, whether it rewrites or scans the table or builds an index, whether it deletes data, and
whether it can fail on existing rows. Statements on tables created in the same migration have
none (the plan drops them: the table is empty and nobody uses it yet).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from dbdesign.dialects.postgres import make_object_name, qualified, quote_ident, type_sql
from dbdesign.diff import operations as op
from dbdesign.diff.operations import Hazard, rebuild_name
from dbdesign.emit.postgres import (
    SchemaSql,
    check_clause,
    default_sql,
    exclusion_clause,
    foreign_key_clause,
    function_signature,
    function_sql,
    grantee_sql,
    identity_sql,
    primary_key_clause,
    qualified_key,
    quote_literal,
    schema_of,
    unique_clause,
    view_sql,
)
from dbdesign.model import (
    Check,
    Column,
    DataType,
    Domain,
    EnumType,
    Exclusion,
    Expr,
    ForeignKey,
    Function,
    Identity,
    PrimaryKey,
    Sequence,
    Table,
    Unique,
)

__all__ = ["RenderContext", "Rendered", "render", "runs_outside_transaction"]


@dataclass(frozen=True, slots=True)
class Rendered:
    sql: str
    path: str | None = None  # the schema unqualified names resolve to (None: public)
    transactional: bool = True
    hazards: tuple[Hazard, ...] = ()


@dataclass(frozen=True, slots=True)
class RenderContext:
    """The schemas before (``source``) and after (``target``) the migration."""

    source: SchemaSql
    target: SchemaSql

    def function(self, key: str) -> Function | None:
        return self.target.schema.functions.get(key) or self.source.schema.functions.get(key)


# --------------------------------------------------------------------------- hazards


def _lock(what: str = "the table") -> Hazard:
    return Hazard(
        "access_exclusive_lock",
        f"takes an ACCESS EXCLUSIVE lock on {what}: reads and writes wait until it commits",
    )


_BRIEF = Hazard(
    "access_exclusive_lock",
    "takes an ACCESS EXCLUSIVE lock briefly (catalog change only); "
    "it waits for running queries and blocks new ones while it waits",
)
_REWRITE = Hazard("table_rewrite", "rewrites the whole table (and its indexes) under the lock")
_SCAN = Hazard("table_scan", "scans the whole table under the lock to check existing rows")
_SCAN_ONLINE = Hazard(
    "table_scan",
    "scans the whole table to validate it, with a SHARE UPDATE EXCLUSIVE lock "
    "(reads and writes continue)",
)
_INDEX = Hazard("index_build", "builds an index; a SHARE lock blocks writes until it finishes")
_INDEX_ONLINE = Hazard(
    "index_build",
    "builds the index CONCURRENTLY: writes continue, it takes longer, and a failure leaves an "
    "INVALID index to drop",
)
_NOT_TX = Hazard("not_transactional", "cannot run inside a transaction block")


def _data_loss(what: str) -> Hazard:
    return Hazard("data_loss", f"deletes {what}")


def _may_fail(why: str) -> Hazard:
    return Hazard("may_fail", why)


# --------------------------------------------------------------------------- helpers


def _qk(key: str) -> str:
    return qualified_key(key)


def _table_col(table: str, column: str) -> str:
    return f"ALTER TABLE {_qk(table)} ALTER COLUMN {quote_ident(column)}"


def _path(exprs: Iterable[Expr | None]) -> str | None:
    for e in exprs:
        if e is not None and schema_of(e) is not None:
            return schema_of(e)
    return None


def _comment_literal(text: str | None) -> str:
    return "NULL" if text is None else quote_literal(text)


def _from_object(
    sql_schema: SchemaSql, kind: str, key: str, hazards: tuple[Hazard, ...] = ()
) -> list[Rendered]:
    out = []
    for i, (sql, path) in enumerate(sql_schema.statements(kind, key)):
        out.append(Rendered(sql, path, hazards=hazards if i == 0 else ()))
    return out


def _type_kind(t: op.TypeDef) -> str:
    if isinstance(t, EnumType):
        return "enum"
    return "domain" if isinstance(t, Domain) else "composite"


def _function_kind(fn: Function) -> str:
    return "aggregate" if fn.kind == "aggregate" else "function"


_TEXT_TYPES = frozenset({"text", "character varying", "character", "name", "citext"})
_NUMERIC = frozenset({"smallint", "integer", "bigint", "numeric", "real", "double precision"})
_DATETIME = frozenset(
    {"date", "timestamp without time zone", "timestamp with time zone", "time without time zone"}
)
_ASSIGNABLE_GROUPS = (_NUMERIC, _DATETIME, frozenset({"json", "jsonb"}), _TEXT_TYPES)
_BINARY_COERCIBLE = {
    ("character varying", "text"),
    ("text", "character varying"),
    ("cidr", "inet"),
    ("xml", "text"),
    ("json", "text"),
}


def needs_using(old: DataType, new: DataType) -> bool:
    """Whether ALTER COLUMN ... TYPE needs a USING clause (no assignment cast exists)."""
    if old.array_dims != new.array_dims:
        return True
    if old.name == new.name:
        return False
    if new.name in _TEXT_TYPES and old.name in CATALOG_BUILTINS:
        return False  # every built-in type has an I/O conversion to text
    return not any(old.name in g and new.name in g for g in _ASSIGNABLE_GROUPS)


# Built-in types with an assignment cast to the string types (through their text form).
CATALOG_BUILTINS = (
    _NUMERIC
    | _DATETIME
    | _TEXT_TYPES
    | {
        "boolean",
        "uuid",
        "json",
        "jsonb",
        "inet",
        "cidr",
        "bytea",
        "interval",
        "xml",
        "money",
    }
)


def rewrites(old: DataType, new: DataType) -> bool:
    """Whether a type change rewrites the table (PostgreSQL skips it for binary-coercible
    changes that cannot invalidate a value)."""
    if old.array_dims != new.array_dims:
        return True
    if old.name == new.name:
        if old.name in ("character varying", "bit varying"):
            return bool(new.args) and (not old.args or int(new.args[0]) < int(old.args[0]))
        if old.name == "numeric":
            if not new.args:
                return False
            if not old.args:
                return True
            s0 = int(old.args[1]) if len(old.args) > 1 else 0
            s1 = int(new.args[1]) if len(new.args) > 1 else 0
            return s0 != s1 or int(new.args[0]) < int(old.args[0])
        return tuple(old.args) != tuple(new.args)
    if (old.name, new.name) in _BINARY_COERCIBLE:
        return old.name == "text" and bool(new.args)
    return True


# --------------------------------------------------------------------------- dispatch

OpT = TypeVar("OpT", bound=op.Operation)
Renderer = Callable[[Any, RenderContext], list[Rendered]]
_RENDERERS: dict[type[op.Operation], Renderer] = {}


def _renders(
    cls: type[OpT],
) -> Callable[
    [Callable[[OpT, RenderContext], list[Rendered]]], Callable[[OpT, RenderContext], list[Rendered]]
]:
    def deco(
        fn: Callable[[OpT, RenderContext], list[Rendered]],
    ) -> Callable[[OpT, RenderContext], list[Rendered]]:
        _RENDERERS[cls] = fn
        return fn

    return deco


def render(operation: op.Operation, ctx: RenderContext) -> list[Rendered]:
    """The statements that carry out one operation."""
    out: list[Rendered] = _RENDERERS[type(operation)](operation, ctx)
    return out


def runs_outside_transaction(operation: op.Operation) -> bool:
    """Whether some statement of the operation cannot run inside a transaction block."""
    if isinstance(operation, op.CreateIndex | op.DropIndex):
        return operation.concurrently
    if isinstance(operation, op.AddConstraint):
        return operation.form == "using_index"
    return isinstance(operation, op.AddEnumValue)


# --------------------------------------------------------------------------- schemas, extensions


@_renders(op.CreateSchema)
def _create_schema(o: op.CreateSchema, ctx: RenderContext) -> list[Rendered]:
    return _from_object(ctx.target, "schema", o.namespace.name)


@_renders(op.DropSchema)
def _drop_schema(o: op.DropSchema, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"DROP SCHEMA {quote_ident(o.namespace.name)}")]


@_renders(op.CreateExtension)
def _create_extension(o: op.CreateExtension, ctx: RenderContext) -> list[Rendered]:
    out = _from_object(ctx.target, "extension", o.extension.name)
    if o.extension.version and out:  # the version the target has, not the server's default
        out[0] = dataclasses.replace(
            out[0], sql=f"{out[0].sql} VERSION {quote_literal(o.extension.version)}"
        )
    return out


@_renders(op.DropExtension)
def _drop_extension(o: op.DropExtension, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"DROP EXTENSION {quote_ident(o.extension.name)}")]


@_renders(op.AlterExtensionSchema)
def _alter_extension(o: op.AlterExtensionSchema, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(f"ALTER EXTENSION {quote_ident(o.name)} SET SCHEMA {quote_ident(o.new_schema)}")
    ]


@_renders(op.AlterExtensionVersion)
def _alter_extension_version(o: op.AlterExtensionVersion, ctx: RenderContext) -> list[Rendered]:
    sql = f"ALTER EXTENSION {quote_ident(o.name)} UPDATE TO {quote_literal(o.new_version)}"
    hazard = Hazard(
        "may_fail",
        f"runs the update scripts of {o.name} from {o.old_version} to {o.new_version}: "
        "extensions ship them for upgrades, rarely for downgrades",
    )
    return [Rendered(sql, hazards=(hazard,))]


@_renders(op.CreateCollation)
def _create_collation(o: op.CreateCollation, ctx: RenderContext) -> list[Rendered]:
    return _from_object(ctx.target, "collation", o.collation.key)


@_renders(op.DropCollation)
def _drop_collation(o: op.DropCollation, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"DROP COLLATION {_qk(o.collation.key)}")]


# --------------------------------------------------------------------------- types


@_renders(op.CreateType)
def _create_type(o: op.CreateType, ctx: RenderContext) -> list[Rendered]:
    return _from_object(ctx.target, _type_kind(o.type), o.type.key)


def _drop_type_sql(t: op.TypeDef, name: str | None = None) -> str:
    what = "DOMAIN" if isinstance(t, Domain) else "TYPE"
    return f"DROP {what} {qualified(t.schema, name or t.name)}"


@_renders(op.DropType)
def _drop_type(o: op.DropType, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(_drop_type_sql(o.type))]


@_renders(op.AddEnumValue)
def _add_enum_value(o: op.AddEnumValue, ctx: RenderContext) -> list[Rendered]:
    name = qualified(o.new.schema, o.new.name)
    sql = f"ALTER TYPE {name} ADD VALUE IF NOT EXISTS {quote_literal(o.value)}"
    if o.before is not None:
        sql += f" BEFORE {quote_literal(o.before)}"
    elif o.after is not None:
        sql += f" AFTER {quote_literal(o.after)}"
    # Run alone: a value added in a transaction cannot be used before that transaction commits.
    return [Rendered(sql, transactional=False, hazards=(_NOT_TX,))]


@_renders(op.ReplaceType)
def _replace_type(o: op.ReplaceType, ctx: RenderContext) -> list[Rendered]:
    what = "DOMAIN" if isinstance(o.old, Domain) else "TYPE"
    old_name = qualified(o.old.schema, o.old.name)
    out = [Rendered(f"ALTER {what} {old_name} RENAME TO {quote_ident(o.temp_name)}")]
    out += _from_object(ctx.target, _type_kind(o.new), o.new.key)
    new_name = qualified(o.new.schema, o.new.name)
    removed = (
        isinstance(o.old, EnumType)
        and isinstance(o.new, EnumType)
        and bool(set(o.old.values) - set(o.new.values))
    )
    for u in o.uses:
        col = quote_ident(u.column)
        head = _table_col(u.table, u.column)
        if u.old_default is not None:
            out.append(Rendered(f"{head} DROP DEFAULT", hazards=(_BRIEF,)))
        arr = "[]" * u.array_dims
        hazards: tuple[Hazard, ...] = (_lock(), _REWRITE)
        if removed:
            hazards += (_may_fail("fails if a row holds a value the new type lacks"),)
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
                    _path([u.new_default]),
                    hazards=(_BRIEF,),
                )
            )
    out.append(Rendered(_drop_type_sql(o.old, o.temp_name)))
    return out


@_renders(op.RenameType)
def _rename_type(o: op.RenameType, ctx: RenderContext) -> list[Rendered]:
    what = "DOMAIN" if o.domain else "TYPE"
    return [Rendered(f"ALTER {what} {_qk(o.old_key)} RENAME TO {quote_ident(o.new_name)}")]


@_renders(op.AlterDomainDefault)
def _domain_default(o: op.AlterDomainDefault, ctx: RenderContext) -> list[Rendered]:
    if o.new is None:
        return [Rendered(f"ALTER DOMAIN {_qk(o.domain)} DROP DEFAULT")]
    return [Rendered(f"ALTER DOMAIN {_qk(o.domain)} SET {default_sql(o.new)}", _path([o.new]))]


@_renders(op.AlterDomainNotNull)
def _domain_not_null(o: op.AlterDomainNotNull, ctx: RenderContext) -> list[Rendered]:
    if o.nullable:
        return [Rendered(f"ALTER DOMAIN {_qk(o.domain)} DROP NOT NULL")]
    return [
        Rendered(
            f"ALTER DOMAIN {_qk(o.domain)} SET NOT NULL",
            hazards=(
                Hazard("table_scan", "scans every table with a column of the domain"),
                _may_fail("fails if a column of the domain holds NULL"),
            ),
        )
    ]


@_renders(op.AddDomainConstraint)
def _add_domain_check(o: op.AddDomainConstraint, ctx: RenderContext) -> list[Rendered]:
    name = _qk(o.domain)
    chk = o.check
    sql = f"ALTER DOMAIN {name} ADD CONSTRAINT {quote_ident(chk.name)} CHECK ({chk.expr.text})"
    path = _path([chk.expr])
    out: list[Rendered] = []
    scan = Hazard("table_scan", "scans every table with a column of the domain")
    fail = _may_fail("fails if a value of the domain breaks the check")
    if not chk.validated:
        out.append(Rendered(sql + " NOT VALID", path))
    elif o.validate_after:
        out.append(Rendered(sql + " NOT VALID", path))
        out.append(
            Rendered(
                f"ALTER DOMAIN {name} VALIDATE CONSTRAINT {quote_ident(chk.name)}",
                hazards=(scan, fail),
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


@_renders(op.DropDomainConstraint)
def _drop_domain_check(o: op.DropDomainConstraint, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"ALTER DOMAIN {_qk(o.domain)} DROP CONSTRAINT {quote_ident(o.check.name)}")]


@_renders(op.RenameDomainConstraint)
def _rename_domain_check(o: op.RenameDomainConstraint, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"ALTER DOMAIN {_qk(o.domain)} RENAME CONSTRAINT {quote_ident(o.check.name)} "
            f"TO {quote_ident(o.new_name)}"
        )
    ]


# --------------------------------------------------------------------------- sequences


@_renders(op.CreateSequence)
def _create_sequence(o: op.CreateSequence, ctx: RenderContext) -> list[Rendered]:
    return _from_object(ctx.target, "sequence", o.sequence.key)


@_renders(op.DropSequence)
def _drop_sequence(o: op.DropSequence, ctx: RenderContext) -> list[Rendered]:
    exists = " IF EXISTS" if o.implied else ""
    hazards = () if o.implied else (Hazard("state_loss", "forgets the sequence's current value"),)
    return [
        Rendered(
            f"DROP SEQUENCE{exists} {qualified(o.sequence.schema, o.sequence.name)}",
            hazards=hazards,
        )
    ]


@_renders(op.AlterSequence)
def _alter_sequence(o: op.AlterSequence, ctx: RenderContext) -> list[Rendered]:
    a, b = o.old, o.new
    parts = []
    if a.type != b.type:
        parts.append(f"AS {type_sql(b.type)}")
    if a.increment != b.increment:
        parts.append(f"INCREMENT BY {b.increment}")
    if a.min_value != b.min_value or a.type != b.type:
        parts.append("NO MINVALUE" if b.min_value is None else f"MINVALUE {b.min_value}")
    if a.max_value != b.max_value or a.type != b.type:
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
    (lo_a, hi_a), (lo_b, hi_b) = _sequence_bounds(a), _sequence_bounds(b)
    if lo_b > lo_a or hi_b < hi_a:
        # the current value must lie within the new bounds: move it in first (kept if it does)
        out.append(
            Rendered(
                f"SELECT setval({quote_literal(name)}, LEAST(GREATEST(last_value, {lo_b}), "
                f"{hi_b}), is_called) FROM {name}",
                hazards=(_may_fail("a current value outside the new bounds is moved inside"),),
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
            return f"{_qk(table)}.{quote_ident(column)}"
        for key in sch.tables:
            if owner.startswith(key + "."):
                return f"{_qk(key)}.{quote_ident(owner[len(key) + 1 :])}"
    table, _, column = owner.rpartition(".")
    return f"{_qk(table)}.{quote_ident(column)}"


@_renders(op.SetSequenceOwner)
def _sequence_owner(o: op.SetSequenceOwner, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"ALTER SEQUENCE {_qk(o.sequence)} OWNED BY {_owner_sql(o.new, ctx)}")]


# --------------------------------------------------------------------------- tables


@_renders(op.CreateTable)
def _create_table(o: op.CreateTable, ctx: RenderContext) -> list[Rendered]:
    return _from_object(ctx.target, "table", o.table.key)


@_renders(op.DropTable)
def _drop_table(o: op.DropTable, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"DROP TABLE {qualified(o.table.schema, o.table.name)}",
            hazards=(_lock(), _data_loss("the table and every row in it")),
        )
    ]


def _key_names(t: Table) -> list[str]:
    return ([t.primary_key.name] if t.primary_key else []) + [*t.uniques, *t.exclusions]


@_renders(op.SetTableAside)
def _set_aside(o: op.SetTableAside, ctx: RenderContext) -> list[Rendered]:
    a = o.table
    tmp = qualified(a.schema, o.temp_name)
    out = [
        Rendered(
            f"ALTER TABLE {qualified(a.schema, a.name)} RENAME TO {quote_ident(o.temp_name)}",
            hazards=(_lock(),),
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


@_renders(op.RestoreTable)
def _restore(o: op.RestoreTable, ctx: RenderContext) -> list[Rendered]:
    a = o.table
    tmp = qualified(a.schema, rebuild_name(a))
    out = [Rendered(f"ALTER TABLE {tmp} RENAME TO {quote_ident(a.name)}", hazards=(_lock(),))]
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


@_renders(op.RebuildTable)
def _rebuild_table(o: op.RebuildTable, ctx: RenderContext) -> list[Rendered]:
    a, b = o.old, o.new
    name = qualified(b.schema, b.name)
    tmp = qualified(a.schema, o.temp_name)
    out = _from_object(ctx.target, "table", b.key)
    old_cols = {c.name: c for c in a.columns}
    names, values = [], []
    for c in b.columns:
        src = old_cols.get(c.name)
        if src is None or c.generated is not None:
            continue
        names.append(quote_ident(c.name))
        value = quote_ident(c.name)
        if src.type != c.type and needs_using(src.type, c.type):
            value = f"{value}::{_cast_path(src.type, c.type)}"
        values.append(value)
    overriding = " OVERRIDING SYSTEM VALUE" if any(c.identity for c in b.columns) else ""
    hazards: tuple[Hazard, ...] = (
        _lock(),
        Hazard("table_rewrite", "copies every row into the new table under the lock"),
    )
    losses = o.losses
    if losses:
        hazards += (
            _data_loss(
                "the stored values of "
                + "; ".join(f"column {quote_ident(x.column)} ({x.why})" for x in losses)
            ),
        )
    hazards += tuple(_may_fail(why) for why in _rebuild_risks(a, b))
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
            out.append(_continue_after_max(b.key, c.name, c.identity))
    out.append(Rendered(f"DROP TABLE {tmp}"))
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


@_renders(op.RenameTable)
def _rename_relation(o: op.RenameTable, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"ALTER {o.relation} {_qk(o.old_key)} RENAME TO {quote_ident(o.new_name)}")]


def _option_key(opt: str) -> str:
    return opt.partition("=")[0].strip().lower()


@_renders(op.SetTableOptions)
def _table_options(o: op.SetTableOptions, ctx: RenderContext) -> list[Rendered]:
    new_keys = {_option_key(x) for x in o.new}
    reset = [_option_key(x) for x in o.old if _option_key(x) not in new_keys]
    changed = [x for x in o.new if x not in o.old]
    out = []
    if reset:
        out.append(
            Rendered(f"ALTER TABLE {_qk(o.table)} RESET ({', '.join(reset)})", hazards=(_BRIEF,))
        )
    if changed:
        out.append(
            Rendered(f"ALTER TABLE {_qk(o.table)} SET ({', '.join(changed)})", hazards=(_BRIEF,))
        )
    return out


@_renders(op.SetLogged)
def _set_logged(o: op.SetLogged, ctx: RenderContext) -> list[Rendered]:
    word = "UNLOGGED" if o.unlogged else "LOGGED"
    return [Rendered(f"ALTER TABLE {_qk(o.table)} SET {word}", hazards=(_lock(), _REWRITE))]


@_renders(op.SetRowSecurity)
def _row_security(o: op.SetRowSecurity, ctx: RenderContext) -> list[Rendered]:
    if o.force:
        word = "FORCE" if o.enabled else "NO FORCE"
    else:
        word = "ENABLE" if o.enabled else "DISABLE"
    return [Rendered(f"ALTER TABLE {_qk(o.table)} {word} ROW LEVEL SECURITY", hazards=(_BRIEF,))]


def _bound_sql(bound: Expr | None) -> str:
    text = bound.text.strip() if bound is not None else "DEFAULT"
    if not re.match(r"(?i)^(for\s+values|default)\b", text):
        text = f"FOR VALUES {text}"
    return text


@_renders(op.AttachPartition)
def _attach(o: op.AttachPartition, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"ALTER TABLE {_qk(o.parent)} ATTACH PARTITION {_qk(o.table)} {_bound_sql(o.bound)}",
            hazards=(
                _lock("the partition"),
                Hazard(
                    "table_scan",
                    "scans the partition to check the bound, unless a valid CHECK constraint "
                    "already proves it",
                ),
                _may_fail("fails if a row lies outside the partition bound"),
            ),
        )
    ]


@_renders(op.DetachPartition)
def _detach(o: op.DetachPartition, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"ALTER TABLE {_qk(o.parent)} DETACH PARTITION {_qk(o.table)}",
            hazards=(_lock("the parent and the partition"),),
        )
    ]


@_renders(op.AddInherit)
def _inherit(o: op.AddInherit, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"ALTER TABLE {_qk(o.table)} INHERIT {_qk(o.parent)}", hazards=(_BRIEF,))]


@_renders(op.DropInherit)
def _no_inherit(o: op.DropInherit, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"ALTER TABLE {_qk(o.table)} NO INHERIT {_qk(o.parent)}", hazards=(_BRIEF,))]


# --------------------------------------------------------------------------- columns

_VOLATILE = re.compile(
    r"\b(random|clock_timestamp|timeofday|gen_random_uuid|uuid_generate_v\d\w*|nextval|uuidv\d)\s*\(",
    re.I,
)


def _add_column_hazards(c: Column) -> tuple[Hazard, ...]:
    out = [_BRIEF]
    if c.generated is not None and c.generated.stored:
        out.append(Hazard("table_rewrite", "computes the generated column for every row"))
        if SchemaSql.expr_columns([c.generated.expr]):
            out.append(_may_fail("fails if the expression fails for an existing row"))
    elif c.identity is not None:
        out.append(Hazard("table_rewrite", "fills the identity column for every row"))
    elif c.default is not None and _VOLATILE.search(c.default.text):
        out.append(Hazard("table_rewrite", "a volatile default is computed for every row"))
    if not c.nullable and c.default is None and c.identity is None and c.generated is None:
        out.append(_may_fail("NOT NULL without a default fails if the table has rows"))
    return tuple(out)


def _column_comment(table: str, c: Column) -> list[Rendered]:
    if c.comment is None:
        return []
    return [
        Rendered(
            f"COMMENT ON COLUMN {_qk(table)}.{quote_ident(c.name)} IS {quote_literal(c.comment)}"
        )
    ]


@_renders(op.AddColumn)
def _add_column(o: op.AddColumn, ctx: RenderContext) -> list[Rendered]:
    c = o.column
    gen = c.generated.expr if c.generated else None
    sql = f"ALTER TABLE {_qk(o.table)} ADD COLUMN {ctx.target.column_sql(c)}"
    out = [Rendered(sql, _path([c.default, gen]), hazards=_add_column_hazards(c))]
    return out + _column_comment(o.table, c)


@_renders(op.DropColumn)
def _drop_column(o: op.DropColumn, ctx: RenderContext) -> list[Rendered]:
    exists = "IF EXISTS " if o.if_exists else ""
    hazards: tuple[Hazard, ...] = (_BRIEF,)
    if o.column.generated is None:
        hazards += (_data_loss("the column's values"),)
    return [
        Rendered(
            f"ALTER TABLE {_qk(o.table)} DROP COLUMN {exists}{quote_ident(o.column.name)}",
            hazards=hazards,
        )
    ]


@_renders(op.RenameColumn)
def _rename_column(o: op.RenameColumn, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"ALTER TABLE {_qk(o.table)} RENAME COLUMN {quote_ident(o.old)} "
            f"TO {quote_ident(o.new)}",
            hazards=(_BRIEF,),
        )
    ]


def _cast_path(old: DataType, new: DataType) -> str:
    """The cast(s) of USING: PostgreSQL casts boolean only to integer (and text), so a boolean
    becomes a bigint, smallint or numeric through integer; other types cast directly."""
    if (
        old.name == "boolean"
        and not (old.array_dims or new.array_dims)
        and new.name in _NUMERIC - {"integer"}
    ):
        return f"integer::{type_sql(new)}"
    return type_sql(new)


@_renders(op.AlterColumnType)
def _alter_type(o: op.AlterColumnType, ctx: RenderContext) -> list[Rendered]:
    head = _table_col(o.table, o.new.name)
    out: list[Rendered] = []
    type_changed = o.old.type != o.new.type
    if type_changed and o.old.default is not None and o.old.identity is None:
        out.append(Rendered(f"{head} DROP DEFAULT", hazards=(_BRIEF,)))
    sql = f"{head} TYPE {type_sql(o.new.type)}"
    if o.new.collation is not None:
        sql += f" COLLATE {ctx.target.collation(o.new.collation)}"
    using = o.using
    if using is None and o.via_text:  # enum to enum: through the labels
        arr = "[]" * o.new.type.array_dims
        using = f"{quote_ident(o.new.name)}::text{arr}::{type_sql(o.new.type)}"
    if using is None and needs_using(o.old.type, o.new.type):
        using = f"{quote_ident(o.new.name)}::{_cast_path(o.old.type, o.new.type)}"
    if using is not None:
        sql += f" USING {using}"
    hazards: list[Hazard] = [_lock()]
    if rewrites(o.old.type, o.new.type) or o.old.collation != o.new.collation:
        hazards.append(_REWRITE)
    if o.destructive:
        hazards.append(
            _data_loss(f"precision or values that do not fit {o.new.type} (narrowing conversion)")
        )
    if using is not None or o.destructive:
        hazards.append(_may_fail(f"fails if a value does not convert to {o.new.type}"))
    out.append(Rendered(sql, hazards=tuple(hazards)))
    if type_changed and o.new.default is not None and o.new.identity is None:
        out.append(
            Rendered(
                f"{head} SET {default_sql(o.new.default)}",
                _path([o.new.default]),
                hazards=(_BRIEF,),
            )
        )
    return out


@_renders(op.SetDefault)
def _set_default(o: op.SetDefault, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"{_table_col(o.table, o.column)} SET {default_sql(o.new)}",
            _path([o.new]),
            hazards=(_BRIEF,),
        )
    ]


@_renders(op.DropDefault)
def _drop_default(o: op.DropDefault, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"{_table_col(o.table, o.column)} DROP DEFAULT", hazards=(_BRIEF,))]


def not_null_check_name(table: str, column: str) -> str:
    """The temporary check that proves a column has no NULLs before SET NOT NULL."""
    return make_object_name(table.rpartition(".")[2], column, "dbdesign_nn")


@_renders(op.SetNotNull)
def _set_not_null(o: op.SetNotNull, ctx: RenderContext) -> list[Rendered]:
    head = _table_col(o.table, o.column)
    fail = _may_fail("fails if the column holds NULL")
    if not o.via_check:
        return [Rendered(f"{head} SET NOT NULL", hazards=(_lock(), _SCAN, fail))]
    name = quote_ident(not_null_check_name(o.table, o.column))
    table = _qk(o.table)
    return [
        Rendered(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({quote_ident(o.column)} IS NOT NULL)"
            " NOT VALID",
            hazards=(_BRIEF,),
        ),
        Rendered(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}", hazards=(_SCAN_ONLINE, fail)),
        Rendered(f"{head} SET NOT NULL", hazards=(_BRIEF,)),
        Rendered(f"ALTER TABLE {table} DROP CONSTRAINT {name}", hazards=(_BRIEF,)),
    ]


@_renders(op.DropNotNull)
def _drop_not_null(o: op.DropNotNull, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"{_table_col(o.table, o.column)} DROP NOT NULL", hazards=(_BRIEF,))]


@_renders(op.AddIdentity)
def _add_identity(o: op.AddIdentity, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"{_table_col(o.table, o.column)} ADD {identity_sql(o.identity)}", hazards=(_BRIEF,)
        ),
        _continue_after_max(o.table, o.column, o.identity),
    ]


def _continue_after_max(table: str, column: str, ident: Identity | None = None) -> Rendered:
    """Move an identity sequence past the largest value already stored (no-op when empty)."""
    name = _qk(table)
    col = quote_ident(column)
    agg = "min" if ident is not None and (ident.increment or 1) < 0 else "max"
    return Rendered(
        f"SELECT setval(pg_get_serial_sequence({quote_literal(name)}, {quote_literal(column)}), "
        f"{agg}({col})) FROM {name}"
    )


@_renders(op.DropIdentity)
def _drop_identity(o: op.DropIdentity, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"{_table_col(o.table, o.column)} DROP IDENTITY", hazards=(_BRIEF,))]


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


@_renders(op.AlterIdentity)
def _alter_identity(o: op.AlterIdentity, ctx: RenderContext) -> list[Rendered]:
    changes = _identity_changes(o.old, o.new)
    if not changes:
        return []
    return [Rendered(f"{_table_col(o.table, o.column)} {' '.join(changes)}", hazards=(_BRIEF,))]


@_renders(op.DropExpression)
def _drop_expression(o: op.DropExpression, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(f"{_table_col(o.table, o.column.name)} DROP EXPRESSION", hazards=(_lock(),))]


@_renders(op.ReplaceColumn)
def _replace_column(o: op.ReplaceColumn, ctx: RenderContext) -> list[Rendered]:
    out: list[Rendered] = _drop_column(op.DropColumn(table=o.table, column=o.old), ctx)
    return out + _add_column(op.AddColumn(table=o.table, column=o.new), ctx)


# --------------------------------------------------------------------------- constraints


def _constraint_comment(table: str, name: str, comment: str | None) -> list[Rendered]:
    if comment is None:
        return []
    return [
        Rendered(
            f"COMMENT ON CONSTRAINT {quote_ident(name)} ON {_qk(table)} IS {quote_literal(comment)}"
        )
    ]


def _unique_index_sql(table: str, c: PrimaryKey | Unique) -> str:
    cols = ", ".join(quote_ident(x) for x in c.columns)
    sql = f"CREATE UNIQUE INDEX CONCURRENTLY {quote_ident(c.name)} ON {_qk(table)} ({cols})"
    if c.include:
        sql += f" INCLUDE ({', '.join(quote_ident(x) for x in c.include)})"
    if isinstance(c, Unique) and c.nulls_not_distinct:
        sql += " NULLS NOT DISTINCT"
    return sql


@_renders(op.AddConstraint)
def _add_constraint(o: op.AddConstraint, ctx: RenderContext) -> list[Rendered]:
    c = o.constraint
    table = _qk(o.table)
    out: list[Rendered] = []
    if isinstance(c, PrimaryKey | Unique):
        dup = _may_fail("fails if existing rows hold duplicates")
        if o.form == "using_index":
            out.append(
                Rendered(
                    _unique_index_sql(o.table, c),
                    transactional=False,
                    hazards=(_INDEX_ONLINE, dup, _NOT_TX),
                )
            )
            clause = (
                primary_key_clause(c, using_index=True)
                if isinstance(c, PrimaryKey)
                else unique_clause(c, using_index=True)
            )
            hazards: tuple[Hazard, ...] = (_BRIEF,)
            if isinstance(c, PrimaryKey):
                hazards += (
                    Hazard("table_scan", "sets NOT NULL on the key columns that lack it (a scan)"),
                )
            out.append(Rendered(f"ALTER TABLE {table} ADD {clause}", hazards=hazards))
        else:
            clause = primary_key_clause(c) if isinstance(c, PrimaryKey) else unique_clause(c)
            out.append(
                Rendered(f"ALTER TABLE {table} ADD {clause}", hazards=(_lock(), _INDEX, dup))
            )
    elif isinstance(c, Check | ForeignKey):
        clause = check_clause(c) if isinstance(c, Check) else foreign_key_clause(c)
        path = _path([c.expr]) if isinstance(c, Check) else None
        sql = f"ALTER TABLE {table} ADD {clause}"
        what = "a row breaks the check" if isinstance(c, Check) else "a row has no referenced row"
        fail = _may_fail(f"fails if {what}")
        lock = (
            _lock()
            if isinstance(c, Check)
            else Hazard(
                "share_row_exclusive_lock",
                "takes a SHARE ROW EXCLUSIVE lock on both tables: writes wait until it commits",
            )
        )
        if o.form == "not_valid" or not c.validated:
            out.append(Rendered(sql + " NOT VALID", path, hazards=(_BRIEF,)))
        elif o.form == "validate_after":
            out.append(Rendered(sql + " NOT VALID", path, hazards=(_BRIEF,)))
            out.append(
                Rendered(
                    f"ALTER TABLE {table} VALIDATE CONSTRAINT {quote_ident(c.name)}",
                    hazards=(_SCAN_ONLINE, fail),
                )
            )
        else:
            out.append(Rendered(sql, path, hazards=(lock, _SCAN, fail)))
    else:
        exprs = [c.where, *(e.element.expr for e in c.elements)]
        out.append(
            Rendered(
                f"ALTER TABLE {table} ADD {exclusion_clause(c)}",
                _path(exprs),
                hazards=(_lock(), _INDEX, _may_fail("fails if existing rows conflict")),
            )
        )
    return out + _constraint_comment(o.table, c.name, c.comment)


@_renders(op.DropConstraint)
def _drop_constraint(o: op.DropConstraint, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"ALTER TABLE {_qk(o.table)} DROP CONSTRAINT {quote_ident(o.constraint.name)}",
            hazards=(_BRIEF,),
        )
    ]


@_renders(op.RenameConstraint)
def _rename_constraint(o: op.RenameConstraint, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"ALTER TABLE {_qk(o.table)} RENAME CONSTRAINT {quote_ident(o.constraint.name)} "
            f"TO {quote_ident(o.new_name)}",
            hazards=(_BRIEF,),
        )
    ]


@_renders(op.ValidateConstraint)
def _validate(o: op.ValidateConstraint, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(
            f"ALTER TABLE {_qk(o.table)} VALIDATE CONSTRAINT {quote_ident(o.constraint.name)}",
            hazards=(_SCAN_ONLINE, _may_fail("fails if a row breaks the constraint")),
        )
    ]


@_renders(op.InvalidateConstraint)
def _invalidate(o: op.InvalidateConstraint, ctx: RenderContext) -> list[Rendered]:
    c = o.constraint
    clause = check_clause(c) if isinstance(c, Check) else foreign_key_clause(c)
    return [
        *_drop_constraint(op.DropConstraint(table=o.table, constraint=c), ctx),
        Rendered(
            f"ALTER TABLE {_qk(o.table)} ADD {clause} NOT VALID",
            _path([c.expr]) if isinstance(c, Check) else None,
            hazards=(_BRIEF,),
        ),
        *_constraint_comment(o.table, c.name, c.comment),
    ]


# --------------------------------------------------------------------------- indexes


@_renders(op.CreateIndex)
def _create_index(o: op.CreateIndex, ctx: RenderContext) -> list[Rendered]:
    ix = o.index
    path = _path([ix.where, *(e.expr for e in ix.elements)])
    sql = ctx.target.index_sql(ix, concurrently=o.concurrently)
    fail = (_may_fail("fails if existing rows hold duplicates"),) if ix.unique else ()
    if o.concurrently:
        out = [Rendered(sql, path, transactional=False, hazards=(_INDEX_ONLINE, *fail, _NOT_TX))]
    else:
        out = [Rendered(sql, path, hazards=(_INDEX, *fail))]
    if ix.comment is not None:
        out.append(
            Rendered(
                f"COMMENT ON INDEX {qualified(ix.schema, ix.name)} IS {quote_literal(ix.comment)}"
            )
        )
    return out


@_renders(op.DropIndex)
def _drop_index(o: op.DropIndex, ctx: RenderContext) -> list[Rendered]:
    name = qualified(o.index.schema, o.index.name)
    if o.concurrently:
        return [
            Rendered(
                f"DROP INDEX CONCURRENTLY {name}",
                transactional=False,
                hazards=(_NOT_TX,),
            )
        ]
    return [Rendered(f"DROP INDEX {name}", hazards=(_lock(),))]


# --------------------------------------------------------------------------- views


@_renders(op.CreateView)
def _create_view(o: op.CreateView, ctx: RenderContext) -> list[Rendered]:
    hazards: tuple[Hazard, ...] = ()
    if o.view.materialized:
        hazards = (Hazard("table_scan", "runs the query to fill the materialized view"),)
    return _from_object(ctx.target, "view", o.view.key, hazards)


@_renders(op.DropView)
def _drop_view(o: op.DropView, ctx: RenderContext) -> list[Rendered]:
    what = "MATERIALIZED VIEW" if o.view.materialized else "VIEW"
    return [Rendered(f"DROP {what} {qualified(o.view.schema, o.view.name)}")]


@_renders(op.ReplaceView)
def _replace_view(o: op.ReplaceView, ctx: RenderContext) -> list[Rendered]:
    return [Rendered(view_sql(o.new, or_replace=True), schema_of(o.new.query), hazards=(_BRIEF,))]


# --------------------------------------------------------------------------- routines


@_renders(op.CreateFunction)
def _create_function(o: op.CreateFunction, ctx: RenderContext) -> list[Rendered]:
    return _from_object(ctx.target, _function_kind(o.function), o.function.key)


def _routine_word(fn: Function) -> str:
    return {"function": "FUNCTION", "procedure": "PROCEDURE", "aggregate": "AGGREGATE"}[fn.kind]


@_renders(op.DropFunction)
def _drop_function(o: op.DropFunction, ctx: RenderContext) -> list[Rendered]:
    fn = o.function
    return [Rendered(f"DROP {_routine_word(fn)} {function_signature(fn)}")]


@_renders(op.ReplaceFunction)
def _replace_function(o: op.ReplaceFunction, ctx: RenderContext) -> list[Rendered]:
    fn = o.new
    return [Rendered(function_sql(fn, or_replace=True), _path(a.default for a in fn.arguments))]


# --------------------------------------------------------------------------- triggers, rules,
# policies


@_renders(op.CreateTrigger)
def _create_trigger(o: op.CreateTrigger, ctx: RenderContext) -> list[Rendered]:
    return _from_object(
        ctx.target,
        "trigger",
        o.trigger.key,
        (Hazard("share_row_exclusive_lock", "takes a SHARE ROW EXCLUSIVE lock on the table"),),
    )


@_renders(op.DropTrigger)
def _drop_trigger(o: op.DropTrigger, ctx: RenderContext) -> list[Rendered]:
    t = o.trigger
    return [
        Rendered(
            f"DROP TRIGGER {quote_ident(t.name)} ON {qualified(t.schema, t.table)}",
            hazards=(_lock(),),
        )
    ]


@_renders(op.SetTriggerEnabled)
def _trigger_enabled(o: op.SetTriggerEnabled, ctx: RenderContext) -> list[Rendered]:
    from dbdesign.emit.postgres import trigger_enable_sql

    return [
        Rendered(
            trigger_enable_sql(o.new),
            hazards=(Hazard("share_row_exclusive_lock", "takes a SHARE ROW EXCLUSIVE lock"),),
        )
    ]


@_renders(op.CreateRule)
def _create_rule(o: op.CreateRule, ctx: RenderContext) -> list[Rendered]:
    return _from_object(ctx.target, "rule", o.rule.key, (_lock(),))


@_renders(op.DropRule)
def _drop_rule(o: op.DropRule, ctx: RenderContext) -> list[Rendered]:
    r = o.rule
    return [
        Rendered(
            f"DROP RULE {quote_ident(r.name)} ON {qualified(r.schema, r.table)}",
            hazards=(_lock(),),
        )
    ]


@_renders(op.CreatePolicy)
def _create_policy(o: op.CreatePolicy, ctx: RenderContext) -> list[Rendered]:
    return _from_object(ctx.target, "policy", o.policy.key, (_BRIEF,))


@_renders(op.DropPolicy)
def _drop_policy(o: op.DropPolicy, ctx: RenderContext) -> list[Rendered]:
    p = o.policy
    return [
        Rendered(
            f"DROP POLICY {quote_ident(p.name)} ON {qualified(p.schema, p.table)}",
            hazards=(_BRIEF,),
        )
    ]


@_renders(op.AlterPolicy)
def _alter_policy(o: op.AlterPolicy, ctx: RenderContext) -> list[Rendered]:
    a, b = o.old, o.new
    sql = f"ALTER POLICY {quote_ident(b.name)} ON {qualified(b.schema, b.table)}"
    if a.roles != b.roles:
        roles = b.roles or ("PUBLIC",)
        sql += f" TO {', '.join(grantee_sql(r) for r in roles)}"
    if a.using != b.using and b.using is not None:
        sql += f" USING ({b.using.text})"
    if a.with_check != b.with_check and b.with_check is not None:
        sql += f" WITH CHECK ({b.with_check.text})"
    return [Rendered(sql, _path([b.using, b.with_check]), hazards=(_BRIEF,))]


# --------------------------------------------------------------------------- comments, grants


def object_name(ref: op.ObjectRef, ctx: RenderContext) -> str:
    """The object as COMMENT ON / GRANT name it (without the kind word)."""
    kind = ref.kind
    if kind == "SCHEMA":
        return quote_ident(ref.key)
    if kind in ("FUNCTION", "PROCEDURE", "AGGREGATE"):
        fn = ctx.function(ref.key)
        if fn is not None:
            return function_signature(fn)
        return ref.key
    if kind == "COLUMN":
        return f"{_qk(ref.key)}.{quote_ident(ref.member or '')}"
    if kind in ("TRIGGER", "POLICY", "RULE", "CONSTRAINT"):
        return f"{quote_ident(ref.member or '')} ON {_qk(ref.key)}"
    if kind == "DOMAIN CONSTRAINT":
        return f"{quote_ident(ref.member or '')} ON DOMAIN {_qk(ref.key)}"
    return _qk(ref.key)


@_renders(op.SetComment)
def _set_comment(o: op.SetComment, ctx: RenderContext) -> list[Rendered]:
    kind = "CONSTRAINT" if o.target.kind == "DOMAIN CONSTRAINT" else o.target.kind
    return [
        Rendered(f"COMMENT ON {kind} {object_name(o.target, ctx)} IS {_comment_literal(o.new)}")
    ]


def _grant_kind(ref: op.ObjectRef) -> str:
    if ref.kind in ("TABLE", "VIEW", "MATERIALIZED VIEW"):
        return "TABLE"
    if ref.kind == "AGGREGATE":
        return "FUNCTION"
    return ref.kind


@_renders(op.GrantPrivilege)
def _grant(o: op.GrantPrivilege, ctx: RenderContext) -> list[Rendered]:
    g = o.grant
    sql = (
        f"GRANT {g.privilege.upper()} ON {_grant_kind(o.target)} {object_name(o.target, ctx)} "
        f"TO {grantee_sql(g.grantee)}"
    )
    if g.grantable:
        sql += " WITH GRANT OPTION"
    return [Rendered(sql)]


@_renders(op.RevokePrivilege)
def _revoke(o: op.RevokePrivilege, ctx: RenderContext) -> list[Rendered]:
    g = o.grant
    opt = "GRANT OPTION FOR " if o.option_only else ""
    return [
        Rendered(
            f"REVOKE {opt}{g.privilege.upper()} ON {_grant_kind(o.target)} "
            f"{object_name(o.target, ctx)} FROM {grantee_sql(g.grantee)}"
        )
    ]


def _check_coverage() -> None:  # pragma: no cover - import-time self check
    missing = [
        name
        for name in op.__all__
        if isinstance(getattr(op, name), type)
        and issubclass(getattr(op, name), op.Operation)
        and getattr(op, name) is not op.Operation
        and getattr(op, name) not in _RENDERERS
    ]
    if missing:
        raise RuntimeError(f"operations without a PostgreSQL renderer: {missing}")


_check_coverage()
