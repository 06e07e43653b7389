"""What a load reports (rows and seconds per table), and what every loader shares."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from dbdesign.datagen.plan import DataPlan, Existing, build
from dbdesign.datagen.row_rules import RowRule
from dbdesign.datagen.rows import Skew
from dbdesign.datagen.types import TypeInfo
from dbdesign.datagen.values import from_py
from dbdesign.model import Schema

Progress = Callable[[str, int, int], None]  # (table, rows done, rows of the table)


@dataclass(frozen=True, slots=True)
class LoadJob:
    """What :func:`~dbdesign.datagen.load.load` asks of a loader, besides a connection."""

    schema: Schema
    rows: Mapping[str, int]
    seed: int
    skew: Skew | None
    progress: Progress | None
    analyze: bool  # ANALYZE the loaded tables afterwards
    batch_rows: int
    keep: bool = False  # keep_cyclic_keys: load a cycle of foreign keys as an application must
    rules: Sequence[RowRule] = ()  # business rules the rows keep (row_rules.py)

    def plan(self, existing: Existing) -> DataPlan:
        return build(
            self.schema,
            self.rows,
            seed=self.seed,
            skew=self.skew,
            existing=existing,
            rules=self.rules,
        )


@dataclass(frozen=True, slots=True)
class TableLoad:
    table: str
    rows: int
    seconds: float


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a load did: rows and seconds per table, in load order."""

    target: str  # redacted URL, or the SQLite file
    seed: int
    tables: tuple[TableLoad, ...]
    seconds: float  # the whole load (planning, generating, loading, committing)
    analyze_seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())
    # a migration tool's tables (reserved.py) a pattern matched and that were not filled:
    # (table, whose records it holds)
    skipped: tuple[tuple[str, str], ...] = field(default=())
    # seconds per phase of the load, where the loader tells them (PostgreSQL): plan, generate
    # (the Python time making rows and their text, inside COPY), COPY, index and constraint
    # build, commit
    phases: tuple[tuple[str, float], ...] = field(default=())

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "seed": self.seed,
            "total_rows": self.total_rows,
            "seconds": round(self.seconds, 3),
            "analyze_seconds": round(self.analyze_seconds, 3),
            "rows_per_second": round(self.rows_per_second),
            "tables": [
                {"table": t.table, "rows": t.rows, "seconds": round(t.seconds, 3)}
                for t in self.tables
            ],
            "notes": list(self.notes),
            "skipped": [{"table": t, "reason": why} for t, why in self.skipped],
        }


def report(
    label: str,
    seed: int,
    plan: DataPlan,
    done: list[TableLoad],
    t0: float,
    analyze: Callable[[], object] | None,
    phases: Mapping[str, float] | None = None,
) -> LoadReport:
    """The load's report; runs ``analyze`` (the server's statistics) first when rows went in."""
    seconds = time.perf_counter() - t0
    t2 = time.perf_counter()
    ran = analyze is not None and bool(done)
    if ran and analyze is not None:
        analyze()
    return LoadReport(
        target=label,
        seed=seed,
        tables=tuple(done),
        seconds=seconds,
        analyze_seconds=time.perf_counter() - t2 if ran else 0.0,
        notes=tuple(plan.notes),
        skipped=tuple(sorted(plan.skipped.items())),
        phases=tuple((phases or {}).items()),
    )


class Phases:
    """Seconds spent in each phase of a load (a phase may be entered many times)."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self._started: dict[str, float] = {}

    def start(self, phase: str) -> None:
        self._started[phase] = time.perf_counter()

    def stop(self, phase: str) -> None:
        t = time.perf_counter() - self._started.pop(phase)
        self.totals[phase] = self.totals.get(phase, 0.0) + t

    @contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        self.start(phase)
        try:
            yield
        finally:
            self.stop(phase)


def key_values(infos: Sequence[TypeInfo], rows: Iterable[Sequence[Any]]) -> list[Any]:
    """Keys read from a database in internal values: a scalar for one column, else a tuple."""
    out = []
    for row in rows:
        vals = tuple(from_py(i, v) for i, v in zip(infos, row, strict=True))
        out.append(vals[0] if len(vals) == 1 else vals)
    return out
