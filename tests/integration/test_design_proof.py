"""The proof step on a real PostgreSQL: the three example designs pass, and removing the index a
pattern was designed to use makes it fail loudly (exit 1, the pattern, the plan)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dbdesign.design import design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import prove
from dbdesign.readers import spec as S
from tests.conftest import server_url
from tests.paths import ROOT

SHOP = ROOT / "examples" / "ecommerce.yaml"
FLEET = ROOT / "examples" / "fleet_telemetry.yaml"


@pytest.mark.parametrize("server", ["embedded", "pg15"])
@pytest.mark.parametrize("example", ["ecommerce", "issue_tracker", "fleet_telemetry"])
def test_example_design_is_proved(example: str, server: str) -> None:
    d = design(S.load(ROOT / "examples" / f"{example}.yaml"))
    proof = prove(d, schema_sql(d.schema), server_url(server))
    assert proof.ok, "\n".join(proof.problems)
    assert len(proof.results) == len(d.patterns)
    for r in proof.results:
        served = {r.index, *r.alternatives}
        assert r.index is None or served & set(r.indexes_used), r.plan_text


def test_proof_fails_when_an_index_is_removed() -> None:
    d = design(S.load(SHOP))
    sql = schema_sql(d.schema)
    line = "CREATE INDEX idx_orders_customer_id_placed_at ON public.orders"
    assert line in sql
    without = "\n".join(x for x in sql.splitlines() if not x.startswith(line))
    proof = prove(d, without, server_url("embedded"))
    assert not proof.ok
    failed = [r for r in proof.results if not r.ok]
    assert "customer_order_history" in [r.pattern for r in failed]
    failed = [r for r in failed if r.pattern == "customer_order_history"]
    problem = failed[0].problem()
    assert problem and "idx_orders_customer_id_placed_at" in problem and "Scan" in problem


def test_cli_proof_passes_and_writes_the_results(tmp_path: Path) -> None:
    out = tmp_path / "fleet"
    r = subprocess.run(
        [sys.executable, "-m", "dbdesign", "design", str(FLEET), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "result: PASS" in r.stdout
    text = (out / "DESIGN.md").read_text()
    assert "**Result: PASS**" in text and "Measured (PASS)" in text


def test_cli_exits_1_naming_the_pattern_and_plan_when_an_index_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The real proof on the real embedded server, with the designed index left out of the SQL
    # the proof applies (as if a hand edit or a bad merge had dropped it).
    from dbdesign import cli
    from dbdesign.design import output

    line = "CREATE INDEX idx_orders_customer_id_placed_at ON public.orders"
    real = output.schema_sql

    def without_index(schema: Any) -> str:
        sql = real(schema)
        assert line in sql
        return "\n".join(x for x in sql.splitlines() if not x.startswith(line))

    monkeypatch.setattr(output, "schema_sql", without_index)
    monkeypatch.setattr(sys, "argv", ["dbdesign", "design", str(SHOP), "--out", str(tmp_path)])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    assert exc.value.code == 1
    out = capsys.readouterr()
    text = out.out + out.err
    assert "FAIL customer_order_history" in text
    assert "the plan does not use idx_orders_customer_id_placed_at" in text
    assert "Scan" in text  # the plan itself is printed
    assert "**Result: FAIL**" in (tmp_path / "DESIGN.md").read_text()
