"""datagen leaves migration tools' tables alone, and migrate reads a malformed history row as a
clear error — on real servers: the embedded PostgreSQL 16 and the machine's PostgreSQL 15
(``pg_scratch``), SQLite in a temporary file and MariaDB (``$DBDESIGN_TEST_MYSQL_URL``).

The issue: after ``migrate up``, ``datagen URL --rows '*=1'`` put a fake row (version
``anchor 3``, state ``failed``) into ``dbdesign_migrations`` and ``migrate status`` crashed with
``ValueError: invalid literal for int()``. Every command runs as the real CLI in a process."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dbdesign.datagen.plan import resolve_rows, skipped_tables
from dbdesign.datagen.reserved import TOOL_TABLES
from dbdesign.engine import connect, connect_mysql, mysql_scratch_database
from dbdesign.errors import ConfigError
from dbdesign.migrate.history import TABLE
from dbdesign.model import Column, DataType, FrozenMap, Schema, Table
from tests.integration.test_migrate_helpers import cli, write_folder
from tests.mysqlload import mysql_server_url

TIMEOUT = 180

MIGRATIONS = {
    "0001_customers.up.sql": (
        "CREATE TABLE customer (\n"
        "    id integer PRIMARY KEY,\n"
        "    email varchar(100) NOT NULL UNIQUE,\n"
        "    created_at timestamp NOT NULL\n"
        ");\n"
    ),
    "0001_customers.down.sql": "DROP TABLE customer;\n",
    "0002_purchases.up.sql": (
        "CREATE TABLE purchase (\n"
        "    id integer PRIMARY KEY,\n"
        "    customer_id integer NOT NULL,\n"
        "    amount numeric(10, 2) NOT NULL CHECK (amount > 0),\n"
        "    FOREIGN KEY (customer_id) REFERENCES customer (id)\n"
        ");\n"
    ),
    "0002_purchases.down.sql": "DROP TABLE purchase;\n",
}

# Other tools' tables, as Rails and Flyway create them (portable spellings), and one table of
# the application's own.
OTHER_TOOLS = [
    "CREATE TABLE schema_migrations (version varchar(255) NOT NULL PRIMARY KEY)",
    "CREATE TABLE ar_internal_metadata (\n"
    "    `key` varchar(255) NOT NULL PRIMARY KEY,\n"
    "    value varchar(255),\n"
    "    created_at timestamp(6) NOT NULL,\n"
    "    updated_at timestamp(6) NOT NULL\n"
    ")",
    "CREATE TABLE flyway_schema_history (\n"
    "    installed_rank integer NOT NULL PRIMARY KEY,\n"
    "    version varchar(50),\n"
    "    description varchar(200) NOT NULL,\n"
    "    type varchar(20) NOT NULL,\n"
    "    script varchar(1000) NOT NULL,\n"
    "    checksum integer,\n"
    "    installed_by varchar(100) NOT NULL,\n"
    "    installed_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
    "    execution_time integer NOT NULL,\n"
    "    success boolean NOT NULL\n"
    ")",
    "CREATE TABLE note (id integer PRIMARY KEY, body varchar(200) NOT NULL)",
    "INSERT INTO schema_migrations (version) VALUES ('20240101000000'), ('20240102000000')",
    "INSERT INTO ar_internal_metadata (`key`, value, created_at, updated_at) "
    "VALUES ('environment', 'development', '2024-01-01 00:00:00', '2024-01-01 00:00:00')",
    "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, "
    "checksum, installed_by, installed_on, execution_time, success) VALUES "
    "(1, '1', 'init', 'SQL', 'V1__init.sql', 12345, 'me', '2024-01-01 00:00:00', 7, true)",
]
TOOL_NAMES = ("schema_migrations", "ar_internal_metadata", "flyway_schema_history")

MALFORMED = (
    f"INSERT INTO {TABLE} (version, name, checksum, applied_by, state) "
    "VALUES ('anchor 3', 'Wind Garnet', 'not a checksum', 'dawn', 'failed')"
)


# --------------------------------------------------------------------------- the servers


class Db:
    """A database on one kind of server: its URL and plain queries (autocommit)."""

    def __init__(self, kind: str, url: str) -> None:
        self.kind = kind
        self.url = url

    def run(self, *statements: str) -> None:
        for s in statements:
            self.query(s, fetch=False)

    def query(self, text: str, *, fetch: bool = True) -> list[tuple[Any, ...]]:
        if self.kind == "postgres":
            with connect(self.url, autocommit=True) as conn:
                cur = conn.execute(text.replace("`", '"'))
                return list(cur.fetchall()) if fetch else []
        if self.kind == "sqlite":
            con = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            try:
                rows = con.execute(text).fetchall()
                con.commit()
                return rows
            finally:
                con.close()
        my = connect_mysql(self.url, autocommit=True)
        try:
            with my.cursor() as cur:
                cur.execute(text)
                return list(cur.fetchall()) if fetch else []
        finally:
            my.close()

    def table(self, name: str) -> list[tuple[Any, ...]]:
        """Every row of ``name``, every column, in a fixed order."""
        quoted = f"`{name}`" if self.kind == "mysql" else f'"{name}"'
        return self.query(f"SELECT * FROM {quoted} ORDER BY 1")

    def count(self, name: str) -> int:
        return len(self.table(name))


@pytest.fixture
def pg(pg_scratch: str) -> Db:
    return Db("postgres", pg_scratch)


@pytest.fixture
def lite(tmp_path: Path) -> Db:
    return Db("sqlite", f"sqlite:///{tmp_path / 'app.db'}")


@pytest.fixture
def my() -> Iterator[Db]:
    with mysql_scratch_database(mysql_server_url()) as url:
        yield Db("mysql", url)


def migrate(db: Db, folder: Path, *args: str) -> Any:
    return cli("migrate", *args, "--db", db.url, "--dir", str(folder), timeout=TIMEOUT)


def one_clear_line(stderr: str) -> str:
    """The CLI's error: one line, ``dbdesign: error: ...``, no traceback."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("dbdesign: error: "), stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    return lines[0]


# --------------------------------------------------------------------------- the history stays


def history_survives_datagen(db: Db, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "migrations", MIGRATIONS)
    r = migrate(db, folder, "up")
    assert r.returncode == 0, r.stderr
    before = db.table(TABLE)
    assert [str(row[0]) for row in before] == ["0001", "0002"]

    r = cli("datagen", db.url, "--rows", "*=5", timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr
    assert f"{TABLE} skipped: it is the migration history of dbdesign migrate" in r.stderr
    assert db.count("customer") == 5 and db.count("purchase") == 5
    assert db.table(TABLE) == before  # the same rows, every column

    r = migrate(db, folder, "status")
    assert r.returncode == 0, r.stderr
    assert "applied      0001_customers" in r.stdout
    assert "applied      0002_purchases" in r.stdout

    # the JSON report lists what was skipped and why; explicitly naming the table is refused
    r = cli("datagen", db.url, "--rows", "customer=2", "--rows", "*=1", "-f", "json")
    assert r.returncode == 0, r.stderr
    skipped = json.loads(r.stdout)["skipped"]
    assert [(s["table"].split(".")[-1], s["reason"]) for s in skipped] == [
        (TABLE, "the migration history of dbdesign migrate")
    ]
    r = cli("datagen", db.url, "--rows", f"{TABLE}=5", timeout=TIMEOUT)
    assert r.returncode == 2
    line = one_clear_line(r.stderr)
    assert "datagen does not fill" in line and TABLE in line and "--rows" in line
    assert db.table(TABLE) == before
    assert migrate(db, folder, "up").stdout.strip() == "nothing to do"


def test_history_survives_datagen_postgres(pg: Db, tmp_path: Path) -> None:
    history_survives_datagen(pg, tmp_path)


def test_history_survives_datagen_sqlite(lite: Db, tmp_path: Path) -> None:
    history_survives_datagen(lite, tmp_path)


def test_history_survives_datagen_mysql(my: Db, tmp_path: Path) -> None:
    history_survives_datagen(my, tmp_path)


# --------------------------------------------------------------------------- other tools' tables


def other_tools_tables_are_not_filled(db: Db) -> None:
    db.run(*OTHER_TOOLS)
    before = {name: db.table(name) for name in TOOL_NAMES}
    assert [len(rows) for rows in before.values()] == [2, 1, 1]

    r = cli("datagen", db.url, "--rows", "*=5", "-f", "json", timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert [t["table"].split(".")[-1] for t in report["tables"]] == ["note"]
    skipped = {s["table"].split(".")[-1]: s["reason"] for s in report["skipped"]}
    assert skipped == {
        "ar_internal_metadata": "Rails' internal metadata",
        "flyway_schema_history": "Flyway's migration history",
        "schema_migrations": "a migration history (Rails, dbmate, golang-migrate, Ecto)",
    }
    assert db.count("note") == 5
    assert {name: db.table(name) for name in TOOL_NAMES} == before

    # named explicitly (bare or qualified): refused, exit 2, nothing loaded
    schema = "main" if db.kind == "sqlite" else "public" if db.kind == "postgres" else None
    named = ["schema_migrations=5", "ar_internal_metadata=1"]
    if schema is not None:
        named.append(f"{schema}.flyway_schema_history=3")
    for spec in named:
        r = cli("datagen", db.url, "--rows", "note=1", "--rows", spec, timeout=TIMEOUT)
        assert r.returncode == 2, (spec, r.stdout, r.stderr)
        line = one_clear_line(r.stderr)
        assert "datagen does not fill" in line and spec.split("=")[0].split(".")[-1] in line
    assert db.count("note") == 5
    assert {name: db.table(name) for name in TOOL_NAMES} == before


def test_other_tools_tables_are_not_filled_postgres(pg: Db) -> None:
    other_tools_tables_are_not_filled(pg)


def test_other_tools_tables_are_not_filled_sqlite(lite: Db) -> None:
    other_tools_tables_are_not_filled(lite)


def test_other_tools_tables_are_not_filled_mysql(my: Db) -> None:
    other_tools_tables_are_not_filled(my)


# --------------------------------------------------------------------------- a malformed row


def malformed_row_is_a_clear_error(db: Db, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "migrations", MIGRATIONS)
    assert migrate(db, folder, "up").returncode == 0
    db.run(MALFORMED)
    before = db.table(TABLE)
    for command in (["status"], ["validate"], ["up"], ["down"], ["repair"]):
        r = migrate(db, folder, *command)
        assert r.returncode == 2, (command, r.stdout, r.stderr)
        line = one_clear_line(r.stderr)
        assert line == (
            f"dbdesign: error: {TABLE} has a row dbdesign cannot read: its version 'anchor 3' "
            "is not a migration version (digits, like the 0001 of 0001_name.up.sql), so "
            f"dbdesign did not write it. Delete the row (DELETE FROM {TABLE} WHERE version = "
            "'anchor 3'), then run the command again"
        ), command
        assert db.table(TABLE) == before, command  # nothing ran, nothing was reverted
    assert db.count("purchase") == 0

    # the fix the message gives works
    db.run(f"DELETE FROM {TABLE} WHERE version = 'anchor 3'")
    r = migrate(db, folder, "status")
    assert r.returncode == 0, r.stderr
    r = migrate(db, folder, "down")
    assert r.returncode == 0, r.stderr
    assert [str(row[0]) for row in db.table(TABLE)] == ["0001"]


def test_malformed_row_is_a_clear_error_postgres(pg: Db, tmp_path: Path) -> None:
    malformed_row_is_a_clear_error(pg, tmp_path)


def test_malformed_row_is_a_clear_error_sqlite(lite: Db, tmp_path: Path) -> None:
    malformed_row_is_a_clear_error(lite, tmp_path)


def test_malformed_row_is_a_clear_error_mysql(my: Db, tmp_path: Path) -> None:
    malformed_row_is_a_clear_error(my, tmp_path)


def test_malformed_values_in_a_real_version_row_sqlite(lite: Db, tmp_path: Path) -> None:
    """SQLite keeps text in an INTEGER column and a NULL in a TEXT primary key: each is named
    with the fix (correct the value, or delete the row)."""
    folder = write_folder(tmp_path / "migrations", MIGRATIONS)
    assert migrate(lite, folder, "up").returncode == 0
    cases = [
        (
            f"UPDATE {TABLE} SET duration_ms = 'soon' WHERE version = '0002'",
            f"{TABLE} has a row dbdesign cannot read: the row of version '0002' has the "
            f"duration_ms 'soon', not a whole number. Correct it (UPDATE {TABLE} SET "
            "duration_ms = 0 WHERE version = '0002'), or delete the row",
            f"UPDATE {TABLE} SET duration_ms = 0 WHERE version = '0002'",
        ),
        (
            f"INSERT INTO {TABLE} (version, name, checksum, applied_by, state) "
            "VALUES (NULL, 'x', 'y', 'z', 'applied')",
            f"{TABLE} has a row dbdesign cannot read: its version NULL is not a migration "
            f"version (digits, like the 0001 of 0001_name.up.sql), so dbdesign did not write "
            f"it. Delete the row (DELETE FROM {TABLE} WHERE version IS NULL)",
            f"DELETE FROM {TABLE} WHERE version IS NULL",
        ),
    ]
    for damage, message, fix in cases:
        lite.run(damage)
        r = migrate(lite, folder, "status")
        assert r.returncode == 2
        assert message in one_clear_line(r.stderr)
        lite.run(fix)
        r = migrate(lite, folder, "status")
        assert r.returncode == 0, r.stderr


# --------------------------------------------------------------------------- the one list


def test_the_list_names_every_tool_table_and_patterns_skip_them() -> None:
    named = [
        TABLE,
        "schema_migrations",
        "ar_internal_metadata",
        "flyway_schema_history",
        "alembic_version",
        "__diesel_schema_migrations",
        "django_migrations",
        "knex_migrations",
        "knex_migrations_lock",
        "goose_db_version",
        "_prisma_migrations",
        "SequelizeMeta",
        "__EFMigrationsHistory",
        "databasechangelog",
        "databasechangeloglock",
    ]
    assert TABLE == "dbdesign_migrations"
    for name in named:
        assert name.lower() in TOOL_TABLES, name
    int_type = DataType(name="integer")
    tables = {
        f"public.{n}": Table(
            schema="public", name=n, columns=(Column(name="id", type=int_type, nullable=False),)
        )
        for n in [*named, "orders", "migrations"]
    }
    tables["sqitch.changes"] = Table(
        schema="sqitch", name="changes", columns=(Column(name="id", type=int_type),)
    )
    tables["public.changes"] = Table(
        schema="public", name="changes", columns=(Column(name="id", type=int_type),)
    )
    schema = Schema(dialect="postgres", tables=FrozenMap(tables))
    assert resolve_rows(schema, {"*": 5}) == {
        "public.orders": 5,
        "public.migrations": 5,
        "public.changes": 5,
    }
    assert set(skipped_tables(schema, {"*": 5})) == {
        *(f"public.{n}" for n in named),
        "sqitch.changes",
    }
    assert skipped_tables(schema, {"orders": 5}) == {}
    assert resolve_rows(schema, {"*": 5, "schema_migrations": 0})["public.orders"] == 5
    for spec in ("SequelizeMeta", "public.__EFMigrationsHistory", "sqitch.changes"):
        with pytest.raises(ConfigError, match="datagen does not fill"):
            resolve_rows(schema, {spec: 1})
