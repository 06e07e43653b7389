"""The MySQL DDL reader models what MariaDB stores: one regression test per disagreement the
fuzzing found (tests/integration/test_mysql.py, ``test_fuzz_server_and_reader_agree``).

Each case is loaded into the machine's MariaDB (``$DBDESIGN_TEST_MYSQL_URL``); the DDL reader's
model must equal the catalog reader's, and a fact about the case is checked on both models, so
that two readers wrong in the same way would still fail. Warnings the DDL reader owes are
checked too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from dbdesign.engine import mysql_scratch_database
from dbdesign.errors import Diagnostic
from dbdesign.model import Column, DataType, Schema, Table
from dbdesign.readers.catalog.mysql import read_catalog
from dbdesign.readers.ddl.mysql import read_ddl
from tests.integration.test_mysql import assert_same
from tests.mysqlload import load_mysql, mysql_server_url


def _t(s: Schema, name: str = "t") -> Table:
    return s.tables[f"main.{name}"]


def _col(s: Schema, column: str, table: str = "t") -> Column:
    return next(c for c in _t(s, table).columns if c.name == column)


def _pk(s: Schema, table: str = "t") -> tuple[str, tuple[str, ...]] | None:
    pk = _t(s, table).primary_key
    return None if pk is None else (pk.name, pk.columns)


def _types(s: Schema, table: str = "t") -> dict[str, tuple[DataType, str | None]]:
    """Each column's type and collation."""
    return {c.name: (c.type, c.collation) for c in _t(s, table).columns}


@dataclass(frozen=True)
class Case:
    sql: str
    fact: Callable[[Schema], object]  # true of both models
    warning: str | None = None  # a warning the DDL reader gives (a substring)


CASES: dict[str, Case] = {
    # PRIMARY KEY <name> (...): the server accepts the name and ignores it (was a ParseError).
    "primary-key-with-a-name": Case(
        "CREATE TABLE t (id INT, b INT, PRIMARY KEY Y (id, b));\n"
        "CREATE TABLE u (id INT, CONSTRAINT c PRIMARY KEY `k` USING BTREE (id));\n"
        "CREATE TABLE v (id INT); ALTER TABLE v ADD PRIMARY KEY y (id);",
        lambda s: (
            [_pk(s, n) for n in "tuv"]
            == [("PRIMARY", ("id", "b")), ("PRIMARY", ("id",)), ("PRIMARY", ("id",))]
            and not s.indexes
        ),
    ),
    # Column attributes are flags: PRIMARY KEY UNIQUE is only the primary key, UNIQUE UNIQUE
    # one unique key, SERIAL PRIMARY KEY no unique key (the reader added one per word).
    "primary-key-unique-column": Case(
        "CREATE TABLE t (id INT PRIMARY KEY UNIQUE, a INT UNIQUE UNIQUE KEY, "
        "b INT UNIQUE KEY NOT NULL UNIQUE);\n"
        "CREATE TABLE u (id SERIAL PRIMARY KEY, n INT);",
        lambda s: (
            _pk(s) == ("PRIMARY", ("id",))
            and list(_t(s).uniques) == ["a", "b"]
            and _pk(s, "u") == ("PRIMARY", ("id",))
            and not _t(s, "u").uniques
        ),
    ),
    # A binary string type with the COLLATE of a character set is the text type of that
    # character set, sized in its characters (was read as the blob type, no collation).
    "blob-with-a-collation-is-text": Case(
        "CREATE TABLE t (a BLOB(300) COLLATE utf8mb4_bin, b BLOB(60) COLLATE utf8mb4_bin, "
        "c BLOB(60) NOT NULL COLLATE latin1_bin, d TINYBLOB COLLATE latin1_bin, "
        "e LONGBLOB COLLATE latin1_bin, f VARBINARY(5) DEFAULT 'x' COLLATE latin1_bin, "
        "g BINARY(3) COLLATE latin1_bin, h BLOB(300), i BLOB(70000), "
        "j VARCHAR(5) NOT NULL COLLATE 'binary', k BLOB(300) COLLATE 'binary');",
        lambda s: (
            _types(s)
            == {
                "a": (DataType(name="text"), "utf8mb4_bin"),
                "b": (DataType(name="tinytext"), "utf8mb4_bin"),
                "c": (DataType(name="tinytext"), "latin1_bin"),
                "d": (DataType(name="tinytext"), "latin1_bin"),
                "e": (DataType(name="longtext"), "latin1_bin"),
                "f": (DataType(name="varchar", args=(5,)), "latin1_bin"),
                "g": (DataType(name="char", args=(3,)), "latin1_bin"),
                "h": (DataType(name="blob"), None),
                "i": (DataType(name="mediumblob"), None),
                "j": (DataType(name="varbinary", args=(5,)), None),
                "k": (DataType(name="blob"), None),
            }
        ),
    ),
    # CONVERT TO CHARACTER SET keeps a text column's capacity in characters: a latin1 text
    # becomes a mediumtext in utf8mb4 (the reader kept the type).
    "convert-to-keeps-text-capacity": Case(
        "CREATE TABLE t (a TINYTEXT CHARACTER SET latin1, b TEXT CHARACTER SET latin1, "
        "c MEDIUMTEXT CHARACTER SET latin1, d LONGTEXT CHARACTER SET latin1, "
        "e BLOB(60) COLLATE latin1_bin, f TEXT, g VARCHAR(10) CHARACTER SET latin1);\n"
        "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4;\n"
        "CREATE TABLE u (a TINYTEXT, b TEXT, c MEDIUMTEXT);\n"
        "ALTER TABLE u CONVERT TO CHARACTER SET latin1;",
        lambda s: (
            [c.type.name for c in _t(s).columns]
            == ["text", "mediumtext", "longtext", "longtext", "text", "text", "varchar"]
            and [c.type.name for c in _t(s, "u").columns] == ["tinytext", "text", "mediumtext"]
        ),
    ),
    # ON UPDATE ... on an INVISIBLE column: EXTRA is "on update current_timestamp(),
    # INVISIBLE" (the catalog reader read 'current_timestamp(),()').
    "on-update-invisible": Case(
        "CREATE TABLE t (x INT, ts TIMESTAMP DEFAULT CURRENT_TIMESTAMP "
        "ON UPDATE CURRENT_TIMESTAMP INVISIBLE, "
        "dt DATETIME(3) ON UPDATE NOW(3) INVISIBLE, y INT INVISIBLE);",
        lambda s: (
            {k: v for k, v in _t(s).dialect_options.items() if k.startswith("on_update")}
            == {
                "on_update:ts": "current_timestamp()",
                "on_update:dt": "current_timestamp(3)",
            }
        ),
    ),
    # An engine the server does not know: without NO_ENGINE_SUBSTITUTION it creates the table
    # with InnoDB and ignores it in ALTER TABLE, with a warning; the reader kept the name.
    "unknown-engine-substituted": Case(
        "SET sql_mode = '';\n"
        "CREATE TABLE t (x INT) ENGINE=NoSuchEngine;\n"
        "CREATE TABLE u (x INT) ENGINE=MyISAM;\n"
        "ALTER TABLE u ENGINE=NoSuchEngine;",
        lambda s: (
            "engine" not in _t(s).dialect_options
            and _t(s, "u").dialect_options["engine"] == "MyISAM"
        ),
        warning="unknown storage engine 'NoSuchEngine'",
    ),
    # The server's engine aliases: maria is Aria, innobase InnoDB (the reader kept the alias).
    "engine-aliases": Case(
        "CREATE TABLE t (x INT) ENGINE=maria;\nCREATE TABLE u (x INT) ENGINE=`innobase`;",
        lambda s: (
            _t(s).dialect_options["engine"] == "Aria" and "engine" not in _t(s, "u").dialect_options
        ),
    ),
}


@pytest.fixture(scope="module")
def server() -> str:
    return mysql_server_url()


@pytest.mark.parametrize("name", list(CASES))
def test_ddl_reader_models_what_the_server_stores(name: str, server: str) -> None:
    case = CASES[name]
    warnings: list[Diagnostic] = []
    from_ddl = read_ddl(case.sql, warn=warnings.append)
    if case.warning is None:
        assert warnings == [], [str(w) for w in warnings]
    else:
        assert warnings and all(case.warning in str(w) for w in warnings), [
            str(w) for w in warnings
        ]
    with mysql_scratch_database(server) as url:
        load_mysql(url, case.sql)
        from_catalog = read_catalog(url)
    assert case.fact(from_catalog), "the server does not store what the case claims"
    assert case.fact(from_ddl)
    assert_same(from_ddl, from_catalog)
