"""``advise``: the smallest set of indexes that buys the most for a whole workload, each with
its measured (what-if) cost change, and the existing indexes the workload does not need.

Everything runs in one READ ONLY transaction on one connection that is rolled back and
closed; the indexes are HypoPG's hypothetical ones, which live in that session's memory
only. Nothing is created on the database.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dbdesign.advise import sizes
from dbdesign.advise.candidates import Candidate, candidates, merged
from dbdesign.advise.guard import check_statement
from dbdesign.advise.removal import Removal, removals
from dbdesign.advise.select import Problem, Selection, alternatives, select
from dbdesign.advise.stats import Catalog, read_catalog
from dbdesign.advise.usage import QueryUsage, relation_names, usage
from dbdesign.advise.whatif import Costed, WhatIf, session_limits
from dbdesign.errors import DbdesignError, UnsupportedError
from dbdesign.lint.findings import Finding

Progress = Callable[[str], None]

# planner cost units per index entry an INSERT, a non-HOT UPDATE or a DELETE's later
# vacuum writes: about one leaf page touched (seq_page_cost 1) plus its WAL record
WRITE_COST_PER_ENTRY = 2.0


@dataclass(frozen=True, slots=True)
class _Limits:
    budget: int | None
    max_columns: int
    min_gain: float
    hypopg_sizes: bool


@dataclass(frozen=True, slots=True)
class Query:
    """A workload query as the advisor takes it."""

    sql: str
    calls: float = 1.0
    label: str = ""  # where it came from (file:line, queryid)
    rows: float | None = None  # rows written per call (DML), when known


@dataclass(frozen=True, slots=True)
class Served:
    query: int  # index into Advice.queries
    before: float  # estimated cost of one call without the advised indexes
    after: float


@dataclass(frozen=True, slots=True)
class IndexAdvice:
    candidate: Candidate
    name: str
    size_bytes: int  # estimated, B-tree deduplication accounted for
    hypopg_bytes: int  # HypoPG's own estimate
    gain: float  # weighted workload cost it saved when chosen
    write_cost: float
    serves: tuple[Served, ...]

    @property
    def ddl(self) -> str:
        return self.candidate.ddl(self.name, concurrently=True)


@dataclass(frozen=True, slots=True)
class QueryCost:
    sql: str
    label: str
    calls: float
    before: float
    after: float
    indexes: tuple[str, ...]  # the advised indexes its plan uses
    # query lint (QRY) on its text and plan rules (PLN) on today's plan (estimated, not run)
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class Built:
    name: str
    estimated_bytes: int
    hypopg_bytes: int
    built_bytes: int


@dataclass(frozen=True, slots=True)
class Verification:
    """``--verify``: the advised indexes built on a scratch copy (dbdesign.advise.verify)."""

    indexes: tuple[Built, ...]
    before: tuple[float, ...]  # each query's cost on the copy without the new indexes
    after: tuple[float, ...]  # ... and with them, built
    weights: tuple[float, ...]

    @property
    def cost_before(self) -> float:
        return sum(w * c for w, c in zip(self.weights, self.before, strict=True))

    @property
    def cost_after(self) -> float:
        return sum(w * c for w, c in zip(self.weights, self.after, strict=True))


@dataclass(frozen=True, slots=True)
class Advice:
    indexes: tuple[IndexAdvice, ...]
    queries: tuple[QueryCost, ...]
    removals: tuple[Removal, ...]
    cost_before: float  # weighted sum over the workload
    cost_after: float
    budget_bytes: int | None
    write_overhead: float  # weighted cost units the advised indexes add to writes
    candidates: int
    plans: int  # what-if plans made
    notes: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = field(default=())  # (label, why)
    verification: Verification | None = None

    @property
    def size_bytes(self) -> int:
        return sum(i.size_bytes for i in self.indexes)

    @property
    def relative_cost(self) -> float:
        return self.cost_after / self.cost_before if self.cost_before else 1.0


def advise_connection(
    cur: Any,
    queries: Sequence[Query],
    *,
    budget_bytes: int | None = None,
    max_columns: int = 5,
    min_gain: float = 0.005,
    timeout_s: float = 60.0,
    hypopg_sizes: bool = False,
    progress: Progress | None = None,
) -> Advice:
    """Advise on ``queries`` over ``cur``'s connection, inside the caller's transaction
    (which the caller rolls back). ``hypopg_sizes``: count the budget in HypoPG's own size
    estimates (as published comparisons of index advisors do) instead of the sizes the
    indexes will have once built (:mod:`dbdesign.advise.sizes`)."""
    say = progress or (lambda _m: None)
    session_limits(cur, timeout_s)
    if WhatIf.available(cur) is None:
        raise UnsupportedError(
            "advise needs the HypoPG extension in this database to cost indexes without "
            "building them: install it on the server (Debian: postgresql-NN-hypopg) and run "
            "CREATE EXTENSION hypopg (nothing is ever built on your database)"
        )
    names: set[tuple[str, str]] = set()
    for q in queries:
        names |= relation_names(q.sql)
    catalog = read_catalog(cur, names)
    usable, skipped = _usable(queries, catalog)
    say(f"planning {len(usable)} queries as they are")
    probe = WhatIf(cur, [q.sql for q, _ in usable], catalog.server_version)
    tried = [probe.try_cost(i, plan=True) for i in range(len(usable))]
    probe.release()
    for (q, _), t in zip(usable, tried, strict=True):
        if isinstance(t, str):
            skipped.append((q.label or q.sql[:60], f"the server cannot plan it: {t}"))
    base = [t for t in tried if not isinstance(t, str)]
    usable = [u for u, t in zip(usable, tried, strict=True) if not isinstance(t, str)]
    uses = [u.tables if u.tables_only else None for _, u in usable]
    wi = WhatIf(cur, [q.sql for q, _ in usable], catalog.server_version, uses)
    try:
        limits = _Limits(budget_bytes, max_columns, min_gain, hypopg_sizes)
        return _advise(wi, catalog, usable, base, skipped, limits, say)
    finally:
        wi.close()


def _usable(
    queries: Sequence[Query], catalog: Catalog
) -> tuple[list[tuple[Query, QueryUsage]], list[tuple[str, str]]]:
    usable: list[tuple[Query, QueryUsage]] = []
    skipped: list[tuple[str, str]] = []
    for q in queries:
        try:
            check_statement(q.sql)
            u = usage(q.sql, catalog)
        except DbdesignError as e:  # not one plannable statement: the guard refuses it
            skipped.append((q.label or q.sql[:60], str(e)))
            continue
        except Exception as e:  # pglast's ParseError: one bad query does not stop the rest
            skipped.append((q.label or q.sql[:60], f"cannot read it: {e}"))
            continue
        if not u.tables:
            skipped.append((q.label or q.sql[:60], "reads no table of the database"))
            continue
        usable.append((q, u))
    return usable, skipped


def _advise(
    wi: WhatIf,
    catalog: Catalog,
    usable: Sequence[tuple[Query, QueryUsage]],
    base: Sequence[Costed],
    skipped: list[tuple[str, str]],
    limits: _Limits,
    say: Progress,
) -> Advice:
    weights = [q.calls for q, _ in usable]
    per_query = _candidates(usable, catalog, limits.max_columns)
    say(f"{sum(len(v) for v in per_query.values())} candidates; finding what plans pick")
    picked, best = alternatives(wi, range(len(usable)), per_query)
    # one index carrying several queries' INCLUDE columns, when a plan picked one of them
    every = [c for cs in per_query.values() for c in cs]
    for union, members in merged(every, catalog.tables, limits.max_columns).items():
        if any(m in picked for m in members):
            picked[union] = set().union(*(picked.get(m, set()) for m in members))
    # a candidate is costed on every query whose plans picked an index with its first column
    # (a narrower or wider sibling serves it too)
    by_lead: dict[tuple[str, str], set[int]] = {}
    for c, qs in picked.items():
        by_lead.setdefault((c.table, c.columns[0]), set()).update(qs)
    relevant = {c: frozenset(by_lead[(c.table, c.columns[0])]) for c in picked}
    pool = set(relevant)
    say(f"{len(pool)} candidates some plan picks; sizing them")
    raw = wi.sizes(sorted(pool, key=lambda c: c.ddl()))
    est = raw if limits.hypopg_sizes else _estimates(wi, raw, catalog)
    writes = {c: _write_cost(c, usable) for c in pool}
    total = sum(w * b.cost for w, b in zip(weights, base, strict=True))
    bounds = {
        c: sum(weights[q] * (base[q].cost - best.get(q, base[q].cost)) for q in qs)
        for c, qs in relevant.items()
    }
    problem = Problem(
        weights=weights,
        relevant=relevant,
        sizes=est,
        write_cost=writes,
        bounds=bounds,
        budget=limits.budget if limits.budget is not None else 2**62,
        min_gain=limits.min_gain * total,
    )
    sel = select(wi, problem, base, say)
    n = sum(len(v) for v in per_query.values())
    return _report(wi, catalog, usable, skipped, base, sel, problem, raw, n, limits.budget)


def _estimates(wi: WhatIf, raw: dict[Candidate, int], catalog: Catalog) -> dict[Candidate, int]:
    """Each candidate's size once built (:mod:`dbdesign.advise.sizes`); a partial index
    keeps the share of rows HypoPG's estimates with and without its predicate give."""
    wholes = {c: dataclasses.replace(c, where="") for c in raw if c.where}
    whole_size = wi.sizes(list(wholes.values()))
    out = {}
    for c, size in raw.items():
        kept = 1.0
        if c in wholes and whole_size.get(wholes[c]):
            kept = min(1.0, size / whole_size[wholes[c]])
        out[c] = sizes.estimate(c, size, catalog.tables[c.table], kept)
    return out


def _candidates(
    usable: Sequence[tuple[Query, QueryUsage]], catalog: Catalog, max_columns: int
) -> dict[int, list[Candidate]]:
    out: dict[int, list[Candidate]] = {}
    for i, (_, u) in enumerate(usable):
        found: list[Candidate] = []
        for table, use in u.tables.items():
            stats = catalog.tables[table]
            existing = {(x.columns, x.include, x.method) for x in stats.indexes if not x.partial}
            for c in candidates(use, stats, max_columns):
                if (c.columns, c.include, c.method) in existing and not c.where:
                    continue
                found.append(c)
        out[i] = list(dict.fromkeys(found))
    return out


def _findings(sql: str, plan: str) -> tuple[Finding, ...]:
    """What query lint says of ``sql`` and the plan rules of its plan today (the rules that
    need a run, such as misestimates, find nothing in an estimated plan)."""
    from dbdesign.databases.plans import parse_plan
    from dbdesign.lint.plan import lint_plan
    from dbdesign.lint.query import QueryText, lint_queries

    found = lint_queries([QueryText(sql)])
    if plan:
        found += lint_plan(parse_plan(json.loads(plan), sql))
    return tuple(found)


def _write_cost(c: Candidate, usable: Sequence[tuple[Query, QueryUsage]]) -> float:
    """What ``c`` adds to the workload's writes: an entry per row inserted or deleted, and
    per row updated when the update sets one of its columns (else the update can stay HOT)."""
    total = 0.0
    for q, u in usable:
        use = u.tables.get(c.table)
        if use is None or not use.writes:
            continue
        if use.writes == "update" and not set(use.written) & (set(c.columns) | set(c.include)):
            continue
        total += q.calls * (q.rows or 1.0) * WRITE_COST_PER_ENTRY
    return total


def _report(
    wi: WhatIf,
    catalog: Catalog,
    usable: Sequence[tuple[Query, QueryUsage]],
    skipped: list[tuple[str, str]],
    base: Sequence[Costed],
    sel: Selection,
    problem: Problem,
    raw: dict[Candidate, int],
    n_candidates: int,
    budget: int | None,
) -> Advice:
    sel.costs = [wi.cost(i, fresh=True) for i in range(len(usable))]  # the final set, afresh
    taken = {ix.name.rsplit(".", 1)[-1] for t in catalog.tables.values() for ix in t.indexes}
    picked: dict[Candidate, str] = {}
    for c in sel.chosen:
        n, k = c.name(), 1
        while n in taken:  # an index of the database or one advised before
            k += 1
            n = f"{c.name()[:59]}_{k}"
        taken.add(n)
        picked[c] = n
    queries = []
    serves: dict[Candidate, list[Served]] = {c: [] for c in sel.chosen}
    for i, ((q, _), b, a) in enumerate(zip(usable, base, sel.costs, strict=True)):
        used = [c for c in map(wi.candidate, sorted(a.indexes)) if c in serves]
        for c in used:
            serves[c].append(Served(i, b.cost, a.cost))
        queries.append(
            QueryCost(
                q.sql,
                q.label,
                q.calls,
                b.cost,
                a.cost,
                tuple(picked[c] for c in used),
                _findings(q.sql, b.plan),
            )
        )
    gains = {s.candidate: s.gain for s in sel.steps}
    indexes = tuple(
        IndexAdvice(
            candidate=c,
            name=picked[c],
            size_bytes=problem.sizes[c],
            hypopg_bytes=raw[c],
            gain=gains.get(c, 0.0),
            write_cost=problem.write_cost.get(c, 0.0),
            serves=tuple(serves[c]),
        )
        for c in sel.chosen
    )
    used_names = set().union(*(b.indexes for b in base), *(a.indexes for a in sel.costs))
    weights = problem.weights
    return Advice(
        indexes=indexes,
        queries=tuple(queries),
        removals=tuple(removals(catalog, used_names, [u for _, u in usable])),
        cost_before=sum(w * b.cost for w, b in zip(weights, base, strict=True)),
        cost_after=sel.total(weights),
        budget_bytes=budget,
        write_overhead=sum(i.write_cost for i in indexes),
        candidates=n_candidates,
        plans=wi.explains,
        skipped=tuple(skipped),
    )
