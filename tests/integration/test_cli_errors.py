"""Errors as a user meets them: every bad input is one clear line on stderr and exit code 2 (no
"internal error", no traceback, nothing written half-way); an empty input is an error, not a
clean result; Ctrl-C is one line and exit code 130; --debug adds the traceback and keeps the
exit code."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from dbdesign import engine
from dbdesign.errors import ConnectionError
from tests.conftest import sigint_default
from tests.paths import ROOT

FLEET = ROOT / "examples" / "fleet_telemetry.yaml"
FEATURES = ROOT / "tests" / "golden" / "docs" / "features.sql"
BINARY = b"\xff\xfe\x00\x81binary\x00\xc3("
MYSQL_URL = "mysql://root@127.0.0.1:3306/test"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def run_code(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -c code args...``: the CLI with something changed in the process first."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_error(r: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 2 with exactly one line, ``dbdesign: error: ...``, that names each of ``words``."""
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert "internal error" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("dbdesign: error: "), r.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


@pytest.fixture
def binary(tmp_path: Path) -> Path:
    p = tmp_path / "binary.bin"
    p.write_bytes(BINARY)
    return p


# -- "internal error: <exception>" instead of a message ---------------------------------------


def test_design_of_a_non_utf8_spec(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(b"project:\n  name: caf\xe9\n")  # Latin-1
    out = tmp_path / "out"
    line = one_error(run("design", str(spec), "--out", str(out), "--no-prove"), "not UTF-8")
    assert f"{spec}:2:" in line
    assert not out.exists()


def test_design_with_an_unknown_dialect(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = run("design", str(FLEET), "--dialect", "oracle", "--out", str(out), "--no-prove")
    one_error(r, "unknown dialect 'oracle'; choose one of postgres, sqlite, mysql")
    assert not out.exists()


@pytest.mark.parametrize("command", ["status", "up"])
def test_migrate_mysql_without_pymysql(tmp_path: Path, command: str) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_t.up.sql").write_text("CREATE TABLE t (id int);\n")
    (tmp_path / "migrations" / "0001_t.down.sql").write_text("DROP TABLE t;\n")
    code = (
        "import sys; sys.modules['pymysql'] = None\n"
        "from dbdesign.cli import main\n"
        "sys.argv = ['dbdesign'] + sys.argv[1:]\n"
        "main()\n"
    )
    r = run_code(code, "migrate", command, "--dir", str(tmp_path / "migrations"), "--db", MYSQL_URL)
    one_error(r, "PyMySQL", "pip install 'dbdesign[mysql]'")


def test_lint_write_baseline_into_a_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "dir" / "b.json"
    r = run("lint", str(FEATURES), "--baseline", str(target), "--write-baseline")
    one_error(r, "baseline", str(target.parent))
    assert not target.parent.exists()


def test_lint_with_a_binary_config(binary: Path) -> None:
    one_error(run("lint", str(FEATURES), "--config", str(binary)), str(binary), "not UTF-8")


def test_docs_with_a_binary_lint_file(tmp_path: Path, binary: Path) -> None:
    out = tmp_path / "out"
    one_error(run("docs", str(FEATURES), "--out", str(out), "--lint", str(binary)), str(binary))
    assert not out.exists()


@pytest.mark.parametrize("command", ["docs", "design"])
def test_out_is_an_existing_file(tmp_path: Path, command: str) -> None:
    out = tmp_path / "taken"
    out.write_text("precious\n")
    source = FEATURES if command == "docs" else FLEET
    extra = ["--no-prove"] if command == "design" else []
    one_error(run(command, str(source), "--out", str(out), *extra), str(out), "not a folder")
    assert out.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]  # nothing beside it either


def test_docs_out_below_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x\n")
    one_error(run("docs", str(FEATURES), "--out", str(tmp_path / "file" / "sub")), "not a folder")


# -- empty inputs are errors, not clean results -----------------------------------------------


def test_lint_of_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sql"
    empty.write_text("")
    r = run("lint", str(empty))
    one_error(r, str(empty), "empty")
    assert "No problems found" not in r.stdout


def test_lint_of_a_file_with_only_comments(tmp_path: Path) -> None:
    f = tmp_path / "comments.sql"
    f.write_text("-- nothing here yet\n/* still nothing */\n")
    one_error(run("lint", str(f)), str(f), "no tables")


def test_lint_of_an_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "schema"
    folder.mkdir()
    (folder / "README.md").write_text("not SQL\n")
    r = run("lint", str(folder))
    one_error(r, str(folder), "no .sql files")
    assert "No problems found" not in r.stdout


def test_lint_of_an_empty_folder_among_good_sources(tmp_path: Path) -> None:
    folder = tmp_path / "typo"
    folder.mkdir()
    one_error(run("lint", str(FEATURES), str(folder)), str(folder))


def test_datagen_of_an_empty_sqlite_database(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE gone (a int)")
    con.execute("DROP TABLE gone")
    con.commit()
    con.close()
    r = run("datagen", f"sqlite:///{db}")
    one_error(r, "no tables", "nothing to fill")
    assert "loaded" not in r.stdout


def test_datagen_of_an_empty_schema_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sql"
    empty.write_text("-- no tables\n")
    target = tmp_path / "target.db"
    r = run("datagen", str(empty), "--dialect", "sqlite", "--create", "--db", str(target))
    one_error(r, str(empty), "no tables")
    assert not target.exists()


def test_datagen_of_a_database_with_only_a_migration_history(tmp_path: Path) -> None:
    db = tmp_path / "migrated.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE schema_migrations (version text PRIMARY KEY)")
    con.commit()
    con.close()
    r = run("datagen", f"sqlite:///{db}")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "loaded 0 rows" not in r.stdout
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_datagen_of_an_empty_postgres_database(pg_scratch: str) -> None:
    r = run("datagen", pg_scratch)
    one_error(r, "no tables", "nothing to fill")
    assert "loaded" not in r.stdout


def test_rules_with_an_unknown_format() -> None:
    r = run("rules", "--format", "yaml")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "'yaml' is not one of" in r.stderr
    assert r.stdout == ""  # no text listing instead
    for fmt in ("text", "json", "markdown"):
        assert run("rules", "--format", fmt).returncode == 0, fmt


@pytest.mark.parametrize(
    "content",
    ['{"x": 1}', '{"findings": [{"x": 1}]}', '{"findings": "none"}', "[1]"],
)
def test_docs_with_something_else_as_lint_findings(tmp_path: Path, content: str) -> None:
    lint = tmp_path / "lint.json"
    lint.write_text(content)
    out = tmp_path / "out"
    one_error(run("docs", str(FEATURES), "--out", str(out), "--lint", str(lint)), str(lint))
    assert not out.exists()


def test_docs_accepts_real_lint_output(tmp_path: Path) -> None:
    lint = tmp_path / "lint.json"
    r = run("lint", str(FEATURES), "--format", "json")
    assert r.returncode in (0, 1), r.stderr
    lint.write_text(r.stdout)
    r = run("docs", str(FEATURES), "--out", str(tmp_path / "out"), "--lint", str(lint))
    assert r.returncode == 0, r.stderr


# -- --debug and Ctrl-C ------------------------------------------------------------------------


def test_debug_shows_the_traceback_and_keeps_exit_code_2(tmp_path: Path) -> None:
    missing = tmp_path / "missing.sql"
    plain = run("inspect", str(missing))
    line = one_error(plain, "no such file")
    r = run("--debug", "inspect", str(missing))
    assert r.returncode == 2, r.stderr
    assert "Traceback" in r.stderr
    assert r.stderr.strip().splitlines()[-1] == line


def test_debug_keeps_exit_code_2_for_an_internal_error() -> None:
    code = (
        "import sys\n"
        "import dbdesign.api\n"
        "def boom(*a, **k):\n"
        "    raise RuntimeError('boom')\n"
        "dbdesign.api.read = boom\n"
        "from dbdesign.cli import main\n"
        "sys.argv = ['dbdesign'] + sys.argv[1:]\n"
        "main()\n"
    )
    r = run_code(code, "inspect", str(FEATURES))
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "dbdesign: internal error: RuntimeError: boom (run with --debug for the traceback)"
    ]
    r = run_code(code, "--debug", "inspect", str(FEATURES))
    assert r.returncode == 2, r.stderr
    assert "Traceback" in r.stderr and "RuntimeError: boom" in r.stderr


def _assert_interrupted(p: subprocess.Popen[str], out: Path) -> None:
    stdout, stderr = p.communicate(timeout=120)
    assert p.returncode == 130, (p.returncode, stdout, stderr)
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines() == ["dbdesign: interrupted"], stderr
    assert not out.exists()  # the outputs are written last, all or nothing


def _scratch_databases(prefix: str) -> list[str]:
    with engine.connect(engine.embedded_url(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]
        ).fetchall()
    return [str(r[0]) for r in rows]


def _first_table(url: str) -> str | None:
    """A table of the database at ``url`` (quoted, qualified), or None: none yet, or the
    database is gone."""
    try:
        with engine.connect(url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1 LIMIT 1"
            ).fetchone()
    except ConnectionError:
        return None
    return None if row is None else str(row[0])


@contextmanager
def _proof_held(p: subprocess.Popen[str], prefix: str) -> Iterator[None]:
    """Return once the proof run by ``p`` is inside a statement that waits for a lock of ours:
    the proof's scratch database (the only one named ``prefix...``) has its tables, one of them
    is locked ACCESS EXCLUSIVE in a transaction here, and the server shows a session of that
    database blocked by ours (the load, VACUUM ANALYZE or an EXPLAIN ANALYZE: each reads every
    table). The transaction ends with the block."""
    deadline = time.monotonic() + 120  # a bound against hanging, not a measurement
    url = table = None
    while table is None:
        assert p.poll() is None, p.communicate(timeout=60)
        assert time.monotonic() < deadline, "the proof never created its tables"
        names = _scratch_databases(prefix)
        assert len(names) <= 1, names
        if names:
            url = engine._with_dbname(engine.embedded_url(), names[0])
            table = _first_table(url)
        if table is None:
            time.sleep(0.02)
    assert url is not None
    conn = engine.connect(url)
    try:
        conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")  # after the load commits
        mine = conn.info.backend_pid
        with engine.connect(url, autocommit=True) as watch:
            blocked = (
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND %s = ANY(pg_blocking_pids(pid))"
            )
            while watch.execute(blocked, [mine]).fetchone() != (1,):
                assert p.poll() is None, p.communicate(timeout=60)
                assert time.monotonic() < deadline, "the proof never waited for the lock"
                time.sleep(0.02)
        yield
    finally:
        with contextlib.suppress(psycopg.Error):  # the child may have dropped the database
            conn.rollback()
        conn.close()


def _interrupt(argv: list[str], out: Path, *, group: bool) -> None:
    """Run ``python argv``, SIGINT it (its whole process group, as a terminal's Ctrl-C, when
    ``group``) while its proof waits inside a statement, and check the one-line exit 130. The
    scratch database of the proof is dropped on the way out."""
    engine.embedded_url()  # started before, so that the proof starts at once
    prefix = f"dbdesign_scratch_t{uuid.uuid4().hex[:8]}_"
    p = subprocess.Popen(
        [sys.executable, *argv, "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=group,
        env={**os.environ, "DBDESIGN_SCRATCH_PREFIX": prefix},
        preexec_fn=sigint_default,
    )
    try:
        with _proof_held(p, prefix):
            if group:
                os.killpg(p.pid, signal.SIGINT)
            else:
                p.send_signal(signal.SIGINT)
        _assert_interrupted(p, out)
        assert _scratch_databases(prefix) == []
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate(timeout=60)


def test_ctrl_c_during_the_proof_is_one_line_and_exit_130(tmp_path: Path) -> None:
    """SIGINT to the whole process group (as a terminal's Ctrl-C), while the proof runs on the
    embedded PostgreSQL, mid-query: the interrupted driver's rollback warnings are not shown."""
    code = "import sys\nfrom dbdesign.cli import main\nsys.argv[0] = 'dbdesign'\nmain()\n"
    _interrupt(["-c", code, "design", str(FLEET)], tmp_path / "out", group=True)


def test_ctrl_c_of_the_command_as_installed(tmp_path: Path) -> None:
    """The real entry point, SIGINT to the process alone, while its proof waits in a query."""
    _interrupt(["-m", "dbdesign", "design", str(FLEET)], tmp_path / "out", group=False)
