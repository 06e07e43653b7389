"""The MySQL DDL reader without a server: splitting, errors at file:line:col, warnings, the
canonical forms of types and expressions, the emitter's refusals, and fuzzing (only ParseError
ever escapes)."""

from __future__ import annotations

import contextlib
import dataclasses
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from tests.paths import MYSQL_CORPUS

from dbdesign.dialects.mysql import parse_type, quote_ident, quote_string, unquote_string
from dbdesign.emit.mysql import emit_schema
from dbdesign.errors import Diagnostic, ParseError, UnsupportedError
from dbdesign.model import (
    Column,
    DataType,
    Expr,
    FrozenMap,
    Identity,
    Index,
    IndexElement,
    Sequence,
)
from dbdesign.readers.ddl.mysql import read_ddl, read_path, split_script, tokenize

OWN_SET = sorted((Path(__file__).parents[2] / "integration" / "sql" / "mysql").glob("*.sql"))

# ------------------------------------------------------------------------------------------------
# splitting


def test_split_follows_delimiter_quotes_comments_and_version_comments() -> None:
    script = (
        "/*M!999999\\- enable the sandbox mode */\n"
        "SET x = 'a;b'; # comment; here\n"
        "-- another; comment\n"
        "/*!40101 SET NAMES utf8mb4 */;\n"
        "DELIMITER //\n"
        'CREATE PROCEDURE p() BEGIN SELECT 1; SELECT "x//y"; END //\n'
        "delimiter $$\n"
        "CREATE FUNCTION f() RETURNS INT RETURN 1$$\n"
        "DELIMITER ;\n"
        "/*!50003 CREATE*/ /*!50003 TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET @a = 1 */;\n"
        "SELECT `a;b` FROM t"
    )
    src, statements = split_script(script)
    assert [s.first for s in statements] == ["SET", "SET", "CREATE", "CREATE", "CREATE", "SELECT"]
    texts = [s.text.strip() for s in statements]
    assert texts[2] == 'CREATE PROCEDURE p() BEGIN SELECT 1; SELECT "x//y"; END'
    assert texts[3] == "CREATE FUNCTION f() RETURNS INT RETURN 1"
    # Version comments are code: their markers are blanked, offsets kept.
    assert " ".join(texts[4].split()) == (
        "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET @a = 1"
    )
    assert len(src.text) == len(script)
    # /*M!999999 is for a later server: a comment, not code.
    assert [t.text for t in tokenize(src, statements[0].start, statements[0].end)][:2] == [
        "SET",
        "x",
    ]


def test_non_utf8_dump_reads_with_a_warning(tmp_path: Path) -> None:
    f = tmp_path / "dump.sql"
    f.write_bytes(b"CREATE TABLE t (a BLOB);\nINSERT INTO t VALUES ('\xff\xfe');\n")
    warnings: list[Diagnostic] = []
    s = read_path(f, warn=warnings.append)
    assert list(s.tables) == ["main.t"]
    assert [(w.line, "UTF-8" in w.message) for w in warnings] == [(2, True)]


# ------------------------------------------------------------------------------------------------
# errors and warnings


@pytest.mark.parametrize(
    ("sql", "line", "col", "message"),
    [
        ("CREATE TABLE t (\n  a INT,\n  b INT NOT,\n);", 3, 9, "column attribute"),
        ("CREATE TABLE t (a INT);\n\nCREATE TABLE u (a INT CHECK (a >));", 3, 32, "a >"),
        ("INSERT INTO x VALUES ('a;b');\nCREATE TABLE t (a INT) ENGINE;", 2, 30, "engine"),
        ("SELECT 1;\n\n\n  INSERT INTO t VALUES ('unterminated);", 4, 25, "unterminated"),
        ("CREATE TABLE t (a INT);\nCREATE TABLE t (b INT);", 2, 1, "already exists"),
        ("CREATE TABLE t (a INT);\n-- x\nCREATE INDEX i ON missing (a);", 3, 1, "doesn't exist"),
        ("CREATE TABLE t (a INT, KEY (b));", 1, 24, "Key column 'b'"),
        ("CREATE TABLE t (a FOO(3));", 1, 19, "data type"),
        ("CREATE TABLE t (a INT AUTO_INCREMENT);", 1, 17, "auto column"),
        ("CREATE TABLE t (a INT PRIMARY KEY, b INT, PRIMARY KEY (b));", 1, 43, "primary key"),
        ("CREATE VIEW v AS SELECT FROM WHERE;", 1, 30, "syntax error"),
        (
            "DELIMITER //\nCREATE TABLE t (a INT)//\nCREATE TABLE u (a INT NOT NULL DEFAULT)//",
            3,
            39,
            "default value",
        ),
        ("/*!40101 SET NAMES utf8 */;\n/*!50001 CREATE TABLE t (a INT,) */;", 2, 32, "column"),
        ("CREATE TABLE t (a INT);\nALTER TABLE t DROP COLUMN b;", 2, 15, "DROP COLUMN"),
        ("CREATE TABLE t (a INT);\nALTER TABLE missing ADD b INT;", 2, 1, "doesn't exist"),
        ("CREATE TABLE t (a VARCHAR(10) CHARACTER SET);", 1, 44, "character set"),
        ("CREATE TABLE t (a INT, a INT);", 1, 24, "duplicate column"),
        ("CREATE TABLE t (e ENUM(1, 2));", 1, 24, "quoted enum value"),
        ("CREATE TRIGGER tr BEFORE INSERT ON nope FOR EACH ROW SET @a = 1;", 1, 1, "nope"),
        ("CREATE TABLE t (a INT DEFAULT (1 +));", 1, 34, "1 +"),
        ("CREATE TABLE `unterminated (a INT);", 1, 14, "unterminated quoted identifier"),
        ("CREATE TABLE t (a INT) /* open comment", 1, 24, "unterminated comment"),
    ],
)
def test_error_position(sql: str, line: int, col: int, message: str) -> None:
    with pytest.raises(ParseError) as info:
        read_ddl(sql, file="bad.sql")
    err = info.value
    assert (err.file, err.line, err.col) == ("bad.sql", line, col), str(err)
    assert str(err).startswith(f"bad.sql:{line}:{col}: ")
    assert message.lower() in err.message.lower(), err.message


def test_statements_outside_the_model_warn_with_file_and_line() -> None:
    warnings: list[Diagnostic] = []
    s = read_ddl(
        "USE app;\n"
        "CREATE TABLE t (a INT) PARTITION BY HASH (a) PARTITIONS 2;\n"
        "GRANT SELECT ON app.* TO 'u'@'%';\n"
        "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM t;\n"
        "CREATE TEMPORARY TABLE tmp (a INT);\n"
        "CREATE TABLE copy AS SELECT * FROM t;\n"
        "CREATE TABLE other.x (a INT);\n"
        "FROBNICATE t;\n"
        "INSERT INTO t VALUES (1); SET @x = 1; LOCK TABLES t WRITE; UNLOCK TABLES;\n",
        file="w.sql",
        warn=warnings.append,
    )
    assert list(s.tables) == ["main.t"]
    assert [(w.file, w.line) for w in warnings] == [("w.sql", n) for n in range(2, 9)]
    assert "PARTITION BY" in warnings[0].message
    assert "privileges" in warnings[1].message
    assert "other" in warnings[5].message
    # Without a callback warnings are dropped, never raised.
    assert read_ddl("FROBNICATE t;") == read_ddl("")


def test_database_qualifiers_of_the_current_database_are_dropped() -> None:
    s = read_ddl(
        "CREATE DATABASE shop; USE shop;\n"
        "CREATE TABLE shop.p (id INT PRIMARY KEY);\n"
        "CREATE TABLE c (p INT, FOREIGN KEY (p) REFERENCES shop.p (id));\n"
        "CREATE VIEW shop.v AS SELECT shop.p.id FROM shop.p;\n"
    )
    assert sorted(s.tables) == ["main.c", "main.p"]
    assert s.tables["main.c"].foreign_keys["c_ibfk_1"].ref_table == "main.p"
    assert s.views["main.v"].query == Expr("SELECT id FROM p", "mysql")


# ------------------------------------------------------------------------------------------------
# canonical forms


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("INT(11)", "int"),
        ("integer unsigned", "int unsigned"),
        ("INT(5) ZEROFILL", "int(5) unsigned zerofill"),
        ("BIGINT ZEROFILL", "bigint(20) unsigned zerofill"),
        ("TINYINT(1)", "boolean"),
        ("BOOL", "boolean"),
        ("TINYINT(1) UNSIGNED", "tinyint unsigned"),
        ("NUMERIC", "decimal(10,0)"),
        ("DEC(7)", "decimal(7,0)"),
        ("DECIMAL(10,2) UNSIGNED", "decimal(10,2) unsigned"),
        ("REAL", "double"),
        ("FLOAT(25)", "double"),
        ("FLOAT(24)", "float"),
        ("FLOAT(7,4)", "float(7,4)"),
        ("DOUBLE PRECISION", "double"),
        ("BIT", "bit(1)"),
        ("DATETIME(0)", "datetime"),
        ("TIMESTAMP(6)", "timestamp(6)"),
        ("YEAR(4)", "year"),
        ("CHAR", "char(1)"),
        ("NATIONAL CHARACTER VARYING(5)", "varchar(5)"),
        ("CHAR(3) BYTE", "binary(3)"),
        ("VARCHAR(9) CHARACTER SET binary", "varbinary(9)"),
        ("TEXT(300)", "text"),
        ("TEXT(60)", "tinytext"),
        ("LONG VARCHAR", "mediumtext"),
        ("LONG VARBINARY", "mediumblob"),
        ("BLOB(70000)", "mediumblob"),
        ("ENUM('a','it''s', 'b  ')", "enum('a','it''s','b')"),
        ("SERIAL", "bigint unsigned"),
        ("JSON", "json"),
        ("GEOMCOLLECTION", "geometrycollection"),
    ],
)
def test_type_canonical_form(written: str, canonical: str) -> None:
    assert str(parse_type(written)) == canonical


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("CURRENT_TIMESTAMP", "current_timestamp()"),
        ("NOW()", "current_timestamp()"),
        ("`a` + 1", "a+1"),
        ("(a > 0)", "a > 0"),
        ("_utf8mb4'x'", "'x'"),
        ("TRUE", "1"),
        ("a != b", "a <> b"),
        ("length(x)", "octet_length(`x`)"),
        ("SELECT COUNT(*) FROM t", "select count(0) AS `COUNT(*)` from `db`.`t`"),
        (
            "SELECT a FROM t WHERE flag",
            "select `db`.`t`.`a` AS `a` from `db`.`t` where `flag` <> 0",
        ),
        (
            "SELECT x.a FROM x INNER JOIN y ON (x.a = y.a) LEFT OUTER JOIN z ON z.a = x.a",
            "select `x`.`a` AS `a` from ((`db`.`x` join `db`.`y` on(`x`.`a` = `y`.`a`)) "
            "left join `db`.`z` on(`z`.`a` = `x`.`a`))",
        ),
        ("SELECT a AS total FROM t ORDER BY total", "select a AS total from t order by a"),
    ],
)
def test_expressions_compare_by_normal_form(a: str, b: str) -> None:
    assert Expr(a, "mysql") == Expr(b, "mysql", "db")


def test_expressions_that_differ_stay_different() -> None:
    assert Expr("a > 0", "mysql") != Expr("a >= 0", "mysql")
    assert Expr("'NOW'", "mysql") != Expr("'now'", "mysql")
    assert Expr("(a OR b) AND c", "mysql") != Expr("a OR b AND c", "mysql")
    assert Expr("SELECT x.a FROM x, y", "mysql") != Expr("SELECT y.a FROM x, y", "mysql")


def test_quoting() -> None:
    assert quote_ident("name") == "name" and quote_ident("order") == "`order`"
    assert quote_ident("a`b") == "`a``b`" and quote_ident("x", always=True) == "`x`"
    value = "it's a\\b\nc"
    assert unquote_string(quote_string(value)) == value
    assert unquote_string('"a""b\\"c"') == 'a"b"c'


def test_defaults_take_the_form_the_server_prints() -> None:
    s = read_ddl(
        "CREATE TABLE t (a DECIMAL(5,2) DEFAULT 5, b INT DEFAULT '7', c VARCHAR(5) DEFAULT 3,"
        " d DATETIME(3) DEFAULT '2020-1-2 3:04', e BIT(4) DEFAULT 5, f BOOLEAN DEFAULT TRUE,"
        " g TIMESTAMP DEFAULT NOW(), h VARBINARY(2) DEFAULT x'4142', i INT DEFAULT NULL)"
    )
    defaults = {c.name: c.default.text if c.default else None for c in s.tables["main.t"].columns}
    assert defaults == {
        "a": "5.00",
        "b": "7",
        "c": "'3'",
        "d": "'2020-01-02 03:04:00.000'",
        "e": "b'101'",
        "f": "1",
        "g": "current_timestamp()",
        "h": "'AB'",
        "i": None,
    }


# ------------------------------------------------------------------------------------------------
# the emitter


def test_emit_rejects_what_mysql_cannot_express() -> None:
    s = read_ddl("CREATE TABLE t (a INT, b TEXT);")
    t = s.tables["main.t"]
    cases: list[tuple[Any, str]] = [
        (
            dataclasses.replace(
                s, sequences=FrozenMap({"main.s": Sequence(schema="main", name="s")})
            ),
            r"sequence main\.s",
        ),
        (
            dataclasses.replace(
                s,
                indexes=FrozenMap(
                    {
                        "main.t.i": Index(
                            name="i",
                            schema="main",
                            table="t",
                            elements=(IndexElement(column="a"),),
                            where=Expr("a > 0", "mysql"),
                        )
                    }
                ),
            ),
            "partial index",
        ),
        (
            dataclasses.replace(
                s,
                tables=FrozenMap(
                    {
                        "main.t": dataclasses.replace(
                            t,
                            columns=(
                                Column(name="a", type=DataType(name="integer")),
                                Column(
                                    name="b",
                                    type=DataType(name="int"),
                                    identity=Identity(always=True),
                                ),
                            ),
                        )
                    }
                ),
            ),
            r"unknown type 'integer'.*identity options",
        ),
    ]
    for schema, pattern in cases:
        with pytest.raises(UnsupportedError, match=pattern):
            emit_schema(schema)


def test_emit_orders_tables_and_breaks_cycles() -> None:
    s = read_ddl(
        "SET FOREIGN_KEY_CHECKS = 0;\n"
        "CREATE TABLE c (id INT PRIMARY KEY, b INT, FOREIGN KEY (b) REFERENCES b (id));\n"
        "CREATE TABLE b (id INT PRIMARY KEY, a INT, FOREIGN KEY (a) REFERENCES a (id));\n"
        "CREATE TABLE a (id INT PRIMARY KEY, c INT, CONSTRAINT back FOREIGN KEY (c) "
        "REFERENCES c (id));\n"
        "CREATE VIEW v2 AS SELECT * FROM v1; CREATE VIEW v1 AS SELECT id FROM a;\n"
    )
    sql = emit_schema(s)
    pos = {n: sql.index(f"CREATE TABLE `{n}`") for n in "abc"}
    assert sorted(pos, key=lambda n: pos[n])[0] in "abc"
    assert "ALTER TABLE" in sql  # the cycle a -> c -> b -> a is closed afterwards
    assert sql.index("VIEW `v1`") < sql.index("VIEW `v2`")
    assert read_ddl(sql) == s


# ------------------------------------------------------------------------------------------------
# fuzzing: only ParseError escapes


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_fuzz_random_text_only_parse_errors(text: str) -> None:
    with contextlib.suppress(ParseError):
        read_ddl(text)


_VOCAB = [
    "(",
    ")",
    ",",
    ";",
    "'",
    '"',
    "`",
    "#",
    "--",
    "/*",
    "*/",
    "/*!50001",
    "\nDELIMITER //\n",
    "\nDELIMITER ;\n",
    "//",
    "CREATE",
    "TABLE",
    "INDEX",
    "KEY",
    "UNIQUE",
    "PRIMARY KEY",
    "FOREIGN KEY (a) REFERENCES t (a)",
    "DEFAULT",
    "NOT NULL",
    "AUTO_INCREMENT",
    "COMMENT 'c'",
    "CHECK (1)",
    "ENUM('a')",
    "VARCHAR(5)",
    "CHARACTER SET latin1",
    "COLLATE utf8mb4_bin",
    "ENGINE=MyISAM",
    "ALTER",
    "ADD",
    "DROP",
    "MODIFY",
    "CHANGE",
    "FIRST",
    "AFTER",
    "VIEW",
    "AS",
    "SELECT",
    "TRIGGER",
    "BEGIN",
    "END",
    "x",
    "1",
    "-",
    "\n",
]


def _corpus_statements() -> list[str]:
    out: list[str] = []
    for path in [*MYSQL_CORPUS, *OWN_SET]:
        _src, statements = split_script(path.read_text(errors="replace"))
        out += [s.text.strip() + ";" for s in statements if s.first in ("CREATE", "ALTER")]
    return out


_STATEMENTS = _corpus_statements()


@st.composite
def mutated_scripts(draw: Any) -> str:
    text = "\n".join(draw(st.lists(st.sampled_from(_STATEMENTS), min_size=1, max_size=4)))
    rnd = random.Random(draw(st.integers(0, 2**32)))
    for _ in range(draw(st.integers(1, 4))):
        pos = rnd.randrange(len(text) + 1)
        op = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        if op == "insert":
            text = text[:pos] + " " + draw(st.sampled_from(_VOCAB)) + " " + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + rnd.randrange(1, 12) :]
        elif op == "replace":
            text = text[:pos] + draw(st.sampled_from(_VOCAB)) + text[pos + rnd.randrange(1, 6) :]
        else:
            n = rnd.randrange(1, 20)
            text = text[:pos] + text[pos : pos + n] + text[pos:]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_scripts())
def test_fuzz_mutated_statements_only_parse_errors(text: str) -> None:
    note(text)
    with contextlib.suppress(ParseError):
        read_ddl(text)
