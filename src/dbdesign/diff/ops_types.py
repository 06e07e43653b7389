"""Operations on types and domains: create, drop and rename them, add an enum value in place,
replace a type that ALTER cannot change (converting the columns that use it), and a domain's
default, NOT NULL and checks."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from dbdesign.diff.ops_base import Operation, temp_name
from dbdesign.model import Check, CompositeType, Domain, EnumType, Expr

# The types the diff creates, drops and replaces (domains included).
TypeDef = EnumType | Domain | CompositeType


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
