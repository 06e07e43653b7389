"""What SQLite and MySQL cannot express: a model read from another dialect's DDL (PostgreSQL, or
SQLite for names MySQL cannot hold) and emitted for SQLite or MySQL is refused with one
:class:`UnsupportedError` that names every construct it cannot write and the object it is on,
never SQL that builds something else.

A user meets these refusals through ``dbdesign datagen FILE --create --db sqlite:///...`` or
``--db mysql://...`` (the schema of FILE is emitted for the target's dialect): exit 2, one line,
and nothing created in the target. Every case runs through the API and through that command.

The PostgreSQL cases put their objects in a schema named ``main`` (SQLite's and this tool's
MySQL namespace), so each refusal comes from the construct itself and not only from the schema
it is in; ``public`` is always there in a PostgreSQL model, so "namespace public" is refused
too (case ``plain_public_table`` shows what a plain PostgreSQL table meets).

``test_every_refusal_site_is_exercised`` reads the refusal sites (every problem the two
emitters' ``_unsupported`` can report) from the source with :mod:`ast` and fails when one has
no case here.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dbdesign import api, engine
from dbdesign.emit import mysql as emit_mysql
from dbdesign.emit import sqlite as emit_sqlite
from dbdesign.errors import UnsupportedError
from dbdesign.model import FrozenMap, Schema
from dbdesign.readers.ddl.postgres import read_ddl as read_postgres
from dbdesign.readers.ddl.sqlite import read_ddl as read_sqlite
from tests.mysqlload import mysql_server_url
from tests.paths import ROOT

HEAD = "CREATE SCHEMA main;\nSET search_path = main;\nCREATE TABLE plain (id bigint);\n"
UNKNOWN = "(canonical MySQL names: int, varchar, datetime ...)"
LONG = "x" * 70
MYSQL_TRIGGER = (
    "MySQL triggers are BEFORE/AFTER one of INSERT, UPDATE or DELETE, FOR EACH ROW, with a body "
    "and no WHEN or UPDATE OF"
)
TRIGGER_FN = "CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\n"


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    ddl: str
    sqlite: tuple[str, ...] = ()  # problems the SQLite emitter must report (none: not checked)
    mysql: tuple[str, ...] = ()
    source: str = "postgres"  # the DDL's dialect; "model": PostgreSQL DDL, then ``edit``

    def schema(self) -> Schema:
        if self.source == "sqlite":
            return read_sqlite(self.ddl)
        s = read_postgres(self.ddl if self.id == "plain_public_table" else HEAD + self.ddl)
        return _without_returns(s) if self.source == "model" else s

    def expected(self, target: str) -> tuple[str, ...]:
        return self.sqlite if target == "sqlite" else self.mysql


def _without_returns(s: Schema) -> Schema:
    """A function without RETURNS: no reader makes one (PostgreSQL fills in the OUT type), but
    a model built by hand or loaded from JSON can hold one."""
    key, f = next(iter(s.functions.items()))
    return dataclasses.replace(s, functions=FrozenMap({key: dataclasses.replace(f, returns=None)}))


def _both(*problems: str) -> dict[str, tuple[str, ...]]:
    return {"sqlite": problems, "mysql": problems}


CASES = [
    Case(
        "plain_public_table",
        "CREATE TABLE t (id integer);",
        sqlite=("namespace public", "table public.t outside the main schema"),
        mysql=(
            "namespace public",
            "table public.t outside the database (main)",
            f"column public.t.id: unknown type 'integer' {UNKNOWN}",
        ),
    ),
    Case("sequence", "CREATE SEQUENCE s;", **_both("sequence main.s")),
    Case(
        "enum",
        "CREATE TYPE mood AS ENUM ('a', 'b');",
        sqlite=("enum type main.mood",),
        mysql=("enum type (MySQL enums are column types: enum('a','b')) main.mood",),
    ),
    Case(
        "domain", "CREATE DOMAIN posint AS bigint CHECK (VALUE > 0);", **_both("domain main.posint")
    ),
    Case(
        "composite_type",
        "CREATE TYPE pair AS (a bigint, b text);",
        **_both("composite type main.pair"),
    ),
    Case(
        "sql_function",
        "CREATE FUNCTION f(x bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT x';",
        sqlite=("function main.f(bigint)",),
    ),
    Case(
        "rule",
        "CREATE TABLE t (id bigint);\nCREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING;",
        **_both("rule main.t.r"),
    ),
    Case(
        "row_level_security_policy",
        "CREATE TABLE t (id bigint);\nALTER TABLE t ENABLE ROW LEVEL SECURITY;\n"
        "CREATE POLICY p ON t USING (id > 0);",
        sqlite=("policy main.t.p", "storage options, row security or grants on main.t"),
        mysql=("policy main.t.p", "storage parameters, row security or grants on main.t"),
    ),
    Case("extension", "CREATE EXTENSION IF NOT EXISTS pgcrypto;", **_both("extension pgcrypto")),
    Case("collation", 'CREATE COLLATION bytes FROM "C";', **_both("collation main.bytes")),
    Case("other_namespace", "CREATE SCHEMA other;", **_both("namespace other")),
    Case(
        "table_in_other_namespace",
        "CREATE SCHEMA other;\nCREATE TABLE other.t (id bigint);",
        sqlite=("namespace other", "table other.t outside the main schema"),
        mysql=("namespace other", "table other.t outside the database (main)"),
    ),
    Case(
        "exclusion_constraint_and_range_type",
        "CREATE TABLE t (id bigint, r tstzrange, EXCLUDE USING gist (r WITH &&));",
        sqlite=("exclusion constraints on main.t",),
        mysql=(
            "exclusion constraints on main.t",
            f"column main.t.r: unknown type 'tstzrange' {UNKNOWN}",
        ),
    ),
    Case(
        "partitioned_table",
        "CREATE TABLE t (id bigint, d date) PARTITION BY RANGE (d);",
        **_both("partitioning or inheritance of main.t"),
    ),
    Case(
        "inheritance",
        "CREATE TABLE p (id bigint);\nCREATE TABLE c (x text) INHERITS (p);",
        **_both("partitioning or inheritance of main.c"),
    ),
    Case(
        "unlogged_table",
        "CREATE UNLOGGED TABLE t (id bigint);",
        sqlite=("storage options, row security or grants on main.t",),
        mysql=("storage parameters, row security or grants on main.t",),
    ),
    Case(
        "storage_parameter",
        "CREATE TABLE t (id bigint) WITH (fillfactor = 70);",
        sqlite=("storage options, row security or grants on main.t",),
        mysql=("storage parameters, row security or grants on main.t",),
    ),
    Case(
        "table_grant",
        "CREATE TABLE t (id bigint);\nGRANT SELECT ON t TO PUBLIC;",
        sqlite=("storage options, row security or grants on main.t",),
        mysql=("storage parameters, row security or grants on main.t",),
    ),
    Case(
        "identity_always",
        "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY);",
        sqlite=("identity column main.t.id",),
        mysql=(
            "identity options on main.t.id (AUTO_INCREMENT has none; use Identity(always=False))",
        ),
    ),
    Case(
        "two_identity_columns",
        "CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY,\n"
        "  n bigint GENERATED BY DEFAULT AS IDENTITY);",
        sqlite=("identity column main.t.id", "identity column main.t.n"),
        mysql=("more than one AUTO_INCREMENT column in main.t",),
    ),
    Case(
        "array_type",
        "CREATE TABLE t (tags text[]);",
        sqlite=("array column main.t.tags",),
        mysql=("column main.t.tags: arrays",),
    ),
    Case(
        "types_mysql_lacks",
        "CREATE TABLE t (a double precision, b timestamptz, c interval, d varchar(5));",
        mysql=(
            "column main.t.a: attributes 'precision' on double",
            "column main.t.b: attributes 'with time zone' on timestamp",
            f"column main.t.c: unknown type 'interval' {UNKNOWN}",
            f"column main.t.d: unknown type 'character varying' {UNKNOWN}",
        ),
    ),
    Case(
        "deferrable_primary_key",
        "CREATE TABLE t (id bigint, CONSTRAINT t_pk PRIMARY KEY (id) DEFERRABLE);",
        sqlite=("INCLUDE or DEFERRABLE on primary key t_pk",),
        mysql=("INCLUDE or DEFERRABLE on the primary key of main.t",),
    ),
    Case(
        "primary_key_include",
        "CREATE TABLE t (id bigint, x text, CONSTRAINT t_pk PRIMARY KEY (id) INCLUDE (x));",
        sqlite=("INCLUDE or DEFERRABLE on primary key t_pk",),
        mysql=("INCLUDE or DEFERRABLE on the primary key of main.t",),
    ),
    Case(
        "unique_nulls_not_distinct",
        "CREATE TABLE t (id bigint, CONSTRAINT t_u UNIQUE NULLS NOT DISTINCT (id));",
        **_both("INCLUDE, DEFERRABLE or NULLS NOT DISTINCT on t_u"),
    ),
    Case(
        "deferrable_unique",
        "CREATE TABLE t (id bigint, CONSTRAINT t_u UNIQUE (id) DEFERRABLE INITIALLY DEFERRED);",
        **_both("INCLUDE, DEFERRABLE or NULLS NOT DISTINCT on t_u"),
    ),
    Case(
        "foreign_key_match_full",
        "CREATE TABLE p (a bigint, b bigint, PRIMARY KEY (a, b));\n"
        "CREATE TABLE c (a bigint, b bigint,\n"
        "  CONSTRAINT c_fk FOREIGN KEY (a, b) REFERENCES p (a, b) MATCH FULL);",
        sqlite=("MATCH or DEFERRABLE INITIALLY IMMEDIATE on c_fk",),
        mysql=("MATCH, DEFERRABLE or NOT VALID on c_fk",),
    ),
    Case(
        "foreign_key_deferrable_initially_immediate",
        "CREATE TABLE p (a bigint PRIMARY KEY);\n"
        "CREATE TABLE c (a bigint CONSTRAINT c_fk REFERENCES p (a) DEFERRABLE);",
        sqlite=("MATCH or DEFERRABLE INITIALLY IMMEDIATE on c_fk",),
        mysql=("MATCH, DEFERRABLE or NOT VALID on c_fk",),
    ),
    Case(
        "foreign_key_to_other_schema",
        "CREATE TABLE public.p (a bigint PRIMARY KEY);\n"
        "CREATE TABLE c (a bigint CONSTRAINT c_fk REFERENCES public.p (a));",
        sqlite=("foreign key c_fk to another schema", "table public.p outside the main schema"),
        mysql=("table public.p outside the database (main)",),
    ),
    Case(
        "foreign_key_not_valid",
        "CREATE TABLE p (a bigint PRIMARY KEY);\nCREATE TABLE c (a bigint);\n"
        "ALTER TABLE c ADD CONSTRAINT c_fk FOREIGN KEY (a) REFERENCES p (a) NOT VALID;",
        sqlite=("NOT VALID on foreign key c_fk",),
        mysql=("MATCH, DEFERRABLE or NOT VALID on c_fk",),
    ),
    Case(
        "foreign_key_set_default",
        "CREATE TABLE p (a bigint PRIMARY KEY);\n"
        "CREATE TABLE c (a bigint CONSTRAINT c_fk REFERENCES p (a) ON DELETE SET DEFAULT);",
        mysql=("SET DEFAULT on c_fk (InnoDB refuses it)",),
    ),
    Case(
        "foreign_key_set_null_columns",
        "CREATE TABLE p (t bigint, a bigint, PRIMARY KEY (t, a));\n"
        "CREATE TABLE c (t bigint NOT NULL, a bigint,\n"
        "  CONSTRAINT c_fk FOREIGN KEY (t, a) REFERENCES p (t, a) ON DELETE SET NULL (a));",
        sqlite=("ON DELETE SET NULL (columns) on c_fk",),
        mysql=("ON DELETE SET NULL (columns) on c_fk",),
    ),
    Case(
        "check_not_valid",
        "CREATE TABLE t (a bigint);\nALTER TABLE t ADD CONSTRAINT t_ck CHECK (a > 0) NOT VALID;",
        sqlite=("NOT VALID on check t_ck",),
        mysql=("NOT VALID or NO INHERIT on check t_ck",),
    ),
    Case(
        "check_no_inherit",
        "CREATE TABLE t (a bigint, CONSTRAINT t_ck CHECK (a > 0) NO INHERIT);",
        mysql=("NOT VALID or NO INHERIT on check t_ck",),
    ),
    Case(
        "hash_index",
        "CREATE TABLE t (a bigint);\nCREATE INDEX t_h ON t USING hash (a);",
        sqlite=("index method, INCLUDE or NULLS NOT DISTINCT on main.t_h",),
    ),
    Case(
        "gin_index",
        "CREATE TABLE t (a jsonb);\nCREATE INDEX t_g ON t USING gin (a);",
        sqlite=("index method, INCLUDE or NULLS NOT DISTINCT on main.t_g",),
        mysql=("index method gin of t_g", f"column main.t.a: unknown type 'jsonb' {UNKNOWN}"),
    ),
    Case(
        "index_include",
        "CREATE TABLE t (a bigint, b bigint);\nCREATE INDEX t_i ON t (a) INCLUDE (b);",
        sqlite=("index method, INCLUDE or NULLS NOT DISTINCT on main.t_i",),
        mysql=("partial index, INCLUDE or NULLS NOT DISTINCT on t_i",),
    ),
    Case(
        "unique_index_nulls_not_distinct",
        "CREATE TABLE t (a bigint);\nCREATE UNIQUE INDEX t_u ON t (a) NULLS NOT DISTINCT;",
        sqlite=("index method, INCLUDE or NULLS NOT DISTINCT on main.t_u",),
        mysql=("partial index, INCLUDE or NULLS NOT DISTINCT on t_u",),
    ),
    Case(
        "partial_index",
        "CREATE TABLE t (a bigint);\nCREATE INDEX t_p ON t (a) WHERE a > 0;",
        mysql=("partial index, INCLUDE or NULLS NOT DISTINCT on t_p",),
    ),
    Case(
        "expression_index",
        "CREATE TABLE t (a text);\nCREATE INDEX t_e ON t (lower(a));",
        mysql=("expression key part in t_e (MariaDB has no functional index)",),
    ),
    Case(
        "index_operator_class",
        "CREATE TABLE t (a text);\nCREATE INDEX t_o ON t (a text_pattern_ops);",
        sqlite=("operator class or NULLS FIRST/LAST in main.t_o",),
        mysql=("operator class, collation or NULLS FIRST/LAST in t_o",),
    ),
    Case(
        "index_nulls_first",
        "CREATE TABLE t (a bigint);\nCREATE INDEX t_n ON t (a NULLS FIRST);",
        sqlite=("operator class or NULLS FIRST/LAST in main.t_n",),
        mysql=("operator class, collation or NULLS FIRST/LAST in t_n",),
    ),
    Case(
        "index_collation",
        'CREATE TABLE t (a text);\nCREATE INDEX t_c ON t (a COLLATE "C");',
        mysql=("operator class, collation or NULLS FIRST/LAST in t_c",),
    ),
    Case(
        "column_collation",
        'CREATE TABLE t (a text COLLATE "C");',
        mysql=("collation 'C' of main.t.a",),
    ),
    Case(
        "materialized_view",
        "CREATE TABLE t (a bigint);\nCREATE MATERIALIZED VIEW mv AS SELECT a FROM t;",
        sqlite=("materialized view, view options or grants on main.mv",),
        mysql=("materialized view or grants on main.mv",),
    ),
    Case(
        "index_on_materialized_view",
        "CREATE TABLE t (a bigint);\nCREATE MATERIALIZED VIEW mv AS SELECT a FROM t;\n"
        "CREATE INDEX mv_a ON mv (a);",
        mysql=("index mv_a on a missing table main.mv",),
    ),
    Case(
        "view_options",
        "CREATE TABLE t (a bigint);\nCREATE VIEW v WITH (security_barrier) AS SELECT a FROM t;",
        sqlite=("materialized view, view options or grants on main.v",),
        mysql=("view options security_barrier=true on main.v",),
    ),
    Case(
        "view_check_option",
        "CREATE TABLE t (a bigint);\n"
        "CREATE VIEW v AS SELECT a FROM t WHERE a > 0 WITH CHECK OPTION;",
        sqlite=("materialized view, view options or grants on main.v",),
    ),
    Case(
        "view_grant",
        "CREATE TABLE t (a bigint);\nCREATE VIEW v AS SELECT a FROM t;\n"
        "GRANT SELECT ON v TO PUBLIC;",
        sqlite=("materialized view, view options or grants on main.v",),
        mysql=("materialized view or grants on main.v",),
    ),
    Case(
        "trigger_executing_a_function",
        "CREATE TABLE t (a bigint);\n" + TRIGGER_FN + "CREATE TRIGGER tr BEFORE INSERT ON t "
        "FOR EACH ROW EXECUTE FUNCTION tf();",
        sqlite=(
            "function main.tf()",
            "trigger main.t.tr: SQLite triggers are FOR EACH ROW, one event, with a BEGIN ... "
            "END body",
        ),
        mysql=(
            f"trigger main.t.tr: {MYSQL_TRIGGER}",
            "function main.tf(): language plpgsql, VOLATILE",
        ),
    ),
    Case(
        "strict_function",
        "CREATE FUNCTION f(x bigint) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT\n"
        "  AS 'SELECT x';",
        mysql=("STRICT, LEAKPROOF, PARALLEL or grants on main.f(bigint)",),
    ),
    Case(
        "function_setting",
        "CREATE FUNCTION f(x bigint) RETURNS bigint LANGUAGE sql IMMUTABLE\n"
        "  SET search_path = main AS 'SELECT x';",
        mysql=("settings search_path=main on main.f(bigint)",),
    ),
    Case(
        "function_out_argument",
        "CREATE FUNCTION f(x bigint, OUT y bigint) LANGUAGE sql IMMUTABLE AS 'SELECT x';",
        mysql=("argument y of main.f(bigint): functions take IN arguments",),
    ),
    Case(
        "function_unnamed_argument",
        "CREATE FUNCTION f(bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT $1';",
        mysql=("argument ? of main.f(bigint): default, mode or no name",),
    ),
    Case(
        "function_argument_default",
        "CREATE FUNCTION f(x bigint DEFAULT 1) RETURNS bigint LANGUAGE sql IMMUTABLE\n"
        "  AS 'SELECT x';",
        mysql=("argument x of main.f(bigint): default, mode or no name",),
    ),
    Case(
        "function_argument_type",
        "CREATE FUNCTION f(x interval) RETURNS bigint LANGUAGE sql IMMUTABLE\n"
        "  AS 'SELECT 1::bigint';",
        mysql=("type 'interval' in main.f(interval): unknown data type 'INTERVAL'",),
    ),
    Case(
        "stable_function",
        "CREATE FUNCTION f(x bigint) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT x';",
        mysql=("function main.f(bigint): language sql, STABLE",),
    ),
    Case(
        "aggregate",
        "CREATE AGGREGATE total (bigint) (SFUNC = int8pl, STYPE = bigint);",
        mysql=("aggregate main.total(bigint): language internal, IMMUTABLE",),
    ),
    Case(
        "function_without_returns",
        "CREATE FUNCTION f(x bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT x';",
        mysql=("function main.f(bigint) without RETURNS",),
        source="model",
    ),
    Case(
        "names_longer_than_64",
        f"CREATE TABLE p (id int PRIMARY KEY);\n"
        f"CREATE TABLE {LONG} (id int PRIMARY KEY, {LONG}c int, a int,\n"
        f"  CONSTRAINT {LONG}u UNIQUE (a), CONSTRAINT {LONG}f FOREIGN KEY (a) REFERENCES p);\n"
        f"CREATE INDEX {LONG}i ON {LONG} (a);",
        mysql=(
            *(
                f"{kind} name {LONG[:20]}... is longer than 64 characters"
                for kind in ("table", "column", "key", "constraint", "index")
            ),
            f"foreign key {LONG}f without referenced columns",
        ),
        source="sqlite",
    ),
]

TARGETS = ("sqlite", "mysql")
PREFIX = {"sqlite": "SQLite cannot express: ", "mysql": "MySQL cannot express: "}
EMITTERS = {"sqlite": emit_sqlite, "mysql": emit_mysql}
PAIRS = [pytest.param(c, t, id=f"{c.id}-{t}") for c in CASES for t in TARGETS if c.expected(t)]


# --------------------------------------------------------------------------- the API


@pytest.mark.parametrize(("case", "target"), PAIRS)
def test_emit_refuses_naming_the_object(case: Case, target: str) -> None:
    schema = case.schema()
    with pytest.raises(UnsupportedError) as e:
        api.emit(schema, target)
    message = str(e.value)
    assert message.startswith(PREFIX[target]), message
    problems = EMITTERS[target]._unsupported(schema)
    assert message == PREFIX[target] + "; ".join(problems)
    missing = [p for p in case.expected(target) if p not in problems]
    assert missing == [], problems


# --------------------------------------------------------------------------- the refusal sites


def _template(node: ast.expr) -> str:
    """A regular expression for the text an f-string (or a concatenation) makes."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value)
    if isinstance(node, ast.JoinedStr):
        return "".join(
            re.escape(v.value) if isinstance(v, ast.Constant) else ".+" for v in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _template(node.left) + _template(node.right)
    raise AssertionError(f"line {node.lineno}: a refusal text this test cannot read")


def refusal_sites(source: str) -> list[tuple[int, str]]:
    """``(line, pattern)`` of every problem ``_unsupported`` in ``source`` (with the
    ``_unsupported_*`` functions it splits its refusals into) can report: each
    ``problems.append(...)``, each ``_long(kind, ...)`` (a name too long) and each kind of
    object in a ``for what, coll in (...)`` table (all refused, as ``{what} {key}``)."""
    tree = ast.parse(source)
    fns = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef)
        and (n.name == "_unsupported" or n.name.startswith("_unsupported_"))
    ]
    assert any(fn.name == "_unsupported" for fn in fns), "no _unsupported in the source"
    sites = []
    for n in (n for fn in fns for n in ast.walk(fn)):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
            if n.func.attr == "append":
                sites.append((n.lineno, _template(n.args[0])))
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_long":
            kind = _template(n.args[0])
            sites.append((n.lineno, f"{kind} name .+\\.\\.\\. is longer than \\d+ characters"))
        elif isinstance(n, ast.For) and isinstance(n.iter, ast.Tuple):
            for e in n.iter.elts:
                assert isinstance(e, ast.Tuple) and isinstance(e.elts[0], ast.Constant)
                sites.append((e.lineno, re.escape(str(e.elts[0].value)) + " .+"))
    return sorted(sites)


def test_the_site_reader_on_synthetic_code() -> None:
    code = (
        "def _unsupported(schema):\n"
        "    problems = []\n"
        "    for what, coll in (('sequence', schema.sequences), ('rule', schema.rules)):\n"
        "        problems += [f'{what} {k}' for k in coll]\n"
        "    for t in schema.tables.values():\n"
        "        problems += [p for p in [_long('table', t.name)] if p]\n"
        "        problems.append(f'exclusion constraints on {t.key}')\n"
        "        problems.append('a ' + f'{t.key} b')\n"
        "    return problems\n"
    )
    sites = refusal_sites(code)
    assert [line for line, _ in sites] == [3, 3, 6, 7, 8]

    def matched(text: str) -> list[int]:
        return [line for line, p in sites if re.fullmatch(p, text)]

    assert matched("sequence main.s") == [3] and matched("rule main.t.r") == [3]
    assert matched("table name xxxxxxxxxxxxxxxxxxxx... is longer than 64 characters") == [6]
    assert matched("exclusion constraints on main.t") == [7]
    assert matched("exclusion constraint on main.t") == []
    assert matched("a main.t b") == [8]


def test_the_site_reader_follows_the_split_refusals() -> None:
    code = (
        "def _unsupported(schema):\n"
        "    return [p for v in schema.views.values() for p in _unsupported_view(v)]\n"
        "def _unsupported_view(v):\n"
        "    problems = []\n"
        "    problems.append(f'materialized view {v.key}')\n"
        "    return problems\n"
        "def _other(out):\n"
        "    out.append('not a refusal')\n"
    )
    assert [line for line, _ in refusal_sites(code)] == [5]


@pytest.mark.parametrize("target", TARGETS)
def test_every_refusal_site_is_exercised(target: str) -> None:
    path = ROOT / "src" / "dbdesign" / "emit" / f"{target}.py"
    sites = refusal_sites(path.read_text(encoding="utf-8"))
    assert len(sites) >= 20, sites  # the reader found the table of refusals
    expected = [p for c in CASES for p in c.expected(target)]
    unexercised = [
        f"{path.name}:{line}: {pattern}"
        for line, pattern in sites
        if not any(re.fullmatch(pattern, p) for p in expected)
    ]
    assert unexercised == [], "refusal sites without a case in CASES"


# --------------------------------------------------------------------------- the command


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _source_file(case: Case, folder: Path) -> tuple[Path, str]:
    """The case's DDL as a file, and its dialect."""
    path = folder / f"{case.id}.sql"
    text = (
        case.ddl if case.source == "sqlite" or case.id == "plain_public_table" else HEAD + case.ddl
    )
    path.write_text(text)
    return path, case.source


def _one_refusal(r: subprocess.CompletedProcess[str], case: Case, target: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("dbdesign: error: " + PREFIX[target]), lines[0]
    for p in case.expected(target):
        assert p in lines[0], (p, lines[0])
    assert r.stdout == ""


# the ``model`` case has no file form (no DDL reads as a function without RETURNS)
CLI_PAIRS = [p for p in PAIRS if p.values[0].source != "model"]  # type: ignore[union-attr]
SQLITE_PAIRS = [p for p in CLI_PAIRS if p.values[1] == "sqlite"]
MYSQL_PAIRS = [p for p in CLI_PAIRS if p.values[1] == "mysql"]


@pytest.mark.parametrize(("case", "target"), SQLITE_PAIRS)
def test_datagen_create_in_sqlite_refuses(case: Case, target: str, tmp_path: Path) -> None:
    path, dialect = _source_file(case, tmp_path)
    db = tmp_path / "target.db"
    r = _run("datagen", str(path), "--dialect", dialect, "--create", "--db", f"sqlite:///{db}",
             "-r", "*=1")  # fmt: skip
    _one_refusal(r, case, target)
    if db.exists():  # created empty (see test_a_refused_sqlite_target_is_not_created)
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []
        conn.close()


@pytest.fixture(scope="module")
def mysql_target() -> Iterator[str]:
    with engine.mysql_scratch_database(mysql_server_url()) as url:
        yield url


def _mysql_tables(url: str) -> list[str]:
    conn = engine.connect_mysql(url, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = DATABASE()")  # fmt: skip
            tables = [str(r[0]) for r in cur.fetchall()]
            cur.execute("SELECT routine_name FROM information_schema.routines "
                        "WHERE routine_schema = DATABASE()")  # fmt: skip
            return tables + [str(r[0]) for r in cur.fetchall()]
    finally:
        conn.close()


@pytest.mark.parametrize(("case", "target"), MYSQL_PAIRS)
def test_datagen_create_in_mysql_refuses(
    case: Case, target: str, tmp_path: Path, mysql_target: str
) -> None:
    path, dialect = _source_file(case, tmp_path)
    r = _run("datagen", str(path), "--dialect", dialect, "--create", "--db", mysql_target,
             "-r", "*=1")  # fmt: skip
    _one_refusal(r, case, target)
    assert _mysql_tables(mysql_target) == []


def test_a_refused_sqlite_target_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "excl.sql"
    path.write_text(
        HEAD + "CREATE TABLE t (id bigint, r tstzrange, EXCLUDE USING gist (r WITH &&));"
    )
    db = tmp_path / "new.db"
    r = _run("datagen", str(path), "--create", "--db", f"sqlite:///{db}", "-r", "*=1")
    assert r.returncode == 2 and "exclusion constraints on main.t" in r.stderr
    assert not db.exists()


def test_virtual_tables_are_refused_where_the_dialect_has_none() -> None:
    """A SQLite design with an FTS5 table written for PostgreSQL or MySQL: refused, naming it
    (a writer that skipped it would drop the search index silently)."""
    from dbdesign.design import design
    from dbdesign.emit import emit_schema
    from dbdesign.readers import spec as S

    schema = design(S.load(ROOT / "examples" / "library.yaml"), "sqlite").schema
    assert "main.books_fts" in schema.virtual_tables
    assert "CREATE VIRTUAL TABLE books_fts USING fts5" in emit_schema(schema)
    for target in ("postgres", "mysql"):
        with pytest.raises(UnsupportedError, match=r"no virtual tables .*main\.books_fts"):
            emit_schema(schema, target)
