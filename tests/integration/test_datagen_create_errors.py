"""``dbdesign datagen FILE --create --db TARGET`` when it cannot finish: a schema the server
refuses, a constraint the generator cannot satisfy, rows the server refuses (a trigger raises).
Each is exit 2 and one line that names the cause; no rows are loaded, and what the command
created is not left behind: create and load succeed or fail together (one transaction on
PostgreSQL and SQLite; on MySQL, where DDL commits, what was created is dropped again).
On PostgreSQL (both servers), SQLite and MariaDB."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dbdesign import engine
from tests.conftest import PG_SERVERS, server_url
from tests.mysqlload import mysql_server_url

NEVER = "CREATE TABLE t (a integer, CONSTRAINT never CHECK (a > 1 AND a < 0));\n"
NEVER_MESSAGE = "no value of {t}.a satisfies check constraint never (lower bound above upper bound)"

REFUSED_SCHEMA = {
    "postgres": "CREATE TABLE parent (id integer PRIMARY KEY);\n"
    "CREATE TABLE t (id integer PRIMARY KEY, a integer DEFAULT no_such_fn());\n",
    "sqlite": "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
    "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT COLLATE nope);\n",
    "mysql": "CREATE TABLE parent (id int PRIMARY KEY);\n"
    "CREATE TABLE t (id int PRIMARY KEY, p varchar(10),\n"
    "  CONSTRAINT t_p FOREIGN KEY (p) REFERENCES parent (id));\n",
}
REFUSED_SCHEMA_MESSAGE = {
    "postgres": "cannot create the schema: function no_such_fn() does not exist",
    "sqlite": "cannot create the schema: no such collation sequence: NOPE",
    "mysql": "cannot create the schema: Can't create table",
}

REFUSED_ROWS = {
    "postgres": "CREATE TABLE parent (id integer PRIMARY KEY);\n"
    "CREATE TABLE t (id integer PRIMARY KEY, p integer REFERENCES parent);\n"
    "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS\n"
    "  $$BEGIN RAISE EXCEPTION 'no rows wanted here'; END$$;\n"
    "CREATE TRIGGER t_refuse BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION refuse();\n",
    "sqlite": "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
    "CREATE TABLE t (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent (id));\n"
    "CREATE TRIGGER t_refuse BEFORE INSERT ON t\n"
    "BEGIN SELECT RAISE(ABORT, 'no rows wanted here'); END;\n",
    "mysql": "CREATE TABLE parent (id int PRIMARY KEY);\n"
    "CREATE TABLE t (id int PRIMARY KEY, p int,\n"
    "  CONSTRAINT t_p FOREIGN KEY (p) REFERENCES parent (id));\n"
    "DELIMITER ;;\n"
    "CREATE TRIGGER t_refuse BEFORE INSERT ON t FOR EACH ROW\n"
    "  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no rows wanted here';;\n"
    "DELIMITER ;\n",
}
TABLE_T = {"postgres": "public.t", "sqlite": "main.t", "mysql": "main.t"}


def datagen(source: Path, dialect: str, target: str) -> subprocess.CompletedProcess[str]:
    args = ["datagen", str(source), "--dialect", dialect, "--create", "--db", target, "-r", "*=5"]
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args], capture_output=True, text=True, timeout=300
    )


def one_line(r: subprocess.CompletedProcess[str], *words: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("dbdesign: error: "), lines[0]
    for w in words:
        assert w in lines[0], (w, lines[0])
    assert "loaded" not in r.stdout


# --------------------------------------------------------------------------- each target


def pg_tables(url: str) -> dict[str, int]:
    """Tables of the database's own schemas, and their rows."""
    with engine.connect(url) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            ).fetchall()
        ]
        return {n: conn.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}


def sqlite_tables(path: Path) -> dict[str, int]:
    if not path.exists():
        return {}
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        out = {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    conn.close()
    return out


def mysql_tables(url: str) -> dict[str, int]:
    conn = engine.connect_mysql(url, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW TABLES")
            names = [r[0] for r in cur.fetchall()]
            out = {}
            for n in names:
                cur.execute(f"SELECT count(*) FROM `{n}`")
                out[n] = cur.fetchone()[0]
            return out
    finally:
        conn.close()


@pytest.fixture
def mysql_target() -> Iterator[str]:
    with engine.mysql_scratch_database(mysql_server_url()) as url:
        yield url


class Target:
    """A fresh target database of one kind, and what is in it."""

    def __init__(self, dialect: str, url: str, tables: Callable[[], dict[str, int]]) -> None:
        self.dialect, self.url, self.tables = dialect, url, tables


@pytest.fixture(params=[*PG_SERVERS, "sqlite", "mysql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    if request.param in PG_SERVERS:
        with engine.scratch_database(server_url(request.param)) as url:
            yield Target("postgres", url, lambda: pg_tables(url))
    elif request.param == "sqlite":
        db = tmp_path / "target.db"
        yield Target("sqlite", f"sqlite:///{db}", lambda: sqlite_tables(db))
    else:
        with engine.mysql_scratch_database(mysql_server_url()) as url:
            yield Target("mysql", url, lambda: mysql_tables(url))


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "schema.sql"
    p.write_text(text)
    return p


# --------------------------------------------------------------------------- the tests


def test_a_schema_the_server_refuses(target: Target, tmp_path: Path) -> None:
    r = datagen(_write(tmp_path, REFUSED_SCHEMA[target.dialect]), target.dialect, target.url)
    one_line(r, REFUSED_SCHEMA_MESSAGE[target.dialect])
    assert target.tables() == {}  # on MySQL the tables made before the refused one are dropped


def test_a_schema_mysql_refuses_leaves_no_table(mysql_target: str, tmp_path: Path) -> None:
    r = datagen(_write(tmp_path, REFUSED_SCHEMA["mysql"]), "mysql", mysql_target)
    assert r.returncode == 2
    assert mysql_tables(mysql_target) == {}


def test_mysql_drops_only_what_it_created(mysql_target: str, tmp_path: Path) -> None:
    """A table that was there before, even one the schema names, is left as it was."""
    conn = engine.connect_mysql(mysql_target, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE keep (id int PRIMARY KEY)")
            cur.execute("INSERT INTO keep VALUES (1)")
    finally:
        conn.close()
    r = datagen(_write(tmp_path, REFUSED_SCHEMA["mysql"]), "mysql", mysql_target)
    one_line(r, REFUSED_SCHEMA_MESSAGE["mysql"])
    assert mysql_tables(mysql_target) == {"keep": 1}
    named = "CREATE TABLE parent (id int PRIMARY KEY);\nCREATE TABLE keep (id int PRIMARY KEY);\n"
    r = datagen(_write(tmp_path, named), "mysql", mysql_target)
    one_line(r, "cannot create the schema: Table 'keep' already exists")
    assert mysql_tables(mysql_target) == {"keep": 1}


def test_a_schema_sqlite_refuses_leaves_no_file(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    r = datagen(_write(tmp_path, REFUSED_SCHEMA["sqlite"]), "sqlite", f"sqlite:///{db}")
    assert r.returncode == 2
    assert not db.exists()


def test_a_constraint_the_generator_cannot_satisfy(target: Target, tmp_path: Path) -> None:
    """Refused while planning, before anything is created."""
    r = datagen(_write(tmp_path, NEVER), target.dialect, target.url)
    one_line(r, NEVER_MESSAGE.format(t=TABLE_T[target.dialect]))
    assert target.tables() == {}
    if target.dialect == "sqlite":
        assert not Path(target.url.removeprefix("sqlite:///")).exists()


def test_rows_the_server_refuses_load_nothing(target: Target, tmp_path: Path) -> None:
    r = datagen(_write(tmp_path, REFUSED_ROWS[target.dialect]), target.dialect, target.url)
    one_line(r, f"loading {TABLE_T[target.dialect]} failed: ", "no rows wanted here",
             "nothing was loaded")  # fmt: skip
    tables = target.tables()
    assert all(rows == 0 for rows in tables.values()), tables


def test_rows_the_server_refuses_leave_no_schema(target: Target, tmp_path: Path) -> None:
    r = datagen(_write(tmp_path, REFUSED_ROWS[target.dialect]), target.dialect, target.url)
    assert r.returncode == 2
    assert target.tables() == {}
    if target.dialect == "sqlite":  # the file this call made is gone too
        assert not Path(target.url.removeprefix("sqlite:///")).exists()


def test_rows_refused_in_an_existing_sqlite_file_leave_it_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE keep (id INTEGER PRIMARY KEY)")
        conn.execute("INSERT INTO keep VALUES (1)")
    conn.close()
    r = datagen(_write(tmp_path, REFUSED_ROWS["sqlite"]), "sqlite", f"sqlite:///{db}")
    one_line(r, "loading main.t failed: ", "no rows wanted here")
    assert sqlite_tables(db) == {"keep": 1}


def test_create_and_load_commit_together(target: Target, tmp_path: Path) -> None:
    """The schema and its rows are there after a load that succeeds, and the report names the
    target as given."""
    schema = REFUSED_ROWS[target.dialect].split("CREATE FUNCTION")[0].split("CREATE TRIGGER")[0]
    schema = schema.split("DELIMITER")[0]
    r = datagen(_write(tmp_path, schema), target.dialect, target.url)
    assert r.returncode == 0, r.stderr
    tables = {n.rpartition(".")[2]: rows for n, rows in target.tables().items()}
    assert {n: tables.get(n) for n in ("parent", "t")} == {"parent": 5, "t": 5}, tables
    shown = target.url.removeprefix("sqlite:///") if target.dialect == "sqlite" else None
    assert (shown or engine.redact_url(target.url)) in r.stdout, r.stdout
