"""Choosing indexes for a whole workload under a storage budget.

The algorithm (a lazy greedy over what-if costs, with growth of chosen indexes):

1. **Per-query alternatives.** All of a query's candidates are created hypothetically at once
   and the query is planned; the indexes its plan uses are kept, removed, and the query planned
   again, three times. What no plan ever picks is dropped. This keeps the candidates the
   planner actually prefers (a few dozen of hundreds) at a cost of three plans per query.
   A candidate is then costed on every query whose plans picked an index with its first
   column: a narrower or wider sibling of what a plan picked serves that query too.
2. **Greedy by benefit per byte, lazily re-evaluated** (the CELF trick: a candidate's benefit
   only shrinks as others are chosen, so a stale score is an upper bound and only the top of
   the queue needs re-planning). The first bound of each candidate costs no plan: its
   queries' fall in cost with all their candidates at once (step 1) — candidates whose
   queries gain little are never planned alone, nor are those too big for what is left of
   the budget. Benefit is the weighted fall in the
   estimated cost of the queries the candidate can serve, less its write cost.
3. **Growth.** A candidate that extends a chosen index (the chosen one's key is its prefix,
   same predicate) is costed as a replacement: the chosen one is dropped while it is
   measured, and only the extra bytes count against the budget. Narrow indexes chosen early
   become the wide covering ones later when the budget allows.

Selection stops when no candidate that fits saves at least ``min_gain`` of the workload's
cost.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from dbdesign.advise.candidates import Candidate
from dbdesign.advise.whatif import Costed

Progress = Callable[[str], None]


class Costing(Protocol):
    """What selection needs of the indexes it tries: HypoPG's hypothetical ones
    (:class:`~dbdesign.advise.whatif.WhatIf`), or real ones on a scratch copy
    (:class:`~dbdesign.advise.build_mysql.ScratchIndexes`)."""

    def add(self, c: Candidate) -> str: ...

    def remove(self, c: Candidate) -> None: ...

    def add_many(self, cs: Sequence[Candidate]) -> dict[str, Candidate]: ...

    def remove_many(self, cs: Sequence[Candidate]) -> None: ...

    def cost(self, i: int) -> Costed: ...


@dataclass(frozen=True, slots=True)
class Pick:
    """One choice: the index, what it replaced, its net size and the cost it saved."""

    candidate: Candidate
    replaced: tuple[Candidate, ...]
    size_bytes: int
    gain: float


@dataclass(slots=True)
class Problem:
    """What selection works on. ``relevant[c]``: the queries candidate ``c`` may serve."""

    weights: Sequence[float]
    relevant: Mapping[Candidate, frozenset[int]]
    sizes: Mapping[Candidate, int]
    write_cost: Mapping[Candidate, float]
    # the most a candidate can save: its queries' fall in cost with all their candidates
    bounds: Mapping[Candidate, float]
    budget: int
    min_gain: float  # absolute, in weighted cost units


@dataclass(slots=True)
class Selection:
    chosen: list[Candidate] = field(default_factory=list)
    steps: list[Pick] = field(default_factory=list)
    costs: list[Costed] = field(default_factory=list)  # each query's, with the chosen set
    used: int = 0  # bytes

    def total(self, weights: Sequence[float]) -> float:
        return sum(w * c.cost for w, c in zip(weights, self.costs, strict=True))


def alternatives(
    wi: Costing,
    queries: Sequence[int],
    per_query: Mapping[int, Sequence[Candidate]],
    rounds: int = 3,
) -> tuple[dict[Candidate, set[int]], dict[int, float]]:
    """The candidates some query's plan picks (see the module's step 1) with the queries
    whose plans picked them, and each query's cost with all its candidates at once: no
    subset of them does better."""
    kept: dict[Candidate, set[int]] = {}
    best: dict[int, float] = {}
    for q in queries:
        pool = list(dict.fromkeys(per_query.get(q, ())))
        for _ in range(rounds):
            if not pool:
                break
            by_name = wi.add_many(pool)
            costed = wi.cost(q)
            best.setdefault(q, costed.cost)
            used = {by_name[n] for n in costed.indexes if n in by_name}
            wi.remove_many(pool)
            if not used:
                break
            for c in used:
                kept.setdefault(c, set()).add(q)
            pool = [c for c in pool if c not in used]
    return kept, best


def select(
    wi: Costing, problem: Problem, base: Sequence[Costed], progress: Progress | None = None
) -> Selection:
    """Choose indexes (see the module docstring); ``base`` is each query's cost today."""
    sel = Selection(costs=list(base))
    version = 0
    heap: list[tuple[float, int, int, Candidate]] = []
    measured: dict[Candidate, tuple[float, dict[int, Costed], tuple[Candidate, ...]]] = {}
    order = {c: i for i, c in enumerate(problem.relevant)}
    # the most each candidate can still save: its first bound, then its last measured gain
    upper = {c: problem.bounds.get(c, float("inf")) for c in problem.relevant}
    # too big for what is left, until an index they would grow is chosen
    parked: set[Candidate] = set()
    for c in problem.relevant:
        heapq.heappush(heap, (-upper[c] / max(problem.sizes[c], 1), order[c], -1, c))
    while heap:
        _, _, stamp, c = heapq.heappop(heap)
        if c in sel.chosen or upper[c] <= problem.min_gain:
            continue
        if stamp != version:  # measure it again (only what can still save enough and fit)
            replaced = tuple(x for x in sel.chosen if _grows(c, x))
            net = _net_size(c, replaced, problem)
            if sel.used + net > problem.budget:
                parked.add(c)
                continue
            gain, costs = _measure(wi, c, replaced, problem, sel)
            measured[c] = (gain, costs, replaced)
            upper[c] = gain
            if gain > problem.min_gain:
                heapq.heappush(heap, (-gain / max(net, 1), order[c], version, c))
            continue
        gain, costs, replaced = measured[c]
        _choose(wi, c, replaced, costs, gain, problem, sel)
        version += 1
        for p in [p for p in parked if _grows(p, c)]:
            parked.discard(p)
            heapq.heappush(heap, (-float("inf"), order[p], -1, p))
        if progress:
            progress(f"chose {c.ddl()}")
    return sel


def _net_size(c: Candidate, replaced: Sequence[Candidate], problem: Problem) -> int:
    return problem.sizes[c] - sum(problem.sizes[r] for r in replaced)


def _grows(c: Candidate, chosen: Candidate) -> bool:
    """``c`` extends ``chosen``: same table, method and predicate, ``chosen``'s key its prefix."""
    return (
        c.table == chosen.table
        and c.method == chosen.method
        and c.where == chosen.where
        and c.columns[: len(chosen.columns)] == chosen.columns
        and set(chosen.include) <= set(c.columns) | set(c.include)
    )


def _measure(
    wi: Costing, c: Candidate, replaced: Sequence[Candidate], problem: Problem, sel: Selection
) -> tuple[float, dict[int, Costed]]:
    """The weighted cost ``c`` saves over the chosen set (replacing the chosen indexes it
    grows), and the new costs of the queries it touches."""
    touched = set(problem.relevant[c])
    for r in replaced:
        touched |= problem.relevant[r]
        wi.remove(r)
    wi.add(c)
    costs = {q: wi.cost(q) for q in sorted(touched)}
    wi.remove(c)
    for r in replaced:
        wi.add(r)
    gain = sum(problem.weights[q] * (sel.costs[q].cost - costs[q].cost) for q in costs)
    gain -= problem.write_cost.get(c, 0.0) - sum(problem.write_cost.get(r, 0.0) for r in replaced)
    return gain, costs


def _choose(
    wi: Costing,
    c: Candidate,
    replaced: Sequence[Candidate],
    costs: Mapping[int, Costed],
    gain: float,
    problem: Problem,
    sel: Selection,
) -> None:
    for r in replaced:
        wi.remove(r)
        sel.chosen.remove(r)
    wi.add(c)
    sel.chosen.append(c)
    for q, cost in costs.items():
        sel.costs[q] = cost
    net = _net_size(c, replaced, problem)
    sel.used += net
    sel.steps.append(Pick(c, tuple(replaced), net, gain))
