"""`migrate up` lints the pending migrations first: unsafe ones stop the run (exit 3) before
anything is applied, unless --unsafe-ok or `safety = "off"`."""

from __future__ import annotations

from pathlib import Path

from dbdesign.engine import connect
from tests.integration.test_migrate_helpers import cli, pg_history, write_folder

INIT = "create table users (id bigint primary key, email text);\n"
UNSAFE = "create index users_email on users (email);\n"


def test_unsafe_pending_migration_stops_the_run(pg_scratch: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", {"0001_init.up.sql": INIT})
    assert cli("migrate", "up", "--db", pg_scratch, "--dir", str(folder)).returncode == 0
    # the table is in use now: a plain index build on it blocks writes
    write_folder(folder, {"0002_email.up.sql": "select 1;\n", "0003_idx.up.sql": UNSAFE})
    r = cli("migrate", "up", "--db", pg_scratch, "--dir", str(folder))
    assert r.returncode == 3, r.stdout + r.stderr
    assert "0003_idx.up.sql:1:1: error MIG001" in r.stderr and "--unsafe-ok" in r.stderr
    assert pg_history(pg_scratch) == [("0001", "applied")]  # not even the safe 0002 ran
    r = cli("migrate", "up", "--db", pg_scratch, "--dir", str(folder), "--unsafe-ok")
    assert r.returncode == 0, r.stderr
    assert pg_history(pg_scratch)[-1] == ("0003", "applied")


def test_applied_migrations_are_not_judged_again(pg_scratch: str, tmp_path: Path) -> None:
    """Only pending files count: an unsafe migration already applied does not block the next."""
    folder = write_folder(tmp_path / "m", {"0001_init.up.sql": INIT})
    r = cli("migrate", "up", "--db", pg_scratch, "--dir", str(folder))
    assert r.returncode == 0, r.stderr
    assert pg_history(pg_scratch) == [("0001", "applied")]
    # the table was made by an applied migration: in use when 0002 runs
    write_folder(folder, {"0002_idx.up.sql": UNSAFE})
    assert cli("migrate", "up", "--db", pg_scratch, "--dir", str(folder)).returncode == 3
    r = cli("migrate", "up", "--db", pg_scratch, "--dir", str(folder), "--unsafe-ok")
    assert r.returncode == 0, r.stderr
    write_folder(folder, {"0003_col.up.sql": "alter table users add column note text;\n"})
    r = cli("migrate", "up", "--db", pg_scratch, "--dir", str(folder))
    assert r.returncode == 0, r.stderr


def test_a_table_made_by_a_pending_migration_is_not_in_use(pg_scratch: str, tmp_path: Path) -> None:
    """Pending migrations run together, before code uses what they make: the index 0002
    builds on the table 0001 made in the same run blocks nothing."""
    folder = write_folder(tmp_path / "m", {"0001_init.up.sql": INIT, "0002_idx.up.sql": UNSAFE})
    r = cli("migrate", "up", "--db", pg_scratch, "--dir", str(folder))
    assert r.returncode == 0, r.stderr
    assert pg_history(pg_scratch) == [("0001", "applied"), ("0002", "applied")]


def test_suppression_and_configured_severity(pg_scratch: str, tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "m",
        {"0001_init.up.sql": INIT,
         "0002_idx.up.sql": "-- dbdesign: ignore MIG001 -- users has 40 rows\n" + UNSAFE},
    )  # fmt: skip
    assert cli("migrate", "up", "--db", pg_scratch, "--dir", str(folder)).returncode == 0
    # a warning (no lock_timeout) stops the run when the configuration says so
    (tmp_path / "dbdesign.toml").write_text('[migrate]\nsafety = "warning"\ndir = "m"\n')
    write_folder(folder, {"0003_col.up.sql": "alter table users add column note text;\n"})
    r = cli("migrate", "up", "--db", pg_scratch, cwd=tmp_path)
    assert r.returncode == 3 and "MIG020" in r.stderr, r.stdout + r.stderr
    (tmp_path / "dbdesign.toml").write_text('[migrate]\nsafety = "off"\ndir = "m"\n')
    r = cli("migrate", "up", "--db", pg_scratch, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    with connect(pg_scratch) as conn:
        cols = conn.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
        ).fetchone()
    assert cols == (3,)
    (tmp_path / "dbdesign.toml").write_text('[migrate]\nsafety = "loud"\n')
    r = cli("migrate", "up", "--db", pg_scratch, cwd=tmp_path)
    assert r.returncode == 2 and "safety must be one of" in r.stderr
