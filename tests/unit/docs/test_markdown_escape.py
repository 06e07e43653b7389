"""User text in the Markdown docs: names, comments, defaults, checks, view bodies, lint messages
and titles reach the .md files escaped, so no HTML from a schema lands in a page (the HTML report
escapes the same text) and no name breaks a Markdown table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dbdesign import api
from dbdesign.docs import DocFinding, DocsOptions, generate
from dbdesign.docs.erd import mermaid
from dbdesign.docs.markdown import cell, code, fenced, para

EVIL = "<script>alert(1)</script>"

SCHEMA = f"""
CREATE SCHEMA "s<b>x</b>";
COMMENT ON SCHEMA "s<b>x</b>" IS '<img src=x onerror=alert(1)>';
CREATE TYPE mood AS ENUM ('<i>happy</i>', 'sad|bad');
CREATE TABLE "{EVIL}" (
  id integer PRIMARY KEY,
  "a|b" text DEFAULT '<img src=x onerror=alert(2)>' CHECK ("a|b" <> '</td><script>x</script>'),
  "`tick`" text DEFAULT '``',
  m mood,
  note text
);
COMMENT ON TABLE "{EVIL}" IS '# not a heading <b>bold</b> [click](javascript:alert(3))';
COMMENT ON COLUMN "{EVIL}".note IS 'line one
line two <iframe src=x></iframe> | pipe';
CREATE INDEX "ix<svg onload=alert(4)>" ON "{EVIL}" (note);
COMMENT ON INDEX "ix<svg onload=alert(4)>" IS '<!-- hidden -->';
CREATE TABLE child (
  id integer PRIMARY KEY,
  p integer CONSTRAINT "fk<a href=x>" REFERENCES "{EVIL}" (id)
);
CREATE VIEW "v<u>" AS SELECT '```' || '<script>alert(5)</script>' AS x;
COMMENT ON VIEW "v<u>" IS '<marquee>view</marquee>';
"""

RAW_HTML = re.compile(r"<(script|img|b|i|u|svg|iframe|marquee|a|td)\b|<!--", re.I)
# In the rendered page: elements and links only the schema could have put there.
RENDERED_BAD = re.compile(
    r"<(script|img|b|i|u|svg|iframe|marquee)\b|<!--|href=\"(x|javascript:)", re.I
)


def _docs(tmp_path: Path) -> dict[str, str]:
    src = tmp_path / "evil.sql"
    src.write_text(SCHEMA, encoding="utf-8")
    schema = api.read(str(src), dialect="postgres")
    findings = [
        DocFinding(
            code="X<1>",
            severity="warning",
            message="bad <script>alert(6)</script> | here",
            object=f"public.{EVIL}",
        ),
        DocFinding(code="Y2", severity="info", message="<img src=y>", object=None),
    ]
    out = tmp_path / "out"
    generate(
        schema,
        out,
        ("markdown", "mermaid"),
        findings=findings,
        options=DocsOptions(title="Docs <script>alert(7)</script>"),
    )
    return {str(p.relative_to(out)): p.read_text(encoding="utf-8") for p in out.rglob("*.md")}


def test_no_raw_html_from_the_schema_in_any_markdown_file(tmp_path: Path) -> None:
    pages = _docs(tmp_path)
    assert len(pages) == 4, sorted(pages)  # the index, two tables, one view
    for rel, text in pages.items():
        found = RAW_HTML.search(text)
        assert found is None, f"{rel}: raw HTML {found.group(0)!r} in\n{text}"
    index = pages["index.md"]
    assert "# Docs &lt;script&gt;alert(7)&lt;/script&gt;" in index
    assert "&lt;img src=x onerror=alert(1)&gt;" in index  # the schema's comment
    page = next(t for r, t in pages.items() if r.startswith("tables/public._script"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\\[click\\](javascript:alert(3))" in page  # not a link
    assert "\\# not a heading" in page  # not a heading either
    assert "&lt;img src=x onerror=alert(2)&gt;" in page  # the default
    assert "&lt;/td&gt;&lt;script&gt;x&lt;/script&gt;" in page  # the check
    assert "line one<br>line two &lt;iframe" in page
    assert "bad &lt;script&gt;alert(6)&lt;/script&gt; \\| here" in page  # the lint finding
    view = next(t for r, t in pages.items() if r.startswith("views/"))
    assert "&lt;script&gt;alert(5)&lt;/script&gt;" in view
    assert "&lt;marquee&gt;view&lt;/marquee&gt;" in view


def test_tables_keep_their_columns_with_pipes_in_names(tmp_path: Path) -> None:
    """Every row of every Markdown table has as many cells as its header."""
    for rel, text in _docs(tmp_path).items():
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if not re.match(r"^\|-+:?\|", line):
                continue
            header = lines[i - 1]
            width = len(re.findall(r"(?<!\\)\|", header))
            for row in lines[i + 1 :]:
                if not row.startswith("|"):
                    break
                assert len(re.findall(r"(?<!\\)\|", row)) == width, f"{rel}: {row}"


def test_rendered_pages_show_the_text_and_run_nothing(tmp_path: Path) -> None:
    """Rendered as GitHub does (CommonMark + tables, raw HTML allowed): the names read as
    written, and no element or link comes from the schema."""
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")
    for rel, text in _docs(tmp_path).items():
        html = md.render(text)
        found = RENDERED_BAD.search(html)
        assert found is None, f"{rel}: {found.group(0)!r} in\n{html}"
    index = md.render(_docs(tmp_path)["index.md"])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index  # shown, as text


def test_mermaid_labels_have_no_html(tmp_path: Path) -> None:
    src = tmp_path / "evil.sql"
    src.write_text(SCHEMA, encoding="utf-8")
    from dbdesign.docs import DocsContext

    ctx = DocsContext(api.read(str(src), dialect="postgres"))
    for d in ctx.diagrams:
        text = mermaid(ctx, d)
        assert "<" not in text and ">" not in text.replace("--o", "").replace("o{", ""), text
    text = mermaid(ctx, next(d for d in ctx.diagrams if len(d.tables) > 1))
    assert "#lt;script#gt;alert(1)#lt;/script#gt;" in text


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("plain", "plain"),
        ("a|b", "a\\|b"),
        ("<b>x</b> & y", "&lt;b&gt;x&lt;/b&gt; &amp; y"),
        ("[t](javascript:x)", "\\[t\\](javascript:x)"),
        ("`x`", "\\`x\\`"),
        ("back\\slash", "back\\\\slash"),
        ("a\r\nb", "a<br>b"),
    ],
)
def test_cell(raw: str, want: str) -> None:
    assert cell(raw) == want


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("now()", "`now()`"),
        ("a < b", "`a < b`"),  # no tag: a code span shows it literally
        ("status <> 'x'", "`status <> 'x'`"),
        ("x | y", "`x \\| y`"),
        ("a`b", "`` a`b ``"),
        ("a``b", "``` a``b ```"),  # the fence outgrows the text's backticks
        ("'<script>x</script>'", "<code>'&lt;script&gt;x&lt;/script&gt;'</code>"),
        ("'<b>' || a*b*c", "<code>'&lt;b&gt;' \\|\\| a\\*b\\*c</code>"),
        ("", ""),
    ],
)
def test_code(raw: str, want: str) -> None:
    assert code(raw) == want


def test_code_span_cannot_be_closed_from_inside() -> None:
    text = "x `` <b>y</b> ``"
    out = code(text)
    assert "<b>" not in out
    plain = code("x `` y ``")
    assert plain.startswith("``` ") and plain.endswith(" ```")


def test_fenced_blocks() -> None:
    assert fenced("SELECT 1", "sql") == ["```sql", "SELECT 1", "```"]
    assert fenced("SELECT '```'", "sql")[0] == "````sql"
    assert fenced("SELECT '<script>'") == ["<pre><code>SELECT '&lt;script&gt;'</code></pre>"]


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("# title", "\\# title"),
        ("- item", "\\- item"),
        ("1. first", "1\\. first"),
        ("  * star", "\\* star"),
        ("normal text", "normal text"),
        ("> quote", "&gt; quote"),
    ],
)
def test_para(raw: str, want: str) -> None:
    assert para(raw) == want
