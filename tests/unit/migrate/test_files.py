"""Migration files without a database: names, checksums, headers, statements, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbdesign.errors import ConfigError, MigrationError
from dbdesign.migrate.compare import schema_differences
from dbdesign.migrate.files import checksum, discover, new_migration, read_script, split_sqlite
from dbdesign.migrate.history import Row, compare
from dbdesign.migrate.pgcheck import split_postgres


def write(folder: Path, name: str, text: str | bytes) -> Path:
    p = folder / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return p


def test_checksum_ignores_line_endings_and_bom() -> None:
    lf = "create table t (a int);\n-- x\n"
    assert checksum(lf) == checksum(lf.replace("\n", "\r\n")) == checksum("\ufeff" + lf)
    assert checksum(lf) == checksum(lf.replace("\n", "\r"))
    assert checksum(lf) != checksum(lf.replace("int", "bigint"))


def test_crlf_file_has_the_same_checksum(tmp_path: Path) -> None:
    a = write(tmp_path, "a.sql", b"create table t (a int);\n")
    b = write(tmp_path, "b.sql", b"create table t (a int);\r\n")
    assert read_script(a).checksum == read_script(b).checksum


def test_header_options(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "0001_x.up.sql",
        "-- a comment\n-- dbdesign: no-transaction\n"
        "-- dbdesign: ignore MIG001 -- a lint suppression is no option\n"
        "-- dbdesign: lock_timeout=2s statement_timeout=10min\n"
        "create index concurrently i on t(a);\n"
        "-- dbdesign: lock_timeout=9s\n",  # after the first statement: not a header
    )
    s = read_script(p)
    assert s.no_transaction
    assert (s.lock_timeout, s.statement_timeout) == ("2s", "10min")
    bad = write(tmp_path, "0002_x.up.sql", "-- dbdesign: transaction=off\nselect 1;\n")
    with pytest.raises(MigrationError, match="unknown header option") as e:
        read_script(bad)
    assert e.value.line == 1


def test_discover_orders_by_number_and_pairs_files(tmp_path: Path) -> None:
    write(tmp_path, "10_b.up.sql", "select 1;")
    write(tmp_path, "9_a.up.sql", "select 1;")
    write(tmp_path, "9_a.down.sql", "select 1;")
    write(tmp_path, "README.md", "ignored")
    ms = discover(tmp_path)
    assert [m.label for m in ms] == ["9_a", "10_b"]
    assert ms[0].down is not None and ms[1].down is None


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (["0001_a.up.sql", "0001_b.up.sql"], "used twice"),
        (["0001_a.up.sql", "001_b.up.sql"], "same number"),
        (["0001_a.down.sql"], "without an up file"),
        (["0001_a.up.sql", "0001_b.down.sql"], "different names"),
        (["create_users.sql"], "not a migration file name"),
    ],
)
def test_discover_refuses_ambiguous_folders(tmp_path: Path, files: list[str], message: str) -> None:
    for f in files:
        write(tmp_path, f, "select 1;")
    with pytest.raises(MigrationError, match=message):
        discover(tmp_path)


def test_new_sequential_and_timestamp(tmp_path: Path) -> None:
    up, down = new_migration(tmp_path, "create_users")
    assert (up.name, down.name) == ("0001_create_users.up.sql", "0001_create_users.down.sql")
    up2, _ = new_migration(tmp_path, "add_index")
    assert up2.name == "0002_add_index.up.sql"
    ts = tmp_path / "ts"
    up3, _ = new_migration(ts, "x", versioning="timestamp")
    assert len(up3.name.split("_")[0]) == 14
    with pytest.raises(ConfigError):
        new_migration(tmp_path, "bad name")


def test_postgres_statements_and_lines(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "0001_x.up.sql",
        "-- header\ncreate table t (a int);\n\n/* c */ create function f() returns int\n"
        "language sql as $$ select 1; $$;\ninsert into t values (1); insert into t values (2);\n",
    )
    stmts = split_postgres(read_script(p))
    assert [s.line for s in stmts] == [2, 4, 6, 6]
    assert stmts[1].text.startswith("create function f()")


@pytest.mark.parametrize(
    ("sql", "line", "message"),
    [
        ("select 1;\nselect 2;\ncreate index concurrently i on t (a);\n", 3, "CREATE INDEX CONC"),
        ("select 1;\n\nvacuum t;\n", 3, "VACUUM"),
        ("drop index concurrently i;\n", 1, "DROP INDEX CONCURRENTLY"),
        ("select 1;\nreindex index concurrently i;\n", 2, "REINDEX CONCURRENTLY"),
        ("alter table p detach partition c concurrently;", 1, "DETACH PARTITION"),
        ("begin;\ncreate table t (a int);\ncommit;\n", 1, "transaction control"),
        ("create table t (a int);\ncreate tabel u (a int);\n", 2, "syntax error"),
    ],
)
def test_postgres_refusals_name_the_line(tmp_path: Path, sql: str, line: int, message: str) -> None:
    p = write(tmp_path, "0001_x.up.sql", sql)
    with pytest.raises(MigrationError, match=message) as e:
        split_postgres(read_script(p))
    assert (e.value.file, e.value.line) == (str(p), line)


def test_no_transaction_header_allows_concurrently(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "0001_x.up.sql",
        "-- dbdesign: no-transaction\ncreate index concurrently i on t(a);",
    )
    assert len(split_postgres(read_script(p))) == 1
    # ALTER TYPE ... ADD VALUE needs it only before PostgreSQL 12
    q = write(tmp_path, "0002_x.up.sql", "alter type e add value 'x';")
    assert len(split_postgres(read_script(q), 150000)) == 1
    with pytest.raises(MigrationError, match="ADD VALUE"):
        split_postgres(read_script(q), 110000)


def test_sqlite_split_keeps_trigger_bodies(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "0001_x.up.sql",
        "create table t (a);\ncreate trigger tr after insert on t begin\n  select 1;\n"
        "  select 2;\nend;\ninsert into t values (';'); insert into t values (2)",
    )
    stmts = split_sqlite(read_script(p))
    assert [s.line for s in stmts] == [1, 2, 6, 6]
    assert stmts[1].text.endswith("end;")


def _row(v: str, c: str, state: str = "applied") -> Row:
    return Row(v, "m", c, "t", 0, "me", state)  # type: ignore[arg-type]


def test_status_classification(tmp_path: Path) -> None:
    for v in ("0001", "0002", "0003", "0005"):
        write(tmp_path, f"{v}_m.up.sql", f"select {v};")
    ms = {m.version: m for m in discover(tmp_path)}
    rows = [
        _row("0001", ms["0001"].checksum),
        _row("0002", "0" * 64),
        _row("0004", "1" * 64),
        _row("0005", ms["0005"].checksum, "failed"),
    ]
    report = compare(list(ms.values()), rows)
    assert [(e.version, e.status) for e in report.entries] == [
        ("0001", "applied"),
        ("0002", "changed"),
        ("0003", "out_of_order"),
        ("0004", "missing"),
        ("0005", "failed"),
    ]
    assert {e.version for e in report.drift} == {"0002", "0004", "0005"}


def test_schema_differences_are_readable() -> None:
    from dbdesign.readers.ddl.postgres import read_ddl

    a = read_ddl("create table t (a int, b text); create index t_a on t (a);")
    b = read_ddl("create table t (a bigint); create table u (x int);")
    got = [str(d) for d in schema_differences(a, b)]
    assert "removed index public.t_a" in got
    assert "added table public.u" in got
    changed = next(g for g in got if g.startswith("changed table public.t"))
    assert "columns[b] removed" in changed and "'integer' -> 'bigint'" in changed


def test_settings_from_config(tmp_path: Path) -> None:
    from dbdesign.migrate.runner import Settings

    s = Settings.from_config(
        {"dir": "db/migrations", "versioning": "timestamp", "lock_wait": 5, "lock_timeout": "2s"},
        tmp_path,
    )
    assert (s.dir, s.versioning, s.lock_wait, s.lock_timeout) == (
        tmp_path / "db/migrations",
        "timestamp",
        5.0,
        "2s",
    )
    for bad in ({"dirr": "x"}, {"versioning": "semver"}, {"statement_timeout": "1s; drop"}):
        with pytest.raises(ConfigError):
            Settings.from_config(bad, tmp_path)
