"""One SQL statement of a migration plan (:class:`dbdesign.diff.plan.Plan`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dbdesign.diff.operations import Hazard, Operation

__all__ = ["Statement"]


@dataclass(frozen=True, slots=True)
class Statement:
    """One SQL statement of a plan. ``transactional=False``: it cannot run inside a transaction
    block on every server (CREATE/DROP INDEX CONCURRENTLY; ALTER TYPE ... ADD VALUE before
    PostgreSQL 12, see :func:`dbdesign.diff.framing.frame`). ``not_valid`` / ``validates``:
    the constraint it adds NOT VALID or validates (the framing commits between the two)."""

    sql: str
    transactional: bool
    hazards: tuple[Hazard, ...]
    operation: Operation
    not_valid: str | None = None
    validates: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "sql": self.sql,
            "transactional": self.transactional,
            "hazards": [h.as_json() for h in self.hazards],
        }
