"""No-transaction files that stop part-way, with real processes on PostgreSQL (embedded 16 and
the machine's 15): a runner killed with SIGKILL inside a CREATE INDEX CONCURRENTLY, a statement
that fails, and what status, validate, up and each choice of repair then do."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from dbdesign.engine import connect, scratch_database
from dbdesign.migrate.backend_pg import PostgresBackend
from dbdesign.migrate.files import checksum, read_script, statements_checksum
from tests.conftest import server_url
from tests.integration.test_migrate_helpers import cli, pg_history, write_folder
from tests.integration.test_migrate_processes import runner

INDEX_FILE = (
    "-- dbdesign: no-transaction\n"
    "insert into marks values ('s1');\n"
    "create index concurrently big_v on big (v);\n"
    "insert into marks values ('s3');\n"
)
KILLED = {
    "0001_tables.up.sql": "create table marks (v text);\n"
    "create table big (id int primary key, v text);\n"
    "insert into big select g, md5(g::text) from generate_series(1, 20000) g;\n",
    "0002_index.up.sql": INDEX_FILE,
    "0003_after.up.sql": "insert into marks values ('0003');\n",
}


def marks(url: str) -> list[str]:
    with connect(url) as conn:
        return sorted(r[0] for r in conn.execute("select v from marks").fetchall())


def index_valid(url: str, name: str) -> bool | None:
    """True/False for a valid/INVALID index, None when there is none."""
    with connect(url) as conn:
        row = conn.execute(
            "select i.indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid "
            "where c.relname = %s",
            [name],
        ).fetchone()
    return None if row is None else bool(row[0])


def history_row(url: str, version: str) -> tuple[str, int, str | None, str | None, str]:
    with connect(url) as conn:
        row = conn.execute(
            "select state, statements_done, done_checksum, detail, checksum "
            "from dbdesign_migrations where version = %s",
            [version],
        ).fetchone()
    assert row is not None
    return row[0], row[1], row[2], row[3], row[4]


def wait_for(url: str, query: str, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    with connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(query).fetchone()
            if row and row[0]:
                return
            time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("server", ["embedded", "pg15"])
def test_kill_9_inside_create_index_concurrently_then_resume(server: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", KILLED)
    with scratch_database(server_url(server)) as url:
        args = ("--db", url, "--dir", str(folder))
        assert cli("migrate", "up", "--to", "0001", *args).returncode == 0
        # A transaction that wrote to `big` and stays open: CREATE INDEX CONCURRENTLY enters
        # the index in the catalog (INVALID), then waits for it. That is statement 2.
        blocker = connect(url)
        blocker.execute("insert into big values (0, 'x')")
        proc = runner(url, folder)
        try:
            wait_for(
                url,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND query LIKE 'create index concurrently big_v%' AND wait_event_type = 'Lock'",
                "the runner to wait inside statement 2",
            )
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
            # the server ends the dead runner's statement by itself (client_connection_check)
            wait_for(
                url,
                "SELECT count(*) = 0 FROM pg_stat_activity WHERE datname = current_database() "
                "AND query LIKE 'create index concurrently big_v%'",
                "the server to end the killed runner's statement",
            )
        finally:
            blocker.rollback()
            blocker.close()
        # the history: 0002 'running', 1 statement completed, with the checksum of statement 1
        state, done, done_sum, detail, _ = history_row(url, "0002")
        assert (state, done) == ("running", 1)
        script = read_script(folder / "0002_index.up.sql")
        backend = PostgresBackend(url)
        try:
            stmts = backend.split(script)
        finally:
            backend.close()
        assert done_sum == statements_checksum(stmts[:1])
        assert (
            detail
            == "up: 1 of 3 statements of 0002_index.up.sql completed; statement 2 (line 3) started"
        )
        assert marks(url) == ["s1"]
        assert index_valid(url, "big_v") is False  # left INVALID by the kill

        st = cli("migrate", "status", *args)
        assert st.returncode == 1, st.stderr
        line = next(x for x in st.stdout.splitlines() if "0002_index" in x)
        assert line.startswith("running")
        for part in (
            "1 of 3 statements of 0002_index.up.sql completed",
            "statement 2 (line 3) started",
            "no runner holds the migration lock: the runner stopped",
            "INVALID index public.big_v",
        ):
            assert part in line, (part, line)
        js = json.loads(cli("migrate", "status", "--format", "json", *args).stdout)
        (entry,) = [e for e in js["migrations"] if e["version"] == "0002"]
        assert entry["progress"]["statements_done"] == 1
        assert entry["progress"]["statements"] == 3
        assert entry["progress"]["invalid_indexes"] == ["public.big_v"]
        va = cli("migrate", "validate", *args)
        assert va.returncode == 1 and "INVALID index public.big_v" in va.stdout

        # up refuses: statement 1 is not run again, nor anything else
        up = cli("migrate", "up", *args)
        assert up.returncode == 2
        assert "nothing was run" in up.stderr and "--resume` runs statements 2-3" in up.stderr
        assert marks(url) == ["s1"]
        assert pg_history(url) == [("0001", "applied"), ("0002", "running")]
        # repair without a choice, and --mark-applied (the index is INVALID), change nothing
        bare = cli("migrate", "repair", *args)
        assert bare.returncode == 2 and "--forget" in bare.stderr
        mark = cli("migrate", "repair", "--mark-applied", *args)
        assert mark.returncode == 2 and "public.big_v is INVALID" in mark.stderr
        assert history_row(url, "0002")[:2] == ("running", 1)
        assert index_valid(url, "big_v") is False

        rep = cli("migrate", "repair", "--resume", *args)
        assert rep.returncode == 0, rep.stderr
        assert (
            "dropped the INVALID index public.big_v left by statement 2 "
            '(DROP INDEX CONCURRENTLY IF EXISTS "public"."big_v")' in rep.stdout
        )
        assert "resumed: ran statements 2-3 of 0002_index.up.sql; applied" in rep.stdout
        # statements 2 and 3 ran exactly once, statement 1 was not run again
        assert marks(url) == ["s1", "s3"]
        assert index_valid(url, "big_v") is True
        state, done, done_sum, detail, file_sum = history_row(url, "0002")
        assert (state, done, done_sum, detail) == ("applied", 3, None, None)
        assert file_sum == checksum(INDEX_FILE)
        assert cli("migrate", "validate", *args).returncode == 0
        assert cli("migrate", "up", *args).returncode == 0
        assert marks(url) == ["0003", "s1", "s3"]
        assert pg_history(url) == [(v, "applied") for v in ("0001", "0002", "0003")]


@pytest.mark.parametrize("server", ["embedded", "pg15"])
def test_index_built_just_before_the_kill_counts_as_done(server: str, tmp_path: Path) -> None:
    """A kill in the instant between a CREATE INDEX CONCURRENTLY's end and its progress update
    (made here by hand: the row says 1 completed, the index exists and is valid): --resume
    says why it counts statement 2 as done and runs statement 3 only."""
    folder = write_folder(tmp_path / "m", KILLED)
    with scratch_database(server_url(server)) as url:
        args = ("--db", url, "--dir", str(folder))
        assert cli("migrate", "up", "--to", "0001", *args).returncode == 0
        script = read_script(folder / "0002_index.up.sql")
        backend = PostgresBackend(url)
        try:
            stmts = backend.split(script)
            backend.conn.execute(
                "insert into dbdesign_migrations (version, name, checksum, applied_by, state, "
                "statements_done, done_checksum, detail) "
                "values ('0002', 'index', %s, 'test', 'running', 1, %s, %s)",
                [
                    script.checksum,
                    statements_checksum(stmts[:1]),
                    "up: 1 of 3 statements of 0002_index.up.sql completed; "
                    "statement 2 (line 3) started",
                ],
            )
            backend.conn.execute(stmts[0].text)
            backend.conn.execute(stmts[1].text)
        finally:
            backend.close()
        st = cli("migrate", "status", *args)
        assert "the index public.big_v that statement 2 builds exists and is valid" in st.stdout
        rep = cli("migrate", "repair", "--resume", *args)
        assert rep.returncode == 0, rep.stderr
        assert "statement 2 counted as completed" in rep.stdout
        assert "ran statement 3 of 0002_index.up.sql" in rep.stdout
        assert marks(url) == ["s1", "s3"]
        assert history_row(url, "0002")[:2] == ("applied", 3)


FAILING = {
    "0001_marks.up.sql": "create table marks (v text);\ninsert into marks values ('dup');\n",
    "0002_unique.up.sql": "-- dbdesign: no-transaction\n"
    "insert into marks values ('s1');\n"
    "insert into marks values ('dup');\n"
    "create unique index concurrently marks_v on marks (v);\n",
}


def test_failing_statement_then_resume_after_fixing_the_file(
    pg_scratch: str, tmp_path: Path
) -> None:
    """Statement 3 fails (a duplicate for a unique index built CONCURRENTLY, which leaves the
    index INVALID). Resume refuses while a completed statement reads differently, and runs the
    fixed statement 3 alone once statements 1-2 read as they did."""
    folder = write_folder(tmp_path / "m", FAILING)
    up_file = folder / "0002_unique.up.sql"
    args = ("--db", pg_scratch, "--dir", str(folder))
    r = cli("migrate", "up", *args)
    assert r.returncode == 2
    assert "0002_unique.up.sql:4:" in r.stderr and "statements 1-2 of 3 took effect" in r.stderr
    assert "It left the INVALID index public.marks_v behind" in r.stderr
    state, done, _, detail, _ = history_row(pg_scratch, "0002")
    assert (state, done) == ("failed", 2)
    assert detail is not None and "statement 3 (line 4) failed: ERROR 23505" in detail
    st = cli("migrate", "status", *args)
    assert st.returncode == 1
    assert "2 of 3 statements" in st.stdout and "INVALID index public.marks_v" in st.stdout

    # a completed statement changed: resume refuses and changes nothing
    up_file.write_text(FAILING["0002_unique.up.sql"].replace("'s1'", "'S1'"))
    refused = cli("migrate", "repair", "--resume", *args)
    assert (
        refused.returncode == 2 and "changed in statements 1-2, which already ran" in refused.stderr
    )
    assert history_row(pg_scratch, "0002")[:2] == ("failed", 2)
    assert index_valid(pg_scratch, "marks_v") is False
    assert marks(pg_scratch) == ["dup", "dup", "s1"]

    # statements 1-2 as they ran, statement 3 fixed: resume runs statement 3 only
    fixed = FAILING["0002_unique.up.sql"].replace("(v);", "(v) where v <> 'dup';")
    up_file.write_text(fixed)
    rep = cli("migrate", "repair", "--resume", *args)
    assert rep.returncode == 0, rep.stderr
    assert "dropped the INVALID index public.marks_v left by statement 3" in rep.stdout
    assert "ran statement 3 of 0002_unique.up.sql" in rep.stdout
    assert marks(pg_scratch) == ["dup", "dup", "s1"]
    assert index_valid(pg_scratch, "marks_v") is True
    state, done, _, _, file_sum = history_row(pg_scratch, "0002")
    assert (state, done, file_sum) == ("applied", 3, checksum(fixed))
    assert cli("migrate", "validate", *args).returncode == 0


def test_forget_drops_the_invalid_index_and_the_file_runs_again(
    pg_scratch: str, tmp_path: Path
) -> None:
    folder = write_folder(tmp_path / "m", FAILING)
    args = ("--db", pg_scratch, "--dir", str(folder))
    assert cli("migrate", "up", *args).returncode == 2
    rep = cli("migrate", "repair", "--forget", *args)
    assert rep.returncode == 0, rep.stderr
    assert "forgotten" in rep.stdout and "2 statement(s) took effect" in rep.stdout
    assert "dropped the INVALID index public.marks_v" in rep.stdout
    assert index_valid(pg_scratch, "marks_v") is None
    assert pg_history(pg_scratch) == [("0001", "applied")]
    # the whole file runs again (written re-runnable now)
    (folder / "0002_unique.up.sql").write_text(
        "-- dbdesign: no-transaction\ndelete from marks where v in ('s1', 'dup');\n"
        "insert into marks values ('s1');\n"
        "create unique index concurrently marks_v on marks (v);\n"
    )
    assert cli("migrate", "up", *args).returncode == 0
    assert marks(pg_scratch) == ["s1"] and index_valid(pg_scratch, "marks_v") is True


def test_history_table_from_before_done_checksum(pg_scratch: str, tmp_path: Path) -> None:
    """A history table made before the done_checksum column is read as it is and gets the
    column on the next up."""
    from dbdesign.migrate.history import PG_DDL

    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute(PG_DDL.replace(",\n    done_checksum text", ""))
        conn.execute(
            "insert into dbdesign_migrations (version, name, checksum, applied_by, state) "
            "values ('0001', 'marks', %s, 'old', 'applied')",
            [checksum(FAILING["0001_marks.up.sql"])],
        )
        conn.execute("create table marks (v text)")
    files = {"0001_marks.up.sql": FAILING["0001_marks.up.sql"]}
    files["0002_more.up.sql"] = "insert into marks values ('0002');\n"
    folder = write_folder(tmp_path / "m", files)
    args = ("--db", pg_scratch, "--dir", str(folder))
    st = cli("migrate", "status", *args)
    assert st.returncode == 0 and "pending      0002_more" in st.stdout
    assert cli("migrate", "up", *args).returncode == 0
    with connect(pg_scratch) as conn:
        assert conn.execute("select done_checksum from dbdesign_migrations").fetchall() == [
            (None,),
            (None,),
        ]


def test_statements_that_refuse_an_implicit_transaction_run_alone(
    pg_scratch: str, tmp_path: Path
) -> None:
    """A statement travels with its progress update in one implicit transaction; a CALL of a
    procedure that COMMITs (or another statement the server refuses inside a transaction block)
    is run again alone, once: its first try was rolled back whole."""
    files = {
        "0001_p.up.sql": "create table marks (v text);\n"
        "create procedure fill() language plpgsql as $$ begin "
        "insert into marks values ('p1'); commit; insert into marks values ('p2'); end $$;\n",
        "0002_call.up.sql": "-- dbdesign: no-transaction\n"
        "call fill();\ninsert into marks values ('s2');\n"
        "-- dbdesign: ignore MIG038 -- a scratch database\nreindex schema public;\n",
    }
    folder = write_folder(tmp_path / "m", files)
    r = cli("migrate", "up", "--db", pg_scratch, "--dir", str(folder))
    assert r.returncode == 0, r.stderr
    assert marks(pg_scratch) == ["p1", "p2", "s2"]
    assert history_row(pg_scratch, "0002")[:2] == ("applied", 3)
