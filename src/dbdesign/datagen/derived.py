"""Two-column checks (``starts_at < ends_at``, ``a <> b``): one side derived from the other."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dbdesign.datagen.types import TypeInfo
from dbdesign.datagen.units import ColumnPlan, DerivedUnit, TablePlan, stable_seed
from dbdesign.datagen.values import ORDERED_KINDS, Cons, make_gen
from dbdesign.errors import UnsupportedError
from dbdesign.model import Table


def plan_derived(
    t: Table,
    tp: TablePlan,
    colcmps: list[tuple[str, str, str, str]],
    seed: int,
    optional: frozenset[str] = frozenset(),
) -> dict[str, DerivedUnit]:
    """A derived unit per comparison; one the generator cannot build values for raises,
    unless its check is in ``optional`` (a row rule keeps it: row_rules.py)."""
    out: dict[str, DerivedUnit] = {}
    if not colcmps:
        return out
    key_cols = _unique_columns(t)
    fk_cols = {c for fk in t.foreign_keys.values() for c in fk.columns}

    def free(cp: ColumnPlan) -> bool:
        return (
            cp.name not in key_cols
            and cp.name not in fk_cols
            and not cp.serial
            and cp.name not in out
            and not cp.cons.choices
            and not cp.cons.excluded
            and not cp.cons.force_null
        )

    for left, op, right, src in colcmps:
        try:
            _derive(t, tp, out, free, (left, op, right, src), seed)
        except UnsupportedError:
            if src not in optional:
                raise
    return out


def _derive(
    t: Table,
    tp: TablePlan,
    out: dict[str, DerivedUnit],
    free: Callable[[ColumnPlan], bool],
    cmp: tuple[str, str, str, str],
    seed: int,
) -> None:
    """The derived unit of one comparison ``left op right``, into ``out``."""
    left, op, right, src = cmp
    a, b = tp.column(left), tp.column(right)
    if op in ("<>", "="):
        target, source = (b, a) if free(b) else (a, b)
        if not free(target):
            raise UnsupportedError(f"{t.key}: cannot satisfy {src}: both columns are keys")
        out[target.name] = DerivedUnit(
            target,
            source.name,
            "equal" if op == "=" else "differ",
            False,
            stable_seed(seed, t.key, "derived", target.name),
        )
        return
    # normalise to small < big (or <=)
    small, big = (a, b) if op in ("<", "<=") else (b, a)
    strict = op in ("<", ">")
    if not (small.info.kind in ORDERED_KINDS and _same_units(small.info, big.info)):
        raise UnsupportedError(
            f"{t.key}: cannot satisfy {src}: {small.name} ({small.info.name}) and "
            f"{big.name} ({big.info.name}) are not comparable by the generator"
        )
    if free(big):
        target, source, direction = big, small, "above"
    elif free(small):
        target, source, direction = small, big, "below"
    else:
        raise UnsupportedError(f"{t.key}: cannot satisfy {src}: both columns are keys")
    probe = make_gen(target.info, Cons(), target.name, skew=None)
    dmin = (1 if probe.discrete else 1e-6) if strict else 0
    _narrow_source(source, target, direction, dmin)
    if source.lo is not None and source.hi is not None and source.lo > source.hi:
        raise UnsupportedError(f"{t.key}: cannot satisfy {src}: the columns' ranges conflict")
    out[target.name] = DerivedUnit(
        target, source.name, direction, strict, stable_seed(seed, t.key, "derived", target.name)
    )


def _narrow_source(source: ColumnPlan, target: ColumnPlan, direction: str, dmin: Any) -> None:
    """Narrow the source's bounds so that the derived value (``direction`` of it by at least
    ``dmin``) always fits in the target's."""
    if direction == "above":
        if target.hi is not None:
            source.hi = target.hi - dmin if source.hi is None else min(source.hi, target.hi - dmin)
        if target.lo is not None:
            source.lo = target.lo - dmin if source.lo is None else max(source.lo, target.lo - dmin)
    else:
        if target.lo is not None:
            source.lo = target.lo + dmin if source.lo is None else max(source.lo, target.lo + dmin)
        if target.hi is not None:
            source.hi = target.hi + dmin if source.hi is None else min(source.hi, target.hi + dmin)


def _same_units(a: TypeInfo, b: TypeInfo) -> bool:
    fam = {"timestamp": "ts", "timestamptz": "ts", "time": "time", "timetz": "time"}
    if fam.get(a.kind, a.kind) != fam.get(b.kind, b.kind):
        return False
    if a.kind in ("numeric", "money"):
        return (a.scale if a.scale is not None else 2) == (b.scale if b.scale is not None else 2)
    return True


def _unique_columns(t: Table) -> set[str]:
    out: set[str] = set(t.primary_key.columns) if t.primary_key else set()
    for u in t.uniques.values():
        out |= set(u.columns)
    return out
