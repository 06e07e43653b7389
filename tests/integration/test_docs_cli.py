"""`dbdesign docs` end to end: files written, row counts from a live database, config groups,
lint findings, and what happens without Graphviz."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from dbdesign import api, engine
from dbdesign.docs import generate
from tests.paths import CORPUS, ROOT

FEATURES = ROOT / "tests" / "golden" / "docs" / "features.sql"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", "docs", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=300,
    )


def test_all_formats(tmp_path: Path) -> None:
    lint = tmp_path / "lint.json"
    lint.write_text(
        json.dumps([{"code": "X1", "severity": "error", "message": "bad", "object": "public.room"}])
    )
    (tmp_path / "dbdesign.toml").write_text('[docs]\ngroups = { rooms = ["room", "booking"] }\n')
    out = tmp_path / "out"
    p = run(str(FEATURES), "--out", str(out), "--lint", str(lint), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    for rel in (
        "index.md",
        "tables/public.account.md",
        "views/public.open_accounts.md",
        "diagrams/schema-public.mmd",
        "diagrams/schema-public.dot",
        "diagrams/schema-public.svg",
        "diagrams/group-rooms.svg",
        "diagrams/table-public.booking.svg",
        "schema.dbml",
        "index.html",
    ):
        assert (out / rel).is_file(), rel
    assert (out / "diagrams/group-rooms.svg").read_text().lstrip().startswith("<svg")
    html = (out / "index.html").read_text()
    assert "bad" in html and "X1" in html
    assert (
        "<script src" not in html
        and "<link " not in html
        and "http://" not in html.replace("http://www.w3.org", "")
    )
    assert "## Lint findings" in (out / "tables/public.room.md").read_text()


def test_without_graphviz_the_rest_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dbdesign.docs.erd as erd

    monkeypatch.setattr(erd.shutil, "which", lambda name: None)
    schema = api.read(str(FEATURES))
    result = generate(schema, tmp_path)
    assert any("`dot` is not installed" in n for n in result.notes)
    assert not list(tmp_path.glob("diagrams/*.svg"))
    assert (tmp_path / "diagrams/schema-public.dot").is_file()
    html = (tmp_path / "index.html").read_text()
    assert "Graphviz was not available" in html  # the overview's fallback
    assert 'class="diagram fallback"' in html  # per-table fallback


def test_cli_says_so_when_dot_is_missing(tmp_path: Path) -> None:
    code = (
        "import shutil, sys; real = shutil.which; "
        "shutil.which = lambda n, *a, **k: None if n == 'dot' else real(n, *a, **k); "
        "from dbdesign.cli import main; sys.argv = ['dbdesign'] + sys.argv[1:]; main()"
    )
    p = subprocess.run(
        [sys.executable, "-c", code, "docs", str(FEATURES), "-o", str(tmp_path), "-f", "svg,html"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    assert "Graphviz `dot` is not installed" in p.stderr
    assert (tmp_path / "index.html").is_file()


def test_bad_format_and_bad_lint_file_exit_2(tmp_path: Path) -> None:
    assert run(str(FEATURES), "-o", str(tmp_path), "-f", "pdf").returncode == 2
    bad = tmp_path / "lint.json"
    bad.write_text("[1, 2]")
    p = run(str(FEATURES), "-o", str(tmp_path), "--lint", str(bad))
    assert p.returncode == 2 and "lint findings" in p.stderr


def test_row_counts_from_a_live_sqlite_database(tmp_path: Path) -> None:
    db = tmp_path / "chinook.db"
    con = sqlite3.connect(db)
    con.executescript((CORPUS / "sqlite" / "chinook.sql").read_text())
    con.close()
    out = tmp_path / "out"
    p = run(str(db), "-o", str(out), "-f", "markdown,html")
    assert p.returncode == 0, p.stderr
    index = (out / "index.md").read_text()
    assert "| Rows |" in index
    assert "| [Track](tables/main.Track.md) | 9 | 3,503 |" in index
    assert "3,503 rows" in (out / "tables/main.Track.md").read_text()


def test_live_postgres(pg_scratch: str, tmp_path: Path) -> None:
    """From a live PostgreSQL database: comments, policies and row counts reach the docs."""
    with engine.connect(pg_scratch, autocommit=True) as conn:
        conn.execute(FEATURES.read_text())
        conn.execute("INSERT INTO public.room VALUES ('A', 1), ('A', 2)")
        conn.execute("ANALYZE")
    p = run(pg_scratch, "-o", str(tmp_path), "-f", "markdown,dbml")
    assert p.returncode == 0, p.stderr
    page = (tmp_path / "tables/public.account.md").read_text()
    assert 'Login "email" address' in page and "own_account" in page
    room = (tmp_path / "tables/public.room.md").read_text()
    assert "2 rows" in room
