"""`dbdesign migrate` on SQLite files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dbdesign.errors import MigrationError
from dbdesign.migrate.runner import Settings, migrate, status
from dbdesign.migrate.testing import run_test
from tests.integration.test_migrate_helpers import cli, write_folder

FILES = {
    "0001_users.up.sql": "create table users (id integer primary key, email text, note text);\n",
    "0001_users.down.sql": "drop table users;\n",
    "0002_email.up.sql": "create index users_email on users (email);\n"
    "create trigger users_lower after insert on users begin\n"
    "  update users set email = lower(new.email) where id = new.id;\nend;\n",
    "0002_email.down.sql": "drop trigger users_lower;\ndrop index users_email;\n",
    "0003_name.up.sql": "alter table users add column name text not null default '';\n",
    "0003_name.down.sql": "alter table users drop column name;\n",
}


def tables(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select name from sqlite_master where type in ('table', 'index')")
        return {r[0] for r in rows if not r[0].startswith("sqlite_")}


def history(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("select version from dbdesign_migrations order by 1")]


def test_up_down_status(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    s = Settings(dir=write_folder(tmp_path / "m", FILES))
    url = f"sqlite:///{db}"
    assert len(migrate(url, s)) == 3
    assert history(db) == ["0001", "0002", "0003"]
    assert {"users", "users_email"} <= tables(db)
    migrate(url, s, direction="down", steps=2)
    assert history(db) == ["0001"]
    assert "users_email" not in tables(db)
    assert [e.status for e in status(url, s).entries] == ["applied", "pending", "pending"]


def test_failure_in_third_statement_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    files = dict(FILES)
    files["0003_name.up.sql"] = (
        "create table a (x);\ninsert into a values (1);\n\ninsert into nowhere values (1);\n"
    )
    s = Settings(dir=write_folder(tmp_path / "m", files))
    migrate(f"sqlite:///{db}", s, to="0002")
    before = tables(db)
    with pytest.raises(MigrationError, match="no such table: nowhere") as e:
        migrate(f"sqlite:///{db}", s)
    assert (Path(e.value.file or "").name, e.value.line) == ("0003_name.up.sql", 4)
    assert tables(db) == before
    assert history(db) == ["0001", "0002"]


def test_vacuum_needs_the_header(tmp_path: Path) -> None:
    files = {"0001_v.up.sql": "create table t (a);\nvacuum;\n"}
    s = Settings(dir=write_folder(tmp_path / "m", files))
    with pytest.raises(MigrationError, match="no-transaction") as e:
        migrate(f"sqlite:///{tmp_path / 'x.db'}", s)
    assert e.value.line == 2
    (s.dir / "0001_v.up.sql").write_text("-- dbdesign: no-transaction\nvacuum;\n")
    assert len(migrate(f"sqlite:///{tmp_path / 'x.db'}", s)) == 1


def test_changed_file_cli(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", FILES)
    args = ("--db", f"sqlite:///{tmp_path / 'app.db'}", "--dir", str(folder))
    assert cli("migrate", "up", *args).returncode == 0
    (folder / "0002_email.up.sql").write_text("create index users_email on users (email, id);\n")
    assert cli("migrate", "status", *args).returncode == 1
    assert cli("migrate", "validate", *args).returncode == 1


def test_migrate_test_on_sqlite(tmp_path: Path) -> None:
    s = Settings(dir=write_folder(tmp_path / "m", FILES))
    assert run_test("sqlite:", s).ok
    files = dict(FILES)
    files["0002_email.down.sql"] = "drop trigger users_lower;\n"  # forgets the index
    bad = Settings(dir=write_folder(tmp_path / "bad", files))
    result = run_test("sqlite:", bad)
    assert result.failed == "0002_email"
    assert [str(d) for d in result.differences] == ["added index main.users_email"]
    files = dict(FILES)
    files["0003_name.down.sql"] = "alter table users drop column name;\n" + (
        "alter table users drop column note;\n"
    )
    result = run_test("sqlite:", Settings(dir=write_folder(tmp_path / "bad2", files)))
    assert result.failed == "0003_name"
    assert [str(d) for d in result.differences] == [
        "changed table main.users: columns[note] removed"
    ]
    # a down that fails outright is reported, not raised
    files["0003_name.down.sql"] = "alter table users drop column nope;\n"
    result = run_test("sqlite:", Settings(dir=write_folder(tmp_path / "bad3", files)))
    assert result.failed == "0003_name" and "0003_name.down.sql:1" in (result.problem or "")


def test_two_runner_processes_apply_each_migration_once(tmp_path: Path) -> None:
    import subprocess
    import sys

    files = {
        f"{i:04d}_m{i}.up.sql": (
            "create table if not exists marks (v text);\n"
            f"create table t{i} (a);\ninsert into marks values ('{i:04d}');\n"
        )
        for i in range(1, 31)
    }
    folder = write_folder(tmp_path / "m", files)
    for trial in range(3):
        db = tmp_path / f"race{trial}.db"
        args = [sys.executable, "-m", "dbdesign", "migrate", "up", "--db", f"sqlite:///{db}"]
        procs = [
            subprocess.Popen([*args, "--dir", str(folder)], stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outs = [p.communicate(timeout=60)[0] for p in procs]
        assert [p.returncode for p in procs] == [0, 0]
        assert sum(o.count("applied ") for o in outs) == 30
        with sqlite3.connect(db) as conn:
            marks = sorted(r[0] for r in conn.execute("select v from marks"))
        assert marks == [f"{i:04d}" for i in range(1, 31)]
        assert history(db) == marks
