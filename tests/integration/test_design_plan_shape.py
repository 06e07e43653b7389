"""The proof checks the plan's shape that DESIGN.md claims, not only the index's name: with an
index that keeps its designed name but lost the sort column, the heaviest customer's history is
sorted in full (LIMIT no longer stops early), and with one that lost its INCLUDE columns the plan
visits the table; the proof fails either way. The design as made passes, with the heavy
customer's rows read in order. On the embedded PostgreSQL 16, PostgreSQL 15, SQLite and MariaDB
(the covering case where the dialect claims it)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dbdesign.design import Design, design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import prove
from dbdesign.design.prove_result import SORTED_ROWS_OK
from dbdesign.model import FrozenMap, Index
from dbdesign.readers import spec as S
from tests.integration.test_design_rules import DIALECT, SERVERS, url_of

SPEC = """\
version: 1
project: {name: shapes}
entities:
  customer:
    attributes: {name: {type: text, required: true}}
    volume: {rows: 2000}
  purchase:
    attributes:
      placed_at: {type: timestamp, required: true}
      total: {type: decimal, precision: 10, scale: 2, required: true}
    volume: {rows: 60000, skew: {customer: 1.2}}
relationships:
  - {type: one-to-many, parent: customer, child: purchase, on_delete: cascade}
access_patterns:
  - name: history
    entity: purchase
    equal: [customer]
    sort: [-placed_at]
    limit: 20
    select: [id, placed_at, total]
    latency_ms: 1000
"""


def _designed(server: str) -> tuple[Design, Index]:
    d = design(S.loads(SPEC), DIALECT[server])
    (pp,) = d.patterns
    assert pp.ordered and pp.index
    (key,) = [k for k, ix in d.schema.indexes.items() if ix.name == pp.index]
    return d, d.schema.indexes[key]


def _with_index(d: Design, ix: Index) -> str:
    """The migration with the pattern's index replaced by ``ix`` (same name)."""
    indexes = {k: (ix if v.name == ix.name else v) for k, v in d.schema.indexes.items()}
    return schema_sql(replace(d.schema, indexes=FrozenMap(indexes)))


@pytest.mark.parametrize("server", SERVERS)
def test_the_design_reads_the_heaviest_key_in_order(server: str) -> None:
    d, _ = _designed(server)
    proof = prove(d, schema_sql(d.schema), url_of(server))
    assert proof.ok, "\n".join(proof.problems)
    (r,) = proof.results
    heavy = next(s for s in r.sets if "heavy" in s.label.split("+"))
    assert heavy.matched > SORTED_ROWS_OK, heavy.matched  # the skew made a heavy customer
    assert not heavy.plan.sorts, heavy.plan.text
    assert r.p50_ms <= r.p95_ms <= r.p99_ms


@pytest.mark.parametrize("server", SERVERS)
def test_an_index_without_the_sort_column_fails_the_proof(server: str) -> None:
    d, ix = _designed(server)
    first = ix.elements[0]
    proof = prove(d, _with_index(d, replace(ix, elements=(first,), include=())), url_of(server))
    assert not proof.ok
    (r,) = proof.results
    assert r.uses_index, r.plan_text  # the name is there: only the shape gives it away
    assert any("sorts" in p and "LIMIT stops early" in p for p in r.shape_problems), r
    assert any("LIMIT stops early" in p for p in proof.problems)


@pytest.mark.parametrize("server", ["embedded", "pg15", "mysql"])
def test_an_index_that_no_longer_covers_fails_the_proof(server: str) -> None:
    d, ix = _designed(server)
    (pp,) = d.patterns
    assert pp.covering  # PostgreSQL: INCLUDE (total); MySQL: total appended to the key
    key = (ix.elements[0], ix.elements[1])  # customer_id, placed_at: order kept, total gone
    proof = prove(d, _with_index(d, replace(ix, elements=key, include=())), url_of(server))
    assert not proof.ok
    (r,) = proof.results
    assert r.uses_index and any("covers the query" in p for p in r.shape_problems), r
