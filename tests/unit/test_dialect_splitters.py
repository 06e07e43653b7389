"""A dialect splits a script into statements (``Dialect.split_statements``), with the lexer
of ``dialects/mysql_lexer.py`` or ``dialects/sqlite_lexer.py``: what the ``mysql`` client and
SQLite would run, one statement at a time."""

from __future__ import annotations

import sqlite3

import pytest

from dbdesign import dialects
from dbdesign.errors import ParseError

MYSQL_SCRIPT = """\
/*!40101 SET NAMES utf8mb4 */;
-- a comment; with a semicolon
CREATE TABLE `t;x` (a int DEFAULT 1, b varchar(9) DEFAULT 'x;y');
DELIMITER ;;
CREATE TRIGGER tr BEFORE INSERT ON `t;x` FOR EACH ROW BEGIN SET NEW.a = 2; END;;
DELIMITER ;
/*M!120000 SET something_newer = 1 */;
# only a comment
INSERT INTO `t;x` VALUES (1, "a\\";b")
"""


def test_mysql_splits_as_the_client_does() -> None:
    assert dialects.get("mysql").split_statements(MYSQL_SCRIPT) == [
        "SET NAMES utf8mb4",
        "-- a comment; with a semicolon\nCREATE TABLE `t;x` (a int DEFAULT 1, b varchar(9) "
        "DEFAULT 'x;y')",
        "CREATE TRIGGER tr BEFORE INSERT ON `t;x` FOR EACH ROW BEGIN SET NEW.a = 2; END",
        '# only a comment\nINSERT INTO `t;x` VALUES (1, "a\\";b")',
    ]


def test_mysql_open_string_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="unterminated string literal"):
        dialects.get("mariadb").split_statements("SELECT 1;\nSELECT 'open;\n")


SQLITE_SCRIPT = """\
CREATE TABLE "t;x" (a INTEGER, b TEXT DEFAULT 'x;y'); -- a comment; with a semicolon
CREATE TRIGGER tr AFTER INSERT ON "t;x" BEGIN
  UPDATE "t;x" SET b = CASE WHEN new.a > 0 THEN 'p;' ELSE 'n' END WHERE a = new.a;
END;
/* only a comment; */
INSERT INTO [t;x] VALUES (1, 'a''b;');
"""


def test_sqlite_splits_triggers_whole() -> None:
    statements = dialects.get("sqlite").split_statements(SQLITE_SCRIPT)
    assert statements == [
        "CREATE TABLE \"t;x\" (a INTEGER, b TEXT DEFAULT 'x;y')",
        '-- a comment; with a semicolon\nCREATE TRIGGER tr AFTER INSERT ON "t;x" BEGIN\n'
        "  UPDATE \"t;x\" SET b = CASE WHEN new.a > 0 THEN 'p;' ELSE 'n' END WHERE a = new.a;\n"
        "END",
        "/* only a comment; */\nINSERT INTO [t;x] VALUES (1, 'a''b;')",
    ]
    # SQLite agrees: each is one complete statement, and they run one at a time.
    conn = sqlite3.connect(":memory:")
    try:
        for s in statements:
            assert sqlite3.complete_statement(s + ";")
            conn.execute(s)
        assert conn.execute('SELECT a, b FROM "t;x"').fetchall() == [(1, "p;")]
    finally:
        conn.close()


def test_sqlite_open_quote_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="unterminated string literal"):
        dialects.get("sqlite").split_statements("SELECT 1;\nSELECT 'open;\n")
