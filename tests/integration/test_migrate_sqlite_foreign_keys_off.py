"""The migration header ``-- dbdesign: foreign-keys-off`` on real SQLite files (and its refusal
on PostgreSQL): the runner turns foreign keys off before the file's transaction, runs
``PRAGMA foreign_key_check`` before COMMIT (rows: rolled back, history unchanged) and turns
them on again after, whatever happened; the SQLite migration linter prints its 12-step
rebuild with that header, and that text runs as it is under ``dbdesign migrate up``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from dbdesign.errors import MigrationError
from dbdesign.migrate.backend import open_backend
from dbdesign.migrate.files import discover
from dbdesign.migrate.runner import Settings, migrate, prepare
from dbdesign.migrate.testing import run_test
from tests.integration.test_migrate_helpers import cli, pg_history, pg_tables, write_folder

HEADER = "-- dbdesign: foreign-keys-off"
# shops is a parent: orders follow it ON DELETE CASCADE, reviews with NO ACTION; with foreign
# keys on, DROP TABLE shops would delete every order, or fail on the reviews
SCHEMA = """\
CREATE TABLE shops (id INTEGER PRIMARY KEY, name TEXT);
CREATE INDEX shops_name ON shops (name);
CREATE TABLE orders (id INTEGER PRIMARY KEY,
    shop_id INTEGER REFERENCES shops (id) ON DELETE CASCADE);
CREATE INDEX orders_shop ON orders (shop_id);
INSERT INTO shops VALUES (1, 'a'), (2, 'b');
INSERT INTO orders VALUES (10, 1), (11, 2), (12, 2);
"""
SCHEMA_DOWN = "DROP TABLE orders;\nDROP TABLE shops;\n"
ALTER = "ALTER TABLE shops ADD CONSTRAINT shops_name_key UNIQUE (name);\n"
REVIEWS = """\
CREATE TABLE reviews (id INTEGER PRIMARY KEY, shop_id INTEGER NOT NULL REFERENCES shops (id));
INSERT INTO reviews VALUES (100, 1);
"""
# a rebuild of shops without the unique key, for the down files
UNDO = f"""{HEADER}
CREATE TABLE new_shops (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO new_shops (id, name) SELECT id, name FROM shops;
DROP TABLE shops;
ALTER TABLE new_shops RENAME TO shops;
CREATE INDEX shops_name ON shops (name);
"""


def _url(db: Path) -> str:
    return f"sqlite:///{db}"


def _one(db: Path, query: str) -> object:
    with sqlite3.connect(db) as conn:
        return conn.execute(query).fetchone()[0]


def _history(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT version FROM dbdesign_migrations ORDER BY 1")]


def _printed_fix(folder: Path) -> str:
    """The fix `dbdesign lint --migrations` prints for the folder's MIG150 finding."""
    r = cli("lint", "--migrations", str(folder), "--dialect", "sqlite", "--format", "json")
    assert r.returncode == 1, r.stderr
    found = [f for f in json.loads(r.stdout)["findings"] if f["code"] == "MIG150"]
    assert len(found) == 1, r.stdout
    fix: str = found[0]["fix_hint"]
    return fix


def test_the_linters_rebuild_runs_as_printed_under_migrate_up(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "m",
        {"0001_shops.up.sql": SCHEMA + REVIEWS, "0002_unique_name.up.sql": ALTER},
    )
    fix = _printed_fix(folder)
    statements = [x for x in fix.splitlines() if x.strip() and not x.startswith("--")]
    assert fix.splitlines()[0] == HEADER
    assert not [x for x in statements if x.split()[0].upper() in ("PRAGMA", "BEGIN", "COMMIT")]
    assert "For other runners" in fix and "PRAGMA foreign_keys = OFF; BEGIN;" in fix
    (folder / "0002_unique_name.up.sql").write_text(fix)
    db = tmp_path / "app.db"
    r = cli("migrate", "up", "--db", _url(db), "--dir", str(folder))
    assert r.returncode == 0, r.stdout + r.stderr
    assert _history(db) == ["0001", "0002"]
    # rows, indexes and foreign keys kept; the new key holds
    assert _one(db, "SELECT count(*) FROM orders") == 3
    assert _one(db, "SELECT count(*) FROM reviews") == 1
    assert _one(db, "SELECT count(*) FROM shops") == 2
    with sqlite3.connect(db) as conn:
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"shops_name", "orders_shop"} <= indexes
        for child in ("orders", "reviews"):
            fks = conn.execute(f"PRAGMA foreign_key_list({child})").fetchall()
            assert [(f[2], f[3], f[4]) for f in fks] == [("shops", "shop_id", "id")]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("PRAGMA foreign_keys = ON")
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            conn.execute("INSERT INTO shops VALUES (3, 'a')")


def test_without_the_header_the_same_rebuild_loses_the_children(tmp_path: Path) -> None:
    """The control: the printed statements without the header, run with foreign keys on
    (--unsafe-ok past MIG160), delete every order with their shops' DROP TABLE."""
    folder = write_folder(
        tmp_path / "m", {"0001_shops.up.sql": SCHEMA, "0002_unique_name.up.sql": ALTER}
    )
    fix = _printed_fix(folder)
    (folder / "0002_unique_name.up.sql").write_text(fix.replace(HEADER + "\n", "", 1))
    db = tmp_path / "app.db"
    r = cli("migrate", "up", "--db", _url(db), "--dir", str(folder))
    assert r.returncode == 3 and "MIG160" in r.stderr, r.stderr
    r = cli("migrate", "up", "--db", _url(db), "--dir", str(folder), "--unsafe-ok")
    assert r.returncode == 0, r.stderr
    assert _one(db, "SELECT count(*) FROM orders") == 0


ORPHANS = f"""{HEADER}
-- a rebuild that loses shop 2: its orders 11 and 12 are left without a parent
CREATE TABLE new_shops (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO new_shops (id, name) SELECT id, name FROM shops WHERE id <> 2;
DROP TABLE shops;
ALTER TABLE new_shops RENAME TO shops;
"""


def test_a_violating_migration_is_rolled_back(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "m", {"0001_shops.up.sql": SCHEMA, "0002_orphans.up.sql": ORPHANS}
    )
    db = tmp_path / "app.db"
    migrate(_url(db), Settings(dir=folder), to="0001")
    before = _one(db, "SELECT group_concat(sql, ';') FROM sqlite_master")
    with pytest.raises(MigrationError) as e:
        migrate(_url(db), Settings(dir=folder))
    msg = str(e.value)
    assert "foreign_key_check found 2 row(s)" in msg, msg
    assert "orders rowid 11: (shop_id) -> shops (id)" in msg, msg
    assert "orders rowid 12" in msg and "was rolled back" in msg, msg
    assert (Path(e.value.file or "").name, e.value.line) == ("0002_orphans.up.sql", 1)
    assert _history(db) == ["0001"]
    assert _one(db, "SELECT count(*) FROM shops") == 2
    assert _one(db, "SELECT group_concat(sql, ';') FROM sqlite_master") == before


def test_foreign_keys_are_on_again_after_each_outcome(tmp_path: Path) -> None:
    """Read back on the runner's own connection: after a failed foreign_key_check, after a
    failed statement, and after a commit."""
    folder = write_folder(
        tmp_path / "m",
        {
            "0001_shops.up.sql": SCHEMA,
            "0002_orphans.up.sql": ORPHANS,
            "0003_broken.up.sql": f"{HEADER}\nDELETE FROM shops;\nINSERT INTO nowhere VALUES (1);",
            "0004_ok.up.sql": UNDO,
        },
    )
    db = tmp_path / "app.db"
    migrate(_url(db), Settings(dir=folder), to="0001")
    outcomes = {"0002": "foreign_key_check found", "0003": "no such table: nowhere", "0004": ""}
    backend = open_backend(_url(db))
    try:
        for m in discover(folder)[1:]:
            (step,) = prepare(backend, [m], "up")
            error = ""
            try:
                backend.run(
                    m,
                    step.script,
                    list(step.statements),
                    direction="up",
                    lock_timeout=None,
                    statement_timeout=None,
                )
            except MigrationError as e:
                error = str(e)
            want = outcomes[m.version]
            assert (want in error) if want else not error, (m.version, error)
            assert not backend.conn.in_transaction
            assert backend.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1, m.version
    finally:
        backend.close()
    assert _history(db) == ["0001", "0004"]
    assert _one(db, "SELECT count(*) FROM orders") == 3


def test_migrate_down_honours_the_header(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "m",
        {
            "0001_shops.up.sql": SCHEMA,
            "0001_shops.down.sql": SCHEMA_DOWN,
            "0002_unique_name.up.sql": ALTER,
        },
    )
    (folder / "0002_unique_name.up.sql").write_text(_printed_fix(folder))
    (folder / "0002_unique_name.down.sql").write_text(UNDO)
    db = tmp_path / "app.db"
    migrate(_url(db), Settings(dir=folder))
    migrate(_url(db), Settings(dir=folder), direction="down", steps=1)
    assert _history(db) == ["0001"]
    assert _one(db, "SELECT count(*) FROM orders") == 3  # not cascaded away by the down
    sql = _one(db, "SELECT sql FROM sqlite_master WHERE name = 'shops'")
    assert "UNIQUE" not in str(sql)
    # without the header the down file's DROP TABLE shops takes the orders with it
    migrate(_url(db), Settings(dir=folder))
    (folder / "0002_unique_name.down.sql").write_text(UNDO.replace(HEADER + "\n", ""))
    migrate(_url(db), Settings(dir=folder), direction="down", steps=1)
    assert _one(db, "SELECT count(*) FROM orders") == 0


def test_migrate_test_honours_the_header(tmp_path: Path) -> None:
    """On the scratch database the rebuild of a parent with a NO ACTION child that has rows
    passes up, down and up again with the header, and fails without it."""
    files = {
        "0001_shops.up.sql": SCHEMA + REVIEWS,
        "0001_shops.down.sql": "DROP TABLE reviews;\n" + SCHEMA_DOWN,
        "0002_unique_name.up.sql": ALTER,
    }
    folder = write_folder(tmp_path / "m", files)
    (folder / "0002_unique_name.up.sql").write_text(_printed_fix(folder))
    (folder / "0002_unique_name.down.sql").write_text(UNDO)
    result = run_test(_url(tmp_path / "app.db"), Settings(dir=folder))
    assert result.failed is None, result.problem
    assert list(result.checked) == ["0001_shops", "0002_unique_name"]
    (folder / "0002_unique_name.down.sql").write_text(UNDO.replace(HEADER + "\n", ""))
    result = run_test(_url(tmp_path / "app.db"), Settings(dir=folder))
    assert result.failed == "0002_unique_name"
    assert "FOREIGN KEY constraint failed" in (result.problem or ""), result.problem


def test_the_header_cannot_be_combined_with_no_transaction(tmp_path: Path) -> None:
    text = "-- dbdesign: no-transaction\n-- dbdesign: foreign-keys-off\nCREATE TABLE t (a);\n"
    folder = write_folder(tmp_path / "m", {"0001_t.up.sql": text})
    with pytest.raises(MigrationError, match="cannot be combined with no-transaction") as e:
        migrate(_url(tmp_path / "app.db"), Settings(dir=folder))
    assert (Path(e.value.file or "").name, e.value.line) == ("0001_t.up.sql", 2)


def test_the_header_is_refused_on_postgresql(pg_scratch: str, tmp_path: Path) -> None:
    text = f"-- rebuild\n{HEADER}\nCREATE TABLE t (a integer);\n"
    folder = write_folder(tmp_path / "m", {"0001_t.up.sql": text})
    with pytest.raises(MigrationError, match="honoured on SQLite only") as e:
        migrate(pg_scratch, Settings(dir=folder))
    assert (Path(e.value.file or "").name, e.value.line) == ("0001_t.up.sql", 2)
    assert "PostgreSQL" in str(e.value)
    assert "t" not in pg_tables(pg_scratch)
    assert pg_history(pg_scratch) == []
    r = cli("migrate", "up", "--db", pg_scratch, "--dir", str(folder))
    assert r.returncode == 2 and "0001_t.up.sql:2" in r.stderr, r.stderr
