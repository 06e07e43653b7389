"""From a schema and row counts to a plan: for every table, *units* that produce its columns.

A unit produces one or more columns together:

- :class:`FreeUnit` — one column drawn from its generator (values.py), or made unique: a
  counter for serial/identity and integer keys, an index-based sequence for text, uuid, dates ...;
- :class:`FkUnit` — the columns of one foreign key, drawn from the referenced rows (all of a
  composite key at once, NULL all together), uniformly or Zipf-skewed;
- :class:`SelfFkUnit` — a foreign key to the same table: the first row NULL (or itself), later rows
  point at earlier ones;
- :class:`ComboUnit` — a unique constraint none of whose columns can be made unique on its own
  (a junction table's primary key of two foreign keys; a unique (flag, kind)): distinct
  combinations of the members' finite domains, sampled without replacement;
- :class:`DerivedUnit` — one side of a two-column check (``starts_at < ends_at``): the other side
  plus a random step.

Values referenced by foreign keys are *materialised* (a ``range`` for counters, a list otherwise)
before their table is generated, so a referencing table can draw from them whatever the order of
loading — which is what makes cycles of foreign keys possible.

The planner's decisions live beside this module, each importing only the ones above it:

- :mod:`~dbdesign.datagen.rows`: rows per table (counts, names, patterns), skew, rows already
  in the target;
- :mod:`~dbdesign.datagen.units`: :class:`TablePlan`, its columns, and the units that are not
  foreign keys'; :mod:`~dbdesign.datagen.fk_units`: the units of foreign keys;
- :mod:`~dbdesign.datagen.column_checks` and :mod:`~dbdesign.datagen.partitions`: checks and
  partition bounds as the columns' constraints; :mod:`~dbdesign.datagen.derived`: checks that
  compare two columns;
- :mod:`~dbdesign.datagen.keys`: keeping primary keys, unique constraints and indexes unique;
  :mod:`~dbdesign.datagen.joint`: rows that keep several keys sharing columns at once;
- :mod:`~dbdesign.datagen.foreign_keys`: which unit draws each foreign key, and the load
  order (cycles); :mod:`~dbdesign.datagen.wiring`: what each foreign key draws from;
- this module: :func:`build`, one table's plan step by step, and the names other modules
  import from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dbdesign import dialects
from dbdesign.datagen.column_checks import apply_checks, require_generated_sources
from dbdesign.datagen.derived import plan_derived
from dbdesign.datagen.fk_units import FkGroupUnit, FkUnit, SelfFkUnit
from dbdesign.datagen.foreign_keys import (
    cycle_null_columns,
    deferred_at_commit,
    load_order,
    plan_fk_units,
)
from dbdesign.datagen.gen_wrap import ChoiceGen
from dbdesign.datagen.keys import plan_uniques
from dbdesign.datagen.partitions import partition_bounds
from dbdesign.datagen.reserved import skip_note
from dbdesign.datagen.row_rules import RowRule, handled_objects, plan_rules
from dbdesign.datagen.rows import (
    Existing,
    NoExisting,
    Skew,
    check_skew_keys,
    resolve_counts,
    resolve_rows,
    skew_for,
    skipped_tables,
    span_for,
    weights_for,
)
from dbdesign.datagen.types import resolve
from dbdesign.datagen.units import (
    CapacityError,
    ColumnIndex,
    ColumnPlan,
    ComboUnit,
    DerivedUnit,
    FreeUnit,
    TablePlan,
    Unit,
    stable_seed,
)
from dbdesign.datagen.values import (
    ORDERED_KINDS,
    Cons,
    Gen,
    Unsatisfiable,
    bounds,
    make_gen,
    null_fraction,
)
from dbdesign.datagen.wiring import Wiring
from dbdesign.errors import UnsupportedError
from dbdesign.model import Schema, Table

__all__ = [
    "CapacityError",
    "ColumnPlan",
    "ComboUnit",
    "DataPlan",
    "DerivedUnit",
    "Existing",
    "FkGroupUnit",
    "FkUnit",
    "FreeUnit",
    "NoExisting",
    "SelfFkUnit",
    "TablePlan",
    "Unit",
    "build",
    "cycle_null_columns",
    "deferred_at_commit",
    "resolve_rows",
    "skipped_tables",
]


# --------------------------------------------------------------------------- the planner


@dataclass
class DataPlan:
    schema: Schema
    tables: dict[str, TablePlan]  # in load order
    broken_fks: list[tuple[str, str]]  # (table, constraint) checked after the load (cycles)
    notes: list[str]
    # a migration tool's tables a pattern matched and that were left alone: key -> whose
    skipped: dict[str, str] = field(default_factory=dict)


def build(
    schema: Schema,
    rows: Mapping[str, int],
    *,
    seed: int = 0,
    skew: Skew | None = None,
    existing: Existing | None = None,
    rules: Sequence[RowRule] = (),
) -> DataPlan:
    """Plan the data for ``rows`` (see :func:`resolve_rows`); raise on anything the generator
    cannot satisfy, naming the table, column and constraint. ``rules``: business rules the
    rows keep beyond what the schema says (row_rules.py)."""
    skew = dict(skew or {})
    check_skew_keys(schema, skew)
    existing = existing or NoExisting()
    counts, skipped = resolve_counts(schema, rows)
    plans: dict[str, TablePlan] = {}
    for key in sorted(counts):
        handled = frozenset(handled_objects(rules, key))
        plans[key] = _plan_table(
            schema, schema.tables[key], counts[key], seed, skew, existing, handled
        )
    wiring = Wiring(schema, plans, skew, existing)
    for tp in plans.values():
        wiring.wire(tp)
    for key, keeper in plan_rules(plans, rules, seed).items():
        plans[key].repair = keeper
    order, broken = load_order(schema, plans)
    notes = [skip_note(schema.tables[k]) for k in sorted(skipped)]
    notes += [n for tp in plans.values() for n in tp.notes]
    return DataPlan(
        schema=schema,
        tables={k: plans[k] for k in order},
        broken_fks=broken,
        notes=notes,
        skipped=skipped,
    )


def _is_serial(table: Table, col: Any, schema: Schema) -> bool:
    if col.identity is not None:
        return True
    if col.default is not None and "nextval(" in col.default.text.lower():
        return True
    pk = table.primary_key
    return (
        dialects.get(schema.dialect).capabilities.rowid_alias
        and pk is not None
        and pk.columns == (col.name,)
        and col.type.name.lower() == "integer"
        and "without_rowid" not in table.dialect_options
    )


def _plan_table(
    schema: Schema,
    t: Table,
    n: int,
    seed: int,
    skew: Skew,
    existing: Existing,
    handled: frozenset[str] = frozenset(),
) -> TablePlan:
    """One table's plan: its columns' constraints (checks, partition bounds) and generators,
    then the units that produce them, then what keeps its keys unique. The constraints in
    ``handled`` are kept by row rules."""
    _refuse_exclusions(t, n, handled)
    tp = TablePlan(table=t, n=n, columns=_column_plans(schema, t))
    columns = ColumnIndex(t, tp.columns)
    colcmps = apply_checks(schema, t, columns, handled)
    partition_bounds(schema, t, columns.by_name)
    require_generated_sources(schema, t, columns)
    _unknown_types(tp)
    # bounds, then the two-column comparisons (which narrow them), then generators
    _column_bounds(tp)
    optional = frozenset(f"check constraint {name}" for name in handled)
    derived = plan_derived(t, tp, colcmps, seed, optional)
    _column_generators(tp, skew)
    fk_units = plan_fk_units(schema, tp, columns, skew, seed)
    _assign_units(tp, fk_units, derived, seed)
    plan_uniques(schema, tp, existing, seed, handled)
    return tp


def _refuse_exclusions(t: Table, n: int, handled: frozenset[str]) -> None:
    left = [name for name in t.exclusions if name not in handled]
    if left and n > 1:
        ex = left[0]
        raise UnsupportedError(
            f"{t.key}: exclusion constraint {ex} cannot be satisfied by the generator "
            "(ask for at most 1 row)"
        )


def _column_plans(schema: Schema, t: Table) -> list[ColumnPlan]:
    """The columns the generator writes (a generated column is the server's), with their
    type's constraints."""
    cols: list[ColumnPlan] = []
    for c in t.columns:
        if c.generated is not None:
            continue
        info = resolve(c.type, schema)
        cons = Cons()
        cons.not_null = not c.nullable or info.not_null
        cp = ColumnPlan(
            name=c.name,
            info=info,
            cons=cons,
            nullable=not cons.not_null,
            serial=_is_serial(t, c, schema),
        )
        cols.append(cp)
    return cols


def _unknown_types(tp: TablePlan) -> None:
    """A column of a type without a generator: the server's default, NULL, or an error; and
    a check that requires NULL in a NOT NULL column is an error."""
    t = tp.table
    for cp, c in zip(tp.columns, [c for c in t.columns if c.generated is None], strict=True):
        if cp.info.kind in ("unknown", "array") and (
            cp.info.kind == "unknown" or (cp.info.element and cp.info.element.kind == "unknown")
        ):
            if c.default is not None:
                cp.omit = True
                tp.notes.append(f"{t.key}.{cp.name}: type {cp.info.name} left to its default")
            elif cp.nullable:
                cp.cons.force_null = True
                tp.notes.append(f"{t.key}.{cp.name}: type {cp.info.name} has no generator: NULL")
            else:
                raise UnsupportedError(
                    f"{t.key}.{cp.name}: no generator for type {cp.info.name} "
                    "(NOT NULL, no default)"
                )
        if cp.cons.force_null and not cp.nullable:
            raise UnsupportedError(
                f"{t.key}.{cp.name}: {', '.join(cp.cons.sources) or 'a check'} requires NULL "
                "but the column is NOT NULL"
            )


def _column_bounds(tp: TablePlan) -> None:
    """Each written column's [lo, hi] in internal units (its type's and its checks')."""
    t = tp.table
    for cp in tp.columns:
        if cp.omit or cp.cons.force_null:
            continue
        if (cp.cons.lo or cp.cons.hi) and cp.info.kind not in ORDERED_KINDS | {"text", "enum"}:
            raise UnsupportedError(
                f"{t.key}.{cp.name}: {', '.join(cp.cons.sources)}: comparisons on type "
                f"{cp.info.name} are not supported"
            )
        try:
            cp.lo, cp.hi = bounds(cp.info, cp.cons, f"{t.key}.{cp.name}")
        except Unsatisfiable as e:
            raise UnsupportedError(f"{t.key}.{cp.name}: {e}") from None


def _column_generators(tp: TablePlan, skew: Skew) -> None:
    """Each written column's generator, within its bounds, skewed as asked."""
    t = tp.table
    for cp in tp.columns:
        if cp.omit:
            continue
        sk = skew_for(skew, t, [cp.name])
        span = span_for(skew, t, cp.name)
        cp.cons.span = span.days if span is not None else None
        try:
            if cp.cons.force_null:
                cp.gen = Gen()  # never asked for a value: the column is always NULL
            else:
                cp.gen = make_gen(cp.info, cp.cons, cp.name, skew=sk, lo=cp.lo, hi=cp.hi)
                weights = weights_for(skew, t, cp.name)
                if weights is not None:
                    if not isinstance(cp.gen, ChoiceGen):
                        raise Unsatisfiable("weights are for a column of a fixed list of values")
                    cp.gen.weigh(weights)
        except Unsatisfiable as e:
            srcs = ", ".join(dict.fromkeys(cp.cons.sources))
            raise UnsupportedError(
                f"{t.key}.{cp.name}: {e}" + (f" ({srcs})" if srcs and srcs not in str(e) else "")
            ) from None


def _assign_units(
    tp: TablePlan, fk_units: list[Unit], derived: dict[str, DerivedUnit], seed: int
) -> None:
    """The table's units: its foreign keys', then a free unit for each column no other unit
    produces, then the derived columns'."""
    t = tp.table
    taken: dict[str, Unit] = {}
    for u in fk_units:
        for name in u.columns:
            taken[name] = u
    for cp in tp.columns:
        if cp.name in derived:
            if cp.name in taken:
                raise UnsupportedError(
                    f"{t.key}.{cp.name}: derived from a check but also a foreign key column"
                )
            du = derived[cp.name]
            du.null_frac = null_fraction(cp.name) if cp.nullable else 0.0
            taken[cp.name] = du
    units: list[Unit] = list(fk_units)
    for cp in tp.columns:
        if cp.name in taken:
            continue
        fu = FreeUnit(cp, stable_seed(seed, t.key, "col", cp.name))
        fu.null_frac = null_fraction(cp.name) if cp.nullable else 0.0
        taken[cp.name] = fu
        units.append(fu)
    units.extend(derived.values())
    tp.units = units
    tp.unit_of = taken
