"""Design from requirements: a spec -> a schema with indexes, reasons, and a plan to prove it.

from dbdesign.design import design
d = design(spec)            # or design(spec, dialect="sqlite")
d.schema, d.decisions, d.patterns, d.choice
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from dbdesign import dialects
from dbdesign.design.build import (
    Decision,
    DesignBuilder,
    Param,
    PatternPlan,
    RulePlan,
    TableInfo,
)
from dbdesign.design.choice import Choice, choose
from dbdesign.design.citus import CitusPlan
from dbdesign.design.citus_plan import for_citus
from dbdesign.design.hybrid import redis_entities, split
from dbdesign.design.mongo_model import MongoPlan
from dbdesign.design.mongo_plan import mongo_design
from dbdesign.design.redis_plan import RedisPlan, redis_design
from dbdesign.design.types import MAPPERS
from dbdesign.errors import DbdesignError, UnsupportedError
from dbdesign.model import FrozenMap, Schema
from dbdesign.readers.spec import Spec

__all__ = ["Decision", "Design", "Param", "PatternPlan", "RulePlan", "TableInfo", "design"]


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
    rules: tuple[RulePlan, ...] = ()  # the spec's business rules, as this design enforces them
    # "table.column" -> the description the spec gives it (DESIGN.md derives the others)
    column_notes: FrozenMap[str, str] = field(default_factory=lambda: FrozenMap({}))
    # beyond one server (PostgreSQL): the Citus plan, or the line it stays under
    citus: CitusPlan | None = None
    # a Redis design (dialect "redis"): its key families; the schema is then empty
    redis: RedisPlan | None = None
    # a MongoDB design (dialect "mongodb"): its collections; the schema is then empty
    mongo: MongoPlan | None = None
    # a hybrid: the Redis part beside the schema (design/hybrid.py), and the whole spec (``spec``
    # is then the relational part's)
    redis_part: RedisPlan | None = None
    whole: Spec | None = None

    @property
    def relational(self) -> bool:
        """Whether the design is a relational schema (not a Redis or MongoDB design)."""
        return self.redis is None and self.mongo is None


def design(spec: Spec, dialect: str | None = None) -> Design:
    """Design the schema for ``spec`` in ``dialect`` (default: the chosen engine)."""
    choice = choose(spec)
    store = _STORES.get(choice.engine) if dialect is None else None
    if store is not None:  # no relational schema: the store's own plan
        return Design(
            spec=spec,
            dialect=choice.engine,
            schema=Schema(dialect="postgres"),
            choice=choice,
            tables=(),
            decisions=(),
            patterns=(),
            index_purposes=FrozenMap({}),
            partitioned=(),
            **store(spec),
        )
    dialect = _dialect(dialect, choice.engine)
    whole, part = spec, None
    names = redis_entities(spec, auto=spec.project.database == "auto")
    if names:  # a hybrid: these in Redis, the rest in the relational schema
        spec, kv_spec = split(spec, names)
        part = redis_design(kv_spec)
        part = replace(part, decisions=tuple(x for x in part.decisions if x.subject in names))
        choice = replace(
            choice,
            reasons=(
                *choice.reasons,
                f"hybrid: {', '.join(names)} in Redis (they expire within a day of their last "
                "write, are read by key, and nothing refers to them); the rest relational",
            ),
        )
    b = DesignBuilder(spec, dialect)
    schema = b.build()
    d = Design(
        redis_part=part,
        whole=whole if part else None,
        spec=spec,
        dialect=dialect,
        schema=schema,
        choice=choice,
        tables=b.table_infos(),
        decisions=tuple(b.decisions),
        patterns=tuple(b.patterns),
        index_purposes=FrozenMap({k: tuple(v) for k, v in b.index_purposes.items()}),
        partitioned=tuple(b.partitioned),
        rules=tuple(b.rules),
        column_notes=FrozenMap(b.column_notes),
    )
    # Past one node's line (or asked), the schema is made for Citus (design/citus*.py).
    citus, made = for_citus(d)
    if made is None:
        return replace(d, citus=citus)
    redone = {x.subject for x in made.decisions}
    return replace(
        d,
        schema=made.schema,
        tables=made.tables,
        patterns=made.patterns,
        decisions=tuple(x for x in d.decisions if x.subject not in redone) + made.decisions,
        citus=citus,
    )


# Engines designed without a relational schema, and the plan each one's design holds.
_STORES: dict[str, Callable[[Spec], dict[str, Any]]] = {
    "redis": lambda spec: {"redis": redis_design(spec)},
    "mongodb": lambda spec: {"mongo": mongo_design(spec)},
}


def _dialect(asked: str | None, engine: str) -> str:
    """The dialect to design for: the one asked for (a name or alias), else the chosen engine's
    when it is a dialect dbdesign designs for, else PostgreSQL."""
    if asked is not None:
        d = dialects.get(asked)
        if d.name not in MAPPERS:
            raise UnsupportedError(f"designing for {d.title} is not supported yet")
        return d.name
    try:
        name = dialects.get(engine).name
    except DbdesignError:  # a non-relational engine: the relational part goes to PostgreSQL
        return "postgres"
    return name if name in MAPPERS else "postgres"
