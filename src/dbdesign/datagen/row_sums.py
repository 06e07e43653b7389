"""Rows of one parent that sum a column to a value (a ``sum`` rule: an entry's lines balance),
kept by :class:`SumKeeper` for :class:`~dbdesign.datagen.row_rules.RuleKeeper`.

The rows the rule counts (a parent, the condition true) are written in runs: a parent is
drawn (in turn over the parents, or Zipf-skewed when the reference is skewed), then a run of
rows goes to it, as an application writes an entry's lines together. A run's length is drawn
around the rows per parent (two at least, an exponential tail above), never past a bound on
the parent's rows (``at_most`` without a condition). Each row but the last draws its value from
the column's generator, its sign chosen to bring the run's sum nearer the value (so the last
row's value stays within what one row holds); the last row takes what is left, which is never
zero. Checks that read the column alone are kept by drawing again. A run may go on into the
next batch (one ending at a batch's last counted row is made a row longer, so that the next
batch never starts with a lone row); in the table's last batch runs end with its rows (one is
made a row longer or shorter rather than leave a single row), and a run still open at the end
fails clearly.

The parent column, the summed column and the columns of the condition are then fixed: no other
rule's redraw changes them (a row counted stays counted). Under a bound, the rows the rule does
not count take room too: one whose parent is full, or is the parent of the run being written,
goes to another. In the last batch, when too few rows count to close the open run (or to make
a run of two), rows the rule does not count are made to count by drawing their condition's
columns again.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from dbdesign.datagen.fk_units import FkUnit
from dbdesign.datagen.gen_base import Gen
from dbdesign.datagen.units import TablePlan, coprime_stride
from dbdesign.errors import UnsupportedError

TRIES = 200  # draws of one row's value before giving up


class SumKeeper:
    """One sum rule over the batches of one table: the run being written (its parent, the
    rows it still takes, the sum of its rows so far, in the column's internal values)."""

    def __init__(
        self,
        tp: TablePlan,
        rule: tuple[str, str, str, Decimal],  # (name, summed column, parent column, value)
        rng: random.Random,
        holds: Callable[[int, dict[str, list[Any]]], Any],
        checks: Callable[[int, dict[str, list[Any]]], bool],
        count_in: Callable[[int, dict[str, list[Any]]], bool],
        cap: int,
    ) -> None:
        self.tp, self.rng = tp, rng
        self.name, self.col, self.per, total = rule
        self.holds = holds  # the rule's condition on a row
        self.count_in = count_in  # make the condition true on a row (False: it cannot)
        self.checks = checks  # the checks that read the summed column alone, on a row
        self.cap = cap  # the most rows a parent may have (0: no bound)
        unit = tp.unit_of.get(self.per)
        if not isinstance(unit, FkUnit) or unit.columns != (self.per,):
            raise UnsupportedError(
                f"{tp.key}: cannot keep rule {self.name}: {self.per} is not a one-column "
                "foreign key the generator draws (the rows of a parent are written in runs)"
            )
        self.unit = unit
        gen = tp.column(self.col).gen
        if gen is None:
            raise UnsupportedError(f"{tp.key}: rule {self.name}: {self.col} is not generated")
        self.gen: Gen = gen
        self.target = _internal(gen, total, tp.key, self.name)
        self.parent: Any = None
        self.left = 0  # rows the run still takes (0: none open)
        self.rows = 0  # rows the run has
        self.sum: Any = 0
        self.runs = 0
        self.had: Counter[Any] = Counter()  # rows given to each parent (kept under a bound)

    def __call__(self, start: int, n: int, done: dict[str, list[Any]]) -> None:
        counted = [
            i for i in range(n) if done[self.per][i] is not None and self.holds(i, done) is True
        ]
        last = start + n >= self.tp.n
        if self.cap:  # the rows the rule does not count take room under the bound too
            self._others(n, done, set(counted))
        if last:
            counted = self._enough(n, done, counted)
        for j, i in enumerate(counted):
            remaining = len(counted) - j  # this row and the batch's counted rows after it
            if self.left == 0:
                self._start()
            if last:
                self._fit_end(remaining)
            elif self.left == 1 and remaining == 1 and self._room() >= 2:
                self.left = 2  # the batch's last row: the run goes on into the next batch
            done[self.per][i] = self.parent
            if self.cap:
                self.had[self.parent] += 1
            if self.left == 1:
                self._close(i, done)
            else:
                self._add(i, done)
        if last and self.left:
            raise UnsupportedError(
                f"{self.tp.key}: cannot keep rule {self.name}: the table's last rows "
                f"leave a {self.per} with one row whose sum is not the rule's (too few rows "
                "the rule counts)"
            )

    def _enough(self, n: int, done: dict[str, list[Any]], counted: list[int]) -> list[int]:
        """The table's last batch: rows enough to close the open run (one at least) or to
        make runs of two; rows the rule does not count are made to count (their condition's
        columns drawn again) when there are too few."""
        short = (1 if self.left else 2) - len(counted) if len(counted) < 2 else 0
        if short <= 0 or (not self.left and not counted):
            return counted
        for i in range(n):
            if short <= 0:
                break
            if i not in counted and done[self.per][i] is not None and self.count_in(i, done):
                counted.append(i)
                short -= 1
        if short > 0:
            raise UnsupportedError(
                f"{self.tp.key}: cannot keep rule {self.name}: the table's last rows "
                f"leave a {self.per} with rows that do not sum to the rule's value, and no "
                "other row could be made to count (too few rows the rule counts)"
            )
        return sorted(counted)

    def _others(self, n: int, done: dict[str, list[Any]], counted: set[int]) -> None:
        """Under a bound: each row the rule does not count keeps its parent while that has
        room, else goes to one that has (never to the parent of the run being written, whose
        length was drawn to fit its room)."""
        for i in range(n):
            parent = done[self.per][i]
            if i in counted or parent is None:
                continue
            for _ in range(TRIES):
                if parent != self.parent and self.had[parent] < self.cap:
                    break
                parent = self.unit.draw(self.rng, 1)[0]
            else:
                raise UnsupportedError(
                    f"{self.tp.key}: cannot keep rule {self.name} within the bound of "
                    f"{self.cap} rows per {self.per}: no parent has room"
                )
            done[self.per][i] = parent
            self.had[parent] += 1

    # -- runs

    def _cap(self) -> int:
        return self.cap or 1 << 62

    def _room(self) -> int:
        """The rows the current parent can still take (this one included)."""
        return self._cap() - self.had[self.parent] if self.cap else 1 << 62

    def _start(self) -> None:
        pool = self.unit.pool
        if not pool:
            raise UnsupportedError(
                f"{self.tp.key}: cannot keep rule {self.name}: no {self.per} to write to"
            )
        mean = self.tp.n / max(1, len(pool))
        length = 2 + (int(self.rng.expovariate(1 / (mean - 2))) if mean > 2 else 0)
        for _ in range(TRIES):
            if self.unit.skew:
                parent = self.unit.draw(self.rng, 1)[0]
            else:  # in turn over the parents (a stride through them), so each gets its run
                k = len(pool)
                parent = pool[(self.runs * coprime_stride(k) + k // 3) % k]
            self.runs += 1
            room = self._cap() - self.had[parent]
            if room >= 2:
                break
        else:
            raise UnsupportedError(
                f"{self.tp.key}: cannot keep rule {self.name}: no {self.per} has room "
                f"for two more rows (at most {self.cap} each)"
            )
        self.parent = parent
        self.left, self.rows, self.sum = min(length, room), 0, 0

    def _fit_end(self, remaining: int) -> None:
        """In the table's last batch: the run ends with the table's rows, or leaves at least
        two for the next."""
        if self.left >= remaining:
            self.left = remaining
        elif remaining - self.left == 1:
            if self._room() >= self.left + 1:
                self.left += 1
            elif self.rows + self.left - 1 >= 2:
                self.left -= 1

    def _add(self, i: int, done: dict[str, list[Any]]) -> None:
        """A row of the run that is not its last: a value drawn, its sign towards the sum's
        target, the sum never left at the target (the last row would then take zero)."""
        gap = self.target - self.sum
        for _ in range(TRIES):
            v = self.gen.sample(self.rng, 1)[0]
            if not v:
                continue
            sign = 1 if gap > 0 else -1 if gap < 0 else self.rng.choice((1, -1))
            for value in (sign * abs(v), -sign * abs(v)):
                if self.sum + value == self.target or not self._fits(value):
                    continue
                done[self.col][i] = value
                if self.checks(i, done):
                    self.sum += value
                    self.rows += 1
                    self.left -= 1
                    return
        raise UnsupportedError(
            f"{self.tp.key}: cannot keep rule {self.name}: drawing {self.col} again "
            f"{TRIES} times found no value that keeps its checks"
        )

    def _close(self, i: int, done: dict[str, list[Any]]) -> None:
        """The run's last row: what is left of the target."""
        value = self.target - self.sum
        done[self.col][i] = value
        if not self._fits(value) or not self.checks(i, done):
            shown = self.gen.py(value)
            raise UnsupportedError(
                f"{self.tp.key}: cannot keep rule {self.name}: the last row of a "
                f"{self.per} would need {self.col} = {shown}, which the column's bounds or "
                "checks refuse"
            )
        self.left, self.rows, self.sum = 0, 0, 0

    def _fits(self, v: Any) -> bool:
        gen = self.gen
        lo, hi = getattr(gen, "lo", None), getattr(gen, "hi", None)
        return (lo is None or v >= lo) and (hi is None or v <= hi) and gen.valid(v)


def _internal(gen: Gen, total: Decimal, table: str, name: str) -> Any:
    """The rule's value in the generator's internal values (a numeric's scaled integer)."""
    unit = gen.py(1)
    if isinstance(unit, float):
        return float(total)
    q = total / Decimal(unit)
    if q != q.to_integral_value():
        raise UnsupportedError(
            f"{table}: rule {name}: {total} has more decimals than the column holds"
        )
    return int(q)
