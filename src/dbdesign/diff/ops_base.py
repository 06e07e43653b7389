"""What every operation of the diff shares: :class:`Operation`, the base of the frozen
dataclasses the other ``ops_*`` modules define (its subject, whether it deletes data, one line
for people, its inverse); :class:`Hazard`, what a statement costs on a live database (the SQL
writers attach them); and :func:`temp_name`, the name an object takes while it is replaced or
rebuilt.

:mod:`dbdesign.diff.operations` gathers the operations under one name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


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


def temp_name(name: str, suffix: str) -> str:
    """``name`` + ``suffix``, the name shortened (whole characters) to fit 63 bytes."""
    room = 63 - len(suffix.encode()) - 1
    while len(name.encode()) > room:
        name = name[:-1]
    return f"{name}_{suffix}"
