"""Every rule has documentation and its own failing and passing cases (tests/lint_cases/CODE.yaml).

A failing case must produce the rule's finding (on exactly ``objects`` when given); a passing
case must produce none. Passing cases include the near misses a naive check would flag: a false
positive is a bug.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from dbdesign.lint import LintConfig, apply_suppressions, lint, parse_config
from dbdesign.lint.engine import source_files
from dbdesign.lint.migration import MigrationLintOptions, lint_migrations
from dbdesign.lint.query import (
    QueryRun,
    fingerprint,
    lint_queries,
    lint_query_files,
    read_query_file,
)
from dbdesign.lint.registry import MIGRATIONS, PLANS, all_rules
from dbdesign.model import Schema

CASES = Path(__file__).resolve().parents[2] / "lint_cases"
RULES = all_rules()


def read_sql(sql: str, dialect: str, file: str = "case.sql") -> Schema:
    if dialect == "sqlite":
        from dbdesign.readers.ddl.sqlite import read_ddl as read_sqlite

        return read_sqlite(sql, file=file)
    if dialect == "mysql":
        from dbdesign.readers.ddl.mysql import read_ddl as read_mysql

        return read_mysql(sql, file=file)
    from dbdesign.readers.ddl.postgres import read_ddl

    return read_ddl(sql, file=file)


def load(code: str) -> dict[str, Any]:
    path = CASES / f"{code}.yaml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text())
    return data if isinstance(data, dict) else {}


def run_case(code: str, case: dict[str, Any]) -> list[str]:
    """The objects ``code`` reports on the case, after inline suppressions (as the CLI runs).

    Only ``code`` runs, plus the rules a case's ``config: {select: [...]}`` adds (SUP001's
    cases need rules whose findings a comment can silence).
    """
    dialect = case.get("dialect", "postgres")
    config = dict(case.get("config", {}))
    extra = tuple(config.pop("select", ()))
    if MIGRATIONS in RULES[code].scopes and "migration" in case:
        return run_migration_case(
            code, case, dialect, replace(parse_config(config), select=(code, *extra))
        )
    if PLANS in RULES[code].scopes:
        return run_plan_case(code, case, replace(parse_config(config), select=(code, *extra)))
    if "query" in case:
        return run_query_case(code, case, replace(parse_config(config), select=(code, *extra)))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.sql"
        path.write_text(case["sql"])
        schema = read_sql(case["sql"], dialect, str(path))
        cfg = replace(parse_config(config), select=(code, *extra))
        found = apply_suppressions(lint(schema, cfg), cfg, source_files(schema))
    return [f.object for f in found if f.code == code]


def run_migration_case(code: str, case: dict[str, Any], dialect: str, cfg: LintConfig) -> list[str]:
    """A migration rule's case: ``migration`` is the file linted (named ``file``, by default
    ``0002_case.up.sql``: dbdesign's layout, one transaction per file), ``schema`` what it
    applies to, ``server_version`` the target (else the dialect's newest)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / case.get("file", "0002_case.up.sql")
        path.write_text(case["migration"])
        schema = None
        if case.get("schema"):
            schema = str(Path(tmp) / "schema.sql")
            Path(schema).write_text(case["schema"])
        options = MigrationLintOptions(
            dialect=dialect,
            schema=schema,
            server_version=case.get("server_version"),
            assume_in_transaction=case.get("in_transaction"),
        )
        report = lint_migrations([str(path)], options, cfg)
    return [f.object for f in report.findings if f.code == code]


def run_query_case(code: str, case: dict[str, Any], cfg: LintConfig) -> list[str]:
    """A query rule's case: ``query`` is a .sql file of queries linted as ``dbdesign lint
    --queries`` does, ``schema`` the DDL they run on; ``runs`` what a log recorded, each
    ``{query: N (1-based), session, transaction, times, at_ms, every_ms}``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "queries.sql"
        path.write_text(case["query"])
        schema = read_sql(case["schema"], "postgres") if case.get("schema") else None
        if not case.get("runs"):
            report = lint_query_files([str(path)], cfg, schema=schema)
            return [f.object for f in report.findings if f.code == code]
        texts = read_query_file(str(path))
        runs = [
            QueryRun(
                fingerprint(texts[r["query"] - 1].sql),
                str(r.get("session", "1")),
                r.get("transaction"),
                r.get("at_ms", 0) + n * r.get("every_ms", 1),
            )
            for r in case["runs"]
            for n in range(r.get("times", 1))
        ]
        found = lint_queries(texts, cfg, schema=schema, runs=runs)
    return [f.object for f in found if f.code == code]


# Plan cases run on real servers: one scratch database per server for this module, each case in
# a transaction that is rolled back (or, with ``vacuum: true``, in a schema of its own, dropped).
_PLAN_DATABASES: dict[str, str] = {}
_PLAN_STACK = ExitStack()


@pytest.fixture(scope="module", autouse=True)
def _plan_databases_dropped() -> Iterator[None]:
    yield
    _PLAN_STACK.close()
    _PLAN_DATABASES.clear()


def plan_database(server: str) -> str:
    """A scratch database on ``server`` (embedded, pg15), made on first use."""
    if server not in _PLAN_DATABASES:
        from dbdesign.engine import scratch_database
        from tests.conftest import server_url

        url = _PLAN_STACK.enter_context(scratch_database(server_url(server)))
        _PLAN_DATABASES[server] = url
    return _PLAN_DATABASES[server]


def run_plan_case(code: str, case: dict[str, Any], cfg: LintConfig) -> list[str]:
    """A plan rule's case: ``setup`` (SQL: tables, rows, ANALYZE, SET ...) runs, then
    ``query`` is explained (with ANALYZE unless ``analyze: false``) and its plan linted, on the
    embedded PostgreSQL 16 or the ``server`` named (``pg15``: $DBDESIGN_TEST_PG_URL), all
    in a transaction that is rolled back. ``vacuum: true`` runs the setup committed in a
    schema ``plan_case`` of its own, VACUUMs, runs ``before`` (SET LOCAL ...) in the
    transaction the query is explained in, and drops the schema."""
    from dbdesign.advise import explain
    from dbdesign.engine import connect
    from dbdesign.lint.plan import lint_plan

    if case.get("dialect") == "mysql":
        return run_mysql_plan_case(code, case, cfg)
    url = plan_database(case.get("server", "embedded"))
    analyze = case.get("analyze", True)
    with connect(url, autocommit=True) as conn:
        if not case.get("vacuum"):
            with conn.transaction(force_rollback=True):
                conn.execute(case["setup"])
                plan = explain(conn, case["query"], analyze=analyze)
        else:
            try:
                conn.execute("CREATE SCHEMA plan_case; SET search_path = plan_case")
                conn.execute(case["setup"])
                conn.execute("VACUUM")
                with conn.transaction(force_rollback=True):
                    conn.execute(case.get("before", "SELECT 1"))
                    plan = explain(conn, case["query"], analyze=analyze)
            finally:
                conn.execute("RESET search_path; DROP SCHEMA IF EXISTS plan_case CASCADE")
    return [f.object for f in lint_plan(plan, cfg) if f.code == code]


def run_mysql_plan_case(code: str, case: dict[str, Any], cfg: LintConfig) -> list[str]:
    """A plan rule's MySQL case, on the MariaDB of $DBDESIGN_TEST_MYSQL_URL: ``setup`` (split
    as the mysql client splits it) runs in a scratch database of its own, dropped afterwards
    (MySQL's DDL commits), then ``query`` is explained there (MariaDB's ANALYZE FORMAT=JSON
    unless ``analyze: false``) and its plan linted."""
    from dbdesign import dialects
    from dbdesign.advise.explain_mysql import explain
    from dbdesign.engine import connect_mysql, mysql_scratch_database
    from dbdesign.lint.plan import lint_plan
    from tests.mysqlload import mysql_server_url

    with mysql_scratch_database(mysql_server_url()) as url:
        conn = connect_mysql(url, autocommit=True)
        try:
            with conn.cursor() as cur:
                for statement in dialects.get("mysql").split_statements(case["setup"]):
                    cur.execute(statement)
        finally:
            conn.close()
        plan = explain(url, case["query"], analyze=case.get("analyze", True))
    return [f.object for f in lint_plan(plan, cfg) if f.code == code]


def all_cases() -> list[Any]:
    out = []
    for code in RULES:
        data = load(code)
        for kind in ("fail", "pass"):
            for n, case in enumerate(data.get(kind) or []):
                out.append(pytest.param(code, kind, case, id=f"{code}-{kind}-{n}"))
    return out


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_is_documented(code: str) -> None:
    r = RULES[code]
    for part in ("summary", "rationale", "bad", "good", "fix"):
        assert getattr(r, part).strip(), f"{code} has no {part} in its docstring"
    assert r.name and r.name == r.name.lower() and " " not in r.name


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_has_failing_and_passing_cases(code: str) -> None:
    """Every dialect a rule claims (``dialects=`` of @rule; all three by default) has a failing
    and a passing case of its own; a rule that cannot apply in a dialect must not claim it."""
    data = load(code)
    assert data.get("fail"), f"{CASES / code}.yaml: no failing cases"
    assert data.get("pass"), f"{CASES / code}.yaml: no passing cases"
    claimed = RULES[code].dialects
    failing = {c.get("dialect", "postgres") for c in data["fail"]}
    assert failing <= claimed, f"{code}: a failing case in a dialect it does not claim"
    for kind in ("fail", "pass"):
        dialects = {c.get("dialect", "postgres") for c in data[kind]}
        missing = sorted(claimed - dialects)
        assert not missing, f"{CASES / code}.yaml: no {kind}ing case in {', '.join(missing)}"


def test_no_case_file_without_a_rule() -> None:
    assert {p.stem for p in CASES.glob("*.yaml")} <= set(RULES)


@pytest.mark.parametrize(("code", "kind", "case"), all_cases())
def test_case(code: str, kind: str, case: dict[str, Any]) -> None:
    found = run_case(code, case)
    if kind == "pass":
        assert found == [], f"{code} false positive on {case['name']!r}: {found}"
    elif "objects" in case:
        assert sorted(found) == sorted(case["objects"]), case["name"]
    else:
        assert found, f"{code} missed {case['name']!r}"


def test_default_config_runs_every_rule() -> None:
    assert LintConfig().select == ("ALL",)
