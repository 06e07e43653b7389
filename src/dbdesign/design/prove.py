"""Prove a design on a real server: apply it, lint it, fill it, ANALYZE, and EXPLAIN every access
pattern. A pattern passes when its plan uses the index designed for it and its measured p95
latency meets its target. The generated rows keep the spec's business rules, and each rule
is then broken on purpose by one write, rolled back: it passes when the server refuses that
write by the rule's own constraint or trigger (:mod:`~dbdesign.design.prove_rules`).

One flow (:func:`prove`) for every server; what differs between PostgreSQL, MySQL / MariaDB and
SQLite (connecting, the scratch database, applying the DDL, refreshing statistics, picking
parameter values from the data, reading the plan) sits behind
:class:`~dbdesign.design.prove_server.Server`, one small class each (``prove_pg``,
``prove_mysql``, ``prove_sqlite``); what the proof found is a
:class:`~dbdesign.design.prove_result.Proof`. A SQLite design is always proved in a fresh
temporary file, never in a given database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dbdesign import dialects
from dbdesign.databases import Target, target
from dbdesign.design import Design, PatternPlan
from dbdesign.design.data_shape import skew_columns
from dbdesign.design.patterns import LINKED_LARGE_ROWS, LINKED_SHARE
from dbdesign.design.prove_mysql import MySQLServer
from dbdesign.design.prove_params import param_sets
from dbdesign.design.prove_pg import PostgresServer
from dbdesign.design.prove_redis import RedisProof, prove_on
from dbdesign.design.prove_result import (
    LATENCY_RUNS,
    SORTED_ROWS_OK,
    Growth,
    PatternResult,
    Proof,
    RuleResult,
    SetResult,
    percentile,
)
from dbdesign.design.prove_rules import prove_rules, row_rules
from dbdesign.design.prove_scale import (
    GROWTH_BUDGET_SECONDS,
    MIN_MEASURED_GROWTH,
    fitting_factor,
    projected,
    scaled_rows,
)
from dbdesign.design.prove_server import Server
from dbdesign.design.prove_sqlite import SQLiteServer
from dbdesign.design.prove_vector import tune
from dbdesign.errors import ConfigError

__all__ = [
    "PROOF_MAX_ROWS",
    "PROOF_MIN_ROWS",
    "SERVERS",
    "PatternResult",
    "Proof",
    "Server",
    "proof_rows",
    "prove",
    "server_for",
]

PROOF_MAX_ROWS = 60_000  # per table: enough for the planner to prefer indexes as it would live
PROOF_MIN_ROWS = 1_000  # per table (or all its rows): below this any table is scanned

Progress = Callable[[str], None]


def proof_rows(d: Design) -> dict[str, int]:
    """Rows to generate per table: at most PROOF_MAX_ROWS, with the spec's fan-out kept.

    A table larger than PROOF_MAX_ROWS is scaled down; the tables it references are scaled down
    at least as much (and theirs in turn), so a parent keeps as many child rows per row as the
    spec says (50 issues a project, not 1). With every table merely capped, a parent and its
    child end up the same size, every foreign key value matches one row, and any index on it
    looks as good to the planner as the one designed for the pattern (MariaDB then picks the
    narrower one). A table keeps at least min(its rows, PROOF_MIN_ROWS): smaller ones are read
    by sequential scan whatever their indexes.
    """
    own = {t.key: min(1.0, PROOF_MAX_ROWS / max(t.proof_rows, 1)) for t in d.tables}
    parents: dict[str, set[str]] = {k: set() for k in own}
    for t in d.tables:
        for fk in d.schema.tables[t.key].foreign_keys.values():
            if fk.ref_table != t.key and fk.ref_table in own:
                parents[t.key].add(fk.ref_table)
    scale = dict(own)
    changed = True
    while changed:  # a parent's scale is at most each child's (to a fixed point: chains)
        changed = False
        for child, refs in parents.items():
            for parent in refs:
                if scale[child] < scale[parent]:
                    scale[parent] = scale[child]
                    changed = True
    return {
        t.key: max(round(t.proof_rows * scale[t.key]), min(t.proof_rows, PROOF_MIN_ROWS))
        for t in d.tables
    }


def prove(
    d: Design,
    up_sql: str,
    url: str | Target | None = None,
    *,
    seed: int = 0,
    progress: Progress | None = None,
    scale: float | None = None,
    growth: float | None = None,
    budget: float = GROWTH_BUDGET_SECONDS,
) -> Proof:
    """Prove ``d`` in a scratch database on the server at ``url`` (dropped afterwards): a
    PostgreSQL URL for a PostgreSQL design, a MySQL / MariaDB URL for a MySQL design. A SQLite
    design is proved in a temporary file (deleted afterwards); ``url`` is then None or a SQLite
    URL / path, which is not touched.

    Without ``scale``, the quick proof (:func:`proof_rows`). With it, every table gets ``scale``
    * its stated rows, and with ``growth`` N (> 1) the design is proved again at Nx that in a
    fresh scratch database, or at the largest factor ``budget`` seconds allow, projected to Nx
    (:mod:`~dbdesign.design.prove_scale`)."""
    say = progress or (lambda _m: None)
    given = target(url) if url is not None else None
    server = server_for(given, d.dialect)
    rows = proof_rows(d) if scale is None else scaled_rows(d, scale)
    first = _stage(server, given, d, up_sql, rows, seed, say, rules=True)
    problems = [f"lint error: {e}" for e in first.lint_errors]
    problems += [p for r in first.results if (p := r.problem())]
    problems += [p for r in first.rules if (p := r.problem())]
    grown = None
    if scale is not None and growth is not None and growth > 1:
        grown = _grow(server, given, d, up_sql, first, scale, growth, budget, seed, say)
        if grown is not None:
            problems += _growth_problems(grown)
    return Proof(
        server=first.version,
        rows=first.rows,
        load_seconds=first.load_seconds,
        lint_errors=first.lint_errors,
        results=first.results,
        seconds=first.seconds,
        problems=tuple(problems),
        explain=server.explain_label,
        rules=first.rules,
        scale=scale,
        growth=grown,
    )


@dataclass(frozen=True, slots=True)
class _Stage:
    version: str
    rows: dict[str, int]
    load_seconds: float
    seconds: float
    lint_errors: tuple[str, ...]
    results: tuple[PatternResult, ...]
    rules: tuple[RuleResult, ...]


def _stage(
    server: Server,
    given: Target | None,
    d: Design,
    up_sql: str,
    rows: dict[str, int],
    seed: int,
    say: Progress,
    *,
    rules: bool,
) -> _Stage:
    """One scratch database: apply, lint, load ``rows``, analyze, check every pattern (and,
    with ``rules``, break every business rule)."""
    start = time.perf_counter()
    # SQLite: a temporary file, whatever the URL
    with server.scratch(given.url if given else "") as db:
        conn = server.connect(db, autocommit=True)
        try:
            version = server.version(conn)
            say("applying the initial migration")
            server.apply(conn, up_sql)
            say("linting the applied schema")
            lint_errors = _lint_errors(db) if rules else []
            say(f"generating {sum(rows.values()):,} rows")
            t0 = time.perf_counter()
            load_rows(db, d, rows, seed)
            load_s = time.perf_counter() - t0
            server.analyze(conn, d)
            results = []
            for pp in d.patterns:
                say(f"explaining {pp.pattern.name}")
                results.append(_check(server, conn, d, pp, seed))
            broken: list[RuleResult] = []
            if rules and d.rules:
                say("trying a write that breaks each business rule")
                broken = prove_rules(server, conn, d)
        finally:
            conn.close()
    return _Stage(
        version=version,
        rows=rows,
        load_seconds=load_s,
        seconds=time.perf_counter() - start,
        lint_errors=tuple(lint_errors),
        results=tuple(results),
        rules=tuple(broken),
    )


def _grow(
    server: Server,
    given: Target | None,
    d: Design,
    up_sql: str,
    first: _Stage,
    scale: float,
    growth: float,
    budget: float,
    seed: int,
    say: Progress,
) -> Growth | None:
    """The second stage at ``growth`` * (or what fits the budget, projected); None when not
    even :data:`MIN_MEASURED_GROWTH` * fits."""
    measured = fitting_factor(growth, first.seconds, budget)
    if measured < MIN_MEASURED_GROWTH:
        say(f"{growth:g}x does not fit the budget of {budget:g} s: not measured")
        return None
    say(f"proving again at {measured:g}x the rows")
    second = _stage(
        server, given, d, up_sql, scaled_rows(d, scale * measured), seed, say, rules=False
    )
    values, model = projected(first.results, second.results, measured, growth)
    return Growth(
        factor=growth,
        measured=measured,
        rows=second.rows,
        load_seconds=second.load_seconds,
        seconds=second.seconds,
        results=second.results,
        projected=values,
        model=model,
    )


def _growth_problems(g: Growth) -> list[str]:
    """A pattern that loses its index or its plan's shape at the measured size, or whose p95
    at Nx (measured or projected) exceeds its target."""
    out = [f"at {g.measured:g}x: {p}" for r in g.results if (p := r.plan_problem())]
    for r in g.results:
        p95 = g.projected[r.pattern]
        if p95 > r.target_ms:
            how = "" if g.measured >= g.factor else " (projected)"
            out.append(
                f"at {g.factor:g}x growth: access pattern {r.pattern}: p95 {p95:.2f} ms{how} "
                f"exceeds its {r.target_ms:g} ms target"
            )
    return out


def _lint_errors(url: str) -> list[str]:
    from dbdesign import readers
    from dbdesign.lint.engine import lint
    from dbdesign.lint.findings import Severity

    schema = readers.read(url)
    return [str(f) for f in lint(schema) if f.severity is Severity.error]


def load_rows(url: str, d: Design, rows: dict[str, int], seed: int = 0) -> None:
    """Load ``rows`` into the database at ``url`` as the proof does (one transaction). A table
    whose keys allow fewer rows than asked (a tenant's links: only pairs within one tenant
    exist) gets as many as can exist: ``rows`` is lowered to what was loaded.

    A cycle of references is loaded the way an application must load it, every foreign key in
    force (``keep_cyclic_keys``): the deferred key of the cycle is checked at COMMIT, a nullable
    one is inserted NULL and set by UPDATE. No key is dropped and re-added, so a design whose
    cycle no application could fill fails here instead of passing."""
    from dbdesign.datagen import CapacityError
    from dbdesign.datagen.load import load

    while True:  # each retry lowers one table's rows, so this ends
        try:
            load(
                url,
                d.schema,
                rows,
                seed=seed,
                skew=skew_columns(d),
                keep_cyclic_keys=True,
                rules=row_rules(d),
            )
            return
        except CapacityError as e:
            if e.table not in rows or not 1 <= e.limit < rows[e.table]:
                raise
            rows[e.table] = max(1, e.limit * 9 // 10)


def _check(server: Server, conn: Any, d: Design, pp: PatternPlan, seed: int) -> PatternResult:
    sets = param_sets(server, conn, d, pp, seed)
    plans = [server.explain(conn, d, pp, s.values) for s in sets]
    times: list[float] = []
    per_set: list[SetResult] = []
    for s in sets:
        mine = []
        for _ in range(LATENCY_RUNS):
            t0 = time.perf_counter()
            server.run(conn, pp, s.values)
            mine.append((time.perf_counter() - t0) * 1000)
        times += mine
        per_set.append(SetResult(s.label, s.matched, percentile(mine, 0.95), plans[len(per_set)]))
    typical = plans[0]
    return PatternResult(
        pattern=pp.pattern.name,
        index=pp.index,
        indexes_used=typical.used,
        plan_text=typical.text,
        p95_ms=percentile(times, 0.95),
        target_ms=pp.pattern.latency_ms,
        params=sets[0].values,
        uses_index=pp.index is None or bool({pp.index, *pp.alternatives} & set(typical.used)),
        alternatives=pp.alternatives,
        shape_problems=_shape_problems(pp, per_set, _far_rows(server, conn, d, pp)),
        tuning=tune(conn, d, pp, seed) if pp.pattern.similar_to else None,
        p50_ms=percentile(times, 0.50),
        p99_ms=percentile(times, 0.99),
        sets=tuple(per_set),
    )


def _far_rows(server: Server, conn: Any, d: Design, pp: PatternPlan) -> int:
    """The rows of a traversal's far table (the pattern's own; 0 for other patterns)."""
    if not pp.link:
        return 0
    name = dialects.get(d.dialect).quote_ident(d.schema.tables[pp.table].name)
    return int(server.fetch(conn, f"SELECT count(*) FROM {name}")[0][0])


def _shape_problems(pp: PatternPlan, sets: list[SetResult], far_rows: int = 0) -> tuple[str, ...]:
    """Where the plan does not have the shape DESIGN.md claims for the pattern's index: rows
    read in the index's order (no sort of more than SORTED_ROWS_OK rows, for any parameter
    set: LIMIT stops early), and, with typical parameters, read from the index alone, and
    through every index it claims (each branch of an OR), never reading a traversal's link
    table whole, nor its far table (``far_rows`` rows) once that is large and the links of
    the typical row reach a small share of it: the links drive the join."""
    out = []
    if pp.ordered:
        for s in sets:
            if s.plan.sorts and s.matched > SORTED_ROWS_OK:
                out.append(
                    f"with the {s.label} parameters the plan sorts {s.matched:,} rows although "
                    f"{pp.index} gives them in the pattern's order (DESIGN.md says LIMIT stops "
                    f"early):\n{s.plan.text}"
                )
                break
    typical = sets[0].plan
    claimed = [i for i in (pp.index, *pp.reads) if i and pp.reads]
    unread = [i for i in claimed if i not in typical.used]
    if unread:
        out.append(
            f"with the typical parameters the plan does not read {', '.join(unread)} although "
            f"DESIGN.md says it reads each of {', '.join(claimed)}:\n"
            f"{typical.text}"
        )
    if pp.link and pp.link in typical.scans:
        out.append(
            f"with the typical parameters the plan reads {pp.link} whole although DESIGN.md "
            f"says the links of one row come from {pp.index}:\n{typical.text}"
        )
    far = pp.table.split(".", 1)[1]
    if pp.link and far_rows > LINKED_LARGE_ROWS and sets[0].matched <= LINKED_SHARE * far_rows:
        order = [t for t in typical.order if t in (pp.link, far)]
        if far in typical.scans or order[:1] == [far]:
            how = f"reads {far} whole" if far in typical.scans else f"starts from {far}"
            out.append(
                f"with the typical parameters the plan {how} although DESIGN.md says that "
                f"once {far} holds more than {LINKED_LARGE_ROWS:,} rows and one row's links "
                f"reach at most {LINKED_SHARE:.0%} of them ({sets[0].matched:,} of "
                f"{far_rows:,} here) the join starts from the links and reads each {far} row "
                f"by primary key:\n{typical.text}"
            )
    if pp.covering and pp.index in typical.used and pp.index not in typical.index_only:
        out.append(
            f"the plan visits the table although {pp.index} covers the query (DESIGN.md "
            f"says index-only):\n{typical.text}"
        )
    return tuple(out)


def server_for(given: Target | None, dialect: str) -> Server:
    """The server a ``dialect`` design is proved on; a :class:`ConfigError` for a target of
    another kind (a SQLite design takes no server: None, or a SQLite file it leaves alone; a
    string without a scheme is a PostgreSQL connection string)."""
    from dbdesign.errors import ConfigError

    d = dialects.get(dialect)
    server = SERVERS.get(d.name)
    if server is not None:
        if d.file_magic and (given is None or given.file is not None):
            return server()
        if given is not None and given.dialect is d:
            return server()
    raise ConfigError(f"a {dialect} design cannot be proved on {given or 'no server'}")


# dialect name -> the server its designs are proved on
SERVERS: dict[str, Callable[[], Server]] = {
    "postgres": PostgresServer,
    "mysql": MySQLServer,
    "sqlite": SQLiteServer,
}


def prove_store(
    d: Design,
    db: object,
    *,
    prove: bool = True,
    growth: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> RedisProof | None:
    """The proof of a design without a relational schema: a Redis design's on ``db`` (or the
    environment's Redis URL; None without one); a MongoDB design is checked statically only
    (no MongoDB server is used), so a ``db`` for it is refused."""
    if d.mongo is not None and db is not None:
        raise ConfigError(
            "a MongoDB design is checked statically; proving it on a server (--db) is not "
            "built: leave --db out"
        )
    if d.redis is None or not prove:
        return None
    return prove_on(d.redis, d.spec, db, growth=growth, progress=progress)


def prove_part(
    d: Design,
    redis: str | None,
    *,
    growth: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> RedisProof | None:
    """The proof of a hybrid's Redis part on ``redis`` (a Redis URL), or on
    ``$DBDESIGN_DATABASE_URL`` when that is one; None without a Redis server."""
    assert d.redis_part is not None and d.whole is not None
    return prove_on(d.redis_part, d.whole, redis, growth=growth, progress=progress)
