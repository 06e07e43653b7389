"""Text from a spec reaches SQL only as literals, in each dialect's own quoting: a value with a
quote, a backslash (an escape character in MySQL strings) or an injection attempt is designed,
applied and proved on real servers, and each value is stored exactly as written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dbdesign import api
from dbdesign.design.output import schema_sql
from tests.proofs import plan_problems

SPEC = Path(__file__).parent / "specs" / "hostile_strings.yaml"
VALUES = ["plain", "it's", "back\\", "x\\'); DROP TABLE note; -- "]


def test_postgres(pg_scratch: str) -> None:
    from dbdesign.engine import connect

    d, proof = api.design(SPEC, db=pg_scratch)
    assert proof is not None and not plan_problems(proof), proof.problems
    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute(schema_sql(d.schema))
        for v in VALUES:
            conn.execute("INSERT INTO notes (title, kind) VALUES ('t', %s)", [v])
        assert conn.execute("SELECT kind, label FROM notes ORDER BY id").fetchall()[0] == (
            "plain",
            "a\\'b",
        )
        assert [r[0] for r in conn.execute("SELECT kind FROM notes ORDER BY id")] == VALUES
        with pytest.raises(Exception, match="check"):
            conn.execute("INSERT INTO notes (title, kind) VALUES ('t', 'back')")
        conn.execute("INSERT INTO notes (title) VALUES ('t')")
        assert conn.execute("SELECT kind FROM notes ORDER BY id DESC LIMIT 1").fetchone() == (
            "back\\",
        )


def test_sqlite(tmp_path: Path) -> None:
    d, proof = api.design(SPEC, dialect="sqlite")
    assert proof is not None and not plan_problems(proof), proof.problems
    con = sqlite3.connect(tmp_path / "x.db")
    con.executescript(schema_sql(d.schema))
    for v in VALUES:
        con.execute("INSERT INTO notes (title, kind) VALUES ('t', ?)", [v])
    con.execute("INSERT INTO notes (title) VALUES ('t')")
    assert [r[0] for r in con.execute("SELECT kind FROM notes ORDER BY id")] == [*VALUES, "back\\"]
    assert con.execute("SELECT label FROM notes LIMIT 1").fetchone() == ("a\\'b",)
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("INSERT INTO notes (title, kind) VALUES ('t', 'back')")


def test_mysql() -> None:
    from dbdesign.engine import connect_mysql, mysql_scratch_database
    from tests.mysqlload import mysql_server_url

    mysql_url = mysql_server_url()

    d, proof = api.design(SPEC, dialect="mysql", db=mysql_url)
    assert proof is not None and not plan_problems(proof), proof.problems
    with mysql_scratch_database(mysql_url) as url:
        conn = connect_mysql(url, autocommit=True, multi_statements=True)
        try:
            with conn.cursor() as cur:
                cur.execute(schema_sql(d.schema))
                while cur.nextset():
                    pass
                for v in VALUES:
                    cur.execute("INSERT INTO notes (title, kind) VALUES ('t', %s)", [v])
                cur.execute("INSERT INTO notes (title) VALUES ('t')")
                cur.execute("SELECT kind FROM notes ORDER BY id")
                assert [r[0] for r in cur.fetchall()] == [*VALUES, "back\\"]
                cur.execute("SELECT label FROM notes LIMIT 1")
                assert cur.fetchone() == ("a\\'b",)
                cur.execute("SHOW TABLES")
                assert ("notes",) in cur.fetchall()
        finally:
            conn.close()
