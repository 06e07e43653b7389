"""No-transaction files that stop part-way on SQLite: the partial record, a runner killed with
SIGKILL inside statement 2, and the choices of `repair` (resume, mark applied, forget), for up
and down files."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

from dbdesign.migrate.files import checksum
from dbdesign.migrate.history import SQLITE_DDL
from tests.integration.test_migrate_helpers import cli, write_folder
from tests.integration.test_migrate_processes import runner

SLOW = (
    "insert into marks select 's2' from (with recursive c(x) as (select 1 union all "
    "select x + 1 from c where x < 100000000) select count(*) from c);\n"
)
FILES = {
    "0001_marks.up.sql": "create table marks (v text);\n",
    "0001_marks.down.sql": "drop table marks;\n",
    "0002_fill.up.sql": "-- dbdesign: no-transaction\n"
    "insert into marks values ('s1');\n" + SLOW + "insert into marks values ('s3');\n",
    "0002_fill.down.sql": "-- dbdesign: no-transaction\n"
    "delete from marks where v = 's3';\n"
    "delete from marks where v = 's2';\n"
    "delete from marks where v = 's1';\n",
}


def rows(db: Path, query: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute(query, params))


def marks(db: Path) -> list[str]:
    return sorted(str(r[0]) for r in rows(db, "select v from marks"))


def record(db: Path, version: str) -> tuple[object, ...]:
    (row,) = rows(
        db,
        "select state, statements_done, detail, done_checksum is not null, checksum "
        "from dbdesign_migrations where version = ?",
        version,
    )
    return row


def statement_2_running(db: Path) -> bool:
    """Statement 1 and its progress have committed, and a write transaction is open again
    (the database's write lock is taken): statement 2 runs now."""
    try:
        if not rows(db, "select 1 from dbdesign_migrations where statements_done = 1"):
            return False
    except sqlite3.OperationalError:
        return False
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        assert "locked" in str(e), e
        return True
    else:
        conn.execute("ROLLBACK")
        return False
    finally:
        conn.close()


def test_kill_9_inside_statement_2_then_resume(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    folder = write_folder(tmp_path / "m", FILES)
    args = ("--db", f"sqlite:///{db}", "--dir", str(folder))
    proc = runner(f"sqlite:///{db}", folder)
    deadline = time.monotonic() + 60  # a bound against hanging, not a measurement
    while not statement_2_running(db):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate(timeout=60)
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    state, done, detail, has_sum, _ = record(db, "0002")
    assert (state, done, has_sum) == ("running", 1, 1)
    assert detail == (
        "up: 1 of 3 statements of 0002_fill.up.sql completed; statement 2 (line 3) started"
    )
    assert marks(db) == ["s1"]  # statement 2's transaction never committed
    st = cli("migrate", "status", *args)
    assert st.returncode == 1
    assert "1 of 3 statements" in st.stdout and "its runner is still running, or stopped" in (
        st.stdout
    )
    up = cli("migrate", "up", *args)
    assert up.returncode == 2 and "--resume` runs statements 2-3" in up.stderr
    assert marks(db) == ["s1"]  # statement 1 not run again
    bare = cli("migrate", "repair", *args)
    assert bare.returncode == 2 and "--mark-applied" in bare.stderr
    # make statement 2 quick: it has not completed, so it may change
    (folder / "0002_fill.up.sql").write_text(FILES["0002_fill.up.sql"].replace("100000000", "10"))
    rep = cli("migrate", "repair", "--resume", *args)
    assert rep.returncode == 0, rep.stderr
    assert "resumed: ran statements 2-3 of 0002_fill.up.sql; applied" in rep.stdout
    assert marks(db) == ["s1", "s2", "s3"]  # each statement exactly once
    state, done, detail, has_sum, file_sum = record(db, "0002")
    assert (state, done, detail, has_sum) == ("applied", 3, None, 0)
    assert file_sum == checksum((folder / "0002_fill.up.sql").read_text())
    assert cli("migrate", "validate", *args).returncode == 0


FAILING = dict(FILES)
FAILING["0002_fill.up.sql"] = (
    "-- dbdesign: no-transaction\n"
    "insert into marks values ('s1');\n"
    "insert into marks values ('s2');\n"
    "insert into nowhere values ('s3');\n"
)


def test_failing_statement_3_resume_after_fixing_the_file(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    folder = write_folder(tmp_path / "m", FAILING)
    up_file = folder / "0002_fill.up.sql"
    args = ("--db", f"sqlite:///{db}", "--dir", str(folder))
    r = cli("migrate", "up", *args)
    assert r.returncode == 2
    assert "0002_fill.up.sql:4:" in r.stderr and "statements 1-2 of 3 took effect" in r.stderr
    state, done, detail, _, _ = record(db, "0002")
    assert (state, done) == ("failed", 2)
    assert "statement 3 (line 4) failed: SQLite error: no such table: nowhere" in str(detail)
    va = cli("migrate", "validate", *args)
    assert va.returncode == 1 and "2 of 3 statements" in va.stdout
    # statement 1 changed: no resume
    up_file.write_text(FAILING["0002_fill.up.sql"].replace("'s1'", "'S1'"))
    refused = cli("migrate", "repair", "--resume", *args)
    assert refused.returncode == 2 and "changed in statements 1-2, which already ran" in (
        refused.stderr
    )
    assert record(db, "0002")[:2] == ("failed", 2)
    # statements 1-2 as they ran, statement 3 fixed (and a comment added): statement 3 alone
    fixed = FAILING["0002_fill.up.sql"].replace("nowhere", "marks") + "-- fixed\n"
    up_file.write_text(fixed)
    rep = cli("migrate", "repair", "--resume", *args)
    assert rep.returncode == 0, rep.stderr
    assert "ran statement 3 of 0002_fill.up.sql" in rep.stdout
    assert marks(db) == ["s1", "s2", "s3"]
    assert record(db, "0002")[0] == "applied" and record(db, "0002")[4] == checksum(fixed)
    assert cli("migrate", "validate", *args).returncode == 0


def test_mark_applied_and_forget(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    folder = write_folder(tmp_path / "m", FAILING)
    args = ("--db", f"sqlite:///{db}", "--dir", str(folder))
    assert cli("migrate", "up", *args).returncode == 2
    both = cli("migrate", "repair", "--resume", "--forget", *args)
    assert both.returncode == 2 and "choose one of" in both.stderr
    # --mark-applied: you did statement 3 by hand
    with sqlite3.connect(db) as conn:
        conn.execute("insert into marks values ('s3')")
    rep = cli("migrate", "repair", "--mark-applied", *args)
    assert rep.returncode == 0 and "marked applied" in rep.stdout
    assert record(db, "0002")[:3] == ("applied", 3, None)
    # --mark-applied records the file as it reads now (its checksum): no drift
    assert cli("migrate", "status", *args).returncode == 0
    # --forget: the record goes, `up` runs the whole file again
    db2 = tmp_path / "app2.db"
    args2 = ("--db", f"sqlite:///{db2}", "--dir", str(folder))
    assert cli("migrate", "up", *args2).returncode == 2
    rep = cli("migrate", "repair", "--forget", *args2)
    assert rep.returncode == 0 and "2 statement(s) took effect and stay in effect" in rep.stdout
    assert rows(db2, "select version from dbdesign_migrations") == [("0001",)]
    (folder / "0002_fill.up.sql").write_text(
        "-- dbdesign: no-transaction\ndelete from marks;\ninsert into marks values ('s1');\n"
    )
    assert cli("migrate", "up", *args2).returncode == 0
    assert marks(db2) == ["s1"]


def test_down_file_that_stops_part_way(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    files = dict(FILES)
    files["0002_fill.up.sql"] = files["0002_fill.up.sql"].replace(SLOW, "select 1;\n")
    files["0002_fill.down.sql"] = files["0002_fill.down.sql"].replace(
        "where v = 's2'", "where nope = 's2'"
    )
    folder = write_folder(tmp_path / "m", files)
    args = ("--db", f"sqlite:///{db}", "--dir", str(folder))
    assert cli("migrate", "up", *args).returncode == 0
    r = cli("migrate", "down", *args)
    assert r.returncode == 2 and "statements 1-1 of 3 took effect" in r.stderr
    state, done, detail, _, _ = record(db, "0002")
    assert (state, done) == ("failed", 1) and str(detail).startswith("down: 1 of 3 statements")
    assert marks(db) == ["s1"]
    refused = cli("migrate", "down", *args)
    assert refused.returncode == 2 and "records the migration as applied again" in refused.stderr
    # --forget: applied again; after restoring s3 by hand a fixed down runs whole
    rep = cli("migrate", "repair", "--forget", *args)
    assert rep.returncode == 0 and "recorded as applied again" in rep.stdout
    assert record(db, "0002")[:3] == ("applied", 3, None)
    with sqlite3.connect(db) as conn:
        conn.execute("insert into marks values ('s3')")
    assert cli("migrate", "down", *args).returncode == 2  # fails at statement 2 again
    (folder / "0002_fill.down.sql").write_text(files["0002_fill.down.sql"].replace("nope", "v"))
    rep = cli("migrate", "repair", "--resume", *args)
    assert rep.returncode == 0, rep.stderr
    assert "ran statements 2-3 of 0002_fill.down.sql; reverted" in rep.stdout
    assert marks(db) == []
    assert rows(db, "select version from dbdesign_migrations") == [("0001",)]


def test_history_table_from_before_done_checksum(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    with sqlite3.connect(db) as conn:
        conn.execute(SQLITE_DDL.replace(",\n    done_checksum TEXT", ""))
        conn.execute(
            "insert into dbdesign_migrations (version, name, checksum, applied_by, state) "
            "values ('0001', 'marks', ?, 'old', 'applied')",
            [checksum(FILES["0001_marks.up.sql"])],
        )
        conn.execute("create table marks (v text)")
    folder = write_folder(tmp_path / "m", FAILING)
    args = ("--db", f"sqlite:///{db}", "--dir", str(folder))
    assert cli("migrate", "status", *args).returncode == 0
    assert cli("migrate", "up", *args).returncode == 2  # statement 3 fails
    assert record(db, "0002")[:2] == ("failed", 2)
    assert "done_checksum" in {r[1] for r in rows(db, "pragma table_info(dbdesign_migrations)")}


def test_the_repair_example_in_docs_runs(tmp_path: Path) -> None:
    """docs/migrate.md's SQLite example of a stopped no-transaction file, run as written."""
    import subprocess
    import sys

    from tests.paths import ROOT

    doc = (ROOT / "docs" / "migrate.md").read_text()
    block = doc.split("Runnable on SQLite (no server needed):\n\n```sh\n", 1)[1].split("```", 1)[0]
    env = {k: v for k, v in os.environ.items() if k != "DBDESIGN_DATABASE_URL"}
    script = f'dbdesign() {{ "{sys.executable}" -m dbdesign "$@"; }}\n{block}'
    r = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120
    )
    assert r.returncode == 0, r.stderr
    assert "statements 1-2 of 3 took effect" in r.stderr
    assert "resumed: ran statement 3 of 0002_fill.up.sql; applied" in r.stdout
    assert marks(tmp_path / "app.db") == ["one", "three", "two"]
