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

import sqlite3
from pathlib import Path

import pytest

from dbdesign import engine
from dbdesign.design import design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import load_rows, proof_rows, prove
from dbdesign.readers import spec as S
from tests.conftest import server_url
from tests.mysqlload import mysql_server_url
from tests.paths import ROOT
from tests.pgload import load_sql
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


@pytest.mark.parametrize("server", ["embedded", "sqlite"])
def test_stated_enum_weights_shape_the_proof_data(server: str, tmp_path: Path) -> None:
    """ticketing's purchases are pending 3, paid 92, refunded 5 (weights: [3, 92, 5]): the
    proof's rows follow that, within two points of each share."""
    d = design(S.load(DOMAINS / "ticketing.yaml"), SERVERS[server])
    rows = proof_rows(d)
    sql = "SELECT status, count(*) FROM purchases GROUP BY status"
    if server == "sqlite":
        db = tmp_path / "t.db"
        with sqlite3.connect(db) as conn:
            conn.executescript(schema_sql(d.schema))
        conn.close()
        load_rows(str(db), d, rows, seed=5)
        with sqlite3.connect(db) as conn:
            got = dict(conn.execute(sql).fetchall())
        conn.close()
    else:
        with engine.scratch_database(server_url(server)) as url:
            load_sql(url, schema_sql(d.schema))
            load_rows(url, d, rows, seed=5)
            with engine.connect(url) as pg:
                got = dict(pg.execute(sql).fetchall())
    total = sum(got.values())
    assert total == next(n for k, n in rows.items() if k.endswith(".purchases")) > 1000
    shares = {k: v / total for k, v in got.items()}
    for status, want in {"pending": 0.03, "paid": 0.92, "refunded": 0.05}.items():
        assert abs(shares.get(status, 0) - want) < 0.02, shares
