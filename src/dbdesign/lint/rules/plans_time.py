"""Plan rules: time spent outside the plan's nodes (PLN009 planning, PLN010 JIT)."""

from __future__ import annotations

from collections.abc import Iterator

from dbdesign.lint.findings import Hit
from dbdesign.lint.plan import PLAN_OBJECT, PlanContext, plan_rule

# PLN009: planning that took this long and at least as long as the execution.
SLOW_PLANNING_MS = 10.0
# PLN010: JIT compilation that took this long and this share of the execution time, or more.
SLOW_JIT_MS = 10.0
JIT_SHARE = 0.1


@plan_rule("PLN009", "slow-planning")
def slow_planning(ctx: PlanContext) -> Iterator[Hit]:
    """Planning the statement took 10 ms or more and longer than running it.

    Rationale: A statement sent as text is planned every time it runs; when planning costs
    more than the execution, half the time or more goes to choosing a plan. Many joins
    (the planner weighs every join order up to join_collapse_limit tables), many partitions
    and many indexes make planning slow. Reported when the planning time is at least 10 ms
    and at least the execution time (of EXPLAIN ANALYZE).

    Bad:
        -- nine tables joined: thousands of join orders weighed each time it is sent
        SELECT count(*) FROM a JOIN b ON ... JOIN c ON ... JOIN i ON ...;

    Good:
        PREPARE report AS SELECT count(*) FROM a JOIN b ON ... JOIN i ON ...;
        EXECUTE report;  -- planned once, reused

    Fix: Prepare the statement (the driver's prepared statements) so its plan is reused;
    with many joins lower join_collapse_limit or write the joins in a good order; with many
    partitions add a condition on the partition key so the planner prunes them.
    """
    plan = ctx.plan
    p, e = plan.planning_ms, plan.execution_ms
    if not plan.analyzed or p is None or e is None:
        return
    if p >= SLOW_PLANNING_MS and p >= e:
        yield Hit(
            PLAN_OBJECT,
            f"planning took {p:,.1f} ms, execution {e:,.1f} ms",
            fix=(
                "Prepare the statement so the plan is reused (PREPARE, or the driver's "
                "prepared statements); with many joins SET join_collapse_limit lower or join "
                "in a fixed order; with many partitions add a partition key condition."
            ),
        )


@plan_rule("PLN010", "jit-overhead")
def jit_overhead(ctx: PlanContext) -> Iterator[Hit]:
    """JIT compilation took 10 ms or more and at least a tenth of the execution time.

    Rationale: PostgreSQL compiles a query's expressions with LLVM when its estimated cost
    passes jit_above_cost (100,000 by default); for a query that runs in milliseconds the
    compilation can cost more than it saves, and an inflated cost estimate (a misestimate)
    turns it on where it does not pay. Reported when the JIT total is at least 10 ms and at
    least 10 % of the execution time (depesz's explain starts colouring a node at 10 % of
    the total).

    Bad:
        SET jit_above_cost = 0;
        SELECT sum(a + b) FROM t;  -- 20,000 rows: compiled in 60 ms, run in 6 ms

    Good:
        SET LOCAL jit = off;
        SELECT sum(a + b) FROM t;

    Fix: Turn JIT off for the query or role (SET LOCAL jit = off, ALTER ROLE ... SET jit =
    off), or raise jit_above_cost (and jit_inline_above_cost, jit_optimize_above_cost); if the
    cost estimate is inflated by a misestimate, fix that first.
    """
    plan = ctx.plan
    jit, e = plan.jit_ms, plan.execution_ms
    if jit is None or e is None or jit < SLOW_JIT_MS or jit < JIT_SHARE * e:
        return
    cost = plan.root.total_cost
    above = plan.setting("jit_above_cost") or "100000"
    yield Hit(
        PLAN_OBJECT,
        f"JIT compiled {plan.jit_functions} functions in {jit:,.1f} ms of {e:,.1f} ms "
        f"execution ({jit / e:.0%}); the plan's cost {cost:,.0f} passed jit_above_cost = {above}",
        fix=(
            "SET LOCAL jit = off for this query (or ALTER ROLE <role> SET jit = off), or raise "
            "jit_above_cost, jit_inline_above_cost and jit_optimize_above_cost above its cost; "
            "if the cost is inflated by a misestimate, fix that first."
        ),
    )
