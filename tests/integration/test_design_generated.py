"""Generated attributes (``generated: quantity * unit_price``): a stored generated column on
each server (embedded PostgreSQL 16, PostgreSQL 15, SQLite, MariaDB), filled by the server for
every row the proof loads, and a write of another value refused by the server (the proof tries
it, and it is refused naming the column); the spec's mistakes are errors at their YAML path."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dbdesign.design import design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import load_rows, proof_rows, prove
from dbdesign.readers import spec as S
from tests.integration.test_design_rules import DIALECT, SERVERS, url_of
from tests.proofs import plan_problems

SPEC = """\
version: 1
project: {name: shop}
entities:
  order_line:
    attributes:
      quantity: {type: integer, required: true, min: 1, max: 100}
      unit_price: {type: money, currency: EUR, required: true, min: 0}
      line_total: {type: money, currency: EUR, required: true, generated: quantity * unit_price}
    volume: {rows: 5000}
access_patterns:
  - {name: big_lines, entity: order_line, after: [line_total], sort: [-line_total], limit: 20}
"""


@pytest.mark.parametrize("server", SERVERS)
def test_the_server_computes_it_and_refuses_another_value(server: str) -> None:
    d = design(S.loads(SPEC), DIALECT[server])
    sql = schema_sql(d.schema)
    assert "GENERATED ALWAYS AS" in sql or " AS (" in sql, sql
    (rule,) = [r for r in d.rules if r.kind == "generated"]
    assert rule.statement == "line_total = quantity * unit_price"
    proof = prove(d, sql, url_of(server))
    assert not plan_problems(proof), "\n".join(proof.problems)
    (r,) = [r for r in proof.rules if r.rule == "line_total"]
    assert r.tried and r.refused and r.by_rule, (r.write, r.error, r.note)


def test_every_loaded_row_holds_the_computed_value(tmp_path: Path) -> None:
    d = design(S.loads(SPEC), "sqlite")
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(schema_sql(d.schema))
    conn.close()
    load_rows(str(db), d, proof_rows(d))
    with sqlite3.connect(db) as conn:
        n, wrong = conn.execute(
            "SELECT count(*), sum(line_total <> quantity * unit_price) FROM order_lines"
        ).fetchone()
    conn.close()
    assert n == 5000 and wrong == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("generated: quantity * unit_price}", "generated: quantity * unit_prise}"),
        ("generated: quantity * unit_price}", "generated: quantity * unit_price, default: 1}"),
    ],
)
def test_mistakes_are_errors_at_their_path(change: str, message: str) -> None:
    with pytest.raises(S.SpecError) as e:
        S.loads(SPEC.replace(change, message), "shop.yaml")
    text = str(e.value)
    assert "entities.order_line.attributes.line_total.generated" in text, text
