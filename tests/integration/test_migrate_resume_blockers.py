"""What keeps ``migrate repair --resume`` from running the rest of a no-transaction file that
stopped part-way (dbdesign.migrate.partial.inspect and runner._check_choice): the file is gone,
it cannot be split into statements any more, it has fewer statements than had completed, the
completed statements changed (see test_migrate_sqlite_resume), a record from before
done_checksum whose file changed, or (PostgreSQL) an INVALID index left by a CREATE INDEX
CONCURRENTLY without a name. Each refusal is exit 2 with the reason, and nothing changes: the
history row, the rows the file wrote, the leftover index. The other choices stay open.

SQLite for the file blockers (the logic is the same for every server), both PostgreSQL servers
for the index."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from dbdesign.engine import connect
from tests.integration.test_migrate_helpers import cli, pg_history, write_folder
from tests.integration.test_migrate_resume import history_row, index_valid, marks

# statement 3 needs a table no migration makes: it fails until the table is made by hand
FILE = (
    "-- dbdesign: no-transaction\n"
    "insert into marks values ('s1');\n"
    "insert into marks values ('s2');\n"
    "insert into later values ('s3');\n"
)
FILES = {
    "0001_marks.up.sql": "create table marks (v text);\n",
    "0001_marks.down.sql": "drop table marks;\n",
    "0002_fill.up.sql": FILE,
    "0002_fill.down.sql": "delete from marks;\n",
}
UP = "0002_fill.up.sql"


def _rows(db: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        out = list(conn.execute(query))
    conn.close()
    return out


def _record(db: Path) -> list[tuple[object, ...]]:
    return _rows(db, "select * from dbdesign_migrations order by version")


def _old_record(db: Path) -> None:
    """The record as an older dbdesign wrote it: no checksum of the completed statements."""
    with sqlite3.connect(db) as conn:
        conn.execute("update dbdesign_migrations set done_checksum = null where version = '0002'")
    conn.close()


def _gone(folder: Path, db: Path) -> None:
    (folder / UP).unlink()
    (folder / "0002_fill.down.sql").unlink()


BLOCKERS: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "file_missing": (_gone, "the up file is missing from the folder"),
    "file_cannot_be_split": (
        lambda f, db: (f / UP).write_text(FILE + "commit;\n"),
        f"{UP} cannot be read: transaction control statements are not allowed in migration files",
    ),
    "fewer_statements_than_completed": (
        lambda f, db: (f / UP).write_text(FILE.split("insert into marks values ('s2')")[0]),
        f"{UP} now has 1 statement(s) and 2 had completed",
    ),
    "old_record_and_changed_file": (
        lambda f, db: (_old_record(db), (f / UP).write_text(FILE + "-- reviewed\n")),
        f"{UP} changed, and the record (from an older dbdesign) has no checksum of the "
        "completed statements: statements 1-2 cannot be checked",
    ),
}


def _stopped(tmp_path: Path) -> tuple[Path, Path, tuple[str, ...]]:
    """0002 run by `up` until statement 3 failed: statements 1-2 took effect."""
    db = tmp_path / "app.db"
    folder = write_folder(tmp_path / "m", FILES)
    args = ("--db", f"sqlite:///{db}", "--dir", str(folder))
    r = cli("migrate", "up", *args)
    assert r.returncode == 2 and "statements 1-2 of 3 took effect" in r.stderr, r.stderr
    return db, folder, args


@pytest.mark.parametrize("blocker", sorted(BLOCKERS))
def test_resume_is_refused_and_changes_nothing(tmp_path: Path, blocker: str) -> None:
    db, folder, args = _stopped(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("create table later (v text)")  # what statement 3 lacked
    conn.close()
    change, reason = BLOCKERS[blocker]
    change(folder, db)
    before = _record(db)
    r = cli("migrate", "repair", "--resume", *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.strip().splitlines() == [
        f"dbdesign: error: 0002_fill: cannot resume: {reason}. Nothing was changed; choose "
        "--mark-applied or --forget instead"
    ]
    assert _record(db) == before
    assert _rows(db, "select v from marks order by v") == [("s1",), ("s2",)]
    assert _rows(db, "select v from later") == []

    # the account says so wherever the stopped file is shown
    bare = cli("migrate", "repair", *args)
    assert bare.returncode == 2 and f"cannot resume: {reason}" in bare.stderr
    assert "`dbdesign migrate repair --resume` is not possible (see above)" in bare.stderr
    up = cli("migrate", "up", *args)
    assert up.returncode == 2 and f"cannot resume: {reason}" in up.stderr
    st = cli("migrate", "status", *args)
    assert st.returncode == 1 and f"cannot resume: {reason}" in st.stdout
    assert _record(db) == before

    # --forget is still open: the record goes, the work of statements 1-2 stays
    rep = cli("migrate", "repair", "--forget", *args)
    assert rep.returncode == 0, rep.stderr
    assert "forgotten" in rep.stdout and "2 statement(s) took effect" in rep.stdout
    assert [r[0] for r in _record(db)] == ["0001"]


def test_an_old_record_with_the_same_file_resumes(tmp_path: Path) -> None:
    """The control for old_record_and_changed_file: without done_checksum, a file that reads
    as it did when it ran (its checksum) is resumed."""
    db, _, args = _stopped(tmp_path)
    _old_record(db)
    with sqlite3.connect(db) as conn:
        conn.execute("create table later (v text)")
    conn.close()
    rep = cli("migrate", "repair", "--resume", *args)
    assert rep.returncode == 0, rep.stderr
    assert "ran statement 3 of 0002_fill.up.sql" in rep.stdout
    assert _rows(db, "select v from marks order by v") == [("s1",), ("s2",)]
    assert _rows(db, "select v from later") == [("s3",)]


def test_a_missing_down_file_blocks_resuming_the_down(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    files = dict(FILES)
    files["0002_fill.up.sql"] = FILE.replace("later", "marks")
    files["0002_fill.down.sql"] = (
        "-- dbdesign: no-transaction\ndelete from marks where v = 's3';\n"
        "delete from nowhere;\ndelete from marks;\n"
    )
    folder = write_folder(tmp_path / "m", files)
    args = ("--db", f"sqlite:///{db}", "--dir", str(folder))
    assert cli("migrate", "up", *args).returncode == 0
    r = cli("migrate", "down", *args)
    assert r.returncode == 2 and "statements 1-1 of 3 took effect" in r.stderr, r.stderr
    (folder / "0002_fill.down.sql").unlink()
    before = _record(db)
    r = cli("migrate", "repair", "--resume", *args)
    assert r.returncode == 2
    assert "0002_fill: cannot resume: the down file is missing from the folder" in r.stderr
    assert _record(db) == before
    assert _rows(db, "select v from marks order by v") == [("s1",), ("s2",)]


UNNAMED = {
    "0001_marks.up.sql": "create table marks (v text);\n"
    "insert into marks values ('dup'), ('dup');\n",
    "0002_unique.up.sql": "-- dbdesign: no-transaction\n"
    "insert into marks values ('s1');\n"
    "create unique index concurrently on marks (v);\n",
}


@pytest.mark.parametrize("choice", ["--resume", "--mark-applied", "--forget"])
def test_an_invalid_index_without_a_name_blocks_every_choice(
    pg_scratch: str, tmp_path: Path, choice: str
) -> None:
    """Statement 2 builds a unique index without a name and fails (duplicates), leaving an
    INVALID index named by the server: repair cannot tell it is that statement's, so every
    choice is refused until the leftover is dropped by hand."""
    folder = write_folder(tmp_path / "m", UNNAMED)
    args = ("--db", pg_scratch, "--dir", str(folder))
    r = cli("migrate", "up", *args)
    assert r.returncode == 2 and "statements 1-1 of 2 took effect" in r.stderr, r.stderr
    # the failure says what repair will say: drop it by hand (not "--resume drops it")
    assert (
        "Its table has the INVALID index(es) public.marks_v_idx, which this build of an index "
        "without a name may have left: drop the leftover by hand (DROP INDEX CONCURRENTLY ...) "
        "before `dbdesign migrate repair` can settle the file." in r.stderr
    ), r.stderr
    assert "--resume and --forget drop" not in r.stderr
    assert index_valid(pg_scratch, "marks_v_idx") is False
    before = history_row(pg_scratch, "0002")
    assert before[:2] == ("failed", 1)
    refused = cli("migrate", "repair", choice, *args)
    assert refused.returncode == 2, refused.stdout
    assert refused.stderr.strip().splitlines() == [
        "dbdesign: error: 0002_unique: statement 2 of 0002_unique.up.sql builds an index "
        "without a name, and its table has the INVALID index(es) public.marks_v_idx: which one "
        "it left cannot be told. Drop the leftover by hand (DROP INDEX CONCURRENTLY ...), then "
        "run repair again"
    ]
    assert history_row(pg_scratch, "0002") == before
    assert index_valid(pg_scratch, "marks_v_idx") is False
    assert marks(pg_scratch) == ["dup", "dup", "s1"]

    # dropped by hand: the choice goes through
    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute("drop index concurrently marks_v_idx")
        conn.execute("delete from marks where v = 'dup'")
    rep = cli("migrate", "repair", choice, *args)
    assert rep.returncode == 0, rep.stderr
    if choice == "--forget":
        assert pg_history(pg_scratch) == [("0001", "applied")]
    else:
        assert pg_history(pg_scratch) == [("0001", "applied"), ("0002", "applied")]
    if choice == "--resume":
        assert index_valid(pg_scratch, "marks_v_idx") is True
