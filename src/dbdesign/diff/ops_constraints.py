"""Operations on constraints (primary keys, foreign keys, unique, checks, exclusions: add, drop,
rename, validate, make NOT VALID again) and on indexes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from dbdesign.diff.ops_base import Operation
from dbdesign.model import Check, Exclusion, ForeignKey, Index, PrimaryKey, Unique

# Every kind of table constraint.
Constraint = PrimaryKey | ForeignKey | Unique | Check | Exclusion


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
