"""Beyond one server, on real servers: the schema a design emits for its Citus plan (primary and
unique keys ending with the distribution column, references between co-located tables holding
it, a distribution column added to a grandchild) applies on embedded PostgreSQL 16 and on
PostgreSQL 15, reads back as designed and passes the default (quick) proof; the e-mail platform
example, past the line, is also proved designed for MariaDB and SQLite (no Citus there).

The calls in citus.sql cannot run here (Citus is not installed on these servers): they and the
rules are checked statically in tests/unit/design/test_citus.py, and DESIGN.md says the Citus
part is not proven on a cluster."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from dbdesign import api, engine
from dbdesign.design import Design, design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import prove
from dbdesign.migrate.compare import schema_differences
from dbdesign.readers import spec as S
from tests.conftest import server_url
from tests.paths import ROOT
from tests.proofs import plan_problems

EXAMPLE = ROOT / "examples" / "email_platform.yaml"
CARTS = (ROOT / "tests" / "integration" / "specs" / "citus_carts.yaml").read_text()


def _proved(d: Design, url: str | None = None) -> float:
    """Proves ``d`` (on ``url``, else SQLite's own), asserting every pattern is served by its
    index; the proof's seconds."""
    proof = prove(d, schema_sql(d.schema), url) if url else prove(d, schema_sql(d.schema))
    assert not plan_problems(proof), "\n".join(proof.problems)
    assert proof.ok, "\n".join(proof.problems)
    assert len(proof.results) == len(d.patterns)
    return proof.seconds


@pytest.mark.parametrize("spec", ["email_platform", "carts"])
def test_the_citus_schema_applies_and_reads_back_as_designed(spec: str, pg_scratch: str) -> None:
    d = design(S.load(EXAMPLE) if spec == "email_platform" else S.loads(CARTS))
    assert d.citus is not None and d.citus.applies and d.citus.problems == ()
    for x in d.citus.placements:
        t = d.schema.tables[x.table]
        if x.role == "distributed":
            assert t.primary_key and x.column in t.primary_key.columns
    sql = schema_sql(d.schema)
    with engine.connect(pg_scratch, autocommit=True) as conn:
        conn.execute(sql.encode())
    assert [str(x) for x in schema_differences(d.schema, api.read(pg_scratch))] == []


@pytest.mark.parametrize("server", ["embedded", "pg15"])
def test_the_example_past_the_line_is_proved_on_postgres(server: str) -> None:
    d = design(S.load(EXAMPLE))
    assert d.citus is not None and d.citus.applies and d.citus.scale_out == "auto"
    seconds = _proved(d, server_url(server))
    assert seconds < 60  # the quick proof (about 15 s on the test machine)


@pytest.mark.parametrize("server", ["embedded", "pg15"])
def test_a_distribution_column_added_to_a_grandchild_is_kept_by_the_data(server: str) -> None:
    """cart_lines gets customer_id, referenced with cart_id: the generated rows must give each
    line its cart's customer (the composite reference refuses any other), and the proof's
    patterns are served as designed."""
    d = design(S.loads(CARTS))
    assert "customer_id" in {c.name for c in d.schema.tables["public.cart_lines"].columns}
    _proved(d, server_url(server))


def test_the_example_past_the_line_is_proved_on_mariadb_and_sqlite() -> None:
    from tests.mysqlload import mysql_server_url

    for dialect, url in (("mysql", mysql_server_url()), ("sqlite", None)):
        d = design(S.load(EXAMPLE), dialect)
        assert d.citus is None  # Citus is PostgreSQL's
        _proved(d, url)


def test_the_docs_example_runs_as_written(tmp_path: Path) -> None:
    """docs/design.md, "Beyond one server (Citus)": its command, into a temporary folder."""
    text = (ROOT / "docs" / "design.md").read_text()
    section = text.split("## Beyond one server (Citus)", 1)[1].split("\n## ", 1)[0]
    (line,) = re.findall(r"```sh\n(.*?)\n```", section, re.S)
    args = shlex.split(line)
    assert args[:2] == ["dbdesign", "design"] and args[-2] == "--out"
    out = tmp_path / args[-1]
    run = subprocess.run(
        [sys.executable, "-m", "dbdesign", *args[1:-1], str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "beyond one server: Citus, 6 distributed and 2 reference tables" in run.stdout
    assert run.stdout.rstrip().endswith("design.json, citus.sql")
    assert "create_distributed_table" in (out / "citus.sql").read_text()
    md = (out / "DESIGN.md").read_text()
    assert "#### Beyond one server: Citus" in md and "not proven on a Citus cluster" in md
