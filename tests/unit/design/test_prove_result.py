"""A pattern's result: the plan's verdict and the time's verdict, apart and together."""

from __future__ import annotations

import dataclasses

from dbdesign.design.prove_result import PatternResult, Proof

RESULT = PatternResult(
    pattern="orders_of_customer",
    index="idx_orders_customer_id",
    indexes_used=("idx_orders_customer_id",),
    plan_text="Index Scan using idx_orders_customer_id on orders",
    p95_ms=4.0,
    target_ms=10.0,
    params=(42,),
    uses_index=True,
)


def test_a_time_within_its_target_and_the_index_used_is_ok() -> None:
    assert RESULT.ok and RESULT.problem() is None
    assert RESULT.plan_problem() is None and RESULT.latency_problem() is None
    at_target = dataclasses.replace(RESULT, p95_ms=10.0)
    assert at_target.ok and at_target.latency_problem() is None


def test_a_time_over_its_target_is_a_latency_problem_only() -> None:
    slow = dataclasses.replace(RESULT, p95_ms=12.26)
    assert not slow.ok and slow.plan_problem() is None
    assert slow.latency_problem() == (
        "access pattern orders_of_customer: p95 12.26 ms exceeds its 10 ms target"
    )
    assert slow.problem() == slow.latency_problem()


def test_a_plan_without_its_index_is_named_before_the_time() -> None:
    missed = dataclasses.replace(
        RESULT, uses_index=False, indexes_used=(), plan_text="Seq Scan on orders", p95_ms=50.0
    )
    assert not missed.ok and missed.latency_problem() is not None
    problem = missed.plan_problem()
    assert problem is not None and missed.problem() == problem
    assert "does not use idx_orders_customer_id (it uses no index)" in problem
    assert problem.endswith("Seq Scan on orders")


def test_a_proof_is_ok_without_problems() -> None:
    proof = Proof(server="PostgreSQL 16.4", rows={}, load_seconds=0.0, lint_errors=(), results=())
    assert proof.ok
    assert not dataclasses.replace(proof, problems=("lint error: x",)).ok
