"""`dbdesign lint --migrations` as a user runs it: folders of each runner's layout, standard
input, a live schema, git revisions, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dbdesign.lint.migration import MigrationLintOptions, lint_migrations


def run(
    *args: str, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``dbdesign ARGS``; a lint of migrations leaves out MIG020 (no lock_timeout), which
    every file here would also get."""
    extra = ["--ignore", "MIG020"] if "--migrations" in args else []
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args, *extra],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        input=stdin,
    )


def codes(r: subprocess.CompletedProcess[str]) -> list[tuple[str, str, int]]:
    data = json.loads(r.stdout)
    return [(f["code"], Path(f["file"]).name, f["line"]) for f in data["findings"]]


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


TABLE = "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n"
INDEX = "CREATE INDEX idx_orders_customer ON orders (customer_id);\n"
CONCURRENT = "CREATE INDEX CONCURRENTLY idx_orders_customer ON orders (customer_id);\n"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # dbdesign / golang-migrate: down files are not linted; 10 sorts after 2
        (
            {"2_b.up.sql": INDEX, "10_c.up.sql": CONCURRENT.replace("idx_", "idx2_"),
             "1_a.up.sql": TABLE,
             "2_b.down.sql": "DROP INDEX idx_orders_customer;\n"},
            [("MIG001", "2_b.up.sql", 1), ("MIG002", "10_c.up.sql", 1)],
        ),
        # Flyway: versions as numbers, repeatable last; script config turns transactions off
        (
            {"V1__init.sql": TABLE, "V1_1__idx.sql": INDEX,
             "V2__cic.sql": "-- flyway:executeInTransaction=false\n"
                            + CONCURRENT.replace("idx_", "idx2_"),
             "R__view.sql": "CREATE OR REPLACE VIEW v AS SELECT 1;\n"},
            [("MIG001", "V1_1__idx.sql", 1)],
        ),
        # dbmate: only the up section, lines as in the file
        (
            {"20240101000000_init.sql": "-- migrate:up\n" + TABLE + "-- migrate:down\n",
             "20240102000000_idx.sql": "-- migrate:up\n\n" + INDEX + "-- migrate:down\n" + INDEX},
            [("MIG001", "20240102000000_idx.sql", 3)],
        ),
        # Ory popx: per version the PostgreSQL file wins over the generic one (here one that
        # PostgreSQL could not parse), other databases' files are skipped, .autocommit files
        # run outside a transaction
        (
            {"20240101000000_init.up.sql": TABLE,
             "20240101000000_init.mysql.up.sql": TABLE.replace(");", ") ENGINE=InnoDB;"),
             "20240102000000_idx.up.sql": INDEX.replace(");", ") STORING (id);"),
             "20240102000000_idx.postgres.up.sql": INDEX,
             "20240103000000_cic.postgres.autocommit.up.sql": CONCURRENT.replace("idx_", "i2_"),
             "20240103000000_cic.cockroach.up.sql": "CREATE INDEX i2 ON orders@primary;\n",
             "20240104000000_cic.autocommit.up.sql": CONCURRENT.replace("idx_", "i3_"),
             "20240104000000_cic.down.sql": "DROP INDEX i3_orders_customer;\n"},
            [("MIG001", "20240102000000_idx.postgres.up.sql", 1)],
        ),
        # Prisma: a folder a migration; a file is one query, so a lone CONCURRENTLY runs
        # outside a transaction and one after another statement runs inside one
        (
            {"migration_lock.toml": 'provider = "postgresql"\n',
             "20240101000000_init/migration.sql": TABLE,
             "20240102000000_idx/migration.sql": "-- CreateIndex\n" + INDEX,
             "20240103000000_cic/migration.sql": CONCURRENT.replace("idx_", "i2_"),
             "20240104000000_two/migration.sql": "SET lock_timeout = '2s';\n"
                                                 + CONCURRENT.replace("idx_", "i3_")},
            [("MIG001", "migration.sql", 2), ("MIG002", "migration.sql", 2)],
        ),
        # Atlas: atlas.sum marks the folder; each file in a transaction unless it says
        # atlas:txmode none (without atlas.sum these would be plain files, MIG002-free)
        (
            {"atlas.sum": "h1:x=\n", "20240101000000_init.sql": TABLE,
             "20240102000000_cic.sql": CONCURRENT,
             "20240103000000_cic.sql": "-- atlas:txmode none\n\n"
                                       + CONCURRENT.replace("idx_", "i2_")},
            [("MIG002", "20240102000000_cic.sql", 1)],
        ),
        # drizzle-kit: its journal marks the folder; the migrator's one transaction
        (
            {"meta/_journal.json": '{"entries": []}\n', "0000_init.sql": TABLE,
             "0001_cic.sql": CONCURRENT},
            [("MIG002", "0001_cic.sql", 1)],
        ),
        # sqitch: the plan's order (not the names'); scripts bring their own BEGIN/COMMIT
        (
            {"sqitch.plan": "%project=shop\n\nz_orders 2024-01-01T00:00:00Z a <a@b> # t\n"
                            "@v1 2024-01-02T00:00:00Z a <a@b>\n"
                            "a_index [z_orders] 2024-01-03T00:00:00Z a <a@b> # i\n",
             "deploy/z_orders.sql": "BEGIN;\n" + TABLE + "COMMIT;\n",
             "deploy/a_index.sql": "BEGIN;\n" + INDEX + "COMMIT;\n"},
            [("MIG001", "a_index.sql", 2)],
        ),
        # goose: the Up section only; a transaction unless NO TRANSACTION (anywhere in the
        # file); StatementEnd ends a statement without its semicolon; ENVSUB's ${VAR} parses
        (
            {"00001_init.sql": "-- +goose Up\n" + TABLE + "-- +goose Down\nDROP TABLE orders;\n",
             "00002_idx.sql": "-- +goose Up\n-- +goose StatementBegin\nSELECT 1\n"
                              "-- +goose StatementEnd\n" + INDEX
                              + "-- +goose Down\nDROP INDEX idx_orders_customer;\n",
             "00003_cic.sql": "-- +goose Up\n-- +goose NO TRANSACTION\n"
                              + CONCURRENT.replace("idx_", "i2_"),
             "00004_cic.sql": "-- +goose Up\n" + CONCURRENT.replace("idx_", "i3_"),
             "00005_env.sql": "-- +goose Up\n-- +goose ENVSUB ON\n"
                              "CREATE TABLE ${PREFIX}_items (id bigint PRIMARY KEY);\n"},
            [("MIG001", "00002_idx.sql", 5), ("MIG002", "00004_cic.sql", 2)],
        ),
        # sql-migrate: the same shape; "Up notransaction" runs outside a transaction
        (
            {"1_init.sql": "-- +migrate Up\n" + TABLE + "-- +migrate Down\nDROP TABLE orders;\n",
             "2_cic.sql": "-- +migrate Up notransaction\n" + CONCURRENT
                          + "-- +migrate Down\nDROP INDEX idx_orders_customer;\n",
             "3_cic.sql": "-- +migrate Up\n" + CONCURRENT.replace("idx_", "i2_")},
            [("MIG002", "3_cic.sql", 2)],
        ),
        # sqlx: migrations/ beside Cargo.toml, each file in a transaction unless its very
        # first characters are "-- no-transaction"
        (
            {"Cargo.toml": '[package]\nname = "shop"\n',
             "migrations/20240101000000_init.sql": TABLE,
             "migrations/20240102000000_cic.sql": "-- no-transaction\n" + CONCURRENT,
             "migrations/20240103000000_cic.sql": "\n-- no-transaction\n"
                                                  + CONCURRENT.replace("idx_", "i2_")},
            [("MIG002", "20240103000000_cic.sql", 3)],
        ),
        # diesel: a folder a migration (up.sql), ordered by version without its dashes, each
        # in a transaction unless metadata.toml says not; .sql files beside are not run
        (
            {"Cargo.toml": '[package]\nname = "shop"\n',
             "migrations/data_fix.sql": "DROP TABLE orders;\n",
             "migrations/00000000000000_diesel_initial_setup/up.sql": "SELECT 1;\n",
             "migrations/2024-01-01-000000_init/up.sql": TABLE,
             "migrations/2024-01-01-000000_init/down.sql": "DROP TABLE orders;\n",
             "migrations/20240101120000_idx/up.sql": INDEX,
             "migrations/2024-01-02-000000_cic/up.sql": CONCURRENT.replace("idx_", "i2_"),
             "migrations/2024-01-02-000000_cic/metadata.toml": "run_in_transaction = false\n",
             "migrations/2024-01-03-000000_cic/up.sql": CONCURRENT.replace("idx_", "i3_")},
            [("MIG001", "up.sql", 1), ("MIG002", "up.sql", 1)],
        ),
        # tern: the part above "---- create above / drop below ----", in a transaction
        # unless "---- tern: disable-tx ----"
        (
            {"001_init.sql": TABLE + "\n---- create above / drop below ----\nDROP TABLE orders;\n",
             "002_cic.sql": "---- tern: disable-tx ----\n" + CONCURRENT
                            + "---- create above / drop below ----\n"
                            + "DROP INDEX CONCURRENTLY idx_orders_customer;\n",
             "003_cic.sql": CONCURRENT.replace("idx_", "i2_")
                            + "---- create above / drop below ----\n"},
            [("MIG002", "003_cic.sql", 1)],
        ),
    ],
    ids=[
        "dbdesign", "flyway", "dbmate", "popx", "prisma", "atlas", "drizzle", "sqitch", "goose",
        "sql-migrate", "sqlx", "diesel", "tern",
    ],
)  # fmt: skip
def test_layouts(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[str, str, int]]
) -> None:
    folder = write(tmp_path / "m", files)
    if "sqitch.plan" in files:
        folder = folder / "deploy"
    if "Cargo.toml" in files:
        folder = folder / "migrations"
    r = run("lint", "--migrations", str(folder), "-f", "json")
    assert r.returncode == 1, r.stderr
    assert codes(r) == expected


def test_a_table_made_by_an_earlier_migration_is_in_use(tmp_path: Path) -> None:
    """Made in the same file: free to index; made by an earlier file: in use."""
    folder = write(tmp_path / "m", {"1_a.up.sql": TABLE + INDEX})
    assert run("lint", "--migrations", str(folder)).returncode == 0
    write(folder, {"2_b.up.sql": INDEX.replace("idx_orders", "idx2_orders")})
    assert codes(run("lint", "--migrations", str(folder), "-f", "json")) == [
        ("MIG001", "2_b.up.sql", 1)
    ]


def test_stdin_and_assume_in_transaction() -> None:
    """Piped SQL runs as written; --assume-in-transaction wraps it (alembic --sql output has
    its own BEGIN/COMMIT)."""
    r = run("lint", "--migrations", "-", "-f", "json", stdin=CONCURRENT)
    assert r.returncode == 0, r.stdout + r.stderr
    r = run("lint", "--migrations", "-", "--assume-in-transaction", "-f", "json", stdin=CONCURRENT)
    assert [c for c, _, _ in codes(r)] == ["MIG002"]
    alembic = "BEGIN;\n\n" + CONCURRENT + "\nCOMMIT;\n"
    r = run("lint", "--migrations", "-", "-f", "json", stdin=alembic)
    assert [(c, line) for c, _, line in codes(r)] == [("MIG002", 3)]
    assert json.loads(r.stdout)["findings"][0]["file"] == "<stdin>"


def test_stdin_reads_suppression_comments() -> None:
    """An ignore comment in piped SQL silences its finding as in a file; one that silences
    nothing is reported (SUP001) at its line of standard input."""
    alembic = "BEGIN;\n\n" + CONCURRENT + "\nCOMMIT;\n"
    ignored = "BEGIN;\n-- dbdesign: ignore MIG002 -- checked by hand\n" + CONCURRENT + "\nCOMMIT;\n"
    assert [
        c for c, _, _ in codes(run("lint", "--migrations", "-", "-f", "json", stdin=alembic))
    ] == ["MIG002"]
    r = run("lint", "--migrations", "-", "-f", "json", stdin=ignored)
    assert r.returncode == 0, r.stdout + r.stderr
    assert codes(r) == []
    stale = "-- dbdesign: ignore MIG042 -- no TRUNCATE here\n" + CONCURRENT
    r = run("lint", "--migrations", "-", "-f", "json", stdin=stale)
    assert codes(r) == [("SUP001", "<stdin>", 1)]


def test_a_file_sent_as_one_query_is_a_transaction_only_with_two_statements(
    pg_scratch: str, tmp_path: Path
) -> None:
    """What the Prisma layout assumes, on the server: one multi-statement query is one
    implicit transaction, a lone statement is not in one."""
    import psycopg

    with psycopg.connect(pg_scratch, autocommit=True) as conn:
        conn.execute(TABLE)
        conn.execute(CONCURRENT)  # no parameters: the simple query protocol, as a runner's
        with pytest.raises(psycopg.errors.ActiveSqlTransaction):
            conn.execute("SET lock_timeout = '2s';\n" + CONCURRENT.replace("idx_", "i2_"))
    folder = write(tmp_path / "m", {"1_init/migration.sql": TABLE,
                                    "2_one/migration.sql": CONCURRENT,
                                    "3_two/migration.sql": "SET lock_timeout = '2s';\n"
                                    + CONCURRENT.replace("idx_", "i2_")})  # fmt: skip
    found = json.loads(run("lint", "--migrations", str(folder), "-f", "json").stdout)
    assert [(f["code"], Path(f["file"]).parent.name) for f in found["findings"]] == [
        ("MIG002", "3_two")
    ]


def test_an_empty_folder_is_an_error_not_a_pass(tmp_path: Path) -> None:
    """A folder with no migration this linter recognises fails (exit 2) instead of passing
    with nothing linted."""
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "README.md").write_text("migrations go here\n")
    r = run("lint", "--migrations", str(tmp_path / "m"))
    assert r.returncode == 2
    assert "no migrations here" in r.stderr and "Traceback" not in r.stderr


def test_schema_from_a_live_database(pg_scratch: str, tmp_path: Path) -> None:
    """--schema URL: the tables come from the catalog (read-only), and the migration's
    statements are never run there."""
    import psycopg

    with psycopg.connect(pg_scratch, autocommit=True) as conn:
        conn.execute("CREATE TABLE orders (id bigint PRIMARY KEY, note text)")
        version = conn.info.server_version // 10000
    # A table the file makes is free to index; the catalog's is in use.
    made_here = (TABLE + INDEX).replace("orders", "fresh")
    f = write(tmp_path, {"3_x.up.sql": made_here + "CREATE INDEX i ON orders (note);\n"})
    r = run("lint", "--migrations", str(f / "3_x.up.sql"), "--schema", pg_scratch, "-f", "json")
    assert codes(r) == [("MIG001", "3_x.up.sql", 3)], r.stderr
    with psycopg.connect(pg_scratch, autocommit=True) as conn:
        n = conn.execute("SELECT count(*) FROM pg_class WHERE relkind IN ('r', 'i')"
                         " AND relnamespace = 'public'::regnamespace").fetchone()  # fmt: skip
    assert n == (2,)  # orders and its key: nothing of the migration was made
    assert version in (15, 16)


def test_changed_since(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, timeout=60)

    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    write(tmp_path / "m", {"1_a.up.sql": INDEX})
    git("add", ".")
    git("commit", "-qm", "one")
    write(tmp_path / "m", {"2_b.up.sql": INDEX.replace("idx_orders", "idx2_orders")})
    r = run("lint", "--migrations", "m", "--changed-since", "HEAD", "-f", "json", cwd=tmp_path)
    assert codes(r) == [("MIG001", "2_b.up.sql", 1)]
    r = run("lint", "--migrations", "m", "--changed-since", "nope", cwd=tmp_path)
    assert r.returncode == 2 and "--changed-since nope" in r.stderr


def test_tables_made_by_new_migrations_are_not_in_use(tmp_path: Path) -> None:
    """New migrations (added since the revision) deploy together: a table one of them made is
    not in use in the next; one made by a committed migration, or by one only changed since,
    is."""

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, timeout=60)

    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    old_table = TABLE.replace("orders", "old_orders")
    write(tmp_path / "m", {"1_a.up.sql": old_table})
    git("add", ".")
    git("commit", "-qm", "one")
    both = INDEX + INDEX.replace("orders", "old_orders")
    write(tmp_path / "m", {"2_b.up.sql": TABLE, "3_c.up.sql": both})
    r = run("lint", "--migrations", "m", "--changed-since", "HEAD", "-f", "json", cwd=tmp_path)
    assert codes(r) == [("MIG001", "3_c.up.sql", 2)]
    # without --changed-since every file is history: orders was in use by the third
    r = run("lint", "--migrations", "m", "-f", "json", cwd=tmp_path)
    assert codes(r) == [("MIG001", "3_c.up.sql", 1), ("MIG001", "3_c.up.sql", 2)]
    # committed files changed since are deployed already: their tables stay in use
    git("add", ".")
    git("commit", "-qm", "two")
    (tmp_path / "m" / "2_b.up.sql").write_text("-- orders\n" + TABLE)
    (tmp_path / "m" / "3_c.up.sql").write_text("-- indexes\n" + both)
    r = run("lint", "--migrations", "m", "--changed-since", "HEAD", "-f", "json", cwd=tmp_path)
    assert codes(r) == [("MIG001", "3_c.up.sql", 2), ("MIG001", "3_c.up.sql", 3)]


def test_a_table_a_new_migration_filled_is_in_use(tmp_path: Path) -> None:
    """Near miss: a new migration that made the table also wrote rows into it (seed data, a
    CREATE TABLE AS): building an index on it in the next new migration holds a lock over
    rows, and dropping it loses them."""

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, timeout=60)

    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    write(tmp_path / "m", {"1_a.up.sql": "SELECT 1;\n"})
    git("add", ".")
    git("commit", "-qm", "one")
    copy = "CREATE TABLE copied AS SELECT * FROM orders;\n"
    write(tmp_path / "m", {"2_b.up.sql": TABLE + "INSERT INTO orders VALUES (1, 1);\n" + copy,
                           "3_c.up.sql": INDEX + "DROP TABLE copied;\n"})  # fmt: skip
    r = run("lint", "--migrations", "m", "--changed-since", "HEAD", "-f", "json", cwd=tmp_path)
    assert codes(r) == [("MIG001", "3_c.up.sql", 1), ("MIG031", "3_c.up.sql", 2)]


LIQUIBASE = f"""--liquibase formatted sql

--changeset alice:1
{TABLE}--rollback DROP TABLE orders;

--changeset alice:2
-- dbdesign: ignore MIG001 -- orders is empty at this release
{INDEX}
--changeset bob:3 runInTransaction:false
{CONCURRENT.replace("idx_", "i2_")}
--changeset bob:4
{CONCURRENT.replace("idx_", "i3_")}"""


def test_liquibase_changesets_each_run_in_their_own_transaction(tmp_path: Path) -> None:
    """A Liquibase formatted-SQL file: each changeset its own transaction unless it says
    runInTransaction:false; a suppression in one changeset applies there; lines are the
    file's."""
    (tmp_path / "changelog.sql").write_text(LIQUIBASE)
    r = run("lint", "--migrations", str(tmp_path / "changelog.sql"), "-f", "json")
    assert codes(r) == [("MIG002", "changelog.sql", 15)], r.stdout
    fix = json.loads(r.stdout)["findings"][0]["fix_hint"]
    assert fix.startswith("--changeset author:id runInTransaction:false\n")


def test_a_liquibase_changeset_keeps_the_lock_timeout_an_earlier_one_set(
    tmp_path: Path,
) -> None:
    """Liquibase runs a changelog's changesets on one connection: a SET lock_timeout in one
    changeset holds in the next (no MIG020 there); without it, MIG020 is reported."""

    def found(first: str) -> list[str]:
        (tmp_path / "schema.sql").write_text(TABLE)
        text = f"--liquibase formatted sql\n--changeset a:1\n{first}--changeset a:2\n{INDEX}"
        (tmp_path / "changelog.sql").write_text(text)
        opts = MigrationLintOptions(schema=str(tmp_path / "schema.sql"))
        return [f.code for f in lint_migrations([str(tmp_path / "changelog.sql")], opts).findings]

    assert found("SET lock_timeout = '2s';\n") == ["MIG001"]
    assert found("SELECT 1;\n") == ["MIG001", "MIG020"]


def test_flyway_placeholders_parse_and_keep_positions(tmp_path: Path) -> None:
    """${name} placeholders (Flyway's, Liquibase's) stand in for values the linter does not
    know: the statement still parses, on the file's own line and column."""
    folder = write(tmp_path / "m", {
        "V1__init.sql": "CREATE TABLE ${flyway:defaultSchema}.users (id bigint PRIMARY KEY, "
                        "email text);\n",
        "V2__idx.sql": "SELECT '${app.name}';\nCREATE INDEX users_email "
                       "ON ${flyway:defaultSchema}.users (email);\n",
    })  # fmt: skip
    r = run("lint", "--migrations", str(folder), "-f", "json")
    assert r.returncode == 1, r.stderr
    assert codes(r) == [("MIG001", "V2__idx.sql", 2)]


def test_bad_input(tmp_path: Path) -> None:
    f = write(tmp_path, {"1_a.up.sql": "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN;\n"})
    r = run("lint", "--migrations", str(f / "1_a.up.sql"))
    assert r.returncode == 2 and "1_a.up.sql:2:" in r.stderr and "Traceback" not in r.stderr
    for args in (
        ["lint", "--migrations", str(tmp_path / "missing")],
        ["lint", "--migrations", str(f), "--server-version", "banana"],
        ["lint", str(f), "--server-version", "15"],
        ["lint", "--migrations", str(f), "--dialect", "oracle"],
    ):
        r = run(*args)
        assert r.returncode == 2 and r.stderr.startswith("dbdesign: error:"), (args, r.stderr)
    (tmp_path / "latin1.up.sql").write_bytes(b"-- caf\xe9\nSELECT 1;\n")
    r = run("lint", "--migrations", str(tmp_path / "latin1.up.sql"))
    assert r.returncode == 2 and "not UTF-8" in r.stderr


def test_unused_suppression_in_a_migration(tmp_path: Path) -> None:
    f = write(
        tmp_path,
        {"2_a.up.sql": "-- dbdesign: no-transaction\n-- dbdesign: ignore MIG001\n" + CONCURRENT},
    )
    r = run("lint", "--migrations", str(f / "2_a.up.sql"), "-f", "json")
    assert codes(r) == [("SUP001", "2_a.up.sql", 2)], r.stdout


def test_diesel_guard_safety_assured_blocks_are_honoured(tmp_path: Path) -> None:
    """A person checked what a diesel-guard ``safety-assured`` block holds (crates.io marks
    its SET NOT NULL so): not reported; after the block's end, and in a block never closed,
    findings are."""
    block = "-- safety-assured:start\n-- checked: orders is small\n" + INDEX
    folder = write(
        tmp_path,
        {
            "1_a.up.sql": TABLE,
            "2_b.up.sql": block + "-- safety-assured:end\n" + INDEX.replace("idx_", "i2_"),
            "3_c.up.sql": block.replace("idx_", "i3_"),
        },
    )
    r = run("lint", "--migrations", str(folder), "-f", "json")
    assert codes(r) == [("MIG001", "2_b.up.sql", 5), ("MIG001", "3_c.up.sql", 3)], r.stdout


def test_linting_postgres_migrations_imports_no_other_dialects_rules(tmp_path: Path) -> None:
    """Start-up is most of a small run: a PostgreSQL migration lint loads neither the MySQL
    and SQLite rules nor what they bring (sqlglot, the other DDL readers)."""
    f = write(tmp_path, {"2_a.up.sql": INDEX})
    code = (
        "import sys\n"
        f"sys.argv = ['dbdesign', 'lint', '--migrations', {str(f)!r}, '-f', 'json']\n"
        "from dbdesign.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "rules = 'dbdesign.lint.rules.migrations_'\n"
        "heavy = {'sqlglot', 'pydantic', 'rich', 'psycopg', 'yaml',\n"
        "         rules + 'mysql', rules + 'sqlite'}\n"
        "print(sorted(heavy & {m if m.startswith('dbdesign') else m.split('.')[0]\n"
        "                      for m in sys.modules}), file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert json.loads(r.stdout)["findings"], r.stderr
    assert r.stderr.strip().splitlines()[-1] == "[]", r.stderr


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        ("postgres", ["1_a.up.sql", "2_b.postgres.up.sql", "3_c.up.sql"]),
        ("mysql", ["1_a.mysql.up.sql", "2_b.up.sql", "3_c.up.sql"]),
        ("sqlite", ["1_a.sqlite3.up.sql", "2_b.up.sql", "3_c.up.sql"]),
    ],
)
def test_popx_files_for_each_database(tmp_path: Path, dialect: str, expected: list[str]) -> None:
    """Each version's file for the database, else the generic one; a plain NNN_name.up.sql in
    a popx folder is popx's generic file."""
    from dbdesign.lint.migration.sources import collect, for_dialect

    names = ["1_a.up.sql", "1_a.mysql.up.sql", "1_a.sqlite3.up.sql", "1_a.cockroach.up.sql"]
    names += ["2_b.up.sql", "2_b.postgres.up.sql", "3_c.up.sql"]
    folder = write(tmp_path / "m", dict.fromkeys(names, "SELECT 1;\n"))
    files = for_dialect(collect([str(folder)]), dialect)
    assert [Path(f.path).name for f in files] == expected
    assert {f.runner for f in files} == {"popx"}
    assert all(f.wrapped for f in files)


def test_the_parts_of_an_ory_migration_deploy_together(tmp_path: Path) -> None:
    """Ory splits one migration into files (a version's 14-digit timestamp, then the part's
    number): an index on a table an earlier part made is on an empty table nothing uses.
    Near misses: another migration's index on it, and an index after a part wrote rows."""
    v1, v2, v3 = "20240101000000", "20240102000000", "20240103000000"
    items = TABLE.replace("orders", "items")
    folder = write(
        tmp_path,
        {
            f"{v1}000000_orders.postgres.up.sql": TABLE,
            f"{v1}000001_orders.postgres.up.sql": INDEX,
            f"{v2}000000_more.postgres.up.sql": INDEX.replace("idx_", "i2_"),
            f"{v3}000000_items.postgres.up.sql": items,
            f"{v3}000001_items.postgres.up.sql": "INSERT INTO items VALUES (1, 1);\n",
            f"{v3}000002_items.postgres.up.sql": INDEX.replace("orders", "items"),
        },
    )
    r = run("lint", "--migrations", str(folder), "-f", "json")
    assert codes(r) == [
        ("MIG001", f"{v2}000000_more.postgres.up.sql", 1),
        ("MIG001", f"{v3}000002_items.postgres.up.sql", 1),
    ], r.stdout
