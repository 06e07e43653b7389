"""The proof step on a real PostgreSQL (and MariaDB, and SQLite): the three example designs pass,
and removing the index a pattern was designed to use makes it fail loudly (exit 1, the pattern,
the plan)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dbdesign.design import design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import proof_rows, prove
from dbdesign.readers import spec as S
from tests.conftest import server_url
from tests.paths import ROOT
from tests.proofs import plan_problems

SHOP = ROOT / "examples" / "ecommerce.yaml"
FLEET = ROOT / "examples" / "fleet_telemetry.yaml"


@pytest.mark.parametrize("server", ["embedded", "pg15"])
@pytest.mark.parametrize("example", ["ecommerce", "issue_tracker", "fleet_telemetry"])
def test_example_design_is_proved(example: str, server: str) -> None:
    d = design(S.load(ROOT / "examples" / f"{example}.yaml"))
    proof = prove(d, schema_sql(d.schema), server_url(server))
    assert not plan_problems(proof), "\n".join(proof.problems)
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
    assert plan_problems(proof)
    failed = [r for r in proof.results if r.plan_problem()]
    assert "customer_order_history" in [r.pattern for r in failed]
    failed = [r for r in failed if r.pattern == "customer_order_history"]
    problem = failed[0].plan_problem()
    assert problem and "idx_orders_customer_id_placed_at" in problem and "Scan" in problem


def test_cli_proof_passes_and_writes_the_results(tmp_path: Path) -> None:
    out = tmp_path / "fleet"
    r = subprocess.run(
        [sys.executable, "-m", "dbdesign", "design", str(FLEET), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "result: PASS" in r.stdout
    text = (out / "DESIGN.md").read_text()
    assert "**Result: PASS**" in text and "Measured (PASS)" in text


# ------------------------------------------------------------------------------------------------
# MySQL / MariaDB designs, proved on the machine's MariaDB ($DBDESIGN_TEST_MYSQL_URL): the same
# flow, with ANALYZE FORMAT=JSON plans, parameters drawn from the data and a FULLTEXT search for
# one row's two rarest words.

MYSQL_LINE = "  KEY `idx_orders_customer_id_placed_at` ("


@pytest.fixture(scope="module")
def mysql_url() -> str:
    from tests.mysqlload import mysql_server_url

    return mysql_server_url()


@pytest.mark.parametrize("example", ["ecommerce", "issue_tracker", "fleet_telemetry"])
def test_example_mysql_design_is_proved(example: str, mysql_url: str) -> None:
    d = design(S.load(ROOT / "examples" / f"{example}.yaml"), "mysql")
    proof = prove(d, schema_sql(d.schema), mysql_url)
    assert not plan_problems(proof), "\n".join(proof.problems)
    assert proof.server.startswith(("MariaDB ", "MySQL ")) and proof.lint_errors == ()
    assert len(proof.results) == len(d.patterns)
    for r in proof.results:
        served = {r.index, *r.alternatives}
        assert r.index is None or served & set(r.indexes_used), r.plan_text
        table = d.schema.tables[_plan(d, r.pattern).table].name
        assert f"on {table}" in r.plan_text, r.plan_text
    searches = [
        r for r in proof.results if any(p.kind == "search" for p in _plan(d, r.pattern).params)
    ]
    for r in searches:  # a user's search for two words of one row: both required
        words = [p for p in r.params if isinstance(p, str) and p.startswith("+")]
        assert len(words) == 1 and len(words[0].split()) == 2, r.params


def _plan(d: Any, name: str) -> Any:
    return next(p for p in d.patterns if p.pattern.name == name)


def test_mysql_proof_fails_when_an_index_is_removed(mysql_url: str) -> None:
    d = design(S.load(SHOP), "mysql")
    sql = schema_sql(d.schema)
    assert MYSQL_LINE in sql
    without = "\n".join(x for x in sql.splitlines() if not x.startswith(MYSQL_LINE))
    proof = prove(d, without, mysql_url)
    assert plan_problems(proof)
    failed = [r for r in proof.results if r.plan_problem()]
    assert [r.pattern for r in failed] == ["customer_order_history"]
    problem = failed[0].plan_problem()
    assert problem and "the plan does not use idx_orders_customer_id_placed_at" in problem
    # InnoDB made an index for the foreign key; the plan reads it and sorts
    assert "on orders using fk_orders_customer_id" in problem and "filesort" in problem


def test_cli_mysql_proof_passes_and_writes_the_results(tmp_path: Path, mysql_url: str) -> None:
    out = tmp_path / "fleet"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "dbdesign",
            "design",
            str(FLEET),
            "--dialect",
            "mysql",
            "--db",
            mysql_url,
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "proof on MariaDB" in r.stdout or "proof on MySQL" in r.stdout
    assert "result: PASS" in r.stdout
    text = (out / "DESIGN.md").read_text()
    assert "**Result: PASS**" in text and "Measured (PASS)" in text
    assert "Not measured" not in text and "was not run" not in text
    assert '"ok": true' in (out / "design.json").read_text()


def test_mysql_design_without_a_mysql_server_is_not_proved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dbdesign import api
    from dbdesign.errors import ConfigError

    monkeypatch.delenv("DBDESIGN_DATABASE_URL", raising=False)
    d, proof = api.design(FLEET, dialect="mysql")
    assert d.dialect == "mysql" and proof is None
    monkeypatch.setenv("DBDESIGN_DATABASE_URL", server_url("pg15"))  # PostgreSQL: not for MySQL
    assert api.design(FLEET, dialect="mysql")[1] is None
    with pytest.raises(ConfigError, match="a MySQL design is proved on MySQL or MariaDB"):
        api.design(FLEET, dialect="mysql", db=server_url("pg15"))
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "dbdesign",
            "design",
            str(FLEET),
            "--dialect",
            "mysql",
            "--db",
            "postgresql://u:secret@localhost/x",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 2 and "secret" not in r.stderr
    assert "a MySQL design is proved on MySQL or MariaDB" in r.stderr


# ------------------------------------------------------------------------------------------------
# SQLite designs, proved in a temporary file (no server): EXPLAIN QUERY PLAN with values from the
# data; the keys declared in CREATE TABLE are read through SQLite's autoindexes, named as designed.

SQLITE_LINE = "CREATE INDEX idx_orders_customer_id_placed_at ON orders"


@pytest.mark.parametrize("example", ["ecommerce", "issue_tracker", "fleet_telemetry"])
def test_example_sqlite_design_is_proved(example: str) -> None:
    d = design(S.load(ROOT / "examples" / f"{example}.yaml"), "sqlite")
    proof = prove(d, schema_sql(d.schema))
    assert not plan_problems(proof), "\n".join(proof.problems)
    assert proof.server.startswith("SQLite ") and proof.lint_errors == ()
    assert proof.explain == "EXPLAIN QUERY PLAN"
    assert len(proof.results) == len(d.patterns)
    for r in proof.results:
        pp = _plan(d, r.pattern)
        served = {r.index, *r.alternatives}
        assert r.index is None or served & set(r.indexes_used), r.plan_text
        assert not any(u.startswith("sqlite_autoindex_") for u in r.indexes_used), r
        table = d.schema.tables[pp.table].name
        assert f" {table}" in r.plan_text, r.plan_text
        assert len(r.params) == len(pp.params) and None not in r.params, r.params


def test_sqlite_proof_names_the_keys_declared_in_create_table() -> None:
    d = design(S.load(SHOP), "sqlite")
    proof = prove(d, schema_sql(d.schema))
    by = {r.pattern: r for r in proof.results}
    # a UNIQUE constraint is read through sqlite_autoindex_customers_1: its model name
    assert by["customer_by_email"].indexes_used == ("uq_customers_email",)
    assert "sqlite_autoindex_customers_1" in by["customer_by_email"].plan_text
    assert by["stock_of_product"].indexes_used == ("uq_inventory_levels_product_id_warehouse",)
    # a search runs a MATCH on the FTS5 table, then reads each match's row by its key
    assert by["product_search"].index == "products_fts"
    assert by["product_search"].indexes_used == ("products_fts", "pk_products")
    assert by["product_search"].plan_problem() is None
    assert "SCAN products_fts VIRTUAL TABLE INDEX 0:M" in by["product_search"].plan_text


def test_sqlite_proof_fails_when_an_index_is_removed() -> None:
    d = design(S.load(SHOP), "sqlite")
    sql = schema_sql(d.schema)
    assert SQLITE_LINE in sql
    without = "\n".join(x for x in sql.splitlines() if not x.startswith(SQLITE_LINE))
    proof = prove(d, without)
    assert plan_problems(proof)
    failed = [r for r in proof.results if r.plan_problem()]
    assert [r.pattern for r in failed] == ["customer_order_history"]
    problem = failed[0].plan_problem()
    assert problem and "the plan does not use idx_orders_customer_id_placed_at" in problem
    assert "SCAN orders" in problem  # the plan itself


def test_cli_sqlite_design_is_proved_by_default(tmp_path: Path) -> None:
    out = tmp_path / "fleet"
    untouched = tmp_path / "app.db"
    untouched.write_bytes(b"")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "dbdesign",
            "design",
            str(FLEET),
            "--dialect",
            "sqlite",
            "--db",
            f"sqlite:///{untouched}",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "proof on SQLite" in r.stdout and "result: PASS" in r.stdout
    assert "not run" not in r.stdout
    assert untouched.read_bytes() == b""  # a given SQLite database is never proved in
    text = (out / "DESIGN.md").read_text()
    assert "**Result: PASS**" in text and "Measured (PASS)" in text
    assert "Proved on SQLite" in text and "EXPLAIN QUERY PLAN" in text
    assert "Not measured" not in text and "was not run" not in text
    assert '"ok": true' in (out / "design.json").read_text()


def test_sqlite_design_is_not_proved_on_a_server() -> None:
    from dbdesign import api
    from dbdesign.errors import ConfigError

    with pytest.raises(ConfigError, match="a SQLite design is proved in a temporary SQLite file"):
        api.design(FLEET, dialect="sqlite", db=server_url("pg15"))
    d = design(S.load(FLEET), "sqlite")
    with pytest.raises(ConfigError, match="a sqlite design cannot be proved on"):
        prove(d, schema_sql(d.schema), server_url("pg15"))
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "dbdesign",
            "design",
            str(FLEET),
            "--dialect",
            "sqlite",
            "--db",
            "postgresql://u:secret@localhost/x",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 2 and "secret" not in r.stderr and "Traceback" not in r.stderr
    assert "a SQLite design is proved in a temporary SQLite file" in r.stderr


# The CLI on each kind of server: the real proof, with the designed index left out of the SQL
# it applies (as if a hand edit or a bad merge had dropped it), exits 1 naming the pattern and
# printing the plan the server chose instead.
@pytest.mark.parametrize(
    ("dialect", "line", "plan"),
    [
        ("postgresql", "CREATE INDEX idx_orders_customer_id_placed_at ON public.orders", "Scan"),
        ("mysql", MYSQL_LINE, "using fk_orders_customer_id"),
        ("sqlite", SQLITE_LINE, "SCAN orders"),
    ],
)
def test_cli_exits_1_naming_the_pattern_and_plan_when_an_index_is_missing(
    dialect: str,
    line: str,
    plan: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    from dbdesign import cli
    from dbdesign.design import output

    real = output.schema_sql

    def without_index(schema: Any) -> str:
        sql = real(schema)
        assert line in sql
        return "\n".join(x for x in sql.splitlines() if not x.startswith(line))

    monkeypatch.setattr(output, "schema_sql", without_index)
    argv = ["dbdesign", "design", str(SHOP), "--dialect", dialect, "--out", str(tmp_path)]
    if dialect == "mysql":
        argv += ["--db", request.getfixturevalue("mysql_url")]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exc:
        cli.main()
    assert exc.value.code == 1
    out = capsys.readouterr()
    text = out.out + out.err
    assert "FAIL customer_order_history" in text
    assert "the plan does not use idx_orders_customer_id_placed_at" in text
    assert plan in text  # the plan itself is printed
    assert "**Result: FAIL**" in (tmp_path / "DESIGN.md").read_text()


def test_a_tenant_link_table_gets_as_many_rows_as_can_exist(tmp_path: Path) -> None:
    # Links between two tenant-owned tables exist only within a tenant: with tasks and tags
    # spread over many tenants, fewer pairs exist than the proof would ask; it loads those.
    from tests.unit.design.test_tenancy import SPEC

    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    d = design(S.load(path))
    asked = proof_rows(d)["public.task_tags"]
    proof = prove(d, schema_sql(d.schema), server_url("embedded"))
    assert not plan_problems(proof), "\n".join(proof.problems)
    assert 0 < proof.rows["public.task_tags"] < asked


def test_design_reads_its_db_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """``api.design(spec, db=URL)`` with a proof on the machine's PostgreSQL 15 reads the URL
    once into a Target (#15: it was read again by each step: the MySQL-URL check of the proof
    target, the server's kind, the file check): spies on every URL reader count the calls made
    with that very URL; the proof itself runs on a scratch database of its own."""
    from dbdesign import api, dialects, engine

    url = server_url("pg15")
    seen: list[str] = []

    def spy(module: Any, name: str) -> None:
        real = getattr(module, name)

        def reading(text: str) -> Any:
            seen.append(f"{name}({text})")
            return real(text)

        monkeypatch.setattr(module, name, reading)

    for module, name in [
        (dialects, "for_url"),
        (dialects, "for_file"),
        (dialects, "database_file"),
        (engine, "is_mysql_url"),
    ]:
        spy(module, name)
    spec = Path(__file__).parent / "specs" / "typed_bookings.yaml"
    _, proof = api.design(spec, db=url)
    assert proof is not None and not plan_problems(proof), proof.problems
    assert [s for s in seen if s.endswith(f"({url})")] == [f"for_url({url})"], seen
