"""`dbdesign lint` and `dbdesign rules` as a user runs them: real processes, files, databases."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import CORPUS, ROOT


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


BAD = "CREATE TABLE events (kind text);\nCREATE TABLE orders (id bigint PRIMARY KEY, price real);\n"


def test_help_on_every_lint_command() -> None:
    for args in (["lint", "--help"], ["rules", "--help"]):
        r = run(*args)
        assert r.returncode == 0 and "Usage" in r.stdout, r.stderr


def test_exit_codes_0_1_2(tmp_path: Path) -> None:
    clean = tmp_path / "clean.sql"
    clean.write_text("CREATE TABLE things (id bigint PRIMARY KEY);\n")
    bad = tmp_path / "bad.sql"
    bad.write_text(BAD)
    assert run("lint", str(clean), "--select", "KEY").returncode == 0
    r = run("lint", str(bad), "--select", "KEY001")
    assert r.returncode == 1 and f"{bad}:1:14: error   KEY001" in r.stdout
    # info findings only: exit 0 under --fail-on error and warning, 1 under --fail-on info
    r = run("lint", str(bad), "--select", "AUD001")
    assert r.returncode == 0 and "AUD001" in r.stdout
    assert run("lint", str(bad), "--select", "AUD001", "--fail-on", "warning").returncode == 0
    assert run("lint", str(bad), "--select", "AUD001", "--fail-on", "info").returncode == 1
    for args in (["lint", str(tmp_path / "missing.sql")], ["lint", str(bad), "--select", "NOPE"]):
        r = run(*args)
        assert r.returncode == 2 and r.stderr.startswith("dbdesign: error:"), r.stderr


def test_formats(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sql"
    bad.write_text(BAD)
    r = run("lint", str(bad), "--select", "KEY001", "-f", "json")
    assert json.loads(r.stdout)["findings"][0]["code"] == "KEY001"
    r = run("lint", str(bad), "--select", "TYP003", "-f", "sarif")
    log = json.loads(r.stdout)
    assert log["version"] == "2.1.0" and log["runs"][0]["results"][0]["ruleId"] == "TYP003"
    r = run("lint", str(bad), "--select", "TYP003", "-f", "github")
    assert r.stdout.startswith(f"::error file={bad},line=2,col=")


def test_config_file_and_baseline(tmp_path: Path) -> None:
    (tmp_path / "dbdesign.toml").write_text(
        '[lint]\nselect = ["keys", "types"]\nbaseline = "lint-baseline.json"\n'
        '[lint.severity]\nKEY001 = "warning"\n'
    )
    (tmp_path / "schema.sql").write_text(BAD)
    r = run("lint", "schema.sql", cwd=tmp_path)
    assert r.returncode == 1  # TYP003 is an error
    assert "warning KEY001" in r.stdout
    r = run("lint", "schema.sql", "--write-baseline", cwd=tmp_path)
    assert r.returncode == 0 and (tmp_path / "lint-baseline.json").exists(), r.stderr
    r = run("lint", "schema.sql", cwd=tmp_path)
    assert r.returncode == 0 and "No problems found" in r.stdout
    (tmp_path / "schema.sql").write_text(BAD + "CREATE TABLE more (x money);\n")
    r = run("lint", "schema.sql", "-f", "json", cwd=tmp_path)
    assert {f["object"] for f in json.loads(r.stdout)["findings"]} == {
        "public.more",
        "public.more.x",
    }


def test_inline_suppression(tmp_path: Path) -> None:
    p = tmp_path / "s.sql"
    p.write_text("-- dbdesign: ignore KEY001\nCREATE TABLE events (kind text);\n")
    assert run("lint", str(p), "--select", "KEY001").returncode == 0


def test_rules_list_and_one_rule() -> None:
    r = run("rules")
    assert r.returncode == 0 and "KEY001" in r.stdout and "SEC005" in r.stdout
    off = [line.split()[0] for line in r.stdout.splitlines() if "(off by default)" in line]
    assert "NAM004" in off and "KEY001" not in off
    listed = json.loads(run("rules", "--format", "json").stdout)
    assert {x["code"] for x in listed if not x["default"]} == set(off)
    r = run("rules", "KEY002")
    assert "**Bad:**" in r.stdout and "**Fix.**" in r.stdout
    assert run("rules", "ZZZ9").returncode == 2


def test_lint_sqlite_corpus_file_is_dialect_aware() -> None:
    r = run("lint", str(CORPUS / "sqlite" / "chinook.sql"), "--dialect", "sqlite", "-f", "json")
    codes = {f["code"] for f in json.loads(r.stdout)["findings"]}
    assert "NAM001" in codes  # CamelCase tables
    assert not codes & {"TYP001", "TYP004", "TYP005", "NAM007"}  # PostgreSQL-only rules


def test_lint_live_postgres(pg_scratch: str) -> None:
    from dbdesign.engine import connect

    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE customers (id bigint PRIMARY KEY);"
            "CREATE TABLE orders (id bigint PRIMARY KEY,"
            " customer_id integer REFERENCES customers, placed timestamp);"
            "ALTER TABLE orders ENABLE ROW LEVEL SECURITY;"
            "GRANT SELECT ON orders TO PUBLIC;"  # SEC003: a grant no policy opens
        )
    r = run("lint", pg_scratch, "--select", "keys", "-f", "json")
    found = {(f["code"], f["object"]) for f in json.loads(r.stdout)["findings"]}
    assert ("KEY002", "public.orders.orders_customer_id_fkey") in found
    assert ("KEY003", "public.orders.customer_id") in found
    r = run("lint", pg_scratch, "--select", "TYP001", "--select", "SEC003", "-f", "json")
    found = {(f["code"], f["object"]) for f in json.loads(r.stdout)["findings"]}
    assert found == {("TYP001", "public.orders.placed"), ("SEC003", "public.orders")}
    assert r.returncode == 1  # SEC003 is an error


def test_catalogue_doc_is_up_to_date() -> None:
    from dbdesign.lint.catalogue import markdown

    doc = ROOT / "docs" / "lint.md"
    assert doc.read_text() == markdown(), "run: python -m dbdesign.lint.catalogue > docs/lint.md"


def test_pre_commit_hook_definition() -> None:
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "dbdesign-lint")
    assert hook["entry"] == "dbdesign lint" and hook["files"]


def test_sarif_of_real_runs_is_valid_against_the_official_schema(tmp_path: Path) -> None:
    from tests.unit.lint.test_output import assert_valid_sarif

    odd = tmp_path / "my schema #2.sql"  # a space and a '#' must be percent-encoded in URIs
    odd.write_text(BAD + "CREATE TABLE t (x int);  -- dbdesign: ignore NOPE1\n")
    for source in (CORPUS / "postgres" / "pagila.sql", odd):
        r = run("lint", str(source), "-f", "sarif")
        assert r.returncode == 1, r.stderr
        log = json.loads(r.stdout)
        assert log["runs"][0]["results"], source
        assert_valid_sarif(log)
    codes = {x["ruleId"] for x in log["runs"][0]["results"]}
    assert {"KEY001", "TYP003", "SUP001"} <= codes


def test_usage_errors_exit_2_with_clicks_message() -> None:
    r = run("lint", "--no-such-option", "x.sql")
    assert r.returncode == 2 and "No such option" in r.stderr, r.stderr
    assert "internal error" not in r.stderr
    r = run("lint")
    assert r.returncode == 2 and "Missing argument" in r.stderr, r.stderr


def test_unused_suppressions_and_volumes_from_the_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.dbdesign.lint]\n"
        'select = ["KEY001", "KEY006", "TYP003", "SUP001"]\n'
        "[tool.dbdesign.lint.volumes]\n"
        '"public.events" = 5_000_000_000\n'
    )
    (tmp_path / "schema.sql").write_text(
        "CREATE TABLE events (id serial PRIMARY KEY, total real);  -- dbdesign: ignore TYP003\n"
        "CREATE TABLE logs (id bigint PRIMARY KEY);  -- dbdesign: ignore KEY001\n"
    )
    r = run("lint", "schema.sql", "-f", "json", cwd=tmp_path)
    found = [(f["code"], f["object"], f["line"]) for f in json.loads(r.stdout)["findings"]]
    assert found == [
        ("KEY006", "public.events.id", 1),
        ("SUP001", "-- dbdesign: ignore KEY001", 2),
    ], r.stderr
    # Rules that did not run cannot judge their suppressions.
    r = run("lint", "schema.sql", "--select", "SUP001", "-f", "json", cwd=tmp_path)
    assert json.loads(r.stdout)["findings"] == [] and r.returncode == 0


def test_linting_files_imports_only_what_it_needs(tmp_path: Path) -> None:
    """Start-up is most of the time on a small file (docs/benchmarks.md): linting DDL files
    must not import pydantic (typer >= 0.29 does), rich, a database driver or sqlglot."""
    f = tmp_path / "schema.sql"
    f.write_text(BAD)
    code = (
        "import sys\n"
        f"sys.argv = ['dbdesign', 'lint', {str(f)!r}, '-f', 'sarif']\n"
        "from dbdesign.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'pydantic', 'rich', 'psycopg', 'sqlglot', 'yaml'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy), file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert json.loads(r.stdout)["runs"][0]["results"], r.stderr
    assert r.stderr.strip().splitlines()[-1] == "[]", r.stderr


@pytest.mark.parametrize(("encoding", "found"), [("SQL_ASCII", True), ("UTF8", False)])
def test_lint_live_postgres_database_encoding(pg_urls: str, encoding: str, found: bool) -> None:
    """TYP014 on a live database: its pg_database.encoding, not the client's encoding."""
    from dbdesign.engine import scratch_database
    from dbdesign.readers.catalog.postgres import read_catalog

    with scratch_database(pg_urls, encoding=encoding) as url:
        db = read_catalog(url).database
        assert db is not None and db.name.startswith("dbdesign_scratch_"), db
        assert db.encoding == encoding
        name = db.name
        r = run("lint", url, "--select", "TYP014", "-f", "json")
    findings = json.loads(r.stdout)["findings"]
    if found:
        assert r.returncode == 1, r.stderr  # TYP014 is an error
        assert [(f["code"], f["object"]) for f in findings] == [("TYP014", name)]
        assert findings[0]["catalog"].startswith("pg_database:")
    else:
        assert r.returncode == 0 and findings == [], r.stdout + r.stderr
