"""What a design proof found wrong, apart from its measured times.

A proof measures each access pattern's p95 and compares it with the pattern's target; on a
shared machine under load a 10 ms target can be missed by a plan that is right. The tests
assert what a proof decides from the server's plans (lint errors, the designed index used)
and that every time was measured; the comparison of a time with its target is tested on its
own (tests/unit/design/test_prove_result.py), the times themselves are measured in
bench/bench_design.py.
"""

from __future__ import annotations

from typing import Any


def plan_problems(proof: Any) -> list[str]:
    """The proof's lint errors and the patterns whose plan misses its index; fails when a
    pattern's p95 was not measured."""
    unmeasured = [r.pattern for r in proof.results if not r.p95_ms > 0]
    assert not unmeasured, f"no p95 measured for {unmeasured}"
    return [
        *(f"lint error: {e}" for e in proof.lint_errors),
        *(p for r in proof.results if (p := r.plan_problem())),
    ]
