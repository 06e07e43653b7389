"""The help desk example's access patterns (IN lists, IS NULL, one-sided bounds, keyset pages,
grouped counts) proved on the embedded PostgreSQL 16, PostgreSQL 15, SQLite and MariaDB: each
plan reads the designed index in the claimed shape, with parameters drawn from the data (an IN
list's commonest values, a keyset cursor from a real row, an upper bound at the oldest 5 %)."""

from __future__ import annotations

import pytest

from dbdesign.design import design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import prove
from dbdesign.readers import spec as S
from tests.integration.test_design_rules import DIALECT, SERVERS, url_of
from tests.paths import ROOT
from tests.proofs import plan_problems


@pytest.mark.parametrize("server", SERVERS)
def test_the_help_desk_is_proved(server: str) -> None:
    d = design(S.load(ROOT / "examples" / "helpdesk.yaml"), DIALECT[server])
    proof = prove(d, schema_sql(d.schema), url_of(server))
    assert not plan_problems(proof), "\n".join(proof.problems)
    assert proof.ok, "\n".join(proof.problems)
    by = {r.pattern: r for r in proof.results}
    plans = {pp.pattern.name: pp for pp in d.patterns}
    # every pattern's values come from the data: each typical set matches rows
    for name in ("agent_queue", "customer_tickets", "ticket_messages", "agent_status_counts"):
        typical = by[name].sets[0]
        assert typical.matched > 0, (name, by[name].params)
    # the keyset cursor is a real row's sort values and id: the next page holds rows
    cursor = [
        v
        for p, v in zip(
            plans["customer_tickets"].params, by["customer_tickets"].params, strict=True
        )
        if p.kind == "cursor"
    ]
    assert cursor and None not in cursor
    # an upper bound alone reads the oldest rows, not the whole table
    total = proof.rows["public.tickets" if server in ("embedded", "pg15") else "main.tickets"]
    assert 0 < by["sla_at_risk"].sets[0].matched < total / 4
    # the grouped count reads groups: at most the five statuses
    assert 0 < by["agent_status_counts"].sets[0].matched <= 5
