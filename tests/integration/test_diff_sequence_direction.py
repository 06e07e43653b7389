"""A sequence that changes direction (ascending to descending, or back) and type.

The plan moved the current value into the new bounds with setval before the ALTER, which fails
when no value lies in both ranges (1..2147483647 and -9223372036854775808..-1), and with AS the
server keeps the old direction's NO MINVALUE / NO MAXVALUE. Found by
tests/unit/test_diff_plans.py::test_random_pairs_converge. The ALTER now states the new bounds
and restarts the sequence at its START.
"""

from __future__ import annotations

import pytest

from tests.conftest import PG_SERVERS
from tests.unit.diff_support import converge

UP = "CREATE SEQUENCE s AS integer; SELECT nextval('s'); CREATE SEQUENCE d AS bigint INCREMENT -1;"
DOWN = "CREATE SEQUENCE s AS bigint INCREMENT BY -3 START WITH -1; CREATE SEQUENCE d AS integer;"


@pytest.mark.parametrize("server", PG_SERVERS)
@pytest.mark.parametrize("direction", ["up-down", "down-up"])
def test_sequence_changing_direction_converges(server: str, direction: str) -> None:
    a, b = (UP, DOWN) if direction == "up-down" else (DOWN, UP)
    plan, _ = converge(server, a, b)
    assert "setval" not in plan.sql()
    assert {h.code for h in plan.hazards()} == {"state_loss"}
