"""Markdown for the repository: ``index.md`` and one page per table and per view.

Pages link to each other with relative links, so they read the same on GitHub, in an editor and
on disk. Diagrams are embedded as Mermaid blocks (GitHub renders them).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from dbdesign.docs import describe
from dbdesign.docs.context import Diagram, DocFinding, DocsContext, source_name
from dbdesign.docs.erd import mermaid
from dbdesign.model import Table, View

_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# Characters that start Markdown syntax inside a line: links and images ([...](...)), code
# spans, table cells. Escaped with a backslash (emphasis * _ ~ is left alone: it cannot inject
# anything and escaping it would clutter every snake_case name).
_MD = str.maketrans({c: "\\" + c for c in "\\`[]|"})
_MD_ALL = str.maketrans({c: "\\" + c for c in "\\`[]|*_~"})  # inside <code>: everything
# Raw HTML, an autolink or an HTML comment starts with "<" and one of these (CommonMark).
_TAG = re.compile(r"<[A-Za-z/!?]")


def cell(text: object) -> str:
    """User text (a name, a comment) that is safe inside a Markdown table cell and in running
    text: HTML characters become entities, so ``<script>`` shows as text and nothing runs;
    Markdown link, code and table syntax is escaped; a line break becomes ``<br>``."""
    s = str(text).translate(_HTML).translate(_MD)
    return s.replace("\r", "").replace("\n", "<br>")


def para(text: object) -> str:
    """User text as a paragraph of its own: :func:`cell`, and a leading ``#``, ``-``, ``+``,
    ``*``, ``=`` or ``1.`` does not make it a heading, a list or a rule."""
    s = cell(text).lstrip()
    m = re.match(r"\d+(?=[.)])", s)
    if m is not None:
        return s[: m.end()] + "\\" + s[m.end() :]
    if s and s[0] in "#+-*=_":
        return "\\" + s
    return s


def code(text: object) -> str:
    """User text (a type, a default, a check) as inline code, safe in a table cell.

    A code span shows its text literally; its fence is longer than any run of backticks in
    the text, so the text cannot close it. Text that holds something like an HTML tag
    (``<script>``, ``</b>``, ``<!--``) is written as a ``<code>`` element with the HTML
    characters as entities instead, so that no raw HTML from the schema reaches the page, not
    even inside a code span (it renders the same).
    """
    s = " ".join(str(text).split())
    if not s:
        return ""
    if _TAG.search(s):
        return f"<code>{s.translate(_HTML).translate(_MD_ALL)}</code>"
    longest = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest else ""
    return f"{fence}{pad}{s.replace('|', chr(92) + '|')}{pad}{fence}"


def fenced(text: str, lang: str = "") -> list[str]:
    """A code block: fenced, with a fence no line of ``text`` can close; or, when ``text``
    holds something like an HTML tag, a ``<pre>`` block with the HTML characters as entities
    (the same on the page, and no raw HTML from the schema in the file)."""
    if _TAG.search(text):
        return [f"<pre><code>{text.translate(_HTML)}</code></pre>"]
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + lang, text, fence]


def _table(headers: list[str], rows: list[list[str]], right: Collection[int] = ()) -> list[str]:
    out = ["| " + " | ".join(headers) + " |"]
    out.append("|" + "|".join("---:" if i in right else "---" for i in range(len(headers))) + "|")
    out.extend("| " + " | ".join(r) + " |" for r in rows)
    return out


class MarkdownWriter:
    def __init__(self, ctx: DocsContext, formats: Collection[str] = ()) -> None:
        self.ctx = ctx
        self.formats = set(formats)

    # -- links ------------------------------------------------------------------------------

    def table_path(self, key: str) -> str:
        return f"tables/{self.ctx.table_slugs[key]}.md"

    def view_path(self, key: str) -> str:
        return f"views/{self.ctx.view_slugs[key]}.md"

    def table_link(self, key: str, *, label: str | None = None, prefix: str = "") -> str:
        text = cell(label or key)
        if key in self.ctx.schema.tables:
            return f"[{text}]({prefix}{self.table_path(key)})"
        return text

    # -- pages ------------------------------------------------------------------------------

    def pages(self) -> dict[str, str]:
        out = {"index.md": self.index()}
        for key, t in self.ctx.schema.tables.items():
            out[self.table_path(key)] = self.table_page(t)
        for key, v in self.ctx.schema.views.items():
            out[self.view_path(key)] = self.view_page(v)
        return out

    def _diagram_block(self, d: Diagram, prefix: str) -> list[str]:
        links = []
        if "svg" in self.formats:
            links.append(f"[SVG]({prefix}diagrams/{d.slug}.svg)")
        if "dot" in self.formats:
            links.append(f"[DOT]({prefix}diagrams/{d.slug}.dot)")
        if "mermaid" in self.formats:
            links.append(f"[Mermaid]({prefix}diagrams/{d.slug}.mmd)")
        out = []
        if d.too_large:
            out.append(
                f"{len(d.tables)} tables: too many for one readable picture. Each table's page "
                "has a diagram of the table and its neighbours; define groups under "
                "`[tool.dbdesign.docs.groups]` for diagrams of parts of the schema."
            )
        else:
            out += ["```mermaid", mermaid(self.ctx, d).rstrip("\n"), "```"]
        if links and not d.too_large:
            out += ["", " · ".join(links)]
        return out

    def index(self) -> str:
        ctx = self.ctx
        s = ctx.schema
        counts = []
        for n, word in (
            (len(s.tables), "table"),
            (len(s.views), "view"),
            (len(s.enums), "enum"),
            (len(s.indexes), "index"),
        ):
            counts.append(f"{n} {word}" + ("" if n == 1 else ("es" if word == "index" else "s")))
        source = f" from {code(source_name(s.source))}" if s.source else ""
        out = [
            f"# {cell(ctx.title)}",
            "",
            f"Generated by `dbdesign docs`{source} ({s.dialect}): {', '.join(counts)}.",
        ]
        if "dbml" in self.formats:
            out[-1] += " DBML: [schema.dbml](schema.dbml)."
        if "html" in self.formats:
            out[-1] += " Report: [index.html](index.html)."
        for ns in ctx.schemas():
            out += ["", f"## Schema {code(ns)}"]
            nsobj = s.namespaces.get(ns)
            if nsobj is not None and nsobj.comment:
                out += ["", para(nsobj.comment)]
            out += self._schema_tables(ns)
            views = [v for v in s.views.values() if v.schema == ns]
            if views:
                out += ["", "### Views", ""]
                out += _table(
                    ["View", "Kind", "Comment"],
                    [
                        [
                            f"[{cell(v.name)}]({self.view_path(v.key)})",
                            "materialized view" if v.materialized else "view",
                            cell(v.comment or ""),
                        ]
                        for v in views
                    ],
                )
            enums = [e for e in s.enums.values() if e.schema == ns]
            if enums:
                out += ["", "### Enums", ""]
                out += _table(
                    ["Enum", "Values", "Comment"],
                    [
                        [cell(e.name), ", ".join(code(v) for v in e.values), cell(e.comment or "")]
                        for e in enums
                    ],
                )
            domains = [d for d in s.domains.values() if d.schema == ns]
            if domains:
                out += ["", "### Domains", ""]
                out += _table(
                    ["Domain", "Type", "Checks", "Comment"],
                    [
                        [
                            cell(d.name),
                            code(d.type) + ("" if d.nullable else " NOT NULL"),
                            "<br>".join(code(c.expr) for c in d.checks.values()),
                            cell(d.comment or ""),
                        ]
                        for d in domains
                    ],
                )
        overview = ctx.overview_diagrams()
        if overview:
            out += ["", "## Diagrams"]
            for d in overview:
                out += ["", f"### {cell(d.title)}", ""]
                out += self._diagram_block(d, "")
        if ctx.unattached_findings:
            out += ["", "## Lint findings", ""]
            out += self._findings(ctx.unattached_findings)
        return "\n".join(out) + "\n"

    def _schema_tables(self, ns: str) -> list[str]:
        ctx = self.ctx
        tables = [t for t in ctx.tables_in(ns) if not t.partition_of]
        if not tables:
            return []
        headers = ["Table", "Columns"]
        if ctx.row_counts is not None:
            headers.append("Rows")
        headers.append("Comment")
        rows = []
        for t in tables:
            row = [f"[{cell(t.name)}]({self.table_path(t.key)})", str(len(t.columns))]
            if ctx.row_counts is not None:
                n = ctx.row_counts.get(t.key)
                if t.partition_by is not None:
                    n = sum(ctx.row_counts.get(p, 0) for p in ctx.partitions.get(t.key, ()))
                row.append("" if n is None else f"{n:,}")
            note = cell(t.comment or "")
            parts = ctx.partitions.get(t.key)
            if parts:
                note = (
                    (note + "<br>" if note else "")
                    + f"partitioned: {len(parts)} partition"
                    + ("" if len(parts) == 1 else "s")
                )
            row.append(note)
            rows.append(row)
        right = {2} if ctx.row_counts is not None else set()
        return ["", "### Tables", "", *_table(headers, rows, {1, *right})]

    def table_page(self, t: Table) -> str:
        """A table's page: its facts, columns, keys, relationships and attached objects."""
        out = [f"# Table {code(t.key)}", "", "[Index](../index.md)"]
        if t.comment:
            out += ["", para(t.comment)]
        out += ["", self._table_facts(t)]
        out += self._columns(t)
        out += self._keys(t)
        out += self._relations(t)
        out += self._attached(t)
        return "\n".join(out) + "\n"

    def _table_facts(self, t: Table) -> str:
        """The line under a table's comment: its kind, rows and row security."""
        ctx = self.ctx
        kind = describe.table_kind(t)
        facts = [kind[:1].upper() + kind[1:]]
        if t.partition_of:
            facts[0] = "Partition of " + self.table_link(t.partition_of, prefix="../")
            if t.partition_bound is not None:
                facts[0] += f" {code(t.partition_bound)}"
        if ctx.row_counts is not None and t.key in ctx.row_counts:
            facts.append(f"{ctx.row_counts[t.key]:,} rows")
        if t.rls_enabled:
            facts.append("row level security" + (" (forced)" if t.rls_forced else ""))
        return " · ".join(facts)

    def _columns(self, t: Table) -> list[str]:
        """The columns section: one row a column, its keys and what a foreign key points at."""
        pk = set(pk_cols(t))
        fk_of: dict[str, str] = {}
        for fk in t.foreign_keys.values():
            for fc, rc in zip(fk.columns, fk.ref_columns, strict=False):
                fk_of[fc] = self.table_link(fk.ref_table, prefix="../") + f".{cell(rc)}"
        rows = []
        for i, c in enumerate(t.columns, 1):
            name = f"**{cell(c.name)}**" if c.name in pk else cell(c.name)
            keys = []
            if c.name in pk:
                keys.append("PK")
            if c.name in fk_of:
                keys.append("FK → " + fk_of[c.name])
            rows.append(
                [
                    str(i),
                    name,
                    code(c.type),
                    "yes" if c.nullable else "no",
                    code(describe.default(c)),
                    ", ".join(keys),
                    cell(c.comment or ""),
                ]
            )
        out = ["", "## Columns", ""]
        out += _table(["#", "Column", "Type", "Nullable", "Default", "Keys", "Comment"], rows, {0})
        return out

    def _keys(self, t: Table) -> list[str]:
        """The constraints and indexes sections (each left out when empty)."""
        out: list[str] = []
        cons = []
        if t.primary_key:
            cons.append([cell(t.primary_key.name), "PRIMARY KEY", code(describe.cols(pk_cols(t)))])
        for u in t.uniques.values():
            cons.append([cell(u.name), "UNIQUE", code(describe.cols(u.columns))])
        for fk in t.foreign_keys.values():
            target = self.table_link(fk.ref_table, prefix="../")
            actions = describe.fk_actions(fk)
            cons.append(
                [
                    cell(fk.name),
                    "FOREIGN KEY",
                    f"{code(describe.cols(fk.columns))} → {target} "
                    f"{code(describe.cols(fk.ref_columns))}"
                    + (f" {code(actions)}" if actions else ""),
                ]
            )
        for ch in t.checks.values():
            cons.append([cell(ch.name), "CHECK", code(ch.expr)])
        for x in t.exclusions.values():
            cons.append([cell(x.name), "EXCLUDE", code(describe.exclusion(x))])
        if cons:
            out += ["", "## Constraints", ""]
            out += _table(["Name", "Type", "Definition"], cons)
        indexes = self.ctx.indexes.get(t.key, [])
        if indexes:
            out += ["", "## Indexes", ""]
            out += _table(
                ["Name", "Definition", "Comment"],
                [
                    [cell(ix.name), code(describe.index(ix)), cell(ix.comment or "")]
                    for ix in indexes
                ],
            )
        return out

    def _relations(self, t: Table) -> list[str]:
        """The references, referenced-by and partitions sections (each left out when empty)."""
        ctx = self.ctx
        out: list[str] = []
        if t.foreign_keys:
            out += ["", "## References", ""]
            for fk in t.foreign_keys.values():
                out.append(
                    f"- {code(', '.join(fk.columns))} → "
                    f"{self.table_link(fk.ref_table, prefix='../')} "
                    f"{code(', '.join(fk.ref_columns))} ({cell(fk.name)})"
                )
        refs = ctx.referenced_by.get(t.key, [])
        if refs:
            out += ["", "## Referenced by", ""]
            for src, fk in refs:
                out.append(
                    f"- {self.table_link(src.key, prefix='../')} "
                    f"{code(', '.join(fk.columns))} → {code(', '.join(fk.ref_columns))} "
                    f"({cell(fk.name)})"
                )
        parts = ctx.partitions.get(t.key, [])
        if parts:
            out += ["", "## Partitions", ""]
            for p in parts:
                bound = ctx.schema.tables[p].partition_bound
                out.append(
                    f"- {self.table_link(p, prefix='../')}"
                    + (f" {code(bound)}" if bound is not None else "")
                )
        return out

    def _attached(self, t: Table) -> list[str]:
        """The triggers, policies, lint findings and diagram sections (each left out when empty)."""
        ctx = self.ctx
        key = t.key
        out: list[str] = []
        triggers = ctx.triggers.get(key, [])
        if triggers:
            out += ["", "## Triggers", ""]
            out += _table(
                ["Name", "Definition"],
                [[cell(tr.name), code(describe.trigger(tr))] for tr in triggers],
            )
        policies = ctx.policies.get(key, [])
        if policies:
            out += ["", "## Policies", ""]
            out += _table(
                ["Name", "Definition", "Comment"],
                [[cell(p.name), code(describe.policy(p)), cell(p.comment or "")] for p in policies],
            )
        findings = ctx.findings_by_table.get(key, [])
        if findings:
            out += ["", "## Lint findings", ""]
            out += self._findings(findings)
        d = ctx.diagram_of_table.get(key)
        if d is not None:
            out += ["", "## Diagram", ""]
            out += self._diagram_block(d, "../")
        return out

    def _findings(self, findings: list[DocFinding]) -> list[str]:
        return _table(
            ["Severity", "Code", "Object", "Message"],
            [
                [cell(f.severity), code(f.code), cell(f.object or ""), cell(f.message)]
                for f in findings
            ],
        )

    def view_page(self, v: View) -> str:
        kind = "Materialized view" if v.materialized else "View"
        out = [f"# {kind} {code(v.key)}", "", "[Index](../index.md)"]
        if v.comment:
            out += ["", para(v.comment)]
        if v.column_comments:
            out += ["", "## Column comments", ""]
            out += _table(
                ["Column", "Comment"], [[cell(k), cell(c)] for k, c in v.column_comments.items()]
            )
        out += ["", "## Definition", "", *fenced(str(v.query).strip(), "sql")]
        return "\n".join(out) + "\n"


def pk_cols(t: Table) -> tuple[str, ...]:
    return t.primary_key.columns if t.primary_key else ()
