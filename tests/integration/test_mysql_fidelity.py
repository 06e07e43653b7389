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
from dbdesign.model import Column, DataType, Expr, Schema, Table
from dbdesign.readers.catalog.mysql import read_catalog
from dbdesign.readers.ddl.mysql import read_ddl
from tests.integration.test_mysql import assert_same
from tests.mysqlload import load_mysql, mysql_server_url


def _t(s: Schema, name: str = "t") -> Table:
    return s.tables[f"main.{name}"]


def _col(s: Schema, column: str, table: str = "t") -> Column:
    return next(c for c in _t(s, table).columns if c.name == column)


def _norm(text: str) -> str:
    return Expr(text, "mysql").normalized


def _defaults(s: Schema, table: str = "t") -> dict[str, str | None]:
    return {c.name: c.default.text if c.default else None for c in _t(s, table).columns}


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
    # Literal defaults in the form the server stores them (each was read as written).
    "number-defaults": Case(
        "CREATE TABLE t (a FLOAT(7,3) DEFAULT 1.25, b FLOAT(7,1) DEFAULT 0.15, "
        "c FLOAT(7,0) DEFAULT 1.5, d DOUBLE(8,2) DEFAULT 1, e FLOAT DEFAULT 1e20, "
        "f DOUBLE DEFAULT 123456789012345678, g DOUBLE DEFAULT 1e-5, h FLOAT DEFAULT 16777217, "
        "i FLOAT DEFAULT 3.14159265358979, j DECIMAL(5,2) DEFAULT 1.005, k INT DEFAULT 2.5, "
        "l INT DEFAULT -2.5, m INT DEFAULT '1e3', n YEAR DEFAULT 99, o YEAR DEFAULT 0, "
        "p YEAR DEFAULT '0', q DOUBLE DEFAULT -0.0);",
        lambda s: (
            _defaults(s)
            == {
                "a": "1.250",
                "b": "0.2",
                "c": "1",
                "d": "1.00",
                "e": "1e20",
                "f": "1.2345678901234568e17",
                "g": "0.00001",
                "h": "16777200",
                "i": "3.14159",
                "j": "1.01",
                "k": "3",
                "l": "-3",
                "m": "1000",
                "n": "1999",
                "o": "0000",
                "p": "2000",
                "q": "0",
            }
        ),
    ),
    "string-defaults": Case(
        "CREATE TABLE t (a SET('x','y','z') DEFAULT 'y,x', b SET('x','y','z') DEFAULT 'x,X', "
        "c ENUM('a','b') DEFAULT 'B', d BINARY(4) DEFAULT 'ab', e BINARY(3) DEFAULT 0x41, "
        "f CHAR(3) DEFAULT 'x ', g VARCHAR(3) DEFAULT 'x ');",
        lambda s: (
            _defaults(s)
            == {
                "a": "'x,y'",
                "b": "'x'",
                "c": "'b'",
                "d": "'ab\\0\\0'",
                "e": "'A\\0\\0'",
                "f": "'x'",
                "g": "'x '",
            }
        ),
    ),
    # NOW() defaults and ON UPDATE at the column's precision; ON UPDATE without a DEFAULT on a
    # NOT NULL column has the zero date as its default (unless DROP DEFAULT).
    "now-precision-and-zero-default": Case(
        "CREATE TABLE t (a DATETIME(3) ON UPDATE NOW() NOT NULL, b TIMESTAMP ON UPDATE NOW() "
        "NOT NULL, c DATETIME ON UPDATE NOW(3), d DATETIME(3) DEFAULT NOW(), "
        "e TIMESTAMP(3) DEFAULT NOW(1), f DATETIME(3) DEFAULT NOW(6), g DATETIME ON UPDATE NOW(), "
        "h DATETIME ON UPDATE NOW() NOT NULL, PRIMARY KEY (g));\n"
        "ALTER TABLE t ALTER h DROP DEFAULT;",
        lambda s: (
            _defaults(s)
            == {
                "a": "'0000-00-00 00:00:00.000'",
                "b": "'0000-00-00 00:00:00'",
                "c": None,
                "d": "current_timestamp(3)",
                "e": "current_timestamp(1)",
                "f": "current_timestamp(3)",
                "g": "'0000-00-00 00:00:00'",
                "h": None,
            }
            and _t(s).dialect_options["on_update:a"] == "current_timestamp(3)"
            and _t(s).dialect_options["on_update:c"] == "current_timestamp()"
        ),
    ),
    # UNIQUE ... USING HASH is a hash (it was read as a unique key), ordered by nothing, covers
    # no foreign key, and becomes a btree when the table is written again.
    "unique-using-hash": Case(
        "CREATE TABLE p (id INT PRIMARY KEY);\n"
        "CREATE TABLE t (a INT REFERENCES p (id), b INT, c INT, "
        "UNIQUE USING HASH (a, b), UNIQUE KEY u USING HASH (c DESC), KEY k USING HASH (b DESC));\n"
        "CREATE TABLE v (a INT, UNIQUE KEY u USING HASH (a DESC));\n"
        "ALTER TABLE v COMMENT 'again';",
        lambda s: (
            {k.rsplit(".", 1)[1]: (i.method, i.unique) for k, i in s.indexes.items()}
            == {
                "a": ("btree", False),
                "a_2": ("hash", True),
                "u": ("hash", True),
                "k": ("btree", False),
            }
            and not s.indexes["main.t.k"].elements[0].descending
            and list(_t(s, "v").uniques) == ["u"]
        ),
    ),
    # Renaming a column renames it in checks, generated columns and default expressions; a
    # new definition (MODIFY, CHANGE) drops the column's own CHECK.
    "rename-and-modify-column": Case(
        "CREATE TABLE t (a INT, g INT AS (a + 1), d INT DEFAULT (a + 1), e INT CHECK (e > a), "
        "CONSTRAINT ck CHECK (a > 0 AND t.a <> 5));\n"
        "ALTER TABLE t RENAME COLUMN a TO z;\n"
        "CREATE TABLE u (a INT CHECK (a > 0), b INT CHECK (b > 0));\n"
        "ALTER TABLE u MODIFY a BIGINT, CHANGE b c INT;",
        lambda s: (
            _t(s).checks["ck"].expr.normalized == _norm("`z` > 0 and `z` <> 5")
            and _t(s).checks["e"].expr.normalized == _norm("`e` > `z`")
            and _col(s, "g").generated is not None
            and _col(s, "g").generated.expr.normalized == _norm("`z` + 1")
            and _defaults(s)["d"] is not None
            and _norm(_defaults(s)["d"] or "") == _norm("`z` + 1")
            and not _t(s, "u").checks
        ),
    ),
    # JSON is longtext with a json_valid check the server adds (named after the column for
    # good): in another collation, renamed, or with a CHECK of its own it stays longtext.
    "json-columns": Case(
        "CREATE TABLE t (a JSON, b JSON COLLATE latin1_bin, c JSON CHECK (c <> ''), d JSON);\n"
        "ALTER TABLE t RENAME COLUMN d TO e;\n"
        "CREATE TABLE u (j JSON);\n"
        "ALTER TABLE u CONVERT TO CHARACTER SET latin1;",
        lambda s: (
            _types(s)
            == {
                "a": (DataType(name="json"), None),
                "b": (DataType(name="longtext"), "latin1_bin"),
                "c": (DataType(name="longtext"), "utf8mb4_bin"),
                "e": (DataType(name="longtext"), "utf8mb4_bin"),
            }
            and sorted(_t(s).checks) == ["b", "c", "d"]
            and _types(s, "u") == {"j": (DataType(name="longtext"), None)}
        ),
    ),
    # Text types in CHARACTER SET binary are the blob types (only TEXT was).
    "text-in-binary-is-blob": Case(
        "CREATE TABLE t (a TINYTEXT COLLATE 'binary', b MEDIUMTEXT CHARACTER SET binary, "
        "c LONGTEXT COLLATE 'binary');",
        lambda s: [c.type.name for c in _t(s).columns] == ["tinyblob", "mediumblob", "longblob"],
    ),
    # Aria lists transactional=0 for DYNAMIC and FIXED rows, and writes page_checksum=1 down
    # when the table is written again; other engines forget a PAGE_CHECKSUM then.
    "aria-options": Case(
        "CREATE TABLE t (a INT) ENGINE=Aria ROW_FORMAT=DYNAMIC;\n"
        "CREATE TABLE u (a INT, KEY k (a)) ENGINE=Aria;\n"
        "DROP INDEX k ON u;\n"
        "CREATE TABLE v (a INT) PAGE_CHECKSUM=0;\n"
        "ALTER TABLE v ADD b INT;\n"
        "CREATE TABLE w (a INT) ENGINE=Aria;\n"
        "ALTER TABLE w ENGINE=InnoDB;\n"
        "CREATE TABLE x LIKE u;",
        lambda s: (
            dict(_t(s).dialect_options)
            == {"engine": "Aria", "row_format": "DYNAMIC", "transactional": "0"}
            and _t(s, "u").dialect_options["page_checksum"] == "1"
            and "page_checksum" not in _t(s, "v").dialect_options
            and dict(_t(s, "w").dialect_options) == {"page_checksum": "1"}
            and _t(s, "x").dialect_options["page_checksum"] == "1"
        ),
    ),
    # Key prefixes as the server keeps them: none as long as a char column or on a column
    # that stopped being a string; a plain index part cut to what the engine takes (a
    # warning); a geometry key part is a prefix; Aria takes 2300 bytes in a key, not 2000.
    "key-prefixes": Case(
        "CREATE TABLE t (a CHAR(3), b VARCHAR(20), c VARCHAR(1000), d POINT NOT NULL, "
        "e GEOMETRY NOT NULL, f TEXT, KEY ka (a(3)), KEY kb (b(10)), KEY kc (c), "
        "KEY kd (d), KEY ke (e), KEY kf (f(2000)));\n"
        "ALTER TABLE t MODIFY b INT;\n"
        "CREATE TABLE u (a VARCHAR(300), KEY ka (a)) ENGINE=MyISAM;\n"
        "CREATE TABLE v (a VARCHAR(550), UNIQUE KEY ua (a)) ENGINE=Aria;",
        lambda s: (
            {k[5:]: i.elements[0].length for k, i in s.indexes.items()}
            == {
                "t.ka": None,
                "t.kb": None,
                "t.kc": 768,
                "t.kd": 25,
                "t.ke": 3072,
                "t.kf": 768,
                "u.ka": 250,
            }
            and list(_t(s, "v").uniques) == ["ua"]
        ),
    ),
    # One ALTER TABLE refers to the columns as they were before it: CHANGE a b, CHANGE b a
    # swaps them (was "Duplicate column name"); dropping columns drops the checks that named
    # only them (CHECK (1) too); CONVERT TO makes NCHAR columns the new character set.
    "alter-columns": Case(
        "CREATE TABLE t (a INT, b VARCHAR(5), KEY ka (a));\n"
        "ALTER TABLE t CHANGE a b VARCHAR(5), CHANGE b a INT;\n"
        "CREATE TABLE u (a INT, b INT, CONSTRAINT ck CHECK (a IS NOT NULL), CHECK (b > 0), "
        "CHECK (1));\n"
        "ALTER TABLE u DROP COLUMN a;\n"
        "CREATE TABLE v (a NCHAR(4), b NATIONAL VARCHAR(5));\n"
        "ALTER TABLE v CONVERT TO CHARACTER SET latin1;\n"
        "CREATE TABLE w (a INT, b INT);\n"
        "ALTER TABLE w ADD COLUMN A TEXT, DROP COLUMN a;",
        lambda s: (
            [(c.name, c.type.name) for c in _t(s).columns] == [("b", "varchar"), ("a", "int")]
            and s.indexes["main.t.ka"].elements[0].column == "b"
            and list(_t(s, "u").checks) == ["CONSTRAINT_1"]
            and _types(s, "v")["a"][1] is None
            and [(c.name, c.type.name) for c in _t(s, "w").columns] == [("b", "int"), ("A", "text")]
        ),
    ),
    # A key written USING HASH covers no foreign key: the server adds the key for it.
    "using-hash-covers-no-foreign-key": Case(
        "CREATE TABLE p (id INT PRIMARY KEY);\n"
        "CREATE TABLE t (a INT, b INT, KEY k USING HASH (a), PRIMARY KEY USING HASH (b), "
        "FOREIGN KEY (a) REFERENCES p (id), FOREIGN KEY (b) REFERENCES p (id));",
        lambda s: (
            sorted(k for k in s.indexes if k.startswith("main.t."))
            == [
                "main.t.a",
                "main.t.b",
                "main.t.k",
            ]
        ),
    ),
    # AUTO_INCREMENT (and SERIAL DEFAULT VALUE) make a column NOT NULL where they are
    # written: a NULL after them leaves it nullable (the reader made it NOT NULL always);
    # SET DEFAULT on one runs, but leaves no default.
    "auto-increment-then-null": Case(
        "CREATE TABLE t (a INT AUTO_INCREMENT UNIQUE NULL);\n"
        "CREATE TABLE u (a INT NULL SERIAL DEFAULT VALUE);\n"
        "CREATE TABLE v (a INT SERIAL DEFAULT VALUE NULL);\n"
        "CREATE TABLE w (a INT AUTO_INCREMENT UNIQUE);\n"
        "ALTER TABLE w ALTER a SET DEFAULT 1;",
        lambda s: (
            [_col(s, "a", n).nullable for n in "tuvw"] == [True, False, True, False]
            and _col(s, "a", "w").default is None
        ),
    ),
    # A MEMORY table's USING HASH carries over to InnoDB (a unique becomes a long hash); the
    # next ALTER makes it a btree. Without USING, a MEMORY key keeps DESC for InnoDB.
    "memory-hash-to-innodb": Case(
        "CREATE TABLE t (a INT, b INT, c INT, UNIQUE KEY ua USING HASH (a DESC), "
        "UNIQUE KEY ub (b DESC), KEY kc (c DESC)) ENGINE=MEMORY;\n"
        "ALTER TABLE t ENGINE=InnoDB;\n"
        "CREATE TABLE u (a INT, UNIQUE KEY ua USING HASH (a)) ENGINE=MEMORY;\n"
        "ALTER TABLE u ENGINE=InnoDB;\n"
        "ALTER TABLE u COMMENT 'again';",
        lambda s: (
            {k[5:]: (i.method, i.elements[0].descending) for k, i in s.indexes.items()}
            == {"t.ua": ("hash", False), "t.ub": ("btree", True), "t.kc": ("btree", True)}
            and list(_t(s, "u").uniques) == ["ua"]
        ),
    ),
    # An engine without foreign keys drops them for good (InnoDB later does not bring them
    # back); CREATE/DROP INDEX, unlike ALTER TABLE, write an Aria row format down as PAGE.
    "foreign-keys-dropped-for-good-and-aria-rows": Case(
        "CREATE TABLE p (id INT PRIMARY KEY);\n"
        "CREATE TABLE t (a INT REFERENCES p (id)) ENGINE=Aria;\n"
        "ALTER TABLE t ENGINE=InnoDB;\n"
        "CREATE TABLE u (b INT) ENGINE=Aria ROW_FORMAT=COMPACT;\n"
        "CREATE INDEX ix ON u (b);\n"
        "CREATE TABLE v (b INT) ENGINE=Aria ROW_FORMAT=COMPACT;\n"
        "ALTER TABLE v ADD INDEX ix (b);",
        lambda s: (
            not _t(s).foreign_keys
            and "main.t.a" in s.indexes
            and _t(s, "u").dialect_options["row_format"] == "PAGE"
            and _t(s, "v").dialect_options["row_format"] == "COMPACT"
        ),
    ),
    # The character set options of one ALTER TABLE act on the table it leaves, in any order:
    # CONVERT TO changes the columns the ALTER adds or changes too (JSON is then longtext in
    # that character set; a TEXT written in the ALTER stays a TEXT), and DEFAULT CHARSET and
    # COLLATE add up, are the new columns' default and win the table's over CONVERT TO's.
    "alter-charset-options-in-any-order": Case(
        "CREATE TABLE t (a INT, b TEXT CHARACTER SET latin1) DEFAULT CHARSET=latin1;\n"
        "ALTER TABLE t ADD c TEXT CHARACTER SET latin1, DEFAULT CHARSET=latin1, "
        "CONVERT TO CHARACTER SET utf8mb4, MODIFY a JSON, ADD d VARCHAR(5) COLLATE latin1_bin;\n"
        "CREATE TABLE u (a INT);\n"
        "ALTER TABLE u ADD b VARCHAR(5), COLLATE=latin1_bin, CHARSET=latin1;",
        lambda s: (
            _types(s)
            == {
                "a": (DataType(name="longtext"), "utf8mb4_general_ci"),
                "b": (DataType(name="mediumtext"), "utf8mb4_general_ci"),
                "c": (DataType(name="text"), "utf8mb4_general_ci"),
                "d": (DataType(name="varchar", args=(5,)), "utf8mb4_general_ci"),
            }
            and list(_t(s).checks) == ["a"]
            and _t(s).dialect_options["collation"] == "latin1_swedish_ci"
            and _types(s, "u")["b"] == (DataType(name="varchar", args=(5,)), None)
            and _t(s, "u").dialect_options["collation"] == "latin1_bin"
        ),
    ),
    # The server finds the columns of a table's keys by name in its new column list: a column
    # an ALTER adds under the old name of a column it renames, placed before it, takes that
    # column's place in the keys, with a prefix of the old key part's length (4 for an INT);
    # placed after it, the keys stay with the renamed column.
    "keys-follow-a-name-an-alter-adds": Case(
        "CREATE TABLE t (b INT, c INT UNIQUE, KEY kb (b DESC));\n"
        "ALTER TABLE t RENAME COLUMN b TO n1, ADD COLUMN b TINYTEXT FIRST;\n"
        "CREATE TABLE u (a INT, b VARCHAR(10) CHARACTER SET latin1 UNIQUE);\n"
        "ALTER TABLE u CHANGE b n1 BIGINT, ADD COLUMN b TEXT AFTER a;\n"
        "CREATE TABLE v (b INT UNIQUE);\n"
        "ALTER TABLE v RENAME COLUMN b TO n1, ADD COLUMN b TEXT;",
        lambda s: (
            [
                (e.column, e.length, e.descending)
                for i in ("t.kb", "u.b")
                for e in s.indexes[f"main.{i}"].elements
            ]
            == [("b", 4, True), ("b", 10, False)]
            and _t(s, "v").uniques["b"].columns == ("n1",)
        ),
    ),
    # A plain index on a whole TEXT or BLOB is a prefix of the type's size in bytes, cut to
    # what the engine takes (the reader kept no prefix).
    "plain-index-on-a-whole-text": Case(
        "CREATE TABLE t (a TEXT, b BLOB, c TINYTEXT CHARACTER SET latin1, KEY (a), KEY (c));\n"
        "CREATE INDEX j ON t (b);\n"
        "CREATE TABLE u (a TEXT CHARACTER SET latin1, KEY (a)) ENGINE=MyISAM;",
        lambda s: (
            {k[5:]: i.elements[0].length for k, i in s.indexes.items()}
            == {"t.a": 768, "t.j": 3072, "t.c": 255, "u.a": 1000}
        ),
    ),
    # CREATE INDEX and LIKE write a given Aria row format down as what it is: FIXED is PAGE
    # when a column is a blob (text, JSON, geometry), COMPACT is PAGE.
    "aria-rows-written-as-they-are": Case(
        "CREATE TABLE t (a TINYTEXT, b INT) ENGINE=Aria ROW_FORMAT=FIXED;\n"
        "CREATE INDEX ix ON t (b);\n"
        "CREATE TABLE u (a VARCHAR(5), b INT) ENGINE=Aria ROW_FORMAT=FIXED;\n"
        "CREATE INDEX ix ON u (b);\n"
        "CREATE TABLE v (a INT) ENGINE=Aria ROW_FORMAT=COMPACT;\n"
        "CREATE TABLE w LIKE v;",
        lambda s: (
            {n: _t(s, n).dialect_options["row_format"] for n in "tuvw"}
            == {"t": "PAGE", "u": "FIXED", "v": "COMPACT", "w": "PAGE"}
            and _t(s).dialect_options["transactional"] == "1"
        ),
    ),
    # MODIFY or CHANGE of a column the same ALTER adds (found by the new definition's name):
    # the definition takes its place, at the end unless positioned (it was modified in place).
    "modify-a-column-the-alter-adds": Case(
        "CREATE TABLE t (id INT, k INT);\n"
        "ALTER TABLE t ADD COLUMN n1 INT CHECK (n1 > 0) FIRST, MODIFY n1 BIGINT;\n"
        "CREATE TABLE u (id INT, k INT);\n"
        "ALTER TABLE u ADD COLUMN n2 INT, CHANGE x n2 TINYINT FIRST;",
        lambda s: (
            [(c.name, c.type.name) for c in _t(s).columns]
            == [("id", "int"), ("k", "int"), ("n1", "bigint")]
            and not _t(s).checks
            and [(c.name, c.type.name) for c in _t(s, "u").columns]
            == [("n2", "tinyint"), ("id", "int"), ("k", "int")]
        ),
    ),
    # A table written again (CREATE INDEX, DROP INDEX, LIKE) turns USING HASH keys into
    # btrees, which then cover the index of a foreign key (it goes); a key CREATE INDEX
    # writes USING HASH is a hash.
    "rewritten-hash-covers-a-foreign-key-index": Case(
        "CREATE TABLE p (id INT PRIMARY KEY);\n"
        "CREATE TABLE t (f INT, a INT, FOREIGN KEY (f) REFERENCES p (id), UNIQUE USING HASH (f));\n"
        "CREATE INDEX ix ON t (a);\n"
        "CREATE TABLE u (f INT, FOREIGN KEY (f) REFERENCES p (id), UNIQUE USING HASH (f));\n"
        "CREATE TABLE v LIKE u;\n"
        "CREATE TABLE w (a INT, f INT, FOREIGN KEY (f) REFERENCES p (id));\n"
        "CREATE UNIQUE INDEX uw USING HASH ON w (a DESC);",
        lambda s: (
            sorted(k for k in s.indexes if k.endswith(".f")) == ["main.u.f", "main.w.f"]
            and list(_t(s).uniques) == list(_t(s, "v").uniques) == ["f_2"]
            and s.indexes["main.w.uw"].method == "hash"
        ),
    ),
    # A number, hex or bits DEFAULT on a TEXT or BLOB (JSON too) stays an expression, the
    # literal as the server prints it (the reader quoted it as on a VARCHAR).
    "literal-defaults-of-text-and-blob": Case(
        "CREATE TABLE t (a TEXT DEFAULT 007, b TEXT DEFAULT -2.50, c TEXT DEFAULT .5, "
        "d TEXT DEFAULT 1e3, e BLOB DEFAULT b'101', f TEXT DEFAULT TRUE, g TEXT DEFAULT 0x4a, "
        "h JSON DEFAULT 1, i TEXT, j VARCHAR(5) DEFAULT 1);\n"
        "ALTER TABLE t ALTER i SET DEFAULT -0.0;",
        lambda s: (
            _defaults(s)
            == {
                "a": "7",
                "b": "-2.50",
                "c": "0.5",
                "d": "1e3",
                "e": "0x05",
                "f": "1",
                "g": "0x4a",
                "h": "1",
                "i": "0.0",
                "j": "'1'",
            }
        ),
    ),
    # ALTER ... SET or DROP DEFAULT on a column whose default is CURRENT_TIMESTAMP drops its
    # ON UPDATE too (even SET DEFAULT NOW()); with another default, ON UPDATE stays.
    "alter-default-of-current-timestamp-drops-on-update": Case(
        "CREATE TABLE t (a DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) "
        "ON UPDATE CURRENT_TIMESTAMP, b DATETIME DEFAULT CURRENT_TIMESTAMP "
        "ON UPDATE CURRENT_TIMESTAMP, c DATETIME NOT NULL DEFAULT '2020-01-01' "
        "ON UPDATE CURRENT_TIMESTAMP, d TIMESTAMP NULL ON UPDATE CURRENT_TIMESTAMP);\n"
        "ALTER TABLE t ALTER a DROP DEFAULT, ALTER b SET DEFAULT NOW(), ALTER c DROP DEFAULT, "
        "ALTER d SET DEFAULT NULL;",
        lambda s: (
            sorted(k for k in _t(s).dialect_options if k.startswith("on_update:"))
            == ["on_update:c", "on_update:d"]
            and _defaults(s) == {"a": None, "b": "current_timestamp()", "c": None, "d": None}
        ),
    ),
    # CONVERT TO sets every text column to the new character set's default collation, but
    # BINARY written on a column the same ALTER modifies makes it the new set's _bin, in either
    # order; BINARY from an earlier statement does not survive the conversion.
    "convert-to-keeps-binary-of-a-column-the-alter-modifies": Case(
        "CREATE TABLE t (a VARCHAR(10), b VARCHAR(10) BINARY, c VARCHAR(10));\n"
        "ALTER TABLE t CONVERT TO CHARACTER SET latin1, MODIFY a VARCHAR(10) BINARY;\n"
        "ALTER TABLE t MODIFY c VARCHAR(10) BINARY, CONVERT TO CHARACTER SET utf8mb4;",
        lambda s: [_col(s, c).collation for c in "abc"] == [None, None, "utf8mb4_bin"],
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
