"""One self-contained HTML report: a searchable table list, diagrams, per-table details and
lint findings. Styles, script and diagrams (inline SVG from Graphviz) are all in the file; it
needs no network to view. Without Graphviz, diagrams fall back to a readable HTML layout.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from html import escape

from dbdesign.docs import describe
from dbdesign.docs.assets import CSS, JS
from dbdesign.docs.context import Diagram, DocFinding, DocsContext, source_name
from dbdesign.docs.erd import edges, key_columns
from dbdesign.model import Table, View


def e(s: object) -> str:
    return escape(str(s), quote=True)


def c(s: object) -> str:
    """Inline code."""
    return f"<code>{e(s)}</code>" if str(s) else ""


def _grid(headers: Sequence[str], rows: Sequence[Sequence[str]], num: Collection[int] = ()) -> str:
    head = "".join(
        f'<th class="num">{e(h)}</th>' if i in num else f"<th>{e(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{x}</td>' if i in num else f"<td>{x}</td>" for i, x in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f'<table class="grid"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


_SEV_ORDER = {"error": 0, "warning": 1, "info": 2, "hint": 3}


class HtmlWriter:
    def __init__(
        self, ctx: DocsContext, svgs: Mapping[str, str] | None, formats: Collection[str]
    ) -> None:
        self.ctx = ctx
        self.svgs = svgs
        self.formats = set(formats)

    def tid(self, key: str) -> str:
        return f"t-{self.ctx.table_slugs[key]}"

    def tlink(self, key: str, label: str | None = None) -> str:
        if key in self.ctx.schema.tables:
            return f'<a href="#{e(self.tid(key))}">{e(label or key)}</a>'
        return e(label or key)

    # -- the page ---------------------------------------------------------------------------

    def render(self) -> str:
        ctx = self.ctx
        s = ctx.schema
        meta = f"{s.dialect} · {len(s.tables)} tables · {len(s.views)} views · {len(s.enums)} enums"
        if ctx.findings:
            meta += f" · {len(ctx.findings)} lint findings"
        slugs = json.dumps(ctx.table_slugs).replace("</", "<\\/")
        pages = [self.overview()]
        pages += [self.table_page(t) for t in s.tables.values()]
        pages += [self.view_page(k) for k in s.views]
        return (
            "<!doctype html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="generator" content="dbdesign docs">'
            f"<title>{e(ctx.title)}</title><style>{CSS}</style>"
            "<noscript><style>.page{display:block}</style></noscript></head>\n<body>"
            f'<header class="top"><div class="brand">dbdesign</div><h1>{e(ctx.title)}</h1>'
            f'<div class="meta">{e(meta)}</div></header>\n'
            f'<div class="layout">{self.sidebar()}\n<main>\n'
            + "\n".join(pages)
            + "\n</main></div>\n"
            f'<script type="application/json" id="slugs">{slugs}</script>'
            f"<script>{JS}</script></body></html>\n"
        )

    def sidebar(self) -> str:
        ctx = self.ctx
        out = [
            '<nav id="sidebar">',
            '<input id="search" type="search" placeholder="Filter tables, columns…  ( / )" '
            'aria-label="Filter tables" autocomplete="off" spellcheck="false">',
            '<div id="count"></div>',
            '<a class="nav-overview" href="#overview" data-target="overview">Overview</a>',
        ]
        for ns in ctx.schemas():
            tables = ctx.tables_in(ns)
            if tables:
                gid = f"list-tables-{ns}"
                out.append(f'<h2 data-group="{e(gid)}">Tables · {e(ns)}</h2><ul id="{e(gid)}">')
                for t in tables:
                    if t.partition_of and t.partition_of in ctx.schema.tables:
                        continue  # listed under its parent
                    out.append(self._item(t))
                    for p in ctx.partitions.get(t.key, ()):
                        out.append(self._item(ctx.schema.tables[p], partition=True))
                out.append("</ul>")
            views = [v for v in ctx.schema.views.values() if v.schema == ns]
            if views:
                gid = f"list-views-{ns}"
                out.append(f'<h2 data-group="{e(gid)}">Views · {e(ns)}</h2><ul id="{e(gid)}">')
                for v in views:
                    vid = f"v-{ctx.view_slugs[v.key]}"
                    hay = f"{v.key} {v.comment or ''}".lower()
                    out.append(
                        f'<li data-kind="view" data-search="{e(hay)}"><a href="#{e(vid)}" '
                        f'data-target="{e(vid)}"><span class="name">{e(v.name)}</span>'
                        f'<span class="badge">{"mat" if v.materialized else "view"}</span></a></li>'
                    )
                out.append("</ul>")
        out.append("</nav>")
        return "".join(out)

    def _item(self, t: Table, partition: bool = False) -> str:
        hay = " ".join([t.key, t.comment or "", *(col.name for col in t.columns)]).lower()
        tid = self.tid(t.key)
        findings = self.ctx.findings_by_table.get(t.key, [])
        badge = f'<span class="badge">{len(t.columns)}</span>'
        if findings:
            worst = min(_SEV_ORDER.get(f.severity, 9) for f in findings)
            cls = "err" if worst == 0 else "warn" if worst == 1 else "info"
            badge = f'<span class="badge {cls}" title="lint findings">{len(findings)}</span>'
        cls = ' class="partition"' if partition else ""
        return (
            f'<li{cls} data-kind="table" data-table="{e(t.key)}" data-search="{e(hay)}">'
            f'<a href="#{e(tid)}" data-target="{e(tid)}"><span class="name">{e(t.name)}</span>'
            f"{badge}</a></li>"
        )

    # -- overview ---------------------------------------------------------------------------

    def overview(self) -> str:
        ctx = self.ctx
        s = ctx.schema
        cards = [
            (len(s.tables), "tables"),
            (len(s.views), "views"),
            (sum(len(t.columns) for t in s.tables.values()), "columns"),
            (sum(len(t.foreign_keys) for t in s.tables.values()), "foreign keys"),
            (len(s.indexes), "indexes"),
            (len(s.enums), "enums"),
        ]
        if ctx.row_counts is not None:
            cards.append((sum(ctx.row_counts.values()), "rows"))
        if ctx.findings:
            cards.append((len(ctx.findings), "lint findings"))
        src = f"Read from {c(source_name(s.source))} ({e(s.dialect)})." if s.source else ""
        out = [
            '<section id="overview" class="page">',
            "<h2>Overview</h2>",
            f'<p class="sub">{src} Pick a table on the left, or type to filter.</p>',
            '<div class="cards">'
            + "".join(
                f'<div class="card"><div class="n">{n:,}</div><div class="l">{e(label)}</div></div>'
                for n, label in cards
            )
            + "</div>",
        ]
        if ctx.findings:
            out.append("<h3>Lint findings</h3>")
            out.append(self._findings(ctx.findings, with_object=True))
        for ns in ctx.schemas():
            tables = [t for t in ctx.tables_in(ns) if not t.partition_of]
            if not tables:
                continue
            out.append(f"<h3>Tables in {e(ns)}</h3>")
            headers = ["Table", "Columns"]
            num = {1}
            if ctx.row_counts is not None:
                headers.append("Rows")
                num.add(2)
            headers.append("Comment")
            rows = []
            for t in tables:
                row = [self.tlink(t.key, t.name), str(len(t.columns))]
                if ctx.row_counts is not None:
                    n = ctx.row_counts.get(t.key)
                    if t.partition_by is not None:
                        n = sum(ctx.row_counts.get(p, 0) for p in ctx.partitions.get(t.key, ()))
                    row.append("" if n is None else f"{n:,}")
                note = e(t.comment or "")
                parts = ctx.partitions.get(t.key)
                if parts:
                    plural = "" if len(parts) == 1 else "s"
                    note += f' <span class="badge">{len(parts)} partition{plural}</span>'
                row.append(note)
                rows.append(row)
            out.append(_grid(headers, rows, num))
        enums = list(s.enums.values())
        if enums:
            out.append("<h3>Enums</h3>")
            out.append(
                _grid(
                    ["Enum", "Values", "Comment"],
                    [
                        [c(x.key), " ".join(c(v) for v in x.values), e(x.comment or "")]
                        for x in enums
                    ],
                )
            )
        for d in ctx.overview_diagrams():
            out.append(f"<h3>Diagram: {e(d.title)}</h3>")
            out.append(self.diagram(d))
        out.append("</section>")
        return "".join(out)

    # -- diagrams ---------------------------------------------------------------------------

    def diagram(self, d: Diagram) -> str:
        if d.too_large:
            return (
                f'<p class="empty">{len(d.tables)} tables: too many for one readable picture. '
                "Every table's page shows it with its neighbours; define groups in "
                "<code>[tool.dbdesign.docs.groups]</code> for diagrams of parts of the schema.</p>"
            )
        svg = self.svgs.get(d.slug) if self.svgs is not None else None
        if svg and svg.startswith("<svg"):
            tools = (
                '<div class="diagram-tools"><button type="button" data-zoom>Actual size</button>'
                "<span>Click a table to open it.</span></div>"
            )
            return f'{tools}<div class="diagram">{svg}</div>'
        return self._fallback(d)

    def _fallback(self, d: Diagram) -> str:
        """Without Graphviz: the relationships as boxes and lists, readable and clickable."""
        ctx = self.ctx
        if d.focus is not None:
            t = ctx.schema.tables[d.focus]
            parents = sorted({fk.ref_table for fk in t.foreign_keys.values()})
            children = sorted({src.key for src, _ in ctx.referenced_by.get(d.focus, ())})

            def boxes(keys: list[str], note: str) -> str:
                if not keys:
                    return f'<div class="box empty">{e(note)}</div>'
                return "".join(f'<div class="box">{self.tlink(k)}</div>' for k in keys)

            return (
                '<div class="diagram fallback">'
                f'<div class="col left"><small class="sub">references</small>'
                f"{boxes(parents, 'references no table')}</div>"
                f'<div class="box focus">{e(t.key)}<small>{len(t.columns)} columns</small></div>'
                f'<div class="col"><small class="sub">referenced by</small>'
                f"{boxes(children, 'no table references it')}</div></div>"
            )
        rels = [
            f"<li>{self.tlink(child.key)} ({e(', '.join(fk.columns))}) → "
            f"{self.tlink(parent)} ({e(', '.join(fk.ref_columns))})</li>"
            for child, fk, parent in edges(ctx, d)
        ]
        body = "".join(rels) or '<li class="empty">no foreign keys between these tables</li>'
        return (
            f'<div class="diagram"><p class="sub">Graphviz was not available when this report '
            f"was made; the diagram's {len(d.tables)} tables and their relationships:</p>"
            f'<ul class="links">{body}</ul></div>'
        )

    # -- a table ----------------------------------------------------------------------------

    def table_page(self, t: Table) -> str:
        """A table's section: its facts, columns, findings, keys, relationships and attachments."""
        key = t.key
        section = f'<section id="{e(self.tid(key))}" class="page table-page" data-table="{e(key)}">'
        out = _page_head(section, t, self._table_facts(t))
        out += self._columns(t)
        findings = self.ctx.findings_by_table.get(key, [])
        if findings:
            out.append(f"<h3>Lint findings ({len(findings)})</h3>")
            out.append(self._findings(findings, with_object=True))
        out += self._keys(t)
        out += self._relations(t)
        out += self._attached(t)
        out.append("</section>")
        return "".join(out)

    def _table_facts(self, t: Table) -> str:
        """The line under a table's name: its kind, rows, columns and row security."""
        ctx = self.ctx
        facts = [e(describe.table_kind(t))]
        if t.partition_of:
            facts = [f"partition of {self.tlink(t.partition_of)}"]
            if t.partition_bound is not None:
                facts.append(c(t.partition_bound))
        if ctx.row_counts is not None and t.key in ctx.row_counts:
            facts.append(f"{ctx.row_counts[t.key]:,} rows")
        facts.append(f"{len(t.columns)} columns")
        if t.rls_enabled:
            facts.append("row level security" + (" (forced)" if t.rls_forced else ""))
        return " · ".join(facts)

    def _columns(self, t: Table) -> list[str]:
        """The columns grid: one row a column, its keys and what a foreign key points at."""
        pk, fk_cols, uk = key_columns(t)
        refs: dict[str, str] = {}
        for fk in t.foreign_keys.values():
            for fc, rc in zip(fk.columns, fk.ref_columns, strict=False):
                label = fk.ref_table.removeprefix(f"{t.schema}.")
                refs[fc] = f"{self.tlink(fk.ref_table, label)}.{e(rc)}"
        rows = []
        for i, col in enumerate(t.columns, 1):
            keys = ""
            if col.name in pk:
                keys += '<span class="key pk">PK</span>'
            if col.name in fk_cols:
                keys += '<span class="key fk">FK</span>'
            if col.name in uk:
                keys += '<span class="key uk">UQ</span>'
            name = f"<strong>{e(col.name)}</strong>" if col.name in pk else e(col.name)
            rows.append(
                [
                    str(i),
                    f'<span class="col-name">{name}</span>',
                    f'<span class="type">{c(col.type)}</span>',
                    "" if col.nullable else '<span class="nn">not&nbsp;null</span>',
                    c(describe.default(col)),
                    keys + (f" → {refs[col.name]}" if col.name in refs else ""),
                    e(col.comment or ""),
                ]
            )
        headers = ["#", "Column", "Type", "Null", "Default", "Keys", "Comment"]
        return ["<h3>Columns</h3>", _grid(headers, rows, {0})]

    def _keys(self, t: Table) -> list[str]:
        """The keys-and-constraints and indexes grids (each left out when empty)."""
        out: list[str] = []
        cons = []
        if t.primary_key:
            cons.append(
                [e(t.primary_key.name), "PRIMARY KEY", c(describe.cols(t.primary_key.columns))]
            )
        for u in t.uniques.values():
            cons.append([e(u.name), "UNIQUE", c(describe.cols(u.columns))])
        for fk in t.foreign_keys.values():
            actions = describe.fk_actions(fk)
            cons.append(
                [
                    e(fk.name),
                    "FOREIGN KEY",
                    f"{c(describe.cols(fk.columns))} → {self.tlink(fk.ref_table)} "
                    f"{c(describe.cols(fk.ref_columns))} {c(actions)}",
                ]
            )
        for ch in t.checks.values():
            cons.append([e(ch.name), "CHECK", c(ch.expr)])
        for x in t.exclusions.values():
            cons.append([e(x.name), "EXCLUDE", c(describe.exclusion(x))])
        if cons:
            out.append("<h3>Keys and constraints</h3>")
            out.append(_grid(["Name", "Type", "Definition"], cons))
        indexes = self.ctx.indexes.get(t.key, [])
        if indexes:
            out.append("<h3>Indexes</h3>")
            out.append(
                _grid(
                    ["Name", "Definition", "Comment"],
                    [[e(ix.name), c(describe.index(ix)), e(ix.comment or "")] for ix in indexes],
                )
            )
        return out

    def _relations(self, t: Table) -> list[str]:
        """The relationships list and the partitions grid (each left out when empty)."""
        ctx = self.ctx
        out: list[str] = []
        referenced_by = ctx.referenced_by.get(t.key, [])
        if t.foreign_keys or referenced_by:
            out.append("<h3>Relationships</h3>")
            items = [
                f"<li>references {self.tlink(fk.ref_table)} "
                f"{c(', '.join(fk.ref_columns))} via {c(', '.join(fk.columns))}</li>"
                for fk in t.foreign_keys.values()
            ]
            items += [
                f"<li>referenced by {self.tlink(src.key)} {c(', '.join(fk.columns))}</li>"
                for src, fk in referenced_by
            ]
            out.append(f'<ul class="links">{"".join(items)}</ul>')
        parts = ctx.partitions.get(t.key, [])
        if parts:
            out.append(f"<h3>Partitions ({len(parts)})</h3>")
            out.append(
                _grid(
                    ["Partition", "Bound"],
                    [[self.tlink(p), c(ctx.schema.tables[p].partition_bound or "")] for p in parts],
                )
            )
        return out

    def _attached(self, t: Table) -> list[str]:
        """The triggers and policies grids and the diagram (each left out when empty)."""
        ctx = self.ctx
        out: list[str] = []
        triggers = ctx.triggers.get(t.key, [])
        if triggers:
            out.append("<h3>Triggers</h3>")
            out.append(
                _grid(
                    ["Name", "Definition"],
                    [[e(tr.name), c(describe.trigger(tr))] for tr in triggers],
                )
            )
        policies = ctx.policies.get(t.key, [])
        if policies:
            out.append("<h3>Policies</h3>")
            out.append(
                _grid(
                    ["Name", "Definition", "Comment"],
                    [[e(p.name), c(describe.policy(p)), e(p.comment or "")] for p in policies],
                )
            )
        d = ctx.diagram_of_table.get(t.key)
        if d is not None:
            out.append("<h3>Diagram</h3>")
            out.append(self.diagram(d))
        return out

    def view_page(self, key: str) -> str:
        v = self.ctx.schema.views[key]
        vid = f"v-{self.ctx.view_slugs[key]}"
        kind = "materialized view" if v.materialized else "view"
        out = _page_head(f'<section id="{e(vid)}" class="page view-page">', v, kind)
        if v.column_comments:
            out.append("<h3>Column comments</h3>")
            out.append(
                _grid(["Column", "Comment"], [[e(k), e(x)] for k, x in v.column_comments.items()])
            )
        out.append(f'<h3>Definition</h3><pre class="sql">{e(str(v.query).strip())}</pre>')
        out.append("</section>")
        return "".join(out)

    def _findings(self, findings: Sequence[DocFinding], *, with_object: bool) -> str:
        rows = []
        for f in sorted(findings, key=lambda f: (_SEV_ORDER.get(f.severity, 9), f.code)):
            where = ""
            if f.file:
                short = f.file.replace("\\", "/").rsplit("/", 1)[-1]
                line = f":{f.line}" if f.line else ""
                where = f'<span title="{e(f.file)}{line}">{e(short)}{line}</span>'
            key = self.ctx.table_of(f.object)
            obj = self.tlink(key, f.object) if key else e(f.object or "")
            row = [
                f'<span class="sev {e(f.severity)}">{e(f.severity)}</span>',
                f'<code class="nw">{e(f.code)}</code>',
            ]
            if with_object:
                row.append(obj)
            row += [e(f.message), where]
            rows.append(row)
        headers = ["Severity", "Code"] + (["Object"] if with_object else []) + ["Message", "Where"]
        return _grid(headers, rows)


def _page_head(section: str, obj: Table | View, sub: str) -> list[str]:
    """The start of a table's or view's page: its ``section`` tag, name, line of facts
    (``sub``, HTML) and comment."""
    out = [
        section,
        f'<h2><span class="schema">{e(obj.schema)}.</span>{e(obj.name)}</h2>',
        f'<p class="sub">{sub}</p>',
    ]
    if obj.comment:
        out.append(f'<div class="comment">{e(obj.comment)}</div>')
    return out


def render_html(
    ctx: DocsContext, svgs: Mapping[str, str] | None, formats: Collection[str] = ()
) -> str:
    return HtmlWriter(ctx, svgs, formats).render()
