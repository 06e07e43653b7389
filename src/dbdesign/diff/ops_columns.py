"""Operations on columns: add, drop, rename, change the type (with :func:`lossless`, whether a
conversion keeps every value), defaults, NOT NULL, identity, and generated columns."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from dbdesign.diff.ops_base import Operation
from dbdesign.model import Column, DataType, Expr, Identity


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
