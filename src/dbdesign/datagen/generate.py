"""``generate()``: rows for a schema as Python values, table by table, in batches."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from dbdesign.datagen.plan import DataPlan, Existing, TablePlan, build
from dbdesign.datagen.row_rules import RowRule
from dbdesign.datagen.rows import Skew
from dbdesign.model import Schema

BATCH_ROWS = 20_000


class Batch(NamedTuple):
    """Rows for one table: ``(table_key, column names, rows)``; a table may span batches."""

    table: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def plan(
    schema: Schema,
    rows: Mapping[str, int],
    *,
    seed: int = 0,
    skew: Skew | None = None,
    existing: Existing | None = None,
    rules: Sequence[RowRule] = (),
) -> DataPlan:
    """The plan for ``rows`` (raises at once on anything the generator cannot satisfy)."""
    return build(schema, rows, seed=seed, skew=skew, existing=existing, rules=rules)


def generate(
    schema: Schema,
    rows: Mapping[str, int],
    *,
    seed: int = 0,
    skew: Skew | None = None,
    batch_rows: int = BATCH_ROWS,
    rules: Sequence[RowRule] = (),
) -> Iterator[Batch]:
    """Rows that satisfy ``schema``'s constraints, in foreign-key order.

    ``rows`` maps table keys (``public.orders``), bare names (``orders``) or patterns (``*``,
    ``public.*``) to row counts. ``skew`` maps ``table.column`` / ``table`` / ``*`` to a Zipf
    exponent for foreign-key targets and categorical values (1.0 is a typical skew; 0 uniform).
    The same seed gives the same rows. Problems (a check it cannot satisfy, a unique key that
    cannot hold that many rows) raise :class:`dbdesign.errors.UnsupportedError` here, before
    any row is produced. ``rules``: business rules the rows keep beyond the schema's
    constraints (:mod:`~dbdesign.datagen.row_rules`).
    """
    p = plan(schema, rows, seed=seed, skew=skew, rules=rules)
    return _iterate(p, batch_rows)


def _iterate(p: DataPlan, batch_rows: int) -> Iterator[Batch]:
    for tp in p.tables.values():
        yield from table_batches(tp, batch_rows)


def table_batches(tp: TablePlan, batch_rows: int, *, as_stored: bool = False) -> Iterator[Batch]:
    """A table's rows as Python values, or ``as_stored``: each value as a column of dynamic
    typing (SQLite) stores it, its affinity applied."""
    cols = tp.out_columns
    gens = []
    for c in cols:
        gen = tp.column(c).gen
        assert gen is not None
        gens.append(gen)
    for _start, done in tp.batches(batch_rows):
        if as_stored:
            columns = [g.sqlites(done[c]) for c, g in zip(cols, gens, strict=True)]
        else:
            columns = [
                [None if v is None else g.py(v) for v in done[c]]
                for c, g in zip(cols, gens, strict=True)
            ]
        yield Batch(tp.key, tuple(cols), list(zip(*columns, strict=True)))
