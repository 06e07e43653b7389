"""Specs from domains the examples do not cover, written as a domain expert would (an
outpatient clinic, seated ticket sales, a retailer's warehouses: tests/integration/specs/
domains/), designed and proved on embedded PostgreSQL 16, PostgreSQL 15, MariaDB and SQLite.

Each proof must find every pattern served by its designed index, and every business rule the
schema enforces broken on purpose and refused by that rule (not by another constraint). They
found, when written: a clinic's two no-overlap rules over one range (a practitioner's and a
room's appointments) that the generator kept only one of; a bound on every child (at most ten
tickets per order) the generator could not keep; a load made quadratic by the bound's trigger
counting through a dropped index; a violating write for "at most 50 lines per parcel" refused
by the lines' unique (shipment, product) instead of the rule; a spec declaring created_at
beside audit_columns (now an error at its YAML path).
"""

from __future__ import annotations

import pytest

from dbdesign.design import design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import prove
from dbdesign.readers import spec as S
from tests.conftest import server_url
from tests.mysqlload import mysql_server_url
from tests.paths import ROOT
from tests.proofs import plan_problems

DOMAINS = ROOT / "tests" / "integration" / "specs" / "domains"
SPECS = sorted(p.stem for p in DOMAINS.glob("*.yaml"))
# server -> the dialect designed for it
SERVERS = {"embedded": "postgres", "pg15": "postgres", "mysql": "mysql", "sqlite": "sqlite"}


def test_there_are_domain_specs() -> None:
    assert SPECS == ["clinic", "ticketing", "warehouse"]


def _url(server: str) -> str | None:
    if server == "sqlite":
        return None  # a scratch SQLite file
    return mysql_server_url() if server == "mysql" else server_url(server)


@pytest.mark.parametrize("server", sorted(SERVERS))
@pytest.mark.parametrize("spec", SPECS)
def test_domain_spec_is_designed_and_proved(spec: str, server: str) -> None:
    d = design(S.load(DOMAINS / f"{spec}.yaml"), SERVERS[server])
    proof = prove(d, schema_sql(d.schema), _url(server))
    assert not plan_problems(proof), "\n".join(proof.problems)
    assert len(proof.results) == len(d.patterns)
    for r in proof.results:
        served = {r.index, *r.alternatives}
        assert r.index is None or served & set(r.indexes_used), r.plan_text
    enforced = [r for r in proof.rules if r.enforced]
    assert len(enforced) >= 4, proof.rules
    for r in enforced:
        assert r.tried and r.refused and r.by_rule, (r.rule, r.note, r.error)
