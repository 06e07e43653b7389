"""Existing indexes a workload does not need: ones that duplicate another index's leading
columns, and ones no plan of the workload uses and the server counts no scan of.

Indexes that enforce a constraint (primary key, unique, exclusion) are never proposed: they
are constraints first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dbdesign.advise.stats import Catalog, ExistingIndex
from dbdesign.advise.usage import QueryUsage


@dataclass(frozen=True, slots=True)
class Removal:
    index: str  # schema-qualified
    table: str
    size_bytes: int
    reason: str
    definition: str

    @property
    def ddl(self) -> str:
        return f"DROP INDEX CONCURRENTLY IF EXISTS {self.index}"


def removals(catalog: Catalog, used: Iterable[str], usages: Sequence[QueryUsage]) -> list[Removal]:
    """What can go. ``used``: index names some plan of the workload uses."""
    used_names = {n.rsplit(".", 1)[-1].strip('"') for n in used}
    out: list[Removal] = []
    for table in catalog.tables.values():
        reads = any(table.name in u.tables for u in usages)
        droppable = [i for i in table.indexes if i.constraint is None and not i.primary]
        for ix in droppable:
            reason = _covered_by(ix, table.indexes) or (_unused(ix, used_names) if reads else "")
            if reason:
                out.append(Removal(ix.name, table.name, ix.size_bytes, reason, ix.definition))
    return out


def _covered_by(ix: ExistingIndex, others: Iterable[ExistingIndex]) -> str:
    for o in others:
        if o is ix or o.method != ix.method or o.partial or ix.partial or not o.valid:
            continue
        if o.columns[: len(ix.columns)] == ix.columns and (
            len(o.columns) > len(ix.columns) or o.name < ix.name or o.constraint
        ):
            how = "the same columns as" if o.columns == ix.columns else "a prefix of"
            return f"its columns are {how} {o.name} ({', '.join(o.columns)})"
    return ""


def _unused(ix: ExistingIndex, used: set[str]) -> str:
    if ix.name.rsplit(".", 1)[-1].strip('"') in used or ix.scans > 0 or ix.unique:
        return ""
    return (
        "no plan of the workload uses it and the server counts no scan of it since its "
        "statistics were reset"
    )
