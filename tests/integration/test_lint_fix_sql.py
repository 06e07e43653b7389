"""Every fix hint that is SQL runs on a real server, on tables holding rows, and keeps the data.

A hint is SQL exactly when it starts with ALTER, CREATE, DROP, REVOKE, GRANT or COMMENT
(``dbdesign.lint.context.is_sql_hint``); it must then be complete statements in the linted
dialect, with every identifier quoted as that dialect needs. For every failing case of
tests/lint_cases/*.yaml (each in its own dialect):

- the case's SQL is loaded into a real server (PostgreSQL: the embedded 16 and
  ``$DBDESIGN_TEST_PG_URL``, in one transaction of a ``pg_scratch`` database that is rolled back
  after the case; MariaDB: a scratch database per hint, ``$DBDESIGN_TEST_MYSQL_URL``; SQLite: a
  temporary file per hint), and every table gets rows from ``dbdesign.datagen``;
- the schema read from the case's SQL is linted as the case is (its rule, plus the rules its
  ``config: {select: [...]}`` adds);
- every SQL hint is run (PostgreSQL: inside a savepoint that is inspected, then rolled back) and
  must succeed, leave every table's row count as it was, and leave the values of every column
  that still exists as they were, compared as text after the conversion the rule documents
  (timestamptz at UTC, money as numeric, json as jsonb; char(n) as text has no trailing blanks).

A floor on the number of hints executed keeps the test from passing by running nothing.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from pglast import parser

from dbdesign import datagen
from dbdesign.engine import connect, connect_mysql, mysql_scratch_database
from dbdesign.lint import apply_suppressions, lint, parse_config
from dbdesign.lint.context import is_sql_hint
from dbdesign.lint.engine import source_files
from dbdesign.lint.findings import Finding
from dbdesign.lint.registry import all_rules
from dbdesign.model import Schema
from dbdesign.readers.ddl.mysql import split_script
from tests.mysqlload import load_mysql, mysql_server_url
from tests.pgload import script_statements
from tests.unit.lint.test_rule_cases import read_sql

CASES = Path(__file__).resolve().parents[1] / "lint_cases"
ROWS = {"*": 5}
# The least number of SQL hints each run must have executed (the cases hold more).
FLOOR = {"postgres": 15, "mysql": 5, "sqlite": 3}


@dataclass(frozen=True)
class Case:
    code: str
    n: int
    name: str
    dialect: str
    sql: str
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.code} fail[{self.n}] {self.name!r} ({self.dialect})"


def failing_cases(dialect: str | None = None) -> list[Case]:
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text()) or {}
        for n, c in enumerate(data.get("fail") or []):
            d = c.get("dialect", "postgres")
            if (
                "sql" not in c
            ):  # a migration, query or plan rule's case: tested by their own modules
                continue
            if dialect is None or d == dialect:
                out.append(Case(path.stem, n, c["name"], d, c["sql"], dict(c.get("config", {}))))
    return out


def findings(case: Case) -> list[Finding]:
    """What the case's rule reports, after inline suppressions, as tests/unit/lint runs it."""
    config = dict(case.config)
    extra = tuple(config.pop("select", ()))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.sql"
        path.write_text(case.sql)
        schema = read_sql(case.sql, case.dialect, str(path))
        cfg = replace(parse_config(config), select=(case.code, *extra))
        found = apply_suppressions(lint(schema, cfg), cfg, source_files(schema))
    return [f for f in found if f.code == case.code]


def sql_hints(case: Case) -> list[Finding]:
    return [f for f in findings(case) if is_sql_hint(f.fix_hint)]


# --------------------------------------------------------------------------- without a server


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_general_fix_is_prose(code: str) -> None:
    """A rule's general fix (its docstring's Fix, the hint when a finding has none) is prose."""
    assert not is_sql_hint(all_rules()[code].fix), f"{code}: the Fix section reads as SQL"


def _parses(hint: str, dialect: str) -> str | None:
    """Why ``hint`` is not complete statements of ``dialect`` (None when it is). Only a string
    literal may hold text for the reader to write (SEC002's comment); ``...`` or ``<name>``
    in place of SQL is a placeholder."""
    if "..." in hint or "<" in hint.split("'")[0]:
        return "a placeholder"
    if not hint.rstrip().endswith(";"):
        return "no ';' at the end"
    if dialect == "postgres":
        try:
            parser.parse_sql(hint)
        except parser.ParseError as e:
            return str(e)
        return None
    if dialect == "sqlite":
        return None if sqlite3.complete_statement(hint) else "not complete"
    _, statements = split_script(hint)
    return None if statements else "no statement"


@pytest.mark.parametrize("case", failing_cases(), ids=lambda c: f"{c.code}-{c.n}")
def test_sql_hints_are_complete_statements(case: Case) -> None:
    for f in findings(case):
        assert f.fix_hint, f"{case.label}: {f.object} has no fix hint"
        if is_sql_hint(f.fix_hint):
            why = _parses(f.fix_hint, case.dialect)
            assert why is None, f"{case.label}: {f.object}: {why}: {f.fix_hint}"


# Cases whose fix cannot be SQL that runs: the hint must be prose that says why.
PROSE = {
    ("TYP005", "a view uses the column"): "view public.user_names",
    ("AUD003", "a foreign key references the unique key"): "public.invites.invites_email_fkey",
    ("TYP001", "domain over timestamp"): "domain public.moment",
    ("TYP001", "the partition key"): "part of the partition key",
    ("KEY006", "integer domain key"): "domain public.event_id",
    ("KEY007", "sqlite link table"): "rebuild a_b",
    ("SEC002", "sqlite has no comments"): "no column comments",
}


@pytest.mark.parametrize(("key", "says"), sorted(PROSE.items()))
def test_prose_where_sql_would_fail(key: tuple[str, str], says: str) -> None:
    code, name = key
    [case] = [c for c in failing_cases() if c.code == code and c.name.startswith(name)]
    hints = [f.fix_hint for f in findings(case)]
    assert hints and all(not is_sql_hint(h) and says in h for h in hints), hints


# --------------------------------------------------------------------------- data snapshots


@dataclass
class TableData:
    rows: int
    values: dict[str, list[str]]  # column -> its non-NULL values as text, sorted
    types: dict[str, tuple[str, int]]  # column -> (type class, integer width or 0)


@dataclass
class Snapshot:
    """What a fix must keep: every table's rows and values, the class of every column's type
    (an integer may only get wider), every foreign key, and every unique key that holds at
    least one row (it may gain a predicate, or new columns, but must still hold rows: a
    predicate no row meets enforces nothing)."""

    tables: dict[str, TableData]
    uniques: set[tuple[str, tuple[str, ...]]]  # (table, key) of keys holding a row, any order
    foreign_keys: set[tuple[str, str]]


def _compare(case: Case, f: Finding, before: Snapshot, after: Snapshot) -> list[str]:
    problems = []
    for table, b in before.tables.items():
        a = after.tables.get(table)
        if a is None:
            problems.append(f"table {table} is gone")
            continue
        if a.rows != b.rows:
            problems.append(f"{table}: {b.rows} rows before, {a.rows} after")
            continue
        for col, values in b.values.items():
            if col not in a.values:
                continue
            if a.values[col] != values:
                problems.append(f"{table}.{col}: {values} became {a.values[col]}")
            (kind, width), (kind2, width2) = b.types[col], a.types[col]
            if kind2 != kind or 0 < width2 < width:
                problems.append(f"{table}.{col}: type {b.types[col]} became {a.types[col]}")
    for table, key in sorted(before.uniques):
        old = set(before.tables[table].values) if table in before.tables else set()
        if not any(
            t == table and set(k) >= set(key) and not (set(k) - set(key)) & old
            for t, k in after.uniques
        ):
            problems.append(f"unique key {table} ({', '.join(key)}) no longer holds the rows")
    for fk in sorted(before.foreign_keys - after.foreign_keys):
        problems.append(f"foreign key {fk} is gone")
    return [f"{case.label}: {f.object}: {p} (hint: {f.fix_hint})" for p in problems]


def _pg_text(col: str, type_name: str) -> str:
    """A column's values as comparable text, across the conversions fixes make."""
    q = psycopg.sql.Identifier(col).as_string(None)
    if type_name.startswith("timestamp") and type_name.endswith("with time zone"):
        return f"({q} AT TIME ZONE 'UTC')::text"
    if type_name == "money":
        return f"{q}::numeric::text"
    if type_name == "json":
        return f"{q}::jsonb::text"
    return f"{q}::text"


_PG_SCHEMAS = (
    "n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'"
)


def _table_data(
    rows: list[tuple[Any, ...]], cols: list[str], types: list[tuple[str, int]]
) -> TableData:
    return TableData(
        len(rows),
        {c: sorted(r[i] for r in rows if r[i] is not None) for i, c in enumerate(cols)},
        dict(zip(cols, types, strict=True)),
    )


def pg_snapshot(conn: psycopg.Connection[Any]) -> Snapshot:
    rels = conn.execute(
        "SELECT c.oid, c.oid::regclass::text FROM pg_class c JOIN pg_namespace n "
        f"ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND {_PG_SCHEMAS}"
    ).fetchall()
    tables: dict[str, TableData] = {}
    for oid, rel in rels:
        cols = conn.execute(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typcategory, "
            "CASE WHEN t.typname IN ('int2', 'int4', 'int8') THEN t.typlen ELSE 0 END "
            "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
            "WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            (oid,),
        ).fetchall()
        exprs = ", ".join(_pg_text(c, t) for c, t, _, _ in cols) or "NULL"
        rows = conn.execute(f"SELECT {exprs} FROM ONLY {rel}").fetchall()
        tables[rel] = _table_data(rows, [c[0] for c in cols], [(c[2], c[3]) for c in cols])
    uniques = set()
    for rel, keys, pred in conn.execute(
        "SELECT i.indrelid::regclass::text, "
        "array(SELECT pg_get_indexdef(i.indexrelid, k, true) "
        "      FROM generate_series(1, i.indnkeyatts) k), pg_get_expr(i.indpred, i.indrelid) "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        f"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE i.indisunique AND {_PG_SCHEMAS}"
    ).fetchall():
        where = f"WHERE {pred}" if pred else ""
        row = conn.execute(f"SELECT count(*) FROM ONLY {rel} {where}").fetchone()
        if row is not None and row[0] > 0:
            uniques.add((rel, tuple(keys)))
    fks = conn.execute(
        "SELECT c.conrelid::regclass::text, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        f"JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND {_PG_SCHEMAS}"
    ).fetchall()
    return Snapshot(tables, uniques, {(t, d) for t, d in fks})


def mysql_snapshot(conn: Any) -> Snapshot:
    widths = {"tinyint": 1, "smallint": 2, "mediumint": 3, "int": 4, "bigint": 8}
    tables: dict[str, TableData] = {}
    with conn.cursor() as cur:
        cur.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position"
        )
        by_table: dict[str, list[tuple[str, str]]] = {}
        for t, c, dt in cur.fetchall():
            by_table.setdefault(t, []).append((c, dt))
        for t, cols in by_table.items():
            exprs = ", ".join(f"CAST(`{c}` AS CHAR)" for c, _ in cols)
            cur.execute(f"SELECT {exprs} FROM `{t}`")
            types = [(dt if dt not in widths else "int", widths.get(dt, 0)) for _, dt in cols]
            tables[t] = _table_data(list(cur.fetchall()), [c for c, _ in cols], types)
        cur.execute(
            "SELECT table_name, index_name, column_name FROM information_schema.statistics "
            "WHERE table_schema = DATABASE() AND non_unique = 0 "
            "ORDER BY table_name, index_name, seq_in_index"
        )
        keys: dict[tuple[str, str], list[str]] = {}
        for t, i, c in cur.fetchall():
            keys.setdefault((t, i), []).append(c)
        uniques = set()
        for (t, _), cols in keys.items():
            held = " AND ".join(f"`{c}` IS NOT NULL" for c in cols)
            cur.execute(f"SELECT count(*) FROM `{t}` WHERE {held}")
            if cur.fetchone()[0] > 0:
                uniques.add((t, tuple(cols)))
        cur.execute(
            "SELECT table_name, constraint_name, column_name, referenced_table_name, "
            "referenced_column_name FROM information_schema.key_column_usage "
            "WHERE table_schema = DATABASE() AND referenced_table_name IS NOT NULL "
            "ORDER BY table_name, constraint_name, ordinal_position"
        )
        fk: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        for t, name, c, rt, rc in cur.fetchall():
            fk.setdefault((t, name), []).append((c, rt, rc))
    return Snapshot(tables, uniques, {(t, repr(v)) for (t, _), v in fk.items()})


def sqlite_snapshot(conn: sqlite3.Connection) -> Snapshot:
    def q(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    tables: dict[str, TableData] = {}
    uniques = set()
    fks = set()
    names = conn.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for (t,) in names:
        info = conn.execute(f"PRAGMA table_info({q(t)})").fetchall()
        cols = [r[1] for r in info]
        exprs = ", ".join(f"CAST({q(c)} AS TEXT)" for c in cols)
        rows = conn.execute(f"SELECT {exprs} FROM {q(t)}").fetchall()
        tables[t] = _table_data(rows, cols, [(str(r[2]).upper(), 0) for r in info])
        for _, name, unique, _, partial in conn.execute(f"PRAGMA index_list({q(t)})"):
            if not unique:
                continue
            key = tuple(r[2] for r in conn.execute(f"PRAGMA index_info({q(name)})"))
            where = ""
            if partial:
                sql = conn.execute(
                    "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?", (name,)
                ).fetchone()[0]
                where = "WHERE " + sql[sql.upper().rindex(" WHERE ") + 7 :]
            if conn.execute(f"SELECT count(*) FROM {q(t)} {where}").fetchone()[0] > 0:
                uniques.add((t, key))
        for r in conn.execute(f"PRAGMA foreign_key_list({q(t)})"):
            fks.add((t, repr(r[2:5])))
    return Snapshot(tables, uniques, fks)


def _empty_tables(snap: Snapshot) -> list[str]:
    return sorted(t for t, d in snap.tables.items() if d.rows == 0)


# --------------------------------------------------------------------------- PostgreSQL


class _Inspected(Exception):
    """Raised inside the savepoint to roll the hint back once inspected."""


def _pg_case(url: str, case: Case, schema: Schema, problems: list[str]) -> int:
    """Load the case in one transaction, run each SQL hint in a savepoint; returns how many
    hints ran. Everything is rolled back."""
    ran = 0
    with closing(connect(url)) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        for stmt in script_statements(case.sql):
            conn.execute(stmt.encode())  # type: ignore[call-overload]
        datagen.load(conn, schema, ROWS, analyze=False)
        before = pg_snapshot(conn)
        if _empty_tables(before):
            problems.append(f"{case.label}: no rows in {_empty_tables(before)}")
        for f in sql_hints(case):
            try:
                with conn.transaction():
                    conn.execute(f.fix_hint.encode())  # type: ignore[call-overload]
                    problems += _compare(case, f, before, pg_snapshot(conn))
                    raise _Inspected
            except _Inspected:
                ran += 1
            except psycopg.Error as e:
                problems.append(f"{case.label}: {f.object}: {e} (hint: {f.fix_hint})")
        conn.rollback()
    return ran


def test_postgres_hints_run_and_keep_data(pg_scratch: str) -> None:
    problems: list[str] = []
    ran = 0
    for case in failing_cases("postgres"):
        if not sql_hints(case):
            continue
        schema = read_sql(case.sql, "postgres")
        try:
            ran += _pg_case(pg_scratch, case, schema, problems)
        except Exception as e:  # loading the case or its rows failed
            problems.append(f"{case.label}: could not load: {e}")
    assert not problems, "\n".join(problems)
    assert ran >= FLOOR["postgres"], f"only {ran} SQL hints ran on PostgreSQL"
    print(f"postgres: {ran} SQL hints ran")


# --------------------------------------------------------------------------- MySQL and SQLite


def _each_hint(
    case: Case,
    fresh: Callable[[], Any],
    run: Callable[[Any, str], None],
    snapshot: Callable[[Any], Snapshot],
    problems: list[str],
) -> int:
    """Run each SQL hint of ``case`` on a freshly loaded database (DDL commits on MySQL)."""
    ran = 0
    for f in sql_hints(case):
        with fresh() as conn:
            before = snapshot(conn)
            if _empty_tables(before):
                problems.append(f"{case.label}: no rows in {_empty_tables(before)}")
            try:
                run(conn, f.fix_hint)
            except Exception as e:
                problems.append(f"{case.label}: {f.object}: {e} (hint: {f.fix_hint})")
                continue
            ran += 1
            problems += _compare(case, f, before, snapshot(conn))
    return ran


def _mysql_fresh(server: str, case: Case) -> Callable[[], Any]:
    from contextlib import contextmanager

    @contextmanager
    def fresh() -> Iterator[Any]:
        with mysql_scratch_database(server) as url:
            load_mysql(url, case.sql)
            datagen.load(url, read_sql(case.sql, "mysql"), ROWS, analyze=False)
            conn = connect_mysql(url, autocommit=True)
            try:
                yield conn
            finally:
                conn.close()

    return fresh


def _mysql_run(conn: Any, hint: str) -> None:
    _, statements = split_script(hint)
    with conn.cursor() as cur:
        for st in statements:
            cur.execute(hint[st.start : st.end])


def test_mysql_hints_run_and_keep_data() -> None:
    server = mysql_server_url()
    problems: list[str] = []
    ran = 0
    for case in failing_cases("mysql"):
        if sql_hints(case):
            ran += _each_hint(
                case, _mysql_fresh(server, case), _mysql_run, mysql_snapshot, problems
            )
    assert not problems, "\n".join(problems)
    assert ran >= FLOOR["mysql"], f"only {ran} SQL hints ran on MariaDB"
    print(f"mysql: {ran} SQL hints ran")


def _sqlite_fresh(tmp: Path, case: Case) -> Callable[[], Any]:
    from contextlib import contextmanager

    @contextmanager
    def fresh() -> Iterator[sqlite3.Connection]:
        path = tmp / f"{case.code}-{case.n}.db"
        path.unlink(missing_ok=True)
        with closing(sqlite3.connect(path)) as conn:
            conn.executescript(case.sql)
            conn.commit()
        datagen.load(path, read_sql(case.sql, "sqlite"), ROWS, analyze=False)
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA foreign_keys = ON")
            yield conn

    return fresh


def _sqlite_run(conn: sqlite3.Connection, hint: str) -> None:
    conn.executescript(hint)
    bad = conn.execute("PRAGMA foreign_key_check").fetchall()
    assert not bad, f"foreign keys broken: {bad}"


def test_sqlite_hints_run_and_keep_data(tmp_path: Path) -> None:
    problems: list[str] = []
    ran = 0
    for case in failing_cases("sqlite"):
        if sql_hints(case):
            fresh = _sqlite_fresh(tmp_path, case)
            ran += _each_hint(case, fresh, _sqlite_run, sqlite_snapshot, problems)
    assert not problems, "\n".join(problems)
    assert ran >= FLOOR["sqlite"], f"only {ran} SQL hints ran on SQLite"
    print(f"sqlite: {ran} SQL hints ran")
