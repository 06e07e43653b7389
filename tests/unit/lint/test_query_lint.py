"""The query-lint engine (dbdesign.lint.query): where findings point, suppressions, parse
errors, runs matched by fingerprint, the fixes built from a query, and real-world queries: the
views and function bodies of the shared corpus and the 22 TPC-H queries (duckdb's)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pglast import parser

from dbdesign import api
from dbdesign.errors import ParseError, UnsupportedError
from dbdesign.lint import LintConfig, parse_config
from dbdesign.lint.query import (
    QueryContext,
    QueryRun,
    QueryText,
    fingerprint,
    lint_queries,
    lint_query_files,
    read_query_file,
)
from dbdesign.model import Origin
from dbdesign.readers.ddl.postgres import read_ddl
from tests.paths import CORPUS

USERS = read_ddl(
    "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, created_at timestamptz);\n"
    "CREATE INDEX users_email_idx ON users (email);\n"
    "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users);\n"
)


def only(*codes: str) -> LintConfig:
    return replace(parse_config({}), select=codes)


def test_a_finding_points_at_the_expression_in_the_file(tmp_path: Path) -> None:
    f = tmp_path / "q.sql"
    f.write_text("SELECT 1;\n\n  SELECT id\n  FROM users\n  WHERE lower(email) = $1;\n")
    texts = read_query_file(str(f))
    assert [t.origin for t in texts] == [
        Origin(file=str(f), line=1, col=1),
        Origin(file=str(f), line=3, col=3),
    ]
    (found,) = lint_queries(texts, only("QRY004"), schema=USERS)
    assert (found.origin, found.object) == (
        Origin(file=str(f), line=5, col=9),
        "public.users.email",
    )
    assert found.statement == "SELECT id FROM users WHERE lower(email) = $1"


def test_without_an_origin_positions_are_in_the_query() -> None:
    (found,) = lint_queries([QueryText("SELECT id FROM t\nORDER BY id OFFSET $1")], only("QRY002"))
    assert found.origin == Origin(line=2, col=20)


def test_an_ignore_comment_above_the_query_covers_a_later_line(tmp_path: Path) -> None:
    f = tmp_path / "q.sql"
    f.write_text(
        "-- dbdesign: ignore QRY004 -- sign-in compares case-blind on purpose\n"
        "SELECT id FROM users\nWHERE lower(email) = $1;\n"
        "SELECT id FROM users WHERE lower(email) = $2; -- dbdesign: ignore QRY004\n"
        "SELECT id FROM users WHERE lower(email) = $3;\n"
    )
    report = lint_query_files([str(f)], only("QRY004"), schema=USERS)
    assert [x.origin.line for x in report.findings if x.origin] == [5]


def test_a_query_that_does_not_parse_is_an_error_at_its_position(tmp_path: Path) -> None:
    f = tmp_path / "q.sql"
    f.write_text("SELECT 1;\nSELECT id FROM users WHERE id = = 1;\n")
    with pytest.raises(ParseError) as e:
        read_query_file(str(f))
    assert (e.value.file, e.value.line, e.value.col) == (str(f), 2, 33)
    # a query handed over on its own: the position in the file it came from
    q = QueryText("SELECT id\nFROM users WHERE id = = 1", Origin(file="app.sql", line=10, col=5))
    with pytest.raises(ParseError) as e:
        lint_queries([q])
    assert (e.value.file, e.value.line, e.value.col) == ("app.sql", 11, 23)


def test_a_driver_placeholder_is_named_in_the_error() -> None:
    for sql, col in (("SELECT * FROM t WHERE id = ?", 29), ("SELECT * FROM t WHERE id = %s", 28)):
        with pytest.raises(ParseError, match=r"write parameters as .* \$1, \$2") as e:
            lint_queries([QueryText(sql)])
        assert (e.value.line, e.value.col) == (1, col)
    with pytest.raises(ParseError) as e:  # jsonb's ? operator is no placeholder
        lint_queries([QueryText("SELECT data ? 'k' FROM t WHERE")])
    assert "$1" not in e.value.message


def test_psql_meta_commands_are_skipped(tmp_path: Path) -> None:
    f = tmp_path / "q.sql"
    f.write_text("\\set id 5\nSELECT * FROM users WHERE id = :id;\n")
    with pytest.raises(ParseError):  # psql variables are not SQL: say where
        read_query_file(str(f))
    f.write_text("\\timing on\nSELECT * FROM users WHERE id = $1;\n")
    (q,) = read_query_file(str(f))
    assert q.origin is not None and q.origin.line == 2


def test_runs_are_matched_by_fingerprint() -> None:
    logged = "SELECT name FROM authors WHERE id = 17"
    assert fingerprint(logged) == fingerprint("select name from authors where id = $1")
    runs = [QueryRun(fingerprint(logged), "7", "2/9", float(i)) for i in range(6)]
    texts = [QueryText("SELECT name FROM authors WHERE id = $1"), QueryText("SELECT 1")]
    (found,) = lint_queries(texts, only("QRY009"), runs=runs)
    assert found.object == "public.authors" and "6 times in one transaction" in found.message
    # only the first text of a fingerprint carries its runs
    assert len(lint_queries(texts * 2, only("QRY009"), runs=runs)) == 1


def blocks(sql: str, schema: Any = None) -> QueryContext:
    tree = json.loads(parser.parse_sql_json(sql))["stmts"][0]["stmt"]
    return QueryContext(QueryText(sql), tree, schema, LintConfig())


def test_blocks_and_their_relations() -> None:
    ctx = blocks(
        "WITH recent AS (SELECT user_id FROM orders) "
        "SELECT u.id FROM users u JOIN recent r ON r.user_id = u.id, app.audit a "
        "WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id)",
        USERS,
    )
    roles = [(b.role, [[r.kind for r in g] for g in b.groups]) for b in ctx.blocks]
    assert roles == [
        ("cte", [["table"]]),
        ("top", [["table", "cte"], ["table"]]),
        ("exists", [["table"]]),
    ]
    top, inner = ctx.blocks[1], ctx.blocks[2]
    assert [r.key for r in top.relations] == ["public.users", None, "app.audit"]
    assert top.relations[0].table is USERS.tables["public.users"]
    # a correlated name resolves in the enclosing block; a bare column through the schema
    ref = {"ColumnRef": {"fields": [{"String": {"sval": "u"}}, {"String": {"sval": "id"}}]}}
    assert inner.column(ref) == (top.relations[0], "id")
    bare = {"ColumnRef": {"fields": [{"String": {"sval": "email"}}]}}
    assert top.column(bare) == (top.relations[0], "email")


def test_keyset_fix_adds_the_primary_key_and_renumbers_parameters() -> None:
    schema = read_ddl("CREATE TABLE posts (id bigint PRIMARY KEY, created_at timestamptz);")
    sql = "select p.id from posts p order by p.created_at offset $1 rows fetch first $2 rows only"
    (found,) = lint_queries([QueryText(sql)], only("QRY002"), schema=schema)
    assert found.fix_hint.startswith("Page by the sort keys: pass the last row's ")
    rewritten = found.fix_hint.split(" and drop OFFSET: ")[1].split(" (an index")[0]
    assert rewritten == (
        "SELECT p.id FROM posts AS p WHERE (p.created_at, p.id) > ($2, $3) "
        "ORDER BY p.created_at, p.id LIMIT $1"
    )
    # mixed directions cannot be a row comparison; without a key the fix says to add one
    (found,) = lint_queries(
        [QueryText("SELECT a FROM t ORDER BY a, b DESC LIMIT 10 OFFSET 5000")], only("QRY002")
    )
    assert "WHERE a > $1 OR (a = $1 AND b < $2) ORDER BY a, b DESC" in found.fix_hint
    assert "end the ORDER BY with a unique column" in found.fix_hint


def test_not_exists_fix_for_a_subquery_on_the_same_table() -> None:
    sql = "SELECT id FROM users WHERE id NOT IN (SELECT id FROM users WHERE email LIKE $1)"
    (found,) = lint_queries([QueryText(sql)], only("QRY003"), schema=USERS)
    assert found.fix_hint == (
        "Write it as NOT EXISTS (SELECT 1 FROM users AS u2 "
        "WHERE email LIKE $1 AND u2.id = users.id)"
    )
    assert "NULL" not in found.message  # both id columns are NOT NULL


def test_query_lint_reads_postgresql_queries_only() -> None:
    from dbdesign.readers.ddl.mysql import read_ddl as read_mysql

    with pytest.raises(UnsupportedError):
        lint_queries([QueryText("SELECT * FROM t")], schema=read_mysql("CREATE TABLE t (a int);"))


# --------------------------------------------------------------------------- real-world queries


def function_queries(fn: Any) -> list[str]:
    """The SQL statements of a function's body: the whole body of a SQL function, the
    statements PL/pgSQL's parser finds in a PL/pgSQL one (dynamic EXECUTE strings aside)."""
    if fn.language == "sql":
        return [str(fn.body)]
    if fn.language != "plpgsql":
        return []
    args = ", ".join(" ".join(p for p in (a.mode, a.name, a.type) if p) for a in fn.arguments)
    src = f"CREATE FUNCTION f({args}) RETURNS {fn.returns} LANGUAGE plpgsql AS $q$ {fn.body} $q$"
    out: list[str] = []
    stack: list[Any] = [json.loads(parser.parse_plpgsql_json(src))]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            e = x.get("PLpgSQL_expr")
            q = e.get("query", "") if isinstance(e, dict) else ""
            if q.split()[:1] and q.split()[0].upper() in ("SELECT", "WITH", "UPDATE", "DELETE"):
                out.append(q)
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return out


def test_the_corpus_views_and_functions_raise_no_false_alarm() -> None:
    """54 queries people wrote (pagila's and sakila's views and functions, the Que job queue's
    triggers in zync, OpenStreetMap's and rubytoolbox's functions): comma joins linked by
    their WHERE, `SELECT *` in subqueries, LATERAL functions, aggregates sorted without LIMIT.
    None of it is a finding."""
    read = 0
    for path in sorted((CORPUS / "postgres").glob("*.sql")):
        if "pg18" in path.name:
            continue
        schema = api.read(str(path))
        texts = [QueryText(v.query.text, v.origin) for v in schema.views.values()]
        for fn in schema.functions.values():
            texts += [QueryText(q, fn.origin) for q in function_queries(fn)]
        read += len(texts)
        found = lint_queries(texts, schema=schema)
        assert found == [], [(f.code, f.statement) for f in found]
    assert read >= 50


def tpch() -> tuple[list[tuple[int, str]], str]:
    """The 22 TPC-H queries and the tables (columns as duckdb's dbgen makes them)."""
    import duckdb  # the test extras (its wheels carry the TPC-H generator and queries)

    con = duckdb.connect()
    con.execute("CALL dbgen(sf=0)")
    cols = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "ORDER BY table_name, ordinal_position"
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column, kind in cols:
        tables.setdefault(table, []).append(f"{column} {kind.lower()}")
    ddl = "\n".join(f"CREATE TABLE {t} ({', '.join(c)});" for t, c in tables.items())
    queries = con.execute("SELECT query_nr, query FROM tpch_queries()").fetchall()
    return queries, ddl


def test_tpch_queries() -> None:
    """TPC-H's comma joins are all linked by their WHERE (no QRY007 on Q2, Q5, Q7 ...); what
    is reported is what the benchmark plants: leading-wildcard LIKE (Q2, Q9, Q13, Q16) and
    Q16's NOT IN (SELECT ...)."""
    queries, ddl = tpch()
    schema = read_ddl(ddl)
    found = set()
    for nr, sql in queries:
        for f in lint_queries([QueryText(sql)], schema=schema):
            found.add((nr, f.code, f.object))
    assert len(queries) == 22
    assert found == {
        (2, "QRY005", "public.part.p_type"),
        (9, "QRY005", "public.part.p_name"),
        (13, "QRY005", "public.orders.o_comment"),
        (16, "QRY005", "public.supplier.s_comment"),
        (16, "QRY003", "public.supplier"),
    }
