"""Findings are values: what a rule reports, never an exception."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dbdesign.model import Origin


class Severity(StrEnum):
    info = "info"
    warning = "warning"
    error = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.info: 0, Severity.warning: 1, Severity.error: 2}


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One problem one rule found on one object.

    ``object`` is the object's qualified name (``schema.table``, ``schema.table.column``,
    ``schema.index``, ``schema.table.constraint``, a function's signature). ``origin`` is where
    it was defined (file:line:col, or a catalog reference for a live database).
    """

    code: str
    severity: Severity
    message: str
    object: str
    origin: Origin | None = None
    fix_hint: str = ""
    rule: str = ""  # the rule's name, e.g. "table-without-primary-key"
    statement: str = ""  # a migration finding's statement, on one line

    @property
    def where(self) -> str:
        return str(self.origin) if self.origin is not None else self.object

    def to_dict(self) -> dict[str, Any]:
        o = self.origin
        return {
            "code": self.code,
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "object": self.object,
            "file": o.file if o else None,
            "line": o.line if o else None,
            "col": o.col if o else None,
            "catalog": o.catalog if o else None,
            "fix_hint": self.fix_hint,
            **({"statement": self.statement} if self.statement else {}),
        }


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule yields: the engine adds the rule's code, name and (configured) severity."""

    object: str
    message: str
    origin: Origin | None = None
    fix: str | None = None  # a specific hint; the rule's general fix when None
