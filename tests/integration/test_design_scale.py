"""The proof at a stated volume and at Nx growth (--scale, --growth): both stages really run,
each pattern's p95 at 1x and Nx reaches DESIGN.md with the pattern that breaks first, and a
growth that does not fit the budget is measured smaller and projected by the stated model."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from dbdesign.design import design
from dbdesign.design.output import render, schema_sql
from dbdesign.design.prove import prove
from dbdesign.design.prove_result import PatternResult
from dbdesign.design.prove_scale import fitting_factor, projected, scaled_rows
from dbdesign.readers import spec as S
from tests.integration.test_design_rules import DIALECT, url_of
from tests.paths import ROOT

SPEC = """\
version: 1
project: {name: growth}
entities:
  shop:
    attributes: {name: {type: text, required: true}}
    volume: {rows: 2000}
  sale:
    attributes:
      sold_at: {type: timestamp, required: true}
      amount: {type: integer, required: true}
    volume: {rows: 40000, skew: {shop: 1.0}}
relationships:
  - {type: one-to-many, parent: shop, child: sale, on_delete: cascade}
access_patterns:
  - {name: shop_sales, entity: sale, equal: [shop], sort: [-sold_at], limit: 50, latency_ms: 100}
  - {name: sales_in_period, entity: sale, range: [sold_at], sort: [-sold_at], limit: 100,
     latency_ms: 100}
"""


@pytest.mark.parametrize("server", ["embedded", "sqlite"])
def test_the_design_is_proved_at_its_volume_and_at_growth(server: str) -> None:
    d = design(S.loads(SPEC), DIALECT[server])
    proof = prove(d, schema_sql(d.schema), url_of(server), scale=0.25, growth=3)
    assert proof.ok, "\n".join(proof.problems)
    assert proof.rows == scaled_rows(d, 0.25)
    assert sum(proof.rows.values()) == 500 + 10_000
    g = proof.growth
    assert g is not None and g.factor == g.measured == 3
    assert sum(g.rows.values()) == 3 * (500 + 10_000)
    assert set(g.projected) == {"shop_sales", "sales_in_period"}
    assert g.projected == {r.pattern: r.p95_ms for r in g.results}
    # the heaviest shop holds more sales at 3x: the sets measured there match more rows
    heavy_1 = max(s.matched for s in proof.results[0].sets)
    heavy_3 = max(s.matched for s in g.results[0].sets)
    assert heavy_3 > 2 * heavy_1, (heavy_1, heavy_3)
    assert proof.rows_per_second > 0
    doc = render(d, proof)["DESIGN.md"]
    assert "| Pattern | Target ms | p95 ms at 0.25x | p95 ms at 3x | Headroom at growth |" in doc
    assert "First to break as the data grows: **" in doc
    assert "rows/s" in doc
    worst = g.breaks_first()
    assert worst is not None and worst[0] in g.projected


def test_growth_past_the_budget_is_measured_smaller_and_projected() -> None:
    assert fitting_factor(10, first_seconds=5, budget=100) == 10
    assert fitting_factor(10, first_seconds=30, budget=100) == 3
    assert fitting_factor(10, first_seconds=200, budget=100) == 1

    def result(name: str, p95: float) -> PatternResult:
        return PatternResult(name, None, (), "", p95, 100.0, (), True)

    first = (result("lookup", 1.0), result("scan", 2.0))
    second = (result("lookup", 1.0), result("scan", 8.0))  # at 4x: flat, and x4 (k = 1)
    values, model = projected(first, second, measured=4, factor=10)
    assert values["lookup"] == pytest.approx(1.0)
    assert values["scan"] == pytest.approx(8.0 * 10 / 4)
    assert "projected" in model and "k fitted" in model
    same, model = projected(first, second, measured=10, factor=10)
    assert same == {"lookup": 1.0, "scan": 8.0} and model == "measured at 10x"


def test_the_docs_scale_example_runs(tmp_path: Path) -> None:
    """docs/design.md's --scale example, run as written (into a temporary folder)."""
    text = (ROOT / "docs" / "design.md").read_text()
    (line,) = [
        ln
        for b in re.findall(r"```sh\n(.*?)```", text, re.S)
        for ln in b.splitlines()
        if "--scale" in ln
    ]
    args = shlex.split(line)
    assert args[0] == "dbdesign" and args[-2] == "--out"
    run = subprocess.run(
        [sys.executable, "-m", "dbdesign", *args[1:-1], str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "First to break as the data grows" in (tmp_path / "out" / "DESIGN.md").read_text()


def test_growth_needs_a_scale() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "dbdesign", "design", "examples/library.yaml", "--growth", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2, run.stderr
    assert "--growth needs --scale" in run.stderr
    assert "Traceback" not in run.stderr
