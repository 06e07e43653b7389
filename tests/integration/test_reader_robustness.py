"""Readers refuse what a server would refuse, and never guess the dialect from a string:
duplicate definitions name both places (the server says "already exists"); a folder of separate
dumps is not merged into one schema; a backtick inside a PostgreSQL string stays PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from dbdesign import api
from dbdesign.errors import ParseError
from dbdesign.readers.catalog.postgres import read_catalog
from dbdesign.readers.ddl.postgres import read_ddl, read_path
from tests.integration.test_convergence import assert_same
from tests.paths import PG_CORPUS
from tests.pgload import load_sql


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args], capture_output=True, text=True, timeout=120
    )


DUPLICATES = {
    "table": "CREATE TABLE t (a int);\nCREATE TABLE t (b int);\n",
    "view": "CREATE VIEW v AS SELECT 1 AS a;\nCREATE VIEW v AS SELECT 2 AS a;\n",
    "index": "CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);\nCREATE INDEX i ON t (a);\n",
    "sequence": "CREATE SEQUENCE s;\nCREATE SEQUENCE s;\n",
    "type": "CREATE TYPE e AS ENUM ('x');\nCREATE TYPE e AS ENUM ('y');\n",
    "domain": "CREATE DOMAIN d AS int;\nCREATE DOMAIN d AS text;\n",
}


@pytest.mark.parametrize("kind", sorted(DUPLICATES))
def test_a_second_definition_is_an_error_naming_both(
    kind: str, tmp_path: Path, pg_scratch: str
) -> None:
    f = tmp_path / "schema.sql"
    f.write_text(DUPLICATES[kind])
    last = len(DUPLICATES[kind].splitlines())
    with pytest.raises(psycopg.Error):
        load_sql(pg_scratch, f.read_text())  # the server refuses it too
    r = run("inspect", str(f))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"{f}:{last}:" in r.stderr and "defined twice" in r.stderr, r.stderr
    first = 1 if kind not in ("index",) else 2
    assert f"first definition is at {f}:{first}:" in r.stderr, r.stderr


def test_across_files_of_a_folder(tmp_path: Path) -> None:
    (tmp_path / "001_a.sql").write_text("CREATE TABLE accounts (id int);\n")
    (tmp_path / "002_b.sql").write_text("-- again\nCREATE TABLE accounts (id bigint);\n")
    with pytest.raises(ParseError) as e:
        read_path(tmp_path)
    assert str(e.value).startswith(f"{tmp_path / '002_b.sql'}:2:")
    assert f"{tmp_path / '001_a.sql'}:1:" in str(e.value)


def test_what_the_server_accepts_is_read_as_the_server_keeps_it(pg_scratch: str) -> None:
    sql = (
        "CREATE TABLE t (a int);\n"
        "DROP TABLE t;\n"
        "CREATE TABLE t (b text);\n"
        "CREATE TABLE IF NOT EXISTS t (c int);\n"  # a notice: the first one stays
        "CREATE SEQUENCE IF NOT EXISTS t_seq;\n"
        "CREATE SEQUENCE IF NOT EXISTS t_seq INCREMENT 5;\n"
        "CREATE OR REPLACE VIEW v AS SELECT 1 AS a;\n"
        "CREATE OR REPLACE VIEW v AS SELECT 1 AS a, 2 AS b;\n"
        "CREATE INDEX IF NOT EXISTS t_b ON t (b);\n"
        "CREATE INDEX IF NOT EXISTS t_b ON t (lower(b));\n"
    )
    load_sql(pg_scratch, sql)
    assert_same(read_ddl(sql), read_catalog(pg_scratch))


def test_a_folder_of_dumps_is_not_merged(tmp_path: Path) -> None:
    dumps = [p for p in PG_CORPUS if p.name in ("pagila.sql", "zync-structure.sql")]
    assert len(dumps) == 2
    for p in dumps:
        (tmp_path / p.name).symlink_to(p)
    r = run("inspect", str(tmp_path))
    assert r.returncode == 2, r.stdout[-500:]
    assert "more than one database dump" in r.stderr and "pagila.sql" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    # each on its own is read fine
    for p in dumps:
        assert run("inspect", str(tmp_path / p.name)).returncode == 0


BACKTICKS = """
CREATE TABLE docs (id int PRIMARY KEY, body text DEFAULT 'use `code` here');
COMMENT ON TABLE docs IS 'see `x`, ENGINE=InnoDB and AUTO_INCREMENT in MySQL';
-- a comment with `backticks` and DELIMITER
/* `more` UNSIGNED CHARSET */
CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT '`a`' $$;
"""


def test_backticks_in_strings_and_comments_are_not_mysql(tmp_path: Path, pg_scratch: str) -> None:
    f = tmp_path / "docs.sql"
    f.write_text(BACKTICKS)
    assert api.detect_dialect(str(f)) == "postgres"
    r = run("inspect", str(f), "--format", "json")
    assert r.returncode == 0, r.stderr
    load_sql(pg_scratch, BACKTICKS)  # valid PostgreSQL
    assert_same(read_path(f), read_catalog(pg_scratch))
    # real MySQL still reads as MySQL
    assert api.detect_text_dialect("CREATE TABLE `t` (`a` int) ENGINE=InnoDB;") == "mysql"
    assert (
        api.detect_text_dialect("INSERT INTO `t` VALUES ('it\\'s'); CREATE TABLE `u` (a int);")
        == "mysql"
    )
