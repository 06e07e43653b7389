"""Prove a design on a real PostgreSQL: apply it, lint it, fill it, ANALYZE, and EXPLAIN every
access pattern. A pattern passes when its plan uses the index designed for it and its measured
p95 latency meets its target."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dbdesign.design import Design, PatternPlan

PROOF_MAX_ROWS = 60_000  # per table: enough for the planner to prefer indexes as it would live
LATENCY_RUNS = 30

Progress = Callable[[str], None]


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

    @property
    def ok(self) -> bool:
        return self.uses_index and self.p95_ms <= self.target_ms

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
        return (
            f"uses {used}; designed {want}; p95 {self.p95_ms:.2f} ms (target {self.target_ms:g} ms)"
        )

    def problem(self) -> str | None:
        if not self.uses_index:
            return (
                f"access pattern {self.pattern}: the plan does not use {self.index} "
                f"(it uses {', '.join(self.indexes_used) or 'no index'}):\n{self.plan_text}"
            )
        if self.p95_ms > self.target_ms:
            return (
                f"access pattern {self.pattern}: p95 {self.p95_ms:.2f} ms exceeds its "
                f"{self.target_ms:g} ms target"
            )
        return None


@dataclass(frozen=True, slots=True)
class Proof:
    server: str  # version string
    rows: dict[str, int]
    load_seconds: float
    lint_errors: tuple[str, ...]
    results: tuple[PatternResult, ...]
    seconds: float = 0.0
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary_md(self) -> str:
        total = sum(self.rows.values())
        lines = [
            f"Proved on {self.server}: the migration applied, lint found "
            f"{len(self.lint_errors)} errors, {total:,} generated rows loaded in "
            f"{self.load_seconds:.1f} s and ANALYZEd; each pattern was EXPLAINed (ANALYZE) with "
            f"values taken from the data and run {LATENCY_RUNS} times.",
            "",
            "| Pattern | Designed index | Plan uses | p95 ms | Target ms | Result |",
            "|---|---|---|---|---|---|",
        ]
        for r in self.results:
            lines.append(
                f"| {r.pattern} | {r.index or '—'} | {', '.join(r.indexes_used) or 'seq scan'} "
                f"| {r.p95_ms:.2f} | {r.target_ms:g} | {'PASS' if r.ok else 'FAIL'} |"
            )
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
            "rows": self.rows,
            "load_seconds": round(self.load_seconds, 3),
            "lint_errors": list(self.lint_errors),
            "problems": list(self.problems),
            "patterns": [
                {
                    "name": r.pattern,
                    "index": r.index,
                    "alternatives": list(r.alternatives),
                    "indexes_used": list(r.indexes_used),
                    "p95_ms": round(r.p95_ms, 3),
                    "target_ms": r.target_ms,
                    "ok": r.ok,
                }
                for r in self.results
            ],
        }


def proof_rows(d: Design) -> dict[str, int]:
    return {t.key: min(t.proof_rows, PROOF_MAX_ROWS) for t in d.tables}


def prove(
    d: Design,
    up_sql: str,
    url: str,
    *,
    seed: int = 0,
    progress: Progress | None = None,
) -> Proof:
    """Prove ``d`` in a scratch database on the server at ``url`` (dropped afterwards)."""
    from dbdesign import engine

    say = progress or (lambda _m: None)
    start = time.perf_counter()
    with engine.scratch_database(url) as db:
        conn = engine.connect(db, autocommit=True)
        try:
            server = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
            say("applying the initial migration")
            with conn.transaction():
                conn.execute(up_sql.encode())
            say("linting the applied schema")
            lint_errors = _lint_errors(db)
            rows = proof_rows(d)
            say(f"generating {sum(rows.values()):,} rows")
            t0 = time.perf_counter()
            _load(db, d, rows, seed)
            load_s = time.perf_counter() - t0
            # VACUUM as well: it sets the visibility map (index-only scans) and flushes GIN
            # pending lists, whose pages the planner otherwise costs as if scanned on each query.
            conn.execute("VACUUM ANALYZE")
            results = []
            for pp in d.patterns:
                say(f"explaining {pp.pattern.name}")
                results.append(_check(conn, pp, seed))
        finally:
            conn.close()
    problems = [f"lint error: {e}" for e in lint_errors]
    problems += [p for r in results if (p := r.problem())]
    return Proof(
        server=f"PostgreSQL {server}",
        rows=rows,
        load_seconds=load_s,
        lint_errors=tuple(lint_errors),
        results=tuple(results),
        seconds=time.perf_counter() - start,
        problems=tuple(problems),
    )


def _lint_errors(url: str) -> list[str]:
    from dbdesign import api
    from dbdesign.lint.engine import lint
    from dbdesign.lint.findings import Severity

    schema = api.read(url)
    return [str(f) for f in lint(schema) if f.severity is Severity.error]


def _load(url: str, d: Design, rows: dict[str, int], seed: int) -> None:
    from dbdesign.datagen.load import load

    load(url, d.schema, rows, seed=seed, skew=skew_columns(d))


def skew_columns(d: Design) -> dict[str, float]:
    """Spec skew is by field (``customer``); the generator wants columns (``customer_id``)."""
    out = {}
    for t in d.tables:
        if t.entity is None:
            continue
        e = d.spec.entities[t.entity]
        for f, z in e.volume.skew.items():
            out[f"{t.key}.{f if f in e.attributes else f + '_id'}"] = z
    return out


def _placeholders(sql: str) -> str:
    return re.sub(r"\$\d+", "%s", sql.replace("%", "%%"))


def _params(conn: Any, pp: PatternPlan, seed: int) -> tuple[Any, ...]:
    """Values from the data: one existing row for the equality columns, the top 5 % of the
    range column, and a rare word for text search."""
    from psycopg import sql as S

    table = S.Identifier(*pp.table.split(".", 1))
    eq = [p.column for p in pp.params if p.kind == "eq"]
    values: dict[tuple[str, str], Any] = {}
    if eq:
        conn.execute("SELECT setseed(%s)", (((seed % 1000) / 1000.0),))
        row = conn.execute(
            S.SQL("SELECT {} FROM {} ORDER BY random() LIMIT 1").format(
                S.SQL(", ").join(S.Identifier(c) for c in eq), table
            )
        ).fetchone()
        if row is not None:
            values.update({(c, "eq"): v for c, v in zip(eq, row, strict=False)})
    for p in pp.params:
        if p.kind in ("lower", "upper") and (p.column, "lower") not in values:
            lo, hi = conn.execute(
                S.SQL(
                    "SELECT percentile_disc(0.95) WITHIN GROUP (ORDER BY {c}), max({c}) FROM {t}"
                ).format(c=S.Identifier(p.column), t=table)
            ).fetchone()
            values[(p.column, "lower")] = lo
            values[(p.column, "upper")] = hi
        elif p.kind == "search":
            # A user's search: the two least common words of one row's text, so it finds that
            # row at least (a word common to most rows is a browse, not a search).
            conn.execute("SELECT setseed(%s)", (((seed % 1000) / 1000.0),))
            words = conn.execute(
                S.SQL(
                    "WITH one AS (SELECT search_vector AS v FROM {t} ORDER BY random() LIMIT 1) "
                    "SELECT s.word FROM ts_stat({q}) s JOIN unnest((SELECT v FROM one)) u "
                    "ON u.lexeme = s.word ORDER BY s.ndoc, s.word LIMIT 2"
                ).format(t=table, q=S.Literal(f"SELECT search_vector FROM {pp.table}"))
            ).fetchall()
            values[(p.column, "search")] = " ".join(w for (w,) in words) or "x"
    return tuple(values.get((p.column, p.kind)) for p in pp.params)


def _walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = [node]
    for child in node.get("Plans", ()):
        out += _walk(child)
    return out


def _plan_text(node: dict[str, Any], depth: int = 0) -> list[str]:
    label = node["Node Type"]
    if "Index Name" in node:
        label += f" using {node['Index Name']}"
    if "Relation Name" in node:
        label += f" on {node['Relation Name']}"
    stats = f"(rows={node.get('Actual Rows', '?')} time={node.get('Actual Total Time', '?')} ms)"
    lines = ["  " * depth + ("-> " if depth else "") + f"{label}  {stats}"]
    for key in ("Index Cond", "Filter", "Recheck Cond"):
        if key in node:
            lines.append("  " * depth + f"     {key}: {node[key]}")
    for child in node.get("Plans", ()):
        lines += _plan_text(child, depth + 1)
    return lines


def _check(conn: Any, pp: PatternPlan, seed: int) -> PatternResult:
    params = _params(conn, pp, seed)
    query = _placeholders(pp.sql)
    with conn.transaction(force_rollback=True):
        plan = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query, params).fetchone()[0]
    root = plan[0]["Plan"]
    used = tuple(dict.fromkeys(n["Index Name"] for n in _walk(root) if "Index Name" in n))
    # A partition's index is the partitioned index's clone: name the index that was designed.
    parents = dict(
        conn.execute(
            "SELECT ch.relname, pa.relname FROM pg_inherits i"
            " JOIN pg_class ch ON ch.oid = i.inhrelid JOIN pg_class pa ON pa.oid = i.inhparent"
            " WHERE ch.relkind = 'i' AND ch.relname = ANY(%s)",
            (list(used),),
        ).fetchall()
    )
    used = tuple(dict.fromkeys(parents.get(u, u) for u in used))
    times = []
    for _ in range(LATENCY_RUNS):
        t0 = time.perf_counter()
        conn.execute(query, params).fetchall()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return PatternResult(
        pattern=pp.pattern.name,
        index=pp.index,
        indexes_used=used,
        plan_text="\n".join(_plan_text(root)),
        p95_ms=p95,
        target_ms=pp.pattern.latency_ms,
        params=params,
        uses_index=pp.index is None or bool({pp.index, *pp.alternatives} & set(used)),
        alternatives=pp.alternatives,
    )
