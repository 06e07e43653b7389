"""Documentation of a schema: Markdown pages, ER diagrams (Mermaid, DOT, SVG, DBML), one HTML file.

    >>> from dbdesign import api
    >>> from dbdesign.docs import generate
    >>> result = generate(api.read("schema.sql"), "docs-out")   # every format
    >>> result.files[:2], result.notes

The writers are pure (model in, text out); :func:`generate` is the only place that writes files
or runs Graphviz.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbdesign.docs.context import Diagram, DocsContext, DocsOptions, Finding
from dbdesign.errors import ConfigError
from dbdesign.model import Schema

FORMATS = ("markdown", "html", "mermaid", "dot", "svg", "dbml")

__all__ = [
    "FORMATS",
    "Diagram",
    "DocsContext",
    "DocsOptions",
    "DocsResult",
    "Finding",
    "generate",
    "load_findings",
    "parse_formats",
]


@dataclass
class DocsResult:
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # things the user should know (no `dot` ...)


def parse_formats(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"markdown,html"`` -> ("markdown", "html"); None or "all" -> every format."""
    if value is None:
        return FORMATS
    items = value.split(",") if isinstance(value, str) else list(value)
    out: list[str] = []
    for raw in items:
        f = raw.strip().lower()
        if not f:
            continue
        if f == "all":
            return FORMATS
        if f == "md":
            f = "markdown"
        if f not in FORMATS:
            raise ConfigError(f"unknown docs format {raw!r}; choose from {', '.join(FORMATS)}")
        if f not in out:
            out.append(f)
    if not out:
        raise ConfigError(f"no docs format given; choose from {', '.join(FORMATS)}")
    return tuple(out)


def load_findings(path: str | Path) -> list[Finding]:
    """Lint findings from `dbdesign lint --format json`, read loosely: a list of objects, or an
    object with a ``findings`` list; each object with code, severity, message and optionally
    object, file and line (an ``origin`` of ``file:line`` is accepted too)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"cannot read lint findings: {e.strerror}", file=str(p)) from None
    except json.JSONDecodeError as e:
        raise ConfigError(f"lint findings are not JSON: {e}", file=str(p)) from None
    if isinstance(data, dict):
        data = data.get("findings", data.get("results", []))
    if not isinstance(data, list):
        raise ConfigError("lint findings must be a JSON list of objects", file=str(p))
    out = []
    for item in data:
        if not isinstance(item, dict):
            raise ConfigError("lint findings must be a JSON list of objects", file=str(p))
        out.append(_finding(item))
    return out


def _finding(item: Mapping[str, Any]) -> Finding:
    file = item.get("file")
    line = item.get("line")
    origin = item.get("origin")
    if isinstance(origin, dict):
        file = file or origin.get("file")
        line = line or origin.get("line")
    elif isinstance(origin, str) and not file:
        head, _, rest = origin.partition(":")
        file = head
        num = rest.split(":", 1)[0]
        line = int(num) if num.isdigit() else None
    obj = item.get("object")
    return Finding(
        code=str(item.get("code") or item.get("rule") or "?"),
        severity=str(item.get("severity") or item.get("level") or "warning").lower(),
        message=str(item.get("message") or ""),
        object=str(obj) if obj not in (None, "") else None,
        file=str(file) if file else None,
        line=int(line) if isinstance(line, int | str) and str(line).isdigit() else None,
    )


def generate(
    schema: Schema,
    out: str | Path,
    formats: Collection[str] = FORMATS,
    *,
    row_counts: Mapping[str, int] | None = None,
    findings: Iterable[Finding] = (),
    options: DocsOptions | None = None,
) -> DocsResult:
    """Write the documentation of ``schema`` into the folder ``out`` (created if missing)."""
    from dbdesign.docs import erd

    fmts = set(parse_formats(list(formats)))
    root = Path(out)
    ctx = DocsContext(
        schema, row_counts=row_counts, findings=tuple(findings), options=options or DocsOptions()
    )
    result = DocsResult()

    def write(rel: str, text: str) -> None:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
        result.files.append(p)

    root.mkdir(parents=True, exist_ok=True)
    drawn = [d for d in ctx.diagrams if not d.too_large]
    for d in ctx.diagrams:
        if d.too_large:
            result.notes.append(
                f"{d.title}: {len(d.tables)} tables, more than max_tables="
                f"{ctx.options.max_tables}; not drawn (see the per-table diagrams, or define "
                "groups in [tool.dbdesign.docs.groups])"
            )
    if "markdown" in fmts:
        from dbdesign.docs.markdown import MarkdownWriter

        for rel, text in MarkdownWriter(ctx, fmts).pages().items():
            write(rel, text)
    if "mermaid" in fmts:
        for d in drawn:
            write(f"diagrams/{d.slug}.mmd", erd.mermaid(ctx, d))
    dot_sources: dict[str, str] = {}
    if fmts & {"dot", "svg", "html"}:
        dot_sources = {d.slug: erd.dot(ctx, d) for d in drawn}
    if "dot" in fmts:
        for slug, text in dot_sources.items():
            write(f"diagrams/{slug}.dot", text)
    svgs: dict[str, str] | None = None
    if fmts & {"svg", "html"}:
        # The HTML report shows every diagram too; lay them out once for both.
        wanted = dot_sources if "svg" in fmts else _html_diagrams(ctx, dot_sources)
        rendered = erd.render_svg(list(wanted.values()))
        if rendered is None:
            result.notes.append(
                "Graphviz `dot` is not installed: no SVG diagrams (the HTML report shows "
                "a text fallback); install it with `apt-get install graphviz`"
            )
        else:
            svgs = dict(zip(wanted, rendered, strict=True))
            if "svg" in fmts:
                for slug, svg in svgs.items():
                    write(f"diagrams/{slug}.svg", svg + "\n")
    if "dbml" in fmts:
        write("schema.dbml", erd.dbml(ctx))
    if "html" in fmts:
        from dbdesign.docs.html import render_html

        write("index.html", render_html(ctx, svgs, fmts))
    return result


# The HTML report embeds per-table diagrams as SVG only up to this many tables; beyond it the
# report would weigh tens of megabytes, so larger schemas get the text fallback per table.
HTML_TABLE_SVG_LIMIT = 300


def _html_diagrams(ctx: DocsContext, sources: dict[str, str]) -> dict[str, str]:
    if len(ctx.schema.tables) <= HTML_TABLE_SVG_LIMIT:
        return sources
    keep = {d.slug for d in ctx.diagrams if d.kind != "table"}
    return {k: v for k, v in sources.items() if k in keep}
