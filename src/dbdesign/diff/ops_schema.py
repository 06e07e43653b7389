"""Operations on schemas, extensions, collations and sequences: the objects a table or a type
may rest on, which the diff creates first and drops last."""

from __future__ import annotations

from dataclasses import dataclass

from dbdesign.diff.ops_base import Operation
from dbdesign.model import Collation, Extension, Namespace, Sequence

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
