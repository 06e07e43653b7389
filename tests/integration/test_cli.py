"""The dbdesign command as a user runs it: real processes, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.paths import CORPUS


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args], capture_output=True, text=True, timeout=120
    )


def test_version_and_help() -> None:
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("dbdesign ")
    for args in (["--help"], ["inspect", "--help"]):
        r = run(*args)
        assert r.returncode == 0, r.stderr
        assert "Usage" in r.stdout


def test_inspect_text_and_json() -> None:
    r = run("inspect", str(CORPUS / "postgres" / "pagila.sql"))
    assert r.returncode == 0, r.stderr
    assert "payment_p2022_01" in r.stdout
    assert "partition of public.payment" in r.stdout
    r = run("inspect", str(CORPUS / "postgres" / "pagila.sql"), "--format", "json")
    data = json.loads(r.stdout)
    assert data["format"] == "dbdesign.schema"
    assert "public.film" in data["schema"]["tables"]


def test_syntax_error_is_one_line_exit_2(tmp_path) -> None:
    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE TABLE t (\n  a int,\n  b int nonsense\n);\n")
    r = run("inspect", str(bad))
    assert r.returncode == 2
    assert r.stderr.strip() == f'dbdesign: error: {bad}:3:9: syntax error at or near "nonsense"'
    assert "Traceback" not in r.stderr


def test_unreachable_database_is_redacted_exit_2() -> None:
    r = run("inspect", "postgresql://alice:s3cret@127.0.0.1:1/db")
    assert r.returncode == 2
    assert "s3cret" not in r.stderr + r.stdout
    assert "***" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_missing_file_exit_2() -> None:
    r = run("inspect", "/nonexistent/schema.sql")
    assert r.returncode == 2
    assert "no such file" in r.stderr


def test_unknown_statement_warns_but_succeeds(tmp_path) -> None:
    f = tmp_path / "w.sql"
    f.write_text(
        "CREATE TABLE t (id int);\nCREATE PUBLICATION p FOR ALL TABLES;\n"
        "CREATE TEXT SEARCH CONFIGURATION x (COPY = english);\n"
    )
    r = run("inspect", str(f))
    assert r.returncode == 0
    assert f"{f}:3:1: warning:" in r.stderr


def test_inspect_live_postgres_counts_rows(pg_scratch) -> None:
    from dbdesign.engine import connect

    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE items (id int PRIMARY KEY, name text);"
            "INSERT INTO items SELECT g, 'x' FROM generate_series(1, 37) g;"
        )
    r = run("inspect", pg_scratch)
    assert r.returncode == 0, r.stderr
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("items "))
    assert line.split()[-1] == "37"
    assert "rows" in r.stdout


def test_inspect_sqlite_database_file(tmp_path) -> None:
    import sqlite3

    db = tmp_path / "app.db"
    con = sqlite3.connect(db)
    con.executescript(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);INSERT INTO t (v) VALUES ('a'), ('b');"
    )
    con.close()
    r = run("inspect", str(db))
    assert r.returncode == 0, r.stderr
    assert "(sqlite)" in r.stdout
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("t "))
    assert line.split()[-1] == "2"
