"""Renaming a type in the model objects that use it, as PostgreSQL follows ``ALTER TYPE`` /
``ALTER DOMAIN ... RENAME TO`` and ``SET SCHEMA``: the catalog refers to a type by OID, so
columns, composite attributes, domains over it, and function signatures and results all
name the new one (its array type follows it too).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from dbdesign.model import Argument, Column, CompositeType, DataType, Domain, Function


@dataclass(frozen=True, slots=True)
class TypeRename:
    """Type ``old`` (``schema.name``) is now ``new``: each method returns the renamed object."""

    old: str
    new: str

    def dtype(self, t: DataType) -> DataType:
        return dataclasses.replace(t, name=self.new) if t.name == self.old else t

    def text(self, spelled: str) -> str:
        """A type as a signature spells it (``schema.name[]``, ``SETOF ...``, ``TABLE(...)``)."""
        pattern = rf'(?<![\w."$]){re.escape(self.old)}(?![\w"$])'
        return re.sub(pattern, lambda _m: self.new, spelled)

    def column(self, c: Column) -> Column:
        return dataclasses.replace(c, type=self.dtype(c.type)) if c.type.name == self.old else c

    def domain(self, d: Domain) -> Domain:
        return dataclasses.replace(d, type=self.dtype(d.type))

    def composite(self, c: CompositeType) -> CompositeType:
        attributes = tuple((n, self.dtype(t)) for n, t in c.attributes)
        return dataclasses.replace(c, attributes=attributes)

    def argument(self, a: Argument) -> Argument:
        return dataclasses.replace(a, type=self.text(a.type))

    def function(self, f: Function) -> Function:
        return dataclasses.replace(
            f,
            arguments=tuple(self.argument(a) for a in f.arguments),
            returns=None if f.returns is None else self.text(f.returns),
        )
