"""Schema changes as data: one frozen dataclass per kind of change.

An operation holds the model values it changes (before and after where both exist), so it knows
its inverse (:meth:`Operation.inverse`) and whether it deletes data (:attr:`destructive`). It does
not render SQL: :mod:`dbdesign.emit.postgres_ops` turns operations into statements, each with its
:class:`Hazard` list (locks, rewrites, scans, index builds, data loss).

Keys follow the model (``docs/model.md``): ``schema.name`` for relations and types,
``schema.name(argtypes)`` for routines, ``schema.table`` plus a name for columns, constraints,
triggers, policies and rules.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Literal

from dbdesign.model import (
    Check,
    Collation,
    Column,
    CompositeType,
    DataType,
    Domain,
    EnumType,
    Exclusion,
    Expr,
    Extension,
    ForeignKey,
    Function,
    Grant,
    Identity,
    Index,
    Namespace,
    Policy,
    PrimaryKey,
    Rule,
    Sequence,
    Table,
    Trigger,
    Unique,
    View,
)

Constraint = PrimaryKey | ForeignKey | Unique | Check | Exclusion
TypeDef = EnumType | Domain | CompositeType


@dataclass(frozen=True, slots=True)
class Hazard:
    """What a statement costs on a live database.

    Codes: ``access_exclusive_lock`` (blocks reads and writes of the table while it runs),
    ``share_lock`` (blocks writes), ``table_rewrite`` (copies every row), ``table_scan`` (reads
    every row), ``index_build``, ``data_loss`` (deletes stored data), ``may_fail`` (fails when
    existing rows do not fit), ``not_transactional`` (cannot run inside a transaction block).
    """

    code: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True, slots=True, kw_only=True)
class Operation:
    """One change. Subclasses are frozen dataclasses; ``inverse()`` undoes the change."""

    @property
    def kind(self) -> str:
        """``create_table``, ``add_column`` ...: the class name in snake case."""
        return _snake(type(self).__name__)

    @property
    def subject(self) -> str:
        """The key of the object the operation changes."""
        raise NotImplementedError

    @property
    def destructive(self) -> bool:
        """Whether the operation deletes stored data (or state that cannot be rebuilt)."""
        return False

    def describe(self) -> str:
        """One line for people: ``add column public.t.c``."""
        return f"{self.kind.replace('_', ' ')} {self.subject}"

    def inverse(self) -> Operation:
        raise NotImplementedError  # pragma: no cover - every concrete operation overrides it

    def __str__(self) -> str:
        return self.describe()


# --------------------------------------------------------------------------- schemas, extensions


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateSchema(Operation):
    namespace: Namespace

    @property
    def subject(self) -> str:
        return self.namespace.name

    def inverse(self) -> Operation:
        return DropSchema(namespace=self.namespace)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropSchema(Operation):
    namespace: Namespace

    @property
    def subject(self) -> str:
        return self.namespace.name

    def inverse(self) -> Operation:
        return CreateSchema(namespace=self.namespace)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateExtension(Operation):
    extension: Extension

    @property
    def subject(self) -> str:
        return self.extension.name

    def inverse(self) -> Operation:
        return DropExtension(extension=self.extension)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropExtension(Operation):
    extension: Extension

    @property
    def subject(self) -> str:
        return self.extension.name

    def inverse(self) -> Operation:
        return CreateExtension(extension=self.extension)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterExtensionSchema(Operation):
    name: str
    old_schema: str | None
    new_schema: str

    @property
    def subject(self) -> str:
        return self.name

    def inverse(self) -> Operation:
        return AlterExtensionSchema(
            name=self.name, old_schema=self.new_schema, new_schema=self.old_schema or "public"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterExtensionVersion(Operation):
    """ALTER EXTENSION ... UPDATE TO: the version both sides state differs. The server runs the
    extension's update scripts, which exist for upgrades; a downgrade usually has none."""

    name: str
    old_version: str
    new_version: str

    @property
    def subject(self) -> str:
        return self.name

    def inverse(self) -> Operation:
        return AlterExtensionVersion(
            name=self.name, old_version=self.new_version, new_version=self.old_version
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateCollation(Operation):
    collation: Collation

    @property
    def subject(self) -> str:
        return self.collation.key

    def inverse(self) -> Operation:
        return DropCollation(collation=self.collation)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropCollation(Operation):
    collation: Collation

    @property
    def subject(self) -> str:
        return self.collation.key

    def inverse(self) -> Operation:
        return CreateCollation(collation=self.collation)


# --------------------------------------------------------------------------- types


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateType(Operation):
    """CREATE TYPE (enum, composite) or CREATE DOMAIN."""

    type: TypeDef

    @property
    def subject(self) -> str:
        return self.type.key

    def describe(self) -> str:
        return f"create {_type_word(self.type)} {self.subject}"

    def inverse(self) -> Operation:
        return DropType(type=self.type)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropType(Operation):
    type: TypeDef

    @property
    def subject(self) -> str:
        return self.type.key

    def describe(self) -> str:
        return f"drop {_type_word(self.type)} {self.subject}"

    def inverse(self) -> Operation:
        return CreateType(type=self.type)


def _type_word(t: TypeDef) -> str:
    if isinstance(t, EnumType):
        return "enum"
    return "domain" if isinstance(t, Domain) else "type"


# Enums are the only type the diff changes in place.
CreateEnum = CreateType
DropEnum = DropType


@dataclass(frozen=True, slots=True, kw_only=True)
class AddEnumValue(Operation):
    """ALTER TYPE ... ADD VALUE 'v' [BEFORE|AFTER 'w']. ``old``/``new``: the enum around it."""

    old: EnumType
    new: EnumType
    value: str
    before: str | None = None
    after: str | None = None

    @property
    def subject(self) -> str:
        return self.new.key

    def describe(self) -> str:
        return f"add value {self.value!r} to enum {self.subject}"

    def inverse(self) -> Operation:
        # A value cannot be removed in place: the type is replaced.
        return ReplaceType(old=self.new, new=self.old)


@dataclass(frozen=True, slots=True, kw_only=True)
class TypeUse:
    """A column whose type is a replaced type: it is converted ``USING col::text::new``."""

    table: str  # table key
    column: str
    array_dims: int = 0
    old_default: Expr | None = None
    new_default: Expr | None = None
    via: str = "text"  # the type the value passes through


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaceType(Operation):
    """A type changed in a way ALTER cannot express (an enum value removed or moved, a domain's
    base type, a composite's attributes): the old type is renamed, the new one created, every
    column using it converted, and the old type dropped."""

    old: TypeDef
    new: TypeDef
    uses: tuple[TypeUse, ...] = ()

    @property
    def subject(self) -> str:
        return self.new.key

    @property
    def temp_name(self) -> str:
        return temp_name(self.old.name, "_dbdesign_old")

    def describe(self) -> str:
        cols = f" ({len(self.uses)} column(s) converted)" if self.uses else ""
        return f"replace {_type_word(self.new)} {self.subject}{cols}"

    def inverse(self) -> Operation:
        return ReplaceType(
            old=self.new,
            new=self.old,
            uses=tuple(
                dataclasses.replace(u, old_default=u.new_default, new_default=u.old_default)
                for u in self.uses
            ),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RenameType(Operation):
    old_key: str
    new_name: str
    domain: bool = False

    @property
    def subject(self) -> str:
        return self.old_key

    def describe(self) -> str:
        return f"rename type {self.old_key} to {self.new_name}"

    def inverse(self) -> Operation:
        schema = self.old_key.rsplit(".", 1)[0]
        return RenameType(
            old_key=f"{schema}.{self.new_name}",
            new_name=self.old_key.rsplit(".", 1)[1],
            domain=self.domain,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterDomainDefault(Operation):
    domain: str
    old: Expr | None
    new: Expr | None

    @property
    def subject(self) -> str:
        return self.domain

    def inverse(self) -> Operation:
        return AlterDomainDefault(domain=self.domain, old=self.new, new=self.old)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterDomainNotNull(Operation):
    domain: str
    nullable: bool  # the new state

    @property
    def subject(self) -> str:
        return self.domain

    def describe(self) -> str:
        return f"{'drop' if self.nullable else 'set'} not null on domain {self.domain}"

    def inverse(self) -> Operation:
        return AlterDomainNotNull(domain=self.domain, nullable=not self.nullable)


@dataclass(frozen=True, slots=True, kw_only=True)
class AddDomainConstraint(Operation):
    domain: str
    check: Check
    validate_after: bool = False  # ADD ... NOT VALID, then VALIDATE CONSTRAINT

    @property
    def subject(self) -> str:
        return f"{self.domain}.{self.check.name}"

    def inverse(self) -> Operation:
        return DropDomainConstraint(domain=self.domain, check=self.check)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropDomainConstraint(Operation):
    domain: str
    check: Check

    @property
    def subject(self) -> str:
        return f"{self.domain}.{self.check.name}"

    def inverse(self) -> Operation:
        return AddDomainConstraint(domain=self.domain, check=self.check)


@dataclass(frozen=True, slots=True, kw_only=True)
class RenameDomainConstraint(Operation):
    """ALTER DOMAIN ... RENAME CONSTRAINT: the same check under another name (a domain renamed
    by a hint keeps its check's generated name, posint_check). Nothing is dropped, so no column
    of the domain is scanned again."""

    domain: str
    check: Check  # as it is before, with the old name
    new_name: str

    @property
    def subject(self) -> str:
        return f"{self.domain}.{self.check.name}"

    def describe(self) -> str:
        return f"rename domain constraint {self.subject} to {self.new_name}"

    def inverse(self) -> Operation:
        return RenameDomainConstraint(
            domain=self.domain,
            check=dataclasses.replace(self.check, name=self.new_name),
            new_name=self.check.name,
        )


# --------------------------------------------------------------------------- sequences


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateSequence(Operation):
    sequence: Sequence

    @property
    def subject(self) -> str:
        return self.sequence.key

    def inverse(self) -> Operation:
        return DropSequence(sequence=self.sequence)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropSequence(Operation):
    """DROP SEQUENCE. ``implied``: its owning column or table is dropped in the same plan, which
    drops the sequence too (the statement says IF EXISTS)."""

    sequence: Sequence
    implied: bool = False

    @property
    def subject(self) -> str:
        return self.sequence.key

    def inverse(self) -> Operation:
        return CreateSequence(sequence=self.sequence)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterSequence(Operation):
    """ALTER SEQUENCE ... AS / INCREMENT / MINVALUE / MAXVALUE / START / CACHE / CYCLE."""

    old: Sequence
    new: Sequence

    @property
    def subject(self) -> str:
        return self.new.key

    def inverse(self) -> Operation:
        return AlterSequence(old=self.new, new=self.old)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetSequenceOwner(Operation):
    """ALTER SEQUENCE ... OWNED BY table.column | NONE (owner ``schema.table.column``)."""

    sequence: str
    old: str | None
    new: str | None

    @property
    def subject(self) -> str:
        return self.sequence

    def describe(self) -> str:
        return f"set owner of sequence {self.sequence} to {self.new or 'none'}"

    def inverse(self) -> Operation:
        return SetSequenceOwner(sequence=self.sequence, old=self.new, new=self.old)


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateTable(Operation):
    """CREATE TABLE with its columns, inline constraints other than foreign keys, comments,
    grants and row-level security (foreign keys and indexes are their own operations)."""

    table: Table

    @property
    def subject(self) -> str:
        return self.table.key

    def inverse(self) -> Operation:
        return DropTable(table=self.table)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropTable(Operation):
    """DROP TABLE. ``recreated``: why the table is dropped although the target has it (its
    partitioning changes): it is created again empty, its rows are not copied."""

    table: Table
    recreated: str | None = None

    @property
    def subject(self) -> str:
        return self.table.key

    @property
    def destructive(self) -> bool:
        return True

    def describe(self) -> str:
        if self.recreated is None:
            return f"drop table {self.subject}"
        return f"drop table {self.subject} ({self.recreated}; created again empty)"

    def inverse(self) -> Operation:
        return CreateTable(table=self.table)


def temp_name(name: str, suffix: str) -> str:
    """``name`` + ``suffix``, the name shortened (whole characters) to fit 63 bytes."""
    room = 63 - len(suffix.encode()) - 1
    while len(name.encode()) > room:
        name = name[:-1]
    return f"{name}_{suffix}"


def rebuild_name(table: Table) -> str:
    """The name a table is renamed to while it is rebuilt."""
    return temp_name(table.name, "_dbdesign_rebuild")


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTableAside(Operation):
    """First half of a rebuild: rename the table aside and drop its keys and indexes, whose
    names (schema-wide) the new table and its indexes take."""

    table: Table
    indexes: tuple[Index, ...] = ()

    @property
    def subject(self) -> str:
        return self.table.key

    @property
    def temp_name(self) -> str:
        return rebuild_name(self.table)

    def describe(self) -> str:
        return f"set table {self.subject} aside as {self.temp_name}"

    def inverse(self) -> Operation:
        return RestoreTable(table=self.table, indexes=self.indexes)


@dataclass(frozen=True, slots=True, kw_only=True)
class RestoreTable(Operation):
    """Undo :class:`SetTableAside`: rename the table back, add its keys and indexes again."""

    table: Table
    indexes: tuple[Index, ...] = ()

    @property
    def subject(self) -> str:
        return self.table.key

    def inverse(self) -> Operation:
        return SetTableAside(table=self.table, indexes=self.indexes)


_NOW_GENERATED = "it becomes generated: the expression's values replace them"


@dataclass(frozen=True, slots=True, kw_only=True)
class RebuildTable(Operation):
    """ALTER TABLE cannot reorder columns. When the target's column order cannot be reached (a
    column added between others, a generated column re-added, an inheritance child whose parent
    gained a column), the table is set aside (:class:`SetTableAside`), created anew under its
    name, its rows copied (``INSERT ... SELECT``, converting changed types), and the old table
    dropped. Indexes, triggers, policies, rules and foreign keys come back through their own
    operations."""

    old: Table
    new: Table

    @property
    def subject(self) -> str:
        return self.new.key

    @property
    def temp_name(self) -> str:
        return rebuild_name(self.old)

    @property
    def losses(self) -> tuple[ColumnLoss, ...]:
        """The stored values the copy does not carry over, column by column: a plain column
        the new table lacks, a plain column that becomes generated (its values are computed
        again from the expression), a narrowing type conversion. What the same change without
        a rebuild (DROP COLUMN, DROP + ADD of a generated column, ALTER COLUMN TYPE) counts as
        deleting data; a generated column's values are derived, so recomputing them is not."""
        new_cols = {c.name: c for c in self.new.columns}
        out: list[ColumnLoss] = []
        for c in self.old.columns:
            n = new_cols.get(c.name)
            if n is None:
                if c.generated is None:
                    out.append(ColumnLoss(c.name, "dropped"))
            elif n.generated is not None:
                if c.generated is None:
                    out.append(ColumnLoss(c.name, _NOW_GENERATED))
            elif not lossless(c.type, n.type):
                out.append(ColumnLoss(c.name, f"narrowing conversion {c.type} -> {n.type}"))
        return tuple(out)

    @property
    def destructive(self) -> bool:
        return bool(self.losses)

    def describe(self) -> str:
        text = f"rebuild table {self.subject} (column order)"
        losses = self.losses
        if losses:
            text += ", deleting the stored values of " + ", ".join(
                f"column {x.column} ({x.why})" for x in losses
            )
        return text

    def inverse(self) -> Operation:
        return RebuildTable(old=self.new, new=self.old)


@dataclass(frozen=True, slots=True)
class ColumnLoss:
    """A column whose stored values an operation deletes, and why."""

    column: str
    why: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RenameTable(Operation):
    """ALTER TABLE|VIEW|INDEX|SEQUENCE ... RENAME TO (only from an explicit hint)."""

    old_key: str
    new_name: str
    relation: Literal["TABLE", "VIEW", "MATERIALIZED VIEW", "INDEX", "SEQUENCE"] = "TABLE"

    @property
    def subject(self) -> str:
        return self.old_key

    def describe(self) -> str:
        return f"rename {self.relation.lower()} {self.old_key} to {self.new_name}"

    def inverse(self) -> Operation:
        schema, old = self.old_key.rsplit(".", 1)
        return RenameTable(
            old_key=f"{schema}.{self.new_name}", new_name=old, relation=self.relation
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTableOptions(Operation):
    """ALTER TABLE ... SET (storage parameters) / RESET (...)."""

    table: str
    old: tuple[str, ...]
    new: tuple[str, ...]

    @property
    def subject(self) -> str:
        return self.table

    def inverse(self) -> Operation:
        return SetTableOptions(table=self.table, old=self.new, new=self.old)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetLogged(Operation):
    table: str
    unlogged: bool  # the new state

    @property
    def subject(self) -> str:
        return self.table

    def describe(self) -> str:
        return f"set {'unlogged' if self.unlogged else 'logged'} {self.table}"

    def inverse(self) -> Operation:
        return SetLogged(table=self.table, unlogged=not self.unlogged)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetRowSecurity(Operation):
    """ENABLE|DISABLE ROW LEVEL SECURITY, or (``force``) FORCE|NO FORCE."""

    table: str
    enabled: bool  # the new state
    force: bool = False

    @property
    def subject(self) -> str:
        return self.table

    def describe(self) -> str:
        word = (
            ("force" if self.enabled else "no force")
            if self.force
            else ("enable" if self.enabled else "disable")
        )
        return f"{word} row level security on {self.table}"

    def inverse(self) -> Operation:
        return SetRowSecurity(table=self.table, enabled=not self.enabled, force=self.force)


@dataclass(frozen=True, slots=True, kw_only=True)
class AttachPartition(Operation):
    parent: str
    table: str
    bound: Expr | None

    @property
    def subject(self) -> str:
        return self.table

    def describe(self) -> str:
        return f"attach partition {self.table} to {self.parent}"

    def inverse(self) -> Operation:
        return DetachPartition(parent=self.parent, table=self.table, bound=self.bound)


@dataclass(frozen=True, slots=True, kw_only=True)
class DetachPartition(Operation):
    parent: str
    table: str
    bound: Expr | None

    @property
    def subject(self) -> str:
        return self.table

    def describe(self) -> str:
        return f"detach partition {self.table} from {self.parent}"

    def inverse(self) -> Operation:
        return AttachPartition(parent=self.parent, table=self.table, bound=self.bound)


@dataclass(frozen=True, slots=True, kw_only=True)
class AddInherit(Operation):
    table: str
    parent: str

    @property
    def subject(self) -> str:
        return self.table

    def describe(self) -> str:
        return f"make {self.table} inherit {self.parent}"

    def inverse(self) -> Operation:
        return DropInherit(table=self.table, parent=self.parent)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropInherit(Operation):
    table: str
    parent: str

    @property
    def subject(self) -> str:
        return self.table

    def describe(self) -> str:
        return f"make {self.table} no longer inherit {self.parent}"

    def inverse(self) -> Operation:
        return AddInherit(table=self.table, parent=self.parent)


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True, slots=True, kw_only=True)
class AddColumn(Operation):
    table: str
    column: Column

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.column.name}"

    def inverse(self) -> Operation:
        return DropColumn(table=self.table, column=self.column)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropColumn(Operation):
    """ALTER TABLE ... DROP COLUMN. ``if_exists``: on an inheritance child after the parent's
    column was dropped (which may or may not have dropped the child's)."""

    table: str
    column: Column
    if_exists: bool = False

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.column.name}"

    @property
    def destructive(self) -> bool:
        return self.column.generated is None

    def inverse(self) -> Operation:
        return AddColumn(table=self.table, column=self.column)


@dataclass(frozen=True, slots=True, kw_only=True)
class RenameColumn(Operation):
    table: str
    old: str
    new: str

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.old}"

    def describe(self) -> str:
        return f"rename column {self.table}.{self.old} to {self.new}"

    def inverse(self) -> Operation:
        return RenameColumn(table=self.table, old=self.new, new=self.old)


# Widening conversions that keep every value (no data loss); anything else may lose data.
_WIDER: dict[str, tuple[str, ...]] = {
    "smallint": ("integer", "bigint", "numeric", "real", "double precision", "text"),
    "integer": ("bigint", "numeric", "double precision", "text"),
    "bigint": ("numeric", "text"),
    "real": ("double precision", "text"),
    "character varying": ("text",),
    "character": ("text", "character varying"),
    "date": ("timestamp without time zone", "timestamp with time zone", "text"),
    "timestamp without time zone": ("timestamp with time zone", "text"),
    "timestamp with time zone": ("text",),
    "json": ("jsonb", "text"),
    "jsonb": ("json", "text"),
    "uuid": ("text",),
    "boolean": ("text",),
}

# Decimal digits of the largest value of each integer type.
_DIGITS = {"smallint": 5, "integer": 10, "bigint": 19}


def lossless(old: DataType, new: DataType) -> bool:
    """Whether every value of ``old`` converts to ``new`` unchanged (a widening)."""
    if old.array_dims != new.array_dims:
        return False
    if old.name == new.name:
        if not new.args:
            return True  # varchar(10) -> varchar, numeric(10,2) -> numeric
        if not old.args:
            return False
        if old.name in ("character varying", "character", "bit varying"):
            return int(new.args[0]) >= int(old.args[0])
        if old.name == "numeric":
            p0, s0 = int(old.args[0]), int(old.args[1]) if len(old.args) > 1 else 0
            p1, s1 = int(new.args[0]), int(new.args[1]) if len(new.args) > 1 else 0
            return s1 >= s0 and p1 - s1 >= p0 - s0
        return tuple(new.args) >= tuple(old.args)  # timestamp(3) -> timestamp(6)
    if new.name in _WIDER.get(old.name, ()):
        if new.name == "numeric" and new.args:  # integer -> numeric(p, s): p - s digits
            p, s = int(new.args[0]), int(new.args[1]) if len(new.args) > 1 else 0
            digits = _DIGITS.get(old.name)
            return digits is not None and p - s >= digits
        return new.name != "character varying" or not new.args
    return False


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterColumnType(Operation):
    """ALTER COLUMN ... TYPE ... [COLLATE ...] [USING ...]. The column's default is dropped
    first and set again after when the type changes (a default does not always convert)."""

    table: str
    old: Column
    new: Column
    using: str | None = None  # an expression over the column, when no assignment cast exists
    # between two enum types: no cast exists, the values go through their labels (text); each
    # value converts to the same label or the statement fails (may_fail), nothing is lost
    via_text: bool = False

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.new.name}"

    @property
    def destructive(self) -> bool:
        return not self.via_text and not lossless(self.old.type, self.new.type)

    def describe(self) -> str:
        return f"alter column {self.subject} type {self.old.type} -> {self.new.type}"

    def inverse(self) -> Operation:
        return AlterColumnType(table=self.table, old=self.new, new=self.old, via_text=self.via_text)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetDefault(Operation):
    table: str
    column: str
    old: Expr | None
    new: Expr

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.column}"

    def inverse(self) -> Operation:
        if self.old is None:
            return DropDefault(table=self.table, column=self.column, old=self.new)
        return SetDefault(table=self.table, column=self.column, old=self.new, new=self.old)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropDefault(Operation):
    table: str
    column: str
    old: Expr

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.column}"

    def inverse(self) -> Operation:
        return SetDefault(table=self.table, column=self.column, old=None, new=self.old)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetNotNull(Operation):
    """SET NOT NULL; ``via_check``: first a CHECK (col IS NOT NULL) NOT VALID, validated without
    blocking writes, so that SET NOT NULL needs no scan; then the check is dropped."""

    table: str
    column: str
    via_check: bool = False

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.column}"

    def inverse(self) -> Operation:
        return DropNotNull(table=self.table, column=self.column)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropNotNull(Operation):
    table: str
    column: str

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.column}"

    def inverse(self) -> Operation:
        return SetNotNull(table=self.table, column=self.column)


@dataclass(frozen=True, slots=True, kw_only=True)
class AddIdentity(Operation):
    table: str
    column: str
    identity: Identity

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.column}"

    def inverse(self) -> Operation:
        return DropIdentity(table=self.table, column=self.column, identity=self.identity)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropIdentity(Operation):
    table: str
    column: str
    identity: Identity

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.column}"

    def inverse(self) -> Operation:
        return AddIdentity(table=self.table, column=self.column, identity=self.identity)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterIdentity(Operation):
    """SET GENERATED ALWAYS|BY DEFAULT and the identity sequence's options."""

    table: str
    column: str
    old: Identity
    new: Identity

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.column}"

    def inverse(self) -> Operation:
        return AlterIdentity(table=self.table, column=self.column, old=self.new, new=self.old)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropExpression(Operation):
    """ALTER COLUMN ... DROP EXPRESSION: a generated column keeps its values as a plain one."""

    table: str
    column: Column  # the generated column before

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.column.name}"

    def inverse(self) -> Operation:
        # No ALTER makes a plain column generated (before PostgreSQL 17): drop and add it.
        return ReplaceColumn(
            table=self.table,
            old=dataclasses.replace(self.column, generated=None),
            new=self.column,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaceColumn(Operation):
    """DROP COLUMN then ADD COLUMN: a generated column's expression changed, or a plain column
    became generated. The column moves to the end of the table."""

    table: str
    old: Column
    new: Column

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.new.name}"

    @property
    def destructive(self) -> bool:
        return self.old.generated is None

    def inverse(self) -> Operation:
        return ReplaceColumn(table=self.table, old=self.new, new=self.old)


# --------------------------------------------------------------------------- constraints


ConstraintForm = Literal["plain", "not_valid", "validate_after", "using_index"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AddConstraint(Operation):
    """ADD CONSTRAINT for every kind. ``form``: ``plain``; ``not_valid`` (the model's own
    NOT VALID); ``validate_after`` (added NOT VALID, then VALIDATE CONSTRAINT: checks and
    foreign keys on existing tables); ``using_index`` (a unique index built CONCURRENTLY first,
    then the PRIMARY KEY / UNIQUE constraint takes it over)."""

    table: str
    constraint: Constraint
    form: ConstraintForm = "plain"

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.constraint.name}"

    def describe(self) -> str:
        return f"add {constraint_word(self.constraint)} {self.subject}"

    def inverse(self) -> Operation:
        return DropConstraint(table=self.table, constraint=self.constraint)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropConstraint(Operation):
    table: str
    constraint: Constraint

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.constraint.name}"

    def describe(self) -> str:
        return f"drop {constraint_word(self.constraint)} {self.subject}"

    def inverse(self) -> Operation:
        return AddConstraint(table=self.table, constraint=self.constraint)


@dataclass(frozen=True, slots=True, kw_only=True)
class RenameConstraint(Operation):
    """ALTER TABLE ... RENAME CONSTRAINT: the same definition under another name (a primary key
    or unique constraint renames its index with it). Nothing is dropped, so the foreign keys
    that rest on a key stay."""

    table: str
    constraint: Constraint  # as it is before, with the old name
    new_name: str

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.constraint.name}"

    def describe(self) -> str:
        return f"rename {constraint_word(self.constraint)} {self.subject} to {self.new_name}"

    def inverse(self) -> Operation:
        return RenameConstraint(
            table=self.table,
            constraint=dataclasses.replace(self.constraint, name=self.new_name),
            new_name=self.constraint.name,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidateConstraint(Operation):
    table: str
    constraint: Check | ForeignKey  # the validated constraint

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.constraint.name}"

    def inverse(self) -> Operation:
        # A constraint cannot be made NOT VALID again in place: drop it and add it NOT VALID.
        return InvalidateConstraint(table=self.table, constraint=self.constraint)


@dataclass(frozen=True, slots=True, kw_only=True)
class InvalidateConstraint(Operation):
    """DROP CONSTRAINT, ADD CONSTRAINT ... NOT VALID."""

    table: str
    constraint: Check | ForeignKey

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.constraint.name}"

    def inverse(self) -> Operation:
        return ValidateConstraint(table=self.table, constraint=self.constraint)


def constraint_word(c: Constraint) -> str:
    if isinstance(c, PrimaryKey):
        return "primary key"
    if isinstance(c, ForeignKey):
        return "foreign key"
    if isinstance(c, Unique):
        return "unique constraint"
    if isinstance(c, Check):
        return "check constraint"
    return "exclusion constraint"


# --------------------------------------------------------------------------- indexes


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateIndex(Operation):
    index: Index
    concurrently: bool = False

    @property
    def subject(self) -> str:
        return self.index.key

    def inverse(self) -> Operation:
        return DropIndex(index=self.index, concurrently=self.concurrently)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropIndex(Operation):
    index: Index
    concurrently: bool = False

    @property
    def subject(self) -> str:
        return self.index.key

    def inverse(self) -> Operation:
        return CreateIndex(index=self.index, concurrently=self.concurrently)


# --------------------------------------------------------------------------- views


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateView(Operation):
    """CREATE [MATERIALIZED] VIEW with its comments and grants."""

    view: View

    @property
    def subject(self) -> str:
        return self.view.key

    def describe(self) -> str:
        return f"create {'materialized view' if self.view.materialized else 'view'} {self.subject}"

    def inverse(self) -> Operation:
        return DropView(view=self.view)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropView(Operation):
    view: View

    @property
    def subject(self) -> str:
        return self.view.key

    def describe(self) -> str:
        return f"drop {'materialized view' if self.view.materialized else 'view'} {self.subject}"

    def inverse(self) -> Operation:
        return CreateView(view=self.view)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaceView(Operation):
    """CREATE OR REPLACE VIEW: the output columns are unchanged (names, order, expressions)."""

    old: View
    new: View

    @property
    def subject(self) -> str:
        return self.new.key

    def inverse(self) -> Operation:
        return ReplaceView(old=self.new, new=self.old)


# --------------------------------------------------------------------------- routines


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateFunction(Operation):
    function: Function

    @property
    def subject(self) -> str:
        return self.function.key

    def describe(self) -> str:
        return f"create {self.function.kind} {self.subject}"

    def inverse(self) -> Operation:
        return DropFunction(function=self.function)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropFunction(Operation):
    function: Function

    @property
    def subject(self) -> str:
        return self.function.key

    def describe(self) -> str:
        return f"drop {self.function.kind} {self.subject}"

    def inverse(self) -> Operation:
        return CreateFunction(function=self.function)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaceFunction(Operation):
    """CREATE OR REPLACE: same signature, result and argument names."""

    old: Function
    new: Function

    @property
    def subject(self) -> str:
        return self.new.key

    def describe(self) -> str:
        return f"replace {self.new.kind} {self.subject}"

    def inverse(self) -> Operation:
        return ReplaceFunction(old=self.new, new=self.old)


# --------------------------------------------------------------------------- triggers, rules,
# policies


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateTrigger(Operation):
    trigger: Trigger

    @property
    def subject(self) -> str:
        return self.trigger.key

    def inverse(self) -> Operation:
        return DropTrigger(trigger=self.trigger)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropTrigger(Operation):
    trigger: Trigger

    @property
    def subject(self) -> str:
        return self.trigger.key

    def inverse(self) -> Operation:
        return CreateTrigger(trigger=self.trigger)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTriggerEnabled(Operation):
    """ALTER TABLE ... ENABLE [REPLICA|ALWAYS] | DISABLE TRIGGER."""

    old: Trigger
    new: Trigger

    @property
    def subject(self) -> str:
        return self.new.key

    def inverse(self) -> Operation:
        return SetTriggerEnabled(old=self.new, new=self.old)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateRule(Operation):
    rule: Rule

    @property
    def subject(self) -> str:
        return self.rule.key

    def inverse(self) -> Operation:
        return DropRule(rule=self.rule)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropRule(Operation):
    rule: Rule

    @property
    def subject(self) -> str:
        return self.rule.key

    def inverse(self) -> Operation:
        return CreateRule(rule=self.rule)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatePolicy(Operation):
    policy: Policy

    @property
    def subject(self) -> str:
        return self.policy.key

    def inverse(self) -> Operation:
        return DropPolicy(policy=self.policy)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropPolicy(Operation):
    policy: Policy

    @property
    def subject(self) -> str:
        return self.policy.key

    def inverse(self) -> Operation:
        return CreatePolicy(policy=self.policy)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterPolicy(Operation):
    """ALTER POLICY: roles, USING, WITH CHECK (the command and permissiveness are fixed)."""

    old: Policy
    new: Policy

    @property
    def subject(self) -> str:
        return self.new.key

    def inverse(self) -> Operation:
        return AlterPolicy(old=self.new, new=self.old)


# --------------------------------------------------------------------------- grants, comments


ObjectKind = Literal[
    "SCHEMA",
    "COLLATION",
    "TABLE",
    "VIEW",
    "MATERIALIZED VIEW",
    "COLUMN",
    "INDEX",
    "SEQUENCE",
    "TYPE",
    "DOMAIN",
    "FUNCTION",
    "PROCEDURE",
    "AGGREGATE",
    "TRIGGER",
    "POLICY",
    "RULE",
    "CONSTRAINT",
    "DOMAIN CONSTRAINT",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectRef:
    """What a comment or a grant is attached to: a kind, the object's key and, for columns,
    constraints, triggers, policies and rules, the member's name (``key`` is then the table's
    or domain's key)."""

    kind: ObjectKind
    key: str
    member: str | None = None

    def __str__(self) -> str:
        return f"{self.key}.{self.member}" if self.member is not None else self.key


@dataclass(frozen=True, slots=True, kw_only=True)
class SetComment(Operation):
    target: ObjectRef
    old: str | None
    new: str | None

    @property
    def subject(self) -> str:
        return str(self.target)

    def describe(self) -> str:
        verb = "drop comment on" if self.new is None else "comment on"
        return f"{verb} {self.target.kind.lower()} {self.target}"

    def inverse(self) -> Operation:
        return SetComment(target=self.target, old=self.new, new=self.old)


@dataclass(frozen=True, slots=True, kw_only=True)
class GrantPrivilege(Operation):
    """GRANT priv ON object TO grantee [WITH GRANT OPTION]; with ``option_only`` the privilege
    is already held and only the grant option is added."""

    target: ObjectRef
    grant: Grant
    option_only: bool = False

    @property
    def subject(self) -> str:
        return str(self.target)

    def describe(self) -> str:
        opt = " with grant option" if self.grant.grantable else ""
        return f"grant {self.grant.privilege} on {self.target} to {self.grant.grantee}{opt}"

    def inverse(self) -> Operation:
        return RevokePrivilege(target=self.target, grant=self.grant, option_only=self.option_only)


@dataclass(frozen=True, slots=True, kw_only=True)
class RevokePrivilege(Operation):
    """REVOKE priv ON object FROM grantee; with ``option_only``: REVOKE GRANT OPTION FOR."""

    target: ObjectRef
    grant: Grant
    option_only: bool = False

    @property
    def subject(self) -> str:
        return str(self.target)

    def describe(self) -> str:
        what = (
            f"grant option for {self.grant.privilege}"
            if self.option_only
            else (self.grant.privilege)
        )
        return f"revoke {what} on {self.target} from {self.grant.grantee}"

    def inverse(self) -> Operation:
        return GrantPrivilege(target=self.target, grant=self.grant, option_only=self.option_only)


__all__ = [
    "AddColumn",
    "AddConstraint",
    "AddDomainConstraint",
    "AddEnumValue",
    "AddIdentity",
    "AddInherit",
    "AlterColumnType",
    "AlterDomainDefault",
    "AlterDomainNotNull",
    "AlterExtensionSchema",
    "AlterExtensionVersion",
    "AlterIdentity",
    "AlterPolicy",
    "AlterSequence",
    "AttachPartition",
    "ColumnLoss",
    "Constraint",
    "CreateCollation",
    "CreateEnum",
    "CreateExtension",
    "CreateFunction",
    "CreateIndex",
    "CreatePolicy",
    "CreateRule",
    "CreateSchema",
    "CreateSequence",
    "CreateTable",
    "CreateTrigger",
    "CreateType",
    "CreateView",
    "DetachPartition",
    "DropCollation",
    "DropColumn",
    "DropConstraint",
    "DropDefault",
    "DropDomainConstraint",
    "DropEnum",
    "DropExpression",
    "DropExtension",
    "DropFunction",
    "DropIdentity",
    "DropIndex",
    "DropInherit",
    "DropNotNull",
    "DropPolicy",
    "DropRule",
    "DropSchema",
    "DropSequence",
    "DropTable",
    "DropTrigger",
    "DropType",
    "DropView",
    "GrantPrivilege",
    "Hazard",
    "InvalidateConstraint",
    "ObjectRef",
    "Operation",
    "RebuildTable",
    "RenameColumn",
    "RenameConstraint",
    "RenameDomainConstraint",
    "RenameTable",
    "RenameType",
    "ReplaceColumn",
    "ReplaceFunction",
    "ReplaceType",
    "ReplaceView",
    "RevokePrivilege",
    "SetComment",
    "SetDefault",
    "SetLogged",
    "SetNotNull",
    "SetRowSecurity",
    "SetSequenceOwner",
    "SetTableAside",
    "SetTableOptions",
    "SetTriggerEnabled",
    "TypeUse",
    "ValidateConstraint",
    "lossless",
]
