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

from dbdesign.docs.context import Diagram, DocFinding, DocsContext, DocsOptions
from dbdesign.errors import ConfigError
from dbdesign.model import Schema

FORMATS = ("markdown", "html", "mermaid", "dot", "svg", "dbml")

__all__ = [
    "FORMATS",
    "MANIFEST",
    "Diagram",
    "DocFinding",
    "DocsContext",
    "DocsOptions",
    "DocsResult",
    "check_out",
    "generate",
    "load_findings",
    "parse_formats",
]


@dataclass
class DocsResult:
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # things the user should know (no `dot` ...)
    formats: list[str] = field(default_factory=list)  # the formats written (no "svg" without dot)
    removed: list[Path] = field(default_factory=list)  # stale pages of an earlier run, removed


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


def load_findings(path: str | Path) -> list[DocFinding]:
    """Lint findings from `dbdesign lint --format json`, read loosely: a list of objects, or an
    object with a ``findings`` list; each object with code, severity, message and optionally
    object, file and line (an ``origin`` of ``file:line`` is accepted too)."""
    p = Path(path)
    shape = (
        "expected `dbdesign lint --format json` output: a list of findings, or an object with "
        "a findings list"
    )
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"cannot read lint findings: {e.strerror}", file=str(p)) from None
    except UnicodeDecodeError as e:
        raise ConfigError(
            f"lint findings are not JSON: not UTF-8 text (byte 0x{e.object[e.start]:02x} at "
            f"offset {e.start})",
            file=str(p),
        ) from None
    except json.JSONDecodeError as e:
        raise ConfigError(f"lint findings are not JSON: {e}", file=str(p)) from None
    if isinstance(data, dict):
        key = next((k for k in ("findings", "results") if k in data), None)
        if key is None:
            keys = ", ".join(map(str, list(data)[:5])) or "none"
            raise ConfigError(f"not lint findings (keys: {keys}); {shape}", file=str(p))
        data = data[key]
    if not isinstance(data, list):
        raise ConfigError(f"lint findings must be a JSON list of objects; {shape}", file=str(p))
    out = []
    for i, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise ConfigError(
                f"lint findings must be a JSON list of objects; item {i} is not", file=str(p)
            )
        if not any(item.get(k) for k in ("code", "rule", "ruleId")):
            raise ConfigError(f"lint finding {i} has no code; {shape}", file=str(p))
        out.append(_finding(item))
    return out


def _finding(item: Mapping[str, Any]) -> DocFinding:
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
    return DocFinding(
        code=str(item.get("code") or item.get("rule") or item.get("ruleId")),
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
    findings: Iterable[DocFinding] = (),
    options: DocsOptions | None = None,
) -> DocsResult:
    """Write the documentation of ``schema`` into the folder ``out`` (created if missing).

    Every file is rendered first, then written beside ``out`` and moved into place, so an error
    leaves nothing half-written. Pages an earlier run wrote (listed in ``out``'s
    :data:`MANIFEST`) that this run does not produce are removed, unless edited since.
    ``result.formats`` lists the formats written: without Graphviz ``dot`` there is no "svg"
    (a note says why; a ConfigError when SVG was the only format asked for).
    """
    from dbdesign.docs import erd

    wanted_formats = parse_formats(list(formats))
    fmts = set(wanted_formats)
    root = Path(out)
    check_out(root)
    ctx = DocsContext(
        schema, row_counts=row_counts, findings=tuple(findings), options=options or DocsOptions()
    )
    result = DocsResult()

    drawn = [d for d in ctx.diagrams if not d.too_large]
    for d in ctx.diagrams:
        if d.too_large:
            result.notes.append(
                f"{d.title}: {len(d.tables)} tables, more than max_tables="
                f"{ctx.options.max_tables}; not drawn (see the per-table diagrams, or define "
                "groups in [tool.dbdesign.docs.groups])"
            )
    dot_sources: dict[str, str] = {}
    if fmts & {"dot", "svg", "html"}:
        dot_sources = {d.slug: erd.dot(ctx, d) for d in drawn}
    # Diagrams are laid out before any page is rendered: pages link to the SVG files only when
    # there are SVG files to link to.
    svgs = _layout(ctx, fmts, dot_sources, result) if fmts & {"svg", "html"} else None
    files = _render(ctx, fmts, drawn, dot_sources, svgs)
    result.formats = [f for f in wanted_formats if f in fmts]
    _write_docs(root, files, result)
    return result


def _layout(
    ctx: DocsContext, fmts: set[str], dot_sources: dict[str, str], result: DocsResult
) -> dict[str, str] | None:
    """The SVG of each diagram (slug -> SVG) for the svg and html formats.

    None without Graphviz: then "svg" is dropped from ``fmts`` with a note in ``result`` (a
    ConfigError when it was the only format asked for).
    """
    from dbdesign.docs import erd

    # The HTML report shows every diagram too; lay them out once for both.
    wanted = dot_sources if "svg" in fmts else _html_diagrams(ctx, dot_sources)
    rendered = erd.render_svg(list(wanted.values()))
    if rendered is not None:
        return dict(zip(wanted, rendered, strict=True))
    if fmts == {"svg"}:
        raise ConfigError(
            "Graphviz `dot` is not installed, so there are no SVG diagrams to write; "
            "install it (`apt-get install graphviz`) or choose other formats"
        )
    fmts.discard("svg")
    result.notes.append(
        "Graphviz `dot` is not installed: no SVG diagrams (the HTML report shows "
        "a text fallback); install it with `apt-get install graphviz`"
    )
    return None


def _render(
    ctx: DocsContext,
    fmts: set[str],
    drawn: list[Diagram],
    dot_sources: dict[str, str],
    svgs: dict[str, str] | None,
) -> dict[str, str]:
    """Every file of the formats in ``fmts``, by its path in the docs folder."""
    from dbdesign.docs import erd

    files: dict[str, str] = {}
    if "markdown" in fmts:
        from dbdesign.docs.markdown import MarkdownWriter

        files.update(MarkdownWriter(ctx, fmts).pages())
    if "mermaid" in fmts:
        for d in drawn:
            files[f"diagrams/{d.slug}.mmd"] = erd.mermaid(ctx, d)
    if "dot" in fmts:
        for slug, text in dot_sources.items():
            files[f"diagrams/{slug}.dot"] = text
    if "svg" in fmts and svgs is not None:
        for slug, svg in svgs.items():
            files[f"diagrams/{slug}.svg"] = svg + "\n"
    if "dbml" in fmts:
        files["schema.dbml"] = erd.dbml(ctx)
    if "html" in fmts:
        from dbdesign.docs.html import render_html

        files["index.html"] = render_html(ctx, svgs, fmts)
    return files


MANIFEST = ".dbdesign-docs.json"
"""The list of files ``dbdesign docs`` wrote into a folder (with their SHA-256), so that the next
run can remove the pages of tables that are gone, and nothing else."""


def check_out(root: Path) -> None:
    """A ConfigError when ``root`` cannot be the docs folder (a file is in the way)."""
    for p in (root, *root.parents):
        if p.exists():
            if not p.is_dir():
                what = "exists and is not a folder" if p == root else f"{p} is not a folder"
                raise ConfigError(f"cannot write the docs into {root}: {what}")
            return


def _digest(text: str) -> str:
    """The SHA-256 of a page, as the manifest records it."""
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _write_docs(root: Path, files: Mapping[str, str], result: DocsResult) -> None:
    import os
    import shutil
    import tempfile

    old = _read_manifest(root)
    manifest = {rel: _digest(text) for rel, text in files.items()}
    created = not root.exists()
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".dbdesign-docs-", dir=root))
    except OSError as e:
        raise ConfigError(f"cannot write the docs: {e.strerror}", file=str(root)) from None
    try:
        try:
            staged = [*files.items(), (MANIFEST, _manifest_text(manifest))]
            for rel, text in staged:
                p = tmp / rel
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(text, encoding="utf-8")
            for rel, _ in staged:
                dest = root / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp / rel, dest)
                if rel != MANIFEST:
                    result.files.append(dest)
        except OSError as e:
            if created:  # a folder of our own making: leave nothing behind
                shutil.rmtree(root, ignore_errors=True)
            where = e.filename if isinstance(e.filename, str) else str(root)
            raise ConfigError(f"cannot write the docs: {e.strerror}", file=where) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _remove_stale(root, {rel: sha for rel, sha in old.items() if rel not in files}, result)


def _remove_stale(root: Path, stale: Mapping[str, str], result: DocsResult) -> None:
    """Remove the pages an earlier run wrote and this one did not (relative path -> SHA-256),
    unless changed by hand, and the folders that leaves empty."""
    for rel, sha in sorted(stale.items()):
        p = root / rel
        try:
            if p.is_symlink() or not p.is_file():
                continue
            if _digest(p.read_text(encoding="utf-8")) != sha:
                result.notes.append(f"kept {p}: no longer generated, but edited since")
                continue
            p.unlink()
        except (OSError, UnicodeDecodeError):
            result.notes.append(f"kept {p}: no longer generated, but could not be checked")
            continue
        result.removed.append(p)
        for parent in p.parents:
            if parent == root or root not in parent.parents:
                break
            try:
                parent.rmdir()  # only when empty
            except OSError:
                break


def _manifest_text(files: Mapping[str, str]) -> str:
    data = {"generator": "dbdesign docs", "version": 1, "files": dict(sorted(files.items()))}
    return json.dumps(data, indent=2) + "\n"


def _read_manifest(root: Path) -> dict[str, str]:
    """The files the last run wrote (relative path -> SHA-256); only safe relative paths."""
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(files, dict):
        return {}
    out = {}
    for rel, sha in files.items():
        if not isinstance(rel, str) or not isinstance(sha, str) or rel == MANIFEST:
            continue
        parts = Path(rel).parts
        if not parts or Path(rel).is_absolute() or ".." in parts or "\\" in rel:
            continue
        out[rel] = sha
    return out


# The HTML report embeds per-table diagrams as SVG only up to this many tables; beyond it the
# report would weigh tens of megabytes, so larger schemas get the text fallback per table.
HTML_TABLE_SVG_LIMIT = 300


def _html_diagrams(ctx: DocsContext, sources: dict[str, str]) -> dict[str, str]:
    if len(ctx.schema.tables) <= HTML_TABLE_SVG_LIMIT:
        return sources
    keep = {d.slug for d in ctx.diagrams if d.kind != "table"}
    return {k: v for k, v in sources.items() if k in keep}
