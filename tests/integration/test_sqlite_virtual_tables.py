"""SQLite virtual tables (FTS5) in the model: the DDL reader and the catalog reader agree on
them, the tables FTS5 keeps its index in are never tables of the schema, the emitter writes them
back the same, the JSON keeps them, and the diff only ever creates and drops them. Every error
the DDL reader gives is the one SQLite itself gives for the same statement."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from dbdesign.diff import diff_schemas
from dbdesign.diff import operations as op
from dbdesign.emit import emit_drop_schema
from dbdesign.emit.sqlite import emit_schema
from dbdesign.errors import Diagnostic, ParseError, UnsupportedError
from dbdesign.model import FrozenMap, Schema, from_dict, to_dict
from dbdesign.model.core import VirtualTable
from dbdesign.readers.catalog.sqlite import read_catalog
from dbdesign.readers.ddl.sqlite import read_ddl

PRODUCTS = """
CREATE TABLE products (
    id integer PRIMARY KEY,
    name text NOT NULL,
    description text
);
CREATE VIRTUAL TABLE products_fts USING fts5(
    name, description,
    content = 'products', content_rowid = 'id',
    tokenize = 'porter unicode61'
);
CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
    INSERT INTO products_fts(rowid, name, description)
    VALUES (new.id, new.name, new.description);
END;
CREATE VIRTUAL TABLE notes USING FTS5(body, tag UNINDEXED, prefix='2 3');
"""


def _load(sql: str, path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.executescript(sql)
    conn.close()
    return path


def test_ddl_and_catalog_read_the_same_virtual_tables(tmp_path: Path) -> None:
    ddl = read_ddl(PRODUCTS)
    db = _load(PRODUCTS, tmp_path / "a.db")
    catalog = read_catalog(db)
    assert ddl == catalog
    assert diff_schemas(ddl, catalog).operations == ()
    fts = ddl.virtual_tables["main.products_fts"]
    assert fts == VirtualTable(
        schema="main",
        name="products_fts",
        module="fts5",
        arguments=(
            "name",
            "description",
            "content='products'",
            "content_rowid='id'",
            "tokenize='porter unicode61'",
        ),
    )
    assert fts.columns == ("name", "description")
    assert fts.option("content") == "products"
    assert fts.option("CONTENT_ROWID") == "id"
    assert fts.option("detail") is None
    notes = catalog.virtual_tables["main.notes"]
    assert notes.module == "fts5"  # the module's name in lower case, as SQLite matches it
    assert notes.columns == ("body", "tag")
    # FTS5's own tables (products_fts_data, _idx, _docsize, _config; notes_content ...) are not
    # tables of the schema, though sqlite_master lists them as tables
    assert sorted(catalog.tables) == ["main.products"]
    with sqlite3.connect(db) as conn:
        listed = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert {"products_fts_data", "products_fts_idx", "notes_content"} <= listed


def test_emitted_virtual_tables_read_back_the_same(tmp_path: Path) -> None:
    s = read_ddl(PRODUCTS)
    sql = emit_schema(s)
    assert (
        "CREATE VIRTUAL TABLE products_fts USING fts5(name, description, content='products', "
        "content_rowid='id', tokenize='porter unicode61');"
    ) in sql
    # after the tables (the content table first) and before the triggers that write to it
    assert sql.index("CREATE TABLE products") < sql.index("CREATE VIRTUAL TABLE products_fts")
    assert sql.index("CREATE VIRTUAL TABLE products_fts") < sql.index("CREATE TRIGGER")
    assert read_ddl(sql) == s
    assert read_catalog(_load(sql, tmp_path / "b.db")) == s
    assert emit_schema(read_ddl(sql)) == sql


def test_spellings_sqlite_treats_alike_are_equal() -> None:
    a = read_ddl("CREATE VIRTUAL TABLE f USING fts5(a, content='t');")
    b = read_ddl("create virtual table f using FTS5 ( a ,content = 't' ) ;")
    c = read_ddl("CREATE VIRTUAL TABLE f USING fts5(a, content='u');")
    assert a == b
    assert a != c


def test_json_keeps_virtual_tables() -> None:
    s = read_ddl(PRODUCTS)
    back = from_dict(to_dict(s))
    assert back == s
    assert back.virtual_tables == s.virtual_tables
    assert back.virtual_tables["main.notes"].origin == s.virtual_tables["main.notes"].origin
    assert to_dict(s)["schema"]["virtual_tables"]["main.notes"] == {
        "schema": "main",
        "name": "notes",
        "module": "fts5",
        "arguments": ["body", "tag UNINDEXED", "prefix='2 3'"],
        "origin": {"line": 16, "col": 1},
    }


def test_down_script_drops_virtual_tables(tmp_path: Path) -> None:
    s = read_ddl(PRODUCTS)
    db = _load(emit_schema(s), tmp_path / "c.db")
    down = emit_drop_schema(s)
    assert down.splitlines()[:2] == ['DROP TABLE "notes";', 'DROP TABLE "products_fts";']
    _load(down, db)
    with sqlite3.connect(db) as conn:
        left = conn.execute("SELECT name FROM sqlite_master").fetchall()
    conn.close()
    assert left == []
    assert read_catalog(db) == read_ddl("")


# ------------------------------------------------------------------------------------------------
# the tables a module keeps, other modules


@pytest.mark.parametrize(
    "arguments",
    [
        "a, b",
        "a, content='t', content_rowid='id'",
        "a, content=''",
        "a, columnsize=0",
        "a, content='t', columnsize=0",
    ],
)
def test_fts5_shadow_tables_are_the_ones_sqlite_makes(arguments: str) -> None:
    """The catalog reader's fallback before SQLite 3.37 (no PRAGMA table_list) knows the
    tables FTS5 makes for each set of options: the same ones SQLite reports as shadow tables."""
    from dbdesign.readers.ddl.sqlite import SQLiteVirtualDef, parse_create

    sql = f"CREATE VIRTUAL TABLE f USING fts5({arguments})"
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id integer PRIMARY KEY, a text)")
    conn.execute(sql)
    made = {r[1] for r in conn.execute("PRAGMA table_list") if r[2] == "shadow"}
    conn.close()
    vdef = parse_create(sql)
    assert isinstance(vdef, SQLiteVirtualDef)
    assert set(vdef.shadow_tables()) == made


def test_unmodelled_modules_are_left_out_with_a_warning(tmp_path: Path) -> None:
    sql = "CREATE TABLE t (a);\nCREATE VIRTUAL TABLE r USING rtree(id, x0, x1);\n"
    warnings: list[Diagnostic] = []
    ddl = read_ddl(sql, warn=warnings.append)
    assert [(w.line, w.message) for w in warnings] == [
        (2, "CREATE VIRTUAL TABLE r USING rtree is not modelled (only fts5); statement skipped")
    ]
    catalog = read_catalog(_load(sql, tmp_path / "r.db"))
    # nor are the tables R*Tree keeps (r_node, r_parent, r_rowid)
    assert ddl == catalog
    assert list(catalog.tables) == ["main.t"] and not catalog.virtual_tables


def test_a_schema_dump_with_the_shadow_tables_reads_as_the_database() -> None:
    """The sqlite3 shell's .schema lists FTS5's tables after the virtual table as CREATE TABLE
    IF NOT EXISTS: SQLite does nothing for them, and neither does the reader."""
    dump = (
        "CREATE VIRTUAL TABLE f USING fts5(a);\n"
        "CREATE TABLE IF NOT EXISTS 'f_data'(id INTEGER PRIMARY KEY, block BLOB);\n"
        "CREATE TABLE IF NOT EXISTS 'f_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) "
        "WITHOUT ROWID;\n"
        "CREATE TABLE IF NOT EXISTS 'f_content'(id INTEGER PRIMARY KEY, c0);\n"
    )
    s = read_ddl(dump)
    assert list(s.virtual_tables) == ["main.f"] and not s.tables
    conn = sqlite3.connect(":memory:")
    conn.executescript(dump)
    assert read_catalog(conn) == s
    conn.close()


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("CREATE TABLE f_data (x);", "table f_data already exists"),
        ("CREATE TABLE f (x);", "table f already exists"),
        ("CREATE VIRTUAL TABLE f USING fts5(b);", "table f already exists"),
        ("CREATE INDEX i ON f (a);", "virtual tables may not be indexed"),
        (
            "CREATE TRIGGER tr AFTER INSERT ON f BEGIN SELECT 1; END;",
            "cannot create triggers on virtual tables",
        ),
        ("ALTER TABLE f ADD COLUMN b;", "virtual tables may not be altered"),
        ("ALTER TABLE f RENAME TO t;", "there is already another table or index with this name"),
    ],
)
def test_statements_sqlite_refuses_are_refused(statement: str, message: str) -> None:
    sql = "CREATE TABLE t (a);\nCREATE VIRTUAL TABLE f USING fts5(a);\n" + statement
    conn = sqlite3.connect(":memory:")
    with pytest.raises(sqlite3.Error, match=message):
        conn.executescript(sql)
    conn.close()
    with pytest.raises(ParseError, match=message) as e:
        read_ddl(sql, file="v.sql")
    assert (e.value.file, e.value.line) == ("v.sql", 3)


def test_rename_if_not_exists_and_drop() -> None:
    base = "CREATE VIRTUAL TABLE f USING fts5(a);\n"
    renamed = read_ddl(base + "ALTER TABLE f RENAME TO g;\n")
    assert list(renamed.virtual_tables) == ["main.g"]
    assert read_ddl(base + "CREATE VIRTUAL TABLE IF NOT EXISTS f USING fts5(b);") == read_ddl(base)
    assert read_ddl(base + "DROP TABLE f;") == read_ddl("")
    # after the drop, FTS5's tables are gone: their names are free again
    again = read_ddl(base + "DROP TABLE f;\nCREATE TABLE f_data (x);")
    assert list(again.tables) == ["main.f_data"]


# ------------------------------------------------------------------------------------------------
# the diff


def _schema(sql: str) -> Schema:
    return read_ddl("CREATE TABLE t (id integer PRIMARY KEY, a text, b text);\n" + sql)


def test_the_diff_creates_and_drops_virtual_tables_never_alters_them() -> None:
    none = _schema("")
    one = _schema("CREATE VIRTUAL TABLE f USING fts5(a, content='t', content_rowid='id');")
    two = _schema("CREATE VIRTUAL TABLE f USING fts5(a, b, content='t', content_rowid='id');")
    assert diff_schemas(one, one).operations == ()
    created = diff_schemas(none, one).operations
    assert created == (op.CreateVirtualTable(table=one.virtual_tables["main.f"]),)
    assert diff_schemas(one, none).operations == (
        op.DropVirtualTable(table=one.virtual_tables["main.f"]),
    )
    changed = diff_schemas(one, two).operations
    assert [type(o) for o in changed] == [op.DropVirtualTable, op.CreateVirtualTable]
    assert changed[1].inverse() == op.DropVirtualTable(table=two.virtual_tables["main.f"])
    assert changed[0].destructive and not changed[1].destructive
    assert [str(o) for o in changed] == ["drop virtual table main.f", "create virtual table main.f"]


def test_the_postgres_migration_text_refuses_a_virtual_table() -> None:
    plan = diff_schemas(_schema(""), _schema("CREATE VIRTUAL TABLE f USING fts5(a);"))
    with pytest.raises(UnsupportedError, match="PostgreSQL has no virtual tables"):
        plan.sql()


def test_the_emitter_refuses_a_virtual_table_outside_main() -> None:
    s = read_ddl("CREATE VIRTUAL TABLE f USING fts5(a);")
    moved = dataclasses.replace(s.virtual_tables["main.f"], schema="other")
    bad = dataclasses.replace(s, virtual_tables=FrozenMap({"other.f": moved}))
    with pytest.raises(UnsupportedError, match=r"virtual table other\.f outside the main schema"):
        emit_schema(bad)
