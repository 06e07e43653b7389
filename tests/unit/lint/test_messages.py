"""Messages show the SQL a user writes, and fix hints give advice that loses no data."""

from __future__ import annotations

from dbdesign.lint import LintConfig, lint
from tests.unit.lint.test_rule_cases import read_sql


def messages(sql: str, code: str, dialect: str = "postgres") -> list[tuple[str, str]]:
    found = lint(read_sql(sql, dialect), LintConfig(select=(code,)))
    return [(f.message, f.fix_hint) for f in found]


def test_types_are_shown_as_sql_not_catalog_names() -> None:
    sql = (
        "CREATE TABLE a (id int4 PRIMARY KEY);\n"
        "CREATE TABLE b (id bigint PRIMARY KEY, a_id pg_catalog.int8 REFERENCES a,"
        " cost float4, t timestamp(0));\n"
    )
    shown = " ".join(m for m, _ in messages(sql, "KEY003") + messages(sql, "TYP003"))
    shown += " ".join(m for m, _ in messages(sql, "TYP012"))
    assert "bigint but references public.a.id (integer)" in shown
    assert "looks like money but is real" in shown
    assert "timestamp(0) without time zone" in shown
    assert "pg_catalog" not in shown and "int4" not in shown and "float4" not in shown


def test_sqlite_key_types_are_affinities() -> None:
    sql = (
        "CREATE TABLE a (id TEXT PRIMARY KEY);\nCREATE TABLE b (a_id INTEGER REFERENCES a (id));\n"
    )
    [(message, _)] = messages(sql, "KEY003", "sqlite")
    assert "INTEGER affinity" in message and "TEXT affinity" in message


def test_float_money_advice_keeps_sub_cent_amounts() -> None:
    sql = "CREATE TABLE llm_calls (id bigint PRIMARY KEY, cost_per_token double precision);"
    [(_, hint)] = messages(sql, "TYP003")
    assert "numeric without a precision or scale" in hint
    assert "TYPE numeric)" in hint and "numeric(12,2) or integer cents would round" in hint
    [(_, hint)] = messages(
        "CREATE TABLE c (id bigint NOT NULL PRIMARY KEY, cost double);", "TYP003", "mysql"
    )
    assert "DECIMAL(p, s)" in hint
    [(_, hint)] = messages(
        "CREATE TABLE c (id INTEGER PRIMARY KEY, cost REAL);", "TYP003", "sqlite"
    )
    assert "smallest unit" in hint


def test_sec003_never_advises_disabling_rls() -> None:
    sql = (
        "CREATE TABLE d (id bigint PRIMARY KEY);\nALTER TABLE d ENABLE ROW LEVEL SECURITY;\n"
        "GRANT SELECT ON d TO PUBLIC;\n"
    )
    [(message, hint)] = messages(sql, "SEC003")
    assert "grants SELECT to PUBLIC" in message
    assert "disable" not in hint.lower()
