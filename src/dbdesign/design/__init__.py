"""Design from requirements: a spec -> a schema with indexes, reasons, and a plan to prove it.

from dbdesign.design import design
d = design(spec)            # or design(spec, dialect="sqlite")
d.schema, d.decisions, d.patterns, d.choice
"""

from __future__ import annotations

from dataclasses import dataclass

from dbdesign.design.build import Builder, Decision, Param, PatternPlan, TableInfo
from dbdesign.design.choice import Choice, choose
from dbdesign.model import FrozenMap, Schema
from dbdesign.readers.spec import Spec

__all__ = ["Decision", "Design", "Param", "PatternPlan", "TableInfo", "design"]

DIALECTS = {"postgresql": "postgres", "sqlite": "sqlite", "mysql": "mysql"}


@dataclass(frozen=True, slots=True)
class Design:
    spec: Spec
    dialect: str
    schema: Schema
    choice: Choice
    tables: tuple[TableInfo, ...]
    decisions: tuple[Decision, ...]
    patterns: tuple[PatternPlan, ...]
    index_purposes: FrozenMap[str, tuple[str, ...]]
    partitioned: tuple[str, ...]


def design(spec: Spec, dialect: str | None = None) -> Design:
    """Design the schema for ``spec`` in ``dialect`` (default: the chosen engine)."""
    choice = choose(spec)
    dialect = dialect or DIALECTS.get(choice.engine, "postgres")
    b = Builder(spec, dialect)
    schema = b.build()
    return Design(
        spec=spec,
        dialect=dialect,
        schema=schema,
        choice=choice,
        tables=b.table_infos(),
        decisions=tuple(b.decisions),
        patterns=tuple(b.patterns),
        index_purposes=FrozenMap({k: tuple(v) for k, v in b.index_purposes.items()}),
        partitioned=tuple(b.partitioned),
    )
