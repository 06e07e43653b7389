"""What a proof found: :class:`Proof` (the whole proof), :class:`PatternResult` (one access
pattern) and :class:`RuleResult` (one business rule), with the summary DESIGN.md shows and the
JSON the CLI prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dbdesign.design.prove_server import Explained, percentile_index

LATENCY_RUNS = 30  # timed runs of a pattern per parameter set; its p95 is over all of them
# A plan may sort this many rows where the index could give them in order: a top-N sort of a
# thousand rows takes well under a millisecond, and the planner rightly prefers it for a key
# with few rows. Beyond it, the order the index was designed for is not used where it matters.
SORTED_ROWS_OK = 1_000


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (``percentile_disc``) of ``values``; 0 when empty."""
    if not values:
        return 0.0
    return sorted(values)[percentile_index(len(values), fraction)]


@dataclass(frozen=True, slots=True)
class SetResult:
    """One parameter set of a pattern: its label, the rows it matches, its own p95, its plan."""

    label: str
    matched: int
    p95_ms: float
    plan: Explained


@dataclass(frozen=True, slots=True)
class Breadth:
    ef_search: int
    recall: float  # of the true k nearest, the share found (mean over the queries)
    p95_ms: float


@dataclass(frozen=True, slots=True)
class IvfFlat:
    """The same searches through an IVFFlat index (prove_vector.py): its lists, build time and
    size beside the HNSW index's, recall by probes (``Breadth.ef_search`` holds the probes)."""

    lists: int
    build_s: float
    bytes: int
    hnsw_bytes: int
    tried: tuple[Breadth, ...]
    chosen: int | None  # the fewest probes meeting both targets

    def lines(self, recall: float, ms: float) -> list[str]:
        out = [
            "",
            f"IVFFlat instead (lists = {self.lists}, built in {self.build_s:.2f} s, "
            f"{self.bytes / 2**20:,.1f} MiB against HNSW's {self.hnsw_bytes / 2**20:,.1f} MiB), "
            "measured the same way:",
            "",
            "| ivfflat.probes | recall | p95 ms |",
            "|---:|---:|---:|",
            *(f"| {b.ef_search} | {b.recall:.3f} | {b.p95_ms:.2f} |" for b in self.tried),
            "",
        ]
        if self.chosen is None:
            verdict = f"no probes count meets recall {recall:g} within p95 {ms:g} ms: HNSW stays"
        else:
            verdict = (
                f"{self.chosen} probes meet recall {recall:g} within p95 {ms:g} ms; HNSW stays "
                "the design's index (it keeps its recall as rows are added, where IVFFlat's "
                "lists, fixed at build time, drift until a REINDEX); IVFFlat is the choice for "
                "a write-heavy table or when the HNSW index does not fit in memory"
            )
        return [*out, f"IVFFlat: {verdict}."]

    def as_json(self) -> dict[str, Any]:
        return {
            "lists": self.lists,
            "build_s": round(self.build_s, 3),
            "bytes": self.bytes,
            "hnsw_bytes": self.hnsw_bytes,
            "probes": self.chosen,
            "tried": [
                {"probes": b.ef_search, "recall": round(b.recall, 4), "p95_ms": round(b.p95_ms, 3)}
                for b in self.tried
            ],
        }


@dataclass(frozen=True, slots=True)
class Tuning:
    """A similarity search's recall by search breadth (prove_vector.py): what the measurement
    found: each breadth tried and the one chosen (None: none meets
    both targets)."""

    k: int
    target_recall: float
    target_ms: float
    tried: tuple[Breadth, ...]
    chosen: int | None
    queries: int  # rows' own vectors searched for
    runs: int  # timed runs of each query at each breadth
    ivfflat: IvfFlat | None = None  # the same searches through an IVFFlat index

    @property
    def problem(self) -> str | None:
        if self.chosen is not None:
            return None
        best = max(self.tried, key=lambda b: (b.recall, -b.p95_ms))
        return (
            f"no hnsw.ef_search finds {self.target_recall:g} of the {self.k} nearest rows "
            f"within p95 {self.target_ms:g} ms: the best, {best.ef_search}, found "
            f"{best.recall:.3f} at p95 {best.p95_ms:.2f} ms (a larger m or ef_construction, "
            "halfvec, or a dedicated vector database)"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "target": self.target_recall,
            "ef_search": self.chosen,
            "tried": [
                {
                    "ef_search": b.ef_search,
                    "recall": round(b.recall, 4),
                    "p95_ms": round(b.p95_ms, 3),
                }
                for b in self.tried
            ],
            "ivfflat": self.ivfflat.as_json() if self.ivfflat else None,
        }

    def lines(self) -> list[str]:
        """The measurement as a Markdown table and the setting to use."""
        out = [
            f"Recall@{self.k} against exact search over {self.queries} queries (rows' own "
            f"vectors), each run {self.runs} times per breadth:",
            "",
            "| hnsw.ef_search | recall | p95 ms | |",
            "|---:|---:|---:|---|",
        ]
        for b in self.tried:
            mark = "chosen" if b.ef_search == self.chosen else ""
            out.append(f"| {b.ef_search} | {b.recall:.3f} | {b.p95_ms:.2f} | {mark} |")
        out.append("")
        out.append(
            f"Set `SET hnsw.ef_search = {self.chosen}` in the sessions that search (or `SET "
            "LOCAL` in the transaction): the cheapest breadth that meets recall "
            f"{self.target_recall:g} within p95 {self.target_ms:g} ms."
            if self.chosen is not None
            else f"**Not met:** {self.problem}."
        )
        if self.ivfflat is not None:
            out += self.ivfflat.lines(self.target_recall, self.target_ms)
        return out


@dataclass(frozen=True, slots=True)
class PatternResult:
    pattern: str
    index: str | None
    indexes_used: tuple[str, ...]
    plan_text: str
    p95_ms: float
    target_ms: float
    params: tuple[Any, ...]
    uses_index: bool
    alternatives: tuple[str, ...] = ()
    # where the plan reads the designed index without the shape DESIGN.md claims
    shape_problems: tuple[str, ...] = ()
    p50_ms: float = 0.0  # over every parameter set and run, like p95_ms
    p99_ms: float = 0.0
    sets: tuple[SetResult, ...] = ()  # the parameter sets tried (the first: typical)
    tuning: Tuning | None = None  # a similarity search's recall by search breadth

    @property
    def ok(self) -> bool:
        return self.problem() is None

    @property
    def summary(self) -> str:
        used = ", ".join(f"`{i}`" for i in self.indexes_used) or "no index (sequential scan)"
        want = f"`{self.index}`" if self.index else "none required"
        if self.alternatives:
            want += (
                " (or, within a small tenant, "
                + ", ".join(f"`{a}`" for a in self.alternatives)
                + ")"
            )
        t = self.tuning
        tuned = ""
        if t is not None:
            best = next((b for b in t.tried if b.ef_search == t.chosen), None)
            tuned = (
                f"; recall@{t.k} {best.recall:.3f} at hnsw.ef_search {best.ef_search}"
                if best is not None
                else f"; recall@{t.k} {t.target_recall:g} not met"
            )
        return (
            f"uses {used}; designed {want}; p50 {self.p50_ms:.2f} / p95 {self.p95_ms:.2f} / "
            f"p99 {self.p99_ms:.2f} ms over {max(1, len(self.sets))} parameter sets "
            f"(target p95 {self.target_ms:g} ms){tuned}"
        )

    def set_lines(self) -> list[str]:
        """One line per parameter set: rows matched, its p95, how its plan read them."""
        out = []
        for s in self.sets:
            how = ", ".join(s.plan.used) or "no index"
            if s.plan.sorts:
                how += ", then sorted"
            if s.plan.index_only:
                how += " (index-only)"
            rows = "1 row matches" if s.matched == 1 else f"{s.matched:,} rows match"
            out.append(f"- {s.label}: {rows}; p95 {s.p95_ms:.2f} ms; {how}")
        return out

    def problem(self) -> str | None:
        """What is wrong: the plan (:meth:`plan_problem`), else the time
        (:meth:`latency_problem`); and a similarity search's recall (:meth:`recall_problem`);
        else None."""
        found = (self.plan_problem() or self.latency_problem(), self.recall_problem())
        return "\n".join(x for x in found if x) or None

    def plan_problem(self) -> str | None:
        """The plan does not use the index designed for the pattern, or not in the shape
        claimed for it."""
        if self.uses_index and not self.shape_problems:
            return None
        if self.uses_index:
            return f"access pattern {self.pattern}: " + "\n".join(self.shape_problems)
        used = ", ".join(self.indexes_used) or "no index"
        return (
            f"access pattern {self.pattern}: the plan does not use {self.index} "
            f"(it uses {used}):\n{self.plan_text}"
        )

    def recall_problem(self) -> str | None:
        """A similarity search that no search breadth makes both complete and fast enough."""
        why = self.tuning.problem if self.tuning is not None else None
        return f"access pattern {self.pattern}: {why}" if why else None

    def latency_problem(self) -> str | None:
        """The measured p95 is above the pattern's target."""
        if self.p95_ms <= self.target_ms:
            return None
        return (
            f"access pattern {self.pattern}: p95 {self.p95_ms:.2f} ms exceeds its "
            f"{self.target_ms:g} ms target"
        )


@dataclass(frozen=True, slots=True)
class Growth:
    """The second stage of a scaled proof: the design at ``factor`` * the first stage's rows,
    measured at ``measured`` * (the same unless it did not fit the budget)."""

    factor: float
    measured: float
    rows: dict[str, int]
    load_seconds: float
    seconds: float
    results: tuple[PatternResult, ...]
    projected: dict[str, float]  # pattern -> p95 ms at ``factor`` (measured when it fit)
    model: str  # how ``projected`` was obtained

    def breaks_first(self) -> tuple[str, str] | None:
        """The pattern with least headroom at Nx (target / p95), and why it grows."""
        if not self.results:
            return None
        worst = min(self.results, key=lambda r: r.target_ms / max(self.projected[r.pattern], 1e-6))
        heavy = max(worst.sets, key=lambda s: s.matched, default=None)
        why = (
            f"its heaviest parameter set matches {heavy.matched:,} rows at {self.measured:g}x: "
            "the rows it reads grow with the data"
            if heavy is not None and heavy.matched > 1
            else "it reads a bounded number of rows; its time grows only with the index's depth "
            "and the cache"
        )
        return worst.pattern, why


@dataclass(frozen=True, slots=True)
class RuleResult:
    """A business rule put to the test: a write that breaks it, tried in a transaction that is
    rolled back, and what the server said. The rule is proved when the server refused the
    write naming the rule's constraint or trigger."""

    rule: str  # the rule's name (its constraint, index or trigger pair)
    statement: str
    write: str = ""  # the violating write tried, its values shown; "" when none was tried
    refused: bool = False
    error: str = ""  # the server's refusal
    by_rule: bool = False  # the refusal names the rule's constraint or trigger
    note: str = ""  # why no write was tried
    enforced: bool = True  # False: the application keeps the rule (nothing to try)

    @property
    def tried(self) -> bool:
        return bool(self.write)

    @property
    def ok(self) -> bool:
        return not self.tried or (self.refused and self.by_rule)

    @property
    def verdict(self) -> str:
        if not self.enforced:
            return "APPLICATION-ENFORCED"
        if not self.tried:
            return "NOT TRIED"
        if not self.refused:
            return "FAIL: accepted"
        return "REJECTED" if self.by_rule else "FAIL: refused by another constraint"

    def problem(self) -> str | None:
        if self.ok:
            return None
        if not self.refused:
            return f"rule {self.rule}: the database accepted a write that breaks it: {self.write}"
        return (
            f"rule {self.rule}: the write that breaks it was refused, but not by the rule "
            f"({self.error}): {self.write}"
        )


@dataclass(frozen=True, slots=True)
class Proof:
    server: str  # version string
    rows: dict[str, int]
    load_seconds: float
    lint_errors: tuple[str, ...]
    results: tuple[PatternResult, ...]
    seconds: float = 0.0
    problems: tuple[str, ...] = field(default=())
    explain: str = "EXPLAIN (ANALYZE)"  # how each pattern's plan was read
    rules: tuple[RuleResult, ...] = ()  # each business rule's violating write
    scale: float | None = None  # rows at this * the stated volume (None: the quick proof)
    growth: Growth | None = None  # the second stage, at Nx (with a scale)

    @property
    def explained(self) -> str:
        return (
            "EXPLAINed (ANALYZE)"
            if self.explain == "EXPLAIN (ANALYZE)"
            else f"read with {self.explain}"
        )

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rows_per_second(self) -> float:
        return sum(self.rows.values()) / self.load_seconds if self.load_seconds > 0 else 0.0

    def growth_lines(self) -> list[str]:
        """The scaled proof in a few lines (none for the quick proof)."""
        if self.scale is None:
            return []
        out = [
            f"at {self.scale:g}x the stated volume: {sum(self.rows.values()):,} rows loaded at "
            f"{self.rows_per_second:,.0f} rows/s; {self.seconds:.1f} s in all"
        ]
        g = self.growth
        if g is None:
            return out
        rows = sum(g.rows.values())
        out.append(
            f"at {g.measured:g}x that: {rows:,} rows at "
            f"{rows / g.load_seconds if g.load_seconds else 0:,.0f} rows/s; {g.seconds:.1f} s; "
            f"p95 at {g.factor:g}x {g.model}"
        )
        first = {r.pattern: r for r in self.results}
        for r in g.results:
            base = first[r.pattern].p95_ms
            out.append(
                f"  {r.pattern}: p95 {base:.2f} ms -> {g.projected[r.pattern]:.2f} ms "
                f"(target {r.target_ms:g} ms)"
            )
        worst = g.breaks_first()
        if worst:
            out.append(f"breaks first: {worst[0]} ({worst[1]})")
        return out

    def growth_md(self) -> list[str]:
        """DESIGN.md's account of the scaled proof: rows and rows/s, and each pattern's p95 at
        1x and Nx against its target, with the pattern that breaks first."""
        if self.scale is None:
            return []
        out = [
            f"**Volume:** every table at {self.scale:g}x its stated rows "
            f"({sum(self.rows.values()):,} rows, generated and loaded at "
            f"{self.rows_per_second:,.0f} rows/s; the stage took {self.seconds:.1f} s).",
            "",
        ]
        g = self.growth
        if g is None:
            return out
        rows = sum(g.rows.values())
        out += [
            f"**Growth:** the design proved again at {g.measured:g}x that ({rows:,} rows, "
            f"{g.load_seconds:.1f} s to load, {g.seconds:.1f} s in all); p95 at {g.factor:g}x "
            f"{g.model}.",
            "",
            f"| Pattern | Target ms | p95 ms at {self.scale:g}x | p95 ms at {g.factor:g}x "
            "| Headroom at growth |",
            "|---|---|---|---|---|",
        ]
        first = {r.pattern: r for r in self.results}
        for r in g.results:
            now, later = first[r.pattern].p95_ms, g.projected[r.pattern]
            out.append(
                f"| {r.pattern} | {r.target_ms:g} | {now:.2f} | {later:.2f} "
                f"| {r.target_ms / max(later, 1e-6):,.0f}x |"
            )
        worst = g.breaks_first()
        if worst:
            out += ["", f"First to break as the data grows: **{worst[0]}**: {worst[1]}."]
        return [*out, ""]

    def summary_md(self) -> str:
        total = sum(self.rows.values())
        lines = [
            f"Proved on {self.server}: the migration applied, lint found "
            f"{len(self.lint_errors)} errors, {total:,} generated rows loaded in "
            f"{self.load_seconds:.1f} s and ANALYZEd; each pattern was {self.explained} with "
            "parameter sets taken from the data (lookups: the key with most rows, a typical "
            "and a rare one; ranges: the newest 5 % and the whole span), each run "
            f"{LATENCY_RUNS} times; percentiles are over every set and run.",
            "",
            "| Pattern | Designed index | Plan uses | p50 ms | p95 ms | p99 ms | Target ms | "
            "Result |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in self.results:
            lines.append(
                f"| {r.pattern} | {r.index or '—'} | {', '.join(r.indexes_used) or 'seq scan'} "
                f"| {r.p50_ms:.2f} | {r.p95_ms:.2f} | {r.p99_ms:.2f} | {r.target_ms:g} "
                f"| {'PASS' if r.ok else 'FAIL'} |"
            )
        if self.rules:
            tried = [r for r in self.rules if r.tried]
            refused = [r for r in tried if r.ok]
            lines += [
                "",
                f"Business rules: {len(tried)} of {len(self.rules)} broken on purpose by a "
                f"write (rolled back); {len(refused)} refused by the rule's own constraint or "
                "trigger (see Business Rules).",
            ]
        lines += ["", *self.growth_md()] if self.scale is not None else []
        lines += ["", "| Table | Rows generated |", "|---|---|"]
        lines += [f"| {k.split('.', 1)[1]} | {v:,} |" for k, v in self.rows.items()]
        verdict = (
            "**Result: PASS**"
            if self.ok
            else "**Result: FAIL**\n\n" + "\n".join(f"- {p.splitlines()[0]}" for p in self.problems)
        )
        return "\n".join(lines) + "\n\n" + verdict

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "server": self.server,
            "explain": self.explain,
            "rows": self.rows,
            "load_seconds": round(self.load_seconds, 3),
            "lint_errors": list(self.lint_errors),
            "problems": list(self.problems),
            "scale": self.scale,
            "rows_per_second": round(self.rows_per_second),
            "growth": None
            if self.growth is None
            else {
                "factor": self.growth.factor,
                "measured": self.growth.measured,
                "rows": self.growth.rows,
                "load_seconds": round(self.growth.load_seconds, 3),
                "seconds": round(self.growth.seconds, 3),
                "model": self.growth.model,
                "p95_ms": {k: round(v, 3) for k, v in self.growth.projected.items()},
                "breaks_first": (self.growth.breaks_first() or (None,))[0],
            },
            "seconds": round(self.seconds, 3),
            "patterns": [
                {
                    "name": r.pattern,
                    "index": r.index,
                    "alternatives": list(r.alternatives),
                    "indexes_used": list(r.indexes_used),
                    "shape_problems": list(r.shape_problems),
                    "p50_ms": round(r.p50_ms, 3),
                    "p95_ms": round(r.p95_ms, 3),
                    "p99_ms": round(r.p99_ms, 3),
                    "parameter_sets": [
                        {
                            "label": s.label,
                            "matched_rows": s.matched,
                            "p95_ms": round(s.p95_ms, 3),
                            "indexes_used": list(s.plan.used),
                            "sorts": s.plan.sorts,
                        }
                        for s in r.sets
                    ],
                    "target_ms": r.target_ms,
                    "recall": None if r.tuning is None else r.tuning.as_json(),
                    "ok": r.ok,
                }
                for r in self.results
            ],
            "rules": [
                {
                    "rule": r.rule,
                    "write": r.write,
                    "refused": r.refused,
                    "by_rule": r.by_rule,
                    "error": r.error,
                    "note": r.note,
                    "ok": r.ok,
                }
                for r in self.rules
            ],
        }
