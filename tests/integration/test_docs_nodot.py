"""`dbdesign docs` without Graphviz, and re-runs into the same folder.

Without `dot` on PATH no page links to an SVG file that was never written and "svg" is not
among the formats reported; a second run removes the pages of tables that are gone (files the
first run wrote, listed in its manifest), and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from dbdesign import api
from dbdesign.docs import MANIFEST, generate

TWO_TABLES = """
CREATE TABLE author (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE book (id integer PRIMARY KEY, author_id integer REFERENCES author (id));
CREATE VIEW books AS SELECT id FROM book;
"""
ONE_TABLE = "CREATE TABLE author (id integer PRIMARY KEY, name text NOT NULL);\n"


def _path_without_dot(tmp_path: Path) -> str:
    """A PATH holding only this Python: no Graphviz `dot`."""
    bindir = tmp_path / "bin"
    if not bindir.exists():
        bindir.mkdir()
        (bindir / "python").symlink_to(sys.executable)
    return str(bindir)


def docs(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PATH=_path_without_dot(tmp_path))
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", "docs", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _schema(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_without_dot_no_svg_links_and_svg_not_reported(tmp_path: Path) -> None:
    src = _schema(tmp_path, "s.sql", TWO_TABLES)
    out = tmp_path / "out"
    r = docs(tmp_path, str(src), "--out", str(out), "--dialect", "postgres")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert "Graphviz `dot` is not installed" in r.stderr
    # The formats written, without svg.
    assert "(markdown, html, mermaid, dot, dbml)" in r.stdout, r.stdout
    assert "svg" not in r.stdout.rpartition("(")[2]
    assert not list(out.rglob("*.svg"))
    assert (out / "index.html").is_file() and (out / "diagrams/schema-public.dot").is_file()
    pages = list(out.rglob("*.md"))
    assert len(pages) == 4
    for page in pages:
        text = page.read_text()
        assert ".svg" not in text and "[SVG]" not in text, page
    # Every relative link of every page points at a file that exists.
    for page in pages:
        for target in re.findall(r"\]\(([^)#]+)\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page}: broken link {target}"


def test_without_dot_svg_alone_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    src = _schema(tmp_path, "s.sql", TWO_TABLES)
    out = tmp_path / "out"
    r = docs(tmp_path, str(src), "--out", str(out), "-f", "svg")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines[-1].startswith("dbdesign: error: Graphviz `dot` is not installed"), r.stderr
    assert not out.exists()


def test_rerun_removes_stale_pages_and_only_those(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = _schema(tmp_path, "v1.sql", TWO_TABLES)
    r = docs(tmp_path, str(first), "--out", str(out), "--dialect", "postgres")
    assert r.returncode == 0, r.stderr
    assert (out / "tables/public.book.md").is_file()
    assert (out / "views/public.books.md").is_file()
    manifest = json.loads((out / MANIFEST).read_text())
    assert "tables/public.book.md" in manifest["files"]
    # Files of the user's own, beside and among the generated ones, and one generated page the
    # user has edited since.
    (out / "README.md").write_text("mine\n")
    (out / "tables/notes.md").write_text("mine too\n")
    edited = out / "diagrams/table-public.book.mmd"
    edited.write_text(edited.read_text() + "%% my edit\n")

    second = _schema(tmp_path, "v2.sql", ONE_TABLE)
    r = docs(tmp_path, str(second), "--out", str(out), "--dialect", "postgres")
    assert r.returncode == 0, r.stderr
    assert "removed" in r.stdout and "stale" in r.stdout
    assert not (out / "tables/public.book.md").exists()
    assert not (out / "views/public.books.md").exists()
    assert not (out / "views").exists()  # emptied by the removal: gone too
    assert (out / "tables/public.author.md").is_file()
    assert (out / "README.md").read_text() == "mine\n"
    assert (out / "tables/notes.md").read_text() == "mine too\n"
    assert edited.is_file() and "my edit" in edited.read_text()
    assert f"kept {edited}" in r.stderr
    index = (out / "index.md").read_text()
    assert "book" not in index
    manifest = json.loads((out / MANIFEST).read_text())
    assert "tables/public.book.md" not in manifest["files"]
    assert not list(out.glob(".dbdesign-docs-*"))  # no staging folder left behind


def test_no_manifest_nothing_removed_and_bad_entries_ignored(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "tables").mkdir(parents=True)
    old = out / "tables/public.old.md"  # an earlier version's page: no manifest to say so
    old.write_text("# Table `public.old`\n")
    outside = tmp_path / "outside.md"
    outside.write_text("x\n")
    schema = api.read(str(_schema(tmp_path, "s.sql", ONE_TABLE)), dialect="postgres")
    generate(schema, out, ("markdown",))
    assert old.is_file()
    # A manifest that names files outside the folder (or absolute paths) is not followed.
    sha = hashlib.sha256(b"x\n").hexdigest()
    data = json.loads((out / MANIFEST).read_text())
    data["files"].update({"../outside.md": sha, str(outside): sha})
    (out / MANIFEST).write_text(json.dumps(data))
    result = generate(schema, out, ("markdown",))
    assert outside.is_file()
    assert result.removed == []
    # A manifest that is not JSON: nothing removed, the run still succeeds.
    (out / MANIFEST).write_text("{broken")
    generate(schema, out, ("markdown",))
    assert old.is_file()
