"""The SQLite migration linter's claims, proven on the machine's SQLite (Python's sqlite3).

- Every case of the rules that say a statement fails (MIG150-MIG158) that targets the
  machine's version: the linter runs on it (with ``--server-version`` set to
  ``sqlite3.sqlite_version``), then the schema is made in a database file, the case's rows
  inserted, and the migration run as dbdesign's runner would (foreign keys on, the file in a
  transaction unless it is a plain file): the server refuses exactly the migrations the
  linter says fail.
- The 12-step rebuild the linter prints for those findings runs on the same database and
  succeeds: PRAGMA foreign_key_check finds nothing, every table keeps its rows, and the schema
  read back by the catalog reader keeps every other table, the indexes, triggers and views
  (those the fix says it does not re-create aside) and the foreign keys, and equals what the
  DDL reader makes of the schema followed by the fix.
- The process rules' claims: PRAGMA foreign_keys in a transaction changes nothing; DROP TABLE
  of a parent with foreign keys on deletes CASCADE children; RENAME TO rewrites other tables'
  REFERENCES; BEGIN in a transaction fails.

The version is recorded (``sqlite_version`` property, and in every assertion message).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

from dbdesign.dialects.sqlite_lexer import statement_spans
from dbdesign.dialects.tokens import Source
from dbdesign.errors import ParseError
from dbdesign.lint.config import LintConfig
from dbdesign.lint.findings import Finding
from dbdesign.lint.migration import MigrationLintOptions, lint_migrations
from dbdesign.lint.migration.context import ServerVersion
from dbdesign.migrate.runner import Settings, migrate
from dbdesign.readers.catalog.sqlite import read_catalog
from dbdesign.readers.ddl.sqlite import read_ddl

VERSION = sqlite3.sqlite_version
VERSION_PARTS = tuple(int(p) for p in VERSION.split("."))
CASES = Path(__file__).resolve().parents[1] / "lint_cases"
REFUSALS = [f"MIG{n}" for n in range(150, 159)]
ALL = tuple(f"MIG{n}" for n in range(150, 167))


@pytest.fixture(autouse=True)
def _record_version(record_property: Any) -> None:
    record_property("sqlite_version", VERSION)


def _cases() -> list[Any]:
    """The cases of the refusal rules written for this SQLite version (the others are the
    documentation's claims about other versions, not run here)."""
    out = []
    for code in REFUSALS:
        data = yaml.safe_load((CASES / f"{code}.yaml").read_text())
        for kind in ("fail", "pass"):
            for n, case in enumerate(data.get(kind) or []):
                if _runs_here(case):
                    out.append(pytest.param(code, kind, case, id=f"{code}-{kind}-{n}"))
    return out


def _runs_here(case: dict[str, Any]) -> bool:
    """Cases written for another SQLite version are the documentation's claims, not run."""
    wanted = case.get("server_version")
    if wanted is None:
        return True
    return ServerVersion.parse(wanted, "sqlite").parts == VERSION_PARTS


def lint(tmp: Path, case: dict[str, Any], migration: str | None = None) -> list[Finding]:
    path = tmp / case.get("file", "0002_case.up.sql")
    path.write_text(migration if migration is not None else case["migration"])
    schema = None
    if case.get("schema"):
        schema = str(tmp / "schema.sql")
        Path(schema).write_text(case["schema"])
    opts = MigrationLintOptions(dialect="sqlite", schema=schema, server_version=VERSION)
    report = lint_migrations([str(path)], opts, LintConfig(select=ALL))
    return list(report.findings)


def _statements(text: str) -> list[str]:
    src = Source(text, None)
    return [text[a:b].strip() for a, b, _ in statement_spans(src) if text[a:b].strip()]


def _database(tmp: Path, case: dict[str, Any]) -> sqlite3.Connection:
    conn = sqlite3.connect(tmp / "case.db", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")  # as dbdesign's runner
    if case.get("schema"):
        conn.executescript(case["schema"])
    for row in case.get("rows") or []:
        conn.execute(row)
    return conn


def _run_migration(conn: sqlite3.Connection, case: dict[str, Any]) -> str | None:
    """Run the migration as the runner would; the server's error, or None."""
    wrapped = case.get("file", "0002_case.up.sql").endswith(".up.sql")
    try:
        if wrapped:
            conn.execute("BEGIN")
        for s in _statements(case["migration"]):
            conn.execute(s)
        if wrapped:
            conn.execute("COMMIT")
    except sqlite3.Error as e:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        return str(e)
    return None


@pytest.mark.parametrize(("code", "kind", "case"), _cases())
def test_server_refuses_what_the_linter_says_fails(
    code: str, kind: str, case: dict[str, Any], tmp_path: Path
) -> None:
    found = [f for f in lint(tmp_path, case) if f.code in REFUSALS]
    conn = _database(tmp_path, case)
    try:
        error = _run_migration(conn, case)
    finally:
        conn.close()
    says = [f"{f.code}: {f.message}" for f in found]
    assert (error is not None) == bool(found), (
        f"SQLite {VERSION}: {case['name']}: server error {error!r}, linter {says}"
    )
    assert (kind == "fail") == bool(found), f"{code} {kind} case {case['name']!r}: {says}"


def _rebuild_cases() -> list[Any]:
    return [p for p in _cases() if p.values[1] == "fail" and p.values[2].get("rows")]


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def _rebuild_runs() -> list[Any]:
    """Each rebuild case twice: the fix printed for a dbdesign file (its header, run by
    ``dbdesign migrate up``) and the one printed for a plain file (PRAGMA / BEGIN / COMMIT,
    run as written)."""
    out = []
    for p in _rebuild_cases():
        code, _, case = p.values
        for runner, file in (("dbdesign", "0002_case.up.sql"), ("plain", "0002_case.sql")):
            out.append(pytest.param(code, {**case, "file": file}, id=f"{p.id}-{runner}"))
    return out


def _run_fix(tmp: Path, case: dict[str, Any], fix: str) -> sqlite3.Connection:
    """The case's database with its rows, the fix run on it as its runner would; an open
    connection to it."""
    db = tmp / "case.db"
    if not case["file"].endswith(".up.sql"):
        conn = _database(tmp, case)
        conn.executescript(fix)
        return conn
    rows = "\n".join(case.get("rows") or [])
    folder = tmp / "migrations"
    folder.mkdir()
    (folder / "0001_schema.up.sql").write_text(case["schema"] + "\n" + rows + "\n")
    (folder / "0002_fix.up.sql").write_text(fix)
    migrate(f"sqlite:///{db}", Settings(dir=folder, unsafe_ok=True), to="0001")
    migrate(f"sqlite:///{db}", Settings(dir=folder))  # the fix passes migrate up's lint too
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TABLE dbdesign_migrations")  # the runner's, not the case's
    conn.execute("PRAGMA foreign_keys = ON")  # a new connection: SQLite's default is off
    return conn


@pytest.mark.parametrize(("code", "case"), _rebuild_runs())
def test_printed_fix_runs_and_keeps_rows_keys_and_indexes(
    code: str, case: dict[str, Any], tmp_path: Path
) -> None:
    fixes = [f.fix_hint for f in lint(tmp_path, case) if f.code == code]
    fix = fixes[0] if fixes else None
    assert fix, f"{code}: no fix printed for {case['name']!r}"
    (tmp_path / "before").mkdir()
    conn = _database(tmp_path / "before", case)
    try:
        before, rows = read_catalog(conn), _counts(conn)
    finally:
        conn.close()
    conn = _run_fix(tmp_path, case, fix)
    try:
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == [], f"SQLite {VERSION}"
        assert _counts(conn) == rows, f"SQLite {VERSION}: rows lost by\n{fix}"
        after = read_catalog(conn)
    finally:
        conn.close()
    table = next(f.object for f in lint(tmp_path, case) if f.code == code)
    lost = {line.rsplit(" ", 1)[-1] for line in fix.splitlines() if "not re-created" in line}
    key = f"main.{table}"
    assert {k: t for k, t in before.tables.items() if k != key} == {
        k: t for k, t in after.tables.items() if k != key
    }
    for what in ("indexes", "triggers", "views"):
        kept = {k: v for k, v in getattr(before, what).items() if v.name not in lost}
        have = dict(getattr(after, what))
        assert kept.items() <= have.items(), f"SQLite {VERSION}: {what} after\n{fix}"
    # every foreign key whose columns the table still has is kept
    cols = {c.name for c in after.tables[key].columns}
    fks = {n: fk for n, fk in before.tables[key].foreign_keys.items() if set(fk.columns) <= cols}
    assert fks.items() <= dict(after.tables[key].foreign_keys).items(), f"SQLite {VERSION}\n{fix}"
    # the DDL reader agrees with the server on what the rebuild made
    assert read_ddl(case["schema"] + "\n" + fix) == after


def _conn(schema: str) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.executescript(schema)
    return conn


PARENT = """
CREATE TABLE shops (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, shop_id INTEGER REFERENCES shops (id)
    ON DELETE CASCADE);
INSERT INTO shops VALUES (1, 'a');
INSERT INTO orders VALUES (1, 1), (2, 1);
"""
REBUILD = """
PRAGMA foreign_keys = OFF;
CREATE TABLE new_shops (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO new_shops (id, name) SELECT id, name FROM shops;
DROP TABLE shops;
ALTER TABLE new_shops RENAME TO shops;
"""


def _codes(tmp: Path, schema: str, migration: str, file: str) -> set[str]:
    case = {"schema": schema, "file": file}
    return {f.code for f in lint(tmp, case, migration)}


def test_foreign_keys_pragma_in_a_transaction_is_a_no_op(tmp_path: Path) -> None:
    conn = _conn(PARENT)
    conn.execute("BEGIN")
    conn.execute("PRAGMA foreign_keys = OFF")
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1, f"SQLite {VERSION}"
    for s in _statements(REBUILD)[1:]:
        conn.execute(s)
    conn.execute("COMMIT")
    # the no-op pragma let the DROP TABLE delete the CASCADE children
    assert conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 0, f"SQLite {VERSION}"
    codes = _codes(tmp_path, PARENT, REBUILD, "0002_case.up.sql")
    assert {"MIG159", "MIG160"} <= codes


def test_foreign_keys_off_outside_the_transaction_keeps_the_children(tmp_path: Path) -> None:
    conn = _conn(PARENT)
    statements = _statements(REBUILD)
    conn.execute(statements[0])
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 0, f"SQLite {VERSION}"
    conn.execute("BEGIN")
    for s in statements[1:]:
        conn.execute(s)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.execute("COMMIT")
    assert conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 2, f"SQLite {VERSION}"
    text = REBUILD.replace("OFF;\n", "OFF;\nBEGIN;\n", 1) + "COMMIT;\n"
    codes = _codes(tmp_path, PARENT, text, "0002_case.sql")
    assert not codes & {"MIG159", "MIG160"}, codes


def test_rename_rewrites_the_children_references(tmp_path: Path) -> None:
    assert VERSION_PARTS >= (3, 26), f"SQLite {VERSION}: the claim is for 3.26+"
    conn = _conn(PARENT)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("ALTER TABLE shops RENAME TO shops_old")
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'orders'").fetchone()[0]
    assert "shops_old" in sql, f"SQLite {VERSION}: {sql}"
    migration = (
        "PRAGMA foreign_keys = OFF;\nALTER TABLE shops RENAME TO shops_old;\n"
        "CREATE TABLE shops (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
    )
    assert "MIG161" in _codes(tmp_path, PARENT, migration, "0002_case.sql")


def test_begin_inside_the_runners_transaction_fails(tmp_path: Path) -> None:
    conn = _conn("")
    conn.execute("BEGIN")
    with pytest.raises(sqlite3.OperationalError, match="within a transaction"):
        conn.execute("BEGIN")
    migration = "BEGIN;\nCREATE TABLE t (id INTEGER PRIMARY KEY);\nCOMMIT;\n"
    assert "MIG165" in _codes(tmp_path, "", migration, "0002_case.up.sql")


DROP_FK_COLUMN = {
    "column REFERENCES": (
        "CREATE TABLE c (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES p (id), x INTEGER);",
        None,
    ),
    "named, with actions, CHECK and DEFAULT": (
        "CREATE TABLE c (id INTEGER PRIMARY KEY, pid INTEGER NOT NULL DEFAULT 1 "
        "CONSTRAINT c_p CHECK (pid > 0) REFERENCES p ON DELETE CASCADE, x INTEGER, "
        "FOREIGN KEY (x) REFERENCES p (id));",
        None,
    ),
    "table-level FOREIGN KEY": (
        "CREATE TABLE c (id INTEGER PRIMARY KEY, pid INTEGER, x INTEGER, "
        "FOREIGN KEY (pid) REFERENCES p (id));",
        "foreign key",
    ),
}


@pytest.mark.parametrize("name", sorted(DROP_FK_COLUMN))
def test_reader_drops_a_column_with_its_own_references_as_sqlite_does(name: str) -> None:
    """The SQLite DDL reader accepts DROP COLUMN of a column whose own REFERENCES clause goes
    with it and refuses one a table-level FOREIGN KEY names, as the server does; what it
    makes equals the catalog."""
    table, refused = DROP_FK_COLUMN[name]
    ddl = f"CREATE TABLE p (id INTEGER PRIMARY KEY);\n{table}\nALTER TABLE c DROP COLUMN pid;\n"
    conn = _conn("")
    try:
        try:
            conn.executescript(ddl)
            server = None
        except sqlite3.Error as e:
            server = str(e)
        if refused is None:
            assert server is None, f"SQLite {VERSION}: {server}"
            assert read_ddl(ddl) == read_catalog(conn)
            assert [c.name for c in read_ddl(ddl).tables["main.c"].columns] == ["id", "x"]
        else:
            assert server is not None and refused in server, f"SQLite {VERSION}: {server}"
            with pytest.raises(ParseError, match=refused):
                read_ddl(ddl)
    finally:
        conn.close()


def test_walker_keeps_the_table_after_dropping_a_references_column(tmp_path: Path) -> None:
    """The migration linter sees the table without the column (the reader applies the drop;
    the walker has no work-around of its own): a later ADD COLUMN of the same name is fine,
    a later use of the dropped column's foreign key is not there to protect."""
    schema = (
        "CREATE TABLE p (id INTEGER PRIMARY KEY);\n"
        "CREATE TABLE c (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES p (id), x INTEGER);\n"
    )
    migration = "ALTER TABLE c DROP COLUMN pid;\nDROP TABLE p;\n"
    codes = _codes(tmp_path, schema, migration, "0002_case.up.sql")
    # p is no longer referenced once pid is gone: MIG160 (DROP TABLE of a referenced parent
    # with foreign keys on) must not fire; MIG162 (DROP TABLE of a table in use) does
    assert "MIG160" not in codes and "MIG162" in codes, codes


SPLIT_REBUILD = [  # a rebuild one statement a file, as Ory's generated migrations are
    'CREATE TABLE "_errors_tmp" (id INTEGER PRIMARY KEY, body TEXT NOT NULL, seen INTEGER);\n',
    'INSERT INTO "_errors_tmp" (id, body) SELECT id, body FROM "errors";\n',
    'DROP TABLE "errors";\n',
    'ALTER TABLE "_errors_tmp" RENAME TO "errors";\n',
]


def _split_folder(tmp: Path, files: list[str]) -> Path:
    folder = tmp / "m"
    folder.mkdir()
    (folder / "1_init.up.sql").write_text(
        "CREATE TABLE errors (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n"
    )
    for n, text in enumerate(files, start=2):
        (folder / f"{n}_errors.sqlite3.up.sql").write_text(text)
    return folder


def _lint_folder(folder: Path) -> list[tuple[str, str]]:
    report = lint_migrations([str(folder)], MigrationLintOptions(dialect="sqlite"))
    return [(f.code, Path(f.origin.file or "").name) for f in report.findings if f.origin]


def test_a_rebuild_split_over_files_keeps_rows_and_name_and_is_not_reported(
    tmp_path: Path,
) -> None:
    """DROP TABLE then, in the next file, RENAME TO the dropped name: the rebuild, split
    over files; its rows are in the new table, so neither MIG162 (rows lost) nor MIG164
    (a rename breaking clients) applies. Run file by file on SQLite, the rows stay."""
    conn = _conn("CREATE TABLE errors (id INTEGER PRIMARY KEY, body TEXT NOT NULL);")
    conn.execute("INSERT INTO errors VALUES (1, 'a'), (2, 'b')")
    for text in SPLIT_REBUILD:
        conn.execute("BEGIN")
        conn.execute(text)
        conn.execute("COMMIT")
    rows = conn.execute("SELECT id, body, seen FROM errors ORDER BY id").fetchall()
    assert rows == [(1, "a", None), (2, "b", None)], f"SQLite {VERSION}"
    assert _lint_folder(_split_folder(tmp_path, SPLIT_REBUILD)) == []


def test_a_drop_not_followed_by_the_rename_in_the_next_file_is_reported(tmp_path: Path) -> None:
    """Near miss: a file between the DROP and the RENAME, so neither is part of one rebuild."""
    files = [*SPLIT_REBUILD[:3], "CREATE TABLE other (id INTEGER PRIMARY KEY);\n", SPLIT_REBUILD[3]]
    found = _lint_folder(_split_folder(tmp_path, files))
    assert ("MIG162", "4_errors.sqlite3.up.sql") in found
    assert ("MIG164", "6_errors.sqlite3.up.sql") in found
