"""`dbdesign lint --queries` as a user runs it (real processes, files, databases), the examples of
docs/lint-queries.md, and the query rules' claims checked on PostgreSQL 16 (embedded) and 15:
what a rule calls unindexable reads every row even with sequential scans disabled, and what its
fix suggests is served by an index, returns the same rows, or plans as it says."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from pglast import parser
from psycopg import sql

from dbdesign import engine
from dbdesign.lint import parse_config
from dbdesign.lint.findings import Finding
from dbdesign.lint.query import QueryText, conjuncts, lint_queries
from dbdesign.readers.ddl.pgast import deparse
from dbdesign.readers.ddl.postgres import read_ddl
from tests.conftest import server_url
from tests.integration.test_lint_cli import run
from tests.paths import ROOT

DOC = ROOT / "docs" / "lint-queries.md"
CASES = ROOT / "tests" / "lint_cases"


SCHEMA = (
    "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, created_at timestamptz);\n"
    "CREATE INDEX users_email_idx ON users (email);\n"
    "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\n"
)
QUERIES = (
    "SELECT id FROM users WHERE lower(email) = lower($1);\n"
    "SELECT id FROM users WHERE id NOT IN (SELECT user_id FROM orders);\n"
    "SELECT * FROM users WHERE id = $1;\n"
)


def files(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "schema.sql").write_text(SCHEMA)
    (tmp_path / "queries.sql").write_text(QUERIES)
    return str(tmp_path / "queries.sql"), str(tmp_path / "schema.sql")


def test_exit_codes_and_positions(tmp_path: Path) -> None:
    queries, schema = files(tmp_path)
    r = run("lint", "--queries", queries, "--schema", schema)
    assert r.returncode == 0, r.stderr  # warnings and info only; fail-on is error
    assert f"{queries}:1:28: warning QRY004" in r.stdout
    assert f"{queries}:2:31: warning QRY003" in r.stdout
    assert f"{queries}:3:8: info    QRY001" in r.stdout
    assert "statement: SELECT id FROM users WHERE lower(email) = lower($1)" in r.stdout
    assert run("lint", "--queries", queries, "--fail-on", "warning").returncode == 1
    # without the schema QRY004 cannot tell whether email has an index
    assert "QRY004" not in run("lint", "--queries", queries).stdout
    bad = tmp_path / "bad.sql"
    bad.write_text("SELECT 1;\nSELECT id FROM users WHERE;\n")
    r = run("lint", "--queries", str(bad))
    assert r.returncode == 2 and f"{bad}:2:27: syntax error" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_formats_and_standard_input(tmp_path: Path) -> None:
    queries, schema = files(tmp_path)
    data = json.loads(run("lint", "--queries", queries, "--schema", schema, "-f", "json").stdout)
    assert sorted(f["code"] for f in data["findings"]) == ["QRY001", "QRY003", "QRY004"]
    assert {f["statement"] for f in data["findings"]} >= {"SELECT * FROM users WHERE id = $1"}
    log = json.loads(run("lint", "--queries", queries, "-f", "sarif").stdout)
    results = log["runs"][0]["results"]
    assert {x["ruleId"] for x in results} == {"QRY001", "QRY003"}
    assert {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]} >= {"QRY001", "QRY009"}
    gh = run("lint", "--queries", queries, "-f", "github").stdout
    assert f"::warning file={queries},line=2,col=31,title=QRY003 not-in-subquery::" in gh
    piped = subprocess.run(
        [sys.executable, "-m", "dbdesign", "lint", "--queries", "-", "--schema", schema],
        input=QUERIES, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "<stdin>:1:28: warning QRY004" in piped.stdout, piped.stderr


def test_schema_from_a_live_database(pg_scratch: str, tmp_path: Path) -> None:
    with engine.connect(pg_scratch, autocommit=True) as conn:
        conn.execute(SCHEMA)
    queries, _ = files(tmp_path)
    r = run("lint", "--queries", queries, "--schema", pg_scratch, "--select", "QRY004")
    assert "QRY004 lower(email) hides email from index users_email_idx" in r.stdout, r.stderr


def test_options_that_do_not_go_together(tmp_path: Path) -> None:
    queries, schema = files(tmp_path)
    for args, message in (
        (["--queries", "--migrations", queries], "--queries and --migrations"),
        (["--queries", queries, "--server-version", "15"], "--server-version needs --migrations"),
        ([schema, "--schema", schema], "--schema needs --migrations or --queries"),
        (["--queries", str(tmp_path)], "not folders"),
    ):
        r = run("lint", *args)
        assert r.returncode == 2 and message in r.stderr, (args, r.stderr)


def test_baseline(tmp_path: Path) -> None:
    queries, _ = files(tmp_path)
    base = tmp_path / "baseline.json"
    r = run("lint", "--queries", queries, "--baseline", str(base), "--write-baseline")
    assert r.returncode == 0 and base.exists(), r.stderr
    r = run("lint", "--queries", queries, "--baseline", str(base))
    assert r.stdout == "No problems found.\n", r.stdout
    # a new query is reported; the old ones stay quiet
    Path(queries).write_text(QUERIES + "SELECT id FROM posts ORDER BY id OFFSET 5000;\n")
    r = run("lint", "--queries", queries, "--baseline", str(base), "-f", "json")
    assert [f["code"] for f in json.loads(r.stdout)["findings"]] == ["QRY002"]


def test_doc_examples_run(tmp_path: Path) -> None:
    doc = DOC.read_text()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBDESIGN_")}
    prelude = f'dbdesign() {{ "{sys.executable}" -m dbdesign "$@"; }}\n'
    blocks = re.findall(r"^```sh\n(.*?)^```", doc, re.S | re.M)
    results = []
    for block in blocks:
        argv = ["bash", "-c", prelude + block]
        results.append(subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True,
                                      env=env, timeout=120))  # fmt: skip
    assert len(results) == 2
    first, reviewed = results
    assert first.returncode == 1, first.stderr
    for code in ("QRY004", "QRY002", "QRY003"):
        assert code in first.stdout
    # the text output the doc shows is what the command prints (its lines, cut where it says)
    shown = re.search(r"^```text\n(.*?)^```", doc, re.S | re.M)
    assert shown is not None
    for line in shown.group(1).splitlines():
        head = line.strip().split(" ...")[0].removesuffix(":")
        if line.startswith("    ") and not line.startswith("           "):
            assert head in first.stdout, head
    assert reviewed.returncode == 0 and json.loads(reviewed.stdout)["findings"] == []
    (python,) = re.findall(r"^```python\n(.*?)^```", doc, re.S | re.M)
    exec(compile(python, str(DOC), "exec"), {})


# --------------------------------------------------------------------------- claims on servers


def plan_nodes(cur: Any, sql: str) -> list[dict[str, Any]]:
    """The nodes of the generic plan of ``sql`` (its parameters unknown, as an application
    prepares it)."""
    cur.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    cur.execute(f"PREPARE lint_q AS {sql}")
    cur.execute(
        "SELECT cardinality(parameter_types) FROM pg_prepared_statements WHERE name = 'lint_q'"
    )
    n = cur.fetchone()[0]
    args = f"({', '.join(['NULL'] * n)})" if n else ""
    cur.execute(f"EXPLAIN (FORMAT JSON) EXECUTE lint_q{args}")
    stack = [cur.fetchone()[0][0]["Plan"]]
    cur.execute("DEALLOCATE lint_q")
    out = []
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.get("Plans", []))
    return out


def index_conds(nodes: list[dict[str, Any]]) -> list[str]:
    return [str(n[k]) for n in nodes for k in ("Index Cond", "Recheck Cond") if n.get(k)]


@contextmanager
def _cursor(url: str) -> Iterator[Any]:
    """A cursor in a transaction that is rolled back, sequential scans disabled (so that any
    index the planner can use, it uses)."""
    with (
        psycopg.connect(url) as conn,
        conn.transaction(force_rollback=True),
        conn.cursor() as c,
    ):
        c.execute("SET LOCAL enable_seqscan = off")
        yield c


@pytest.fixture
def cur(pg_scratch: str) -> Iterator[Any]:
    """On each test server (PostgreSQL 16 embedded, 15): see :func:`_cursor`."""
    with _cursor(pg_scratch) as c:
        yield c


@pytest.fixture
def cur15() -> Iterator[Any]:
    """On the PostgreSQL 15 server only: the embedded server has no contrib (pg_trgm)."""
    with engine.scratch_database(server_url("pg15")) as url, _cursor(url) as c:
        yield c


def load(cur: Any, schema: str, *rows: str) -> None:
    """Create ``schema`` and run the INSERTs ``rows`` in the test's transaction."""
    for statement in (schema, *rows):
        cur.execute(statement)


def lint(sql: str, code: str, schema: str) -> Finding:
    (found,) = lint_queries(
        [QueryText(sql)], replace(parse_config({}), select=(code,)), schema=read_ddl(schema)
    )
    return found


def _with_where(sql: str, bad: str, cond: str) -> str:
    """``sql``'s tables (as a comma list, joins flattened) with a WHERE of its conditions,
    the one holding ``bad`` replaced by ``cond``."""
    tree = json.loads(parser.parse_sql_json(sql))["stmts"][0]["stmt"]["SelectStmt"]
    tables = []
    for kind, f in _walk(tree.get("fromClause")):
        if kind == "RangeVar":
            alias = (f.get("alias") or {}).get("aliasname")
            tables.append(f["relname"] + (f" {alias}" if alias else ""))
    where = [deparse(c) for c in conjuncts(tree.get("whereClause"))]
    kept = [c for c in where if bad not in c]
    return f"SELECT 1 FROM {', '.join(tables)} WHERE {' AND '.join([*kept, cond])}"


def _walk(tree: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    from dbdesign.lint.sqlexpr import nodes

    return nodes(tree)


QRY004_CASES = yaml.safe_load((CASES / "QRY004.yaml").read_text())["fail"]


@pytest.mark.parametrize("case", QRY004_CASES, ids=[c["name"] for c in QRY004_CASES])
def test_qry004_the_condition_reads_every_row_and_the_fix_does_not(
    cur: Any, case: dict[str, Any]
) -> None:
    cur.execute(case["schema"])
    sql = case["query"].strip().rstrip(";")
    found = lint(sql, "QRY004", case["schema"])
    column = found.object.rsplit(".", 1)[1]
    assert not [c for c in index_conds(plan_nodes(cur, sql)) if column in c]
    fix = found.fix_hint.split(": ", 1)[1]
    if fix.startswith("CREATE INDEX"):
        cur.execute(fix)
        fixed = index_conds(plan_nodes(cur, sql))
    else:
        # the condition the finding is about: "lower(email) hides email ..." or, for a cast
        # the server adds, every condition on the column
        bad = found.message.split(" hides ")[0] if " hides " in found.message else column
        fixed = index_conds(plan_nodes(cur, _with_where(sql, bad, fix)))
    assert [c for c in fixed if column in c], (fix, fixed)


def test_qry003_not_exists_is_an_anti_join_and_keeps_the_rows(cur: Any) -> None:
    schema = (
        "CREATE TABLE users (id bigint PRIMARY KEY);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n"
    )
    load(cur, schema, "INSERT INTO users VALUES (1), (2), (3)",
         "INSERT INTO orders VALUES (1, 1), (2, NULL)")  # fmt: skip
    cur.execute("SET LOCAL enable_seqscan = on")
    sql = "SELECT id FROM users WHERE id NOT IN (SELECT user_id FROM orders)"
    found = lint(sql, "QRY003", schema)
    assert "a NULL from the subquery makes it return no rows" in found.message
    fixed = "SELECT id FROM users WHERE " + found.fix_hint.removeprefix("Write it as ")
    cur.execute(sql)
    assert cur.fetchall() == []  # the NULL trap
    cur.execute(fixed + " ORDER BY id")
    assert cur.fetchall() == [(2,), (3,)]
    bad = plan_nodes(cur, sql)
    assert any("SubPlan" in str(n.get("Filter", "")) for n in bad), bad
    assert not any("Anti" in n.get("Join Type", "") for n in bad)
    # "Anti", or "Right Anti" on 16 (the hash built on the outer side)
    assert any("Anti" in n.get("Join Type", "") for n in plan_nodes(cur, fixed))


def test_qry002_the_keyset_page_is_the_offset_page(cur: Any) -> None:
    schema = (
        "CREATE TABLE posts (id bigint PRIMARY KEY, created_at timestamptz NOT NULL, title text);\n"
        "CREATE INDEX posts_created_at_id_idx ON posts (created_at, id);\n"
    )
    # 95 posts, three to a timestamp: the id breaks the ties
    load(cur, schema, "INSERT INTO posts SELECT i, timestamptz '2024-01-01' + (i / 3) * "
         "interval '1 hour', 'post ' || i FROM generate_series(1, 95) i")  # fmt: skip
    query = "SELECT id, created_at FROM posts ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET $1"
    found = lint(query, "QRY002", schema)
    keyset = found.fix_hint.split(" and drop OFFSET: ")[1].split(" (an index on")[0]
    assert keyset.count("$") == 2
    cur.execute("PREPARE by_offset AS " + query)
    cur.execute("PREPARE by_key AS " + keyset)
    cur.execute("EXECUTE by_offset(0)")
    page = cur.fetchall()
    seen = list(page)
    for n in range(1, 5):
        last_id, last_at = page[-1]
        cur.execute(sql.SQL("EXECUTE by_key({}, {})").format(last_at, last_id))
        page = cur.fetchall()
        cur.execute(sql.SQL("EXECUTE by_offset({})").format(20 * n))
        assert page == cur.fetchall()
        seen += page
    assert sorted(i for i, _ in seen) == list(range(1, 96))
    nodes = plan_nodes(cur, keyset)
    assert index_conds(nodes) and not any(n["Node Type"] == "Sort" for n in nodes)


PRODUCTS = """
CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL);
CREATE INDEX products_name_idx ON products (name text_pattern_ops);
"""
CONTACTS = """
CREATE TABLE users (id bigint PRIMARY KEY, email text, phone text);
CREATE INDEX users_email_idx ON users (email);
"""


def test_qry005_the_trigram_index_serves_the_pattern(cur15: Any) -> None:
    cur = cur15
    cur.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    if cur.fetchone() is None:
        pytest.fail("pg_trgm (PostgreSQL's contrib) is not installed on this server")
    load(cur, PRODUCTS)
    sql = "SELECT id FROM products WHERE name ILIKE '%' || $1 || '%'"
    found = lint(sql, "QRY005", PRODUCTS)
    assert not [c for c in index_conds(plan_nodes(cur, sql)) if "name" in c]
    cur.execute(found.fix_hint.removeprefix("Add a trigram index: ").split(" (or ")[0])
    assert [c for c in index_conds(plan_nodes(cur, sql)) if "name" in c]


def test_qry006_an_index_per_arm_makes_a_bitmap_or(cur: Any) -> None:
    load(cur, CONTACTS)
    sql = "SELECT id FROM users WHERE email = $1 OR phone = $2"
    found = lint(sql, "QRY006", CONTACTS)
    assert "(phone)" in found.message
    assert [n["Node Type"] for n in plan_nodes(cur, sql)] == ["Seq Scan"]
    more = "CREATE INDEX users_phone_idx ON users (phone);\n"
    cur.execute(more)
    assert "BitmapOr" in [n["Node Type"] for n in plan_nodes(cur, sql)]
    assert lint_queries([QueryText(sql)], schema=read_ddl(CONTACTS + more)) == []


def test_the_fixes_of_the_cases_are_valid_sql() -> None:
    """Every fix that is a whole statement (QRY002's keyset page, QRY008's LIMIT) parses, and
    pglast prints it back as written."""
    cut = {"QRY002": (" and drop OFFSET: ", " (an index on"), "QRY008": (": ", " (then page by")}
    checked = 0
    for code, (start, end) in cut.items():
        for case in yaml.safe_load((CASES / f"{code}.yaml").read_text())["fail"]:
            for f in lint_queries([QueryText(case["query"])], parse_config(case.get("config", {}))):
                if f.code != code or start not in f.fix_hint or end not in f.fix_hint:
                    continue
                sql = f.fix_hint.split(start, 1)[1].split(end)[0]
                tree = json.loads(parser.parse_sql_json(sql))["stmts"][0]["stmt"]
                assert deparse(tree) == sql
                checked += 1
    assert checked >= 8
