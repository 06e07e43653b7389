"""Rules the rows keep that a schema cannot tell the generator on its own: a design's business
rules (:class:`RowRule`), passed to :func:`dbdesign.datagen.load` by the proof.

Six kinds, each kept batch by batch as the rows are made (:class:`RuleKeeper`):

- ``check``: a condition every row meets. A check the generator reads on its own
  (``ends_at > starts_at``: one column derived from the other) holds by construction and is
  only verified; any other (``discount <= price * 0.5``) is kept by drawing the free columns it
  reads again (not keys, not foreign keys) until it holds, and fails clearly when it cannot.
- ``unique``: a key unique among the rows where a condition holds (one active loan per copy).
  A row that would repeat the key of an earlier row meeting the condition has the free
  columns of the condition drawn again until it no longer meets it (the loan is returned).
- ``check_digit``: an EAN-13 or ISBN-13 column, made unique and complete with its check digit.
- ``at_most``: at most N rows per key among the rows where a condition holds (a member's
  active loans). A row past its key's bound has the condition's free columns drawn again
  until it no longer counts (the loan is returned).
- ``no_overlap``: ranges ``[start, end)`` that never overlap among rows of one key (a room's
  bookings). Each key's ranges are kept in order; a range that would overlap is moved, its
  length kept, to the nearest free place after it (or before, or shortened, when the key is
  full). Lengths are drawn short enough that a key's ranges fill about a quarter of the time
  the start column spans.
- ``sum``: the rows of one parent sum a column to a value (an entry's lines balance): written
  in runs per parent, the last row of a run taking what is left (:mod:`~dbdesign.datagen.
  row_sums`), before the other rules, which then leave the parent and the column alone.

The schema objects that enforce a rule (``objects``: the exclusion constraint, the partial
unique index, MySQL's unique key on generated columns, the CHECK) are left to the rule: the
planner neither refuses them nor treats a partial unique index as a full one.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from dbdesign.datagen.fk_units import FkUnit
from dbdesign.datagen.gen_base import DAY, EPOCH, WINDOW_END, WINDOW_START, Gen
from dbdesign.datagen.row_sums import SumKeeper
from dbdesign.datagen.units import DerivedUnit, FreeUnit, TablePlan, Unit, stable_seed
from dbdesign.errors import UnsupportedError

Condition = Callable[[Mapping[str, Any]], Any]  # row (column -> Python value) -> True/False/None
REDRAWS = 200  # attempts to redraw a row's free columns before giving up


@dataclass(frozen=True, slots=True)
class RowRule:
    """One business rule of a table, over its columns."""

    table: str  # qualified key
    name: str  # for messages
    kind: str  # "check" | "unique" | "no_overlap" | "at_most" (others are not the rows')
    objects: tuple[str, ...] = ()  # schema objects that enforce it (left to this rule)
    key: tuple[str, ...] = ()  # unique: the key's columns; no_overlap: the per columns
    range: tuple[str, str] | None = None  # no_overlap: start and end columns
    # no_overlap: what the range holds, "timestamp", "date" or "number" (read from ISO 8601
    # text where the columns are text: SQLite)
    range_kind: str = "timestamp"
    condition: Condition | None = None  # check; unique's where; None: always
    reads: tuple[str, ...] = ()  # the columns ``condition`` reads
    limit: int = 0  # at_most: the most rows per key where the condition holds
    scheme: str = ""  # check_digit: "isbn", "ean" or "iban"
    field: str = ""  # sum: the column summed (``key``: the parent's reference)
    total: Decimal | None = None  # sum: what the rows of one parent sum to


def handled_objects(rules: Sequence[RowRule], table: str) -> set[str]:
    return {o for r in rules if r.table == table for o in r.objects}


def complete_check_digits(rule: RowRule, start: int, done: dict[str, list[Any]]) -> None:
    """An EAN-13 / ISBN-13 / IBAN column: each value made anew from the row's number
    (scrambled by a bijection of 0 .. 10^9 - 1, so values stay unique), completed by its check
    digit (an IBAN: its two check digits, mod 97)."""
    col = rule.key[0]
    values = done.get(col)
    if values is None:
        return
    for i, v in enumerate(values):
        if v is None:
            continue
        n = ((start + i) * 387_420_489 + 12_345) % 10**9  # 3^18 is prime to 10^9
        if rule.scheme == "iban":  # a German IBAN: bank code, then the account number
            bban = f"370400440{n:09d}"
            rest = int(bban + "131400") % 97  # D = 13, E = 14, check digits 00
            values[i] = f"DE{98 - rest:02d}{bban}"
            continue
        head = str(v)[:3] if str(v)[:3].isdigit() and len(str(v)) >= 3 else "978"
        body = f"{head}{n:09d}"
        total = sum(int(ch) * (3 if k % 2 else 1) for k, ch in enumerate(body))
        values[i] = body + str((10 - total % 10) % 10)


class RuleKeeper:
    """Keeps one table's rules over its batches (state: the keys and ranges seen)."""

    def __init__(self, tp: TablePlan, rules: Sequence[RowRule], seed: int) -> None:
        self.tp = tp
        self.checks = [r for r in rules if r.kind == "check"]
        self.uniques = [(r, set[Any]()) for r in rules if r.kind == "unique"]
        self.bounded = [(r, Counter[Any]()) for r in rules if r.kind == "at_most"]
        self.digits = [r for r in rules if r.kind == "check_digit"]
        self.overlaps = [
            (r, _Ranges(_Codec(tp, r))) for r in rules if r.kind == "no_overlap" and r.range
        ]
        # rules over the same range (a practitioner's and a room's appointments) place each
        # row's range once, free for every key at once
        groups: dict[tuple[str, str] | None, list[tuple[RowRule, _Ranges]]] = {}
        for r, ranges in self.overlaps:
            groups.setdefault(r.range, []).append((r, ranges))
        self.range_groups = list(groups.values())
        self.rng = random.Random(stable_seed(seed, tp.key, "rules"))
        self.sums = [(r, self._sum_keeper(r, rules)) for r in rules if r.kind == "sum"]
        # columns a redraw may not change: a range placed (and its key), a sum's column,
        # parent and condition, and, once a row's unique keys are kept, their columns (the
        # checks run before them)
        self.fixed = {c for r, _ in self.overlaps for c in (*(r.range or ()), *r.key)}
        self.fixed |= {c for r, _ in self.sums for c in (r.field, *r.key, *r.reads)}
        self.unique_keys = {c for r, _ in self.uniques for c in r.key}
        self.locked = self.fixed | self.unique_keys  # never moved to make room under a bound
        reads = {c for r in rules for c in (*r.reads, *r.key, *(r.range or ()))}
        self.py = {c: tp.column(c).gen for c in reads if tp.column(c).gen is not None}

    def __call__(self, start: int, done: dict[str, list[Any]]) -> None:
        n = len(next(iter(done.values()))) if done else 0
        for rule in self.digits:
            complete_check_digits(rule, start, done)
        for _rule, keeper in self.sums:  # first: a parent's rows and what they sum to
            keeper(start, n, done)
        for i in range(n):  # ranges first: a range placed is never empty, its end after its start
            for group in self.range_groups:
                self._no_overlap(group, i, done)
            self._checks(i, done)
            for rule, seen in self.uniques:
                self._unique(rule, seen, i, done)
            for rule, counts in self.bounded:
                self._at_most(rule, counts, i, done)

    def _sum_keeper(self, rule: RowRule, rules: Sequence[RowRule]) -> SumKeeper:
        alone = [r for r in rules if r.kind == "check" and set(r.reads) <= {rule.field}]
        # a bound on the parent's rows that counts every row (at_most without a condition)
        caps = [r.limit for r in rules if r.kind == "at_most" and r.key == rule.key and not r.reads]
        return SumKeeper(
            self.tp,
            (rule.name, rule.field, rule.key[0], rule.total or Decimal(0)),
            self.rng,
            lambda i, done: self.holds(rule, i, done),
            lambda i, done: all(self.holds(r, i, done) is not False for r in alone),
            lambda i, done: self._make_hold(rule, i, done),
            min(caps, default=0),
        )

    def _make_hold(self, rule: RowRule, i: int, done: dict[str, list[Any]]) -> bool:
        """Draw the free columns of the rule's condition again until it holds on row ``i``
        (and the checks do); False when none can make it."""
        cols = self._with_checks(rule.reads)
        free = [c for c in self._free(cols, set(rule.reads)) if c not in self.unique_keys]

        def counted() -> bool:
            return self.holds(rule, i, done) is True and self._checks_hold(i, done)

        return bool(free) and self._redraw(i, done, free, counted)

    # -- values

    def row(self, i: int, done: dict[str, list[Any]], cols: Sequence[str]) -> dict[str, Any]:
        out = {}
        for c in cols:
            v = done[c][i]
            gen = self.py.get(c)
            out[c] = None if v is None or gen is None else gen.py(v)
        return out

    def holds(self, rule: RowRule, i: int, done: dict[str, list[Any]]) -> Any:
        """The rule's condition on row ``i``: True, False or None (unknown); a division by
        zero is False (PostgreSQL refuses such a row)."""
        if rule.condition is None:
            return True
        try:
            return rule.condition(self.row(i, done, rule.reads))
        except ZeroDivisionError:
            return False

    def _checks_hold(self, i: int, done: dict[str, list[Any]]) -> bool:
        return all(self.holds(r, i, done) is not False for r in self.checks)

    # -- checks

    def _checks(self, i: int, done: dict[str, list[Any]]) -> None:
        for rule in self.checks:
            if self.holds(rule, i, done) is not False:
                continue
            free = self._free(self._with_checks(rule.reads))
            if not free or not self._redraw(i, done, free, lambda: self._checks_hold(i, done)):
                raise UnsupportedError(self._stuck(rule, i, done, free))

    def _with_checks(self, cols: Sequence[str]) -> list[str]:
        """``cols`` and the columns the checks read alongside them (drawn again together,
        a redrawn column can keep its checks: returned_at with loaned_at)."""
        out = list(dict.fromkeys(cols))
        for r in self.checks:
            if set(r.reads) & set(out):
                out += [c for c in r.reads if c not in out]
        return out

    def _free(self, cols: Sequence[str], allow: set[str] | None = None) -> list[str]:
        """The columns of ``cols`` a redraw may change: drawn freely (or derived from another
        column), not a key of a rule (but those in ``allow``), not referenced by another
        table's foreign key."""
        out = []
        for c in cols:
            u = self.tp.unit_of.get(c)
            if (c in self.fixed and c not in (allow or ())) or u is None or u.mat is not None:
                continue
            if (
                (isinstance(u, FreeUnit) and not u.unique and not u.col.omit)
                or isinstance(u, DerivedUnit)
                or (isinstance(u, FkUnit) and len(u.columns) == 1 and u.pool)
            ):
                out.append(c)
        return out

    def _redraw(
        self, i: int, done: dict[str, list[Any]], free: list[str], ok: Callable[[], bool]
    ) -> bool:
        """Swap two of the ``free`` columns' values (``a > b`` the wrong way round), then draw
        them again (one, then all) until ``ok()``; the row is restored when nothing does."""
        before = {c: done[c][i] for c in self.tp.unit_of if c in done}
        for a, b in itertools.combinations(free, 2):
            va, vb = done[a][i], done[b][i]
            if va is None or vb is None or type(va) is not type(vb):
                continue
            done[a][i], done[b][i] = vb, va
            if self._fits(a, vb) and self._fits(b, va) and ok():
                return True
            done[a][i], done[b][i] = va, vb
        for attempt in range(REDRAWS):
            cols = [self.rng.choice(free)] if attempt % 2 == 0 else free
            for c in cols:
                done[c][i] = self._draw(c, i, done)
            self._rederive(i, done, set(cols))
            if ok():
                return True
            for c, v in before.items():
                done[c][i] = v
        return False

    def _fits(self, c: str, v: Any) -> bool:
        """Whether column ``c``'s generator could have drawn ``v`` (within its bounds)."""
        gen = self.tp.column(c).gen
        lo, hi = getattr(gen, "lo", None), getattr(gen, "hi", None)
        return (lo is None or v >= lo) and (hi is None or v <= hi)

    def _draw(self, c: str, i: int, done: dict[str, list[Any]], nonnull: bool = False) -> Any:
        u = self.tp.unit_of[c]
        cp = self.tp.column(c)
        gen = cp.gen
        assert gen is not None
        if cp.nullable and not nonnull and self.rng.random() < 0.2:
            return None
        if isinstance(u, FkUnit):  # another row it may reference
            return u.draw(self.rng, 1)[0]
        if type(gen) is Gen:  # a column a check keeps NULL
            return None
        if isinstance(u, DerivedUnit):
            src = done[u.source][i]
            if src is not None:
                null_frac, u.null_frac = u.null_frac, 0.0
                try:
                    return u.produce(self.tp, 0, 1, {u.source: [src]})[0]
                finally:
                    u.null_frac = null_frac
        return gen.sample(self.rng, 1)[0]

    def _rederive(self, i: int, done: dict[str, list[Any]], changed: set[str]) -> None:
        """Columns derived from a changed column follow it."""
        for u in self.tp.units:
            if isinstance(u, DerivedUnit) and u.source in changed and u.columns[0] not in changed:
                src = done[u.source][i]
                if src is not None and done[u.columns[0]][i] is not None:
                    done[u.columns[0]][i] = self._draw(u.columns[0], i, done, nonnull=True)
                changed.add(u.columns[0])

    def _stuck(self, rule: RowRule, i: int, done: dict[str, list[Any]], free: list[str]) -> str:
        shown = ", ".join(f"{c}={v!r}" for c, v in self.row(i, done, rule.reads).items())
        how = (
            f"drawing {', '.join(free)} again {REDRAWS} times did not help"
            if free
            else "it reads no column the generator may change (keys, references referenced "
            "elsewhere, or the range and key of a no-overlap rule, placed first)"
        )
        return f"{self.tp.key}: cannot generate a row that keeps rule {rule.name} ({shown}): {how}"

    # -- conditional uniqueness

    def _unique(self, rule: RowRule, seen: set[Any], i: int, done: dict[str, list[Any]]) -> None:
        key = tuple(done[c][i] for c in rule.key)
        if None in key or self.holds(rule, i, done) is not True:
            return
        if key not in seen:
            seen.add(key)
            return
        free = [c for c in self._free(self._with_checks(rule.reads)) if c not in self.unique_keys]

        def released() -> bool:
            return self.holds(rule, i, done) is not True and self._checks_hold(i, done)

        if not free or not self._redraw(i, done, free, released):
            raise UnsupportedError(
                f"{self.tp.key}: cannot keep rule {rule.name}: a row repeats the key "
                f"({', '.join(rule.key)}) of an earlier row where the condition holds, and "
                + (
                    f"drawing {', '.join(free)} again did not make the condition false"
                    if free
                    else "the condition reads no column the generator may change"
                )
            )

    # -- bounded children (at_most)

    def _at_most(
        self, rule: RowRule, counts: Counter[Any], i: int, done: dict[str, list[Any]]
    ) -> None:
        """A row past its parent's bound has the condition's free columns drawn again until
        it no longer counts (the loan is returned); when that cannot help (a bound on every
        row), its parent is drawn again until one has room: a reference free to move, not
        the key of a unique, no-overlap or sum rule. The fan-out is kept below the bound;
        the rows past it go to other parents."""

        def key() -> tuple[Any, ...]:
            return tuple(done[c][i] for c in rule.key)

        def counted() -> bool:
            return None not in key() and self.holds(rule, i, done) is True

        if not counted():
            return
        if counts[key()] < rule.limit:
            counts[key()] += 1
            return
        free = [c for c in self._free(self._with_checks(rule.reads)) if c not in self.unique_keys]

        def room() -> bool:
            return (not counted() or counts[key()] < rule.limit) and self._checks_hold(i, done)

        moved = [c for c in self._free(rule.key, set(rule.key)) if c not in self.locked]
        kept = bool(free) and self._redraw(i, done, free, room)
        if not kept and not (moved and self._redraw(i, done, moved, room)):
            tried = [*free, *moved]
            raise UnsupportedError(
                f"{self.tp.key}: cannot keep rule {rule.name}: a row would be number "
                f"{rule.limit + 1} of its {', '.join(rule.key)}, and "
                + (
                    f"drawing {', '.join(tried)} again did not make room"
                    if tried
                    else "the condition reads no column the generator may change, nor may "
                    "the row move to another parent (a bound that counts every row needs a "
                    "fan-out below it)"
                )
            )
        if counted():
            counts[key()] += 1

    # -- ranges that must not overlap

    def _no_overlap(
        self, group: list[tuple[RowRule, _Ranges]], i: int, done: dict[str, list[Any]]
    ) -> None:
        """Place row ``i``'s range where it overlaps no range of the same key, for every rule
        of ``group`` (rules over the same start and end columns) at once."""
        rule, first = group[0]
        assert rule.range is not None
        s_col, e_col = rule.range
        code = first.codec
        keyed = [(rg, k) for r, rg in group if None not in (k := tuple(done[c][i] for c in r.key))]
        s, e = code.number(done[s_col][i]), code.number(done[e_col][i])
        if not keyed:  # no rule for this row; its range must still be a range
            if s is not None and e is not None and s > e:
                done[e_col][i] = code.value(s + first.length(self.rng, s, None))
            return
        length = min(rg.length(self.rng, s, e) for rg, _k in keyed)
        if s is None:
            wlo, whi = code.window
            s = e - length if e is not None else wlo + self.rng.random() * (whi - wlo)
            s = int(s) if isinstance(length, int) else s
        placed = _place(keyed, s, length, code.lo, code.hi, code.end_by)
        if placed is None:
            names = " and ".join(r.name for r, _rg in group)
            keys = "; ".join(", ".join(r.key) for r, _rg in group)
            raise UnsupportedError(
                f"{self.tp.key}: cannot keep rule {names}: the ranges of one "
                f"({keys}) no longer fit between {code.lo} and {code.hi} "
                "without overlapping (fewer rows, or a wider span of values)"
            )
        done[s_col][i], done[e_col][i] = code.value(placed[0]), code.value(placed[1])


class _Codec:
    """A range column's values as numbers: the generator's own (integers, days, seconds),
    or ISO 8601 text (SQLite's dates and timestamps) read as days or seconds."""

    def __init__(self, tp: TablePlan, rule: RowRule) -> None:
        assert rule.range is not None
        sg, eg = (tp.column(c).gen for c in rule.range)
        los = [x for x in (getattr(sg, "lo", None), getattr(eg, "lo", None)) if x is not None]
        his = [x for x in (getattr(sg, "hi", None), getattr(eg, "hi", None)) if x is not None]
        self.text = not (los and his) and rule.range_kind in ("date", "timestamp")
        self.dates = rule.range_kind == "date"
        if not (los and his) and not self.text:
            raise UnsupportedError(
                f"{tp.key}: rule {rule.name}: the generator has no range for {rule.range[0]}"
            )
        if self.text:  # up to 2100: a full key's ranges may run past the window
            unit = 1 if self.dates else DAY
            self.lo, self.hi = 0, (date(2100, 1, 1) - date(1970, 1, 1)).days * unit
            first, last = getattr(sg, "window", (WINDOW_START, WINDOW_END))
            self.window: tuple[Any, Any] = (first * unit, (last + 1) * unit)
            self.end_by = (getattr(eg, "window", (first, last))[1] + 1) * unit
        else:
            self.lo, self.hi = max(los), min(his)
            self.window = (getattr(sg, "rlo", self.lo), getattr(sg, "rhi", self.hi))
            self.end_by = getattr(eg, "rhi", self.hi)  # where the end's values stop

    def number(self, v: Any) -> Any:
        """A value as a number; text that is no ISO date or time is None (drawn again)."""
        if v is None or not self.text:
            return v
        text = str(v)
        try:
            if self.dates:
                return (date.fromisoformat(text[:10]) - date(1970, 1, 1)).days
            d = datetime.fromisoformat(text.replace("T", " ")) - EPOCH
        except ValueError:
            return None
        return d.days * DAY + d.seconds

    def value(self, x: Any) -> Any:
        if not self.text:
            return x
        if self.dates:
            return date.fromordinal(date(1970, 1, 1).toordinal() + int(x)).isoformat()
        return (EPOCH + timedelta(seconds=int(x))).isoformat(" ")


class _Ranges:
    """The ranges placed so far, per key: sorted starts and their ends (non-overlapping)."""

    def __init__(self, codec: _Codec) -> None:
        self.codec = codec
        self.by_key: dict[Any, tuple[list[Any], list[Any]]] = {}
        self.max_step: Any = None  # longest range drawn (set by the planner)
        self.min_step: Any = 1

    def length(self, rng: random.Random, s: Any, e: Any) -> Any:
        """The range's length: its own when sensible, else a draw up to ``max_step``."""
        top = self.max_step
        if s is not None and e is not None and e > s and (top is None or e - s <= top):
            return e - s
        top = top if top is not None else 3600
        step = self.min_step + rng.random() * max(0, top - self.min_step)
        return type(self.min_step)(step) if isinstance(self.min_step, int) else step

    def after(self, key: Any, c: Any, length: Any) -> Any:
        """The first start at or after ``c`` where ``length`` overlaps none of ``key``'s
        ranges."""
        starts, ends = self.by_key.get(key, ([], []))
        return self._after(starts, ends, c, length)

    def before(self, key: Any, c: Any, length: Any, lo: Any) -> Any:
        """The last start at or before ``c`` where ``length`` overlaps none of ``key``'s
        ranges (None below ``lo``)."""
        starts, ends = self.by_key.get(key, ([], []))
        return self._before(starts, ends, c + length, length, lo)

    def add(self, key: Any, c: Any, length: Any) -> None:
        starts, ends = self.by_key.setdefault(key, ([], []))
        j = bisect.bisect_left(starts, c)
        starts.insert(j, c)
        ends.insert(j, c + length)

    @staticmethod
    def _after(starts: list[Any], ends: list[Any], s: Any, length: Any) -> Any:
        """The first free start at or after ``s`` (a bounded walk; then after the last)."""
        j = bisect.bisect_right(starts, s)
        c = s
        if j > 0 and ends[j - 1] > c:
            c = ends[j - 1]
        for _ in range(64):
            if j >= len(starts) or starts[j] >= c + length:
                return c
            c = max(c, ends[j])
            j += 1
        return max(c, ends[-1])

    @staticmethod
    def _before(starts: list[Any], ends: list[Any], s: Any, length: Any, lo: Any) -> Any:
        """The last free start whose range ends by ``s`` (else before the first range)."""
        j = bisect.bisect_left(starts, s)
        c = s - length
        for _ in range(64):
            if j == 0 or ends[j - 1] <= c:
                return c if c >= lo else None
            c = min(c, starts[j - 1] - length)
            j -= 1
        c = starts[0] - length
        return c if c >= lo else None


def _place(
    keyed: Sequence[tuple[_Ranges, Any]], s: Any, length: Any, lo: Any, hi: Any, soft: Any
) -> tuple[Any, Any] | None:
    """Place a range of ``length`` near ``s`` where it overlaps no range of any of the keys
    (each key in its own rule's ranges): the nearest common free place after ``s``, else
    before it (also when after would end past ``soft``, the end's usual window), else
    shorter; recorded in every key's ranges. None when none fits."""
    step = min(rg.min_step for rg, _k in keyed)
    while length >= step:
        c = _common(keyed, s, length)
        if c is None:  # after every key's last range is free for all of them
            ends = [rg.by_key[k][1] for rg, k in keyed if k in rg.by_key]
            c = max([s, *(e[-1] for e in ends if e)])
        if c + length > soft:
            before = _common(keyed, s, length, lo)
            if before is not None or c + length > hi:
                c = before
        if c is not None and lo <= c and c + length <= hi:
            for rg, k in keyed:
                rg.add(k, c, length)
            return c, c + length
        length = length // 2 if isinstance(length, int) else length / 2
    return None


def _common(keyed: Sequence[tuple[_Ranges, Any]], c: Any, length: Any, lo: Any = None) -> Any:
    """The nearest start from ``c`` free for every key: after it, or before it (down to
    ``lo``) when ``lo`` is given; each key moves it in turn until none does. None after 64
    moves, or when a key has no place before."""
    for _ in range(64):
        if lo is None:
            nxt = max(rg.after(k, c, length) for rg, k in keyed)
        else:
            before = [rg.before(k, c, length, lo) for rg, k in keyed]
            nxt = None if None in before else min(before)
        if nxt is None or nxt == c:
            return nxt
        c = nxt
    return None


def plan_rules(
    plans: Mapping[str, TablePlan], rules: Sequence[RowRule], seed: int
) -> dict[str, RuleKeeper]:
    """A keeper per table with rules, its range lengths set from the table's rows per key."""
    keepers: dict[str, RuleKeeper] = {}
    for key, tp in plans.items():
        mine = [r for r in rules if r.table == key]
        if not mine:
            continue
        for r in mine:
            cols = (*r.reads, *r.key, *(r.range or ()), *((r.field,) if r.field else ()))
            missing = [c for c in cols if c not in tp.unit_of]
            if missing:
                raise UnsupportedError(f"{key}: rule {r.name} reads unknown {', '.join(missing)}")
        keeper = RuleKeeper(tp, mine, seed)
        for rule, ranges in keeper.overlaps:
            _size_ranges(tp, plans, rule, ranges)
        keepers[key] = keeper
    return keepers


def _size_ranges(
    tp: TablePlan, plans: Mapping[str, TablePlan], rule: RowRule, ranges: _Ranges
) -> None:
    """Lengths up to twice the span over the rows per key, over four: a key's ranges then
    fill about a quarter of the span on average; a derived end column draws no longer."""
    assert rule.range is not None
    s_col, e_col = rule.range
    gen = tp.column(s_col).gen
    lo, hi = ranges.codec.window
    keys = _key_count(tp, plans, rule)
    per_key = max(1.0, tp.n / max(keys, 1))
    discrete = ranges.codec.text or bool(getattr(gen, "discrete", True))
    top = (hi - lo) / (2 * per_key)
    if ranges.codec.text:  # ISO text: as long as a timestamp generator's steps at most
        top = min(top, 30 if ranges.codec.dates else 30 * DAY)
    top = max(1, int(top)) if discrete else max(top, 1e-6)
    ranges.min_step = 1 if discrete else 1e-6
    end_unit = tp.unit_of.get(e_col)
    if isinstance(end_unit, DerivedUnit):
        dmax = end_unit.col.gen.delta()[1] if end_unit.col.gen is not None else top
        top = min(top, dmax)
        if end_unit.max_step is not None:  # another rule over the same range asked already
            top = min(top, end_unit.max_step)
        end_unit.max_step = top
    ranges.max_step = top


def _key_count(tp: TablePlan, plans: Mapping[str, TablePlan], rule: RowRule) -> int:
    """How many keys the rows spread over: the referenced table's rows for a reference, else
    the values the key's generator has (at most the rows)."""
    if not rule.key:
        return 1
    count = 1
    for c in rule.key:
        u: Unit | None = tp.unit_of.get(c)
        if isinstance(u, FkUnit) and u.fk.ref_table in plans:
            count *= max(1, len(u.pool) or plans[u.fk.ref_table].n)
        else:
            gen = tp.column(c).gen
            cap = gen.capacity() if gen is not None else None
            count *= cap or tp.n
    return max(1, min(count, tp.n))
