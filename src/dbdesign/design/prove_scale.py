"""The proof at production volume and at Nx growth.

``--scale S`` loads every table at S times the spec's stated volume (1: the stated rows) instead
of the quick proof's 60,000-row cap; ``--growth N`` (default 10) then proves the same design
again, in a fresh scratch database, at N times that. When Nx would take longer than the budget
(the first stage's seconds per row, times the rows Nx holds), the second stage runs at the
largest factor that fits and each pattern's p95 at Nx is projected with a stated model: p95
grows as a power of the data's size, the exponent fitted from the two measured sizes
(``p95_N = p95_g * (N / g) ** k``, ``k = log(p95_g / p95_1) / log(g)``, at least 0). A stage
that cannot be measured at two sizes is not projected."""

from __future__ import annotations

import math

from dbdesign.design import Design
from dbdesign.design.prove_result import PatternResult

DEFAULT_GROWTH = 10.0  # --growth: the seeds' "10x growth handled"
GROWTH_BUDGET_SECONDS = 1800.0  # the Nx stage's estimated wall time may not exceed this
MIN_MEASURED_GROWTH = 2.0  # below this factor the second stage is not worth measuring


def scaled_rows(d: Design, factor: float) -> dict[str, int]:
    """Rows per table at ``factor`` * the spec's stated volume (at least one each)."""
    return {t.key: max(1, round(t.proof_rows * factor)) for t in d.tables}


def fitting_factor(factor: float, first_seconds: float, budget: float) -> float:
    """The growth factor the second stage can measure within ``budget`` seconds, estimated from
    the first stage's wall time (a stage's time grows about linearly with its rows)."""
    if first_seconds <= 0 or first_seconds * factor <= budget:
        return factor
    return max(1.0, math.floor(budget / first_seconds))


def projected(
    first: tuple[PatternResult, ...],
    second: tuple[PatternResult, ...],
    measured: float,
    factor: float,
) -> tuple[dict[str, float], str]:
    """Each pattern's p95 at ``factor``: measured when ``measured == factor``, else projected
    by the power law of the module's docstring. Returns the values and the model's statement."""
    if measured >= factor:
        return {r.pattern: r.p95_ms for r in second}, f"measured at {factor:g}x"
    base = {r.pattern: r.p95_ms for r in first}
    out = {}
    for r in second:
        k = max(
            0.0, math.log(max(r.p95_ms, 1e-6) / max(base[r.pattern], 1e-6)) / math.log(measured)
        )
        out[r.pattern] = r.p95_ms * (factor / measured) ** k
    model = (
        f"measured at {measured:g}x (the budget of {GROWTH_BUDGET_SECONDS:g} s did not fit "
        f"{factor:g}x) and projected: p95 * ({factor:g} / {measured:g})^k, k fitted per pattern "
        "from its p95 at 1x and at the measured size"
    )
    return out, model
